package kv_test

import (
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/plinthdb/plinth/kv"
)

// BenchmarkSavepoint measures what a savepoint costs: taking one over a
// transaction with n buffered writes (it copies nothing, so the cost must
// not grow with n), and a transaction that takes a savepoint, writes and
// rolls back beside one that only writes.
func BenchmarkSavepoint(b *testing.B) {
	db, err := kv.Open(nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	value := make([]byte, 100)
	for _, n := range []int{10, 10_000} {
		b.Run(fmt.Sprintf("take/writes=%d", n), func(b *testing.B) {
			tr := db.NewTransaction()
			defer tr.Cancel()
			tr.SetSizeLimit(1 << 30)
			var key [8]byte
			for i := 0; i < n; i++ {
				binary.BigEndian.PutUint64(key[:], uint64(i))
				tr.Set(key[:], value)
			}
			b.ReportAllocs()
			b.ResetTimer()
			noop := func(*kv.Transaction) error { return nil }
			for i := 0; i < b.N; i++ {
				// Take a savepoint and release it.
				if err := tr.Nested(noop); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("rollback/writes=%d", n), func(b *testing.B) {
			// Cost of undoing n writes made after the savepoint, per write.
			tr := db.NewTransaction()
			defer tr.Cancel()
			tr.SetSizeLimit(1 << 30)
			sp := tr.Savepoint()
			var key [8]byte
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for j := 0; j < n; j++ {
					binary.BigEndian.PutUint64(key[:], uint64(j))
					tr.Set(key[:], value)
				}
				if err := tr.RollbackTo(sp); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/write")
		})
	}
	for _, withSP := range []bool{false, true} {
		b.Run(fmt.Sprintf("transact/savepoint=%v", withSP), func(b *testing.B) {
			var key [8]byte
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				binary.BigEndian.PutUint64(key[:], uint64(i%1024))
				err := db.Transact(func(tr *kv.Transaction) error {
					if withSP {
						sp := tr.Savepoint()
						tr.Set([]byte("scratch"), value)
						if err := tr.RollbackTo(sp); err != nil {
							return err
						}
					}
					tr.Set(key[:], value)
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkIdempotencyKey is a one-key commit with and without an
// idempotency key (each commit a new key, remembered for a minute).
func BenchmarkIdempotencyKey(b *testing.B) {
	for _, withKey := range []bool{false, true} {
		b.Run(fmt.Sprintf("key=%v", withKey), func(b *testing.B) {
			db, err := kv.Open(nil)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			var key, id [8]byte
			value := make([]byte, 100)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				binary.BigEndian.PutUint64(key[:], uint64(i%1024))
				binary.BigEndian.PutUint64(id[:], uint64(i))
				err := db.Transact(func(tr *kv.Transaction) error {
					if withKey {
						tr.SetIdempotencyKey(id[:], time.Minute)
					}
					tr.Set(key[:], value)
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
