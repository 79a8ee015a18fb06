// Package mutation holds FoundationDB's atomic-operation byte semantics as
// pure functions, shared by kv's read-your-writes (evaluating an op over the
// value a transaction can see) and its commit (evaluating it over the stored
// value).
//
// The invariant: Apply gives, for every Type, exactly the value FoundationDB
// stores at API version 800 — BitAnd behaves as AndV2 and Min as MinV2, so an
// absent key takes the param as is. Inputs are never modified; results may
// share memory with them and are treated as immutable by every caller.
//
// Example, a little-endian counter:
//
//	v, present := mutation.Apply(mutation.Add, []byte{0xff, 0x00}, true, []byte{0x01, 0x00})
//	// v == []byte{0x00, 0x01}, present == true
//
// Versionstamped keys and values are not evaluated by Apply: their param ends
// in a 4-byte little-endian position that VersionstampOffset validates, and
// Stamp writes the commit's 10-byte versionstamp there.
package mutation
