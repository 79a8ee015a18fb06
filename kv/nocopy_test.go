package kv_test

import (
	"fmt"
	"testing"

	"github.com/plinthdb/plinth/kv"
	"github.com/stretchr/testify/require"
)

// Rows read with NoCopy alias memory the store never changes: they keep
// their contents after the keys are overwritten, cleared and their versions
// collected, and appending to one never writes over its neighbour.
func TestNoCopyRowsStayValid(t *testing.T) {
	db, err := kv.Open(nil)
	require.NoError(t, err)
	defer db.Close()
	clock := kv.UseClock(db)
	require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
		for i := range 100 {
			tr.Set(fmt.Appendf(nil, "k%03d", i), fmt.Appendf(nil, "v%03d", i))
		}
		return nil
	}))

	type read struct {
		name string
		rows func(tr *kv.Transaction) ([]kv.KeyValue, error)
	}
	all := kv.KeyRange{Begin: []byte("k"), End: []byte("l")}
	reads := []read{
		{"GetRange", func(tr *kv.Transaction) ([]kv.KeyValue, error) {
			return tr.GetRange(all, kv.RangeOptions{NoCopy: true})
		}},
		{"GetRange limit reverse", func(tr *kv.Transaction) ([]kv.KeyValue, error) {
			return tr.GetRange(all, kv.RangeOptions{NoCopy: true, Limit: 100, Reverse: true})
		}},
		{"Iterate", func(tr *kv.Transaction) ([]kv.KeyValue, error) {
			var rows []kv.KeyValue
			for row, err := range tr.Iterate(all, kv.RangeOptions{NoCopy: true}) {
				if err != nil {
					return nil, err
				}
				rows = append(rows, row)
			}
			return rows, nil
		}},
		{"GetRange over own writes", func(tr *kv.Transaction) ([]kv.KeyValue, error) {
			tr.Set([]byte("k050"), []byte("v050")) // the same value, now from the write buffer
			tr.Add([]byte("k051"), []byte{0})
			return tr.GetRange(all, kv.RangeOptions{NoCopy: true})
		}},
	}
	for _, rd := range reads {
		t.Run(rd.name, func(t *testing.T) {
			tr := db.NewTransaction()
			rows, err := rd.rows(tr)
			require.NoError(t, err)
			tr.Cancel()
			require.Len(t, rows, 100)
			want := make([]string, len(rows))
			for i, row := range rows {
				want[i] = string(row.Key) + "=" + string(row.Value)
				require.Equal(t, len(row.Key), cap(row.Key), "key capacity")
				require.Equal(t, len(row.Value), cap(row.Value), "value capacity")
			}
			_ = append(rows[0].Value, "spill"...)

			// Overwrite every key, clear them all, and collect every
			// version the rows came from.
			require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
				for i := range 100 {
					tr.Set(fmt.Appendf(nil, "k%03d", i), []byte("overwritten"))
				}
				return nil
			}))
			require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
				tr.ClearRange(all.Begin, all.End)
				return nil
			}))
			clock.Advance(kv.DefaultMVCCWindow + 1)
			kv.Collect(db)
			for i, row := range rows {
				require.Equal(t, want[i], string(row.Key)+"="+string(row.Value))
			}

			require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
				for i := range 100 {
					tr.Set(fmt.Appendf(nil, "k%03d", i), fmt.Appendf(nil, "v%03d", i))
				}
				return nil
			}))
		})
	}
}

// NoCopy changes where the slices live, not what a read returns.
func TestNoCopySameRows(t *testing.T) {
	db, err := kv.Open(nil)
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
		for i := range 3000 {
			tr.Set(fmt.Appendf(nil, "k%04d", i), fmt.Appendf(nil, "%d", i*i))
		}
		tr.Set([]byte("k0007e"), nil)
		return nil
	}))
	require.NoError(t, db.ReadTransact(func(tr kv.ReadTransaction) error {
		for _, opts := range []kv.RangeOptions{{}, {Limit: 10}, {Limit: 2000, Reverse: true}, {Reverse: true}, {Limit: 100, Reverse: true}} {
			r := kv.KeyRange{Begin: []byte("k0005"), End: []byte("k2900")}
			copied, err := tr.GetRange(r, opts)
			require.NoError(t, err)
			opts.NoCopy = true
			aliased, err := tr.GetRange(r, opts)
			require.NoError(t, err)
			require.Equal(t, copied, aliased, "%+v", opts)
			for _, row := range aliased {
				// An append to a row must not write into the store.
				require.Equal(t, len(row.Key), cap(row.Key), "%+v %q", opts, row.Key)
				require.Equal(t, len(row.Value), cap(row.Value), "%+v %q", opts, row.Key)
				require.NotNil(t, row.Value, "%+v %q", opts, row.Key)
			}
		}
		return nil
	}))
}

// A finished transaction's write buffer serves the transactions after it.
// What the finished one handed out (rows read from its own writes, with and
// without NoCopy) keeps its contents while others reuse the buffer, and the
// finished transaction itself starts from an empty buffer after Reset.
func TestWriteBufferReuseKeepsRows(t *testing.T) {
	db, err := kv.Open(nil)
	require.NoError(t, err)
	defer db.Close()
	all := kv.KeyRange{Begin: []byte("k"), End: []byte("l")}
	var kept [][]kv.KeyValue
	var done []*kv.Transaction
	for round := range 50 {
		tr := db.NewTransaction()
		tr.Set([]byte("k1"), fmt.Appendf(nil, "a%d", round))
		tr.Set([]byte("k2"), fmt.Appendf(nil, "b%d", round))
		tr.Add([]byte("k3"), []byte{1})
		for _, noCopy := range []bool{false, true} {
			rows, err := tr.GetRange(all, kv.RangeOptions{NoCopy: noCopy})
			require.NoError(t, err)
			kept = append(kept, rows)
		}
		if round%2 == 0 {
			require.NoError(t, tr.Commit())
		} else {
			tr.Cancel()
		}
		done = append(done, tr)
	}
	for i, rows := range kept {
		round := i / 2
		require.Len(t, rows, 3, "round %d", round)
		require.Equal(t, fmt.Sprintf("a%d", round), string(rows[0].Value), "round %d", round)
		require.Equal(t, fmt.Sprintf("b%d", round), string(rows[1].Value), "round %d", round)
	}
	for i, tr := range done {
		_, err := tr.Get([]byte("k1"))
		require.Error(t, err, "a finished transaction refuses reads")
		tr.Reset()
		rows, err := tr.GetRange(all, kv.RangeOptions{})
		require.NoError(t, err)
		require.Len(t, rows, 3, "after Reset, transaction %d sees only the database", i)
		require.Equal(t, "a48", string(rows[0].Value))
		tr.Cancel()
	}
}
