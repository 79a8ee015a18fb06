package bench

import (
	"bytes"
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

	"github.com/google/btree"

	"github.com/plinthdb/plinth/kv"
)

// BENCH_KEYS sets the key counts, comma-separated, as 1e6 or 1000000
// (default 1e6; 1e4 with -short).
var keyCounts []int

func TestMain(m *testing.M) {
	flag.Parse() // testing.Short needs the flags before m.Run parses them
	def := "1e6"
	if testing.Short() {
		def = "1e4"
	}
	spec := os.Getenv("BENCH_KEYS")
	if spec == "" {
		spec = def
	}
	for _, f := range strings.Split(spec, ",") {
		n, err := parseCount(strings.TrimSpace(f))
		if err != nil || n < 200 {
			fmt.Fprintf(os.Stderr, "bench: BENCH_KEYS: bad key count %q (want at least 200)\n", f)
			os.Exit(2)
		}
		keyCounts = append(keyCounts, n)
	}
	os.Exit(m.Run())
}

func parseCount(s string) (int, error) {
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int(f)) {
		return int(f), nil
	}
	return strconv.Atoi(s)
}

func label(n int) string {
	e, m := 0, n
	for m >= 10 && m%10 == 0 {
		m /= 10
		e++
	}
	if m == 1 && e > 0 {
		return "1e" + strconv.Itoa(e)
	}
	return strconv.Itoa(n)
}

const (
	keyLen   = 16
	valueLen = 100
)

// putKey writes the key of index i: "k" and 15 zero-padded digits, so keys
// sort in index order (the same layout as bench/peers).
func putKey(dst []byte, i int) {
	dst[0] = 'k'
	for j := keyLen - 1; j >= 1; j-- {
		dst[j] = byte('0' + i%10)
		i /= 10
	}
}

func key(i int) []byte {
	k := make([]byte, keyLen)
	putKey(k, i)
	return k
}

// value returns the initial 100-byte value of index i: pseudo-random bytes
// that depend only on i.
func value(i int) []byte {
	v := make([]byte, valueLen)
	r := rand.NewPCG(0x706c696e7468, uint64(i))
	for j := 0; j+8 <= valueLen; j += 8 {
		binary.LittleEndian.PutUint64(v[j:], r.Uint64())
	}
	binary.LittleEndian.PutUint32(v[96:], uint32(r.Uint64()))
	return v
}

// btreeItem has mvcc's key layout: the first 16 key bytes inline as two
// big-endian words, compared before the key slice.
type btreeItem struct {
	p0, p1 uint64
	key    []byte
	value  []byte
}

func btreeLess(a, b btreeItem) bool {
	if a.p0 != b.p0 {
		return a.p0 < b.p0
	}
	if a.p1 != b.p1 {
		return a.p1 < b.p1
	}
	return bytes.Compare(a.key, b.key) < 0
}

func btreePivot(k []byte) btreeItem {
	var buf [16]byte
	copy(buf[:], k)
	return btreeItem{p0: binary.BigEndian.Uint64(buf[:8]), p1: binary.BigEndian.Uint64(buf[8:]), key: k}
}

// btreeFloor is a google/btree (degree 32, as mvcc) under a sync.RWMutex:
// what one ordered lookup costs without versions or transactions.
type btreeFloor struct {
	mu sync.RWMutex
	t  *btree.BTreeG[btreeItem]
}

// mapFloor is a map under a sync.RWMutex: what a hash lookup costs.
type mapFloor struct {
	mu sync.RWMutex
	m  map[string][]byte
}

// The data sets, loaded once per process and key count.
var (
	loadMu  sync.Mutex
	plinths = map[int]*kv.DB{}
	btrees  = map[int]*btreeFloor{}
	maps    = map[int]*mapFloor{}
)

