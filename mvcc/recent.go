package mvcc

// recentSlots is the size of the store's cache of recently written items.
const recentSlots = 64

// recent caches pointers to the items of recently written keys, one per
// slot, so that a key read and written over and over (a counter, a queue's
// head) costs no tree descent. Only writers fill it, under the write lock.
// A slot is good while the tree keeps the shape it had when the slot was
// filled: items move only when the tree changes shape, so the pointer is
// then still the key's item, and readers, under the read lock, may use it
// instead of searching. A stale slot keeps the leaf it points into alive
// until the slot is refilled: at most recentSlots leaves, 340 KB.
type recent struct {
	items [recentSlots]*item
	words [recentSlots]words // of the items' keys
	shape [recentSlots]uint64
}

// slotOf picks a key's slot from its inline words, which pivot has already
// computed: the multiply spreads keys that differ in a few bytes anywhere
// in the first 16.
func slotOf(k *ikey) int {
	return int(((k.p0 ^ k.p1) * 0x9e3779b97f4a7c15) >> (64 - 6))
}

// get returns the cached item of q's key, or nil.
func (r *recent) get(q *ikey, shape uint64) *item {
	i := slotOf(q)
	if it := r.items[i]; it != nil && r.shape[i] == shape && cmpKey(&r.words[i], &it.key, q) == 0 {
		return it
	}
	return nil
}

// put caches it, the item of q's key in a tree of the given shape.
func (r *recent) put(q *ikey, it *item, shape uint64) {
	i := slotOf(q)
	r.items[i], r.words[i], r.shape[i] = it, words{q.p0, q.p1}, shape
}

// lookup returns the tree's item for q's key, or nil.
func (s *Store) lookup(q *ikey) *item {
	if it := s.recent.get(q, s.tree.shape); it != nil {
		return it
	}
	return s.tree.find(q)
}

// upsert returns the tree's item for q's key, inserting one with only the
// key if there is none, and caches it.
func (s *Store) upsert(q *ikey) (_ *item, found bool) {
	it := s.recent.get(q, s.tree.shape)
	if found = it != nil; !found {
		it, found = s.tree.upsert(q)
	}
	s.recent.put(q, it, s.tree.shape)
	return it, found
}
