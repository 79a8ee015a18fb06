package selector

import (
	"bytes"
	"iter"
	"slices"
)

// SliceSource is a Source over keys already sorted in ascending byte order
// without duplicates. It is meant for tests, examples and small static key
// sets; it never fails and never modifies the slice.
type SliceSource [][]byte

// Ascend yields the keys >= from (> from when exclusive) in ascending order.
func (s SliceSource) Ascend(from []byte, exclusive bool) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		i, found := slices.BinarySearchFunc(s, from, bytes.Compare)
		if found && exclusive {
			i++
		}
		for ; i < len(s); i++ {
			if !yield(s[i], nil) {
				return
			}
		}
	}
}

// Descend yields the keys < from (<= from when inclusive) in descending order.
func (s SliceSource) Descend(from []byte, inclusive bool) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		i, found := slices.BinarySearchFunc(s, from, bytes.Compare)
		if found && inclusive {
			i++
		}
		for i--; i >= 0; i-- {
			if !yield(s[i], nil) {
				return
			}
		}
	}
}