func loadPlinth(tb testing.TB, n int) *kv.DB {
	tb.Helper()
	loadMu.Lock()
	defer loadMu.Unlock()
	if db := plinths[n]; db != nil {
		return db
	}
	db, err := kv.Open(nil)
	if err != nil {
		tb.Fatal(err)
	}
	const chunk = 10_000
	for lo := 0; lo < n; lo += chunk {
		err := db.Transact(func(tr *kv.Transaction) error {
			for i := lo; i < min(lo+chunk, n); i++ {
				tr.Set(key(i), value(i))
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	plinths[n] = db
	return db
}

func loadBtree(n int) *btreeFloor {
	loadMu.Lock()
	defer loadMu.Unlock()
	if f := btrees[n]; f != nil {
		return f
	}
	f := &btreeFloor{t: btree.NewG(32, btreeLess)}
	for i := range n {
		it := btreePivot(key(i))
		it.value = value(i)
		f.t.ReplaceOrInsert(it)
	}
	btrees[n] = f
	return f
}

func loadMap(n int) *mapFloor {
	loadMu.Lock()
	defer loadMu.Unlock()
	if f := maps[n]; f != nil {
		return f
	}
	f := &mapFloor{m: make(map[string][]byte, n)}
	for i := range n {
		f.m[string(key(i))] = value(i)
	}
	maps[n] = f
	return f
}

// forSizes runs body as the sub-benchmark keys=N for every key count.
func forSizes(b *testing.B, body func(b *testing.B, n int)) {
	for _, n := range keyCounts {
		b.Run("keys="+label(n), func(b *testing.B) {
			b.ReportAllocs()
			body(b, n)
		})
	}
}

func newRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

// BenchmarkGet: one point read of a uniformly random key, inside a read
// transaction for plinth; one locked lookup for the floors.
func BenchmarkGet(b *testing.B) {
	b.Run("store=plinth", func(b *testing.B) {
		forSizes(b, func(b *testing.B, n int) {
			db := loadPlinth(b, n)
			r, k := newRand(), make([]byte, keyLen)
			var got []byte
			read := func(tr kv.ReadTransaction) error {
				var err error
				got, err = tr.Get(k)
				return err
			}
			b.ResetTimer()
			for range b.N {
				putKey(k, r.IntN(n))
				if err := db.ReadTransact(read); err != nil {
					b.Fatal(err)
				}
				if len(got) != valueLen {
					b.Fatalf("Get returned %d bytes", len(got))
				}
			}
		})
	})
	b.Run("store=btree", func(b *testing.B) {
		forSizes(b, func(b *testing.B, n int) {
			f := loadBtree(n)
			r, k := newRand(), make([]byte, keyLen)
			b.ResetTimer()
			for range b.N {
				putKey(k, r.IntN(n))
				f.mu.RLock()
				it, ok := f.t.Get(btreePivot(k))
				f.mu.RUnlock()
				if !ok || len(it.value) != valueLen {
					b.Fatal("key missing")
				}
			}
		})
	})
	b.Run("store=map", func(b *testing.B) {
		forSizes(b, func(b *testing.B, n int) {
			f := loadMap(n)
			r, k := newRand(), make([]byte, keyLen)
			b.ResetTimer()
			for range b.N {
				putKey(k, r.IntN(n))
				f.mu.RLock()
				v, ok := f.m[string(k)]
				f.mu.RUnlock()
				if !ok || len(v) != valueLen {
					b.Fatal("key missing")
				}
			}
		})
	})
}

// BenchmarkScan100: 100 consecutive keys from a uniformly random start, in a
// read transaction, for plinth: GetRange with Limit 100, which copies every key
// and value; the same with NoCopy; and Iterate with NoCopy, which counts the
// rows as they come and never gathers them into a slice. One locked
// AscendGreaterOrEqual for the btree floor.
func BenchmarkScan100(b *testing.B) {
	getRange := func(noCopy bool) scan100 {
		return func(tr kv.ReadTransaction, r kv.KeyRange) (int, error) {
			rows, err := tr.GetRange(r, kv.RangeOptions{Limit: 100, NoCopy: noCopy})
			return len(rows), err
		}
	}
	b.Run("store=plinth", func(b *testing.B) { benchScan100(b, getRange(false)) })
	b.Run("store=plinth-nocopy", func(b *testing.B) { benchScan100(b, getRange(true)) })
	b.Run("store=plinth-iterate", func(b *testing.B) {
		benchScan100(b, func(tr kv.ReadTransaction, r kv.KeyRange) (int, error) {
			rows := 0
			for _, err := range tr.Iterate(r, kv.RangeOptions{Limit: 100, NoCopy: true}) {
				if err != nil {
					return rows, err
				}
				rows++
			}
			return rows, nil
		})
	})
	b.Run("store=btree", func(b *testing.B) {
		forSizes(b, func(b *testing.B, n int) {
			f := loadBtree(n)
			r, k := newRand(), make([]byte, keyLen)
			b.ResetTimer()
			for range b.N {
				putKey(k, r.IntN(n-100))
				seen, size := 0, 0
				f.mu.RLock()
				f.t.AscendGreaterOrEqual(btreePivot(k), func(it btreeItem) bool {
					seen++
					size += len(it.value)
					return seen < 100
				})
				f.mu.RUnlock()
				if seen != 100 || size != 100*valueLen {
					b.Fatalf("scan saw %d rows", seen)
				}
			}
		})
	})
}

// scan100 reads the first 100 rows of r and says how many it saw.
type scan100 func(tr kv.ReadTransaction, r kv.KeyRange) (int, error)

// benchScan100 is Scan100 for plinth, each scan made by read.
func benchScan100(b *testing.B, read scan100) {
	forSizes(b, func(b *testing.B, n int) {
		db := loadPlinth(b, n)
		r, k := newRand(), make([]byte, keyLen)
		end := []byte{0xff}
		rows := 0
		scan := func(tr kv.ReadTransaction) error {
			var err error
			rows, err = read(tr, kv.KeyRange{Begin: k, End: end})
			return err
		}
		b.ResetTimer()
		for range b.N {
			putKey(k, r.IntN(n-100))
			if err := db.ReadTransact(scan); err != nil {
				b.Fatal(err)
			}
			if rows != 100 {
				b.Fatalf("scan returned %d rows", rows)
			}
		}
	})
}

// BenchmarkSet1: a transaction created, given one overwrite of a uniformly
// random key, and committed.
func BenchmarkSet1(b *testing.B) {
	b.Run("store=plinth", func(b *testing.B) {
		forSizes(b, func(b *testing.B, n int) {
			db := loadPlinth(b, n)
			r, k, v := newRand(), make([]byte, keyLen), value(0)
			b.ResetTimer()
			for range b.N {
				putKey(k, r.IntN(n))
				tr := db.NewTransaction()
				tr.Set(k, v)
				if err := tr.Commit(); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// BenchmarkRead5Write5: 5 reads and 5 overwrites of uniformly random keys in
// one transaction, then its commit.
func BenchmarkRead5Write5(b *testing.B) {
	b.Run("store=plinth", func(b *testing.B) {
		forSizes(b, func(b *testing.B, n int) {
			db := loadPlinth(b, n)
			r, v := newRand(), value(0)
			var keys [10][]byte
			for i := range keys {
				keys[i] = make([]byte, keyLen)
			}
			b.ResetTimer()
			for range b.N {
				tr := db.NewTransaction()
				for i := range 5 {
					putKey(keys[i], r.IntN(n))
					if _, err := tr.Get(keys[i]); err != nil {
						b.Fatal(err)
					}
				}
				for i := 5; i < 10; i++ {
					putKey(keys[i], r.IntN(n))
					tr.Set(keys[i], v)
				}
				if err := tr.Commit(); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// BenchmarkCommitDisjoint: two goroutines each committing 1-write
// transactions on keys only they write (even and odd indexes), so no commit
// conflicts and the cost of sharing the commit path shows. ns/op is wall
// time per commit over both goroutines; conflicts/op must stay 0.
func BenchmarkCommitDisjoint(b *testing.B) {
	b.Run("store=plinth", func(b *testing.B) {
		forSizes(b, func(b *testing.B, n int) {
			b.Run("goroutines=2", func(b *testing.B) { commitDisjoint(b, n) })
		})
	})
}

func commitDisjoint(b *testing.B, n int) {
	b.ReportAllocs()
	db := loadPlinth(b, n)
	before := db.Stats().Conflicts
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for g := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 3))
			k, v := make([]byte, keyLen), value(g)
			for next.Add(1) <= int64(b.N) {
				putKey(k, r.IntN(n/2)*2+g)
				tr := db.NewTransaction()
				tr.Set(k, v)
				if err := tr.Commit(); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(db.Stats().Conflicts-before)/float64(b.N), "conflicts/op")
}

// TestWorkloads checks what the benchmarks rely on, on a small data set: the
// loaded values read back the same from plinth and both floors, and a
// limited scan returns consecutive keys.
func TestWorkloads(t *testing.T) {
	const n = 500
	db := loadPlinth(t, n)
	bt, mp := loadBtree(n), loadMap(n)
	for i := range n {
		k, want := key(i), value(i)
		var got []byte
		err := db.ReadTransact(func(tr kv.ReadTransaction) error {
			var err error
			got, err = tr.Get(k)
			return err
		})
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("plinth Get(%s) = %x, %v", k, got, err)
		}
		if it, ok := bt.t.Get(btreePivot(k)); !ok || !bytes.Equal(it.value, want) {
			t.Fatalf("btree Get(%s) = %x", k, it.value)
		}
		if v := mp.m[string(k)]; !bytes.Equal(v, want) {
			t.Fatalf("map Get(%s) = %x", k, v)
		}
	}
	var rows []kv.KeyValue
	err := db.ReadTransact(func(tr kv.ReadTransaction) error {
		var err error
		rows, err = tr.GetRange(kv.KeyRange{Begin: key(7), End: []byte{0xff}}, kv.RangeOptions{Limit: 100})
		return err
	})
	if err != nil || len(rows) != 100 {
		t.Fatalf("GetRange = %d rows, %v", len(rows), err)
	}
	for j, row := range rows {
		if !bytes.Equal(row.Key, key(7+j)) || !bytes.Equal(row.Value, value(7+j)) {
			t.Fatalf("row %d = %s, want %s", j, row.Key, key(7+j))
		}
	}
	if !slices.IsSortedFunc(rows, func(a, b kv.KeyValue) int { return bytes.Compare(a.Key, b.Key) }) {
		t.Fatal("rows out of order")
	}
}
