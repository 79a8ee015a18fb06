package kv

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// LockMode is the mode of a lock taken with Transaction.Lock.
type LockMode uint8

const (
	// LockExclusive excludes every other holder of the key's lock.
	LockExclusive LockMode = iota
	// LockShared admits other LockShared holders and excludes LockExclusive
	// ones.
	LockShared
)

// String returns "exclusive" or "shared".
func (m LockMode) String() string {
	switch m {
	case LockExclusive:
		return "exclusive"
	case LockShared:
		return "shared"
	}
	return fmt.Sprintf("LockMode(%d)", uint8(m))
}

// LockInfo describes one held lock, as DB.Locks lists it.
type LockInfo struct {
	// Key is the locked key; the slice is the caller's.
	Key []byte
	// Mode is LockExclusive if an exclusive holder has it, else LockShared.
	Mode LockMode
	// Holders are the IDs (Transaction.ID) of the transactions holding the
	// lock, in the order they were granted it.
	Holders []uint64
	// Waiting counts the transactions waiting for the lock.
	Waiting int
}

// Lock takes the lock on key in mode for the rest of the current attempt,
// waiting up to timeout for it: timeout 0 does not wait, and a negative
// timeout waits with no limit of its own. Every wait also ends with the
// transaction's timeout (ErrTransactionTimedOut), with tr.Context()
// (an error matching its Err) and with Close (ErrDatabaseClosed). A wait
// that runs out fails with ErrLockTimeout; a wait that would close a cycle
// of transactions waiting for each other fails at once with ErrDeadlock.
// Both are retryable, so Transact runs fn again.
//
// LockExclusive excludes every other holder; LockShared admits other
// LockShared holders. Any key may be locked, present or not, system keys
// included; a key over MaxKeySize bytes is ErrKeyTooLarge. Locking a key
// the transaction holds is a no-op (an exclusive lock covers a shared
// request), and LockShared to LockExclusive waits until the transaction is
// the only holder.
//
// Requests are granted first come, first served: a request waits while any
// earlier request for the key waits, even when the current holders would
// admit it, and once the lock is free the waiting requests at the head of
// the queue that are compatible with each other are granted together. So
// an exclusive request is never starved by a stream of shared ones. An
// upgrade from shared to exclusive goes ahead of the queue, since the
// requests behind it could not be granted while it holds the lock anyway.
//
// Locks are held until the attempt ends, however it ends (commit, failed
// commit, an error from Transact's fn, OnError, Reset, Cancel, a panic in
// fn, the transaction's timeout), and are then released in reverse order of
// acquisition, before the attempt's OnCommit or OnAbort callbacks run. A
// transaction with a timeout releases its locks at its deadline even if
// nothing calls it.
//
// Locks are advisory: they bind Lock calls only, and do not replace the
// conflict check at commit. They prevent conflicts instead: Lock does not
// take a read version, so when every writer of a key locks it before its
// first read, each reads after the previous holder committed and none of
// them conflicts on the key.
//
// Transact's attempts also lock on their own the keys whose reads keep
// conflicting (hot keys): the first Get of such a key takes its exclusive
// lock, waiting briefly, so read-modify-writes of it run in turn. Those
// locks appear in DB.Locks like the others and end with the attempt.
//
// Lock may be called from several goroutines, but only one call per
// transaction may wait at a time: another that would have to wait fails
// with ErrClientInvalidOperation.
func (tr *Transaction) Lock(key []byte, mode LockMode, timeout time.Duration) error {
	if mode != LockExclusive && mode != LockShared {
		return newError(codeInvalidOptionValue, "lock mode %d is neither LockExclusive nor LockShared", uint8(mode))
	}
	if len(key) > MaxKeySize {
		return newError(codeKeyTooLarge, "lock key of %d bytes is over the limit of %d", len(key), MaxKeySize)
	}
	tr.lock()
	if err := tr.check(); err != nil {
		a := tr.takePending()
		tr.mu.Unlock()
		a.run()
		return err
	}
	ctx := tr.context()
	if ctx != nil && ctx.Err() != nil {
		tr.mu.Unlock()
		return lockAbandoned(key, ctx.Err())
	}
	r := tr.rare()
	o := r.locks
	if o == nil {
		o = &lockOwner{}
		o.held = o.heldBuf[:0]
		r.locks = o
	}
	t := &tr.db.locks
	id, attempt := tr.life.id, tr.life.attempts.Load()
	w, err := t.acquire(o, id, key, mode, timeout != 0)
	if w == nil {
		if err == nil {
			tr.armLockDeadline()
		}
		tr.mu.Unlock()
		return err
	}
	// The request is queued: wait without the transaction's lock, bounded
	// by the lock's timeout and the transaction's deadline, whichever
	// comes first.
	wait := timeout
	txDeadline := false
	if tr.timeout > 0 {
		left := time.Duration(tr.created) + tr.timeout - time.Duration(tr.db.now())
		if wait < 0 || left < wait {
			wait, txDeadline = max(left, 0)+time.Microsecond, true
		}
	}
	tr.mu.Unlock()

	var expired <-chan time.Time
	if wait > 0 {
		timer := time.NewTimer(wait)
		defer timer.Stop()
		expired = timer.C
	}
	var done <-chan struct{}
	if ctx != nil {
		done = ctx.Done()
	}
	why := error(nil)
wait:
	for {
		select {
		case _, open := <-w.ready:
			if !open || w.spin() {
				break wait // granted, or withdrawn by the attempt's end
			}
		case <-expired:
			if !txDeadline {
				why = newError(codeLockTimeout, "lock on %s not granted within %v", printable(key), timeout)
			}
			break wait
		case <-done:
			why = lockAbandoned(key, ctx.Err())
			break wait
		case <-tr.db.closing:
			why = newError(codeDatabaseClosed, "")
			break wait
		}
	}

	tr.lock()
	granted := t.settle(w)
	// The grant stands only if the attempt is still going: if it ended
	// meanwhile, settleAttempt released the lock with the others.
	err = tr.check() // also cancels a transaction whose timeout elapsed
	switch {
	case err != nil:
	case tr.life.id != id || tr.life.attempts.Load() != attempt:
		err = newError(codeTransactionCancelled, "the attempt ended while waiting for the lock on %s", printable(key))
	case granted:
		tr.armLockDeadline()
	case why != nil:
		err = why
	default: // woken at the deadline a hair early
		err = newError(codeTransactionTimedOut, "timeout of %v elapsed", tr.timeout)
	}
	a := tr.takePending()
	tr.mu.Unlock()
	a.run()
	return err
}

