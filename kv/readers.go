package kv

import "sync/atomic"

// readers tracks the read versions of live transactions, so that the
// conflict history can forget writes no live transaction can conflict with.
// FoundationDB's resolver keeps the whole 5 s window; an embedded store
// knows its readers, and a history holding only what they need stays small
// and cache-resident, which makes every commit cheaper.
//
// Each read version counts in a slot (version mod readerSlots). Two versions
// sharing a slot only make the oldest reader look older than it is, which
// keeps more history than needed, never less. A transaction dropped without
// Commit, Cancel or Reset stays counted; its slot then holds the history at
// most readerSlots versions behind the newest, and registrations older than
// the MVCC window are ignored, so the worst case is FoundationDB's: the
// whole window.
//
// The protocol between a reader and the commit path that trims the history
// is Dekker's: the reader registers its version, then checks the announced
// floor; the trimmer announces a floor, then scans the registrations. With
// sequentially consistent atomics at least one sees the other, so the
// history is never trimmed above a registered reader, and a reader that
// registers too late sees the floor and takes a newer version.
type readers struct {
	slots [readerSlots]atomic.Int32
	// floor: every read version registered from now on is at least this.
	floor atomic.Int64
	// safe is the history's oldest version: no registered reader is below
	// it. Only the commit path touches it, under commitMu.
	safe int64
}

const readerSlots = 4096

func (r *readers) slot(v int64) *atomic.Int32 { return &r.slots[uint64(v)%readerSlots] }

// register counts v as a live read version. It fails if the history may
// already have been trimmed above v.
func (r *readers) register(v int64) bool {
	s := r.slot(v)
	s.Add(1)
	if r.floor.Load() > v {
		s.Add(-1)
		return false
	}
	return true
}

func (r *readers) release(v int64) { r.slot(v).Add(-1) }

// oldest returns the version below which the history may be forgotten, now
// that the newest commit is latest. Registrations below ignoreBelow belong to
// transactions past the MVCC window, which can no longer commit. Called with
// commitMu held.
func (r *readers) oldest(latest, ignoreBelow int64) int64 {
	if latest > r.floor.Load() {
		r.floor.Store(latest)
	}
	from := max(r.safe, ignoreBelow)
	v := from
	for ; v < latest && v-from < readerSlots; v++ {
		if r.slot(v).Load() != 0 {
			break
		}
	}
	if v > r.safe {
		r.safe = v
	}
	return r.safe
}
