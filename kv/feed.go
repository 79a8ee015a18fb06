package kv

import (
	"bytes"
	"cmp"
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/plinthdb/plinth/mvcc"
)

// DefaultChangeFeedBuffer is how many bytes of recent commits the change
// feed keeps by default (Options.ChangeFeedBuffer).
const DefaultChangeFeedBuffer = 16 << 20

// Change is one key's change in a commit, as Subscribe reports it.
type Change struct {
	// Key is the key changed; Value its new value (the result, for an
	// atomic operation). Both slices are the caller's.
	Key, Value []byte
	// Deleted says the commit removed the key (Clear, or a ClearRange over
	// it); Value is then nil. Clearing a key that was absent is no change.
	Deleted bool
}

// ChangeBatch is what one commit changed inside a subscribed range.
type ChangeBatch struct {
	Version int64    // the commit's version
	Changes []Change // the keys of the range that the commit changed, in key order
}

// Subscribe calls fn, in the caller's goroutine, with every commit whose
// version is above since and that changed a key in r: one ChangeBatch per
// commit, in commit order, each holding only the keys of r. A cleared range
// appears as a deletion of each key it removed, an atomic operation as the
// value it left, a Set as the value written (even if it equals the old
// one). It returns when ctx is done (ctx's error), when fn returns an error
// (that error), or when the database closes (ErrDatabaseClosed).
//
// since is a version inside the MVCC window, typically a transaction's
// GetReadVersion: then the transaction's reads and the batches together see
// every commit, none twice. A since newer than the newest commit is
// ErrFutureVersion. The commits between since and the subscription are
// replayed from the versions the store keeps; later ones are kept for the
// subscriber as they commit. Commits never wait for a subscriber: a since
// older than the MVCC window, more than Options.ChangeFeedBuffer bytes of
// changes to catch up on, or a subscriber that falls further behind than
// that, ends with ErrTransactionTooOld (retryable: subscribe again from a
// new read version after re-reading the range). Nothing is skipped
// silently.
//
// fn may read and commit transactions of its own (commits never wait for
// subscribers); while it runs, its subscriber falls behind. A nil ctx or fn
// is an ErrClientInvalidOperation error, r with Begin after End an
// ErrInvertedRange error; an empty r never calls fn.
func (db *DB) Subscribe(ctx context.Context, r KeyRange, since int64, fn func(ChangeBatch) error) error {
	switch {
	case ctx == nil:
		return newError(codeClientInvalidOperation, "Subscribe: nil context")
	case fn == nil:
		return newError(codeClientInvalidOperation, "Subscribe: nil function")
	case bytes.Compare(r.Begin, r.End) > 0:
		return newError(codeInvertedRange, "Subscribe: range begin %q is after end %q", printable(r.Begin), printable(r.End))
	}
	if err := db.checkOpen(); err != nil {
		return err
	}
	if latest := db.committed.Load(); since > latest {
		return newError(codeFutureVersion, "Subscribe: since %d is newer than the newest commit %d", since, latest)
	}
	if !db.inWindow(since) {
		db.stats.tooOld.Add(1)
		return newError(codeTransactionTooOld, "Subscribe: since %d is older than the MVCC window", since)
	}
	s := &subscriber{begin: clone(r.Begin), end: clone(r.End), wake: make(chan struct{}, 1)}
	// The feed records every commit from the newest one on; the store
	// still holds every version of the MVCC window, so the commits between
	// since and that one are replayed from it.
	db.commitMu.Lock()
	upto := db.committed.Load()
	db.feed.subscribe(s, upto)
	db.commitMu.Unlock()
	defer db.feed.unsubscribe(s)
	if err := db.catchUp(ctx, s, since, upto, fn); err != nil {
		return err
	}
	since = upto
	var claimed []feedEntry
	for {
		var err error
		claimed, err = db.feed.take(s, claimed[:0], 64)
		if err != nil {
			db.stats.tooOld.Add(1)
			return err
		}
		for i, e := range claimed {
			claimed[i] = feedEntry{} // hold nothing once delivered
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := db.checkOpen(); err != nil {
				return err
			}
			if e.version <= since || !e.touches(s.begin, s.end) {
				continue
			}
			b, err := db.changesOf(&e, s.begin, s.end)
			if err != nil {
				db.stats.tooOld.Add(1)
				return err
			}
			if len(b.Changes) == 0 {
				continue // only cleared keys that were absent
			}
			if err := fn(b); err != nil {
				return err
			}
		}
		if len(claimed) > 0 {
			continue
		}
		select {
		case <-s.wake:
		case <-ctx.Done():
			return ctx.Err()
		case <-db.closing:
			return newError(codeDatabaseClosed, "")
		}
	}
}

