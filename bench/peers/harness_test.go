package peers

import (
	"encoding/binary"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The environment chooses what runs; bench/run.sh sets it so that each
// process loads one store at one size.
//
//	BENCH_STORES      comma-separated store names (default: all registered)
//	BENCH_KEYS        comma-separated key counts, 1e4 or 10000 (default 1e4,1e5,1e6; 1e4 with -short)
//	BENCH_GOROUTINES  goroutine counts of the Parallel workload (default 1,2,4,8)
//	BENCH_MEM_KEYS    key count of the Memory benchmark (default: the largest of BENCH_KEYS)
//	BENCH_MEM_ROUNDS  overwrite rounds of the Memory benchmark (default 10)
//	BENCH_WARM        how long each fixture takes uniform random overwrites
//	                  after loading, before any timing (a Go duration;
//	                  default 0): longer than plinth's MVCC window, it has
//	                  plinth trimming while the workloads run
var cfg struct {
	stores      []string
	keys        []int
	goroutines  []int
	memKeys     int
	memRounds   int
	counterGors []int
	warm        time.Duration
}

func TestMain(m *testing.M) {
	// testing.Short needs parsed flags; m.Run would parse them too late.
	flag.Parse()
	if err := configure(); err != nil {
		fmt.Fprintln(os.Stderr, "peers:", err)
		os.Exit(2)
	}
	code := m.Run()
	closeFixtures()
	os.Exit(code)
}

func configure() error {
	for _, info := range Stores() {
		cfg.stores = append(cfg.stores, info.Name)
	}
	if s := os.Getenv("BENCH_STORES"); s != "" {
		cfg.stores = strings.Split(s, ",")
		for _, name := range cfg.stores {
			if _, ok := Lookup(name); !ok {
				return fmt.Errorf("BENCH_STORES: unknown store %q", name)
			}
		}
	}
	keys := "1e4,1e5,1e6"
	if testing.Short() {
		keys = "1e4"
	}
	var err error
	if cfg.keys, err = counts("BENCH_KEYS", keys); err != nil {
		return err
	}
	if cfg.goroutines, err = counts("BENCH_GOROUTINES", "1,2,4,8"); err != nil {
		return err
	}
	cfg.counterGors = []int{1, 8}
	mem, err := counts("BENCH_MEM_KEYS", strconv.Itoa(slices.Max(cfg.keys)))
	if err != nil {
		return err
	}
	cfg.memKeys = mem[0]
	rounds, err := counts("BENCH_MEM_ROUNDS", "10")
	if err != nil {
		return err
	}
	cfg.memRounds = rounds[0]
	if s := os.Getenv("BENCH_WARM"); s != "" {
		if cfg.warm, err = time.ParseDuration(s); err != nil || cfg.warm < 0 {
			return fmt.Errorf("BENCH_WARM: bad duration %q", s)
		}
	}
	return nil
}

func counts(env, def string) ([]int, error) {
	s := os.Getenv(env)
	if s == "" {
		s = def
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := ParseCount(strings.TrimSpace(f))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%s: bad count %q", env, f)
		}
		out = append(out, n)
	}
	return out, nil
}

// A fixture is a store loaded with keys 0..n-1 and their initial values,
// shared by every benchmark of the process.
type fixture struct {
	store Store
	n     int
	dir   string
	// inserted counts YCSB E inserts: new keys get indexes n, n+1, ...
	inserted atomic.Int64
}

var (
	fixturesMu sync.Mutex
	fixtures   = map[string]*fixture{}
)

func getFixture(tb testing.TB, name string, n int) *fixture {
	tb.Helper()
	fixturesMu.Lock()
	defer fixturesMu.Unlock()
	id := name + "/" + strconv.Itoa(n)
	if fx, ok := fixtures[id]; ok {
		return fx
	}
	fx, err := newFixture(name, n)
	if err != nil {
		tb.Fatalf("load %s with %d keys: %v", name, n, err)
	}
	fixtures[id] = fx
	return fx
}

