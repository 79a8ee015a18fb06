package tuple

import (
	"bytes"
	"fmt"
)

// Subspace is a key prefix under which tuples are packed, typically itself a
// packed tuple such as ("users"). Keys of a subspace are prefix ‖ t.Pack();
// Unpack strips the prefix again. The zero Subspace has the empty prefix and
// spans the whole key space.
//
// A Subspace copies the prefix it is built from and never changes it, so it
// is safe for concurrent use and cheap to pass by value.
type Subspace struct {
	prefix []byte
}

// NewSubspace returns the subspace whose prefix is prefix followed by the
// packed t. It panics where t.Pack does.
func NewSubspace(prefix []byte, t Tuple) Subspace {
	b, _, err := pack(prefix, t, stampsForbidden, 0)
	if err != nil {
		panic(err)
	}
	return Subspace{prefix: b}
}

// FromBytes returns the subspace with the given raw prefix, copied.
func FromBytes(prefix []byte) Subspace {
	return Subspace{prefix: bytes.Clone(prefix)}
}

// Sub returns the subspace nested in s under the tuple of elems: its prefix
// is s's prefix followed by Tuple(elems).Pack(). It panics where Pack does.
func (s Subspace) Sub(elems ...any) Subspace {
	return NewSubspace(s.prefix, Tuple(elems))
}

// Bytes returns a copy of the subspace's prefix.
func (s Subspace) Bytes() []byte {
	return bytes.Clone(s.prefix)
}

// Pack returns the key of t in s: the prefix followed by t.Pack(), in one
// allocation. It panics where t.Pack does.
func (s Subspace) Pack(t Tuple) []byte {
	b, _, err := pack(s.prefix, t, stampsForbidden, 0)
	if err != nil {
		panic(err)
	}
	return b
}

// PackWithVersionstamp is t.PackWithVersionstamp with s's prefix: the result
// is ready for SetVersionstampedKey, its 4-byte offset counting the prefix.
func (s Subspace) PackWithVersionstamp(t Tuple) ([]byte, error) {
	return t.PackWithVersionstamp(s.prefix)
}

// Unpack returns the tuple packed in key after s's prefix. The error wraps
// ErrKeyOutsideSubspace when key does not start with the prefix, and
// ErrInvalidEncoding when the rest is not a tuple. The prefix itself unpacks
// to the empty tuple.
func (s Subspace) Unpack(key []byte) (Tuple, error) {
	if !s.Contains(key) {
		return nil, fmt.Errorf("%w: key %x, prefix %x", ErrKeyOutsideSubspace, key, s.prefix)
	}
	return Unpack(key[len(s.prefix):])
}

// Contains reports whether key starts with s's prefix (the prefix itself
// included).
func (s Subspace) Contains(key []byte) bool {
	return bytes.HasPrefix(key, s.prefix)
}

// Range returns the range of keys of tuples packed in s:
// [prefix+0x00, prefix+0xff). The prefix itself is not in it.
func (s Subspace) Range() (begin, end []byte) {
	return prefixRange(s.prefix)
}
