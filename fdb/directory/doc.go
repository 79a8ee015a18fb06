// Package directory is FoundationDB's directory layer on plinth, with the
// names and signatures of the binding's package
// (github.com/apple/foundationdb/bindings/go/src/fdb/directory). A directory
// maps a path of names, like a file system's, to a short key prefix chosen
// by the layer, so that applications name their data by paths and the keys
// stay short; Move renames a directory without touching its data.
//
//	app, err := directory.CreateOrOpen(db, []string{"app", "users"}, nil)
//	tr.Set(app.Pack(tuple.Tuple{42}), []byte("ada"))
//
// The layout in the database is FoundationDB's, byte for byte: metadata
// under the node subspace (0xfe for Root), contents at prefixes chosen by the
// high-contention allocator (packed integers for Root), the version key, and
// partitions as nested directory layers. A directory created through
// FoundationDB's bindings opens here with the same prefix, and the other way
// round, so data moves between the two with its directories.
//
// The invariant: no two directories of a layer have prefixes where one is a
// prefix of the other, and none overlaps the node subspace.
package directory
