package fdb_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/plinthdb/plinth/fdb"
	"github.com/plinthdb/plinth/fdb/subspace"
	"github.com/plinthdb/plinth/fdb/tuple"
	"github.com/stretchr/testify/require"
)

// TestErrorCodes checks that failures reach the caller as fdb.Error values
// with FoundationDB's codes.
func TestErrorCodes(t *testing.T) {
	db := freshDB(t)
	cases := []struct {
		name string
		run  func(tr fdb.Transaction) error
		want fdb.Error
	}{
		{"key too large", func(tr fdb.Transaction) error {
			tr.Set(fdb.Key(bytes.Repeat([]byte("k"), 10_001)), nil)
			return tr.Commit().Get()
		}, fdb.ErrKeyTooLarge},
		{"value too large", func(tr fdb.Transaction) error {
			tr.Set(fdb.Key("k"), make([]byte, 100_001))
			return tr.Commit().Get()
		}, fdb.ErrValueTooLarge},
		{"system key", func(tr fdb.Transaction) error {
			tr.Set(fdb.Key("\xff/x"), nil)
			return tr.Commit().Get()
		}, fdb.ErrKeyOutsideLegalRange},
		{"inverted range", func(tr fdb.Transaction) error {
			return tr.AddReadConflictRange(fdb.KeyRange{Begin: fdb.Key("b"), End: fdb.Key("a")})
		}, fdb.ErrInvertedRange},
		{"cancelled", func(tr fdb.Transaction) error {
			tr.Cancel()
			_, err := tr.Get(fdb.Key("k")).Get()
			return err
		}, fdb.ErrTransactionCancelled},
		{"used during commit", func(tr fdb.Transaction) error {
			tr.Set(fdb.Key("k"), nil)
			if err := tr.Commit().Get(); err != nil {
				return err
			}
			_, err := tr.Get(fdb.Key("k")).Get()
			return err
		}, fdb.ErrUsedDuringCommit},
		{"read-only versionstamp", func(tr fdb.Transaction) error {
			f := tr.GetVersionstamp()
			if err := tr.Commit().Get(); err != nil {
				return err
			}
			_, err := f.Get()
			return err
		}, fdb.ErrNoCommitVersion},
		{"exact mode without limit", func(tr fdb.Transaction) error {
			_, err := tr.GetRange(fdb.KeyRange{Begin: fdb.Key("a"), End: fdb.Key("b")}, fdb.RangeOptions{Mode: fdb.StreamingModeExact}).GetSliceWithError()
			return err
		}, fdb.ErrExactModeWithoutLimits},
		{"invalid option", func(tr fdb.Transaction) error {
			return tr.Options().SetSizeLimit(10)
		}, fdb.ErrInvalidOptionValue},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr, err := db.CreateTransaction()
			require.NoError(t, err)
			err = c.run(tr)
			require.Equal(t, c.want, err, "got %v", err)
			require.ErrorIs(t, fmt.Errorf("wrapped: %w", err), c.want)
		})
	}
	require.Equal(t, "FoundationDB error code 1020 (Transaction not committed due to conflict with another transaction)", fdb.ErrNotCommitted.Error())
}

func TestConflictAndOnError(t *testing.T) {
	db := freshDB(t)
	t1, _ := db.CreateTransaction()
	t2, _ := db.CreateTransaction()
	t1.Get(fdb.Key("a")).MustGet()
	t1.Set(fdb.Key("b"), []byte("1"))
	t2.Set(fdb.Key("a"), []byte("2"))
	require.NoError(t, t2.Commit().Get())
	err := t1.Commit().Get()
	require.Equal(t, fdb.ErrNotCommitted, err)
	require.NoError(t, t1.OnError(err.(fdb.Error)).Get(), "a conflict is retryable")
	t1.Get(fdb.Key("a")).MustGet()
	t1.Set(fdb.Key("b"), []byte("1"))
	require.NoError(t, t1.Commit().Get())
	v, err := t1.GetCommittedVersion()
	require.NoError(t, err)
	require.Positive(t, v)

	// OnError gives a non-retryable error back.
	require.Equal(t, fdb.ErrKeyTooLarge, t1.OnError(fdb.ErrKeyTooLarge).Get())

	// A retry limit of 0 ends Transact at the first conflict.
	db.Options().SetTransactionRetryLimit(0)
	n := 0
	_, err = db.Transact(func(tr fdb.Transaction) (interface{}, error) {
		n++
		return nil, fdb.ErrNotCommitted
	})
	require.Equal(t, fdb.ErrNotCommitted, err)
	require.Equal(t, 1, n)
}

