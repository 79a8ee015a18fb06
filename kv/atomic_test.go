package kv_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/plinthdb/plinth/kv"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
)

// Helpers of this file and versionstamp_test.go are prefixed "at" so they do
// not collide with helpers other test files of package kv_test may declare.

func atOpen(t testing.TB, opts *kv.Options) *kv.DB {
	t.Helper()
	db, err := kv.Open(opts)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

// atHex parses space-separated hex bytes; "" gives a non-nil empty slice
// (a present empty value), as opposed to nil (absent).
func atHex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	if b == nil {
		b = []byte{}
	}
	return b
}

// atShow renders a value for messages, telling absent from empty.
func atShow(b []byte) string {
	switch {
	case b == nil:
		return "absent"
	case len(b) > 16:
		return fmt.Sprintf("len=%d", len(b))
	case len(b) == 0:
		return `""`
	}
	return hex.EncodeToString(b)
}

// atRequireValue asserts that got is want, distinguishing absent (nil) from
// present and empty.
func atRequireValue(t testing.TB, want, got []byte, msgAndArgs ...any) {
	t.Helper()
	if want == nil {
		require.Nil(t, got, msgAndArgs...)
		return
	}
	require.NotNil(t, got, msgAndArgs...)
	require.Equal(t, atShow(want), atShow(got), msgAndArgs...)
	require.True(t, bytes.Equal(want, got), msgAndArgs...)
}

// atGet reads key in a fresh transaction.
func atGet(t testing.TB, db *kv.DB, key []byte) []byte {
	t.Helper()
	var v []byte
	require.NoError(t, db.ReadTransact(func(tr kv.ReadTransaction) error {
		var err error
		v, err = tr.Get(key)
		return err
	}))
	return v
}

// atSet commits key=value (value nil: clear) in one transaction.
func atSet(t testing.TB, db *kv.DB, key, value []byte) {
	t.Helper()
	require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
		if value == nil {
			tr.Clear(key)
		} else {
			tr.Set(key, value)
		}
		return nil
	}))
}

// atScan reads [begin, end) in a fresh transaction.
func atScan(t testing.TB, db *kv.DB, begin, end []byte, reverse bool) []kv.KeyValue {
	t.Helper()
	var rows []kv.KeyValue
	require.NoError(t, db.ReadTransact(func(tr kv.ReadTransaction) error {
		var err error
		rows, err = tr.GetRange(kv.KeyRange{Begin: begin, End: end}, kv.RangeOptions{Reverse: reverse})
		return err
	}))
	return rows
}

// atRows renders rows as "key=hex" for comparisons.
func atRows(rows []kv.KeyValue) []string {
	out := []string{}
	for _, r := range rows {
		out = append(out, string(r.Key)+"="+atShow(r.Value))
	}
	return out
}

func atLE64(n int64) []byte {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(n))
	return b[:]
}

// atRequireConflict asserts err is a conflict (1020) whose failed read range
// contains key.
func atRequireConflict(t testing.TB, err error, key []byte) {
	t.Helper()
	require.ErrorIs(t, err, kv.ErrNotCommitted)
	var ce *kv.ConflictError
	require.True(t, errors.As(err, &ce), "want a *kv.ConflictError, got %T: %v", err, err)
	require.True(t, bytes.Compare(ce.Begin, key) <= 0 && bytes.Compare(key, ce.End) < 0,
		"conflict range [%q, %q) should contain %q", ce.Begin, ce.End, key)
}

