package kv_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/plinthdb/plinth/internal/mutation"
	"github.com/plinthdb/plinth/kv"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
)

// atStamp is the versionstamp plinth gives the commit at version cv:
// BE64(cv) then the batch order, always 0 since commits are not batched.
func atStamp(cv int64) []byte {
	var s [10]byte
	binary.BigEndian.PutUint64(s[:8], uint64(cv))
	return s[:]
}

// atOffset appends the 4-byte little-endian placeholder offset.
func atOffset(b []byte, pos int32) []byte {
	return binary.LittleEndian.AppendUint32(bytes.Clone(b), uint32(pos))
}

func atCat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

var atPlaceholder = make([]byte, 10)

// atCommitted commits tr and returns its commit version.
func atCommitted(t testing.TB, tr *kv.Transaction) int64 {
	t.Helper()
	require.NoError(t, tr.Commit())
	cv, err := tr.GetCommittedVersion()
	require.NoError(t, err)
	require.Positive(t, cv)
	return cv
}

func atRequireCode(t testing.TB, err error, sentinel error, code int) {
	t.Helper()
	require.ErrorIs(t, err, sentinel)
	var ke *kv.Error
	require.True(t, errors.As(err, &ke), "want a *kv.Error, got %T: %v", err, err)
	require.Equal(t, code, ke.Code)
}

func TestVersionstampLayout(t *testing.T) {
	// A versionstamp is the big-endian 8-byte commit version then the
	// big-endian 2-byte order in the commit batch: version 1,000,000,
	// order 3.
	vs := kv.Versionstamp{0, 0, 0, 0, 0, 0x0f, 0x42, 0x40, 0, 3}
	require.EqualValues(t, 1_000_000, vs.Version())
	require.EqualValues(t, 3, vs.Order())
}

// TestVersionstampFuture: GetVersionstamp's future resolves when the
// transaction commits, to BE64(committed version) || 00 00, for any
// transaction that wrote, whether or not it used versionstamp ops.
func TestVersionstampFuture(t *testing.T) {
	db := atOpen(t, nil)

	t.Run("blocks until commit", func(t *testing.T) {
		tr := db.NewTransaction()
		tr.Set([]byte("a"), []byte("1"))
		f := tr.GetVersionstamp()
		require.False(t, f.IsReady())
		type result struct {
			vs  kv.Versionstamp
			err error
		}
		got := make(chan result, 1)
		go func() {
			vs, err := f.Get()
			got <- result{vs, err}
		}()
		select {
		case r := <-got:
			t.Fatalf("Get returned before Commit: %v, %v", r.vs, r.err)
		default:
		}
		cv := atCommitted(t, tr)
		r := <-got
		require.NoError(t, r.err)
		require.Equal(t, atStamp(cv), r.vs[:])
		require.Equal(t, cv, r.vs.Version())
		require.Zero(t, r.vs.Order())
		require.True(t, f.IsReady())
	})

	t.Run("increasing across commits", func(t *testing.T) {
		var last kv.Versionstamp
		for i := range 20 {
			tr := db.NewTransaction()
			f := tr.GetVersionstamp()
			tr.Add([]byte("n"), []byte{1})
			cv := atCommitted(t, tr)
			vs, err := f.Get()
			require.NoError(t, err)
			require.Equal(t, atStamp(cv), vs[:])
			if i > 0 {
				require.Positive(t, bytes.Compare(vs[:], last[:]))
			}
			last = vs
		}
	})

	t.Run("inside Transact", func(t *testing.T) {
		var f *kv.FutureVersionstamp
		var committed *kv.Transaction
		require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
			committed, f = tr, tr.GetVersionstamp()
			tr.Set([]byte("b"), []byte("2"))
			return nil
		}))
		cv, err := committed.GetCommittedVersion()
		require.NoError(t, err)
		vs, err := f.Get()
		require.NoError(t, err)
		require.Equal(t, atStamp(cv), vs[:])
	})

	t.Run("only a write conflict range", func(t *testing.T) {
		tr := db.NewTransaction()
		require.NoError(t, tr.AddWriteConflictKey([]byte("w")))
		f := tr.GetVersionstamp()
		cv := atCommitted(t, tr)
		vs, err := f.Get()
		require.NoError(t, err)
		require.Equal(t, atStamp(cv), vs[:])
	})
}

