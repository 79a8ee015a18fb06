package kv

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Transaction is one optimistic transaction: it reads at a single read
// version (taken at its first read), buffers its writes, and at Commit is
// accepted only if nothing it read was written by a commit after its read
// version. Reads see the transaction's own writes.
//
// A Transaction is safe for concurrent use: its methods may be called from
// several goroutines at once (FoundationDB allows concurrent reads in one
// transaction), and they are serialised by an internal lock that is never
// held while user code runs, so a loop body over Iterate may read and write
// the same transaction. Calls made while Commit runs wait for it and then
// fail with ErrUsedDuringCommit.
type Transaction struct {
	mu sync.Mutex
	db *DB

	// The transaction's state. A retry loop hands it back to a pool when it
	// has ended, if what it ended with fits in kept; the next call on the
	// transaction rebuilds it from kept (lock), so a *Transaction kept past
	// its Transact behaves as if nothing had been recycled.
	*txn
	kept kept

	// While an iterator is open (txn.iters > 0), every taking of the lock
	// counts in changes, so that the iterator can tell, with one atomic
	// load, that nobody has touched the transaction since it last held the
	// lock, and hand out the next row of its batch without taking the lock
	// (see iterate). Code that never iterates pays one branch per lock.
	changes atomic.Uint64
}

// txn is a transaction's state. Its parts are named for what each keeps;
// their fields are promoted, so code reads tr.rv, tr.reads, tr.timeout.
type txn struct {
	lifecycle    // identity, outcome and callbacks across attempts (lifecycle.go)
	options      // what the caller set; some kept across attempts
	retryState   // the timeout clock and backoff across attempts
	readVersion  // the attempt's read version and its registration (read.go)
	conflicts    // the attempt's read conflict ranges and its size
	outcome      // how the attempt's Commit ended (commit.go)
	attemptState // everything else an attempt builds up

	// iters counts the open iterators (see Transaction.changes). Neither
	// Reset nor OnError clears it: an iterator's end does.
	iters int

	// Inline first buffers: a small transaction allocates none of its own.
	arenaBuf [24]byte
	readsBuf [1]span
}

// rareState holds what most transactions never use (callbacks, watches,
// savepoints), allocated at the first use so that the common transaction
// stays small: its size is paid at every allocation and every collection.
type rareState struct {
	callbacks []callback // OnCommit and OnAbort of the current attempt (lifecycle.go)
	pending   *after     // user code to run once the lock is released (lifecycle.go)
	watches   []*Watch   // made in this attempt, not yet active (watch.go)
	saves     []saveMark // live savepoints, oldest first (savepoint.go)
	spSeq     uint64
	lostOn    []byte              // the key whose conflict failed the last attempt (hot.go)
	claim     *claim              // the key whose first turn the transaction claimed (hot.go)
	stamp     *FutureVersionstamp // the attempt's GetVersionstamp future (mutation.go)
	locks     *lockOwner          // the attempt's locks (lock.go); nil until the first Lock
	endErr    error               // why the transaction ended, when it did not commit (lifecycle.go)
	commitErr error               // why the attempt's Commit failed (commit.go)
	ctx       context.Context     // TransactContext's, unless it is context.Background()
}

// rare returns the transaction's rareState, allocating it. Called with mu
// held.
func (tr *Transaction) rare() *rareState {
	if tr.rs == nil {
		tr.rs = &rareState{}
	}
	return tr.rs
}

// takeStamp returns the attempt's versionstamp future, if any, and forgets
// it. Called with mu held.
func (tr *Transaction) takeStamp() *FutureVersionstamp {
	if tr.rs == nil || tr.rs.stamp == nil {
		return nil
	}
	s := tr.rs.stamp
	tr.rs.stamp = nil
	return s
}

// options are the transaction's options. Timeout, retry limit, max retry
// delay and the idempotency key survive OnError, as FoundationDB's
// persistent options do, and Reset restores them from the database's
// Options; the isolation level (and the name, in lifecycle) survive Reset
// too. The others belong to one attempt.
type options struct {
	timeout       time.Duration
	retryLimit    int
	maxRetryDelay time.Duration
	idem          *idemOption // SetIdempotencyKey; nil: none

	// The size limit and the key-space switches belong to one attempt; the
	// isolation level is kept like the options above.
	sizeLimit   int
	isolation   Isolation
	readSystem  bool
	writeSystem bool
	noNextWCR   bool // SetNextWriteNoWriteConflictRange pending

	// autoLock: run by Transact or TransactContext, whose loop ends every
	// attempt, so its first read may lock a hot key (hot.go).
	autoLock bool

	// readOnly: run by ReadTransact or ReadTransactContext, whose
	// transaction is never committed. Its reads record no read conflict
	// ranges, which only a commit would check, and Commit refuses its
	// writes rather than commit them unchecked (commit.go).
	readOnly bool
}