// atMethods maps each op to its convenience method.
var atMethods = map[kv.MutationType]func(tr *kv.Transaction, key, param []byte){
	kv.Add:                    (*kv.Transaction).Add,
	kv.BitAnd:                 (*kv.Transaction).BitAnd,
	kv.BitOr:                  (*kv.Transaction).BitOr,
	kv.BitXor:                 (*kv.Transaction).BitXor,
	kv.AppendIfFits:           (*kv.Transaction).AppendIfFits,
	kv.Max:                    (*kv.Transaction).Max,
	kv.Min:                    (*kv.Transaction).Min,
	kv.ByteMin:                (*kv.Transaction).ByteMin,
	kv.ByteMax:                (*kv.Transaction).ByteMax,
	kv.CompareAndClear:        (*kv.Transaction).CompareAndClear,
	kv.SetVersionstampedKey:   (*kv.Transaction).SetVersionstampedKey,
	kv.SetVersionstampedValue: (*kv.Transaction).SetVersionstampedValue,
}

type atCase struct {
	op   kv.MutationType
	e    []byte // existing value; nil: absent
	p    []byte
	want []byte // nil: absent or cleared
}

// atCases are byte examples of every atomic op, worked from the functions of
// FoundationDB's fdbclient/include/fdbclient/Atomic.h, plus the absent and
// empty corners each rule names.
func atCases() []atCase {
	x := atHex
	var absent []byte
	big := func(n int, fill byte) []byte { return bytes.Repeat([]byte{fill}, n) }
	return []atCase{
		// Add: little-endian, carries, wrap, E truncated or extended.
		{kv.Add, x("01 00"), x("01 00"), x("02 00")},
		{kv.Add, x("ff 00"), x("01 00"), x("00 01")},
		{kv.Add, x("ff ff"), x("01 00"), x("00 00")},
		{kv.Add, x("fe ff ff ff"), x("03 00 00 00"), x("01 00 00 00")},
		{kv.Add, absent, x("05 00 00 00"), x("05 00 00 00")},
		{kv.Add, x("01 02 03"), x("ff"), x("00")},
		{kv.Add, x("ff"), x("01 00"), x("00 01")},
		{kv.Add, x("10 20 30 40"), x("00 01"), x("10 21")},
		{kv.Add, x("05"), x(""), x("")},
		{kv.Add, x(""), x("01 02"), x("01 02")},
		{kv.Add, absent, x(""), x("")},
		{kv.Add, x("ff ff ff ff ff ff ff ff"), x("01 00 00 00 00 00 00 00"), x("00 00 00 00 00 00 00 00")},
		// BitAnd (AndV2).
		{kv.BitAnd, x("f0 0f"), x("ff 00"), x("f0 00")},
		{kv.BitAnd, absent, x("0f"), x("0f")},
		{kv.BitAnd, x(""), x("0f ff"), x("00 00")},
		{kv.BitAnd, x("ff"), x("0f ff"), x("0f 00")},
		{kv.BitAnd, x("ff ff ff"), x("0f"), x("0f")},
		{kv.BitAnd, x("ab"), x(""), x("")},
		{kv.BitAnd, absent, x(""), x("")},
		// BitOr.
		{kv.BitOr, x("01 10"), x("02 20"), x("03 30")},
		{kv.BitOr, absent, x("0f"), x("0f")},
		{kv.BitOr, x("f0"), x("01 02"), x("f1 02")},
		{kv.BitOr, x("01 02 03"), x("10"), x("11")},
		{kv.BitOr, x(""), x("0a"), x("0a")},
		{kv.BitOr, x("0a"), x(""), x("")},
		// BitXor.
		{kv.BitXor, x("ff 00"), x("0f 0f"), x("f0 0f")},
		{kv.BitXor, absent, x("aa"), x("aa")},
		{kv.BitXor, x("01"), x("01 01"), x("00 01")},
		{kv.BitXor, x("01 02 03"), x("01"), x("00")},
		{kv.BitXor, x("05"), x(""), x("")},
		// AppendIfFits.
		{kv.AppendIfFits, x("61 62"), x("63 64"), x("61 62 63 64")},
		{kv.AppendIfFits, absent, x("78"), x("78")},
		{kv.AppendIfFits, x("61 62"), x(""), x("61 62")},
		{kv.AppendIfFits, absent, x(""), x("")},
		{kv.AppendIfFits, x(""), x("78"), x("78")},
		{kv.AppendIfFits, big(99_999, 'a'), x("62 63"), big(99_999, 'a')},
		{kv.AppendIfFits, big(99_998, 'a'), x("62 63"), append(big(99_998, 'a'), 'b', 'c')},
		{kv.AppendIfFits, absent, big(100_000, 'p'), big(100_000, 'p')},
		// Max: unsigned little-endian.
		{kv.Max, x("05 00"), x("04 01"), x("04 01")},
		{kv.Max, x("05 01"), x("04 01"), x("05 01")},
		{kv.Max, absent, x("03 00"), x("03 00")},
		{kv.Max, x("01 02 03"), x("05 00"), x("01 02")},
		{kv.Max, x("09"), x("05 00"), x("09 00")},
		{kv.Max, x("09"), x("05 01"), x("05 01")},
		{kv.Max, x(""), x("03 00"), x("03 00")},
		{kv.Max, x("07"), x(""), x("")},
		// Min (MinV2).
		{kv.Min, x("05 00"), x("04 01"), x("05 00")},
		{kv.Min, x("05 01"), x("04 01"), x("04 01")},
		{kv.Min, absent, x("03 00"), x("03 00")},
		{kv.Min, x(""), x("03 00"), x("00 00")},
		{kv.Min, x("01 02 03"), x("05 00"), x("05 00")},
		{kv.Min, x("09"), x("05 01"), x("09 00")},
		{kv.Min, x("07"), x(""), x("")},
		// ByteMin / ByteMax: plain byte order, lengths kept.
		{kv.ByteMin, []byte("abc"), []byte("abd"), []byte("abc")},
		{kv.ByteMin, []byte("abc"), []byte("ab"), []byte("ab")},
		{kv.ByteMin, absent, []byte("zz"), []byte("zz")},
		{kv.ByteMin, []byte("b"), x(""), x("")},
		{kv.ByteMin, x(""), []byte("a"), x("")},
		{kv.ByteMax, []byte("abc"), []byte("abd"), []byte("abd")},
		{kv.ByteMax, []byte("abc"), []byte("ab"), []byte("abc")},
		{kv.ByteMax, []byte("b"), x(""), []byte("b")},
		{kv.ByteMax, absent, x(""), x("")},
		{kv.ByteMax, absent, []byte("zz"), []byte("zz")},
		// CompareAndClear.
		{kv.CompareAndClear, x("00 00"), x("00 00"), absent},
		{kv.CompareAndClear, x("01"), x("00"), x("01")},
		{kv.CompareAndClear, absent, x("78"), absent},
		{kv.CompareAndClear, x(""), x(""), absent},
		{kv.CompareAndClear, x("61"), x(""), x("61")},
		{kv.CompareAndClear, x("00"), x("00 00"), x("00")},
	}
}

