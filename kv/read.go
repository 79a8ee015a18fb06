package kv

import (
	"bytes"
	"iter"
	"unsafe"

	"github.com/plinthdb/plinth/mvcc"
	"github.com/plinthdb/plinth/selector"
)

// ReadTransaction is the read side of a transaction, implemented by
// *Transaction and by the view Snapshot returns.
type ReadTransaction interface {
	// Get returns the value of key, or nil with no error when it is absent.
	// A present empty value is a non-nil empty slice.
	Get(key []byte) ([]byte, error)
	// GetKey returns the key sel resolves to.
	GetKey(sel selector.KeySelector) ([]byte, error)
	// GetRange returns the rows of r, shaped by opts.
	GetRange(r Range, opts RangeOptions) ([]KeyValue, error)
	// Iterate streams the rows of r, shaped by opts.
	Iterate(r Range, opts RangeOptions) iter.Seq2[KeyValue, error]
	// GetReadVersion returns the version the transaction reads at.
	GetReadVersion() (int64, error)
	// Snapshot returns a view whose reads add no read conflict ranges.
	Snapshot() ReadTransaction
}

var _ ReadTransaction = (*Transaction)(nil)

// Snapshot returns a view of the transaction whose reads add no read
// conflict ranges: a commit by another transaction into what they read does
// not make this one fail. Snapshot reads still see the transaction's own
// writes. The view shares the transaction's state and is safe for
// concurrent use like it.
func (tr *Transaction) Snapshot() ReadTransaction { return snapshot{tr} }

type snapshot struct{ tr *Transaction }

func (s snapshot) Get(key []byte) ([]byte, error) { return s.tr.get(key, true) }
func (s snapshot) GetKey(sel selector.KeySelector) ([]byte, error) {
	return s.tr.getKey(sel, true)
}
func (s snapshot) GetRange(r Range, opts RangeOptions) ([]KeyValue, error) {
	return s.tr.getRange(r, opts, true)
}
func (s snapshot) Iterate(r Range, opts RangeOptions) iter.Seq2[KeyValue, error] {
	return s.tr.iterate(r, opts, true)
}
func (s snapshot) GetReadVersion() (int64, error) { return s.tr.GetReadVersion() }
func (s snapshot) Snapshot() ReadTransaction      { return s }

// GetReadVersion returns the transaction's read version, taking the newest
// committed version if none was taken or set yet.
func (tr *Transaction) GetReadVersion() (int64, error) {
	tr.lock()
	defer tr.mu.Unlock()
	if err := tr.checkRead(); err != nil {
		return 0, err
	}
	tr.ensureReadVersion()
	return tr.rv, tr.checkAge()
}

// SetReadVersion makes the transaction read at version v instead of the
// newest. It must come before any read; otherwise, or when v <= 0, or when v
// is newer than the newest commit (ErrFutureVersion) or older than the MVCC
// window (ErrTransactionTooOld), the next read or commit fails.
func (tr *Transaction) SetReadVersion(v int64) {
	tr.lock()
	defer tr.mu.Unlock()
	switch {
	case tr.hasRV:
		tr.deferErr(newError(codeReadVersionAlreadySet, "the read version was already %d", tr.rv))
	case v <= 0:
		tr.deferErr(newError(codeVersionInvalid, "read version %d is not positive", v))
	case v > tr.db.committed.Load():
		tr.deferErr(newError(codeFutureVersion, "read version %d is newer than the newest commit %d", v, tr.db.committed.Load()))
	default:
		at, ok := tr.db.versionTime(v)
		if !ok {
			tr.deferErr(tooOld(v))
			return
		}
		// Reads at v work for the whole window. If the conflict history
		// has already moved past v, a commit that needs it is refused as
		// too old (see commit).
		tr.hasRV, tr.rv, tr.rvTime = true, v, at
		tr.registered = tr.db.readers.register(v)
		tr.life.rv.Store(v)
	}
}

func tooOld(v int64) error {
	return newError(codeTransactionTooOld, "read version %d is older than the MVCC window", v)
}

