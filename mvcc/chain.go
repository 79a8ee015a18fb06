package mvcc

import "sort"

// version is one value of a key (or its deletion) at a commit version.
type version struct {
	ver     int64
	value   []byte
	deleted bool
}

// segLen is the length of a chain's full segments. A segment is the most a
// chain ever copies or clears at once, so it bounds the work of one append
// or one trim whatever the chain's length; 256 versions are 10 KB.
const segLen = 256

// chain holds a key's versions older than the item's inline newest one,
// ascending by version, so a read at any version finds its value by binary
// search: a key overwritten a million times inside the window costs a
// reader about 20 comparisons, not a million pointer hops.
//
// The newest older versions are in tail, which grows by copying up to
// segLen entries; a full tail moves to segs, which holds the older ones in
// segments of at most segLen (the oldest may be shorter after a trim). A
// chain is modified only under the store's write lock and read only under
// its read lock; nobody keeps a pointer into it across a lock release.
type chain struct {
	tail []version
	segs [][]version
	n    int        // versions in tail and segs
	one  [1]version // tail's first backing array: a key overwritten once in the window costs one allocation
}

func newChain() *chain {
	c := &chain{}
	c.tail = c.one[:0]
	return c
}

// push appends v, which is newer than every version in c.
func (c *chain) push(v version) {
	if len(c.tail) == cap(c.tail) {
		if len(c.tail) >= segLen {
			c.segs = append(c.segs, c.tail)
			c.tail = make([]version, 0, segLen)
		} else {
			// Grow by half: the versions of a key overwritten a few
			// times fill their array, which doubling would not.
			grown := make([]version, len(c.tail), min(len(c.tail)+len(c.tail)/2+2, segLen))
			copy(grown, c.tail)
			c.tail = grown
		}
	}
	c.tail = append(c.tail, v)
	c.n++
}

// newest returns the index in s of its newest version <= v, or -1.
func newest(s []version, v int64) int {
	return sort.Search(len(s), func(i int) bool { return s[i].ver > v }) - 1
}

// at returns the value visible at version v among c's versions.
func (c *chain) at(v int64) (value []byte, ok bool) {
	s := c.tail
	if len(s) == 0 || s[0].ver > v {
		j := sort.Search(len(c.segs), func(j int) bool { return c.segs[j][0].ver > v }) - 1
		if j < 0 {
			return nil, false // older than every version kept
		}
		s = c.segs[j]
	}
	i := newest(s, v)
	if i < 0 || s[i].deleted {
		return nil, false
	}
	return s[i].value, true
}

// cut drops the versions older than the newest one <= h, and that one too
// if it is a deletion (nothing older remains for it to hide), and returns
// how many went. It clears at most one segment or the tail, and the headers
// of the segments it drops.
func (c *chain) cut(h int64) (dropped int) {
	if len(c.tail) > 0 && c.tail[0].ver <= h {
		for _, s := range c.segs {
			dropped += len(s)
		}
		c.segs = nil
		i := c.drop(c.tail, h)
		dropped += i
		c.tail = c.tail[i:]
	} else {
		j := sort.Search(len(c.segs), func(j int) bool { return c.segs[j][0].ver > h }) - 1
		if j < 0 {
			return 0
		}
		for _, s := range c.segs[:j] {
			dropped += len(s)
		}
		clear(c.segs[:j])
		c.segs = c.segs[j:]
		i := c.drop(c.segs[0], h)
		dropped += i
		if c.segs[0] = c.segs[0][i:]; len(c.segs[0]) == 0 {
			c.segs[0] = nil
			c.segs = c.segs[1:]
		}
		if len(c.segs) == 0 {
			c.segs = nil
		}
	}
	c.n -= dropped
	return dropped
}

// drop clears the versions of s that cut drops and returns their count;
// s's newest version <= h exists.
func (c *chain) drop(s []version, h int64) int {
	i := newest(s, h)
	if s[i].deleted {
		i++
	}
	clear(s[:i])
	return i
}
