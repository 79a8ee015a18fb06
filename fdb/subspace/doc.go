// Package subspace is FoundationDB's Go binding subspace layer on plinth: a
// Subspace is a key prefix, usually a packed tuple, under which an
// application packs its keys. It has the binding's names and signatures
// (github.com/apple/foundationdb/bindings/go/src/fdb/subspace).
//
//	users := subspace.Sub("users")
//	tr.Set(users.Pack(tuple.Tuple{42}), []byte("ada"))
//	t, err := users.Unpack(key) // (42)
//	tr.ClearRange(users)        // every key under ("users")
//
// The invariant: a Subspace never changes its prefix, and every key it packs
// starts with that prefix and unpacks to the tuple that was packed.
package subspace
