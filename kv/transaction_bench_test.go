package kv_test

import (
	"encoding/binary"
	"testing"

	"github.com/plinthdb/plinth/kv"
)

// BenchmarkTransactOverhead measures what a retry loop costs around the
// smallest transactions, on a database small enough to stay in cache, so
// that the transaction's own machinery (its state, read version, clock
// readings, commit lock) shows rather than the store's cache misses:
// op=get is a ReadTransact reading one key, op=set a Transact writing one
// of 1,024 keys, op=add a Transact adding to one counter.
func BenchmarkTransactOverhead(b *testing.B) {
	db, err := kv.Open(nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	keys := make([][]byte, 1024)
	for i := range keys {
		keys[i] = binary.BigEndian.AppendUint64([]byte("k"), uint64(i))
	}
	value := make([]byte, 100)
	if err := db.Transact(func(tr *kv.Transaction) error {
		for _, k := range keys {
			tr.Set(k, value)
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	one := atLE64(1)
	ops := []struct {
		name string
		run  func(i int) error
	}{
		{"get", func(i int) error {
			return db.ReadTransact(func(tr kv.ReadTransaction) error {
				_, err := tr.Get(keys[i%len(keys)])
				return err
			})
		}},
		{"set", func(i int) error {
			return db.Transact(func(tr *kv.Transaction) error {
				tr.Set(keys[i%len(keys)], value)
				return nil
			})
		}},
		{"add", func(int) error {
			return db.Transact(func(tr *kv.Transaction) error {
				tr.Add(keys[0], one)
				return nil
			})
		}},
	}
	for _, op := range ops {
		b.Run("op="+op.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := range b.N {
				if err := op.run(i); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
