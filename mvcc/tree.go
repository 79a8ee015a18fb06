package mvcc

import "bytes"

// The store's index is a B+ tree of its own rather than google/btree, for
// three things the general tree cannot give (measured on a million 16-byte
// keys, see BenchmarkStore and the bench package):
//
//   - An item stays where it is: lookups return a pointer into its leaf, so
//     an overwrite finds its key once and changes the item in place, where
//     google/btree needs a search and a ReplaceOrInsert (two descents).
//   - A scan walks a cursor along linked leaves, reading items where they
//     lie, with no callback per item and no copy of each 80-byte item
//     through two closures.
//   - Comparisons are inlined, not calls through a function value, and a
//     node keeps its keys' words (see ikey) in an array of their own, 16
//     bytes a key, so that a binary search in a node touches four cache
//     lines rather than six, and the item, or the key's bytes, only once
//     it has found the key (or the words tie). A leaf, rarely in the cache
//     on a large tree, is searched by sampling one key per line of words
//     first, so that its cache misses come at once, not one per probe
//     (see leaf.search); an inner node, mostly cached, by plain binary
//     search, which measured faster there.
//
// Pointers to items are valid until the tree next changes shape, that is
// until an insert of a new key or a deletion; changing an item through its
// pointer is not a change of shape. All of it is guarded by the store's
// lock: read under the read lock, changed under the write lock.

const (
	leafCap  = 64           // items a leaf holds: 5 KB with their words
	innerCap = 64           // children an inner node holds
	minLeaf  = leafCap / 2  // below this a leaf borrows from or merges with a sibling
	minInner = innerCap / 2 // likewise for inner nodes
)

// ikey is a key with its first 16 bytes inline as two big-endian words, so
// that most comparisons never dereference the key slice: for 16-byte keys
// that saves a cache miss per comparison on a large tree.
type ikey struct {
	p0, p1 uint64
	key    []byte
}

// words is a key's first 16 bytes, as ikey holds them.
type words [2]uint64

// cmpKey compares the key with words w and bytes *k with q's key, as
// bytes.Compare would their bytes. Zero padding keeps the word order equal
// to the key order whenever the padded words differ (a shorter key is then
// a proper prefix of the longer one). It reads *k only when the words tie:
// k points into a node or an item, whose cache line a search should not
// touch until then; and when both keys fit in the words, a tie leaves them
// differing only in trailing zero bytes, so the lengths decide.
func cmpKey(w *words, k *[]byte, q *ikey) int {
	switch {
	case w[0] != q.p0:
		return cmpWord(w[0], q.p0)
	case w[1] != q.p1:
		return cmpWord(w[1], q.p1)
	}
	if la, lb := len(*k), len(q.key); la <= 16 && lb <= 16 {
		return la - lb
	}
	return bytes.Compare(*k, q.key)
}

func cmpWord(a, b uint64) int {
	if a < b {
		return -1
	}
	return 1
}

// leaf holds items in key order, words[i] the words of items[i].key,
// linked to its neighbours so that cursors move between leaves without
// climbing the tree. No leaf is empty except a root leaf of an empty tree.
// The items come first: a leaf's size class is a multiple of 64 bytes, so
// each 64-byte item fills one cache line.
type leaf struct {
	items      [leafCap]item
	words      [leafCap]words
	n          int
	prev, next *leaf
}

// inner is a node above leaves or other inner nodes. Every key under
// kids[i] is at least seps[i] and below seps[i+1]; seps[0] is unused. Every
// inner node but the root has at least minInner children, the root at
// least two, so every child has a sibling. A
// separator is a copy of a key, never the key of an item, so that an item
// leaving the tree takes its memory with it.
type inner struct {
	words [innerCap]words // of seps
	seps  [innerCap][]byte
	kids  [innerCap]any // *leaf or *inner, the same for every child
	n     int
}

// tree is the store's B+ tree. The zero value is not ready; see newTree.
type tree struct {
	root any // *leaf or *inner
	n    int // items

	// shape counts changes of shape, so that a cache of item pointers
	// (recent) can tell whether they are still good.
	shape uint64
}

func newTree() tree { return tree{root: &leaf{}} }

