package kv

import (
	"sync"
	"sync/atomic"
)

// A retry loop's transaction is made for the loop and ends with it, so its
// state (about 380 bytes, most of what a small transaction allocates) can
// serve the next loop's transaction. The *Transaction itself cannot: the
// caller's function may keep it, and must then find it as the loop left it
// (GetCommittedVersion, Info, ID, errors from further calls, Reset). So a
// Transaction is a small handle over its state, and at the end of its loop
// recycle copies into the handle the little that an ended transaction can
// still show, if that is all it has, and returns the state to txns. The
// next call on the handle rebuilds the state from that record (lock), and
// from there on runs exactly as an unrecycled transaction does.

// txns holds recycled transaction state, zeroed.
var txns = sync.Pool{New: func() any { return new(txn) }}

// noRecycle turns recycling off, for tests that compare a recycled
// transaction with one that kept its state.
var noRecycle atomic.Bool

// bareTransaction is a NewTransaction's handle and state in one
// allocation.
type bareTransaction struct {
	tr    Transaction
	state txn
}

// kept is what a recycled transaction still answers with: everything else
// about it is what a retry loop's transaction has at the end of one
// successful first attempt with the database's options (see recyclable).
type kept struct {
	id           uint64
	started      int64 // also its creation and first attempt's start
	lastClock    int64
	rv           int64
	committedVer int64
	hasRV        bool
	state        txState // stateCommitted, or stateCancelled by errCancelled
	autoLock     bool
	readOnly     bool
}

// lock takes the transaction's lock, rebuilding its state first if its
// loop recycled it. Every method goes through it before touching the state.
func (tr *Transaction) lock() {
	tr.mu.Lock()
	if tr.txn == nil {
		tr.revive()
	}
	if tr.iters > 0 {
		tr.changes.Add(1)
	}
}

// recyclable reports whether kept holds all that distinguishes the ended
// transaction from a new one: it ended after one attempt, committed or
// finished as a ReadTransact, with nothing in rareState (callbacks,
// watches, savepoints, locks, a context, an end error), no idempotency
// key, no deferred error, no open iterator, and the database's options.
// Called with mu held.
func (tr *Transaction) recyclable() bool {
	o := &tr.db.opts
	switch {
	case noRecycle.Load(), tr.rs != nil, tr.idem != nil, tr.err != nil, tr.iters > 0,
		tr.writes != nil, tr.registered, !tr.life.ended, tr.life.listed,
		tr.life.attempts.Load() != 1, tr.life.name.Load() != nil,
		tr.timeout != o.TransactionTimeout, tr.retryLimit != o.TransactionRetryLimit,
		tr.maxRetryDelay != o.MaxRetryDelay, tr.isolation != o.Isolation:
		return false
	}
	return tr.state == stateCommitted || tr.state == stateCancelled && tr.stateErr == errCancelled
}

// recycle ends the loop's hold on the transaction: if it is recyclable,
// its state goes back to txns.
func (tr *Transaction) recycle() {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if !tr.recyclable() { // an open iterator keeps the state: see changes
		return
	}
	t := tr.txn
	tr.kept = kept{
		id:           t.life.id,
		started:      t.life.started,
		lastClock:    t.lastClock,
		rv:           t.rv,
		committedVer: t.committedVer,
		hasRV:        t.hasRV,
		state:        t.state,
		autoLock:     t.autoLock,
		readOnly:     t.readOnly,
	}
	tr.txn = nil
	*t = txn{}
	txns.Put(t)
}

// revive rebuilds a recycled transaction's state from kept: as the
// transaction was when recycle took it, with what kept does not hold as
// recyclable required it. Called with mu held.
func (tr *Transaction) revive() {
	k := &tr.kept
	tr.txn = &txn{}
	tr.init() // a new transaction's options and first attempt; its clock reading is replaced below
	tr.isolation, tr.autoLock, tr.readOnly = tr.db.opts.Isolation, k.autoLock, k.readOnly
	tr.created, tr.lastClock = k.started, k.lastClock
	l := &tr.life
	l.id, l.started, l.ended = k.id, k.started, true
	l.attempts.Store(1)
	l.rv.Store(-1)
	l.attemptAt.Store(k.started)
	tr.hasRV, tr.rv = k.hasRV, k.rv
	tr.committedVer, tr.state = k.committedVer, k.state
	if k.state == stateCancelled {
		tr.stateErr = errCancelled
	}
}
