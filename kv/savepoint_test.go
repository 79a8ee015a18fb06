package kv_test

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/plinthdb/plinth/kv"
	"github.com/plinthdb/plinth/selector"
	"github.com/stretchr/testify/require"
)

// view renders everything tr sees in [a, z): forward, reverse, limited and
// through a selector, so a rollback is checked on every read path.
func view(t *testing.T, tr *kv.Transaction) string {
	t.Helper()
	r := kv.KeyRange{Begin: []byte("a"), End: []byte("z")}
	fwd, err := tr.Snapshot().GetRange(r, kv.RangeOptions{})
	require.NoError(t, err)
	rev, err := tr.Snapshot().GetRange(r, kv.RangeOptions{Reverse: true, Limit: 2})
	require.NoError(t, err)
	first, err := tr.Snapshot().GetKey(selector.FirstGreaterOrEqual([]byte("a")))
	require.NoError(t, err)
	last, err := tr.Snapshot().GetKey(selector.LastLessThan([]byte("z")))
	require.NoError(t, err)
	var b bytes.Buffer
	for _, row := range fwd {
		fmt.Fprintf(&b, "%s=%s ", row.Key, row.Value)
	}
	fmt.Fprintf(&b, "| rev2:")
	for _, row := range rev {
		fmt.Fprintf(&b, " %s", row.Key)
	}
	fmt.Fprintf(&b, " | first=%s last=%s", first, last)
	return b.String()
}

func TestRollbackRestoresEveryReadPath(t *testing.T) {
	db := fastDB(t, kv.Hooks{})
	require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
		for _, k := range []string{"b", "d", "f", "h"} {
			tr.Set([]byte(k), []byte("db"))
		}
		tr.Set([]byte("n"), atLE64(5))
		return nil
	}))
	tr := db.NewTransaction()
	defer tr.Cancel()
	tr.Set([]byte("c"), []byte("before"))
	before := view(t, tr)
	n0, _ := tr.Get([]byte("n"))

	sp := tr.Savepoint()
	tr.Set([]byte("a"), []byte("new"))
	tr.Set([]byte("c"), []byte("changed"))
	tr.Clear([]byte("d"))
	tr.ClearRange([]byte("e"), []byte("i"))
	tr.Add([]byte("n"), atLE64(1))
	tr.Set([]byte("y"), []byte("new"))
	require.NotEqual(t, before, view(t, tr))
	require.NoError(t, tr.RollbackTo(sp))
	require.Equal(t, before, view(t, tr))
	n1, _ := tr.Get([]byte("n"))
	require.Equal(t, n0, n1)

	// sp stays valid: roll back to it again after more writes.
	tr.ClearRange([]byte("a"), []byte("z"))
	require.NoError(t, tr.RollbackTo(sp))
	require.Equal(t, before, view(t, tr))
}

func TestRollbackWithManyWrites(t *testing.T) {
	// Past the write buffer's small-slice size, into its B-tree.
	db := fastDB(t, kv.Hooks{})
	tr := db.NewTransaction()
	defer tr.Cancel()
	for i := 0; i < 50; i++ {
		tr.Set([]byte(fmt.Sprintf("k%03d", i)), []byte("x"))
	}
	before := view(t, tr)
	sp := tr.Savepoint()
	for i := 25; i < 200; i++ {
		tr.Set([]byte(fmt.Sprintf("k%03d", i)), []byte("y"))
	}
	tr.ClearRange([]byte("k010"), []byte("k020"))
	require.NoError(t, tr.RollbackTo(sp))
	require.Equal(t, before, view(t, tr))
}

// Rolled-back writes take their write conflict ranges with them; a
// transaction whose writes were all rolled back commits read-only.
func TestRollbackUndoesWriteConflicts(t *testing.T) {
	db := fastDB(t, kv.Hooks{})
	reader := db.NewTransaction()
	defer reader.Cancel()
	_, err := reader.Get([]byte("k"))
	require.NoError(t, err)

	tr := db.NewTransaction()
	sp := tr.Savepoint()
	tr.Set([]byte("k"), []byte("v"))
	require.NoError(t, tr.AddWriteConflictKey([]byte("w")))
	require.NoError(t, tr.RollbackTo(sp))
	require.NoError(t, tr.Commit())
	v, err := tr.GetCommittedVersion()
	require.NoError(t, err)
	require.Equal(t, int64(-1), v, "nothing left to write: read-only")

	reader.Set([]byte("other"), nil)
	require.NoError(t, reader.Commit(), "k was never written")
}

