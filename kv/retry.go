package kv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"time"
)

// Backoff between retries. FoundationDB's client backs off from 10 ms after
// a conflict, doubling up to 1 s, with full jitter (DEFAULT_BACKOFF,
// BACKOFF_GROWTH_RATE and DEFAULT_MAX_BACKOFF in fdbclient/ClientKnobs.cpp;
// Transaction::onError in fdbclient/NativeAPI.actor.cpp): a few network
// round trips to the cluster. In process the commit that won is visible by
// the time the loser learns of it, and a transaction takes microseconds, so
// plinth scales both ends by the same factor: the first backoff is 20 us, a
// few commits, and the doubling stops at 2 ms. It keeps the jitter, and
// MaxRetryDelay caps the wait further. The growth has to stop that early:
// on a key that goroutines increment in a loop, a transaction that lost
// once loses its next attempt about half the time (it runs beside whoever
// holds the processors, where a first attempt mostly runs alone), so some
// lose ten or twenty times in a row; doubling up to 1 s left such a loser
// asleep for 0.5-2 s while the others went on (BenchmarkCounter's
// wait-max-us). A wait shorter than yieldBelow yields
// the processor rather than arming a timer, which would oversleep it many
// times. Too-old and future-version errors wait a flat 10 ms, as
// FoundationDB's FUTURE_VERSION_RETRY_DELAY: they wait for time to pass,
// not for another transaction.
const (
	initialBackoff    = 20 * time.Microsecond
	maxBackoff        = 2 * time.Millisecond
	yieldBelow        = 20 * time.Microsecond
	versionRetryDelay = 10 * time.Millisecond
)

// OnError decides what to do after err ended an attempt. For a retryable
// error (IsRetryable) under the retry limit it waits a jittered exponential
// backoff, resets the transaction for a new attempt (keeping its timeout,
// retry limit and max retry delay, and the timeout's clock) and returns nil.
// Otherwise (an error that is not retryable, including one that is not an
// *Error, or the retry limit reached) it returns err unchanged and cancels
// the transaction. If the transaction already timed out or was cancelled, it
// returns that error.
func (tr *Transaction) OnError(err error) error {
	return tr.onError(context.Background(), err)
}

func (tr *Transaction) onError(ctx context.Context, err error) error {
	if err == nil {
		err = newError(codeClientInvalidOperation, "OnError called without an error")
	}
	tr.lock()
	tr.failWatches(err) // the attempt's watches fail with the error that ended it
	if tr.state == stateCancelled {
		why := tr.stateErr
		a := tr.takePending()
		tr.mu.Unlock()
		a.run()
		return why
	}
	// Whatever comes next, this attempt is over.
	tr.settleAttempt(err)
	var e *Error
	giveUp := ""
	switch {
	case !errors.As(err, &e) || !codes[e.Code].retryable:
		giveUp = "not retryable"
	case tr.retryLimit >= 0 && tr.retries >= tr.retryLimit:
		giveUp = "retry limit reached"
	}
	if giveUp != "" {
		retries := tr.retries
		tr.end(err)
		tr.cancelLocked(newError(codeTransactionCancelled, "cancelled by OnError(%v): %s", err, giveUp))
		a := tr.takePending()
		tr.mu.Unlock()
		tr.log(slog.LevelWarn, "plinth: transaction gave up", "reason", giveUp, "error", err, "retries", retries)
		a.run()
		return err
	}
	tr.retries++
	var delay time.Duration
	if e.Code == codeTransactionTooOld || e.Code == codeFutureVersion {
		delay = min(versionRetryDelay, tr.maxRetryDelay)
	} else if !tr.holdsTurn() { // others wait for a claimant: it retries at once
		delay = time.Duration(rand.Int64N(int64(min(tr.backoff, tr.maxRetryDelay)) + 1))
		tr.backoff = min(tr.backoff*2, maxBackoff)
	}
	var deadline time.Duration // 0: none
	if tr.timeout > 0 {
		deadline = time.Duration(tr.created) + tr.timeout
	}
	db := tr.db
	a := tr.takePending() // the attempt's compensations run before the backoff
	tr.mu.Unlock()
	a.run()

	// Sleep outside the lock; stop early for the timeout or the context.
	if deadline > 0 {
		if left := deadline - time.Duration(db.now()); left < delay {
			delay = max(left, 0)
		}
	}
	if delay > 0 && delay < yieldBelow {
		runtime.Gosched()
	} else if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			why := stopped(ctx.Err(), err)
			tr.cancelWith(why)
			return why
		}
	}

	tr.lock()
	if err := tr.check(); err != nil && tr.state == stateCancelled {
		// Cancelled or timed out while waiting.
		a := tr.takePending()
		tr.mu.Unlock()
		a.run()
		return err
	}
	db.stats.retries.Add(1)
	var attrs []any // the failed attempt's, for the record
	if db.opts.Logger != nil {
		attrs = tr.logAttrs()
	}
	retries := tr.retries
	tr.resetAttempt()
	tr.retried(err)
	a = tr.takePending()
	tr.mu.Unlock()
	logRecord(db.opts.Logger, attrs, slog.LevelDebug, "plinth: retrying transaction", "error", err, "retry", retries, "delay", delay)
	a.run()
	return nil
}

