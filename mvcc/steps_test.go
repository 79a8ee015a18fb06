package mvcc

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
)

// TestChainMatchesSlice drives a chain through pushes and cuts across
// segment boundaries and checks every read against a plain slice.
func TestChainMatchesSlice(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	c := newChain()
	var want []version // ascending
	ver := int64(0)
	for round := 0; round < 40; round++ {
		for range r.IntN(3 * segLen) {
			ver += 1 + r.Int64N(3)
			v := version{ver: ver, value: []byte(fmt.Sprint(ver)), deleted: r.IntN(5) == 0}
			if r.IntN(7) == 0 {
				v.value = []byte{} // an empty value is not a deletion
			}
			c.push(v)
			want = append(want, v)
		}
		require.Equal(t, len(want), c.n)
		for range 200 {
			v := r.Int64N(ver + 2)
			i := newestOf(want, v)
			got, ok := c.at(v)
			if i < 0 || want[i].deleted {
				require.False(t, ok, "at %d", v)
				continue
			}
			require.True(t, ok, "at %d", v)
			require.NotNil(t, got, "at %d", v)
			require.Equal(t, string(want[i].value), string(got))
			require.Equal(t, len(got), cap(got), "a value is capped at its length")
		}
		if len(want) == 0 {
			continue
		}
		h := want[0].ver + r.Int64N(ver-want[0].ver+1)
		i := newestOf(want, h)
		if i >= 0 && want[i].deleted {
			i++
		}
		require.Equal(t, max(i, 0), c.cut(h), "cut at %d", h)
		want = want[max(i, 0):]
		require.Equal(t, len(want), c.n)
	}
}

// TestChainMemoryFollowsLiveVersions rewrites one key at a steady rate
// while cutting it to its last 50 versions, as collection does for a key
// rewritten inside the window: the tail then never fills up, and its bytes
// must still hold about the live values, not every value it was given. The
// values read before each cut must keep their bytes.
func TestChainMemoryFollowsLiveVersions(t *testing.T) {
	const live, size = 50, 100
	c := newChain()
	var kept [][]byte
	for v := int64(1); v <= 100_000; v++ {
		val := make([]byte, size)
		val[0], val[1] = byte(v), byte(v>>8)
		c.push(version{ver: v, value: val})
		if v > live {
			c.cut(v - live)
		}
		if v%997 == 0 {
			got, ok := c.at(v)
			require.True(t, ok)
			kept = append(kept, got)
		}
	}
	require.Equal(t, live+1, c.n)
	require.Empty(t, c.segs)
	require.LessOrEqual(t, cap(c.tail.data), 4*(live+1)*size, "the tail's bytes follow its live versions")
	for i, got := range kept {
		v := int64(997 * (i + 1))
		require.Equal(t, []byte{byte(v), byte(v >> 8)}, got[:2], "a value read at %d", v)
	}
}

// reentrant wraps a step hook so that the store calls it only between the
// steps of the operation under test, not of those the hook itself runs.
func reentrant(s *Store, hook func()) func() {
	var self func()
	self = func() {
		s.stepped = nil
		hook()
		s.stepped = self
	}
	return self
}

// snapshot is a store's expected state at one version.
type snapshot map[string]string

