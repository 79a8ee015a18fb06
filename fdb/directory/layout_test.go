package directory

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/plinthdb/plinth/fdb"
	"github.com/plinthdb/plinth/fdb/subspace"
	"github.com/plinthdb/plinth/fdb/tuple"
	"github.com/stretchr/testify/require"
)

var dbSeq atomic.Int64

// freshDB opens an empty database of the process, under a name no other
// test uses.
func freshDB(t *testing.T) fdb.Database {
	t.Helper()
	fdb.MustAPIVersion(800)
	db, err := fdb.OpenDatabase(fmt.Sprintf("directory-test-%d-%s", dbSeq.Add(1), t.Name()))
	require.NoError(t, err)
	t.Cleanup(db.Close)
	return db
}

// fixCandidates makes the allocator pick the given candidates in turn.
func fixCandidates(t *testing.T, picks ...int64) {
	t.Helper()
	saved := candidate
	t.Cleanup(func() { candidate = saved })
	candidate = func(n int64) int64 {
		require.NotEmpty(t, picks, "more allocations than fixed candidates")
		c := picks[0]
		picks = picks[1:]
		require.Less(t, c, n)
		return c
	}
}

type row struct{ key, value []byte }

// loadLayout reads testdata/layout.txt: hex key, hex value ("-": empty).
func loadLayout(t *testing.T) []row {
	t.Helper()
	f, err := os.Open("testdata/layout.txt")
	require.NoError(t, err)
	defer f.Close()
	var rows []row
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		require.Len(t, fields, 2, line)
		k, err := hex.DecodeString(fields[0])
		require.NoError(t, err, line)
		v := []byte{}
		if fields[1] != "-" {
			v, err = hex.DecodeString(fields[1])
			require.NoError(t, err, line)
		}
		rows = append(rows, row{k, v})
	}
	require.NoError(t, sc.Err())
	return rows
}

func dump(t *testing.T, db fdb.Database) []row {
	t.Helper()
	kvs, err := db.ReadTransact(func(rtr fdb.ReadTransaction) (interface{}, error) {
		return rtr.GetRange(fdb.KeyRange{Begin: fdb.Key{}, End: fdb.Key{0xff}}, fdb.RangeOptions{}).GetSliceWithError()
	})
	require.NoError(t, err)
	var rows []row
	for _, kv := range kvs.([]fdb.KeyValue) {
		rows = append(rows, row{kv.Key, kv.Value})
	}
	return rows
}

func requireRows(t *testing.T, want, got []row) {
	t.Helper()
	format := func(rows []row) string {
		var b strings.Builder
		for _, r := range rows {
			fmt.Fprintf(&b, "%x %x\n", r.key, r.value)
		}
		return b.String()
	}
	require.Equal(t, format(want), format(got))
}

// TestLayoutMatchesFoundationDB runs a fixed sequence of directory operations
// with fixed allocator candidates and compares every key and value written
// with the bytes FoundationDB's layout gives for the same sequence.
func TestLayoutMatchesFoundationDB(t *testing.T) {
	db := freshDB(t)
	fixCandidates(t, 7, 3, 60, 1)

	app, err := CreateOrOpen(db, []string{"app"}, nil)
	require.NoError(t, err)
	require.Equal(t, []byte{0x15, 0x07}, app.Bytes())

	users, err := app.CreateOrOpen(db, []string{"users"}, []byte("table"))
	require.NoError(t, err)
	require.Equal(t, []byte{0x15, 0x03}, users.Bytes())
	require.Equal(t, []string{"app", "users"}, users.GetPath())

	manual := NewDirectoryLayer(subspace.FromBytes([]byte{0xfe}), subspace.AllKeys(), true)
	m, err := manual.CreatePrefix(db, []string{"manual"}, nil, []byte("m"))
	require.NoError(t, err)
	require.Equal(t, []byte("m"), m.Bytes())

	part, err := CreateOrOpen(db, []string{"part"}, []byte("partition"))
	require.NoError(t, err)
	require.Equal(t, []byte("partition"), part.GetLayer())

	inner, err := part.CreateOrOpen(db, []string{"inner"}, nil)
	require.NoError(t, err)
	require.Equal(t, []byte{0x15, 0x3c, 0x15, 0x01}, inner.Bytes())
	require.Equal(t, []string{"part", "inner"}, inner.GetPath())

	people, err := Move(db, []string{"app", "users"}, []string{"app", "people"})
	require.NoError(t, err)
	require.Equal(t, users.Bytes(), people.Bytes())

	removed, err := Root().Remove(db, []string{"manual"})
	require.NoError(t, err)
	require.True(t, removed)

	requireRows(t, loadLayout(t), dump(t, db))
}

