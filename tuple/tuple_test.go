package tuple

import (
	"bytes"
	"encoding/hex"
	"math"
	"math/big"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func bigInt(t testing.TB, s string) *big.Int {
	t.Helper()
	v, ok := new(big.Int).SetString(s, 0)
	require.True(t, ok, s)
	return v
}

func packHex(t testing.TB, tup Tuple) string {
	t.Helper()
	b, err := tup.PackE()
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// TestIntegerEncoding covers the boundaries of every integer code and the
// Go type each value unpacks to, including the ±(2^64-1) cases where the Go
// binding (followed here) and the Python binding differ.
func TestIntegerEncoding(t *testing.T) {
	tests := []struct {
		value string
		hex   string
		want  any // canonical unpacked value; *big.Int compared by value
	}{
		{"0", "14", int64(0)},
		{"1", "1501", int64(1)},
		{"-1", "13fe", int64(-1)},
		{"255", "15ff", int64(255)},
		{"-255", "1300", int64(-255)},
		{"256", "160100", int64(256)},
		{"-256", "12feff", int64(-256)},
		{"0x7fffffffffffffff", "1c7fffffffffffffff", int64(math.MaxInt64)},
		{"-0x8000000000000000", "0c7fffffffffffffff", int64(math.MinInt64)},
		{"-0x8000000000000001", "0c7ffffffffffffffe", "-0x8000000000000001"},
		{"0x8000000000000000", "1c8000000000000000", uint64(1 << 63)},
		// Go binding: 2^64-1 stays in the 8-byte code 0x1c and unpacks as uint64
		// (Python packs it as 1d 08 ff×8).
		{"0xffffffffffffffff", "1cffffffffffffffff", uint64(math.MaxUint64)},
		// Go binding: -(2^64-1) uses 0x0c (Python: 0b f7 00×8) and, being
		// below MinInt64, unpacks as *big.Int.
		{"-0xffffffffffffffff", "0c0000000000000000", "-0xffffffffffffffff"},
		{"0x10000000000000000", "1d09010000000000000000", "0x10000000000000000"},
		{"-0x10000000000000000", "0bf6feffffffffffffffff", "-0x10000000000000000"},
		// Leading 0xff bytes of the magnitude become leading 0x00 bytes.
		{"-0xff0000000000000000", "0bf600ffffffffffffffff", "-0xff0000000000000000"},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			v := bigInt(t, tc.value)
			require.Equal(t, tc.hex, packHex(t, Tuple{v}), "as *big.Int")
			require.Equal(t, tc.hex, packHex(t, Tuple{*v}), "as big.Int")
			if v.IsInt64() {
				require.Equal(t, tc.hex, packHex(t, Tuple{v.Int64()}), "as int64")
			}
			if v.IsUint64() {
				require.Equal(t, tc.hex, packHex(t, Tuple{v.Uint64()}), "as uint64")
			}
			got, err := Unpack(mustHex(t, tc.hex))
			require.NoError(t, err)
			require.Len(t, got, 1)
			want := tc.want
			if s, ok := want.(string); ok {
				want = bigInt(t, s)
			}
			require.True(t, elemEqual(want, got[0]), "unpacked %T %v, want %T %v", got[0], got[0], want, want)
		})
	}
}

func TestIntegerWidths(t *testing.T) {
	tests := []struct {
		value any
		hex   string
	}{
		{int(-7), "13f8"},
		{int8(math.MinInt8), "137f"},
		{int16(math.MinInt16), "127fff"},
		{int32(math.MinInt32), "107fffffff"},
		{int64(math.MinInt64), "0c7fffffffffffffff"},
		{uint(7), "1507"},
		{uint8(math.MaxUint8), "15ff"},
		{uint16(math.MaxUint16), "16ffff"},
		{uint32(math.MaxUint32), "18ffffffff"},
		{uint64(math.MaxUint64), "1cffffffffffffffff"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.hex, packHex(t, Tuple{tc.value}), "%T %v", tc.value, tc.value)
	}
}

func TestIntegerTooLarge(t *testing.T) {
	limit := new(big.Int).Lsh(big.NewInt(1), 8*255) // 256 bytes of magnitude
	maxOK := new(big.Int).Sub(limit, big.NewInt(1))

	b := Tuple{maxOK}.Pack()
	require.Len(t, b, 2+255)
	require.Equal(t, []byte{0x1d, 0xff}, b[:2])
	b = Tuple{new(big.Int).Neg(maxOK)}.Pack()
	require.Equal(t, []byte{0x0b, 0x00}, b[:2])
	back, err := Unpack(b)
	require.NoError(t, err)
	require.Zero(t, back[0].(*big.Int).Cmp(new(big.Int).Neg(maxOK)))

	for _, v := range []*big.Int{limit, new(big.Int).Neg(limit)} {
		_, err := Tuple{"x", v}.PackE()
		require.ErrorIs(t, err, ErrIntegerTooLarge)
	}
}

