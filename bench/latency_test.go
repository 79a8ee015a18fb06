package bench

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/trace"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plinthdb/plinth/kv"
	"github.com/plinthdb/plinth/mvcc"
)

// The latency benchmarks run one large operation on n keys of 16/100 bytes
// while two probes time small operations beside it: a 1-key Get in a fresh
// read transaction, and a 1-key commit of a key outside the data ("x"
// prefix, so it never conflicts). ns/op is the large operation's wall time;
// the probes' percentiles, in microseconds, are reported as
// get-p50-us ... commit-max-us over all samples of all iterations.
//
// Each probe paces itself (probePace between operations) so that on 2 cores
// it measures waiting for the store, not competing for a CPU with the large
// operation.
//
//	go test -run '^$' -bench Latency -benchtime 3x ./bench     # 1e6 keys
//	go test -short -run '^$' -bench Latency ./bench            # 1e4 keys
//
// With BENCH_TRACE set to a file name, each run of the probes also writes
// an execution trace of that time to the file (the last run's remains), to
// see what a slow probe waited for: go tool trace -pprof=sched FILE.

const probePace = 50 * time.Microsecond

// dataRange holds every loaded key ("k" + 15 digits) and no probe key.
var dataRange = kv.KeyRange{Begin: []byte("k"), End: []byte("l")}

// probes collects the probes' samples while a large operation runs.
type probes struct {
	db      *kv.DB
	n       int
	stop    chan struct{}
	wg      sync.WaitGroup
	commits atomic.Int64

	mu           sync.Mutex
	gets, writes []time.Duration
	err          error

	trace *os.File // BENCH_TRACE's file while a trace runs
}

func newProbes(db *kv.DB, n int) *probes { return &probes{db: db, n: n} }

// start launches both probes; finish stops them and keeps their samples.
func (p *probes) start() {
	if name := os.Getenv("BENCH_TRACE"); name != "" {
		f, err := os.Create(name)
		if err == nil && trace.Start(f) == nil {
			p.trace = f
		} else if err == nil {
			f.Close()
		}
	}
	p.stop = make(chan struct{})
	p.wg.Add(2)
	go p.run(p.get, &p.gets)
	go p.run(p.commit, &p.writes)
}

func (p *probes) finish() {
	close(p.stop)
	p.wg.Wait()
	if p.trace != nil {
		trace.Stop()
		p.trace.Close()
		p.trace = nil
	}
}

func (p *probes) run(op func(r *rand.Rand, k []byte) error, out *[]time.Duration) {
	defer p.wg.Done()
	r := rand.New(rand.NewPCG(uint64(len(*out)), 7))
	k := make([]byte, keyLen)
	samples := make([]time.Duration, 0, 1<<14)
	for {
		select {
		case <-p.stop:
			p.mu.Lock()
			*out = append(*out, samples...)
			p.mu.Unlock()
			return
		default:
		}
		t0 := time.Now()
		err := op(r, k)
		samples = append(samples, time.Since(t0))
		if err != nil {
			p.mu.Lock()
			p.err = err
			p.mu.Unlock()
		}
		time.Sleep(probePace)
	}
}

func (p *probes) get(r *rand.Rand, k []byte) error {
	putKey(k, r.IntN(p.n))
	return p.db.ReadTransact(func(tr kv.ReadTransaction) error {
		_, err := tr.Get(k)
		return err
	})
}

func (p *probes) commit(r *rand.Rand, k []byte) error {
	putKey(k, r.IntN(64))
	k[0] = 'x'
	tr := p.db.NewTransaction()
	tr.Set(k, k)
	p.commits.Add(1)
	return tr.Commit()
}

// report adds the probes' percentiles to b's output.
func (p *probes) report(b *testing.B) {
	if p.err != nil {
		b.Fatal("probe:", p.err)
	}
	reportProbes(b, p.gets, p.writes)
}

