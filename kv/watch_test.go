package kv

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/sync/errgroup"
)

// noLeaks fails the test if it leaves a goroutine behind once its cleanups
// (closing its databases, stopping its subscribers) have run.
func noLeaks(t *testing.T) {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
}

// watchOn makes a watch on key in a transaction and commits it read-only.
func watchOn(t *testing.T, db *DB, key string) *Watch {
	t.Helper()
	tr := db.NewTransaction()
	w := tr.Watch([]byte(key))
	require.NoError(t, tr.Commit())
	require.NoError(t, w.Err())
	return w
}

func fired(w *Watch) bool {
	select {
	case <-w.Done():
		return w.Err() == nil
	default:
		return false
	}
}

func pending(w *Watch) bool {
	select {
	case <-w.Done():
		return false
	default:
		return true
	}
}

// waitDone waits for w, failing the test after a while.
func waitDone(t *testing.T, w *Watch) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := w.Wait(ctx)
	require.False(t, errors.Is(err, context.DeadlineExceeded), "the watch never became ready")
	return err
}

func clearKey(t *testing.T, db *DB, key string) {
	t.Helper()
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		tr.Clear([]byte(key))
		return nil
	}))
}

// A watch is active only from its transaction's commit: commits before it
// do not fire it, and it fires at activation if the key already differs.
func TestWatchActiveFromCommit(t *testing.T) {
	noLeaks(t)
	db := openDB(t, nil)
	put(t, db, "k", "1")

	t.Run("read-only commit activates", func(t *testing.T) {
		w := watchOn(t, db, "k")
		require.True(t, pending(w))
		put(t, db, "k", "2")
		require.NoError(t, waitDone(t, w))
	})
	t.Run("not before the commit", func(t *testing.T) {
		tr := db.NewTransaction()
		w := tr.Watch([]byte("k"))
		put(t, db, "other", "x")
		require.True(t, pending(w), "a pending watch must not fire")
		require.NoError(t, tr.Commit())
		require.True(t, pending(w))
		put(t, db, "k", "3")
		require.NoError(t, waitDone(t, w))
	})
	t.Run("a change between the read and the commit fires at activation", func(t *testing.T) {
		tr := db.NewTransaction()
		w := tr.Watch([]byte("k")) // sees "3"
		put(t, db, "k", "4")
		require.True(t, pending(w), "changes before the commit are not reported")
		require.NoError(t, tr.Commit()) // read-only: no conflict
		require.NoError(t, waitDone(t, w))
	})
	t.Run("a change back before the commit does not fire", func(t *testing.T) {
		tr := db.NewTransaction()
		w := tr.Watch([]byte("k")) // sees "4"
		put(t, db, "k", "5")
		put(t, db, "k", "4")
		require.NoError(t, tr.Commit())
		require.True(t, pending(w))
		w.Cancel()
	})
	t.Run("writing commit", func(t *testing.T) {
		tr := db.NewTransaction()
		w := tr.Watch([]byte("k"))
		tr.Set([]byte("elsewhere"), []byte("1"))
		require.NoError(t, tr.Commit())
		require.True(t, pending(w), "its own commit does not fire it")
		put(t, db, "k", "6")
		require.NoError(t, waitDone(t, w))
	})
}

// It fires on a different value, absent and present being different, and
// never on a write of the same value.
func TestWatchValueComparison(t *testing.T) {
	noLeaks(t)
	db := openDB(t, nil)
	put(t, db, "k", "v")

	w := watchOn(t, db, "k")
	put(t, db, "k", "v")
	require.True(t, pending(w), "a write of the same value must not fire")
	put(t, db, "k", "w")
	require.NoError(t, waitDone(t, w))

	w = watchOn(t, db, "k")
	clearKey(t, db, "k")
	require.NoError(t, waitDone(t, w), "present to absent fires")

	w = watchOn(t, db, "k") // absent
	clearKey(t, db, "k")
	require.True(t, pending(w), "clearing an absent key is no change")
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		tr.ClearRange([]byte("a"), []byte("z"))
		return nil
	}))
	require.True(t, pending(w))
	put(t, db, "k", "")
	require.NoError(t, waitDone(t, w), "absent to present with an empty value fires")

	w = watchOn(t, db, "k")
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		tr.ClearRange([]byte("a"), []byte("z"))
		return nil
	}))
	require.NoError(t, waitDone(t, w), "a ClearRange over the key fires")

	put(t, db, "n", "\x01")
	w = watchOn(t, db, "n")
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		tr.Max([]byte("n"), []byte("\x00")) // leaves the value as it is
		return nil
	}))
	require.True(t, pending(w), "an atomic op leaving the same value does not fire")
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		tr.AddInt64([]byte("n"), 1)
		return nil
	}))
	require.NoError(t, waitDone(t, w), "an atomic op changing the value fires")
}

