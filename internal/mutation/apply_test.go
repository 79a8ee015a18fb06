package mutation

import (
	"bytes"
	"encoding/hex"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// h parses space-separated hex; h("") is a present empty value (non-nil).
func h(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	if b == nil {
		b = []byte{}
	}
	return b
}

// absent marks a missing existing value in the tables.
var absent []byte

type applyCase struct {
	e, p    []byte // e == nil: the key is absent
	want    []byte // nil: the key ends cleared / absent
	comment string
}

func runApply(t *testing.T, op Type, cases []applyCase) {
	t.Helper()
	for _, tc := range cases {
		name := op.String() + "/" + hex.EncodeToString(tc.e) + "+" + hex.EncodeToString(tc.p)
		if tc.e == nil {
			name = op.String() + "/absent+" + hex.EncodeToString(tc.p)
		}
		t.Run(name, func(t *testing.T) {
			e, p := slices.Clone(tc.e), slices.Clone(tc.p)
			got, present := Apply(op, tc.e, tc.e != nil, tc.p)
			require.Equal(t, e, tc.e, "existing modified")
			require.Equal(t, p, tc.p, "param modified")
			if tc.want == nil {
				require.False(t, present, "want cleared, got %x (%s)", got, tc.comment)
				require.Nil(t, got)
				return
			}
			require.True(t, present, tc.comment)
			require.NotNil(t, got, "a present value must be non-nil")
			require.Equal(t, tc.want, got, tc.comment)
		})
	}
}

func TestAdd(t *testing.T) {
	runApply(t, Add, []applyCase{
		// FoundationDB's doLittleEndianAdd (fdbclient/include/fdbclient/Atomic.h):
		// E cut or zero-padded to len(P), added to P byte by byte with the
		// carry, the last carry dropped; an absent or empty E gives P.
		{h("01 00"), h("01 00"), h("02 00"), ""},
		{h("ff 00"), h("01 00"), h("00 01"), "carry"},
		{h("ff ff"), h("01 00"), h("00 00"), "wraps"},
		{h("fe ff ff ff"), h("03 00 00 00"), h("01 00 00 00"), "-2 + 3"},
		{absent, h("05 00 00 00"), h("05 00 00 00"), ""},
		{h("01 02 03"), h("ff"), h("00"), "E truncated"},
		{h("ff"), h("01 00"), h("00 01"), "E extended"},
		{h("10 20 30 40"), h("00 01"), h("10 21"), ""},
		{h("05"), h(""), h(""), "empty P"},
		// Extra.
		{h("ff ff ff 00"), h("01 00 00 00"), h("00 00 00 01"), "carry across three bytes"},
		{h("ff ff ff ff"), h("ff ff ff ff"), h("fe ff ff ff"), "-1 + -1"},
		{h("ff"), h("01 00 00"), h("00 01 00"), "carry into zero-extension"},
		{h("ff ff 00"), h("01"), h("00"), "E truncated before the carry"},
		{h(""), h("07 00"), h("07 00"), "present empty E is zero"},
		{absent, h(""), h(""), "absent, empty P"},
		{h(""), h(""), h(""), ""},
		{h("01 00 00 00 00 00 00 00"), h("ff ff ff ff ff ff ff ff"), h("00 00 00 00 00 00 00 00"), "1 + -1 as int64"},
	})
}

func TestBitAnd(t *testing.T) {
	runApply(t, BitAnd, []applyCase{
		// FoundationDB's doAndV2: an absent E gives P; otherwise E & P over
		// the common length, zeros past E's end, len(P) bytes.
		{h("f0 0f"), h("ff 00"), h("f0 00"), ""},
		{absent, h("0f"), h("0f"), "AndV2: absent yields P"},
		{h(""), h("0f ff"), h("00 00"), "present empty E is zero"},
		{h("ff"), h("0f ff"), h("0f 00"), "E extended with zeros"},
		{h("ff ff ff"), h("0f"), h("0f"), "E truncated"},
		{h("ab"), h(""), h(""), "empty P"},
		// Extra.
		{absent, h(""), h(""), ""},
		{h(""), h(""), h(""), ""},
		{h("12 34"), h("ff ff"), h("12 34"), ""},
	})
}

func TestBitOr(t *testing.T) {
	runApply(t, BitOr, []applyCase{
		// FoundationDB's doOr: an absent or empty E gives P; otherwise E | P
		// over the common length, then P's tail.
		{h("01 10"), h("02 20"), h("03 30"), ""},
		{absent, h("0f"), h("0f"), ""},
		{h("f0"), h("01 02"), h("f1 02"), "P's tail"},
		{h("01 02 03"), h("10"), h("11"), "E truncated"},
		// Extra.
		{h(""), h("0f"), h("0f"), "present empty E"},
		{h("ff"), h(""), h(""), "empty P"},
		{absent, h(""), h(""), ""},
	})
}

func TestBitXor(t *testing.T) {
	runApply(t, BitXor, []applyCase{
		// FoundationDB's doXor: as doOr, with ^.
		{h("ff 00"), h("0f 0f"), h("f0 0f"), ""},
		{absent, h("aa"), h("aa"), ""},
		{h("01"), h("01 01"), h("00 01"), "P's tail"},
		{h("01 02 03"), h("01"), h("00"), "E truncated"},
		// Extra.
		{h(""), h("aa"), h("aa"), "present empty E"},
		{h("ff"), h(""), h(""), "empty P"},
		{h("5a 5a"), h("5a 5a"), h("00 00"), ""},
	})
}

func TestAppendIfFits(t *testing.T) {
	x := func(n int) []byte { return bytes.Repeat([]byte{'x'}, n) }
	runApply(t, AppendIfFits, []applyCase{
		// FoundationDB's doAppendIfFits: E followed by P, or E unchanged,
		// silently, when that would pass the 100,000-byte value limit.
		{[]byte("ab"), []byte("cd"), []byte("abcd"), ""},
		{absent, h("78"), h("78"), ""},
		{[]byte("ab"), h(""), []byte("ab"), "empty P"},
		{x(99999), h("62 63"), x(99999), "would be 100,001: unchanged"},
		{x(99998), h("62 63"), append(x(99998), 0x62, 0x63), "fits exactly"},
		// Extra.
		{absent, h(""), h(""), "absent, empty P: created empty"},
		{h(""), h(""), h(""), ""},
		{h(""), []byte("p"), []byte("p"), "present empty E"},
		{x(99999), []byte("y"), append(x(99999), 'y'), "100,000 exactly"},
		{x(100000), []byte("y"), x(100000), "already full"},
		{x(50000), x(50001), x(50000), "100,001 from halves"},
		{x(50000), x(50000), x(100000), "100,000 from halves"},
		{absent, x(100001), x(100001), "an oversize P alone is kv's size check, not Apply's"},
	})
}

func TestMax(t *testing.T) {
	runApply(t, Max, []applyCase{
		// FoundationDB's doMax: the larger of E (cut or zero-padded to
		// len(P)) and P as unsigned little-endian integers, len(P) bytes.
		{h("05 00"), h("04 01"), h("04 01"), "5 < 260"},
		{h("05 01"), h("04 01"), h("05 01"), "261 > 260"},
		{absent, h("03 00"), h("03 00"), ""},
		{h("01 02 03"), h("05 00"), h("01 02"), "E truncated to 513 > 5"},
		{h("09"), h("05 00"), h("09 00"), "E extended"},
		{h("09"), h("05 01"), h("05 01"), ""},
		// Extra.
		{h(""), h("03 00"), h("03 00"), "present empty E yields P"},
		{h("09"), h(""), h(""), "empty P"},
		{absent, h(""), h(""), ""},
		{h("07 07"), h("07 07"), h("07 07"), "equal"},
		{h("ff ff 01"), h("00 00 00 00"), h("ff ff 01 00"), "E extended wins"},
		{h("00 00 00 01"), h("ff ff"), h("ff ff"), "E's high byte truncated away"},
		{h("00 00"), h("00 00"), h("00 00"), ""},
	})
}

func TestMin(t *testing.T) {
	runApply(t, Min, []applyCase{
		// FoundationDB's doMinV2: an absent E gives P; otherwise the smaller
		// of E (cut or zero-padded, so a present empty E is zero) and P.
		{h("05 00"), h("04 01"), h("05 00"), ""},
		{h("05 01"), h("04 01"), h("04 01"), ""},
		{absent, h("03 00"), h("03 00"), "MinV2: absent yields P"},
		{h(""), h("03 00"), h("00 00"), "present empty E is zero"},
		{h("01 02 03"), h("05 00"), h("05 00"), "E truncated to 513 > 5"},
		{h("09"), h("05 01"), h("09 00"), "E extended"},
		// Extra.
		{h("09"), h(""), h(""), "empty P"},
		{absent, h(""), h(""), ""},
		{h(""), h(""), h(""), ""},
		{h(""), h("00 00"), h("00 00"), "zero P"},
		{h("07 07"), h("07 07"), h("07 07"), "equal"},
		{h("ff ff ff"), h("01 00"), h("01 00"), "E truncated to 65535"},
		{h("01"), h("00 00 01"), h("01 00 00"), "E extended wins"},
	})
}

func TestByteMin(t *testing.T) {
	runApply(t, ByteMin, []applyCase{
		// FoundationDB's doByteMin: an absent E gives P; otherwise the
		// smaller of E and P in plain byte order, lengths untouched.
		{[]byte("abc"), []byte("abd"), []byte("abc"), ""},
		{[]byte("abc"), []byte("ab"), []byte("ab"), "a prefix sorts first"},
		{absent, []byte("zz"), []byte("zz"), ""},
		{[]byte("b"), h(""), h(""), ""},
		// Extra.
		{absent, h(""), h(""), "absent, empty P: created empty"},
		{h(""), []byte("a"), h(""), "present empty E"},
		{[]byte("same"), []byte("same"), []byte("same"), ""},
		{h("ff"), h("00 ff ff"), h("00 ff ff"), "not numeric"},
	})
}

func TestByteMax(t *testing.T) {
	runApply(t, ByteMax, []applyCase{
		// FoundationDB's doByteMax: as doByteMin, keeping the larger.
		{[]byte("abc"), []byte("abd"), []byte("abd"), ""},
		{[]byte("abc"), []byte("ab"), []byte("abc"), ""},
		{[]byte("b"), h(""), []byte("b"), ""},
		{absent, h(""), h(""), "key created, empty"},
		// Extra.
		{absent, []byte("zz"), []byte("zz"), ""},
		{h(""), h(""), h(""), ""},
		{[]byte("same"), []byte("same"), []byte("same"), ""},
		{h("ff"), h("00 ff ff"), h("ff"), "not numeric"},
	})
}

func TestCompareAndClear(t *testing.T) {
	runApply(t, CompareAndClear, []applyCase{
		// FoundationDB's doCompareAndClear: the key is cleared when E is
		// present and equal to P byte for byte, left alone otherwise.
		{h("00 00"), h("00 00"), nil, "cleared"},
		{h("01"), h("00"), h("01"), ""},
		{absent, h("78"), nil, "absent stays absent"},
		{h(""), h(""), nil, "cleared"},
		{h("61"), h(""), h("61"), ""},
		// Extra.
		{absent, h(""), nil, "absent stays absent, even for an empty P"},
		{h("00 00"), h("00"), h("00 00"), "no numeric normalisation"},
		{h("00"), h("00 00"), h("00"), ""},
	})
}

func TestCounterIdiom(t *testing.T) {
	// Add(-1) then CompareAndClear(0) in one transaction: decrement and
	// delete at zero, without a read.
	v, present := Apply(Add, h("01 00 00 00"), true, h("ff ff ff ff"))
	require.True(t, present)
	require.Equal(t, h("00 00 00 00"), v)
	v, present = Apply(CompareAndClear, v, present, h("00 00 00 00"))
	require.False(t, present)
	require.Nil(t, v)
}

func TestVersionstampTypesNotEvaluated(t *testing.T) {
	for _, op := range []Type{SetVersionstampedKey, SetVersionstampedValue} {
		p := h("76 00 00 00 00 00 00 00 00 00 00 01 00 00 00")
		got, present := Apply(op, h("01"), true, p)
		require.True(t, present)
		require.Equal(t, p, got)
		got, present = Apply(op, absent, false, nil)
		require.True(t, present)
		require.NotNil(t, got)
	}
}

func TestApplyInvalidTypePanics(t *testing.T) {
	for _, op := range []Type{0, 1, 3, 18, 19, 21, 255} {
		require.False(t, op.Valid())
		require.Panics(t, func() { Apply(op, nil, false, h("01")) }, "%v", op)
	}
}

func TestTypeString(t *testing.T) {
	require.Equal(t, "Add", Add.String())
	require.Equal(t, "BitAnd", BitAnd.String())
	require.Equal(t, "CompareAndClear", CompareAndClear.String())
	require.Equal(t, "SetVersionstampedValue", SetVersionstampedValue.String())
	require.Equal(t, "Type(19)", Type(19).String())
	valid := 0
	for op := range 256 {
		if Type(op).Valid() {
			valid++
		}
	}
	require.Equal(t, len(allTypes), valid)
	for _, op := range allTypes {
		require.True(t, op.Valid(), "%d", op)
	}
}

// TestResultMayAliasButNeverLeaks checks the documented aliasing: appending
// to a result that shares memory with existing never writes into existing.
func TestResultMayAliasButNeverLeaks(t *testing.T) {
	backing := h("09 09 09 09 00 00")
	e := backing[:4] // spare capacity behind it
	got, _ := Apply(Max, e, true, h("01 00"))
	require.Equal(t, h("09 09"), got)
	_ = append(got, 0xee)
	require.Equal(t, h("09 09 09 09 00 00"), backing)
}

var allTypes = []Type{Add, BitAnd, BitOr, BitXor, AppendIfFits, Max, Min,
	SetVersionstampedKey, SetVersionstampedValue, ByteMin, ByteMax, CompareAndClear}

func isNumeric(op Type) bool {
	switch op {
	case Add, BitAnd, BitOr, BitXor, Max, Min:
		return true
	}
	return false
}

// leInt reads b, truncated or zero-extended to n bytes, as an unsigned
// little-endian integer.
func leInt(b []byte, n int) *big.Int {
	be := make([]byte, n)
	for i := 0; i < n && i < len(b); i++ {
		be[n-1-i] = b[i]
	}
	return new(big.Int).SetBytes(be)
}

func leBytes(x *big.Int, n int) []byte {
	mod := new(big.Int).Lsh(big.NewInt(1), uint(8*n))
	be := new(big.Int).Mod(x, mod).FillBytes(make([]byte, n))
	slices.Reverse(be)
	return be
}

// modelNumeric is an independent model of Add, Max and Min as arithmetic on
// unsigned integers of len(p) bytes, for present non-empty e and non-empty p.
func modelNumeric(op Type, e, p []byte) []byte {
	n := len(p)
	a, b := leInt(e, n), leInt(p, n)
	switch op {
	case Add:
		return leBytes(new(big.Int).Add(a, b), n)
	case Max:
		if a.Cmp(b) > 0 {
			return leBytes(a, n)
		}
		return p
	case Min:
		if a.Cmp(b) < 0 {
			return leBytes(a, n)
		}
		return p
	}
	panic("not modelled")
}

// checkApply asserts the properties every Apply call keeps; it is shared by
// the randomized test and the fuzz target.
func checkApply(t *testing.T, op Type, e []byte, exists bool, p []byte) {
	t.Helper()
	e0, p0 := slices.Clone(e), slices.Clone(p)
	got, present := Apply(op, e, exists, p)
	if !bytes.Equal(e, e0) || !bytes.Equal(p, p0) {
		t.Fatalf("%v modified its inputs", op)
	}
	if present != (op != CompareAndClear || (exists && !bytes.Equal(e, p))) {
		t.Fatalf("%v(%x, %v, %x): present %v", op, e, exists, p, present)
	}
	if present && got == nil {
		t.Fatalf("%v: present value is nil", op)
	}
	if isNumeric(op) && len(got) != len(p) {
		t.Fatalf("%v(%x, %x): result %x has %d bytes, want %d", op, e, p, got, len(got), len(p))
	}
	if (op == Add || op == Max || op == Min) && exists && len(e) > 0 && len(p) > 0 {
		if want := modelNumeric(op, e, p); !bytes.Equal(got, want) {
			t.Fatalf("%v(%x, %x) = %x, model says %x", op, e, p, got, want)
		}
	}
	if op == AppendIfFits && exists && len(e) > 0 && len(p) > 0 {
		want := e
		if len(e)+len(p) <= MaxValueSize {
			want = append(slices.Clone(e), p...)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("AppendIfFits: got %d bytes, want %d", len(got), len(want))
		}
	}
}

func randomBytes(r *rand.Rand) []byte {
	b := make([]byte, r.IntN(10))
	for i := range b {
		// Bias towards 0x00 and 0xff so carries and ties happen.
		switch r.IntN(3) {
		case 0:
			b[i] = 0
		case 1:
			b[i] = 0xff
		default:
			b[i] = byte(r.Uint32())
		}
	}
	return b
}

func TestApplyRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		op := allTypes[r.IntN(len(allTypes))]
		e, p := randomBytes(r), randomBytes(r)
		checkApply(t, op, e, r.IntN(4) != 0, p)
	}
}

