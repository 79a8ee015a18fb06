package kv

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plinthdb/plinth/selector"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
)

// Tests of key selector resolution (GetKey, SelectorRange reads, Iterate)
// and of the read conflict ranges they add. Expected answers come from worked
// examples of FoundationDB's rules (a selector finds the last key < Key, or
// <= Key with OrEqual, then steps Offset keys; a read covers what its answer
// depended on, less what the transaction wrote itself) and from a
// brute-force resolver over a sorted slice of the transaction's view. Every
// helper is prefixed gk to keep clear of other test files in the package.

// ---------------------------------------------------------------------------
// Brute-force reference

// gkSpan is a half-open key range [b, e) in string form.
type gkSpan struct{ b, e string }

func (s gkSpan) String() string { return fmt.Sprintf("[%q, %q)", s.b, s.e) }

func (s gkSpan) has(k string) bool { return s.b <= k && k < s.e }

// gkModel is a transaction's view in brute-force form: the committed keys
// with the transaction's pending writes applied, and the pieces of the key
// space those writes fixed independently (set or cleared, so reads there add
// no read conflict).
type gkModel struct {
	view  map[string]string
	holes []gkSpan
	dep   map[string]bool // keys with atomic ops over a database value
}

func gkNewModel(committed map[string]string) *gkModel {
	m := &gkModel{view: map[string]string{}, dep: map[string]bool{}}
	for k, v := range committed {
		m.view[k] = v
	}
	return m
}

func (m *gkModel) set(k, v string) {
	m.view[k] = v
	m.holes = append(m.holes, gkSpan{k, k + "\x00"})
}

func (m *gkModel) clear(k string) {
	delete(m.view, k)
	m.holes = append(m.holes, gkSpan{k, k + "\x00"})
}

func (m *gkModel) clearRange(b, e string) {
	for k := range m.view {
		if b <= k && k < e {
			delete(m.view, k)
		}
	}
	if b < e {
		m.holes = append(m.holes, gkSpan{b, e})
	}
}

// byteMax applies ByteMax(k, p) to the view; compareAndClear
// CompareAndClear(k, p): ByteMax keeps the larger of the value and p in
// plain byte order (p alone over an absent key), CompareAndClear clears a
// present value equal to p. Over a key whose value the transaction fixed
// itself the result is known; otherwise it depends on the database value, so
// the key stays a dependency of later reads.
func (m *gkModel) byteMax(k, p string) {
	if v, ok := m.view[k]; !ok || p > v {
		m.view[k] = p
	}
	m.atomic(k)
}

func (m *gkModel) compareAndClear(k, p string) {
	if v, ok := m.view[k]; ok && v == p {
		delete(m.view, k)
	}
	m.atomic(k)
}

func (m *gkModel) atomic(k string) {
	if !m.own(k) {
		m.dep[k] = true
	}
}

func (m *gkModel) own(k string) bool {
	for _, h := range m.holes {
		if h.has(k) {
			return true
		}
	}
	return false
}

// visible returns the view's keys below maxKey, ascending.
func (m *gkModel) visible(maxKey string) []string {
	return gkVisible(m.view, maxKey)
}

func gkVisible(view map[string]string, maxKey string) []string {
	var ks []string
	for k := range view {
		if k < maxKey {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	return ks
}

// gkResolve is FoundationDB's selector rule verbatim: i is the index of the
// last key < Key (<= Key with OrEqual), t = i + Offset; off the start gives
// "", off the end gives maxKey.
func gkResolve(ks []string, sel selector.KeySelector, maxKey string) string {
	key := string(sel.Key)
	i := -1
	for j, k := range ks {
		if k < key || (sel.OrEqual && k == key) {
			i = j
		}
	}
	t := i + sel.Offset
	switch {
	case t < 0:
		return ""
	case t >= len(ks):
		return maxKey
	}
	return ks[t]
}

// gkRange returns the rows of a selector range read over view, as
// "key=value" strings in result order: every key from the begin selector's
// result up to, not including, the end selector's, nothing when begin does
// not resolve before end.
func gkRange(view map[string]string, maxKey string, begin, end selector.KeySelector, opts RangeOptions) []string {
	ks := gkVisible(view, maxKey)
	b, e := gkResolve(ks, begin, maxKey), gkResolve(ks, end, maxKey)
	var rows []string
	for _, k := range ks {
		if b <= k && k < e {
			rows = append(rows, k+"="+view[k])
		}
	}
	if opts.Reverse {
		slices.Reverse(rows)
	}
	if opts.Limit > 0 && len(rows) > opts.Limit {
		rows = rows[:opts.Limit]
	}
	return rows
}

// gkGetKeyConflict is the read conflict range FoundationDB gives GetKey(sel)
// resolving to r, before own writes are taken out: [k, keyAfter(r)) for a
// positive offset, [r, k) otherwise, where k is sel.Key, or keyAfter(sel.Key)
// with OrEqual.
func gkGetKeyConflict(sel selector.KeySelector, r string) gkSpan {
	k := string(sel.Key)
	if sel.OrEqual {
		k += "\x00"
	}
	if sel.Offset <= 0 {
		return gkSpan{r, k}
	}
	return gkSpan{k, r + "\x00"}
}

// gkNormalize sorts spans and merges overlapping or touching ones, dropping
// empty ones, so two descriptions of one key set compare equal.
func gkNormalize(in []gkSpan) []gkSpan {
	var s []gkSpan
	for _, x := range in {
		if x.b < x.e {
			s = append(s, x)
		}
	}
	sort.Slice(s, func(i, j int) bool { return s[i].b < s[j].b })
	var out []gkSpan
	for _, x := range s {
		if n := len(out); n > 0 && x.b <= out[n-1].e {
			if x.e > out[n-1].e {
				out[n-1].e = x.e
			}
			continue
		}
		out = append(out, x)
	}
	return out
}

// gkSubtract returns [r.b, r.e) minus the holes, normalized.
func gkSubtract(r gkSpan, holes []gkSpan) []gkSpan {
	out := []gkSpan{r}
	for _, h := range gkNormalize(holes) {
		var next []gkSpan
		for _, x := range out {
			if h.e <= x.b || x.e <= h.b {
				next = append(next, x)
				continue
			}
			if x.b < h.b {
				next = append(next, gkSpan{x.b, h.b})
			}
			if h.e < x.e {
				next = append(next, gkSpan{h.e, x.e})
			}
		}
		out = next
	}
	return gkNormalize(out)
}

func gkCovered(spans []gkSpan, k string) bool {
	for _, s := range spans {
		if s.has(k) {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------------------
// Helpers over the engine

// gkOpen opens a database holding ks, each with value "v:"+key (system keys
// included: they are written with system key access).
func gkOpen(t testing.TB, ks ...string) *DB {
	t.Helper()
	db := openDB(t, nil)
	gkCommit(t, db, ks...)
	return db
}

func gkCommit(t testing.TB, db *DB, ks ...string) {
	t.Helper()
	if len(ks) == 0 {
		return
	}
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		tr.SetAccessSystemKeys()
		for _, k := range ks {
			tr.Set([]byte(k), []byte("v:"+k))
		}
		return nil
	}))
}

// gkReads returns the read conflict ranges tr recorded from index from on,
// normalized.
func gkReads(tr *Transaction, from int) []gkSpan {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var out []gkSpan
	for _, s := range tr.reads[from:] {
		out = append(out, gkSpan{string(s.begin), string(s.end)})
	}
	return gkNormalize(out)
}

func gkNumReads(tr *Transaction) int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return len(tr.reads)
}

func gkRows(rows []KeyValue) []string {
	var out []string
	for _, kv := range rows {
		out = append(out, string(kv.Key)+"="+string(kv.Value))
	}
	return out
}

// gkIterate collects r through Iterate, stopping after stopAfter rows when
// stopAfter > 0.
func gkIterate(rt ReadTransaction, r Range, opts RangeOptions, stopAfter int) ([]string, error) {
	var out []string
	for kv, err := range rt.Iterate(r, opts) {
		if err != nil {
			return out, err
		}
		out = append(out, string(kv.Key)+"="+string(kv.Value))
		if stopAfter > 0 && len(out) == stopAfter {
			break
		}
	}
	return out, nil
}

// gkSel builds a raw selector triple.
func gkSel(key string, orEqual bool, offset int) selector.KeySelector {
	return selector.KeySelector{Key: []byte(key), OrEqual: orEqual, Offset: offset}
}

func gkGE(k string) selector.KeySelector { return selector.FirstGreaterOrEqual([]byte(k)) }
func gkGT(k string) selector.KeySelector { return selector.FirstGreaterThan([]byte(k)) }
func gkLE(k string) selector.KeySelector { return selector.LastLessOrEqual([]byte(k)) }
func gkLT(k string) selector.KeySelector { return selector.LastLessThan([]byte(k)) }

// gkWrite applies a write given in the tables' shorthand: "-k" clears k,
// "k..e" clears the range [k, e), anything else sets the key to "other".
func gkWrite(tr *Transaction, w string) {
	switch {
	case strings.HasPrefix(w, "-"):
		tr.Clear([]byte(w[1:]))
	case strings.Contains(w, ".."):
		b, e, _ := strings.Cut(w, "..")
		tr.ClearRange([]byte(b), []byte(e))
	default:
		tr.Set([]byte(w), []byte("other"))
	}
}

// ---------------------------------------------------------------------------
// 1. Resolution tables

type gkResolveCase struct {
	name   string
	db     []string
	setup  func(tr *Transaction) // options and pending writes, before resolving
	sel    selector.KeySelector
	want   string
	system bool // resolve with SetReadSystemKeys
}

func gkRunResolveCases(t *testing.T, cases []gkResolveCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := gkOpen(t, tc.db...)
			for _, snap := range []bool{false, true} {
				tr := db.NewTransaction()
				if tc.system {
					tr.SetReadSystemKeys()
				}
				if tc.setup != nil {
					tc.setup(tr)
				}
				var rt ReadTransaction = tr
				if snap {
					rt = tr.Snapshot()
				}
				got, err := rt.GetKey(tc.sel)
				require.NoError(t, err, "snapshot=%v", snap)
				require.Equal(t, tc.want, string(got), "%v snapshot=%v", tc.sel, snap)
				require.NotNil(t, got, "the resolved key is a non-nil slice, even when empty")
				tr.Cancel()
			}
		})
	}
}

