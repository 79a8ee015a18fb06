package conflict

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
)

// Fan-out of the tree. Wide nodes keep the tree shallow (four levels for a million
// boundaries) and let a binary search inside one node stay within a few cache lines.
const (
	// defaultMaxEntries is the most entries a node holds between operations.
	defaultMaxEntries = 64
	// capEntries leaves room for two entries over the maximum: a leaf splice that replaces
	// nothing with [begin, end) adds two boundaries before the node is split.
	capEntries = defaultMaxEntries + 2
)

// node is a B+tree node. Entry i of a leaf is a boundary: key(i) and the version in force
// from key(i) up to the next boundary. Entry i of an inner node is a child: key(i) is the
// smallest boundary in kids[i] and vers[i] the largest version in kids[i]. Keeping key(0)
// equal to the subtree minimum (rather than a free separator) means the child that holds
// floor(k) is always the child whose key range contains k, so a query never has to step
// back into a left sibling.
//
// All keys of a node live back to back in buf, key(i) = buf[off[i]:off[i+1]]: one
// allocation per node instead of one per key, so a search touches one contiguous block and
// the garbage collector sees one pointer per node.
//
// Searches mostly compare integers rather than bytes: every key of the node starts with the
// same skip bytes (keys sharing a table or index prefix is the norm), and pfx[i] holds the
// eight bytes of key(i) after them. A search checks the shared prefix once, then binary
// searches pfx, reading key bytes only when two words tie.
type node struct {
	n    int
	skip int // every key of the node starts with buf[:skip]; 0 when the node is empty
	buf  []byte
	off  [capEntries + 1]uint32
	pfx  [capEntries]uint64 // pfx[i] == word(key(i), skip)
	vers [capEntries]int64
	kids []*node // nil for a leaf; len capEntries for an inner node, entries [0,n) in use
}

// word returns the eight bytes of k from index s on, big-endian and zero-padded, so that
// word order agrees with key order wherever two words differ.
func word(k []byte, s int) uint64 {
	if len(k) >= s+8 {
		return binary.BigEndian.Uint64(k[s:])
	}
	var w uint64
	for i := s; i < len(k); i++ {
		w |= uint64(k[i]) << (56 - 8*(i-s))
	}
	return w
}

