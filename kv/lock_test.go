package kv

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
)

// lockDB opens a database whose retries back off briefly.
func lockDB(t testing.TB) *DB {
	return openDB(t, &Options{MaxRetryDelay: time.Millisecond})
}

// lockOf returns what Locks says of key, or a zero LockInfo.
func lockOf(db *DB, key string) LockInfo {
	for _, in := range db.Locks() {
		if string(in.Key) == key {
			return in
		}
	}
	return LockInfo{}
}

// waiting waits until n transactions wait for key's lock.
func waiting(t *testing.T, db *DB, key string, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return lockOf(db, key).Waiting == n },
		10*time.Second, 100*time.Microsecond, "waiting for %d waiters on %q", n, key)
}

// lockAsync runs tr.Lock in a goroutine and returns its result channel.
func lockAsync(tr *Transaction, key string, mode LockMode, timeout time.Duration) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- tr.Lock([]byte(key), mode, timeout) }()
	return ch
}

func TestLockErrorCodes(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code int
	}{{ErrLockTimeout, 9010}, {ErrDeadlock, 9011}} {
		var e *Error
		require.ErrorAs(t, tc.err, &e)
		require.Equal(t, tc.code, e.Code)
		require.True(t, IsRetryable(tc.err))
		require.NotEqual(t, "error", describe(tc.code))
	}
	require.Equal(t, "exclusive", LockExclusive.String())
	require.Equal(t, "shared", LockShared.String())
}

func TestLockModes(t *testing.T) {
	db := lockDB(t)
	a, b, c := db.NewTransaction(), db.NewTransaction(), db.NewTransaction()
	defer a.Cancel()
	defer b.Cancel()
	defer c.Cancel()
	k := []byte("k")

	// Exclusive excludes every other holder.
	require.NoError(t, a.Lock(k, LockExclusive, 0))
	require.ErrorIs(t, b.Lock(k, LockExclusive, 0), ErrLockTimeout)
	require.ErrorIs(t, b.Lock(k, LockShared, 0), ErrLockTimeout)
	require.Equal(t, []LockInfo{{Key: k, Mode: LockExclusive, Holders: []uint64{a.ID()}}}, db.Locks())
	a.Cancel()
	require.Empty(t, db.Locks())

	// Shared admits shared holders and excludes exclusive ones.
	require.NoError(t, b.Lock(k, LockShared, 0))
	require.NoError(t, c.Lock(k, LockShared, 0))
	require.Equal(t, []LockInfo{{Key: k, Mode: LockShared, Holders: []uint64{b.ID(), c.ID()}}}, db.Locks())
	d := db.NewTransaction()
	defer d.Cancel()
	require.ErrorIs(t, d.Lock(k, LockExclusive, 0), ErrLockTimeout)
	require.ErrorIs(t, d.Lock(k, LockExclusive, time.Millisecond), ErrLockTimeout)
}

func TestLockAnyKey(t *testing.T) {
	db := lockDB(t)
	tr := db.NewTransaction()
	defer tr.Cancel()
	put(t, db, "present", "v")
	for _, k := range [][]byte{nil, {}, []byte("present"), []byte("absent"), {0xff}, {0xff, 0xff, 0xff}, make([]byte, MaxKeySize)} {
		require.NoError(t, tr.Lock(k, LockExclusive, 0), "key %q", k)
	}
	require.Len(t, db.Locks(), 6, "nil and empty are the same key")
	require.ErrorIs(t, tr.Lock(make([]byte, MaxKeySize+1), LockExclusive, 0), ErrKeyTooLarge)
	require.ErrorIs(t, tr.Lock([]byte("k"), LockMode(2), 0), ErrInvalidOptionValue)
}

func TestLockSortedAndWaiting(t *testing.T) {
	db := lockDB(t)
	a, b := db.NewTransaction(), db.NewTransaction()
	defer a.Cancel()
	defer b.Cancel()
	for _, k := range []string{"c", "a", "b"} {
		require.NoError(t, a.Lock([]byte(k), LockExclusive, 0))
	}
	done := lockAsync(b, "b", LockShared, -1)
	waiting(t, db, "b", 1)
	got := db.Locks()
	require.Len(t, got, 3)
	for i, k := range []string{"a", "b", "c"} {
		require.Equal(t, k, string(got[i].Key))
		require.Equal(t, []uint64{a.ID()}, got[i].Holders)
	}
	require.Equal(t, 1, got[1].Waiting)
	a.Cancel()
	require.NoError(t, <-done)
	require.Equal(t, []LockInfo{{Key: []byte("b"), Mode: LockShared, Holders: []uint64{b.ID()}}}, db.Locks())
}

