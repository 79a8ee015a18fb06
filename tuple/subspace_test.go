package tuple

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSubspace(t *testing.T) {
	users := NewSubspace([]byte{0xfe}, Tuple{"users"})
	require.Equal(t, "fe027573657273"+"00", hex.EncodeToString(users.Bytes()))

	key := users.Pack(Tuple{int64(42), "email"})
	require.Equal(t, "fe0275736572730015"+"2a02656d61696c00", hex.EncodeToString(key))
	require.Equal(t, len(key), cap(key), "Subspace.Pack allocates once, exactly")
	require.True(t, users.Contains(key))

	got, err := users.Unpack(key)
	require.NoError(t, err)
	require.Equal(t, Tuple{int64(42), "email"}, got)

	empty, err := users.Unpack(users.Bytes())
	require.NoError(t, err)
	require.Equal(t, Tuple{}, empty)

	begin, end := users.Range()
	require.Equal(t, "fe02757365727300"+"00", hex.EncodeToString(begin))
	require.Equal(t, "fe02757365727300"+"ff", hex.EncodeToString(end))
	require.True(t, bytes.Compare(begin, key) <= 0 && bytes.Compare(key, end) < 0)

	outside := NewSubspace([]byte{0xfe}, Tuple{"usersx"}).Pack(Tuple{int64(1)})
	require.False(t, users.Contains(outside))
	_, err = users.Unpack(outside)
	require.ErrorIs(t, err, ErrKeyOutsideSubspace)
	_, err = users.Unpack([]byte{0xfe})
	require.ErrorIs(t, err, ErrKeyOutsideSubspace)

	_, err = users.Unpack(append(users.Bytes(), 0x03))
	require.ErrorIs(t, err, ErrInvalidEncoding)
}

func TestSubspaceSubAndFromBytes(t *testing.T) {
	root := FromBytes([]byte("app"))
	a := root.Sub("users", int64(7))
	b := NewSubspace([]byte("app"), Tuple{"users", int64(7)})
	require.Equal(t, b.Bytes(), a.Bytes())
	require.Equal(t, a.Pack(Tuple{"x"}), root.Pack(Tuple{"users", int64(7), "x"}))

	// Sub of Sub is the concatenation.
	require.Equal(t, root.Sub("users").Sub(int64(7)).Bytes(), a.Bytes())

	// The zero Subspace is the whole key space.
	var all Subspace
	require.Empty(t, all.Bytes())
	require.Equal(t, Tuple{"x"}.Pack(), all.Pack(Tuple{"x"}))
	require.True(t, all.Contains([]byte{0xff, 0x00}))
	begin, end := all.Range()
	require.Equal(t, []byte{0x00}, begin)
	require.Equal(t, []byte{0xff}, end)
}

func TestSubspaceCopies(t *testing.T) {
	raw := []byte("pfx")
	s := FromBytes(raw)
	raw[0] = 'X'
	require.Equal(t, []byte("pfx"), s.Bytes())

	out := s.Bytes()
	out[0] = 'Y'
	require.Equal(t, []byte("pfx"), s.Bytes())

	prefix := []byte("p")
	n := NewSubspace(prefix, Tuple{"a"})
	prefix[0] = 'Z'
	require.Equal(t, "70026100", hex.EncodeToString(n.Bytes()))

	// Keys packed from one subspace never share memory.
	k1 := s.Pack(Tuple{"a"})
	k2 := s.Pack(Tuple{"b"})
	k1[0] = 'Q'
	require.Equal(t, byte('p'), k2[0])
	require.Equal(t, []byte("pfx"), s.Bytes())
}

func TestSubspacePackWithVersionstamp(t *testing.T) {
	s := FromBytes([]byte{0x01, 0x02})
	got, err := s.PackWithVersionstamp(Tuple{"a", IncompleteVersionstamp(5)})
	require.NoError(t, err)
	// FoundationDB's packing of ("a", incomplete versionstamp, user
	// version 5) after a 2-byte prefix: the 4-byte little-endian position
	// of the placeholder is 4+2.
	require.Equal(t, "0102"+"02610033"+"ffffffffffffffffffff"+"0005"+"06000000", hex.EncodeToString(got))

	_, err = s.PackWithVersionstamp(Tuple{"a"})
	require.ErrorIs(t, err, ErrNoIncompleteVersionstamp)
}

func TestSubspacePanicsLikePack(t *testing.T) {
	s := FromBytes([]byte("p"))
	require.Panics(t, func() { s.Pack(Tuple{IncompleteVersionstamp(0)}) })
	require.Panics(t, func() { s.Sub(struct{}{}) })
}
