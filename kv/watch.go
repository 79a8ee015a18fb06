package kv

import (
	"bytes"
	"context"
	"sync"
	"sync/atomic"

	"github.com/google/btree"
	"github.com/plinthdb/plinth/mvcc"
)

// DefaultMaxWatches is how many watches a database allows outstanding at
// once by default, FoundationDB's DEFAULT_MAX_OUTSTANDING_WATCHES
// (fdbclient/ClientKnobs.cpp); maxWatchesLimit is its ABSOLUTE_MAX_WATCHES.
const (
	DefaultMaxWatches = 10_000
	maxWatchesLimit   = 1_000_000
)

// Watch is a future that becomes ready when the value of one key changes
// after the transaction that made it commits. It is safe for concurrent use.
//
// A watch is outstanding from Watch until it fires or fails; outstanding
// watches count against Options.MaxWatches. It keeps no goroutine: a
// commit that changes the key closes its Done channel.
type Watch struct {
	idx  *watchIndex
	key  []byte
	done chan struct{}
	err  error // written once, before done is closed

	// Guarded by idx.mu.
	state watchState
	// value is what the watch compares commits against: while pending, the
	// value its transaction read; once active, the key's value when the
	// transaction committed. ok is false for an absent key.
	value []byte
	ok    bool
}

type watchState uint8

const (
	watchPending watchState = iota // made, its transaction not yet committed
	watchActive                    // in the index, waiting for a change
	watchDone                      // fired or failed; done is closed
)

// Watch returns a watch on key. It reads key like Get (a serializable
// read: it adds a read conflict on key unless the transaction wrote key
// itself), and becomes active when the transaction commits, a read-only
// commit included. From then on it fires, with Err nil, when a commit
// leaves key with a value different from the one the transaction saw at its
// commit (its own writes included): absent and present differ, and a write
// of the same value does not fire it. If the key already differs when the
// watch becomes active (a commit slipped in between the read and the
// commit), it fires at once; a change and a change back in that interval go
// unnoticed. After activation every commit to key is compared, so any
// change fires it. A fired watch says the value changed, not what it is now:
// read it again.
//
// The watch fails, with Err set, when the transaction does not commit: with
// the commit's error, with the error given to OnError, with
// ErrWatchCancelled after Reset or Cancel of the transaction before its
// commit, and with the transaction's error when Watch itself is refused
// (an invalid key, ErrKeyTooLarge, a transaction already committed).
// More than Options.MaxWatches outstanding watches fail at once with
// ErrTooManyWatches; Close fails every outstanding watch with
// ErrDatabaseClosed. A watch outlives its transaction; one whose
// transaction is dropped without Commit, Cancel or Reset stays pending (and
// counted) until Cancel or Close.
func (tr *Transaction) Watch(key []byte) *Watch {
	db := tr.db
	w := &Watch{idx: &db.watches, key: clone(key), done: make(chan struct{})}
	v, err := tr.get(w.key, false)
	if err == nil && len(key) > keyLimit(key) {
		err = newError(codeKeyTooLarge, "watch of a key of %d bytes, over the limit of %d", len(key), keyLimit(key))
	}
	if err == nil {
		w.value, w.ok = v, v != nil
		err = db.watches.reserve(w, db.opts.MaxWatches)
	}
	if err != nil {
		w.err = err
		w.state = watchDone
		close(w.done)
		return w
	}
	tr.lock()
	err = tr.check()
	if err == nil {
		r := tr.rare()
		r.watches = append(r.watches, w)
	}
	tr.mu.Unlock()
	if err != nil {
		db.watches.fail(w, err)
	}
	return w
}

// Done returns a channel that is closed when the watch fires or fails.
func (w *Watch) Done() <-chan struct{} { return w.done }

// Err returns nil before Done is closed and after the watch fired (the
// value changed); otherwise, after Done, why it failed.
func (w *Watch) Err() error {
	select {
	case <-w.done:
		return w.err
	default:
		return nil
	}
}

