package kv

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestTransactionTooOld(t *testing.T) {
	db := openDB(t, &Options{MVCCWindow: 40 * time.Millisecond})
	put(t, db, "k", "0")
	tr := db.NewTransaction()
	_, err := tr.Get([]byte("k"))
	require.NoError(t, err)
	put(t, db, "k", "1")
	time.Sleep(60 * time.Millisecond)
	_, err = tr.Get([]byte("k"))
	require.ErrorIs(t, err, ErrTransactionTooOld)
	require.True(t, IsRetryable(err))
	tr.Set([]byte("x"), nil)
	require.ErrorIs(t, tr.Commit(), ErrTransactionTooOld)

	// A blind write is never too old: without read conflict ranges the
	// transaction depends on no version.
	tr = db.NewTransaction()
	tr.GetReadVersion()
	time.Sleep(60 * time.Millisecond)
	tr.Set([]byte("blind"), []byte("1"))
	require.NoError(t, tr.Commit())

	// Transact retries it.
	n := 0
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		n++
		if _, err := tr.Get([]byte("k")); err != nil {
			return err
		}
		if n == 1 {
			time.Sleep(60 * time.Millisecond)
		}
		_, err := tr.Get([]byte("k"))
		return err
	}))
	require.Equal(t, 2, n)
}

func TestSetReadVersion(t *testing.T) {
	db := openDB(t, nil)
	put(t, db, "k", "old")
	var v1 int64
	require.NoError(t, db.ReadTransact(func(tr ReadTransaction) error {
		var err error
		v1, err = tr.GetReadVersion()
		return err
	}))
	put(t, db, "k", "new")

	tr := db.NewTransaction()
	tr.SetReadVersion(v1)
	v, err := tr.Get([]byte("k"))
	require.NoError(t, err)
	require.Equal(t, "old", string(v))
	rv, _ := tr.GetReadVersion()
	require.Equal(t, v1, rv)

	tr = db.NewTransaction()
	tr.SetReadVersion(v1 + 100)
	_, err = tr.Get([]byte("k"))
	require.ErrorIs(t, err, ErrFutureVersion)

	tr = db.NewTransaction()
	tr.SetReadVersion(0)
	_, err = tr.Get([]byte("k"))
	require.ErrorIs(t, err, ErrVersionInvalid)

	tr = db.NewTransaction()
	tr.Get([]byte("k"))
	tr.SetReadVersion(v1)
	_, err = tr.Get([]byte("k"))
	require.ErrorIs(t, err, ErrReadVersionAlreadySet)
}

func TestSetReadVersionOlderThanWindow(t *testing.T) {
	db := openDB(t, &Options{MVCCWindow: 30 * time.Millisecond})
	put(t, db, "k", "old")
	var v1 int64
	db.ReadTransact(func(tr ReadTransaction) error { v1, _ = tr.GetReadVersion(); return nil })
	put(t, db, "k", "new")
	time.Sleep(50 * time.Millisecond)
	put(t, db, "k", "newer") // lets garbage collection advance
	tr := db.NewTransaction()
	tr.SetReadVersion(v1)
	_, err := tr.Get([]byte("k"))
	require.ErrorIs(t, err, ErrTransactionTooOld)
}

// TestGarbageCollectionReturnsMemory overwrites and deletes keys heavily,
// then checks that the store keeps one version per live key and that the
// heap returns close to its size after the initial load.
func TestGarbageCollectionReturnsMemory(t *testing.T) {
	db := openDB(t, &Options{MVCCWindow: 20 * time.Millisecond})
	const n = 20000
	val := make([]byte, 100)
	load := func(round int) {
		for b := 0; b < n; b += 1000 {
			require.NoError(t, db.Transact(func(tr *Transaction) error {
				for i := b; i < b+1000; i++ {
					val[0] = byte(round)
					tr.Set([]byte(fmt.Sprintf("key%012d", i)), val)
				}
				return nil
			}))
		}
	}
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	load(0)
	base := heap()
	for round := 1; round <= 10; round++ {
		load(round)
	}
	// Delete a quarter of the keys by range and churn the rest once more.
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		tr.ClearRange([]byte("key"), []byte(fmt.Sprintf("key%012d", n/4)))
		return nil
	}))
	// Once the window has passed, the background collector trims every
	// key to its newest version and drops deleted keys.
	deadline := time.Now().Add(5 * time.Second)
	for {
		st := db.Stats()
		if st.Versions == n-n/4 && st.Keys == n-n/4 {
			break
		}
		require.True(t, time.Now().Before(deadline), "versions not collected: %+v", st)
		time.Sleep(10 * time.Millisecond)
	}
	after := heap()
	t.Logf("heap after load %d B, after churn and collection %d B (%d live keys)", base, after, n-n/4)
	require.Less(t, after, base+base/4, "memory returns to the size of the live data")
	require.Less(t, db.Stats().ConflictRanges, 2000, "conflict history is trimmed too")
}

// TestHistoryKeepsWhatLiveReadersNeed: the conflict history forgets writes
// that no live transaction can conflict with, but never one a live reader
// still needs, however many commits pass.
func TestHistoryKeepsWhatLiveReadersNeed(t *testing.T) {
	db := openDB(t, nil)
	churn := func(n int) {
		for i := 0; i < n; i++ {
			put(t, db, fmt.Sprintf("other/%d", i), "x")
		}
	}
	tr := db.NewTransaction()
	_, err := tr.Get([]byte("k"))
	require.NoError(t, err)
	churn(3000)
	put(t, db, "k", "changed")
	churn(3000)
	tr.Set([]byte("mine"), nil)
	require.ErrorIs(t, tr.Commit(), ErrNotCommitted, "the write to k is still in the history")

	// With no live readers the history stays small.
	churn(20000)
	require.Less(t, db.Stats().ConflictRanges, 5000)

	// An old SetReadVersion can read, but cannot commit reads against a
	// history that moved on: retryable too old.
	var v int64
	db.ReadTransact(func(rt ReadTransaction) error { v, _ = rt.GetReadVersion(); return nil })
	churn(100)
	tr = db.NewTransaction()
	tr.SetReadVersion(v)
	_, err = tr.Get([]byte("k"))
	require.NoError(t, err)
	tr.Set([]byte("mine"), nil)
	err = tr.Commit()
	require.ErrorIs(t, err, ErrTransactionTooOld)
	require.True(t, IsRetryable(err))
}