// Transact runs fn in a transaction and commits it, retrying fn and the
// commit while they fail with a retryable error (see OnError), with
// exponential backoff and jitter. fn may therefore run several times: keep
// side effects outside the transaction idempotent.
//
// If fn returns an error that is not retryable, Transact returns that very
// error (so errors.Is and errors.As work on it) and commits nothing. If fn
// panics, the transaction is cancelled, nothing is committed, and the panic
// propagates. If fn calls tr.Commit itself and that commit succeeds,
// Transact does not commit again and never runs fn again: it returns fn's
// result (nil, or the error fn returned after committing). A failed Commit
// inside fn is handled like an error returned by fn. Transact may be called
// from inside another transaction's fn: the two transactions are
// independent. A nil fn is an ErrClientInvalidOperation error.
func (db *DB) Transact(fn func(tr *Transaction) error) error {
	return db.TransactContext(context.Background(), fn)
}

// TransactContext is Transact bounded by ctx, which fn can read with
// tr.Context(). ctx is checked before every attempt and again right before
// the commit: once ctx is done nothing more is committed, and the loop ends
// with an error for which errors.Is(err, ctx.Err()) holds. When that happens
// between attempts (before one, or during the backoff), the error also
// matches the last attempt's error.
func (db *DB) TransactContext(ctx context.Context, fn func(tr *Transaction) error) error {
	return db.retry(ctx, fn == nil, true, func(tr *Transaction) (bool, error) {
		err := runAttempt(tr, fn)
		if committed, cerr := tr.commitOutcome(); committed {
			// fn committed by itself. A commit that happened stands:
			// running fn again could apply it twice.
			if cerr == nil {
				return true, err
			}
			if err == nil {
				err = cerr
			}
			return false, err
		}
		if err != nil {
			return false, err
		}
		if err := tr.Commit(); err != nil {
			return false, err
		}
		return true, nil
	})
}

// retry is the loop of every retrying call: it runs attempt on one
// transaction until attempt reports it done (returning its error), or
// OnError gives up, or ctx ends the loop between attempts. Every way out
// leaves the transaction ended: committed, cancelled, or (a read-only
// loop's) finished by finishRead. writes says the loop commits, so its
// reads may lock hot keys (hot.go).
func (db *DB) retry(ctx context.Context, nilFn, writes bool, attempt func(tr *Transaction) (done bool, err error)) error {
	if err := checkLoopArgs(ctx, nilFn); err != nil {
		return err
	}
	if err := db.checkOpen(); err != nil {
		return err
	}
	tr := db.newTransaction(false)
	tr.setContext(ctx)
	tr.autoLock, tr.readOnly = writes, !writes
	var last error // the previous attempt's error
	for {
		if cerr := ctx.Err(); cerr != nil {
			err := stopped(cerr, last)
			tr.cancelWith(err)
			return err
		}
		done, err := attempt(tr)
		if done {
			tr.recycle()
			return err
		}
		if oerr := tr.onError(ctx, err); oerr != nil {
			return oerr
		}
		last = err
	}
}