// Wait blocks until the watch fires or fails, then returns Err; or until
// ctx is done, then returns ctx.Err() and leaves the watch outstanding.
// A nil ctx is an ErrClientInvalidOperation error.
func (w *Watch) Wait(ctx context.Context) error {
	if ctx == nil {
		return newError(codeClientInvalidOperation, "Watch.Wait: nil context")
	}
	select {
	case <-w.done:
		return w.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Cancel fails the watch with ErrWatchCancelled, unless it already fired
// or failed, and releases its place under Options.MaxWatches. It is safe to
// call more than once.
func (w *Watch) Cancel() {
	idx := w.idx
	idx.mu.Lock()
	defer idx.mu.Unlock()
	if w.state == watchActive {
		idx.removeActive(w)
	}
	idx.resolve(w, newError(codeOperationCancelled, "the watch was cancelled"))
}

// watchIndex holds a database's outstanding watches: the active ones by
// key, so that a commit finds those of the keys it wrote in O(log watches)
// per key written and never looks at the others. Its zero value is ready.
type watchIndex struct {
	mu      sync.Mutex
	closed  bool
	count   int                 // outstanding: pending and active
	pending map[*Watch]struct{} // so Close can reach them
	keys    *btree.BTreeG[*watchedKey]
	pivot   watchedKey    // search key, reused under mu
	hits    []*watchedKey // scratch of notify, reused under mu
	// active counts the watches in keys. The commit path reads it without
	// the lock: with none, a commit costs the watches one atomic load.
	// It changes only under commitMu (activation, firing) or for a watch
	// leaving (Cancel, Close), so a commit that reads 0 has nothing to fire.
	active atomic.Int64
}

// watchedKey is one key's active watches.
type watchedKey struct {
	key     []byte
	watches []*Watch
}

func watchedKeyLess(a, b *watchedKey) bool { return bytes.Compare(a.key, b.key) < 0 }

// reserve counts w as outstanding and pending, or refuses it.
func (idx *watchIndex) reserve(w *Watch, max int) error {
	idx.mu.Lock()
	defer idx.mu.Unlock()
	if idx.closed {
		return newError(codeDatabaseClosed, "")
	}
	if idx.count >= max {
		return newError(codeTooManyWatches, "%d watches are outstanding (Options.MaxWatches)", idx.count)
	}
	idx.count++
	if idx.pending == nil {
		idx.pending = make(map[*Watch]struct{})
	}
	idx.pending[w] = struct{}{}
	return nil
}

// fail resolves a pending watch with err.
func (idx *watchIndex) fail(w *Watch, err error) {
	idx.mu.Lock()
	defer idx.mu.Unlock()
	idx.resolve(w, err)
}

// resolve ends a watch: it fires (err nil) or fails. An active watch must
// have been taken out of keys first. Called with mu held; a done watch is
// left alone.
func (idx *watchIndex) resolve(w *Watch, err error) {
	switch w.state {
	case watchDone:
		return
	case watchPending:
		delete(idx.pending, w)
	}
	w.state = watchDone
	w.value = nil
	w.err = err
	idx.count--
	close(w.done)
}

// activate makes a pending watch active with the value it compares against.
// Called with mu held.
func (idx *watchIndex) activate(w *Watch, value []byte, ok bool) {
	if w.state != watchPending {
		return
	}
	delete(idx.pending, w)
	w.state, w.value, w.ok = watchActive, value, ok
	if idx.keys == nil {
		idx.keys = btree.NewG(16, watchedKeyLess)
	}
	idx.pivot.key = w.key
	wk, found := idx.keys.Get(&idx.pivot)
	idx.pivot.key = nil
	if !found {
		wk = &watchedKey{key: w.key}
		idx.keys.ReplaceOrInsert(wk)
	}
	wk.watches = append(wk.watches, w)
	idx.active.Add(1)
}

// removeActive takes an active watch out of the index. Called with mu held.
func (idx *watchIndex) removeActive(w *Watch) {
	idx.pivot.key = w.key
	wk, found := idx.keys.Get(&idx.pivot)
	idx.pivot.key = nil
	if !found {
		return
	}
	for i, x := range wk.watches {
		if x == w {
			wk.watches = append(wk.watches[:i], wk.watches[i+1:]...)
			wk.watches = wk.watches[:len(wk.watches):len(wk.watches)]
			idx.active.Add(-1)
			break
		}
	}
	if len(wk.watches) == 0 {
		idx.keys.Delete(wk)
	}
}

// close fails every outstanding watch with ErrDatabaseClosed and refuses new
// ones.
func (idx *watchIndex) close() {
	idx.mu.Lock()
	defer idx.mu.Unlock()
	idx.closed = true
	for w := range idx.pending {
		idx.resolve(w, newError(codeDatabaseClosed, "the database was closed while the watch was outstanding"))
	}
	if idx.keys != nil {
		idx.keys.Ascend(func(wk *watchedKey) bool {
			for _, w := range wk.watches {
				idx.resolve(w, newError(codeDatabaseClosed, "the database was closed while the watch was outstanding"))
			}
			return true
		})
		idx.keys.Clear(false)
	}
	idx.active.Store(0)
}

// notify fires the active watches whose key the commit at version left
// with a different value: it looks up each written key and range-queries
// each cleared range, so it costs O(keys written · log watches) plus the
// watches it finds, never the others. Called with commitMu held, after the
// commit was applied to the store.
func (db *DB) notifyWatches(version int64, clears []mvcc.KeyRange, writes []mvcc.Write) {
	idx := &db.watches
	if idx.active.Load() == 0 {
		return
	}
	idx.mu.Lock()
	defer idx.mu.Unlock()
	if idx.keys == nil || idx.keys.Len() == 0 {
		return
	}
	hits := idx.hits[:0]
	for _, c := range clears {
		idx.keys.AscendRange(&watchedKey{key: c.Begin}, &watchedKey{key: c.End}, func(wk *watchedKey) bool {
			hits = append(hits, wk)
			return true
		})
	}
	for _, w := range writes {
		idx.pivot.key = w.Key
		if wk, found := idx.keys.Get(&idx.pivot); found {
			hits = append(hits, wk)
		}
	}
	idx.pivot.key = nil
	for _, wk := range hits {
		if len(wk.watches) == 0 {
			continue // emptied by an earlier hit on the same key
		}
		v, ok := db.store.Get(wk.key, version)
		kept := wk.watches[:0]
		for _, w := range wk.watches {
			if sameValue(w.value, w.ok, v, ok) {
				kept = append(kept, w)
				continue
			}
			idx.resolve(w, nil)
			idx.active.Add(-1)
		}
		clear(wk.watches[len(kept):])
		wk.watches = kept
		if len(kept) == 0 {
			idx.keys.Delete(wk)
		}
	}
	clear(hits)
	idx.hits = hits[:0]
}

func sameValue(a []byte, aok bool, b []byte, bok bool) bool {
	return aok == bok && (!aok || bytes.Equal(a, b))
}

// activateWatches makes the committing transaction's watches active at its
// commit version. A watch on a key the commit wrote compares against the
// value written; one on a key it did not write against the value the
// transaction read, which fires it at once if another commit changed the
// key meanwhile. sorted is how many of writes are in key order (the rest
// are versionstamped keys). Called with commitMu held, after notify, so the
// commit itself never fires them.
func (db *DB) activateWatches(tr *Transaction, version int64, clears []mvcc.KeyRange, writes []mvcc.Write, sorted int) {
	idx := &db.watches
	idx.mu.Lock()
	defer idx.mu.Unlock()
	for _, w := range tr.rs.watches {
		if w.state != watchPending {
			continue
		}
		v, ok := db.store.Get(w.key, version)
		if commitWrote(clears, writes, sorted, w.key) || sameValue(w.value, w.ok, v, ok) {
			idx.activate(w, v, ok)
		} else {
			idx.resolve(w, nil)
		}
	}
	clear(tr.rs.watches)
	tr.rs.watches = tr.rs.watches[:0]
}

// commitWrote reports whether a commit's mutations set, cleared or
// range-cleared key. clears are sorted and disjoint; writes[:sorted] are in
// key order.
func commitWrote(clears []mvcc.KeyRange, writes []mvcc.Write, sorted int, key []byte) bool {
	lo, hi := 0, len(clears)
	for lo < hi { // first clear ending after key
		m := int(uint(lo+hi) >> 1)
		if bytes.Compare(clears[m].End, key) <= 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(clears) && bytes.Compare(clears[lo].Begin, key) <= 0 {
		return true
	}
	lo, hi = 0, sorted
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if bytes.Compare(writes[m].Key, key) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < sorted && bytes.Equal(writes[lo].Key, key) {
		return true
	}
	for _, w := range writes[sorted:] {
		if bytes.Equal(w.Key, key) {
			return true
		}
	}
	return false
}

// settleWatches ends the attempt's pending watches once Commit has run:
// they fail with its error, or, for a read-only commit, become active
// against the newest committed value. (A commit that wrote activated them
// already, under the commit lock.) Called with tr.mu held.
func (tr *Transaction) settleWatches(err error) {
	if tr.rs == nil || len(tr.rs.watches) == 0 {
		return
	}
	if err != nil {
		tr.failWatches(err)
		return
	}
	db := tr.db
	// The commit lock orders activation with the commits' notify: every
	// commit after the value compared here will see the watch.
	db.commitMu.Lock()
	defer db.commitMu.Unlock()
	idx := &db.watches
	idx.mu.Lock()
	defer idx.mu.Unlock()
	latest := db.committed.Load()
	for _, w := range tr.rs.watches {
		if w.state != watchPending {
			continue
		}
		if idx.closed {
			idx.resolve(w, newError(codeDatabaseClosed, ""))
			continue
		}
		v, ok := db.store.Get(w.key, latest)
		if sameValue(w.value, w.ok, v, ok) {
			idx.activate(w, v, ok)
		} else {
			idx.resolve(w, nil)
		}
	}
	clear(tr.rs.watches)
	tr.rs.watches = tr.rs.watches[:0]
}

// failWatches fails the attempt's pending watches with err, the error that
// ended the attempt; a nil err or a plain Cancel gives ErrWatchCancelled.
// Called with tr.mu held.
func (tr *Transaction) failWatches(err error) {
	if tr.rs == nil || len(tr.rs.watches) == 0 {
		return
	}
	if err == nil || err == errCancelled {
		err = newError(codeOperationCancelled, "the transaction was reset or cancelled before it committed")
	}
	idx := &tr.db.watches
	idx.mu.Lock()
	for _, w := range tr.rs.watches {
		idx.resolve(w, err)
	}
	idx.mu.Unlock()
	clear(tr.rs.watches)
	tr.rs.watches = tr.rs.watches[:0]
}
