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
// or one trim whatever the chain's length.
const segLen = 256

// chain holds a key's versions older than the item's inline newest one,
// ascending by version, so a read at any version finds its value by binary
// search: a key overwritten a million times inside the window costs a
// reader about 20 comparisons, not a million pointer hops.
//
// The versions live in segments that hold no pointers: each version is a
// version number and an offset into its segment's value bytes, where the
// values are copied back to back (a tail's first value is used where it
// is, until the tail grows; see push). The garbage collector then skips a
// chain's memory instead of tracing one value per version, which for a
// hot key rewritten inside the window is most of the heap it would scan;
// and a version costs 16 bytes plus its value. The newest older versions
// are in tail, which grows by appending; a full tail moves to segs, the
// older ones, in segments of at most segLen (the oldest may be shorter
// after a trim). A chain is modified only under the store's write lock and
// read only under its read lock; nobody keeps a pointer into it across a
// lock release. The value slices it hands out stay valid after that: a
// segment's bytes are never overwritten, only appended to or dropped.
type chain struct {
	tail segment
	segs []segment
	n    int     // versions in tail and segs
	one  [2]slot // tail's first slots: a key overwritten twice costs no slot array
}

// segment is a run of versions, ascending.
type segment struct {
	vs   []slot
	data []byte // the values of vs, back to back
}

// slot is one version of a segment: its value is data[off:off+n], or it is
// a deletion when n is deletedLen.
type slot struct {
	ver int64
	off uint32
	n   uint32
}

const deletedLen = ^uint32(0)

func (s *segment) value(i int) ([]byte, bool) {
	sl := s.vs[i]
	if sl.n == deletedLen {
		return nil, false
	}
	if sl.n == 0 {
		return []byte{}, true // present: never nil, even if data is
	}
	end := sl.off + sl.n
	return s.data[sl.off:end:end], true
}

func (s *segment) version(i int) version {
	v, ok := s.value(i)
	return version{ver: s.vs[i].ver, value: v, deleted: !ok}
}

// newest returns the index in s of its newest version <= v, or -1.
func (s *segment) newest(v int64) int {
	return sort.Search(len(s.vs), func(i int) bool { return s.vs[i].ver > v }) - 1
}

func newChain() *chain {
	c := &chain{}
	c.tail.vs = c.one[:0]
	return c
}

// push appends v, which is newer than every version in c. Its value is
// copied into the tail's bytes, except the first of a tail with none: that
// one stays where it is, capped so that the next push moves it (regrow)
// rather than writes after it. Most overwritten keys of a large store are
// overwritten once inside the window, and this spares each an allocation
// and a copy; it costs the garbage collector one value to trace per
// segment, not one per version.
func (c *chain) push(v version) {
	if len(c.tail.vs) == segLen {
		c.segs = append(c.segs, c.tail)
		c.tail = segment{}
	}
	sl := slot{ver: v.ver, off: uint32(len(c.tail.data)), n: deletedLen}
	if !v.deleted {
		sl.n = uint32(len(v.value))
		switch {
		case c.tail.data == nil && len(v.value) == 0:
			c.tail.data = []byte{} // an empty value, not a deletion
		case c.tail.data == nil:
			c.tail.data = v.value[:len(v.value):len(v.value)]
		default:
			if len(c.tail.data)+len(v.value) > cap(c.tail.data) {
				c.tail.regrow(len(v.value))
				sl.off = uint32(len(c.tail.data))
			}
			c.tail.data = append(c.tail.data, v.value...)
		}
	}
	c.tail.vs = append(c.tail.vs, sl)
	c.n++
}

// regrow gives s a new byte array with room for need more bytes, holding
// only the values of its remaining versions. The tail loses versions from
// its front to cuts while it gains new ones at its end, and for a key
// rewritten at a steady rate it may never fill up and move to segs; without
// this, its bytes would keep every value it was ever given. Copying only
// the live bytes, into twice the room they need, keeps the copying
// amortized constant per byte appended. Readers holding values from the old
// array keep it alive; it is never written again.
func (s *segment) regrow(need int) {
	base := uint32(len(s.data))
	if len(s.vs) > 0 {
		base = s.vs[0].off
	}
	live := s.data[base:]
	data := make([]byte, len(live), 2*(len(live)+need))
	copy(data, live)
	for i := range s.vs {
		s.vs[i].off -= base
	}
	s.data = data
}

// at returns the value visible at version v among c's versions.
func (c *chain) at(v int64) (value []byte, ok bool) {
	s := &c.tail
	if len(s.vs) == 0 || s.vs[0].ver > v {
		j := sort.Search(len(c.segs), func(j int) bool { return c.segs[j].vs[0].ver > v }) - 1
		if j < 0 {
			return nil, false // older than every version kept
		}
		s = &c.segs[j]
	}
	i := s.newest(v)
	if i < 0 {
		return nil, false
	}
	return s.value(i)
}

// each calls fn with c's versions newer than after, oldest first, until fn
// returns false; it reports whether fn never did.
func (c *chain) each(after int64, fn func(version) bool) bool {
	for si := range c.segs {
		s := &c.segs[si]
		if s.vs[len(s.vs)-1].ver <= after {
			continue
		}
		for i := s.newest(after) + 1; i < len(s.vs); i++ {
			if !fn(s.version(i)) {
				return false
			}
		}
	}
	for i := c.tail.newest(after) + 1; i < len(c.tail.vs); i++ {
		if !fn(c.tail.version(i)) {
			return false
		}
	}
	return true
}

// cut drops the versions older than the newest one <= h, and that one too
// if it is a deletion (nothing older remains for it to hide), and returns
// how many went. Its work is one binary search over the segments and one
// within a segment; dropping whole segments frees their memory, and a
// segment cut in the middle keeps its bytes until it goes whole.
func (c *chain) cut(h int64) (dropped int) {
	if len(c.tail.vs) > 0 && c.tail.vs[0].ver <= h {
		for _, s := range c.segs {
			dropped += len(s.vs)
		}
		c.segs = nil
		i := c.tail.drop(h)
		dropped += i
		c.tail.vs = c.tail.vs[i:]
		if len(c.tail.vs) == 0 {
			c.tail = segment{}
		}
	} else {
		j := sort.Search(len(c.segs), func(j int) bool { return c.segs[j].vs[0].ver > h }) - 1
		if j < 0 {
			return 0
		}
		for _, s := range c.segs[:j] {
			dropped += len(s.vs)
		}
		clear(c.segs[:j])
		c.segs = c.segs[j:]
		i := c.segs[0].drop(h)
		dropped += i
		if c.segs[0].vs = c.segs[0].vs[i:]; len(c.segs[0].vs) == 0 {
			c.segs[0] = segment{}
			c.segs = c.segs[1:]
		}
		if len(c.segs) == 0 {
			c.segs = nil
		}
	}
	c.n -= dropped
	return dropped
}

// drop returns how many of s's first versions cut drops; s's newest version
// <= h exists.
func (s *segment) drop(h int64) int {
	i := s.newest(h)
	if s.vs[i].n == deletedLen {
		i++
	}
	return i
}
