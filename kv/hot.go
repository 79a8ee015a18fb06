package kv

import (
	"sync"
	"sync/atomic"
	"time"
)

// Hot keys handle themselves, by mostly-optimistic concurrency control
// (after Wang and Kimura, "Mostly-Optimistic Concurrency Control for Highly
// Contended Dynamic Workloads on a Thousand Cores", VLDB 2016): transactions
// stay optimistic except on the few keys whose reads keep conflicting.
// Every point read conflict heats its key; a key hot enough is locked
// automatically, through the lock table of Transaction.Lock, by the
// transactions of Transact and TransactContext that read it first: such a
// transaction takes the key's exclusive lock before its read version, so it
// reads after the previous holder committed and does not conflict on the
// key. Transactions that read-modify-write one key then run one after
// another instead of racing and retrying. The retry of an attempt that lost
// a conflict on a key locks that key the same way, hot or not; a
// transaction that lost claimAfter of them claims the key's first turn,
// which makes the other transactions' first reads of the key wait for it
// (see claim).
//
// A key is hot while at least one in hotShare of the commits since its
// count began lost a conflict on it, and at least hotThreshold did; the
// count slides over the last hotWindow commits or so. Commits, not time,
// are the clock, because what matters is the share of transactions that a
// key makes retry: locks cost a handoff between goroutines per
// transaction, which pays only when conflicts are that frequent. On a
// machine with few cores, transactions on one key rarely overlap, retries
// stay rare, and the key stays optimistic; with many cores racing on it,
// it is locked within a few dozen commits. Once the locks have stopped
// the conflicts the share falls and the key goes back to optimism, until
// conflicts build up again.
//
// The automatic lock is a hint, never an error: it waits at most
// hotLockWait, and a wait that times out or would deadlock reads without
// the lock. Bare transactions never lock automatically, since nothing
// promises that their attempts end. Explicit Lock calls and automatic locks
// share the table, so their waits are ordered and checked for deadlocks
// together. A transaction locks automatically at most one key per attempt
// (its first read), so automatic locks alone never deadlock.
const (
	hotThreshold = 4    // conflicts at least, for a key to be hot
	hotShare     = 20   // and at least one in this many commits
	hotWindow    = 4096 // commits the count slides over
	hotMaxKeys   = 4096 // the most keys the table tracks
)

// hotLockWait is the longest wait for an automatic lock. Tests lengthen it.
var hotLockWait = 10 * time.Millisecond

// hotKeys is the database's table of key heat. Safe for concurrent use; its
// size is read without the lock, so transactions pay one atomic load while
// no key is warm.
type hotKeys struct {
	n  atomic.Int32 // len(m)
	mu sync.Mutex
	m  map[string]*heat

	prio atomic.Pointer[claim] // the key a repeated loser has first turn on
}

// A transaction of Transact whose attempts have failed claimAfter times,
// the last on a conflict of a key's point read, claims the key's first
// turn, and keeps it until it ends: until then every other
// attempt of Transact whose first read is that key waits for it, at most
// hotLockWait, before reading. Without this, a loser loses its next attempt
// about half the time on a key that goroutines increment in a loop (its
// retry runs beside whoever holds the processors, where a first attempt
// mostly runs alone), some losers lose ten or twenty times in a row, and
// their backoffs leave them asleep for tens of milliseconds while the
// others go on. One claim at a time, for the whole database: claims are
// rare (claimAfter failures in a row), and a loser that finds the slot taken
// retries as before. A claim that outlives hotLockWait is dropped by the
// first waiter it times out, so a stuck owner costs each waiter at most
// that once.
type claim struct {
	key  []byte
	tr   *Transaction
	done chan struct{} // closed when tr ends
}

// claimAfter is the number of failed attempts, the last a conflict on the
// key, after which a transaction claims the key's first turn. Two raised
// the contended counter's p99 tenfold (more increments waited for a
// claimant); three keeps it and bounds the losses.
const claimAfter = 3

// heat counts a key's conflicts since commit version since.
type heat struct {
	conflicts int
	since     int64
}

// stale reports whether h counted nothing over the last two windows.
func (h *heat) stale(committed int64) bool { return committed-h.since > 2*hotWindow }

// warm counts a conflict on key; committed is the newest commit version.
func (k *hotKeys) warm(key []byte, committed int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if h := k.m[string(key)]; h != nil && !h.stale(committed) {
		if committed-h.since > hotWindow {
			// Slide: keep half the count over half the window.
			h.conflicts /= 2
			h.since = committed - hotWindow/2
		}
		h.conflicts++
		return
	}
	if len(k.m) >= hotMaxKeys {
		k.sweep(committed)
		if len(k.m) >= hotMaxKeys {
			return // many keys conflict at once: none of them stands out
		}
	}
	if k.m == nil {
		k.m = make(map[string]*heat)
	}
	k.m[string(key)] = &heat{conflicts: 1, since: committed}
	k.n.Store(int32(len(k.m)))
}