// TestUnpackNonCanonical lists the longer integer forms Unpack accepts, as
// FoundationDB's bindings do, and the canonical bytes they re-pack to.
func TestUnpackNonCanonical(t *testing.T) {
	tests := []struct {
		name, in, repacked string
	}{
		{"zero in one byte", "1500", "14"},
		{"minus zero", "13ff", "14"},
		{"padded positive", "16002a", "152a"},
		{"padded negative", "12ffd5", "13d5"},
		{"big code for small value", "1d0105", "1505"},
		{"big code, empty magnitude", "1d00", "14"},
		{"negative big code, empty magnitude", "0bff", "14"},
		{"Python's 2^64-1", "1d08ffffffffffffffff", "1cffffffffffffffff"},
		{"Python's -(2^64-1)", "0bf70000000000000000", "0c0000000000000000"},
		{"big code with leading zero", "1d0a00010000000000000000", "1d09010000000000000000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := mustHex(t, tc.in)
			require.True(t, hasNonMinimalInt(in), "fuzz's canonical check must flag it")
			tup, err := Unpack(in)
			require.NoError(t, err)
			require.Equal(t, tc.repacked, packHex(t, tup))
		})
	}
}

func TestUnpackInvalid(t *testing.T) {
	tests := []struct{ name, in string }{
		{"unterminated bytes", "016100ff"},
		{"unterminated string", "02"},
		{"unterminated nested tuple", "051501"},
		{"unterminated nested after nested nil", "0500ff"},
		{"escape at top level", "00ff"},
		{"deprecated true code", "25"},
		{"unknown code 0xff", "ff"},
		{"truncated big length", "0b"},
		{"truncated big body", "0bf6feff"},
		{"truncated 8-byte int", "1c01"},
		{"truncated versionstamp in nested", "0533ffffffffffffffffffff00"},
		{"bad element after good ones", "152a0261000a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tup, err := Unpack(mustHex(t, tc.in))
			require.ErrorIs(t, err, ErrInvalidEncoding)
			require.Nil(t, tup)
		})
	}
}

func TestUnpackEmptyValues(t *testing.T) {
	tup, err := Unpack(nil)
	require.NoError(t, err)
	require.NotNil(t, tup)
	require.Empty(t, tup)

	tup, err = Unpack(mustHex(t, "01000500"))
	require.NoError(t, err)
	require.NotNil(t, tup[0].([]byte))
	require.NotNil(t, tup[1].(Tuple))
}

func TestUnpackDoesNotAlias(t *testing.T) {
	in := Tuple{[]byte("ab"), []byte("a\x00b"), "s"}.Pack()
	tup, err := Unpack(in)
	require.NoError(t, err)
	for i := range in {
		in[i] = 0x42
	}
	require.Equal(t, Tuple{[]byte("ab"), []byte("a\x00b"), "s"}, tup)
}

func TestNestedNil(t *testing.T) {
	tests := []struct {
		tup Tuple
		hex string
	}{
		{Tuple{nil}, "00"},
		{Tuple{Tuple{nil}}, "0500ff00"},
		{Tuple{Tuple{nil, nil}, nil}, "0500ff00ff0000"},
		{Tuple{Tuple{Tuple{nil}}}, "050500ff0000"},
		{Tuple{Tuple{[]byte{0}, nil}}, "050100ff0000ff00"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.hex, packHex(t, tc.tup))
		back, err := Unpack(mustHex(t, tc.hex))
		require.NoError(t, err)
		require.True(t, tupleEqual(tc.tup, back), "%v != %v", back, tc.tup)
	}
}

func TestDeepNestingUnpack(t *testing.T) {
	const depth = 100_000
	in := append(bytes.Repeat([]byte{codeNested}, depth), bytes.Repeat([]byte{0x00}, depth)...)
	tup, err := Unpack(in)
	require.NoError(t, err)
	for range depth - 1 {
		require.Len(t, tup, 1)
		tup = tup[0].(Tuple)
	}
	_, err = Unpack(in[:len(in)-1])
	require.ErrorIs(t, err, ErrInvalidEncoding)
}