func TestTimeout(t *testing.T) {
	db := freshDB(t)
	tr, _ := db.CreateTransaction()
	require.NoError(t, tr.Options().SetTimeout(1))
	time.Sleep(20 * time.Millisecond)
	_, err := tr.Get(fdb.Key("k")).Get()
	require.Equal(t, fdb.ErrTransactionTimedOut, err)
	require.Equal(t, fdb.ErrTransactionTimedOut, tr.OnError(fdb.ErrTransactionTimedOut).Get())
}

func fill(t *testing.T, db fdb.Database, ss subspace.Subspace, n int) {
	t.Helper()
	_, err := db.Transact(func(tr fdb.Transaction) (interface{}, error) {
		for i := 0; i < n; i++ {
			tr.Set(ss.Pack(tuple.Tuple{i}), []byte(fmt.Sprint(i)))
		}
		return nil, nil
	})
	require.NoError(t, err)
}

func TestRangeReads(t *testing.T) {
	db := freshDB(t)
	ss := subspace.Sub("r")
	fill(t, db, ss, 100)
	tr, _ := db.CreateTransaction()

	all := tr.GetRange(ss, fdb.RangeOptions{}).GetSliceOrPanic()
	require.Len(t, all, 100)

	// An iterator crosses batch boundaries and honours the limit.
	for _, opts := range []fdb.RangeOptions{{}, {Limit: 70}, {Limit: 70, Reverse: true}, {Mode: fdb.StreamingModeSmall}, {Limit: 5, Mode: fdb.StreamingModeExact}} {
		ri := tr.GetRange(ss, opts).Iterator()
		var got []int64
		for ri.Advance() {
			kv := ri.MustGet()
			k, err := ss.Unpack(kv.Key)
			require.NoError(t, err)
			got = append(got, k[0].(int64))
		}
		want := 100
		if opts.Limit > 0 {
			want = opts.Limit
		}
		require.Len(t, got, want, "%+v", opts)
		if opts.Reverse {
			require.Equal(t, int64(99), got[0])
		} else {
			require.Equal(t, int64(0), got[0])
		}
	}

	// Selectors.
	k := tr.GetKey(fdb.FirstGreaterThan(ss.Pack(tuple.Tuple{10}))).MustGet()
	require.Equal(t, ss.Pack(tuple.Tuple{11}), k)
	k = tr.GetKey(fdb.LastLessThan(ss.Pack(tuple.Tuple{10}))).MustGet()
	require.Equal(t, ss.Pack(tuple.Tuple{9}), k)
	rows := tr.GetRange(fdb.SelectorRange{
		Begin: fdb.FirstGreaterOrEqual(ss.Pack(tuple.Tuple{10})),
		End:   fdb.FirstGreaterThan(ss.Pack(tuple.Tuple{12})),
	}, fdb.RangeOptions{}).GetSliceOrPanic()
	require.Len(t, rows, 3)

	// A read issued before a write does not see it; one issued after does.
	before := tr.GetRange(ss, fdb.RangeOptions{Limit: 3})
	tr.Clear(ss.Pack(tuple.Tuple{0}))
	require.Len(t, before.GetSliceOrPanic(), 3)
	require.Equal(t, ss.Pack(tuple.Tuple{0}), before.GetSliceOrPanic()[0].Key)
	require.Equal(t, ss.Pack(tuple.Tuple{1}), tr.GetRange(ss, fdb.RangeOptions{Limit: 1}).GetSliceOrPanic()[0].Key)

	size, err := tr.GetEstimatedRangeSizeBytes(ss).Get()
	require.NoError(t, err)
	require.Positive(t, size)
	points, err := tr.GetRangeSplitPoints(ss, size/4).Get()
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(points), 4)
	b, e := ss.FDBRangeKeys()
	require.Equal(t, b.FDBKey(), points[0])
	require.Equal(t, e.FDBKey(), points[len(points)-1])
	points, err = tr.GetRangeSplitPointsWithLimit(ss, 1, 2).Get()
	require.NoError(t, err)
	require.Len(t, points, 4)
}