// After an own write is rolled back, reading the key adds a read conflict
// again; reads made before a rollback keep theirs.
func TestRollbackAndReadConflicts(t *testing.T) {
	db := fastDB(t, kv.Hooks{})
	t.Run("own write undone", func(t *testing.T) {
		tr := db.NewTransaction()
		defer tr.Cancel()
		sp := tr.Savepoint()
		tr.Set([]byte("k"), []byte("mine"))
		_, _ = tr.Get([]byte("k")) // own write: no conflict
		require.NoError(t, tr.RollbackTo(sp))
		_, _ = tr.Get([]byte("k")) // now a real read
		atSet(t, db, []byte("k"), []byte("theirs"))
		tr.Set([]byte("x"), nil)
		require.ErrorIs(t, tr.Commit(), kv.ErrNotCommitted)
	})
	t.Run("reads stay", func(t *testing.T) {
		tr := db.NewTransaction()
		defer tr.Cancel()
		sp := tr.Savepoint()
		_, _ = tr.Get([]byte("r"))
		require.NoError(t, tr.RollbackTo(sp))
		atSet(t, db, []byte("r"), []byte("theirs"))
		tr.Set([]byte("x"), nil)
		require.ErrorIs(t, tr.Commit(), kv.ErrNotCommitted)
	})
}

// A versionstamped write makes its key unreadable; rolled back, the key
// reads normally again.
func TestRollbackVersionstamped(t *testing.T) {
	db := fastDB(t, kv.Hooks{})
	tr := db.NewTransaction()
	defer tr.Cancel()
	sp := tr.Savepoint()
	tr.SetVersionstampedValue([]byte("v"), append(make([]byte, 10), 0, 0, 0, 0))
	tr.SetVersionstampedKey(append([]byte("log/"), append(make([]byte, 10), 4, 0, 0, 0)...), []byte("x"))
	_, err := tr.Get([]byte("v"))
	require.ErrorIs(t, err, kv.ErrAccessedUnreadable)
	_, err = tr.GetRange(kv.KeyRange{Begin: []byte("log/"), End: []byte("log0")}, kv.RangeOptions{})
	require.ErrorIs(t, err, kv.ErrAccessedUnreadable)
	require.NoError(t, tr.RollbackTo(sp))
	v, err := tr.Get([]byte("v"))
	require.NoError(t, err)
	require.Nil(t, v)
	_, err = tr.GetRange(kv.KeyRange{Begin: []byte("log/"), End: []byte("log0")}, kv.RangeOptions{})
	require.NoError(t, err)
	require.NoError(t, tr.Commit())
}

// An invalid write inside a rolled-back block no longer fails the
// transaction.
func TestRollbackDropsDeferredError(t *testing.T) {
	db := fastDB(t, kv.Hooks{})
	err := db.Transact(func(tr *kv.Transaction) error {
		nerr := tr.Nested(func(tr *kv.Transaction) error {
			tr.Set(make([]byte, kv.MaxKeySize+1), nil)
			_, err := tr.Get([]byte("a"))
			return err
		})
		require.ErrorIs(t, nerr, kv.ErrKeyTooLarge)
		tr.Set([]byte("ok"), []byte("1"))
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, "1", string(atGet(t, db, []byte("ok"))))
}

func TestSavepointValidity(t *testing.T) {
	db := fastDB(t, kv.Hooks{})
	tr, other := db.NewTransaction(), db.NewTransaction()
	defer tr.Cancel()
	defer other.Cancel()
	tr.Set([]byte("a"), []byte("1"))
	sp1 := tr.Savepoint()
	tr.Set([]byte("b"), []byte("2"))
	sp2 := tr.Savepoint()
	tr.Set([]byte("c"), []byte("3"))
	state := view(t, tr)

	for name, sp := range map[string]kv.Savepoint{
		"zero":                {},
		"another transaction": other.Savepoint(),
	} {
		require.ErrorIs(t, tr.RollbackTo(sp), kv.ErrClientInvalidOperation, name)
		require.Equal(t, state, view(t, tr), "%s: nothing changed", name)
	}
	require.NoError(t, tr.RollbackTo(sp1))
	require.ErrorIs(t, tr.RollbackTo(sp2), kv.ErrClientInvalidOperation, "invalidated by the rollback to sp1")
	require.NoError(t, tr.RollbackTo(sp1), "sp1 stays valid")

	old := tr.Savepoint()
	require.NoError(t, tr.OnError(kv.ErrNotCommitted))
	require.ErrorIs(t, tr.RollbackTo(old), kv.ErrClientInvalidOperation, "earlier attempt (OnError)")
	old = tr.Savepoint()
	tr.Reset()
	require.ErrorIs(t, tr.RollbackTo(old), kv.ErrClientInvalidOperation, "earlier attempt (Reset)")
}

// OnCommit callbacks registered after a savepoint are dropped by a rollback
// to it, and OnAbort callbacks registered after it run then, newest first.
func TestRollbackAndCallbacks(t *testing.T) {
	db := fastDB(t, kv.Hooks{})
	var got []string
	note := func(s string) func(kv.TransactionInfo) { return func(kv.TransactionInfo) { got = append(got, s) } }
	require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
		tr.OnCommit(note("commit-before"))
		tr.OnAbort(note("abort-before"))
		sp := tr.Savepoint()
		tr.OnCommit(note("commit-after"))
		tr.OnAbort(note("abort-after-1"))
		tr.OnAbort(note("abort-after-2"))
		require.NoError(t, tr.RollbackTo(sp))
		got = append(got, "rolled back")
		tr.Set([]byte("k"), nil)
		return nil
	}))
	require.Equal(t, []string{"abort-after-2", "abort-after-1", "rolled back", "commit-before"}, got)
}

