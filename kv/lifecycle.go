package kv

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// TransactionInfo is a snapshot of a transaction: who it is, how far it got
// and how it ended. Transaction.Info, the callbacks, the hooks and
// DB.ActiveTransactions hand it out by value.
type TransactionInfo struct {
	// ID is unique within the DB and the same for every attempt of one
	// transaction.
	ID uint64
	// Name is what SetName gave, or "".
	Name string
	// Attempts counts the attempts started so far (1 during the first).
	Attempts int
	// Conflicts counts the attempts that failed with ErrNotCommitted.
	Conflicts int
	// ReadVersion is the current attempt's read version, or -1 while it has
	// taken none.
	ReadVersion int64
	// CommittedVersion is the version the transaction committed its writes
	// at; -1 unless it committed writes.
	CommittedVersion int64
	// Committed reports that the transaction ended successfully; a
	// read-only commit and a successful ReadTransact count.
	Committed bool
	// Err says why the transaction ended without committing, or, in an
	// OnAbort callback, why the attempt ended; nil otherwise.
	Err error
	// Started is when the first attempt began.
	Started time.Time
	// Elapsed is the time since Started, up to the end once it ended: when
	// no hook or callback ran at the end, up to its last read or commit.
	Elapsed time.Duration
}

// Hooks are database-wide callbacks on the life of every transaction:
// Transact, TransactContext, ReadTransact, ReadTransactContext and bare
// transactions alike. Each may be nil. They run in the goroutine that made
// the transaction reach that point, with no lock of the store held, so they
// may start other transactions; a panic in one propagates to the caller of
// the call that ran it.
type Hooks struct {
	// OnStart runs once, before a transaction's first attempt.
	OnStart func(TransactionInfo)
	// OnRetry runs once per retry: an attempt failed with a retryable error
	// and the transaction will run again.
	OnRetry func(TransactionInfo, error)
	// OnCommit runs once when the transaction ended committed.
	OnCommit func(TransactionInfo)
	// OnAbort runs once when the transaction ended without committing;
	// Info.Err says why.
	OnAbort func(TransactionInfo)
}

// life is one transaction's identity and history across its attempts: the
// part of a Transaction that the registry of live transactions lists.
type life struct {
	id      uint64
	started int64 // db clock at the first attempt
	bare    bool  // made by NewTransaction, not by a retry loop
	listed  bool  // in the registry, under its shard's lock
	ended   bool  // committed, cancelled or given up; under the transaction's lock

	// Read without the transaction's lock by ActiveTransactions and by the
	// registry's pruning.
	attempts  atomic.Int32
	conflicts atomic.Int32
	rv        atomic.Int64 // the current attempt's read version; -1: none
	attemptAt atomic.Int64 // db clock when the current attempt began
	name      atomic.Pointer[string]

	prev, next *life // in shard's list while live
}

// liveShards spreads the registry of live transactions so that starting
// and ending them on many goroutines does not contend on one lock.
const liveShards = 32

type liveShard struct {
	mu   sync.Mutex
	head *life
	n    int
	next uint64   // IDs handed out by this shard so far
	_    [32]byte // keep shards on separate cache lines
}

// registry lists the live transactions. Each shard hands out the IDs
// i, i+liveShards, i+2*liveShards, ... (i its index, from 1), so a new ID
// costs no atomic operation shared by every goroutine, and an ID names its
// shard.
type registry struct {
	shards  [liveShards]liveShard
	aborted atomic.Int64
}

// add gives l a new ID and lists it, in a shard picked at random so that
// goroutines starting transactions at once rarely share one.
func (r *registry) add(l *life) {
	i := rand.Uint64() % liveShards
	s := &r.shards[i]
	s.mu.Lock()
	s.next++
	l.id = (s.next-1)*liveShards + i + 1
	l.listed = true
	l.next = s.head
	if s.head != nil {
		s.head.prev = l
	}
	s.head = l
	s.n++
	s.mu.Unlock()
}

// remove takes l out of the registry, if it is still listed.
func (r *registry) remove(l *life) {
	s := &r.shards[(l.id-1)%liveShards]
	s.mu.Lock()
	if l.listed {
		r.unlink(s, l)
	}
	s.mu.Unlock()
}