// TestVersionstampFutureErrors: the future fails with the commit's error, or
// with ErrTransactionCancelled when the attempt is reset, cancelled or
// retried, or ErrNoCommitVersion for a read-only commit.
func TestVersionstampFutureErrors(t *testing.T) {
	k := []byte("k")

	t.Run("conflict", func(t *testing.T) {
		db := atOpen(t, nil)
		tr := db.NewTransaction()
		_, err := tr.Get(k)
		require.NoError(t, err)
		tr.Set([]byte("x"), []byte("1"))
		f := tr.GetVersionstamp()
		atSet(t, db, k, []byte("other"))
		commitErr := tr.Commit()
		require.ErrorIs(t, commitErr, kv.ErrNotCommitted)
		_, err = f.Get()
		require.ErrorIs(t, err, kv.ErrNotCommitted)
	})

	t.Run("read-only", func(t *testing.T) {
		db := atOpen(t, nil)
		tr := db.NewTransaction()
		_, err := tr.Get(k)
		require.NoError(t, err)
		f := tr.GetVersionstamp()
		require.NoError(t, tr.Commit())
		cv, err := tr.GetCommittedVersion()
		require.NoError(t, err)
		require.EqualValues(t, -1, cv)
		_, err = f.Get()
		atRequireCode(t, err, kv.ErrNoCommitVersion, 2021)
	})

	t.Run("empty", func(t *testing.T) {
		db := atOpen(t, nil)
		tr := db.NewTransaction()
		f := tr.GetVersionstamp()
		require.NoError(t, tr.Commit())
		_, err := f.Get()
		require.ErrorIs(t, err, kv.ErrNoCommitVersion)
	})

	t.Run("Reset", func(t *testing.T) {
		db := atOpen(t, nil)
		tr := db.NewTransaction()
		tr.Set(k, []byte("1"))
		f := tr.GetVersionstamp()
		tr.Reset()
		require.True(t, f.IsReady())
		_, err := f.Get()
		atRequireCode(t, err, kv.ErrTransactionCancelled, 1025)
		// The reset transaction gets a new future that works.
		tr.Set(k, []byte("2"))
		f2 := tr.GetVersionstamp()
		cv := atCommitted(t, tr)
		vs, err := f2.Get()
		require.NoError(t, err)
		require.Equal(t, atStamp(cv), vs[:])
	})

	t.Run("Cancel", func(t *testing.T) {
		db := atOpen(t, nil)
		tr := db.NewTransaction()
		tr.Set(k, []byte("1"))
		f := tr.GetVersionstamp()
		tr.Cancel()
		_, err := f.Get()
		atRequireCode(t, err, kv.ErrTransactionCancelled, 1025)
		require.ErrorIs(t, tr.Commit(), kv.ErrTransactionCancelled)
		require.Nil(t, atGet(t, db, k))
	})

	t.Run("OnError retry", func(t *testing.T) {
		db := atOpen(t, &kv.Options{MaxRetryDelay: time.Millisecond})
		tr := db.NewTransaction()
		tr.Set(k, []byte("1"))
		f := tr.GetVersionstamp()
		require.NoError(t, tr.OnError(&kv.Error{Code: 1020}))
		_, err := f.Get()
		require.ErrorIs(t, err, kv.ErrTransactionCancelled)
	})

	t.Run("after Commit", func(t *testing.T) {
		db := atOpen(t, nil)
		tr := db.NewTransaction()
		tr.Set(k, []byte("1"))
		atCommitted(t, tr)
		_, err := tr.GetVersionstamp().Get()
		require.ErrorIs(t, err, kv.ErrUsedDuringCommit)
	})

	t.Run("deferred error", func(t *testing.T) {
		db := atOpen(t, nil)
		tr := db.NewTransaction()
		f := tr.GetVersionstamp()
		tr.SetVersionstampedKey([]byte("bad"), []byte("v"))
		require.ErrorIs(t, tr.Commit(), kv.ErrClientInvalidOperation)
		_, err := f.Get()
		require.ErrorIs(t, err, kv.ErrClientInvalidOperation)
	})
}

