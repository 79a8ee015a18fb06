package kv

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/plinthdb/plinth/selector"
)

// conflictOnce makes the first n attempts of a transaction that read key
// conflict: a nested transaction overwrites the key after the read.
func TestTransactRetriesConflicts(t *testing.T) {
	db := openDB(t, nil)
	put(t, db, "k", "0")
	attempts := 0
	err := db.Transact(func(tr *Transaction) error {
		attempts++
		v, err := tr.Get([]byte("k"))
		if err != nil {
			return err
		}
		if attempts < 3 {
			// Nested Transact from inside fn: must not deadlock.
			require.NoError(t, db.Transact(func(o *Transaction) error {
				o.Set([]byte("k"), []byte(fmt.Sprint("other", attempts)))
				return nil
			}))
		}
		tr.Set([]byte("seen"), v)
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, 3, attempts)
	require.Equal(t, "other2", string(get(t, db, "seen")))
	st := db.Stats()
	require.EqualValues(t, 2, st.Conflicts)
	require.EqualValues(t, 2, st.Retries)
}

type myErr struct{ msg string }

func (e *myErr) Error() string { return e.msg }

func TestTransactReturnsFnErrorUnchanged(t *testing.T) {
	db := openDB(t, nil)
	want := &myErr{"boom"}
	attempts := 0
	err := db.Transact(func(tr *Transaction) error {
		attempts++
		tr.Set([]byte("a"), []byte("1"))
		return want
	})
	require.Same(t, want, err, "the very same error value")
	require.Equal(t, 1, attempts)
	require.Nil(t, get(t, db, "a"), "nothing committed")

	// A non-retryable *Error from fn is returned as is too.
	wrapped := fmt.Errorf("my layer: %w", newError(2004, "x"))
	err = db.Transact(func(tr *Transaction) error { return wrapped })
	require.Same(t, wrapped, err)
}

func TestTransactPanicPropagatesAndCommitsNothing(t *testing.T) {
	db := openDB(t, nil)
	var tr0 *Transaction
	func() {
		defer func() {
			r := recover()
			require.Equal(t, "in fn", r)
		}()
		db.Transact(func(tr *Transaction) error {
			tr0 = tr
			tr.Set([]byte("a"), []byte("1"))
			panic("in fn")
		})
	}()
	require.Nil(t, get(t, db, "a"))
	require.ErrorIs(t, tr0.Commit(), ErrTransactionCancelled)
}

func TestTransactContextCancellation(t *testing.T) {
	db := openDB(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := db.TransactContext(ctx, func(tr *Transaction) error { return nil })
	require.ErrorIs(t, err, context.Canceled)

	// A deadline that passes while the loop keeps conflicting.
	put(t, db, "k", "0")
	ctx, cancel = context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	n := 0
	err = db.TransactContext(ctx, func(tr *Transaction) error {
		n++
		if _, err := tr.Get([]byte("k")); err != nil {
			return err
		}
		put(t, db, "k", fmt.Sprint(n))
		tr.Set([]byte("x"), nil)
		return nil
	})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Greater(t, n, 1)
}

func TestRetryLimit(t *testing.T) {
	db := openDB(t, nil)
	put(t, db, "k", "0")
	n := 0
	err := db.Transact(func(tr *Transaction) error {
		tr.SetRetryLimit(2)
		n++
		tr.Get([]byte("k"))
		put(t, db, "k", fmt.Sprint(n))
		tr.Set([]byte("x"), nil)
		return nil
	})
	require.ErrorIs(t, err, ErrNotCommitted)
	require.Equal(t, 3, n, "first attempt plus two retries")

	db2 := openDB(t, &Options{TransactionRetryLimit: 1})
	tr := db2.NewTransaction()
	require.NoError(t, tr.OnError(newError(1020, "")))
	require.ErrorIs(t, tr.OnError(newError(1020, "")), ErrNotCommitted)
}

func TestOnError(t *testing.T) {
	db := openDB(t, nil)
	tr := db.NewTransaction()
	tr.SetTimeout(time.Hour)
	tr.SetMaxRetryDelay(time.Millisecond)
	tr.Set([]byte("a"), []byte("1"))
	tr.SetSizeLimit(100)
	require.NoError(t, tr.OnError(newError(1020, "")))
	// Writes are gone, the size limit is back to the default, the timeout
	// stays.
	v, err := tr.Get([]byte("a"))
	require.NoError(t, err)
	require.Nil(t, v)
	require.Equal(t, DefaultSizeLimit, tr.sizeLimit)
	require.Equal(t, time.Hour, tr.timeout)
	require.NoError(t, tr.OnError(newError(1007, "")))
	require.NoError(t, tr.OnError(newError(1009, "")))

	plain := errors.New("not ours")
	require.Same(t, plain, tr.OnError(plain), "a non-*Error is returned unchanged")
	_, err = tr.Get([]byte("a"))
	require.ErrorIs(t, err, ErrTransactionCancelled, "and the transaction is cancelled")

	tr.Reset()
	fatal := newError(2004, "fatal")
	require.Same(t, fatal, tr.OnError(fatal))
	require.ErrorIs(t, tr.Commit(), ErrTransactionCancelled)
	require.ErrorIs(t, tr.OnError(newError(1020, "")), ErrTransactionCancelled)
}

func TestTimeout(t *testing.T) {
	db := openDB(t, nil)
	clock := UseClock(db)
	tr := db.NewTransaction()
	tr.SetTimeout(20 * time.Millisecond)
	_, err := tr.Get([]byte("a"))
	require.NoError(t, err)
	clock.Advance(30 * time.Millisecond)
	_, err = tr.Get([]byte("a"))
	require.ErrorIs(t, err, ErrTransactionTimedOut)
	require.ErrorIs(t, tr.OnError(err), ErrTransactionTimedOut, "a timeout is not retried")

	// Database-wide default, spanning retries of Transact.
	db2 := openDB(t, &Options{TransactionTimeout: 30 * time.Millisecond})
	put(t, db2, "k", "0")
	n := 0
	err = db2.Transact(func(tr *Transaction) error {
		n++
		if _, err := tr.Get([]byte("k")); err != nil {
			return err
		}
		put(t, db2, "k", fmt.Sprint(n))
		tr.Set([]byte("x"), nil)
		return nil
	})
	require.ErrorIs(t, err, ErrTransactionTimedOut)
}

func TestReadTransactRetriesAndNeverCommits(t *testing.T) {
	db := openDB(t, nil)
	n := 0
	err := db.ReadTransact(func(tr ReadTransaction) error {
		n++
		if n == 1 {
			return newError(1007, "simulated")
		}
		tr.(*Transaction).Set([]byte("w"), []byte("1"))
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, 2, n)
	require.Nil(t, get(t, db, "w"))
}

// A ReadTransact never commits, so its reads record no read conflict
// ranges; a Commit called inside it (through a type assertion) therefore
// refuses writes, which nothing could check, and accepts an empty one.
func TestReadTransactRecordsNoConflicts(t *testing.T) {
	db := openDB(t, nil)
	put(t, db, "a", "1", "b", "2")
	require.NoError(t, db.ReadTransact(func(rt ReadTransaction) error {
		tr := rt.(*Transaction)
		_, err := tr.Get([]byte("a"))
		require.NoError(t, err)
		_, err = tr.GetRange(KeyRange{[]byte("a"), []byte("z")}, RangeOptions{Limit: 1})
		require.NoError(t, err)
		for _, err := range tr.Iterate(KeyRange{[]byte("a"), []byte("z")}, RangeOptions{}) {
			require.NoError(t, err)
		}
		_, err = tr.GetKey(selector.FirstGreaterThan([]byte("a")))
		require.NoError(t, err)
		tr.mu.Lock()
		require.Empty(t, tr.reads)
		tr.mu.Unlock()
		require.NoError(t, tr.Commit(), "nothing written")
		return nil
	}))
	require.NoError(t, db.ReadTransact(func(rt ReadTransaction) error {
		tr := rt.(*Transaction)
		tr.Set([]byte("w"), []byte("1"))
		require.ErrorIs(t, tr.Commit(), ErrClientInvalidOperation)
		return nil
	}))
	require.Nil(t, get(t, db, "w"))

	// Reset makes a kept ReadTransact transaction an ordinary one.
	var kept *Transaction
	require.NoError(t, db.ReadTransact(func(rt ReadTransaction) error {
		kept = rt.(*Transaction)
		return nil
	}))
	kept.Reset()
	_, err := kept.Get([]byte("a"))
	require.NoError(t, err)
	kept.Set([]byte("w"), []byte("2"))
	require.NoError(t, kept.Commit())
	require.Equal(t, []byte("2"), get(t, db, "w"))

	// Transact's reads still record theirs.
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		_, err := tr.Get([]byte("a"))
		require.NoError(t, err)
		tr.mu.Lock()
		require.Len(t, tr.reads, 1)
		tr.mu.Unlock()
		return nil
	}))
}

// After a conflict the backoff doubles from initialBackoff and stops at
// maxBackoff, under the default 1 s MaxRetryDelay too; a smaller
// MaxRetryDelay caps the waits, not the growth.
func TestConflictBackoffStopsGrowing(t *testing.T) {
	db := openDB(t, nil)
	tr := db.NewTransaction()
	require.Equal(t, DefaultMaxRetryDelay, tr.maxRetryDelay)
	want := initialBackoff
	for range 12 {
		require.Equal(t, want, tr.backoff)
		require.NoError(t, tr.OnError(newError(codeNotCommitted, "")))
		want = min(2*want, maxBackoff)
	}
	require.Equal(t, maxBackoff, tr.backoff)
	require.Less(t, maxBackoff, DefaultMaxRetryDelay)
	tr.Cancel()
}
