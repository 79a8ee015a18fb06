package tuple

import (
	"bytes"
	"cmp"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// The reference order below is written from FoundationDB's definition of tuple
// order, not from the encoding: elements compare by type rank first, then by
// value; a tuple that is a proper prefix of another sorts first.

// typeRank orders element types as their type codes do. All integer Go types
// share one rank; false and true are distinct types (codes 0x26, 0x27).
func typeRank(e any) int {
	switch e := e.(type) {
	case nil:
		return 0
	case []byte:
		return 1
	case string:
		return 2
	case Tuple:
		return 3
	case float32:
		return 5
	case float64:
		return 6
	case bool:
		if e {
			return 8
		}
		return 7
	case UUID:
		return 9
	case Versionstamp:
		return 10
	}
	if _, ok := toBig(e); ok {
		return 4
	}
	panic("typeRank: unsupported element")
}

func toBig(e any) (*big.Int, bool) {
	switch e := e.(type) {
	case *big.Int:
		return e, true
	case big.Int:
		return &e, true
	case uint:
		return new(big.Int).SetUint64(uint64(e)), true
	case uint8:
		return new(big.Int).SetUint64(uint64(e)), true
	case uint16:
		return new(big.Int).SetUint64(uint64(e)), true
	case uint32:
		return new(big.Int).SetUint64(uint64(e)), true
	case uint64:
		return new(big.Int).SetUint64(e), true
	case int:
		return big.NewInt(int64(e)), true
	case int8:
		return big.NewInt(int64(e)), true
	case int16:
		return big.NewInt(int64(e)), true
	case int32:
		return big.NewInt(int64(e)), true
	case int64:
		return big.NewInt(e), true
	}
	return nil, false
}

func compareTuples(a, b Tuple) int {
	for i := range min(len(a), len(b)) {
		if c := compareElems(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

func compareElems(a, b any) int {
	if c := cmp.Compare(typeRank(a), typeRank(b)); c != 0 {
		return c
	}
	switch a := a.(type) {
	case nil, bool:
		return 0
	case []byte:
		return bytes.Compare(a, b.([]byte))
	case string:
		return cmp.Compare(a, b.(string)) // byte order, which is code point order for UTF-8
	case Tuple:
		return compareTuples(a, b.(Tuple))
	case float32:
		bf := b.(float32)
		return totalOrder(float64(a), float64(bf), uint64(math.Float32bits(a)&^(1<<31)), uint64(math.Float32bits(bf)&^(1<<31)))
	case float64:
		bf := b.(float64)
		return totalOrder(a, bf, math.Float64bits(a)&^(1<<63), math.Float64bits(bf)&^(1<<63))
	case UUID:
		bu := b.(UUID)
		return bytes.Compare(a[:], bu[:])
	case Versionstamp:
		bv := b.(Versionstamp)
		if c := bytes.Compare(a.TransactionVersion[:], bv.TransactionVersion[:]); c != 0 {
			return c
		}
		return cmp.Compare(a.UserVersion, bv.UserVersion)
	}
	x, _ := toBig(a)
	y, _ := toBig(b)
	return x.Cmp(y)
}

// totalOrder is IEEE 754 totalOrder: -NaN < -Inf < … < -0 < +0 < … < +Inf <
// +NaN, NaNs of one sign ordered by payload (reversed when negative). The
// payloads are passed separately since float32 NaNs lose theirs in float64.
func totalOrder(a, b float64, payloadA, payloadB uint64) int {
	nanClass := func(f float64) int {
		switch {
		case !math.IsNaN(f):
			return 0
		case math.Signbit(f):
			return -1
		}
		return 1
	}
	na, nb := nanClass(a), nanClass(b)
	switch {
	case na != nb:
		return cmp.Compare(na, nb)
	case na != 0:
		return na * cmp.Compare(payloadA, payloadB)
	case a < b:
		return -1
	case a > b:
		return 1
	case math.Signbit(a) == math.Signbit(b):
		return 0
	case math.Signbit(a):
		return -1
	}
	return 1
}

// gen draws tuples from small alphabets so that equal elements, shared
// prefixes and type boundaries come up often.
type gen struct{ r *rand.Rand }

var intEdges = func() []*big.Int {
	var out []*big.Int
	for _, bitsN := range []uint{0, 7, 8, 15, 16, 31, 32, 56, 63, 64, 65, 72, 100, 2039} {
		p := new(big.Int).Lsh(big.NewInt(1), bitsN)
		for _, d := range []int64{-1, 0, 1} {
			v := new(big.Int).Add(p, big.NewInt(d))
			out = append(out, v, new(big.Int).Neg(v))
		}
	}
	return out
}()

func (g gen) integer() any {
	var v *big.Int
	switch g.r.IntN(3) {
	case 0:
		v = new(big.Int).Set(intEdges[g.r.IntN(len(intEdges))])
	case 1:
		v = big.NewInt(g.r.Int64N(600) - 300)
	default:
		v = big.NewInt(int64(g.r.Uint64()))
	}
	// Present the value as any Go type that can hold it.
	switch {
	case v.IsInt64():
		x := v.Int64()
		switch g.r.IntN(5) {
		case 0:
			return int(x)
		case 1:
			return v
		case 2:
			if x >= math.MinInt16 && x <= math.MaxInt16 {
				return int16(x)
			}
		case 3:
			if x >= 0 {
				return uint64(x)
			}
		}
		return x
	case v.IsUint64():
		if g.r.IntN(2) == 0 {
			return v
		}
		return v.Uint64()
	}
	return v
}

func (g gen) float32() float32 {
	switch g.r.IntN(4) {
	case 0:
		special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
			math.Float32frombits(0x7fc00000), math.Float32frombits(0xffc00000), math.Float32frombits(0x7f800001),
			math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, 1, -1}
		return special[g.r.IntN(len(special))]
	case 1:
		return math.Float32frombits(g.r.Uint32())
	}
	return float32(g.r.IntN(7) - 3)
}

func (g gen) float64() float64 {
	switch g.r.IntN(4) {
	case 0:
		special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
			math.Float64frombits(0xfff8000000000000), math.Float64frombits(0x7ff0000000000001),
			math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, 1, -1}
		return special[g.r.IntN(len(special))]
	case 1:
		return math.Float64frombits(g.r.Uint64())
	}
	return float64(g.r.IntN(7)-3) / 2
}

func (g gen) bytesFrom(alphabet []byte) []byte {
	b := make([]byte, g.r.IntN(4))
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return b
}

func (g gen) elem(depth int) any {
	switch g.r.IntN(12) {
	case 0:
		return nil
	case 1:
		return g.bytesFrom([]byte{0x00, 0x01, 'a', 0xfe, 0xff})
	case 2:
		parts := []string{"", "\x00", "a", "b", "é", "日", "😀", "\xff"}
		var s string
		for range g.r.IntN(3) {
			s += parts[g.r.IntN(len(parts))]
		}
		return s
	case 3:
		if depth >= 3 {
			return Tuple{}
		}
		return g.tuple(depth+1, 3)
	case 4, 5, 6:
		return g.integer()
	case 7:
		return g.float32()
	case 8:
		return g.float64()
	case 9:
		return g.r.IntN(2) == 0
	case 10:
		var u UUID
		copy(u[:], g.bytesFrom([]byte{0x00, 0x7f, 0xff}))
		u[15] = byte(g.r.IntN(3))
		return u
	}
	var v Versionstamp
	v.TransactionVersion[7] = byte(g.r.IntN(3))
	v.TransactionVersion[9] = byte(g.r.IntN(3))
	v.UserVersion = uint16(g.r.IntN(3))
	return v
}

func (g gen) tuple(depth, maxLen int) Tuple {
	t := make(Tuple, g.r.IntN(maxLen+1))
	for i := range t {
		t[i] = g.elem(depth)
	}
	return t
}

// related returns a tuple sharing a prefix with t, often differing in one
// element by a small step, so that comparisons go deep.
func (g gen) related(t Tuple) Tuple {
	k := g.r.IntN(len(t) + 1)
	out := append(Tuple{}, t[:k]...)
	if g.r.IntN(2) == 0 {
		out = append(out, g.elem(1))
	}
	return append(out, g.tuple(1, 2)...)
}

func sign(c int) int { return cmp.Compare(c, 0) }

func TestOrderMatchesReference(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(20240517, 1))}
	n := 50_000
	if testing.Short() {
		n = 5_000
	}
	for range n {
		a := g.tuple(0, 5)
		b := g.related(a)
		if g.r.IntN(4) == 0 {
			b = g.tuple(0, 5)
		}
		pa, pb := a.Pack(), b.Pack()
		want := compareTuples(a, b)
		require.Equal(t, want, sign(bytes.Compare(pa, pb)), "a=%v\nb=%v\npa=%x\npb=%x", a, b, pa, pb)
		require.Equal(t, -want, compareTuples(b, a), "reference comparator is antisymmetric")
	}
}