// TestVersionstampedKeyExamples check SetVersionstampedKey's layout (the key
// ends with the little-endian 4-byte position of a 10-byte placeholder, which
// the commit replaces with the versionstamp, dropping those 4 bytes) on
// FoundationDB's own examples, with the expected bytes computed from the
// commit version.
func TestVersionstampedKeyExamples(t *testing.T) {
	ff10 := bytes.Repeat([]byte{0xff}, 10)
	cases := []struct {
		name   string
		key    []byte
		expect func(stamp []byte) []byte
	}{
		{"k+placeholder pos 1", atOffset(atCat([]byte{0x6b}, atPlaceholder), 1),
			func(s []byte) []byte { return atCat([]byte{0x6b}, s) }},
		{"tuple (\"a\", incomplete(5))", atOffset(atCat(atHex("02 61 00 33"), ff10, atHex("00 05")), 4),
			func(s []byte) []byte { return atCat(atHex("02 61 00 33"), s, atHex("00 05")) }},
		{"placeholder only", atOffset(atPlaceholder, 0),
			func(s []byte) []byte { return s }},
		{"prefix and suffix", atOffset(atCat([]byte("log/"), ff10, []byte("/tail")), 4),
			func(s []byte) []byte { return atCat([]byte("log/"), s, []byte("/tail")) }},
	}
	for _, c := range cases {
		for _, viaAtomic := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/Atomic=%v", c.name, viaAtomic), func(t *testing.T) {
				db := atOpen(t, nil)
				tr := db.NewTransaction()
				f := tr.GetVersionstamp()
				if viaAtomic {
					tr.Atomic(kv.SetVersionstampedKey, c.key, []byte("v"))
				} else {
					tr.SetVersionstampedKey(c.key, []byte("v"))
				}
				cv := atCommitted(t, tr)
				vs, err := f.Get()
				require.NoError(t, err)
				require.Equal(t, atStamp(cv), vs[:])
				want := c.expect(atStamp(cv))
				rows := atScan(t, db, nil, []byte{0xff}, false)
				require.Len(t, rows, 1)
				require.Equal(t, want, rows[0].Key)
				require.Equal(t, []byte("v"), rows[0].Value)
			})
		}
	}

	t.Run("user versions order keys within a commit", func(t *testing.T) {
		db := atOpen(t, nil)
		tr := db.NewTransaction()
		for _, u := range []uint16{3, 1, 2} {
			key := atCat([]byte("log/"), atPlaceholder, binary.BigEndian.AppendUint16(nil, u))
			tr.SetVersionstampedKey(atOffset(key, 4), []byte{byte(u)})
		}
		cv := atCommitted(t, tr)
		rows := atScan(t, db, []byte("log/"), []byte("log0"), false)
		require.Len(t, rows, 3)
		for i, r := range rows {
			require.Equal(t, atCat([]byte("log/"), atStamp(cv), []byte{0, byte(i + 1)}), r.Key)
			require.Equal(t, []byte{byte(i + 1)}, r.Value)
		}
	})
}

// TestVersionstampedValueExamples check SetVersionstampedValue's layout (the
// same as SetVersionstampedKey's, in the param) on FoundationDB's own
// examples.
func TestVersionstampedValueExamples(t *testing.T) {
	ff10 := bytes.Repeat([]byte{0xff}, 10)
	cases := []struct {
		name   string
		param  []byte
		expect func(stamp []byte) []byte
	}{
		{"v+placeholder pos 1", atOffset(atCat([]byte{0x76}, atPlaceholder), 1),
			func(s []byte) []byte { return atCat([]byte{0x76}, s) }},
		{"tuple (incomplete(0))", atOffset(atCat([]byte{0x33}, ff10, atHex("00 00")), 1),
			func(s []byte) []byte { return atCat([]byte{0x33}, s, atHex("00 00")) }},
		{"placeholder only", atOffset(atPlaceholder, 0),
			func(s []byte) []byte { return s }},
		{"before and after", atOffset(atCat([]byte("ab"), ff10, []byte("cd")), 2),
			func(s []byte) []byte { return atCat([]byte("ab"), s, []byte("cd")) }},
	}
	for _, c := range cases {
		for _, viaAtomic := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/Atomic=%v", c.name, viaAtomic), func(t *testing.T) {
				db := atOpen(t, nil)
				atSet(t, db, []byte("k"), []byte("old"))
				tr := db.NewTransaction()
				f := tr.GetVersionstamp()
				if viaAtomic {
					tr.Atomic(kv.SetVersionstampedValue, []byte("k"), c.param)
				} else {
					tr.SetVersionstampedValue([]byte("k"), c.param)
				}
				cv := atCommitted(t, tr)
				vs, err := f.Get()
				require.NoError(t, err)
				require.Equal(t, atStamp(cv), vs[:])
				atRequireValue(t, c.expect(atStamp(cv)), atGet(t, db, []byte("k")))
			})
		}
	}

	t.Run("key and value stamped by one commit", func(t *testing.T) {
		db := atOpen(t, nil)
		tr := db.NewTransaction()
		f := tr.GetVersionstamp()
		tr.SetVersionstampedKey(atOffset(atCat([]byte("idx/"), atPlaceholder), 4), []byte("x"))
		tr.SetVersionstampedValue([]byte("latest"), atOffset(atPlaceholder, 0))
		tr.Set([]byte("plain"), []byte("p"))
		cv := atCommitted(t, tr)
		vs, err := f.Get()
		require.NoError(t, err)
		require.Equal(t, atStamp(cv), vs[:])
		atRequireValue(t, []byte("x"), atGet(t, db, atCat([]byte("idx/"), vs[:])))
		atRequireValue(t, vs[:], atGet(t, db, []byte("latest")))
	})

	// Later writes of the same key apply after the stamp, in order.
	later := []struct {
		name string
		do   func(tr *kv.Transaction, k []byte)
		want func(stamp []byte) []byte
	}{
		{"then Add", func(tr *kv.Transaction, k []byte) { tr.Add(k, atHex("01")) },
			func(s []byte) []byte { v, _ := mutation.Apply(mutation.Add, s, true, atHex("01")); return v }},
		{"then AppendIfFits", func(tr *kv.Transaction, k []byte) { tr.AppendIfFits(k, []byte("!")) },
			func(s []byte) []byte { return atCat(s, []byte("!")) }},
		{"then Set", func(tr *kv.Transaction, k []byte) { tr.Set(k, []byte("x")) },
			func([]byte) []byte { return []byte("x") }},
		{"then Clear", func(tr *kv.Transaction, k []byte) { tr.Clear(k) },
			func([]byte) []byte { return nil }},
		{"then CompareAndClear no match", func(tr *kv.Transaction, k []byte) { tr.CompareAndClear(k, atPlaceholder) },
			func(s []byte) []byte { return s }},
	}
	for _, c := range later {
		t.Run(c.name, func(t *testing.T) {
			db := atOpen(t, nil)
			k := []byte("k")
			tr := db.NewTransaction()
			tr.SetVersionstampedValue(k, atOffset(atPlaceholder, 0))
			c.do(tr, k)
			cv := atCommitted(t, tr)
			atRequireValue(t, c.want(atStamp(cv)), atGet(t, db, k))
		})
	}
}