// ensureReadVersion takes the read version if the transaction has none.
func (tr *Transaction) ensureReadVersion() {
	for !tr.hasRV {
		tr.rv, tr.rvTime = tr.db.readVersion()
		// Registration fails only if the history moved past the version
		// just read; a newer one then works.
		tr.hasRV = tr.db.readers.register(tr.rv)
		tr.registered = tr.hasRV
		tr.life.rv.Store(tr.rv)
	}
}

// releaseReadVersion ends the read version's registration: the conflict
// history no longer needs to cover it.
func (tr *Transaction) releaseReadVersion() {
	if tr.registered {
		tr.db.readers.release(tr.rv)
		tr.registered = false
	}
}

// checkAge refuses a read version older than the MVCC window. Reads call it
// after reading: garbage collection only removes what a version needs once
// that version is past its window, so a read that passes the check after
// reading read intact data.
func (tr *Transaction) checkAge() error {
	now := tr.db.now()
	tr.lastClock = now
	if now-tr.rvTime > tr.db.window() {
		tr.db.stats.tooOld.Add(1)
		return tooOld(tr.rv)
	}
	return nil
}

// Get returns the value of key at the transaction's read version, with the
// transaction's own writes applied; nil with no error when the key is
// absent, and a non-nil empty slice for a present empty value. It adds the
// read conflict range [key, key+"\x00") unless the transaction already set
// or cleared key itself. The returned slice is the caller's.
func (tr *Transaction) Get(key []byte) ([]byte, error) { return tr.get(key, false) }

func (tr *Transaction) get(key []byte, snap bool) ([]byte, error) {
	tr.lock()
	defer tr.mu.Unlock()
	if err := tr.checkRead(); err != nil {
		return nil, err
	}
	if err := checkKey(key, tr.maxReadKey()); err != nil {
		return nil, err
	}
	if !snap && tr.autoLocks() {
		tr.lockIfHot(key)
		if err := tr.checkRead(); err != nil {
			return nil, err
		}
	}
	// Every read fixes the read version, even one answered from the
	// transaction's own writes, so later reads are consistent with it.
	tr.ensureReadVersion()
	if len(key) > keyLimit(key) {
		return nil, nil // too long to have been written: absent, as in FoundationDB
	}
	e := tr.writes.get(key)
	if e == nil && tr.writes.isCleared(key) {
		return nil, nil
	}
	// An own write does not make a key readable again if it was written
	// with a versionstamped value or lies where a versionstamped key may
	// land: neither is known until the commit stamps it.
	if err := e.readable(); err != nil {
		return nil, err
	}
	if err := tr.writes.readableKey(key); err != nil {
		return nil, err
	}
	if e != nil && e.independent() {
		v, ok := e.overlay(nil, false, nil)
		if !ok {
			return nil, nil
		}
		return clone(v), nil
	}
	v, ok := tr.db.store.Get(key, tr.rv)
	if err := tr.checkAge(); err != nil {
		return nil, err
	}
	if e != nil {
		v, ok = e.overlay(v, ok, nil)
	}
	if !tr.unvalidated(snap) {
		tr.addReadPoint(key)
	}
	if !ok {
		return nil, nil
	}
	return clone(v), nil
}

// GetKey returns the key that sel selects in the transaction's view (the
// database at the read version with the transaction's writes applied).
// Running off the start gives the empty key; off the end gives \xff (or
// \xff\xff with system key access). It adds the read conflict range that
// covers every key whose insertion or removal could change the answer: from
// the selector's key (key+"\x00" when OrEqual) to just after the result for a
// positive offset, from the result to the selector's key otherwise, as
// FoundationDB's getKeyAndConflictRange (fdbclient/NativeAPI.actor.cpp) adds
// it. Its cost grows with |sel.Offset|.
func (tr *Transaction) GetKey(sel selector.KeySelector) ([]byte, error) {
	return tr.getKey(sel, false)
}

