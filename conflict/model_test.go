package conflict

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// model is the brute-force reference: every write ever recorded, scanned on every query.
type model struct {
	writes []modelWrite
	oldest int64
}

type modelWrite struct {
	begin, end string
	version    int64
}

func (m *model) add(b, e string, v int64) {
	if b < e {
		m.writes = append(m.writes, modelWrite{b, e, v})
	}
}

// maxVersion is the largest version of a write intersecting [b, e); half-open ranges
// intersect iff each begins before the other ends.
func (m *model) maxVersion(b, e string) int64 {
	var v int64
	if b >= e {
		return 0 // an empty read range intersects nothing
	}
	for _, w := range m.writes {
		if w.begin < e && b < w.end {
			v = max(v, w.version)
		}
	}
	return v
}

// fresh counts the writes RemoveBefore may not forget.
func (m *model) fresh() int {
	n := 0
	for _, w := range m.writes {
		if w.version >= m.oldest {
			n++
		}
	}
	return n
}

// randKey draws from a small alphabet including 0x00 and 0xff, so that ranges overlap,
// touch and nest often and prefix pairs such as "a" / "a\x00" are common.
func randKey(r *rand.Rand, alphabet string, maxLen int) string {
	n := r.IntN(maxLen + 1)
	var sb strings.Builder
	for range n {
		sb.WriteByte(alphabet[r.IntN(len(alphabet))])
	}
	return sb.String()
}

type differential struct {
	t       *testing.T
	h       *History
	m       model
	version int64 // the version of the next write
	newest  int64 // the largest version of a non-empty write
}

func (d *differential) add(b, e string) {
	d.h.Add([]byte(b), []byte(e), d.version)
	d.m.add(b, e, d.version)
	if b < e {
		d.newest = d.version
	}
}

func (d *differential) check(ctx string) {
	d.t.Helper()
	if err := checkTree(&d.h.t); err != nil {
		d.t.Fatalf("%s: %v", ctx, err)
	}
}

// query compares one read range against the model under the History contract: exact
// answers for ranges holding a version >= oldest, "some version below oldest" otherwise, and
// the same conflict decision for every read version >= oldest.
func (d *differential) query(b, e string) {
	d.t.Helper()
	want := d.m.maxVersion(b, e)
	got := d.h.MaxVersion([]byte(b), []byte(e))
	if want >= d.m.oldest {
		if got != want {
			d.t.Fatalf("MaxVersion(%q, %q) = %d, want %d (oldest %d)", b, e, got, want, d.m.oldest)
		}
	} else if got >= d.m.oldest {
		d.t.Fatalf("MaxVersion(%q, %q) = %d, want < oldest %d (exact %d)", b, e, got, d.m.oldest, want)
	}
	for _, rv := range []int64{d.m.oldest, d.m.oldest + 1, want - 1, want, want + 1, d.version} {
		if rv < d.m.oldest {
			continue
		}
		v, ok := d.h.Conflicts([]byte(b), []byte(e), rv)
		if ok != (want > rv) {
			d.t.Fatalf("Conflicts(%q, %q, %d) = %d, %v; max is %d (oldest %d)", b, e, rv, v, ok, want, d.m.oldest)
		}
		if ok && (v <= rv || v > want) {
			d.t.Fatalf("Conflicts(%q, %q, %d) reported version %d, max is %d", b, e, rv, v, want)
		}
	}
}

// collectAll steps RemoveBefore until two passes complete, so every boundary was examined.
func (d *differential) collectAll(oldest int64) {
	d.t.Helper()
	for pass := 0; pass < 2; pass++ {
		for steps := 0; !d.h.RemoveBeforeStep(oldest, 1+steps%7); steps++ {
			if steps > 100000 {
				d.t.Fatal("RemoveBeforeStep never finished a pass")
			}
		}
	}
	d.m.oldest = max(d.m.oldest, oldest)
	d.check("collectAll")
	// A stale boundary survives only right after a fresh one, and each fresh write leaves
	// at most two fresh boundaries (its begin, and an end carrying an earlier fresh version).
	if bound := 4 * d.m.fresh(); d.h.Len() > bound {
		d.t.Fatalf("Len() = %d after collecting below %d, want <= %d", d.h.Len(), oldest, bound)
	}
}

func runDifferential(t *testing.T, seed uint64, fanout int, alphabet, prefix string, maxLen, ops int) {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	randKey := func(r *rand.Rand, alphabet string, maxLen int) string {
		k := randKey(r, alphabet, maxLen)
		if prefix != "" && r.IntN(8) > 0 {
			k = prefix + k // most keys share a long prefix, as keys of one table do
		}
		return k
	}
	d := &differential{t: t, h: New()}
	d.h.t = newTree(fanout)
	peak := 0
	for op := 0; op < ops; op++ {
		switch x := r.IntN(100); {
		case x < 45: // write
			b := randKey(r, alphabet, maxLen)
			var e string
			switch r.IntN(4) {
			case 0:
				e = b + "\x00" // a point write, as Set adds
			default:
				e = randKey(r, alphabet, maxLen) // sometimes empty or inverted: ignored
			}
			if r.IntN(3) > 0 {
				d.version++ // else share the previous version, as a batch does
			}
			d.add(b, e)
			d.check(fmt.Sprintf("op %d Add(%q, %q, %d)", op, b, e, d.version))
			peak = max(peak, d.h.Len())
		case x < 85:
			b, e := randKey(r, alphabet, maxLen), randKey(r, alphabet, maxLen)
			if r.IntN(4) == 0 {
				e = b + "\x00"
			}
			d.query(b, e)
		case x < 97: // incremental collection, as the commit path does it
			oldest := d.m.oldest + int64(r.IntN(3))
			oldest = min(oldest, d.version+1)
			d.h.RemoveBeforeStep(oldest, r.IntN(20))
			d.m.oldest = max(d.m.oldest, oldest)
			d.check(fmt.Sprintf("op %d RemoveBeforeStep(%d)", op, oldest))
		case x < 99:
			d.h.RemoveBefore(d.m.oldest)
			d.check(fmt.Sprintf("op %d RemoveBefore(%d)", op, d.m.oldest))
		default:
			d.collectAll(d.m.oldest + int64(r.IntN(int(d.version-d.m.oldest)+2)))
		}
		if d.h.Newest() != d.newest {
			t.Fatalf("Newest() = %d, want %d", d.h.Newest(), d.newest)
		}
	}
	// Forgetting everything must return the memory: no boundary is needed once every
	// version is below oldest.
	d.collectAll(d.version + 1)
	if d.h.Len() != 0 {
		t.Fatalf("Len() = %d after forgetting every version (peak %d)", d.h.Len(), peak)
	}
	if !d.h.t.root.leaf() {
		t.Fatalf("tree kept inner levels after emptying")
	}
	for range 50 {
		d.query(randKey(r, alphabet, maxLen), randKey(r, alphabet, maxLen))
	}
}

