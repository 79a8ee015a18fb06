package kv

import (
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
)

func TestIdempotencyKeyAppliesOnce(t *testing.T) {
	db := openDB(t, &Options{MaxRetryDelay: time.Millisecond})
	charge := func(tr *Transaction) error {
		tr.SetIdempotencyKey([]byte("req-1"), time.Minute)
		v, err := tr.Get([]byte("balance"))
		if err != nil {
			return err
		}
		tr.Set([]byte("balance"), append(v, '$'))
		return nil
	}
	var first *Transaction
	require.NoError(t, db.Transact(func(tr *Transaction) error { first = tr; return charge(tr) }))
	v1, err := first.GetCommittedVersion()
	require.NoError(t, err)

	var again *Transaction
	err = db.Transact(func(tr *Transaction) error { again = tr; return charge(tr) })
	require.ErrorIs(t, err, ErrAlreadyCommitted)
	require.False(t, IsRetryable(err))
	v2, err := again.GetCommittedVersion()
	require.NoError(t, err)
	require.Equal(t, v1, v2, "the version of the commit that used the key")
	require.Equal(t, "$", string(get(t, db, "balance")), "applied once")

	// A duplicate with nothing to write fails too.
	tr := db.NewTransaction()
	tr.SetIdempotencyKey([]byte("req-1"), 0)
	require.ErrorIs(t, tr.Commit(), ErrAlreadyCommitted)

	// Other keys are independent.
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		tr.SetIdempotencyKey([]byte("req-2"), time.Minute)
		tr.Set([]byte("other"), nil)
		return nil
	}))
}

// The key survives OnError: a retried attempt still carries it.
func TestIdempotencyKeySurvivesRetries(t *testing.T) {
	db := openDB(t, &Options{MaxRetryDelay: time.Millisecond})
	runs := 0
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		if runs++; runs == 1 {
			tr.SetIdempotencyKey([]byte("r"), time.Minute)
			return newError(codeNotCommitted, "forced")
		}
		tr.Set([]byte("k"), nil)
		return nil
	}))
	tr := db.NewTransaction()
	tr.SetIdempotencyKey([]byte("r"), time.Minute)
	tr.Set([]byte("k"), nil)
	require.ErrorIs(t, tr.Commit(), ErrAlreadyCommitted, "the first attempt's key was kept for the second")
	tr.Reset()
	tr.Set([]byte("k"), nil)
	require.NoError(t, tr.Commit(), "Reset drops the key")
}

// Of concurrent transactions with one key, exactly one commits.
func TestIdempotencyKeyConcurrent(t *testing.T) {
	db := openDB(t, &Options{MaxRetryDelay: time.Millisecond})
	var ok, dup atomic.Int64
	var g errgroup.Group
	for w := 0; w < 8; w++ {
		g.Go(func() error {
			err := db.Transact(func(tr *Transaction) error {
				tr.SetIdempotencyKey([]byte("once"), time.Minute)
				runtime.Gosched()
				tr.Add([]byte("n"), []byte{1, 0, 0, 0, 0, 0, 0, 0})
				return nil
			})
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, ErrAlreadyCommitted):
				dup.Add(1)
			default:
				return err
			}
			return nil
		})
	}
	require.NoError(t, g.Wait())
	require.Equal(t, int64(1), ok.Load())
	require.Equal(t, int64(7), dup.Load())
	require.Equal(t, []byte{1, 0, 0, 0, 0, 0, 0, 0}, get(t, db, "n"))
}

// Keys are forgotten after their ttl, and the memory that remembered them
// returns.
func TestIdempotencyKeysExpire(t *testing.T) {
	db := openDB(t, &Options{MVCCWindow: 20 * time.Millisecond})
	const n = 20000
	for i := 0; i < n; i += 100 {
		for j := i; j < i+100; j++ {
			tr := db.NewTransaction()
			tr.SetIdempotencyKey([]byte(fmt.Sprintf("req-%d", j)), 5*time.Millisecond)
			tr.Set([]byte("k"), nil)
			require.NoError(t, tr.Commit())
		}
	}
	db.commitMu.Lock()
	require.Greater(t, len(db.idem.keys), 0)
	db.commitMu.Unlock()
	require.Eventually(t, func() bool {
		db.commitMu.Lock()
		defer db.commitMu.Unlock()
		return db.idem.keys == nil && db.idem.expiry == nil
	}, 10*time.Second, 5*time.Millisecond, "the collector forgets expired keys even without commits")

	tr := db.NewTransaction()
	tr.SetIdempotencyKey([]byte("req-1"), time.Minute)
	tr.Set([]byte("k"), nil)
	require.NoError(t, tr.Commit(), "an expired key can be used again")
}

func TestIdempotencyKeyTooLarge(t *testing.T) {
	db := openDB(t, nil)
	err := db.Transact(func(tr *Transaction) error {
		tr.SetIdempotencyKey(make([]byte, MaxKeySize+1), time.Minute)
		tr.Set([]byte("k"), nil)
		return nil
	})
	require.ErrorIs(t, err, ErrKeyTooLarge)
	require.Nil(t, get(t, db, "k"))
}
