// Package tuple implements FoundationDB's tuple layer: an order-preserving,
// self-describing encoding of short lists of typed values into byte strings,
// plus Subspace, a key prefix that such tuples are packed under.
//
// The invariant the package keeps is order: for any two tuples a and b made of
// supported elements, bytes.Compare(a.Pack(), b.Pack()) agrees with the tuple
// order — element by element, first by type (nil < []byte < string < nested
// Tuple < integers < float32 < float64 < false < true < UUID < Versionstamp),
// then by value, a proper prefix sorting first. Packed bytes are identical to
// those of FoundationDB's own bindings, so keys written here read the same as
// keys written through FoundationDB.
//
// # Element types
//
// Pack accepts nil, []byte, string, every fixed-width Go integer (int, int8 …
// int64, uint, uint8 … uint64), *big.Int and big.Int (up to 255 bytes of
// magnitude), float32, float64, bool, UUID, Versionstamp and nested Tuple.
// Integers of all Go types share one encoding and one order. Unpack returns
// canonical types: []byte, string, int64 for integers that fit, uint64 only
// above math.MaxInt64, *big.Int beyond 64 bits, float32, float64, bool, UUID,
// Versionstamp and Tuple, so a round trip normalises an int32 to int64.
//
// # Errors and panics
//
// Pack panics on an element it cannot encode or on an incomplete
// Versionstamp, as FoundationDB's Go binding does: such a tuple is a
// programming error, and panicking keeps Pack usable in expressions. The panic
// value is an error wrapping ErrUnsupportedType, ErrIntegerTooLarge or
// ErrIncompleteVersionstamp. PackE returns that error instead. Unpack never
// panics: malformed input gives an error wrapping ErrInvalidEncoding.
//
// # Where bindings disagree
//
// The bindings differ on a few inputs; this package follows the Go binding:
// ±(2^64-1) pack with the 8-byte codes 0x1c and 0x0c (Python uses the
// variable-length codes 0x1d and 0x0b; Unpack still reads that form), and
// strings are packed and unpacked as their raw bytes without checking UTF-8
// (Python rejects invalid UTF-8).
//
// # Example
//
//	users := tuple.NewSubspace(nil, tuple.Tuple{"users"})
//	key := users.Pack(tuple.Tuple{int64(42), "email"}) // 02 75 73 65 72 73 00 15 2a 02 65 6d 61 69 6c 00
//	t, err := users.Unpack(key)                          // (42, "email")
//	begin, end := users.Range()                          // every key under ("users")
package tuple