// TestGetKeyResolutionWorkedExamples resolves each constructor and some
// offsets over the database {b, d, f}, no system access, off both ends
// included.
func TestGetKeyResolutionWorkedExamples(t *testing.T) {
	db := []string{"b", "d", "f"}
	gkRunResolveCases(t, []gkResolveCase{
		{name: "FirstGreaterOrEqual(c)", db: db, sel: gkGE("c"), want: "d"},
		{name: "FirstGreaterOrEqual(d)", db: db, sel: gkGE("d"), want: "d"},
		{name: "FirstGreaterThan(d)", db: db, sel: gkGT("d"), want: "f"},
		{name: "LastLessThan(d)", db: db, sel: gkLT("d"), want: "b"},
		{name: "LastLessOrEqual(d)", db: db, sel: gkLE("d"), want: "d"},
		{name: "FirstGreaterOrEqual(c)+1", db: db, sel: gkGE("c").Add(1), want: "f"},
		{name: "FirstGreaterOrEqual(c)+2", db: db, sel: gkGE("c").Add(2), want: "\xff"},
		{name: "LastLessThan(b)", db: db, sel: gkLT("b"), want: ""},
		{name: "LastLessThan(d)-1", db: db, sel: gkLT("d").Add(-1), want: ""},
		{name: "FirstGreaterThan(f)", db: db, sel: gkGT("f"), want: "\xff"},
		{name: "LastLessOrEqual(z)-2", db: db, sel: gkLE("z").Add(-2), want: "b"},
	})
}

// TestGetKeyResolutionEdges covers offsets 0, 1, -1 and beyond the number
// of keys, keys before the first and after the last, the empty database,
// the empty key as a real key, and the system key space.
func TestGetKeyResolutionEdges(t *testing.T) {
	bdf := []string{"b", "d", "f"}
	sys := []string{"b", "\xff", "\xff\x01", "\xff/a"}
	gkRunResolveCases(t, []gkResolveCase{
		// Before the first key, after the last.
		{name: "FGE before first", db: bdf, sel: gkGE("a"), want: "b"},
		{name: "FGE of empty key", db: bdf, sel: gkGE(""), want: "b"},
		{name: "FGT of empty key", db: bdf, sel: gkGT(""), want: "b"},
		{name: "LLT before first", db: bdf, sel: gkLT("a"), want: ""},
		{name: "LLE of empty key", db: bdf, sel: gkLE(""), want: ""},
		{name: "FGE after last", db: bdf, sel: gkGE("g"), want: "\xff"},
		{name: "LLT after last", db: bdf, sel: gkLT("z"), want: "f"},
		{name: "LLE of max key", db: bdf, sel: gkLE("\xff"), want: "f"},
		{name: "LLT of max key", db: bdf, sel: gkLT("\xff"), want: "f"},
		{name: "FGE of max key", db: bdf, sel: gkGE("\xff"), want: "\xff"},
		// Offsets 0, 1, -1 on raw triples.
		{name: "(c,T,0)", db: bdf, sel: gkSel("c", true, 0), want: "b"},
		{name: "(d,T,0)", db: bdf, sel: gkSel("d", true, 0), want: "d"},
		{name: "(b,T,1)", db: bdf, sel: gkSel("b", true, 1), want: "d"},
		{name: "(b,F,1)", db: bdf, sel: gkSel("b", false, 1), want: "b"},
		{name: "(f,T,-1)", db: bdf, sel: gkSel("f", true, -1), want: "d"},
		{name: "(e,F,-1)", db: bdf, sel: gkSel("e", false, -1), want: "b"},
		{name: "(b,T,-1)", db: bdf, sel: gkSel("b", true, -1), want: ""},
		{name: "(a,F,2)", db: bdf, sel: gkSel("a", false, 2), want: "d"},
		{name: "(z,F,-2)", db: bdf, sel: gkSel("z", false, -2), want: "b"},
		// Offsets beyond the number of keys.
		{name: "offset 3 from start", db: bdf, sel: gkSel("", false, 3), want: "f"},
		{name: "offset 4 from start", db: bdf, sel: gkSel("", false, 4), want: "\xff"},
		{name: "offset 11", db: bdf, sel: gkGE("b").Add(10), want: "\xff"},
		{name: "offset -3 from end", db: bdf, sel: gkSel("z", false, -3), want: ""},
		{name: "offset -10", db: bdf, sel: gkLE("f").Add(-10), want: ""},
		{name: "offset -2 from max", db: bdf, sel: gkSel("\xff", true, -2), want: "b"},
		// Empty database.
		{name: "empty FGE", sel: gkGE("a"), want: "\xff"},
		{name: "empty FGE(\"\")+5", sel: gkGE("").Add(5), want: "\xff"},
		{name: "empty LLT", sel: gkLT("a"), want: ""},
		{name: "empty LLE(max)", sel: gkLE("\xff"), want: ""},
		{name: "empty offset -5", sel: gkSel("m", true, -5), want: ""},
		{name: "empty with system access", sel: gkGE("a"), want: "\xff\xff", system: true},
		// The empty key as a real key.
		{name: "real empty key FGE", db: []string{"", "a"}, sel: gkGE(""), want: ""},
		{name: "real empty key FGT", db: []string{"", "a"}, sel: gkGT(""), want: "a"},
		{name: "real empty key LLE", db: []string{"", "a"}, sel: gkLE(""), want: ""},
		{name: "real empty key LLT(a)", db: []string{"", "a"}, sel: gkLT("a"), want: ""},
		{name: "real empty key (a,T,-1)", db: []string{"", "a"}, sel: gkSel("a", true, -1), want: ""},
		// System keys are invisible without access...
		{name: "system hidden FGT(b)", db: sys, sel: gkGT("b"), want: "\xff"},
		{name: "system hidden LLE(max)", db: sys, sel: gkLE("\xff"), want: "b"},
		{name: "system hidden FGE(max)", db: sys, sel: gkGE("\xff"), want: "\xff"},
		// ...and visible with it, the end then being \xff\xff.
		{name: "system FGT(b)", db: sys, sel: gkGT("b"), want: "\xff", system: true},
		{name: "system FGT(b)+1", db: sys, sel: gkGT("b").Add(1), want: "\xff\x01", system: true},
		{name: "system FGE(\\xff\\x00)", db: sys, sel: gkGE("\xff\x00"), want: "\xff\x01", system: true},
		{name: "system FGT(\\xff/a)", db: sys, sel: gkGT("\xff/a"), want: "\xff\xff", system: true},
		{name: "system LLE(\\xff\\xff)", db: sys, sel: gkLE("\xff\xff"), want: "\xff/a", system: true},
		{name: "system LLT(\\xff)", db: sys, sel: gkLT("\xff"), want: "b", system: true},
		{name: "system FGE(\\xff\\xff)", db: sys, sel: gkGE("\xff\xff"), want: "\xff\xff", system: true},
		{name: "system offset 10", db: sys, sel: gkGE("").Add(9), want: "\xff\xff", system: true},
		{name: "system via SetAccessSystemKeys", db: sys, sel: gkLE("\xff\xff"), want: "\xff/a",
			setup: func(tr *Transaction) { tr.SetAccessSystemKeys() }},
	})
}

