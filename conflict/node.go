package conflict

import (
	"bytes"
	"encoding/binary"
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
//
// With the default fan-out the struct takes 1392 bytes, within the 1408-byte malloc size
// class; mind that when adding fields.
type node struct {
	// The first five fields fill the node's first cache line, which every visit reads.
	n    int
	skip int                // every key of the node starts with buf[:skip]; 0 when the node is empty
	buf  []byte             // the keys, back to back
	kids *[capEntries]*node // nil for a leaf; children [0,n) of an inner node
	head [16]byte           // head[:skip] == buf[:skip] when skip <= 16
	off  [capEntries + 1]uint32
	pfx  [capEntries]uint64 // pfx[i] == word(key(i), skip)
	vers [capEntries]int64
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
		// When both ends are new (a single-entry node, a refilled node) the shared prefix
		// may have new bytes at the same length, so head is refreshed whatever s is.
		if s := commonPrefix(n.key(0), n.key(n.n-1)); s != n.skip || i == 0 && j == n.n {
			n.skip = s
			copy(n.head[:], n.buf[:s])
			i, j = 0, n.n
		}
	}
	for t := i; t < j; t++ {
		n.pfx[t] = word(n.key(t), n.skip)
	}
}

func newLeaf() *node { return &node{} }

func newInner() *node { return &node{kids: new([capEntries]*node)} }

func (n *node) leaf() bool { return n.kids == nil }

// key returns entry i's key. The slice aliases the node's buffer: it is valid only until the
// node is next modified.
func (n *node) key(i int) []byte { return n.buf[n.off[i]:n.off[i+1]] }

// upper returns the first index in [lo, n) whose key is > k, or n.
func (n *node) upper(k []byte, lo int) int { return n.search(k, lo, true) }

// lower returns the first index in [lo, n) whose key is >= k, or n.
func (n *node) lower(k []byte, lo int) int { return n.search(k, lo, false) }

// lowerNear is lower for a k expected at lo: a read range usually ends in the same child,
// or right after the boundary where it begins, so one word comparison settles most calls.
func (n *node) lowerNear(k []byte, lo int) int {
	if lo >= n.n {
		return lo
	}
	if o := n.prefixOrder(k); o != 0 {
		if o > 0 {
			return n.n
		}
		return lo
	}
	s := n.skip
	w, rest := word(k, s), k[s:]
	if p := n.pfx[lo]; p > w || p == w && bytes.Compare(n.buf[int(n.off[lo])+s:n.off[lo+1]], rest) >= 0 {
		return lo
	}
	return n.searchWords(w, rest, lo+1, false)
}

// search is upper (orEqual) or lower.
func (n *node) search(k []byte, lo int, orEqual bool) int {
	if o := n.prefixOrder(k); o != 0 {
		if o > 0 {
			return n.n
		}
		return lo
	}
	return n.searchWords(word(k, n.skip), k[n.skip:], lo, orEqual)
}

// prefixOrder compares k with the prefix shared by the node's keys: -1 when k sorts before
// every key (it may be a proper prefix of them), +1 when after every key, 0 when k starts
// with the shared prefix and the words decide.
func (n *node) prefixOrder(k []byte) int {
	s := n.skip
	if s == 0 {
		return 0
	}
	p := n.buf[:s]
	if s <= len(n.head) {
		p = n.head[:s] // in the node's first cache line: no visit to buf
	}
	if len(k) < s {
		if bytes.Compare(k, p[:len(k)]) > 0 {
			return 1
		}
		return -1
	}
	return bytes.Compare(k[:s], p)
}

// searchWords binary searches [lo, n) for the first key above (orEqual) or at least the
// key whose word is w and whose bytes after the shared prefix are rest.
func (n *node) searchWords(w uint64, rest []byte, lo int, orEqual bool) int {
	s := n.skip
	hi := n.n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		p := n.pfx[m]
		below := p < w
		if p == w {
			c := bytes.Compare(n.buf[int(n.off[m])+s:n.off[m+1]], rest)
			below = c < 0 || c == 0 && orEqual
		}
		if below {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
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
