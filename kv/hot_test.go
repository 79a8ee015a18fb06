package kv

import (
	"context"
	"encoding/binary"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestHeat(t *testing.T) {
	var k hotKeys
	key := []byte("k")
	v := int64(1000) // the newest commit version
	require.Zero(t, k.n.Load())
	for range hotThreshold - 1 {
		k.warm(key, v)
	}
	require.False(t, k.hot(key, v), "below the threshold")
	k.warm(key, v)
	require.True(t, k.hot(key, v))
	require.True(t, k.hot(key, v+hotThreshold*hotShare), "one conflict in hotShare commits")
	require.False(t, k.hot(key, v+hotThreshold*hotShare+1), "fewer")
	require.Equal(t, int32(1), k.n.Load(), "still counted")
	require.False(t, k.hot(key, v+2*hotWindow+1))
	require.Zero(t, k.n.Load(), "stale and forgotten")

	// Rare conflicts never make a key hot, however many there are: one
	// in a hundred commits, as two cores give a contended counter.
	for i := range 100 {
		k.warm(key, v+int64(100*i))
		require.False(t, k.hot(key, v+int64(100*i)), "conflict %d", i)
	}
	// Frequent ones do, within a few dozen commits: one in three, as many
	// cores racing on one key give.
	hot := -1
	for i := range 100 {
		c := v + 100*100 + int64(3*i)
		k.warm([]byte("busy"), c)
		if k.hot([]byte("busy"), c) {
			hot = i
			break
		}
	}
	require.Equal(t, hotThreshold-1, hot, "hot at its fourth conflict")

	// The table is bounded; stale entries make room.
	var big hotKeys
	for i := range hotMaxKeys + 10 {
		big.warm(binary.BigEndian.AppendUint32(nil, uint32(i)), v)
	}
	require.Equal(t, int32(hotMaxKeys), big.n.Load())
	big.warm([]byte("late"), v+2*hotWindow+1)
	require.Equal(t, int32(1), big.n.Load())
}

// A point read conflict heats its key; other conflicts do not.
func TestConflictsHeatKeys(t *testing.T) {
	db := openDB(t, nil)
	for range hotThreshold {
		db.NewTransaction().conflicted(&ConflictError{Begin: []byte("k"), End: []byte("k\x00")})
		db.NewTransaction().conflicted(&ConflictError{Begin: []byte("a"), End: []byte("b")})
	}
	require.True(t, db.hot.hot([]byte("k"), db.committed.Load()))
	require.Equal(t, int32(1), db.hot.n.Load())

	// Through a real conflict.
	db = openDB(t, nil)
	a, b := db.NewTransaction(), db.NewTransaction()
	_, err := a.Get([]byte("x"))
	require.NoError(t, err)
	b.Set([]byte("x"), []byte("1"))
	require.NoError(t, b.Commit())
	a.Set([]byte("x"), []byte("2"))
	require.ErrorIs(t, a.Commit(), ErrNotCommitted)
	require.Equal(t, int32(1), db.hot.n.Load())
}

// increment is a read-modify-write of the 8-byte little-endian counter at
// key (absent counts as 0).
func increment(key []byte) func(tr *Transaction) error {
	return func(tr *Transaction) error {
		v, err := tr.Get(key)
		if err != nil {
			return err
		}
		var n uint64
		if len(v) == 8 {
			n = binary.LittleEndian.Uint64(v)
		}
		tr.Set(key, binary.LittleEndian.AppendUint64(nil, n+1))
		return nil
	}
}

// makeHot heats key past the threshold.
func makeHot(db *DB, key []byte) {
	for range hotThreshold {
		db.hot.warm(key, db.committed.Load())
	}
}

func lengthenHotLockWait(t *testing.T, d time.Duration) {
	saved := hotLockWait
	hotLockWait = d
	t.Cleanup(func() { hotLockWait = saved })
}

// The point of it: a read-modify-write of a hot key waits for the one
// running and then reads its result, instead of reading the old value and
// conflicting.
func TestHotKeyReadModifyWriteSerialised(t *testing.T) {
	lengthenHotLockWait(t, time.Minute)
	db := openDB(t, nil)
	key := []byte("counter")
	makeHot(db, key)
	incr := increment(key)
	holding, release := make(chan struct{}), make(chan struct{})
	firstDone := make(chan error)
	go func() {
		firstDone <- db.Transact(func(tr *Transaction) error {
			if err := incr(tr); err != nil {
				return err
			}
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	require.Len(t, db.Locks(), 1, "the first read locked the hot key")
	secondDone := make(chan error)
	var attempts int
	go func() {
		secondDone <- db.Transact(func(tr *Transaction) error {
			attempts++
			return incr(tr)
		})
	}()
	require.Eventually(t, func() bool {
		l := db.Locks()
		return len(l) == 1 && l[0].Waiting == 1
	}, 10*time.Second, time.Millisecond, "the second waits for the lock")
	close(release)
	require.NoError(t, <-firstDone)
	require.NoError(t, <-secondDone)
	require.Equal(t, 1, attempts, "no conflict, no retry")
	require.Empty(t, db.Locks())
	var got uint64
	require.NoError(t, db.ReadTransact(func(tr ReadTransaction) error {
		v, err := tr.Get(key)
		got = binary.LittleEndian.Uint64(v)
		return err
	}))
	require.Equal(t, uint64(2), got)
}

// Only a Transact attempt's first, validated read locks: not ReadTransact,
// not a bare transaction, not a snapshot read, not a later read.
func TestHotKeyLockedOnlyWhereItHelps(t *testing.T) {
	db := openDB(t, nil)
	key := []byte("hot")
	makeHot(db, key)
	require.NoError(t, db.ReadTransact(func(tr ReadTransaction) error {
		_, err := tr.Get(key)
		require.Empty(t, db.Locks(), "ReadTransact")
		return err
	}))
	tr := db.NewTransaction()
	_, err := tr.Get(key)
	require.NoError(t, err)
	require.Empty(t, db.Locks(), "bare")
	tr.Cancel()
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		_, err := tr.Snapshot().Get(key)
		require.Empty(t, db.Locks(), "snapshot read")
		return err
	}))
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		_, err := tr.Get([]byte("other"))
		require.NoError(t, err)
		_, err = tr.Get(key)
		require.Empty(t, db.Locks(), "not the first read")
		return err
	}))
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		_, err := tr.Get(key)
		require.Len(t, db.Locks(), 1, "the first read")
		return err
	}))
	require.Empty(t, db.Locks(), "released at the end of the attempt")
}

