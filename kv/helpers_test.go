package kv

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func openDB(t testing.TB, opts *Options) *DB {
	t.Helper()
	db, err := Open(opts)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

// put commits key=value pairs in one transaction.
func put(t testing.TB, db *DB, kvs ...string) {
	t.Helper()
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		for i := 0; i+1 < len(kvs); i += 2 {
			tr.Set([]byte(kvs[i]), []byte(kvs[i+1]))
		}
		return nil
	}))
}

func get(t testing.TB, db *DB, key string) []byte {
	t.Helper()
	var v []byte
	require.NoError(t, db.ReadTransact(func(tr ReadTransaction) error {
		var err error
		v, err = tr.Get([]byte(key))
		return err
	}))
	return v
}