// lockAbandoned is the error of a Lock that the transaction's context
// ended: it matches the context's error.
func lockAbandoned(key []byte, cerr error) error {
	return fmt.Errorf("plinth: lock on %s abandoned: %w", printable(key), cerr)
}

// Locks returns the locks held now, sorted by key, with their holders and
// the number of transactions waiting for each.
func (db *DB) Locks() []LockInfo {
	t := &db.locks
	t.mu.Lock()
	out := make([]LockInfo, 0, t.n)
	for _, e := range t.buckets {
		for ; e != nil; e = e.next {
			in := LockInfo{Key: clone(e.key), Mode: LockShared, Waiting: len(e.queue)}
			for _, h := range e.holders {
				in.Holders = append(in.Holders, h.id)
				if h.mode == LockExclusive {
					in.Mode = LockExclusive
				}
			}
			out = append(out, in)
		}
	}
	t.mu.Unlock()
	slices.SortFunc(out, func(a, b LockInfo) int { return bytes.Compare(a.Key, b.Key) })
	return out
}

// lockTable is the database's locks: an entry per key that is held or
// waited for, and nothing else, so its memory follows the locks in use.
// One mutex guards it all, since deadlock detection needs a consistent view
// of every transaction's waits; it is held for constant work per request
// and release, amortised over the table's resizes.
//
// The entries are in a hash table of its own: buckets of entries chained
// by next, hashed with maphash, doubled when the entries outnumber the
// buckets and quartered when they fall under an eighth. Unlike a Go map it
// gives its memory back as it empties, and adding and dropping an entry is
// a pointer swap, with no copy of the key into a string.
type lockTable struct {
	mu      sync.Mutex
	buckets []*lockEntry // len a power of two; nil until the first Lock
	seed    maphash.Seed
	n       int          // entries
	grant   uint64       // grants so far: orders lockHolder.seq
	free    []*lockEntry // released entries kept for reuse
}

const (
	minLockBuckets     = 16
	maxFreeLockEntries = 64
)

// lockEntry is one key's lock: who holds it and who waits, first come
// first served. An entry with waiters always has holders: a lock nobody
// holds grants its queue's head at once.
type lockEntry struct {
	key        []byte
	hash       uint64
	next       *lockEntry // with the same hash
	holders    []lockHolder
	queue      []*lockWaiter
	holdersBuf [1]lockHolder
}

