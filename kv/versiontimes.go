package kv

// timesBlock is the number of clock readings in one block of versionTimes.
const timesBlock = 4096

// versionTimes holds, oldest first, the clock reading taken just after each
// recent version was published: entry i belongs to version base+i. It holds
// a window's worth of commits (five seconds at a million commits a second
// is 40 MB), and it changes under the commit lock, so it is kept in blocks:
// a push or a drop never copies the entries, where one growing slice
// re-allocated and copied all of them every few hundred thousand commits.
// The block last emptied at the front is kept for the next push that needs
// one. Not safe for concurrent use; DB uses it under commitMu.
type versionTimes struct {
	blocks [][]int64 // every block is full but the last
	head   int       // entries of blocks[0] already dropped
	base   int64     // version of entry 0
	spare  []int64   // an emptied block, reused by push
}

func (t *versionTimes) len() int {
	k := len(t.blocks)
	if k == 0 {
		return 0
	}
	return (k-1)*timesBlock + len(t.blocks[k-1]) - t.head
}

// at returns entry i; 0 <= i < t.len().
func (t *versionTimes) at(i int) int64 {
	i += t.head
	return t.blocks[i/timesBlock][i%timesBlock]
}

// push appends the reading of the next version.
func (t *versionTimes) push(at int64) {
	if k := len(t.blocks); k == 0 || len(t.blocks[k-1]) == timesBlock {
		b := t.spare
		if b == nil {
			b = make([]int64, 0, timesBlock)
		}
		t.spare = nil
		t.blocks = append(t.blocks, b)
	}
	last := &t.blocks[len(t.blocks)-1]
	*last = append(*last, at)
}

// drop forgets the k oldest entries; k <= t.len().
func (t *versionTimes) drop(k int) {
	t.base += int64(k)
	t.head += k
	for t.head >= timesBlock {
		t.spare = t.blocks[0][:0]
		t.blocks[0] = nil
		t.blocks = t.blocks[1:]
		t.head -= timesBlock
	}
}
