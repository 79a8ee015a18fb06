package fdb_test

import (
	"testing"

	"github.com/plinthdb/plinth/fdb"
	"github.com/stretchr/testify/require"
)

func TestWatch(t *testing.T) {
	db := freshDB(t)
	key := fdb.Key("watched")

	r, err := db.Transact(func(tr fdb.Transaction) (interface{}, error) {
		return tr.Watch(key), nil
	})
	require.NoError(t, err)
	w := r.(fdb.FutureNil)
	require.False(t, w.IsReady(), "a watch waits for a change")

	// Writing the value it saw does not fire it; a change does.
	_, err = db.Transact(func(tr fdb.Transaction) (interface{}, error) {
		tr.Clear(key)
		return nil, nil
	})
	require.NoError(t, err)
	require.False(t, w.IsReady())
	_, err = db.Transact(func(tr fdb.Transaction) (interface{}, error) {
		tr.Set(key, []byte("v"))
		return nil, nil
	})
	require.NoError(t, err)
	require.NoError(t, w.Get())
	require.True(t, w.IsReady())

	// Cancel fails a pending watch with operation_cancelled.
	r, err = db.Transact(func(tr fdb.Transaction) (interface{}, error) {
		return tr.Watch(key), nil
	})
	require.NoError(t, err)
	w = r.(fdb.FutureNil)
	w.Cancel()
	require.Equal(t, fdb.ErrOperationCancelled, w.Get())

	// A watch of a transaction reset before commit fails with
	// transaction_cancelled.
	tr, err := db.CreateTransaction()
	require.NoError(t, err)
	w = tr.Watch(key)
	tr.Reset()
	require.Equal(t, fdb.ErrTransactionCancelled, w.Get())

	// No watches with read-your-writes disabled; a limit per handle.
	tr, _ = db.CreateTransaction()
	require.NoError(t, tr.Options().SetReadYourWritesDisable())
	require.Equal(t, fdb.ErrWatchesDisabled, tr.Watch(key).Get())

	require.NoError(t, db.Options().SetMaxWatches(1))
	tr, _ = db.CreateTransaction()
	first := tr.Watch(key)
	require.Equal(t, fdb.ErrTooManyWatches, tr.Watch(key).Get())
	first.Cancel()
	second := tr.Watch(key)
	require.False(t, second.IsReady())
	second.Cancel()
}
