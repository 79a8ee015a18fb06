package kv

import (
	"fmt"
	"runtime"
	"sync/atomic"
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

// A long read, or a large commit, gives up the processor now and then, so
// that with a single processor another goroutine still gets to run many
// times before it ends; without the pauses that goroutine would wait for the
// scheduler to preempt the operation, once every 10 ms.
func TestLongOperationsLetOthersRun(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 50_000 // still milliseconds of work for each operation
	}
	db := openDB(t, nil)
	for base := 0; base < n; base += 10_000 { // under the 10 MB transaction limit
		require.NoError(t, db.Transact(func(tr *Transaction) error {
			for i := base; i < base+10_000; i++ {
				tr.Set(fmt.Appendf(nil, "k%06d", i), make([]byte, 100))
			}
			return nil
		}))
	}
	all := KeyRange{Begin: []byte("k"), End: []byte("l")}
	rows := func(want int) func(int, error) error {
		return func(got int, err error) error {
			if err == nil && got != want {
				err = fmt.Errorf("%d rows, want %d", got, want)
			}
			return err
		}
	}
	ops := []struct {
		name string
		run  func() error
	}{
		{"GetRange", func() error {
			return db.ReadTransact(func(tr ReadTransaction) error {
				got, err := tr.GetRange(all, RangeOptions{})
				return rows(n)(len(got), err)
			})
		}},
		{"Iterate", func() error {
			return db.ReadTransact(func(tr ReadTransaction) error {
				got := 0
				for _, err := range tr.Iterate(all, RangeOptions{}) {
					if err != nil {
						return err
					}
					got++
				}
				return rows(n)(got, nil)
			})
		}},
		{"ClearRange", func() error { // last: it clears the data
			return db.Transact(func(tr *Transaction) error {
				tr.ClearRange(all.Begin, all.End)
				return nil
			})
		}},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
			var ran atomic.Int64
			stop := make(chan struct{})
			done := make(chan struct{})
			go func() {
				defer close(done)
				for {
					select {
					case <-stop:
						return
					default:
					}
					ran.Add(1)
					runtime.Gosched()
				}
			}()
			for ran.Load() == 0 { // let the other goroutine start
				runtime.Gosched()
			}
			start := ran.Load()
			err := op.run()
			during := ran.Load() - start
			close(stop)
			<-done
			require.NoError(t, err)
			// The operation takes milliseconds and pauses every 50 µs.
			if during < 10 {
				t.Fatalf("the other goroutine ran %d times during %s, want at least 10", during, op.name)
			}
			t.Logf("the other goroutine ran %d times during %s", during, op.name)
		})
	}
}
