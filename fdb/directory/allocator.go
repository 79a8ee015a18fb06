package directory

import (
	"encoding/binary"
	"math/rand/v2"

	"github.com/plinthdb/plinth/fdb"
	"github.com/plinthdb/plinth/fdb/subspace"
)

// allocator is FoundationDB's high-contention allocator, which gives each new
// directory a short prefix that no other has. Candidates are integers drawn
// at random from a window [start, start+size); counters counts the
// allocations made in the current window under key (start), recent marks the
// candidates taken under key (candidate). When a window is half full the
// next one starts, and the old counters and marks are cleared. The key
// layout is FoundationDB's, so both implementations allocate from one
// store without collisions.
type allocator struct {
	counters, recent subspace.Subspace
}

func newAllocator(s subspace.Subspace) allocator {
	return allocator{counters: s.Sub(0), recent: s.Sub(1)}
}

// candidate draws an integer in [0, n). Tests replace it to make
// allocations deterministic.
var candidate = func(n int64) int64 { return rand.Int64N(n) }

// windowSize is the size of the window starting at start: small windows keep
// early prefixes short, larger ones keep contention low once there are many.
func windowSize(start int64) int64 {
	switch {
	case start < 255:
		return 64
	case start < 65535:
		return 1024
	}
	return 8192
}

var oneLE = []byte{1, 0, 0, 0, 0, 0, 0, 0}

// allocate returns a new subspace of s named by a fresh integer. The window
// is read with snapshot reads and the counters are updated with atomic adds
// without write conflicts, so concurrent allocators conflict only when they
// pick the same candidate.
func (a allocator) allocate(tr fdb.Transaction, s subspace.Subspace) (subspace.Subspace, error) {
	for {
		start, err := a.currentStart(tr)
		if err != nil {
			return nil, err
		}
		var window int64
		advanced := false
		for {
			if advanced {
				tr.ClearRange(fdb.KeyRange{Begin: a.counters, End: a.counters.Sub(start)})
				tr.Options().SetNextWriteNoWriteConflictRange()
				tr.ClearRange(fdb.KeyRange{Begin: a.recent, End: a.recent.Sub(start)})
			}
			tr.Add(a.counters.Sub(start), oneLE)
			v, err := tr.Snapshot().Get(a.counters.Sub(start)).Get()
			if err != nil {
				return nil, err
			}
			var count int64
			if len(v) >= 8 {
				count = int64(binary.LittleEndian.Uint64(v))
			}
			window = windowSize(start)
			if count*2 < window {
				break
			}
			start += window
			advanced = true
		}
		for {
			c := candidate(window) + start
			key := a.recent.Sub(c)
			latest := tr.Snapshot().GetRange(a.counters, fdb.RangeOptions{Limit: 1, Reverse: true})
			taken := tr.Get(key)
			tr.Options().SetNextWriteNoWriteConflictRange()
			tr.Set(key, []byte{})

			now, err := a.startOf(latest)
			if err != nil {
				return nil, err
			}
			if now > start {
				break // another allocation moved the window: start over
			}
			v, err := taken.Get()
			if err != nil {
				return nil, err
			}
			if v == nil {
				if err := tr.AddWriteConflictKey(key); err != nil {
					return nil, err
				}
				return s.Sub(c), nil
			}
		}
	}
}

// currentStart returns the start of the newest window, 0 when none exists.
func (a allocator) currentStart(tr fdb.Transaction) (int64, error) {
	return a.startOf(tr.Snapshot().GetRange(a.counters, fdb.RangeOptions{Limit: 1, Reverse: true}))
}

func (a allocator) startOf(rr fdb.RangeResult) (int64, error) {
	kvs, err := rr.GetSliceWithError()
	if err != nil || len(kvs) == 0 {
		return 0, err
	}
	t, err := a.counters.Unpack(kvs[0].Key)
	if err != nil {
		return 0, err
	}
	if len(t) == 0 {
		return 0, errInvalidMetadata
	}
	start, ok := t[0].(int64)
	if !ok {
		return 0, errInvalidMetadata
	}
	return start, nil
}