func TestLockReentrant(t *testing.T) {
	db := lockDB(t)
	a, b := db.NewTransaction(), db.NewTransaction()
	defer b.Cancel()
	k := []byte("k")
	require.NoError(t, a.Lock(k, LockExclusive, 0))
	require.NoError(t, a.Lock(k, LockExclusive, 0))
	require.NoError(t, a.Lock(k, LockShared, 0), "exclusive covers shared")
	require.Equal(t, []uint64{a.ID()}, lockOf(db, "k").Holders)
	require.Equal(t, LockExclusive, lockOf(db, "k").Mode)
	a.Cancel() // one release frees it
	require.NoError(t, b.Lock(k, LockShared, 0))
	require.NoError(t, b.Lock(k, LockShared, 0))
	require.Equal(t, []uint64{b.ID()}, lockOf(db, "k").Holders)
}

func TestLockUpgrade(t *testing.T) {
	db := lockDB(t)
	a, b := db.NewTransaction(), db.NewTransaction()
	defer a.Cancel()
	defer b.Cancel()
	k := []byte("k")

	// The only holder upgrades at once.
	require.NoError(t, a.Lock(k, LockShared, 0))
	require.NoError(t, a.Lock(k, LockExclusive, 0))
	require.Equal(t, LockExclusive, lockOf(db, "k").Mode)
	a.Reset()

	// Otherwise it waits until it is the only holder.
	require.NoError(t, a.Lock(k, LockShared, 0))
	require.NoError(t, b.Lock(k, LockShared, 0))
	require.ErrorIs(t, a.Lock(k, LockExclusive, 0), ErrLockTimeout)
	require.Equal(t, LockShared, lockOf(db, "k").Mode, "a failed upgrade keeps the shared lock")
	done := lockAsync(a, "k", LockExclusive, -1)
	waiting(t, db, "k", 1)
	b.Cancel()
	require.NoError(t, <-done)
	require.Equal(t, []LockInfo{{Key: k, Mode: LockExclusive, Holders: []uint64{a.ID()}}}, db.Locks())
}

func TestLockUpgradeGoesFirst(t *testing.T) {
	// An upgrade waits ahead of a queued exclusive request: queued behind
	// it, it would wait for a request that waits for it.
	db := lockDB(t)
	a, b, x := db.NewTransaction(), db.NewTransaction(), db.NewTransaction()
	defer x.Cancel()
	require.NoError(t, a.Lock([]byte("k"), LockShared, 0))
	require.NoError(t, b.Lock([]byte("k"), LockShared, 0))
	xdone := lockAsync(x, "k", LockExclusive, -1)
	waiting(t, db, "k", 1)
	adone := lockAsync(a, "k", LockExclusive, -1)
	waiting(t, db, "k", 2)
	b.Cancel()
	require.NoError(t, <-adone)
	a.Cancel()
	require.NoError(t, <-xdone)
}

func TestLockUpgradeDeadlock(t *testing.T) {
	db := lockDB(t)
	a, b := db.NewTransaction(), db.NewTransaction()
	defer a.Cancel()
	k := []byte("k")
	require.NoError(t, a.Lock(k, LockShared, 0))
	require.NoError(t, b.Lock(k, LockShared, 0))
	done := lockAsync(a, "k", LockExclusive, -1)
	waiting(t, db, "k", 1)
	err := b.Lock(k, LockExclusive, -1)
	require.ErrorIs(t, err, ErrDeadlock)
	require.True(t, IsRetryable(err))
	require.Contains(t, err.Error(), "cycle of 2")
	b.Cancel()
	require.NoError(t, <-done)
}

