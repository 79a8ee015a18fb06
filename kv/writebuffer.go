package kv

import (
	"bytes"
	"sort"

	"github.com/google/btree"
	"github.com/plinthdb/plinth/internal/mutation"
)

// writeBuffer holds a transaction's uncommitted writes, folded per key as
// FoundationDB's write map does (SEMANTICS.md 7.1-7.2): a Set or Clear makes a
// key's value known without the database ("independent"); atomic ops on a key
// whose value is not known stack up ("dependent") and are applied to the
// database value when it is read or committed.
//
// It is not safe for concurrent use; Transaction guards it with its mutex.
type writeBuffer struct {
	entries *btree.BTreeG[*wentry] // created at the first point write
	cleared []span                 // sorted, disjoint, non-adjacent ranges cleared by ClearRange
	vsKeys  []vsKey                // SetVersionstampedKey mutations, in call order
	// unreadable holds the ranges SetVersionstampedKey made unreadable
	// (SEMANTICS.md 10.4).
	unreadable []span
}

type span struct {
	begin, end []byte
}

type wentry struct {
	key []byte
	// known: the value is independent of the database: present with value,
	// or absent. Otherwise ops apply to the database value.
	known   bool
	present bool
	value   []byte
	ops     []pendingOp
	// stamped: value is a SetVersionstampedValue param whose placeholder is
	// filled at commit (ops, if any, apply after that).
	stamped bool
	// unreadable: the key was written with SetVersionstampedValue in this
	// attempt; reading it is refused with 1036. A later Set or op keeps it
	// so, as in FoundationDB's write map; a Clear makes it readable.
	unreadable bool
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

func wentryLess(a, b *wentry) bool { return bytes.Compare(a.key, b.key) < 0 }

func (w *writeBuffer) empty() bool {
	return (w.entries == nil || w.entries.Len() == 0) && len(w.cleared) == 0 && len(w.vsKeys) == 0
}

func (w *writeBuffer) hasEntries() bool { return w.entries != nil && w.entries.Len() > 0 }

func (w *writeBuffer) reset() {
	if w.entries != nil {
		w.entries.Clear(true)
	}
	w.cleared = w.cleared[:0]
	w.vsKeys = w.vsKeys[:0]
	w.unreadable = w.unreadable[:0]
}

func (w *writeBuffer) get(key []byte) *wentry {
	if w.entries == nil {
		return nil
	}
	e, _ := w.entries.Get(&wentry{key: key})
	return e
}

func (w *writeBuffer) put(e *wentry) {
	if w.entries == nil {
		w.entries = btree.NewG(16, wentryLess)
	}
	w.entries.ReplaceOrInsert(e)
}

func (w *writeBuffer) set(key, value []byte) {
	if e := w.get(key); e != nil {
		*e = wentry{key: e.key, known: true, present: true, value: value, unreadable: e.unreadable}
		return
	}
	w.put(&wentry{key: key, known: true, present: true, value: value})
}

func (w *writeBuffer) clear(key []byte) {
	if e := w.get(key); e != nil {
		*e = wentry{key: e.key, known: true}
		return
	}
	if w.isCleared(key) {
		return
	}
	w.put(&wentry{key: key, known: true})
}

// atomic folds op into key's entry: evaluated at once over a known value,
// stacked over an unknown one.
func (w *writeBuffer) atomic(key []byte, typ mutation.Type, param []byte) {
	e := w.get(key)
	if e == nil {
		if w.isCleared(key) {
			v, ok := mutation.Apply(typ, nil, false, param)
			w.put(&wentry{key: key, known: true, present: ok, value: v})
			return
		}
		w.put(&wentry{key: key, ops: []pendingOp{{typ, param}}})
		return
	}
	if e.known && !e.stamped {
		e.value, e.present = mutation.Apply(typ, e.value, e.present, param)
		return
	}
	e.ops = append(e.ops, pendingOp{typ, param})
}

func (w *writeBuffer) setStampedValue(key, param []byte) {
	if e := w.get(key); e != nil {
		*e = wentry{key: e.key, known: true, present: true, value: param, stamped: true, unreadable: true}
		return
	}
	w.put(&wentry{key: key, known: true, present: true, value: param, stamped: true, unreadable: true})
}

// clearRange drops entries in [b, e) and records the range as cleared,
// merged with overlapping or adjacent cleared ranges.
func (w *writeBuffer) clearRange(b, e []byte) {
	kept := w.vsKeys[:0]
	for _, k := range w.vsKeys {
		if bytes.Compare(b, k.at) <= 0 && bytes.Compare(k.at, e) < 0 {
			continue // cleared after it was written
		}
		kept = append(kept, k)
	}
	clear(w.vsKeys[len(kept):])
	w.vsKeys = kept
	if w.entries != nil {
		var doomed []*wentry
		w.entries.AscendRange(&wentry{key: b}, &wentry{key: e}, func(x *wentry) bool {
			doomed = append(doomed, x)
			return true
		})
		for _, x := range doomed {
			w.entries.Delete(x)
		}
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
	if len(w.cleared) == 0 {
		return false
	}
	i := sort.Search(len(w.cleared), func(i int) bool { return bytes.Compare(w.cleared[i].end, key) > 0 })
	return i < len(w.cleared) && bytes.Compare(w.cleared[i].begin, key) <= 0
}

// isUnreadable reports whether [b, e) touches a range made unreadable by a
// versionstamped key.
func (w *writeBuffer) isUnreadable(b, e []byte) bool {
	for _, u := range w.unreadable {
		if bytes.Compare(u.begin, e) < 0 && bytes.Compare(b, u.end) < 0 {
			return true
		}
	}
	return false
}

// next returns the first entry with key > after (key >= after when
// inclusive), or nil.
func (w *writeBuffer) next(after []byte, inclusive bool) *wentry {
	if !w.hasEntries() {
		return nil
	}
	var found *wentry
	w.entries.AscendGreaterOrEqual(&wentry{key: after}, func(x *wentry) bool {
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
	if !w.hasEntries() {
		return nil
	}
	var found *wentry
	w.entries.DescendLessOrEqual(&wentry{key: before}, func(x *wentry) bool {
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
// of those pieces add no read conflict (SEMANTICS.md 7.3). Pieces may
// overlap.
func (w *writeBuffer) independent(lo, hi []byte, fn func(b, e []byte)) {
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
	if w.hasEntries() {
		w.entries.AscendRange(&wentry{key: lo}, &wentry{key: hi}, func(x *wentry) bool {
			if x.known {
				emitCleared(x.key)
				fn(x.key, keyAfter(x.key))
			}
			return true
		})
	}
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
