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
// a conflict on a key locks that key the same way, hot or not.
//
// The heat halves every hotHalfLife without a conflict, and only conflicts
// renew it: a key is locked while it costs conflicts at a high rate (about
// hotThreshold per half-life), and goes back to plain optimism once the
// locks have stopped them, until conflicts build up again. Locks cost a
// handoff between goroutines per transaction, which pays only where
// conflicts are frequent: on a machine with few cores, transactions on one
// key rarely overlap, and stay optimistic.
//
// The automatic lock is a hint, never an error: it waits at most
// hotLockWait, and a wait that times out or would deadlock reads without
// the lock. Bare transactions never lock automatically, since nothing
// promises that their attempts end. Explicit Lock calls and automatic locks
// share the table, so their waits are ordered and checked for deadlocks
// together. A transaction locks automatically at most one key per attempt
// (its first read), so automatic locks alone never deadlock.
const (
	hotThreshold = 4                     // heat at which a key is locked automatically
	hotMaxHeat   = 64                    // heat saturates here
	hotHalfLife  = 10 * time.Millisecond // heat halves after this long without a conflict
	hotMaxKeys   = 4096                  // the most keys the table tracks
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
}

type heat struct {
	level int
	at    int64 // clock reading of the last renewal
}

// decayed returns h's level at now.
func (h *heat) decayed(now int64) int {
	halvings := (now - h.at) / int64(hotHalfLife)
	if halvings >= 31 {
		return 0
	}
	return h.level >> halvings
}

// warm adds one to key's heat: a read of it conflicted.
func (k *hotKeys) warm(key []byte, now int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if h := k.m[string(key)]; h != nil {
		h.level, h.at = min(h.decayed(now)+1, hotMaxHeat), now
		return
	}
	if len(k.m) >= hotMaxKeys {
		k.sweep(now)
		if len(k.m) >= hotMaxKeys {
			return // many keys are warm at once: none of them stands out
		}
	}
	if k.m == nil {
		k.m = make(map[string]*heat)
	}
	k.m[string(key)] = &heat{level: 1, at: now}
	k.n.Store(int32(len(k.m)))
}

// hot reports whether key is hot enough to lock. Called only while the
// table is not empty.
func (k *hotKeys) hot(key []byte, now int64) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	h := k.m[string(key)]
	if h == nil {
		return false
	}
	level := h.decayed(now)
	if level == 0 {
		delete(k.m, string(key))
		k.n.Store(int32(len(k.m)))
	}
	return level >= hotThreshold
}

// sweep forgets the keys that cooled off. Called with mu held.
func (k *hotKeys) sweep(now int64) {
	for key, h := range k.m {
		if h.decayed(now) == 0 {
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
	if !retryKey && (db.hot.n.Load() == 0 || !db.hot.hot(key, db.now())) {
		return
	}
	tr.mu.Unlock()
	_, _ = tr.lock(key, LockExclusive, hotLockWait) // a hint: any failure reads without it
	tr.mu.Lock()
}

// autoLocks reports whether a read of the attempt may lock its key
// automatically: a Transact attempt's first read, while some key is warm
// or the previous attempt lost a conflict on a key. Called with tr.mu held.
func (tr *Transaction) autoLocks() bool {
	return tr.autoLock && !tr.hasRV && (tr.db.hot.n.Load() != 0 || tr.rs != nil && tr.rs.lostOn != nil)
}

// conflicted heats the key of a point read conflict that failed tr's
// commit, and has tr's next attempt lock it if that attempt reads it first:
// a retry should not repeat the race it just lost. Called with tr.mu held.
func (tr *Transaction) conflicted(ce *ConflictError) {
	if len(ce.End) != len(ce.Begin)+1 || ce.End[len(ce.Begin)] != 0 || string(ce.End[:len(ce.Begin)]) != string(ce.Begin) {
		return
	}
	tr.db.hot.warm(ce.Begin, tr.db.now())
	if tr.autoLock {
		tr.rare().lostOn = ce.Begin
	}
}
