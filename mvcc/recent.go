package mvcc

import "bytes"

// recentSlots is the size of the store's cache of recently written items.
const recentSlots = 64

// recent caches copies of the items of recently written keys, one per slot,
// so that a key read and written over and over (a counter, a queue's head)
// costs no tree descent to read and one, not two, to overwrite. Only writers
// fill it, under the write lock, and every change to an item in the tree
// goes through replace or remove, which keep its slot equal to the tree's
// item; so a slot holding a key is always that key's current item, and
// readers, under the read lock, may use it instead of searching.
type recent struct {
	items [recentSlots]item
	full  [recentSlots]bool
}

// slotOf picks a key's slot from its inline words, which pivot has already
// computed: the multiply spreads keys that differ in a few bytes anywhere
// in the first 16.
func slotOf(it *item) int {
	return int(((it.p0 ^ it.p1) * 0x9e3779b97f4a7c15) >> (64 - 6))
}

// find returns the slot holding the key of q, or -1.
func (r *recent) find(q *item) int {
	i := slotOf(q)
	c := &r.items[i]
	if !r.full[i] || c.p0 != q.p0 || c.p1 != q.p1 || len(c.key) != len(q.key) {
		return -1
	}
	if len(q.key) > 16 && !bytes.Equal(c.key, q.key) {
		return -1
	}
	return i
}

// get returns the cached item of the key of q, if a slot holds it.
func (r *recent) get(q *item) (*item, bool) {
	if i := r.find(q); i >= 0 {
		return &r.items[i], true
	}
	return nil, false
}

// lookup returns the tree's item for the key of q.
func (s *Store) lookup(q item) (item, bool) {
	if c, ok := s.recent.get(&q); ok {
		return *c, true
	}
	return s.tree.Get(q)
}

// replace puts it in the tree, replacing the item of its key if any, and
// in the key's slot.
func (s *Store) replace(it item) (old item, found bool) {
	old, found = s.tree.ReplaceOrInsert(it)
	i := slotOf(&it)
	s.recent.items[i], s.recent.full[i] = it, true
	return old, found
}

// remove deletes it from the tree, and from its slot.
func (s *Store) remove(it item) {
	s.tree.Delete(it)
	if i := s.recent.find(&it); i >= 0 {
		s.recent.items[i], s.recent.full[i] = item{}, false
	}
}
