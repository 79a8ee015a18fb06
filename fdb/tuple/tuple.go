package tuple

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unsafe"

	"github.com/plinthdb/plinth/fdb"
	ptuple "github.com/plinthdb/plinth/tuple"
)

// A TupleElement is one element of a Tuple. The types that pack are nil,
// []byte and any fdb.KeyConvertible (packed as its key's bytes), string, the
// Go integer types, *big.Int and big.Int, float32, float64, bool, UUID,
// Versionstamp and a nested Tuple. Packing any other type panics.
type TupleElement interface{}

// Tuple is a list of elements that packs into a key whose byte order is the
// tuple order: element by element, first by type, then by value. The bytes
// are FoundationDB's tuple encoding, so keys move unchanged between plinth
// and FoundationDB. Unpack returns elements in canonical types: []byte,
// string, int64 (uint64 above math.MaxInt64, *big.Int beyond 64 bits),
// float32, float64, bool, UUID, Versionstamp, Tuple and nil.
type Tuple []TupleElement

// UUID is a 16-byte UUID, packed as its bytes. Any UUID library's value
// converts to it as a [16]byte array.
type UUID [16]byte

// String returns u in the 8-4-4-4-12 hexadecimal form.
func (u UUID) String() string {
	return ptuple.UUID(u).String()
}

// Versionstamp is a 12-byte versionstamp: the 10-byte transaction
// versionstamp a commit assigns (8-byte big-endian commit version, 2-byte
// order) and a 2-byte user version that orders several stamps of one
// transaction. One whose TransactionVersion is all 0xff is incomplete: a
// placeholder the commit fills in (see IncompleteVersionstamp and
// PackWithVersionstamp).
type Versionstamp struct {
	TransactionVersion [10]byte
	UserVersion        uint16
}

// String returns v as Versionstamp(<transaction version>, <user version>),
// the transaction version in fdb.Printable form.
func (v Versionstamp) String() string {
	return fmt.Sprintf("Versionstamp(%s, %d)", fdb.Printable(v.TransactionVersion[:]), v.UserVersion)
}

// IncompleteVersionstamp returns the placeholder versionstamp with the given
// user version, to pack with PackWithVersionstamp.
func IncompleteVersionstamp(userVersion uint16) Versionstamp {
	return Versionstamp(ptuple.IncompleteVersionstamp(userVersion))
}

// Bytes returns the 12 bytes v packs to after its type code: the transaction
// version, then the user version big-endian.
func (v Versionstamp) Bytes() []byte {
	return ptuple.Versionstamp(v).Bytes()
}

// String returns a readable form of t, such as ("a", 1, b"\x00", <nil>).
// It is not an encoding: use Pack.
func (t Tuple) String() string {
	var b strings.Builder
	writeTuple(&b, t)
	return b.String()
}

func writeTuple(b *strings.Builder, t Tuple) {
	b.WriteByte('(')
	for i, e := range t {
		if i > 0 {
			b.WriteString(", ")
		}
		switch e := e.(type) {
		case Tuple:
			writeTuple(b, e)
		case nil:
			b.WriteString("<nil>")
		case string:
			b.WriteString(strconv.Quote(e))
		case UUID:
			b.WriteString("UUID(" + e.String() + ")")
		case []byte:
			b.WriteString(`b"` + fdb.Printable(e) + `"`)
		default:
			fmt.Fprintf(b, "%v", e)
		}
	}
	b.WriteByte(')')
}

// Pack returns the encoding of t. It panics if t holds an element of a type
// that does not pack, an integer beyond ±(2^2040-1), or an incomplete
// Versionstamp (use PackWithVersionstamp), as FoundationDB's binding does.
// Tuple is an fdb.KeyConvertible, so a Tuple may be passed as a key directly.
func (t Tuple) Pack() []byte {
	return toPlinth(t).Pack()
}

