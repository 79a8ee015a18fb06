package kv

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/plinthdb/plinth/mvcc"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
)

// backupOf returns a reader over a backup of db.
func backupOf(t testing.TB, db *DB) *bytes.Reader {
	t.Helper()
	var buf bytes.Buffer
	_, err := db.Backup(&buf)
	require.NoError(t, err)
	return bytes.NewReader(buf.Bytes())
}

// content returns every row of db below \xff\xff.
func content(t testing.TB, db *DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, db.ReadTransact(func(tr ReadTransaction) error {
		clear(out)
		tr.(*Transaction).SetReadSystemKeys()
		rows, err := tr.GetRange(KeyRange{Begin: nil, End: []byte("\xff\xff")}, RangeOptions{})
		for _, kv := range rows {
			out[string(kv.Key)] = string(kv.Value)
		}
		return err
	}))
	return out
}

func setSystem(t testing.TB, db *DB, k, v string) {
	t.Helper()
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		tr.SetAccessSystemKeys()
		tr.Set([]byte(k), []byte(v))
		return nil
	}))
}

// A backup holds every user key and value; a restore into another
// database reproduces them and leaves its system keys alone.
func TestBackupRoundTrip(t *testing.T) {
	noLeaks(t)
	src := openDB(t, nil)
	put(t, src, "", "empty key", "a", "", "b\x00\xfe", "binary\x00value", "big", strings.Repeat("v", MaxValueSize))
	for i := range 10_000 { // several blocks
		put(t, src, fmt.Sprintf("row%05d", i), fmt.Sprint(i))
	}
	setSystem(t, src, "\xff/src", "not in the backup")
	want := content(t, src)
	delete(want, "\xff/src")

	var buf bytes.Buffer
	v, err := src.Backup(&buf)
	require.NoError(t, err)
	require.Equal(t, src.committed.Load(), v, "the backup's version is its read version")

	dst := openDB(t, nil)
	put(t, dst, "stale", "1", "a", "replaced")
	setSystem(t, dst, "\xff/dst", "kept")
	before := dst.committed.Load()
	rv, err := dst.Restore(&buf)
	require.NoError(t, err)
	require.Equal(t, before+1, rv, "one commit")
	want["\xff/dst"] = "kept"
	require.Equal(t, want, content(t, dst))
	require.Equal(t, []byte{}, get(t, dst, "a"), "a present empty value stays present")

	// An empty database backs up to an image that empties the user space.
	var empty bytes.Buffer
	_, err = openDB(t, nil).Backup(&empty)
	require.NoError(t, err)
	_, err = dst.Restore(&empty)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"\xff/dst": "kept"}, content(t, dst))
}

// The image is consistent at one version while commits go on: writers
// move amounts between accounts, so every consistent image sums to zero,
// and the image equals the database read at the backup's version.
func TestBackupConsistentUnderCommits(t *testing.T) {
	noLeaks(t)
	db := openDB(t, &Options{MVCCWindow: time.Minute})
	const accounts = 20_000
	for at := 0; at < accounts; at += 5000 {
		require.NoError(t, db.Transact(func(tr *Transaction) error {
			for i := at; i < at+5000; i++ {
				tr.Set([]byte(fmt.Sprintf("acct%05d", i)), make([]byte, 8))
			}
			return nil
		}))
	}
	stop := make(chan struct{})
	var g errgroup.Group
	for w := range 2 {
		g.Go(func() error {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return nil
				default:
				}
				a, b := (i*7919+w)%accounts, (i*104729+3*w+1)%accounts
				if err := db.Transact(func(tr *Transaction) error {
					tr.AddInt64([]byte(fmt.Sprintf("acct%05d", a)), 5)
					tr.AddInt64([]byte(fmt.Sprintf("acct%05d", b)), -5)
					return nil
				}); err != nil {
					return err
				}
			}
		})
	}
	// The writers are running before the backup starts, and go on until
	// they have committed past its version; on a loaded machine they may
	// still not have been scheduled during the backup itself.
	start := db.committed.Load()
	require.Eventually(t, func() bool { return db.committed.Load() > start+10 }, 10*time.Second, time.Millisecond)
	var buf bytes.Buffer
	v, err := db.Backup(&buf)
	require.Eventually(t, func() bool { return db.committed.Load() > v }, 10*time.Second, time.Millisecond)
	close(stop)
	require.NoError(t, g.Wait())
	require.NoError(t, err)

	rows, err := readBackup(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	require.Len(t, rows, accounts)
	var sum int64
	for _, r := range rows {
		sum += int64(binary.LittleEndian.Uint64(r.Value))
	}
	require.Zero(t, sum, "the image mixes versions")

	tr := db.NewTransaction()
	tr.SetReadVersion(v)
	at, err := tr.GetRange(KeyRange{Begin: []byte("acct"), End: []byte("acct\xff")}, RangeOptions{})
	require.NoError(t, err)
	require.Len(t, at, accounts)
	for i, kv := range at {
		require.Equal(t, kv.Key, rows[i].Key)
		require.Equal(t, kv.Value, rows[i].Value)
	}
}