// TestGetKeyResolutionOwnWrites resolves against the merged view (the
// database at the read version with the transaction's writes applied), as
// FoundationDB's read-your-writes does: keys the transaction set count, keys
// it cleared (with Clear or ClearRange) do not, atomic results count.
func TestGetKeyResolutionOwnWrites(t *testing.T) {
	bdf := []string{"b", "d", "f"}
	sec54 := func(tr *Transaction) {
		tr.Clear([]byte("d"))
		tr.Set([]byte("e"), []byte("x"))
	}
	writes := func(ws ...string) func(tr *Transaction) {
		return func(tr *Transaction) {
			for _, w := range ws {
				gkWrite(tr, w)
			}
		}
	}
	gkRunResolveCases(t, []gkResolveCase{
		// DB {b, d, f}; the transaction clears d and sets e.
		{name: "5.4 FirstGreaterThan(b)", db: bdf, setup: sec54, sel: gkGT("b"), want: "e"},
		{name: "5.4 LastLessThan(f)", db: bdf, setup: sec54, sel: gkLT("f"), want: "e"},
		{name: "5.4 LastLessThan(e)", db: bdf, setup: sec54, sel: gkLT("e"), want: "b"},
		// Sets count.
		{name: "set before first", db: bdf, setup: writes("a"), sel: gkLT("b"), want: "a"},
		{name: "set after last", db: bdf, setup: writes("g"), sel: gkGT("f"), want: "g"},
		{name: "set counted by offset", db: bdf, setup: writes("c"), sel: gkGE("a").Add(2), want: "d"},
		{name: "set on empty db", setup: writes("m"), sel: gkGE(""), want: "m"},
		{name: "overwrite changes nothing", db: bdf, setup: writes("d"), sel: gkGT("b"), want: "d"},
		// Clears do not.
		{name: "clear skipped forward", db: bdf, setup: writes("-d"), sel: gkGE("c"), want: "f"},
		{name: "clear skipped backward", db: bdf, setup: writes("-d"), sel: gkLE("e"), want: "b"},
		{name: "clear all points", db: bdf, setup: writes("-b", "-d", "-f"), sel: gkGE(""), want: "\xff"},
		{name: "clear absent key", db: bdf, setup: writes("-c"), sel: gkGE("c"), want: "d"},
		{name: "clear range forward", db: bdf, setup: writes("b..e"), sel: gkGE(""), want: "f"},
		{name: "clear range backward", db: bdf, setup: writes("b..e"), sel: gkLT("f"), want: ""},
		{name: "clear range with offset", db: bdf, setup: writes("c..e"), sel: gkGE("").Add(1), want: "f"},
		{name: "clear range everything", db: bdf, setup: writes("..\xff"), sel: gkLE("\xff"), want: ""},
		// Op order within the transaction.
		{name: "set then clear", db: bdf, setup: writes("c", "-c"), sel: gkGT("b"), want: "d"},
		{name: "clear then set", db: bdf, setup: writes("-d", "d"), sel: gkGT("b"), want: "d"},
		{name: "set then clear range", db: bdf, setup: writes("c", "c..e"), sel: gkGT("b"), want: "f"},
		{name: "clear range then set inside", db: bdf, setup: writes("a..z", "e"), sel: gkGE(""), want: "e"},
		{name: "clear range then set, backward", db: bdf, setup: writes("a..z", "c", "e"), sel: gkLE("z").Add(-1), want: "c"},
		// Atomic ops: a result counts, a CompareAndClear that clears removes the key.
		{name: "atomic add on absent key", db: bdf, setup: func(tr *Transaction) { tr.Add([]byte("c"), []byte{1}) }, sel: gkGT("b"), want: "c"},
		{name: "compare and clear removes", db: bdf, setup: func(tr *Transaction) { tr.CompareAndClear([]byte("d"), []byte("v:d")) }, sel: gkGT("b"), want: "f"},
		{name: "compare and clear keeps", db: bdf, setup: func(tr *Transaction) { tr.CompareAndClear([]byte("d"), []byte("nope")) }, sel: gkGT("b"), want: "d"},
		// Own system-key writes count with access.
		{name: "own system key", db: bdf, system: true, setup: func(tr *Transaction) {
			tr.SetAccessSystemKeys()
			tr.Set([]byte("\xff/x"), nil)
		}, sel: gkGT("f"), want: "\xff/x"},
	})
}

// ---------------------------------------------------------------------------
// Empty selector ranges

// TestSelectorRangeEmptyWhenBeginNotBeforeEnd: a range whose begin resolves
// at or after its end is empty, not an error, for GetRange and Iterate,
// forward and reverse, with and without a limit.
func TestSelectorRangeEmptyWhenBeginNotBeforeEnd(t *testing.T) {
	db := gkOpen(t, "b", "d", "f")
	cases := []struct {
		name       string
		begin, end selector.KeySelector
		want       []string
	}{
		{"begin after end", gkGE("d"), gkGE("b"), nil},
		{"begin equals end", gkGE("c"), gkGE("d"), nil},
		{"both resolve to the same key", gkGT("b"), gkLE("d"), nil},
		{"resolved begin after end", gkLE("d"), gkLT("d"), nil},
		{"both off the end", gkGE("g"), gkGE("z"), nil},
		{"begin off the end", gkGT("f"), gkLE("z"), nil},
		{"both off the start", gkLT("b"), gkLT("b"), nil},
		{"begin off the end, end off the start", gkSel("a", false, 5), gkSel("z", false, -5), nil},
		{"end off the start", gkGE("a"), gkLT("a"), nil},
		// Controls: the same machinery returning rows.
		{"whole space", gkLT("b"), gkGE("\xff"), []string{"b", "d", "f"}},
		{"one row", gkLE("d"), gkGT("d"), []string{"d"}},
		{"end off the end", gkGT("b"), gkSel("z", false, 3), []string{"d", "f"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := SelectorRange{Begin: tc.begin, End: tc.end}
			for _, opts := range []RangeOptions{{}, {Reverse: true}, {Limit: 1}, {Limit: 2, Reverse: true}} {
				want := slices.Clone(tc.want)
				if opts.Reverse {
					slices.Reverse(want)
				}
				if opts.Limit > 0 && len(want) > opts.Limit {
					want = want[:opts.Limit]
				}
				tr := db.NewTransaction()
				rows, err := tr.GetRange(r, opts)
				require.NoError(t, err, "%+v", opts)
				require.Equal(t, want, gkKeysOf(gkRows(rows)), "GetRange %+v", opts)
				it, err := gkIterate(tr, r, opts, 0)
				require.NoError(t, err, "%+v", opts)
				require.Equal(t, want, gkKeysOf(it), "Iterate %+v", opts)
				tr.Cancel()
			}
		})
	}
}

func gkKeysOf(rows []string) []string {
	var out []string
	for _, r := range rows {
		k, _, _ := strings.Cut(r, "=")
		out = append(out, k)
	}
	return out
}

// ---------------------------------------------------------------------------
// 2. Randomized against the brute-force resolver

// gkUniverse returns every key of length 0..3 over the alphabet
// {0x00, 'a', 'b', 0xff}: keys that touch every boundary keyAfter and the
// \xff / \xff\xff limits can produce.
func gkUniverse() []string {
	alpha := []string{"\x00", "a", "b", "\xff"}
	out := []string{""}
	level := []string{""}
	for range 3 {
		var next []string
		for _, p := range level {
			for _, c := range alpha {
				next = append(next, p+c)
			}
		}
		out = append(out, next...)
		level = next
	}
	slices.Sort(out)
	return out
}

// gkRandomSelector picks a selector key from the universe and an offset
// mostly near zero, sometimes beyond the number of keys.
func gkRandomSelector(rng *rand.Rand, universe []string, n int) selector.KeySelector {
	off := rng.IntN(7) - 3
	if rng.IntN(4) == 0 {
		off = rng.IntN(2*n+7) - (n + 3)
	}
	return gkSel(universe[rng.IntN(len(universe))], rng.IntN(2) == 0, off)
}

