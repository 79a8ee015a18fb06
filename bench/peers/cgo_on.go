//go:build cgo

package peers

// cgoEnabled tells whether this build uses cgo, which decides where pebble
// allocates its memtables and block cache (outside the Go heap with cgo).
const cgoEnabled = true
