package kv_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plinthdb/plinth/kv"
	"github.com/plinthdb/plinth/tuple"
	"github.com/stretchr/testify/require"
)

// Nil arguments to the public API are errors, never panics.
func TestNilArgumentsAreErrors(t *testing.T) {
	db := atOpen(t, nil)
	var nilCtx context.Context
	var nilKeyRange *kv.KeyRange
	tr := db.NewTransaction()
	defer tr.Cancel()
	iterErr := func(seq func(func(kv.KeyValue, error) bool)) error {
		var got error
		for _, err := range seq {
			got = err
		}
		return got
	}
	for name, call := range map[string]func() error{
		"Transact(nil)":            func() error { return db.Transact(nil) },
		"TransactContext(nil, fn)": func() error { return db.TransactContext(nilCtx, func(*kv.Transaction) error { return nil }) },
		"TransactContext(ctx, nil)": func() error {
			return db.TransactContext(context.Background(), nil)
		},
		"ReadTransact(nil)":            func() error { return db.ReadTransact(nil) },
		"ReadTransactContext(nil, fn)": func() error { return db.ReadTransactContext(nilCtx, func(kv.ReadTransaction) error { return nil }) },
		"GetRange(nil)": func() error {
			_, err := tr.GetRange(nil, kv.RangeOptions{})
			return err
		},
		"GetRange((*KeyRange)(nil))": func() error {
			_, err := tr.GetRange(nilKeyRange, kv.RangeOptions{})
			return err
		},
		"Snapshot().GetRange(nil)": func() error {
			_, err := tr.Snapshot().GetRange(nil, kv.RangeOptions{})
			return err
		},
		"Iterate(nil)":            func() error { return iterErr(tr.Iterate(nil, kv.RangeOptions{})) },
		"Snapshot().Iterate(nil)": func() error { return iterErr(tr.Snapshot().Iterate(nil, kv.RangeOptions{})) },
		"TransactValue(nil)": func() error {
			_, err := kv.TransactValue[int](db, nil)
			return err
		},
		"ReadTransactValue(nil)": func() error {
			_, err := kv.ReadTransactValue[int](db, nil)
			return err
		},
		"OnError(nil)": func() error { return db.NewTransaction().OnError(nil) },
	} {
		t.Run(name, func(t *testing.T) {
			require.ErrorIs(t, call(), kv.ErrClientInvalidOperation)
		})
	}
	// The transaction is still usable after refusing them.
	_, err := tr.Get([]byte("k"))
	require.NoError(t, err)
	require.Equal(t, kv.KeyRange{}, kv.RangeOf(nil))
}

func TestOpenRejectsInvalidOptions(t *testing.T) {
	for name, o := range map[string]kv.Options{
		"MVCCWindow":         {MVCCWindow: -time.Second},
		"TransactionTimeout": {TransactionTimeout: -1},
		"MaxRetryDelay":      {MaxRetryDelay: -time.Millisecond},
		"SizeLimit negative": {SizeLimit: -1},
		"SizeLimit tiny":     {SizeLimit: 31},
	} {
		t.Run(name, func(t *testing.T) {
			db, err := kv.Open(&o)
			require.ErrorIs(t, err, kv.ErrInvalidOptionValue)
			require.Contains(t, err.Error(), strings.Fields(name)[0])
			require.Nil(t, db)
		})
	}
	// Negative retry limits mean unlimited, and zero values defaults.
	db, err := kv.Open(&kv.Options{TransactionRetryLimit: -1, SizeLimit: 32})
	require.NoError(t, err)
	require.NoError(t, db.Close())
}

// With system key access the key space ends at \xff\xff, and the error for
// a key beyond it says so instead of asking for the access already granted.
func TestOutsideLegalRangeMessage(t *testing.T) {
	db := atOpen(t, nil)
	err := db.Transact(func(tr *kv.Transaction) error {
		tr.SetAccessSystemKeys()
		tr.Set([]byte("\xff\xff/x"), []byte("v"))
		return nil
	})
	require.ErrorIs(t, err, kv.ErrKeyOutsideLegalRange)
	require.NotContains(t, err.Error(), "need system key access")
	require.Contains(t, err.Error(), `\xff\xff`)

	err = db.Transact(func(tr *kv.Transaction) error {
		tr.Set([]byte("\xff/x"), []byte("v"))
		return nil
	})
	require.ErrorIs(t, err, kv.ErrKeyOutsideLegalRange)
	require.Contains(t, err.Error(), "need system key access")
}