// TestGetKeySelectorRandomized resolves thousands of random selectors and
// selector ranges on random key sets, with and without random pending
// writes in the transaction, and compares every answer with the brute-force
// resolver. It also checks the read conflict ranges each read records:
// GetKey's exactly (gkGetKeyConflict less own writes); a range read's for
// soundness: every key whose insertion or removal by another transaction
// would change the rows returned lies in a recorded range. Snapshot reads
// must record nothing.
func TestGetKeySelectorRandomized(t *testing.T) {
	rounds := 150
	if testing.Short() {
		rounds = 40
	}
	universe := gkUniverse()
	var getKeys, ranges int
	for round := range rounds {
		rng := rand.New(rand.NewPCG(0x5e1ec7, uint64(round)))
		system := round%3 == 2
		maxRead, maxWrite := "\xff", "\xff"
		if system {
			maxRead, maxWrite = "\xff\xff", "\xff\xff"
		}
		db := openDB(t, nil)

		// A random committed key set, sometimes empty, sometimes dense.
		committed := map[string]string{}
		density := []float64{0, 0.1, 0.3, 0.8}[rng.IntN(4)]
		var load []string
		for _, k := range universe {
			if k < maxWrite && rng.Float64() < density {
				committed[k] = "v:" + k
				load = append(load, k)
			}
		}
		gkCommit(t, db, load...)

		for txn := range 3 {
			tr := db.NewTransaction()
			if system {
				tr.SetAccessSystemKeys()
			}
			m := gkNewModel(committed)
			pending := txn > 0 // the first transaction never writes
			for op := range 30 {
				ctx := fmt.Sprintf("round %d txn %d op %d", round, txn, op)
				if pending && rng.IntN(3) == 0 {
					gkRandomWrite(rng, tr, m, universe, maxWrite, true)
				}
				switch rng.IntN(5) {
				case 0, 1:
					getKeys++
					gkCheckGetKey(t, rng, tr, m, universe, maxRead, false, ctx)
				case 2:
					getKeys++
					gkCheckGetKey(t, rng, tr, m, universe, maxRead, true, ctx)
				default:
					ranges++
					gkCheckSelectorRange(t, rng, tr, m, universe, maxRead, ctx)
				}
			}
			tr.Cancel()
		}
	}
	t.Logf("%d GetKey and %d selector range reads checked", getKeys, ranges)
}

// gkRandomWrite makes one random Set, Clear or ClearRange in tr and m, or
// with atomics a ByteMax or CompareAndClear.
func gkRandomWrite(rng *rand.Rand, tr *Transaction, m *gkModel, universe []string, maxWrite string, atomics bool) {
	pick := func() string {
		for {
			if k := universe[rng.IntN(len(universe))]; k < maxWrite {
				return k
			}
		}
	}
	n := 3
	if atomics {
		n = 5
	}
	switch rng.IntN(n) {
	case 3:
		k, p := pick(), fmt.Sprintf("w%d", rng.IntN(1000))
		tr.ByteMax([]byte(k), []byte(p))
		m.byteMax(k, p)
	case 4:
		k := pick()
		p := "v:" + k // the committed value: clears the key unless it changed
		if rng.IntN(3) == 0 {
			p = "nope"
		}
		tr.CompareAndClear([]byte(k), []byte(p))
		m.compareAndClear(k, p)
	case 0:
		k, v := pick(), fmt.Sprintf("w%d", rng.IntN(1000))
		tr.Set([]byte(k), []byte(v))
		m.set(k, v)
	case 1:
		k := pick()
		tr.Clear([]byte(k))
		m.clear(k)
	default:
		b, e := pick(), pick()
		if b > e {
			b, e = e, b
		}
		tr.ClearRange([]byte(b), []byte(e))
		m.clearRange(b, e)
	}
}

func gkCheckGetKey(t *testing.T, rng *rand.Rand, tr *Transaction, m *gkModel, universe []string, maxRead string, snap bool, ctx string) {
	t.Helper()
	ks := m.visible(maxRead)
	sel := gkRandomSelector(rng, universe, len(ks))
	before := gkNumReads(tr)
	var rt ReadTransaction = tr
	if snap {
		rt = tr.Snapshot()
	}
	got, err := rt.GetKey(sel)
	if string(sel.Key) > maxRead {
		require.ErrorIs(t, err, ErrKeyOutsideLegalRange, "%s: %v", ctx, sel)
		require.Equal(t, before, gkNumReads(tr), "%s: a refused GetKey records no conflict", ctx)
		return
	}
	require.NoError(t, err, "%s: %v", ctx, sel)
	want := gkResolve(ks, sel, maxRead)
	require.Equal(t, want, string(got), "%s: GetKey(%v) over %q", ctx, sel, ks)
	reads := gkReads(tr, before)
	if snap {
		require.Empty(t, reads, "%s: snapshot GetKey(%v) recorded a conflict", ctx, sel)
		return
	}
	wantReads := gkSubtract(gkGetKeyConflict(sel, want), m.holes)
	require.Equal(t, wantReads, reads, "%s: conflict of GetKey(%v) = %q", ctx, sel, want)
	// Soundness, independently of the formula: a change to any key that
	// would alter the answer must be covered.
	for _, x := range universe {
		if x >= maxRead || m.own(x) || m.dep[x] {
			continue
		}
		if gkResolve(gkVisible(gkToggle(m.view, x), maxRead), sel, maxRead) != want {
			require.True(t, gkCovered(reads, x), "%s: GetKey(%v): a change at %q alters the answer but is not covered by %v", ctx, sel, x, reads)
		}
	}
}

// gkToggle returns view with x removed if present, added if absent.
func gkToggle(view map[string]string, x string) map[string]string {
	out := make(map[string]string, len(view)+1)
	for k, v := range view {
		out[k] = v
	}
	if _, ok := out[x]; ok {
		delete(out, x)
	} else {
		out[x] = "new"
	}
	return out
}

func gkCheckSelectorRange(t *testing.T, rng *rand.Rand, tr *Transaction, m *gkModel, universe []string, maxRead string, ctx string) {
	t.Helper()
	n := len(m.visible(maxRead))
	r := SelectorRange{Begin: gkRandomSelector(rng, universe, n), End: gkRandomSelector(rng, universe, n)}
	if rng.IntN(3) == 0 {
		// Often a plain bound, as most selector ranges have.
		r.End = gkSel(universe[rng.IntN(len(universe))], rng.IntN(2) == 0, 1)
	}
	opts := RangeOptions{Reverse: rng.IntN(2) == 0}
	if rng.IntN(2) == 0 {
		opts.Limit = 1 + rng.IntN(4)
	}
	how := rng.IntN(4) // 0: snapshot GetRange, 1: Iterate, 2: Iterate stopped early, 3: GetRange
	var rt ReadTransaction = tr
	if how == 0 {
		rt = tr.Snapshot()
	}
	want := gkRange(m.view, maxRead, r.Begin, r.End, opts)
	stop := 0
	if how == 2 && len(want) > 0 {
		stop = 1 + rng.IntN(len(want))
	}
	ctx = fmt.Sprintf("%s: %v..%v %+v stop %d", ctx, r.Begin, r.End, opts, stop)

	before := gkNumReads(tr)
	var got []string
	var err error
	if how == 1 || how == 2 {
		got, err = gkIterate(rt, r, opts, stop)
	} else {
		var rows []KeyValue
		rows, err = rt.GetRange(r, opts)
		got = gkRows(rows)
	}
	if string(r.Begin.Key) > maxRead || string(r.End.Key) > maxRead {
		require.ErrorIs(t, err, ErrKeyOutsideLegalRange, ctx)
		require.Equal(t, before, gkNumReads(tr), "%s: a refused range read records no conflict", ctx)
		return
	}
	require.NoError(t, err, ctx)
	if stop > 0 {
		want = want[:stop]
	}
	require.Equal(t, want, got, ctx)
	reads := gkReads(tr, before)
	if how == 0 {
		require.Empty(t, reads, "%s: snapshot range read recorded a conflict", ctx)
		return
	}
	// What the caller saw depended on the rows consumed: an early stop is a
	// read with that limit.
	eff := opts
	if stop > 0 {
		eff.Limit = stop
	}
	for _, x := range universe {
		if x >= maxRead || m.own(x) || m.dep[x] {
			continue
		}
		if !slices.Equal(gkRange(gkToggle(m.view, x), maxRead, r.Begin, r.End, eff), want) {
			require.True(t, gkCovered(reads, x), "%s: a change at %q alters the rows %q but is not covered by %v", ctx, x, want, reads)
		}
	}
}

