package kv_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plinthdb/plinth/kv"
)

// BenchmarkHotKeyIncrement: 8 goroutines doing read-modify-write
// increments of one counter, with Lock before the read and without it.
// ns/op is the time per increment; retries/op counts the attempts that had
// to run again.
func BenchmarkHotKeyIncrement(b *testing.B) {
	for _, lock := range []bool{false, true} {
		name := "lock=without"
		if lock {
			name = "lock=with"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			db, err := kv.Open(nil)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			key := []byte("counter")
			rmw := kv.Increment(key)
			incr := func(tr *kv.Transaction) error {
				if lock {
					if err := tr.Lock(key, kv.LockExclusive, -1); err != nil {
						return err
					}
				}
				return rmw(tr)
			}
			const workers = 8
			var left atomic.Int64
			left.Store(int64(b.N))
			before := db.Stats().Retries
			b.ResetTimer()
			var wg sync.WaitGroup
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for left.Add(-1) >= 0 {
						if err := db.Transact(incr); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(db.Stats().Retries-before)/float64(b.N), "retries/op")
		})
	}
}

// BenchmarkLockUncontended: one Lock of a free key and its release at the
// end of the attempt, beside the same transaction without the Lock.
func BenchmarkLockUncontended(b *testing.B) {
	for _, lock := range []bool{false, true} {
		name := "lock=without"
		if lock {
			name = "lock=with"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			db, err := kv.Open(nil)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			tr := db.NewTransaction()
			defer tr.Cancel()
			key := []byte("some/hot/key")
			b.ResetTimer()
			for range b.N {
				if lock {
					if err := tr.Lock(key, kv.LockExclusive, time.Second); err != nil {
						b.Fatal(err)
					}
				}
				tr.Reset()
			}
		})
	}
}
