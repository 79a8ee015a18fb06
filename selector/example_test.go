package selector_test

import (
	"fmt"

	"github.com/plinthdb/plinth/selector"
)

func Example() {
	src := selector.SliceSource{[]byte("b"), []byte("d"), []byte("f")}
	maxKey := []byte("\xff")

	for _, sel := range []selector.KeySelector{
		selector.FirstGreaterOrEqual([]byte("c")),
		selector.FirstGreaterThan([]byte("d")),
		selector.LastLessThan([]byte("d")),
		selector.FirstGreaterOrEqual([]byte("c")).Add(2), // runs off the end
		selector.LastLessThan([]byte("b")),               // runs off the start
	} {
		k, err := selector.Resolve(src, sel, maxKey)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%v -> %q\n", sel, k)
	}
	// Output:
	// FirstGreaterOrEqual("c") -> "d"
	// FirstGreaterThan("d") -> "f"
	// LastLessThan("d") -> "b"
	// FirstGreaterOrEqual("c")+2 -> "\xff"
	// LastLessThan("b") -> ""
}