func TestAtomicOps(t *testing.T) {
	db := freshDB(t)
	le := func(n uint64) []byte { return binary.LittleEndian.AppendUint64(nil, n) }
	_, err := db.Transact(func(tr fdb.Transaction) (interface{}, error) {
		tr.Add(fdb.Key("add"), le(5))
		tr.Add(fdb.Key("add"), le(7))
		tr.Max(fdb.Key("max"), le(3))
		tr.Max(fdb.Key("max"), le(9))
		tr.Min(fdb.Key("min"), le(3))
		tr.Min(fdb.Key("min"), le(9))
		tr.ByteMax(fdb.Key("bmax"), []byte("b"))
		tr.ByteMax(fdb.Key("bmax"), []byte("a"))
		tr.BitOr(fdb.Key("or"), []byte{1})
		tr.Or(fdb.Key("or"), []byte{2})
		tr.Xor(fdb.Key("xor"), []byte{3})
		tr.And(fdb.Key("and"), []byte{3})
		tr.AppendIfFits(fdb.Key("app"), []byte("ab"))
		tr.AppendIfFits(fdb.Key("app"), []byte("cd"))
		tr.Set(fdb.Key("cac"), []byte("x"))
		return nil, nil
	})
	require.NoError(t, err)
	_, err = db.Transact(func(tr fdb.Transaction) (interface{}, error) {
		tr.CompareAndClear(fdb.Key("cac"), []byte("x"))
		return nil, nil
	})
	require.NoError(t, err)
	got, err := db.ReadTransact(func(rtr fdb.ReadTransaction) (interface{}, error) {
		m := map[string][]byte{}
		for _, kv := range rtr.GetRange(fdb.KeyRange{Begin: fdb.Key(""), End: fdb.Key("\xff")}, fdb.RangeOptions{}).GetSliceOrPanic() {
			m[string(kv.Key)] = kv.Value
		}
		return m, nil
	})
	require.NoError(t, err)
	require.Equal(t, map[string][]byte{
		"add": le(12), "max": le(9), "min": le(3), "bmax": []byte("b"),
		"or": {3}, "xor": {3}, "and": {3}, "app": []byte("abcd"),
	}, got)
}

func TestVersionstamps(t *testing.T) {
	db := freshDB(t)
	log := subspace.Sub("log")
	tr, _ := db.CreateTransaction()
	key, err := log.PackWithVersionstamp(tuple.Tuple{tuple.IncompleteVersionstamp(1)})
	require.NoError(t, err)
	tr.SetVersionstampedKey(key, []byte("entry"))
	tr.SetVersionstampedValue(fdb.Key("latest"), append(make([]byte, 10), 0, 0, 0, 0))
	vs := tr.GetVersionstamp()
	require.False(t, vs.IsReady(), "a versionstamp waits for the commit")

	// Reading the own versionstamped value is refused.
	_, err = tr.Get(fdb.Key("latest")).Get()
	require.Equal(t, fdb.ErrAccessedUnreadable, err)
	tr.Reset()
	tr.SetVersionstampedKey(key, []byte("entry"))
	tr.SetVersionstampedValue(fdb.Key("latest"), append(make([]byte, 10), 0, 0, 0, 0))
	vs = tr.GetVersionstamp()
	require.NoError(t, tr.Commit().Get())
	require.True(t, vs.IsReady())
	stamp := vs.MustGet()
	require.Len(t, stamp, 10)

	rows, err := db.ReadTransact(func(rtr fdb.ReadTransaction) (interface{}, error) {
		return rtr.GetRange(log, fdb.RangeOptions{}).GetSliceWithError()
	})
	require.NoError(t, err)
	kvs := rows.([]fdb.KeyValue)
	require.Len(t, kvs, 1)
	tup, err := log.Unpack(kvs[0].Key)
	require.NoError(t, err)
	got := tup[0].(tuple.Versionstamp)
	require.Equal(t, []byte(stamp), got.TransactionVersion[:])
	require.Equal(t, uint16(1), got.UserVersion)

	v, err := db.ReadTransact(func(rtr fdb.ReadTransaction) (interface{}, error) {
		return rtr.Get(fdb.Key("latest")).Get()
	})
	require.NoError(t, err)
	require.Equal(t, []byte(stamp), v)
}

