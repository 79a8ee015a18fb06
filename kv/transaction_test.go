package kv

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGetAbsentEmptyAndOwnership(t *testing.T) {
	db := openDB(t, nil)
	key, val := []byte("k"), []byte("value")
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		tr.Set(key, val)
		tr.Set([]byte("empty"), []byte{})
		return nil
	}))
	// Mutating what was passed to Set changes nothing stored.
	val[0] = 'X'
	key[0] = 'X'
	require.Equal(t, "value", string(get(t, db, "k")))

	require.NoError(t, db.Transact(func(tr *Transaction) error {
		v, err := tr.Get([]byte("absent"))
		require.NoError(t, err)
		require.Nil(t, v)
		v, err = tr.Get([]byte("empty"))
		require.NoError(t, err)
		require.NotNil(t, v, "a present empty value is a non-nil empty slice")
		require.Empty(t, v)
		// Mutating a returned slice changes nothing stored.
		v, _ = tr.Get([]byte("k"))
		v[0] = 'Y'
		rows, _ := tr.GetRange(KeyRange{[]byte("a"), []byte("z")}, RangeOptions{})
		rows[1].Value[0] = 'Z'
		rows[1].Key[0] = 'Z'
		return nil
	}))
	require.Equal(t, "value", string(get(t, db, "k")))
}

// Read-your-writes and the read conflict ranges of reads are in
// testdata/ryw.txt and testdata/conflicts_*.txt.

func TestReadOnlyAndWriteConflictOnlyCommits(t *testing.T) {
	db := openDB(t, nil)
	tr := db.NewTransaction()
	_, err := tr.GetCommittedVersion()
	require.ErrorIs(t, err, ErrClientInvalidOperation)
	_, err = tr.Get([]byte("a"))
	require.NoError(t, err)
	require.NoError(t, tr.Commit())
	v, err := tr.GetCommittedVersion()
	require.NoError(t, err)
	require.EqualValues(t, -1, v)

	// Only an added write conflict range: not read-only, so, as in
	// FoundationDB, it goes through the conflict check and gets a real
	// commit version.
	tr = db.NewTransaction()
	require.NoError(t, tr.AddWriteConflictKey([]byte("x")))
	require.NoError(t, tr.Commit())
	v1, _ := tr.GetCommittedVersion()
	require.Greater(t, v1, int64(0))

	tr = db.NewTransaction()
	tr.Set([]byte("a"), nil)
	require.NoError(t, tr.Commit())
	v2, _ := tr.GetCommittedVersion()
	require.Greater(t, v2, v1, "commit versions strictly increase")
}

// TestWriteSkewIsPrevented: two transactions each read a range and insert
// into the other's; under snapshot isolation both would commit.
func TestWriteSkewIsPrevented(t *testing.T) {
	db := openDB(t, nil)
	t1, t2 := db.NewTransaction(), db.NewTransaction()
	_, err := t1.GetRange(KeyRange{[]byte("x/"), []byte("x0")}, RangeOptions{})
	require.NoError(t, err)
	_, err = t2.GetRange(KeyRange{[]byte("y/"), []byte("y0")}, RangeOptions{})
	require.NoError(t, err)
	t1.Set([]byte("y/1"), []byte("1"))
	t2.Set([]byte("x/1"), []byte("1"))
	require.NoError(t, t1.Commit())
	require.ErrorIs(t, t2.Commit(), ErrNotCommitted)
}

func TestLimitsAndInvalidInput(t *testing.T) {
	big := func(n int) []byte { return bytes.Repeat([]byte("k"), n) }
	for _, tc := range []struct {
		name string
		fn   func(tr *Transaction)
		want error
	}{
		{"key at limit", func(tr *Transaction) { tr.Set(big(MaxKeySize), nil) }, nil},
		{"key over limit", func(tr *Transaction) { tr.Set(big(MaxKeySize+1), nil) }, ErrKeyTooLarge},
		{"value at limit", func(tr *Transaction) { tr.Set([]byte("k"), big(MaxValueSize)) }, nil},
		{"value over limit", func(tr *Transaction) { tr.Set([]byte("k"), big(MaxValueSize+1)) }, ErrValueTooLarge},
		{"system key", func(tr *Transaction) { tr.Set([]byte("\xff/x"), nil) }, ErrKeyOutsideLegalRange},
		{"system key with access", func(tr *Transaction) { tr.SetAccessSystemKeys(); tr.Set([]byte("\xff/x"), nil) }, nil},
		{"system key read-only access", func(tr *Transaction) { tr.SetReadSystemKeys(); tr.Set([]byte("\xff/x"), nil) }, ErrKeyOutsideLegalRange},
		{"special key even with access", func(tr *Transaction) { tr.SetAccessSystemKeys(); tr.Set([]byte("\xff\xff"), nil) }, ErrKeyOutsideLegalRange},
		{"clear system key", func(tr *Transaction) { tr.Clear([]byte("\xff")) }, ErrKeyOutsideLegalRange},
		{"clear oversized key is a no-op", func(tr *Transaction) { tr.Clear(big(MaxKeySize + 1)) }, nil},
		{"inverted clear range", func(tr *Transaction) { tr.ClearRange([]byte("b"), []byte("a")) }, ErrInvertedRange},
		{"clear range to \\xff", func(tr *Transaction) { tr.ClearRange([]byte("a"), []byte("\xff")) }, nil},
		{"clear range past \\xff", func(tr *Transaction) { tr.ClearRange([]byte("a"), []byte("\xff\x00")) }, ErrKeyOutsideLegalRange},
		{"size limit", func(tr *Transaction) {
			tr.SetSizeLimit(1000)
			for i := 0; i < 20; i++ {
				tr.Set([]byte{byte(i)}, big(100))
			}
		}, ErrTransactionTooLarge},
		{"size limit too small", func(tr *Transaction) { tr.SetSizeLimit(10) }, ErrInvalidOptionValue},
		{"first deferred error wins", func(tr *Transaction) {
			tr.Set(big(MaxKeySize+1), nil)
			tr.Set([]byte("\xff"), nil)
		}, ErrKeyTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t, nil)
			// The error is deferred: reported by the next read, and by Commit.
			tr := db.NewTransaction()
			tc.fn(tr)
			_, err := tr.Get([]byte("probe"))
			if tc.want == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tc.want)
			}
			err = tr.Commit()
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.want)
			require.False(t, IsRetryable(err))
			// The database is unharmed.
			put(t, db, "after", "ok")
			require.Equal(t, "ok", string(get(t, db, "after")))
		})
	}
}

