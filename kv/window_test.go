package kv

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The rules of the MVCC window and SetReadVersion are in
// testdata/window.txt; these are what a script cannot say.

// TestTransactTooOldRetries: Transact retries an attempt that outlived the
// window, and the retry, with a new read version, succeeds.
func TestTransactTooOldRetries(t *testing.T) {
	db := openDB(t, nil)
	clock := UseClock(db)
	put(t, db, "k", "0")
	n := 0
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		n++
		if _, err := tr.Get([]byte("k")); err != nil {
			return err
		}
		if n == 1 {
			clock.Advance(DefaultMVCCWindow + time.Second)
		}
		_, err := tr.Get([]byte("k"))
		if n == 1 {
			require.ErrorIs(t, err, ErrTransactionTooOld)
			require.True(t, IsRetryable(err))
		}
		return err
	}))
	require.Equal(t, 2, n)
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

// An Iterate whose read version leaves the window midway hands out the rows
// it had already read, which were read inside the window, and fails with
// transaction_too_old when it next reads from the store.
func TestIterateTooOldAtNextBatch(t *testing.T) {
	db := openDB(t, nil)
	clock := UseClock(db)
	const n = 3000
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		for i := range n {
			tr.Set(fmt.Appendf(nil, "k%05d", i), []byte("v"))
		}
		return nil
	}))
	tr := db.NewTransaction()
	defer tr.Cancel()
	rows := 0
	var err error
	for kv, e := range tr.Iterate(KeyRange{Begin: []byte("k"), End: []byte("l")}, RangeOptions{}) {
		if e != nil {
			err = e
			break
		}
		require.Equal(t, fmt.Sprintf("k%05d", rows), string(kv.Key))
		rows++
		if rows == 1 {
			clock.Advance(DefaultMVCCWindow + time.Second)
		}
	}
	require.ErrorIs(t, err, ErrTransactionTooOld)
	require.Greater(t, rows, 1, "the rows of the batch already read are handed out")
	require.Less(t, rows, n)
}
