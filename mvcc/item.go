package mvcc

import "encoding/binary"

// item is one key in the tree; its leaf holds the key's words beside it.
// The newest version is inline, so a read at a recent version finds its
// value without another pointer hop, and a key written once costs no version
// storage at all. Items live in the tree's leaves and are changed in place,
// under the write lock; a pointer to one is used only under the lock.
type item struct {
	key []byte

	// The newest version: its commit version, and its value, nil for a
	// deletion (a present value is never nil, see put). Folding the flag
	// into the value keeps an item at 64 bytes, one cache line.
	top   int64
	value []byte

	old *older // older versions; nil until the key is first overwritten
}

func (it *item) ver() int64    { return it.top }
func (it *item) deleted() bool { return it.value == nil }

// older is a key's versions older than its item's inline newest one, and
// what the collector needs to trim them without finding the item in the
// tree: the item's newest version, whether that is a deletion, and whether
// the key is queued for collection. A key gets one at its first overwrite
// and keeps it, so that the collector, which holds it in its queue, trims
// the key without a descent of the tree (a pointer to the item would not
// do: items move when the tree changes shape, and the queue holds a key
// for the 5 s of the window): a trim 5 s after a write used to cost a
// lookup of a cold key, as much as the write itself. Trimmed to nothing,
// it keeps these three words (24 bytes a key) and drops the chain. Written
// only under the store's write lock.
type older struct {
	c       *chain // versions older than the newest; nil when none are kept
	top     int64  // the item's newest version
	deleted bool   // the newest version is a deletion
	queued  bool   // the key has an entry in the collection queue: at most one, so a key written a million times inside the window is trimmed once per window
}

func (it *item) newest() version {
	return version{ver: it.ver(), value: it.value, deleted: it.deleted()}
}

// setNewest makes v the item's newest version. A nil value means a
// deletion, so a present value, even an empty one, is never stored nil.
func (it *item) setNewest(v version) {
	it.top = v.ver
	it.value = v.value
	if v.deleted {
		it.value = nil
	} else if it.value == nil {
		it.value = []byte{}
	}
}

func prefixWords(key []byte) (p0, p1 uint64) {
	if len(key) >= 16 {
		// Straight from the key: a copy into a buffer is a memmove call,
		// and loading words of the buffer it just wrote byte by byte
		// stalls on the store.
		return binary.BigEndian.Uint64(key), binary.BigEndian.Uint64(key[8:16])
	}
	var buf [16]byte
	copy(buf[:], key)
	return binary.BigEndian.Uint64(buf[:8]), binary.BigEndian.Uint64(buf[8:])
}

// pivot builds a search key for key.
func pivot(key []byte) ikey {
	p0, p1 := prefixWords(key)
	return ikey{p0: p0, p1: p1, key: key}
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
	if it.old == nil || it.old.c == nil {
		return nil, false
	}
	return it.old.c.at(v)
}
