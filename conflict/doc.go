// Package conflict is plinth's commit-time conflict checker, the in-process counterpart of
// FoundationDB's resolver.
//
// A transaction reading at version rv may commit only if nothing it read was written by a
// transaction that committed after rv. History remembers, for every key, the version of
// the most recent committed write covering it, as a step function: a sorted set of boundary
// keys, each carrying the version in force from it up to the next boundary (keys before
// the first boundary have version 0). A commit asks, for each of its read conflict ranges
// [begin, end), whether the largest version over the range exceeds its read version, then
// records its write conflict ranges at its commit version.
//
// The invariant: after Add(begin, end, v), every key in [begin, end) has version v and
// every other key keeps its previous version; MaxVersion(begin, end) is the largest version
// of any key in [begin, end), ranges being half-open. RemoveBefore(oldest) weakens that for
// old writes only: intervals older than oldest may be merged and then report some other
// version below oldest, which no reader at or above oldest can tell apart.
//
// The boundaries live in a B+tree whose inner nodes keep, for every child, its smallest
// key and its largest version. A range check descends along the two ends of the range and
// takes whole children in between by their stored maximum, so it costs O(log n) however
// many boundaries the range covers, and it allocates nothing. Wide nodes whose keys sit in
// one buffer keep a check to a few cache misses even for a million boundaries.
//
// History is not safe for concurrent use; the caller serialises commits.
//
// Example:
//
//	h := conflict.New()
//	h.Add([]byte("apple"), []byte("apple\x00"), 10) // a transaction committed at 10 wrote "apple"
//
//	// A transaction that read [a, b) at version 7 must not commit: "apple" changed at 10.
//	_, conflicted := h.Conflicts([]byte("a"), []byte("b"), 7) // true
//
//	// One that read at 10 saw that write and may commit.
//	_, conflicted = h.Conflicts([]byte("a"), []byte("b"), 10) // false
//
//	// Readers more than 5 s (5e6 versions) behind are rejected as too old, so the history
//	// may forget what is older; once per commit, it costs a few boundaries' work.
//	h.RemoveBefore(commitVersion - 5_000_000)
package conflict
