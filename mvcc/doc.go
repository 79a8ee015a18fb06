// Package mvcc is plinth's versioned ordered store: for every key it keeps the
// values (or deletions) written by recent commits, each tagged with its commit
// version, in one B+ tree ordered by key (tree.go: the store's own, so that
// writes change items in place and scans walk a cursor along its leaves).
//
// The invariant it keeps: a read at version v sees exactly the state after all
// applied commits with version <= v, as long as v is at or above the horizon
// of every Collect call made before the read returns.
//
// No lock is held for work proportional to the data. Scans, commits and
// collections work in steps of a bounded number of keys (256 visited by a
// scan, 64 written by a commit, 32 trimmed by a collection: tens of
// microseconds each), releasing the store's lock between steps; scans and
// commits also give up the processor between steps every 50 µs (Pacer), so
// a short request woken meanwhile is not left waiting for a CPU. This is
// safe because a version, once applied, never changes:
//
//   - A scan re-seeks past the last key it visited and finds the same view
//     of its version: later commits only add newer versions, which it skips,
//     and Collect only drops versions below its horizon, which package kv
//     keeps at or below the read version of every transaction still inside
//     its MVCC window (the others' reads fail with transaction_too_old).
//   - A commit adds each key's new version atomically under the lock, so a
//     read at an older version skips it; nobody reads at the commit's own
//     version until the caller publishes it, after Apply returns. Readers
//     never see half of a commit, and are held up by one only for a step.
//   - Apply and Collect are never concurrent (the caller serialises them),
//     so between the steps of one, only readers run.
//
// The key and value slices a read hands out are those Apply was given, or,
// for an older version, the store's copy of the value in its version
// segments; the store never writes over either, so a caller that promises
// not to modify them may keep them without a copy, even after Collect drops
// their version (package kv's RangeOptions.NoCopy relies on this). They are
// cut to their length, so that an append to one cannot write into the
// store, and a present key's value is never nil: a reader may hand them
// out as they are.
//
// A key's older versions are kept sorted in a chain of segments that hold no
// pointers (the garbage collector skips them), so a read at an old version
// costs a binary search however many newer versions the key has, and a
// collection trims a key in bounded time. The chain hangs from a small
// record that every item of the key shares and the collection queue points
// to, so a trim never searches the tree for its key: it only removes a key
// whose newest version is a deletion.
//
//	s := mvcc.New()
//	s.Apply(1, nil, []mvcc.Write{{Key: []byte("a"), Value: []byte("1")}})
//	v, ok := s.Get([]byte("a"), 1) // "1", true
//	_, ok = s.Get([]byte("a"), 0)  // nil, false: version 0 precedes the write
//
// The items of the last few dozen keys written are also cached by key, so
// a hot key (a counter, a queue's head) is read and overwritten without a
// tree descent.
//
// Store is safe for concurrent use by multiple goroutines, but Apply and
// Collect must be called by one goroutine at a time, in increasing version
// order: the caller (package kv) serialises them under its commit lock.
package mvcc
