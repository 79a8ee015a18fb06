package kv

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/plinthdb/plinth/internal/mutation"
)

// MutationType is an atomic operation, numbered with FoundationDB's codes.
type MutationType uint8

// The atomic operations, with FoundationDB's exact byte semantics (the
// functions of fdbclient/include/fdbclient/Atomic.h, which its storage servers
// apply and its client evaluates for read-your-writes). E is the key's
// existing value, P the param.
// "Numeric" ops (Add, BitAnd, BitOr, BitXor, Max, Min) give a result exactly
// len(P) bytes long, treating E as a little-endian number truncated or
// zero-padded to len(P) bytes; an empty P gives an empty value.
const (
	// Add adds P to E as little-endian integers, wrapping (two's
	// complement, so negative deltas work). Absent E: the result is P.
	Add MutationType = 2
	// BitAnd is E & P bytewise. Absent E: the result is P (FoundationDB's
	// AndV2); a present empty E acts as zero.
	BitAnd MutationType = 6
	// BitOr is E | P bytewise. Absent E: the result is P.
	BitOr MutationType = 7
	// BitXor is E ^ P bytewise. Absent E: the result is P.
	BitXor MutationType = 8
	// AppendIfFits appends P to E, unless the result would exceed
	// MaxValueSize, in which case E is left alone without an error.
	AppendIfFits MutationType = 9
	// Max keeps the larger of E and P as unsigned little-endian integers.
	// Absent E: the result is P.
	Max MutationType = 12
	// Min keeps the smaller of E and P as unsigned little-endian integers.
	// Absent E: the result is P (FoundationDB's MinV2); a present empty E
	// acts as zero.
	Min MutationType = 13
	// SetVersionstampedKey sets a key whose bytes contain the commit's
	// versionstamp. The key param ends in a 4-byte little-endian offset of a
	// 10-byte placeholder, which the commit replaces with its versionstamp;
	// the offset is removed. The op's param is the value.
	SetVersionstampedKey MutationType = 14
	// SetVersionstampedValue sets key to P with its 10-byte placeholder,
	// located by P's trailing 4-byte little-endian offset, replaced by the
	// commit's versionstamp; the offset is removed.
	SetVersionstampedValue MutationType = 15
	// ByteMin keeps the lexicographically smaller of E and P. Absent E: P.
	ByteMin MutationType = 16
	// ByteMax keeps the lexicographically larger of E and P. Absent E: P.
	ByteMax MutationType = 17
	// CompareAndClear clears the key if E is present and equal to P.
	CompareAndClear MutationType = 20
)

// String returns the op's name.
func (m MutationType) String() string { return mutation.Type(m).String() }

// Atomic buffers the atomic operation op on key with param. It adds a write
// conflict range on key and no read conflict range, so concurrent atomic
// operations on one key never conflict. Reading the key afterwards in the
// same transaction returns the op applied to the value read (and that read
// adds a read conflict). Ops on one key compose in order; a later Set or
// Clear replaces them. Invalid input (unknown op, key beyond the key space
// or too large, param over MaxValueSize, a versionstamp offset out of
// bounds) fails the transaction at its next read or at Commit.
func (tr *Transaction) Atomic(op MutationType, key, param []byte) {
	tr.lock()
	defer tr.mu.Unlock()
	noConflict, err := tr.beginWrite(key)
	t := mutation.Type(op)
	if err == nil && !t.Valid() {
		err = newError(codeInvalidMutationType, "mutation type %d is not valid", op)
	}
	if err == nil {
		err = checkValueSize(key, param)
	}
	var pos int
	if err == nil && (t == mutation.SetVersionstampedKey || t == mutation.SetVersionstampedValue) {
		stamped := key
		if t == mutation.SetVersionstampedValue {
			stamped = param
		}
		if pos, err = mutation.VersionstampOffset(stamped); err != nil {
			err = newError(codeClientInvalidOperation, "%v for key %q: placeholder offset out of bounds", op, printable(key))
		}
	}
	if err != nil {
		tr.deferErr(err)
		return
	}
	k, p := clone(key), clone(param)
	w := tr.w()
	switch t {
	case mutation.SetVersionstampedKey:
		r := tr.stampedKeyRange(k, pos)
		at := append(clone(r.begin), k[len(k)-4:]...)
		w.vsKeys = append(w.vsKeys, vsKey{key: k, value: p, pos: pos, conflict: !noConflict, at: at})
		w.unreadable = append(w.unreadable, r)
		// Its write conflict range is added at commit, once the key is
		// known.
		tr.countMutation(len(k), len(p))
		tr.checkSize()
		return
	case mutation.SetVersionstampedValue:
		w.setStampedValue(k, p)
	default:
		w.atomic(k, t, p)
	}
	tr.wrote(k, len(p), noConflict)
}

// stampedKeyRange is the range a versionstamped key may land in, which reads
// must not touch before commit: the placeholder filled with every stamp from
// the next possible version to all 0xff. FoundationDB makes the same range
// unreadable for the rest of the attempt, since its content is not known
// until the commit version is (getVersionstampKeyRange in
// fdbclient/include/fdbclient/Atomic.h).
func (tr *Transaction) stampedKeyRange(key []byte, pos int) span {
	body := key[:len(key)-4]
	next := int64(0)
	if tr.hasRV {
		next = tr.rv + 1
	}
	lo := mutation.Stamp(key, pos, mutation.Versionstamp(next, 0))
	hi := clone(body)
	copy(hi[pos:pos+10], bytes.Repeat([]byte{0xff}, 10))
	return span{lo, keyAfter(hi)}
}