type lockHolder struct {
	owner *lockOwner
	id    uint64 // the transaction's ID, for Locks
	mode  LockMode
	seq   uint64 // when it was granted (lockTable.grant)
}

// lockOwner is a transaction's part of the lock table: the locks its
// current attempt holds and the request it waits on. Made at the first
// Lock; the fields but timer and deadline are guarded by the table's mutex.
type lockOwner struct {
	held    []*lockEntry // in acquisition order
	wait    *lockWaiter  // the request waiting, or nil
	heldBuf [2]*lockEntry

	// Guarded by the transaction's mu: the timer that ends a transaction
	// with a timeout at its deadline while it holds locks.
	timer    *time.Timer
	deadline int64
}

// lockWaiter is a queued request. ready is closed when the request is
// granted or withdrawn by the end of the attempt.
//
// ready also carries one value when the request reaches the head of the
// queue: the lock is then likely to be granted within a holder's short
// critical section, so the waiter spins for it a little (see spin) instead
// of parking. A parked goroutine woken by the holder's release would only
// run once that holder's goroutine parks too, leaving the other processors
// idle; a spinning one takes the lock at once and runs beside it.
type lockWaiter struct {
	owner    *lockOwner
	entry    *lockEntry
	id       uint64
	mode     LockMode
	upgrade  bool // the owner holds the key shared
	ready    chan struct{}
	headed   bool        // told it is at the head of the queue
	done     atomic.Bool // granted or released: set before ready is closed
	granted  bool
	released bool // the attempt ended while it waited
}

// lockSpins bounds the spinning of the waiter at the head of a queue: a
// few tens of microseconds, longer than a short transaction's critical
// section, shorter than a slow holder's.
const lockSpins = 200

// spin yields the processor until w is granted or released, at most
// lockSpins times; it reports whether w was.
func (w *lockWaiter) spin() bool {
	for range lockSpins {
		if w.done.Load() {
			return true
		}
		runtime.Gosched()
	}
	return w.done.Load()
}

// acquire takes key's lock in mode for o, at once if it can: it returns
// (nil, nil) when granted or already held. Otherwise, if wait is false, it
// returns ErrLockTimeout; if waiting would deadlock, ErrDeadlock; else it
// queues the request and returns its waiter.
func (t *lockTable) acquire(o *lockOwner, id uint64, key []byte, mode LockMode, wait bool) (*lockWaiter, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	h := t.hash(key)
	e := t.find(h, key)
	if e == nil {
		e = t.newEntry(h, key)
		t.hold(o, e, id, mode)
		return nil, nil
	}
	upgrade := false
	for i := range e.holders {
		if h := &e.holders[i]; h.owner == o {
			if h.mode == LockExclusive || mode == LockShared {
				return nil, nil // re-entrant
			}
			upgrade = true
			if len(e.holders) == 1 {
				h.mode, h.seq = LockExclusive, t.nextGrant()
				return nil, nil
			}
			break
		}
	}
	w := &lockWaiter{owner: o, entry: e, id: id, mode: mode, upgrade: upgrade}
	if !upgrade && len(e.queue) == 0 && e.admits(w) {
		t.hold(o, e, id, mode)
		return nil, nil
	}
	if !wait {
		return nil, newError(codeLockTimeout, "lock on %s is not free and the timeout is 0", printable(key))
	}
	if o.wait != nil {
		return nil, newError(codeClientInvalidOperation, "lock on %s: another Lock of the transaction is waiting", printable(key))
	}
	if upgrade {
		// Ahead of every other request: they wait for this holder anyway.
		e.queue = slices.Insert(e.queue, 0, w)
	} else {
		e.queue = append(e.queue, w)
	}
	o.wait = w
	if n := t.cycle(o); n > 0 {
		t.withdraw(w)
		return nil, newError(codeDeadlock, "waiting for the lock on %s would close a cycle of %d transactions waiting for each other", printable(key), n)
	}
	w.ready = make(chan struct{}, 1)
	t.promote(e)
	return w, nil
}

// hash returns key's hash. Called with t.mu held.
func (t *lockTable) hash(key []byte) uint64 {
	if t.buckets == nil {
		t.seed = maphash.MakeSeed()
		t.buckets = make([]*lockEntry, minLockBuckets)
	}
	return maphash.Bytes(t.seed, key)
}