func TestLockFairness(t *testing.T) {
	db := lockDB(t)
	s1, x, s2, s3 := db.NewTransaction(), db.NewTransaction(), db.NewTransaction(), db.NewTransaction()
	defer x.Cancel()
	defer s2.Cancel()
	defer s3.Cancel()
	require.NoError(t, s1.Lock([]byte("k"), LockShared, 0))
	xdone := lockAsync(x, "k", LockExclusive, -1)
	waiting(t, db, "k", 1)
	// Compatible with the holder, but an exclusive request waits first.
	require.ErrorIs(t, s2.Lock([]byte("k"), LockShared, 0), ErrLockTimeout)
	s2done := lockAsync(s2, "k", LockShared, -1)
	waiting(t, db, "k", 2)
	s3done := lockAsync(s3, "k", LockShared, -1)
	waiting(t, db, "k", 3)
	s1.Cancel()
	require.NoError(t, <-xdone)
	require.Equal(t, []uint64{x.ID()}, lockOf(db, "k").Holders)
	require.Equal(t, 2, lockOf(db, "k").Waiting)
	// The shared requests at the head of the queue are granted together.
	x.Cancel()
	require.NoError(t, <-s2done)
	require.NoError(t, <-s3done)
	require.Equal(t, []LockInfo{{Key: []byte("k"), Mode: LockShared, Holders: []uint64{s2.ID(), s3.ID()}}}, db.Locks())
}

func TestLockStreamOfSharedDoesNotStarveExclusive(t *testing.T) {
	db := lockDB(t)
	stop := make(chan struct{})
	var g errgroup.Group
	for range 4 {
		g.Go(func() error {
			for {
				select {
				case <-stop:
					return nil
				default:
				}
				err := db.Transact(func(tr *Transaction) error {
					return tr.Lock([]byte("k"), LockShared, -1)
				})
				if err != nil {
					return err
				}
			}
		})
	}
	for range 20 {
		require.NoError(t, db.Transact(func(tr *Transaction) error {
			return tr.Lock([]byte("k"), LockExclusive, 5*time.Second)
		}))
	}
	close(stop)
	require.NoError(t, g.Wait())
	require.Zero(t, db.Stats().Retries)
}

func TestLockTimeouts(t *testing.T) {
	db := lockDB(t)
	holder := db.NewTransaction()
	defer holder.Cancel()
	k := []byte("k")
	require.NoError(t, holder.Lock(k, LockExclusive, 0))

	t.Run("zero", func(t *testing.T) {
		tr := db.NewTransaction()
		defer tr.Cancel()
		err := tr.Lock(k, LockExclusive, 0)
		require.ErrorIs(t, err, ErrLockTimeout)
		require.Zero(t, lockOf(db, "k").Waiting)
	})
	t.Run("positive", func(t *testing.T) {
		tr := db.NewTransaction()
		defer tr.Cancel()
		start := time.Now()
		err := tr.Lock(k, LockShared, 20*time.Millisecond)
		require.ErrorIs(t, err, ErrLockTimeout)
		require.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond)
		require.Zero(t, lockOf(db, "k").Waiting)
		// The transaction goes on.
		_, err = tr.Get(k)
		require.NoError(t, err)
	})
	t.Run("negative waits for the release", func(t *testing.T) {
		h := db.NewTransaction()
		require.NoError(t, h.Lock([]byte("n"), LockExclusive, 0))
		tr := db.NewTransaction()
		defer tr.Cancel()
		done := lockAsync(tr, "n", LockExclusive, -1)
		waiting(t, db, "n", 1)
		h.Cancel()
		require.NoError(t, <-done)
	})
	t.Run("negative ends with the transaction timeout", func(t *testing.T) {
		tr := db.NewTransaction()
		tr.SetTimeout(30 * time.Millisecond)
		err := tr.Lock(k, LockExclusive, -1)
		require.ErrorIs(t, err, ErrTransactionTimedOut)
		_, err = tr.Get(k)
		require.ErrorIs(t, err, ErrTransactionTimedOut)
		require.Zero(t, lockOf(db, "k").Waiting)
	})
	t.Run("transaction timeout before the lock's", func(t *testing.T) {
		tr := db.NewTransaction()
		tr.SetTimeout(30 * time.Millisecond)
		require.ErrorIs(t, tr.Lock(k, LockExclusive, time.Hour), ErrTransactionTimedOut)
	})
	t.Run("lock timeout before the transaction's", func(t *testing.T) {
		tr := db.NewTransaction()
		defer tr.Cancel()
		tr.SetTimeout(time.Hour)
		require.ErrorIs(t, tr.Lock(k, LockExclusive, 10*time.Millisecond), ErrLockTimeout)
	})
	t.Run("context", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			ctx  func() (context.Context, context.CancelFunc)
			want error
		}{
			{"cancel", func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }, context.Canceled},
			{"deadline", func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 300*time.Millisecond)
			}, context.DeadlineExceeded},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ctx, cancel := tc.ctx()
				defer cancel()
				runs := 0
				done := make(chan error, 1)
				go func() {
					done <- db.TransactContext(ctx, func(tr *Transaction) error {
						runs++
						return tr.Lock(k, LockExclusive, -1)
					})
				}()
				waiting(t, db, "k", 1)
				if tc.want == context.Canceled {
					cancel()
				}
				err := <-done
				require.ErrorIs(t, err, tc.want)
				require.Equal(t, 1, runs)
				require.Zero(t, lockOf(db, "k").Waiting)
			})
		}
		// A context already done: no wait at all.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		tr := db.NewTransaction()
		tr.setContext(ctx)
		defer tr.Cancel()
		require.ErrorIs(t, tr.Lock([]byte("free"), LockExclusive, -1), context.Canceled)
	})
	t.Run("cancel while waiting", func(t *testing.T) {
		tr := db.NewTransaction()
		done := lockAsync(tr, "k", LockExclusive, -1)
		waiting(t, db, "k", 1)
		tr.Cancel()
		require.ErrorIs(t, <-done, ErrTransactionCancelled)
		require.Zero(t, lockOf(db, "k").Waiting)
	})
}

