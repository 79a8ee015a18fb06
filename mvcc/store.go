package mvcc

import (
	"bytes"
	"runtime"
	"sync"
	"time"
)

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

// The most work done under one hold of the store's lock. Between steps the
// lock is released and retaken, so a reader waits for at most one step of a
// commit or a collection, and a commit for at most one step of a scan. On a
// million-key tree a scan step holds the read lock about 15 µs, a commit
// step the write lock about 100 µs, a collection step about 30 µs (see
// BenchmarkStep). A scan step of 1,024 items held it 60 µs, and a reader
// woken behind a waiting commit waited for that twice.
const (
	scanStep    = 256 // items a scan visits, visible or not
	applyStep   = 64  // keys a commit writes or clears
	collectStep = 32  // keys a collection trims
)

// Store is a multi-version ordered key-value store. See the package doc for
// what is safe to call concurrently.
type Store struct {
	mu     sync.RWMutex
	tree   tree
	recent recent // the items of recently written keys

	// gc lists, in commit order, keys whose chains hold more than one version
	// or end in a deletion: the only keys Collect has work on.
	gc gcQueue

	versions int // versions in all keys, for Stats

	// stepped, when set (by tests), runs between two steps of Apply,
	// Collect or Range, with the lock released.
	stepped func()
}

// New returns an empty store.
func New() *Store {
	return &Store{tree: newTree()}
}

// Get returns the value of key visible at version at. ok is false when the
// key is absent (never written, or deleted) at that version. The returned
// slice belongs to the store and must not be modified.
func (s *Store) Get(key []byte, at int64) (value []byte, ok bool) {
	q := pivot(key)
	s.mu.RLock()
	if it := s.lookup(&q); it != nil {
		value, ok = it.at(at)
	}
	s.mu.RUnlock()
	return value, ok
}

// Range appends to dst the keys in r visible at version at, with their
// values, ascending (descending when reverse), stopping after limit entries
// when limit > 0. Like Scan it works in bounded steps, so a range of any
// size holds the lock only briefly at a time.
func (s *Store) Range(dst []KV, r KeyRange, at int64, reverse bool, limit int) []KV {
	if empty(r) {
		return dst
	}
	n := 0
	var resume []byte
	var p Pacer
	for {
		want := 0
		if limit > 0 {
			want = limit - n
		}
		before := len(dst)
		var last []byte
		var done bool
		dst, last, done = s.step(dst, r, at, reverse, want)
		n += len(dst) - before
		if done || (limit > 0 && n >= limit) {
			return dst
		}
		if s.stepped != nil {
			s.stepped()
		}
		r, resume = past(r, reverse, last, resume)
		p.Pause()
	}
}

// Scan calls fn for the keys in r visible at version at, in order
// (descending when reverse), at most limit times when limit > 0, until fn
// returns false. The slices belong to the store and stay valid.
//
// Scan reads in steps of a bounded number of items under the read lock,
// and calls fn for each step's rows after releasing it, so fn may take its
// time and may call back into the store. The rows are still exactly those
// of version at, as one lock hold would give: a commit only adds versions
// newer than those applied before it, and Collect only drops versions no
// read at or above its horizon can see, so provided the horizon stays <= at
// for the whole scan (package kv ensures it for every transaction inside
// its MVCC window, and fails the others' reads), each step re-seeks past the
// last key it visited into an unchanged view of version at.
func (s *Store) Scan(r KeyRange, at int64, reverse bool, limit int, fn func(key, value []byte) bool) {
	if empty(r) {
		return
	}
	buf := chunks.Get().(*[]KV)
	used := 0
	defer func() {
		clear((*buf)[:used]) // hold no store memory in the pool
		chunks.Put(buf)
	}()
	n := 0
	var resume []byte
	var p Pacer
	for {
		want := 0
		if limit > 0 {
			want = limit - n
		}
		rows, last, done := s.step((*buf)[:0], r, at, reverse, want)
		*buf, used = rows, max(used, len(rows))
		for _, kv := range rows {
			n++
			if !fn(kv.Key, kv.Value) {
				return
			}
		}
		if done || (limit > 0 && n >= limit) {
			return
		}
		r, resume = past(r, reverse, last, resume)
		p.Pause()
	}
}

