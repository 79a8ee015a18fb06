package kv

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/plinthdb/plinth/selector"
)

// Benchmarks of key selector resolution over a large database. The database
// is loaded once per process and shared by every benchmark here: 1,000,000
// keys of 16 bytes (k000000000000000 ...) with 100-byte values, or 100,000
// with -short; PLINTH_BENCH_KEYS=n overrides both.

var gkBench struct {
	once sync.Once
	db   *DB
	n    int
	err  error
}

// gkBenchKeysPerTx keeps each loading transaction well under the 10 MB
// default size limit: a 16-byte key with a 100-byte value costs 172 bytes of
// mutation plus 65 of write conflict range, 237 bytes in all.
const gkBenchKeysPerTx = 25_000

func gkBenchKey(i int) []byte { return []byte(fmt.Sprintf("k%015d", i)) }

func gkBenchDB(b *testing.B) (*DB, int) {
	b.Helper()
	gkBench.once.Do(func() {
		n := 1_000_000
		if testing.Short() {
			n = 100_000
		}
		if s := os.Getenv("PLINTH_BENCH_KEYS"); s != "" {
			v, err := strconv.Atoi(s)
			if err != nil || v <= 0 {
				gkBench.err = fmt.Errorf("PLINTH_BENCH_KEYS=%q: want a positive integer", s)
				return
			}
			n = v
		}
		db, err := Open(nil)
		if err != nil {
			gkBench.err = err
			return
		}
		value := bytes.Repeat([]byte{'v'}, 100)
		for start := 0; start < n; start += gkBenchKeysPerTx {
			tr := db.NewTransaction()
			for i := start; i < min(start+gkBenchKeysPerTx, n); i++ {
				tr.Set(gkBenchKey(i), value)
			}
			if err := tr.Commit(); err != nil {
				gkBench.err = fmt.Errorf("loading keys from %d: %w", start, err)
				return
			}
		}
		gkBench.db, gkBench.n = db, n
	})
	if gkBench.err != nil {
		b.Fatal(gkBench.err)
	}
	return gkBench.db, gkBench.n
}

// BenchmarkGetKey resolves selectors (k, false, offset) for random existing
// keys k. A transaction is reused and Reset every 1024 reads, so the
// figures are those of GetKey and its conflict range, not of creating
// transactions. keys/op is how many keys each resolution steps over.
func BenchmarkGetKey(b *testing.B) {
	db, n := gkBenchDB(b)
	cases := []struct {
		name     string
		offset   int
		snapshot bool
	}{
		{"offset=1", 1, false},
		{"offset=100", 100, false},
		{"offset=-100", -100, false},
		{"offset=1/snapshot", 1, true},
		{"offset=100/snapshot", 100, true},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			const nsel = 1024
			rng := rand.New(rand.NewPCG(1, uint64(bc.offset)))
			sels := make([]selector.KeySelector, nsel)
			want := make([][]byte, nsel)
			for i := range sels {
				k := rng.IntN(n)
				sels[i] = selector.KeySelector{Key: gkBenchKey(k), Offset: bc.offset}
				// (k, false, offset): the key offset-1 places after k.
				if t := k + bc.offset - 1; t >= 0 && t < n {
					want[i] = gkBenchKey(t)
				} else if t < 0 {
					want[i] = []byte{}
				} else {
					want[i] = []byte{0xff}
				}
			}
			tr := db.NewTransaction()
			var rt ReadTransaction = tr
			if bc.snapshot {
				rt = tr.Snapshot()
			}
			for i := range sels { // check the answers once, outside the timing
				got, err := rt.GetKey(sels[i])
				if err != nil {
					b.Fatal(err)
				}
				if !bytes.Equal(got, want[i]) {
					b.Fatalf("GetKey(%v) = %q, want %q", sels[i], got, want[i])
				}
			}
			tr.Reset()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if i%nsel == nsel-1 {
					tr.Reset()
				}
				if _, err := rt.GetKey(sels[i%nsel]); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(max(bc.offset, 1-bc.offset)), "keys/op")
		})
	}
}

// BenchmarkGetRangeSelectors reads SelectorRange{LastLessOrEqual(k),
// FirstGreaterOrEqual(k)+rows}: the begin resolved in place, the end
// stepped rows keys ahead, then rows rows scanned.
func BenchmarkGetRangeSelectors(b *testing.B) {
	db, n := gkBenchDB(b)
	for _, rows := range []int{10, 100} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			const nsel = 1024
			rng := rand.New(rand.NewPCG(2, uint64(rows)))
			ranges := make([]SelectorRange, nsel)
			for i := range ranges {
				k := gkBenchKey(rng.IntN(n - rows))
				ranges[i] = SelectorRange{
					Begin: selector.LastLessOrEqual(k),
					End:   selector.FirstGreaterOrEqual(k).Add(rows),
				}
			}
			tr := db.NewTransaction()
			got, err := tr.GetRange(ranges[0], RangeOptions{})
			if err != nil || len(got) != rows {
				b.Fatalf("GetRange = %d rows, %v; want %d", len(got), err, rows)
			}
			tr.Reset()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if i%nsel == nsel-1 {
					tr.Reset()
				}
				if _, err := tr.GetRange(ranges[i%nsel], RangeOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(rows), "rows/op")
		})
	}
}