func TestLockCloseReleasesWaiters(t *testing.T) {
	db, err := Open(nil)
	require.NoError(t, err)
	a, b := db.NewTransaction(), db.NewTransaction()
	require.NoError(t, a.Lock([]byte("k"), LockExclusive, 0))
	done := lockAsync(b, "k", LockExclusive, -1)
	waiting(t, db, "k", 1)
	require.NoError(t, db.Close())
	require.ErrorIs(t, <-done, ErrDatabaseClosed)
	require.ErrorIs(t, a.Lock([]byte("j"), LockExclusive, 0), ErrDatabaseClosed)
}

func TestLockOnEndedTransaction(t *testing.T) {
	db := lockDB(t)
	tr := db.NewTransaction()
	require.NoError(t, tr.Commit())
	require.ErrorIs(t, tr.Lock([]byte("k"), LockExclusive, 0), ErrUsedDuringCommit)
	tr = db.NewTransaction()
	tr.Cancel()
	require.ErrorIs(t, tr.Lock([]byte("k"), LockExclusive, 0), ErrTransactionCancelled)
	require.Empty(t, db.Locks())
}

// TestLockReleasedWhenAttemptEnds checks each way an attempt ends: after
// it, nothing is held and nobody waits.
func TestLockReleasedWhenAttemptEnds(t *testing.T) {
	k := []byte("k")
	free := func(t *testing.T, db *DB) {
		t.Helper()
		require.Empty(t, db.Locks())
		other := db.NewTransaction()
		defer other.Cancel()
		require.NoError(t, other.Lock(k, LockExclusive, 0))
	}
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, db *DB)
	}{
		{"commit", func(t *testing.T, db *DB) {
			tr := db.NewTransaction()
			require.NoError(t, tr.Lock(k, LockExclusive, 0))
			tr.Set(k, []byte("v"))
			require.NoError(t, tr.Commit())
		}},
		{"read-only commit", func(t *testing.T, db *DB) {
			tr := db.NewTransaction()
			require.NoError(t, tr.Lock(k, LockShared, 0))
			require.NoError(t, tr.Commit())
		}},
		{"failed commit", func(t *testing.T, db *DB) {
			tr := db.NewTransaction()
			require.NoError(t, tr.Lock(k, LockExclusive, 0))
			_, err := tr.Get([]byte("x"))
			require.NoError(t, err)
			put(t, db, "x", "other")
			tr.Set(k, []byte("v"))
			require.ErrorIs(t, tr.Commit(), ErrNotCommitted)
		}},
		{"error from fn", func(t *testing.T, db *DB) {
			boom := errors.New("boom")
			require.ErrorIs(t, db.Transact(func(tr *Transaction) error {
				require.NoError(t, tr.Lock(k, LockExclusive, 0))
				return boom
			}), boom)
		}},
		{"retryable error from fn", func(t *testing.T, db *DB) {
			runs := 0
			require.NoError(t, db.Transact(func(tr *Transaction) error {
				runs++
				// Each attempt finds the lock free: the last one's is gone.
				require.NoError(t, tr.Lock(k, LockExclusive, 0))
				require.Len(t, db.Locks(), 1)
				if runs == 1 {
					return newError(codeNotCommitted, "")
				}
				return nil
			}))
			require.Equal(t, 2, runs)
		}},
		{"OnError", func(t *testing.T, db *DB) {
			tr := db.NewTransaction()
			defer tr.Cancel()
			require.NoError(t, tr.Lock(k, LockExclusive, 0))
			require.NoError(t, tr.OnError(ErrNotCommitted))
			free(t, db)
		}},
		{"OnError giving up", func(t *testing.T, db *DB) {
			tr := db.NewTransaction()
			require.NoError(t, tr.Lock(k, LockExclusive, 0))
			require.Error(t, tr.OnError(errors.New("fatal")))
		}},
		{"Reset", func(t *testing.T, db *DB) {
			tr := db.NewTransaction()
			defer tr.Cancel()
			require.NoError(t, tr.Lock(k, LockExclusive, 0))
			tr.Reset()
			free(t, db)
		}},
		{"Cancel", func(t *testing.T, db *DB) {
			tr := db.NewTransaction()
			require.NoError(t, tr.Lock(k, LockExclusive, 0))
			tr.Cancel()
		}},
		{"panic in fn", func(t *testing.T, db *DB) {
			require.Panics(t, func() {
				_ = db.Transact(func(tr *Transaction) error {
					require.NoError(t, tr.Lock(k, LockExclusive, 0))
					panic("boom")
				})
			})
		}},
		{"timeout of an idle holder", func(t *testing.T, db *DB) {
			tr := db.NewTransaction()
			tr.SetTimeout(30 * time.Millisecond)
			require.NoError(t, tr.Lock(k, LockExclusive, 0))
			// Nothing calls tr again: its deadline releases the lock.
			other := db.NewTransaction()
			defer other.Cancel()
			require.NoError(t, other.Lock(k, LockExclusive, -1))
			other.Cancel()
			_, err := tr.Get(k)
			require.ErrorIs(t, err, ErrTransactionTimedOut)
		}},
		{"timeout noticed by a call", func(t *testing.T, db *DB) {
			tr := db.NewTransaction()
			tr.SetTimeout(time.Hour)
			require.NoError(t, tr.Lock(k, LockExclusive, 0))
			tr.timeout = time.Nanosecond // as if the hour had passed
			_, err := tr.Get(k)
			require.ErrorIs(t, err, ErrTransactionTimedOut)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := lockDB(t)
			tc.run(t, db)
			free(t, db)
		})
	}
}