// TransactValue runs fn in db.Transact and returns the value fn returned in
// the attempt that committed, so a transaction can produce a result without
// a variable captured by a closure. On error it returns T's zero value and
// the error, as Transact would.
func TransactValue[T any](db *DB, fn func(tr *Transaction) (T, error)) (T, error) {
	var out T
	if fn == nil {
		return out, checkLoopArgs(context.Background(), true)
	}
	return valueOf(out, db.Transact(func(tr *Transaction) (err error) {
		out, err = fn(tr)
		return err
	}))
}

// ReadTransactValue is TransactValue for db.ReadTransact.
func ReadTransactValue[T any](db *DB, fn func(tr ReadTransaction) (T, error)) (T, error) {
	var out T
	if fn == nil {
		return out, checkLoopArgs(context.Background(), true)
	}
	return valueOf(out, db.ReadTransact(func(tr ReadTransaction) (err error) {
		out, err = fn(tr)
		return err
	}))
}

// valueOf is v, or T's zero value when err is set.
func valueOf[T any](v T, err error) (T, error) {
	if err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

// finishRead ends a ReadTransact's transaction as committed read-only: its
// attempt succeeded, and nothing is ever written. Its OnCommit callbacks
// run. Then it is cancelled, which releases its read version: its writes
// are discarded and later calls fail.
func (tr *Transaction) finishRead() {
	tr.lock()
	if tr.check() == nil {
		tr.committedVer = -1
		tr.end(nil)
		tr.settleAttempt(nil)
	}
	tr.cancelLocked(errCancelled)
	a := tr.takePending()
	tr.mu.Unlock()
	a.run()
}

// checkLoopArgs refuses the nil arguments of a retry loop.
func checkLoopArgs(ctx context.Context, nilFn bool) error {
	switch {
	case ctx == nil:
		return newError(codeClientInvalidOperation, "nil context")
	case nilFn:
		return newError(codeClientInvalidOperation, "nil transaction function")
	}
	return nil
}

// stopped is the error of a retry loop that ctx ended between attempts: it
// matches ctx's error and the last attempt's.
func stopped(cerr, last error) error {
	if last == nil {
		return cerr
	}
	return fmt.Errorf("%w (while retrying after: %w)", cerr, last)
}

// runAttempt calls fn, cancelling tr if fn panics so that nothing of the
// attempt can be committed; the panic continues with its original stack.
func runAttempt(tr *Transaction, fn func(tr *Transaction) error) error {
	ok := false
	defer func() {
		if !ok {
			tr.Cancel()
		}
	}()
	err := fn(tr)
	ok = true
	return err
}

// ReadTransact runs fn in a transaction that is never committed, retrying
// fn on retryable errors (such as ErrTransactionTooOld) like Transact. Use
// it for reads; writes made by fn are discarded. Since nothing is checked
// at a commit, its reads record no read conflict ranges, and a Commit of
// writes called from fn (through a type assertion) fails with
// ErrClientInvalidOperation until Reset. A nil fn is an
// ErrClientInvalidOperation error.
func (db *DB) ReadTransact(fn func(tr ReadTransaction) error) error {
	return db.ReadTransactContext(context.Background(), fn)
}

// ReadTransactContext is ReadTransact bounded by ctx, as TransactContext is:
// ctx is checked before every attempt, and a loop it ends returns an error
// matching ctx.Err() (and the last attempt's error, if there was one).
func (db *DB) ReadTransactContext(ctx context.Context, fn func(tr ReadTransaction) error) error {
	return db.retry(ctx, fn == nil, false, func(tr *Transaction) (bool, error) {
		if err := runAttempt(tr, func(tr *Transaction) error { return fn(tr) }); err != nil {
			return false, err
		}
		tr.finishRead()
		return true, nil
	})
}