// A backup streams: what it allocates does not grow with the database
// (about one block). BenchmarkBackup/keys=1000000 reports the same at a
// million keys.
func TestBackupBoundedMemory(t *testing.T) {
	allocs := map[int]uint64{}
	for _, n := range []int{20_000, 200_000} {
		db := openDB(t, &Options{MVCCWindow: time.Minute})
		v := bytes.Repeat([]byte{'v'}, 100)
		rows := make([]mvcc.Write, n)
		for i := range rows {
			rows[i] = mvcc.Write{Key: binary.BigEndian.AppendUint64([]byte("key/-/-"), uint64(i)), Value: v}
		}
		_, err := db.applyRestore(rows) // loads faster than transactions
		require.NoError(t, err)
		rows = nil
		var ms0, ms1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms0)
		cw := &countingWriter{}
		_, err = db.Backup(cw)
		runtime.ReadMemStats(&ms1)
		require.NoError(t, err)
		require.Greater(t, cw.n, int64(n*116))
		allocs[n] = ms1.TotalAlloc - ms0.TotalAlloc
		t.Logf("backup of %d keys: %d MB written, %d KB allocated", n, cw.n>>20, allocs[n]>>10)
		db.Close()
	}
	require.Less(t, allocs[200_000], uint64(8<<20), "the backup holds more than a few blocks")
	require.Less(t, allocs[200_000], 2*allocs[20_000]+(1<<20), "the backup's memory grows with the database")
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

