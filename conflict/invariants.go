package conflict

// This file is compiled into every build so that the package's own tests can
// check the tree after each step; the linker drops it from programs, which
// never call it. CheckInvariants (invariants_on.go) makes it reachable from
// other packages' tests built with -tags invariants.

import (
	"bytes"
	"fmt"
)

// checkTree verifies every invariant listed on tree and returns the first violation.
func checkTree(t *tree) error {
	var prev []byte
	havePrev := false
	leafDepth := -1
	count := 0
	var walk func(n *node, depth int, root bool) (minKey []byte, maxVer int64, err error)
	walk = func(n *node, depth int, root bool) ([]byte, int64, error) {
		if n.n > t.maxEntries {
			return nil, 0, fmt.Errorf("node at depth %d has %d entries > max %d", depth, n.n, t.maxEntries)
		}
		if !root && n.n < t.minEntries {
			return nil, 0, fmt.Errorf("node at depth %d has %d entries < min %d", depth, n.n, t.minEntries)
		}
		if !root && n.n == 0 {
			return nil, 0, fmt.Errorf("empty non-root node at depth %d", depth)
		}
		if int(n.off[n.n]) != len(n.buf) || n.off[0] != 0 {
			return nil, 0, fmt.Errorf("offsets inconsistent at depth %d", depth)
		}
		if n.n == 0 && n.skip != 0 {
			return nil, 0, fmt.Errorf("empty node with skip %d", n.skip)
		}
		if h := min(n.skip, len(n.head)); !bytes.Equal(n.head[:h], n.buf[:h]) {
			return nil, 0, fmt.Errorf("head %q does not match the node prefix %q", n.head[:h], n.buf[:h])
		}
		for i := 0; i < n.n; i++ {
			if k := n.key(i); len(k) < n.skip || !bytes.Equal(k[:n.skip], n.buf[:n.skip]) {
				return nil, 0, fmt.Errorf("key %q lacks the node prefix %q", k, n.buf[:n.skip])
			}
			if n.pfx[i] != word(n.key(i), n.skip) {
				return nil, 0, fmt.Errorf("stale search word for %q", n.key(i))
			}
		}
		if n.leaf() {
			if leafDepth == -1 {
				leafDepth = depth
			} else if leafDepth != depth {
				return nil, 0, fmt.Errorf("leaves at depths %d and %d", leafDepth, depth)
			}
			for i := 0; i < n.n; i++ {
				k := n.key(i)
				if havePrev && bytes.Compare(prev, k) >= 0 {
					return nil, 0, fmt.Errorf("keys out of order: %q then %q", prev, k)
				}
				prev, havePrev = append(prev[:0], k...), true
			}
			count += n.n
			if n.n == 0 {
				return nil, 0, nil
			}
			return n.key(0), n.maxVersion(), nil
		}
		if root && n.n < 2 {
			return nil, 0, fmt.Errorf("inner root has %d children", n.n)
		}
		for _, k := range n.kids[n.n:] {
			if k != nil {
				return nil, 0, fmt.Errorf("stale child pointer beyond n at depth %d", depth)
			}
		}
		var m int64
		for i := 0; i < n.n; i++ {
			kmin, kmax, err := walk(n.kids[i], depth+1, false)
			if err != nil {
				return nil, 0, err
			}
			if !bytes.Equal(n.key(i), kmin) {
				return nil, 0, fmt.Errorf("depth %d entry %d key %q != child min %q", depth, i, n.key(i), kmin)
			}
			if n.vers[i] != kmax {
				return nil, 0, fmt.Errorf("depth %d entry %d max %d != child max %d", depth, i, n.vers[i], kmax)
			}
			m = max(m, kmax)
		}
		return n.key(0), m, nil
	}
	if _, _, err := walk(t.root, 0, true); err != nil {
		return err
	}
	if count != t.count {
		return fmt.Errorf("count %d, tree holds %d", t.count, count)
	}
	return nil
}
