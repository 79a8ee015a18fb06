package conflict

import (
	"testing"
)

type write struct {
	begin, end string
	version    int64
}

type read struct {
	begin, end  string
	readVersion int64
	conflict    bool
	max         int64 // MaxVersion(begin, end)
}

func TestRules(t *testing.T) {
	cases := []struct {
		name   string
		writes []write
		reads  []read
	}{
		{
			name:   "half-open: a write of [b,d) meets reads inside, not those ending at b or starting at d",
			writes: []write{{"b", "d", 5}},
			reads: []read{
				{"a", "b", 1, false, 0},      // ends where the write begins
				{"d", "e", 1, false, 0},      // begins where the write ends
				{"a", "b\x00", 1, true, 5},   // includes b
				{"c\xff", "d", 1, true, 5},   // just below d
				{"c", "c\x00", 1, true, 5},   // a point inside
				{"d", "d\x00", 1, false, 0},  // the end key itself is not written
				{"a", "z", 1, true, 5},       // covers the write
				{"b", "d", 4, true, 5},       // the same range
				{"\x00", "\xff", 4, true, 5}, // the whole normal key space
			},
		},
		{
			name:   "touching writes and reads do not intersect",
			writes: []write{{"a", "b", 3}, {"c", "d", 4}},
			reads: []read{
				{"b", "c", 0, false, 0},
				{"b", "c\x00", 3, true, 4},
				{"a\xff", "b", 2, true, 3},
			},
		},
		{
			name:   "a write at exactly the read version does not conflict",
			writes: []write{{"k", "k\x00", 5}},
			reads: []read{
				{"k", "k\x00", 5, false, 5},
				{"k", "k\x00", 4, true, 5},
				{"k", "k\x00", 6, false, 5},
				{"a", "z", 5, false, 5},
			},
		},
		{
			name:   "empty and inverted read ranges never conflict",
			writes: []write{{"a", "z", 9}},
			reads: []read{
				{"m", "m", 0, false, 0},
				{"m", "c", 0, false, 0},
				{"", "", 0, false, 0},
			},
		},
		{
			name:   "empty and inverted writes are ignored",
			writes: []write{{"m", "m", 7}, {"z", "a", 8}},
			reads: []read{
				{"", "\xff\xff", 0, false, 0},
			},
		},
		{
			name:   "ranges beginning at the empty key",
			writes: []write{{"", "a", 2}, {"", "\x00", 3}, {"q", "q\x00", 4}},
			reads: []read{
				{"", "\x00", 2, true, 3}, // only the empty key was rewritten at 3
				{"", "\x00", 3, false, 3},
				{"\x00", "a", 2, false, 2},
				{"\x00", "a", 1, true, 2},
				{"", "a", 2, true, 3},
				{"a", "q", 0, false, 0},
				{"", "q\x00", 3, true, 4},
				{"", "", 0, false, 0},
			},
		},
		{
			name:   "0x00 and 0xff bytes are ordinary key bytes",
			writes: []write{{"\xff", "\xff\x00", 5}, {"\x00", "\x00\x00", 6}, {"\xff\xff", "\xff\xff\xff", 7}},
			reads: []read{
				{"\xfe", "\xff", 0, false, 0},
				{"\xff", "\xff\xff", 0, true, 5},
				{"\xff\x00", "\xff\xff", 0, false, 0},
				{"\xff\x00", "\xff\xff\x00", 0, true, 7},
				{"", "\x00", 0, false, 0},
				{"", "\x00\x00", 0, true, 6},
				{"\x00\x00", "\x01", 0, false, 0},
				{"\xff\xff\xff", "\xff\xff\xff\xff", 0, false, 0},
			},
		},
		{
			name:   "a key and its prefix are different keys",
			writes: []write{{"a", "a\x00", 5}, {"ab", "ab\x00", 6}},
			reads: []read{
				{"a\x00", "a\x00\x00", 0, false, 0}, // "a\x00" sorts right after "a"
				{"a", "a\x00", 0, true, 5},
				{"", "a", 0, false, 0},
				{"a\x00", "ab", 0, false, 0},
				{"a\x00", "ab\x00", 5, true, 6},
				{"aa", "ab", 0, false, 0},
				{"ab\x00", "b", 0, false, 0},
			},
		},
		{
			name:   "an overwrite keeps the older version outside its range",
			writes: []write{{"a", "z", 5}, {"c", "d", 7}},
			reads: []read{
				{"a", "c", 5, false, 5},
				{"d", "z", 5, false, 5},
				{"d", "z", 4, true, 5},
				{"c", "c\x00", 6, true, 7},
				{"b", "e", 6, true, 7},
				{"z", "zz", 0, false, 0},
			},
		},
		{
			name:   "the key at a write's end keeps the version in force before the write",
			writes: []write{{"a", "c", 5}, {"b", "d", 6}},
			reads: []read{
				{"a", "b", 5, false, 5},
				{"c", "d", 5, true, 6},
				{"d", "e", 0, false, 0},
			},
		},
		{
			name:   "a write covering earlier boundaries replaces them",
			writes: []write{{"b", "b\x00", 1}, {"c", "c\x00", 2}, {"d", "d\x00", 3}, {"a", "e", 4}},
			reads: []read{
				{"c", "c\x00", 3, true, 4},
				{"e", "f", 0, false, 0},
				{"", "a", 0, false, 0},
			},
		},
		{
			name:   "writes sharing a version (one batch)",
			writes: []write{{"a", "b", 3}, {"b", "c", 3}, {"x", "y", 3}},
			reads: []read{
				{"a", "c", 3, false, 3},
				{"a", "c", 2, true, 3},
				{"c", "x", 2, false, 0},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := New()
			for _, w := range c.writes {
				h.Add([]byte(w.begin), []byte(w.end), w.version)
			}
			if err := checkTree(&h.t); err != nil {
				t.Fatal(err)
			}
			for _, r := range c.reads {
				if got := h.MaxVersion([]byte(r.begin), []byte(r.end)); got != r.max {
					t.Errorf("MaxVersion(%q, %q) = %d, want %d", r.begin, r.end, got, r.max)
				}
				v, ok := h.Conflicts([]byte(r.begin), []byte(r.end), r.readVersion)
				if ok != r.conflict {
					t.Errorf("Conflicts(%q, %q, %d) = %v, want %v", r.begin, r.end, r.readVersion, ok, r.conflict)
				}
				if ok && v <= r.readVersion {
					t.Errorf("Conflicts(%q, %q, %d) reported version %d", r.begin, r.end, r.readVersion, v)
				}
			}
		})
	}
}

