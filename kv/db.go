package kv

import (
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plinthdb/plinth/conflict"
	"github.com/plinthdb/plinth/mvcc"
)

// DB is an open in-memory database. It is safe for concurrent use by many
// goroutines; every transaction created from it is independent.
type DB struct {
	opts  Options
	start time.Time                    // the monotonic clock's origin for versionTime
	clock atomic.Pointer[func() int64] // a test's clock instead of the monotonic one (export_test.go)

	store *mvcc.Store

	// committed is the newest version whose commit is fully applied: a new
	// read version is one atomic load of it, never a lock or a channel
	// round trip, and a commit publishes it only once every earlier commit
	// is applied.
	committed atomic.Int64
	closed    atomic.Bool

	// commitMu orders commits: conflict check, apply and publish happen as
	// one step, so versions are strictly increasing and gap-free.
	commitMu sync.Mutex
	history  *conflict.History
	readers  readers
	// times records, for recent versions, the clock reading just after each
	// was published. It decides which versions are older than the MVCC
	// window.
	times   versionTimes
	horizon int64 // versions below it may have been garbage-collected

	stats dbStats
	live  registry    // live transactions and their IDs (lifecycle.go)
	idem  idempotency // remembered idempotency keys, under commitMu

	watches watchIndex // outstanding watches (watch.go)
	feed    changeFeed // recent commits for Subscribe (feed.go)
	hot     hotKeys    // heat of conflicting keys (hot.go)
	locks   lockTable  // hot-key locks of Transaction.Lock (lock.go)

	// closing is closed when Close begins: the collector stops, and every
	// goroutine waiting on one of the database's futures is released.
	closing chan struct{}
	gcDone  chan struct{}
}

type dbStats struct {
	commits, conflicts, tooOld, retries atomic.Int64
}

// Stats counts what a database has done since Open.
type Stats struct {
	// Commits counts successful commits that wrote (read-only commits are
	// not counted).
	Commits int64
	// Conflicts counts commits refused with ErrNotCommitted.
	Conflicts int64
	// TooOld counts reads and commits refused with ErrTransactionTooOld.
	TooOld int64
	// Retries counts OnError calls that led to a retry.
	Retries int64
	// Active is the number of live transactions (see ActiveTransactions).
	Active int
	// Aborted counts transactions that ended without committing.
	Aborted int64
	// Version is the newest committed version.
	Version int64
	// Keys and Versions describe the versioned store: keys held (deleted
	// ones included until collected) and value versions kept.
	Keys, Versions int
	// ConflictRanges is the number of boundaries in the conflict history.
	ConflictRanges int
}

// initialVersion is the version of the empty database, so that every read
// version is positive, as SetReadVersion requires.
const initialVersion = 1

// Open returns a new, empty in-memory database. opts may be nil for
// defaults. An invalid option (a negative duration or size) is an error
// matching ErrInvalidOptionValue.
func Open(opts *Options) (*DB, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("plinth: open: %w", err)
	}
	db := &DB{
		opts:    o,
		start:   time.Now(),
		store:   mvcc.New(),
		history: conflict.New(),
		horizon: initialVersion,
		closing: make(chan struct{}),
		gcDone:  make(chan struct{}),
	}
	db.times.base = initialVersion
	db.times.push(0)
	db.committed.Store(initialVersion)
	go db.collectLoop()
	return db, nil
}

// Close releases the database. Every call on it or on its transactions
// afterwards returns an error matching ErrDatabaseClosed. Close is safe to
// call more than once.
func (db *DB) Close() error {
	if db.closed.Swap(true) {
		return nil
	}
	close(db.closing)
	db.watches.close()
	<-db.gcDone
	return nil
}

// Stats returns the database's counters.
func (db *DB) Stats() Stats {
	st := db.store.Stats()
	db.commitMu.Lock()
	ranges := db.history.Len()
	db.commitMu.Unlock()
	return Stats{
		Commits:        db.stats.commits.Load(),
		Conflicts:      db.stats.conflicts.Load(),
		TooOld:         db.stats.tooOld.Load(),
		Retries:        db.stats.retries.Load(),
		Active:         db.live.count(),
		Aborted:        db.live.aborted.Load(),
		Version:        db.committed.Load(),
		Keys:           st.Keys,
		Versions:       st.Versions,
		ConflictRanges: ranges,
	}
}

// now reads the monotonic clock, in nanoseconds since Open.
func (db *DB) now() int64 {
	if c := db.clock.Load(); c != nil {
		return (*c)()
	}
	return int64(time.Since(db.start))
}

func (db *DB) window() int64 { return int64(db.opts.MVCCWindow) }

// readVersion returns a new read version and the clock reading that starts
// its window. The clock is read first: the commit after the version returned
// was published after that reading, so the version cannot have been
// superseded longer than the window ago while the transaction thinks it is
// younger (see collect).
func (db *DB) readVersion() (version, at int64) {
	at = db.now()
	return db.committed.Load(), at
}

// versionTime returns the clock reading from which version v's window runs:
// when it was superseded by the next commit, or now if it is the newest. ok
// is false when v is older than the versions still tracked.
func (db *DB) versionTime(v int64) (at int64, ok bool) {
	db.commitMu.Lock()
	defer db.commitMu.Unlock()
	if v < db.horizon || v < db.times.base {
		return 0, false
	}
	i := v + 1 - db.times.base
	if i >= int64(db.times.len()) {
		return db.now(), true
	}
	return db.times.at(int(i)), true
}

