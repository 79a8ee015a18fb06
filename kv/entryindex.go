package kv

import (
	"bytes"

	"github.com/google/btree"
)

// entryIndex is the write buffer's index of its point writes by key. It is
// the one place that knows the index has two forms: a sorted slice while
// there are few entries (most transactions write a handful of keys, and a
// slice of pointers is searched faster than any tree), and a B-tree beyond
// smallMax, whose insertions stay logarithmic. Every method picks the form
// once; the write buffer above it never sees which.
type entryIndex struct {
	small []*wentry
	tree  *btree.BTreeG[*wentry]
	buf   [4]*wentry // small's first backing array

	// find is get's search key in the tree form: a key built per lookup
	// would escape to the heap, an allocation for every write of a large
	// transaction. Only get uses it, so a lookup made while a range is
	// walked does not move that walk's bounds.
	find wentry
}

// smallMax is how many point writes the sorted slice holds before the
// index moves them to a B-tree. Tests lower it to run the B-tree form.
var smallMax = 32

func wentryLess(a, b *wentry) bool { return bytes.Compare(a.key, b.key) < 0 }

func (x *entryIndex) len() int {
	if x.tree != nil {
		return x.tree.Len()
	}
	return len(x.small)
}

// search returns the index of the first small entry with key >= key.
func (x *entryIndex) search(key []byte) int {
	lo, hi := 0, len(x.small)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if bytes.Compare(x.small[m].key, key) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// get returns key's entry, or nil.
func (x *entryIndex) get(key []byte) *wentry {
	if x.tree != nil {
		x.find.key = key
		e, _ := x.tree.Get(&x.find)
		x.find.key = nil
		return e
	}
	if i := x.search(key); i < len(x.small) && bytes.Equal(x.small[i].key, key) {
		return x.small[i]
	}
	return nil
}

// insert adds e, whose key has no entry.
func (x *entryIndex) insert(e *wentry) {
	if x.tree == nil && len(x.small) < smallMax {
		if x.small == nil {
			x.small = x.buf[:0]
		}
		i := x.search(e.key)
		x.small = append(x.small, nil)
		copy(x.small[i+1:], x.small[i:])
		x.small[i] = e
		return
	}
	if x.tree == nil {
		x.tree = btree.NewG(16, wentryLess)
		for _, s := range x.small {
			x.tree.ReplaceOrInsert(s)
		}
		clear(x.small)
		x.small = x.small[:0]
	}
	x.tree.ReplaceOrInsert(e)
}

// remove takes e out, if it is the entry of its key.
func (x *entryIndex) remove(e *wentry) {
	if x.tree != nil {
		if got, _ := x.tree.Get(e); got == e {
			x.tree.Delete(e)
		}
		return
	}
	if i := x.search(e.key); i < len(x.small) && x.small[i] == e {
		copy(x.small[i:], x.small[i+1:])
		x.small[len(x.small)-1] = nil
		x.small = x.small[:len(x.small)-1]
	}
}

// removeRange takes out the entries with b <= key < e and returns them in
// key order.
func (x *entryIndex) removeRange(b, e []byte) []*wentry {
	if x.tree != nil {
		var doomed []*wentry
		x.tree.AscendRange(&wentry{key: b}, &wentry{key: e}, func(w *wentry) bool {
			doomed = append(doomed, w)
			return true
		})
		for _, w := range doomed {
			x.tree.Delete(w)
		}
		return doomed
	}
	i, j := x.search(b), x.search(e)
	if i == j {
		return nil
	}
	doomed := append([]*wentry(nil), x.small[i:j]...)
	n := copy(x.small[i:], x.small[j:])
	clear(x.small[i+n:])
	x.small = x.small[:i+n]
	return doomed
}

// ascend calls fn for the entries with lo <= key < hi (hi nil: no bound),
// in key order, until fn returns false. fn must not modify the index.
func (x *entryIndex) ascend(lo, hi []byte, fn func(e *wentry) bool) {
	if x.tree != nil {
		if hi == nil {
			x.tree.AscendGreaterOrEqual(&wentry{key: lo}, fn)
		} else {
			x.tree.AscendRange(&wentry{key: lo}, &wentry{key: hi}, fn)
		}
		return
	}
	for _, e := range x.small[x.search(lo):] {
		if hi != nil && bytes.Compare(e.key, hi) >= 0 || !fn(e) {
			return
		}
	}
}

// descend calls fn for the entries with key <= hi, in descending order,
// until fn returns false.
func (x *entryIndex) descend(hi []byte, fn func(e *wentry) bool) {
	if x.tree != nil {
		x.tree.DescendLessOrEqual(&wentry{key: hi}, fn)
		return
	}
	i := x.search(hi)
	if i < len(x.small) && bytes.Equal(x.small[i].key, hi) {
		i++
	}
	for j := i - 1; j >= 0; j-- {
		if !fn(x.small[j]) {
			return
		}
	}
}

// reset empties the index, keeping its memory for the next attempt.
func (x *entryIndex) reset() {
	if x.tree != nil {
		x.tree.Clear(true)
	}
	clear(x.small)
	x.small = x.small[:0]
}
