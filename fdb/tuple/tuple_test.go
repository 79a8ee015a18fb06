package tuple_test

import (
	"bytes"
	"encoding/gob"
	"os"
	"testing"

	"github.com/plinthdb/plinth/fdb"
	"github.com/plinthdb/plinth/fdb/tuple"
	"github.com/stretchr/testify/require"
)

// TestGoldenRoundTrip unpacks every tuple of testdata/tuples.golden (bytes
// packed by FoundationDB's Go binding) and packs it again: the bytes must
// come back unchanged.
func TestGoldenRoundTrip(t *testing.T) {
	f, err := os.Open("testdata/tuples.golden")
	require.NoError(t, err)
	defer f.Close()
	var golden map[string][]byte
	require.NoError(t, gob.NewDecoder(f).Decode(&golden))
	require.NotEmpty(t, golden)
	for name, packed := range golden {
		tup, err := tuple.Unpack(packed)
		require.NoError(t, err, name)
		require.Equal(t, packed, tup.Pack(), name)
	}
}

func TestElementsAndRanges(t *testing.T) {
	u := tuple.UUID{1, 2, 3}
	vs := tuple.Versionstamp{TransactionVersion: [10]byte{9}, UserVersion: 7}
	in := tuple.Tuple{nil, []byte{0}, fdb.Key("k"), "s", int64(-5), uint64(1 << 63), 1.5, float32(2), true, u, vs, tuple.Tuple{"n", nil}}
	out, err := tuple.Unpack(in.Pack())
	require.NoError(t, err)
	want := tuple.Tuple{nil, []byte{0}, []byte("k"), "s", int64(-5), uint64(1 << 63), 1.5, float32(2), true, u, vs, tuple.Tuple{"n", nil}}
	require.Equal(t, want, out)

	b, e := tuple.Tuple{"a"}.FDBRangeKeys()
	require.Equal(t, fdb.Key("\x02a\x00\x00"), b.FDBKey())
	require.Equal(t, fdb.Key("\x02a\x00\xff"), e.FDBKey())

	_, err = tuple.Unpack([]byte{0x02, 'a'})
	require.Error(t, err)
	require.Panics(t, func() { tuple.Tuple{tuple.IncompleteVersionstamp(0)}.Pack() })
	require.Panics(t, func() { tuple.Tuple{struct{}{}}.Pack() })

	fdb.MustAPIVersion(800)
	k, err := tuple.Tuple{"x", tuple.IncompleteVersionstamp(3)}.PackWithVersionstamp([]byte("p"))
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(k, []byte("p\x02x\x00\x33")))
	require.Equal(t, []byte{5, 0, 0, 0}, k[len(k)-4:])
	_, err = tuple.Tuple{"x"}.PackWithVersionstamp(nil)
	require.Error(t, err)
	has, err := tuple.Tuple{tuple.Tuple{tuple.IncompleteVersionstamp(1)}, tuple.IncompleteVersionstamp(2)}.HasIncompleteVersionstamp()
	require.True(t, has)
	require.Error(t, err)
}
