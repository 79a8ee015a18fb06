package kv

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A context that ends while fn runs stops the commit: nothing is written,
// and the error matches the context's.
func TestTransactContextDoneInsideFnCommitsNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(cancel context.CancelFunc)
		want error
	}{
		{"cancel", func(cancel context.CancelFunc) { cancel() }, context.Canceled},
		{"deadline", func(context.CancelFunc) { time.Sleep(20 * time.Millisecond) }, context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t, nil)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
			defer cancel()
			runs := 0
			err := db.TransactContext(ctx, func(tr *Transaction) error {
				runs++
				require.Equal(t, ctx, tr.Context())
				tr.Set([]byte("k"), []byte("v"))
				tc.end(cancel)
				return nil
			})
			require.ErrorIs(t, err, tc.want)
			require.Equal(t, 1, runs)
			require.Nil(t, get(t, db, "k"))
			require.Zero(t, db.Stats().Commits)
		})
	}
}

// A context done before the first attempt runs nothing.
func TestTransactContextDoneBeforeStart(t *testing.T) {
	db := openDB(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := db.TransactContext(ctx, func(tr *Transaction) error {
		t.Fatal("fn ran under a done context")
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
	err = db.ReadTransactContext(ctx, func(tr ReadTransaction) error {
		t.Fatal("fn ran under a done context")
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
}

// When ctx ends the loop between attempts, the error matches both the
// context's error and the last attempt's, with or without a backoff sleep.
func TestTransactContextEndsWhileRetrying(t *testing.T) {
	for _, delay := range []time.Duration{time.Nanosecond, time.Hour} {
		t.Run(delay.String(), func(t *testing.T) {
			db := openDB(t, &Options{MaxRetryDelay: delay})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			runs := 0
			fn := func() error {
				runs++
				if runs == 2 {
					cancel()
				}
				if delay == time.Hour {
					// Cancel during the (long) backoff instead.
					time.AfterFunc(5*time.Millisecond, cancel)
				}
				return newError(codeNotCommitted, "forced")
			}
			err := db.TransactContext(ctx, func(tr *Transaction) error { return fn() })
			require.ErrorIs(t, err, context.Canceled)
			require.ErrorIs(t, err, ErrNotCommitted)

			ctx, cancel = context.WithCancel(context.Background())
			defer cancel()
			runs = 0
			err = db.ReadTransactContext(ctx, func(tr ReadTransaction) error { return fn() })
			require.ErrorIs(t, err, context.Canceled)
			require.ErrorIs(t, err, ErrNotCommitted)
		})
	}
}

func TestContextOfTransactions(t *testing.T) {
	db := openDB(t, nil)
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "v")
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		require.Equal(t, context.Background(), tr.Context())
		return nil
	}))
	require.NoError(t, db.ReadTransactContext(ctx, func(rt ReadTransaction) error {
		require.Equal(t, "v", rt.(*Transaction).Context().Value(key{}))
		return nil
	}))
	require.Equal(t, context.Background(), db.NewTransaction().Context())
}

// Context may be called while other calls on the same transaction change
// its rarely used state (a callback registered from another goroutine).
func TestContextConcurrentWithOtherCalls(t *testing.T) {
	db := openDB(t, nil)
	for range 50 {
		tr := db.NewTransaction()
		done := make(chan struct{})
		go func() {
			defer close(done)
			tr.OnCommit(func(TransactionInfo) {})
		}()
		require.Equal(t, context.Background(), tr.Context())
		<-done
		tr.Cancel()
	}
}

// fn may commit by itself: Transact then applies the writes exactly once
// and returns nil; a failed commit inside fn is retried like an error of
// fn's.
func TestCommitInsideTransact(t *testing.T) {
	db := openDB(t, &Options{MaxRetryDelay: time.Millisecond})
	incr := func(tr *Transaction) error {
		v, err := tr.Get([]byte("n"))
		if err != nil {
			return err
		}
		tr.Set([]byte("n"), append(v, 'x'))
		return nil
	}

	t.Run("returns Commit's result", func(t *testing.T) {
		runs := 0
		err := db.Transact(func(tr *Transaction) error {
			runs++
			if err := incr(tr); err != nil {
				return err
			}
			return tr.Commit()
		})
		require.NoError(t, err)
		require.Equal(t, 1, runs)
		require.Equal(t, "x", string(get(t, db, "n")))
	})

	t.Run("ignores Commit's result", func(t *testing.T) {
		var tr0 *Transaction
		require.NoError(t, db.Transact(func(tr *Transaction) error {
			tr0 = tr
			if err := incr(tr); err != nil {
				return err
			}
			_ = tr.Commit()
			return nil
		}))
		require.Equal(t, "xx", string(get(t, db, "n")))
		v, err := tr0.GetCommittedVersion()
		require.NoError(t, err)
		require.Positive(t, v)
	})

	t.Run("an error after committing is returned, not retried", func(t *testing.T) {
		runs := 0
		err := db.Transact(func(tr *Transaction) error {
			runs++
			if err := incr(tr); err != nil {
				return err
			}
			require.NoError(t, tr.Commit())
			return newError(codeNotCommitted, "retryable, but the commit stands")
		})
		require.ErrorIs(t, err, ErrNotCommitted)
		require.Equal(t, 1, runs)
		require.Equal(t, "xxx", string(get(t, db, "n")))
	})

	t.Run("a failed commit inside fn is retried", func(t *testing.T) {
		for _, returnIt := range []bool{true, false} {
			runs := 0
			err := db.Transact(func(tr *Transaction) error {
				runs++
				if err := incr(tr); err != nil {
					return err
				}
				if runs == 1 {
					put(t, db, "n", "reset") // conflicts with the read above
				}
				err := tr.Commit()
				if runs == 1 {
					require.ErrorIs(t, err, ErrNotCommitted)
				}
				if returnIt {
					return err
				}
				return nil
			})
			require.NoError(t, err)
			require.Equal(t, 2, runs)
			require.Equal(t, "resetx", string(get(t, db, "n")))
		}
	})
}

// Close releases a goroutine blocked on a versionstamp future of a
// transaction that is still open, and a Get after Close does not block.
func TestCloseReleasesVersionstampWaiters(t *testing.T) {
	db, err := Open(nil)
	require.NoError(t, err)
	tr := db.NewTransaction()
	tr.Set([]byte("k"), []byte("v"))
	f := tr.GetVersionstamp()
	got := make(chan error)
	go func() {
		_, err := f.Get()
		got <- err
	}()
	require.NoError(t, db.Close())
	require.ErrorIs(t, <-got, ErrDatabaseClosed)
	_, err = f.Get()
	require.ErrorIs(t, err, ErrDatabaseClosed)
	_, err = tr.GetVersionstamp().Get()
	require.ErrorIs(t, err, ErrDatabaseClosed)
}

// A wait on a future made inside TransactContext ends with the context.
func TestVersionstampWaitHonoursContext(t *testing.T) {
	db := openDB(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	err := db.TransactContext(ctx, func(tr *Transaction) error {
		tr.Set([]byte("k"), []byte("v"))
		f := tr.GetVersionstamp()
		cancel()
		_, err := f.Get() // before Commit: would block forever without ctx
		return err
	})
	require.ErrorIs(t, err, context.Canceled)
	require.Nil(t, get(t, db, "k"))
}
