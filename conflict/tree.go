package conflict

import "bytes"

// tree is a B+tree over boundary keys with, per child, the largest version in that child.
// It stores the step function of History: a boundary k with version v says that every key
// from k up to the next boundary was last written at v; keys before the first boundary
// have version 0.
//
// Invariants (checked by checkTree in the tests):
//   - leaf keys are strictly increasing across the whole tree and all leaves are at the
//     same depth;
//   - for an inner node, key(i) == kids[i].key(0) and vers[i] == kids[i].maxVersion();
//   - every node but the root holds at least minEntries entries and at most maxEntries;
//     an inner root holds at least two;
//   - count is the number of leaf entries.
type tree struct {
	root  *node
	count int

	maxEntries int
	minEntries int
}

func newTree(maxEntries int) tree {
	// The slack of two below half lets fix borrow for an underfull child and then repair
	// that child's own lone grandchild without pushing either sibling under the minimum.
	return tree{root: newLeaf(), maxEntries: maxEntries, minEntries: maxEntries/2 - 2}
}

// maxIn returns the largest version of the step function over [b, e), which must be
// non-empty. When above >= 0 it may stop as soon as it has seen a version > above, and may
// return any value <= above when there is none: Conflicts only needs that answer, and
// skipping children whose maximum is <= above keeps it cheap on hot ranges.
//
// The answer is the version at floor(b) (the last boundary <= b) joined with every boundary
// in (b, e). In each node the children strictly between the one holding b and the one
// holding e contribute their stored maximum without being visited, so the cost is two
// root-to-leaf paths whatever the width of the range.
func (t *tree) maxIn(b, e []byte, above int64) int64 {
	n := t.root
	for !n.leaf() {
		ib := n.upper(b, 1) - 1
		ie := n.lowerNear(e, ib+1) - 1
		if ib == ie {
			if n.vers[ib] <= above {
				return 0
			}
			n = n.kids[ib]
			continue
		}
		var m int64
		for _, v := range n.vers[ib+1 : ie] {
			m = max(m, v)
		}
		if m > above && above >= 0 {
			return m
		}
		if n.vers[ib] > above {
			m = max(m, suffixMax(n.kids[ib], b, above))
			if m > above && above >= 0 {
				return m
			}
		}
		if n.vers[ie] > above {
			m = max(m, prefixMax(n.kids[ie], e, above))
		}
		return m
	}
	j := n.upper(b, 0) - 1 // floor(b), or -1 before the first boundary
	k := n.lowerNear(e, j+1)
	var m int64
	for _, v := range n.vers[max(j, 0):k] {
		m = max(m, v)
	}
	return m
}

// suffixMax is maxIn over the part of n's subtree from floor(b) onwards; every key of the
// subtree is below the range's end.
func suffixMax(n *node, b []byte, above int64) int64 {
	var m int64
	for !n.leaf() {
		ib := n.upper(b, 1) - 1
		for _, v := range n.vers[ib+1 : n.n] {
			m = max(m, v)
		}
		if (m > above && above >= 0) || n.vers[ib] <= above {
			return m
		}
		n = n.kids[ib]
	}
	for _, v := range n.vers[max(n.upper(b, 0)-1, 0):n.n] {
		m = max(m, v)
	}
	return m
}

// prefixMax is maxIn over the keys of n's subtree below e; every key of the subtree is
// above the range's begin.
func prefixMax(n *node, e []byte, above int64) int64 {
	var m int64
	for !n.leaf() {
		ie := n.lower(e, 1) - 1
		for _, v := range n.vers[:ie] {
			m = max(m, v)
		}
		if (m > above && above >= 0) || n.vers[ie] <= above {
			return m
		}
		n = n.kids[ie]
	}
	for _, v := range n.vers[:n.lower(e, 0)] {
		m = max(m, v)
	}
	return m
}

// floor returns the version in force at k and whether k is itself a boundary.
func (t *tree) floor(k []byte) (version int64, exact bool) {
	n := t.root
	for !n.leaf() {
		n = n.kids[n.upper(k, 1)-1]
	}
	j := n.upper(k, 0) - 1
	if j < 0 {
		return 0, false
	}
	return n.vers[j], bytes.Equal(n.key(j), k)
}

