package mvcc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
)

// checkTree verifies the tree's invariants: keys ascending along the leaf
// chain, links both ways, separators bounding their subtrees, every leaf at
// one depth, node fill, and the item count.
func checkTree(t *testing.T, tr *tree) {
	t.Helper()
	var leaves []*leaf
	depth := -1
	var walk func(n any, lo, hi *ikey, d int, root bool)
	walk = func(n any, lo, hi *ikey, d int, root bool) {
		switch x := n.(type) {
		case *leaf:
			if depth < 0 {
				depth = d
			} else if depth != d {
				t.Fatalf("leaves at depths %d and %d", depth, d)
			}
			if x.n == 0 && !root {
				t.Fatal("empty leaf below the root")
			}
			for i := range x.n {
				k := x.key(i)
				if lo != nil && less(&k, lo) || hi != nil && !less(&k, hi) {
					t.Fatalf("key %q outside its separators", k.key)
				}
				if p0, p1 := prefixWords(k.key); p0 != k.p0 || p1 != k.p1 {
					t.Fatalf("key %q has wrong words", k.key)
				}
			}
			for i := x.n; i < leafCap; i++ {
				if it := &x.items[i]; it.key != nil || it.value != nil || it.old != nil || x.words[i] != (words{}) {
					t.Fatal("a leaf keeps an item past its end")
				}
			}
			leaves = append(leaves, x)
		case *inner:
			if root && x.n < 2 || !root && x.n < minInner {
				t.Fatalf("inner node with %d children (root %v)", x.n, root)
			}
			if x.words[0] != (words{}) || x.seps[0] != nil {
				t.Fatal("an inner node has a first separator")
			}
			for i := range x.n {
				klo, khi := lo, hi
				if i > 0 {
					k := x.sep(i)
					klo = &k
					if p0, p1 := prefixWords(k.key); p0 != k.p0 || p1 != k.p1 {
						t.Fatalf("separator %q has wrong words", k.key)
					}
				}
				if i+1 < x.n {
					k := x.sep(i + 1)
					khi = &k
				}
				if klo != nil && khi != nil && !less(klo, khi) {
					t.Fatal("separators out of order")
				}
				walk(x.kids[i], klo, khi, d+1, false)
			}
			for i := x.n; i < innerCap; i++ {
				if x.kids[i] != nil || x.words[i] != (words{}) || x.seps[i] != nil {
					t.Fatal("an inner node keeps a child past its end")
				}
			}
		}
	}
	walk(tr.root, nil, nil, 0, true)
	n := 0
	for i, l := range leaves {
		if i > 0 && l.prev != leaves[i-1] || i == 0 && l.prev != nil {
			t.Fatal("bad prev link")
		}
		if i+1 < len(leaves) && l.next != leaves[i+1] || i+1 == len(leaves) && l.next != nil {
			t.Fatal("bad next link")
		}
		for j := range l.n {
			if n > 0 {
				var prev ikey
				if j > 0 {
					prev = l.key(j - 1)
				} else {
					prev = leaves[i-1].key(leaves[i-1].n - 1)
				}
				if k := l.key(j); !less(&prev, &k) {
					t.Fatalf("keys out of order: %q then %q", prev.key, k.key)
				}
			}
			n++
		}
	}
	if n != tr.n {
		t.Fatalf("tree counts %d items, holds %d", tr.n, n)
	}
}

// less orders keys by their bytes.
func less(a, b *ikey) bool { return cmpKey(&words{a.p0, a.p1}, &a.key, b) < 0 }

// treeKey makes keys that exercise every branch of less: short keys that
// are prefixes of one another, keys of exactly 16 bytes, and long keys
// sharing their first 16 bytes.
func treeKey(r *rand.Rand, space int) []byte {
	i := r.IntN(space)
	switch i % 3 {
	case 0:
		return binary.BigEndian.AppendUint64(nil, uint64(i))[r.IntN(8):]
	case 1:
		k := make([]byte, 16)
		binary.BigEndian.PutUint64(k[8:], uint64(i))
		return k
	default:
		return fmt.Appendf(nil, "0123456789abcdef/%d", i)
	}
}

// refSet is a sorted slice of keys, the tree's model for cursors.
type refSet []string

func (s refSet) pos(k string) (int, bool) {
	i := sort.SearchStrings(s, k)
	return i, i < len(s) && s[i] == k
}

