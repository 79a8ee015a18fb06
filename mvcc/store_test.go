package mvcc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"maps"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// model is the reference: the full state after every version, kept whole.
type model struct {
	states []map[string]string // states[v] = state after version v
}

func (m *model) at(v int64) map[string]string { return m.states[v] }

func (m *model) apply(clears []KeyRange, writes []Write) {
	next := snapshot(maps.Clone(m.states[len(m.states)-1]))
	next.apply(clears, writes)
	m.states = append(m.states, next)
}

func (m *model) scan(v int64, r KeyRange, reverse bool, limit int) []string {
	var keys []string
	for k := range m.at(v) {
		if k >= string(r.Begin) && (r.End == nil || k < string(r.End)) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if reverse {
		slices.Reverse(keys)
	}
	if limit > 0 && len(keys) > limit {
		keys = keys[:limit]
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k + "=" + m.at(v)[k]
	}
	return out
}

func randKey(r *rand.Rand) []byte {
	// A small alphabet and lengths 0-3 give prefixes, empty keys, and keys
	// that differ only past the inline 16-byte prefix.
	n := r.IntN(4)
	b := make([]byte, n)
	for i := range b {
		b[i] = "a\x00\xffb"[r.IntN(4)]
	}
	if r.IntN(8) == 0 {
		b = append(bytes.Repeat([]byte("p"), 16), b...)
	}
	return b
}

func TestStoreMatchesModel(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 99))
			s := New()
			m := &model{states: []map[string]string{{}}}
			horizon := int64(0)
			for ver := int64(1); ver <= 300; ver++ {
				var clears []KeyRange
				var writes []Write
				if r.IntN(5) == 0 {
					b, e := randKey(r), randKey(r)
					if bytes.Compare(b, e) > 0 {
						b, e = e, b
					}
					if r.IntN(4) == 0 {
						e = nil
					}
					clears = append(clears, KeyRange{b, e})
				}
				for range r.IntN(4) {
					writes = append(writes, Write{Key: randKey(r), Value: []byte(fmt.Sprint(ver)), Delete: r.IntN(3) == 0})
				}
				s.Apply(ver, clears, writes)
				m.apply(clears, writes)
				if r.IntN(10) == 0 {
					horizon = max(horizon, ver-int64(r.IntN(10)))
					s.Collect(horizon, r.IntN(5))
				}
				checkRecent(t, s)
				for range 5 {
					at := horizon + r.Int64N(ver-horizon+1)
					k := randKey(r)
					got, ok := s.Get(k, at)
					want, wok := m.at(at)[string(k)]
					require.Equal(t, wok, ok, "get %q at %d", k, at)
					require.Equal(t, want, string(got))
					b, e := randKey(r), randKey(r)
					if r.IntN(5) == 0 {
						e = nil
					}
					rg := KeyRange{b, e}
					rev, lim := r.IntN(2) == 0, r.IntN(4)
					var gotScan []string
					for _, kv := range s.Range(nil, rg, at, rev, lim) {
						gotScan = append(gotScan, string(kv.Key)+"="+string(kv.Value))
					}
					wantScan := m.scan(at, rg, rev, lim)
					if len(wantScan) == 0 {
						wantScan = nil
					}
					require.Equal(t, wantScan, gotScan, "scan %q rev=%v lim=%d at %d", rg, rev, lim, at)
				}
			}
		})
	}
}

func TestCollectReturnsToLiveSize(t *testing.T) {
	s := New()
	ver := int64(0)
	const keys = 1000
	for round := 0; round < 20; round++ {
		ver++
		var ws []Write
		for i := 0; i < keys; i++ {
			ws = append(ws, Write{Key: []byte(fmt.Sprintf("k%04d", i)), Value: []byte(fmt.Sprint(round))})
		}
		s.Apply(ver, nil, ws)
	}
	// Delete half the keys one way, the other half by range.
	ver++
	var ws []Write
	for i := 0; i < keys/4; i++ {
		ws = append(ws, Write{Key: []byte(fmt.Sprintf("k%04d", i)), Delete: true})
	}
	s.Apply(ver, []KeyRange{{Begin: []byte("k0250"), End: []byte("k0500")}}, ws)
	st := s.Stats()
	require.Equal(t, keys, st.Keys)
	require.Equal(t, keys*20+keys/2, st.Versions)

	require.False(t, s.Collect(ver, 0))
	st = s.Stats()
	require.Equal(t, keys/2, st.Keys, "deleted keys leave the tree")
	require.Equal(t, keys/2, st.Versions, "one version per live key")
	require.Zero(t, st.Pending)
	v, ok := s.Get([]byte("k0999"), ver)
	require.True(t, ok)
	require.Equal(t, "19", string(v))
	_, ok = s.Get([]byte("k0100"), ver)
	require.False(t, ok)
}

