package kv

import (
	"sync/atomic"
	"time"
)

// The hooks tests of package kv_test use to see what the public API does not
// show. They are the only place such tests touch kv's internals, so a change
// of those internals is fixed here, once.

// ReadConflicts returns the read conflict ranges tr has recorded, in the
// order recorded, as [begin, end) pairs.
func ReadConflicts(tr *Transaction) [][2][]byte {
	tr.lock()
	defer tr.mu.Unlock()
	return spanPairs(tr.reads)
}

// WriteConflicts returns the write conflict ranges tr would commit, in the
// order the write buffer keeps them.
func WriteConflicts(tr *Transaction) [][2][]byte {
	tr.lock()
	defer tr.mu.Unlock()
	if tr.writes == nil {
		return nil
	}
	return spanPairs(tr.writes.ranges)
}

func spanPairs(s []span) [][2][]byte {
	out := make([][2][]byte, 0, len(s))
	for _, r := range s {
		out = append(out, [2][]byte{clone(r.begin), clone(r.end)})
	}
	return out
}

// Clock is a test's clock for one database: it stands still until Advance
// moves it, so a test passes the MVCC window without sleeping.
type Clock struct{ ns atomic.Int64 }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// UseClock makes db read time from a new Clock, which starts at db's
// present reading so that versions already published keep their times. The
// background collector still wakes on the real clock, but what it finds old
// is decided by this one.
func UseClock(db *DB) *Clock {
	c := &Clock{}
	c.ns.Store(db.now())
	read := c.ns.Load
	db.clock.Store(&read)
	return c
}

// CheckConflictInvariants checks the structure of db's conflict history.
// It returns nil unless the tests are built with -tags invariants.
func CheckConflictInvariants(db *DB) error {
	db.commitMu.Lock()
	defer db.commitMu.Unlock()
	return db.history.CheckInvariants()
}

// SetSmallWriteBuffer sets how many point writes a write buffer keeps in its
// sorted slice before it moves them to a B-tree, and returns a func that
// restores the default. Not safe while transactions run in parallel tests.
func SetSmallWriteBuffer(n int) (restore func()) {
	saved := smallMax
	smallMax = n
	return func() { smallMax = saved }
}

// Collect reclaims every version and conflict boundary older than db's
// horizon at once, as the background collector would in steps.
func Collect(db *DB) {
	db.commitMu.Lock()
	defer db.commitMu.Unlock()
	for db.collect(db.now(), 0) {
	}
}

// Increment is a read-modify-write of the 8-byte little-endian counter at
// key (absent counts as 0), for kv_test's benchmarks.
func Increment(key []byte) func(tr *Transaction) error { return increment(key) }