// unlink takes l out of s's list. Called with s.mu held.
func (r *registry) unlink(s *liveShard, l *life) {
	if l.prev != nil {
		l.prev.next = l.next
	} else {
		s.head = l.next
	}
	if l.next != nil {
		l.next.prev = l.prev
	}
	l.prev, l.next, l.listed = nil, nil, false
	s.n--
}

func (r *registry) count() int {
	n := 0
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		n += s.n
		s.mu.Unlock()
	}
	return n
}

// ActiveTransactions returns the live transactions, by ID: those started
// and not yet committed, cancelled or given up by OnError. A bare
// transaction (NewTransaction) whose current attempt began longer than the
// MVCC window ago is presumed dropped and no longer listed.
func (db *DB) ActiveTransactions() []TransactionInfo {
	now := db.now()
	var out []TransactionInfo
	for i := range db.live.shards {
		s := &db.live.shards[i]
		s.mu.Lock()
		for l := s.head; l != nil; l = l.next {
			out = append(out, l.info(db, now))
		}
		s.mu.Unlock()
	}
	slices.SortFunc(out, func(a, b TransactionInfo) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return out
}

// info is what the registry knows of a live transaction.
func (l *life) info(db *DB, now int64) TransactionInfo {
	in := TransactionInfo{
		ID:               l.id,
		Attempts:         int(l.attempts.Load()),
		Conflicts:        int(l.conflicts.Load()),
		ReadVersion:      l.rv.Load(),
		CommittedVersion: -1,
		Started:          db.start.Add(time.Duration(l.started)),
		Elapsed:          time.Duration(now - l.started),
	}
	if n := l.name.Load(); n != nil {
		in.Name = *n
	}
	return in
}

// begin starts the transaction's life: a new ID, the first attempt, a place
// in the registry; the OnStart hook is left pending.
func (tr *Transaction) begin() {
	db := tr.db
	l := &tr.life
	l.started = tr.created
	l.attemptAt.Store(tr.created)
	l.attempts.Store(1)
	l.conflicts.Store(0)
	l.rv.Store(-1)
	tr.life.ended = false
	if tr.rs != nil {
		tr.rs.endErr = nil
	}
	db.live.add(l) // gives the ID
	if h := db.opts.Hooks.OnStart; h != nil {
		a := tr.pendingWork()
		a.start, a.startInfo = h, tr.infoLocked()
	}
}

// lifecycle is a Transaction's part that spans its attempts: identity,
// outcome, and the callbacks of the current attempt.
type lifecycle struct {
	life life
	// lastClock is the latest clock reading the transaction took anyway (at
	// creation, a read's age check, a commit); once it ended, the end time
	// (for one with no hook or callback to run, that latest reading, which
	// spares every transaction a clock reading at its end). Why it ended,
	// when it did not commit, is in rareState.
	lastClock int64
}

// callback is one OnCommit or OnAbort registration.
type callback struct {
	fn       func(TransactionInfo)
	onCommit bool
}

// after is the user code an operation must run once it has released every
// lock: the OnStart hook, an attempt's callbacks, and the retry or end
// hook. Operations collect it in tr.rs.pending under the lock and run it after
// unlocking; a transaction with no callbacks on a DB with no hooks never
// allocates one, so those paths pay one nil check.
type after struct {
	start     func(TransactionInfo)
	startInfo TransactionInfo
	info      TransactionInfo         // for the attempt's callbacks
	commits   []func(TransactionInfo) // in registration order
	aborts    []func(TransactionInfo) // in reverse registration order
	retry     func(TransactionInfo, error)
	retryInfo TransactionInfo
	retryErr  error
	end       func(TransactionInfo) // Hooks.OnCommit or Hooks.OnAbort
	endInfo   TransactionInfo
}

// pendingWork returns tr.rs.pending, allocating it. Called with mu held.
func (tr *Transaction) pendingWork() *after {
	r := tr.rare()
	if r.pending == nil {
		r.pending = &after{}
	}
	return r.pending
}

// takePending hands over the pending user code. Called with mu held; the
// caller runs it after unlocking.
func (tr *Transaction) takePending() *after {
	if tr.rs == nil {
		return nil
	}
	a := tr.rs.pending
	tr.rs.pending = nil
	return a
}

// run runs the pending user code in the order its events happened. The end
// hook is deferred, so a panic in a callback still lets it run, once,
// before the panic propagates. A nil a does nothing.
func (a *after) run() {
	if a == nil {
		return
	}
	if a.end != nil {
		defer a.end(a.endInfo)
	}
	if a.start != nil {
		a.start(a.startInfo)
	}
	for _, fn := range a.aborts {
		fn(a.info)
	}
	for _, fn := range a.commits {
		fn(a.info)
	}
	if a.retry != nil {
		a.retry(a.retryInfo, a.retryErr)
	}
}

// ID returns the transaction's ID: unique within the DB, and the same for
// every attempt (OnError and Reset keep it). A transaction reused after it
// ended (Reset after a commit or a cancel) is a new transaction with a new
// ID.
func (tr *Transaction) ID() uint64 {
	tr.lock()
	defer tr.mu.Unlock()
	return tr.life.id
}

// Attempt returns the number of the current attempt: 1 during the first,
// one more after each retry or Reset.
func (tr *Transaction) Attempt() int {
	tr.lock()
	defer tr.mu.Unlock()
	return int(tr.life.attempts.Load())
}

// SetName names the transaction in Info, hooks and log records. Like the
// timeout it is an option of the transaction, kept by OnError and Reset.
func (tr *Transaction) SetName(name string) {
	tr.lock()
	defer tr.mu.Unlock()
	tr.life.name.Store(&name)
}

// Info returns a snapshot of the transaction so far.
func (tr *Transaction) Info() TransactionInfo {
	tr.lock()
	defer tr.mu.Unlock()
	return tr.infoLocked()
}

func (tr *Transaction) infoLocked() TransactionInfo {
	end := tr.db.now()
	if tr.life.ended {
		end = tr.lastClock
	}
	in := tr.life.info(tr.db, end)
	if tr.hasRV {
		in.ReadVersion = tr.rv
	} else {
		in.ReadVersion = -1
	}
	if tr.life.ended {
		var why error
		if tr.rs != nil {
			why = tr.rs.endErr
		}
		in.Committed = why == nil
		in.Err = why
	}
	if tr.committed() && tr.committedVer > 0 {
		in.CommittedVersion = tr.committedVer
	}
	return in
}

// OnCommit registers fn to run once if the current attempt commits: after
// the commit is visible to other transactions and no lock of the store is
// held, in registration order. If the attempt ends without committing, fn
// is dropped. An effect placed here therefore happens once per committed
// transaction, never for an attempt that was retried. fn may start other
// transactions; a panic in it propagates to the caller of Commit (or
// Transact), and the commit stands.
func (tr *Transaction) OnCommit(fn func(TransactionInfo)) {
	tr.register(fn, true)
}

// OnAbort registers fn to run once if the current attempt ends without
// committing: a failed commit, an error from Transact's fn, OnError, Reset,
// Cancel or a panic. Callbacks run in reverse registration order, as
// compensations should, with Info.Err saying why the attempt ended. If the
// attempt commits, fn is dropped.
func (tr *Transaction) OnAbort(fn func(TransactionInfo)) {
	tr.register(fn, false)
}

func (tr *Transaction) register(fn func(TransactionInfo), onCommit bool) {
	if fn == nil {
		return
	}
	tr.lock()
	defer tr.mu.Unlock()
	if tr.check() != nil {
		// A finished attempt takes no more callbacks: an OnCommit would
		// never run and an OnAbort would run at once, out of order.
		return
	}
	r := tr.rare()
	r.callbacks = append(r.callbacks, callback{fn: fn, onCommit: onCommit})
}

// settleAttempt is the one place where an attempt's end takes effect, for
// every way it ends (commit, failed commit, OnError, Reset, Cancel, a
// timeout): its OnCommit callbacks become pending if it committed (why ==
// nil), its OnAbort ones otherwise, with Info.Err = why. It may be called
// again for an attempt already settled, and then does nothing. Called with
// mu held.
func (tr *Transaction) settleAttempt(why error) {
	tr.releaseLocks() // first: callbacks run with the attempt's locks released
	if tr.rs == nil || len(tr.rs.callbacks) == 0 {
		return
	}
	r := tr.rs
	a := tr.pendingWork()
	a.info = tr.infoLocked()
	if why == nil {
		for _, c := range r.callbacks {
			if c.onCommit {
				a.commits = append(a.commits, c.fn)
			}
		}
	} else {
		a.info.Err = why
		for i := len(r.callbacks) - 1; i >= 0; i-- {
			if c := r.callbacks[i]; !c.onCommit {
				a.aborts = append(a.aborts, c.fn)
			}
		}
	}
	clear(r.callbacks)
	r.callbacks = r.callbacks[:0]
}

// end finishes the transaction's life, once: committed when why is nil,
// else aborted for why. It leaves the registry and leaves the end hook
// pending. Called with mu held.
func (tr *Transaction) end(why error) {
	if tr.life.ended {
		return
	}
	db := tr.db
	h := &db.opts.Hooks
	hook := h.OnCommit
	if why != nil {
		hook = h.OnAbort
	}
	tr.life.ended = true
	tr.giveUpTurn()
	if why != nil {
		tr.rare().endErr = why
	}
	tr.lastClock = max(tr.lastClock, tr.created)
	if hook != nil || tr.rs != nil && len(tr.rs.callbacks) > 0 {
		tr.lastClock = db.now()
	}
	db.live.remove(&tr.life)
	if why != nil {
		db.live.aborted.Add(1)
	}
	if hook != nil {
		a := tr.pendingWork()
		a.end, a.endInfo = hook, tr.infoLocked()
	}
}

// retried records a retry: the OnRetry hook becomes pending and the next
// attempt begins. Called with mu held.
func (tr *Transaction) retried(err error) {
	if h := tr.db.opts.Hooks.OnRetry; h != nil {
		a := tr.pendingWork()
		a.retry, a.retryInfo, a.retryErr = h, tr.infoLocked(), err
	}
	tr.restart()
}

// restart begins a new attempt after Reset or a retry; a transaction that
// had ended becomes a new one, with a new ID. Called with mu held.
func (tr *Transaction) restart() {
	if tr.life.ended {
		tr.begin()
		return
	}
	tr.life.attempts.Add(1)
	tr.life.rv.Store(-1)
	tr.life.attemptAt.Store(tr.db.now())
}

// prune drops from the registry the bare transactions whose current
// attempt began before cutoff: a transaction made by NewTransaction and
// dropped without Commit or Cancel never ends, and an attempt older than
// the MVCC window can read nothing more, so it is presumed abandoned. One
// that is in fact still used goes on working; it is just no longer listed.
func (r *registry) prune(cutoff int64) {
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		for l := s.head; l != nil; {
			next := l.next
			if l.bare && l.attemptAt.Load() < cutoff {
				r.unlink(s, l)
			}
			l = next
		}
		s.mu.Unlock()
	}
}