// An automatic lock is never an error: a holder that keeps it past
// hotLockWait makes the reader go on without it (and, here, conflict and
// retry), and every increment still counts exactly once.
func TestHotKeyLockWaitRunsOut(t *testing.T) {
	lengthenHotLockWait(t, time.Millisecond)
	db := openDB(t, nil)
	key := []byte("k")
	makeHot(db, key)
	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		done <- db.Transact(func(tr *Transaction) error {
			if _, err := tr.Get(key); err != nil {
				return err
			}
			select {
			case <-holding:
			default:
				close(holding)
			}
			<-release
			tr.Set(key, []byte("first"))
			return nil
		})
	}()
	<-holding
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		_, err := tr.Get(key) // waits 1 ms, then reads without the lock
		tr.Set(key, []byte("second"))
		return err
	}))
	close(release)
	require.NoError(t, <-done, "the first retries after the second's commit")
	v, err := db.NewTransaction().Get(key)
	require.NoError(t, err)
	require.Equal(t, "first", string(v))
}

// Many goroutines on one key with hot-key locking: exactly one increment
// per Transact, and, once the key is hot, few retries.
func TestHotKeyCounterExact(t *testing.T) {
	db := openDB(t, nil)
	key := []byte("counter")
	const workers, each = 8, 300
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				require.NoError(t, db.Transact(increment(key)))
			}
		}()
	}
	wg.Wait()
	v, err := db.NewTransaction().Get(key)
	require.NoError(t, err)
	require.Equal(t, uint64(workers*each), binary.LittleEndian.Uint64(v))
	require.Empty(t, db.Locks())
}

// The retry of an attempt that lost a conflict on a key locks that key at
// its first read, hot or not, so it does not lose the same race again.
func TestRetryLocksTheKeyItLostOn(t *testing.T) {
	db := openDB(t, nil)
	key := []byte("k")
	attempts := 0
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		attempts++
		if _, err := tr.Get(key); err != nil {
			return err
		}
		switch attempts {
		case 1:
			require.Empty(t, db.Locks())
			require.NoError(t, db.Transact(func(other *Transaction) error {
				other.Set(key, []byte("other"))
				return nil
			}))
		case 2:
			require.Equal(t, []LockInfo{{Key: key, Mode: LockExclusive, Holders: []uint64{tr.ID()}}}, db.Locks())
		}
		tr.Set(key, []byte("mine"))
		return nil
	}))
	require.Equal(t, 2, attempts)
	require.False(t, db.hot.hot(key, db.committed.Load()), "one conflict does not make a key hot")
	require.Empty(t, db.Locks())
}