func TestLockReleaseOrder(t *testing.T) {
	db := lockDB(t)
	a := db.NewTransaction()
	keys := []string{"k1", "k2", "k3"}
	for _, k := range keys {
		require.NoError(t, a.Lock([]byte(k), LockExclusive, 0))
	}
	var dones []<-chan error
	for _, k := range keys {
		w := db.NewTransaction()
		defer w.Cancel()
		dones = append(dones, lockAsync(w, k, LockExclusive, -1))
		waiting(t, db, k, 1)
	}
	a.Cancel()
	for _, d := range dones {
		require.NoError(t, <-d)
	}
	// Released newest first, so k3's waiter was granted first.
	db.locks.mu.Lock()
	seq := func(k string) uint64 {
		return db.locks.find(db.locks.hash([]byte(k)), []byte(k)).holders[0].seq
	}
	s1, s2, s3 := seq("k1"), seq("k2"), seq("k3")
	db.locks.mu.Unlock()
	require.Less(t, s3, s2)
	require.Less(t, s2, s1)
}

func TestLockCallbacksRunAfterRelease(t *testing.T) {
	db := lockDB(t)
	k := []byte("k")
	freeNow := func() error {
		if n := len(db.Locks()); n != 0 {
			return fmt.Errorf("%d locks held in a callback", n)
		}
		other := db.NewTransaction()
		defer other.Cancel()
		return other.Lock(k, LockExclusive, 0)
	}
	var commitErr, abortErr error
	ran := 0
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		require.NoError(t, tr.Lock(k, LockExclusive, 0))
		tr.OnCommit(func(TransactionInfo) { ran++; commitErr = freeNow() })
		tr.Set(k, []byte("v"))
		return nil
	}))
	tr := db.NewTransaction()
	require.NoError(t, tr.Lock(k, LockExclusive, 0))
	tr.OnAbort(func(TransactionInfo) { ran++; abortErr = freeNow() })
	tr.Cancel()
	require.Equal(t, 2, ran)
	require.NoError(t, commitErr)
	require.NoError(t, abortErr)
}

