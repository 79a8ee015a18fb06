package kv_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/plinthdb/plinth/internal/mutation"
	"github.com/plinthdb/plinth/kv"
	"github.com/plinthdb/plinth/selector"
	"github.com/stretchr/testify/require"
)

// The reference model. Random interleavings of up to three transactions
// (and blind one-shot commits between them) run against the engine and
// against a naive model over a small finite key space, and the two must
// agree on every read and on every commit decision.
//
// The model keeps the committed state as a plain map per version, and each
// transaction's writes as a log in call order with no folding: a read
// replays the whole log over the state at the read version, a commit
// replays it over the newest state (which is where atomic ops on keys the
// transaction did not fix apply). Only the per-op byte rule comes from
// mutation.Apply. Selectors resolve by brute force over the sorted view.
//
// Conflicts: the model predicts each read's read conflict ranges from
// FoundationDB's rules (see refGetKeyConflict and refScanConflict), checks
// them against what the engine recorded, and checks them for soundness by
// brute force: every key whose change by another transaction would change
// the read's answer must lie in them. A commit conflicts exactly when a
// range it read meets a range written by a commit after its read version.
//
// Versionstamped keys and values are written and committed (their stamps
// come from the commit version), but a transaction makes no read after
// one: what they make unreadable is the subject of testdata/versionstamps.txt.
//
// Built with -tags invariants, the conflict history's structure is checked
// after every commit.

type refSpan struct{ b, e string }

func (s refSpan) has(k string) bool { return s.b <= k && k < s.e }

func (s refSpan) String() string { return fmt.Sprintf("[%q, %q)", s.b, s.e) }

// refNormalize sorts spans and merges overlapping or touching ones,
// dropping empty ones, so two descriptions of one key set compare equal.
func refNormalize(in []refSpan) []refSpan {
	var s []refSpan
	for _, x := range in {
		if x.b < x.e {
			s = append(s, x)
		}
	}
	slices.SortFunc(s, func(x, y refSpan) int { return strings.Compare(x.b, y.b) })
	var out []refSpan
	for _, x := range s {
		if n := len(out); n > 0 && x.b <= out[n-1].e {
			out[n-1].e = max(out[n-1].e, x.e)
			continue
		}
		out = append(out, x)
	}
	return out
}

// refSubtract returns r less the holes, normalized.
func refSubtract(r refSpan, holes []refSpan) []refSpan {
	out := []refSpan{r}
	for _, h := range refNormalize(holes) {
		var next []refSpan
		for _, x := range out {
			if h.e <= x.b || x.e <= h.b {
				next = append(next, x)
				continue
			}
			if x.b < h.b {
				next = append(next, refSpan{x.b, h.b})
			}
			if h.e < x.e {
				next = append(next, refSpan{h.e, x.e})
			}
		}
		out = next
	}
	return refNormalize(out)
}

func refMeets(a, b []refSpan) bool {
	for _, x := range a {
		for _, y := range b {
			if x.b < y.e && y.b < x.e {
				return true
			}
		}
	}
	return false
}

func refCovered(spans []refSpan, k string) bool {
	for _, s := range spans {
		if s.has(k) {
			return true
		}
	}
	return false
}

// refWrite is one write of a transaction's log.
type refWrite struct {
	kind  byte // 's' Set, 'c' Clear, 'r' ClearRange, 'a' atomic op, 'k' versionstamped key, 'v' versionstamped value
	key   string
	end   string // ClearRange end
	op    kv.MutationType
	param []byte // Set value, op param, versionstamped key's value, versionstamped value's prefix
}

// apply replays w over m; stamp is the commit's versionstamp.
func (w refWrite) apply(m map[string][]byte, stamp []byte) {
	switch w.kind {
	case 's':
		m[w.key] = w.param
	case 'c':
		delete(m, w.key)
	case 'r':
		for k := range m {
			if k >= w.key && k < w.end {
				delete(m, k)
			}
		}
	case 'a':
		old, ok := m[w.key]
		v, present := mutation.Apply(mutation.Type(w.op), old, ok, w.param)
		if present {
			m[w.key] = append([]byte{}, v...)
		} else {
			delete(m, w.key)
		}
	case 'k':
		m[w.key+string(stamp)] = w.param
	case 'v':
		m[w.key] = slices.Concat(w.param, stamp)
	}
}