// The value compared against is the one the transaction saw at its commit,
// its own writes included, whether they came before or after Watch.
func TestWatchOwnWrites(t *testing.T) {
	noLeaks(t)
	db := openDB(t, nil)
	put(t, db, "k", "old")

	for _, c := range []struct {
		name  string
		watch func(tr *Transaction) *Watch
	}{
		{"write then watch", func(tr *Transaction) *Watch {
			tr.Set([]byte("k"), []byte("new"))
			return tr.Watch([]byte("k"))
		}},
		{"watch then write", func(tr *Transaction) *Watch {
			w := tr.Watch([]byte("k"))
			tr.Set([]byte("k"), []byte("new"))
			return w
		}},
		{"clear range then set", func(tr *Transaction) *Watch {
			w := tr.Watch([]byte("k"))
			tr.ClearRange([]byte("a"), []byte("z"))
			tr.Set([]byte("k"), []byte("new"))
			return w
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			put(t, db, "k", "old")
			tr := db.NewTransaction()
			w := c.watch(tr)
			require.NoError(t, tr.Commit())
			require.True(t, pending(w), "the transaction's own write does not fire its watch")
			put(t, db, "k", "new")
			require.True(t, pending(w), "the value it saw was its own write")
			put(t, db, "k", "old")
			require.NoError(t, waitDone(t, w))
		})
	}

	t.Run("own atomic op", func(t *testing.T) {
		put(t, db, "c", "\x05")
		tr := db.NewTransaction()
		tr.Add([]byte("c"), []byte("\x01"))
		w := tr.Watch([]byte("c"))
		require.NoError(t, tr.Commit())
		require.Equal(t, []byte("\x06"), get(t, db, "c"))
		put(t, db, "c", "\x06")
		require.True(t, pending(w))
		put(t, db, "c", "\x07")
		require.NoError(t, waitDone(t, w))
	})
	t.Run("own clear", func(t *testing.T) {
		put(t, db, "k", "x")
		tr := db.NewTransaction()
		tr.Clear([]byte("k"))
		w := tr.Watch([]byte("k"))
		require.NoError(t, tr.Commit())
		clearKey(t, db, "k")
		require.True(t, pending(w))
		put(t, db, "k", "x")
		require.NoError(t, waitDone(t, w))
	})
}