func TestLockIsAdvisory(t *testing.T) {
	db := lockDB(t)
	a := db.NewTransaction()
	defer a.Cancel()
	require.NoError(t, a.Lock([]byte("k"), LockExclusive, 0))
	put(t, db, "k", "written without the lock")
	require.Equal(t, "written without the lock", string(get(t, db, "k")))
}

func TestLockDoesNotReplaceValidation(t *testing.T) {
	db := lockDB(t)
	tr := db.NewTransaction()
	require.NoError(t, tr.Lock([]byte("k"), LockExclusive, 0))
	_, err := tr.Get([]byte("k"))
	require.NoError(t, err)
	put(t, db, "k", "by a writer that did not lock")
	tr.Set([]byte("k"), []byte("mine"))
	require.ErrorIs(t, tr.Commit(), ErrNotCommitted)
	require.Empty(t, db.Locks())
}

// TestLockHotCounter: 8 goroutines increment one counter 200 times each,
// locking it before reading it: no attempt conflicts, so fn runs exactly
// once per increment.
func TestLockHotCounter(t *testing.T) {
	db := lockDB(t)
	const workers, each = 8, 200
	var runs atomic.Int64
	var g errgroup.Group
	for range workers {
		g.Go(func() error {
			for range each {
				err := db.Transact(func(tr *Transaction) error {
					runs.Add(1)
					if err := tr.Lock([]byte("counter"), LockExclusive, -1); err != nil {
						return err
					}
					v, err := tr.Get([]byte("counter"))
					if err != nil {
						return err
					}
					n, _ := strconv.Atoi(string(v))
					tr.Set([]byte("counter"), []byte(strconv.Itoa(n+1)))
					return nil
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	require.NoError(t, g.Wait())
	require.Equal(t, int64(workers*each), runs.Load())
	require.Equal(t, strconv.Itoa(workers*each), string(get(t, db, "counter")))
	st := db.Stats()
	require.Zero(t, st.Conflicts)
	require.Zero(t, st.Retries)
	require.Empty(t, db.Locks())
}

// deadlockCycle runs n transactions, the i-th locking key i and then key
// i+1 (mod n), with every first attempt holding its first key before any
// takes its second: a cycle. One fails with ErrDeadlock, Transact retries
// it, and all commit.
func deadlockCycle(t *testing.T, n int) {
	db := lockDB(t)
	var held sync.WaitGroup
	held.Add(n)
	var deadlocks atomic.Int64
	var g errgroup.Group
	for i := range n {
		g.Go(func() error {
			first, second := []byte(fmt.Sprint("k", i)), []byte(fmt.Sprint("k", (i+1)%n))
			return db.Transact(func(tr *Transaction) error {
				if err := tr.Lock(first, LockExclusive, -1); err != nil {
					return err
				}
				if tr.Attempt() == 1 {
					held.Done()
					held.Wait()
				}
				if err := tr.Lock(second, LockExclusive, -1); err != nil {
					if errors.Is(err, ErrDeadlock) {
						deadlocks.Add(1)
					}
					return err
				}
				tr.Set(first, []byte("done"))
				tr.Set(second, []byte("done"))
				return nil
			})
		})
	}
	require.NoError(t, g.Wait())
	require.GreaterOrEqual(t, deadlocks.Load(), int64(1))
	require.Equal(t, int64(n), db.Stats().Commits)
	require.Empty(t, db.Locks())
}

func TestLockDeadlockTwo(t *testing.T)   { deadlockCycle(t, 2) }
func TestLockDeadlockThree(t *testing.T) { deadlockCycle(t, 3) }

func TestLockDeadlockDetectedAtOnce(t *testing.T) {
	db := lockDB(t)
	a, b, c := db.NewTransaction(), db.NewTransaction(), db.NewTransaction()
	defer a.Cancel()
	defer b.Cancel()
	require.NoError(t, a.Lock([]byte("a"), LockExclusive, 0))
	require.NoError(t, b.Lock([]byte("b"), LockExclusive, 0))
	require.NoError(t, c.Lock([]byte("c"), LockExclusive, 0))
	adone := lockAsync(a, "b", LockExclusive, -1)
	waiting(t, db, "b", 1)
	bdone := lockAsync(b, "c", LockExclusive, -1)
	waiting(t, db, "c", 1)
	err := c.Lock([]byte("a"), LockShared, time.Hour) // would wait forever
	require.ErrorIs(t, err, ErrDeadlock)
	require.Contains(t, err.Error(), "cycle of 3")
	c.Cancel()
	require.NoError(t, <-bdone)
	b.Cancel()
	require.NoError(t, <-adone)
}

func TestLockDeadlockThroughTheQueue(t *testing.T) {
	// t1 holds a shared; x waits for a exclusive; t3 holds b and asks for a
	// shared, so it queues behind x. t1 asking for b closes the cycle
	// t1 -> t3 -> x -> t1, though no holder waits for t1 directly.
	db := lockDB(t)
	t1, x, t3 := db.NewTransaction(), db.NewTransaction(), db.NewTransaction()
	defer x.Cancel()
	defer t3.Cancel()
	require.NoError(t, t1.Lock([]byte("a"), LockShared, 0))
	require.NoError(t, t3.Lock([]byte("b"), LockExclusive, 0))
	xdone := lockAsync(x, "a", LockExclusive, -1)
	waiting(t, db, "a", 1)
	t3done := lockAsync(t3, "a", LockShared, -1)
	waiting(t, db, "a", 2)
	require.ErrorIs(t, t1.Lock([]byte("b"), LockShared, -1), ErrDeadlock)
	t1.Cancel()
	require.NoError(t, <-xdone)
	x.Cancel()
	require.NoError(t, <-t3done)
}

func TestLockNotDeadlockWhenCompatible(t *testing.T) {
	db := lockDB(t)
	a, b := db.NewTransaction(), db.NewTransaction()
	defer a.Cancel()
	defer b.Cancel()
	require.NoError(t, a.Lock([]byte("a"), LockShared, 0))
	require.NoError(t, b.Lock([]byte("b"), LockShared, 0))
	require.NoError(t, a.Lock([]byte("b"), LockShared, 0))
	require.NoError(t, b.Lock([]byte("a"), LockShared, 0))
}

// TestLockMemoryReturns locks a million distinct keys and releases them:
// the table and the heap return to their size before.
func TestLockMemoryReturns(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	db := lockDB(t)
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	tr := db.NewTransaction()
	key := make([]byte, 0, 32)
	for i := range n {
		key = strconv.AppendInt(append(key[:0], "lock/"...), int64(i), 10)
		if err := tr.Lock(key, LockExclusive, 0); err != nil {
			require.NoError(t, err)
		}
	}
	require.Equal(t, n, db.locks.n)
	full := heap()
	tr.Cancel()
	require.Empty(t, db.Locks())
	require.Zero(t, db.locks.n)
	after := heap()
	t.Logf("heap: %d MB before, %d MB with %d locks, %d MB after", before>>20, full>>20, n, after>>20)
	require.Greater(t, full, before+uint64(n)*32, "the locks took memory")
	require.Less(t, after, before+4<<20, "the memory returned")
	runtime.KeepAlive(tr)
}

func TestLockModeString(t *testing.T) {
	require.True(t, strings.HasPrefix(LockMode(9).String(), "LockMode("))
}

func TestLockOneWaitPerTransaction(t *testing.T) {
	db := lockDB(t)
	a, b := db.NewTransaction(), db.NewTransaction()
	defer a.Cancel()
	require.NoError(t, a.Lock([]byte("x"), LockExclusive, 0))
	require.NoError(t, a.Lock([]byte("y"), LockExclusive, 0))
	done := lockAsync(b, "x", LockExclusive, -1)
	waiting(t, db, "x", 1)
	require.ErrorIs(t, b.Lock([]byte("y"), LockExclusive, -1), ErrClientInvalidOperation)
	require.NoError(t, b.Lock([]byte("z"), LockExclusive, 0), "a free lock needs no wait")
	a.Cancel()
	require.NoError(t, <-done)
	b.Cancel()
	require.Empty(t, db.Locks())
}
