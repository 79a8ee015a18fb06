package conflict

import "fmt"

// dump renders the tree, one node a line, for debugging.
func dump(n *node, depth int, sb *[]string) {
	s := fmt.Sprintf("%*s", depth*2, "")
	for i := 0; i < n.n; i++ {
		s += fmt.Sprintf("%q:%d ", n.key(i), n.vers[i])
	}
	*sb = append(*sb, s)
	if !n.leaf() {
		for _, k := range n.kids[:n.n] {
			dump(k, depth+1, sb)
		}
	}
}