// before returns the version of the last boundary < k, if there is one.
func (t *tree) before(k []byte) (version int64, ok bool) {
	n := t.root
	for !n.leaf() {
		n = n.kids[max(n.lower(k, 1)-1, 0)]
	}
	j := n.lower(k, 0) - 1
	if j < 0 {
		return 0, false
	}
	return n.vers[j], true
}

// assign sets [b, e) to version v when both ends fall in one leaf, which is the common case
// (point writes, short ranges): one descent instead of the three of the general path. It
// reports ok == false, having changed nothing, when b and e lead to different children.
// v must be >= every version in the tree (History.Add's contract), which is what lets the
// parents' maxima be updated with a max instead of a rescan.
func (t *tree) assign(n *node, b, e []byte, v int64) (split *node, minChanged, ok bool) {
	if n.leaf() {
		i := n.lower(b, 0)
		j := n.lower(e, i)
		eExists := j < n.n && bytes.Equal(n.key(j), e)
		var ve int64 // version in force at e before the write: e keeps it
		if j > 0 {
			ve = n.vers[j-1]
		}
		if eExists && j == i+1 && bytes.Equal(n.key(i), b) {
			// [b, e) is already one entry, as a key written again is while
			// its last write is in the history: only its version changes.
			n.vers[i] = v
			return nil, false, true
		}
		minChanged = i == 0 && (n.n == 0 || !bytes.Equal(n.key(0), b))
		cnt, size := 2, len(b)+len(e)
		if eExists {
			cnt, size = 1, len(b)
		}
		removed := j - i
		n.resize(i, j, cnt, size)
		at := n.off[i]
		copy(n.buf[at:], b)
		n.vers[i] = v
		if !eExists {
			n.off[i+1] = at + uint32(len(b))
			copy(n.buf[n.off[i+1]:], e)
			n.vers[i+1] = ve
		}
		n.keysChanged(i, i+cnt)
		t.count += cnt - removed
		if n.n > t.maxEntries {
			split = t.split(n)
		}
		return split, minChanged, true
	}
	c := n.upper(b, 1) - 1
	if n.upper(e, c+1)-1 != c {
		return nil, false, false
	}
	kid := n.kids[c]
	kidSplit, kidMin, ok := t.assign(kid, b, e, v)
	if !ok {
		return nil, false, false
	}
	n.vers[c] = max(n.vers[c], v)
	if kidMin {
		n.setKey(c, kid.key(0))
		minChanged = c == 0
	}
	if kidSplit != nil {
		n.vers[c] = kid.maxVersion()
		n.insertChild(c+1, kidSplit)
		if n.n > t.maxEntries {
			split = t.split(n)
		}
	} else if kid.n < t.minEntries {
		t.fix(n, c)
	}
	return split, minChanged, true
}

// put sets boundary k to version v, inserting it if absent. Like assign, v must not be
// lower than a version k already has, so the parents' maxima only grow.
func (t *tree) put(n *node, k []byte, v int64) (split *node, minChanged bool) {
	if n.leaf() {
		i := n.lower(k, 0)
		if i < n.n && bytes.Equal(n.key(i), k) {
			n.vers[i] = v
			return nil, false
		}
		n.resize(i, i, 1, len(k))
		copy(n.buf[n.off[i]:], k)
		n.vers[i] = v
		n.keysChanged(i, i+1)
		t.count++
		if n.n > t.maxEntries {
			split = t.split(n)
		}
		return split, i == 0
	}
	c := n.upper(k, 1) - 1
	kid := n.kids[c]
	kidSplit, kidMin := t.put(kid, k, v)
	n.vers[c] = max(n.vers[c], v)
	if kidMin {
		n.setKey(c, kid.key(0))
		minChanged = c == 0
	}
	if kidSplit != nil {
		n.vers[c] = kid.maxVersion()
		n.insertChild(c+1, kidSplit)
		if n.n > t.maxEntries {
			split = t.split(n)
		}
	}
	return split, minChanged
}

