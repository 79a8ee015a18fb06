package kv

import (
	"bytes"
	"sort"
	"sync"

	"github.com/plinthdb/plinth/internal/mutation"
	"github.com/plinthdb/plinth/mvcc"
)

// writeBuffer holds a transaction's uncommitted writes, folded per key as
// FoundationDB's write map does (fdbclient/WriteMap.cpp): a Set or Clear makes
// a key's value known without the database ("independent"), and an atomic op
// on such a key is evaluated at once; atomic ops on a key whose value is not
// known stack up ("dependent"), kept in call order, and are applied to the
// database value when it is read or committed.
//
// It is not safe for concurrent use; Transaction guards it with its mutex.
type writeBuffer struct {
	idx     entryIndex // point writes, by key
	chunk   []wentry   // where new entries are carved from
	cleared []span     // sorted, disjoint, non-adjacent ranges cleared by ClearRange
	vsKeys  []vsKey    // SetVersionstampedKey mutations, in call order
	// unreadable holds the ranges SetVersionstampedKey made unreadable:
	// every key the stamped key might become, which no read may touch
	// until the commit fixes it.
	unreadable []span
	// ranges are the transaction's write conflict ranges.
	ranges    []span
	rangesBuf [1]span
	// checked are the ranges written by Set, Clear and ClearRange under
	// snapshot isolation, which commit checks against concurrent writes.
	checked []span

	// undo logs how to reverse each change made since the oldest live
	// savepoint (savepoint.go); nil while there is none, so writes outside
	// savepoints log nothing.
	undo    []undoRecord
	logging bool

	// stored is the commit's writes in the store's form (storeForm).
	stored []mvcc.Write

	// entryBuf is the first chunk of the buffer's first attempt, so a
	// transaction writing one key allocates no chunk. Later attempts never
	// reuse it (see reset).
	entryBuf [1]wentry
}

type span struct {
	begin, end []byte
}

// wentry is the transaction's pending write of one key. Its kind says what
// it does to the key's stored value (see overlay).
type wentry struct {
	key   []byte
	kind  entryKind
	value []byte      // kindSet: the value; kindStamped: the SetVersionstampedValue param
	ops   []pendingOp // kindOps, kindStamped: atomic ops to apply, in call order
	// unreadable: the key was written with SetVersionstampedValue in this
	// attempt; reading it is refused with 1036. A later Set or op keeps it
	// so, as in FoundationDB's write map; a Clear makes it readable.
	unreadable bool
}

// entryKind is what a pending write does to the stored value.
type entryKind uint8

const (
	// kindOps stacks atomic ops over the stored value, which is read when
	// the key is read or committed ("dependent" in FoundationDB's write
	// map).
	kindOps entryKind = iota
	// kindSet replaces the value with wentry.value.
	kindSet
	// kindClear removes the key.
	kindClear
	// kindStamped replaces the value with the param of a
	// SetVersionstampedValue, its placeholder filled at commit, then
	// applies ops.
	kindStamped
)

// independent reports whether the entry fixes the key's value without the
// stored one: reads of it add no read conflict, since no other
// transaction's write can change what this one sees there.
func (e *wentry) independent() bool { return e.kind == kindSet || e.kind == kindClear }

// overlay is the one rule of read-your-writes: the value e leaves at its
// key over the stored value (base, present), for a read (stamp nil) or for
// the commit (stamp the commit's versionstamp). Reads never reach it for a
// stamped entry, which is unreadable until commit.
func (e *wentry) overlay(base []byte, present bool, stamp *[10]byte) ([]byte, bool) {
	switch e.kind {
	case kindSet:
		return e.value, true
	case kindClear:
		return nil, false
	case kindStamped:
		base, present = mutation.Stamp(e.value, stampPos(e.value), *stamp), true
	}
	for _, op := range e.ops {
		base, present = mutation.Apply(op.typ, base, present, op.param)
	}
	return base, present
}

type pendingOp struct {
	typ   mutation.Type
	param []byte
}

type vsKey struct {
	key, value []byte // key still ends in its 4-byte offset
	pos        int
	conflict   bool // add a write conflict range on the final key
	// at is where FoundationDB's write map holds the op until commit: key
	// with the lowest possible stamp filled in. A later ClearRange over it
	// drops the op.
	at []byte
}

