//go:build !cgo

package peers

// cgoEnabled tells whether this build uses cgo, which decides where pebble
// allocates its memtables and block cache (in the Go heap without cgo).
const cgoEnabled = false
