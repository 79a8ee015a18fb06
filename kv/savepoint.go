package kv

// Savepoints are marks in an attempt's undo log. While a savepoint is live
// the write buffer logs how to reverse each change it makes (an entry added,
// an entry's previous content, what a ClearRange removed); taking a
// savepoint copies nothing, and rolling back replays the log backwards to
// the mark. Appends to the buffer's other lists (versionstamped keys,
// unreadable ranges, conflict ranges) are undone by cutting the list back
// to its length at the mark. A transaction with no live savepoint logs
// nothing, so writes cost what they did before savepoints existed.

// Savepoint marks a point in a transaction's current attempt that
// RollbackTo can return to. Its zero value is no savepoint.
type Savepoint struct {
	tr  *Transaction
	gen uint32 // the attempt it was taken in
	seq uint64 // unique within the transaction
}

// saveMark is what a live savepoint must restore.
type saveMark struct {
	seq       uint64
	buf       bufferMark
	size      int
	err       error
	noNextWCR bool
	callbacks int // len(tr.rs.callbacks)
}

// bufferMark is the write buffer's side of a savepoint.
type bufferMark struct {
	undo, vsKeys, unreadable, ranges, checked int
}

// undoRecord reverses one change to the write buffer: exactly one of added,
// changed and cleared is set.
type undoRecord struct {
	added   *wentry // a new entry: remove it
	changed *wentry // an entry modified in place: restore old
	old     wentry

	// cleared: a ClearRange; restore the entries it removed and the lists
	// it rewrote.
	cleared       bool
	removed       []*wentry
	clearedBefore []span
	vsKeysBefore  []vsKey
}

// changing logs e's content before an in-place change, if a savepoint is
// live.
func (w *writeBuffer) changing(e *wentry) {
	if w.logging {
		w.undo = append(w.undo, undoRecord{changed: e, old: *e})
	}
}

func (w *writeBuffer) mark() bufferMark {
	return bufferMark{undo: len(w.undo), vsKeys: len(w.vsKeys), unreadable: len(w.unreadable), ranges: len(w.ranges), checked: len(w.checked)}
}

// rollback returns the buffer to its state at m.
func (w *writeBuffer) rollback(m bufferMark) {
	logging := w.logging
	w.logging = false // reinsertions below must not log
	for i := len(w.undo) - 1; i >= m.undo; i-- {
		u := &w.undo[i]
		switch {
		case u.added != nil:
			w.idx.remove(u.added)
		case u.changed != nil:
			*u.changed = u.old
		case u.cleared:
			for _, e := range u.removed {
				w.put(e)
			}
			w.cleared = u.clearedBefore
			w.vsKeys = u.vsKeysBefore
		}
		*u = undoRecord{}
	}
	w.undo = w.undo[:m.undo]
	w.logging = logging
	w.vsKeys = cut(w.vsKeys, m.vsKeys)
	w.unreadable = cut(w.unreadable, m.unreadable)
	w.ranges = cut(w.ranges, m.ranges)
	w.checked = cut(w.checked, m.checked)
}

// cut shortens s to n elements, zeroing the rest so they can be collected.
func cut[T any](s []T, n int) []T {
	if n >= len(s) {
		return s
	}
	clear(s[n:])
	return s[:n]
}

// Savepoint returns a mark of the transaction's current state, for
// RollbackTo. It copies nothing: a savepoint costs a few words, and while
// one is live each write also logs how to undo itself. A savepoint belongs
// to the current attempt; OnError and Reset invalidate it. Savepoint on a
// transaction that is committed or cancelled returns a savepoint that
// RollbackTo refuses.
func (tr *Transaction) Savepoint() Savepoint {
	tr.lock()
	defer tr.mu.Unlock()
	if tr.check() != nil {
		return Savepoint{}
	}
	w := tr.w()
	w.logging = true
	r := tr.rare()
	r.spSeq++
	r.saves = append(r.saves, saveMark{
		seq:       r.spSeq,
		buf:       w.mark(),
		size:      tr.size,
		err:       tr.err,
		noNextWCR: tr.noNextWCR,
		callbacks: len(r.callbacks),
	})
	return Savepoint{tr: tr, gen: tr.gen, seq: r.spSeq}
}