// The read-side methods accept a nil buffer: a transaction allocates its
// buffer at its first write, which keeps read-only transactions small.

// empty reports whether the transaction has nothing to commit: no
// mutation and no write conflict range.
func (w *writeBuffer) empty() bool {
	return w == nil || !w.hasEntries() && len(w.cleared) == 0 && len(w.vsKeys) == 0 && len(w.ranges) == 0
}

func (w *writeBuffer) hasEntries() bool {
	return w != nil && w.idx.len() > 0
}

// pristine reports whether reads need not consult the buffer for values:
// no point writes and no cleared ranges.
func (w *writeBuffer) pristine() bool {
	return w == nil || !w.hasEntries() && len(w.cleared) == 0
}

func (w *writeBuffer) count() int { return w.idx.len() }

// writeBuffers holds buffers of finished transactions for new ones: a
// write transaction's buffer is as large as the Transaction itself, and
// most transactions write a few keys.
var writeBuffers = sync.Pool{New: func() any {
	w := &writeBuffer{}
	w.ranges = w.rangesBuf[:0]
	w.chunk = w.entryBuf[:0]
	return w
}}

// recycle empties w for another transaction and pools it, unless it grew
// large, so the pool holds small buffers only. Only releaseWrites calls
// it, once the owner dropped w: its entries, unlike those of an attempt
// that its own transaction retries, can have no reader left.
func (w *writeBuffer) recycle() {
	const small = 8
	if w.idx.tree != nil || max(cap(w.ranges), cap(w.cleared), cap(w.vsKeys), cap(w.unreadable), cap(w.checked), cap(w.undo)) > small {
		return
	}
	w.reset()
	clear(w.stored[:cap(w.stored)])
	w.stored = w.stored[:0]
	if cap(w.stored) > small {
		w.stored = nil
	}
	clear(w.cleared[:cap(w.cleared)])
	clear(w.unreadable[:cap(w.unreadable)])
	clear(w.checked[:cap(w.checked)])
	clear(w.entryBuf[:])
	w.chunk = w.entryBuf[:0]
	writeBuffers.Put(w)
}

// storeForm returns an empty slice with room for n writes, for a commit
// to put its writes in the store's form: the buffer's own, so that a small
// commit allocates none. Nothing keeps it past the commit that filled it
// (the change feed copies what it keeps), and a pooled buffer holds no
// writes (recycle).
func (w *writeBuffer) storeForm(n int) []mvcc.Write {
	if cap(w.stored) < n {
		w.stored = make([]mvcc.Write, 0, n)
	}
	return w.stored[:0]
}

func (w *writeBuffer) reset() {
	w.idx.reset()
	w.chunk = nil // entries may still be referenced by a finished attempt's iterator
	clear(w.vsKeys)
	w.cleared = w.cleared[:0]
	w.vsKeys = w.vsKeys[:0]
	w.unreadable = w.unreadable[:0]
	clear(w.ranges)
	w.ranges = w.ranges[:0]
	w.checked = w.checked[:0]
	clear(w.undo)
	w.undo, w.logging = w.undo[:0], false
}

func (w *writeBuffer) get(key []byte) *wentry {
	if w == nil {
		return nil
	}
	return w.idx.get(key)
}

// newEntry returns a pointer to a copy of e, carved from a chunk so that
// entries cost an allocation per chunk rather than each. Chunks are never
// resized, so the pointers stay valid.
func (w *writeBuffer) newEntry(e wentry) *wentry {
	if len(w.chunk) == cap(w.chunk) {
		w.chunk = make([]wentry, 0, min(max(4*cap(w.chunk), 1), 256))
	}
	w.chunk = append(w.chunk, e)
	return &w.chunk[len(w.chunk)-1]
}

// put adds an entry for a key that has none.
func (w *writeBuffer) put(e *wentry) {
	if w.logging {
		w.undo = append(w.undo, undoRecord{added: e})
	}
	w.idx.insert(e)
}