func TestEmptyHistory(t *testing.T) {
	h := New()
	if h.Len() != 0 || h.Newest() != 0 || h.Oldest() != 0 {
		t.Fatalf("New() = Len %d Newest %d Oldest %d", h.Len(), h.Newest(), h.Oldest())
	}
	if got := h.MaxVersion(nil, []byte("\xff\xff")); got != 0 {
		t.Fatalf("MaxVersion on empty history = %d", got)
	}
	if _, ok := h.Conflicts(nil, []byte("\xff"), 0); ok {
		t.Fatal("empty history conflicts")
	}
	if !h.RemoveBeforeStep(10, 1) {
		t.Fatal("a step over an empty history should finish the pass")
	}
}

func TestBoundaries(t *testing.T) {
	h := New()
	h.Add([]byte("k"), []byte("k\x00"), 1)
	if h.Len() != 2 {
		t.Fatalf("a point write into an empty history left %d boundaries, want 2 (k, k\\x00)", h.Len())
	}
	h.Add([]byte("k"), []byte("k\x00"), 2)
	if h.Len() != 2 {
		t.Fatalf("rewriting a key left %d boundaries, want 2", h.Len())
	}
	h.Add([]byte("a"), []byte("z"), 3)
	if h.Len() != 2 {
		t.Fatalf("a covering write left %d boundaries, want 2 (a, z)", h.Len())
	}
	if h.Newest() != 3 {
		t.Fatalf("Newest() = %d", h.Newest())
	}
}