// TestGetKeySelectorRangeMaxKeyEnd: a selector range may end at the max key
// (\xff, or \xff\xff with system key access), and system keys appear in it
// only with access.
func TestGetKeySelectorRangeMaxKeyEnd(t *testing.T) {
	db := gkOpen(t, "a", "\xff\x01")
	tr := db.NewTransaction()
	rows, err := tr.GetRange(SelectorRange{Begin: gkGE(""), End: gkGE("\xff")}, RangeOptions{})
	require.NoError(t, err)
	require.Equal(t, []string{"a=v:a"}, gkRows(rows))
	tr.SetReadSystemKeys()
	rows, err = tr.GetRange(SelectorRange{Begin: gkGE(""), End: gkGE("\xff\xff")}, RangeOptions{})
	require.NoError(t, err)
	require.Equal(t, []string{"a=v:a", "\xff\x01=v:\xff\x01"}, gkRows(rows))
}

// ---------------------------------------------------------------------------
// 3. Conflicts

// gkConflictCase: with the database holding db, transaction 1 runs setup
// (pending writes) and read; then, for each key of inside and outside,
// another transaction makes that write (tables' shorthand: "-k" clears) and
// commits; then transaction 1 writes something and commits, and must fail
// with ErrNotCommitted exactly for the inside writes. spans, when not nil,
// are the read conflict ranges transaction 1 must record, normalized.
type gkConflictCase struct {
	name    string
	db      []string
	setup   func(tr *Transaction)
	read    func(tr *Transaction) (string, error) // returns a printable result
	want    string
	spans   []gkSpan
	inside  []string
	outside []string
}

func gkGetKeyRead(sel selector.KeySelector) func(tr *Transaction) (string, error) {
	return func(tr *Transaction) (string, error) {
		k, err := tr.GetKey(sel)
		return string(k), err
	}
}

func gkRangeRead(r SelectorRange, opts RangeOptions) func(tr *Transaction) (string, error) {
	return func(tr *Transaction) (string, error) {
		rows, err := tr.GetRange(r, opts)
		return strings.Join(gkKeysOf(gkRows(rows)), ","), err
	}
}

func gkIterateRead(r SelectorRange, opts RangeOptions, stop int) func(tr *Transaction) (string, error) {
	return func(tr *Transaction) (string, error) {
		rows, err := gkIterate(tr, r, opts, stop)
		return strings.Join(gkKeysOf(rows), ","), err
	}
}

func gkRunConflictCases(t *testing.T, cases []gkConflictCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.spans != nil {
				db := gkOpen(t, tc.db...)
				tr := db.NewTransaction()
				if tc.setup != nil {
					tc.setup(tr)
				}
				got, err := tc.read(tr)
				require.NoError(t, err)
				require.Equal(t, tc.want, got)
				require.Equal(t, gkNormalize(tc.spans), gkReads(tr, 0), "recorded read conflict ranges")
				tr.Cancel()
			}
			for _, w := range append(slices.Clone(tc.inside), tc.outside...) {
				conflict := slices.Contains(tc.inside, w)
				t.Run(fmt.Sprintf("other writes %q", w), func(t *testing.T) {
					db := gkOpen(t, tc.db...)
					tr := db.NewTransaction()
					if tc.setup != nil {
						tc.setup(tr)
					}
					got, err := tc.read(tr)
					require.NoError(t, err)
					require.Equal(t, tc.want, got)
					require.NoError(t, db.Transact(func(o *Transaction) error { gkWrite(o, w); return nil }))
					tr.Set([]byte("mine"), []byte("x"))
					err = tr.Commit()
					if !conflict {
						require.NoError(t, err, "a write at %q is outside what the read depended on", w)
						return
					}
					require.ErrorIs(t, err, ErrNotCommitted, "a write at %q is inside what the read depended on", w)
					var ce *ConflictError
					require.True(t, errors.As(err, &ce))
					k := strings.TrimPrefix(w, "-")
					require.True(t, bytes.Compare(ce.Begin, []byte(k)) <= 0 && bytes.Compare([]byte(k), ce.End) < 0,
						"the failed range [%q, %q) holds %q", ce.Begin, ce.End, k)
				})
			}
		})
	}
}

// TestGetKeyConflictRanges is the GetKey read conflict rule (see
// gkGetKeyConflict) on the database {b, d, f}, checked both on the recorded
// ranges and by behaviour: a concurrent write inside the range makes the
// commit fail, one outside does not.
func TestGetKeyConflictRanges(t *testing.T) {
	bdf := []string{"b", "d", "f"}
	gkRunConflictCases(t, []gkConflictCase{
		{
			name: "FirstGreaterThan(b)", db: bdf, read: gkGetKeyRead(gkGT("b")), want: "d",
			spans:   []gkSpan{{"b\x00", "d\x00"}},
			inside:  []string{"c", "b\x00", "d", "-d"},
			outside: []string{"b", "-b", "a", "d\x00", "e", "-f"},
		},
		{
			name: "FirstGreaterOrEqual(c)+1", db: bdf, read: gkGetKeyRead(gkGE("c").Add(1)), want: "f",
			spans:   []gkSpan{{"c", "f\x00"}},
			inside:  []string{"c", "e", "-d", "-f"},
			outside: []string{"b", "-b", "f\x00", "g"},
		},
		{
			name: "LastLessThan(e)", db: bdf, read: gkGetKeyRead(gkLT("e")), want: "d",
			spans:   []gkSpan{{"d", "e"}},
			inside:  []string{"d5", "-d", "d"},
			outside: []string{"e", "c", "-b", "-f"},
		},
		{
			name: "LastLessOrEqual(d)", db: bdf, read: gkGetKeyRead(gkLE("d")), want: "d",
			spans:   []gkSpan{{"d", "d\x00"}},
			inside:  []string{"d", "-d"},
			outside: []string{"c", "d\x00", "e", "-b"},
		},
		{
			name: "LastLessThan(b)", db: bdf, read: gkGetKeyRead(gkLT("b")), want: "",
			spans:   []gkSpan{{"", "b"}},
			inside:  []string{"a", ""},
			outside: []string{"b", "-b", "c"},
		},
		{
			name: "FirstGreaterThan(f)", db: bdf, read: gkGetKeyRead(gkGT("f")), want: "\xff",
			spans:   []gkSpan{{"f\x00", "\xff\x00"}},
			inside:  []string{"g", "\xfe"},
			outside: []string{"f", "-f", "e"},
		},
		{
			name: "after Clear(d), Set(e): FirstGreaterThan(b)", db: bdf,
			setup: func(tr *Transaction) { tr.Clear([]byte("d")); tr.Set([]byte("e"), []byte("x")) },
			read:  gkGetKeyRead(gkGT("b")), want: "e",
			spans:   []gkSpan{{"b\x00", "d"}, {"d\x00", "e"}},
			inside:  []string{"c", "d5"},
			outside: []string{"d", "-d", "e", "-e", "b", "f"},
		},
		// Beyond the table.
		{
			name: "snapshot GetKey adds nothing", db: bdf,
			read: func(tr *Transaction) (string, error) {
				k, err := tr.Snapshot().GetKey(gkGT("b"))
				return string(k), err
			},
			want:    "d",
			spans:   []gkSpan{},
			outside: []string{"c", "d", "-d", "b\x00"},
		},
		{
			name: "after ClearRange(c, e): FirstGreaterThan(b)", db: bdf,
			setup: func(tr *Transaction) { tr.ClearRange([]byte("c"), []byte("e")) },
			read:  gkGetKeyRead(gkGT("b")), want: "f",
			spans:   []gkSpan{{"b\x00", "c"}, {"e", "f\x00"}},
			inside:  []string{"b5", "e5", "-f"},
			outside: []string{"c", "d", "-d", "d5"},
		},
		{
			name: "after Set(e): LastLessOrEqual(e)-1", db: bdf,
			setup: func(tr *Transaction) { tr.Set([]byte("e"), []byte("x")) },
			read:  gkGetKeyRead(gkLE("e").Add(-1)), want: "d",
			spans:   []gkSpan{{"d", "e"}},
			inside:  []string{"d5", "-d"},
			outside: []string{"e", "-e", "c", "-b"},
		},
		{
			// An atomic op leaves the key dependent on the database: no hole.
			name: "after Add(c): FirstGreaterThan(b)", db: bdf,
			setup: func(tr *Transaction) { tr.Add([]byte("c"), []byte{1}) },
			read:  gkGetKeyRead(gkGT("b")), want: "c",
			spans:   []gkSpan{{"b\x00", "c\x00"}},
			inside:  []string{"c", "b5"},
			outside: []string{"d", "-d", "b"},
		},
		{
			name: "read then write keeps the conflict", db: bdf,
			read: func(tr *Transaction) (string, error) {
				k, err := tr.GetKey(gkGT("b"))
				tr.Set([]byte("c"), []byte("mine")) // after the read: does not lift it
				return string(k), err
			},
			want:    "d",
			spans:   []gkSpan{{"b\x00", "d\x00"}},
			inside:  []string{"c"},
			outside: []string{"e"},
		},
	})
}