func (m snapshot) scan(r KeyRange, reverse bool, limit int) []string {
	var keys []string
	for k := range m {
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
	var out []string
	for _, k := range keys {
		out = append(out, k+"="+m[k])
	}
	return out
}

func (m snapshot) apply(clears []KeyRange, writes []Write) {
	for _, c := range clears {
		for k := range m {
			if k >= string(c.Begin) && (c.End == nil || k < string(c.End)) {
				delete(m, k)
			}
		}
	}
	for _, w := range writes {
		if w.Delete {
			delete(m, string(w.Key))
		} else {
			m[string(w.Key)] = string(w.Value)
		}
	}
}

func stepKey(i int) []byte { return []byte(fmt.Sprintf("k%05d", i)) }

// churn is a random commit over keys 0..n-1: overwrites, deletions, new
// keys between the old ones, and now and then a cleared range.
func churn(r *rand.Rand, n int, ver int64) (clears []KeyRange, writes []Write) {
	if r.IntN(4) == 0 {
		b := r.IntN(n)
		clears = append(clears, KeyRange{Begin: stepKey(b), End: stepKey(b + 1 + r.IntN(300))})
	}
	for range 1 + r.IntN(20) {
		k := stepKey(r.IntN(n))
		switch r.IntN(4) {
		case 0:
			writes = append(writes, Write{Key: k, Delete: true})
		case 1:
			writes = append(writes, Write{Key: append(k, 'x'), Value: []byte(fmt.Sprint(ver))})
		default:
			writes = append(writes, Write{Key: k, Value: []byte(fmt.Sprint(ver))})
		}
	}
	return clears, writes
}

// TestSlowScanSeesOneSnapshot reads a range many steps long, slowly: after
// every row (Scan) or between steps (Range) it commits and collects with
// the horizon at the reader's version, the most package kv allows. The rows
// must be exactly those of the read version, in both directions, with and
// without limits.
func TestSlowScanSeesOneSnapshot(t *testing.T) {
	const n = 5 * scanStep
	for _, tc := range []struct {
		begin, end int // -1: open
		reverse    bool
		limit      int
		useRange   bool
	}{
		{-1, -1, false, 0, false},
		{-1, -1, true, 0, false},
		{100, 4500, false, 0, true},
		{100, 4500, true, 0, true},
		{0, -1, false, 2500, false},
		{0, -1, true, 3 * scanStep, false},
		{-1, -1, false, 2*scanStep + 7, true},
		{-1, 4000, true, 1500, true},
	} {
		name := fmt.Sprintf("range=%v,%v/reverse=%v/limit=%d/Range=%v", tc.begin, tc.end, tc.reverse, tc.limit, tc.useRange)
		t.Run(name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(tc.begin+tc.end), uint64(tc.limit)))
			s, state := New(), snapshot{}
			ver := int64(0)
			commit := func(clears []KeyRange, writes []Write) {
				ver++
				s.Apply(ver, clears, writes)
				state.apply(clears, writes)
			}
			var ws []Write
			for i := range n {
				ws = append(ws, Write{Key: stepKey(i), Value: []byte("0")})
			}
			commit(nil, ws)
			for range 50 {
				commit(churn(r, n, ver+1))
			}
			at := ver
			want := snapshot{}
			for k, v := range state {
				want[k] = v
			}
			// Versions before at become collectable as the reader goes.
			underneath := func() {
				commit(churn(r, n, ver+1))
				s.Collect(at, 1+r.IntN(50))
			}
			var kr KeyRange
			if tc.begin >= 0 {
				kr.Begin = stepKey(tc.begin)
			}
			if tc.end >= 0 {
				kr.End = stepKey(tc.end)
			}
			var got []string
			if tc.useRange {
				steps := 0
				s.stepped = func() { steps++; underneath() }
				s.stepped = reentrant(s, s.stepped)
				for _, kv := range s.Range(nil, kr, at, tc.reverse, tc.limit) {
					got = append(got, string(kv.Key)+"="+string(kv.Value))
				}
				s.stepped = nil
				require.Greater(t, steps, 0, "the range took one step")
			} else {
				s.Scan(kr, at, tc.reverse, tc.limit, func(k, v []byte) bool {
					got = append(got, string(k)+"="+string(v))
					underneath()
					return true
				})
			}
			require.Equal(t, want.scan(kr, tc.reverse, tc.limit), got)
			require.Greater(t, s.Stats().Versions, 0)
			// Everything at or after the horizon is intact too.
			s.Collect(at, 0)
			for _, v := range []int64{at, ver} {
				if v == ver {
					want = state
				}
				var all []string
				for _, kv := range s.Range(nil, KeyRange{}, v, false, 0) {
					all = append(all, string(kv.Key)+"="+string(kv.Value))
				}
				require.Equal(t, want.scan(KeyRange{}, false, 0), all, "at %d", v)
			}
		})
	}
}