func newFixture(name string, n int) (*fixture, error) {
	dir, err := os.MkdirTemp("", "plinth-peers-")
	if err != nil {
		return nil, err
	}
	s, err := Open(name, dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	fx := &fixture{store: s, n: n, dir: dir}
	if err := load(s, n, 0); err != nil {
		fx.close()
		return nil, err
	}
	if err := warm(s, n, cfg.warm); err != nil {
		fx.close()
		return nil, err
	}
	return fx, nil
}

// warm overwrites uniformly chosen keys of 0..n-1 one at a time, as Set1
// does, for d. A store that keeps versions for a window (plinth, 5 s) is
// then trimming the versions of those writes while the workloads run, as
// it would in a process that has been writing for a while.
func warm(s Store, n int, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	w := newWorker(0x7761726d)
	for end := time.Now().Add(d); time.Now().Before(end); {
		for range 64 {
			if err := s.Set(w.key(w.r.IntN(n)), w.value()); err != nil {
				return fmt.Errorf("warm: %w", err)
			}
		}
	}
	return nil
}

func (fx *fixture) close() {
	fx.store.Close()
	os.RemoveAll(fx.dir)
}

func closeFixtures() {
	fixturesMu.Lock()
	defer fixturesMu.Unlock()
	for id, fx := range fixtures {
		fx.close()
		delete(fixtures, id)
	}
}

// load writes keys 0..n-1 through s.Load in chunks of LoadChunk. Round 0
// writes the initial values; round r > 0 writes values that differ from
// every earlier round's.
func load(s Store, n, round int) error {
	keys := make([]byte, LoadChunk*KeyLen)
	vals := make([]byte, LoadChunk*ValueLen)
	pairs := make([]KV, 0, LoadChunk)
	for lo := 0; lo < n; lo += LoadChunk {
		pairs = pairs[:0]
		for i := lo; i < min(lo+LoadChunk, n); i++ {
			j := i - lo
			k := keys[j*KeyLen : (j+1)*KeyLen]
			v := vals[j*ValueLen : (j+1)*ValueLen]
			PutKey(k, i)
			PutValue(v, i)
			binary.LittleEndian.PutUint64(v, uint64(round))
			pairs = append(pairs, KV{Key: k, Value: v})
		}
		if err := s.Load(pairs); err != nil {
			return err
		}
	}
	return nil
}

// A worker holds one goroutine's randomness and scratch buffers.
type worker struct {
	r      *rand.Rand
	reads  [5][]byte
	writes [5][]byte
	val    []byte
	seq    uint64
}

func newWorker(seed uint64) *worker {
	w := &worker{r: rand.New(rand.NewPCG(seed, 0x62656e6368)), val: make([]byte, ValueLen)}
	buf := make([]byte, 10*KeyLen)
	for i := range 5 {
		w.reads[i] = buf[i*KeyLen : (i+1)*KeyLen]
		w.writes[i] = buf[(5+i)*KeyLen : (6+i)*KeyLen]
	}
	PutValue(w.val, int(seed))
	return w
}

// value returns the worker's value buffer with new contents.
func (w *worker) value() []byte {
	w.seq++
	binary.LittleEndian.PutUint64(w.val, w.seq)
	return w.val
}

// key puts the key of index i in the first read slot and returns it.
func (w *worker) key(i int) []byte {
	PutKey(w.reads[0], i)
	return w.reads[0]
}

// forEach runs body for each selected store and key count as the
// sub-benchmarks store=NAME/keys=N, loading each fixture once (untimed).
func forEach(b *testing.B, body func(b *testing.B, fx *fixture, info Info)) {
	for _, name := range cfg.stores {
		info, _ := Lookup(name)
		b.Run("store="+name, func(b *testing.B) {
			for _, n := range cfg.keys {
				fx := getFixture(b, name, n)
				b.Run("keys="+Label(n), func(b *testing.B) {
					b.ReportAllocs()
					body(b, fx, info)
				})
			}
		})
	}
}

// runGoroutines runs b.N calls of op spread over g goroutines, each with its
// own worker, and returns the sum of the retries op reported. ns/op is then
// wall time per operation: the inverse of the throughput.
func runGoroutines(b *testing.B, g int, op func(w *worker) (int, error)) int64 {
	workers := make([]*worker, g)
	for i := range workers {
		workers[i] = newWorker(uint64(i + 1))
	}
	var (
		next, retries atomic.Int64
		failed        atomic.Bool
		wg            sync.WaitGroup
	)
	b.ResetTimer()
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine int64
			for next.Add(1) <= int64(b.N) && !failed.Load() {
				r, err := op(w)
				if err != nil {
					if !failed.Swap(true) {
						b.Error(err)
					}
					return
				}
				mine += int64(r)
			}
			retries.Add(mine)
		}()
	}
	wg.Wait()
	b.StopTimer()
	return retries.Load()
}

func mustFound(b *testing.B, n int, err error) {
	if err != nil {
		b.Fatal(err)
	}
	if n < 0 {
		b.Fatal("a loaded key is missing")
	}
}