// A transaction that does not commit fails its watches with the error that
// ended it; Reset, Cancel and Watch.Cancel give ErrWatchCancelled.
func TestWatchFailures(t *testing.T) {
	noLeaks(t)
	db := openDB(t, nil)
	put(t, db, "k", "1")

	t.Run("conflict", func(t *testing.T) {
		tr := db.NewTransaction()
		w := tr.Watch([]byte("k")) // a serializable read of k
		tr.Set([]byte("x"), []byte("1"))
		put(t, db, "k", "2")
		err := tr.Commit()
		require.ErrorIs(t, err, ErrNotCommitted)
		require.ErrorIs(t, waitDone(t, w), ErrNotCommitted)
	})
	t.Run("error from fn", func(t *testing.T) {
		boom := errors.New("boom")
		var w *Watch
		err := db.Transact(func(tr *Transaction) error {
			w = tr.Watch([]byte("k"))
			return boom
		})
		require.ErrorIs(t, err, boom)
		require.ErrorIs(t, waitDone(t, w), boom)
	})
	t.Run("retried attempt", func(t *testing.T) {
		var ws []*Watch
		err := db.Transact(func(tr *Transaction) error {
			ws = append(ws, tr.Watch([]byte("k")))
			if len(ws) == 1 {
				return newError(codeNotCommitted, "injected")
			}
			return nil
		})
		require.NoError(t, err)
		require.Len(t, ws, 2)
		require.ErrorIs(t, waitDone(t, ws[0]), ErrNotCommitted, "the failed attempt's watch fails with its error")
		require.True(t, pending(ws[1]), "the committed attempt's watch is active")
		put(t, db, "k", "3")
		require.NoError(t, waitDone(t, ws[1]))
	})
	t.Run("reset", func(t *testing.T) {
		tr := db.NewTransaction()
		w := tr.Watch([]byte("k"))
		tr.Reset()
		require.ErrorIs(t, waitDone(t, w), ErrWatchCancelled)
	})
	t.Run("transaction cancel", func(t *testing.T) {
		tr := db.NewTransaction()
		w := tr.Watch([]byte("k"))
		tr.Cancel()
		require.ErrorIs(t, waitDone(t, w), ErrWatchCancelled)
	})
	t.Run("watch cancel", func(t *testing.T) {
		w := watchOn(t, db, "k")
		w.Cancel()
		require.ErrorIs(t, waitDone(t, w), ErrWatchCancelled)
		w.Cancel() // twice is fine
		put(t, db, "k", "4")
		require.ErrorIs(t, w.Err(), ErrWatchCancelled)
		tr := db.NewTransaction()
		w = tr.Watch([]byte("k"))
		w.Cancel() // pending
		require.ErrorIs(t, waitDone(t, w), ErrWatchCancelled)
		require.NoError(t, tr.Commit())
		require.ErrorIs(t, w.Err(), ErrWatchCancelled)
	})
	t.Run("timeout", func(t *testing.T) {
		tr := db.NewTransaction()
		tr.SetTimeout(time.Millisecond)
		w := tr.Watch([]byte("k"))
		time.Sleep(5 * time.Millisecond)
		require.ErrorIs(t, tr.Commit(), ErrTransactionTimedOut)
		require.ErrorIs(t, waitDone(t, w), ErrTransactionTimedOut)
	})
	t.Run("refused watch", func(t *testing.T) {
		tr := db.NewTransaction()
		require.ErrorIs(t, waitDone(t, tr.Watch([]byte("\xff/x"))), ErrKeyOutsideLegalRange)
		require.ErrorIs(t, waitDone(t, tr.Watch(make([]byte, MaxKeySize+1))), ErrKeyTooLarge)
		require.NoError(t, tr.Commit())
		require.ErrorIs(t, waitDone(t, tr.Watch([]byte("k"))), ErrUsedDuringCommit)
	})
	t.Run("system key with access", func(t *testing.T) {
		tr := db.NewTransaction()
		tr.SetReadSystemKeys()
		w := tr.Watch([]byte("\xff/w"))
		require.NoError(t, tr.Commit())
		require.NoError(t, db.Transact(func(tr *Transaction) error {
			tr.SetAccessSystemKeys()
			tr.Set([]byte("\xff/w"), []byte("1"))
			return nil
		}))
		require.NoError(t, waitDone(t, w))
	})
	t.Run("nil context", func(t *testing.T) {
		w := watchOn(t, db, "k")
		require.ErrorIs(t, w.Wait(nil), ErrClientInvalidOperation) //nolint:staticcheck // the nil is the test
		w.Cancel()
	})
	t.Run("wait ends with ctx", func(t *testing.T) {
		w := watchOn(t, db, "k")
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		defer cancel()
		require.ErrorIs(t, w.Wait(ctx), context.DeadlineExceeded)
		require.True(t, pending(w), "an ended Wait leaves the watch outstanding")
		require.Nil(t, w.Err())
		w.Cancel()
	})
}

// Close fails every outstanding watch, active or pending, with
// ErrDatabaseClosed.
func TestWatchClose(t *testing.T) {
	noLeaks(t)
	db, err := Open(nil)
	require.NoError(t, err)
	put(t, db, "k", "1")
	active := watchOn(t, db, "other")
	tr := db.NewTransaction()
	pendingW := tr.Watch([]byte("other"))
	fired := watchOn(t, db, "k")
	put(t, db, "k", "2")
	require.NoError(t, waitDone(t, fired))

	require.NoError(t, db.Close())
	require.ErrorIs(t, waitDone(t, active), ErrDatabaseClosed)
	require.ErrorIs(t, waitDone(t, pendingW), ErrDatabaseClosed)
	require.NoError(t, fired.Err(), "a watch that fired stays fired")
	require.ErrorIs(t, tr.Commit(), ErrDatabaseClosed)
	require.ErrorIs(t, waitDone(t, tr.Watch([]byte("k"))), ErrDatabaseClosed)
}