// A transaction that lost claimAfter conflicts on a key claims its first
// turn: its next attempt runs while the claim stands, retried without a
// backoff, and the claim ends with the transaction.
func TestRepeatedLoserClaimsFirstTurn(t *testing.T) {
	db := openDB(t, nil)
	key := []byte("k")
	attempts := 0
	var self *Transaction
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		attempts++
		self = tr
		if _, err := tr.Get(key); err != nil {
			return err
		}
		c := db.hot.prio.Load()
		if attempts <= claimAfter {
			require.Nil(t, c, "attempt %d", attempts)
			require.NoError(t, db.Transact(func(other *Transaction) error {
				other.Set(key, []byte("other"))
				return nil
			}))
		} else {
			require.NotNil(t, c)
			require.Same(t, tr, c.tr)
			require.Equal(t, key, c.key)
			require.True(t, tr.holdsTurn())
		}
		tr.Set(key, []byte("mine"))
		return nil
	}))
	require.Equal(t, claimAfter+1, attempts)
	require.Nil(t, db.hot.prio.Load(), "the claim ends with its transaction")
	require.False(t, self.holdsTurn())
	require.Equal(t, "mine", string(get(t, db, "k")))
}

// claimTurn makes tr the claimant of key's first turn, as a repeated loss
// would.
func claimTurn(t *testing.T, db *DB, tr *Transaction, key []byte) {
	c := &claim{key: key, tr: tr, done: make(chan struct{})}
	require.True(t, db.hot.prio.CompareAndSwap(nil, c))
	tr.lock()
	tr.rare().claim = c
	tr.mu.Unlock()
}

// claimedKey opens a database with automatic lock waits of wait, and key
// claimed by a bare transaction that the test cancels at its end.
func claimedKey(t *testing.T, wait time.Duration) (db *DB, key []byte, owner *Transaction) {
	lengthenHotLockWait(t, wait)
	db = openDB(t, nil)
	key = []byte("k")
	owner = db.NewTransaction()
	t.Cleanup(owner.Cancel)
	claimTurn(t, db, owner, key)
	return db, key, owner
}

// While a key's first turn is claimed, a Transact whose first read is that
// key waits for the claimant to end, then reads what it committed; reads of
// other keys, and ReadTransact, do not wait.
func TestClaimedKeyWaitsForItsClaimant(t *testing.T) {
	lengthenHotLockWait(t, time.Minute)
	db := openDB(t, nil)
	key := []byte("k")
	put(t, db, "k", "0")
	owner := db.NewTransaction()
	claimTurn(t, db, owner, key)

	require.NoError(t, db.Transact(func(tr *Transaction) error {
		_, err := tr.Get([]byte("other"))
		return err
	}))
	require.NoError(t, db.ReadTransact(func(tr ReadTransaction) error {
		_, err := tr.Get(key)
		return err
	}))

	read := make(chan string, 1)
	go func() {
		_ = db.Transact(func(tr *Transaction) error {
			v, err := tr.Get(key)
			if err == nil {
				read <- string(v)
			}
			return err
		})
	}()
	select {
	case v := <-read:
		t.Fatalf("read %q while the key's turn was claimed", v)
	case <-time.After(20 * time.Millisecond):
	}
	owner.Set(key, []byte("owner"))
	require.NoError(t, owner.Commit())
	require.Equal(t, "owner", <-read)
	require.Nil(t, db.hot.prio.Load())
}

// A claimant that never ends holds the others up once, for hotLockWait:
// the first waiter to time out drops the claim, and later readers go on.
func TestStuckClaimIsDropped(t *testing.T) {
	db, key, owner := claimedKey(t, time.Millisecond)
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		_, err := tr.Get(key)
		return err
	}))
	require.Nil(t, db.hot.prio.Load())
	owner.Cancel() // ending it later closes its claim's channel, once
	require.False(t, owner.holdsTurn())
}

// A waiter whose context ends stops waiting: its read reports the context.
func TestClaimWaitEndsWithContext(t *testing.T) {
	db, key, _ := claimedKey(t, time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	err := db.TransactContext(ctx, func(tr *Transaction) error {
		_, err := tr.Get(key)
		return err
	})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.NotNil(t, db.hot.prio.Load(), "a waiter that gave up leaves the claim")
}
