package tuple_test

import (
	"bytes"
	"fmt"

	"github.com/plinthdb/plinth/fdb/tuple"
)

func ExampleTuple_Pack() {
	a := tuple.Tuple{"users", 9, "email"}.Pack()
	b := tuple.Tuple{"users", 10}.Pack()
	fmt.Printf("%x\n", a)
	fmt.Println(bytes.Compare(a, b)) // tuple order is byte order
	t, err := tuple.Unpack(a)
	fmt.Println(t, err)
	// Output:
	// 02757365727300150902656d61696c00
	// -1
	// ("users", 9, "email") <nil>
}
