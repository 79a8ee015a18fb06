package selector

import (
	"bytes"
	"errors"
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func keys(ss ...string) SliceSource {
	out := make(SliceSource, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func TestConstructors(t *testing.T) {
	k := []byte("k")
	require.Equal(t, KeySelector{k, false, 1}, FirstGreaterOrEqual(k))
	require.Equal(t, KeySelector{k, true, 1}, FirstGreaterThan(k))
	require.Equal(t, KeySelector{k, true, 0}, LastLessOrEqual(k))
	require.Equal(t, KeySelector{k, false, 0}, LastLessThan(k))
}

func TestAdd(t *testing.T) {
	s := FirstGreaterOrEqual([]byte("k"))
	require.Equal(t, 3, s.Add(2).Offset)
	require.Equal(t, -1, s.Add(-2).Offset)
	require.Equal(t, 1, s.Offset, "Add must not modify its receiver")
	require.Equal(t, s, s.Add(0))
}

func TestString(t *testing.T) {
	for _, tc := range []struct {
		sel  KeySelector
		want string
	}{
		{FirstGreaterOrEqual([]byte("a")), `FirstGreaterOrEqual("a")`},
		{FirstGreaterThan([]byte("a")), `FirstGreaterThan("a")`},
		{LastLessOrEqual([]byte("a")), `LastLessOrEqual("a")`},
		{LastLessThan([]byte("a")), `LastLessThan("a")`},
		{FirstGreaterOrEqual([]byte("a")).Add(2), `FirstGreaterOrEqual("a")+2`},
		{LastLessThan([]byte("a\xff")).Add(-3), `LastLessThan("a\xff")-3`},
		{KeySelector{nil, true, -1}, `LastLessOrEqual("")-1`},
	} {
		require.Equal(t, tc.want, tc.sel.String())
	}
}

type resolveCase struct {
	name   string
	src    SliceSource
	sel    KeySelector
	maxKey string
	want   string
}

func runResolveCases(t *testing.T, cases []resolveCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Resolve(tc.src, tc.sel, []byte(tc.maxKey))
			require.NoError(t, err)
			require.NotNil(t, got)
			require.Equal(t, tc.want, string(got), "%v", tc.sel)
			require.Equal(t, tc.want, string(bruteResolve(tc.src, tc.sel, []byte(tc.maxKey))), "brute force disagrees with the table")
		})
	}
}

// TestResolveWorkedExamples resolves each constructor and some offsets over
// the database {b, d, f}, including running off either end.
func TestResolveWorkedExamples(t *testing.T) {
	bdf := keys("b", "d", "f")
	k := func(s string) []byte { return []byte(s) }
	runResolveCases(t, []resolveCase{
		{"FirstGreaterOrEqual(c)", bdf, FirstGreaterOrEqual(k("c")), "\xff", "d"},
		{"FirstGreaterOrEqual(d)", bdf, FirstGreaterOrEqual(k("d")), "\xff", "d"},
		{"FirstGreaterThan(d)", bdf, FirstGreaterThan(k("d")), "\xff", "f"},
		{"LastLessThan(d)", bdf, LastLessThan(k("d")), "\xff", "b"},
		{"LastLessOrEqual(d)", bdf, LastLessOrEqual(k("d")), "\xff", "d"},
		{"FirstGreaterOrEqual(c)+1", bdf, FirstGreaterOrEqual(k("c")).Add(1), "\xff", "f"},
		{"FirstGreaterOrEqual(c)+2", bdf, FirstGreaterOrEqual(k("c")).Add(2), "\xff", "\xff"},
		{"LastLessThan(b)", bdf, LastLessThan(k("b")), "\xff", ""},
		{"LastLessThan(d)-1", bdf, LastLessThan(k("d")).Add(-1), "\xff", ""},
		{"FirstGreaterThan(f)", bdf, FirstGreaterThan(k("f")), "\xff", "\xff"},
		{"LastLessOrEqual(z)-2", bdf, LastLessOrEqual(k("z")).Add(-2), "\xff", "b"},
	})
}

