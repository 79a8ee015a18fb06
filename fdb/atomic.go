package fdb

import "github.com/plinthdb/plinth/kv"

// The atomic operations. Each modifies key at commit from its value then
// (absent or present) and param, without reading it: it adds a write
// conflict on key and no read conflict, so concurrent atomic operations on a
// key never conflict. The byte semantics are FoundationDB's (API version 510
// and later), as package kv implements them; "numeric" operations give a
// result as long as param, treating the old value as a little-endian integer
// truncated or zero-padded to that length.

// Add adds param to the value as little-endian two's-complement integers,
// wrapping; an absent value counts as zero.
func (t Transaction) Add(key KeyConvertible, param []byte) {
	t.atomicOp(key, param, kv.Add)
}

// And is BitAnd. Deprecated: use BitAnd.
func (t Transaction) And(key KeyConvertible, param []byte) {
	t.atomicOp(key, param, kv.BitAnd)
}

// BitAnd stores value AND param, bytewise; an absent value gives param.
func (t Transaction) BitAnd(key KeyConvertible, param []byte) {
	t.atomicOp(key, param, kv.BitAnd)
}

// Or is BitOr. Deprecated: use BitOr.
func (t Transaction) Or(key KeyConvertible, param []byte) {
	t.atomicOp(key, param, kv.BitOr)
}

// BitOr stores value OR param, bytewise; an absent value counts as zeros.
func (t Transaction) BitOr(key KeyConvertible, param []byte) {
	t.atomicOp(key, param, kv.BitOr)
}

// Xor is BitXor. Deprecated: use BitXor.
func (t Transaction) Xor(key KeyConvertible, param []byte) {
	t.atomicOp(key, param, kv.BitXor)
}

// BitXor stores value XOR param, bytewise; an absent value counts as zeros.
func (t Transaction) BitXor(key KeyConvertible, param []byte) {
	t.atomicOp(key, param, kv.BitXor)
}

// AppendIfFits appends param to the value (an absent value is empty), unless
// the result would exceed the 100,000-byte value limit, in which case the
// value is left as it is, without an error.
func (t Transaction) AppendIfFits(key KeyConvertible, param []byte) {
	t.atomicOp(key, param, kv.AppendIfFits)
}

// Max stores the larger of the value and param, compared as unsigned
// little-endian integers; an absent value gives param.
func (t Transaction) Max(key KeyConvertible, param []byte) {
	t.atomicOp(key, param, kv.Max)
}

// Min stores the smaller of the value and param, compared as unsigned
// little-endian integers; an absent value gives param.
func (t Transaction) Min(key KeyConvertible, param []byte) {
	t.atomicOp(key, param, kv.Min)
}

// SetVersionstampedKey sets a key made from key by the commit: key ends in
// the 4-byte little-endian position (2-byte before API version 520) of a
// 10-byte placeholder, which the commit replaces with its versionstamp, the
// position being removed. param is the value. tuple.PackWithVersionstamp
// builds such keys. Reading the key back in the same transaction fails with
// ErrAccessedUnreadable.
func (t Transaction) SetVersionstampedKey(key KeyConvertible, param []byte) {
	t.atomicOp(key, param, kv.SetVersionstampedKey)
}

// SetVersionstampedValue sets key to param with the 10-byte placeholder at
// the 4-byte little-endian position param ends in replaced by the commit's
// versionstamp, the position being removed (before API version 520 the
// placeholder is param's first 10 bytes and there is no position).
func (t Transaction) SetVersionstampedValue(key KeyConvertible, param []byte) {
	t.atomicOp(key, param, kv.SetVersionstampedValue)
}

// ByteMin stores the lexicographically smaller of the value and param; an
// absent value gives param.
func (t Transaction) ByteMin(key KeyConvertible, param []byte) {
	t.atomicOp(key, param, kv.ByteMin)
}

// ByteMax stores the lexicographically larger of the value and param; an
// absent value gives param.
func (t Transaction) ByteMax(key KeyConvertible, param []byte) {
	t.atomicOp(key, param, kv.ByteMax)
}

// CompareAndClear clears key if its value equals param.
func (t Transaction) CompareAndClear(key KeyConvertible, param []byte) {
	t.atomicOp(key, param, kv.CompareAndClear)
}