// TestVersionstampOffsetOutOfBounds: a placeholder offset out of bounds
// fails the transaction with 2000 at its next read or at Commit, and writes
// nothing.
func TestVersionstampOffsetOutOfBounds(t *testing.T) {
	cases := []struct {
		name string
		do   func(tr *kv.Transaction)
	}{
		{"key 6b 00x5 pos 1", func(tr *kv.Transaction) {
			tr.SetVersionstampedKey(atOffset(atCat([]byte{0x6b}, make([]byte, 5)), 1), []byte("v"))
		}},
		{"key shorter than 4", func(tr *kv.Transaction) { tr.SetVersionstampedKey([]byte("abc"), []byte("v")) }},
		{"key empty", func(tr *kv.Transaction) { tr.SetVersionstampedKey([]byte{}, []byte("v")) }},
		{"key negative pos", func(tr *kv.Transaction) {
			tr.SetVersionstampedKey(atOffset(atCat([]byte{0x6b}, atPlaceholder), -1), []byte("v"))
		}},
		{"key pos one past", func(tr *kv.Transaction) {
			tr.SetVersionstampedKey(atOffset(atCat([]byte{0x6b}, atPlaceholder), 2), []byte("v"))
		}},
		{"key 9-byte placeholder", func(tr *kv.Transaction) {
			tr.Atomic(kv.SetVersionstampedKey, atOffset(make([]byte, 9), 0), []byte("v"))
		}},
		{"value ab 00 00 00 00", func(tr *kv.Transaction) { tr.SetVersionstampedValue([]byte("k"), atHex("ab 00 00 00 00")) }},
		{"value 3 bytes", func(tr *kv.Transaction) { tr.SetVersionstampedValue([]byte("k"), atHex("00 00 00")) }},
		{"value empty", func(tr *kv.Transaction) { tr.Atomic(kv.SetVersionstampedValue, []byte("k"), nil) }},
		{"value pos one past", func(tr *kv.Transaction) {
			tr.SetVersionstampedValue([]byte("k"), atOffset(atCat([]byte("v"), atPlaceholder), 2))
		}},
		{"value huge pos", func(tr *kv.Transaction) {
			tr.SetVersionstampedValue([]byte("k"), atOffset(atPlaceholder, 1<<30))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := atOpen(t, nil)
			tr := db.NewTransaction()
			tr.Set([]byte("other"), []byte("x"))
			c.do(tr)
			_, err := tr.Get([]byte("other"))
			atRequireCode(t, err, kv.ErrClientInvalidOperation, 2000)
			atRequireCode(t, tr.Commit(), kv.ErrClientInvalidOperation, 2000)

			tr = db.NewTransaction()
			c.do(tr)
			tr.Set([]byte("other"), []byte("x"))
			atRequireCode(t, tr.Commit(), kv.ErrClientInvalidOperation, 2000)

			require.Empty(t, atScan(t, db, nil, []byte{0xff}, false))
		})
	}
}