// TestAtomicOpsTable runs every byte example through the whole kv path, four
// ways: tr.Atomic committed and read back in a new transaction; the
// convenience method likewise; read-your-writes over the database value (op
// on an unwritten key, then Get and GetRange in the same transaction); and
// read-your-writes over a value the transaction set (or cleared) itself.
// All four must give the rule's result.
func TestAtomicOpsTable(t *testing.T) {
	for i, c := range atCases() {
		name := fmt.Sprintf("%02d_%v/E=%s/P=%s", i, c.op, atShow(c.e), atShow(c.p))
		t.Run(name, func(t *testing.T) {
			db := atOpen(t, nil)
			kAtomic := []byte("t/atomic")
			kMethod := []byte("t/method")
			kDep := []byte("t/ryw-db")
			kKnown := []byte("t/ryw-own")
			if c.e != nil {
				require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
					tr.Set(kAtomic, c.e)
					tr.Set(kMethod, c.e)
					tr.Set(kDep, c.e)
					return nil
				}))
			}

			// Committed through Atomic and through the convenience method.
			require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
				tr.Atomic(c.op, kAtomic, c.p)
				return nil
			}))
			require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
				atMethods[c.op](tr, kMethod, c.p)
				return nil
			}))

			// Read-your-writes over the database value.
			tr := db.NewTransaction()
			tr.Atomic(c.op, kDep, c.p)
			got, err := tr.Get(kDep)
			require.NoError(t, err)
			atRequireValue(t, c.want, got, "Get after op over the database value")
			rows, err := tr.GetRange(kv.KeyRange{Begin: []byte("t/"), End: []byte("t0")}, kv.RangeOptions{})
			require.NoError(t, err)
			var inRange []byte
			for _, r := range rows {
				if bytes.Equal(r.Key, kDep) {
					inRange = r.Value
				}
			}
			atRequireValue(t, c.want, inRange, "GetRange after op over the database value")
			require.NoError(t, tr.Commit())

			// Read-your-writes over a value the transaction fixed itself.
			tr = db.NewTransaction()
			if c.e == nil {
				tr.Clear(kKnown)
			} else {
				tr.Set(kKnown, c.e)
			}
			atMethods[c.op](tr, kKnown, c.p)
			got, err = tr.Get(kKnown)
			require.NoError(t, err)
			atRequireValue(t, c.want, got, "Get after op over the transaction's own value")
			require.NoError(t, tr.Commit())

			for _, k := range [][]byte{kAtomic, kMethod, kDep, kKnown} {
				atRequireValue(t, c.want, atGet(t, db, k), "committed value of %s", k)
			}
			// A present result shows up in range reads, a cleared one does not.
			rows = atScan(t, db, []byte("t/"), []byte("t0"), false)
			if c.want == nil {
				require.Empty(t, rows)
			} else {
				require.Len(t, rows, 4)
			}
		})
	}
}

