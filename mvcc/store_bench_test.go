package mvcc

import (
	"fmt"
	"testing"
)

func benchKey(i int) []byte { return []byte(fmt.Sprintf("k%015d", i)) }

// benchStore returns a store of n keys of 16 bytes with 100-byte values,
// each written rounds times (one version per round, at versions 1..rounds).
func benchStore(n, rounds int) *Store {
	s := New()
	value := make([]byte, 100)
	for r := 1; r <= rounds; r++ {
		ws := make([]Write, n)
		for i := range ws {
			ws[i] = Write{Key: benchKey(i), Value: value}
		}
		s.Apply(int64(r), nil, ws)
	}
	return s
}

// BenchmarkStep measures the work the store does under one hold of its
// lock, on a million keys (1e5 with -short): what a reader or a commit may
// have to wait for. Each op is one step; us/step is the figure to keep well
// under 100.
func BenchmarkStep(b *testing.B) {
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	s := benchStore(n, 1)
	b.ResetTimer()
	b.Run("op=scan", func(b *testing.B) {
		b.ReportAllocs()
		var dst []KV
		at := int64(1)
		start := 0
		for range b.N {
			dst, _, _ = s.step(dst[:0], KeyRange{Begin: benchKey(start)}, at, false, 0)
			if len(dst) != scanStep && start+scanStep <= n {
				b.Fatalf("step returned %d rows", len(dst))
			}
			start = (start + scanStep) % (n - scanStep)
		}
	})
	ver := int64(1)
	b.Run("op=apply", func(b *testing.B) {
		b.ReportAllocs()
		value := make([]byte, 100)
		ws := make([]Write, applyStep)
		start := 0
		for range b.N {
			for i := range ws {
				ws[i] = Write{Key: benchKey(start + i), Value: value}
			}
			ver++
			b.StartTimer()
			s.Apply(ver, nil, ws)
			b.StopTimer()
			start = (start + applyStep) % (n - applyStep)
		}
	})
	b.Run("op=clear", func(b *testing.B) {
		b.ReportAllocs()
		start := 0
		for range b.N {
			r := KeyRange{Begin: benchKey(start), End: benchKey(start + applyStep)}
			ver++
			s.Apply(ver, []KeyRange{r}, nil)
			start = (start + applyStep) % (n - applyStep)
		}
	})
	b.Run("op=collect", func(b *testing.B) {
		b.ReportAllocs()
		c := benchStore(n, 10)
		b.ResetTimer()
		for range b.N {
			if !c.Collect(10, collectStep) {
				b.StopTimer()
				c = benchStore(n, 10)
				b.StartTimer()
			}
		}
	})
}

// BenchmarkStore measures whole operations through the public API on a
// million keys (1e5 with -short), for comparison across versions of the
// store: a point Get at the newest version, a commit of 256 sorted
// overwrites, a Range over every key, a 100-row scan, a clear of every key,
// and the collection of 10 versions of every key.
func BenchmarkStore(b *testing.B) {
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	s := benchStore(n, 1)
	ver := int64(1)
	b.Run("op=get", func(b *testing.B) {
		keys := make([][]byte, 4096)
		for i := range keys {
			keys[i] = benchKey((i * 7919) % n)
		}
		b.ResetTimer()
		for i := range b.N {
			if _, ok := s.Get(keys[i%len(keys)], ver); !ok {
				b.Fatal("missing")
			}
		}
	})
	b.Run("op=overwrite256", func(b *testing.B) {
		b.ReportAllocs()
		value := make([]byte, 100)
		ws := make([]Write, 256)
		start := 0
		for range b.N {
			b.StopTimer()
			for i := range ws {
				ws[i] = Write{Key: benchKey(start + i), Value: value}
			}
			ver++
			b.StartTimer()
			s.Apply(ver, nil, ws)
			start = (start + len(ws)) % (n - len(ws))
		}
	})
	b.Run("op=range", func(b *testing.B) {
		b.ReportAllocs()
		dst := make([]KV, 0, n)
		for range b.N {
			dst = s.Range(dst[:0], KeyRange{}, ver, false, 0)
			if len(dst) != n {
				b.Fatalf("range returned %d rows", len(dst))
			}
		}
	})
	b.Run("op=scan", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			rows := 0
			s.Scan(KeyRange{}, ver, false, 0, func(k, v []byte) bool { rows++; return true })
			if rows != n {
				b.Fatalf("scan saw %d rows", rows)
			}
		}
	})
	// A 100-row scan from a random key, as the peers' Scan100 does it:
	// the walk alone, then into a slice reused by every scan, then into a
	// new slice each time, as a read that returns its rows must.
	starts := make([][]byte, 4096)
	for i := range starts {
		starts[i] = benchKey(int(uint(i*2654435761) % uint(n-100)))
	}
	scan100 := func(b *testing.B, fresh, keep bool) {
		b.ReportAllocs()
		var kept []KV
		for i := range b.N {
			r := KeyRange{Begin: starts[i%len(starts)], End: []byte{0xff}}
			if !keep {
				rows := 0
				s.ScanBounded(r, ver, false, 100, func(k, v []byte) bool { rows++; return true })
				continue
			}
			if fresh || kept == nil {
				kept = make([]KV, 0, 100)
			}
			kept = kept[:0]
			s.ScanBounded(r, ver, false, 100, func(k, v []byte) bool {
				kept = append(kept, KV{Key: k, Value: v})
				return true
			})
		}
	}
	b.Run("op=scan100", func(b *testing.B) { scan100(b, false, false) })
	b.Run("op=scan100/rows=reused", func(b *testing.B) { scan100(b, false, true) })
	b.Run("op=scan100/rows=new", func(b *testing.B) { scan100(b, true, true) })
	b.Run("op=clear", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			b.StopTimer()
			c := benchStore(n, 1)
			b.StartTimer()
			c.Apply(2, []KeyRange{{}}, nil)
		}
	})
	b.Run("op=collect", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			b.StopTimer()
			c := benchStore(n, 10)
			b.StartTimer()
			for c.Collect(10, 4096) {
			}
			if st := c.Stats(); st.Versions != n {
				b.Fatalf("%d versions left", st.Versions)
			}
		}
	})
}