// TestVersionstampUnreadable: a key written with SetVersionstampedValue, and
// the range a SetVersionstampedKey may land in, cannot be read in the same
// transaction (1036), by any kind of read; reads beside them work.
func TestVersionstampUnreadable(t *testing.T) {
	unreadable := func(t *testing.T, err error) {
		t.Helper()
		atRequireCode(t, err, kv.ErrAccessedUnreadable, 1036)
	}
	scan := func(rt kv.ReadTransaction, b, e []byte, reverse bool) ([]kv.KeyValue, error) {
		return rt.GetRange(kv.KeyRange{Begin: b, End: e}, kv.RangeOptions{Reverse: reverse})
	}
	iterate := func(rt kv.ReadTransaction, b, e []byte) error {
		for _, err := range rt.Iterate(kv.KeyRange{Begin: b, End: e}, kv.RangeOptions{}) {
			if err != nil {
				return err
			}
		}
		return nil
	}

	t.Run("SetVersionstampedValue", func(t *testing.T) {
		db := atOpen(t, nil)
		require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
			tr.Set([]byte("j"), []byte("1"))
			tr.Set([]byte("k"), []byte("2"))
			tr.Set([]byte("l"), []byte("3"))
			return nil
		}))
		k := []byte("k")
		tr := db.NewTransaction()
		tr.SetVersionstampedValue(k, atOffset(atPlaceholder, 0))
		_, err := tr.Get(k)
		unreadable(t, err)
		_, err = tr.Snapshot().Get(k)
		unreadable(t, err)
		_, err = scan(tr, []byte("a"), []byte("z"), false)
		unreadable(t, err)
		_, err = scan(tr, []byte("a"), []byte("z"), true)
		unreadable(t, err)
		_, err = scan(tr.Snapshot(), []byte("k"), []byte("k\x00"), false)
		unreadable(t, err)
		unreadable(t, iterate(tr, []byte("a"), []byte("z")))
		// Beside it, all is readable.
		v, err := tr.Get([]byte("j"))
		require.NoError(t, err)
		require.Equal(t, []byte("1"), v)
		rows, err := scan(tr, []byte("a"), []byte("k"), false)
		require.NoError(t, err)
		require.Equal(t, []string{"j=" + atShow([]byte("1"))}, atRows(rows))
		rows, err = scan(tr, []byte("k\x00"), []byte("z"), false)
		require.NoError(t, err)
		require.Equal(t, []string{"l=" + atShow([]byte("3"))}, atRows(rows))
		// A later atomic op keeps it unreadable.
		tr.Add(k, atHex("01"))
		_, err = tr.Get(k)
		unreadable(t, err)
		cv := atCommitted(t, tr)
		want, _ := mutation.Apply(mutation.Add, atStamp(cv), true, atHex("01"))
		atRequireValue(t, want, atGet(t, db, k))
	})

	t.Run("SetVersionstampedKey", func(t *testing.T) {
		db := atOpen(t, nil)
		prefix := []byte("log/")
		// An entry stamped by an earlier commit, and keys around the prefix.
		old := db.NewTransaction()
		old.SetVersionstampedKey(atOffset(atCat(prefix, atPlaceholder), 4), []byte("old"))
		old.Set([]byte("log/"), []byte("prefix"))
		old.Set([]byte("loh"), []byte("after"))
		oldCV := atCommitted(t, old)
		oldKey := atCat(prefix, atStamp(oldCV))

		tr := db.NewTransaction()
		rv, err := tr.GetReadVersion()
		require.NoError(t, err)
		tr.SetVersionstampedKey(atOffset(atCat(prefix, atPlaceholder), 4), []byte("new"))
		lo := atCat(prefix, atStamp(rv+1)) // the first key the commit could produce
		hi := atCat(prefix, bytes.Repeat([]byte{0xff}, 10))

		for _, k := range [][]byte{lo, hi, atCat(lo, []byte("x")), atCat(prefix, atStamp(rv+1000))} {
			_, err = tr.Get(k)
			unreadable(t, err)
			_, err = tr.Snapshot().Get(k)
			unreadable(t, err)
		}
		whole, err := kv.PrefixRange(prefix)
		require.NoError(t, err)
		_, err = tr.GetRange(whole, kv.RangeOptions{})
		unreadable(t, err)
		_, err = tr.GetRange(whole, kv.RangeOptions{Reverse: true})
		unreadable(t, err)
		_, err = tr.Snapshot().GetRange(whole, kv.RangeOptions{})
		unreadable(t, err)
		unreadable(t, iterate(tr, whole.Begin, whole.End))
		_, err = scan(tr, []byte("a"), atCat(lo, []byte{0}), false)
		unreadable(t, err)
		_, err = scan(tr, hi, []byte("z"), false)
		unreadable(t, err)

		// Just outside the range, and the old entry (stamp <= read version),
		// stay readable.
		v, err := tr.Get(oldKey)
		require.NoError(t, err)
		require.Equal(t, []byte("old"), v)
		v, err = tr.Get(prefix)
		require.NoError(t, err)
		require.Equal(t, []byte("prefix"), v)
		v, err = tr.Get(atCat(hi, []byte{0}))
		require.NoError(t, err)
		require.Nil(t, v)
		rows, err := scan(tr, []byte("a"), lo, false)
		require.NoError(t, err)
		require.Equal(t, []string{"log/=" + atShow([]byte("prefix")), string(oldKey) + "=" + atShow([]byte("old"))}, atRows(rows))
		rows, err = scan(tr, atCat(hi, []byte{0}), []byte("z"), false)
		require.NoError(t, err)
		require.Equal(t, []string{"loh=" + atShow([]byte("after"))}, atRows(rows))

		cv := atCommitted(t, tr)
		atRequireValue(t, []byte("new"), atGet(t, db, atCat(prefix, atStamp(cv))))
	})

	t.Run("SetVersionstampedKey before any read", func(t *testing.T) {
		// With no read version yet, the range starts from version 0.
		db := atOpen(t, nil)
		tr := db.NewTransaction()
		tr.SetVersionstampedKey(atOffset(atCat([]byte("log/"), atPlaceholder), 4), []byte("v"))
		_, err := tr.Get(atCat([]byte("log/"), atStamp(0)))
		unreadable(t, err)
		_, err = tr.Get(atCat([]byte("log/"), atStamp(1)))
		unreadable(t, err)
		v, err := tr.Get([]byte("log/"))
		require.NoError(t, err)
		require.Nil(t, v)
	})
}