// TestOpensFoundationDBLayout writes the keys FoundationDB's directory layer
// leaves after the sequence above and checks that this package reads the
// same directories, prefixes and layers from them, and allocates around the
// prefixes they hold.
func TestOpensFoundationDBLayout(t *testing.T) {
	db := freshDB(t)
	_, err := db.Transact(func(tr fdb.Transaction) (interface{}, error) {
		for _, r := range loadLayout(t) {
			tr.Set(fdb.Key(r.key), r.value)
		}
		return nil, nil
	})
	require.NoError(t, err)

	names, err := List(db, nil)
	require.NoError(t, err)
	require.Equal(t, []string{"app", "part"}, names)

	people, err := Open(db, []string{"app", "people"}, []byte("table"))
	require.NoError(t, err)
	require.Equal(t, []byte{0x15, 0x03}, people.Bytes())
	require.Equal(t, "DirectorySubspace((app,people), \\x15\\x03)", fmt.Sprint(people))

	_, err = Open(db, []string{"app", "people"}, []byte("other"))
	require.Error(t, err, "a different layer must be refused")

	_, err = Open(db, []string{"app", "users"}, nil)
	require.ErrorIs(t, err, ErrDirNotExists)

	inner, err := Open(db, []string{"part", "inner"}, nil)
	require.NoError(t, err)
	require.Equal(t, []byte{0x15, 0x3c, 0x15, 0x01}, inner.Bytes())

	ok, err := Exists(db, []string{"manual"})
	require.NoError(t, err)
	require.False(t, ok)

	// Candidates 3 and 7 are taken in the window: the allocator must skip
	// them and take 9.
	fixCandidates(t, 3, 7, 9)
	d, err := Create(db, []string{"new"}, nil)
	require.NoError(t, err)
	require.Equal(t, []byte{0x15, 0x09}, d.Bytes())

	_, err = Create(db, []string{"new"}, nil)
	require.ErrorIs(t, err, ErrDirAlreadyExists)
}

func TestAllocatorAdvancesWindow(t *testing.T) {
	db := freshDB(t)
	// An allocation that would make the first window [0, 64) half full
	// (the 32nd) moves to the window [64, 128) and clears the old counters
	// and marks.
	picks := make([]int64, 32)
	for i := range picks {
		picks[i] = int64(i)
	}
	fixCandidates(t, picks...)
	for i := 0; i < 32; i++ {
		d, err := Create(db, []string{fmt.Sprint("d", i)}, nil)
		require.NoError(t, err)
		want := tuple.Tuple{i}.Pack()
		if i == 31 {
			want = tuple.Tuple{64 + 31}.Pack()
		}
		require.Equal(t, want, d.Bytes(), "allocation %d", i)
	}
	hca := subspace.FromBytes([]byte{0xfe}).Sub([]byte{0xfe}).Sub([]byte("hca"))
	rows, err := db.ReadTransact(func(rtr fdb.ReadTransaction) (interface{}, error) {
		return rtr.GetRange(hca, fdb.RangeOptions{}).GetSliceWithError()
	})
	require.NoError(t, err)
	var keys []string
	for _, kv := range rows.([]fdb.KeyValue) {
		k, err := hca.Unpack(kv.Key)
		require.NoError(t, err)
		keys = append(keys, fmt.Sprint(k))
	}
	require.Equal(t, []string{"(0, 64)", "(1, 95)"}, keys)
}

