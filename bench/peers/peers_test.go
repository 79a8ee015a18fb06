package peers

import (
	"runtime"
	"strconv"
	"testing"
	"time"
)

// BenchmarkGet: one point read of a uniformly random loaded key in a read
// transaction.
func BenchmarkGet(b *testing.B) {
	forEach(b, func(b *testing.B, fx *fixture, _ Info) {
		w := newWorker(1)
		for b.Loop() {
			n, err := fx.store.Get(w.key(w.r.IntN(fx.n)))
			mustFound(b, n, err)
		}
	})
}

// BenchmarkScan100: a read transaction over 100 consecutive keys from a
// uniformly random start (the map floor does 100 point reads instead).
func BenchmarkScan100(b *testing.B) {
	forEach(b, func(b *testing.B, fx *fixture, _ Info) {
		w := newWorker(1)
		for b.Loop() {
			seen, err := fx.store.Scan(w.key(w.r.IntN(max(fx.n-100, 1))), 100)
			if err != nil {
				b.Fatal(err)
			}
			if seen != min(100, fx.n) {
				b.Fatalf("scan saw %d keys, want 100", seen)
			}
		}
	})
}

// BenchmarkSet1: a write transaction overwriting one uniformly random key.
func BenchmarkSet1(b *testing.B) {
	forEach(b, func(b *testing.B, fx *fixture, _ Info) {
		w := newWorker(1)
		for b.Loop() {
			if err := fx.store.Set(w.key(w.r.IntN(fx.n)), w.value()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRead5Write5: one transaction reading 5 and overwriting 5
// uniformly random keys.
func BenchmarkRead5Write5(b *testing.B) {
	forEach(b, func(b *testing.B, fx *fixture, _ Info) {
		w := newWorker(1)
		for b.Loop() {
			for i := range 5 {
				PutKey(w.reads[i], w.r.IntN(fx.n))
				PutKey(w.writes[i], w.r.IntN(fx.n))
			}
			if err := fx.store.Read5Write5(&w.reads, &w.writes, w.value()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// YCSB core workloads, one transaction per operation, keys chosen with the
// scrambled zipfian distribution (theta 0.99), one goroutine.
//
//	A  50% read, 50% update
//	B  95% read,  5% update
//	C  100% read
//	E  95% scan of 1..100 keys (uniform length), 5% insert of a new key
//	F  50% read, 50% read-modify-write
var ycsbMixes = []struct {
	name                       string
	read, update, scan, insert int // percentages; the rest is read-modify-write
}{
	{"A", 50, 50, 0, 0},
	{"B", 95, 5, 0, 0},
	{"C", 100, 0, 0, 0},
	{"E", 0, 0, 95, 5},
	{"F", 50, 0, 0, 0},
}

// BenchmarkYCSB runs the mixes as BenchmarkYCSB/mix=X/store=S/keys=N.
func BenchmarkYCSB(b *testing.B) {
	for _, mix := range ycsbMixes {
		b.Run("mix="+mix.name, func(b *testing.B) {
			forEach(b, func(b *testing.B, fx *fixture, info Info) {
				w := newWorker(1)
				z := NewZipfian(fx.n, ZipfTheta)
				var retries int64
				for b.Loop() {
					p := w.r.IntN(100)
					var err error
					switch {
					case p < mix.read:
						var n int
						n, err = fx.store.Get(w.key(z.Next(w.r)))
						mustFound(b, n, err)
					case p < mix.read+mix.update:
						err = fx.store.Set(w.key(z.Next(w.r)), w.value())
					case p < mix.read+mix.update+mix.scan:
						_, err = fx.store.Scan(w.key(z.Next(w.r)), 1+w.r.IntN(100))
					case p < mix.read+mix.update+mix.scan+mix.insert:
						i := fx.n + int(fx.inserted.Add(1)) - 1
						err = fx.store.Set(w.key(i), w.value())
					default:
						var r int
						r, err = fx.store.ReadModifyWrite(w.key(z.Next(w.r)), w.value())
						retries += int64(r)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				if mix.name == "F" && info.Retries {
					b.ReportMetric(float64(retries)/float64(b.N), "retries/op")
				}
			})
		})
	}
}

// BenchmarkParallel: g goroutines sharing one store, each operation a
// transaction: 90% Get, 10% Set1, uniform keys. ns/op is wall time per
// operation over all goroutines (lower is more throughput).
func BenchmarkParallel(b *testing.B) {
	forEach(b, func(b *testing.B, fx *fixture, _ Info) {
		for _, g := range cfg.goroutines {
			b.Run("goroutines="+strconv.Itoa(g), func(b *testing.B) {
				b.ReportAllocs()
				runGoroutines(b, g, func(w *worker) (int, error) {
					k := w.key(w.r.IntN(fx.n))
					if w.r.IntN(10) == 0 {
						return 0, fx.store.Set(k, w.value())
					}
					n, err := fx.store.Get(k)
					if err == nil && n < 0 {
						b.Error("a loaded key is missing")
					}
					return 0, err
				})
			})
		}
	})
}

// BenchmarkCounter: goroutines incrementing one hot key. op=rmw reads the
// counter and writes it back (optimistic stores retry on conflict; the
// others serialize); op=add is plinth's Atomic(Add), which reads nothing.
// retries/op is failed attempts per committed increment.
func BenchmarkCounter(b *testing.B) {
	for _, op := range []string{"rmw", "add"} {
		if op == "add" && !anyAdder() {
			continue
		}
		b.Run("op="+op, func(b *testing.B) {
			for _, name := range cfg.stores {
				info, _ := Lookup(name)
				fx := getFixture(b, name, cfg.keys[len(cfg.keys)-1])
				inc := fx.store.Increment
				if op == "add" {
					adder, ok := fx.store.(Adder)
					if !ok {
						continue
					}
					inc = adder.Add
				}
				b.Run("store="+info.Name, func(b *testing.B) {
					for _, g := range cfg.counterGors {
						b.Run("goroutines="+strconv.Itoa(g), func(b *testing.B) {
							b.ReportAllocs()
							retries := runGoroutines(b, g, func(*worker) (int, error) { return inc(CounterKey) })
							if info.Retries {
								b.ReportMetric(float64(retries)/float64(b.N), "retries/op")
							}
						})
					}
				})
			}
		})
	}
}

// BenchmarkMemory: heap bytes per live key of a fresh store after loading
// BENCH_MEM_KEYS keys (loaded-B/key) and after BENCH_MEM_ROUNDS rounds that
// overwrite every key (rewritten-B/key; old versions a store still keeps
// show up here). For a store that collects old versions in the background
// (plinth, after its MVCC window) it also waits for that and reports
// settled-B/key and the wait, settle-s. Heap is runtime HeapAlloc after two GCs, minus the heap
// before the store was opened. A store with a file reports its size
// (file-B/key); one that allocates outside the Go heap reports what it holds
// there at the end (offheap-B/key). Run it with -benchtime=1x.
func BenchmarkMemory(b *testing.B) {
	n := cfg.memKeys
	for _, name := range cfg.stores {
		b.Run("store="+name, func(b *testing.B) {
			b.Run("keys="+Label(n), func(b *testing.B) {
				var loaded, rewritten float64
				for range b.N {
					loaded, rewritten = measureMemory(b, name, n, cfg.memRounds)
				}
				b.ReportMetric(loaded, "loaded-B/key")
				b.ReportMetric(rewritten, "rewritten-B/key")
			})
		})
	}
}

func measureMemory(b *testing.B, name string, n, rounds int) (loaded, rewritten float64) {
	closeFixtures() // only this store's heap counts
	base := heap()
	dir := b.TempDir()
	s, err := Open(name, dir)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	if err := load(s, n, 0); err != nil {
		b.Fatal(err)
	}
	loadTime := time.Since(start)
	loaded = float64(heap()-base) / float64(n)
	for r := 1; r <= rounds; r++ {
		if err := load(s, n, r); err != nil {
			b.Fatal(err)
		}
	}
	rewritten = float64(heap()-base) / float64(n)
	if st, ok := s.(Settler); ok {
		start := time.Now()
		if err := st.Settle(); err != nil {
			b.Fatal(err)
		}
		// The collector may still be releasing what it dropped (queues,
		// conflict history); wait until a second brings the heap down by
		// less than 1%.
		settled := heap()
		for range 10 {
			time.Sleep(time.Second)
			h := heap()
			done := h > settled-settled/100
			settled = min(settled, h)
			if done {
				break
			}
		}
		b.ReportMetric(time.Since(start).Seconds(), "settle-s")
		b.ReportMetric(float64(settled-base)/float64(n), "settled-B/key")
	}
	if f, ok := s.(FileSizer); ok {
		size, err := f.FileSize()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(size)/float64(n), "file-B/key")
	}
	if o, ok := s.(OffHeaper); ok {
		size, err := o.OffHeap()
		if err != nil {
			b.Fatal(err)
		}
		if size > 0 {
			b.ReportMetric(float64(size)/float64(n), "offheap-B/key")
		}
	}
	runtime.KeepAlive(s)
	b.ReportMetric(float64(loadTime.Nanoseconds())/float64(n), "load-ns/key")
	return loaded, rewritten
}

func heap() int64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// anyAdder reports whether a selected store has an atomic add.
func anyAdder() bool {
	for _, name := range cfg.stores {
		if info, _ := Lookup(name); info.Adder {
			return true
		}
	}
	return false
}
