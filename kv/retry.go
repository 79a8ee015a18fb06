package kv

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Backoff between retries, as FoundationDB's client knobs set it
// (DEFAULT_BACKOFF, BACKOFF_GROWTH_RATE, FUTURE_VERSION_RETRY_DELAY in
// fdbclient/ClientKnobs.cpp; Transaction::onError in
// fdbclient/NativeAPI.actor.cpp): conflicts back off from 10 ms, doubling up
// to the max retry delay, with full jitter; too-old and future-version errors
// wait a flat 10 ms.
const (
	initialBackoff    = 10 * time.Millisecond
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
	tr.mu.Lock()
	if tr.state == stateCancelled {
		why := tr.stateErr
		tr.mu.Unlock()
		return why
	}
	var e *Error
	if err == nil || !errors.As(err, &e) || !codes[e.Code].retryable {
		if err == nil {
			err = newError(codeClientInvalidOperation, "OnError called without an error")
		}
		tr.cancelLocked(newError(codeTransactionCancelled, "cancelled by OnError(%v)", err))
		tr.mu.Unlock()
		return err
	}
	if tr.retryLimit >= 0 && tr.retries >= tr.retryLimit {
		tr.cancelLocked(newError(codeTransactionCancelled, "retry limit of %d reached at %v", tr.retryLimit, err))
		tr.mu.Unlock()
		return err
	}
	tr.retries++
	var delay time.Duration
	if e.Code == codeTransactionTooOld || e.Code == codeFutureVersion {
		delay = min(versionRetryDelay, tr.maxRetryDelay)
	} else {
		delay = time.Duration(rand.Int64N(int64(min(tr.backoff, tr.maxRetryDelay)) + 1))
		tr.backoff = min(tr.backoff*2, tr.maxRetryDelay)
	}
	var deadline time.Duration // 0: none
	if tr.timeout > 0 {
		deadline = time.Duration(tr.created) + tr.timeout
	}
	db := tr.db
	tr.mu.Unlock()

	// Sleep outside the lock; stop early for the timeout or the context.
	if deadline > 0 {
		if left := deadline - time.Duration(db.now()); left < delay {
			delay = max(left, 0)
		}
	}
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (while retrying after: %w)", ctx.Err(), err)
		}
	}

	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.state == stateCancelled {
		return tr.stateErr
	}
	if err := tr.check(); err != nil && tr.state == stateCancelled {
		return err // timed out while waiting
	}
	db.stats.retries.Add(1)
	tr.resetAttempt()
	if l := db.opts.Logger; l != nil {
		l.Debug("plinth: retrying transaction", "error", err, "retry", tr.retries, "delay", delay)
	}
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
	if err := checkLoopArgs(ctx, fn == nil); err != nil {
		return err
	}
	if err := db.checkOpen(); err != nil {
		return err
	}
	tr := db.NewTransaction()
	tr.ctx = ctx
	var last error // the previous attempt's error
	for {
		if cerr := ctx.Err(); cerr != nil {
			tr.Cancel()
			return stopped(cerr, last)
		}
		err := runAttempt(tr, fn)
		if committed, cerr := tr.commitOutcome(); committed {
			// fn committed by itself. A commit that happened stands:
			// running fn again could apply it twice.
			if cerr == nil {
				return err
			}
			if err == nil {
				err = cerr
			}
		} else if err == nil {
			if err = tr.Commit(); err == nil {
				return nil
			}
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
	var out, zero T
	if fn == nil {
		return zero, checkLoopArgs(context.Background(), true)
	}
	err := db.Transact(func(tr *Transaction) error {
		v, err := fn(tr)
		out = v
		return err
	})
	if err != nil {
		return zero, err
	}
	return out, nil
}

// ReadTransactValue is TransactValue for db.ReadTransact.
func ReadTransactValue[T any](db *DB, fn func(tr ReadTransaction) (T, error)) (T, error) {
	var out, zero T
	if fn == nil {
		return zero, checkLoopArgs(context.Background(), true)
	}
	err := db.ReadTransact(func(tr ReadTransaction) error {
		v, err := fn(tr)
		out = v
		return err
	})
	if err != nil {
		return zero, err
	}
	return out, nil
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
// it for reads; writes made by fn are discarded. A nil fn is an
// ErrClientInvalidOperation error.
func (db *DB) ReadTransact(fn func(tr ReadTransaction) error) error {
	return db.ReadTransactContext(context.Background(), fn)
}

// ReadTransactContext is ReadTransact bounded by ctx, as TransactContext is:
// ctx is checked before every attempt, and a loop it ends returns an error
// matching ctx.Err() (and the last attempt's error, if there was one).
func (db *DB) ReadTransactContext(ctx context.Context, fn func(tr ReadTransaction) error) error {
	if err := checkLoopArgs(ctx, fn == nil); err != nil {
		return err
	}
	if err := db.checkOpen(); err != nil {
		return err
	}
	tr := db.NewTransaction()
	tr.ctx = ctx
	defer tr.Cancel()
	var last error
	for {
		if cerr := ctx.Err(); cerr != nil {
			return stopped(cerr, last)
		}
		err := runAttempt(tr, func(tr *Transaction) error { return fn(tr) })
		if err == nil {
			return nil
		}
		if oerr := tr.onError(ctx, err); oerr != nil {
			return oerr
		}
		last = err
	}
}