func TestDifferential(t *testing.T) {
	cases := []struct {
		name     string
		fanout   int
		alphabet string
		prefix   string
		maxLen   int
		ops      int
	}{
		{"fanout=6/tiny", 6, "\x00a\xff", "", 3, 5000},
		{"fanout=6/small", 6, "\x00ab\xff", "", 4, 5000},
		{"fanout=8/small", 8, "\x00abc\xff", "", 4, 5000},
		{"fanout=8/prefixed", 8, "\x00ab\xff", "table/users/\x00\xff", 4, 5000},
		{"fanout=16/medium", 16, "\x00abcdef\xff", "", 5, 5000},
		{"fanout=16/long-prefix", 16, "\x00ab\xff", strings.Repeat("p", 30), 5, 5000},
		{"fanout=64/medium", defaultMaxEntries, "\x00abcdefgh\xff", "", 5, 5000},
	}
	if testing.Short() {
		for i := range cases {
			cases[i].ops /= 4
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 3; seed++ {
				runDifferential(t, seed, c.fanout, c.alphabet, c.prefix, c.maxLen, c.ops)
			}
		})
	}
}

// TestWideRanges writes and reads ranges spanning many leaves of trees several levels deep,
// with collection interleaved: the general (multi-leaf) paths of Add, of the range check and
// of the repair after a range deletion, which point writes over a small alphabet rarely take.
func TestWideRanges(t *testing.T) {
	seeds := uint64(6)
	if testing.Short() {
		seeds = 2
	}
	keys := make([]string, 2000)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%05d", i)
	}
	for seed := uint64(1); seed <= seeds; seed++ {
		r := rand.New(rand.NewPCG(seed, 9))
		for _, fanout := range []int{6, 8, 12, defaultMaxEntries} {
			d := &differential{t: t, h: New()}
			d.h.t = newTree(fanout)
			for op := 0; op < 3000; op++ {
				switch x := r.IntN(10); {
				case x < 5:
					k := keys[r.IntN(len(keys))]
					d.version++
					d.add(k, k+"\x00")
				case x < 7:
					i := r.IntN(len(keys))
					j := min(len(keys)-1, i+r.IntN(1+r.IntN(1000)))
					d.version++
					d.add(keys[i], keys[j])
				case x < 9:
					i := r.IntN(len(keys))
					j := min(len(keys)-1, i+r.IntN(300))
					d.query(keys[i], keys[j])
				default:
					oldest := min(d.m.oldest+int64(r.IntN(40)), d.version+1)
					d.h.RemoveBeforeStep(oldest, r.IntN(400))
					d.m.oldest = max(d.m.oldest, oldest)
				}
				d.check(fmt.Sprintf("seed %d fanout %d op %d", seed, fanout, op))
			}
			d.collectAll(d.version + 1)
			if d.h.Len() != 0 {
				t.Fatalf("Len() = %d after forgetting every version", d.h.Len())
			}
		}
	}
}

// FuzzHistory drives History and the model with operations decoded from the input.
func FuzzHistory(f *testing.F) {
	f.Add([]byte("\x00ab\x01bc\x02ac\x00\x00\x01\x03a\xff"))
	f.Add([]byte("\x00a\x00a\x00\x01a\x00\x02\x00\x00\x02\x00a\x00\x03"))
	f.Fuzz(fuzzOne)
}

// fuzzOne runs the operations encoded in data against History and the model.
func fuzzOne(t *testing.T, data []byte) {
	if len(data) > 4<<10 {
		data = data[:4<<10] // the model rescans every write per query
	}
	d := &differential{t: t, h: New()}
	d.h.t = newTree(6)
	next := func() string { // a key: length byte, then that many bytes (at most 3)
		if len(data) == 0 {
			return ""
		}
		n := int(data[0] % 4)
		data = data[1:]
		n = min(n, len(data))
		k := string(data[:n])
		data = data[n:]
		return k
	}
	for len(data) > 0 {
		op := data[0] % 4
		data = data[1:]
		switch op {
		case 0, 1:
			b, e := next(), next()
			if op == 1 {
				d.version++
			}
			d.version = max(d.version, 1)
			d.add(b, e)
			d.check("Add")
		case 2:
			d.query(next(), next())
		case 3:
			d.collectAll(d.m.oldest + 1)
		}
	}
}