// search returns the position of the first item of l not below q, and
// whether it is q's key.
//
// A binary search of a leaf not in the cache waits for one cache miss per
// probe, each probe's line known only once the previous one has arrived:
// five or six misses in a row on a large tree, where a read spent most of
// its time. So search first reads the words of every sampleGap-th key (one
// per cache line of words), with addresses that do not depend on each
// other or on l.n, so that the processor fetches all the lines at once,
// and counts the samples below q; the binary search that follows runs
// within one line of words, already fetched.
func (l *leaf) search(q *ikey) (int, bool) {
	below := 0 // samples whose words are below q's: those keys are below q
	for k := 0; k < leafCap; k += sampleGap {
		w := &l.words[k]
		if k < l.n && (w[0] < q.p0 || w[0] == q.p0 && w[1] < q.p1) {
			below++
		}
	}
	// Every key up to the last sample below q is below q, and the first
	// sample not below, at hi, is not below q unless it ties with q's words
	// and its bytes past them are lower (keys longer than the words).
	lo, hi := max(sampleGap*(below-1)+1, 0), sampleGap*below
	if hi >= l.n {
		hi = l.n
	} else if cmpKey(&l.words[hi], &l.items[hi].key, q) < 0 {
		lo, hi = hi+1, l.n
	}
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if cmpKey(&l.words[m], &l.items[m].key, q) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < l.n && cmpKey(&l.words[lo], &l.items[lo].key, q) == 0
}

// sampleGap is the stride of search's samples: the words of four keys fill
// a 64-byte cache line.
const sampleGap = 4

// key returns the key of item i.
func (l *leaf) key(i int) ikey {
	return ikey{p0: l.words[i][0], p1: l.words[i][1], key: l.items[i].key}
}

// move copies n items, and their words, from src at j to dst at i.
func move(dst *leaf, i int, src *leaf, j, n int) {
	copy(dst.items[i:i+n], src.items[j:j+n])
	copy(dst.words[i:i+n], src.words[j:j+n])
}

// drop clears items [i, j) of l, so that it holds no memory of theirs.
func (l *leaf) drop(i, j int) {
	clear(l.items[i:j])
	clear(l.words[i:j])
}

