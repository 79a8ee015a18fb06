package kv

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/plinthdb/plinth/internal/mutation"
	"github.com/plinthdb/plinth/mvcc"
)

// Commit applies the transaction's writes atomically at a new commit
// version, if no read conflict range it recorded was written by a commit
// after its read version; otherwise it fails with a *ConflictError
// (ErrNotCommitted, retryable). A transaction with no mutations and no write
// conflict ranges is read-only: it commits without a check and
// GetCommittedVersion gives -1. After Commit, other calls fail with
// ErrUsedDuringCommit until Reset or OnError.
func (tr *Transaction) Commit() error {
	a, err := tr.commitAndSettle()
	if err != nil {
		var ce *ConflictError
		if errors.As(err, &ce) {
			tr.log(slog.LevelDebug, "plinth: transaction conflict", "conflict", ce)
		}
	}
	a.run()
	return err
}

// commitAndSettle commits and settles the attempt: its futures, watches
// and callbacks, and the transaction's end if it committed. It returns the
// user code that is left to run once no lock is held.
func (tr *Transaction) commitAndSettle() (*after, error) {
	tr.lock()
	defer tr.mu.Unlock()
	err := tr.commit()
	if tr.state == stateActive {
		tr.state = stateCommitted
	}
	tr.setCommitErr(err)
	tr.settleWatches(err)
	tr.releaseReadVersion()
	if s := tr.takeStamp(); s != nil {
		if err != nil {
			s.resolve(Versionstamp{}, err)
		} else if tr.committedVer < 0 {
			s.resolve(Versionstamp{}, newError(codeNoCommitVersion, "the transaction committed read-only"))
		} else {
			s.resolve(Versionstamp(mutation.Versionstamp(tr.committedVer, 0)), nil)
		}
	}
	if err == nil {
		tr.end(nil) // first, so the callbacks' Info says committed
		tr.settleAttempt(nil)
		tr.releaseWrites()
	} else if tr.state != stateCancelled {
		if errors.Is(err, ErrNotCommitted) {
			tr.life.conflicts.Add(1)
			var ce *ConflictError
			if errors.As(err, &ce) {
				tr.conflicted(ce)
			}
		}
		tr.settleAttempt(err)
	}
	return tr.takePending(), err
}

// commit is Commit's work, with tr.mu held. Its steps:
//
//  1. Refuse what cannot commit: a deferred error, a finished or timed-out
//     transaction, a done context. A transaction with nothing to write
//     commits read-only (version -1) without the commit lock.
//  2. Refuse a transaction over its size limit.
//  3. Under db.commitMu, which orders every commit: the database is still
//     open and the context still live (the last moment it can stop the
//     commit); the idempotency key is not remembered; the read version is
//     inside the MVCC window and the conflict history; and no read conflict
//     range (nor, under snapshot isolation, written range) meets a write
//     committed after the read version.
//  4. apply the mutations at the next version (see apply for its steps).
func (tr *Transaction) commit() error {
	if err := tr.checkRead(); err != nil {
		return err
	}
	if err := tr.ctxErr(); err != nil {
		return err
	}
	if tr.writes.empty() {
		if tr.idem != nil {
			// A duplicate that finds nothing to write still fails, so the
			// caller learns it is one.
			db := tr.db
			db.commitMu.Lock()
			err := tr.checkIdempotency(db.now())
			db.commitMu.Unlock()
			if err != nil {
				return err
			}
		}
		tr.committedVer = -1
		return nil
	}
	if tr.readOnly {
		return newError(codeClientInvalidOperation, "a ReadTransact transaction is never committed: its reads recorded no conflict ranges to check its writes against")
	}
	if tr.size > tr.sizeLimit {
		return tr.tooLarge()
	}
	// Make room before taking the lock for the store's form of the writes:
	// every commit waits while the lock is held.
	writes := tr.writes.storeForm(len(tr.writes.vsKeys) + tr.writes.count())
	db := tr.db
	db.commitMu.Lock()
	defer db.commitMu.Unlock()
	if err := db.checkOpen(); err != nil {
		return err
	}
	// The last moment a done context can still stop the commit: from here
	// on it is ordered and applied.
	if err := tr.ctxErr(); err != nil {
		return err
	}
	if tr.idem != nil {
		if err := tr.checkIdempotency(db.now()); err != nil {
			return err
		}
	}
	if len(tr.reads) > 0 || len(tr.writes.checked) > 0 {
		// Only validated ranges can be too old: like FoundationDB's
		// resolver (fdbserver/resolver/ConflictSet.cpp), a transaction
		// without read conflict ranges (or, under snapshot isolation,
		// checked writes) depends on no version, so it is never refused as
		// too old, whatever its read version.
		if err := tr.checkAge(); err != nil {
			return err
		}
		if !tr.registered && tr.rv < db.readers.safe {
			// An old SetReadVersion whose writes-since are no longer in
			// the conflict history: retrying with a new version works.
			db.stats.tooOld.Add(1)
			return newError(codeTransactionTooOld, "read version %d is older than the conflict history (%d)", tr.rv, db.readers.safe)
		}
		if tr.rv < db.history.Newest() {
			if err := tr.checkConflicts(); err != nil {
				db.stats.conflicts.Add(1)
				return err
			}
		}
	}
	version := db.committed.Load() + 1
	stamp := mutation.Versionstamp(version, 0)
	clears, writes := tr.mutations(version, stamp, writes)
	now := db.apply(tr, version, clears, writes, tr.writeRanges(stamp))
	tr.lastClock = now
	if tr.idem != nil {
		db.idem.remember(tr.idem.key, version, now+int64(tr.idem.ttl))
	}
	tr.committedVer = version
	return nil
}