// TestSelectorRangeConflictRanges checks the read conflict of selector
// range reads on the database {a, b, c, d}: an OrEqual selector on k acts
// as one on k+"\x00", and a read that reaches its limit covers up to just
// after its last row.
func TestSelectorRangeConflictRanges(t *testing.T) {
	abcd := []string{"a", "b", "c", "d"}
	gkRunConflictCases(t, []gkConflictCase{
		{
			// FirstGreaterThan(a) is FirstGreaterOrEqual(a\x00); the
			// limit stops the range just after b.
			name: "FirstGreaterThan(a)..FirstGreaterOrEqual(z) limit 1", db: abcd,
			read:    gkRangeRead(SelectorRange{gkGT("a"), gkGE("z")}, RangeOptions{Limit: 1}),
			want:    "b",
			spans:   []gkSpan{{"a\x00", "b\x00"}},
			inside:  []string{"a5", "a\x00", "-b", "b"},
			outside: []string{"a", "-a", "b\x00", "c", "-c", "e"},
		},
		{
			name: "same through Iterate stopped after one row", db: abcd,
			read:    gkIterateRead(SelectorRange{gkGT("a"), gkGE("z")}, RangeOptions{}, 1),
			want:    "b",
			spans:   []gkSpan{{"a\x00", "b\x00"}},
			inside:  []string{"a5", "-b"},
			outside: []string{"a", "c", "-c", "e"},
		},
		{
			name: "same through Iterate with limit 1", db: abcd,
			read:    gkIterateRead(SelectorRange{gkGT("a"), gkGE("z")}, RangeOptions{Limit: 1}, 0),
			want:    "b",
			spans:   []gkSpan{{"a\x00", "b\x00"}},
			inside:  []string{"a5", "-b"},
			outside: []string{"a", "c", "-c", "e"},
		},
		{
			name: "no limit covers to the end selector", db: abcd,
			read:    gkRangeRead(SelectorRange{gkGT("a"), gkGE("z")}, RangeOptions{}),
			want:    "b,c,d",
			spans:   []gkSpan{{"a\x00", "z"}},
			inside:  []string{"e", "y", "-d"},
			outside: []string{"a", "z", "-a"},
		},
		{
			name: "LastLessOrEqual(b)..FirstGreaterThan(c)", db: abcd,
			read:    gkRangeRead(SelectorRange{gkLE("b"), gkGT("c")}, RangeOptions{}),
			want:    "b,c",
			spans:   []gkSpan{{"b", "c\x00"}},
			inside:  []string{"b5", "-b", "-c", "c"},
			outside: []string{"a5", "-a", "c\x00", "c5", "-d"},
		},
		{
			name: "LastLessThan(c)-1..FirstGreaterOrEqual(z) limit 2", db: abcd,
			read:    gkRangeRead(SelectorRange{gkLT("c").Add(-1), gkGE("z")}, RangeOptions{Limit: 2}),
			want:    "a,b",
			spans:   []gkSpan{{"a", "c"}},
			inside:  []string{"a5", "b5", "-a", "-b"},
			outside: []string{"0", "c", "-c", "c5", "-d"},
		},
		{
			name: "FirstGreaterOrEqual(a)..LastLessOrEqual(c)", db: abcd,
			read:    gkRangeRead(SelectorRange{gkGE("a"), gkLE("c")}, RangeOptions{}),
			want:    "a,b",
			spans:   []gkSpan{{"a", "c\x00"}},
			inside:  []string{"b5", "-c", "-a"},
			outside: []string{"0", "c5", "d", "-d"},
		},
		{
			name: "reverse FirstGreaterThan(a)..LastLessOrEqual(d) limit 1", db: abcd,
			read:    gkRangeRead(SelectorRange{gkGT("a"), gkLE("d")}, RangeOptions{Limit: 1, Reverse: true}),
			want:    "c",
			spans:   []gkSpan{{"c", "d\x00"}},
			inside:  []string{"c5", "-c", "-d"},
			outside: []string{"a", "a5", "b", "-b", "d\x00", "e"},
		},
		{
			name: "after Set(b5): FirstGreaterThan(a)..FirstGreaterOrEqual(z) limit 2", db: abcd,
			setup:   func(tr *Transaction) { tr.Set([]byte("b5"), []byte("x")) },
			read:    gkRangeRead(SelectorRange{gkGT("a"), gkGE("z")}, RangeOptions{Limit: 2}),
			want:    "b,b5",
			spans:   []gkSpan{{"a\x00", "b5"}},
			inside:  []string{"a5", "-b"},
			outside: []string{"b5", "-b5", "c", "-c"},
		},
		{
			name: "after ClearRange(b, c): LastLessOrEqual(c)..FirstGreaterOrEqual(z) limit 1", db: abcd,
			setup: func(tr *Transaction) { tr.ClearRange([]byte("b"), []byte("c")) },
			// Resolves to c; the range [b, c) the transaction cleared is its own.
			read:    gkRangeRead(SelectorRange{gkLE("c"), gkGE("z")}, RangeOptions{Limit: 1}),
			want:    "c",
			spans:   []gkSpan{{"c", "c\x00"}},
			inside:  []string{"-c"},
			outside: []string{"b", "b5", "a", "d"},
		},
		{
			name: "inverted selector range", db: abcd,
			read: gkRangeRead(SelectorRange{gkLE("d"), gkGE("c")}, RangeOptions{}),
			want: "",
			// Only the begin's resolution matters: deleting d would move it
			// to c, which still gives an empty range, but it is covered.
			inside:  []string{"-d"},
			outside: []string{"a", "b5", "e"},
		},
		{
			name: "snapshot selector range adds nothing", db: abcd,
			read: func(tr *Transaction) (string, error) {
				rows, err := tr.Snapshot().GetRange(SelectorRange{gkLE("b"), gkGT("c")}, RangeOptions{})
				return strings.Join(gkKeysOf(gkRows(rows)), ","), err
			},
			want:    "b,c",
			spans:   []gkSpan{},
			outside: []string{"b5", "-b", "-c", "a5"},
		},
		{
			name: "snapshot Iterate adds nothing", db: abcd,
			read: func(tr *Transaction) (string, error) {
				rows, err := gkIterate(tr.Snapshot(), SelectorRange{gkLE("b"), gkGT("c")}, RangeOptions{}, 0)
				return strings.Join(gkKeysOf(rows), ","), err
			},
			want:    "b,c",
			spans:   []gkSpan{},
			outside: []string{"b5", "-b", "-c"},
		},
	})
}

// TestGetKeyConflictRandomized repeats, on random key sets, the two
// transaction experiment: transaction 1 (with random pending writes) reads
// by GetKey or a selector range; another transaction sets or clears a
// random key and commits; transaction 1 writes and commits. For GetKey the
// commit must fail exactly when the key lies in gkGetKeyConflict's range
// less transaction 1's own writes; for range reads it must fail at least
// whenever the write changed the rows transaction 1 saw.
func TestGetKeyConflictRandomized(t *testing.T) {
	trials := 400
	if testing.Short() {
		trials = 100
	}
	var universe []string
	for _, a := range "abc" {
		universe = append(universe, string(a))
		for _, b := range "abc" {
			universe = append(universe, string(a)+string(b))
		}
	}
	var conflicts int
	for trial := range trials {
		rng := rand.New(rand.NewPCG(0xc0ff1c7, uint64(trial)))
		ctx := fmt.Sprintf("trial %d", trial)
		db, err := Open(nil)
		require.NoError(t, err)
		committed := map[string]string{}
		var load []string
		for _, k := range universe {
			if rng.IntN(3) == 0 {
				committed[k] = "v:" + k
				load = append(load, k)
			}
		}
		gkCommit(t, db, load...)

		tr := db.NewTransaction()
		m := gkNewModel(committed)
		for range rng.IntN(3) {
			gkRandomWrite(rng, tr, m, universe, "\xff", false)
		}
		n := len(m.visible("\xff"))
		var result func(view map[string]string) string
		var expect func(x string) (must, exact bool)
		if rng.IntN(2) == 0 {
			sel := gkRandomSelector(rng, universe, n)
			got, err := tr.GetKey(sel)
			require.NoError(t, err, ctx)
			want := gkResolve(m.visible("\xff"), sel, "\xff")
			require.Equal(t, want, string(got), "%s: GetKey(%v)", ctx, sel)
			ctx += fmt.Sprintf(": GetKey(%v) = %q", sel, want)
			result = func(view map[string]string) string { return gkResolve(gkVisible(view, "\xff"), sel, "\xff") }
			spans := gkSubtract(gkGetKeyConflict(sel, want), m.holes)
			expect = func(x string) (bool, bool) { return gkCovered(spans, x), true }
		} else {
			r := SelectorRange{Begin: gkRandomSelector(rng, universe, n), End: gkRandomSelector(rng, universe, n)}
			opts := RangeOptions{Reverse: rng.IntN(2) == 0}
			if rng.IntN(2) == 0 {
				opts.Limit = 1 + rng.IntN(3)
			}
			rows, err := tr.GetRange(r, opts)
			require.NoError(t, err, ctx)
			want := gkRange(m.view, "\xff", r.Begin, r.End, opts)
			require.Equal(t, want, gkRows(rows), "%s: %v..%v %+v", ctx, r.Begin, r.End, opts)
			ctx += fmt.Sprintf(": range %v..%v %+v = %q", r.Begin, r.End, opts, want)
			result = func(view map[string]string) string {
				return strings.Join(gkRange(view, "\xff", r.Begin, r.End, opts), ",")
			}
			expect = func(x string) (bool, bool) { return false, false }
		}

		// The other transaction's write, and what it does to the view.
		x := universe[rng.IntN(len(universe))]
		after := maps.Clone(m.view)
		if rng.IntN(3) == 0 {
			require.NoError(t, db.Transact(func(o *Transaction) error { o.Clear([]byte(x)); return nil }))
			if !m.own(x) {
				delete(after, x)
			}
			ctx += fmt.Sprintf("; other clears %q", x)
		} else {
			require.NoError(t, db.Transact(func(o *Transaction) error { o.Set([]byte(x), []byte("new")); return nil }))
			if !m.own(x) {
				after[x] = "new"
			}
			ctx += fmt.Sprintf("; other sets %q", x)
		}
		changed := result(after) != result(m.view)
		must, exact := expect(x)
		if changed {
			must = true
		}

		tr.Set([]byte("\x01mine"), []byte("x"))
		err = tr.Commit()
		switch {
		case must:
			require.ErrorIs(t, err, ErrNotCommitted, ctx)
			conflicts++
		case exact:
			require.NoError(t, err, ctx)
		}
		require.NoError(t, db.Close())
	}
	t.Logf("%d of %d trials conflicted", conflicts, trials)
}