// child returns the index of the child of x whose keys may include q.
func (x *inner) child(q *ikey) int {
	lo, hi := 1, x.n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if cmpKey(&x.words[m], &x.seps[m], q) > 0 {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo - 1
}

// sep returns separator j.
func (x *inner) sep(j int) ikey {
	return ikey{p0: x.words[j][0], p1: x.words[j][1], key: x.seps[j]}
}

// setSep makes a copy of k separator j.
func (x *inner) setSep(j int, k ikey) {
	x.words[j], x.seps[j] = words{k.p0, k.p1}, bytes.Clone(k.key)
}

// moveSeps copies n children, and their separators, from src at j to dst
// at i.
func moveSeps(dst *inner, i int, src *inner, j, n int) {
	copy(dst.kids[i:i+n], src.kids[j:j+n])
	copy(dst.words[i:i+n], src.words[j:j+n])
	copy(dst.seps[i:i+n], src.seps[j:j+n])
}

// drop clears children [i, j) of x and their separators.
func (x *inner) drop(i, j int) {
	clear(x.kids[i:j])
	clear(x.words[i:j])
	clear(x.seps[i:j])
}

// leafFor returns the leaf where q's key is or would be.
func (t *tree) leafFor(q *ikey) *leaf {
	n := t.root
	for {
		x, ok := n.(*inner)
		if !ok {
			return n.(*leaf)
		}
		n = x.kids[x.child(q)]
	}
}

// find returns the item of q's key, or nil.
func (t *tree) find(q *ikey) *item {
	l := t.leafFor(q)
	if i, ok := l.search(q); ok {
		return &l.items[i]
	}
	return nil
}

// step is one inner node on a path from the root, and the child taken.
type step struct {
	x *inner
	i int
}

// descend returns the leaf for q and the path to it, appended to path.
func (t *tree) descend(q *ikey, path []step) (*leaf, []step) {
	n := t.root
	for {
		x, ok := n.(*inner)
		if !ok {
			return n.(*leaf), path
		}
		i := x.child(q)
		path = append(path, step{x, i})
		n = x.kids[i]
	}
}

// upsert returns the item of q's key, and whether it was there already. If
// not, it inserts an item with q's key and nothing else, for the caller to
// fill in.
func (t *tree) upsert(q *ikey) (_ *item, found bool) {
	var buf [12]step
	l, path := t.descend(q, buf[:0])
	i, found := l.search(q)
	if found {
		return &l.items[i], true
	}
	t.n++
	t.shape++
	if l.n < leafCap {
		l.insert(i, q)
		return &l.items[i], false
	}
	it, right := l.split(i, q)
	sep := right.key(0)
	var kid any = right
	for d := len(path) - 1; d >= 0; d-- {
		x, j := path[d].x, path[d].i+1
		if x.n < innerCap {
			x.insert(j, sep, kid)
			return it, false
		}
		sep, kid = x.split(j, sep, kid)
	}
	root := &inner{n: 2}
	root.kids[0], root.kids[1] = t.root, kid
	root.setSep(1, sep)
	t.root = root
	return it, false
}

// insert puts an item with q's key at position i of l, which has room.
func (l *leaf) insert(i int, q *ikey) {
	move(l, i+1, l, i, l.n-i)
	l.items[i] = item{key: q.key}
	l.words[i] = words{q.p0, q.p1}
	l.n++
}

// split moves part of the full leaf l to a new leaf linked after it,
// inserts q's key where it belongs, and returns its item and the new leaf.
// A leaf at either end of the tree that grows at that end gives the new
// leaf only the new key (or keeps only it), so that keys written in
// ascending or descending order leave full leaves behind, not half-full
// ones.
func (l *leaf) split(i int, q *ikey) (*item, *leaf) {
	mid := l.n / 2
	switch {
	case i == l.n && l.next == nil:
		mid = l.n
	case i == 0 && l.prev == nil:
		mid = 0
	}
	r := &leaf{prev: l, next: l.next}
	if l.next != nil {
		l.next.prev = r
	}
	l.next = r
	r.n = l.n - mid
	move(r, 0, l, mid, r.n)
	l.drop(mid, l.n)
	l.n = mid
	if i < mid || mid == 0 {
		l.insert(i, q)
		return &l.items[i], r
	}
	r.insert(i-mid, q)
	return &r.items[i-mid], r
}

// insert puts kid at position j >= 1 of x, which has room, with a copy of
// sep its separator.
func (x *inner) insert(j int, sep ikey, kid any) {
	moveSeps(x, j+1, x, j, x.n-j)
	x.kids[j] = kid
	x.setSep(j, sep)
	x.n++
}

// split moves half of the full node x to a new node, inserts kid with its
// separator sep at position j, and returns the new node, which goes after x
// in x's parent, with its separator. Inner nodes always split evenly, unlike
// leaves: a node of the tree's edge left with one child could then have no
// sibling for that child to borrow from or merge with, and half-full inner
// nodes cost little, one for 32 leaves or more.
func (x *inner) split(j int, sep ikey, kid any) (ikey, any) {
	r := &inner{}
	mid := x.n / 2
	up := x.sep(mid)
	r.n = x.n - mid
	moveSeps(r, 0, x, mid, r.n)
	r.words[0], r.seps[0] = words{}, nil
	x.drop(mid, x.n)
	x.n = mid
	if j <= mid {
		x.insert(j, sep, kid)
	} else {
		r.insert(j-mid, sep, kid)
	}
	return up, r
}

// delete removes the item of q's key, if any, and reports whether there
// was one.
func (t *tree) delete(q *ikey) bool {
	var buf [12]step
	l, path := t.descend(q, buf[:0])
	i, found := l.search(q)
	if !found {
		return false
	}
	t.n--
	t.shape++
	move(l, i, l, i+1, l.n-i-1)
	l.n--
	l.drop(l.n, l.n+1)
	if len(path) == 0 || l.n >= minLeaf {
		return true
	}
	d := len(path) - 1
	if !rebalanceLeaf(path[d].x, path[d].i) {
		return true
	}
	for ; d > 0; d-- {
		if path[d].x.n >= minInner || !rebalanceInner(path[d-1].x, path[d-1].i) {
			return true
		}
	}
	for {
		x, ok := t.root.(*inner)
		if !ok || x.n > 1 {
			return true
		}
		t.root = x.kids[0]
	}
}

// rebalanceLeaf restores the leaf kids[i] of x, which has too few items,
// from a sibling: it borrows one if the sibling can spare it, or merges the
// two. It reports whether x lost a child.
func rebalanceLeaf(x *inner, i int) bool {
	l := x.kids[i].(*leaf)
	if i > 0 {
		if s := x.kids[i-1].(*leaf); s.n > minLeaf {
			move(l, 1, l, 0, l.n)
			move(l, 0, s, s.n-1, 1)
			l.n++
			s.n--
			s.drop(s.n, s.n+1)
			x.setSep(i, l.key(0))
			return false
		}
	}
	if i+1 < x.n {
		if s := x.kids[i+1].(*leaf); s.n > minLeaf {
			move(l, l.n, s, 0, 1)
			l.n++
			move(s, 0, s, 1, s.n-1)
			s.n--
			s.drop(s.n, s.n+1)
			x.setSep(i+1, s.key(0))
			return false
		}
	}
	if i == 0 {
		i++ // merge the right sibling into l instead
	}
	dst, src := x.kids[i-1].(*leaf), x.kids[i].(*leaf)
	move(dst, dst.n, src, 0, src.n)
	dst.n += src.n
	dst.next = src.next
	if src.next != nil {
		src.next.prev = dst
	}
	x.remove(i)
	return true
}

// rebalanceInner restores the node kids[i] of x, which has too few
// children, as rebalanceLeaf does a leaf, rotating children through x's
// separators. It reports whether x lost a child.
func rebalanceInner(x *inner, i int) bool {
	c := x.kids[i].(*inner)
	if i > 0 {
		if s := x.kids[i-1].(*inner); s.n > minInner {
			moveSeps(c, 1, c, 0, c.n)
			c.kids[0] = s.kids[s.n-1]
			c.words[1], c.seps[1] = x.words[i], x.seps[i]
			c.words[0], c.seps[0] = words{}, nil
			x.words[i], x.seps[i] = s.words[s.n-1], s.seps[s.n-1]
			s.n--
			s.drop(s.n, s.n+1)
			c.n++
			return false
		}
	}
	if i+1 < x.n {
		if s := x.kids[i+1].(*inner); s.n > minInner {
			c.kids[c.n] = s.kids[0]
			c.words[c.n], c.seps[c.n] = x.words[i+1], x.seps[i+1]
			c.n++
			x.words[i+1], x.seps[i+1] = s.words[1], s.seps[1]
			moveSeps(s, 0, s, 1, s.n-1)
			s.words[0], s.seps[0] = words{}, nil
			s.n--
			s.drop(s.n, s.n+1)
			return false
		}
	}
	if i == 0 {
		i++
	}
	dst, src := x.kids[i-1].(*inner), x.kids[i].(*inner)
	moveSeps(dst, dst.n, src, 0, src.n)
	dst.words[dst.n], dst.seps[dst.n] = x.words[i], x.seps[i]
	dst.n += src.n
	x.remove(i)
	return true
}

// remove drops child j >= 1 of x and its separator.
func (x *inner) remove(j int) {
	moveSeps(x, j, x, j+1, x.n-j-1)
	x.n--
	x.drop(x.n, x.n+1)
}

// cursor is a position in the tree: an item of a leaf, or past either end
// when l is nil. It is good until the tree changes shape.
type cursor struct {
	l *leaf
	i int
}

func (c *cursor) valid() bool { return c.l != nil }
func (c *cursor) item() *item { return &c.l.items[c.i] }

func (c *cursor) next() {
	if c.i++; c.i >= c.l.n {
		c.l, c.i = c.l.next, 0
	}
}

func (c *cursor) prev() {
	if c.i--; c.i < 0 {
		if c.l = c.l.prev; c.l != nil {
			c.i = c.l.n - 1
		}
	}
}

// seekGE returns a cursor at the first item not below q. Every key of the
// leaves after q's leaf is above q, and every key of those before it below.
func (t *tree) seekGE(q *ikey) cursor {
	l := t.leafFor(q)
	i, _ := l.search(q)
	c := cursor{l, i}
	if i == l.n {
		c.l, c.i = l.next, 0
	}
	return c
}

// seekLT returns a cursor at the last item below q.
func (t *tree) seekLT(q *ikey) cursor {
	l := t.leafFor(q)
	i, _ := l.search(q)
	c := cursor{l, i}
	c.prev()
	return c
}

// last returns a cursor at the last item.
func (t *tree) last() cursor {
	n := t.root
	for {
		x, ok := n.(*inner)
		if !ok {
			break
		}
		n = x.kids[x.n-1]
	}
	l := n.(*leaf)
	c := cursor{l, l.n}
	c.prev()
	return c
}