// Add is Atomic(Add, key, param): a little-endian add.
func (tr *Transaction) Add(key, param []byte) { tr.Atomic(Add, key, param) }

// BitAnd is Atomic(BitAnd, key, param).
func (tr *Transaction) BitAnd(key, param []byte) { tr.Atomic(BitAnd, key, param) }

// BitOr is Atomic(BitOr, key, param).
func (tr *Transaction) BitOr(key, param []byte) { tr.Atomic(BitOr, key, param) }

// BitXor is Atomic(BitXor, key, param).
func (tr *Transaction) BitXor(key, param []byte) { tr.Atomic(BitXor, key, param) }

// AppendIfFits is Atomic(AppendIfFits, key, param).
func (tr *Transaction) AppendIfFits(key, param []byte) { tr.Atomic(AppendIfFits, key, param) }

// Max is Atomic(Max, key, param).
func (tr *Transaction) Max(key, param []byte) { tr.Atomic(Max, key, param) }

// Min is Atomic(Min, key, param).
func (tr *Transaction) Min(key, param []byte) { tr.Atomic(Min, key, param) }

// ByteMin is Atomic(ByteMin, key, param).
func (tr *Transaction) ByteMin(key, param []byte) { tr.Atomic(ByteMin, key, param) }

// ByteMax is Atomic(ByteMax, key, param).
func (tr *Transaction) ByteMax(key, param []byte) { tr.Atomic(ByteMax, key, param) }

// CompareAndClear is Atomic(CompareAndClear, key, param).
func (tr *Transaction) CompareAndClear(key, param []byte) {
	tr.Atomic(CompareAndClear, key, param)
}

// SetVersionstampedKey is Atomic(SetVersionstampedKey, key, value): key ends
// in the 4-byte little-endian offset of its 10-byte placeholder.
func (tr *Transaction) SetVersionstampedKey(key, value []byte) {
	tr.Atomic(SetVersionstampedKey, key, value)
}

// SetVersionstampedValue is Atomic(SetVersionstampedValue, key, param):
// param ends in the 4-byte little-endian offset of its placeholder.
func (tr *Transaction) SetVersionstampedValue(key, param []byte) {
	tr.Atomic(SetVersionstampedValue, key, param)
}

// AddInt64 adds delta to the 8-byte little-endian counter at key: the usual
// counter idiom, conflict-free under concurrency.
func (tr *Transaction) AddInt64(key []byte, delta int64) {
	var p [8]byte
	binary.LittleEndian.PutUint64(p[:], uint64(delta))
	tr.Atomic(Add, key, p[:])
}

// Versionstamp identifies a commit: its 8-byte big-endian commit version,
// then the 2-byte big-endian order of the transaction within its commit
// batch. plinth commits one transaction per version, so the order is 0.
type Versionstamp [10]byte

// Version returns the commit version in the stamp.
func (v Versionstamp) Version() int64 { return int64(binary.BigEndian.Uint64(v[:8])) }

// Order returns the batch order in the stamp.
func (v Versionstamp) Order() uint16 { return binary.BigEndian.Uint16(v[8:]) }

// FutureVersionstamp is the versionstamp of a transaction's commit, known
// once it commits. It is safe for concurrent use.
type FutureVersionstamp struct {
	once sync.Once
	done chan struct{}
	vs   Versionstamp
	err  error

	// A waiter is also released by the database closing or the
	// transaction's context ending.
	closing <-chan struct{}
	ctx     context.Context
}

func (tr *Transaction) newFutureVersionstamp() *FutureVersionstamp {
	return &FutureVersionstamp{done: make(chan struct{}), closing: tr.db.closing, ctx: tr.contextLocked()}
}

func (f *FutureVersionstamp) resolve(vs Versionstamp, err error) {
	f.once.Do(func() {
		f.vs, f.err = vs, err
		close(f.done)
	})
}

// Get blocks until the transaction's commit finishes, then returns its
// versionstamp, or the commit's error. A read-only commit gives
// ErrNoCommitVersion; a transaction reset, retried or cancelled before
// committing gives ErrTransactionCancelled. A wait is also ended by the
// database closing (ErrDatabaseClosed) and by the transaction's Context
// ending (an error matching the context's). Calling Get before Commit in the
// goroutine that will commit, with neither of those, blocks forever.
func (f *FutureVersionstamp) Get() (Versionstamp, error) {
	select {
	case <-f.done:
		return f.vs, f.err
	default:
	}
	select {
	case <-f.done:
		return f.vs, f.err
	case <-f.closing:
		return Versionstamp{}, newError(codeDatabaseClosed, "closed while waiting for a versionstamp")
	case <-f.ctx.Done():
		return Versionstamp{}, fmt.Errorf("plinth: waiting for a versionstamp: %w", f.ctx.Err())
	}
}

// IsReady reports whether Get would return without blocking.
func (f *FutureVersionstamp) IsReady() bool {
	select {
	case <-f.done:
		return true
	default:
		return false
	}
}

// GetVersionstamp returns a future for the versionstamp of this attempt's
// commit. It must be called before Commit; afterwards the future fails with
// ErrUsedDuringCommit.
func (tr *Transaction) GetVersionstamp() *FutureVersionstamp {
	tr.lock()
	defer tr.mu.Unlock()
	if err := tr.check(); err != nil {
		f := tr.newFutureVersionstamp()
		f.resolve(Versionstamp{}, err)
		return f
	}
	r := tr.rare()
	if r.stamp == nil {
		r.stamp = tr.newFutureVersionstamp()
	}
	return r.stamp
}