func (w refWrite) String() string {
	switch w.kind {
	case 's':
		return fmt.Sprintf("Set(%q, %x)", w.key, w.param)
	case 'c':
		return fmt.Sprintf("Clear(%q)", w.key)
	case 'r':
		return fmt.Sprintf("ClearRange(%q, %q)", w.key, w.end)
	case 'k':
		return fmt.Sprintf("SetVersionstampedKey(%q+stamp, %x)", w.key, w.param)
	case 'v':
		return fmt.Sprintf("SetVersionstampedValue(%q, %x+stamp)", w.key, w.param)
	}
	return fmt.Sprintf("%v(%q, %x)", w.op, w.key, w.param)
}

// written is the write conflict range w adds, given the commit's stamp.
func (w refWrite) written(stamp []byte) refSpan {
	switch w.kind {
	case 'r':
		return refSpan{w.key, w.end}
	case 'k':
		k := w.key + string(stamp)
		return refSpan{k, k + "\x00"}
	}
	return refSpan{w.key, w.key + "\x00"}
}

// refDB is the committed history: states[v] is the state after version v,
// writes[v] the ranges the commit at v wrote.
type refDB struct {
	states []map[string][]byte
	writes [][]refSpan
}

func (m *refDB) latest() int64 { return int64(len(m.states) - 1) }

type refTx struct {
	tr      *kv.Transaction
	name    string
	hasRV   bool
	rv      int64
	log     []refWrite
	holes   []refSpan       // what the transaction set or cleared itself
	dep     map[string]bool // keys with atomic ops over a database value
	deps    []refSpan       // read conflict ranges
	wcr     []refSpan       // added write conflict ranges
	stamped bool            // made a versionstamp op: no more reads
	// oldRV: SetReadVersion gave a version older than the newest. Its
	// reads work for the whole window, but the conflict history need not
	// cover it, so a commit that needs it may be refused as too old.
	oldRV bool
}

func (tx *refTx) own(k string) bool { return refCovered(tx.holes, k) }

func (tx *refTx) wrote() bool { return len(tx.log) > 0 || len(tx.wcr) > 0 }

func (tx *refTx) ensureRV(m *refDB) {
	if !tx.hasRV {
		tx.rv, tx.hasRV = m.latest(), true
	}
}

// view is what the transaction reads: the state at its read version with
// its whole log replayed.
func (tx *refTx) view(m *refDB) map[string][]byte {
	v := maps.Clone(m.states[tx.rv])
	for _, w := range tx.log {
		w.apply(v, nil)
	}
	return v
}