// catchUp gives fn the commits in (since, upto] that changed keys of s's
// range, replayed from the versions the store keeps, one batch per commit in
// commit order. The changes are gathered first, at most ChangeFeedBuffer
// bytes of them (as the feed would have kept), since the store holds them
// by key and the batches go by version.
func (db *DB) catchUp(ctx context.Context, s *subscriber, since, upto int64, fn func(ChangeBatch) error) error {
	if since >= upto || bytes.Compare(s.begin, s.end) >= 0 {
		return nil
	}
	var vs []mvcc.Version
	size, limit := 0, db.opts.ChangeFeedBuffer
	db.store.Versions(mvcc.KeyRange{Begin: s.begin, End: s.end}, since, upto, func(v mvcc.Version) bool {
		size += len(v.Key) + len(v.Value) + feedEntryOverhead
		vs = append(vs, v)
		return size <= limit
	})
	if size > limit {
		db.stats.tooOld.Add(1)
		return newError(codeTransactionTooOld, "Subscribe: since %d is further behind than the change feed keeps (more than Options.ChangeFeedBuffer, %d bytes, of changes in the range)", since, limit)
	}
	// A since still inside the window now read intact data.
	if !db.inWindow(since) {
		db.stats.tooOld.Add(1)
		return newError(codeTransactionTooOld, "Subscribe: since %d passed out of the MVCC window while the subscriber caught up", since)
	}
	// By version; the stable sort keeps each version's keys in order.
	slices.SortStableFunc(vs, func(a, b mvcc.Version) int { return cmp.Compare(a.Ver, b.Ver) })
	for len(vs) > 0 {
		n := 1
		for n < len(vs) && vs[n].Ver == vs[0].Ver {
			n++
		}
		b := batchOf(vs[0].Ver, vs[:n])
		clear(vs[:n]) // hold nothing once delivered
		vs = vs[n:]
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := db.checkOpen(); err != nil {
			return err
		}
		if err := fn(b); err != nil {
			return err
		}
	}
	return nil
}

// changeFeed keeps the database's recent commits for subscribers: a queue
// of references to each commit's mutations, in commit order, bounded by
// bytes and by the MVCC window.
//
// Commits are recorded only while someone subscribes, so a database with
// no subscriber pays one atomic load per commit. A subscriber starting from
// an older version does not need the feed for the commits before it
// subscribed: the store keeps every version of the MVCC window, and
// catchUp replays them from there. Recording copies nothing, since the
// mutations already belong to the store and never change; what it costs is
// memory: keys and values that later commits overwrite stay reachable until
// their commit leaves the queue, at most limit bytes of them plus the
// newest commit.
type changeFeed struct {
	mu sync.Mutex
	// ring holds the live entries, oldest first from ring[first&mask]: a
	// circular buffer, so that recording never moves the others once it has
	// grown to the working size.
	ring  []feedEntry
	first uint64 // sequence number of the oldest live entry
	n     int    // live entries
	bytes int    // their sizes
	subs  []*subscriber
	// active counts subs, so that a commit with no subscriber skips the
	// feed without its lock.
	active atomic.Int32
}

// feedEntry is one commit's mutations, as the store applied them.
type feedEntry struct {
	version int64
	clears  []mvcc.KeyRange // sorted, disjoint
	writes  []mvcc.Write    // writes[:sorted] in key order, then versionstamped keys
	sorted  int
	size    int
}

// subscriber is one Subscribe call's place in the feed.
type subscriber struct {
	begin, end []byte
	since      int64
	wake       chan struct{} // capacity 1: a commit into the range is waiting

	// Guarded by changeFeed.mu.
	next uint64 // sequence number of the next entry to take
	lost int64  // version of a commit into the range evicted before it was taken
}

// feedEntryOverhead approximates the memory of one write's slice headers.
const feedEntryOverhead = 56

// at returns the live entry with sequence number seq.
func (f *changeFeed) at(seq uint64) *feedEntry { return &f.ring[seq&uint64(len(f.ring)-1)] }

