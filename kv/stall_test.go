package kv

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
)

// The store reads and writes in bounded steps (package mvcc); these tests
// check that kv's reads stay one snapshot across those steps.

func stallKey(i int) []byte { return []byte(fmt.Sprintf("s%05d", i)) }

// TestSlowIterateSeesOneSnapshot iterates a range of several store steps
// and cursor batches slowly: every few rows the loop body commits changes
// all over the range and collects garbage up to the iterator's read
// version, the most the collector may ever do while it is inside its
// window. The rows must be exactly those at the read version: values and
// absences, forward and reverse, with and without a limit.
func TestSlowIterateSeesOneSnapshot(t *testing.T) {
	const n = 3000
	for _, tc := range []struct {
		reverse bool
		limit   int
	}{{false, 0}, {true, 0}, {false, 2100}, {true, 1500}} {
		t.Run(fmt.Sprintf("reverse=%v/limit=%d", tc.reverse, tc.limit), func(t *testing.T) {
			db := openDB(t, nil)
			r := rand.New(rand.NewPCG(uint64(tc.limit), 1))
			state := map[string]string{}
			churn := func(tag int) {
				require.NoError(t, db.Transact(func(tr *Transaction) error {
					b := r.IntN(n)
					tr.ClearRange(stallKey(b), stallKey(b+r.IntN(40)))
					for range 10 {
						k := stallKey(r.IntN(n))
						if r.IntN(3) == 0 {
							tr.Clear(k)
						} else {
							tr.Set(k, []byte(strconv.Itoa(tag)))
						}
					}
					tr.Set(append(stallKey(r.IntN(n)), 'x'), []byte(strconv.Itoa(tag)))
					return nil
				}))
			}
			require.NoError(t, db.Transact(func(tr *Transaction) error {
				for i := range n {
					tr.Set(stallKey(i), []byte("0"))
				}
				return nil
			}))
			for tag := 1; tag <= 30; tag++ {
				churn(tag)
			}
			tr := db.NewTransaction()
			defer tr.Cancel()
			rv, err := tr.GetReadVersion()
			require.NoError(t, err)
			// The state at rv, read in one go before anything moves.
			rows, err := tr.Snapshot().GetRange(KeyRange{Begin: []byte("s"), End: []byte("t")}, RangeOptions{})
			require.NoError(t, err)
			for _, kv := range rows {
				state[string(kv.Key)] = string(kv.Value)
			}
			var want []string
			for k, v := range state {
				want = append(want, k+"="+v)
			}
			slices.Sort(want)
			if tc.reverse {
				slices.Reverse(want)
			}
			if tc.limit > 0 {
				want = want[:tc.limit]
			}

			var got []string
			tag := 100
			for kv, err := range tr.Iterate(KeyRange{Begin: []byte("s"), End: []byte("t")}, RangeOptions{Reverse: tc.reverse, Limit: tc.limit}) {
				require.NoError(t, err)
				got = append(got, string(kv.Key)+"="+string(kv.Value))
				if len(got)%7 == 0 {
					tag++
					churn(tag)
					db.commitMu.Lock()
					db.store.Collect(rv, 64)
					db.commitMu.Unlock()
				}
			}
			require.Equal(t, want, got)
			require.Greater(t, db.store.Stats().Versions, n/2)
		})
	}
}

// TestLargeCommitsAreAtomic runs readers beside a writer whose every commit
// clears the whole range and rewrites two thirds of it, thousands of keys,
// with its own tag: a reader at any version must see one tag throughout and
// exactly the keys that commit wrote, through GetRange and Iterate alike.
func TestLargeCommitsAreAtomic(t *testing.T) {
	const n, commits = 3000, 15
	db := openDB(t, nil)
	kept := func(tag, i int) bool { return (i+tag)%3 != 0 }
	write := func(tag int) error {
		return db.Transact(func(tr *Transaction) error {
			tr.ClearRange([]byte("s"), []byte("t"))
			for i := range n {
				if kept(tag, i) {
					tr.Set(stallKey(i), []byte(strconv.Itoa(tag)))
				}
			}
			return nil
		})
	}
	require.NoError(t, write(0))
	var done atomic.Bool
	var g errgroup.Group
	g.Go(func() error {
		defer done.Store(true)
		for tag := 1; tag <= commits; tag++ {
			if err := write(tag); err != nil {
				return err
			}
		}
		return nil
	})
	check := func(keys, values []string) error {
		if len(values) == 0 {
			return fmt.Errorf("no rows")
		}
		tag, err := strconv.Atoi(values[0])
		if err != nil {
			return err
		}
		var want []string
		for i := range n {
			if kept(tag, i) {
				want = append(want, string(stallKey(i)))
			}
		}
		if !slices.Equal(want, keys) {
			return fmt.Errorf("tag %d: %d keys, want %d", tag, len(keys), len(want))
		}
		for i, v := range values {
			if v != values[0] {
				return fmt.Errorf("tag %s and %s (%s) in one read", values[0], v, keys[i])
			}
		}
		return nil
	}
	for reader := range 2 {
		g.Go(func() error {
			for i := 0; !done.Load() || i < 2; i++ {
				var keys, values []string
				err := db.ReadTransact(func(tr ReadTransaction) error {
					keys, values = nil, nil
					if (i+reader)%2 == 0 {
						rows, err := tr.GetRange(KeyRange{Begin: []byte("s"), End: []byte("t")}, RangeOptions{})
						for _, kv := range rows {
							keys, values = append(keys, string(kv.Key)), append(values, string(kv.Value))
						}
						return err
					}
					for kv, err := range tr.Iterate(KeyRange{Begin: []byte("s"), End: []byte("t")}, RangeOptions{}) {
						if err != nil {
							return err
						}
						keys, values = append(keys, string(kv.Key)), append(values, string(kv.Value))
					}
					return nil
				})
				if err != nil {
					return err
				}
				if err := check(keys, values); err != nil {
					return err
				}
			}
			return nil
		})
	}
	require.NoError(t, g.Wait())
}
