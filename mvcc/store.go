package mvcc

import (
	"sync"

	"github.com/google/btree"
)

// degree is the B-tree's minimum degree; 32 gives nodes of about 3 KB, which
// measured best for 16-byte keys on a million-key tree.
const degree = 32

// KV is a key and its value at some version. Both slices belong to the store
// and must not be modified.
type KV struct {
	Key, Value []byte
}

// Write is one point mutation of a commit: a new value, or a deletion.
// Apply keeps the slices, so the caller must not modify them afterwards.
type Write struct {
	Key, Value []byte
	Delete     bool
}

// KeyRange is the half-open range [Begin, End). A nil End has no upper bound.
type KeyRange struct {
	Begin, End []byte
}

// Store is a multi-version ordered key-value store. See the package doc for
// what is safe to call concurrently.
type Store struct {
	mu   sync.RWMutex
	tree *btree.BTreeG[item]

	// gc lists, in commit order, keys whose chains hold more than one version
	// or end in a deletion: the only keys Collect has work on.
	gc     []gcEntry
	gcHead int

	versions int // version nodes in all chains, for Stats
}

type gcEntry struct {
	ver int64
	key []byte
}

// New returns an empty store.
func New() *Store {
	return &Store{tree: btree.NewG(degree, less)}
}

// Get returns the value of key visible at version at. ok is false when the
// key is absent (never written, or deleted) at that version. The returned
// slice belongs to the store and must not be modified.
func (s *Store) Get(key []byte, at int64) (value []byte, ok bool) {
	s.mu.RLock()
	it, found := s.tree.Get(pivot(key))
	if found {
		value, ok = it.at(at)
	}
	s.mu.RUnlock()
	return value, ok
}

// Range appends to dst the keys in r visible at version at, with their
// values, ascending (descending when reverse), stopping after limit entries
// when limit > 0. It holds the read lock for the whole call, so callers that
// stream large ranges should call it in bounded batches.
func (s *Store) Range(dst []KV, r KeyRange, at int64, reverse bool, limit int) []KV {
	s.Scan(r, at, reverse, limit, func(key, value []byte) bool {
		dst = append(dst, KV{Key: key, Value: value})
		return true
	})
	return dst
}

// Scan calls fn for the keys in r visible at version at, in order
// (descending when reverse), at most limit times when limit > 0, until fn
// returns false. fn runs under the read lock: it must be quick and must not
// call back into the store. The slices belong to the store.
func (s *Store) Scan(r KeyRange, at int64, reverse bool, limit int, fn func(key, value []byte) bool) {
	if r.End != nil && !less(pivot(r.Begin), pivot(r.End)) {
		return
	}
	n := 0
	visit := func(it item) bool {
		value, ok := it.at(at)
		if !ok {
			return true
		}
		n++
		return fn(it.key, value) && (limit <= 0 || n < limit)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	switch {
	case !reverse && r.End == nil:
		s.tree.AscendGreaterOrEqual(pivot(r.Begin), visit)
	case !reverse:
		s.tree.AscendRange(pivot(r.Begin), pivot(r.End), visit)
	case r.End == nil:
		lo := pivot(r.Begin)
		s.tree.Descend(func(it item) bool {
			return !less(it, lo) && visit(it)
		})
	default:
		lo, hi := pivot(r.Begin), pivot(r.End)
		s.tree.DescendLessOrEqual(hi, func(it item) bool {
			if !less(it, hi) {
				return true // the end key itself is excluded
			}
			return !less(it, lo) && visit(it)
		})
	}
}

// Apply makes one commit visible at version ver: first every key in clears
// gets deleted, then writes are applied in order. ver must be greater than
// every version applied before. Readers see all of the commit or none of it,
// provided they read at versions published only after Apply returns.
func (s *Store) Apply(ver int64, clears []KeyRange, writes []Write) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range clears {
		s.clearRange(ver, r)
	}
	for _, w := range writes {
		s.put(version{ver: ver, value: w.Value, deleted: w.Delete}, w.Key)
	}
}

func (s *Store) put(v version, key []byte) {
	if v.deleted {
		// A deletion must not create an item, so look before writing.
		old, found := s.tree.Get(pivot(key))
		if !found || old.cur.deleted {
			return // nothing visible to delete
		}
		s.push(old, v)
		return
	}
	it := pivot(key)
	it.cur = v
	old, found := s.tree.ReplaceOrInsert(it)
	s.versions++
	if found {
		// An overwrite: link the replaced version behind the new one. The
		// second traversal follows the path the first just cached.
		// The item keeps the new write's key slice: the caller may have
		// allocated key and value together, and holding the old key would
		// hold the old value's memory too.
		prev := old.cur
		it.cur.next = &prev
		it.queued = true
		s.tree.ReplaceOrInsert(it)
		if !old.queued {
			s.gc = append(s.gc, gcEntry{ver: v.ver, key: key})
		}
	}
}