// ScanBounded is Scan for a read of at most MaxBoundedScan rows (limit in
// 1..MaxBoundedScan): it calls fn under the read lock, which the walk holds
// for one step at most anyway, and so saves Scan's copy of each row through
// a buffer. fn must be quick and must not call into the store. When the
// step ends before limit rows (many of the keys visited are invisible at
// at), the rest of the read goes on as Scan does.
func (s *Store) ScanBounded(r KeyRange, at int64, reverse bool, limit int, fn func(key, value []byte) bool) {
	if limit <= 0 || limit > MaxBoundedScan {
		s.Scan(r, at, reverse, limit, fn)
		return
	}
	if empty(r) {
		return
	}
	visits, n := scanStep, 0
	var last []byte
	s.mu.RLock()
	w := s.iter(r, reverse)
walk:
	for w.more() {
		l, d := w.l, w.d
		i := w.i
		for ; i != w.end; i += d {
			it := &l.items[i]
			if value, ok := it.at(at); ok {
				n++
				if !fn(it.key, value) || n == limit {
					s.mu.RUnlock()
					return
				}
			}
			if visits--; visits == 0 {
				last = it.key
				break walk
			}
		}
		w.i = i
	}
	s.mu.RUnlock()
	if last == nil {
		return
	}
	r, _ = past(r, reverse, last, nil)
	s.Scan(r, at, reverse, limit-n, fn)
}

// MaxBoundedScan is the largest limit ScanBounded serves in one hold of the
// read lock.
const MaxBoundedScan = scanStep

// chunks holds Scan's row buffers, one step each.
var chunks = sync.Pool{New: func() any {
	b := make([]KV, 0, scanStep)
	return &b
}}

func empty(r KeyRange) bool {
	return r.End != nil && bytes.Compare(r.Begin, r.End) >= 0
}

