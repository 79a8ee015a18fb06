package selector

import (
	"bytes"
	"iter"
)

// Source is an ordered set of keys. Implementations yield keys in ascending
// byte order (bytes.Compare) and may fail; a failing source yields a nil key
// with a non-nil error and the consumer stops.
//
// Resolve stops consuming an iterator as soon as the answer is known, so a
// Source must honour yield returning false (the usual iter.Seq2 contract).
type Source interface {
	// Ascend yields the keys >= from in ascending order (keys > from when exclusive is true).
	Ascend(from []byte, exclusive bool) iter.Seq2[[]byte, error]
	// Descend yields the keys < from in descending order (keys <= from when inclusive is true).
	Descend(from []byte, inclusive bool) iter.Seq2[[]byte, error]
}

// emptyKey backs the result for running off the start: non-nil, zero length
// and zero capacity, so a caller's append can never write into shared memory.
var emptyKey = []byte{}

// Resolve returns the key sel selects in src among keys < maxKey. Keys in src
// that are >= maxKey are invisible. Running off the start gives the empty key
// (a non-nil empty slice); running off the end gives maxKey.
//
// The rule: let i be the index of the last visible key < sel.Key (<= sel.Key
// when sel.OrEqual), -1 if none, and t = i + sel.Offset. Then t < 0 gives "",
// t >= n gives maxKey, and otherwise the t-th visible key.
//
// Resolve pulls at most max(sel.Offset, 1-sel.Offset) keys from src (fewer
// when it runs off an end), so its cost is proportional to |sel.Offset|. An
// error yielded by src is returned as is, with a nil key.
//
// Resolve does not copy: the result is a key yielded by src, maxKey itself,
// or a shared zero-capacity empty slice. Callers that need to own or modify
// the key must copy it.
func Resolve(src Source, sel KeySelector, maxKey []byte) ([]byte, error) {
	// The walk is driven by calling the iterator with a method value rather
	// than by range-over-func: the compiler would move every variable the
	// loop body touches to the heap one by one, where here the walk state is
	// a single allocation.
	w := walk{maxKey: maxKey}
	if sel.Offset >= 1 {
		// The Offset-th key of the keys >= Key (> Key when OrEqual).
		w.left = uint(sel.Offset)
		src.Ascend(sel.Key, sel.OrEqual)(w.ascend)
		if w.err != nil {
			return nil, w.err
		}
		if w.found == nil {
			return maxKey, nil
		}
		return w.found, nil
	}

	// Offset <= 0: the (1-Offset)-th key of the keys < Key (<= Key when
	// OrEqual), counted downwards. A Key beyond maxKey would make the source
	// yield invisible keys first; starting the descent at maxKey skips them
	// at the source and leaves the visible keys, hence the answer, unchanged.
	from, inclusive := sel.Key, sel.OrEqual
	if c := bytes.Compare(from, maxKey); c > 0 || (c == 0 && inclusive) {
		from, inclusive = maxKey, false
	}
	w.left = 1 + uint(-sel.Offset) // no overflow, even for math.MinInt
	src.Descend(from, inclusive)(w.descend)
	if w.err != nil {
		return nil, w.err
	}
	if w.found == nil {
		return emptyKey[:0:0], nil
	}
	return w.found, nil
}

// walk counts visible keys down to the one a selector names.
type walk struct {
	maxKey []byte
	left   uint   // keys still to count, including the answer
	found  []byte // the answer; nil until found
	err    error
}

func (w *walk) ascend(k []byte, err error) bool {
	if err != nil {
		w.err = err
		return false
	}
	if bytes.Compare(k, w.maxKey) >= 0 {
		return false // ascending: every later key is invisible too
	}
	w.left--
	if w.left == 0 {
		w.found = k
		return false
	}
	return true
}

func (w *walk) descend(k []byte, err error) bool {
	if err != nil {
		w.err = err
		return false
	}
	if bytes.Compare(k, w.maxKey) >= 0 {
		return true // only from a source that ignores its bound
	}
	w.left--
	if w.left == 0 {
		w.found = k
		return false
	}
	return true
}