// record appends a commit to the feed and wakes the subscribers whose range
// it touches, evicting the oldest commits beyond limit bytes or at or below
// horizon (their clears can no longer be expanded: see changesOf). Called
// with commitMu held.
func (f *changeFeed) record(version int64, clears []mvcc.KeyRange, writes []mvcc.Write, sorted, limit int, horizon int64) {
	if f.active.Load() == 0 {
		return
	}
	size := feedEntryOverhead
	for _, c := range clears {
		size += len(c.Begin) + len(c.End) + feedEntryOverhead
	}
	for _, w := range writes {
		size += len(w.Key) + len(w.Value) + feedEntryOverhead
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.subs) == 0 {
		return // the last one left meanwhile
	}
	if f.n == len(f.ring) {
		f.resize(max(2*len(f.ring), 64))
	}
	e := f.at(f.first + uint64(f.n))
	// The writes are the committing transaction's write buffer's (storeForm),
	// which its next use overwrites: the entry keeps a copy.
	*e = feedEntry{version: version, clears: clears, writes: slices.Clone(writes), sorted: sorted, size: size}
	f.n++
	f.bytes += size
	for _, s := range f.subs {
		if version > s.since && e.touches(s.begin, s.end) {
			s.signal()
		}
	}
	for f.n > 1 && (f.bytes > limit || f.at(f.first).version <= horizon) {
		f.evict()
	}
	if len(f.ring) > 1024 && f.n < len(f.ring)/8 {
		f.resize(len(f.ring) / 4)
	}
}

// resize moves the live entries into a ring of size entries (a power of
// two, at least n).
func (f *changeFeed) resize(size int) {
	ring := make([]feedEntry, size)
	for i := 0; i < f.n; i++ {
		ring[(f.first+uint64(i))&uint64(size-1)] = *f.at(f.first + uint64(i))
	}
	f.ring = ring
}

// evict drops the oldest entry. A subscriber that has not taken it and
// whose range it touches has lost it: it ends with ErrTransactionTooOld.
func (f *changeFeed) evict() {
	e := f.at(f.first)
	for _, s := range f.subs {
		if s.lost == 0 && s.next <= f.first && e.version > s.since && e.touches(s.begin, s.end) {
			s.lost = e.version
			s.signal()
		}
	}
	f.bytes -= e.size
	*e = feedEntry{}
	f.first++
	f.n--
}

func (s *subscriber) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// subscribe adds s, to be given every commit recorded from now on: those
// above upto, the newest commit. Called with commitMu held, so that no
// commit falls between upto and the first one recorded.
func (f *changeFeed) subscribe(s *subscriber, upto int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s.since = upto
	s.next = f.first + uint64(f.n)
	f.subs = append(f.subs, s)
	f.active.Store(int32(len(f.subs)))
}

// unsubscribe removes s. The last subscriber to leave empties the feed, so
// that it holds no memory while nobody listens.
func (f *changeFeed) unsubscribe(s *subscriber) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i := slices.Index(f.subs, s); i >= 0 {
		f.subs = slices.Delete(f.subs, i, i+1)
	}
	f.active.Store(int32(len(f.subs)))
	if len(f.subs) == 0 {
		clear(f.ring)
		f.ring, f.first, f.n, f.bytes = nil, f.first+uint64(f.n), 0, 0
	}
}

// take appends to buf up to max entries that s has not taken yet.
func (f *changeFeed) take(s *subscriber, buf []feedEntry, max int) ([]feedEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s.lost != 0 {
		return buf, newError(codeTransactionTooOld, "Subscribe: the subscriber fell behind: the commit at version %d was dropped before it was delivered (Options.ChangeFeedBuffer, MVCCWindow)", s.lost)
	}
	if s.next < f.first {
		s.next = f.first // what was evicted meanwhile did not touch the range
	}
	for end := f.first + uint64(f.n); s.next < end && len(buf) < max; s.next++ {
		buf = append(buf, *f.at(s.next))
	}
	return buf, nil
}

// touches reports whether the commit may have changed a key in [begin,
// end): it wrote one, or cleared a range that meets it.
func (e *feedEntry) touches(begin, end []byte) bool {
	if bytes.Compare(begin, end) >= 0 {
		return false
	}
	i, _ := slices.BinarySearchFunc(e.clears, begin, func(c mvcc.KeyRange, k []byte) int {
		if bytes.Compare(c.End, k) <= 0 {
			return -1
		}
		return 1
	})
	if i < len(e.clears) && bytes.Compare(e.clears[i].Begin, end) < 0 {
		return true
	}
	j := firstWriteAtOrAfter(e.writes[:e.sorted], begin)
	if j < e.sorted && bytes.Compare(e.writes[j].Key, end) < 0 {
		return true
	}
	for _, w := range e.writes[e.sorted:] {
		if bytes.Compare(begin, w.Key) <= 0 && bytes.Compare(w.Key, end) < 0 {
			return true
		}
	}
	return false
}