// ascend calls fn for the entries with lo <= key < hi (hi nil: no bound),
// in key order, until fn returns false. fn must not modify the buffer.
func (w *writeBuffer) ascend(lo, hi []byte, fn func(e *wentry) bool) { w.idx.ascend(lo, hi, fn) }

// descend calls fn for the entries with key <= hi, in descending order,
// until fn returns false.
func (w *writeBuffer) descend(hi []byte, fn func(e *wentry) bool) { w.idx.descend(hi, fn) }

func (w *writeBuffer) set(key, value []byte) {
	if e := w.get(key); e != nil {
		w.changing(e)
		*e = wentry{key: e.key, kind: kindSet, value: value, unreadable: e.unreadable}
		return
	}
	w.put(w.newEntry(wentry{key: key, kind: kindSet, value: value}))
}

func (w *writeBuffer) clear(key []byte) {
	if e := w.get(key); e != nil {
		w.changing(e)
		*e = wentry{key: e.key, kind: kindClear}
		return
	}
	if w.isCleared(key) {
		return
	}
	w.put(w.newEntry(wentry{key: key, kind: kindClear}))
}

// folded is the entry of key once op is evaluated over a known value.
func folded(key, v []byte, present bool, typ mutation.Type, param []byte) wentry {
	v, present = mutation.Apply(typ, v, present, param)
	if !present {
		return wentry{key: key, kind: kindClear}
	}
	return wentry{key: key, kind: kindSet, value: v}
}

// atomic folds op into key's entry: evaluated at once over a known value,
// stacked over an unknown one.
func (w *writeBuffer) atomic(key []byte, typ mutation.Type, param []byte) {
	e := w.get(key)
	if e == nil {
		if w.isCleared(key) {
			w.put(w.newEntry(folded(key, nil, false, typ, param)))
			return
		}
		w.put(w.newEntry(wentry{key: key, kind: kindOps, ops: []pendingOp{{typ, param}}}))
		return
	}
	w.changing(e)
	if e.independent() {
		v, ok := e.overlay(nil, false, nil)
		f := folded(e.key, v, ok, typ, param)
		f.unreadable = e.unreadable // an op keeps a stamped value's key unreadable
		*e = f
		return
	}
	e.ops = append(e.ops, pendingOp{typ, param})
}

func (w *writeBuffer) setStampedValue(key, param []byte) {
	if e := w.get(key); e != nil {
		w.changing(e)
		*e = wentry{key: e.key, kind: kindStamped, value: param, unreadable: true}
		return
	}
	w.put(w.newEntry(wentry{key: key, kind: kindStamped, value: param, unreadable: true}))
}

// clearRange drops entries in [b, e) and records the range as cleared,
// merged with overlapping or adjacent cleared ranges.
func (w *writeBuffer) clearRange(b, e []byte) {
	var rec *undoRecord
	if w.logging {
		w.undo = append(w.undo, undoRecord{
			cleared:       true,
			clearedBefore: append([]span(nil), w.cleared...),
			vsKeysBefore:  append([]vsKey(nil), w.vsKeys...),
		})
		rec = &w.undo[len(w.undo)-1]
	}
	kept := w.vsKeys[:0]
	for _, k := range w.vsKeys {
		if bytes.Compare(b, k.at) <= 0 && bytes.Compare(k.at, e) < 0 {
			continue // cleared after it was written
		}
		kept = append(kept, k)
	}
	clear(w.vsKeys[len(kept):])
	w.vsKeys = kept
	doomed := w.idx.removeRange(b, e)
	if rec != nil {
		rec.removed = doomed
	}
	// Find the cleared ranges that overlap or touch [b, e) and merge them.
	i := sort.Search(len(w.cleared), func(i int) bool { return bytes.Compare(w.cleared[i].end, b) >= 0 })
	j := i
	for j < len(w.cleared) && bytes.Compare(w.cleared[j].begin, e) <= 0 {
		if bytes.Compare(w.cleared[j].begin, b) < 0 {
			b = w.cleared[j].begin
		}
		if bytes.Compare(w.cleared[j].end, e) > 0 {
			e = w.cleared[j].end
		}
		j++
	}
	merged := span{b, e}
	w.cleared = append(w.cleared[:i], append([]span{merged}, w.cleared[j:]...)...)
}