// RollbackTo undoes every write made since sp was taken (Set, Clear,
// ClearRange, atomic and versionstamped operations, and the write conflict
// ranges they added, and the deferred error of an invalid one), so reads
// see the transaction as it was at sp. Read conflict ranges stay: what was
// read was read. OnCommit callbacks registered since sp are dropped, and
// OnAbort callbacks registered since sp run, newest first, before
// RollbackTo returns. Savepoints taken after sp become invalid; sp stays
// valid and can be rolled back to again.
//
// A savepoint of another transaction or of an earlier attempt, or one an
// earlier rollback invalidated, gives ErrClientInvalidOperation and changes
// nothing.
func (tr *Transaction) RollbackTo(sp Savepoint) error {
	tr.lock()
	if err := tr.check(); err != nil {
		tr.mu.Unlock()
		return err
	}
	i := tr.findSave(sp)
	if i < 0 {
		tr.mu.Unlock()
		return newError(codeClientInvalidOperation, "savepoint is not valid in this transaction's current attempt")
	}
	m := tr.rs.saves[i]
	tr.rs.saves = tr.rs.saves[:i+1]
	tr.writes.rollback(m.buf)
	tr.size, tr.err, tr.noNextWCR = m.size, m.err, m.noNextWCR
	tr.rollbackCallbacks(m.callbacks)
	a := tr.takePending()
	tr.mu.Unlock()
	a.run()
	return nil
}

// findSave returns the index of sp's mark in tr.rs.saves, or -1.
func (tr *Transaction) findSave(sp Savepoint) int {
	if sp.tr != tr || sp.gen != tr.gen || tr.rs == nil {
		return -1
	}
	for i := len(tr.rs.saves) - 1; i >= 0; i-- {
		if tr.rs.saves[i].seq == sp.seq {
			return i
		}
	}
	return -1
}

// rollbackCallbacks drops the callbacks registered after the first n: the
// OnAbort ones become pending, newest first, since their part of the
// attempt did not happen. Called with mu held.
func (tr *Transaction) rollbackCallbacks(n int) {
	if tr.rs == nil || len(tr.rs.callbacks) <= n {
		return
	}
	later := tr.rs.callbacks[n:]
	var a *after
	for i := len(later) - 1; i >= 0; i-- {
		if c := later[i]; !c.onCommit {
			if a == nil {
				a = tr.pendingWork()
				a.info = tr.infoLocked()
				a.info.Err = errRolledBack
			}
			a.aborts = append(a.aborts, c.fn)
		}
	}
	clear(later)
	tr.rs.callbacks = tr.rs.callbacks[:n]
}

// errRolledBack is the Info.Err of OnAbort callbacks run by a rollback.
var errRolledBack = &Error{Code: codeTransactionCancelled, Detail: "rolled back to a savepoint"}

// release forgets sp after a Nested block succeeded, when nothing was taken
// after it; with no savepoint left the buffer stops logging.
func (tr *Transaction) release(sp Savepoint) {
	tr.lock()
	defer tr.mu.Unlock()
	if i := tr.findSave(sp); i >= 0 && i == len(tr.rs.saves)-1 {
		tr.rs.saves = tr.rs.saves[:i]
		if len(tr.rs.saves) == 0 && tr.writes != nil {
			clear(tr.writes.undo)
			tr.writes.undo, tr.writes.logging = tr.writes.undo[:0], false
		}
	}
}

// Nested runs fn on the transaction as a nested transaction: if fn returns
// an error or panics, everything fn did is rolled back (as RollbackTo a
// savepoint taken just before) and the error is returned (the panic goes
// on); the outer transaction continues either way. Nesting may be
// arbitrarily deep. A nil fn gives ErrClientInvalidOperation.
func (tr *Transaction) Nested(fn func(tr *Transaction) error) (err error) {
	if fn == nil {
		return newError(codeClientInvalidOperation, "nil nested function")
	}
	sp := tr.Savepoint()
	if sp.tr == nil {
		tr.lock()
		err := tr.check()
		tr.mu.Unlock()
		return err
	}
	ok := false
	defer func() {
		if !ok {
			_ = tr.RollbackTo(sp) // fn panicked
		}
	}()
	err = fn(tr)
	ok = true
	if err != nil {
		// If the attempt ended inside fn (a commit, a cancel) the rollback
		// is refused and there is nothing left to undo; fn's error says
		// what happened either way.
		_ = tr.RollbackTo(sp)
		return err
	}
	tr.release(sp)
	return nil
}
