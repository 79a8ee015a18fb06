package mvcc

import (
	"bytes"
	"encoding/binary"
)

// item is one key in the tree. The first 16 key bytes are kept inline as two
// big-endian words so that most comparisons never dereference the key slice:
// for 16-byte keys that saves a cache miss per comparison on a large tree.
type item struct {
	p0, p1 uint64
	key    []byte
	head   *version // newest first
}

// version is one value of a key. The chain is only modified under the write
// lock, and readers walk it under the read lock.
type version struct {
	ver     int64
	value   []byte
	deleted bool
	next    *version
}

func prefixWords(key []byte) (p0, p1 uint64) {
	var buf [16]byte
	copy(buf[:], key)
	return binary.BigEndian.Uint64(buf[:8]), binary.BigEndian.Uint64(buf[8:])
}

// pivot builds a search item for key. Zero padding keeps the word order equal
// to the key order whenever the padded words differ (a shorter key is then a
// proper prefix of the longer one); equal words fall back to the full compare.
func pivot(key []byte) item {
	p0, p1 := prefixWords(key)
	return item{p0: p0, p1: p1, key: key}
}

func less(a, b item) bool {
	if a.p0 != b.p0 {
		return a.p0 < b.p0
	}
	if a.p1 != b.p1 {
		return a.p1 < b.p1
	}
	return bytes.Compare(a.key, b.key) < 0
}

// at returns the version of the chain visible at v, or nil.
func (it *item) at(v int64) *version {
	n := it.head
	for n != nil && n.ver > v {
		n = n.next
	}
	return n
}
