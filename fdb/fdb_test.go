package fdb_test

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/plinthdb/plinth/fdb"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
)

var dbSeq atomic.Int64

// freshDB opens an empty database of the process under a name of its own.
func freshDB(t testing.TB) fdb.Database {
	t.Helper()
	fdb.MustAPIVersion(800)
	db, err := fdb.OpenDatabase(fmt.Sprintf("fdb-test-%d", dbSeq.Add(1)))
	require.NoError(t, err)
	t.Cleanup(db.Close)
	return db
}

func TestAPIVersion(t *testing.T) {
	fdb.MustAPIVersion(800)
	require.NoError(t, fdb.APIVersion(800))
	require.ErrorIs(t, fdb.APIVersion(700), fdb.ErrAPIVersionAlreadySet)
	v, err := fdb.GetAPIVersion()
	require.NoError(t, err)
	require.Equal(t, 800, v)
	require.True(t, fdb.IsAPIVersionSelected())
	require.NoError(t, fdb.StartNetwork())
	require.NoError(t, fdb.Options().SetTraceEnable("/tmp"))
}

func TestOpenSharesDataPerName(t *testing.T) {
	a := freshDB(t)
	name := fmt.Sprintf("fdb-test-%d", dbSeq.Load())
	_, err := a.Transact(func(tr fdb.Transaction) (interface{}, error) {
		tr.Set(fdb.Key("k"), []byte("v"))
		return nil, nil
	})
	require.NoError(t, err)

	b := fdb.MustOpenDatabase(name)
	require.True(t, a != b, "each open is a new handle")
	v, err := b.ReadTransact(func(rtr fdb.ReadTransaction) (interface{}, error) {
		return rtr.Get(fdb.Key("k")).Get()
	})
	require.NoError(t, err)
	require.Equal(t, []byte("v"), v)

	other := freshDB(t)
	v, err = other.ReadTransact(func(rtr fdb.ReadTransaction) (interface{}, error) {
		return rtr.Get(fdb.Key("k")).Get()
	})
	require.NoError(t, err)
	require.Nil(t, v, "another name is another database")

	// Closing a handle fails its calls and its transactions, not the data.
	tr, err := b.CreateTransaction()
	require.NoError(t, err)
	b.Close()
	b.Close()
	_, err = b.CreateTransaction()
	require.ErrorIs(t, err, fdb.ErrDatabaseClosed)
	_, err = b.Transact(func(tr fdb.Transaction) (interface{}, error) { return nil, nil })
	require.ErrorIs(t, err, fdb.ErrDatabaseClosed)
	_, err = tr.Get(fdb.Key("k")).Get()
	require.ErrorIs(t, err, fdb.ErrDatabaseClosed)
	require.ErrorIs(t, tr.Commit().Get(), fdb.ErrDatabaseClosed)
	v, err = a.ReadTransact(func(rtr fdb.ReadTransaction) (interface{}, error) {
		return rtr.Get(fdb.Key("k")).Get()
	})
	require.NoError(t, err)
	require.Equal(t, []byte("v"), v)

	var zero fdb.Database
	_, err = zero.CreateTransaction()
	require.Error(t, err)
}

func TestConnectionString(t *testing.T) {
	fdb.MustAPIVersion(800)
	_, err := fdb.OpenWithConnectionString("")
	require.Error(t, err)
	db, err := fdb.OpenWithConnectionString("test:abc@127.0.0.1:4500")
	require.NoError(t, err)
	db.Close()
	_, err = fdb.Open("", []byte("other"))
	require.ErrorIs(t, err, fdb.ErrInvalidDatabaseName)
}

func TestTransactRetriesConflicts(t *testing.T) {
	db := freshDB(t)
	key := fdb.Key("counter")
	var attempts atomic.Int64
	const workers, each = 4, 25
	var g errgroup.Group
	for w := 0; w < workers; w++ {
		g.Go(func() error {
			for i := 0; i < each; i++ {
				_, err := db.Transact(func(tr fdb.Transaction) (interface{}, error) {
					attempts.Add(1)
					v := tr.Get(key).MustGet()
					n := 0
					if v != nil {
						fmt.Sscan(string(v), &n)
					}
					tr.Set(key, []byte(fmt.Sprint(n+1)))
					return nil, nil
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	require.NoError(t, g.Wait())
	v, err := db.ReadTransact(func(rtr fdb.ReadTransaction) (interface{}, error) {
		return rtr.Get(key).Get()
	})
	require.NoError(t, err)
	require.Equal(t, fmt.Sprint(workers*each), string(v.([]byte)))
	require.GreaterOrEqual(t, attempts.Load(), int64(workers*each))
}

func TestTransactErrorsAndPanics(t *testing.T) {
	db := freshDB(t)

	mine := errors.New("mine")
	_, err := db.Transact(func(tr fdb.Transaction) (interface{}, error) {
		tr.Set(fdb.Key("x"), []byte("1"))
		return nil, mine
	})
	require.Same(t, mine, err, "a non-fdb error comes back as it was returned")

	// A panicked retryable Error is retried; a non-retryable one returned.
	n := 0
	r, err := db.Transact(func(tr fdb.Transaction) (interface{}, error) {
		n++
		if n == 1 {
			panic(fdb.ErrNotCommitted)
		}
		return "done", nil
	})
	require.NoError(t, err)
	require.Equal(t, "done", r)
	require.Equal(t, 2, n)

	_, err = db.Transact(func(tr fdb.Transaction) (interface{}, error) {
		panic(fdb.Error{Code: 2007})
	})
	require.Equal(t, fdb.Error{Code: 2007}, err)

	// Any other panic propagates and commits nothing.
	require.PanicsWithValue(t, "boom", func() {
		db.Transact(func(tr fdb.Transaction) (interface{}, error) {
			tr.Set(fdb.Key("y"), []byte("1"))
			panic("boom")
		})
	})
	v, err := db.ReadTransact(func(rtr fdb.ReadTransaction) (interface{}, error) {
		return rtr.Get(fdb.Key("y")).Get()
	})
	require.NoError(t, err)
	require.Nil(t, v)
}
