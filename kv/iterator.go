package kv

import (
	"bytes"
	"sync"

	"github.com/plinthdb/plinth/mvcc"
)

// cursor walks the transaction's view of [begin, end): the database at the
// read version merged with the write buffer. Database rows are fetched in
// batches (they cannot change at a fixed version), while the write buffer is
// consulted afresh at every step, so a write made between two steps is seen
// by the next one if it lies ahead of the cursor. Called with tr.mu held.
type cursor struct {
	tr         *Transaction
	rv         int64
	begin, end []byte
	reverse    bool

	pos     []byte // last key produced, when started
	started bool

	db     []mvcc.KV  // current batch of database rows
	buf    *[]mvcc.KV // db's buffer, from batches
	dbi    int
	dbMore bool   // the database may hold rows beyond the batch
	dbNext []byte // forward: next batch begins here; reverse: ends here
	batch  int

	pace  mvcc.Pacer // a long read lets short requests run now and then
	count int        // rows produced, to pause every paceRows
}

// paceRows is how many rows a cursor produces between two pauses: its
// caller's work per row counts towards the time between yields too.
const paceRows = 256

const maxBatch = 1024

func newCursor(tr *Transaction, rv int64, begin, end []byte, reverse bool, batch int) *cursor {
	c := &cursor{tr: tr, rv: rv, begin: begin, end: end, reverse: reverse, dbMore: true, batch: batch}
	if reverse {
		c.dbNext = end
	} else {
		c.dbNext = begin
	}
	return c
}

func (c *cursor) fill() {
	r := mvcc.KeyRange{Begin: c.begin, End: c.end}
	if c.reverse {
		r.End = c.dbNext
	} else {
		r.Begin = c.dbNext
	}
	if cap(c.db) < c.batch {
		c.take(c.batch)
	}
	c.db = c.tr.db.store.Range(c.db[:0], r, c.rv, c.reverse, c.batch)
	c.dbi = 0
	c.dbMore = len(c.db) == c.batch
	if n := len(c.db); n > 0 {
		if c.reverse {
			c.dbNext = c.db[n-1].Key
		} else {
			c.dbNext = keyAfter(c.db[n-1].Key)
		}
	}
	c.batch = min(c.batch*2, maxBatch)
}

// batches holds cursors' row buffers. A buffer holds only slice headers
// of the store's keys and values, never what a read hands out, so a
// cursor that has finished can give it back: a 100-row read then writes
// its batch into memory that is in cache, rather than 4.8 KB of fresh
// allocation, which cost more than the rows' walk through the store.
var batches = sync.Pool{New: func() any { return new([]mvcc.KV) }}

// take gives the cursor an empty buffer with room for n rows.
func (c *cursor) take(n int) {
	c.release()
	c.buf = batches.Get().(*[]mvcc.KV)
	if cap(*c.buf) < n {
		*c.buf = make([]mvcc.KV, 0, n)
	}
	c.db, c.dbi = (*c.buf)[:0], 0
}

// release gives the cursor's buffer back to batches. A cursor released
// before its end takes a new buffer at its next fill, and has lost the
// rest of its batch: callers release only a cursor they are done with.
func (c *cursor) release() {
	if c.buf == nil {
		return
	}
	b := c.db[:cap(c.db)]
	clear(b) // hold no store memory in the pool
	*c.buf = b[:0]
	batches.Put(c.buf)
	c.buf, c.db, c.dbi = nil, nil, 0
}

// bufferNext returns the next write-buffer entry inside the range, or nil.
func (c *cursor) bufferNext() *wentry {
	w := c.tr.writes
	if !w.hasEntries() {
		return nil
	}
	if !c.reverse {
		var e *wentry
		if c.started {
			e = w.next(c.pos, false)
		} else {
			e = w.next(c.begin, true)
		}
		if e != nil && bytes.Compare(e.key, c.end) >= 0 {
			return nil
		}
		return e
	}
	var e *wentry
	if c.started {
		e = w.prev(c.pos, false)
	} else {
		e = w.prev(c.end, false)
	}
	if e != nil && bytes.Compare(e.key, c.begin) < 0 {
		return nil
	}
	return e
}

// next returns the next visible row. The slices belong to the store or the
// write buffer: callers copy them before handing them out.
func (c *cursor) next() (key, value []byte, ok bool, err error) {
	if c.count++; c.count%paceRows == 0 {
		c.pace.Pause()
	}
	for {
		if c.dbi == len(c.db) && c.dbMore {
			c.fill()
			// The batch's rows are exact if the read version was still
			// inside the window after they were read; rows handed out
			// later from the batch need no new check.
			if err := c.tr.checkAge(); err != nil {
				return nil, nil, false, err
			}
		}
		var dk *mvcc.KV
		if c.dbi < len(c.db) {
			dk = &c.db[c.dbi]
		}
		be := c.bufferNext()
		if dk == nil && be == nil {
			return nil, nil, false, nil
		}
		if be != nil && (dk == nil || c.before(be.key, dk.Key)) {
			// The buffer's key comes first or ties: its state wins. The
			// database lacks the key unless the current row is that key,
			// since the batch holds every database key past the cursor in
			// order.
			var base []byte
			baseOK := false
			if dk != nil && bytes.Equal(dk.Key, be.key) {
				base, baseOK = dk.Value, true
				c.dbi++
			}
			c.pos, c.started = be.key, true
			if err := be.readable(); err != nil {
				return nil, nil, false, err
			}
			v, present := be.overlay(base, baseOK, nil)
			if !present {
				continue
			}
			return be.key, v, true, nil
		}
		c.dbi++
		c.pos, c.started = dk.Key, true
		if c.tr.writes.isCleared(dk.Key) {
			continue
		}
		return dk.Key, dk.Value, true, nil
	}
}

// nextInBatch returns the next row of the current batch, as next would if
// the transaction had no writes to merge; ok is false when the batch is
// spent, and next must fetch. The caller knows there are no writes.
func (c *cursor) nextInBatch() (key, value []byte, ok bool) {
	if c.dbi == len(c.db) {
		return nil, nil, false
	}
	if c.count++; c.count%paceRows == 0 {
		c.pace.Pause()
	}
	dk := &c.db[c.dbi]
	c.dbi++
	c.pos, c.started = dk.Key, true
	return dk.Key, dk.Value, true
}

// before reports whether buffer key a is reached no later than database key
// b in the cursor's direction.
func (c *cursor) before(a, b []byte) bool {
	if c.reverse {
		return bytes.Compare(a, b) >= 0
	}
	return bytes.Compare(a, b) <= 0
}