// TestOrderTable pins orders the random test reaches only by chance.
func TestOrderTable(t *testing.T) {
	nan32 := func(u uint32) float32 { return math.Float32frombits(u) }
	ordered := []Tuple{
		{},
		{nil},
		{nil, nil},
		{[]byte{}},
		{[]byte{0}},
		{[]byte{0}, nil},
		{[]byte{0, 0}},
		{[]byte{0, 0xff}},
		{[]byte{1}},
		{"", nil},
		{"a"},
		{Tuple{}},
		{Tuple{}, nil},
		{Tuple{nil}},
		{Tuple{nil}, nil},
		{Tuple{nil, nil}},
		{Tuple{[]byte{}}},
		{Tuple{int64(0)}},
		{new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), 2039))},
		{bigInt(t, "-0x10000000000000000")},
		{bigInt(t, "-0xffffffffffffffff")},
		{bigInt(t, "-0x8000000000000001")},
		{int64(math.MinInt64)},
		{int32(-1)},
		{uint8(0)},
		{int8(1)},
		{uint64(math.MaxInt64)},
		{uint64(1 << 63)},
		{uint64(math.MaxUint64)},
		{bigInt(t, "0x10000000000000000")},
		{nan32(0xffc00001)},
		{nan32(0xffc00000)},
		{float32(math.Inf(-1))},
		{float32(math.Copysign(0, -1))},
		{float32(0)},
		{float32(math.Inf(1))},
		{nan32(0x7fc00000)},
		{nan32(0x7fc00001)},
		{math.Inf(-1)},
		{math.Copysign(0, -1)},
		{0.0},
		{false},
		{true},
		{UUID{}},
		{UUID{15: 1}},
		{Versionstamp{}},
		{Versionstamp{UserVersion: 1}},
		{Versionstamp{TransactionVersion: [10]byte{9: 1}}},
		{IncompleteVersionstamp(0)},
	}
	var prev []byte
	for i, tup := range ordered {
		p, _, err := pack(nil, tup, stampsAny, 0)
		require.NoError(t, err)
		if i > 0 {
			require.Negative(t, bytes.Compare(prev, p), "%v < %v", ordered[i-1], tup)
			require.Equal(t, -1, compareTuples(ordered[i-1], tup), "reference: %v < %v", ordered[i-1], tup)
		}
		prev = p
	}
}