// TestVersionstampUnreadableOwnWrites: FoundationDB keeps the marked keys
// unreadable even where the transaction writes them itself. A key given a
// versionstamped value stays unreadable whatever is written to it later, and
// writes made earlier inside a versionstamped key's range still reach the
// commit, but any read touching the range fails for the rest of the attempt
// (fdbclient/WriteMap.cpp: WriteMap::mutate ORs is_unreadable into every
// later write, addUnmodifiedAndUnreadableRange drops the earlier ones from
// the write map).
func TestVersionstampUnreadableOwnWrites(t *testing.T) {
	prefix := []byte("log/")
	inRange := atCat(prefix, bytes.Repeat([]byte{0xee}, 10))
	svk := func(tr *kv.Transaction) {
		tr.SetVersionstampedKey(atOffset(atCat(prefix, atPlaceholder), 4), []byte("v"))
	}
	cases := []struct {
		name string
		do   func(tr *kv.Transaction)
		key  []byte
		want []byte // committed value of key
	}{
		{"Set in range before SetVersionstampedKey", func(tr *kv.Transaction) {
			tr.Set(inRange, []byte("mine"))
			svk(tr)
		}, inRange, []byte("mine")},
		{"Set in range after SetVersionstampedKey", func(tr *kv.Transaction) {
			svk(tr)
			tr.Set(inRange, []byte("mine"))
		}, inRange, []byte("mine")},
		{"Set after SetVersionstampedValue", func(tr *kv.Transaction) {
			tr.SetVersionstampedValue([]byte("k"), atOffset(atPlaceholder, 0))
			tr.Set([]byte("k"), []byte("mine"))
		}, []byte("k"), []byte("mine")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := atOpen(t, nil)
			tr := db.NewTransaction()
			_, err := tr.GetReadVersion()
			require.NoError(t, err)
			c.do(tr)
			_, err = tr.Get(c.key)
			atRequireCode(t, err, kv.ErrAccessedUnreadable, 1036)
			_, err = tr.Snapshot().Get(c.key)
			atRequireCode(t, err, kv.ErrAccessedUnreadable, 1036)
			// The write itself is committed as usual.
			atCommitted(t, tr)
			atRequireValue(t, c.want, atGet(t, db, c.key))
		})
	}
}

