package tuple

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// The known-answer vectors are FoundationDB's own encodings, kept in
// testdata/ (see testdata/README.md). A missing or unreadable file fails the
// test: skipping would let byte compatibility go untested.
const vectorDir = "testdata"

// vectorElem is one typed element as the vector files spell it.
type vectorElem struct {
	Type        string          `json:"type"`
	Hex         string          `json:"hex"`
	Value       json.RawMessage `json:"value"`
	Bits        string          `json:"bits"`
	UserVersion uint16          `json:"user_version"`
	Elements    []vectorElem    `json:"elements"`
}

type tupleVector struct {
	Name      string       `json:"name"`
	Tuple     []vectorElem `json:"tuple"`
	PackedHex string       `json:"packed_hex"`
}

type invalidVector struct {
	Name string `json:"name"`
	Hex  string `json:"hex"`
}

func loadJSON(tb testing.TB, name string, v any) {
	tb.Helper()
	path := filepath.Join(vectorDir, name)
	data, err := os.ReadFile(path)
	require.NoError(tb, err, "reading known-answer vectors")
	require.NoError(tb, json.Unmarshal(data, v), "parsing %s", path)
}

func loadTupleVectors(tb testing.TB, name string) []tupleVector {
	tb.Helper()
	var vs []tupleVector
	loadJSON(tb, name, &vs)
	require.NotEmpty(tb, vs, name)
	return vs
}

func loadInvalidVectors(tb testing.TB) []invalidVector {
	tb.Helper()
	var vs []invalidVector
	loadJSON(tb, "tuple-invalid.json", &vs)
	require.NotEmpty(tb, vs)
	return vs
}

func mustHex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(tb, err, "hex %q", s)
	return b
}

// toTuple builds the Go value a vector denotes, in the types Unpack returns.
func toTuple(tb testing.TB, elems []vectorElem) Tuple {
	tb.Helper()
	t := make(Tuple, 0, len(elems))
	for _, e := range elems {
		t = append(t, toElem(tb, e))
	}
	return t
}

func toElem(tb testing.TB, e vectorElem) any {
	tb.Helper()
	switch e.Type {
	case "null":
		return nil
	case "bytes":
		return mustHex(tb, e.Hex)
	case "string":
		var s string
		require.NoError(tb, json.Unmarshal(e.Value, &s))
		return s
	case "int":
		var s string
		require.NoError(tb, json.Unmarshal(e.Value, &s))
		v, ok := new(big.Int).SetString(s, 10)
		require.True(tb, ok, "int %q", s)
		return canonicalInt(v)
	case "float32":
		u, err := strconv.ParseUint(e.Bits, 16, 32)
		require.NoError(tb, err)
		return math.Float32frombits(uint32(u))
	case "float64":
		u, err := strconv.ParseUint(e.Bits, 16, 64)
		require.NoError(tb, err)
		return math.Float64frombits(u)
	case "bool":
		var b bool
		require.NoError(tb, json.Unmarshal(e.Value, &b))
		return b
	case "uuid":
		var u UUID
		require.Equal(tb, len(u), copy(u[:], mustHex(tb, e.Hex)))
		return u
	case "versionstamp":
		v := Versionstamp{UserVersion: e.UserVersion}
		require.Equal(tb, len(v.TransactionVersion), copy(v.TransactionVersion[:], mustHex(tb, e.Hex)))
		return v
	case "tuple":
		return toTuple(tb, e.Elements)
	}
	tb.Fatalf("unknown vector element type %q", e.Type)
	return nil
}

// tupleEqual is a strict deep equality: same Go types, *big.Int by value,
// floats by bits (so NaN equals itself and -0 differs from +0).
func tupleEqual(a, b Tuple) bool {
	if len(a) != len(b) || (a == nil) != (b == nil) {
		return false
	}
	for i := range a {
		if !elemEqual(a[i], b[i]) {
			return false
		}
	}
	return true
}

func elemEqual(a, b any) bool {
	if fmt.Sprintf("%T", a) != fmt.Sprintf("%T", b) {
		return false
	}
	switch a := a.(type) {
	case Tuple:
		return tupleEqual(a, b.(Tuple))
	case []byte:
		bb := b.([]byte)
		return bytes.Equal(a, bb) && (a == nil) == (bb == nil)
	case *big.Int:
		return a.Cmp(b.(*big.Int)) == 0
	case float32:
		return math.Float32bits(a) == math.Float32bits(b.(float32))
	case float64:
		return math.Float64bits(a) == math.Float64bits(b.(float64))
	}
	return a == b
}

func TestVectorsPackAndUnpack(t *testing.T) {
	for _, v := range loadTupleVectors(t, "tuple.json") {
		t.Run(v.Name, func(t *testing.T) {
			tup := toTuple(t, v.Tuple)
			want := mustHex(t, v.PackedHex)

			got, err := tup.PackE()
			require.NoError(t, err)
			require.Equal(t, hex.EncodeToString(want), hex.EncodeToString(got), "pack %v", tup)
			require.Equal(t, len(got), cap(got), "Pack sizes its buffer exactly")

			back, err := Unpack(want)
			require.NoError(t, err)
			require.True(t, tupleEqual(tup, back), "unpack: got %v, want %v", back, tup)
		})
	}
}

func TestVectorsOrder(t *testing.T) {
	vs := loadTupleVectors(t, "tuple-order.json")
	var prev []byte
	var prevTuple Tuple
	for i, v := range vs {
		tup := toTuple(t, v.Tuple)
		got := tup.Pack()
		require.Equal(t, v.PackedHex, hex.EncodeToString(got), "vector %d %v", i, tup)
		if i > 0 {
			require.Negative(t, bytes.Compare(prev, got), "vector %d %v must sort after %v", i, tup, prevTuple)
			// The reference comparator of order_test.go must agree with FDB's listed order.
			require.Equal(t, -1, compareTuples(prevTuple, tup), "reference order of %v < %v", prevTuple, tup)
		}
		prev, prevTuple = got, tup
	}
}

func TestVectorsInvalid(t *testing.T) {
	for _, v := range loadInvalidVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			var (
				tup Tuple
				err error
			)
			require.NotPanics(t, func() { tup, err = Unpack(mustHex(t, v.Hex)) })
			require.ErrorIs(t, err, ErrInvalidEncoding)
			require.Nil(t, tup)
		})
	}
}