func (tr *Transaction) getKey(sel selector.KeySelector, snap bool) ([]byte, error) {
	tr.lock()
	defer tr.mu.Unlock()
	if err := tr.checkRead(); err != nil {
		return nil, err
	}
	r, err := tr.resolve(sel, snap)
	if err != nil {
		return nil, err
	}
	return clone(r), nil
}

// resolve resolves sel and, unless snap, adds its read conflict range.
func (tr *Transaction) resolve(sel selector.KeySelector, snap bool) ([]byte, error) {
	max := tr.maxReadKey()
	if err := checkBound(sel.Key, max); err != nil {
		return nil, err
	}
	tr.ensureReadVersion()
	r, err := selector.Resolve(mergedSource{tr}, sel, max)
	if err != nil {
		return nil, err
	}
	if err := tr.checkAge(); err != nil {
		return nil, err
	}
	// [lo, hi) is every key the resolution walked past between sel.Key and
	// r: its read conflict range, and the span that must not touch a range
	// made unreadable by a versionstamped key.
	k := sel.Key
	if sel.OrEqual {
		k = keyAfter(k)
	}
	lo, hi := k, keyAfter(r)
	if sel.Offset <= 0 {
		lo, hi = r, k
	}
	if err := tr.writes.readableRange(lo, hi); err != nil {
		return nil, err
	}
	if !tr.unvalidated(snap) {
		tr.addReadRange(lo, hi)
	}
	return r, nil
}

// mergedSource presents the transaction's view to the selector resolver.
type mergedSource struct{ tr *Transaction }

func (s mergedSource) Ascend(from []byte, exclusive bool) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		if exclusive {
			from = keyAfter(from)
		}
		c := newCursor(s.tr, s.tr.rv, from, maxSystemKey, false, 16)
		s.walk(c, yield)
	}
}

func (s mergedSource) Descend(from []byte, inclusive bool) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		if inclusive {
			from = keyAfter(from)
		}
		c := newCursor(s.tr, s.tr.rv, nil, from, true, 16)
		s.walk(c, yield)
	}
}

func (mergedSource) walk(c *cursor, yield func([]byte, error) bool) {
	for {
		k, _, ok, err := c.next()
		if err != nil {
			yield(nil, err)
			return
		}
		if !ok || !yield(k, nil) {
			return
		}
	}
}

// GetRange returns the rows of r in the transaction's view, ascending (or
// descending with opts.Reverse), at most opts.Limit of them. A range whose
// begin resolves at or after its end is empty. Unless the transaction is a
// snapshot view it adds a read conflict range over what the read depended
// on: the whole range, or, when the limit was reached, only up to just after
// the last row returned (forward; from the last row returned when reverse),
// less what the transaction wrote itself. A key inserted past the last row
// of a limited read therefore does not conflict with it.
func (tr *Transaction) GetRange(r Range, opts RangeOptions) ([]KeyValue, error) {
	return tr.getRange(r, opts, false)
}

func (tr *Transaction) getRange(r Range, opts RangeOptions, snap bool) ([]KeyValue, error) {
	tr.lock()
	defer tr.mu.Unlock()
	sc, err := tr.startRange(r, opts)
	if err != nil {
		return nil, err
	}
	b := rowBuilder{limit: opts.Limit, noCopy: opts.NoCopy}
	if opts.Limit > 0 {
		b.rows = make([]KeyValue, 0, firstBatch(opts.Limit, 0))
	}
	switch {
	case sc.empty():
	case tr.writes.pristine() && opts.NoCopy && opts.Limit > 0 && opts.Limit <= cap(b.rows):
		// Nothing to merge or copy: the store writes its rows straight
		// into the result, without a call per row, already as aliased
		// would make them (the store's slices are cut to their length, and
		// a present value is never nil).
		rows := tr.db.store.Range(storeRows(b.rows), mvcc.KeyRange{Begin: sc.begin, End: sc.end}, tr.rv, sc.reverse, opts.Limit)
		b.rows = b.rows[:len(rows)]
	case tr.writes.pristine():
		// Nothing of the transaction's own to merge: copy straight from
		// the store.
		// b.add only copies, so a bounded read may copy under the lock.
		tr.db.store.ScanBounded(mvcc.KeyRange{Begin: sc.begin, End: sc.end}, tr.rv, sc.reverse, opts.Limit, b.add)
	default:
		c := sc.cursor(tr, firstBatch(opts.Limit, 256))
		defer c.release()
		for opts.Limit == 0 || b.len() < opts.Limit {
			k, v, ok, err := c.next()
			if err != nil {
				return nil, err
			}
			if !ok {
				break
			}
			b.add(k, v)
		}
	}
	rows := b.result()
	if err := tr.checkAge(); err != nil {
		return nil, err
	}
	if !tr.unvalidated(snap) {
		var first, last []byte
		if len(rows) > 0 {
			first, last = rows[0].Key, rows[len(rows)-1].Key
		}
		tr.addScanConflict(&sc, len(rows), first, last, opts.Limit > 0 && len(rows) >= opts.Limit)
	}
	return rows, nil
}