// TestAtomicInvalidInput checks that a bad atomic op fails the transaction
// at its next read and at Commit, with the right code, and writes nothing.
func TestAtomicInvalidInput(t *testing.T) {
	k := []byte("k")
	one := atHex("01")
	cases := []struct {
		name string
		do   func(tr *kv.Transaction)
		want error
		code int
	}{
		{"op=99", func(tr *kv.Transaction) { tr.Atomic(kv.MutationType(99), k, one) }, kv.ErrInvalidMutationType, 2018},
		{"op=0", func(tr *kv.Transaction) { tr.Atomic(kv.MutationType(0), k, one) }, kv.ErrInvalidMutationType, 2018},
		{"op=3", func(tr *kv.Transaction) { tr.Atomic(kv.MutationType(3), k, one) }, kv.ErrInvalidMutationType, 2018},
		{"system key", func(tr *kv.Transaction) { tr.Add([]byte("\xff/counter"), one) }, kv.ErrKeyOutsideLegalRange, 2004},
		{"key \\xff", func(tr *kv.Transaction) { tr.Atomic(kv.Max, []byte{0xff}, one) }, kv.ErrKeyOutsideLegalRange, 2004},
		{"key \\xff\\xff with system access", func(tr *kv.Transaction) {
			tr.SetAccessSystemKeys()
			tr.Add([]byte{0xff, 0xff}, one)
		}, kv.ErrKeyOutsideLegalRange, 2004},
		{"param 100001 bytes", func(tr *kv.Transaction) { tr.AppendIfFits(k, make([]byte, 100_001)) }, kv.ErrValueTooLarge, 2103},
		{"param 100001 bytes Add", func(tr *kv.Transaction) { tr.Atomic(kv.Add, k, make([]byte, 100_001)) }, kv.ErrValueTooLarge, 2103},
		{"key 10001 bytes", func(tr *kv.Transaction) { tr.Add(bytes.Repeat([]byte("k"), 10_001), one) }, kv.ErrKeyTooLarge, 2102},
	}
	for op, method := range atMethods {
		cases = append(cases, struct {
			name string
			do   func(tr *kv.Transaction)
			want error
			code int
		}{fmt.Sprintf("%v system key", op), func(tr *kv.Transaction) { method(tr, []byte("\xff\x02"), one) }, kv.ErrKeyOutsideLegalRange, 2004})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := atOpen(t, nil)
			other := []byte("other")

			// The next read reports it.
			tr := db.NewTransaction()
			tr.Set(other, []byte("x"))
			c.do(tr)
			_, err := tr.Get(other)
			require.ErrorIs(t, err, c.want)
			var ke *kv.Error
			require.True(t, errors.As(err, &ke))
			require.Equal(t, c.code, ke.Code)
			require.ErrorIs(t, tr.Commit(), c.want)

			// So does Commit, when nothing was read.
			tr = db.NewTransaction()
			c.do(tr)
			tr.Set(other, []byte("x"))
			require.ErrorIs(t, tr.Commit(), c.want)

			// Nothing was written.
			rows := atScan(t, db, nil, []byte{0xff}, false)
			require.Empty(t, rows)
			require.EqualValues(t, 0, db.Stats().Commits)
		})
	}

	t.Run("system key with access", func(t *testing.T) {
		db := atOpen(t, nil)
		key := []byte("\xff/counter")
		for range 3 {
			require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
				tr.SetAccessSystemKeys()
				tr.Add(key, atHex("01 00"))
				return nil
			}))
		}
		var v []byte
		require.NoError(t, db.ReadTransact(func(rt kv.ReadTransaction) error {
			tr := rt.(*kv.Transaction)
			tr.SetReadSystemKeys()
			var err error
			v, err = tr.Get(key)
			return err
		}))
		atRequireValue(t, atHex("03 00"), v)
	})
}