// hot reports whether key is hot enough to lock. Called only while the
// table is not empty.
func (k *hotKeys) hot(key []byte, committed int64) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	h := k.m[string(key)]
	if h == nil {
		return false
	}
	if h.stale(committed) {
		delete(k.m, string(key))
		k.n.Store(int32(len(k.m)))
		return false
	}
	return h.conflicts >= hotThreshold && int64(h.conflicts)*hotShare >= committed-h.since
}

// sweep forgets the keys that went stale. Called with mu held.
func (k *hotKeys) sweep(committed int64) {
	for key, h := range k.m {
		if h.stale(committed) {
			delete(k.m, key)
		}
	}
	k.n.Store(int32(len(k.m)))
	if len(k.m) == 0 {
		k.m = nil // return the map's memory
	}
}

// lockIfHot runs before the first read of an attempt of Transact, a Get of
// key: if key is hot, or is the key whose conflict failed the previous
// attempt, it takes key's exclusive lock first, so that the read version,
// taken next, is newer than the previous holder's commit. Called with tr.mu
// held; it releases it while waiting.
func (tr *Transaction) lockIfHot(key []byte) {
	db := tr.db
	retryKey := false
	if tr.rs != nil && tr.rs.lostOn != nil {
		retryKey = string(tr.rs.lostOn) == string(key)
		tr.rs.lostOn = nil // only the attempt right after the conflict
	}
	tr.awaitTurn(key)
	if !retryKey && (db.hot.n.Load() == 0 || !db.hot.hot(key, db.committed.Load())) {
		return
	}
	tr.mu.Unlock()
	_ = tr.Lock(key, LockExclusive, hotLockWait) // a hint: any failure reads without it
	tr.lock()
}

// autoLocks reports whether a read of the attempt may lock its key
// automatically: a Transact attempt's first read, while some key is warm
// or the previous attempt lost a conflict on a key. Called with tr.mu held.
func (tr *Transaction) autoLocks() bool {
	return tr.autoLock && !tr.hasRV && (tr.db.hot.n.Load() != 0 || tr.db.hot.prio.Load() != nil || tr.rs != nil && tr.rs.lostOn != nil)
}

// conflicted heats the key of a point read conflict that failed tr's
// commit, and has tr's next attempt lock it if that attempt reads it first:
// a retry should not repeat the race it just lost. Called with tr.mu held.
func (tr *Transaction) conflicted(ce *ConflictError) {
	if len(ce.End) != len(ce.Begin)+1 || ce.End[len(ce.Begin)] != 0 || string(ce.End[:len(ce.Begin)]) != string(ce.Begin) {
		return
	}
	tr.db.hot.warm(ce.Begin, tr.db.committed.Load())
	if tr.autoLock {
		r := tr.rare()
		r.lostOn = ce.Begin
		if r.claim == nil && tr.retries+1 >= claimAfter {
			c := &claim{key: ce.Begin, tr: tr, done: make(chan struct{})}
			if tr.db.hot.prio.CompareAndSwap(nil, c) {
				r.claim = c
			}
		}
	}
}

// awaitTurn waits, before the first read of an attempt of Transact, while
// another transaction has claimed key's first turn. Called with tr.mu held;
// it releases it while waiting.
func (tr *Transaction) awaitTurn(key []byte) {
	hot := &tr.db.hot
	c := hot.prio.Load()
	if c == nil || c.tr == tr || string(c.key) != string(key) {
		return
	}
	var done <-chan struct{}
	if ctx := tr.context(); ctx != nil {
		done = ctx.Done()
	}
	tr.mu.Unlock()
	t := time.NewTimer(hotLockWait)
	select {
	case <-c.done:
	case <-t.C:
		hot.prio.CompareAndSwap(c, nil) // stuck: let the key go
	case <-done: // the read that follows reports it
	case <-tr.db.closing:
	}
	t.Stop()
	tr.lock()
}

// giveUpTurn ends tr's claim, if it has one: the waiters read. Called with
// tr.mu held, when tr ends.
func (tr *Transaction) giveUpTurn() {
	if tr.rs == nil || tr.rs.claim == nil {
		return
	}
	c := tr.rs.claim
	tr.rs.claim = nil
	tr.db.hot.prio.CompareAndSwap(c, nil)
	close(c.done)
}

// holdsTurn reports whether tr has claimed a key's first turn, so that
// others wait for it: it then retries without a backoff. Called with tr.mu
// held.
func (tr *Transaction) holdsTurn() bool { return tr.rs != nil && tr.rs.claim != nil }