func TestNested(t *testing.T) {
	db := fastDB(t, kv.Hooks{})
	errInner := errors.New("inner")
	require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
		tr.Set([]byte("outer"), []byte("1"))
		require.NoError(t, tr.Nested(func(tr *kv.Transaction) error {
			tr.Set([]byte("kept"), []byte("1"))
			err := tr.Nested(func(tr *kv.Transaction) error {
				tr.Set([]byte("dropped"), []byte("1"))
				return tr.Nested(func(tr *kv.Transaction) error {
					tr.Set([]byte("deep"), []byte("1"))
					return errInner
				})
			})
			require.ErrorIs(t, err, errInner)
			return nil
		}))
		require.PanicsWithValue(t, "boom", func() {
			_ = tr.Nested(func(tr *kv.Transaction) error {
				tr.Set([]byte("panicked"), []byte("1"))
				panic("boom")
			})
		})
		v, err := tr.Get([]byte("panicked"))
		require.NoError(t, err)
		require.Nil(t, v, "rolled back before the panic went on")
		return nil
	}))
	for k, want := range map[string]string{"outer": "1", "kept": "1", "dropped": "", "deep": "", "panicked": ""} {
		require.Equal(t, want, string(atGet(t, db, []byte(k))), k)
	}
	require.ErrorIs(t, db.NewTransaction().Nested(nil), kv.ErrClientInvalidOperation)
}

// A rolled-back write is not checked under snapshot isolation.
func TestRollbackUnderSnapshotIsolation(t *testing.T) {
	db := fastDB(t, kv.Hooks{})
	tr := db.NewTransaction()
	defer tr.Cancel()
	tr.SetIsolation(kv.SnapshotIsolation)
	sp := tr.Savepoint()
	tr.Set([]byte("k"), []byte("mine"))
	require.NoError(t, tr.RollbackTo(sp))
	atSet(t, db, []byte("k"), []byte("theirs"))
	tr.Set([]byte("x"), nil)
	require.NoError(t, tr.Commit())
}

// TestSavepointsAgainstModel interleaves writes, savepoints and rollbacks
// at random and compares every read of the transaction with a model: a map
// of the visible state and a stack of its copies at each live savepoint.
func TestSavepointsAgainstModel(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 7))
			db := fastDB(t, kv.Hooks{})
			base := map[string]string{}
			require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
				for i := 0; i < 20; i++ {
					k := fmt.Sprintf("k%02d", r.IntN(40))
					tr.Set([]byte(k), []byte("db"))
					base[k] = "db"
				}
				return nil
			}))
			tr := db.NewTransaction()
			defer tr.Cancel()
			state := maps.Clone(base)
			type live struct {
				sp    kv.Savepoint
				state map[string]string
			}
			var stack []live
			key := func() string { return fmt.Sprintf("k%02d", r.IntN(40)) }
			for step := 0; step < 300; step++ {
				switch op := r.IntN(10); {
				case op < 3:
					k, v := key(), fmt.Sprint(step)
					tr.Set([]byte(k), []byte(v))
					state[k] = v
				case op < 4:
					k := key()
					tr.Clear([]byte(k))
					delete(state, k)
				case op < 5:
					b, e := key(), key()
					if e < b {
						b, e = e, b
					}
					tr.ClearRange([]byte(b), []byte(e))
					for k := range state {
						if k >= b && k < e {
							delete(state, k)
						}
					}
				case op < 6:
					k := key()
					tr.AppendIfFits([]byte(k), []byte("+"))
					state[k] += "+"
				case op < 8:
					stack = append(stack, live{tr.Savepoint(), maps.Clone(state)})
				case len(stack) > 0:
					i := r.IntN(len(stack))
					require.NoError(t, tr.RollbackTo(stack[i].sp))
					state = maps.Clone(stack[i].state)
					stack = stack[:i+1]
				}
				rows, err := tr.Snapshot().GetRange(kv.KeyRange{Begin: []byte("k"), End: []byte("l")}, kv.RangeOptions{Reverse: r.IntN(2) == 0})
				require.NoError(t, err)
				got := map[string]string{}
				for _, row := range rows {
					got[string(row.Key)] = string(row.Value)
				}
				require.Equal(t, state, got, "step %d", step)
				k := key()
				v, err := tr.Get([]byte(k))
				require.NoError(t, err)
				want, ok := state[k]
				require.Equal(t, ok, v != nil, "step %d: %s present", step, k)
				require.Equal(t, want, string(v))
			}
			require.NoError(t, tr.Commit())
			rows := atScan(t, db, []byte("k"), []byte("l"), false)
			var keys []string
			for _, row := range rows {
				keys = append(keys, string(row.Key))
				require.Equal(t, state[string(row.Key)], string(row.Value))
			}
			require.Equal(t, slices.Sorted(maps.Keys(state)), keys)
		})
	}
}
