package conflict

import (
	"fmt"
	"testing"
)

func leafOf(keys ...string) *node {
	n := newLeaf()
	for i, k := range keys {
		n.resize(i, i, 1, len(k))
		copy(n.buf[n.off[i]:], k)
		n.vers[i] = int64(i + 1)
		n.keysChanged(i, i+1)
	}
	return n
}

func innerOf(kids ...*node) *node {
	n := newInner()
	for i, k := range kids {
		n.insertChild(i, k)
	}
	return n
}

// TestFixLoneChild covers the repair a range deletion can need: an inner node left with a
// single, underfull child can only be repaired once the node is merged with, or refilled
// from, a sibling. Here the sibling is full, so the node is refilled and its lone child
// must then be merged with its new neighbour.
func TestFixLoneChild(t *testing.T) {
	tr := newTree(8) // minEntries 2
	var full []*node
	for i := range 8 {
		full = append(full, leafOf(fmt.Sprintf("a%d0", i), fmt.Sprintf("a%d1", i), fmt.Sprintf("a%d2", i)))
	}
	L := innerOf(full...)
	R := innerOf(leafOf("b0")) // one child holding one boundary: both levels underfull
	tr.root = innerOf(L, R)    // R is the last child, so fix pairs it with the full L
	tr.count = size(tr.root)
	tr.fix(tr.root, 1)
	if tr.root.kids[1].n < tr.minEntries {
		t.Fatalf("R was not refilled: %d entries", tr.root.kids[1].n)
	}
	if err := checkTree(&tr); err != nil {
		var lines []string
		dump(tr.root, 0, &lines)
		t.Fatalf("%v\n%v", err, lines)
	}
}