// TestLargeCommitInvisibleUntilDone applies commits many steps long and, at
// every pause inside them, reads at every version kept: each must show the
// state before the commit exactly, none of the commit's keys. After Apply
// the new version shows all of it.
func TestLargeCommitInvisibleUntilDone(t *testing.T) {
	const n = 20 * applyStep
	s := New()
	states := []snapshot{{}} // states[v]: the state at version v
	ver := int64(0)
	commit := func(clears []KeyRange, writes []Write) {
		next := maps.Clone(states[ver])
		next.apply(clears, writes)
		pauses := 0
		s.stepped = func() {
			pauses++
			for v := int64(0); v <= ver; v++ {
				var got []string
				for _, kv := range s.Range(nil, KeyRange{}, v, pauses%2 == 0, 0) {
					got = append(got, string(kv.Key)+"="+string(kv.Value))
				}
				require.Equal(t, states[v].scan(KeyRange{}, pauses%2 == 0, 0), got, "at %d during commit %d", v, ver+1)
			}
		}
		s.stepped = reentrant(s, s.stepped)
		s.Apply(ver+1, clears, writes)
		s.stepped = nil
		ver++
		states = append(states, next)
		if len(clears)+len(writes) > 2*applyStep {
			require.Greater(t, pauses, 0, "commit %d was applied in one step", ver)
		}
		var got []string
		for _, kv := range s.Range(nil, KeyRange{}, ver, false, 0) {
			got = append(got, string(kv.Key)+"="+string(kv.Value))
		}
		require.Equal(t, next.scan(KeyRange{}, false, 0), got, "at %d", ver)
	}
	all := func(value string, every int) []Write {
		var ws []Write
		for i := 0; i < n; i += every {
			ws = append(ws, Write{Key: stepKey(i), Value: []byte(value)})
		}
		return ws
	}
	commit(nil, all("1", 1))
	commit(nil, all("2", 2))
	// Clear everything and write back a third of it.
	commit([]KeyRange{{Begin: stepKey(0)}}, all("3", 3))
	// Delete half by point deletions, overwrite the rest.
	var ws []Write
	for i := range n {
		ws = append(ws, Write{Key: stepKey(i), Value: []byte("4"), Delete: i%2 == 0})
	}
	commit(nil, ws)
	commit([]KeyRange{{Begin: stepKey(n / 4), End: stepKey(3 * n / 4)}}, nil)
}

// TestCollectInSteps collects many keys with no budget and checks that it
// lets readers in every few keys, and that they read correctly at the
// horizon meanwhile.
func TestCollectInSteps(t *testing.T) {
	const n = 10 * collectStep
	s := New()
	for v := int64(1); v <= 5; v++ {
		var ws []Write
		for i := range n {
			ws = append(ws, Write{Key: stepKey(i), Value: []byte(fmt.Sprint(v)), Delete: v == 5 && i%2 == 0})
		}
		s.Apply(v, nil, ws)
	}
	pauses := 0
	s.stepped = func() {
		pauses++
		for i := range n {
			got, ok := s.Get(stepKey(i), 4)
			require.True(t, ok)
			require.Equal(t, "4", string(got))
			_, ok = s.Get(stepKey(i), 5)
			require.Equal(t, i%2 == 1, ok)
		}
	}
	s.stepped = reentrant(s, s.stepped)
	require.False(t, s.Collect(4, 0))
	require.GreaterOrEqual(t, pauses, n/collectStep-1)
	s.stepped = nil
	require.Equal(t, 2*n, s.Stats().Versions)
	s.Collect(5, 0)
	require.Equal(t, Stats{Keys: n / 2, Versions: n / 2}, s.Stats())
}

