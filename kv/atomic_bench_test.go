package kv_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plinthdb/plinth/kv"
)

// BenchmarkCounter compares two ways to count on one contended key: the
// atomic Add, which reads nothing and so never conflicts, and a
// read-modify-write (Get, then Set), whose commits conflict and retry under
// contention. Each sub-benchmark runs exactly the given number of goroutines,
// which share b.N increments; ns/op is wall time per increment.
//
// Reported besides time and allocations: commits/s, conflicts/op and
// retries/op from db.Stats() deltas, and the median, 99th percentile and
// maximum of one increment's wall time, retries and backoff included
// (wait-p50-us ...): the throughput alone hides goroutines left asleep in
// the backoff while the others go on. The database has default options.
func BenchmarkCounter(b *testing.B) {
	for _, mode := range []string{"add", "get+set"} {
		for _, goroutines := range []int{2, 8} {
			b.Run(fmt.Sprintf("op=%s/goroutines=%d", mode, goroutines), func(b *testing.B) {
				atBenchCounter(b, mode == "get+set", goroutines)
			})
		}
	}
}

func atBenchCounter(b *testing.B, readModifyWrite bool, goroutines int) {
	db, err := kv.Open(nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	key := []byte("counter")
	one := atLE64(1)
	add := func(tr *kv.Transaction) error {
		tr.Add(key, one)
		return nil
	}
	rmw := kv.Increment(key)
	fn := add
	if readModifyWrite {
		fn = rmw
	}

	before := db.Stats()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, goroutines)
	waits := make([][]time.Duration, goroutines)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := make([]time.Duration, 0, b.N/goroutines+1)
			defer func() { waits[g] = w }()
			for next.Add(1) <= int64(b.N) {
				t0 := time.Now()
				if err := db.Transact(fn); err != nil {
					errs[g] = err
					return
				}
				w = append(w, time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err := errors.Join(errs...); err != nil {
		b.Fatal(err)
	}

	after := db.Stats()
	commits := after.Commits - before.Commits
	if commits != int64(b.N) {
		b.Fatalf("%d commits for %d increments", commits, b.N)
	}
	var got []byte
	if err := db.ReadTransact(func(tr kv.ReadTransaction) error {
		got, err = tr.Get(key)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	if n := binary.LittleEndian.Uint64(got); n != uint64(b.N) {
		b.Fatalf("counter is %d after %d increments", n, b.N)
	}
	b.ReportMetric(float64(commits)/elapsed.Seconds(), "commits/s")
	b.ReportMetric(float64(after.Conflicts-before.Conflicts)/float64(b.N), "conflicts/op")
	b.ReportMetric(float64(after.Retries-before.Retries)/float64(b.N), "retries/op")
	all := slices.Concat(waits...)
	slices.Sort(all)
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	b.ReportMetric(us(all[len(all)/2]), "wait-p50-us")
	b.ReportMetric(us(all[len(all)*99/100]), "wait-p99-us")
	b.ReportMetric(us(all[len(all)-1]), "wait-max-us")
}
