package mutation

import (
	"bytes"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestVersionstamp(t *testing.T) {
	// Big-endian 8-byte commit version, then big-endian 2-byte order in
	// the batch (placeVersionstamp in fdbclient/include/fdbclient/Atomic.h):
	// commit version 1,000,000, batch order 3.
	require.Equal(t, [10]byte(h("00 00 00 00 00 0f 42 40 00 03")), Versionstamp(1_000_000, 3))
	require.Equal(t, [10]byte(h("01 02 03 04 05 06 07 08 00 09")), Versionstamp(0x0102030405060708, 9))
}

func TestVersionstampOffsetAndStamp(t *testing.T) {
	ph := bytes.Repeat([]byte{0}, 10)    // placeholder written by hand
	ff := bytes.Repeat([]byte{0xff}, 10) // tuple layer's incomplete versionstamp
	cat := func(parts ...[]byte) []byte { return slices.Concat(parts...) }
	for _, tc := range []struct {
		name  string
		b     []byte
		pos   int
		stamp [10]byte
		want  []byte
	}{
		// SetVersionstampedKey: the last 4 bytes are the little-endian
		// position of the 10-byte placeholder; stamping drops them and
		// writes the versionstamp there.
		{"key k+placeholder", cat(h("6b"), ph, h("01 00 00 00")), 1,
			Versionstamp(0x0102030405060708, 9), h("6b 01 02 03 04 05 06 07 08 00 09")},
		{"tuple key", cat(h("02 61 00 33"), ff, h("00 05 04 00 00 00")), 4,
			Versionstamp(1000, 0), h("02 61 00 33 00 00 00 00 00 00 03 e8 00 00 00 05")},
		// SetVersionstampedValue: the same layout, in the param.
		{"value v+placeholder", cat(h("76"), ph, h("01 00 00 00")), 1,
			Versionstamp(1000, 2), h("76 00 00 00 00 00 00 03 e8 00 02")},
		{"tuple value", cat(h("33"), ff, h("00 00 01 00 00 00")), 1,
			Versionstamp(0x0102030405060708, 9), h("33 01 02 03 04 05 06 07 08 00 09 00 00")},
		// Extra.
		{"placeholder only", cat(ph, h("00 00 00 00")), 0,
			Versionstamp(1, 1), h("00 00 00 00 00 00 00 01 00 01")},
		{"placeholder at the end", cat(h("aa bb"), ph, h("02 00 00 00")), 2,
			Versionstamp(1, 1), h("aa bb 00 00 00 00 00 00 00 01 00 01")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			orig := slices.Clone(tc.b)
			pos, err := VersionstampOffset(tc.b)
			require.NoError(t, err)
			require.Equal(t, tc.pos, pos)
			got := Stamp(tc.b, pos, tc.stamp)
			require.Equal(t, tc.want, got)
			require.Equal(t, orig, tc.b, "Stamp modified its input")
			got[0] ^= 0xff
			require.Equal(t, orig, tc.b, "Stamp's result shares memory with its input")
		})
	}
}

func TestVersionstampOffsetInvalid(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		// Shorter than 4 bytes, or a placeholder that does not fit before
		// the position bytes: FoundationDB refuses both with
		// client_invalid_operation (2000).
		{"key: pos 1 + 10 > 6", slices.Concat(h("6b"), make([]byte, 5), h("01 00 00 00"))},
		{"param ab 00000000: 0 + 10 > 1", h("ab 00 00 00 00")},
		{"3 bytes", h("00 00 00")},
		// Extra.
		{"nil", nil},
		{"empty", h("")},
		{"only the position", h("00 00 00 00")},
		{"one byte short", slices.Concat(make([]byte, 9), h("00 00 00 00"))},
		{"pos one too far", slices.Concat(make([]byte, 10), h("01 00 00 00"))},
		{"negative pos", slices.Concat(make([]byte, 20), h("ff ff ff ff"))},
		{"pos MinInt32", slices.Concat(make([]byte, 20), h("00 00 00 80"))},
		{"pos MaxInt32", slices.Concat(make([]byte, 20), h("ff ff ff 7f"))},
		{"2-byte offset of API < 520", slices.Concat(make([]byte, 10), h("00 00"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := VersionstampOffset(tc.b)
			require.ErrorIs(t, err, ErrVersionstampOffset)
		})
	}
}

func TestStampPanicsOutOfBounds(t *testing.T) {
	require.Panics(t, func() { Stamp(h("00 00 00 00 00"), 0, [10]byte{}) })
}
