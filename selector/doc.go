// Package selector defines FoundationDB key selectors and resolves them over
// any ordered key source.
//
// A KeySelector (Key, OrEqual, Offset) names a key by position: take the last
// key less than Key (less than or equal when OrEqual), then step Offset keys
// forward. The four constructors cover the common cases:
//
//	FirstGreaterOrEqual(k)  (k, false, 1)  least key >= k
//	FirstGreaterThan(k)     (k, true, 1)   least key > k
//	LastLessOrEqual(k)      (k, true, 0)   greatest key <= k
//	LastLessThan(k)         (k, false, 0)  greatest key < k
//
// Resolve applies the rule to a Source among the keys below a bound maxKey
// (`\xff` for ordinary transactions, `\xff\xff` with system-key access). It
// never fails for running off an end: before the first key it gives the empty
// key, past the last it gives maxKey, so a resolved key is always in
// ["", maxKey]. Its cost is proportional to |Offset|, as in FoundationDB:
// selectors with large offsets are not a paging mechanism.
//
// Example, over the keys b, d, f:
//
//	src := selector.SliceSource{[]byte("b"), []byte("d"), []byte("f")}
//	k, _ := selector.Resolve(src, selector.FirstGreaterThan([]byte("b")), []byte("\xff"))
//	// k == "d"
//
// The package imports nothing of plinth's; package kv resolves selectors over
// its merged view of the database snapshot and the transaction's own writes.
package selector
