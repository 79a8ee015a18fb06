package tuple

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Tuple is an ordered list of elements that packs to an order-preserving key.
// The supported element types are listed in the package documentation; a
// Tuple is plain data and safe for concurrent reads.
type Tuple []any

// UUID is a 16-byte RFC 4122 UUID, encoded as its bytes in order. Any UUID
// library's value converts to it as a [16]byte array.
type UUID [16]byte

// Versionstamp is the tuple layer's 12-byte versionstamp: the 10-byte
// transaction versionstamp assigned at commit (8-byte big-endian commit
// version, 2-byte big-endian batch order) and a 2-byte user version that
// orders several stamps written by one transaction.
//
// A Versionstamp whose TransactionVersion is all 0xff is incomplete: a
// placeholder the store fills in at commit. Build one with
// IncompleteVersionstamp and pack it with PackWithVersionstamp.
type Versionstamp struct {
	TransactionVersion [10]byte
	UserVersion        uint16
}

// incompleteTransactionVersion is the placeholder FoundationDB recognises.
var incompleteTransactionVersion = [10]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// IncompleteVersionstamp returns a placeholder Versionstamp with the given
// user version, for use with PackWithVersionstamp and SetVersionstampedKey
// or SetVersionstampedValue.
func IncompleteVersionstamp(userVersion uint16) Versionstamp {
	return Versionstamp{TransactionVersion: incompleteTransactionVersion, UserVersion: userVersion}
}

// Bytes returns the 12 bytes a Versionstamp encodes to after its type code:
// TransactionVersion followed by UserVersion big-endian.
func (v Versionstamp) Bytes() []byte {
	b := make([]byte, versionstampLen)
	copy(b, v.TransactionVersion[:])
	binary.BigEndian.PutUint16(b[10:], v.UserVersion)
	return b
}

func (v Versionstamp) incomplete() bool {
	return v.TransactionVersion == incompleteTransactionVersion
}

// Pack returns the encoding of t in a new slice sized exactly. It panics,
// with an error wrapping ErrUnsupportedType, ErrIntegerTooLarge or
// ErrIncompleteVersionstamp, if t holds an element that cannot be encoded or
// an incomplete Versionstamp — the same cases in which FoundationDB's Go
// binding panics. Use PackE to get the error instead.
func (t Tuple) Pack() []byte {
	b, err := t.PackE()
	if err != nil {
		panic(err)
	}
	return b
}

// PackE is Pack returning an error instead of panicking: it wraps
// ErrUnsupportedType, ErrIntegerTooLarge or ErrIncompleteVersionstamp.
func (t Tuple) PackE() ([]byte, error) {
	b, _, err := pack(nil, t, stampsForbidden, 0)
	return b, err
}

// PackWithVersionstamp returns prefix followed by the encoding of t and the
// 4-byte little-endian position of the incomplete versionstamp's 10-byte
// placeholder within the key (prefix included): the key or value parameter
// SetVersionstampedKey and SetVersionstampedValue expect (API version 520 and
// later). t must hold exactly one incomplete Versionstamp, anywhere in it or
// in its nested tuples; otherwise the error wraps ErrNoIncompleteVersionstamp
// or ErrMultipleIncompleteVersionstamps. Unlike Pack it returns, rather than
// panics with, the errors for unencodable elements.
func (t Tuple) PackWithVersionstamp(prefix []byte) ([]byte, error) {
	b, pos, err := pack(prefix, t, stampsExactlyOne, 4)
	if err != nil {
		return nil, err
	}
	if uint64(pos) > math.MaxUint32 {
		return nil, fmt.Errorf("tuple: versionstamp position %d does not fit the 4-byte offset", pos)
	}
	return binary.LittleEndian.AppendUint32(b, uint32(pos)), nil
}

// HasIncompleteVersionstamp reports whether t, or a tuple nested in it, holds
// an incomplete Versionstamp. The error wraps
// ErrMultipleIncompleteVersionstamps when it holds more than one, which
// PackWithVersionstamp would reject.
func (t Tuple) HasIncompleteVersionstamp() (bool, error) {
	n := countIncomplete(t)
	if n > 1 {
		return true, ErrMultipleIncompleteVersionstamps
	}
	return n == 1, nil
}

func countIncomplete(t Tuple) int {
	n := 0
	for _, e := range t {
		switch e := e.(type) {
		case Versionstamp:
			if e.incomplete() {
				n++
			}
		case Tuple:
			n += countIncomplete(e)
		}
	}
	return n
}

// Range returns the key range of every tuple that starts with t and is
// longer than it: [t.Pack()+0x00, t.Pack()+0xff). The packed t itself is not
// in the range. Range panics where Pack does.
func (t Tuple) Range() (begin, end []byte) {
	return prefixRange(t.Pack())
}

// prefixRange returns [p+0x00, p+0xff) in one allocation.
func prefixRange(p []byte) (begin, end []byte) {
	n := len(p) + 1
	buf := make([]byte, 2*n)
	copy(buf, p)
	copy(buf[n:], p)
	buf[n-1] = 0x00
	buf[2*n-1] = 0xff
	return buf[:n:n], buf[n:]
}
