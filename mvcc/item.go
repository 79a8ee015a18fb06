package mvcc

import (
	"bytes"
	"encoding/binary"
)

// item is one key in the tree. The first 16 key bytes are kept inline as two
// big-endian words so that most comparisons never dereference the key slice:
// for 16-byte keys that saves a cache miss per comparison on a large tree.
// The newest version is inline too, so a read at a recent version finds its
// value without another pointer hop, and a key written once costs no version
// storage at all. Items are copied in and out of the tree by value; a copy
// taken under the read lock is used only under it (old is shared, mutable
// state).
type item struct {
	p0, p1 uint64
	key    []byte

	// The newest version: its commit version in verq's low 63 bits, and
	// its value, nil for a deletion (a present value is never nil, see
	// put). Folding the two flags into existing words keeps an item at 80
	// bytes, a multiple of 16, so that the inline key words of an item in
	// a node's array never straddle two cache lines.
	verq  uint64
	value []byte

	old *chain // older versions; nil when there are none
}

// queuedBit of item.verq says the key has an entry in the collection
// queue. A key is queued at most once, so a key written a million times
// inside the window is trimmed once per window, not once per write.
const queuedBit = 1 << 63

func (it *item) ver() int64     { return int64(it.verq &^ queuedBit) }
func (it *item) deleted() bool  { return it.value == nil }
func (it *item) queued() bool   { return it.verq&queuedBit != 0 }
func (it *item) setVer(v int64) { it.verq = uint64(v) | it.verq&queuedBit }
func (it *item) setQueued(q bool) {
	if q {
		it.verq |= queuedBit
	} else {
		it.verq &^= queuedBit
	}
}

func (it *item) newest() version {
	return version{ver: it.ver(), value: it.value, deleted: it.deleted()}
}

// setNewest makes v the item's newest version. A nil value means a
// deletion, so a present value, even an empty one, is never stored nil.
func (it *item) setNewest(v version) {
	it.setVer(v.ver)
	it.value = v.value
	if v.deleted {
		it.value = nil
	} else if it.value == nil {
		it.value = []byte{}
	}
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
	// Equal padded prefixes: two keys of at most 16 bytes then differ only
	// in trailing zero bytes, so the shorter is smaller. Deciding from the
	// slice lengths, held inline, saves a cache miss on the key bytes at the
	// end of every lookup.
	if la, lb := len(a.key), len(b.key); la <= 16 && lb <= 16 {
		return la < lb
	}
	return bytes.Compare(a.key, b.key) < 0
}

// at returns the value visible at version v; ok is false when the key is
// absent then (not yet written, deleted, or older than every version kept).
func (it *item) at(v int64) (value []byte, ok bool) {
	if it.ver() <= v {
		if it.deleted() {
			return nil, false
		}
		return it.value, true
	}
	if it.old == nil {
		return nil, false
	}
	return it.old.at(v)
}