func TestRemoveBefore(t *testing.T) {
	h := New()
	h.Add([]byte("a"), []byte("b"), 1)
	h.Add([]byte("b"), []byte("c"), 2)
	h.Add([]byte("d"), []byte("e"), 3)
	h.Add([]byte("m"), []byte("n"), 10)
	h.Add([]byte("x"), []byte("y"), 4)
	for !h.RemoveBeforeStep(5, 1) {
	}
	// Only m (10) and the n after it (0, older than 5 but needed to end the fresh interval)
	// remain.
	if h.Len() != 2 {
		t.Fatalf("Len() = %d after RemoveBefore(5), want 2", h.Len())
	}
	if h.Oldest() != 5 {
		t.Fatalf("Oldest() = %d", h.Oldest())
	}
	for _, r := range []read{
		{"a", "m", 5, false, 0},
		{"n", "\xff", 5, false, 0},
		{"a", "z", 5, true, 10},
		{"m", "m\x00", 9, true, 10},
		{"m", "m\x00", 10, false, 10},
	} {
		if v, ok := h.Conflicts([]byte(r.begin), []byte(r.end), r.readVersion); ok != r.conflict || (ok && v != r.max) {
			t.Errorf("Conflicts(%q, %q, %d) = %d, %v, want %v", r.begin, r.end, r.readVersion, v, ok, r.conflict)
		}
	}
	// oldest never moves back.
	h.RemoveBefore(2)
	if h.Oldest() != 5 {
		t.Fatalf("Oldest() = %d after a smaller RemoveBefore", h.Oldest())
	}
	if err := checkTree(&h.t); err != nil {
		t.Fatal(err)
	}
}

// TestRemoveBeforeKeepsPace drives a commit loop (write, then RemoveBefore with a sliding
// window) and checks that the amortised budget keeps the history near the size of the window.
func TestRemoveBeforeKeepsPace(t *testing.T) {
	const window = 1000
	h := New()
	key := func(i int) []byte { return []byte{byte(i >> 16), byte(i >> 8), byte(i)} }
	peak := 0
	for v := int64(1); v <= 50*window; v++ {
		k := key(int(v*7919) % (1 << 20))
		h.Add(k, append(k, 0), v)
		h.RemoveBefore(v - window)
		peak = max(peak, h.Len())
	}
	if err := checkTree(&h.t); err != nil {
		t.Fatal(err)
	}
	// A window holds at most 2*window boundaries; the sweep trails by at most a pass.
	if peak > 6*window {
		t.Fatalf("Len() peaked at %d for a window of %d writes", peak, window)
	}
	t.Logf("peak Len %d, window %d", peak, window)
}

func TestZeroAllocChecks(t *testing.T) {
	h := New()
	for i := range 10000 {
		k := []byte{byte(i >> 8), byte(i)}
		h.Add(k, append(k, 0), int64(i+1))
	}
	b, e := []byte{10, 0}, []byte{30, 0}
	if n := testing.AllocsPerRun(100, func() { h.Conflicts(b, e, 5000) }); n != 0 {
		t.Fatalf("Conflicts allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { h.MaxVersion(b, e) }); n != 0 {
		t.Fatalf("MaxVersion allocates %v times", n)
	}
}

// A large commit sweeps the boundaries it earned credit for in its own call,
// rather than leaving a backlog that the small commits after it would each
// pay for with the largest step.
func TestRemoveBeforeLargeCommitPaysItsOwn(t *testing.T) {
	h := New()
	const n = 20000 // 40000 boundaries: more than removeStepMax many times over
	for i := range n {
		k := []byte{byte(i >> 16), byte(i >> 8), byte(i)}
		h.Add(k, append(k, 0), 1)
	}
	h.RemoveBefore(2) // every boundary is older than 2
	if err := checkTree(&h.t); err != nil {
		t.Fatal(err)
	}
	if h.Len() > 2 {
		t.Fatalf("Len() = %d after the large commit's RemoveBefore, want it swept", h.Len())
	}
	if h.credit > removeStepMin {
		t.Fatalf("credit %d left for the next commits, want at most %d", h.credit, removeStepMin)
	}
	// A small commit on top of a backlog examines at most removeStepMax.
	h.credit = 1 << 20
	k := []byte("small")
	h.Add(k, append(k, 0), 3)
	before := h.credit
	h.RemoveBefore(3)
	earned := removeCreditPerCall + removeCreditPerAdd
	if used := before + earned - h.credit; used > removeStepMax {
		t.Fatalf("a one-write commit examined up to %d boundaries, want at most %d", used, removeStepMax)
	}
}
