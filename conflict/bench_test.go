package conflict

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
)

var benchSizes = []int{1e5, 1e6}

func sizeName(n int) string {
	switch n {
	case 1e5:
		return "boundaries=1e5"
	case 1e6:
		return "boundaries=1e6"
	}
	return fmt.Sprintf("boundaries=%d", n)
}

// randKeys returns n random 16-byte keys, the size of a typical tuple-encoded key.
func randKeys(r *rand.Rand, n int) [][]byte {
	keys := make([][]byte, n)
	for i := range keys {
		k := make([]byte, 16, 17)
		for j := 0; j < 16; j += 8 {
			u := r.Uint64()
			for t := range 8 {
				k[j+t] = byte(u >> (8 * t))
			}
		}
		keys[i] = k
	}
	return keys
}

// pointEnd is the end of the point range of k, [k, k\x00), as Set adds it.
func pointEnd(k []byte) []byte { return append(k[:len(k):len(k)], 0) }

type benchHistory struct {
	h      *History
	sorted [][]byte // the written keys, sorted
	bytes  uint64   // heap taken by h
}

var (
	benchMu        sync.Mutex
	benchHistories = map[int]*benchHistory{}
)

// buildHistory makes a history of about n boundaries from n/2 point writes of random keys
// at increasing versions.
func buildHistory(n int, seed uint64) *benchHistory {
	r := rand.New(rand.NewPCG(seed, 1))
	keys := randKeys(r, n/2)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	h := New()
	for i, k := range keys {
		h.Add(k, pointEnd(k), int64(i+1))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	slices.SortFunc(keys, bytes.Compare)
	return &benchHistory{h: h, sorted: keys, bytes: after.HeapAlloc - before.HeapAlloc}
}

// sharedHistory is buildHistory cached for the read-only benchmarks.
func sharedHistory(n int) *benchHistory {
	benchMu.Lock()
	defer benchMu.Unlock()
	if bh, ok := benchHistories[n]; ok {
		return bh
	}
	bh := buildHistory(n, 42)
	benchHistories[n] = bh
	return bh
}

// BenchmarkAdd measures recording one point write (a Set's write conflict range) of a new
// random key into a history of the given size.
func BenchmarkAdd(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			bh := buildHistory(n, 1)
			keys := randKeys(rand.New(rand.NewPCG(2, 2)), b.N)
			ends := make([][]byte, len(keys))
			for i, k := range keys {
				ends[i] = pointEnd(k)
			}
			h := bh.h
			v := h.Newest()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				v++
				h.Add(keys[i], ends[i], v)
			}
			b.StopTimer()
			b.ReportMetric(float64(h.Len()), "boundaries")
			b.ReportMetric(float64(bh.bytes)/float64(n), "heap-B/boundary")
		})
	}
}

// BenchmarkConflicts measures checking one read range against a history of the given size.
//
// In the plain variants each check uses the largest read version that does not conflict
// (the range's own MaxVersion), the worst case: every ancestor holds a newer write, so
// nothing can be skipped and the check must prove the absence of a conflict at the leaves.
// The /recent variants read just below the newest write, as a transaction that began a
// moment ago does; most of the tree is then older than the read version and skipped.
func BenchmarkConflicts(b *testing.B) {
	const pool = 1 << 16
	for _, n := range benchSizes {
		bh := sharedHistory(n)
		h := bh.h
		run := func(b *testing.B, begins, ends [][]byte, recent bool) {
			rvs := make([]int64, len(begins))
			for i := range rvs {
				rvs[i] = h.MaxVersion(begins[i], ends[i])
				if recent {
					rvs[i] = h.Newest() - 1
				}
			}
			conflicts := 0
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				j := i & (len(begins) - 1)
				if _, ok := h.Conflicts(begins[j], ends[j], rvs[j]); ok {
					conflicts++
				}
			}
			b.ReportMetric(float64(conflicts)/float64(b.N), "conflicts/op")
		}
		// Random keys, almost all new: each check lands on a random leaf.
		points := randKeys(rand.New(rand.NewPCG(3, 3)), pool)
		pointEnds := make([][]byte, pool)
		for i, k := range points {
			pointEnds[i] = pointEnd(k)
		}
		// A few hot keys, read over and over: their paths stay in cache.
		hot, hotEnds := points[:16], pointEnds[:16]
		// Ranges spanning 100 written keys (200 boundaries) from a random place.
		r := rand.New(rand.NewPCG(5, 5))
		ranges, rangeEnds := make([][]byte, pool), make([][]byte, pool)
		for i := range ranges {
			j := r.IntN(len(bh.sorted) - 100)
			ranges[i], rangeEnds[i] = bh.sorted[j], bh.sorted[j+100]
		}
		for _, recent := range []bool{false, true} {
			suffix := ""
			if recent {
				suffix = "/recent"
			}
			b.Run("point/"+sizeName(n)+suffix, func(b *testing.B) { run(b, points, pointEnds, recent) })
			b.Run("point-hot/"+sizeName(n)+suffix, func(b *testing.B) { run(b, hot, hotEnds, recent) })
			b.Run("range100/"+sizeName(n)+suffix, func(b *testing.B) { run(b, ranges, rangeEnds, recent) })
		}
	}
}

// BenchmarkMaxVersion measures the exact range maximum, which never stops early.
func BenchmarkMaxVersion(b *testing.B) {
	for _, n := range benchSizes {
		bh := sharedHistory(n)
		b.Run("range100/"+sizeName(n), func(b *testing.B) {
			r := rand.New(rand.NewPCG(6, 6))
			const pool = 1 << 16
			begins, ends := make([][]byte, pool), make([][]byte, pool)
			for i := range begins {
				j := r.IntN(len(bh.sorted) - 100)
				begins[i], ends[i] = bh.sorted[j], bh.sorted[j+100]
			}
			b.ReportAllocs()
			b.ResetTimer()
			var sink int64
			for i := 0; i < b.N; i++ {
				j := i & (pool - 1)
				sink += bh.h.MaxVersion(begins[j], ends[j])
			}
			_ = sink
		})
	}
}

// BenchmarkCommit measures the resolver's per-commit work in steady state: check one point
// read, record one point write, let RemoveBefore forget what left the window. The window
// holds n/2 writes, so the history stays near n boundaries.
func BenchmarkCommit(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			window := int64(n / 2)
			bh := buildHistory(n, 7)
			h := bh.h
			const pool = 1 << 16
			keys := randKeys(rand.New(rand.NewPCG(8, 8)), pool)
			ends := make([][]byte, pool)
			for i, k := range keys {
				ends[i] = pointEnd(k)
			}
			v := h.Newest()
			// Building the history was n/2 Adds without a RemoveBefore; start the budget over.
			h.RemoveBeforeStep(v-window, 0)
			h.adds, h.credit = 0, 0
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				v++
				j := i & (pool - 1)
				h.Conflicts(keys[(j+1)&(pool-1)], ends[(j+1)&(pool-1)], v-10)
				h.Add(keys[j], ends[j], v)
				h.RemoveBefore(v - window)
			}
			b.StopTimer()
			b.ReportMetric(float64(h.Len()), "boundaries")
		})
	}
}

// BenchmarkAddSameKey writes one key's point range again and again, as a
// hot counter's commits do, into histories of the given size.
func BenchmarkAddSameKey(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			h := buildHistory(n, 1).h
			key := randKeys(rand.New(rand.NewPCG(3, 3)), 1)[0]
			end := pointEnd(key)
			v := h.Newest()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				v++
				h.Add(key, end, v)
			}
		})
	}
}