// recorder is a slog handler that keeps every record's message.
type recorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, rec.Message)
	return nil
}
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *recorder) WithGroup(string) slog.Handler      { return r }
func (r *recorder) has(msg string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range r.msgs {
		if strings.Contains(m, msg) {
			return true
		}
	}
	return false
}

// The logger receives a record of each collector sweep that reclaimed
// versions.
func TestLoggerRecordsGarbageCollection(t *testing.T) {
	rec := &recorder{}
	db := atOpen(t, &kv.Options{MVCCWindow: 20 * time.Millisecond, Logger: slog.New(rec)})
	for round := 0; round < 3; round++ {
		require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
			for i := 0; i < 100; i++ {
				tr.Set([]byte{byte(i)}, []byte{byte(round)})
			}
			return nil
		}))
	}
	require.Eventually(t, func() bool { return rec.has("garbage collected") }, 10*time.Second, 5*time.Millisecond)
}

func TestKeyAfterPaginates(t *testing.T) {
	db := atOpen(t, nil)
	require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
		for i := 0; i < 10; i++ {
			tr.Set([]byte{'k', byte('0' + i)}, nil)
		}
		return nil
	}))
	require.Equal(t, []byte("a\x00"), kv.KeyAfter([]byte("a")))
	var all []string
	begin := []byte("k")
	for {
		rows, err := kv.ReadTransactValue(db, func(tr kv.ReadTransaction) ([]kv.KeyValue, error) {
			return tr.GetRange(kv.KeyRange{Begin: begin, End: []byte("l")}, kv.RangeOptions{Limit: 3})
		})
		require.NoError(t, err)
		if len(rows) == 0 {
			break
		}
		for _, r := range rows {
			all = append(all, string(r.Key))
		}
		begin = kv.KeyAfter(rows[len(rows)-1].Key)
	}
	require.Equal(t, []string{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9"}, all)
}

// A tuple.Subspace and a tuple.Tuple read as ranges through kv.RangeOf.
func TestRangeOfTuples(t *testing.T) {
	db := atOpen(t, nil)
	users := tuple.NewSubspace(nil, tuple.Tuple{"users"})
	require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
		tr.Set(users.Pack(tuple.Tuple{"ann", 1}), []byte("a1"))
		tr.Set(users.Pack(tuple.Tuple{"ann", 2}), []byte("a2"))
		tr.Set(users.Pack(tuple.Tuple{"bob", 1}), []byte("b1"))
		tr.Set(tuple.Tuple{"other"}.Pack(), []byte("o"))
		return nil
	}))
	n, err := kv.TransactValue(db, func(tr *kv.Transaction) (int, error) {
		rows, err := tr.GetRange(kv.RangeOf(users), kv.RangeOptions{})
		return len(rows), err
	})
	require.NoError(t, err)
	require.Equal(t, 3, n)
	rows, err := kv.ReadTransactValue(db, func(tr kv.ReadTransaction) ([]kv.KeyValue, error) {
		return tr.GetRange(kv.RangeOf(tuple.Tuple{"users", "ann"}), kv.RangeOptions{})
	})
	require.NoError(t, err)
	require.Len(t, rows, 2)
	require.True(t, bytes.Equal([]byte("a2"), rows[1].Value))
}

// TransactValue returns the committed attempt's value and T's zero value
// on error.
func TestTransactValue(t *testing.T) {
	db := atOpen(t, &kv.Options{MaxRetryDelay: time.Millisecond})
	runs := 0
	v, err := kv.TransactValue(db, func(tr *kv.Transaction) (int, error) {
		runs++
		if runs == 1 {
			return runs, kv.ErrNotCommitted // retried
		}
		return runs, nil
	})
	require.NoError(t, err)
	require.Equal(t, 2, v)
	v, err = kv.TransactValue(db, func(tr *kv.Transaction) (int, error) { return 7, kv.ErrKeyTooLarge })
	require.ErrorIs(t, err, kv.ErrKeyTooLarge)
	require.Zero(t, v)
}
