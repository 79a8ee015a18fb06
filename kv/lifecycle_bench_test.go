package kv_test

import (
	"encoding/binary"
	"testing"

	"github.com/plinthdb/plinth/kv"
)

// BenchmarkLifecycle measures a one-key commit through Transact with and
// without the lifecycle features: no callback and no hook (what every
// transaction pays), one OnCommit callback, and a DB with all four hooks.
func BenchmarkLifecycle(b *testing.B) {
	noop := func(kv.TransactionInfo) {}
	for _, bc := range []struct {
		name     string
		hooks    kv.Hooks
		onCommit bool
	}{
		{"plain", kv.Hooks{}, false},
		{"onCommit=1", kv.Hooks{}, true},
		{"hooks=all", kv.Hooks{OnStart: noop, OnRetry: func(kv.TransactionInfo, error) {}, OnCommit: noop, OnAbort: noop}, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			db, err := kv.Open(&kv.Options{Hooks: bc.hooks})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			var key [8]byte
			value := make([]byte, 100)
			ran := 0
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				binary.BigEndian.PutUint64(key[:], uint64(i%1024))
				err := db.Transact(func(tr *kv.Transaction) error {
					tr.Set(key[:], value)
					if bc.onCommit {
						tr.OnCommit(func(kv.TransactionInfo) { ran++ })
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			if bc.onCommit && ran != b.N {
				b.Fatalf("OnCommit ran %d times for %d commits", ran, b.N)
			}
		})
	}
}
