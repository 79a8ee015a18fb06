// Package mvcc is plinth's versioned ordered store: for every key it keeps the
// values (or deletions) written by recent commits, each tagged with its commit
// version, in one google/btree ordered by key.
//
// The invariant it keeps: a read at version v sees exactly the state after all
// applied commits with version <= v. A commit is applied under the write lock,
// so no reader observes half of one; readers take the read lock only for the
// duration of one lookup or one bounded batch of a scan, so they never wait for
// each other and are held up by a commit only while it is being applied.
//
// Old versions are reclaimed by Collect: once no reader may ask for a version
// below some horizon h, every key keeps only its newest version <= h (or
// nothing, if that is a deletion) plus what came after.
//
//	s := mvcc.New()
//	s.Apply(1, nil, []mvcc.Write{{Key: []byte("a"), Value: []byte("1")}})
//	v, ok := s.Get([]byte("a"), 1) // "1", true
//	_, ok = s.Get([]byte("a"), 0)  // nil, false: version 0 precedes the write
//
// Store is safe for concurrent use by multiple goroutines, but Apply and
// Collect must be called by one goroutine at a time, in increasing version
// order: the caller (package kv) serialises commits.
package mvcc
