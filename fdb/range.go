package fdb

import (
	"errors"

	"github.com/plinthdb/plinth/selector"
)

// KeyValue is one row of a range read.
type KeyValue struct {
	Key   Key
	Value []byte
}

// RangeOptions shape a range read. The zero value reads the whole range in
// ascending order, in batches that grow as the caller iterates.
type RangeOptions struct {
	// Limit is the most rows to return; 0 means no limit.
	Limit int

	// Mode says how many rows each batch fetches (see StreamingMode). With
	// plinth it changes only the batch sizes, never the rows returned.
	Mode StreamingMode

	// Reverse returns rows in descending key order; with a Limit, the last
	// Limit rows of the range.
	Reverse bool
}

// A Range is anything that delimits keys by two key selectors: every key k
// with begin <= k < end, after both are resolved.
type Range interface {
	// FDBRangeKeySelectors returns the selectors of the range's two ends.
	FDBRangeKeySelectors() (begin, end Selectable)
}

// An ExactRange is a Range delimited by two keys rather than selectors:
// [begin, end). Its selectors are FirstGreaterOrEqual of the keys.
type ExactRange interface {
	// FDBRangeKeys returns the range's first key and the key after its end.
	FDBRangeKeys() (begin, end KeyConvertible)

	// Every ExactRange is also a Range.
	Range
}

// KeyRange is the ExactRange [Begin, End). The zero KeyRange is the empty
// range at the start of the key space.
type KeyRange struct {
	// Begin is the range's first key (inclusive).
	Begin KeyConvertible

	// End is the first key after the range (exclusive).
	End KeyConvertible
}

// FDBRangeKeys returns kr.Begin and kr.End.
func (kr KeyRange) FDBRangeKeys() (KeyConvertible, KeyConvertible) {
	return kr.Begin, kr.End
}

// FDBRangeKeySelectors returns FirstGreaterOrEqual of kr.Begin and kr.End.
func (kr KeyRange) FDBRangeKeySelectors() (Selectable, Selectable) {
	return FirstGreaterOrEqual(kr.Begin), FirstGreaterOrEqual(kr.End)
}

// SelectorRange is the Range between two selectors: Begin inclusive, End
// exclusive. The zero SelectorRange is empty.
type SelectorRange struct {
	Begin, End Selectable
}

// FDBRangeKeySelectors returns sr.Begin and sr.End.
func (sr SelectorRange) FDBRangeKeySelectors() (Selectable, Selectable) {
	return sr.Begin, sr.End
}

// RangeResult is the result of a range read, returned by GetRange. The first
// batch of rows is read when GetRange is called (so it reflects the
// transaction's writes up to then); later batches are read as an iterator
// reaches them. It is safe for concurrent use, and every Iterator of it
// starts from the first row. Do not return it from a transactional function.
type RangeResult struct {
	t        *transaction
	begin    selector.KeySelector
	end      selector.KeySelector
	options  RangeOptions
	snapshot bool
	first    *rangeBatch
}

// rangeBatch is one batch of a range read. more tells that the batch was cut
// by its row limit, so the range may hold further rows.
type rangeBatch struct {
	kvs  []KeyValue
	more bool
	err  error
}

// GetSliceWithError returns every row of the range read (all of them up to
// the Limit), reading what the first batch did not hold in one more read, or
// the first error.
func (rr RangeResult) GetSliceWithError() ([]KeyValue, error) {
	ri := rr.Iterator()
	ri.options.Mode = StreamingModeWantAll
	var ret []KeyValue
	for ri.Advance() {
		if ri.err != nil {
			return nil, ri.err
		}
		ret = append(ret, ri.kvs[ri.index:]...)
		ri.index = len(ri.kvs)
	}
	return ret, nil
}

// GetSliceOrPanic is GetSliceWithError that panics with its error (an Error,
// which Transact and ReadTransact recover).
func (rr RangeResult) GetSliceOrPanic() []KeyValue {
	kvs, err := rr.GetSliceWithError()
	if err != nil {
		panic(err)
	}
	return kvs
}

// Iterator returns a new iterator over the rows of the range read, from the
// first.
func (rr RangeResult) Iterator() *RangeIterator {
	return &RangeIterator{
		rr:      rr,
		begin:   rr.begin,
		end:     rr.end,
		options: rr.options,
		done:    rr.first == nil,
	}
}