func FuzzApply(f *testing.F) {
	seeds := []struct{ e, p string }{
		{"01 00", "01 00"}, {"ff ff", "01 00"}, {"fe ff ff ff", "03 00 00 00"},
		{"01 02 03", "ff"}, {"f0 0f", "ff 00"}, {"", "0f ff"}, {"05 01", "04 01"},
		{"09", "05 00"}, {"00 00", "00 00"}, {"", ""},
	}
	for _, s := range seeds {
		for _, op := range allTypes {
			f.Add(uint8(op), h(s.e), true, h(s.p))
			f.Add(uint8(op), h(s.e), false, h(s.p))
		}
	}
	f.Fuzz(func(t *testing.T, op uint8, e []byte, exists bool, p []byte) {
		if !Type(op).Valid() {
			op = uint8(allTypes[int(op)%len(allTypes)])
		}
		checkApply(t, Type(op), e, exists, p)
	})
}

func BenchmarkApply(b *testing.B) {
	e, p := h("ff ff ff 00 00 00 00 00"), h("01 00 00 00 00 00 00 00")
	for _, op := range []Type{Add, BitAnd, Max, ByteMax, CompareAndClear} {
		b.Run(op.String()+"/8B", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				Apply(op, e, true, p)
			}
		})
	}
}