// TestReadersDuringLargeCommitsAndCollection runs readers beside a writer
// that applies large commits and collects up to the oldest live reader:
// every commit writes its version to every key it keeps, so a reader at any
// version must see one value throughout its range, and the right count.
func TestReadersDuringLargeCommitsAndCollection(t *testing.T) {
	const n = 2*scanStep + 100
	s := New()
	var mu sync.Mutex
	published := int64(0)
	live := map[int64]int{} // read versions in use
	register := func() int64 {
		mu.Lock()
		defer mu.Unlock()
		live[published]++
		return published
	}
	release := func(v int64) {
		mu.Lock()
		defer mu.Unlock()
		if live[v]--; live[v] == 0 {
			delete(live, v)
		}
	}
	horizon := func() int64 {
		mu.Lock()
		defer mu.Unlock()
		h := published
		for v := range live {
			h = min(h, v)
		}
		return h
	}
	// Version v keeps key i when (i+v)%3 != 0: a third of the keys go by
	// a cleared range or a deletion each time.
	kept := func(v int64, i int) bool { return (i+int(v))%3 != 0 }
	write := func(v int64) {
		var ws []Write
		for i := range n {
			ws = append(ws, Write{Key: stepKey(i), Value: []byte(fmt.Sprint(v)), Delete: !kept(v, i)})
		}
		var clears []KeyRange
		if v%2 == 0 {
			clears = []KeyRange{{Begin: stepKey(0)}}
		}
		s.Apply(v, clears, ws)
		mu.Lock()
		published = v
		mu.Unlock()
	}
	write(1)
	var g errgroup.Group
	const commits = 20
	g.Go(func() error {
		for v := int64(2); v <= commits; v++ {
			write(v)
			s.Collect(horizon(), 100)
		}
		return nil
	})
	for reader := range 2 {
		g.Go(func() error {
			for i := 0; ; i++ {
				at := register()
				var kvs []KV
				if i%2 == 0 {
					kvs = s.Range(nil, KeyRange{}, at, reader == 1, 0)
				} else {
					s.Scan(KeyRange{}, at, reader == 1, 0, func(k, v []byte) bool {
						kvs = append(kvs, KV{Key: k, Value: v})
						return true
					})
				}
				release(at)
				want := 0
				for i := range n {
					if kept(at, i) {
						want++
					}
				}
				if len(kvs) != want {
					return fmt.Errorf("at %d: %d keys, want %d", at, len(kvs), want)
				}
				for _, kv := range kvs {
					if string(kv.Value) != fmt.Sprint(at) {
						return fmt.Errorf("at %d: %s=%s", at, kv.Key, kv.Value)
					}
				}
				if at == commits {
					return nil
				}
			}
		})
	}
	require.NoError(t, g.Wait())
}

// ScanBounded reads what Scan reads, for every limit up to and past its
// bound, in both directions, over keys mostly invisible at the version read
// (so a step can end before the limit).
func TestScanBoundedMatchesScan(t *testing.T) {
	s := New()
	for i := 0; i < 3000; i++ {
		k := []byte(fmt.Sprintf("k%05d", i))
		ver := int64(1)
		if i%3 != 0 {
			ver = 5 // invisible at version 2
		}
		s.Apply(ver, nil, []Write{{Key: k, Value: k}})
	}
	for _, at := range []int64{2, 9} {
		for _, reverse := range []bool{false, true} {
			for _, limit := range []int{1, 7, 500, 1000, MaxBoundedScan, MaxBoundedScan + 1} {
				var want, got []string
				s.Scan(KeyRange{Begin: []byte("k"), End: []byte("l")}, at, reverse, limit, func(k, _ []byte) bool {
					want = append(want, string(k))
					return true
				})
				s.ScanBounded(KeyRange{Begin: []byte("k"), End: []byte("l")}, at, reverse, limit, func(k, _ []byte) bool {
					got = append(got, string(k))
					return true
				})
				if !slices.Equal(want, got) {
					t.Fatalf("at %d reverse %v limit %d: ScanBounded read %d keys, Scan %d", at, reverse, limit, len(got), len(want))
				}
			}
		}
	}
}

// newestOf returns the index in s of its newest version <= v, or -1.
func newestOf(s []version, v int64) int {
	return sort.Search(len(s), func(i int) bool { return s[i].ver > v }) - 1
}