func TestResolveEdges(t *testing.T) {
	bdf := keys("b", "d", "f")
	empty := keys()
	k := func(s string) []byte { return []byte(s) }
	runResolveCases(t, []resolveCase{
		// Empty source: every selector runs off one end.
		{"empty/offset 1", empty, FirstGreaterOrEqual(k("a")), "\xff", "\xff"},
		{"empty/offset 0", empty, LastLessOrEqual(k("a")), "\xff", ""},
		{"empty/offset -1", empty, LastLessThan(k("a")).Add(-1), "\xff", ""},
		{"empty/offset 5", empty, FirstGreaterThan(nil).Add(4), "\xff", "\xff"},
		{"empty/nil key", empty, LastLessThan(nil), "\xff", ""},

		// Offsets 0, 1, -1 around a present key.
		{"offset 0 orEqual", bdf, KeySelector{k("d"), true, 0}, "\xff", "d"},
		{"offset 1 orEqual", bdf, KeySelector{k("d"), true, 1}, "\xff", "f"},
		{"offset -1 orEqual", bdf, KeySelector{k("d"), true, -1}, "\xff", "b"},
		{"offset 0", bdf, KeySelector{k("d"), false, 0}, "\xff", "b"},
		{"offset 1", bdf, KeySelector{k("d"), false, 1}, "\xff", "d"},
		{"offset -1", bdf, KeySelector{k("d"), false, -1}, "\xff", ""},
		{"offset 2 from absent key", bdf, KeySelector{k("c"), true, 2}, "\xff", "f"},

		// Offsets larger than the source.
		{"offset n", bdf, FirstGreaterOrEqual(nil).Add(2), "\xff", "f"},
		{"offset n+1", bdf, FirstGreaterOrEqual(nil).Add(3), "\xff", "\xff"},
		{"offset 100", bdf, FirstGreaterOrEqual(nil).Add(99), "\xff", "\xff"},
		{"offset -100", bdf, LastLessOrEqual(k("z")).Add(-100), "\xff", ""},
		{"offset -(n-1)", bdf, LastLessOrEqual(k("z")).Add(-2), "\xff", "b"},
		{"offset -n", bdf, LastLessOrEqual(k("z")).Add(-3), "\xff", ""},
		{"offset MinInt", bdf, KeySelector{k("z"), true, math.MinInt}, "\xff", ""},
		{"offset MaxInt", bdf, KeySelector{nil, false, math.MaxInt}, "\xff", "\xff"},

		// Keys before the first and after the last.
		{"before first/FirstGreaterOrEqual", bdf, FirstGreaterOrEqual(k("a")), "\xff", "b"},
		{"before first/FirstGreaterOrEqual empty", bdf, FirstGreaterOrEqual(nil), "\xff", "b"},
		{"before first/LastLessOrEqual", bdf, LastLessOrEqual(k("a")), "\xff", ""},
		{"before first/+1", bdf, FirstGreaterThan(k("a")).Add(1), "\xff", "d"},
		{"after last/LastLessThan", bdf, LastLessThan(k("z")), "\xff", "f"},
		{"after last/LastLessOrEqual", bdf, LastLessOrEqual(k("z")), "\xff", "f"},
		{"after last/FirstGreaterOrEqual", bdf, FirstGreaterOrEqual(k("z")), "\xff", "\xff"},
		{"after last/-1", bdf, LastLessThan(k("z")).Add(-1), "\xff", "d"},

		// A real empty key is indistinguishable from running off the start.
		{"real empty key", keys("", "a"), LastLessOrEqual(nil), "\xff", ""},
		{"real empty key +1", keys("", "a"), FirstGreaterOrEqual(nil).Add(1), "\xff", "a"},
	})
}