// TestVersionstampedKeyClearedLater: writes apply in call order, so a
// ClearRange issued after a SetVersionstampedKey, covering every key it could
// produce, removes it (FoundationDB keeps the op in its write map at the
// key's lowest possible position, and a later clear drops it there). A
// ClearRange issued before it does not.
func TestVersionstampedKeyClearedLater(t *testing.T) {
	prefix := []byte("log/")
	whole, err := kv.PrefixRange(prefix)
	require.NoError(t, err)
	setup := func(t *testing.T) *kv.DB {
		db := atOpen(t, nil)
		tr := db.NewTransaction()
		tr.SetVersionstampedKey(atOffset(atCat(prefix, atPlaceholder), 4), []byte("old"))
		atCommitted(t, tr)
		return db
	}

	t.Run("clear after", func(t *testing.T) {
		db := setup(t)
		tr := db.NewTransaction()
		tr.SetVersionstampedKey(atOffset(atCat(prefix, atPlaceholder), 4), []byte("new"))
		tr.ClearRange(whole.Begin, whole.End)
		atCommitted(t, tr)
		require.Empty(t, atRows(atScan(t, db, whole.Begin, whole.End, false)))
	})

	t.Run("clear before", func(t *testing.T) {
		db := setup(t)
		tr := db.NewTransaction()
		tr.ClearRange(whole.Begin, whole.End)
		tr.SetVersionstampedKey(atOffset(atCat(prefix, atPlaceholder), 4), []byte("new"))
		cv := atCommitted(t, tr)
		rows := atScan(t, db, whole.Begin, whole.End, false)
		require.Equal(t, []string{string(atCat(prefix, atStamp(cv))) + "=" + atShow([]byte("new"))}, atRows(rows))
	})
}

// TestVersionstampedWriteConflicts: a versionstamped key adds its write
// conflict on the final key at commit (unless the next write was told to add
// none); a versionstamped value adds one on its key. Blind versionstamped
// writers never conflict with each other.
func TestVersionstampedWriteConflicts(t *testing.T) {
	prefix := []byte("log/")
	whole, err := kv.PrefixRange(prefix)
	require.NoError(t, err)

	for _, noWCR := range []bool{false, true} {
		t.Run(fmt.Sprintf("key noWriteConflictRange=%v", noWCR), func(t *testing.T) {
			db := atOpen(t, nil)
			reader := db.NewTransaction()
			rows, err := reader.GetRange(whole, kv.RangeOptions{})
			require.NoError(t, err)
			require.Empty(t, rows)
			reader.Set([]byte("seen"), []byte("0"))

			writer := db.NewTransaction()
			if noWCR {
				writer.SetNextWriteNoWriteConflictRange()
			}
			writer.SetVersionstampedKey(atOffset(atCat(prefix, atPlaceholder), 4), []byte("v"))
			cv := atCommitted(t, writer)

			err = reader.Commit()
			if noWCR {
				require.NoError(t, err)
				return
			}
			atRequireConflict(t, err, atCat(prefix, atStamp(cv)))
			var ce *kv.ConflictError
			require.True(t, errors.As(err, &ce))
			require.Equal(t, cv, ce.Version)
		})
	}

	t.Run("value", func(t *testing.T) {
		db := atOpen(t, nil)
		k := []byte("k")
		reader := db.NewTransaction()
		_, err := reader.Get(k)
		require.NoError(t, err)
		reader.Set([]byte("seen"), []byte("0"))
		writer := db.NewTransaction()
		writer.SetVersionstampedValue(k, atOffset(atPlaceholder, 0))
		atCommitted(t, writer)
		atRequireConflict(t, reader.Commit(), k)
	})

	t.Run("blind writers", func(t *testing.T) {
		db := atOpen(t, nil)
		var trs []*kv.Transaction
		for range 5 {
			tr := db.NewTransaction()
			_, err := tr.GetReadVersion()
			require.NoError(t, err)
			tr.SetVersionstampedKey(atOffset(atCat(prefix, atPlaceholder), 4), []byte("v"))
			tr.SetVersionstampedValue([]byte("latest"), atOffset(atPlaceholder, 0))
			trs = append(trs, tr)
		}
		var cvs []int64
		for _, tr := range trs {
			cvs = append(cvs, atCommitted(t, tr))
		}
		require.Zero(t, db.Stats().Conflicts)
		rows := atScan(t, db, whole.Begin, whole.End, false)
		require.Len(t, rows, 5)
		for i, r := range rows {
			require.Equal(t, atCat(prefix, atStamp(cvs[i])), r.Key)
		}
		atRequireValue(t, atStamp(cvs[4]), atGet(t, db, []byte("latest")))
	})
}