// isCleared reports whether key lies in a range cleared by ClearRange.
func (w *writeBuffer) isCleared(key []byte) bool {
	if w == nil || len(w.cleared) == 0 {
		return false
	}
	i := sort.Search(len(w.cleared), func(i int) bool { return bytes.Compare(w.cleared[i].end, key) > 0 })
	return i < len(w.cleared) && bytes.Compare(w.cleared[i].begin, key) <= 0
}

// What the transaction's versionstamped writes leave unknown until commit
// cannot be read: the key of a SetVersionstampedValue (readable reports it),
// and every key a versionstamped key may land on (readableRange). Reads of
// either fail with ErrAccessedUnreadable, as FoundationDB's do.

// readable refuses a read of e's key if the entry holds a versionstamped
// value.
func (e *wentry) readable() error {
	if e != nil && e.unreadable {
		return unreadableError(e.key)
	}
	return nil
}

// readableKey is readableRange for key alone. It builds that range only
// when some range is unreadable: a point read would otherwise pay a copy
// of its key for nothing.
func (w *writeBuffer) readableKey(key []byte) error {
	if w == nil || len(w.unreadable) == 0 {
		return nil
	}
	return w.readableRange(key, keyAfter(key))
}

// readableRange refuses a read of [b, end) if it touches a range where a
// versionstamped key may land.
func (w *writeBuffer) readableRange(b, end []byte) error {
	if w == nil {
		return nil
	}
	for _, u := range w.unreadable {
		if bytes.Compare(u.begin, end) < 0 && bytes.Compare(b, u.end) < 0 {
			return unreadableError(b)
		}
	}
	return nil
}

func unreadableError(key []byte) error {
	return newError(codeAccessedUnreadable, "key %q was written with a versionstamp in this transaction and is unreadable until commit", printable(key))
}

// next returns the first entry with key > after (key >= after when
// inclusive), or nil.
func (w *writeBuffer) next(after []byte, inclusive bool) *wentry {
	var found *wentry
	w.ascend(after, nil, func(x *wentry) bool {
		if !inclusive && bytes.Equal(x.key, after) {
			return true
		}
		found = x
		return false
	})
	return found
}

// prev returns the last entry with key < before (key <= before when
// inclusive), or nil.
func (w *writeBuffer) prev(before []byte, inclusive bool) *wentry {
	var found *wentry
	w.descend(before, func(x *wentry) bool {
		if !inclusive && bytes.Equal(x.key, before) {
			return true
		}
		found = x
		return false
	})
	return found
}

// independent calls fn, in key order, for each piece of [lo, hi) whose value
// the transaction already fixed by itself (a Set, Clear or ClearRange): reads
// of those pieces add no read conflict, since no other transaction's write
// can change what this one reads there (FoundationDB's updateConflictMap in
// fdbclient/ReadYourWrites.cpp). Pieces may overlap.
func (w *writeBuffer) independent(lo, hi []byte, fn func(b, e []byte)) {
	if w == nil {
		return
	}
	ci := sort.Search(len(w.cleared), func(i int) bool { return bytes.Compare(w.cleared[i].end, lo) > 0 })
	emitCleared := func(upTo []byte) {
		for ci < len(w.cleared) && (upTo == nil || bytes.Compare(w.cleared[ci].begin, upTo) <= 0) {
			c := w.cleared[ci]
			if bytes.Compare(c.begin, hi) >= 0 {
				ci = len(w.cleared)
				return
			}
			fn(maxKey(c.begin, lo), minKey(c.end, hi))
			ci++
		}
	}
	w.ascend(lo, hi, func(x *wentry) bool {
		if x.independent() {
			emitCleared(x.key)
			fn(x.key, keyAfter(x.key))
		}
		return true
	})
	emitCleared(nil)
}

func maxKey(a, b []byte) []byte {
	if bytes.Compare(a, b) >= 0 {
		return a
	}
	return b
}

func minKey(a, b []byte) []byte {
	if bytes.Compare(a, b) <= 0 {
		return a
	}
	return b
}