func firstWriteAtOrAfter(writes []mvcc.Write, key []byte) int {
	i, _ := slices.BinarySearchFunc(writes, key, func(w mvcc.Write, k []byte) int { return bytes.Compare(w.Key, k) })
	return i
}

// clearPage is how many keys one store scan of a clear's expansion visits,
// so that a subscriber never holds the store's lock for a large range.
const clearPage = 1024

// changesOf builds the batch of e inside [begin, end), with copies of the
// keys and values. Deletions are the keys present just before the commit
// (read from the store at version-1) that it cleared; that version must
// still be inside the MVCC window, else the subscriber is too far behind.
func (db *DB) changesOf(e *feedEntry, begin, end []byte) (ChangeBatch, error) {
	var out []mvcc.Version
	before := e.version - 1
	readStore := false
	for _, c := range e.clears {
		lo, hi := maxKey(c.Begin, begin), minKey(c.End, end)
		for bytes.Compare(lo, hi) < 0 {
			readStore = true
			n := 0
			var last []byte
			db.store.Scan(mvcc.KeyRange{Begin: lo, End: hi}, before, false, clearPage, func(k, _ []byte) bool {
				out = append(out, mvcc.Version{Key: clone(k), Deleted: true})
				last = out[len(out)-1].Key
				n++
				return true
			})
			if n < clearPage {
				break
			}
			lo = keyAfter(last)
		}
	}
	add := func(w mvcc.Write) {
		if bytes.Compare(w.Key, begin) < 0 || bytes.Compare(w.Key, end) >= 0 {
			return
		}
		if w.Delete {
			readStore = true
			if _, ok := db.store.Get(w.Key, before); !ok {
				return // was absent: nothing changed
			}
		}
		out = append(out, mvcc.Version{Key: w.Key, Value: w.Value, Deleted: w.Delete})
	}
	for _, w := range e.writes[firstWriteAtOrAfter(e.writes[:e.sorted], begin):e.sorted] {
		if bytes.Compare(w.Key, end) >= 0 {
			break
		}
		add(w)
	}
	for _, w := range e.writes[e.sorted:] {
		add(w)
	}
	if readStore {
		// Reads that pass this check afterwards were intact.
		if !db.inWindow(before) {
			return ChangeBatch{}, newError(codeTransactionTooOld, "Subscribe: the subscriber fell behind: the keys cleared at version %d are past the MVCC window", e.version)
		}
	}
	// Later entries win: a key cleared by a range and then set, or a
	// versionstamped key landing on a written key.
	slices.SortStableFunc(out, func(a, b mvcc.Version) int { return bytes.Compare(a.Key, b.Key) })
	kept := out[:0]
	for i, c := range out {
		if i+1 < len(out) && bytes.Equal(out[i+1].Key, c.Key) {
			continue
		}
		kept = append(kept, c)
	}
	return batchOf(e.version, kept), nil
}

// batchOf is the batch of one commit's changes, in key order, with the keys
// and values copied into one arena the subscriber owns.
func batchOf(version int64, changes []mvcc.Version) ChangeBatch {
	b := ChangeBatch{Version: version, Changes: make([]Change, 0, len(changes))}
	need := 0
	for _, c := range changes {
		need += len(c.Key) + len(c.Value)
	}
	arena := make([]byte, 0, need)
	for _, c := range changes {
		n := len(arena)
		arena = append(arena, c.Key...)
		ch := Change{Key: arena[n:len(arena):len(arena)], Deleted: c.Deleted}
		if !c.Deleted {
			n = len(arena)
			arena = append(arena, c.Value...)
			ch.Value = arena[n:len(arena):len(arena)]
		}
		b.Changes = append(b.Changes, ch)
	}
	return b
}

// publish hands a commit that the store applied and version published to
// the watches and the change feed. tr is the committing transaction, whose
// own watches become active here; nil for Restore. With no watches and no
// subscriber it costs one atomic load for each. Called with commitMu held.
func (db *DB) publish(tr *Transaction, version int64, clears []mvcc.KeyRange, writes []mvcc.Write) {
	sorted := len(writes)
	if tr != nil && tr.writes != nil {
		sorted -= len(tr.writes.vsKeys)
	}
	db.notifyWatches(version, clears, writes)
	if tr != nil && tr.rs != nil && len(tr.rs.watches) > 0 {
		db.activateWatches(tr, version, clears, writes, sorted)
	}
	db.feed.record(version, clears, writes, sorted, db.opts.ChangeFeedBuffer, db.horizon)
}
