package peers

import (
	"encoding/binary"
	"fmt"
	"sort"
)

// Store is one key-value store behind the workloads. Each method is one
// complete transaction: begin, operations, commit (or discard for reads).
// Slices passed in are valid only during the call; a store that keeps them
// copies them. Methods are safe for concurrent use.
type Store interface {
	// Load writes every pair in as few transactions as the store handles
	// well (the harness passes chunks of LoadChunk pairs). Used to load the
	// data set and for the overwrite rounds of the memory benchmark.
	Load(pairs []KV) error

	// Get reads key in a read transaction and returns the length of its
	// value, or -1 when the key is absent.
	Get(key []byte) (int, error)

	// Value returns a copy of key's value, nil when absent (for tests).
	Value(key []byte) ([]byte, error)

	// Scan reads up to n consecutive keys from start (inclusive) in a read
	// transaction and returns how many it saw.
	Scan(start []byte, n int) (int, error)

	// Set writes key in a write transaction of its own.
	Set(key, value []byte) error

	// Read5Write5 reads the five keys of reads and writes value to the five
	// keys of writes in one transaction.
	Read5Write5(reads, writes *[5][]byte, value []byte) error

	// ReadModifyWrite reads key and writes value to it in one transaction,
	// retrying on a conflict; it returns the number of retries.
	ReadModifyWrite(key, value []byte) (retries int, err error)

	// Increment adds 1 to the 8-byte little-endian counter at key (absent
	// counts as 0) by reading it and writing it back in one transaction,
	// retrying on a conflict; it returns the number of retries.
	Increment(key []byte) (retries int, err error)

	// Close releases the store and any file it made.
	Close() error
}

// Adder is a Store with an atomic add that needs no read of the key, such as
// plinth's Atomic(Add, ...).
type Adder interface {
	// Add adds 1 to the 8-byte little-endian counter at key in one
	// transaction and returns the number of retries.
	Add(key []byte) (retries int, err error)
}

// FileSizer is a Store that keeps its data in a file (mapped into memory
// outside the Go heap), such as bbolt.
type FileSizer interface {
	// FileSize returns the size of the store's file in bytes.
	FileSize() (int64, error)
}

// OffHeaper is a Store that keeps some of its data in memory it allocates
// outside the Go heap, which the Memory benchmark's heap figures miss, such
// as SQLite's pages (modernc.org/sqlite allocates them itself) and pebble's
// memtables and block cache with cgo.
type OffHeaper interface {
	// OffHeap returns the bytes the store holds outside the Go heap, as
	// far as it can tell (0 when it holds none).
	OffHeap() (int64, error)
}

// Settler is a Store that reclaims old versions in the background. Settle
// waits until only the live version of each key is left (or gives up) and
// returns an error if that does not happen in reasonable time.
type Settler interface {
	Settle() error
}

// KV is one key and its value.
type KV struct{ Key, Value []byte }

// LoadChunk is the number of pairs the harness passes to one Load call.
const LoadChunk = 10_000

// Info describes a registered store.
type Info struct {
	Name string
	// Note is shown under the results table (what the store is, how it is
	// configured, what its numbers include).
	Note string
	// PointScan is true for stores without key order, whose Scan is n point
	// reads of the next keys by index rather than a range scan.
	PointScan bool
	// Adder is true for stores that implement [Adder].
	Adder bool
	// Retries is true for stores that detect conflicts, so that a
	// transaction may have to run again; the others admit one writer at a
	// time and never retry.
	Retries bool
	open    func(dir string) (Store, error)
	order   int
}

var registry = map[string]Info{}

func register(info Info) {
	if _, dup := registry[info.Name]; dup {
		panic("peers: store registered twice: " + info.Name)
	}
	registry[info.Name] = info
}

// Stores lists the registered stores, plinth first and floors last.
func Stores() []Info {
	out := make([]Info, 0, len(registry))
	for _, info := range registry {
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].order < out[j].order })
	return out
}

// Open opens the named store, empty. dir is a directory the store may use
// for files; it must outlive the store.
func Open(name, dir string) (Store, error) {
	info, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("peers: unknown store %q", name)
	}
	return info.open(dir)
}

// Lookup returns the registered store of that name.
func Lookup(name string) (Info, bool) {
	info, ok := registry[name]
	return info, ok
}

// nextCounter returns a new 8-byte little-endian value one above old (absent
// or short values count as 0).
func nextCounter(old []byte) []byte {
	var n uint64
	if len(old) == 8 {
		n = binary.LittleEndian.Uint64(old)
	}
	out := make([]byte, 8)
	binary.LittleEndian.PutUint64(out, n+1)
	return out
}

// one is the 8-byte little-endian 1 passed to atomic adds.
var one = []byte{1, 0, 0, 0, 0, 0, 0, 0}
