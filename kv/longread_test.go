package kv

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// A read of more rows than a page returns them all, in order, exactly as a
// short one would: forward and reverse, with limits either side of a page
// boundary, with and without copies, and merged with the transaction's own
// writes (which go through the cursor rather than the store's scan).
func TestGetRangeLongReadsInPages(t *testing.T) {
	n := 3*pageRows + 17
	if testing.Short() {
		n = pageRows + 17
	}
	db := openDB(t, nil)
	key := func(i int) []byte { return fmt.Appendf(nil, "k%06d", i) }
	val := func(i int) []byte { return fmt.Appendf(nil, "v%06d", i) }
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		for i := range n {
			tr.Set(key(i), val(i))
		}
		return nil
	}))
	all := KeyRange{Begin: []byte("k"), End: []byte("l")}

	// want lists the rows of a view in which odd keys below n/2 were
	// cleared and "k" + i + "x" added for every 100th i, when own is set.
	want := func(own, reverse bool, limit int) []KeyValue {
		var rows []KeyValue
		for i := range n {
			if own && i%2 == 1 && i < n/2 {
				continue
			}
			rows = append(rows, KeyValue{key(i), val(i)})
			if own && i%100 == 0 {
				rows = append(rows, KeyValue{append(key(i), 'x'), []byte("own")})
			}
		}
		if reverse {
			for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
				rows[i], rows[j] = rows[j], rows[i]
			}
		}
		if limit > 0 && limit < len(rows) {
			rows = rows[:limit]
		}
		return rows
	}
	for _, own := range []bool{false, true} {
		for _, reverse := range []bool{false, true} {
			for _, limit := range []int{0, pageRows, pageRows + 1, 2*pageRows + 5} {
				for _, noCopy := range []bool{false, true} {
					name := fmt.Sprintf("own=%v/reverse=%v/limit=%d/nocopy=%v", own, reverse, limit, noCopy)
					t.Run(name, func(t *testing.T) {
						tr := db.NewTransaction()
						defer tr.Cancel()
						if own {
							for i := 1; i < n/2; i += 2 {
								tr.Clear(key(i))
							}
							for i := 0; i < n; i += 100 {
								tr.Set(append(key(i), 'x'), []byte("own"))
							}
						}
						rows, err := tr.GetRange(all, RangeOptions{Limit: limit, Reverse: reverse, NoCopy: noCopy})
						require.NoError(t, err)
						exp := want(own, reverse, limit)
						require.Equal(t, len(exp), len(rows))
						for i := range exp {
							if string(rows[i].Key) != string(exp[i].Key) || string(rows[i].Value) != string(exp[i].Value) {
								t.Fatalf("row %d: %q=%q, want %q=%q", i, rows[i].Key, rows[i].Value, exp[i].Key, exp[i].Value)
							}
							// Capacity stops at the length, so an append
							// never writes over the next row.
							require.Equal(t, len(rows[i].Key), cap(rows[i].Key))
							require.Equal(t, len(rows[i].Value), cap(rows[i].Value))
						}
					})
				}
			}
		}
	}
}