// TestAtomicAddsWriteConflictOnly: an atomic op adds a write conflict range
// on its key (a concurrent reader of the key fails) and no read conflict
// range (a concurrent writer of the key does not make it fail).
func TestAtomicAddsWriteConflictOnly(t *testing.T) {
	k := []byte("k")

	t.Run("no read conflict", func(t *testing.T) {
		db := atOpen(t, nil)
		atSet(t, db, k, atHex("01 00"))
		tr := db.NewTransaction()
		_, err := tr.Get([]byte("other")) // fixes the read version
		require.NoError(t, err)
		tr.Add(k, atHex("01 00"))
		atSet(t, db, k, atHex("10 00")) // a concurrent write of k
		require.NoError(t, tr.Commit())
		// The op applies at commit to the newest committed value.
		atRequireValue(t, atHex("11 00"), atGet(t, db, k))
		require.Zero(t, db.Stats().Conflicts)
	})

	for op := range atMethods {
		if op == kv.SetVersionstampedKey {
			continue // its write conflict is on the stamped key
		}
		t.Run(fmt.Sprintf("write conflict %v", op), func(t *testing.T) {
			db := atOpen(t, nil)
			atSet(t, db, k, atHex("01 00"))
			reader := db.NewTransaction()
			_, err := reader.Get(k)
			require.NoError(t, err)
			reader.Set([]byte("other"), []byte("x"))
			// Even an op that leaves the value as it is writes the key.
			param := atHex("77 00")
			if op == kv.SetVersionstampedValue {
				param = append(make([]byte, 10), 0, 0, 0, 0)
			}
			require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
				tr.Atomic(op, k, param)
				return nil
			}))
			atRequireConflict(t, reader.Commit(), k)
		})
	}
}