// rowBuilder copies rows out for the caller. One arena holds many keys and
// values, sized from the rows still wanted, so a scan costs a few
// allocations; full slice expressions stop appends from spilling into a
// neighbour. With noCopy it keeps the slices it is given, capped the same
// way.
//
// A long read collects its rows in pages of pageRows and joins them once,
// at the end, into a slice of the exact size. Growing one slice by append
// would copy every row several times over, each growth in one
// uninterruptible runtime call (with the collector's write barrier on every
// pointer while it marks): for a million rows, tens of milliseconds during
// which the goroutine cannot be preempted, and about four times the final
// slice in allocations.
type rowBuilder struct {
	rows   []KeyValue   // the rows after those in pages
	pages  [][]KeyValue // full pages, in order
	paged  int          // rows in pages
	arena  []byte
	limit  int
	noCopy bool
}

// pageRows is the size of a long read's pages: a page is copied into the
// result in one runtime call of a few tens of microseconds.
const pageRows = 4096

// len returns the number of rows added.
func (b *rowBuilder) len() int { return b.paged + len(b.rows) }

func (b *rowBuilder) add(k, v []byte) bool {
	if len(b.rows) == cap(b.rows) && len(b.rows) >= pageRows {
		b.pages = append(b.pages, b.rows)
		b.paged += len(b.rows)
		b.rows = make([]KeyValue, 0, pageRows)
	}
	if b.noCopy {
		b.rows = append(b.rows, aliased(k, v))
		return true
	}
	need := len(k) + len(v)
	if cap(b.arena)-len(b.arena) < need {
		want := 64
		if b.limit > 0 {
			want = b.limit - b.len()
		}
		b.arena = make([]byte, 0, max(need, min(need*want, 1<<20)))
	}
	n := len(b.arena)
	b.arena = append(append(b.arena, k...), v...)
	b.rows = append(b.rows, KeyValue{Key: b.arena[n : n+len(k) : n+len(k)], Value: b.arena[n+len(k) : len(b.arena) : len(b.arena)]})
	return true
}

// result returns the rows added, in one slice.
func (b *rowBuilder) result() []KeyValue {
	if b.pages == nil {
		return b.rows
	}
	out := make([]KeyValue, 0, b.len())
	var pace mvcc.Pacer
	for i, p := range b.pages {
		out = append(out, p...)
		b.pages[i] = nil // the collector may free it while the rest is copied
		// A million rows take tens of milliseconds to copy while the
		// collector marks: let short requests run between pages.
		pace.Pause()
	}
	return append(out, b.rows...)
}

// storeRows is rows as the store's rows, for the store to append to in
// place, up to rows' capacity. KeyValue and mvcc.KV are the same struct,
// which the conversion below checks when compiling: a change to either
// stops the build rather than corrupting rows.
func storeRows(rows []KeyValue) []mvcc.KV {
	return unsafe.Slice((*mvcc.KV)(unsafe.Pointer(unsafe.SliceData(rows))), cap(rows))[:len(rows)]
}

var _ = mvcc.KV(KeyValue{})

