package kv

import (
	"github.com/plinthdb/plinth/selector"
)

// KeyValue is one row of a range read. Both slices belong to the caller,
// unless the read was made with RangeOptions.NoCopy.
type KeyValue struct {
	Key, Value []byte
}

// RangeOptions shape a range read.
type RangeOptions struct {
	// Limit is the most rows to return; 0 means no limit. Negative limits
	// are refused with ErrRangeLimitsInvalid.
	Limit int
	// Reverse returns rows in descending key order; with a limit, the last
	// Limit rows of the range.
	Reverse bool
	// NoCopy returns keys and values that alias the store's memory (or the
	// transaction's pending writes) instead of copies, which saves a copy
	// per row. They stay valid for as long as the caller keeps them, since
	// a committed version, like a pending write, is never changed in place,
	// but the caller must never modify them. Their capacity is their
	// length, so an append copies rather than writing over a neighbour.
	NoCopy bool
}

// Range is anything that delimits a range read by two key selectors: the
// range holds every key k with resolve(begin) <= k < resolve(end).
type Range interface {
	Selectors() (begin, end selector.KeySelector)
}

// KeyRange is the half-open key range [Begin, End).
type KeyRange struct {
	Begin, End []byte
}

// Selectors returns FirstGreaterOrEqual(Begin) and FirstGreaterOrEqual(End).
func (r KeyRange) Selectors() (begin, end selector.KeySelector) {
	return selector.FirstGreaterOrEqual(r.Begin), selector.FirstGreaterOrEqual(r.End)
}

// SelectorRange is the range between two key selectors: begin inclusive,
// end exclusive, each resolved against the transaction's view.
type SelectorRange struct {
	Begin, End selector.KeySelector
}

// Selectors returns r's two selectors.
func (r SelectorRange) Selectors() (begin, end selector.KeySelector) {
	return r.Begin, r.End
}

// PrefixRange returns the range of every key that starts with prefix:
// [prefix, Strinc(prefix)). An empty prefix, or one of only 0xff bytes, has
// no such range and gives ErrClientInvalidOperation, as FoundationDB's
// Strinc does (its code there is 2000 too).
func PrefixRange(prefix []byte) (KeyRange, error) {
	end, err := Strinc(prefix)
	if err != nil {
		return KeyRange{}, err
	}
	return KeyRange{Begin: append([]byte(nil), prefix...), End: end}, nil
}

// Strinc returns the first key that does not have prefix as a prefix: the
// prefix with trailing 0xff bytes dropped and its last byte incremented. An
// empty or all-0xff prefix gives an error.
func Strinc(prefix []byte) ([]byte, error) {
	n := len(prefix)
	for n > 0 && prefix[n-1] == 0xff {
		n--
	}
	if n == 0 {
		return nil, newError(codeClientInvalidOperation, "key %q must contain at least one byte other than 0xff", printable(prefix))
	}
	out := append([]byte(nil), prefix[:n]...)
	out[n-1]++
	return out, nil
}

// KeyAfter returns the first key after k in key order: k followed by a zero
// byte. It is what a paginated read continues from:
// KeyRange{Begin: KeyAfter(last.Key), End: end}. The result is a new slice.
func KeyAfter(k []byte) []byte { return keyAfter(k) }

// RangeOf returns the KeyRange [begin, end) of anything that reports its
// extent as Range() (begin, end []byte), such as a tuple.Tuple or a
// tuple.Subspace, so those read as ranges directly:
//
//	rows, err := tr.GetRange(kv.RangeOf(users), kv.RangeOptions{})
//
// A nil r gives an empty range that reads nothing.
func RangeOf(r interface{ Range() (begin, end []byte) }) KeyRange {
	if r == nil {
		return KeyRange{}
	}
	b, e := r.Range()
	return KeyRange{Begin: b, End: e}
}

// keyAfter returns the first key after k: k followed by a zero byte.
func keyAfter(k []byte) []byte {
	out := make([]byte, len(k)+1)
	copy(out, k)
	return out
}