func TestFloatBitsSurvive(t *testing.T) {
	f32 := []float32{
		float32(math.Copysign(0, -1)), 0, math.Float32frombits(0x7fc00001), math.Float32frombits(0xffa00000),
		math.Float32frombits(0x7f800001), math.SmallestNonzeroFloat32, -math.MaxFloat32,
	}
	f64 := []float64{
		math.Copysign(0, -1), 0, math.NaN(), math.Float64frombits(0xfff8000000000001),
		math.Float64frombits(0x7ff0000000000001), math.SmallestNonzeroFloat64, -math.MaxFloat64,
	}
	for _, f := range f32 {
		back, err := Unpack(Tuple{f}.Pack())
		require.NoError(t, err)
		require.Equal(t, math.Float32bits(f), math.Float32bits(back[0].(float32)))
	}
	for _, f := range f64 {
		back, err := Unpack(Tuple{f}.Pack())
		require.NoError(t, err)
		require.Equal(t, math.Float64bits(f), math.Float64bits(back[0].(float64)))
	}
}

func TestInvalidUTF8String(t *testing.T) {
	// The Go binding stores and returns strings as raw bytes; so do we.
	s := "a\xff\xfe\x00z"
	require.Equal(t, "0261fffe00ff7a00", packHex(t, Tuple{s}))
	back, err := Unpack(mustHex(t, "0261fffe00ff7a00"))
	require.NoError(t, err)
	require.Equal(t, Tuple{s}, back)
}

func TestPackUnsupportedPanicsAndPackEErrs(t *testing.T) {
	x := 1
	tests := []struct {
		name string
		tup  Tuple
		want error
	}{
		{"struct", Tuple{struct{}{}}, ErrUnsupportedType},
		{"pointer", Tuple{&x}, ErrUnsupportedType},
		{"[]any is not a Tuple", Tuple{[]any{1}}, ErrUnsupportedType},
		{"uintptr", Tuple{uintptr(1)}, ErrUnsupportedType},
		{"nil *big.Int", Tuple{(*big.Int)(nil)}, ErrUnsupportedType},
		{"nested", Tuple{"ok", Tuple{1, map[string]int{}}}, ErrUnsupportedType},
		{"incomplete versionstamp", Tuple{IncompleteVersionstamp(1)}, ErrIncompleteVersionstamp},
		{"nested incomplete versionstamp", Tuple{Tuple{IncompleteVersionstamp(1)}}, ErrIncompleteVersionstamp},
		{"too large", Tuple{new(big.Int).Lsh(big.NewInt(1), 2040)}, ErrIntegerTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.tup.PackE()
			require.ErrorIs(t, err, tc.want)
			require.Nil(t, b)

			defer func() {
				r := recover()
				require.NotNil(t, r, "Pack must panic")
				perr, ok := r.(error)
				require.True(t, ok, "panic value %T is an error", r)
				require.ErrorIs(t, perr, tc.want)
			}()
			tc.tup.Pack()
		})
	}
	require.Panics(t, func() { tests[0].tup.Range() })
	require.Panics(t, func() { NewSubspace(nil, tests[0].tup) })
}

func TestPackWithVersionstamp(t *testing.T) {
	stamp := strings.Repeat("ff", 10)
	complete := Versionstamp{TransactionVersion: [10]byte{9: 1}, UserVersion: 3}
	tests := []struct {
		name   string
		prefix string // hex
		tup    Tuple
		want   string // hex, or "" with err
		err    error
	}{
		// FoundationDB's layout: code 0x33, ten 0xff bytes for the
		// transaction version, the big-endian user version, then the
		// placeholder's position as 4 little-endian bytes (here 4).
		{"spec key", "", Tuple{"a", IncompleteVersionstamp(5)}, "02610033" + stamp + "0005" + "04000000", nil},
		// The param of a SetVersionstampedValue holding only the stamp:
		// position 1, just after the type code.
		{"spec value", "", Tuple{IncompleteVersionstamp(0)}, "33" + stamp + "0000" + "01000000", nil},
		{"prefix counts", "706678", Tuple{IncompleteVersionstamp(0)}, "70667833" + stamp + "0000" + "04000000", nil},
		{"nested", "", Tuple{int64(1), Tuple{nil, IncompleteVersionstamp(7)}}, "1501" + "05" + "00ff" + "33" + stamp + "0007" + "00" + "06000000", nil},
		{"with a complete one", "", Tuple{complete, IncompleteVersionstamp(1)}, "3300000000000000000001" + "0003" + "33" + stamp + "0001" + "0e000000", nil},
		{"none", "", Tuple{"a", complete}, "", ErrNoIncompleteVersionstamp},
		{"empty", "", Tuple{}, "", ErrNoIncompleteVersionstamp},
		{"two", "", Tuple{IncompleteVersionstamp(1), IncompleteVersionstamp(2)}, "", ErrMultipleIncompleteVersionstamps},
		{"two, one nested", "", Tuple{IncompleteVersionstamp(1), Tuple{IncompleteVersionstamp(2)}}, "", ErrMultipleIncompleteVersionstamps},
		{"bad element errs, no panic", "", Tuple{IncompleteVersionstamp(1), struct{}{}}, "", ErrUnsupportedType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.tup.PackWithVersionstamp(mustHex(t, tc.prefix))
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				require.Nil(t, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, hex.EncodeToString(got))
			require.Equal(t, len(got), cap(got), "one exact allocation")
		})
	}
}

