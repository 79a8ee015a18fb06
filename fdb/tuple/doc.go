// Package tuple is FoundationDB's Go binding tuple layer on plinth: Tuple,
// Pack, Unpack, PackWithVersionstamp and the element types, with the same
// names and signatures as the binding's package
// (github.com/apple/foundationdb/bindings/go/src/fdb/tuple). The encoding
// itself is plinth's own tuple package, which produces FoundationDB's bytes
// for every value, so keys packed here are the keys FoundationDB's bindings
// pack.
//
// A Tuple is an fdb.KeyConvertible (its packed bytes) and an fdb.ExactRange
// (every longer tuple that starts with it):
//
//	key := tuple.Tuple{"users", int64(42)} // use as a key directly
//	tr.Set(key, []byte("ada"))
//	rows := tr.GetRange(tuple.Tuple{"users"}, fdb.RangeOptions{}).GetSliceOrPanic()
//
// The invariant: for tuples a and b of supported elements,
// bytes.Compare(a.Pack(), b.Pack()) agrees with the tuple order, and
// Unpack(t.Pack()) gives t back with its elements in canonical types.
package tuple