// find returns key's entry, or nil. Called with t.mu held.
func (t *lockTable) find(h uint64, key []byte) *lockEntry {
	e := t.buckets[h&uint64(len(t.buckets)-1)]
	for e != nil && (e.hash != h || !bytes.Equal(e.key, key)) {
		e = e.next
	}
	return e
}

// resize rehashes the entries into n buckets. Called with t.mu held.
func (t *lockTable) resize(n int) {
	old := t.buckets
	t.buckets = make([]*lockEntry, n)
	mask := uint64(n - 1)
	for _, e := range old {
		for e != nil {
			next := e.next
			b := &t.buckets[e.hash&mask]
			e.next, *b = *b, e
			e = next
		}
	}
}

// promote tells the request at the head of e's queue that it is, once.
// Called with t.mu held.
func (t *lockTable) promote(e *lockEntry) {
	if len(e.queue) > 0 {
		if w := e.queue[0]; !w.headed {
			w.headed = true
			w.ready <- struct{}{} // buffered: never blocks
		}
	}
}

// settle ends a wait: it reports whether w was granted, and withdraws it
// if it is still queued.
func (t *lockTable) settle(w *lockWaiter) (granted bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !w.granted && !w.released {
		t.withdraw(w)
	}
	return w.granted
}

// withdraw takes the queued request w out of its entry's queue; the
// requests behind it may then be granted. Called with t.mu held.
func (t *lockTable) withdraw(w *lockWaiter) {
	e := w.entry
	if i := slices.Index(e.queue, w); i >= 0 {
		e.queue = slices.Delete(e.queue, i, i+1)
	}
	if w.owner.wait == w {
		w.owner.wait = nil
	}
	t.grantQueued(e)
	t.promote(e)
	t.dropIfIdle(e)
}

// newEntry adds an entry for key, whose hash is h. Called with t.mu held.
func (t *lockTable) newEntry(h uint64, key []byte) *lockEntry {
	var e *lockEntry
	if n := len(t.free); n > 0 {
		e, t.free = t.free[n-1], t.free[:n-1]
	} else {
		e = &lockEntry{}
		e.holders = e.holdersBuf[:0]
	}
	e.key = append(e.key[:0], key...)
	e.hash = h
	if t.n >= len(t.buckets) {
		t.resize(2 * len(t.buckets))
	}
	b := &t.buckets[h&uint64(len(t.buckets)-1)]
	e.next, *b = *b, e
	t.n++
	return e
}

func (t *lockTable) nextGrant() uint64 {
	t.grant++
	return t.grant
}

// hold records o as a holder of e. Called with t.mu held.
func (t *lockTable) hold(o *lockOwner, e *lockEntry, id uint64, mode LockMode) {
	e.holders = append(e.holders, lockHolder{owner: o, id: id, mode: mode, seq: t.nextGrant()})
	o.held = append(o.held, e)
}

// admits reports whether w could be granted given e's holders alone.
func (e *lockEntry) admits(w *lockWaiter) bool {
	if w.upgrade {
		return len(e.holders) == 1 && e.holders[0].owner == w.owner
	}
	if w.mode == LockExclusive {
		return len(e.holders) == 0
	}
	for _, h := range e.holders {
		if h.mode == LockExclusive {
			return false
		}
	}
	return true
}

// grantQueued grants e's waiting requests from the head of its queue for as
// long as each is admitted. Called with t.mu held.
func (t *lockTable) grantQueued(e *lockEntry) {
	n := 0
	for n < len(e.queue) && e.admits(e.queue[n]) {
		w := e.queue[n]
		if w.upgrade {
			e.holders[0].mode, e.holders[0].seq = LockExclusive, t.nextGrant()
		} else {
			t.hold(w.owner, e, w.id, w.mode)
		}
		w.granted = true
		w.owner.wait = nil
		w.done.Store(true)
		close(w.ready)
		n++
	}
	if n > 0 {
		e.queue = slices.Delete(e.queue, 0, n)
		t.promote(e)
	}
}