// commonPrefix returns the length of the longest common prefix of a and b.
func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i+8 <= n && binary.LittleEndian.Uint64(a[i:]) == binary.LittleEndian.Uint64(b[i:]) {
		i += 8
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// keysChanged refreshes the search words after keys were written into slots [i, j). Keys
// are sorted, so the prefix shared by all of them is the one shared by the first and the
// last: only a change at either end can change skip, and then every word is recomputed.
func (n *node) keysChanged(i, j int) {
	if n.n == 0 {
		n.skip = 0
		return
	}
	if i == 0 || j == n.n {
		if s := commonPrefix(n.key(0), n.key(n.n-1)); s != n.skip {
			n.skip = s
			i, j = 0, n.n
		}
	}
	for t := i; t < j; t++ {
		n.pfx[t] = word(n.key(t), n.skip)
	}
}

func newLeaf() *node { return &node{} }

func newInner() *node { return &node{kids: make([]*node, capEntries)} }

func (n *node) leaf() bool { return n.kids == nil }

// key returns entry i's key. The slice aliases the node's buffer: it is valid only until the
// node is next modified.
func (n *node) key(i int) []byte { return n.buf[n.off[i]:n.off[i+1]] }

// upper returns the first index in [lo, n) whose key is > k, or n.
func (n *node) upper(k []byte, lo int) int { return n.search(k, lo, true) }

// lower returns the first index in [lo, n) whose key is >= k, or n.
func (n *node) lower(k []byte, lo int) int { return n.search(k, lo, false) }

// search is upper (orEqual) or lower. It counts the words below and at most k's word in
// one branch-free pass instead of binary searching: the loads are independent, so the few
// cache lines of pfx arrive together rather than one dependent miss per probe, which is
// what a check of a cold leaf costs. Keys whose word ties with k's are ordered by their
// remaining bytes.
func (n *node) search(k []byte, lo int, orEqual bool) int {
	s := n.skip
	if s > 0 {
		if c := bytes.Compare(k[:min(len(k), s)], n.buf[:s]); c != 0 || len(k) < s {
			if c > 0 {
				return n.n // k sorts after every key of the node
			}
			return lo // k sorts before every key (it may be a proper prefix of them)
		}
	}
	w := word(k, s)
	lt, le := lo, lo
	for _, p := range n.pfx[lo:n.n] {
		_, below := bits.Sub64(p, w, 0)
		_, above := bits.Sub64(w, p, 0)
		lt += int(below)
		le += 1 - int(above)
	}
	if lt == le {
		return lt
	}
	rest, hi := k[s:], le
	lo = lt
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		c := bytes.Compare(n.buf[int(n.off[m])+s:n.off[m+1]], rest)
		if c < 0 || c == 0 && orEqual {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// lowerNear is lower for a k expected at lo: a read range usually ends in the same child,
// or right after the boundary where it begins, so one comparison settles most calls.
func (n *node) lowerNear(k []byte, lo int) int {
	if lo >= n.n || bytes.Compare(n.key(lo), k) >= 0 {
		return lo
	}
	return n.lower(k, lo+1)
}

// maxVersion is the largest version in the node: for a leaf the largest boundary version,
// for an inner node the largest version in its whole subtree.
func (n *node) maxVersion() int64 {
	var m int64
	for _, v := range n.vers[:n.n] {
		m = max(m, v)
	}
	return m
}

// resize turns entry slots [i, j) into cnt slots whose keys take size bytes in total, moving
// the entries after j (keys, words, versions and children). The caller fills the new slots:
// their key bytes start at off[i], it must set off[i+1] … off[i+cnt-1] (off[i+cnt] is set
// here), then call keysChanged(i, i+cnt).
func (n *node) resize(i, j, cnt, size int) {
	start, end, total := int(n.off[i]), int(n.off[j]), int(n.off[n.n])
	delta := size - (end - start)
	if delta > 0 {
		n.buf = slices.Grow(n.buf[:total], delta)[:total+delta]
	}
	copy(n.buf[start+size:], n.buf[end:total])
	n.buf = n.buf[:total+delta]

	shift := cnt - (j - i)
	oldN := n.n
	if shift != 0 {
		copy(n.off[j+1+shift:oldN+1+shift], n.off[j+1:oldN+1])
		copy(n.vers[j+shift:oldN+shift], n.vers[j:oldN])
		copy(n.pfx[j+shift:oldN+shift], n.pfx[j:oldN])
		if n.kids != nil {
			copy(n.kids[j+shift:oldN+shift], n.kids[j:oldN])
			if shift < 0 {
				clear(n.kids[oldN+shift : oldN]) // let dropped subtrees be collected
			}
		}
	}
	n.n = oldN + shift
	if delta != 0 {
		for t := j + 1 + shift; t <= n.n; t++ {
			n.off[t] = uint32(int(n.off[t]) + delta)
		}
	}
	n.off[i+cnt] = uint32(start + size)
	if n.n == 0 {
		n.skip = 0
	}
}

// remove deletes entries [i, j).
func (n *node) remove(i, j int) {
	if i < j {
		n.resize(i, j, 0, 0)
	}
}

// setKey replaces entry i's key, keeping its version and child.
func (n *node) setKey(i int, k []byte) {
	n.resize(i, i+1, 1, len(k))
	copy(n.buf[n.off[i]:], k)
	n.keysChanged(i, i+1)
}

// syncKey makes entry i's key equal to the minimum of child i after the child changed.
func (n *node) syncKey(i int) {
	if m := n.kids[i].key(0); !bytes.Equal(n.key(i), m) {
		n.setKey(i, m)
	}
}

// copyFrom inserts entries [si, sj) of src at index at (src != n).
func (n *node) copyFrom(at int, src *node, si, sj int) {
	if si >= sj {
		return
	}
	base := src.off[si]
	n.resize(at, at, sj-si, int(src.off[sj]-base))
	start := n.off[at]
	copy(n.buf[start:], src.buf[base:src.off[sj]])
	for t := 1; t < sj-si; t++ {
		n.off[at+t] = start + src.off[si+t] - base
	}
	copy(n.vers[at:], src.vers[si:sj])
	if n.kids != nil {
		copy(n.kids[at:], src.kids[si:sj])
	}
	n.keysChanged(at, at+sj-si)
}

// insertChild inserts kid as entry at of the inner node n.
func (n *node) insertChild(at int, kid *node) {
	k := kid.key(0)
	n.resize(at, at, 1, len(k))
	copy(n.buf[n.off[at]:], k)
	n.vers[at] = kid.maxVersion()
	n.kids[at] = kid
	n.keysChanged(at, at+1)
}