func TestSnapshotAndReadYourWrites(t *testing.T) {
	db := freshDB(t)
	fill(t, db, subspace.Sub("s"), 1)
	key := subspace.Sub("s").Pack(tuple.Tuple{0})

	// A snapshot read adds no conflict.
	t1, _ := db.CreateTransaction()
	t1.Snapshot().Get(key).MustGet()
	t1.Set(fdb.Key("other"), nil)
	_, err := db.Transact(func(tr fdb.Transaction) (interface{}, error) {
		tr.Set(key, []byte("changed"))
		return nil, nil
	})
	require.NoError(t, err)
	require.NoError(t, t1.Commit().Get())

	// Snapshot reads see own writes unless snapshot RYW is disabled.
	t2, _ := db.CreateTransaction()
	t2.Set(key, []byte("mine"))
	require.Equal(t, []byte("mine"), t2.Snapshot().Get(key).MustGet())
	require.NoError(t, t2.Options().SetSnapshotRywDisable())
	require.Equal(t, []byte("changed"), t2.Snapshot().Get(key).MustGet())
	require.Equal(t, []byte("mine"), t2.Get(key).MustGet())

	// With read-your-writes disabled no read sees own writes, and reads
	// still conflict.
	t3, _ := db.CreateTransaction()
	require.NoError(t, t3.Options().SetReadYourWritesDisable())
	t3.Set(key, []byte("mine"))
	require.Equal(t, []byte("changed"), t3.Get(key).MustGet())
	rows := t3.GetRange(subspace.Sub("s"), fdb.RangeOptions{}).GetSliceOrPanic()
	require.Equal(t, []byte("changed"), rows[0].Value)
	t3.Reset()
	require.NoError(t, t3.Options().SetReadYourWritesDisable())
	t3.Set(fdb.Key("elsewhere"), nil)
	require.Equal(t, []byte("changed"), t3.Get(key).MustGet())
	_, err = db.Transact(func(tr fdb.Transaction) (interface{}, error) {
		tr.Set(key, []byte("again"))
		return nil, nil
	})
	require.NoError(t, err)
	require.Equal(t, fdb.ErrNotCommitted, t3.Commit().Get())
}

func TestTransactorComposition(t *testing.T) {
	db := freshDB(t)
	set := func(tor fdb.Transactor, k string) error {
		_, err := tor.Transact(func(tr fdb.Transaction) (interface{}, error) {
			tr.Set(fdb.Key(k), []byte(k))
			return nil, nil
		})
		return err
	}
	_, err := db.Transact(func(tr fdb.Transaction) (interface{}, error) {
		return nil, errors.Join(set(tr, "a"), set(tr, "b"))
	})
	require.NoError(t, err)
	require.NoError(t, set(db, "c"))
	n, err := db.ReadTransact(func(rtr fdb.ReadTransaction) (interface{}, error) {
		return len(rtr.GetRange(fdb.KeyRange{Begin: fdb.Key("a"), End: fdb.Key("d")}, fdb.RangeOptions{}).GetSliceOrPanic()), nil
	})
	require.NoError(t, err)
	require.Equal(t, 3, n)
}

func TestPrintableAndStrinc(t *testing.T) {
	require.Equal(t, `a\\b\x00\xff`, fdb.Printable([]byte("a\\b\x00\xff")))
	s, err := fdb.Strinc([]byte("a\xff"))
	require.NoError(t, err)
	require.Equal(t, []byte("b"), s)
	_, err = fdb.Strinc([]byte{0xff})
	require.Error(t, err)
	_, err = fdb.PrefixRange(nil)
	require.Error(t, err)
}