// RangeIterator walks the rows of a range read in order. Call Advance, and
// only when it returns true call Get or MustGet, for each row. A
// RangeIterator is for one goroutine; several iterators of one RangeResult
// may run concurrently. Do not return it from a transactional function.
//
// Each batch read adds its own read conflict range (for a non-snapshot
// read): a loop that stops early has depended only on the batches it read.
type RangeIterator struct {
	rr         RangeResult
	begin, end selector.KeySelector
	options    RangeOptions
	iteration  int
	kvs        []KeyValue
	index      int
	more       bool
	done       bool
	err        error
}

// Advance reports whether Get has a row (or an error) to return, reading the
// next batch when the current one is used up. It returns false once the
// range is exhausted or the Limit reached.
func (ri *RangeIterator) Advance() bool {
	for {
		if ri.err != nil {
			return true
		}
		if ri.index < len(ri.kvs) {
			return true
		}
		if ri.done {
			return false
		}
		ri.fetch()
	}
}

// fetch reads the next batch: the RangeResult's first one, then a read from
// just past the last row returned.
func (ri *RangeIterator) fetch() {
	var b *rangeBatch
	if ri.iteration == 0 {
		b = ri.rr.first
	} else {
		last := ri.kvs[len(ri.kvs)-1].Key
		if ri.options.Reverse {
			ri.end = selector.FirstGreaterOrEqual(last)
		} else {
			ri.begin = selector.FirstGreaterThan(last)
		}
		b = ri.rr.t.readBatch(ri.begin, ri.end, ri.options, ri.iteration+1, ri.rr.snapshot)
	}
	ri.iteration++
	ri.kvs, ri.index, ri.more, ri.err = b.kvs, 0, b.more, b.err
	if ri.options.Limit > 0 {
		ri.options.Limit -= len(b.kvs)
		if ri.options.Limit <= 0 {
			ri.done = true
		}
	}
	if !b.more || len(b.kvs) == 0 {
		ri.done = true
	}
}

// Get returns the next row, or the error that ended the read. Advance must
// have returned true just before; otherwise Get returns
// ErrClientInvalidOperation.
func (ri *RangeIterator) Get() (kv KeyValue, err error) {
	if ri.err != nil {
		return KeyValue{}, ri.err
	}
	if ri.index >= len(ri.kvs) {
		return KeyValue{}, invalidOperation
	}
	kv = ri.kvs[ri.index]
	ri.index++
	return kv, nil
}

// MustGet is Get that panics with its error.
func (ri *RangeIterator) MustGet() KeyValue {
	kv, err := ri.Get()
	if err != nil {
		panic(err)
	}
	return kv
}

// batchRows is how many rows a batch of a range read asks for under mode
// (0: all that are left), growing with the iteration for the default mode as
// FoundationDB's iterator mode does.
func batchRows(mode StreamingMode, iteration int) int {
	switch mode {
	case StreamingModeIterator:
		n := 32 << min(iteration-1, 8)
		return n
	case StreamingModeSmall:
		return 32
	case StreamingModeMedium:
		return 256
	case StreamingModeLarge:
		return 2048
	}
	return 0 // WantAll, Exact, Serial
}

// errExactWithoutLimit is FoundationDB's exact_mode_without_limits.
var errExactWithoutLimit = ErrExactModeWithoutLimits

// Strinc returns the first key after every key that starts with prefix:
// prefix without its trailing 0xff bytes, with its last byte incremented. A
// prefix that is empty or all 0xff has no such key and gives an error.
func Strinc(prefix []byte) ([]byte, error) {
	for i := len(prefix) - 1; i >= 0; i-- {
		if prefix[i] != 0xff {
			out := make([]byte, i+1)
			copy(out, prefix)
			out[i]++
			return out, nil
		}
	}
	return nil, errStrinc
}

var errStrinc = errors.New("key must contain at least one byte not equal to 0xFF")

// PrefixRange returns the range of every key that starts with prefix
// (prefix itself included), with its own copy of prefix. An empty or all-0xff
// prefix gives Strinc's error. Do not use it on the bytes of a Range or
// ExactRange value, such as a subspace: their ranges are their own.
func PrefixRange(prefix []byte) (KeyRange, error) {
	end, err := Strinc(prefix)
	if err != nil {
		return KeyRange{}, err
	}
	begin := append([]byte(nil), prefix...)
	return KeyRange{Key(begin), Key(end)}, nil
}
