// Package peers runs plinth's workloads side by side with the embedded Go
// stores a user would pick instead: badger (in-memory mode), pebble (on an
// in-memory file system), go-memdb, buntdb (":memory:"), bbolt (on a
// temporary file, with and without fsync), SQLite (modernc.org/sqlite, in
// memory), and two floors that are not transactional stores at all, a map
// under a sync.RWMutex and a google/btree under a sync.RWMutex. Two variants
// show what handing out copies costs: plinth-copy scans with plinth's
// default, copying range read where plinth uses NoCopy, and btree-copy
// copies what the btree floor's Get and Scan read into caller-owned memory.
//
// It is a module of its own (github.com/plinthdb/plinth/bench/peers) so that
// the peers' dependencies stay out of plinth's go.mod.
//
// Every store sits behind [Store], whose methods are each one complete
// transaction: begin, do the operations, commit or discard. The benchmarks in
// peers_test.go drive the same workloads, on the same data, through every
// store that can express them:
//
//	Get          point read in a read transaction
//	Scan100      read transaction over 100 consecutive keys
//	Set1         write transaction with one overwrite
//	Read5Write5  5 random reads and 5 random writes, committed together
//	YCSB         mixes A, B, C, E, F with a scrambled zipfian key choice
//	Parallel     1, 2, 4, 8 goroutines: 90% Get, 10% Set1, uniform keys
//	Counter      goroutines incrementing one key: read-modify-write on every
//	             store, and plinth's atomic Add (no read conflict)
//	Memory       heap bytes per live key after a load and after overwrites
//
// Keys are 16 bytes ("k" and a 15-digit index), values 100 random bytes.
// The environment chooses the store and the sizes (see peers_test.go), so
// that bench/run.sh can give each store its own process and heap.
package peers