func TestCollectKeepsWhatReadersAtHorizonSee(t *testing.T) {
	s := New()
	k := []byte("k")
	s.Apply(1, nil, []Write{{Key: k, Value: []byte("1")}})
	s.Apply(2, nil, []Write{{Key: k, Value: []byte("2")}})
	s.Apply(3, nil, []Write{{Key: k, Delete: true}})
	s.Apply(4, nil, []Write{{Key: k, Value: []byte("4")}})
	s.Collect(2, 0)
	v, _ := s.Get(k, 2)
	require.Equal(t, "2", string(v))
	_, ok := s.Get(k, 3)
	require.False(t, ok)
	s.Collect(3, 0)
	_, ok = s.Get(k, 3)
	require.False(t, ok)
	v, _ = s.Get(k, 4)
	require.Equal(t, "4", string(v))
	// The key was queued again at its newest version, 4: its remaining old
	// versions go once the horizon reaches it.
	require.Equal(t, 3, s.Stats().Versions)
	s.Collect(4, 0)
	require.Equal(t, 1, s.Stats().Versions)
	require.Zero(t, s.Stats().Pending)
}

// TestHotKeyCollectionIsLinear writes one key many times inside the window
// and collects after each write, as the commit path does: each key must be
// walked once per window, not once per write.
func TestHotKeyCollectionIsLinear(t *testing.T) {
	s := New()
	k := []byte("hot")
	const writes, window = 20000, 5000
	for v := int64(1); v <= writes; v++ {
		s.Apply(v, nil, []Write{{Key: k, Value: []byte("x")}})
		s.Collect(max(v-window, 0), 8)
		require.LessOrEqual(t, s.Stats().Pending, 1, "a key is queued at most once")
		require.LessOrEqual(t, s.Stats().Versions, 2*window+1, "at most two windows of versions")
	}
	s.Collect(writes, 0)
	require.Equal(t, 1, s.Stats().Versions)
}

// TestConcurrentReadersSeeWholeCommits checks atomic visibility: every commit
// writes the same version number to all keys, so a reader at a fixed version
// must see one consistent value across a scan.
func TestConcurrentReadersSeeWholeCommits(t *testing.T) {
	s := New()
	const keys = 200
	var published sync.Map
	write := func(ver int64) {
		ws := make([]Write, keys)
		for i := range ws {
			ws[i] = Write{Key: []byte(fmt.Sprintf("k%03d", i)), Value: []byte(fmt.Sprint(ver))}
		}
		s.Apply(ver, nil, ws)
		published.Store("v", ver)
	}
	write(1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for v := int64(2); v <= 200; v++ {
			write(v)
			s.Collect(v-5, 50)
		}
	}()
	for i := 0; i < 200; i++ {
		pv, _ := published.Load("v")
		at := pv.(int64)
		kvs := s.Range(nil, KeyRange{Begin: []byte("k")}, at, i%2 == 0, 0)
		require.Len(t, kvs, keys)
		for _, kv := range kvs {
			require.Equal(t, fmt.Sprint(at), string(kv.Value))
		}
	}
	wg.Wait()
}