// logAttrs returns the attributes every transaction's log record carries.
func (tr *Transaction) logAttrs() []any {
	name := ""
	if n := tr.life.name.Load(); n != nil {
		name = *n
	}
	return []any{"tx", tr.life.id, "name", name, "attempt", tr.life.attempts.Load()}
}

// log writes a record about the transaction if the database has a logger.
func (tr *Transaction) log(level slog.Level, msg string, args ...any) {
	if tr.db.opts.Logger != nil {
		logRecord(tr.db.opts.Logger, tr.logAttrs(), level, msg, args...)
	}
}

// logRecord writes a record with the transaction attributes attrs (taken
// earlier, see logAttrs) followed by args.
func logRecord(l *slog.Logger, attrs []any, level slog.Level, msg string, args ...any) {
	if l == nil || !l.Enabled(context.Background(), level) {
		return
	}
	l.Log(context.Background(), level, msg, append(attrs, args...)...)
}

// LogValue renders the conflict as a group of its fields, so a log record
// shows the range and versions instead of one long string.
func (e *ConflictError) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int("code", codeNotCommitted),
		slog.String("begin", printable(e.Begin)),
		slog.String("end", printable(e.End)),
		slog.Int64("version", e.Version),
		slog.Int64("read_version", e.ReadVersion),
	)
}
