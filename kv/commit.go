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
	tr.mu.Lock()
	defer tr.mu.Unlock()
	err := tr.commit()
	if tr.state == stateActive {
		tr.state = stateCommitted
	}
	tr.commitErr = err
	tr.settleWatches(err)
	tr.releaseReadVersion()
	if tr.stamp != nil {
		if err != nil {
			tr.stamp.resolve(Versionstamp{}, err)
		} else if tr.committedVer < 0 {
			tr.stamp.resolve(Versionstamp{}, newError(codeNoCommitVersion, "the transaction committed read-only"))
		} else {
			tr.stamp.resolve(Versionstamp(mutation.Versionstamp(tr.committedVer, 0)), nil)
		}
		tr.stamp = nil
	}
	if err == nil {
		tr.end(nil) // first, so the callbacks' Info says committed
		tr.settleAttempt(nil)
	} else if tr.state != stateCancelled {
		if errors.Is(err, ErrNotCommitted) {
			tr.life.conflicts.Add(1)
		}
		tr.settleAttempt(err)
	}
	return tr.takePending(), err
}

func (tr *Transaction) commit() error {
	if err := tr.checkRead(); err != nil {
		return err
	}
	if err := tr.ctxErr(); err != nil {
		return err
	}
	if tr.writes.empty() {
		if tr.hasIdemKey {
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
		tr.committedVer, tr.committedOK = -1, true
		return nil
	}
	if tr.size > tr.sizeLimit {
		return tr.tooLarge()
	}
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
	if tr.hasIdemKey {
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
	clears, writes := tr.mutations(version, stamp)
	db.store.Apply(version, clears, writes)
	tr.recordWrites(version, stamp)
	db.committed.Store(version)
	// Watches and the change feed see the commit once it is visible.
	db.publish(tr, version, clears, writes)
	now := db.now() // read after publishing: see readVersion
	db.times = append(db.times, now)
	db.stats.commits.Add(1)
	// Collect a little garbage per commit, in proportion to what it wrote,
	// so the work keeps pace with churn without a long pause.
	db.collect(now, 2*len(writes)+8)
	if tr.hasIdemKey {
		db.idem.remember(tr.idemKey, version, now+int64(tr.idemTTL))
	}
	tr.committedVer, tr.committedOK = version, true
	return nil
}

// ctxErr returns an error matching the transaction's context's error once
// that context is done.
func (tr *Transaction) ctxErr() error {
	if tr.ctx == nil {
		return nil
	}
	if err := tr.ctx.Err(); err != nil {
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
// conflict. Called with db.commitMu held.
func (tr *Transaction) mutations(version int64, stamp [10]byte) ([]mvcc.KeyRange, []mvcc.Write) {
	w := tr.writes
	var clears []mvcc.KeyRange
	for _, c := range w.cleared {
		clears = append(clears, mvcc.KeyRange{Begin: c.begin, End: c.end})
	}
	writes := make([]mvcc.Write, 0, len(w.vsKeys)+w.count())
	w.ascend(nil, nil, func(e *wentry) bool {
		v, present := e.value, e.present
		switch {
		case e.stamped:
			v = mutation.Stamp(e.value, stampPos(e.value), stamp)
			v, present = applyOps(v, true, e.ops)
		case !e.known:
			base, ok := tr.db.store.Get(e.key, version-1)
			v, present = applyOps(base, ok, e.ops)
		}
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

// recordWrites adds the transaction's write conflict ranges to the history
// at version, coalesced first so a key written many times costs one entry.
// Versionstamped keys get theirs here, once their final key is known.
func (tr *Transaction) recordWrites(version int64, stamp [10]byte) {
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
	for _, r := range ranges {
		tr.db.history.Add(r.begin, r.end, version)
	}
}