// A backup that cannot finish inside the MVCC window fails with
// ErrTransactionTooOld.
func TestBackupTooOld(t *testing.T) {
	db := openDB(t, &Options{MVCCWindow: 30 * time.Millisecond})
	for at := 0; at < 3*backupPageRows; at += 1000 {
		require.NoError(t, db.Transact(func(tr *Transaction) error {
			for i := at; i < at+1000; i++ {
				tr.Set([]byte(fmt.Sprintf("k%06d", i)), []byte("v"))
			}
			return nil
		}))
	}
	slow := writerFunc(func(p []byte) (int, error) {
		time.Sleep(50 * time.Millisecond)
		return len(p), nil
	})
	_, err := db.Backup(slow)
	require.ErrorIs(t, err, ErrTransactionTooOld)
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestBackupBadInput(t *testing.T) {
	db := openDB(t, nil)
	put(t, db, "k", "v")
	_, err := db.Backup(nil)
	require.ErrorIs(t, err, ErrClientInvalidOperation)
	_, err = db.Restore(nil)
	require.ErrorIs(t, err, ErrClientInvalidOperation)

	boom := errors.New("disk full")
	_, err = db.Backup(writerFunc(func(p []byte) (int, error) { return 0, boom }))
	require.ErrorIs(t, err, boom)

	_, err = db.Restore(readerFunc(func(p []byte) (int, error) { return 0, boom }))
	require.ErrorIs(t, err, boom)
	require.Equal(t, "v", string(get(t, db, "k")))

	backup := backupOf(t, db)
	db.Close()
	_, err = db.Backup(io.Discard)
	require.ErrorIs(t, err, ErrDatabaseClosed)
	_, err = db.Restore(backup)
	require.ErrorIs(t, err, ErrDatabaseClosed)
}

type readerFunc func(p []byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// smallBackup returns a database with a few rows and its backup's bytes.
func smallBackup(t *testing.T) (*DB, []byte) {
	t.Helper()
	db := openDB(t, nil)
	put(t, db, "a", "1", "b", "2", "c", strings.Repeat("x", 300))
	var buf bytes.Buffer
	_, err := db.Backup(&buf)
	require.NoError(t, err)
	put(t, db, "a", "changed", "d", "new")
	return db, buf.Bytes()
}

// requireRefused checks that restoring b fails with want and changes
// nothing.
func requireRefused(t *testing.T, db *DB, b []byte, want error, what string) {
	t.Helper()
	before, version := content(t, db), db.committed.Load()
	_, err := db.Restore(bytes.NewReader(b))
	require.ErrorIs(t, err, want, what)
	require.Equal(t, version, db.committed.Load(), "%s: a refused restore committed", what)
	require.Equal(t, before, content(t, db), what)
}

// Every truncated prefix of a backup is refused, and changes nothing.
func TestRestoreTruncated(t *testing.T) {
	db, b := smallBackup(t)
	for n := 0; n < len(b); n++ {
		requireRefused(t, db, b[:n], ErrBackupTruncated, fmt.Sprintf("prefix of %d bytes", n))
	}
	_, err := db.Restore(bytes.NewReader(b[:len(b)-1]))
	require.ErrorContains(t, err, "truncated")
}

// Any changed byte is refused, and changes nothing: per-block checksums,
// the header's and the trailer's, and the trailer's digest of the stream.
func TestRestoreCorrupted(t *testing.T) {
	db, b := smallBackup(t)
	for i := range b {
		c := bytes.Clone(b)
		c[i] ^= 0x20
		before, version := content(t, db), db.committed.Load()
		_, err := db.Restore(bytes.NewReader(c))
		require.Error(t, err, "byte %d", i)
		var e *Error
		require.True(t, errors.As(err, &e), "byte %d: %v", i, err)
		require.Contains(t, []int{codeRestoreCorruptedData, codeRestoreMissingData, codeRestoreUnknownFileType}, e.Code, "byte %d: %v", i, err)
		require.Equal(t, version, db.committed.Load())
		require.Equal(t, before, content(t, db))
	}
	requireRefused(t, db, append(bytes.Clone(b), 0), ErrBackupCorrupted, "data after the trailer")

	// A block whose rows are out of order, with valid checksums.
	var buf bytes.Buffer
	bw := &backupWriter{w: &buf, digest: xxhash.New()}
	require.NoError(t, bw.header(1))
	bw.startBlock()
	bw.row([]byte("b"), nil)
	bw.row([]byte("a"), nil)
	require.NoError(t, bw.endBlock(2))
	require.NoError(t, bw.trailer())
	requireRefused(t, db, buf.Bytes(), ErrBackupCorrupted, "keys out of order")

	// A system key, with valid checksums.
	buf.Reset()
	bw = &backupWriter{w: &buf, digest: xxhash.New()}
	require.NoError(t, bw.header(1))
	bw.startBlock()
	bw.row([]byte("\xff/x"), nil)
	require.NoError(t, bw.endBlock(1))
	require.NoError(t, bw.trailer())
	requireRefused(t, db, buf.Bytes(), ErrBackupCorrupted, "system key")

	// A dropped block: the trailer's counts no longer match.
	buf.Reset()
	bw = &backupWriter{w: &buf, digest: xxhash.New()}
	require.NoError(t, bw.header(1))
	bw.startBlock()
	bw.row([]byte("a"), nil)
	require.NoError(t, bw.endBlock(1))
	bw.rows, bw.blocks = 2, 2
	require.NoError(t, bw.trailer())
	requireRefused(t, db, buf.Bytes(), ErrBackupCorrupted, "missing block")
}

// A stream that is not a backup, or one of a newer format, is refused with
// an error that says so.
func TestRestoreForeignAndNewer(t *testing.T) {
	db, b := smallBackup(t)
	requireRefused(t, db, []byte("PK\x03\x04 this is a zip file, not a backup at all"), ErrBackupUnknownFormat, "foreign")
	requireRefused(t, db, []byte("{}"), ErrBackupUnknownFormat, "short foreign")

	newer := bytes.Clone(b)
	binary.BigEndian.PutUint32(newer[8:], backupFormat+1)
	binary.BigEndian.PutUint64(newer[24:], xxhash.Sum64(newer[:24]))
	requireRefused(t, db, newer, ErrBackupUnsupportedVersion, "newer format")
	_, err := db.Restore(bytes.NewReader(newer))
	require.ErrorContains(t, err, "format version 2, newer than this plinth reads (1)")
}

// Readers see the old content or the new, never a mix.
func TestRestoreAtomicForReaders(t *testing.T) {
	noLeaks(t)
	db := openDB(t, nil)
	const n = 20_000
	load := func(v string) {
		for at := 0; at < n; at += 5000 {
			require.NoError(t, db.Transact(func(tr *Transaction) error {
				for i := at; i < at+5000; i++ {
					tr.Set([]byte(fmt.Sprintf("k%05d", i)), []byte(v))
				}
				return nil
			}))
		}
	}
	load("new")
	backup := backupOf(t, db)
	load("old")

	stop := make(chan struct{})
	var g errgroup.Group
	for range 2 {
		g.Go(func() error {
			for {
				select {
				case <-stop:
					return nil
				default:
				}
				err := db.ReadTransact(func(tr ReadTransaction) error {
					first, err := tr.Get([]byte("k00000"))
					if err != nil {
						return err
					}
					last, err := tr.Get([]byte(fmt.Sprintf("k%05d", n-1)))
					if err != nil {
						return err
					}
					if !bytes.Equal(first, last) {
						return fmt.Errorf("a reader saw %q and %q", first, last)
					}
					return nil
				})
				if err != nil {
					return err
				}
			}
		})
	}
	_, err := db.Restore(backup)
	close(stop)
	require.NoError(t, err)
	require.NoError(t, g.Wait())
	require.Equal(t, []byte("new"), get(t, db, "k00000"))
}

// A transaction that read before the restore and commits after it
// conflicts; size limits do not apply to the restore.
func TestRestoreConflictsAndSize(t *testing.T) {
	db := openDB(t, nil)
	big := strings.Repeat("x", MaxValueSize)
	for i := range 150 { // 15 MB: over a transaction's 10 MB limit
		put(t, db, fmt.Sprintf("big%03d", i), big)
	}
	backup := backupOf(t, db)

	reader := db.NewTransaction()
	_, err := reader.Get([]byte("unrelated"))
	require.NoError(t, err)
	reader.Set([]byte("w"), []byte("1"))

	blind := db.NewTransaction()
	blind.Set([]byte("blind"), []byte("1"))

	_, err = db.Restore(backup)
	require.NoError(t, err)
	require.ErrorIs(t, reader.Commit(), ErrNotCommitted)
	require.NoError(t, blind.Commit(), "a transaction that read nothing does not conflict")
	require.Len(t, content(t, db), 151)
}

// FuzzRestore: the decoder never panics, and what it accepts is sorted and
// inside the limits.
func FuzzRestore(f *testing.F) {
	db, _ := Open(nil)
	put(f, db, "a", "1", "b", "2")
	var buf bytes.Buffer
	db.Backup(&buf)
	db.Close()
	f.Add(buf.Bytes())
	f.Add([]byte(backupMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := readBackup(bytes.NewReader(b))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("not a *Error: %v", err)
			}
			return
		}
		for i, r := range rows {
			if i > 0 && bytes.Compare(rows[i-1].Key, r.Key) >= 0 {
				t.Fatal("rows out of order")
			}
			if bytes.Compare(r.Key, []byte{0xff}) >= 0 || len(r.Key) > MaxKeySize || len(r.Value) > MaxValueSize {
				t.Fatal("row outside the limits")
			}
		}
	})
}
