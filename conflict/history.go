package conflict

import "bytes"

// Pacing of RemoveBefore. Each call earns credit, a few boundaries per Add since the
// previous call, so collection keeps pace with insertion (an Add inserts at most two
// boundaries), plus a little per call so an idle history still drains. A step runs once the
// credit reaches removeStepMin, so that the two descents a step starts with are shared by
// many commits. A step examines what the call earned, and of an older backlog at most
// removeStepMax boundaries (a few hundred microseconds on a large history): a large commit
// pays for its own writes, which it outlasts anyway, while a small commit never pays much
// more than its share for the large ones before it. FoundationDB's resolver examines 3 ×
// write ranges + 10 nodes per batch.
const (
	removeCreditPerAdd  = 4
	removeCreditPerCall = 8
	removeStepMin       = 512
	removeStepMax       = 2 << 10
)

// History is a step function over the key space: for every key, the version of the most
// recent recorded write covering it (0 if none known). It is what a resolver checks read
// conflict ranges against at commit time.
//
// History is not safe for concurrent use: the caller serialises every call (package kv
// holds its commit mutex around them). The zero value is not usable; call New.
type History struct {
	t      tree
	newest int64
	oldest int64
	adds   int    // Adds since the last RemoveBefore, which earn it credit
	credit int    // boundaries RemoveBefore may examine and has not yet
	cursor []byte // where the next removal step resumes; empty means the start of the key space
	spare  []byte // the other cursor buffer, so a step can write the new cursor while reading the old
}

// New returns an empty History: every key has version 0.
func New() *History {
	return &History{t: newTree(defaultMaxEntries)}
}

// Add records a write of [begin, end) at version: afterwards every key in [begin, end)
// has that version and every other key keeps the one it had. An empty or inverted range is
// ignored. Keys are arbitrary byte strings; end may be any key. Add keeps copies of the keys.
//
// Versions are positive and never decrease from one Add to the next (several Adds may share
// one version). Add costs O(log n) amortised: each boundary it deletes inside the range was
// inserted by an earlier Add.
func (h *History) Add(begin, end []byte, version int64) {
	if bytes.Compare(begin, end) >= 0 {
		return
	}
	h.adds++
	t := &h.t
	if version >= h.newest {
		// One descent when both ends land in one leaf. It relies on version being the
		// largest in the tree, which is also why an out-of-order Add takes the long way.
		h.newest = version
		if split, _, ok := t.assign(t.root, begin, end, version); ok {
			if split != nil {
				t.grow(split)
			}
			t.shrink()
			return
		}
	}
	ve, exact := t.floor(end) // keys from end on keep the version in force at end
	t.removeRange(t.root, begin, end)
	t.shrink()
	if split, _ := t.put(t.root, begin, version); split != nil {
		t.grow(split)
	}
	if !exact {
		if split, _ := t.put(t.root, end, ve); split != nil {
			t.grow(split)
		}
	}
}

// MaxVersion returns the largest version recorded for any key in [begin, end): 0 if none,
// and 0 for an empty or inverted range. Ranges are half-open, so a write of [a, b) does not
// intersect a read of [b, c). After RemoveBefore(oldest), a range whose writes are all older
// than oldest may report any version below oldest. It does not allocate, and its cost grows
// with log(Len()), not with the number of boundaries inside the range.
func (h *History) MaxVersion(begin, end []byte) int64 {
	if bytes.Compare(begin, end) >= 0 {
		return 0
	}
	return h.t.maxIn(begin, end, -1)
}

// Conflicts reports whether some key in [begin, end) was written at a version greater than
// readVersion, that is after a transaction reading at readVersion took its snapshot. A write
// at exactly readVersion does not conflict. When ok is true, version is one such version (not
// necessarily the largest). readVersion must not be below the oldest passed to RemoveBefore.
// Conflicts does not allocate and may stop at the first newer write it meets; readVersion >=
// Newest() is answered without looking at the tree.
func (h *History) Conflicts(begin, end []byte, readVersion int64) (version int64, ok bool) {
	if readVersion >= h.newest || bytes.Compare(begin, end) >= 0 {
		return 0, false
	}
	if v := h.t.maxIn(begin, end, readVersion); v > readVersion {
		return v, true
	}
	return 0, false
}

// RemoveBefore lets the history forget versions older than oldest, a step at a time: it
// merges adjacent intervals whose versions are both below oldest, after which such keys
// report some version below oldest. The caller promises never to ask about read versions
// below oldest; oldest never moves back (a smaller value is treated as the largest seen).
//
// It is meant to be called once per commit. Its work is amortised: a few boundaries per Add
// since the previous call, done in steps of at least a few hundred boundaries every few dozen
// calls, and in one call at most what that call earned or 2048 boundaries, whichever is more.
// Each step resumes where the last stopped and wraps around at the end of the key space, so
// Len() stays within a small factor of the boundaries written since oldest.
func (h *History) RemoveBefore(oldest int64) {
	h.oldest = max(h.oldest, oldest)
	earned := removeCreditPerCall + removeCreditPerAdd*h.adds
	h.credit += earned
	h.adds = 0
	if h.credit < removeStepMin {
		return
	}
	budget := min(h.credit, max(earned, removeStepMax))
	h.credit -= budget
	h.RemoveBeforeStep(h.oldest, budget)
}

// RemoveBeforeStep is RemoveBefore with an explicit budget: it examines at most budget
// boundaries. It reports done when the step reached the end of the key space; the next step
// starts again from the beginning. Stepping until done, then again until done, examines
// every boundary with this oldest (the first round may have started mid-way).
func (h *History) RemoveBeforeStep(oldest int64, budget int) (done bool) {
	h.oldest = max(h.oldest, oldest)
	if budget <= 0 {
		return false
	}
	st := sweepState{oldest: h.oldest, budget: budget, next: h.spare}
	if v, ok := h.t.before(h.cursor); ok {
		st.prevStale = v < h.oldest
	} else {
		st.prevStale = 0 < h.oldest // the implicit interval before the first boundary
	}
	done = h.t.sweep(h.t.root, h.cursor, &st)
	h.t.shrink()
	h.spare = h.cursor[:0]
	h.cursor = st.next[:0]
	if !done {
		h.cursor = st.next
	}
	return done
}

// Len returns the number of stored boundaries, the measure of the history's memory.
func (h *History) Len() int { return h.t.count }

// Newest returns the largest version ever added (0 if none). A read version >= Newest()
// cannot conflict with anything in the history.
func (h *History) Newest() int64 { return h.newest }

// Oldest returns the largest oldest passed to RemoveBefore or RemoveBeforeStep: versions
// below it may no longer be reported exactly.
func (h *History) Oldest() int64 { return h.oldest }