// TestResolveMaxKey checks that keys at or above maxKey are invisible, with
// keys in the system range [\xff, \xff\xff) present in the source.
func TestResolveMaxKey(t *testing.T) {
	src := keys("a", "m", "\xff", "\xff/x", "\xff\xfe", "\xff\xff", "\xff\xff/y")
	k := func(s string) []byte { return []byte(s) }
	runResolveCases(t, []resolveCase{
		// Ordinary transaction: maxKey \xff.
		{"xff/FirstGreaterThan(m)", src, FirstGreaterThan(k("m")), "\xff", "\xff"},
		{"xff/FirstGreaterOrEqual(xff)", src, FirstGreaterOrEqual(k("\xff")), "\xff", "\xff"},
		{"xff/FirstGreaterOrEqual(xff/)", src, FirstGreaterOrEqual(k("\xff/")), "\xff", "\xff"},
		{"xff/LastLessThan(xff)", src, LastLessThan(k("\xff")), "\xff", "m"},
		{"xff/LastLessOrEqual(xff)", src, LastLessOrEqual(k("\xff")), "\xff", "m"},
		{"xff/LastLessOrEqual(xffxff)", src, LastLessOrEqual(k("\xff\xff")), "\xff", "m"},
		{"xff/LastLessOrEqual(xffxff/z)-1", src, LastLessOrEqual(k("\xff\xff/z")).Add(-1), "\xff", "a"},
		{"xff/LastLessThan(xffxff)-2", src, LastLessThan(k("\xff\xff")).Add(-2), "\xff", ""},
		{"xff/FirstGreaterOrEqual(a)+1", src, FirstGreaterOrEqual(k("a")).Add(1), "\xff", "m"},
		{"xff/FirstGreaterOrEqual(a)+2", src, FirstGreaterOrEqual(k("a")).Add(2), "\xff", "\xff"},
		{"xff/FirstGreaterOrEqual(a)+3", src, FirstGreaterOrEqual(k("a")).Add(3), "\xff", "\xff"},

		// System-key access: maxKey \xff\xff.
		{"xffxff/FirstGreaterThan(m)", src, FirstGreaterThan(k("m")), "\xff\xff", "\xff"},
		{"xffxff/FirstGreaterThan(xff)", src, FirstGreaterThan(k("\xff")), "\xff\xff", "\xff/x"},
		{"xffxff/FirstGreaterThan(xffxfe)", src, FirstGreaterThan(k("\xff\xfe")), "\xff\xff", "\xff\xff"},
		{"xffxff/FirstGreaterOrEqual(xffxff)", src, FirstGreaterOrEqual(k("\xff\xff")), "\xff\xff", "\xff\xff"},
		{"xffxff/LastLessThan(xffxff)", src, LastLessThan(k("\xff\xff")), "\xff\xff", "\xff\xfe"},
		{"xffxff/LastLessOrEqual(xffxff)", src, LastLessOrEqual(k("\xff\xff")), "\xff\xff", "\xff\xfe"},
		{"xffxff/LastLessOrEqual(xffxff/y)", src, LastLessOrEqual(k("\xff\xff/y")), "\xff\xff", "\xff\xfe"},
		{"xffxff/LastLessOrEqual(xffxffxff)-3", src, LastLessOrEqual(k("\xff\xff\xff")).Add(-3), "\xff\xff", "m"},
		{"xffxff/LastLessThan(xff)", src, LastLessThan(k("\xff")), "\xff\xff", "m"},
		{"xffxff/LastLessOrEqual(xff)", src, LastLessOrEqual(k("\xff")), "\xff\xff", "\xff"},
		{"xffxff/FirstGreaterOrEqual(m)+3", src, FirstGreaterOrEqual(k("m")).Add(3), "\xff\xff", "\xff\xfe"},
		{"xffxff/FirstGreaterOrEqual(m)+4", src, FirstGreaterOrEqual(k("m")).Add(4), "\xff\xff", "\xff\xff"},
	})
}

// TestResolveOffTheStartIsNonNil pins the documented result for running off
// the start: a non-nil empty key, distinct from the nil of "no key".
func TestResolveOffTheStartIsNonNil(t *testing.T) {
	got, err := Resolve(keys("b"), LastLessThan([]byte("a")), []byte("\xff"))
	require.NoError(t, err)
	require.NotNil(t, got)
	require.Empty(t, got)
}

// bruteResolve applies FoundationDB's definition literally over the whole
// slice: i is the index of the last visible key < sel.Key (<= with OrEqual,
// -1 if none), t = i + sel.Offset; t < 0 gives "", t past the last key gives
// maxKey, otherwise the key at t.
func bruteResolve(src SliceSource, sel KeySelector, maxKey []byte) []byte {
	var visible [][]byte
	for _, k := range src {
		if bytes.Compare(k, maxKey) < 0 {
			visible = append(visible, k)
		}
	}
	i := -1
	for j, k := range visible {
		c := bytes.Compare(k, sel.Key)
		if c < 0 || (sel.OrEqual && c == 0) {
			i = j
		}
	}
	// Compare in int64-safe form: i+Offset may overflow for extreme offsets.
	switch {
	case sel.Offset < 0 && i+sel.Offset > i: // overflowed below
		return []byte{}
	case sel.Offset > 0 && i+sel.Offset < i: // overflowed above
		return maxKey
	}
	t := i + sel.Offset
	switch {
	case t < 0:
		return []byte{}
	case t >= len(visible):
		return maxKey
	default:
		return visible[t]
	}
}

func randomKey(r *rand.Rand) []byte {
	// A small alphabet with 0x00 and 0xff so that prefixes, equal keys and
	// the \xff / \xff\xff bounds are all exercised.
	alphabet := []byte{0x00, 0x01, 'a', 'b', 0xfe, 0xff}
	n := r.IntN(4)
	k := make([]byte, n)
	for i := range k {
		k[i] = alphabet[r.IntN(len(alphabet))]
	}
	return k
}

func TestResolveRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	maxKeys := [][]byte{[]byte("\xff"), []byte("\xff\xff"), []byte("b"), {}}
	for round := range 300 {
		var src SliceSource
		for range r.IntN(30) {
			src = append(src, randomKey(r))
		}
		slices.SortFunc(src, bytes.Compare)
		src = slices.CompactFunc(src, bytes.Equal)
		for range 50 {
			maxKey := maxKeys[r.IntN(len(maxKeys))]
			if r.IntN(4) == 0 {
				maxKey = randomKey(r)
			}
			sel := KeySelector{
				Key:     randomKey(r),
				OrEqual: r.IntN(2) == 0,
				Offset:  r.IntN(2*len(src)+7) - len(src) - 3,
			}
			want := bruteResolve(src, sel, maxKey)
			got, err := Resolve(src, sel, maxKey)
			require.NoError(t, err)
			require.NotNil(t, got)
			require.Equal(t, want, got, "round %d: keys %q, %v, maxKey %q", round, src, sel, maxKey)
		}
	}
}

// countingSource counts the keys its iterators yield.
type countingSource struct {
	Source
	yields int
}

func (c *countingSource) count(seq iter.Seq2[[]byte, error]) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		for k, err := range seq {
			c.yields++
			if !yield(k, err) {
				return
			}
		}
	}
}

func (c *countingSource) Ascend(from []byte, exclusive bool) iter.Seq2[[]byte, error] {
	return c.count(c.Source.Ascend(from, exclusive))
}

func (c *countingSource) Descend(from []byte, inclusive bool) iter.Seq2[[]byte, error] {
	return c.count(c.Source.Descend(from, inclusive))
}

func numberedKeys(n int) SliceSource {
	src := make(SliceSource, n)
	for i := range src {
		src[i] = fmt.Appendf(nil, "k%08d", i)
	}
	return src
}

// TestResolveCostFollowsOffset checks that Resolve pulls about |Offset| keys
// from the source, not the whole source.
func TestResolveCostFollowsOffset(t *testing.T) {
	src := numberedKeys(20000)
	maxKey := []byte("\xff")
	for _, tc := range []struct {
		name   string
		sel    KeySelector
		want   string
		yields int
	}{
		{"forward 10000", FirstGreaterOrEqual(src[0]).Add(9999), "k00009999", 10000},
		{"forward 1", FirstGreaterThan(src[5000]), "k00005001", 1},
		{"backward 10000", LastLessOrEqual(src[19999]).Add(-9999), "k00010000", 10000},
		{"backward 0", LastLessThan(src[5000]), "k00004999", 1},
		{"backward from beyond maxKey", LastLessOrEqual([]byte("\xff\xff")).Add(-9999), "k00010000", 10000},
		{"forward off the end", FirstGreaterOrEqual(src[19990]).Add(100), "\xff", 10},
		{"backward off the start", LastLessThan(src[10]).Add(-100), "", 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &countingSource{Source: src}
			got, err := Resolve(c, tc.sel, maxKey)
			require.NoError(t, err)
			require.Equal(t, tc.want, string(got))
			require.Equal(t, tc.yields, c.yields)
		})
	}
}

// failingSource yields good keys, then an error.
type failingSource struct {
	keys SliceSource
	err  error
}

func (f failingSource) seq(inner iter.Seq2[[]byte, error]) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		for k := range inner {
			if !yield(k, nil) {
				return
			}
		}
		yield(nil, f.err)
	}
}

func (f failingSource) Ascend(from []byte, exclusive bool) iter.Seq2[[]byte, error] {
	return f.seq(f.keys.Ascend(from, exclusive))
}

func (f failingSource) Descend(from []byte, inclusive bool) iter.Seq2[[]byte, error] {
	return f.seq(f.keys.Descend(from, inclusive))
}

func TestResolveSourceError(t *testing.T) {
	errBoom := errors.New("boom")
	src := failingSource{keys: keys("b", "d", "f"), err: errBoom}
	maxKey := []byte("\xff")

	// Answers found before the failure are returned.
	got, err := Resolve(src, FirstGreaterOrEqual([]byte("c")), maxKey)
	require.NoError(t, err)
	require.Equal(t, "d", string(got))
	got, err = Resolve(src, LastLessThan([]byte("e")), maxKey)
	require.NoError(t, err)
	require.Equal(t, "d", string(got))

	// Needing a key past the failure propagates the error, in both directions.
	for _, sel := range []KeySelector{
		FirstGreaterOrEqual([]byte("c")).Add(5),
		LastLessThan([]byte("e")).Add(-5),
		FirstGreaterOrEqual([]byte("z")),
		LastLessThan([]byte("a")),
	} {
		got, err := Resolve(src, sel, maxKey)
		require.ErrorIs(t, err, errBoom, "%v", sel)
		require.Nil(t, got)
	}
}