func reportProbes(b *testing.B, gets, commits []time.Duration) {
	for _, s := range []struct {
		name    string
		samples []time.Duration
	}{{"get", gets}, {"commit", commits}} {
		p50, p99, top := percentiles(s.samples)
		b.ReportMetric(p50, s.name+"-p50-us")
		b.ReportMetric(p99, s.name+"-p99-us")
		b.ReportMetric(top, s.name+"-max-us")
	}
}

// percentiles returns the median, 99th percentile and maximum of d in
// microseconds.
func percentiles(d []time.Duration) (p50, p99, top float64) {
	if len(d) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	us := func(x time.Duration) float64 { return float64(x) / float64(time.Microsecond) }
	return us(s[len(s)/2]), us(s[len(s)*99/100]), us(s[len(s)-1])
}

// compute works for at least d, pausing as mvcc.Pacer does. With fresh > 0
// it also allocates and writes that many bytes of new memory, a piece every
// 200 µs, and keeps them until it returns, as a GetRange keeps its rows.
func compute(d time.Duration, fresh int) {
	const piece = 192 << 10
	var (
		p    mvcc.Pacer
		kept [][]byte
		x    = uint64(1)
	)
	end := time.Now().Add(d)
	next := time.Now()
	for fresh > 0 || time.Now().Before(end) {
		if fresh > 0 && !time.Now().Before(next) {
			m := make([]byte, min(piece, fresh))
			for i := 0; i < len(m); i += 4096 {
				m[i] = byte(x)
			}
			kept = append(kept, m)
			fresh -= len(m)
			next = time.Now().Add(200 * time.Microsecond)
		}
		for range 1000 {
			x = x*6364136223846793005 + 1442695040888963407
		}
		p.Pause()
	}
	sink.Store(x + uint64(len(kept)))
}

var sink atomic.Uint64

// loadFresh returns a new database holding keys 0..n-1 with their initial
// values, written in commits of 10,000 keys.
func loadFresh(tb testing.TB, n int, opts *kv.Options) *kv.DB {
	tb.Helper()
	db, err := kv.Open(opts)
	if err != nil {
		tb.Fatal(err)
	}
	overwrite(tb, db, n, -1)
	return db
}

