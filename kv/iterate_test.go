package kv

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
)

func collect(t *testing.T, seq func(func(KeyValue, error) bool), body func(kv KeyValue)) []string {
	t.Helper()
	var got []string
	for kv, err := range seq {
		require.NoError(t, err)
		got = append(got, string(kv.Key))
		if body != nil {
			body(kv)
		}
	}
	return got
}

func TestIterateSeesWritesAheadOfPosition(t *testing.T) {
	db := openDB(t, nil)
	put(t, db, "a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "f", "6")
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		got := collect(t, tr.Iterate(KeyRange{[]byte("a"), []byte("z")}, RangeOptions{}), func(kv KeyValue) {
			if string(kv.Key) == "b" {
				tr.Set([]byte("bb"), []byte("ahead"))       // ahead: appears
				tr.Set([]byte("a0"), []byte("behind"))      // behind: not revisited
				tr.Clear([]byte("d"))                       // ahead: skipped
				tr.ClearRange([]byte("e"), []byte("e\x00")) // ahead: skipped
				tr.Set([]byte("b"), []byte("current"))      // at the position: not revisited
			}
		})
		require.Equal(t, []string{"a", "b", "bb", "c", "f"}, got)
		// Reverse, and a write ahead in that direction.
		got = collect(t, tr.Iterate(KeyRange{[]byte("a"), []byte("z")}, RangeOptions{Reverse: true}), func(kv KeyValue) {
			if string(kv.Key) == "f" {
				tr.Set([]byte("c5"), []byte("ahead"))
				tr.Clear([]byte("bb"))
			}
		})
		require.Equal(t, []string{"f", "c5", "c", "b", "a0", "a"}, got)
		return nil
	}))
}

func TestIterateLimitAndEarlyStop(t *testing.T) {
	db := openDB(t, nil)
	for i := 0; i < 100; i++ {
		put(t, db, string(rune('A'+i)), "v")
	}
	require.NoError(t, db.ReadTransact(func(rt ReadTransaction) error {
		got := collect(t, rt.Iterate(KeyRange{[]byte(""), []byte("\xff")}, RangeOptions{Limit: 7}), nil)
		require.Len(t, got, 7)
		n := 0
		for _, err := range rt.Iterate(KeyRange{[]byte(""), []byte("\xff")}, RangeOptions{}) {
			require.NoError(t, err)
			n++
			if n == 3 {
				break
			}
		}
		require.Equal(t, 3, n)
		return nil
	}))
}

// What an Iterate loop that stops early depends on is in
// testdata/conflicts_range.txt.

func TestNestedUseInsideIterateDoesNotDeadlock(t *testing.T) {
	db := openDB(t, nil)
	put(t, db, "a", "1", "b", "2", "c", "3")
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		for kv, err := range tr.Iterate(KeyRange{[]byte("a"), []byte("z")}, RangeOptions{}) {
			if err != nil {
				return err
			}
			// Reads of the same transaction, and a whole nested transaction.
			if _, err := tr.Get(kv.Key); err != nil {
				return err
			}
			if _, err := tr.GetRange(KeyRange{[]byte("a"), []byte("z")}, RangeOptions{}); err != nil {
				return err
			}
			if err := db.Transact(func(o *Transaction) error {
				o.Set(append([]byte("copy/"), kv.Key...), kv.Value)
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	}))
	require.Equal(t, "2", string(get(t, db, "copy/b")))
}

func TestIterateAfterCommitInsideLoop(t *testing.T) {
	db := openDB(t, nil)
	put(t, db, "a", "1", "b", "2")
	tr := db.NewTransaction()
	var errs []error
	for _, err := range tr.Iterate(KeyRange{[]byte("a"), []byte("z")}, RangeOptions{}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		require.NoError(t, tr.Commit())
	}
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], ErrUsedDuringCommit)
}

// TestOneTransactionFromManyGoroutines uses one transaction from several
// goroutines at once, as its doc comment allows; run under -race.
func TestOneTransactionFromManyGoroutines(t *testing.T) {
	db := openDB(t, nil)
	put(t, db, "a", "1", "b", "2", "c", "3")
	tr := db.NewTransaction()
	var g errgroup.Group
	for w := 0; w < 4; w++ {
		g.Go(func() error {
			for i := 0; i < 200; i++ {
				k := []byte(fmt.Sprintf("w%d/%03d", w, i))
				tr.Set(k, k)
				if v, err := tr.Get(k); err != nil || string(v) != string(k) {
					return fmt.Errorf("read own write %q: %q, %v", k, v, err)
				}
				if _, err := tr.GetRange(KeyRange{[]byte("a"), []byte("d")}, RangeOptions{Limit: 2}); err != nil {
					return err
				}
				for _, err := range tr.Snapshot().Iterate(KeyRange{[]byte("w"), []byte("x")}, RangeOptions{Limit: 3}) {
					if err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	require.NoError(t, g.Wait())
	require.NoError(t, tr.Commit())
	var n int
	require.NoError(t, db.ReadTransact(func(rt ReadTransaction) error {
		rows, err := rt.GetRange(KeyRange{[]byte("w"), []byte("x")}, RangeOptions{})
		n = len(rows)
		return err
	}))
	require.Equal(t, 800, n)
}

// TestIterateSeesOtherGoroutinesChanges changes the transaction from
// another goroutine while an iterator is between rows of one batch: the
// iterator hands out the rest of a batch without taking the lock only while
// nobody else has taken it, so the writes, the cancel and the close must
// all show at the next row.
func TestIterateSeesOtherGoroutinesChanges(t *testing.T) {
	from := func(f func()) {
		done := make(chan struct{})
		go func() { defer close(done); f() }()
		<-done
	}
	rows := []string{"a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "f", "6"}
	all := KeyRange{[]byte("a"), []byte("z")}

	db := openDB(t, nil)
	put(t, db, rows...)
	tr := db.NewTransaction()
	got := collect(t, tr.Iterate(all, RangeOptions{NoCopy: true}), func(kv KeyValue) {
		if string(kv.Key) == "b" {
			from(func() {
				tr.Set([]byte("bb"), []byte("ahead"))
				tr.Clear([]byte("d"))
			})
		}
	})
	require.Equal(t, []string{"a", "b", "bb", "c", "e", "f"}, got)

	// stopAtB iterates tr, calling stop from another goroutine at row "b":
	// the next row must be the error want, and the last.
	stopAtB := func(tr *Transaction, stop func(), want error) {
		t.Helper()
		var keys []string
		var errs []error
		for kv, err := range tr.Iterate(all, RangeOptions{}) {
			if err != nil {
				errs = append(errs, err)
				continue
			}
			keys = append(keys, string(kv.Key))
			if string(kv.Key) == "b" {
				from(stop)
			}
		}
		require.Equal(t, []string{"a", "b"}, keys)
		require.Len(t, errs, 1)
		require.ErrorIs(t, errs[0], want)
	}
	tr = db.NewTransaction()
	stopAtB(tr, tr.Cancel, ErrTransactionCancelled)

	db2 := openDB(t, nil)
	put(t, db2, rows...)
	stopAtB(db2.NewTransaction(), func() { db2.Close() }, ErrDatabaseClosed)
}