// TestResolveAllocs pins the allocation count: the walk state and its bound
// yield function, plus the source's own iterator closure.
func TestResolveAllocs(t *testing.T) {
	keys := numberedKeys(1000)
	var src Source = &keys
	maxKey := []byte("\xff")
	for _, sel := range []KeySelector{
		FirstGreaterOrEqual(keys[10]).Add(5),
		LastLessThan(keys[10]).Add(-5),
		LastLessThan(keys[0]),
	} {
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := Resolve(src, sel, maxKey); err != nil {
				t.Fatal(err)
			}
		})
		require.LessOrEqual(t, allocs, 3.0, "%v", sel)
	}
}

func TestSliceSource(t *testing.T) {
	src := keys("b", "d", "f")
	collect := func(seq iter.Seq2[[]byte, error]) []string {
		var out []string
		for k, err := range seq {
			require.NoError(t, err)
			out = append(out, string(k))
		}
		return out
	}
	require.Equal(t, []string{"d", "f"}, collect(src.Ascend([]byte("d"), false)))
	require.Equal(t, []string{"f"}, collect(src.Ascend([]byte("d"), true)))
	require.Equal(t, []string{"d", "f"}, collect(src.Ascend([]byte("c"), true)))
	require.Equal(t, []string{"b", "d", "f"}, collect(src.Ascend(nil, false)))
	require.Nil(t, collect(src.Ascend([]byte("g"), false)))
	require.Equal(t, []string{"b"}, collect(src.Descend([]byte("d"), false)))
	require.Equal(t, []string{"d", "b"}, collect(src.Descend([]byte("d"), true)))
	require.Equal(t, []string{"d", "b"}, collect(src.Descend([]byte("e"), false)))
	require.Equal(t, []string{"f", "d", "b"}, collect(src.Descend([]byte("z"), false)))
	require.Nil(t, collect(src.Descend([]byte("b"), false)))
	require.Nil(t, collect(src.Descend(nil, true)))
}

func BenchmarkResolve(b *testing.B) {
	const n = 1_000_000
	// A pointer in the interface, as kv's own source will be: boxing the
	// slice header would add an allocation per call that is not Resolve's.
	keys := numberedKeys(n)
	var src Source = &keys
	maxKey := []byte("\xff")
	for _, offset := range []int{1, 100} {
		for _, dir := range []string{"forward", "backward"} {
			b.Run(fmt.Sprintf("keys=1e6/offset=%d/%s", offset, dir), func(b *testing.B) {
				r := rand.New(rand.NewPCG(3, 4))
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					sel := FirstGreaterOrEqual(keys[r.IntN(n)]).Add(offset - 1)
					if dir == "backward" {
						sel = LastLessOrEqual(keys[r.IntN(n)]).Add(1 - offset)
					}
					if _, err := Resolve(src, sel, maxKey); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(offset), "keys/op")
			})
		}
	}
}

// FuzzResolve compares Resolve with the brute-force rule on key sets decoded
// from the fuzzer's bytes (keys separated by ',').
func FuzzResolve(f *testing.F) {
	f.Add([]byte("b,d,f"), []byte("c"), false, 1, []byte("\xff"))
	f.Add([]byte("b,d,f"), []byte("z"), true, -2, []byte("\xff"))
	f.Add([]byte("a,\xff,\xff\xff"), []byte("\xff\xff\xff"), true, 0, []byte("\xff\xff"))
	f.Add([]byte(""), []byte(""), false, 0, []byte(""))
	f.Fuzz(func(t *testing.T, set, key []byte, orEqual bool, offset int, maxKey []byte) {
		src := SliceSource(bytes.Split(set, []byte(",")))
		slices.SortFunc(src, bytes.Compare)
		src = slices.CompactFunc(src, bytes.Equal)
		sel := KeySelector{Key: key, OrEqual: orEqual, Offset: offset}
		got, err := Resolve(src, sel, maxKey)
		if err != nil {
			t.Fatal(err)
		}
		if want := bruteResolve(src, sel, maxKey); !bytes.Equal(got, want) || got == nil {
			t.Fatalf("keys %q, %v, maxKey %q: got %q, want %q", src, sel, maxKey, got, want)
		}
	})
}