// aliased is the row (k, v) without copies, for RangeOptions.NoCopy: the
// caller may keep the slices but not grow them in place. The store's own
// slices come so already (mvcc keeps them cut and non-nil); the rule
// matters for rows from the transaction's write buffer.
func aliased(k, v []byte) KeyValue {
	if v == nil {
		v = []byte{} // as a copy would be: a present key has a non-nil value
	}
	return KeyValue{Key: k[:len(k):len(k)], Value: v[:len(v):len(v)]}
}

// scan is one range read: the selectors of its range (with OrEqual
// rewritten away, as FoundationDB's read-your-writes layer does: an OrEqual
// selector on k is the same as one on k+"\x00" without it) and the keys they
// resolved to.
type scan struct {
	bk, ek     []byte // selector keys
	bo, eo     int    // selector offsets
	begin, end []byte // resolved bounds
	max        []byte // the largest key the transaction may read
	reverse    bool
	noConflict bool // FoundationDB's shortcut: empty without reading
}

// empty reports whether the resolved range holds no key.
func (sc *scan) empty() bool { return bytes.Compare(sc.begin, sc.end) >= 0 }

// firstBatch is how many rows a range read fetches first: those a limit
// asks for, up to maxBatch, or unlimited without a limit.
func firstBatch(limit, unlimited int) int {
	if limit > 0 {
		return min(limit, maxBatch)
	}
	return unlimited
}

// cursor returns a cursor over the scan's keys, merging the transaction's
// writes; batch is the first number of rows fetched from the store.
func (sc *scan) cursor(tr *Transaction, batch int) *cursor {
	return newCursor(tr, tr.rv, sc.begin, sc.end, sc.reverse, batch)
}

// startRange validates a range read, resolves its selectors and returns the
// scan.
func (tr *Transaction) startRange(r Range, opts RangeOptions) (sc scan, err error) {
	if err := tr.checkRead(); err != nil {
		return sc, err
	}
	if opts.Limit < 0 {
		return sc, newError(codeRangeLimitsInvalid, "limit %d is negative", opts.Limit)
	}
	bs, es, err := selectorsOf(r)
	if err != nil {
		return sc, err
	}
	tr.ensureReadVersion()
	max := tr.maxReadKey()
	if err := checkBound(bs.Key, max); err != nil {
		return sc, err
	}
	if err := checkBound(es.Key, max); err != nil {
		return sc, err
	}
	sc = scan{bk: bs.Key, bo: bs.Offset, ek: es.Key, eo: es.Offset, max: max, reverse: opts.Reverse}
	if bs.OrEqual {
		sc.bk = keyAfter(bs.Key)
	}
	if es.OrEqual {
		sc.ek = keyAfter(es.Key)
	}
	if sc.bo >= sc.eo && bytes.Compare(sc.bk, sc.ek) >= 0 {
		sc.noConflict = true
		sc.begin, sc.end = sc.bk, sc.bk
		return sc, nil
	}
	// A selector (k, false, 1) is the plain bound k; others are resolved
	// against the transaction's view. Their read conflict is not recorded
	// here but by addScanConflict, from the selectors and the rows.
	bound := func(sel selector.KeySelector, key []byte) ([]byte, error) {
		if sel.Offset == 1 {
			return key, nil
		}
		return tr.resolve(sel, true)
	}
	if sc.begin, err = bound(bs, sc.bk); err != nil {
		return sc, err
	}
	if sc.end, err = bound(es, sc.ek); err != nil {
		return sc, err
	}
	if bytes.Compare(sc.end, max) > 0 {
		sc.end = max
	}
	if !sc.empty() {
		if err := tr.writes.readableRange(sc.begin, sc.end); err != nil {
			return sc, err
		}
	}
	return sc, nil
}

// selectorsOf returns r's selectors, refusing a nil Range, including a nil
// pointer whose value-receiver Selectors would dereference it.
func selectorsOf(r Range) (begin, end selector.KeySelector, err error) {
	if r == nil {
		return begin, end, newError(codeClientInvalidOperation, "nil Range")
	}
	defer func() {
		if recover() != nil {
			err = newError(codeClientInvalidOperation, "Range %T could not give its selectors (a nil pointer?)", r)
		}
	}()
	begin, end = r.Selectors()
	return begin, end, nil
}