// TestBulkLoadFillsNodes loads keys in ascending order, in commits of many
// keys as a bulk load does, and checks what the tree holds per key. Applied
// in the order given, google/btree's middle splits would leave every node
// but the last half empty (about 165 bytes per 80-byte item); Apply inserts
// such commits from the last key, which keeps the nodes full.
func TestBulkLoadFillsNodes(t *testing.T) {
	const n, batch = 100_000, 10_000
	keys := make([]byte, 16*n)
	for i := range n {
		binary.BigEndian.PutUint64(keys[16*i+8:], uint64(i))
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	ws := make([]Write, 0, batch)
	before := heap()
	s := New()
	for lo := 0; lo < n; lo += batch {
		ws = ws[:0]
		for i := lo; i < lo+batch; i++ {
			ws = append(ws, Write{Key: keys[16*i : 16*i+16 : 16*i+16], Value: []byte{}})
		}
		s.Apply(int64(lo/batch+1), nil, ws)
	}
	perKey := float64(heap()-before) / n
	t.Logf("%.1f bytes per key", perKey)
	require.Equal(t, n, s.Stats().Keys)
	require.Less(t, perKey, 120.0, "tree bytes per key after an ascending bulk load")
	runtime.KeepAlive(s)

	// The order is free only for distinct keys: of two writes to one key,
	// the later still wins.
	s.Apply(100, nil, []Write{{Key: []byte("a"), Value: []byte("1")}, {Key: []byte("a"), Value: []byte("2")}})
	v, ok := s.Get([]byte("a"), 100)
	require.True(t, ok)
	require.Equal(t, "2", string(v))
}

// The slices a read hands out are cut to their length, whatever capacity
// Apply's caller gave them, and a present value is never nil: a reader may
// hand them on, and an append to one cannot write into the store. Old
// versions (from the chain's segments) too.
func TestReadSlicesAreExact(t *testing.T) {
	s := New()
	roomy := func(b string) []byte { return append(make([]byte, 0, len(b)+8), b...) }
	s.Apply(1, nil, []Write{{Key: roomy("a"), Value: roomy("1")}, {Key: roomy("b"), Value: nil}, {Key: roomy("c"), Value: roomy("")}})
	s.Apply(2, nil, []Write{{Key: roomy("a"), Value: roomy("22")}, {Key: roomy("b"), Value: roomy("x")}, {Key: roomy("c"), Value: roomy("y")}})
	for _, at := range []int64{1, 2} {
		var rows []KV
		rows = s.Range(rows, KeyRange{}, at, false, 0)
		s.Scan(KeyRange{}, at, true, 0, func(k, v []byte) bool {
			rows = append(rows, KV{k, v})
			return true
		})
		require.Len(t, rows, 6, "at %d", at)
		for _, r := range rows {
			require.Equal(t, len(r.Key), cap(r.Key), "at %d key %q", at, r.Key)
			require.Equal(t, len(r.Value), cap(r.Value), "at %d key %q", at, r.Key)
			require.NotNil(t, r.Value, "at %d key %q", at, r.Key)
		}
		for _, k := range []string{"a", "b", "c"} {
			v, ok := s.Get([]byte(k), at)
			require.True(t, ok)
			require.NotNil(t, v)
			require.Equal(t, len(v), cap(v), "at %d key %q", at, k)
		}
	}
}

// Walks over a tree of many leaves stop exactly at the range's bounds in
// both directions, wherever those fall: before the first key, between
// keys, on a key, at a leaf's edge, past the last key, or with the begin
// above the end. Every read path (Range, Scan, ScanBounded) against the
// model, with limits below, at and above a step, and some keys deleted or
// overwritten after the read version so that visits and rows differ.
func TestWalksStopAtBounds(t *testing.T) {
	const keys = 1500 // about 24 full leaves
	key := func(i int) []byte { return []byte(fmt.Sprintf("k%05d", 2*i)) }
	s := New()
	m := &model{states: []map[string]string{{}}}
	apply := func(writes []Write) {
		s.Apply(int64(len(m.states)), nil, writes)
		m.apply(nil, writes)
	}
	var ws []Write
	for i := range keys {
		ws = append(ws, Write{Key: key(i), Value: []byte(fmt.Sprint("v", i))})
	}
	apply(ws)
	ws = nil
	for i := 0; i < keys; i += 3 {
		ws = append(ws, Write{Key: key(i), Delete: i%2 == 0, Value: []byte("new")})
	}
	apply(ws)
	// Bounds: every leaf edge's key and its neighbours in between, the
	// ends of the key space, and the keys' odd numbers (between keys).
	var bounds [][]byte
	for i := 0; i <= 2*keys+2; i++ {
		if i%63 <= 2 || i%64 <= 2 || i < 4 || i > 2*keys-4 {
			bounds = append(bounds, []byte(fmt.Sprintf("k%05d", i)))
		}
	}
	bounds = append(bounds, []byte{}, []byte("a"), []byte("z"))
	r := rand.New(rand.NewPCG(7, 7))
	for range 3000 {
		b, e := bounds[r.IntN(len(bounds))], bounds[r.IntN(len(bounds))]
		if r.IntN(6) == 0 {
			e = nil
		}
		rg, rev := KeyRange{Begin: b, End: e}, r.IntN(2) == 0
		lim := []int{0, 1, 7, 100, MaxBoundedScan, MaxBoundedScan + 1, 1000}[r.IntN(7)]
		at := int64(1 + r.IntN(2))
		want := nilIfEmpty(m.scan(at, rg, rev, lim))
		if bytes.Compare(b, e) >= 0 && e != nil {
			want = nil
		}
		var got []string
		for _, kv := range s.Range(nil, rg, at, rev, lim) {
			got = append(got, string(kv.Key)+"="+string(kv.Value))
		}
		require.Equal(t, want, nilIfEmpty(got), "Range %q rev=%v lim=%d at %d", rg, rev, lim, at)
		for name, read := range map[string]func(KeyRange, int64, bool, int, func(k, v []byte) bool){"Scan": s.Scan, "ScanBounded": s.ScanBounded} {
			got = nil
			read(rg, at, rev, lim, func(k, v []byte) bool {
				got = append(got, string(k)+"="+string(v))
				return true
			})
			require.Equal(t, want, nilIfEmpty(got), "%s %q rev=%v lim=%d at %d", name, rg, rev, lim, at)
		}
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}