func TestHasIncompleteVersionstamp(t *testing.T) {
	tests := []struct {
		tup  Tuple
		want bool
		err  error
	}{
		{Tuple{}, false, nil},
		{Tuple{"a", Versionstamp{UserVersion: 1}}, false, nil},
		{Tuple{"a", IncompleteVersionstamp(1)}, true, nil},
		{Tuple{Tuple{Tuple{IncompleteVersionstamp(1)}}}, true, nil},
		{Tuple{struct{}{}, IncompleteVersionstamp(1)}, true, nil}, // other elements are not checked
		{Tuple{IncompleteVersionstamp(1), Tuple{IncompleteVersionstamp(1)}}, true, ErrMultipleIncompleteVersionstamps},
	}
	for _, tc := range tests {
		got, err := tc.tup.HasIncompleteVersionstamp()
		require.Equal(t, tc.want, got, "%v", tc.tup)
		if tc.err != nil {
			require.ErrorIs(t, err, tc.err)
		} else {
			require.NoError(t, err)
		}
	}
}

func TestVersionstampBytes(t *testing.T) {
	v := Versionstamp{TransactionVersion: [10]byte{0, 0, 0, 0, 0, 0, 3, 0xe8, 0, 1}, UserVersion: 7}
	require.Equal(t, "00000000000003e800010007", hex.EncodeToString(v.Bytes()))
	require.Equal(t, "33"+hex.EncodeToString(v.Bytes()), packHex(t, Tuple{v}))
}

func TestTupleRange(t *testing.T) {
	tup := Tuple{"a", int64(1)}
	begin, end := tup.Range()
	require.Equal(t, "0261001501"+"00", hex.EncodeToString(begin))
	require.Equal(t, "0261001501"+"ff", hex.EncodeToString(end))

	inside := []Tuple{{"a", int64(1), nil}, {"a", int64(1), "z"}, {"a", int64(1), Tuple{}}, {"a", int64(1), IncompleteVersionstamp(0)}}
	for _, in := range inside {
		k, _, err := pack(nil, in, stampsAny, 0)
		require.NoError(t, err)
		require.True(t, bytes.Compare(begin, k) <= 0 && bytes.Compare(k, end) < 0, "%v in range", in)
	}
	for _, out := range []Tuple{tup, {"a", int64(2)}, {"a", int64(0), "z"}, {"a"}} {
		k := out.Pack()
		require.False(t, bytes.Compare(begin, k) <= 0 && bytes.Compare(k, end) < 0, "%v outside range", out)
	}

	// begin and end do not share spare capacity.
	_ = append(begin, 0x42)
	require.Equal(t, byte(0xff), end[len(end)-1])
}

func TestString(t *testing.T) {
	u := UUID{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}
	tup := Tuple{nil, "a\"b", []byte("x\x00\"\\"), int64(-3), uint64(math.MaxUint64), bigInt(t, "0x1e0"),
		float32(1.5), 2.5, true, u, Tuple{nil}, IncompleteVersionstamp(2),
		Versionstamp{TransactionVersion: [10]byte{9: 1}, UserVersion: 3}}
	require.Equal(t, `(nil, "a\"b", b"x\x00\"\\", -3, 18446744073709551615, 480, 1.5, 2.5, true, `+
		`01234567-89ab-cdef-0123-456789abcdef, (nil), Versionstamp(incomplete, 2), Versionstamp(00000000000000000001, 3))`,
		tup.String())
}
