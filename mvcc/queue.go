package mvcc

// gcEntry is a key with collectable work once the horizon reaches ver: its
// versions p, and its key, to find its item if the trim removes it.
type gcEntry struct {
	ver int64
	key []byte
	p   *older
}

// queueBlock is the size of the collection queue's blocks.
const queueBlock = 1024

// gcQueue is the collection queue: a FIFO in blocks, so that neither a
// push nor a pop ever copies the queue (a million queued keys would be
// 32 MB to move under the write lock), and consumed blocks return their
// memory at once.
type gcQueue struct {
	blocks [][]gcEntry
	head   int // consumed entries of blocks[0]
	n      int // entries queued
}

func (q *gcQueue) push(e gcEntry) {
	if k := len(q.blocks); k == 0 || len(q.blocks[k-1]) == queueBlock {
		q.blocks = append(q.blocks, make([]gcEntry, 0, queueBlock))
	}
	last := &q.blocks[len(q.blocks)-1]
	*last = append(*last, e)
	q.n++
}

// peek returns the oldest entry; ok is false when the queue is empty.
func (q *gcQueue) peek() (e gcEntry, ok bool) {
	if q.n == 0 {
		return gcEntry{}, false
	}
	return q.blocks[0][q.head], true
}

// pop removes the oldest entry, which must exist.
func (q *gcQueue) pop() {
	q.blocks[0][q.head] = gcEntry{}
	q.head++
	q.n--
	switch {
	case q.n == 0:
		// Keep the block: a queue that a commit fills and the next
		// collection empties must not allocate one per commit.
		q.blocks[0] = q.blocks[0][:0]
		q.head = 0
	case q.head == queueBlock:
		// Only the last block is ever partly filled.
		q.blocks[0] = nil
		q.blocks = q.blocks[1:]
		q.head = 0
	}
}