func TestSizeErrorSaysSizeAndLimit(t *testing.T) {
	db := openDB(t, nil)
	err := db.Transact(func(tr *Transaction) error {
		tr.SetSizeLimit(500)
		tr.Set([]byte("k"), bytes.Repeat([]byte("v"), 600))
		return nil
	})
	require.ErrorIs(t, err, ErrTransactionTooLarge)
	require.Contains(t, err.Error(), "limit of 500")
	require.True(t, strings.Contains(err.Error(), "is 6"), err.Error())
}

func TestReadErrors(t *testing.T) {
	db := openDB(t, nil)
	tr := db.NewTransaction()
	_, err := tr.Get([]byte("\xff"))
	require.ErrorIs(t, err, ErrKeyOutsideLegalRange)
	v, err := tr.Get(bytes.Repeat([]byte("k"), MaxKeySize+1))
	require.NoError(t, err, "an oversized key cannot exist: absent, no error")
	require.Nil(t, v)
	_, err = tr.GetRange(KeyRange{[]byte("a"), []byte("\xff\x01")}, RangeOptions{})
	require.ErrorIs(t, err, ErrKeyOutsideLegalRange)
	rows, err := tr.GetRange(KeyRange{[]byte("a"), []byte("\xff")}, RangeOptions{})
	require.NoError(t, err)
	require.Empty(t, rows)
	rows, err = tr.GetRange(KeyRange{[]byte("z"), []byte("a")}, RangeOptions{})
	require.NoError(t, err, "an inverted read range is empty, not an error")
	require.Empty(t, rows)
	_, err = tr.GetRange(KeyRange{[]byte("a"), []byte("b")}, RangeOptions{Limit: -1})
	require.ErrorIs(t, err, ErrRangeLimitsInvalid)
	require.ErrorIs(t, tr.AddReadConflictRange([]byte("b"), []byte("a")), ErrInvertedRange)
	require.ErrorIs(t, tr.AddWriteConflictRange([]byte("b"), []byte("a")), ErrInvertedRange)

	tr.SetReadSystemKeys()
	_, err = tr.Get([]byte("\xff/sys"))
	require.NoError(t, err)
	_, err = tr.Get([]byte("\xff\xff"))
	require.ErrorIs(t, err, ErrKeyOutsideLegalRange)
}

func TestUseAfterCommitCancelAndClose(t *testing.T) {
	db, err := Open(nil)
	require.NoError(t, err)
	tr := db.NewTransaction()
	tr.Set([]byte("a"), []byte("1"))
	require.NoError(t, tr.Commit())
	_, err = tr.Get([]byte("a"))
	require.ErrorIs(t, err, ErrUsedDuringCommit)
	require.ErrorIs(t, tr.Commit(), ErrUsedDuringCommit)
	tr.Set([]byte("b"), nil) // deferred, never panics
	tr.Reset()
	v, err := tr.Get([]byte("a"))
	require.NoError(t, err)
	require.Equal(t, "1", string(v))

	tr.Cancel()
	_, err = tr.Get([]byte("a"))
	require.ErrorIs(t, err, ErrTransactionCancelled)
	require.ErrorIs(t, tr.Commit(), ErrTransactionCancelled)
	for kv, err := range tr.Iterate(KeyRange{[]byte("a"), []byte("b")}, RangeOptions{}) {
		require.ErrorIs(t, err, ErrTransactionCancelled)
		require.Nil(t, kv.Key)
	}

	open := db.NewTransaction()
	require.NoError(t, db.Close())
	require.NoError(t, db.Close(), "Close twice is fine")
	_, err = open.Get([]byte("a"))
	require.ErrorIs(t, err, ErrDatabaseClosed)
	open.Set([]byte("x"), nil)
	require.ErrorIs(t, open.Commit(), ErrDatabaseClosed)
	require.ErrorIs(t, db.Transact(func(*Transaction) error { return nil }), ErrDatabaseClosed)
	require.ErrorIs(t, db.ReadTransact(func(ReadTransaction) error { return nil }), ErrDatabaseClosed)
	_, err = db.NewTransaction().GetReadVersion()
	require.ErrorIs(t, err, ErrDatabaseClosed)
}

func TestCommitMakesSubsequentOpsFail(t *testing.T) {
	db := openDB(t, nil)
	tr := db.NewTransaction()
	tr.Set([]byte("a"), nil)
	require.NoError(t, tr.Commit())
	require.ErrorIs(t, tr.AddReadConflictKey([]byte("a")), ErrUsedDuringCommit)
	_, err := tr.GetReadVersion()
	require.ErrorIs(t, err, ErrUsedDuringCommit)
}