// TestGetKeyConcurrentAppends: goroutines append to a log whose next
// sequence number each finds by reading the log's last key with a selector,
// under Transact. The first attempt of every round waits, after its read,
// until every worker has read (a barrier, not a sleep), so in each round all
// but one first attempt must fail with a conflict. If a selector read missed
// its conflict, two appends would read the same last key and write the same
// next one, losing an append. The snapshot reader is the control: it adds no
// conflict, so appends are lost and nothing conflicts.
func TestGetKeyConcurrentAppends(t *testing.T) {
	const workers, appends = 8, 12
	logKey := func(n int) []byte { return []byte(fmt.Sprintf("log/%06d", n)) }
	// parse returns the sequence number of a log key, 0 for a fence.
	parse := func(k []byte) (int, error) {
		s, ok := strings.CutPrefix(string(k), "log/")
		if !ok {
			return 0, nil // the fence a: the log is empty
		}
		return strconv.Atoi(s)
	}
	getKey := func(rt ReadTransaction, sel selector.KeySelector) (int, error) {
		k, err := rt.GetKey(sel)
		if err != nil {
			return 0, err
		}
		return parse(k)
	}
	readers := []struct {
		name     string
		snapshot bool
		read     func(tr *Transaction) (int, error)
	}{
		{"GetKey", false, func(tr *Transaction) (int, error) { return getKey(tr, gkLT("log0")) }},
		// One key back from the fence z that follows the log.
		{"GetKey offset", false, func(tr *Transaction) (int, error) { return getKey(tr, gkLE("z").Add(-1)) }},
		{"SelectorRange", false, func(tr *Transaction) (int, error) {
			rows, err := tr.GetRange(SelectorRange{Begin: gkLT("log0"), End: gkGE("log0")}, RangeOptions{})
			if err != nil || len(rows) != 1 {
				return 0, fmt.Errorf("rows %q: %w", gkRows(rows), err)
			}
			return parse(rows[0].Key)
		}},
		{"Iterate reverse", false, func(tr *Transaction) (int, error) {
			for kv, err := range tr.Iterate(SelectorRange{Begin: gkLT("log/"), End: gkGE("log0")}, RangeOptions{Reverse: true}) {
				if err != nil {
					return 0, err
				}
				return parse(kv.Key) // the first row in reverse is the last entry
			}
			return 0, errors.New("no rows: the fence a is missing")
		}},
		{"snapshot GetKey", true, func(tr *Transaction) (int, error) { return getKey(tr.Snapshot(), gkLT("log0")) }},
	}
	for _, rd := range readers {
		t.Run(rd.name, func(t *testing.T) {
			db := openDB(t, &Options{MaxRetryDelay: 2 * time.Millisecond})
			put(t, db, "a", "fence", "z", "fence")
			rounds := make([]sync.WaitGroup, appends)
			for i := range rounds {
				rounds[i].Add(workers)
			}
			var g errgroup.Group
			for w := range workers {
				g.Go(func() error {
					for i := range appends {
						first := true
						err := db.Transact(func(tr *Transaction) error {
							n, err := rd.read(tr)
							if first {
								first = false
								rounds[i].Done()
								rounds[i].Wait()
							}
							if err != nil {
								return err
							}
							tr.Set(logKey(n+1), []byte(fmt.Sprintf("%d/%d", w, i)))
							return nil
						})
						if err != nil {
							return err
						}
					}
					return nil
				})
			}
			require.NoError(t, g.Wait())

			tr := db.NewTransaction()
			rows, err := tr.GetRange(KeyRange{Begin: []byte("log/"), End: []byte("log0")}, RangeOptions{})
			require.NoError(t, err)
			for i, kv := range rows {
				require.Equal(t, string(logKey(i+1)), string(kv.Key), "the log has no gaps")
			}
			st := db.Stats()
			t.Logf("%d entries, %d conflicts, %d retries", len(rows), st.Conflicts, st.Retries)
			if rd.snapshot {
				require.Zero(t, st.Conflicts, "snapshot reads add no conflict")
				require.Less(t, len(rows), workers*appends, "snapshot reads let appends overwrite each other")
				return
			}
			require.Len(t, rows, workers*appends, "appends were lost")
			seen := map[string]bool{}
			for _, kv := range rows {
				require.False(t, seen[string(kv.Value)], "append %s written twice", kv.Value)
				seen[string(kv.Value)] = true
			}
			require.GreaterOrEqual(t, st.Conflicts, int64((workers-1)*appends),
				"in every round all first attempts but one read a stale last key")
		})
	}
}

// ---------------------------------------------------------------------------
// 4. Large offsets

func gkBigKey(i int) string { return fmt.Sprintf("k%05d", i) }