func sorted(m map[string]bool) refSet {
	s := make(refSet, 0, len(m))
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

func TestTreeMatchesModel(t *testing.T) {
	for _, space := range []int{50, 3000, 40000} {
		t.Run(fmt.Sprint(space), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(space), 1))
			tr := newTree()
			ref := map[string]bool{}
			ops := 4 * space
			for op := range ops {
				k := treeKey(r, space)
				q := pivot(k)
				had := ref[string(k)]
				// Inserts win over deletes two to one, then the other way round,
				// so the tree grows and shrinks through every level.
				insert := r.IntN(3) != 0
				if op > ops/2 {
					insert = !insert
				}
				if insert {
					it, found := tr.upsert(&q)
					if found != had {
						t.Fatalf("upsert %q: found %v, model %v", k, found, had)
					}
					if !bytes.Equal(it.key, k) {
						t.Fatalf("upsert %q returned %q", k, it.key)
					}
					ref[string(k)] = true
				} else {
					if got := tr.delete(&q); got != had {
						t.Fatalf("delete %q: %v, model %v", k, got, had)
					}
					delete(ref, string(k))
				}
				if op%(ops/20) == 0 {
					checkTree(t, &tr)
					checkCursors(t, &tr, sorted(ref), r, space)
				}
			}
			checkTree(t, &tr)
			left := len(ref)
			for k := range ref { // in random order
				q := pivot([]byte(k))
				if !tr.delete(&q) {
					t.Fatalf("delete %q: not found", k)
				}
				if left--; left%1000 == 0 {
					checkTree(t, &tr)
				}
			}
			checkTree(t, &tr)
			if c := tr.seekGE(&ikey{}); c.valid() {
				t.Fatal("an emptied tree has items")
			}
		})
	}
}

// checkCursors compares seeks and walks with the model.
func checkCursors(t *testing.T, tr *tree, ref refSet, r *rand.Rand, space int) {
	t.Helper()
	got := func(c cursor) string {
		if !c.valid() {
			return "<end>"
		}
		return string(c.item().key)
	}
	want := func(i int) string {
		if i < 0 || i >= len(ref) {
			return "<end>"
		}
		return ref[i]
	}
	if g, w := got(tr.last()), want(len(ref)-1); g != w {
		t.Fatalf("last: %q, want %q", g, w)
	}
	for range 50 {
		k := treeKey(r, space)
		q := pivot(k)
		i, found := ref.pos(string(k))
		if f := tr.find(&q); (f != nil) != found {
			t.Fatalf("find %q: %v, model %v", k, f != nil, found)
		}
		c := tr.seekGE(&q)
		if g, w := got(c), want(i); g != w {
			t.Fatalf("seekGE %q: %q, want %q", k, g, w)
		}
		for j := 1; j < 70 && c.valid(); j++ {
			c.next()
			if g, w := got(c), want(i+j); g != w {
				t.Fatalf("seekGE %q then %d nexts: %q, want %q", k, j, g, w)
			}
		}
		c = tr.seekLT(&q)
		if g, w := got(c), want(i-1); g != w {
			t.Fatalf("seekLT %q: %q, want %q", k, g, w)
		}
		for j := 1; j < 70 && c.valid(); j++ {
			c.prev()
			if g, w := got(c), want(i-1-j); g != w {
				t.Fatalf("seekLT %q then %d prevs: %q, want %q", k, j, g, w)
			}
		}
	}
}

// Keys inserted in ascending or descending order fill their leaves: the
// leaf at the growing end splits off only the new key.
func TestTreeOrderedLoadsFillLeaves(t *testing.T) {
	const n = 100_000
	for _, desc := range []bool{false, true} {
		tr := newTree()
		for i := range n {
			j := i
			if desc {
				j = n - 1 - i
			}
			q := pivot(benchKey(j))
			tr.upsert(&q)
		}
		checkTree(t, &tr)
		leaves := 0
		for c := tr.seekGE(&ikey{}); c.valid(); c.l, c.i = c.l.next, 0 {
			leaves++
		}
		if min := (n + leafCap - 1) / leafCap; leaves > min+1 {
			t.Errorf("descending %v: %d leaves for %d keys, want at most %d", desc, leaves, n, min+1)
		}
	}
}

// cmpKey orders keys as bytes.Compare does, words or no words: keys that
// are prefixes of one another, keys of exactly 16 bytes, long keys sharing
// their first 16 bytes, zero bytes at the end.
func TestCmpKeyMatchesBytes(t *testing.T) {
	keys := [][]byte{nil, {}, {0}, {0, 0}, {1}, []byte("a"), []byte("a\x00"), []byte("ab")}
	r := rand.New(rand.NewPCG(7, 7))
	for range 300 {
		keys = append(keys, treeKey(r, 50))
	}
	for _, a := range keys {
		for _, b := range keys {
			ka, kb := pivot(a), pivot(b)
			got, want := cmpKey(&words{ka.p0, ka.p1}, &ka.key, &kb), bytes.Compare(a, b)
			if (got < 0) != (want < 0) || (got == 0) != (want == 0) {
				t.Fatalf("cmpKey(%q, %q) = %d, bytes.Compare %d", a, b, got, want)
			}
		}
	}
}