// TestAtomicReadAfterOpAddsReadConflict: reading a key after an atomic op
// returns the op applied to the value read, and that read depends on the
// database, so a concurrent write of the key makes the commit fail. A
// snapshot read does not.
func TestAtomicReadAfterOpAddsReadConflict(t *testing.T) {
	k := []byte("k")
	reads := map[string]func(tr *kv.Transaction) ([]byte, error){
		"Get": func(tr *kv.Transaction) ([]byte, error) { return tr.Get(k) },
		"GetRange": func(tr *kv.Transaction) ([]byte, error) {
			rows, err := tr.GetRange(kv.KeyRange{Begin: []byte("a"), End: []byte("z")}, kv.RangeOptions{})
			if err != nil || len(rows) != 1 {
				return nil, fmt.Errorf("rows %v: %w", atRows(rows), err)
			}
			return rows[0].Value, nil
		},
		"GetRange reverse": func(tr *kv.Transaction) ([]byte, error) {
			rows, err := tr.GetRange(kv.KeyRange{Begin: []byte("a"), End: []byte("z")}, kv.RangeOptions{Reverse: true})
			if err != nil || len(rows) != 1 {
				return nil, fmt.Errorf("rows %v: %w", atRows(rows), err)
			}
			return rows[0].Value, nil
		},
		"Iterate": func(tr *kv.Transaction) ([]byte, error) {
			var v []byte
			for row, err := range tr.Iterate(kv.KeyRange{Begin: []byte("a"), End: []byte("z")}, kv.RangeOptions{}) {
				if err != nil {
					return nil, err
				}
				v = row.Value
			}
			return v, nil
		},
	}
	for name, read := range reads {
		t.Run(name, func(t *testing.T) {
			db := atOpen(t, nil)
			atSet(t, db, k, atHex("01 00"))
			tr := db.NewTransaction()
			tr.Add(k, atHex("01 00"))
			v, err := read(tr)
			require.NoError(t, err)
			atRequireValue(t, atHex("02 00"), v)
			atSet(t, db, k, atHex("10 00"))
			atRequireConflict(t, tr.Commit(), k)
			atRequireValue(t, atHex("10 00"), atGet(t, db, k))
		})
	}

	t.Run("Snapshot Get", func(t *testing.T) {
		db := atOpen(t, nil)
		atSet(t, db, k, atHex("01 00"))
		tr := db.NewTransaction()
		tr.Add(k, atHex("01 00"))
		v, err := tr.Snapshot().Get(k)
		require.NoError(t, err)
		atRequireValue(t, atHex("02 00"), v)
		atSet(t, db, k, atHex("10 00"))
		require.NoError(t, tr.Commit())
		atRequireValue(t, atHex("11 00"), atGet(t, db, k))
	})
}

// TestAtomicOpsComposeInOrder: several ops on one key apply in call order,
// whether stacked over the database value or folded over a known value,
// and whether or not they are read in between.
func TestAtomicOpsComposeInOrder(t *testing.T) {
	k := []byte("k")

	// Stacked Adds of different lengths over ff: testdata/ryw.txt.

	// A chain through every op type; want is the value after each step.
	steps := []struct {
		op   kv.MutationType
		p    []byte
		want []byte
	}{
		{kv.BitOr, atHex("f0"), atHex("ff")},
		{kv.Add, atHex("01"), atHex("00")},
		{kv.BitXor, atHex("ff ff"), atHex("ff ff")},
		{kv.Max, atHex("00 01"), atHex("ff ff")},
		{kv.Min, atHex("01"), atHex("01")},
		{kv.AppendIfFits, atHex("78"), atHex("01 78")},
		{kv.ByteMax, atHex("02"), atHex("02")},
		{kv.ByteMin, atHex("02 00"), atHex("02")},
		{kv.BitAnd, atHex("03 ff"), atHex("02 00")},
		{kv.CompareAndClear, atHex("02 00"), nil},
		{kv.BitAnd, atHex("0c"), atHex("0c")}, // absent E: P
		{kv.Add, atHex("05"), atHex("11")},
	}
	for _, mode := range []string{"stacked", "stacked+reads", "known", "known+reads"} {
		t.Run(mode, func(t *testing.T) {
			db := atOpen(t, nil)
			atSet(t, db, k, atHex("0f"))
			tr := db.NewTransaction()
			if strings.HasPrefix(mode, "known") {
				tr.Set(k, atHex("0f"))
			}
			for i, s := range steps {
				tr.Atomic(s.op, k, s.p)
				if strings.HasSuffix(mode, "reads") {
					v, err := tr.Get(k)
					require.NoError(t, err)
					atRequireValue(t, s.want, v, "after step %d (%v)", i, s.op)
				}
			}
			require.NoError(t, tr.Commit())
			atRequireValue(t, atHex("11"), atGet(t, db, k))
		})
	}
}