// refVisible returns the keys of view below maxKey, sorted.
func refVisible(view map[string][]byte, maxKey string) []string {
	var ks []string
	for k := range view {
		if k < maxKey {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	return ks
}

// refResolve is the selector rule verbatim: i is the index of the last key
// < Key (<= Key with OrEqual), the answer the key at i + Offset; off the
// start "", off the end maxKey.
func refResolve(ks []string, sel selector.KeySelector, maxKey string) string {
	key := string(sel.Key)
	i := -1
	for j, k := range ks {
		if k < key || (sel.OrEqual && k == key) {
			i = j
		}
	}
	switch t := i + sel.Offset; {
	case t < 0:
		return ""
	case t >= len(ks):
		return maxKey
	default:
		return ks[t]
	}
}

// refGetKeyConflict is what GetKey(sel) resolving to r depended on, before
// own writes are taken out: [k, r\x00) for a positive offset, [r, k)
// otherwise, where k is sel.Key, or sel.Key\x00 with OrEqual
// (fdbclient/ReadYourWrites.actor.cpp, RYWImpl::read of GetKeyReq).
func refGetKeyConflict(sel selector.KeySelector, r string) refSpan {
	k := string(sel.Key)
	if sel.OrEqual {
		k += "\x00"
	}
	if sel.Offset <= 0 {
		return refSpan{r, k}
	}
	return refSpan{k, r + "\x00"}
}

// refScan is a range read in the model: its rows over a view, and the read
// conflict range FoundationDB gives it (RYWImpl::addConflictRange in
// fdbclient/ReadYourWrites.actor.cpp): the range between the selector keys
// (OrEqual rewritten as the key after), cut at the last row when the read
// stopped early, widened to the rows returned and to the ends of the key
// space when a selector ran off them.
type refScan struct {
	bs, es  selector.KeySelector
	limit   int
	reverse bool
	stop    int // Iterate stopped after this many rows; 0: not stopped
}

// rows returns the rows of the read over view, as "key=hex" strings in
// result order, with the rows' keys and whether the read stopped early.
func (s refScan) rows(view map[string][]byte, maxKey string) (rows []string, keys []string, more bool, noConflict bool, begin, end string) {
	bk, ek := string(s.bs.Key), string(s.es.Key)
	if s.bs.OrEqual {
		bk += "\x00"
	}
	if s.es.OrEqual {
		ek += "\x00"
	}
	if s.bs.Offset >= s.es.Offset && bk >= ek {
		return nil, nil, false, true, bk, bk
	}
	ks := refVisible(view, maxKey)
	begin, end = bk, ek
	if s.bs.Offset != 1 {
		begin = refResolve(ks, s.bs, maxKey)
	}
	if s.es.Offset != 1 {
		end = refResolve(ks, s.es, maxKey)
	}
	end = min(end, maxKey)
	for _, k := range ks {
		if begin <= k && k < end {
			keys = append(keys, k)
		}
	}
	if s.reverse {
		slices.Reverse(keys)
	}
	if s.limit > 0 && len(keys) >= s.limit {
		keys, more = keys[:s.limit], true
	}
	if s.stop > 0 && len(keys) >= s.stop {
		keys, more = keys[:s.stop], true
	}
	for _, k := range keys {
		rows = append(rows, fmt.Sprintf("%q=%x", k, view[k]))
	}
	return rows, keys, more, false, begin, end
}

// conflict returns the read's conflict range before own writes are taken
// out; ok is false when it has none.
func (s refScan) conflict(view map[string][]byte, maxKey string) (refSpan, bool) {
	_, keys, more, noConflict, begin, end := s.rows(view, maxKey)
	if noConflict {
		return refSpan{}, false
	}
	bk, ek := string(s.bs.Key), string(s.es.Key)
	if s.bs.OrEqual {
		bk += "\x00"
	}
	if s.es.OrEqual {
		ek += "\x00"
	}
	bo, eo := s.bs.Offset, s.es.Offset
	var lo, hi string
	switch {
	case bk >= ek:
		lo, hi = ek, bk
	case !s.reverse:
		lo, hi = bk, ek
		if eo > 0 && more {
			hi = bk
		}
	default:
		lo, hi = bk, ek
		if bo <= 1 && more {
			lo = ek
		}
	}
	if bo <= 0 && begin == "" {
		lo = "" // ran off the beginning
	}
	if eo > 0 && end == maxKey {
		hi = maxKey // ran off the end
	}
	if n := len(keys); n > 0 {
		small, large := keys[0], keys[n-1]
		if s.reverse {
			small, large = large, small
		}
		if !s.reverse {
			if bo <= 0 {
				lo = min(lo, small)
			}
			if hi <= large {
				hi = large + "\x00"
			}
		} else {
			lo = min(lo, small)
			if eo > 0 && hi <= large {
				hi = large + "\x00"
			}
		}
	}
	return refSpan{lo, hi}, lo < hi
}

// refUniverse is every key of length 0 to 2 over {\x00, a, b, c, \xff}:
// keys that meet every boundary KeyAfter and the \xff and \xff\xff limits
// can produce.
var refUniverse = func() []string {
	alpha := []string{"\x00", "a", "b", "c", "\xff"}
	out := []string{""}
	for _, x := range alpha {
		out = append(out, x)
		for _, y := range alpha {
			out = append(out, x+y)
		}
	}
	slices.Sort(out)
	return out
}()

var refOps = []kv.MutationType{
	kv.Add, kv.BitAnd, kv.BitOr, kv.BitXor, kv.AppendIfFits, kv.Max, kv.Min,
	kv.ByteMin, kv.ByteMax, kv.CompareAndClear,
}

func TestReferenceModel(t *testing.T) {
	seeds := 60
	if testing.Short() {
		seeds = 15
	}
	for _, small := range []int{32, 2, 0} {
		// The write buffer keeps few writes in a slice and more in a
		// B-tree: run both, and the move from one to the other.
		restore := kv.SetSmallWriteBuffer(small)
		for seed := 1; seed <= seeds; seed++ {
			t.Run(fmt.Sprintf("small=%d/seed=%d", small, seed), func(t *testing.T) {
				runReference(t, uint64(seed), 800)
			})
		}
		restore()
	}
}

type refRun struct {
	t      *testing.T
	r      *rand.Rand
	db     *kv.DB
	m      *refDB
	system bool   // transactions have system key access
	maxKey string // \xff, or \xff\xff with system access
	trace  []string
	stats  map[string]int
	// kept are rows read with NoCopy and what they held when read: they
	// must hold the same at the end of the run, after every later write.
	kept []keptRow
}

type keptRow struct {
	row  kv.KeyValue
	want string
}

func (x *refRun) logf(format string, args ...any) {
	x.trace = append(x.trace, fmt.Sprintf(format, args...))
}

func runReference(t *testing.T, seed uint64, steps int) {
	x := &refRun{
		t: t, r: rand.New(rand.NewPCG(seed, 0x5eed)),
		m:      &refDB{states: []map[string][]byte{{}, {}}, writes: [][]refSpan{nil, nil}},
		system: seed%3 == 2, maxKey: "\xff", stats: map[string]int{},
	}
	if x.system {
		x.maxKey = "\xff\xff"
	}
	db, err := kv.Open(nil)
	require.NoError(t, err)
	defer db.Close()
	kv.UseClock(db) // a clock that stands still: no read version gets too old
	x.db = db
	t.Cleanup(func() {
		if t.Failed() {
			t.Log("seed", seed, "system", x.system, "trace:\n  "+strings.Join(x.trace, "\n  "))
		}
	})

	var open []*refTx
	names := 0
	for step := 0; step < steps; step++ {
		if len(open) < 3 && (len(open) == 0 || x.r.IntN(3) == 0) {
			names++
			open = append(open, x.begin(fmt.Sprintf("t%d", names)))
			continue
		}
		if x.r.IntN(20) == 0 {
			x.blind(step)
			continue
		}
		i := x.r.IntN(len(open))
		if x.step(open, open[i], step) {
			open = slices.Delete(open, i, i+1)
		}
	}
	for _, tx := range open {
		x.commit(tx)
	}
	x.checkState()
	for _, k := range x.kept {
		require.Equal(t, k.want, fmt.Sprintf("%q=%x", k.row.Key, k.row.Value), "a NoCopy row changed after it was read")
	}
	require.Greater(t, x.stats["commit"], 0)
	t.Logf("seed %d: %v", seed, x.stats)
}

func (x *refRun) begin(name string) *refTx {
	tr := x.db.NewTransaction()
	if x.system {
		tr.SetAccessSystemKeys()
	}
	x.logf("%s: begin", name)
	return &refTx{tr: tr, name: name, dep: map[string]bool{}}
}

// key returns a random key of the universe that transactions may write.
func (x *refRun) key() string {
	for {
		if k := refUniverse[x.r.IntN(len(refUniverse))]; k < x.maxKey {
			return k
		}
	}
}

// bound returns a random range end: a universe key or the max key, rarely
// one beyond it.
func (x *refRun) bound() string {
	switch x.r.IntN(12) {
	case 0:
		return x.maxKey
	case 1:
		return "\xff\xff\x00"
	}
	return refUniverse[x.r.IntN(len(refUniverse))]
}

func (x *refRun) bytes() []byte {
	n := x.r.IntN(5)
	if n == 0 && x.r.IntN(3) > 0 {
		n = 1 + x.r.IntN(4) // empty params, but not too often
	}
	b := make([]byte, n)
	for i := range b {
		switch x.r.IntN(4) {
		case 0:
			b[i] = 0
		case 1:
			b[i] = 0xff
		default:
			b[i] = byte(x.r.IntN(256))
		}
	}
	return b
}

// selector picks a key of the universe and an offset mostly near zero,
// sometimes beyond the number of keys.
func (x *refRun) selector(n int) selector.KeySelector {
	off := x.r.IntN(7) - 3
	if x.r.IntN(4) == 0 {
		off = x.r.IntN(2*n+7) - (n + 3)
	}
	return selector.KeySelector{Key: []byte(x.bound()), OrEqual: x.r.IntN(2) == 0, Offset: off}
}

// step makes one random operation of tx and reports whether tx ended.
func (x *refRun) step(open []*refTx, tx *refTx, step int) bool {
	t, r, tr := x.t, x.r, tx.tr
	n := r.IntN(100)
	if tx.stamped && n < 50 {
		n = 50 + r.IntN(50) // no reads after a versionstamp op
	}
	snap := r.IntN(4) == 0
	switch {
	case n < 12:
		x.get(tx, snap)
	case n < 26:
		b, e := x.bound(), x.bound()
		if r.IntN(6) == 0 {
			e = b
		}
		if b > e && r.IntN(4) > 0 {
			b, e = e, b // inverted ranges are legal and empty, but rarely useful
		}
		x.scan(tx, kv.KeyRange{Begin: []byte(b), End: []byte(e)}, snap)
	case n < 34:
		k := len(refVisible(tx.viewOrLatest(x.m), x.maxKey))
		bs, es := x.selector(k), x.selector(k)
		if r.IntN(3) == 0 {
			// Often a plain bound, as most selector ranges have.
			es = selector.KeySelector{Key: []byte(x.bound()), OrEqual: r.IntN(2) == 0, Offset: 1}
		}
		x.scan(tx, kv.SelectorRange{Begin: bs, End: es}, snap)
	case n < 44:
		x.getKey(tx, snap)
	case n < 46:
		b, e := x.key(), x.key()
		b, e = min(b, e), max(b, e)
		x.logf("%s: AddReadConflictRange(%q, %q)", tx.name, b, e)
		before := len(kv.ReadConflicts(tr))
		require.NoError(t, tr.AddReadConflictRange([]byte(b), []byte(e)))
		tx.ensureRV(x.m)
		want := refSubtract(refSpan{b, e}, tx.holes)
		x.requireReads(tx, before, want, "AddReadConflictRange")
		tx.deps = append(tx.deps, want...)
	case n < 50:
		if tx.hasRV || tx.wrote() {
			return x.commit(tx)
		}
		// SetReadVersion: the newest version, or another live
		// transaction's read version, which the history still covers.
		v := x.m.latest()
		for _, o := range open {
			if o != tx && o.hasRV && r.IntN(2) == 0 {
				v = o.rv
			}
		}
		x.logf("%s: SetReadVersion(%d)", tx.name, v)
		tr.SetReadVersion(v)
		tx.rv, tx.hasRV, tx.oldRV = v, true, v < x.m.latest()
		x.stats["set-read-version"]++
	case n < 62:
		w := refWrite{kind: 's', key: x.key(), param: x.bytes()}
		tr.Set([]byte(w.key), w.param)
		x.write(tx, w, refSpan{w.key, w.key + "\x00"})
	case n < 66:
		w := refWrite{kind: 'c', key: x.key()}
		tr.Clear([]byte(w.key))
		x.write(tx, w, refSpan{w.key, w.key + "\x00"})
	case n < 70:
		b, e := x.key(), x.key()
		b, e = min(b, e), max(b, e)
		if r.IntN(5) == 0 {
			e = x.maxKey
		}
		tr.ClearRange([]byte(b), []byte(e))
		if b == e {
			x.logf("%s: ClearRange(%q, %q), empty", tx.name, b, e)
			break
		}
		x.write(tx, refWrite{kind: 'r', key: b, end: e}, refSpan{b, e})
	case n < 86:
		op := refOps[r.IntN(len(refOps))]
		k := x.key()
		p := x.bytes()
		if op == kv.CompareAndClear && !tx.stamped && tx.hasRV && r.IntN(2) == 0 {
			if v, ok := tx.view(x.m)[k]; ok {
				p = bytes.Clone(v) // make it match, so it clears
			}
		}
		tr.Atomic(op, []byte(k), p)
		if !tx.own(k) {
			tx.dep[k] = true
		}
		x.write(tx, refWrite{kind: 'a', key: k, op: op, param: p}, refSpan{})
	case n < 88:
		prefix := x.key()
		if len(prefix) > 1 {
			prefix = prefix[:1]
		}
		if prefix >= "\xff" && !x.system {
			prefix = "b"
		}
		v := x.bytes()
		tr.SetVersionstampedKey(binary.LittleEndian.AppendUint32(slices.Concat([]byte(prefix), make([]byte, 10)), uint32(len(prefix))), v)
		tx.stamped = true
		x.write(tx, refWrite{kind: 'k', key: prefix, param: v}, refSpan{})
	case n < 90:
		k, prefix := x.key(), x.bytes()
		tr.SetVersionstampedValue([]byte(k), binary.LittleEndian.AppendUint32(slices.Concat(prefix, make([]byte, 10)), uint32(len(prefix))))
		tx.stamped = true
		x.write(tx, refWrite{kind: 'v', key: k, param: prefix}, refSpan{})
	case n < 92:
		b, e := x.key(), x.key()
		b, e = min(b, e), max(b, e)
		x.logf("%s: AddWriteConflictRange(%q, %q)", tx.name, b, e)
		require.NoError(t, tr.AddWriteConflictRange([]byte(b), []byte(e)))
		if b < e {
			tx.wcr = append(tx.wcr, refSpan{b, e})
		}
	default:
		return x.commit(tx)
	}
	return false
}

// viewOrLatest is the transaction's view, or the newest state before it
// has a read version (only for sizing random selectors).
func (tx *refTx) viewOrLatest(m *refDB) map[string][]byte {
	if !tx.hasRV {
		return m.states[m.latest()]
	}
	return tx.view(m)
}

func (x *refRun) write(tx *refTx, w refWrite, hole refSpan) {
	x.logf("%s: %v", tx.name, w)
	tx.log = append(tx.log, w)
	if hole.b < hole.e {
		tx.holes = append(tx.holes, hole)
	}
	x.stats["write"]++
}

// requireReads checks that the read conflict ranges tr recorded from index
// before on are want.
func (x *refRun) requireReads(tx *refTx, before int, want []refSpan, what string) {
	x.t.Helper()
	var got []refSpan
	for _, r := range kv.ReadConflicts(tx.tr)[before:] {
		got = append(got, refSpan{string(r[0]), string(r[1])})
	}
	require.Equal(x.t, fmt.Sprint(refNormalize(want)), fmt.Sprint(refNormalize(got)), "%s: %s: read conflict ranges", tx.name, what)
}

// requireSound checks that every key whose change by another transaction
// would change answer (a function of the view) lies in spans.
func (x *refRun) requireSound(tx *refTx, view map[string][]byte, spans []refSpan, answer func(map[string][]byte) string, what string) {
	x.t.Helper()
	want := answer(view)
	for _, k := range refUniverse {
		if k >= x.maxKey || tx.own(k) || tx.dep[k] {
			continue
		}
		toggled := maps.Clone(view)
		if _, ok := toggled[k]; ok {
			delete(toggled, k)
		} else {
			toggled[k] = []byte("new")
		}
		if answer(toggled) != want {
			require.True(x.t, refCovered(spans, k), "%s: %s: a change at %q alters the answer but is not covered by %v", tx.name, what, k, spans)
		}
	}
}

func (x *refRun) get(tx *refTx, snap bool) {
	t := x.t
	k := x.key()
	var rt kv.ReadTransaction = tx.tr
	if snap {
		rt = tx.tr.Snapshot()
	}
	before := len(kv.ReadConflicts(tx.tr))
	got, err := rt.Get([]byte(k))
	x.logf("%s: Get(%q) snapshot=%v -> %x, %v", tx.name, k, snap, got, err)
	require.NoError(t, err)
	tx.ensureRV(x.m)
	view := tx.view(x.m)
	want, ok := view[k]
	if !ok {
		require.Nil(t, got, "%s: Get(%q)", tx.name, k)
	} else {
		require.NotNil(t, got, "%s: Get(%q): present", tx.name, k)
		require.Equal(t, fmt.Sprintf("%x", want), fmt.Sprintf("%x", got), "%s: Get(%q)", tx.name, k)
	}
	var spans []refSpan
	if !snap && !tx.own(k) {
		spans = []refSpan{{k, k + "\x00"}}
	}
	x.requireReads(tx, before, spans, fmt.Sprintf("Get(%q)", k))
	tx.deps = append(tx.deps, spans...)
	x.stats["get"]++
}

func (x *refRun) getKey(tx *refTx, snap bool) {
	t := x.t
	sel := x.selector(len(refVisible(tx.viewOrLatest(x.m), x.maxKey)))
	var rt kv.ReadTransaction = tx.tr
	if snap {
		rt = tx.tr.Snapshot()
	}
	before := len(kv.ReadConflicts(tx.tr))
	got, err := rt.GetKey(sel)
	x.logf("%s: GetKey(%v) snapshot=%v -> %q, %v", tx.name, sel, snap, got, err)
	what := fmt.Sprintf("GetKey(%v)", sel)
	if string(sel.Key) > x.maxKey {
		require.ErrorIs(t, err, kv.ErrKeyOutsideLegalRange, "%s: %s", tx.name, what)
		x.requireReads(tx, before, nil, what+", refused")
		x.fixRV(tx)
		return
	}
	require.NoError(t, err)
	tx.ensureRV(x.m)
	view := tx.view(x.m)
	resolve := func(v map[string][]byte) string { return refResolve(refVisible(v, x.maxKey), sel, x.maxKey) }
	want := resolve(view)
	require.Equal(t, want, string(got), "%s: %s", tx.name, what)
	require.NotNil(t, got, "a resolved key is never nil")
	var spans []refSpan
	if !snap {
		spans = refSubtract(refGetKeyConflict(sel, want), tx.holes)
		x.requireSound(tx, view, spans, resolve, what)
	}
	x.requireReads(tx, before, spans, what)
	tx.deps = append(tx.deps, spans...)
	x.stats["get-key"]++
}

func (x *refRun) scan(tx *refTx, rg kv.Range, snap bool) {
	t, r := x.t, x.r
	bs, es := rg.Selectors()
	s := refScan{bs: bs, es: es, reverse: r.IntN(2) == 0}
	if r.IntN(2) == 0 {
		s.limit = 1 + r.IntN(3)
	}
	iterate := r.IntN(2) == 0
	if iterate && r.IntN(2) == 0 {
		s.stop = 1 + r.IntN(3)
	}
	var rt kv.ReadTransaction = tx.tr
	if snap {
		rt = tx.tr.Snapshot()
	}
	opts := kv.RangeOptions{Limit: s.limit, Reverse: s.reverse, NoCopy: r.IntN(2) == 0}
	what := fmt.Sprintf("range %v..%v %+v iterate=%v stop=%d snapshot=%v", bs, es, opts, iterate, s.stop, snap)
	before := len(kv.ReadConflicts(tx.tr))
	var rows []kv.KeyValue
	var err error
	if iterate {
		for row, ierr := range rt.Iterate(rg, opts) {
			if ierr != nil {
				err = ierr
				break
			}
			rows = append(rows, row)
			if s.stop > 0 && len(rows) == s.stop {
				break
			}
		}
	} else {
		rows, err = rt.GetRange(rg, opts)
	}
	x.logf("%s: %s -> %d rows, %v", tx.name, what, len(rows), err)
	if string(bs.Key) > x.maxKey || string(es.Key) > x.maxKey {
		require.ErrorIs(t, err, kv.ErrKeyOutsideLegalRange, "%s: %s", tx.name, what)
		x.requireReads(tx, before, nil, what+", refused")
		x.fixRV(tx)
		return
	}
	require.NoError(t, err, "%s: %s", tx.name, what)
	tx.ensureRV(x.m)
	view := tx.view(x.m)
	want, _, _, _, _, _ := s.rows(view, x.maxKey)
	var got []string
	for _, row := range rows {
		got = append(got, fmt.Sprintf("%q=%x", row.Key, row.Value))
	}
	require.Equal(t, want, got, "%s: %s", tx.name, what)
	if opts.NoCopy {
		for i, row := range rows {
			x.kept = append(x.kept, keptRow{row, got[i]})
		}
	}
	var spans []refSpan
	if !snap {
		if c, ok := s.conflict(view, x.maxKey); ok {
			spans = refSubtract(c, tx.holes)
		}
		x.requireSound(tx, view, spans, func(v map[string][]byte) string {
			rows, _, _, _, _, _ := s.rows(v, x.maxKey)
			return strings.Join(rows, ",")
		}, what)
	}
	x.requireReads(tx, before, spans, what)
	tx.deps = append(tx.deps, spans...)
	x.stats["range"]++
}

// fixRV gives tx its read version after a refused read, which may or may
// not have taken one: either way it is the newest, as no commit came
// between.
func (x *refRun) fixRV(tx *refTx) {
	if tx.hasRV {
		return
	}
	v, err := tx.tr.GetReadVersion()
	require.NoError(x.t, err)
	require.Equal(x.t, x.m.latest(), v, "%s: read version", tx.name)
	tx.ensureRV(x.m)
}

// blind commits one or two writes of a transaction that reads nothing.
func (x *refRun) blind(step int) {
	tx := x.begin(fmt.Sprintf("blind%d", step))
	for range 1 + x.r.IntN(2) {
		switch k := x.key(); x.r.IntN(4) {
		case 0:
			tx.tr.Clear([]byte(k))
			x.write(tx, refWrite{kind: 'c', key: k}, refSpan{k, k + "\x00"})
		case 1:
			p := x.bytes()
			tx.tr.Add([]byte(k), p)
			x.write(tx, refWrite{kind: 'a', key: k, op: kv.Add, param: p}, refSpan{})
		default:
			v := x.bytes()
			tx.tr.Set([]byte(k), v)
			x.write(tx, refWrite{kind: 's', key: k, param: v}, refSpan{k, k + "\x00"})
		}
	}
	x.commit(tx)
}

// commit commits tx in the engine and in the model; it always ends tx.
func (x *refRun) commit(tx *refTx) bool {
	t, m := x.t, x.m
	err := tx.tr.Commit()
	x.logf("%s: Commit -> %v", tx.name, err)
	if !tx.wrote() {
		require.NoError(t, err, "%s: a read-only commit", tx.name)
		v, err := tx.tr.GetCommittedVersion()
		require.NoError(t, err)
		require.EqualValues(t, -1, v)
		x.stats["read-only"]++
		return true
	}
	conflict := false
	if tx.hasRV {
		for v := tx.rv + 1; v <= m.latest(); v++ {
			conflict = conflict || refMeets(tx.deps, m.writes[v])
		}
	}
	if tx.oldRV && errors.Is(err, kv.ErrTransactionTooOld) {
		x.stats["too-old"]++
		return true
	}
	if conflict {
		require.ErrorIs(t, err, kv.ErrNotCommitted, "%s: the commit must conflict", tx.name)
		x.stats["conflict"]++
		return true
	}
	require.NoError(t, err, "%s: the commit must not conflict", tx.name)
	cv := m.latest() + 1
	stamp := binary.BigEndian.AppendUint64(nil, uint64(cv))
	stamp = append(stamp, 0, 0)
	next := maps.Clone(m.states[m.latest()])
	wrote := slices.Clone(tx.wcr)
	for _, w := range tx.log {
		w.apply(next, stamp)
		wrote = append(wrote, w.written(stamp))
	}
	m.states = append(m.states, next)
	m.writes = append(m.writes, wrote)
	v, err := tx.tr.GetCommittedVersion()
	require.NoError(t, err)
	require.Equal(t, cv, v, "%s: commit version", tx.name)
	require.NoError(t, kv.CheckConflictInvariants(x.db))
	x.stats["commit"]++
	if x.stats["commit"]%8 == 0 {
		x.checkState()
	}
	return true
}

// checkState reads everything and compares it with the newest state.
func (x *refRun) checkState() {
	var got []string
	require.NoError(x.t, x.db.ReadTransact(func(rt kv.ReadTransaction) error {
		tr := rt.(*kv.Transaction)
		tr.SetReadSystemKeys()
		rows, err := tr.GetRange(kv.KeyRange{Begin: []byte{}, End: []byte(x.maxKey)}, kv.RangeOptions{})
		for _, row := range rows {
			got = append(got, fmt.Sprintf("%q=%x", row.Key, row.Value))
		}
		return err
	}))
	var want []string
	state := x.m.states[x.m.latest()]
	for _, k := range refVisible(state, x.maxKey) {
		want = append(want, fmt.Sprintf("%q=%x", k, state[k]))
	}
	require.Equal(x.t, want, got, "the committed state")
}