// apply is the second half of every commit, once it has passed its checks
// (a transaction's, or a Restore): it makes the commit's writes visible at
// version and returns the clock reading taken after publishing. Called with
// db.commitMu held, which orders commits: versions are strictly increasing
// and gap-free. The steps, and what each keeps true:
//
//  1. The store applies the clears, then the writes, at version. Nobody
//     reads at version yet (read versions come from db.committed), so a
//     reader never sees part of a commit, however long the apply takes.
//  2. The history records the write conflict ranges at version, before the
//     version is published: a transaction that reads at version or later
//     cannot have missed them, and one that read earlier will conflict.
//  3. db.committed is set to version: from here new transactions read it.
//  4. Watches and the change feed are told, after the commit is visible.
//  5. The version's publish time is recorded; the MVCC window runs from it.
//  6. A little garbage is collected, in proportion to what was written, so
//     collection keeps pace with churn without a long pause. It removes only
//     versions that no reader inside the window can need (see collect).
func (db *DB) apply(tr *Transaction, version int64, clears []mvcc.KeyRange, writes []mvcc.Write, conflicts []span) int64 {
	db.store.Apply(version, clears, writes)
	for _, r := range conflicts {
		db.history.Add(r.begin, r.end, version)
	}
	db.committed.Store(version)
	db.publish(tr, version, clears, writes)
	now := db.now() // read after publishing: see readVersion
	db.times.push(now)
	db.stats.commits.Add(1)
	db.collect(now, collectBudget(len(writes)))
	return now
}

// ctxErr returns an error matching the transaction's context's error once
// that context is done.
func (tr *Transaction) ctxErr() error {
	ctx := tr.context()
	if ctx == nil {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("plinth: commit abandoned: %w", err)
	}
	return nil
}

// checkConflicts tests every read conflict range, and under snapshot
// isolation every range written by Set, Clear or ClearRange, against the
// history. Called with db.commitMu held.
func (tr *Transaction) checkConflicts() error {
	for _, ranges := range [2][]span{tr.reads, tr.writes.checked} {
		for _, r := range ranges {
			if v, hit := tr.db.history.Conflicts(r.begin, r.end, tr.rv); hit {
				return &ConflictError{Begin: clone(r.begin), End: clone(r.end), Version: v, ReadVersion: tr.rv}
			}
		}
	}
	return nil
}

// mutations turns the write buffer into the store's form: cleared ranges
// first, then every point write in key order, then versionstamped keys.
// Atomic ops on keys whose value the transaction did not know are applied
// here, to the newest committed value, which is why they need no read
// conflict. writes is where the point writes go, with room for them all.
// Called with db.commitMu held.
func (tr *Transaction) mutations(version int64, stamp [10]byte, writes []mvcc.Write) ([]mvcc.KeyRange, []mvcc.Write) {
	w := tr.writes
	var clears []mvcc.KeyRange
	for _, c := range w.cleared {
		clears = append(clears, mvcc.KeyRange{Begin: c.begin, End: c.end})
	}
	w.ascend(nil, nil, func(e *wentry) bool {
		var base []byte
		ok := false
		if e.kind == kindOps {
			base, ok = tr.db.store.Get(e.key, version-1)
		}
		v, present := e.overlay(base, ok, &stamp)
		writes = append(writes, mvcc.Write{Key: e.key, Value: v, Delete: !present})
		return true
	})
	for _, k := range w.vsKeys {
		writes = append(writes, mvcc.Write{Key: mutation.Stamp(k.key, k.pos, stamp), Value: k.value})
	}
	return clears, writes
}

func stampPos(b []byte) int {
	pos, _ := mutation.VersionstampOffset(b) // validated when the op was buffered
	return pos
}

// writeRanges returns the transaction's write conflict ranges, coalesced so
// that a key written many times costs one entry in the history.
// Versionstamped keys get theirs here, once their final key is known.
func (tr *Transaction) writeRanges(stamp [10]byte) []span {
	ranges := tr.writes.ranges
	for _, k := range tr.writes.vsKeys {
		if k.conflict {
			final := mutation.Stamp(k.key, k.pos, stamp)
			ranges = append(ranges, span{final, keyAfter(final)})
		}
	}
	if len(ranges) > 1 {
		slices.SortFunc(ranges, func(a, b span) int { return bytes.Compare(a.begin, b.begin) })
		out := ranges[:1]
		for _, r := range ranges[1:] {
			last := &out[len(out)-1]
			if bytes.Compare(r.begin, last.end) <= 0 {
				if bytes.Compare(r.end, last.end) > 0 {
					last.end = r.end
				}
				continue
			}
			out = append(out, r)
		}
		ranges = out
	}
	return ranges
}