// push makes v the newest version of the existing item it.
func (s *Store) push(it item, v version) {
	prev := it.cur
	v.next = &prev
	it.cur = v
	queued := it.queued
	it.queued = true
	s.tree.ReplaceOrInsert(it)
	s.versions++
	if !queued {
		s.gc = append(s.gc, gcEntry{ver: v.ver, key: it.key})
	}
}

func (s *Store) clearRange(ver int64, r KeyRange) {
	var live []item
	collect := func(it item) bool {
		if !it.cur.deleted {
			live = append(live, it)
		}
		return true
	}
	if r.End == nil {
		s.tree.AscendGreaterOrEqual(pivot(r.Begin), collect)
	} else if less(pivot(r.Begin), pivot(r.End)) {
		s.tree.AscendRange(pivot(r.Begin), pivot(r.End), collect)
	}
	for _, it := range live {
		s.push(it, version{ver: ver, deleted: true})
	}
}

// Collect reclaims versions no reader can see any more, given that no read
// will ask for a version below horizon: each key keeps its newest version <=
// horizon and those after it, and a key whose remaining oldest version is a
// deletion loses it (and leaves the tree if nothing else remains). It does at
// most budget units of work (budget <= 0: no bound) and reports whether
// collectable work remains, so callers can spread the work.
func (s *Store) Collect(horizon int64, budget int) (more bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	done := 0
	for s.gcHead < len(s.gc) && (budget <= 0 || done < budget) {
		e := s.gc[s.gcHead]
		if e.ver > horizon {
			break
		}
		s.gc[s.gcHead] = gcEntry{}
		s.gcHead++
		done++
		s.trim(e.key, horizon)
	}
	// Compact the queue once its consumed head dominates, so its memory
	// returns too.
	if s.gcHead > 1024 && s.gcHead*2 > len(s.gc) {
		n := copy(s.gc, s.gc[s.gcHead:])
		clear(s.gc[n:])
		s.gc = s.gc[:n]
		if cap(s.gc) > 4096 && cap(s.gc) > 4*n {
			s.gc = append([]gcEntry(nil), s.gc...)
		}
		s.gcHead = 0
	}
	return s.gcHead < len(s.gc) && s.gc[s.gcHead].ver <= horizon
}

// trim cuts key's versions below the newest one <= horizon, and drops that
// one too if it is a deletion (nothing older remains for it to hide). A key
// left with older versions is queued again at its newest version: once the
// horizon passes that, one more trim leaves a single version. The walk
// costs the versions inside the window, once per window per key.
func (s *Store) trim(key []byte, horizon int64) {
	it, found := s.tree.Get(pivot(key))
	if !found {
		return
	}
	if it.cur.ver <= horizon {
		for d := it.cur.next; d != nil; d = d.next {
			s.versions--
		}
		if it.cur.deleted {
			s.versions--
			s.tree.Delete(it)
			return
		}
		it.cur.next = nil
		it.queued = false
		s.tree.ReplaceOrInsert(it)
		return
	}
	// The kept versions run from cur through n; older ones go.
	prev, n := (*version)(nil), it.cur.next
	for n != nil && n.ver > horizon {
		prev, n = n, n.next
	}
	if n != nil {
		for d := n.next; d != nil; d = d.next {
			s.versions--
		}
		n.next = nil
		if n.deleted {
			s.versions--
			if prev != nil {
				prev.next = nil
			} else {
				it.cur.next = nil
			}
		}
	}
	if it.cur.next == nil && !it.cur.deleted {
		it.queued = false
	} else {
		s.gc = append(s.gc, gcEntry{ver: it.cur.ver, key: it.key})
	}
	s.tree.ReplaceOrInsert(it)
}

// Stats describes the store's size.
type Stats struct {
	Keys     int // keys in the tree, including those whose newest version is a deletion
	Versions int // version nodes, deletions included
	Pending  int // queued entries that Collect may still trim
}

// Stats returns the store's current size.
func (s *Store) Stats() Stats {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return Stats{Keys: s.tree.Len(), Versions: s.versions, Pending: len(s.gc) - s.gcHead}
}