// dropIfIdle removes e from the table once nobody holds or waits for it.
// Called with t.mu held.
func (t *lockTable) dropIfIdle(e *lockEntry) {
	if len(e.holders) > 0 || len(e.queue) > 0 {
		return
	}
	p := &t.buckets[e.hash&uint64(len(t.buckets)-1)]
	for *p != e {
		p = &(*p).next
	}
	*p = e.next
	t.n--
	e.next = nil
	if cap(e.key) > 64 {
		e.key = nil
	}
	if cap(e.holders) > len(e.holdersBuf) {
		e.holders = e.holdersBuf[:0]
	}
	if cap(e.queue) > 4 {
		e.queue = nil
	}
	if len(t.free) < maxFreeLockEntries {
		t.free = append(t.free, e)
	}
	if len(t.buckets) > minLockBuckets && t.n < len(t.buckets)/8 {
		t.resize(max(len(t.buckets)/4, minLockBuckets))
	}
}

// release releases every lock o holds, newest first, granting what each
// release admits, and withdraws o's waiting request. Called with t.mu
// held.
func (t *lockTable) release(o *lockOwner) {
	if w := o.wait; w != nil {
		w.released = true
		w.done.Store(true)
		close(w.ready)
		t.withdraw(w)
	}
	for i := len(o.held) - 1; i >= 0; i-- {
		e := o.held[i]
		if len(e.holders) == 1 {
			e.holders[0] = lockHolder{}
			e.holders = e.holders[:0]
		} else if j := slices.IndexFunc(e.holders, func(h lockHolder) bool { return h.owner == o }); j >= 0 {
			e.holders = slices.Delete(e.holders, j, j+1)
		}
		t.grantQueued(e)
		t.dropIfIdle(e)
	}
	clear(o.held)
	o.held = o.held[:0]
	if cap(o.held) > 1024 {
		o.held = o.heldBuf[:0]
	}
}

// cycle reports the length of a cycle of waiting transactions through o,
// which has just queued a request, or 0 if there is none. A waiting
// request waits for the key's holders it is incompatible with and for
// every request queued ahead of it. Called with t.mu held.
func (t *lockTable) cycle(o *lockOwner) int {
	type step struct {
		owner *lockOwner
		depth int
	}
	var seenBuf [16]*lockOwner
	var stackBuf [16]step
	seen := seenBuf[:0]
	stack := append(stackBuf[:0], step{o, 0})
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		w := s.owner.wait
		if w == nil {
			continue
		}
		found := 0
		w.blockers(func(b *lockOwner) {
			switch {
			case found > 0:
			case b == o:
				found = s.depth + 1
			case !slices.Contains(seen, b):
				seen = append(seen, b)
				stack = append(stack, step{b, s.depth + 1})
			}
		})
		if found > 0 {
			return found
		}
	}
	return 0
}

// blockers calls fn for every transaction the queued request w waits for.
func (w *lockWaiter) blockers(fn func(*lockOwner)) {
	e := w.entry
	for _, h := range e.holders {
		if h.owner != w.owner && (w.mode == LockExclusive || h.mode == LockExclusive) {
			fn(h.owner)
		}
	}
	for _, q := range e.queue {
		if q == w {
			break
		}
		fn(q.owner)
	}
}

// releaseLocks releases the locks of the attempt that is ending; it does
// nothing for a transaction that never locked, or that holds nothing now,
// so settleAttempt may call it more than once. Called with mu held.
func (tr *Transaction) releaseLocks() {
	if tr.rs != nil && tr.rs.locks != nil {
		tr.rs.locks.releaseAll(&tr.db.locks)
	}
}

func (o *lockOwner) releaseAll(t *lockTable) {
	if o.timer != nil {
		o.timer.Stop()
		o.timer = nil
	}
	t.mu.Lock()
	if len(o.held) > 0 || o.wait != nil {
		t.release(o)
	}
	t.mu.Unlock()
}

// armLockDeadline makes a transaction with a timeout end at its deadline
// while it holds locks, so that a transaction left idle does not keep
// others waiting past it. Called with mu held, after a grant.
func (tr *Transaction) armLockDeadline() {
	o := tr.rs.locks
	if tr.timeout <= 0 {
		return
	}
	deadline := tr.created + int64(tr.timeout)
	if o.timer != nil && o.deadline == deadline {
		return
	}
	if o.timer != nil {
		o.timer.Stop()
	}
	o.deadline = deadline
	// Just past the deadline, so that check sees it elapsed.
	o.timer = time.AfterFunc(time.Duration(deadline-tr.db.now())+time.Microsecond, func() {
		tr.lock()
		tr.check() // cancels the transaction if its timeout elapsed
		a := tr.takePending()
		tr.mu.Unlock()
		a.run()
	})
}