// addScanConflict adds the read conflict range of a range read that
// produced n rows, first and last in scan order; more says the read stopped
// before the end of its range (its limit was reached, or the caller stopped
// iterating). The rule is FoundationDB's (RYWImpl::addConflictRange in
// fdbclient/ReadYourWrites.cpp): the range between the selector keys, cut at
// the last row when the read stopped early, widened to the rows returned and
// to the ends of the key space when a selector ran off them; the
// transaction's own writes are left out.
func (tr *Transaction) addScanConflict(sc *scan, n int, first, last []byte, more bool) {
	if sc.noConflict {
		return
	}
	var lo, hi []byte
	switch {
	case bytes.Compare(sc.bk, sc.ek) >= 0:
		lo, hi = sc.ek, sc.bk
	case !sc.reverse:
		lo, hi = sc.bk, sc.ek
		if sc.eo > 0 && more {
			hi = sc.bk
		}
	default:
		lo, hi = sc.bk, sc.ek
		if sc.bo <= 1 && more {
			lo = sc.ek
		}
	}
	if sc.bo <= 0 && len(sc.begin) == 0 {
		lo = nil // ran off the beginning
	}
	if sc.eo > 0 && bytes.Equal(sc.end, sc.max) {
		hi = sc.max // ran off the end
	}
	if n > 0 {
		small, large := first, last
		if sc.reverse {
			small, large = last, first
		}
		if !sc.reverse {
			if sc.bo <= 0 {
				lo = minKey(lo, small)
			}
			if bytes.Compare(hi, large) <= 0 {
				hi = keyAfter(large)
			}
		} else {
			lo = minKey(lo, small)
			if sc.eo > 0 && bytes.Compare(hi, large) <= 0 {
				hi = keyAfter(large)
			}
		}
	}
	tr.addReadRange(lo, hi)
}

// Iterate streams the rows of r like GetRange, fetching from the store in
// growing batches so that stopping early costs little.
//
// Writes during the loop: each row is produced when the loop asks for it, and
// reflects every write the transaction made before that moment. A key ahead
// of the current position that the loop body sets appears when reached; one
// it clears (or that falls in a range it clears) is skipped; keys at or
// behind the position are not revisited. The transaction's lock is not held
// while the body runs, so the body may read, write, or even start another
// transaction with db.Transact.
//
// The read conflict range covers what the loop consumed: the whole range if
// it ran to the end, else up to the last row yielded. After an error the
// sequence ends.
func (tr *Transaction) Iterate(r Range, opts RangeOptions) iter.Seq2[KeyValue, error] {
	return tr.iterate(r, opts, false)
}