// removeRange deletes every boundary in [lo, hi) from n's subtree. Children wholly inside
// the range are dropped without being visited. The caller re-syncs n's entry in its parent
// and repairs n if it became underfull or empty.
func (t *tree) removeRange(n *node, lo, hi []byte) {
	if n.leaf() {
		i := n.lower(lo, 0)
		j := n.lower(hi, i)
		n.remove(i, j)
		t.count -= j - i
		return
	}
	i := n.upper(lo, 1) - 1
	j := n.lower(hi, i+1) - 1
	t.removeRange(n.kids[i], lo, hi)
	if j > i {
		t.removeRange(n.kids[j], lo, hi)
		for _, kid := range n.kids[i+1 : j] {
			t.count -= size(kid)
		}
		n.remove(i+1, j)
		j = i + 1
	}
	t.repair(n, i, j)
}

// repair restores the invariants of n after children [lo, hi] changed: empty children are
// dropped, keys and maxima re-synced, underfull children merged or refilled.
func (t *tree) repair(n *node, lo, hi int) {
	for c := hi; c >= lo; c-- {
		if n.kids[c].n == 0 {
			n.remove(c, c+1)
			hi--
			continue
		}
		n.vers[c] = n.kids[c].maxVersion()
		n.syncKey(c)
	}
	for c := lo; c <= hi && c < n.n; c++ {
		before := n.n
		c = t.fix(n, c)
		hi -= before - n.n
	}
}

// size counts the boundaries in n's subtree; it visits inner nodes and leaf headers only.
func size(n *node) int {
	if n.leaf() {
		return n.n
	}
	s := 0
	for _, kid := range n.kids[:n.n] {
		s += size(kid)
	}
	return s
}

// split moves the upper half of n into a new right sibling and returns it.
func (t *tree) split(n *node) *node {
	var r *node
	if n.leaf() {
		r = newLeaf()
	} else {
		r = newInner()
	}
	h := n.n / 2
	r.copyFrom(0, n, h, n.n)
	n.remove(h, n.n)
	n.keysChanged(0, n.n) // the lower half may share a longer prefix
	return r
}

// fix brings child c of n back to at least minEntries entries by merging it into a
// neighbour or moving entries from one. It returns the index that now holds child c's
// entries (c, or c-1 after a merge to the left).
//
// Range deletions can leave an inner node with a single child, which could not be repaired
// inside that node; such a lone child is repaired here, once it has neighbours again.
func (t *tree) fix(n *node, c int) int {
	for n.n > 1 && n.kids[c].n < t.minEntries {
		l := c
		if c == n.n-1 {
			l = c - 1
		}
		L, R := n.kids[l], n.kids[l+1]
		var lone [2]*node
		if !L.leaf() {
			if L.n == 1 {
				lone[0] = L.kids[0]
			}
			if R.n == 1 {
				lone[1] = R.kids[0]
			}
		}
		merged := L.n+R.n <= t.maxEntries
		if merged {
			L.copyFrom(L.n, R, 0, R.n)
			n.remove(l+1, l+2)
			n.vers[l] = L.maxVersion()
			c = l
		} else {
			half := (L.n + R.n) / 2
			if k := half - L.n; k > 0 {
				L.copyFrom(L.n, R, 0, k)
				R.remove(0, k)
			} else {
				R.copyFrom(0, L, half, L.n)
				L.remove(half, L.n)
			}
			n.vers[l], n.vers[l+1] = L.maxVersion(), R.maxVersion()
			n.syncKey(l + 1)
		}
		// Repairing a lone child only moves entries among L's (or R's) children, so the
		// minimum and maximum of L and R, and with them n's entries, stay as they are.
		for _, x := range lone {
			if x == nil {
				continue
			}
			if i := indexOf(L, x); i >= 0 {
				t.fix(L, i)
			} else if !merged {
				if i := indexOf(R, x); i >= 0 {
					t.fix(R, i)
				}
			}
		}
	}
	return c
}

func indexOf(p *node, x *node) int {
	if p.leaf() || p.n == 0 {
		return -1
	}
	for i, k := range p.kids[:p.n] {
		if k == x {
			return i
		}
	}
	return -1
}

// grow adds a level when the root split.
func (t *tree) grow(split *node) {
	r := newInner()
	r.insertChild(0, t.root)
	r.insertChild(1, split)
	t.root = r
}

// shrink removes levels whose root has a single child, and replaces an emptied inner root
// by an empty leaf.
func (t *tree) shrink() {
	for !t.root.leaf() {
		switch t.root.n {
		case 0:
			t.root = newLeaf()
		case 1:
			t.root = t.root.kids[0]
		default:
			return
		}
	}
}