// More than MaxWatches outstanding watches fail with ErrTooManyWatches;
// watches that end give their place back.
func TestWatchLimit(t *testing.T) {
	noLeaks(t)
	_, err := Open(&Options{MaxWatches: -1})
	require.ErrorIs(t, err, ErrInvalidOptionValue)
	_, err = Open(&Options{MaxWatches: maxWatchesLimit + 1})
	require.ErrorIs(t, err, ErrInvalidOptionValue)

	db := openDB(t, &Options{MaxWatches: 3})
	tr := db.NewTransaction()
	ws := []*Watch{tr.Watch([]byte("a")), tr.Watch([]byte("b")), tr.Watch([]byte("c"))}
	over := tr.Watch([]byte("d"))
	require.ErrorIs(t, waitDone(t, over), ErrTooManyWatches, "pending watches count")
	require.False(t, IsRetryable(ErrTooManyWatches))
	require.NoError(t, tr.Commit())
	require.ErrorIs(t, waitDone(t, watchOnRaw(db, "d")), ErrTooManyWatches, "active watches count")

	ws[0].Cancel()
	d := watchOnRaw(db, "d")
	require.True(t, pending(d), "a cancelled watch gives its place back")
	put(t, db, "b", "1")
	require.NoError(t, waitDone(t, ws[1]))
	e := watchOnRaw(db, "e")
	require.True(t, pending(e), "a fired watch gives its place back")
	require.ErrorIs(t, waitDone(t, watchOnRaw(db, "f")), ErrTooManyWatches)

	def := openDB(t, nil)
	require.Equal(t, DefaultMaxWatches, def.opts.MaxWatches)
}

func watchOnRaw(db *DB, key string) *Watch {
	tr := db.NewTransaction()
	w := tr.Watch([]byte(key))
	tr.Commit()
	return w
}

// Restore fires the watches whose key it changed, and only those.
func TestWatchRestore(t *testing.T) {
	noLeaks(t)
	db := openDB(t, nil)
	put(t, db, "same", "1", "changed", "1", "gone", "1")
	backup := backupOf(t, db)
	put(t, db, "changed", "2", "new", "1")
	clearKey(t, db, "gone")
	ws := map[string]*Watch{}
	for _, k := range []string{"same", "changed", "gone", "new", "absent"} {
		ws[k] = watchOn(t, db, k)
	}
	_, err := db.Restore(backup)
	require.NoError(t, err)
	for k, want := range map[string]bool{"same": false, "changed": true, "gone": true, "new": true, "absent": false} {
		require.Equal(t, want, fired(ws[k]), k)
	}
}

// Many watchers and writers at once: every watch fires exactly when its key
// changes, and each one's wake-up sees the change.
func TestWatchConcurrent(t *testing.T) {
	noLeaks(t)
	db := openDB(t, nil)
	const keys, rounds = 8, 50
	var g errgroup.Group
	for k := range keys {
		key := []byte(fmt.Sprintf("key%d", k))
		g.Go(func() error { // watcher: waits for each of the writer's values in turn
			seen := -1
			for seen < rounds-1 {
				var w *Watch
				var v []byte
				err := db.Transact(func(tr *Transaction) error {
					var err error
					if v, err = tr.Get(key); err != nil {
						return err
					}
					w = tr.Watch(key)
					return nil
				})
				if err != nil {
					return err
				}
				if v != nil {
					fmt.Sscan(string(v), &seen)
				}
				if seen == rounds-1 {
					w.Cancel()
					break
				}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				err = w.Wait(ctx)
				cancel()
				if err != nil {
					return fmt.Errorf("watch on %s after %d: %w", key, seen, err)
				}
			}
			return nil
		})
		g.Go(func() error { // writer
			for i := range rounds {
				if err := db.Transact(func(tr *Transaction) error {
					tr.Set(key, []byte(fmt.Sprint(i)))
					return nil
				}); err != nil {
					return err
				}
			}
			return nil
		})
	}
	require.NoError(t, g.Wait())
	db.watches.mu.Lock()
	defer db.watches.mu.Unlock()
	require.Zero(t, db.watches.count, "no watch left outstanding")
	require.Zero(t, db.watches.active.Load())
}

// Concurrent Cancel, firing and Close never double-resolve or panic.
func TestWatchRaces(t *testing.T) {
	noLeaks(t)
	db, err := Open(nil)
	require.NoError(t, err)
	var ws []*Watch
	for i := range 200 {
		ws = append(ws, watchOnRaw(db, fmt.Sprintf("k%d", i%10)))
	}
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		for _, w := range ws[:100] {
			w.Cancel()
		}
	}()
	go func() {
		defer wg.Done()
		for i := range 10 {
			db.Transact(func(tr *Transaction) error {
				tr.Set([]byte(fmt.Sprintf("k%d", i)), []byte("x"))
				return nil
			})
		}
	}()
	go func() {
		defer wg.Done()
		db.Close()
	}()
	wg.Wait()
	for _, w := range ws {
		<-w.Done()
	}
}