// retryState spans attempts: OnError keeps it, Reset restarts it.
type retryState struct {
	created int64 // clock reading the timeout runs from
	retries int
	backoff time.Duration
}

// readVersion is the version an attempt reads at: taken at the first read
// (ensureReadVersion) or set (SetReadVersion), registered with db.readers so
// that the conflict history keeps what it needs (releaseReadVersion ends
// that), and refused once older than the window (checkAge).
type readVersion struct {
	hasRV      bool
	registered bool // rv is counted in db.readers
	rv         int64
	rvTime     int64 // clock reading the read version's window runs from
}

// conflicts are an attempt's read conflict ranges, whose keys live in
// arena, and the size the attempt's mutations and conflict ranges count
// toward its limit (countMutation, countRange, checkSize in write.go).
type conflicts struct {
	reads []span
	arena []byte
	size  int // bytes, as FoundationDB counts them
}

// outcome is how the attempt's Commit ended: committedVer is the version
// it committed at, -1 for a read-only commit, notCommitted before a
// successful one. Why a Commit failed is rarer, and kept in rareState.
type outcome struct {
	committedVer int64
}

// notCommitted is committedVer until the attempt commits.
const notCommitted = math.MinInt64

// committed reports whether the attempt's Commit succeeded (or found its
// idempotency key already committed).
func (o *outcome) committed() bool { return o.committedVer != notCommitted }

// setCommitErr records why the attempt's Commit failed, or clears it.
func (tr *Transaction) setCommitErr(err error) {
	if err != nil {
		tr.rare().commitErr = err
	} else if tr.rs != nil {
		tr.rs.commitErr = nil
	}
}

// commitErr returns why the attempt's Commit failed, if it did.
func (tr *Transaction) commitErr() error {
	if tr.rs == nil {
		return nil
	}
	return tr.rs.commitErr
}

// attemptState is the rest of what one attempt builds up; OnError and
// Reset clear it.
type attemptState struct {
	state    txState
	gen      uint32       // the attempt's number, for savepoints
	stateErr error        // why the transaction is cancelled, for stateCancelled
	err      error        // the first deferred error of a write or option call
	writes   *writeBuffer // nil until the first write
	rs       *rareState   // nil until a callback, watch, lock, savepoint or versionstamp needs it
}

type txState uint8

const (
	stateActive txState = iota
	stateCommitted
	stateCancelled
)

// Approximate per-entry overheads FoundationDB adds to a transaction's size:
// each mutation costs its key and param bytes plus about 56 bytes, each read
// or write conflict range its two endpoints plus about 32 (the in-memory size
// of the struct that carries it; fdbclient/NativeAPI.actor.cpp). A ClearRange
// costs its endpoints, never the data it clears.
const (
	mutationOverhead = 56
	rangeOverhead    = 32
)

func (tr *Transaction) init() {
	o := &tr.db.opts
	tr.created = tr.db.now()
	tr.timeout = o.TransactionTimeout
	tr.retryLimit = o.TransactionRetryLimit
	tr.maxRetryDelay = o.MaxRetryDelay
	tr.retries = 0
	tr.backoff = initialBackoff
	tr.idem = nil
	tr.resetAttempt()
}

// resetAttempt clears what one attempt built up, keeping the persistent
// options and the retry state.
func (tr *Transaction) resetAttempt() {
	tr.failWatches(nil)
	if s := tr.takeStamp(); s != nil {
		s.resolve(Versionstamp{}, newError(codeTransactionCancelled, "transaction was reset before commit"))
	}
	tr.gen++
	if tr.rs != nil {
		clear(tr.rs.saves)
		tr.rs.saves = tr.rs.saves[:0]
	}
	tr.state = stateActive
	tr.stateErr = nil
	tr.err = nil
	tr.sizeLimit = tr.db.opts.SizeLimit
	tr.readSystem, tr.writeSystem, tr.noNextWCR = false, false, false
	tr.releaseReadVersion()
	tr.hasRV, tr.rv, tr.rvTime = false, 0, 0
	if tr.writes != nil {
		tr.writes.reset()
	}
	clear(tr.reads)
	tr.reads = tr.reads[:0]
	if tr.reads == nil {
		tr.reads = tr.readsBuf[:0]
	}
	tr.size = 0
	// Spans of the previous attempt are gone, so the arena can be reused.
	tr.arena = tr.arena[:0]
	if tr.arena == nil {
		tr.arena = tr.arenaBuf[:0]
	}
	tr.committedVer = notCommitted
	tr.setCommitErr(nil)
}

