package conflict

// sweepState carries one garbage-collection step through the tree.
type sweepState struct {
	oldest int64
	budget int // boundaries still to examine in this step
	// prevStale says whether the boundary before the next one examined has a version below
	// oldest (or, before the first boundary, that version 0 is below oldest).
	prevStale bool
	stopped   bool   // the budget ran out before the end of the key space
	next      []byte // when stopped: the first boundary not examined, where the next step resumes
}

// sweep examines the boundaries >= from of n's subtree in key order until the budget runs
// out, deleting every boundary whose version is below oldest when the boundary before it
// is also below oldest. Deleting it merges its interval into the one before; both report a
// version below oldest, and no reader at or above oldest can tell those apart. It reports
// whether it reached the end of the subtree. The caller repairs n in its parent.
func (t *tree) sweep(n *node, from []byte, st *sweepState) bool {
	if n.leaf() {
		t.sweepLeaf(n, from, st)
		return !st.stopped
	}
	first := n.upper(from, 1) - 1
	c := first
	for ; c < n.n; c++ {
		if !t.sweep(n.kids[c], from, st) {
			break
		}
		from = nil
	}
	t.repair(n, first, min(c, n.n-1))
	return !st.stopped
}

// sweepLeaf is sweep for a leaf: it compacts the kept entries in place, so a step costs
// one pass over the leaf however many boundaries it drops.
func (t *tree) sweepLeaf(n *node, from []byte, st *sweepState) {
	i := n.lower(from, 0)
	w, wp := i, n.off[i]
	for r := i; r < n.n; r++ {
		start, end := n.off[r], n.off[r+1]
		if st.budget == 0 {
			if !st.stopped {
				st.stopped = true
				st.next = append(st.next[:0], n.buf[start:end]...)
			}
			if w == r {
				return // nothing dropped: the rest of the leaf is already in place
			}
		} else {
			st.budget--
			stale := n.vers[r] < st.oldest
			drop := stale && st.prevStale
			st.prevStale = stale
			if drop {
				continue
			}
		}
		if w != r {
			copy(n.buf[wp:], n.buf[start:end])
			n.vers[w] = n.vers[r]
			n.pfx[w] = n.pfx[r] // same node, same skip
		}
		n.off[w] = wp
		wp += end - start
		w++
	}
	t.count -= n.n - w
	n.n = w
	n.off[w] = wp
	n.buf = n.buf[:wp]
	if w == 0 {
		n.skip = 0
	}
}