// PackWithVersionstamp returns prefix followed by the encoding of t and the
// little-endian position of its incomplete versionstamp's placeholder within
// the result: the key SetVersionstampedKey takes. The position is 4 bytes, or
// 2 before API version 520. It fails when t holds no incomplete Versionstamp
// or more than one, when an element does not pack, and before fdb.APIVersion.
func (t Tuple) PackWithVersionstamp(prefix []byte) ([]byte, error) {
	if _, err := t.HasIncompleteVersionstamp(); err != nil {
		return nil, err
	}
	apiVersion, err := fdb.GetAPIVersion()
	if err != nil {
		return nil, err
	}
	b, err := toPlinth(t).PackWithVersionstamp(prefix)
	if err != nil {
		return nil, err
	}
	if apiVersion < 520 {
		pos := binary.LittleEndian.Uint32(b[len(b)-4:])
		if pos > math.MaxUint16 {
			return nil, errors.New("tuple: versionstamp position too large for API versions before 520")
		}
		b = b[:len(b)-2]
	}
	return b, nil
}

// HasIncompleteVersionstamp reports whether t, or a tuple nested in it, holds
// an incomplete Versionstamp; the error says when it holds more than one,
// which PackWithVersionstamp refuses.
func (t Tuple) HasIncompleteVersionstamp() (bool, error) {
	return toPlinth(t).HasIncompleteVersionstamp()
}

// Unpack decodes a packed tuple, or returns an error if b is not one. It
// never panics. Elements come back in the canonical types listed at Tuple.
func Unpack(b []byte) (Tuple, error) {
	pt, err := ptuple.Unpack(b)
	if err != nil {
		return nil, err
	}
	return fromPlinth(pt), nil
}

// FDBKey returns t.Pack(), so that a Tuple is an fdb.KeyConvertible. It
// panics where Pack does.
func (t Tuple) FDBKey() fdb.Key {
	return t.Pack()
}

// FDBRangeKeys returns the range of every tuple that starts with t and is
// longer than it: [t.Pack()+0x00, t.Pack()+0xff). t itself is not in it.
func (t Tuple) FDBRangeKeys() (fdb.KeyConvertible, fdb.KeyConvertible) {
	begin, end := toPlinth(t).Range()
	return fdb.Key(begin), fdb.Key(end)
}

// FDBRangeKeySelectors returns FirstGreaterOrEqual of the two keys of
// FDBRangeKeys.
func (t Tuple) FDBRangeKeySelectors() (fdb.Selectable, fdb.Selectable) {
	b, e := t.FDBRangeKeys()
	return fdb.FirstGreaterOrEqual(b), fdb.FirstGreaterOrEqual(e)
}

// toPlinth converts t into the element types of plinth's tuple package, which
// does the encoding: nested tuples, UUIDs, versionstamps and KeyConvertibles
// become their plinth forms; a tuple that holds none is reused as it is.
func toPlinth(t Tuple) ptuple.Tuple {
	if !needsConversion(t) {
		return asPlinth(t)
	}
	out := make(ptuple.Tuple, len(t))
	for i, e := range t {
		switch e := e.(type) {
		case Tuple:
			out[i] = toPlinth(e)
		case UUID:
			out[i] = ptuple.UUID(e)
		case Versionstamp:
			out[i] = ptuple.Versionstamp(e)
		case []byte, string, nil:
			out[i] = e
		case fdb.KeyConvertible:
			out[i] = []byte(e.FDBKey())
		default:
			out[i] = e
		}
	}
	return out
}

// asPlinth and asTuple reinterpret a slice of one empty-interface element
// type as a slice of the other. TupleElement is a defined empty interface
// and any the predeclared one: their values have the same representation,
// so the slices share memory and the conversion costs nothing.
func asPlinth(t Tuple) ptuple.Tuple { return *(*ptuple.Tuple)(unsafe.Pointer(&t)) }

func asTuple(t ptuple.Tuple) Tuple { return *(*Tuple)(unsafe.Pointer(&t)) }

func needsConversion(t Tuple) bool {
	for _, e := range t {
		switch e.(type) {
		case []byte, string, nil, int64, int, uint64, bool, float32, float64:
		case Tuple, UUID, Versionstamp, fdb.KeyConvertible:
			return true
		}
	}
	return false
}

// fromPlinth converts an unpacked plinth tuple into this package's types.
func fromPlinth(pt ptuple.Tuple) Tuple {
	if len(pt) == 0 {
		return nil
	}
	t := asTuple(pt)
	for i, e := range t {
		switch e := e.(type) {
		case ptuple.Tuple:
			t[i] = fromPlinth(e)
		case ptuple.UUID:
			t[i] = UUID(e)
		case ptuple.Versionstamp:
			t[i] = Versionstamp(e)
		}
	}
	return t
}