// TestVersionstampedLogConcurrent: goroutines append to a log with
// versionstamped keys, some of their transactions also doing a contended
// read-modify-write so that attempts conflict and retry. The log reads back
// in exactly the order of the commits, with one entry per committed write
// and nothing from failed attempts.
func TestVersionstampedLogConcurrent(t *testing.T) {
	const G, E, perTx = 8, 40, 2
	db := atOpen(t, &kv.Options{MaxRetryDelay: time.Millisecond})
	prefix := []byte("log/")
	type entry struct {
		key, value []byte
		cv         int64
		user       uint16
	}
	var (
		mu        sync.Mutex
		committed []entry
	)
	var g errgroup.Group
	for gid := range G {
		g.Go(func() error {
			for seq := range E {
				var futures []*kv.FutureVersionstamp
				var last *kv.Transaction
				err := db.Transact(func(tr *kv.Transaction) error {
					last = tr
					futures = append(futures, tr.GetVersionstamp())
					if seq%3 == 0 {
						// Contended read-modify-write: makes some attempts fail.
						v, err := tr.Get([]byte("log-meta/writer"))
						if err != nil {
							return err
						}
						tr.Set([]byte("log-meta/writer"), append(v, byte(gid)))
					}
					for u := range perTx {
						key := atCat(prefix, atPlaceholder, binary.BigEndian.AppendUint16(nil, uint16(u)))
						tr.SetVersionstampedKey(atOffset(key, int32(len(prefix))), []byte(fmt.Sprintf("g%02d/s%03d/u%d", gid, seq, u)))
					}
					return nil
				})
				if err != nil {
					return err
				}
				cv, err := last.GetCommittedVersion()
				if err != nil {
					return err
				}
				vs, err := futures[len(futures)-1].Get()
				if err != nil {
					return fmt.Errorf("versionstamp of the committed attempt: %w", err)
				}
				if !bytes.Equal(vs[:], atStamp(cv)) {
					return fmt.Errorf("versionstamp %x, want BE64(%d)||0000", vs, cv)
				}
				for _, f := range futures[:len(futures)-1] {
					if _, err := f.Get(); !errors.Is(err, kv.ErrNotCommitted) {
						return fmt.Errorf("future of a failed attempt: %v, want ErrNotCommitted", err)
					}
				}
				mu.Lock()
				for u := range perTx {
					committed = append(committed, entry{
						key:   atCat(prefix, vs[:], binary.BigEndian.AppendUint16(nil, uint16(u))),
						value: []byte(fmt.Sprintf("g%02d/s%03d/u%d", gid, seq, u)),
						cv:    cv,
						user:  uint16(u),
					})
				}
				mu.Unlock()
			}
			return nil
		})
	}
	require.NoError(t, g.Wait())

	// Commit order: by commit version, then user version.
	slices.SortFunc(committed, func(a, b entry) int {
		if a.cv != b.cv {
			return int(a.cv - b.cv)
		}
		return int(a.user) - int(b.user)
	})
	for i := perTx; i < len(committed); i += perTx {
		require.Greater(t, committed[i].cv, committed[i-1].cv, "each transaction has its own commit version")
	}

	whole, err := kv.PrefixRange(prefix)
	require.NoError(t, err)
	rows := atScan(t, db, whole.Begin, whole.End, false)
	require.Len(t, rows, G*E*perTx)
	require.Len(t, committed, G*E*perTx)
	seen := map[string]bool{}
	lastSeq := map[string]int{}
	for i, r := range rows {
		require.Equal(t, committed[i].key, r.Key, "row %d", i)
		require.Equal(t, string(committed[i].value), string(r.Value), "row %d", i)
		require.False(t, seen[string(r.Value)], "duplicate %s", r.Value)
		seen[string(r.Value)] = true
		if i > 0 {
			require.Positive(t, bytes.Compare(r.Key, rows[i-1].Key))
		}
		// Each goroutine's own entries appear in its program order.
		var gid, seq, u int
		_, err := fmt.Sscanf(string(r.Value), "g%d/s%d/u%d", &gid, &seq, &u)
		require.NoError(t, err)
		if u == 0 {
			who := fmt.Sprint(gid)
			if prev, ok := lastSeq[who]; ok {
				require.Greater(t, seq, prev)
			}
			lastSeq[who] = seq
		}
	}
	st := db.Stats()
	require.EqualValues(t, G*E, st.Commits)
	t.Logf("log of %d entries from %d commits; %d conflicts, %d retries", len(rows), st.Commits, st.Conflicts, st.Retries)
}