func (tr *Transaction) iterate(r Range, opts RangeOptions, snap bool) iter.Seq2[KeyValue, error] {
	return func(yield func(KeyValue, error) bool) {
		tr.lock()
		sc, err := tr.startRange(r, opts)
		var c *cursor
		if err == nil && !sc.empty() {
			// Without a limit a small first batch: the caller may stop
			// after a few rows.
			c = sc.cursor(tr, firstBatch(opts.Limit, 16))
			tr.iters++
		}
		tr.mu.Unlock()
		if err != nil {
			yield(KeyValue{}, err)
			return
		}
		n := 0
		var first, last []byte
		done := false // ran to the end of the range or its limit
		defer func() {
			if c == nil && snap {
				return
			}
			tr.lock()
			defer tr.mu.Unlock()
			if c != nil {
				c.release()
				tr.iters--
			}
			if snap || tr.state != stateActive || tr.unvalidated(snap) {
				return
			}
			if done {
				tr.addScanConflict(&sc, n, first, last, opts.Limit > 0 && n >= opts.Limit)
			} else if n > 0 {
				// Stopped early: only what was consumed counts.
				tr.addScanConflict(&sc, n, first, last, true)
			}
		}()
		// quick: the transaction had no writes to merge when this
		// iterator last held its lock, and seen is the count of lock
		// takings then. While nobody takes the lock (no write, no cancel,
		// no commit, no reset) the rest of the batch is exactly what next
		// would produce, and needs no lock. The state (closed, timed out)
		// is checked again at the next locked row: at least once a batch.
		quick, seen := false, uint64(0)
		for c != nil && (opts.Limit == 0 || n < opts.Limit) {
			var k, v []byte
			ok := false
			if quick && tr.changes.Load() == seen && !tr.db.closed.Load() {
				k, v, ok = c.nextInBatch()
			}
			if !ok {
				tr.lock()
				err = tr.check()
				if err == nil {
					k, v, ok, err = c.next() // checks the read version's age
				}
				quick, seen = tr.writes.pristine(), tr.changes.Load()
				tr.mu.Unlock()
			}
			var kv KeyValue
			if ok && err == nil {
				if opts.NoCopy {
					kv = aliased(k, v)
				} else {
					kv = KeyValue{Key: clone(k), Value: clone(v)}
				}
			}
			if err != nil {
				yield(KeyValue{}, err)
				return
			}
			if !ok {
				break
			}
			n++
			if first == nil {
				first = kv.Key
			}
			last = kv.Key
			if !yield(kv, nil) {
				return
			}
		}
		done = true
	}
}

// addReadPoint adds the read conflict range [key, key+"\x00"); the caller
// has checked that the transaction did not write key independently.
func (tr *Transaction) addReadPoint(key []byte) {
	b, e := tr.pointRange(key)
	tr.reads = append(tr.reads, span{b, e})
	tr.countRange(b, e)
}

// pointRange returns [key, key+"\x00") backed by the transaction's arena,
// so recording a point read costs no allocation of its own. When the last
// read range is that range (a read-modify-write of one key), its bytes,
// which are never modified, serve again.
func (tr *Transaction) pointRange(key []byte) (begin, end []byte) {
	if n := len(tr.reads); n > 0 {
		r := tr.reads[n-1]
		if len(r.end) == len(key)+1 && r.end[len(key)] == 0 && string(r.end[:len(key)]) == string(key) && string(r.begin) == string(key) {
			return r.begin, r.end
		}
	}
	e := tr.keepN(key, 1)
	return e[:len(key):len(key)], e
}

// keep copies b into the transaction's arena, which holds the keys of its
// conflict ranges.
func (tr *Transaction) keep(b []byte) []byte { return tr.keepN(b, 0) }

// keepN copies b followed by n zero bytes into the arena. The arena grows
// by new chunks, never by moving, so earlier copies stay valid.
func (tr *Transaction) keepN(b []byte, n int) []byte {
	need := len(b) + n
	if cap(tr.arena)-len(tr.arena) < need {
		// Start small (most transactions touch a few keys) and double.
		tr.arena = make([]byte, 0, max(64, 2*cap(tr.arena), 2*need))
	}
	at := len(tr.arena)
	tr.arena = append(tr.arena, b...)
	for range n {
		tr.arena = append(tr.arena, 0)
	}
	return tr.arena[at : at+need : at+need]
}

// addReadRange adds [lo, hi) minus the pieces the transaction wrote
// independently: what this transaction set or cleared itself reads the same
// whatever others commit, so, as in FoundationDB, it adds no read conflict.
func (tr *Transaction) addReadRange(lo, hi []byte) {
	if bytes.Compare(lo, hi) >= 0 {
		return
	}
	add := func(b, e []byte) {
		if bytes.Compare(b, e) < 0 {
			tr.reads = append(tr.reads, span{b, e})
			tr.countRange(b, e)
		}
	}
	if tr.writes.pristine() {
		add(tr.keep(lo), tr.keep(hi))
		return
	}
	cur := clone(lo)
	tr.writes.independent(lo, hi, func(b, e []byte) {
		add(cur, b)
		if bytes.Compare(e, cur) > 0 {
			cur = clone(e)
		}
	})
	add(cur, clone(hi))
}