// TestGetKeyLargeOffsets resolves offsets of 10,000 forward and backward
// over 20,000 keys, committed or only in the transaction's own writes, with
// pending clears and sets in the way, and through selector ranges.
func TestGetKeyLargeOffsets(t *testing.T) {
	const n = 20_000
	all := make([]string, n)
	for i := range all {
		all[i] = gkBigKey(i)
	}

	check := func(t *testing.T, rt ReadTransaction, ks []string) {
		t.Helper()
		cases := []selector.KeySelector{
			gkGE(gkBigKey(0)).Add(10_000),
			gkGE("").Add(10_000),
			gkGT(gkBigKey(4_999)).Add(10_000),
			gkLE(gkBigKey(n - 1)).Add(-10_000),
			gkLT("\xff").Add(-10_000),
			gkLT(gkBigKey(15_000)).Add(-10_000),
			gkSel(gkBigKey(12_345), true, -10_000),
			gkSel(gkBigKey(2_345), false, 10_000),
			gkGE("").Add(n - 1),
			gkGE("").Add(n), // off the end
			gkLE("z").Add(-n + 1),
			gkLE("z").Add(-n), // off the start
		}
		for _, sel := range cases {
			got, err := rt.GetKey(sel)
			require.NoError(t, err, "%v", sel)
			require.Equal(t, gkResolve(ks, sel, "\xff"), string(got), "%v", sel)
		}
		r := SelectorRange{Begin: gkGE(gkBigKey(0)).Add(10_000), End: gkLE(gkBigKey(n - 1)).Add(-5_000)}
		want := gkRange(gkViewOf(ks), "\xff", r.Begin, r.End, RangeOptions{})
		rows, err := rt.GetRange(r, RangeOptions{})
		require.NoError(t, err)
		require.Equal(t, gkKeysOf(want), gkKeysOf(gkRows(rows)))
		got, err := gkIterate(rt, r, RangeOptions{Reverse: true}, 0)
		require.NoError(t, err)
		require.Equal(t, len(want), len(got))
	}

	t.Run("committed", func(t *testing.T) {
		db := openDB(t, nil)
		require.NoError(t, db.Transact(func(tr *Transaction) error {
			for _, k := range all {
				tr.Set([]byte(k), nil)
			}
			return nil
		}))
		tr := db.NewTransaction()
		got, err := tr.GetKey(gkGE(gkBigKey(0)).Add(10_000))
		require.NoError(t, err)
		require.Equal(t, gkBigKey(10_000), string(got))
		require.Equal(t, []gkSpan{{gkBigKey(0), gkBigKey(10_000) + "\x00"}}, gkReads(tr, 0))
		got, err = tr.GetKey(gkLE(gkBigKey(n - 1)).Add(-10_000))
		require.NoError(t, err)
		require.Equal(t, gkBigKey(9_999), string(got))
		require.Equal(t, []gkSpan{{gkBigKey(0), gkBigKey(n-1) + "\x00"}}, gkReads(tr, 0))
		check(t, tr, all)
		check(t, tr.Snapshot(), all)
	})
	t.Run("own writes only", func(t *testing.T) {
		db := openDB(t, nil)
		tr := db.NewTransaction()
		for _, k := range all {
			tr.Set([]byte(k), nil)
		}
		check(t, tr, all)
	})
	t.Run("committed with pending writes", func(t *testing.T) {
		db := openDB(t, nil)
		require.NoError(t, db.Transact(func(tr *Transaction) error {
			for _, k := range all {
				tr.Set([]byte(k), nil)
			}
			return nil
		}))
		tr := db.NewTransaction()
		m := gkNewModel(gkViewOf(all))
		tr.ClearRange([]byte(gkBigKey(5_000)), []byte(gkBigKey(6_000)))
		m.clearRange(gkBigKey(5_000), gkBigKey(6_000))
		for i := 7_000; i < 9_000; i += 4 {
			k := gkBigKey(i) + "x"
			tr.Set([]byte(k), nil)
			m.set(k, "")
			tr.Clear([]byte(gkBigKey(i + 1)))
			m.clear(gkBigKey(i + 1))
		}
		check(t, tr, m.visible("\xff"))
	})
}

func gkViewOf(ks []string) map[string]string {
	m := make(map[string]string, len(ks))
	for _, k := range ks {
		m[k] = ""
	}
	return m
}

// ---------------------------------------------------------------------------
// 5. Errors

// TestGetKeyOutsideLegalRange: a selector whose key is beyond the max key
// (\xff, or \xff\xff with system key access) is refused with
// ErrKeyOutsideLegalRange; the max key itself is allowed, as in
// FoundationDB (a selector may name the end of the key space).
func TestGetKeyOutsideLegalRange(t *testing.T) {
	db := gkOpen(t, "b", "\xff\x01")
	outside := func(t *testing.T, err error) {
		t.Helper()
		require.ErrorIs(t, err, ErrKeyOutsideLegalRange)
		var e *Error
		require.True(t, errors.As(err, &e))
		require.Equal(t, 2004, e.Code)
	}

	tr := db.NewTransaction()
	for _, sel := range []selector.KeySelector{gkGE("\xff\x00"), gkLT("\xff\x00"), gkLE("\xff\x01"), gkGT("\xff\xff"), gkSel("\xff\x00", false, -3)} {
		_, err := tr.GetKey(sel)
		outside(t, err)
		_, err = tr.Snapshot().GetKey(sel)
		outside(t, err)
		_, err = tr.GetRange(SelectorRange{Begin: sel, End: gkGE("\xff")}, RangeOptions{})
		outside(t, err)
		_, err = tr.GetRange(SelectorRange{Begin: gkGE(""), End: sel}, RangeOptions{})
		outside(t, err)
		_, err = gkIterate(tr, SelectorRange{Begin: sel, End: gkGE("\xff")}, RangeOptions{}, 0)
		outside(t, err)
	}
	require.Empty(t, gkReads(tr, 0), "refused reads record no conflict")
	for _, c := range []struct {
		sel  selector.KeySelector
		want string
	}{{gkGE("\xff"), "\xff"}, {gkGT("\xff"), "\xff"}, {gkLE("\xff"), "b"}, {gkLT("\xff"), "b"}} {
		got, err := tr.GetKey(c.sel)
		require.NoError(t, err, "%v: the key \\xff itself is allowed", c.sel)
		require.Equal(t, c.want, string(got), "%v", c.sel)
	}
	rows, err := tr.GetRange(SelectorRange{Begin: gkGE(""), End: gkGE("\xff")}, RangeOptions{})
	require.NoError(t, err, "an end key of \\xff is allowed")
	require.Equal(t, []string{"b"}, gkKeysOf(gkRows(rows)))
	// The refused reads did not spoil the transaction.
	tr.Set([]byte("c"), nil)
	require.NoError(t, tr.Commit())

	for name, grant := range map[string]func(tr *Transaction){
		"SetReadSystemKeys":   (*Transaction).SetReadSystemKeys,
		"SetAccessSystemKeys": (*Transaction).SetAccessSystemKeys,
	} {
		t.Run(name, func(t *testing.T) {
			tr := db.NewTransaction()
			grant(tr)
			got, err := tr.GetKey(gkGE("\xff\x00"))
			require.NoError(t, err)
			require.Equal(t, "\xff\x01", string(got))
			got, err = tr.GetKey(gkGT("\xff\x01"))
			require.NoError(t, err)
			require.Equal(t, "\xff\xff", string(got))
			got, err = tr.GetKey(gkLE("\xff\xff"))
			require.NoError(t, err)
			require.Equal(t, "\xff\x01", string(got))
			_, err = tr.GetKey(gkGE("\xff\xff\x00"))
			outside(t, err)
			_, err = tr.GetRange(SelectorRange{Begin: gkGE(""), End: gkGE("\xff\xff\x00")}, RangeOptions{})
			outside(t, err)
		})
	}
}

// TestGetKeyAcrossUnreadableRange: a SetVersionstampedKey makes the range
// its key may land in unreadable until commit, and any read touching it
// fails with ErrAccessedUnreadable. A selector whose resolution walks across
// that range touches it: FoundationDB's resolveKeySelectorFromCache stops at
// the unreadable segment and RYWIterator::kv throws accessed_unreadable. A
// resolution that ends before reaching the range is unaffected.
func TestGetKeyAcrossUnreadableRange(t *testing.T) {
	db := gkOpen(t, "a", "z")
	stamped := append([]byte("p"), make([]byte, 10)...)
	stamped = append(stamped, 1, 0, 0, 0) // placeholder at offset 1
	fresh := func() *Transaction {
		tr := db.NewTransaction()
		_, err := tr.GetReadVersion()
		require.NoError(t, err)
		tr.SetVersionstampedKey(stamped, []byte("x"))
		return tr
	}
	unreadable := []struct {
		name string
		read func(tr *Transaction) error
	}{
		{"GetKey forward across", func(tr *Transaction) error { _, err := tr.GetKey(gkGE("b")); return err }},
		{"GetKey backward across", func(tr *Transaction) error { _, err := tr.GetKey(gkLT("z")); return err }},
		{"GetKey offset across", func(tr *Transaction) error { _, err := tr.GetKey(gkGE("a").Add(1)); return err }},
		{"snapshot GetKey across", func(tr *Transaction) error { _, err := tr.Snapshot().GetKey(gkGE("b")); return err }},
		{"range whose begin resolves across", func(tr *Transaction) error {
			_, err := tr.GetRange(SelectorRange{Begin: gkGE("a").Add(1), End: gkGE("zz")}, RangeOptions{})
			return err
		}},
		{"range whose end resolves across", func(tr *Transaction) error {
			_, err := tr.GetRange(SelectorRange{Begin: gkGE(""), End: gkLE("z").Add(-1)}, RangeOptions{})
			return err
		}},
	}
	for _, c := range unreadable {
		t.Run(c.name, func(t *testing.T) {
			tr := fresh()
			require.ErrorIs(t, c.read(tr), ErrAccessedUnreadable)
		})
	}
	readable := []struct {
		sel  selector.KeySelector
		want string
	}{{gkGE("a"), "a"}, {gkLE("zz"), "z"}, {gkLT("b"), "a"}, {gkGT("q"), "z"}}
	for _, c := range readable {
		t.Run(fmt.Sprintf("%v stops short", c.sel), func(t *testing.T) {
			tr := fresh()
			got, err := tr.GetKey(c.sel)
			require.NoError(t, err)
			require.Equal(t, c.want, string(got))
		})
	}
}