// step visits, under one hold of the read lock, at most scanStep items of
// r in order, appending to dst those visible at at, at most want of them
// when want > 0. It returns the key of the last item visited, and done when
// the walk reached the end of r.
func (s *Store) step(dst []KV, r KeyRange, at int64, reverse bool, want int) (_ []KV, last []byte, done bool) {
	visits, wanted := scanStep, want
	if want <= 0 {
		wanted = -1
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.iter(r, reverse)
	for w.more() {
		l, d := w.l, w.d
		i := w.i
		for ; i != w.end; i += d {
			it := &l.items[i]
			value, ok := it.value, it.value != nil
			if it.top > at {
				value, ok = it.at(at)
			}
			if ok {
				// Into the slot field by field: a KV built whole and
				// copied in costs a zeroing, and under the collector a
				// bulk barrier, per row.
				if n := len(dst); n < cap(dst) {
					dst = dst[:n+1]
				} else {
					dst = append(dst, KV{})
				}
				row := &dst[len(dst)-1]
				row.Key, row.Value = it.key, value
				wanted--
			}
			if visits--; visits == 0 || wanted == 0 {
				return dst, it.key, false
			}
		}
		w.i = i
	}
	return dst, nil, true
}

// past returns what remains of r after the key last, visited by a walk in
// the given direction. resume is a buffer for the new bound.
func past(r KeyRange, reverse bool, last, resume []byte) (KeyRange, []byte) {
	resume = append(resume[:0], last...)
	if reverse {
		r.End = resume // exclusive, and never nil: nil would mean unbounded
	} else {
		resume = append(resume, 0) // the first key after last
		r.Begin = resume
	}
	return r, resume
}

// iter walks the items of a key range in order, or in reverse order,
// under the lock, a run of one leaf's items at a time: where the range
// ends inside a leaf is found once, by a search of that leaf, so that
// next, the call a walk makes per item, is an index step that the compiler
// inlines. Comparing each item with the bound instead cost a call and a
// comparison an item, and touched the cache lines of the words, and the
// bytes of long keys, that a scan never needs.
type iter struct {
	l      *leaf // the current run's leaf; nil once the walk is over
	i, end int   // the run: items i, i+d, ..., up to but not including end
	d      int   // 1 forward, -1 in reverse
	last   bool  // the run ends where the range does

	bound   ikey // the range's end forward, its beginning in reverse
	bounded bool // the range has a bound in the walk's direction
}

// iter returns a walk of the items of r. Called with the lock held, and
// good until the tree changes shape.
func (s *Store) iter(r KeyRange, reverse bool) iter {
	w := iter{d: 1, bounded: r.End != nil}
	var c cursor
	switch {
	case !reverse:
		lo := pivot(r.Begin)
		c = s.tree.seekGE(&lo)
		if r.End != nil {
			w.bound = pivot(r.End)
		}
	case r.End == nil:
		c = s.tree.last()
	default:
		hi := pivot(r.End)
		c = s.tree.seekLT(&hi)
	}
	if reverse {
		w.d, w.bounded, w.bound = -1, true, pivot(r.Begin)
	}
	w.run(c.l, c.i)
	return w
}

// run starts the walk's run in leaf l at item i.
func (w *iter) run(l *leaf, i int) {
	w.l, w.i = l, i
	if l == nil || l.n == 0 {
		w.l, w.end = nil, i
		return
	}
	if w.d > 0 {
		w.end = l.n
		if w.bounded && cmpKey(&l.words[l.n-1], &l.items[l.n-1].key, &w.bound) >= 0 {
			w.end, _ = l.search(&w.bound)
			w.end = max(w.end, i) // the walk may start past the end
			w.last = true
		}
		return
	}
	w.end = -1
	if cmpKey(&l.words[0], &l.items[0].key, &w.bound) < 0 {
		first, _ := l.search(&w.bound)
		w.end = min(first, i+1) - 1
		w.last = true
	}
}

// next returns the walk's next item, or nil once it has left the range.
// The walks that matter for speed (step, ScanBounded) go through the runs
// themselves, with more: next's call per item was a tenth of a short scan.
func (w *iter) next() *item {
	if !w.more() {
		return nil
	}
	i := w.i
	w.i += w.d
	return &w.l.items[i]
}

// more reports whether the walk has items left, moving it to the next
// leaf's run when the current one is done.
func (w *iter) more() bool { return w.i != w.end || w.advance() }

// advance moves the walk to the next leaf's run that has items, and
// reports false when the range has no more.
func (w *iter) advance() bool {
	for w.l != nil && !w.last {
		if w.d > 0 {
			w.run(w.l.next, 0)
		} else if prev := w.l.prev; prev != nil {
			w.run(prev, prev.n-1)
		} else {
			w.l = nil
		}
		if w.l != nil && w.i != w.end {
			return true
		}
	}
	w.l, w.i, w.end = nil, 0, 0
	return false
}

// Apply makes one commit visible at version ver: first every key in clears
// gets deleted, then writes are applied in order (of two writes to one key,
// the later wins). ver must be greater than every version applied before.
//
// Apply works in steps of a bounded number of keys, releasing the write
// lock between them, so readers go on during a large commit. They never see
// part of it: each key's new version is added atomically, under the lock,
// and a read at a version below ver skips versions above its own, so the
// commit is invisible to every read until the caller publishes ver, which it
// must do only after Apply returns.
func (s *Store) Apply(ver int64, clears []KeyRange, writes []Write) {
	s.mu.Lock()
	work := 0
	var p Pacer
	pause := func(n int) {
		if work += n; work >= applyStep {
			s.release(&p)
			work = 0
		}
	}
	for _, r := range clears {
		s.clearRange(ver, r, pause)
	}
	for _, w := range writes {
		s.put(ver, w)
		pause(1)
	}
	s.mu.Unlock()
}

func (s *Store) put(ver int64, w Write) {
	w.Key = exact(w.Key)
	q := pivot(w.Key)
	if w.Delete {
		// A deletion must not create an item, so look before writing.
		if it := s.lookup(&q); it != nil && !it.deleted() {
			s.push(it, version{ver: ver, deleted: true}, it.key)
		}
		return
	}
	v := version{ver: ver, value: exact(w.Value)}
	if v.value == nil {
		v.value = []byte{} // a present value is never nil
	}
	it, found := s.upsert(&q)
	if !found {
		it.setNewest(v)
		s.versions++
		return
	}
	// The item takes the new write's key slice: the caller may have
	// allocated key and value together, and holding the old key would hold
	// the old value's memory too.
	s.push(it, v, w.Key)
}

// exact is b with its capacity cut to its length, so that no append by a
// reader of the store's slices writes into the store's memory.
func exact(b []byte) []byte { return b[:len(b):len(b)] }

// push makes v, with key its key's slice, the newest version of it, and
// keeps its newest version until now behind it.
func (s *Store) push(it *item, v version, key []byte) {
	p := it.old
	if p == nil {
		p = &older{}
		it.old = p
	}
	if p.c == nil {
		p.c = newChain()
	}
	p.c.push(it.newest())
	it.key = key
	it.setNewest(v)
	p.top, p.deleted = it.ver(), it.deleted()
	s.versions++
	if !p.queued {
		p.queued = true
		s.gc.push(gcEntry{ver: it.ver(), key: it.key, p: p})
	}
}

// clearRange deletes the keys of r at ver, in passes of at most applyStep
// keys visited, calling pause with each pass's count. pause may release the
// lock, so each pass re-seeks past the last key visited; only Collect could
// change the tree meanwhile, and the caller never runs it during Apply.
func (s *Store) clearRange(ver int64, r KeyRange, pause func(n int)) {
	if empty(r) {
		return
	}
	var resume []byte
	for {
		// A deletion changes an item, not the tree's shape, so the walk
		// goes on past it.
		var last []byte
		visited := 0
		w := s.iter(r, false)
		for it := w.next(); it != nil; it = w.next() {
			if !it.deleted() {
				s.push(it, version{ver: ver, deleted: true}, it.key)
			}
			if visited++; visited == applyStep {
				last = it.key
				break
			}
		}
		pause(visited)
		if last == nil {
			return
		}
		r, resume = past(r, false, last, resume)
	}
}

// release lets waiting readers in between two steps of a writer, and
// gives up the processor to them too when p (if not nil) says so.
func (s *Store) release(p *Pacer) {
	s.mu.Unlock()
	if s.stepped != nil {
		s.stepped()
	}
	if p != nil {
		p.Pause()
	}
	s.mu.Lock()
}

// Pacer spaces out the yields of one long operation: called between two
// of its steps, Pause gives up the processor once the operation has run for
// yieldEvery since it last did, so that short requests queued behind it
// run. Go's scheduler preempts a running goroutine only after about 10 ms,
// and a goroutine made runnable on a busy processor waits for it; on two
// cores the other one is often running the garbage collector's mark
// worker, which keeps it for milliseconds at a time. Releasing a lock
// between steps is not enough on its own: a point read woken meanwhile
// would still wait for a CPU.
//
// Scan, Range, Versions and Apply pace themselves; package kv paces its
// cursor every few hundred rows and the copy of a long read's rows. The
// zero value is ready, and its first Pause starts the clock. A Pacer
// belongs to one goroutine.
type Pacer struct{ last time.Time }

// yieldEvery is how long an operation runs between two yields. A yield
// costs a few microseconds when a processor is idle (the scheduler wakes a
// thread for it): at 50 µs a scan of a million keys alone took up to a
// fifth longer (at every step, a third), and a point read beside it waited
// well under 200 µs at the 99th percentile.
const yieldEvery = 50 * time.Microsecond

// Pause yields the processor if the operation has run for yieldEvery since
// the last yield or the first Pause.
func (p *Pacer) Pause() {
	now := time.Now()
	switch {
	case p.last.IsZero():
		p.last = now
	case now.Sub(p.last) >= yieldEvery:
		runtime.Gosched()
		p.last = time.Now()
	}
}

// Collect reclaims versions no reader can see any more, given that no read
// will ask for a version below horizon: each key keeps its newest version <=
// horizon and those after it, and a key whose remaining oldest version is a
// deletion loses it (and leaves the tree if nothing else remains). It does at
// most budget units of work, one per key trimmed (budget <= 0: no bound),
// and reports whether collectable work remains, so callers can spread the
// work.
//
// Collect releases the write lock every few keys, so readers wait for one
// step only. It must not run concurrently with Apply (package kv calls
// both under its commit lock): a clear in progress relies on the tree
// changing only under its own hand between steps.
func (s *Store) Collect(horizon int64, budget int) (more bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	done, step := 0, 0
	for budget <= 0 || done < budget {
		e, ok := s.gc.peek()
		if !ok || e.ver > horizon {
			break
		}
		s.gc.pop()
		s.trim(e, horizon)
		done++
		if step++; step == collectStep {
			// No yield: kv collects under its commit lock, which a
			// yield here would keep from commits for longer; kv
			// releases it, and yields, between calls.
			s.release(nil)
			step = 0
		}
	}
	e, ok := s.gc.peek()
	return ok && e.ver <= horizon
}

// trim cuts the versions of e's key below the newest one <= horizon, and
// drops that one too if it is a deletion (nothing older remains for it to
// hide). It works on e.p, the key's older versions, which the key's item
// shares, so it needs the tree only to remove a key whose newest version is
// a deletion past the horizon. A key left with older versions is queued
// again at its newest version: once the horizon passes that, one more trim
// leaves a single version. A trim costs a binary search and at most a
// segment of the chain.
func (s *Store) trim(e gcEntry, horizon int64) {
	p := e.p
	if p.top <= horizon {
		if p.c != nil {
			s.versions -= p.c.n
			p.c = nil
		}
		p.queued = false
		if p.deleted {
			q := pivot(e.key)
			if it := s.lookup(&q); it != nil && it.old == p {
				s.versions--
				s.tree.delete(&q)
			}
		}
		return
	}
	if p.c != nil {
		s.versions -= p.c.cut(horizon)
		if p.c.n == 0 {
			p.c = nil
		}
	}
	if p.c != nil || p.deleted {
		// Still versions to reclaim later. A copy of the key: e's may
		// share memory with a write's value, which it would keep alive
		// for as long as the key is rewritten.
		s.gc.push(gcEntry{ver: p.top, key: bytes.Clone(e.key), p: p})
		return
	}
	p.queued = false
}

// Stats describes the store's size.
type Stats struct {
	Keys     int // keys in the tree, including those whose newest version is a deletion
	Versions int // versions of all keys, deletions included
	Pending  int // queued entries that Collect may still trim
}

// Stats returns the store's current size.
func (s *Store) Stats() Stats {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return Stats{Keys: s.tree.n, Versions: s.versions, Pending: s.gc.n}
}
