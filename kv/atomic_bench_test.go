package kv_test

import (
	"encoding/binary"
	"errors"
	"fmt"
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
// Reported besides time and allocations: commits/s, and conflicts/op and
// retries/op from db.Stats() deltas. The database caps the retry backoff at
// 1 ms (Options.MaxRetryDelay) so that the contended read-modify-write loop
// measures the engine rather than sleeps; with the default 1 s cap its
// throughput would be set by the backoff.
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
	db, err := kv.Open(&kv.Options{MaxRetryDelay: time.Millisecond})
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
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				if err := db.Transact(fn); err != nil {
					errs[g] = err
					return
				}
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
}
