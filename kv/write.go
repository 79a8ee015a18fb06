package kv

import (
	"bytes"
)

// Set writes value to key. The write is buffered until Commit and seen by
// the transaction's own reads. It adds the write conflict range
// [key, key+"\x00") and no read conflict. Both slices are copied. An invalid
// write (key at or beyond \xff without system key access, key over 10,000
// bytes, value over 100,000 bytes) is dropped and fails the transaction at
// its next read or at Commit.
func (tr *Transaction) Set(key, value []byte) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if !tr.writable(key) {
		return
	}
	if len(value) > MaxValueSize {
		tr.deferErr(newError(codeValueTooLarge, "value of %d bytes for key %q exceeds the limit of %d", len(value), printable(key), MaxValueSize))
		tr.noNextWCR = false
		return
	}
	// One allocation holds both copies.
	buf := make([]byte, len(key)+len(value))
	n := copy(buf, key)
	copy(buf[n:], value)
	k := buf[:n:n]
	tr.w().set(k, buf[n:])
	tr.validateWrite(k, nil)
	tr.wrote(k, len(value))
}

// Clear removes key. Like Set it is buffered, seen by the transaction's own
// reads, and adds a write conflict range on key. Clearing a key over the
// size limit does nothing, since no such key can exist.
func (tr *Transaction) Clear(key []byte) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if err := tr.writeCheck(key); err != nil {
		tr.deferErr(err)
		return
	}
	if len(key) > keyLimit(key) {
		tr.noNextWCR = false
		return
	}
	k := clone(key)
	tr.w().clear(k)
	tr.validateWrite(k, nil)
	tr.wrote(k, 0)
}

// ClearRange removes every key in [begin, end). It adds the write conflict
// range [begin, end). begin > end fails the transaction with
// ErrInvertedRange; an empty range does nothing.
func (tr *Transaction) ClearRange(begin, end []byte) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if err := tr.check(); err != nil {
		tr.deferErr(err)
		return
	}
	if bytes.Compare(begin, end) > 0 {
		tr.deferErr(newError(codeInvertedRange, "clear range begin %q is after end %q", printable(begin), printable(end)))
		return
	}
	max := tr.maxWriteKey()
	if bytes.Compare(begin, max) > 0 || bytes.Compare(end, max) > 0 {
		tr.deferErr(newError(codeKeyOutsideLegalRange, "clear range [%q, %q) reaches beyond %q", printable(begin), printable(end), printable(max)))
		return
	}
	if bytes.Equal(begin, end) {
		tr.noNextWCR = false
		return
	}
	b, e := clone(begin), clone(end)
	tr.w().clearRange(b, e)
	tr.validateWrite(b, e)
	tr.size += len(b) + len(e) + mutationOverhead
	if tr.noNextWCR {
		tr.noNextWCR = false
	} else {
		tr.addWriteRange(b, e)
	}
	tr.checkSize()
}

// writeCheck validates a point write's key against the state and the key
// space.
func (tr *Transaction) writeCheck(key []byte) error {
	if err := tr.check(); err != nil {
		return err
	}
	if bytes.Compare(key, tr.maxWriteKey()) >= 0 {
		return outsideRange(key, tr.maxWriteKey())
	}
	return nil
}

// writable validates a Set-like write's key, recording the deferred error
// if it is not writable.
func (tr *Transaction) writable(key []byte) bool {
	err := tr.writeCheck(key)
	if err == nil && len(key) > keyLimit(key) {
		err = newError(codeKeyTooLarge, "key of %d bytes exceeds the limit of %d", len(key), keyLimit(key))
	}
	if err != nil {
		tr.deferErr(err)
		tr.noNextWCR = false
		return false
	}
	return true
}

// wrote accounts for a point write of key and adds its write conflict
// range.
func (tr *Transaction) wrote(key []byte, valueLen int) {
	tr.size += len(key) + valueLen + mutationOverhead
	if tr.noNextWCR {
		tr.noNextWCR = false
	} else {
		b, e := tr.pointRange(key)
		tr.addWriteRange(b, e)
	}
	tr.checkSize()
}

func (tr *Transaction) addWriteRange(b, e []byte) {
	w := tr.w()
	w.ranges = append(w.ranges, span{b, e})
	tr.size += len(b) + len(e) + rangeOverhead
}

// checkSize fails the transaction as soon as it outgrows its limit, so a
// runaway transaction does not keep buffering.
func (tr *Transaction) checkSize() {
	if tr.size > tr.sizeLimit {
		tr.deferErr(tr.tooLarge())
	}
}

func (tr *Transaction) tooLarge() error {
	return newError(codeTransactionTooLarge, "transaction is %d bytes, over its limit of %d (SetSizeLimit raises it)", tr.size, tr.sizeLimit)
}

// AddReadConflictRange adds [begin, end) to the transaction's read conflict
// ranges, as if it had read the range (so it takes the read version if none
// was taken yet), less the keys it wrote itself. begin
// > end returns ErrInvertedRange at once; a key beyond the key space
// returns ErrKeyOutsideLegalRange.
func (tr *Transaction) AddReadConflictRange(begin, end []byte) error {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if err := tr.conflictRangeCheck(begin, end); err != nil {
		return err
	}
	// As a read would, fix the read version the range is checked against.
	tr.ensureReadVersion()
	tr.addReadRange(begin, end)
	tr.checkSize()
	return nil
}

// AddReadConflictKey adds [key, key+"\x00") to the read conflict ranges.
func (tr *Transaction) AddReadConflictKey(key []byte) error {
	return tr.AddReadConflictRange(key, keyAfter(key))
}

// AddWriteConflictRange adds [begin, end) to the transaction's write
// conflict ranges, as if it had written the range: commits that read it
// concurrently will fail. A transaction with only added write conflict
// ranges is not read-only and gets a commit version.
func (tr *Transaction) AddWriteConflictRange(begin, end []byte) error {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if err := tr.conflictRangeCheck(begin, end); err != nil {
		return err
	}
	if bytes.Equal(begin, end) {
		return nil
	}
	tr.addWriteRange(clone(begin), clone(end))
	tr.checkSize()
	return nil
}

// AddWriteConflictKey adds [key, key+"\x00") to the write conflict ranges.
func (tr *Transaction) AddWriteConflictKey(key []byte) error {
	return tr.AddWriteConflictRange(key, keyAfter(key))
}

func (tr *Transaction) conflictRangeCheck(begin, end []byte) error {
	if err := tr.check(); err != nil {
		return err
	}
	if bytes.Compare(begin, end) > 0 {
		return newError(codeInvertedRange, "conflict range begin %q is after end %q", printable(begin), printable(end))
	}
	if bytes.Compare(end, maxSystemKey) > 0 {
		return newError(codeKeyOutsideLegalRange, "conflict range end %q is beyond the key space \\xff\\xff", printable(end))
	}
	return nil
}
