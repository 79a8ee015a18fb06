package kv

import (
	"bytes"
	"errors"
)

// Set writes value to key. The write is buffered until Commit and seen by
// the transaction's own reads. It adds the write conflict range
// [key, key+"\x00") and no read conflict. Both slices are copied. An invalid
// write (key at or beyond \xff without system key access, key over 10,000
// bytes, value over 100,000 bytes) is dropped and fails the transaction at
// its next read or at Commit.
func (tr *Transaction) Set(key, value []byte) {
	tr.lock()
	defer tr.mu.Unlock()
	noConflict, err := tr.beginWrite(key)
	if err == nil {
		err = checkValueSize(key, value)
	}
	if err != nil {
		tr.deferErr(err)
		return
	}
	// One allocation holds both copies.
	buf := make([]byte, len(key)+len(value))
	n := copy(buf, key)
	copy(buf[n:], value)
	k := buf[:n:n]
	tr.w().set(k, buf[n:])
	tr.validateWrite(k, nil)
	tr.wrote(k, len(value), noConflict)
}

// Clear removes key. Like Set it is buffered, seen by the transaction's own
// reads, and adds a write conflict range on key. Clearing a key over the
// size limit does nothing, since no such key can exist.
func (tr *Transaction) Clear(key []byte) {
	tr.lock()
	defer tr.mu.Unlock()
	noConflict, err := tr.beginWrite(key)
	if errors.Is(err, ErrKeyTooLarge) {
		return
	}
	if err != nil {
		tr.deferErr(err)
		return
	}
	k := clone(key)
	tr.w().clear(k)
	tr.validateWrite(k, nil)
	tr.wrote(k, 0, noConflict)
}

// ClearRange removes every key in [begin, end). It adds the write conflict
// range [begin, end). begin > end fails the transaction with
// ErrInvertedRange; an empty range does nothing.
func (tr *Transaction) ClearRange(begin, end []byte) {
	tr.lock()
	defer tr.mu.Unlock()
	noConflict, err := tr.beginWrite(nil)
	if err == nil {
		err = checkRange("clear range", begin, end, tr.maxWriteKey())
	}
	if err != nil {
		tr.deferErr(err)
		return
	}
	if bytes.Equal(begin, end) {
		return
	}
	b, e := clone(begin), clone(end)
	tr.w().clearRange(b, e)
	tr.validateWrite(b, e)
	tr.countMutation(len(b), len(e))
	if !noConflict {
		tr.addWriteRange(b, e)
	}
	tr.checkSize()
}

// beginWrite starts every write operation (Set, Clear, ClearRange, Atomic
// and its shorthands). It takes the pending
// SetNextWriteNoWriteConflictRange flag, whether or not the write turns out
// valid, so the flag always belongs to exactly the next write call; then it
// checks the transaction's state and, for a point write (key non-nil), the
// key: inside the writable key space and not too long. Under snapshot
// isolation every write fixes the read version.
func (tr *Transaction) beginWrite(key []byte) (noConflict bool, err error) {
	noConflict, tr.noNextWCR = tr.noNextWCR, false
	if err := tr.check(); err != nil {
		return noConflict, err
	}
	if tr.isolation == SnapshotIsolation {
		tr.ensureReadVersion()
	}
	if key != nil {
		if err := checkKey(key, tr.maxWriteKey()); err != nil {
			return noConflict, err
		}
		if err := checkKeySize(key); err != nil {
			return noConflict, err
		}
	}
	return noConflict, nil
}

// wrote accounts for a point write of key and adds its write conflict
// range, unless the write was made with no write conflict range.
func (tr *Transaction) wrote(key []byte, valueLen int, noConflict bool) {
	tr.countMutation(len(key), valueLen)
	if !noConflict {
		b, e := tr.pointRange(key)
		tr.addWriteRange(b, e)
	}
	tr.checkSize()
}

func (tr *Transaction) addWriteRange(b, e []byte) {
	w := tr.w()
	w.ranges = append(w.ranges, span{b, e})
	tr.countRange(b, e)
}

// countMutation and countRange are the transaction's size accounting, as
// FoundationDB's: a mutation costs its key and param bytes plus
// mutationOverhead, a conflict range its two endpoints plus rangeOverhead.
func (tr *Transaction) countMutation(keyLen, paramLen int) {
	tr.size += keyLen + paramLen + mutationOverhead
}

func (tr *Transaction) countRange(b, e []byte) {
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
	tr.lock()
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
	tr.lock()
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

// conflictRangeCheck validates an explicit conflict range: any range of the
// whole key space, system keys included, may be declared.
func (tr *Transaction) conflictRangeCheck(begin, end []byte) error {
	if err := tr.check(); err != nil {
		return err
	}
	return checkRange("conflict range", begin, end, maxSystemKey)
}
