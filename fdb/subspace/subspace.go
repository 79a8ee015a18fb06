package subspace

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/plinthdb/plinth/fdb"
	"github.com/plinthdb/plinth/fdb/tuple"
)

// Subspace is a key prefix under which tuples are packed: the keys of a
// subspace are its prefix followed by a packed tuple. A Subspace is also a
// key (its prefix) and an exact range (every key strictly under the prefix),
// so it can be passed to Get, GetRange and ClearRange directly.
type Subspace interface {
	// Sub returns the subspace nested under the tuple of el: this prefix
	// followed by tuple.Tuple(el).Pack().
	Sub(el ...tuple.TupleElement) Subspace

	// Bytes returns the prefix. The caller must not modify it.
	Bytes() []byte

	// Pack returns the key of t: the prefix followed by t.Pack(). It panics
	// where t.Pack does.
	Pack(t tuple.Tuple) fdb.Key

	// PackWithVersionstamp is t.PackWithVersionstamp with the prefix: a key
	// for SetVersionstampedKey whose placeholder position counts the prefix.
	PackWithVersionstamp(t tuple.Tuple) (fdb.Key, error)

	// Unpack returns the tuple packed in k after the prefix; an error if k
	// is not under the prefix or the rest is not a tuple.
	Unpack(k fdb.KeyConvertible) (tuple.Tuple, error)

	// Contains reports whether k starts with the prefix (the prefix itself
	// included).
	Contains(k fdb.KeyConvertible) bool

	// FDBKey returns the prefix as a key.
	fdb.KeyConvertible

	// FDBRangeKeys returns [prefix+0x00, prefix+0xff): every key of a
	// packed tuple under the prefix, not the prefix itself.
	fdb.ExactRange
}

// subspace is the one implementation of Subspace: an immutable prefix.
type subspace struct {
	rawPrefix []byte
}

// AllKeys returns the subspace with the empty prefix: the whole key space.
func AllKeys() Subspace {
	return subspace{}
}

// Sub returns the subspace whose prefix is tuple.Tuple(el).Pack().
func Sub(el ...tuple.TupleElement) Subspace {
	return subspace{tuple.Tuple(el).Pack()}
}

// FromBytes returns the subspace with the raw prefix b, copied.
func FromBytes(b []byte) Subspace {
	return subspace{append([]byte{}, b...)}
}

// String returns Subspace(rawPrefix=<prefix>), the prefix in fdb.Printable
// form.
func (s subspace) String() string {
	return fmt.Sprintf("Subspace(rawPrefix=%s)", fdb.Printable(s.rawPrefix))
}

func (s subspace) Sub(el ...tuple.TupleElement) Subspace {
	return subspace{join(s.rawPrefix, tuple.Tuple(el).Pack())}
}

func (s subspace) Bytes() []byte {
	return s.rawPrefix
}

func (s subspace) Pack(t tuple.Tuple) fdb.Key {
	return join(s.rawPrefix, t.Pack())
}

func (s subspace) PackWithVersionstamp(t tuple.Tuple) (fdb.Key, error) {
	return t.PackWithVersionstamp(s.rawPrefix)
}

// errNotInSubspace is Unpack's error for a key outside the subspace.
var errNotInSubspace = errors.New("key is not in subspace")

func (s subspace) Unpack(k fdb.KeyConvertible) (tuple.Tuple, error) {
	key := keyOf(k)
	if !bytes.HasPrefix(key, s.rawPrefix) {
		return nil, errNotInSubspace
	}
	return tuple.Unpack(key[len(s.rawPrefix):])
}

func (s subspace) Contains(k fdb.KeyConvertible) bool {
	return bytes.HasPrefix(keyOf(k), s.rawPrefix)
}

func (s subspace) FDBKey() fdb.Key {
	return fdb.Key(s.rawPrefix)
}

func (s subspace) FDBRangeKeys() (fdb.KeyConvertible, fdb.KeyConvertible) {
	return fdb.Key(join(s.rawPrefix, []byte{0x00})), fdb.Key(join(s.rawPrefix, []byte{0xff}))
}

func (s subspace) FDBRangeKeySelectors() (fdb.Selectable, fdb.Selectable) {
	b, e := s.FDBRangeKeys()
	return fdb.FirstGreaterOrEqual(b), fdb.FirstGreaterOrEqual(e)
}

// join returns a new slice holding a then b.
func join(a, b []byte) []byte {
	out := make([]byte, 0, len(a)+len(b))
	return append(append(out, a...), b...)
}

func keyOf(k fdb.KeyConvertible) []byte {
	if k == nil {
		return nil
	}
	return k.FDBKey()
}