// inWindow reports whether version v is still inside the MVCC window, so
// that its versions in the store are intact: garbage collection removes a
// version only once the versions above it are past the window.
func (db *DB) inWindow(v int64) bool {
	at, ok := db.versionTime(v)
	return ok && db.now()-at <= db.window()
}

// advanceHorizon drops version times older than the window and returns the
// new horizon: the newest version published at or before now-window. Any
// transaction still inside its window has a read version at or above it, so
// versions below the horizon can be forgotten. Called with commitMu held.
func (db *DB) advanceHorizon(now int64) int64 {
	cutoff := now - db.window()
	drop := 0
	for drop+1 < db.times.len() && db.times.at(drop+1) <= cutoff {
		drop++
	}
	db.times.drop(drop)
	if db.times.base > db.horizon {
		db.horizon = db.times.base
	}
	return db.horizon
}

// Garbage collection is paced here, for both of its callers: every commit
// collects a little in proportion to what it wrote, so the work keeps pace
// with churn; the collector goroutine finishes the work when commits stop,
// in steps short enough that a commit waiting for the lock is not held up
// for long (a step of store trims takes tens of microseconds; mvcc itself
// drops its lock between smaller steps, so readers wait less still).
const (
	collectPerWrite    = 2    // store trims a commit pays per key it wrote
	collectPerCommit   = 8    // and per commit
	collectStepKeys    = 256  // store trims per collector step
	collectStepHistory = 4096 // conflict-history boundaries per collector step
)

// collectBudget is what a commit that wrote n keys collects.
func collectBudget(n int) int { return collectPerWrite*n + collectPerCommit }

// collect reclaims versions and conflict history older than the horizon,
// at most budget units of store work (0: all), given the clock reading now.
// Called with commitMu held.
func (db *DB) collect(now int64, budget int) (more bool) {
	h := db.advanceHorizon(now)
	db.history.RemoveBefore(db.readers.oldest(db.committed.Load(), h))
	return db.store.Collect(h, budget)
}

// collectLoop collects garbage while the database is idle, so memory
// returns to the live data even when no commits come to do it. It works in
// bounded steps, releasing the commit lock between them.
func (db *DB) collectLoop() {
	defer close(db.gcDone)
	every := db.opts.MVCCWindow / 4
	every = min(max(every, 10*time.Millisecond), time.Second)
	t := time.NewTicker(every)
	defer t.Stop()
	swept := int64(0) // horizon of the last full sweep of the conflict history
	for {
		select {
		case <-db.closing:
			return
		case <-t.C:
		}
		db.live.prune(db.now() - db.window())
		// A full sweep is two passes that each reach the end of the key
		// space, since a pass resumes where the commit path left off.
		passes := 0
		log := db.opts.Logger
		var before mvcc.Stats
		var began time.Time
		if log != nil {
			before, began = db.store.Stats(), time.Now()
		}
		for {
			db.commitMu.Lock()
			if db.idem.keys != nil {
				db.idem.expire(db.now())
			}
			h := db.advanceHorizon(db.now())
			more := db.store.Collect(h, collectStepKeys)
			if h > swept && passes < 2 && db.history.RemoveBeforeStep(db.readers.oldest(db.committed.Load(), h), collectStepHistory) {
				passes++
			}
			if passes == 2 || db.history.Len() == 0 {
				swept, passes = h, 0
			}
			db.commitMu.Unlock()
			if !more && h <= swept {
				break
			}
			// Let a commit woken by Unlock take the lock: sync.Mutex
			// lets this loop barge back in for up to 1 ms otherwise.
			runtime.Gosched()
			select {
			case <-db.closing:
				return
			default:
			}
		}
		if log != nil {
			db.logCollection(log, before, began)
		}
	}
}

// logCollection records a sweep of the collector that reclaimed versions.
func (db *DB) logCollection(log *slog.Logger, before mvcc.Stats, began time.Time) {
	after := db.store.Stats()
	if after.Versions >= before.Versions && after.Keys >= before.Keys {
		return // nothing reclaimed: an idle tick is not worth a record
	}
	log.Debug("plinth: garbage collected",
		"versions", before.Versions-after.Versions,
		"keys", before.Keys-after.Keys,
		"live_versions", after.Versions,
		"horizon", db.horizonNow(),
		"elapsed", time.Since(began))
}

// horizonNow returns the collector's horizon: versions below it may be gone.
func (db *DB) horizonNow() int64 {
	db.commitMu.Lock()
	defer db.commitMu.Unlock()
	return db.horizon
}

func (db *DB) checkOpen() error {
	if db.closed.Load() {
		return newError(codeDatabaseClosed, "")
	}
	return nil
}

// NewTransaction returns a bare transaction, for a hand-written retry loop
// around Commit and OnError. Most callers want Transact.
//
// The transaction starts at once (Hooks.OnStart runs) and lives until it
// commits, is cancelled, or OnError gives up; call Cancel on one you drop
// otherwise.
func (db *DB) NewTransaction() *Transaction { return db.newTransaction(true) }

// newTransaction makes a transaction; bare says it is the caller's, not a
// retry loop's.
func (db *DB) newTransaction(bare bool) *Transaction {
	var tr *Transaction
	if bare {
		// Never recycled (nothing marks its end), so handle and state
		// come in one allocation.
		b := &bareTransaction{}
		b.tr.txn = &b.state
		tr = &b.tr
	} else {
		tr = &Transaction{txn: txns.Get().(*txn)}
	}
	tr.db = db
	tr.isolation = db.opts.Isolation
	tr.life.bare = bare
	tr.init()
	tr.begin()
	tr.takePending().run()
	return tr
}
