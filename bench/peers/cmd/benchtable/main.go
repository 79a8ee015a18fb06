// Command benchtable turns the raw output of the side-by-side benchmarks
// (bench/results/raw.txt, Go benchmark format) into the markdown tables of
// bench/results/latest.md: time and allocations per store, plinth's speed as
// a ratio to each peer, retries under contention, and heap per key.
//
// Every number it prints is the median of the samples of one benchmark in
// the raw file; it computes nothing else but ratios of those medians.
//
//	benchtable -list                 print the registered store names, in order
//	benchtable raw.txt > latest.md   the full report
//	benchtable -summary raw.txt      the short table for the README
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/plinthdb/plinth/bench/peers"
)

func main() {
	list := flag.Bool("list", false, "print the registered store names, one per line, and exit")
	summary := flag.Bool("summary", false, "print the short table for the README instead of the full report")
	flag.Parse()
	if *list {
		for _, info := range peers.Stores() {
			fmt.Println(info.Name)
		}
		return
	}
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: benchtable [-list] raw.txt")
		os.Exit(2)
	}
	f, err := os.Open(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	res, err := parse(f)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	if *summary {
		writeSummary(w, res)
	} else {
		write(w, res)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// results holds the samples of a raw file, grouped by row (the benchmark
// name without its store part) and store.
type results struct {
	config  map[string]string
	rows    []string // in order of first appearance
	stores  []string
	samples map[string]map[string]map[string][]float64 // row -> store -> unit -> values
}

var procSuffix = regexp.MustCompile(`-\d+$`)

func parse(r io.Reader) (*results, error) {
	res := &results{config: map[string]string{}, samples: map[string]map[string]map[string][]float64{}}
	seenStore := map[string]bool{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "Benchmark") {
			if k, v, ok := strings.Cut(line, ": "); ok && !strings.ContainsAny(k, " \t") && k != "" {
				res.config[k] = strings.TrimSpace(v)
			}
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 4 || len(fields)%2 != 0 {
			continue
		}
		row, store := splitName(procSuffix.ReplaceAllString(fields[0], ""))
		if store == "" {
			continue
		}
		if _, ok := res.samples[row]; !ok {
			res.samples[row] = map[string]map[string][]float64{}
			res.rows = append(res.rows, row)
		}
		if !seenStore[store] {
			seenStore[store] = true
			res.stores = append(res.stores, store)
		}
		units := res.samples[row][store]
		if units == nil {
			units = map[string][]float64{}
			res.samples[row][store] = units
		}
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%q: %v", line, err)
			}
			units[fields[i+1]] = append(units[fields[i+1]], v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	// Stores in registry order (plinth first), then any unknown ones.
	order := map[string]int{}
	for i, info := range peers.Stores() {
		order[info.Name] = i
	}
	sort.SliceStable(res.stores, func(i, j int) bool {
		oi, iok := order[res.stores[i]]
		oj, jok := order[res.stores[j]]
		if iok != jok {
			return iok
		}
		return oi < oj
	})
	return res, nil
}

// splitName takes the store=NAME element out of a benchmark name:
// BenchmarkYCSB/mix=A/store=plinth/keys=1e6 gives row YCSB/mix=A/keys=1e6
// and store plinth.
func splitName(name string) (row, store string) {
	parts := strings.Split(strings.TrimPrefix(name, "Benchmark"), "/")
	kept := parts[:0]
	for _, p := range parts {
		if s, ok := strings.CutPrefix(p, "store="); ok {
			store = s
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, "/"), store
}

func (res *results) median(row, store, unit string) (float64, bool) {
	v := res.samples[row][store][unit]
	if len(v) == 0 {
		return 0, false
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2], true
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2, true
}

// spread returns the slowest sample over the fastest (1 for one sample).
func (res *results) spread(row, store, unit string) float64 {
	v := res.samples[row][store][unit]
	if len(v) < 2 || slices.Min(v) <= 0 {
		return 1
	}
	return slices.Max(v) / slices.Min(v)
}

func (res *results) has(row, unit string) bool {
	for _, units := range res.samples[row] {
		if len(units[unit]) > 0 {
			return true
		}
	}
	return false
}

func (res *results) samplesPerCell() string {
	lo, hi := math.MaxInt, 0
	for row, stores := range res.samples {
		if strings.HasPrefix(row, "Memory") {
			continue
		}
		for _, units := range stores {
			if n := len(units["ns/op"]); n > 0 {
				lo, hi = min(lo, n), max(hi, n)
			}
		}
	}
	switch {
	case hi == 0:
		return "no samples"
	case hi == 1:
		return "1 sample"
	case lo == hi:
		return strconv.Itoa(lo) + " samples"
	}
	return fmt.Sprintf("%d–%d samples", lo, hi)
}

const us = "plinth"

func write(w io.Writer, res *results) {
	fmt.Fprintln(w, "# plinth beside its peers")
	fmt.Fprintln(w)
	var where []string
	for _, k := range []string{"goos", "goarch", "cpu", "go", "gomaxprocs"} {
		if v := res.config[k]; v != "" {
			where = append(where, fmt.Sprintf("%s: %s", k, v))
		}
	}
	mode := res.config["plinth-bench-mode"]
	if mode == "" {
		mode = "?"
	}
	fmt.Fprintf(w, "Made by `bench/run.sh %s` (benchtime %s, count %s; each cell is the median of %s%s). %s.\n",
		mode, orQ(res.config["plinth-bench-benchtime"]), orQ(res.config["plinth-bench-count"]), res.samplesPerCell(), warmed(res), strings.Join(where, ", "))
	fmt.Fprintln(w, "Raw output: `bench/results/raw.txt` (compare runs with `benchstat -col /store`). Absolute times vary between machines; compare ratios.")
	fmt.Fprintln(w)

	var timed, memory []string
	for _, row := range res.rows {
		if strings.HasPrefix(row, "Memory") {
			memory = append(memory, row)
		} else if res.has(row, "ns/op") {
			timed = append(timed, row)
		}
	}

	if len(timed) > 0 {
		fmt.Fprintln(w, "## Time per transaction")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "ns/op · allocs/op. Parallel and Counter: wall time per operation over all goroutines.")
		fmt.Fprintln(w)
		header(w, "benchmark", res.stores)
		spread := false
		for _, row := range timed {
			cells := []string{"`" + row + "`"}
			for _, s := range res.stores {
				ns, ok := res.median(row, s, "ns/op")
				if !ok {
					cells = append(cells, "—")
					continue
				}
				cell := num(ns)
				if a, ok := res.median(row, s, "allocs/op"); ok {
					cell += " · " + num(a)
				}
				if res.spread(row, s, "ns/op") >= 3 {
					cell += " ‡"
					spread = true
				}
				cells = append(cells, cell)
			}
			line(w, cells)
		}
		if spread {
			fmt.Fprintln(w)
			fmt.Fprintln(w, "‡ the slowest sample took at least 3 times as long as the fastest: see raw.txt.")
		}
		fmt.Fprintln(w)
	}

	peerCols := slices.DeleteFunc(slices.Clone(res.stores), func(s string) bool { return s == us })
	if len(timed) > 0 && slices.Contains(res.stores, us) && len(peerCols) > 0 {
		fmt.Fprintln(w, "## plinth's speed relative to each peer")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Peer ns/op ÷ plinth ns/op: above 1 plinth is faster, below 1 slower.")
		fmt.Fprintln(w)
		header(w, "benchmark", peerCols)
		for _, row := range timed {
			ours, ok := res.median(row, us, "ns/op")
			if !ok {
				continue
			}
			// plinth's atomic add has no peer counterpart: set it against
			// the peers' read-modify-write of the same counter.
			peerRow, label := row, "`"+row+"`"
			if rest, ok := strings.CutPrefix(row, "Counter/op=add/"); ok {
				peerRow = "Counter/op=rmw/" + rest
				label = "`" + row + "` vs peers' `op=rmw`"
			}
			cells := []string{label}
			any := false
			for _, s := range peerCols {
				theirs, ok := res.median(peerRow, s, "ns/op")
				if !ok || ours == 0 {
					cells = append(cells, "—")
					continue
				}
				any = true
				cells = append(cells, fmt.Sprintf("%.2f", theirs/ours))
			}
			if any {
				line(w, cells)
			}
		}
		fmt.Fprintln(w)
	}

	var retried []string
	for _, row := range timed {
		if res.has(row, "retries/op") {
			retried = append(retried, row)
		}
	}
	if len(retried) > 0 {
		fmt.Fprintln(w, "## Retries")
		fmt.Fprintln(w)
		var cols []string
		for _, s := range res.stores {
			for _, row := range retried {
				if _, ok := res.median(row, s, "retries/op"); ok {
					cols = append(cols, s)
					break
				}
			}
		}
		fmt.Fprintf(w, "Failed attempts per committed transaction (retries/op). Only %s detect conflicts; the other stores let one writer in at a time and never retry.\n", strings.Join(cols, " and "))
		fmt.Fprintln(w)
		header(w, "benchmark", cols)
		for _, row := range retried {
			cells := []string{"`" + row + "`"}
			for _, s := range cols {
				if v, ok := res.median(row, s, "retries/op"); ok {
					cells = append(cells, num(v))
				} else {
					cells = append(cells, "—")
				}
			}
			line(w, cells)
		}
		fmt.Fprintln(w)
	}

	if len(memory) > 0 {
		fmt.Fprintln(w, "## Memory")
		fmt.Fprintln(w)
		rounds := res.config["plinth-bench-mem-rounds"]
		fmt.Fprintf(w, "Go heap bytes per live key (HeapAlloc after GC, minus the heap before the store was opened): after loading the keys, and right after %s rounds that overwrite every key (old versions still held show up there). "+
			"plinth keeps old versions for its MVCC window (5 s) and then collects them in the background: *settled* is its heap once that is done, reached *settle* seconds after the last round. "+
			"bbolt keeps its data in a memory-mapped file, outside the Go heap; its file size per key is given instead. "+
			"Some stores allocate memory outside the Go heap themselves: SQLite (modernc.org/sqlite) its pages, pebble (built with cgo) its memtables and block cache; *off heap* is what they report of it after the overwrites (see the notes below), on top of their heap.\n", orQ(rounds))
		fmt.Fprintln(w)
		header(w, "store", []string{"keys", "after load (B/key)", "after overwrites (B/key)", "settled (B/key)", "settle (s)", "file (B/key)", "off heap (B/key)", "load (ns/key)"})
		for _, row := range memory {
			keys := strings.TrimPrefix(row, "Memory/keys=")
			for _, s := range res.stores {
				if _, ok := res.samples[row][s]; !ok {
					continue
				}
				cells := []string{s, keys}
				for _, unit := range []string{"loaded-B/key", "rewritten-B/key", "settled-B/key", "settle-s", "file-B/key", "offheap-B/key", "load-ns/key"} {
					if v, ok := res.median(row, s, unit); ok {
						cells = append(cells, num(v))
					} else {
						cells = append(cells, "—")
					}
				}
				line(w, cells)
			}
		}
		fmt.Fprintln(w)
	}

	fmt.Fprintln(w, "## Stores")
	fmt.Fprintln(w)
	for _, s := range res.stores {
		info, ok := peers.Lookup(s)
		if !ok {
			continue
		}
		fmt.Fprintf(w, "- **%s**: %s\n", s, info.Note)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Workloads: keys are 16 bytes, values 100 bytes; `keys=N` is the number of keys loaded. "+
		"`Get` one point read in a read transaction; `Scan100` 100 consecutive keys in a read transaction; "+
		"`Set1` a write transaction overwriting one key; `Read5Write5` 5 reads and 5 writes in one transaction (uniform keys). "+
		"`YCSB` mixes with a scrambled zipfian key choice (theta 0.99), one transaction per operation: "+
		"A 50% read/50% update, B 95/5, C read only, E 95% scans of 1–100 keys/5% inserts, F 50% read/50% read-modify-write. "+
		"`Parallel` 90% Get/10% Set1 on uniform keys from 1–8 goroutines. "+
		"`Counter` goroutines incrementing one key: `op=rmw` reads and writes it back, `op=add` is plinth's `Atomic(Add)`.")
}

func orQ(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

func header(w io.Writer, first string, cols []string) {
	line(w, append([]string{first}, cols...))
	seps := make([]string, len(cols)+1)
	seps[0] = "---"
	for i := 1; i < len(seps); i++ {
		seps[i] = "---:"
	}
	line(w, seps)
}

func line(w io.Writer, cells []string) {
	fmt.Fprintln(w, "| "+strings.Join(cells, " | ")+" |")
}

// num formats a median: thousands separated at 100 and above, three
// significant digits below.
func num(v float64) string {
	switch {
	case v == 0:
		return "0"
	case math.Abs(v) >= 100:
		s := strconv.FormatInt(int64(math.Round(v)), 10)
		var b strings.Builder
		for i, c := range s {
			if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
				b.WriteByte(',')
			}
			b.WriteRune(c)
		}
		return b.String()
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}

// writeSummary prints the README's table: for the largest key count, plinth's
// time and allocations per workload and its speed ratio to each peer, then
// the contended counter's retries.
func writeSummary(w io.Writer, res *results) {
	largest := ""
	for _, row := range res.rows {
		if k := keysOf(row); k != "" && !strings.HasPrefix(row, "Memory") {
			if n, err := strconv.ParseFloat(k, 64); err == nil {
				if l, _ := strconv.ParseFloat(largest, 64); largest == "" || n > l {
					largest = k
				}
			}
		}
	}
	peerCols := slices.DeleteFunc(slices.Clone(res.stores), func(s string) bool { return s == us })
	fmt.Fprintf(w, "Median of %s, `bench/run.sh %s`, %s keys%s, %s. plinth's time per transaction (ns/op · allocs/op) and peer ns/op ÷ plinth ns/op (above 1: plinth faster). Full report: `bench/results/latest.md`.\n\n",
		res.samplesPerCell(), orQ(res.config["plinth-bench-mode"]), orQ(largest), warmed(res), orQ(res.config["cpu"])+", "+orQ(res.config["gomaxprocs"])+" cores")
	header(w, "workload", append([]string{"plinth"}, peerCols...))
	for _, row := range res.rows {
		if k := keysOf(row); k != "" && k != largest {
			continue
		}
		if strings.HasPrefix(row, "Memory") || (strings.Contains(row, "goroutines=") && !strings.HasSuffix(row, "goroutines=8")) {
			continue
		}
		ours, ok := res.median(row, us, "ns/op")
		if !ok {
			continue
		}
		peerRow := row
		if rest, ok := strings.CutPrefix(row, "Counter/op=add/"); ok {
			peerRow = "Counter/op=rmw/" + rest
		}
		cell := num(ours)
		if a, ok := res.median(row, us, "allocs/op"); ok {
			cell += " · " + num(a)
		}
		cells := []string{"`" + strings.Replace(row, "/keys="+largest, "", 1) + "`", cell}
		for _, s := range peerCols {
			if theirs, ok := res.median(peerRow, s, "ns/op"); ok && ours > 0 {
				cells = append(cells, fmt.Sprintf("%.2f", theirs/ours))
			} else {
				cells = append(cells, "—")
			}
		}
		line(w, cells)
	}
	fmt.Fprintln(w)
	var parts []string
	for _, row := range res.rows {
		if !strings.HasPrefix(row, "Counter/") || !strings.HasSuffix(row, "goroutines=8") {
			continue
		}
		for _, s := range res.stores {
			if v, ok := res.median(row, s, "retries/op"); ok {
				parts = append(parts, fmt.Sprintf("%s `%s` %s", s, strings.TrimPrefix(row, "Counter/"), num(v)))
			}
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, "Retries per increment, 8 goroutines on one counter: %s. (`Counter/op=add` rows compare plinth's atomic add with the peers' read-modify-write.)\n", strings.Join(parts, "; "))
	}
	for _, row := range res.rows {
		if !strings.HasPrefix(row, "Memory/") {
			continue
		}
		fmt.Fprintln(w)
		fmt.Fprintf(w, "Go heap per live key with %s keys (B/key): after loading, right after %s rounds overwriting every key, and for plinth once its MVCC window has passed and old versions are collected (bbolt's data is in its mapped file, not the heap; SQLite's pages, and pebble's memtables and block cache with cgo, are off the heap).\n\n",
			strings.TrimPrefix(row, "Memory/keys="), orQ(res.config["plinth-bench-mem-rounds"]))
		header(w, "heap", res.stores)
		for _, m := range []struct{ label, unit string }{
			{"after load", "loaded-B/key"},
			{"after overwrites", "rewritten-B/key"},
			{"settled", "settled-B/key"},
			{"bbolt file", "file-B/key"},
			{"off heap", "offheap-B/key"},
		} {
			if !res.has(row, m.unit) {
				continue
			}
			cells := []string{m.label}
			for _, s := range res.stores {
				if v, ok := res.median(row, s, m.unit); ok {
					cells = append(cells, num(v))
				} else {
					cells = append(cells, "—")
				}
			}
			line(w, cells)
		}
	}
}

// keysOf returns the N of a keys=N element of a row, or "".
func keysOf(row string) string {
	for _, p := range strings.Split(row, "/") {
		if k, ok := strings.CutPrefix(p, "keys="); ok {
			return k
		}
	}
	return ""
}

// warmed says how the largest key count's stores were brought to a steady
// state of writes before timing, if they were (BENCH_WARM).
func warmed(res *results) string {
	d, err := time.ParseDuration(res.config["plinth-bench-warm"])
	if err != nil || d <= 0 {
		return ""
	}
	return fmt.Sprintf("; at the largest key count each store first took %v of random overwrites, so that plinth's 5 s MVCC window was trimming", d)
}