// A Set or Clear after an op, CompareAndClear in range reads and atomic ops
// in range reads are in testdata/ryw.txt; random sequences of atomic ops
// run against the reference model (model_test.go).

// TestAtomicCounterIdiomDeletesAtZero: Add(k, -1) then CompareAndClear(k,
// 0) in one transaction deletes the counter when it reaches zero, without
// reading it: CompareAndClear clears only a present value equal to its
// param, byte for byte.
func TestAtomicCounterIdiomDeletesAtZero(t *testing.T) {
	db := atOpen(t, nil)
	k := []byte("refcount")
	atSet(t, db, k, atHex("02 00 00 00"))
	release := func() {
		require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
			tr.Add(k, atHex("ff ff ff ff"))
			tr.CompareAndClear(k, atHex("00 00 00 00"))
			return nil
		}))
	}
	release()
	atRequireValue(t, atHex("01 00 00 00"), atGet(t, db, k))
	release()
	require.Nil(t, atGet(t, db, k))
	release() // from absent: -1, not zero, so it stays
	atRequireValue(t, atHex("ff ff ff ff"), atGet(t, db, k))
}

// ---------------------------------------------------------------------------
// Concurrency.

// TestCounterConcurrentAdd: N goroutines each add 1 to one counter M times
// with tr.Add. Atomic ops read nothing, so no commit ever conflicts or
// retries, and the total is exact.
func TestCounterConcurrentAdd(t *testing.T) {
	const N, M = 8, 200
	db := atOpen(t, nil)
	key := []byte("counter")
	var g errgroup.Group
	for range N {
		g.Go(func() error {
			for range M {
				if err := db.Transact(func(tr *kv.Transaction) error {
					tr.Add(key, atLE64(1))
					return nil
				}); err != nil {
					return err
				}
			}
			return nil
		})
	}
	require.NoError(t, g.Wait())
	atRequireValue(t, atLE64(N*M), atGet(t, db, key))
	st := db.Stats()
	require.Zero(t, st.Conflicts, "atomic adds must never conflict")
	require.Zero(t, st.Retries)
	require.EqualValues(t, N*M, st.Commits)
}

// TestCounterConcurrentReadModifyWrite is the contrast: Get then Set of the
// same counter conflicts under contention, and the retry loop still makes
// the total exact.
func TestCounterConcurrentReadModifyWrite(t *testing.T) {
	const N, M = 8, 200
	// A short backoff cap keeps the retries of this contended loop quick.
	db := atOpen(t, &kv.Options{MaxRetryDelay: time.Millisecond})
	key := []byte("counter")
	var g errgroup.Group
	for range N {
		g.Go(func() error {
			for range M {
				if err := db.Transact(func(tr *kv.Transaction) error {
					v, err := tr.Get(key)
					if err != nil {
						return err
					}
					var n int64
					if v != nil {
						n = int64(binary.LittleEndian.Uint64(v))
					}
					tr.Set(key, atLE64(n+1))
					return nil
				}); err != nil {
					return err
				}
			}
			return nil
		})
	}
	require.NoError(t, g.Wait())
	atRequireValue(t, atLE64(N*M), atGet(t, db, key))
	st := db.Stats()
	require.EqualValues(t, N*M, st.Commits)
	t.Logf("read-modify-write: %d commits, %d conflicts, %d retries", st.Commits, st.Conflicts, st.Retries)
}