// overwrite writes every key 0..n-1 in commits of 10,000 keys: the initial
// values when round < 0, else values that differ per round.
func overwrite(tb testing.TB, db *kv.DB, n, round int) {
	tb.Helper()
	const chunk = 10_000
	for lo := 0; lo < n; lo += chunk {
		err := db.Transact(func(tr *kv.Transaction) error {
			for i := lo; i < min(lo+chunk, n); i++ {
				v := value(i)
				if round >= 0 {
					v[0] = byte(round)
				}
				tr.Set(key(i), v)
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkLatency: small operations beside large ones (see probes).
//
//   - op=Idle: nothing beside the probes for 500 ms: the floor that the
//     machine, the Go runtime and the probes themselves set.
//   - op=Busy: a goroutine that only computes for 500 ms, giving up the
//     processor every 50 µs as the store's long operations do, and touches
//     no store: the floor that a busy processor sets.
//   - op=Alloc: as Busy, but it also writes as much new memory as the
//     GetRange below returns (n rows of 164 bytes), a piece of 192 KiB
//     every 200 µs: the floor that a long read's fresh memory sets, store
//     or no store.
//   - op=GetRange: one GetRange of every key, in a read transaction.
//   - op=Iterate: one Iterate over every key, in a read transaction.
//   - op=ClearRange: a commit clearing every key (the data is reloaded
//     between iterations, untimed). The commit probe waits for the clear
//     while it is being ordered, so its figures include that wait.
//   - op=Collect: the collection of 10 rounds of overwrites of every key,
//     on the store directly with kv's locking (see benchCollect).
func BenchmarkLatency(b *testing.B) {
	forSizes(b, func(b *testing.B, n int) {
		b.Run("op=Idle", func(b *testing.B) {
			beside(b, n, func(*kv.DB) error { time.Sleep(500 * time.Millisecond); return nil })
		})
		b.Run("op=Busy", func(b *testing.B) {
			beside(b, n, func(*kv.DB) error { compute(500*time.Millisecond, 0); return nil })
		})
		b.Run("op=Alloc", func(b *testing.B) {
			beside(b, n, func(*kv.DB) error { compute(0, n*(48+keyLen+valueLen)); return nil })
		})
		b.Run("op=GetRange", func(b *testing.B) {
			beside(b, n, func(db *kv.DB) error {
				return db.ReadTransact(func(tr kv.ReadTransaction) error {
					rows, err := tr.GetRange(dataRange, kv.RangeOptions{})
					if err == nil && len(rows) != n {
						err = fmt.Errorf("GetRange: %d rows, want %d", len(rows), n)
					}
					return err
				})
			})
		})
		b.Run("op=Iterate", func(b *testing.B) {
			beside(b, n, func(db *kv.DB) error {
				return db.ReadTransact(func(tr kv.ReadTransaction) error {
					rows := 0
					for _, err := range tr.Iterate(dataRange, kv.RangeOptions{}) {
						if err != nil {
							return err
						}
						rows++
					}
					if rows != n {
						return fmt.Errorf("Iterate: %d rows, want %d", rows, n)
					}
					return nil
				})
			})
		})
		b.Run("op=ClearRange", func(b *testing.B) {
			var p *probes
			for range b.N {
				b.StopTimer()
				db := loadFresh(b, n, nil)
				if p == nil {
					p = newProbes(db, n)
				}
				p.db = db
				b.StartTimer()
				p.start()
				err := db.Transact(func(tr *kv.Transaction) error {
					tr.ClearRange(dataRange.Begin, dataRange.End)
					return nil
				})
				p.finish()
				b.StopTimer()
				if err != nil {
					b.Fatal(err)
				}
				db.Close()
			}
			p.report(b)
		})
		b.Run("op=Collect", func(b *testing.B) { benchCollect(b, n) })
	})
}

// beside runs op on a database of n keys, loaded once, b.N times while the
// probes run, and reports their figures.
func beside(b *testing.B, n int, op func(db *kv.DB) error) {
	db := loadFresh(b, n, nil)
	defer db.Close()
	p := newProbes(db, n)
	b.ResetTimer()
	for range b.N {
		p.start()
		err := op(db)
		p.finish()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	p.report(b)
}

// collectBudget is the store work per hold of the commit lock in kv's
// background collector (DB.collectLoop); keep the two equal.
const collectBudget = 256

// benchCollect reproduces kv's collector on an mvcc.Store directly: writing
// 11 versions of a million keys through kv takes minutes on 2 cores, and
// the collection needs them all older than the MVCC window at once. The
// locking is kv's: a commit lock held for each Collect(horizon,
// collectBudget) call of the collector and for each probe commit (Apply,
// then Collect with kv's per-commit budget of 2 per write + 8); Gets take
// only the store's own lock. ns/op is the whole collection.
func benchCollect(b *testing.B, n int) {
	var gets, commits []time.Duration
	for range b.N {
		b.StopTimer()
		s := mvcc.New()
		ver := int64(0)
		ws := make([]mvcc.Write, 0, n)
		for round := -1; round < 10; round++ {
			ws = ws[:0]
			for i := range n {
				v := value(i)
				if round >= 0 {
					v[0] = byte(round)
				}
				ws = append(ws, mvcc.Write{Key: key(i), Value: v})
			}
			ver++
			s.Apply(ver, nil, ws)
		}
		if st := s.Stats(); st.Versions != 11*n {
			b.Fatalf("%d versions, want %d", st.Versions, 11*n)
		}
		horizon := ver
		var commitMu sync.Mutex
		var published atomic.Int64
		published.Store(ver)
		p := &storeProbes{s: s, n: n, commitMu: &commitMu, published: &published, horizon: horizon}
		b.StartTimer()
		p.start()
		for {
			commitMu.Lock()
			more := s.Collect(horizon, collectBudget)
			commitMu.Unlock()
			if !more {
				break
			}
			runtime.Gosched() // as kv's collector: let a waiting commit in
		}
		p.finish()
		b.StopTimer()
		if st := s.Stats(); st.Versions > n+int(published.Load()-ver) {
			b.Fatalf("%d versions left", st.Versions)
		}
		gets, commits = append(gets, p.gets...), append(commits, p.writes...)
	}
	reportProbes(b, gets, commits)
}

// storeProbes are the probes of benchCollect: a Get and a 1-key commit on
// the store, paced as probes.
type storeProbes struct {
	s         *mvcc.Store
	n         int
	commitMu  *sync.Mutex
	published *atomic.Int64
	horizon   int64

	stop         chan struct{}
	wg           sync.WaitGroup
	gets, writes []time.Duration
}

func (p *storeProbes) start() {
	p.stop = make(chan struct{})
	p.wg.Add(2)
	go func() {
		defer p.wg.Done()
		r, k := newRand(), make([]byte, keyLen)
		for p.running() {
			putKey(k, r.IntN(p.n))
			t0 := time.Now()
			p.s.Get(k, p.published.Load())
			p.gets = append(p.gets, time.Since(t0))
			time.Sleep(probePace)
		}
	}()
	go func() {
		defer p.wg.Done()
		r := newRand()
		for p.running() {
			k := make([]byte, keyLen)
			putKey(k, r.IntN(64))
			k[0] = 'x'
			t0 := time.Now()
			p.commitMu.Lock()
			v := p.published.Load() + 1
			p.s.Apply(v, nil, []mvcc.Write{{Key: k, Value: k}})
			p.published.Store(v)
			p.s.Collect(p.horizon, 2+8)
			p.commitMu.Unlock()
			p.writes = append(p.writes, time.Since(t0))
			time.Sleep(probePace)
		}
	}()
}

func (p *storeProbes) running() bool {
	select {
	case <-p.stop:
		return false
	default:
		return true
	}
}

func (p *storeProbes) finish() {
	close(p.stop)
	p.wg.Wait()
}

// BenchmarkOldVersionGet: a Get at a read version older than `newer`
// overwrites of the key (all inside the MVCC window), against a Get of the
// same key at the newest version.
func BenchmarkOldVersionGet(b *testing.B) {
	newer := 1_000_000
	if testing.Short() {
		newer = 10_000
	}
	b.Run("newer="+label(newer), func(b *testing.B) {
		db, err := kv.Open(&kv.Options{MVCCWindow: time.Hour})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		hot, first := []byte("hot"), []byte("first")
		set := func(v []byte) {
			if err := db.Transact(func(tr *kv.Transaction) error { tr.Set(hot, v); return nil }); err != nil {
				b.Fatal(err)
			}
		}
		set(first)
		old := db.NewTransaction()
		if _, err := old.GetReadVersion(); err != nil {
			b.Fatal(err)
		}
		v := make([]byte, 8)
		for i := range newer {
			v[0], v[1], v[2] = byte(i), byte(i>>8), byte(i>>16)
			set(v)
		}
		b.Run("at=old", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				got, err := old.Snapshot().Get(hot)
				if err != nil || !bytes.Equal(got, first) {
					b.Fatalf("old Get = %q, %v", got, err)
				}
			}
		})
		b.Run("at=newest", func(b *testing.B) {
			b.ReportAllocs()
			tr := db.NewTransaction()
			for range b.N {
				got, err := tr.Snapshot().Get(hot)
				if err != nil || !bytes.Equal(got, v) {
					b.Fatalf("newest Get = %q, %v", got, err)
				}
			}
		})
	})
}