// Context returns the context of the TransactContext or
// ReadTransactContext call running the transaction, or
// context.Background() for Transact and bare transactions. Blocking calls
// made through the transaction (waits on its futures) end when it is done.
func (tr *Transaction) Context() context.Context {
	tr.lock()
	defer tr.mu.Unlock()
	return tr.contextLocked()
}

// contextLocked is Context, called with mu held.
func (tr *Transaction) contextLocked() context.Context {
	if ctx := tr.context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

// context returns the context the transaction was given, or nil for
// context.Background(). Called with mu held.
func (tr *Transaction) context() context.Context {
	if tr.rs == nil {
		return nil
	}
	return tr.rs.ctx
}

// setContext keeps ctx for the retry loop running the transaction.
// Transact and ReadTransact run with context.Background(), which Context
// returns anyway, so it is not kept: it would cost each of their
// transactions the room of an interface.
func (tr *Transaction) setContext(ctx context.Context) {
	if ctx != context.Background() {
		tr.rare().ctx = ctx
	}
}

// commitOutcome reports whether Commit ran in the current attempt and, if
// so, its error.
func (tr *Transaction) commitOutcome() (committed bool, err error) {
	tr.lock()
	defer tr.mu.Unlock()
	return tr.state == stateCommitted, tr.commitErr()
}

// Reset returns the transaction to its freshly created state: writes, reads,
// conflict ranges and options are dropped, the retry count and backoff start
// over, and the timeout clock restarts. The ID and the name stay; the
// attempt's OnAbort callbacks run. A transaction that had ended (committed,
// cancelled, given up) becomes a new transaction with a new ID.
func (tr *Transaction) Reset() {
	tr.lock()
	tr.settleAttempt(errReset)
	tr.init()
	tr.readOnly = false // the caller's own transaction from here, which may commit
	tr.restart()
	a := tr.takePending()
	tr.mu.Unlock()
	a.run()
}

// errReset is why an attempt ended by Reset ended.
var errReset = &Error{Code: codeTransactionCancelled, Detail: "transaction was reset"}

// Cancel makes every later operation on the transaction fail with
// ErrTransactionCancelled, until Reset. A pending versionstamp future fails
// with it too. Cancel ends the transaction: the attempt's OnAbort callbacks
// and the OnAbort hook run, unless it had already ended.
func (tr *Transaction) Cancel() { tr.cancelWith(errCancelled) }

// cancelWith cancels the transaction for why, then runs what that leaves
// pending.
func (tr *Transaction) cancelWith(why error) {
	tr.lock()
	tr.cancelLocked(why)
	a := tr.takePending()
	tr.mu.Unlock()
	a.run()
}

// errCancelled is the state error of a plain Cancel; shared, since Cancel
// runs at the end of every ReadTransact.
var errCancelled = &Error{Code: codeTransactionCancelled}

func (tr *Transaction) cancelLocked(why error) {
	if tr.state == stateCancelled {
		return
	}
	tr.state = stateCancelled
	tr.stateErr = why
	tr.settleAttempt(why)
	tr.end(why)
	tr.releaseReadVersion()
	tr.releaseWrites()
	tr.failWatches(why)
	if s := tr.takeStamp(); s != nil {
		s.resolve(Versionstamp{}, why)
	}
}

// check returns the error that stops any operation now: database closed,
// transaction cancelled or timed out, or commit already called. Called with
// mu held.
func (tr *Transaction) check() error {
	if err := tr.db.checkOpen(); err != nil {
		return err
	}
	switch tr.state {
	case stateCancelled:
		return tr.stateErr
	case stateCommitted:
		return newError(codeUsedDuringCommit, "the transaction was committed; call Reset or OnError before reusing it")
	}
	if tr.timeout > 0 && tr.db.now()-tr.created > int64(tr.timeout) {
		tr.cancelLocked(newError(codeTransactionTimedOut, "timeout of %v elapsed", tr.timeout))
		return tr.stateErr
	}
	return nil
}

// checkRead is check plus the deferred error of an earlier write or option
// call. As in FoundationDB, calls that return nothing (Set, Clear, the atomic
// ops, SetReadVersion) keep their error on the transaction, and the next
// read or Commit returns it (fdbclient/ThreadSafeTransaction.cpp).
func (tr *Transaction) checkRead() error {
	if err := tr.check(); err != nil {
		return err
	}
	return tr.err
}

// defer records err as the deferred error unless one is already recorded.
func (tr *Transaction) deferErr(err error) {
	if tr.err == nil {
		tr.err = err
	}
}

// SetTimeout makes the transaction fail with ErrTransactionTimedOut once d
// has passed since it was created or last Reset; the deadline spans retries
// (OnError keeps it). 0 disables the timeout; a negative d is refused with
// ErrInvalidOptionValue at the next read or commit.
func (tr *Transaction) SetTimeout(d time.Duration) {
	tr.lock()
	defer tr.mu.Unlock()
	if d < 0 {
		tr.deferErr(newError(codeInvalidOptionValue, "timeout %v is negative", d))
		return
	}
	tr.timeout = d
}

// SetRetryLimit makes OnError give up, returning the error it was given,
// once n retries were made; -1 means no limit. It survives OnError.
func (tr *Transaction) SetRetryLimit(n int) {
	tr.lock()
	defer tr.mu.Unlock()
	if n < -1 {
		tr.deferErr(newError(codeInvalidOptionValue, "retry limit %d is below -1", n))
		return
	}
	tr.retryLimit = n
}

// SetMaxRetryDelay caps the exponential backoff of OnError (default 1 s;
// after a conflict the backoff grows to 2 ms at most, see Options).
// It survives OnError.
func (tr *Transaction) SetMaxRetryDelay(d time.Duration) {
	tr.lock()
	defer tr.mu.Unlock()
	if d < 0 {
		tr.deferErr(newError(codeInvalidOptionValue, "max retry delay %v is negative", d))
		return
	}
	tr.maxRetryDelay = d
}

// SetSizeLimit sets the most bytes of mutations and conflict ranges the
// transaction may hold (default 10,000,000; at least 32). Going over fails
// the transaction with ErrTransactionTooLarge. Unlike FoundationDB, limits
// above 10,000,000 are allowed. OnError restores the default.
func (tr *Transaction) SetSizeLimit(bytes int) {
	tr.lock()
	defer tr.mu.Unlock()
	if bytes < minSizeLimit {
		tr.deferErr(newError(codeInvalidOptionValue, "size limit %d is below %d bytes", bytes, minSizeLimit))
		return
	}
	tr.sizeLimit = bytes
}

// SetAccessSystemKeys allows reads and writes of keys in [\xff, \xff\xff)
// for the current attempt.
func (tr *Transaction) SetAccessSystemKeys() {
	tr.lock()
	defer tr.mu.Unlock()
	tr.readSystem, tr.writeSystem = true, true
}

// SetReadSystemKeys allows reads of keys in [\xff, \xff\xff) for the current
// attempt.
func (tr *Transaction) SetReadSystemKeys() {
	tr.lock()
	defer tr.mu.Unlock()
	tr.readSystem = true
}

// SetNextWriteNoWriteConflictRange makes the next Set, Clear, ClearRange or
// atomic operation add no write conflict range. A conflict range the key
// already has is kept.
func (tr *Transaction) SetNextWriteNoWriteConflictRange() {
	tr.lock()
	defer tr.mu.Unlock()
	tr.noNextWCR = true
}

// w returns the write buffer, creating it at the first write.
func (tr *Transaction) w() *writeBuffer {
	if tr.writes == nil {
		tr.writes = writeBuffers.Get().(*writeBuffer)
	}
	return tr.writes
}

// releaseWrites gives the write buffer back once the transaction has no
// more use for it: it committed, or it was cancelled, so its writes are
// applied or dropped. The transaction is left as a new one is, with no
// buffer, which Reset or a later attempt allocates again if they write.
// Nothing keeps a pointer into a buffer past the call that used it (rows
// and cursors hold the keys and values, which the buffer does not own),
// so the next transaction may reuse it. Called with mu held.
func (tr *Transaction) releaseWrites() {
	w := tr.writes
	if w == nil {
		return
	}
	tr.writes = nil
	w.recycle()
}

// GetCommittedVersion returns the version at which the transaction
// committed, or -1 if it committed read-only. Before a successful commit it
// returns ErrClientInvalidOperation.
func (tr *Transaction) GetCommittedVersion() (int64, error) {
	tr.lock()
	defer tr.mu.Unlock()
	if !tr.committed() {
		return 0, newError(codeClientInvalidOperation, "the transaction has not committed successfully")
	}
	return tr.committedVer, nil
}