func TestDirectoryOperations(t *testing.T) {
	db := freshDB(t)
	a, err := CreateOrOpen(db, []string{"a", "b", "c"}, nil)
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b", "c"}, a.GetPath())

	names, err := List(db, []string{"a"})
	require.NoError(t, err)
	require.Equal(t, []string{"b"}, names)

	_, err = List(db, []string{"nope"})
	require.ErrorIs(t, err, ErrDirNotExists)

	_, err = Root().CreatePrefix(db, []string{"x"}, nil, []byte("x"))
	require.Error(t, err, "the default layer allows no manual prefixes")

	_, err = Move(db, []string{"a"}, []string{"a", "b", "d"})
	require.Error(t, err, "a directory cannot move into itself")

	_, err = Root().MoveTo(db, []string{"z"})
	require.Error(t, err)

	b, err := Open(db, []string{"a", "b"}, nil)
	require.NoError(t, err)
	moved, err := b.MoveTo(db, []string{"top"})
	require.NoError(t, err)
	require.Equal(t, b.Bytes(), moved.Bytes())
	ok, err := Exists(db, []string{"top", "c"})
	require.NoError(t, err)
	require.True(t, ok)

	// Contents go with a removal.
	c, err := Open(db, []string{"top", "c"}, nil)
	require.NoError(t, err)
	_, err = db.Transact(func(tr fdb.Transaction) (interface{}, error) {
		tr.Set(c.Pack(nil), []byte("v"))
		return nil, nil
	})
	require.NoError(t, err)
	removed, err := moved.Remove(db, nil)
	require.NoError(t, err)
	require.True(t, removed)
	v, err := db.ReadTransact(func(rtr fdb.ReadTransaction) (interface{}, error) {
		return rtr.Get(c.Pack(nil)).Get()
	})
	require.NoError(t, err)
	require.Nil(t, v)
	removed, err = Root().Remove(db, []string{"top"})
	require.NoError(t, err)
	require.False(t, removed)

	_, err = Root().Remove(db, nil)
	require.Error(t, err)
	_, err = Open(db, nil, nil)
	require.Error(t, err)
}

func TestPartition(t *testing.T) {
	db := freshDB(t)
	p, err := CreateOrOpen(db, []string{"p"}, []byte("partition"))
	require.NoError(t, err)
	require.Panics(t, func() { p.Bytes() })
	_, err = p.Unpack(fdb.Key("x"))
	require.Error(t, err)

	d, err := p.CreateOrOpen(db, []string{"d"}, nil)
	require.NoError(t, err)
	prefix := d.Bytes()
	names, err := List(db, []string{"p"})
	require.NoError(t, err)
	require.Equal(t, []string{"d"}, names)

	// A partition's directories live under its prefix; moving out of it
	// is refused.
	top, err := CreateOrOpen(db, []string{"top"}, nil)
	require.NoError(t, err)
	_, err = d.MoveTo(db, []string{"top", "d"})
	require.Error(t, err)
	require.False(t, bytes.HasPrefix(top.Bytes(), prefix))

	moved, err := Move(db, []string{"p", "d"}, []string{"p", "e"})
	require.NoError(t, err)
	require.Equal(t, prefix, moved.Bytes())

	_, err = p.CreatePrefix(db, []string{"m"}, nil, []byte("m"))
	require.Error(t, err, "no manual prefixes in a partition")

	removed, err := Root().Remove(db, []string{"p"})
	require.NoError(t, err)
	require.True(t, removed)
	ok, err := Exists(db, []string{"p", "e"})
	require.NoError(t, err)
	require.False(t, ok)
}
