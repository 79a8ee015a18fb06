package tuple_test

import (
	"bytes"
	"fmt"

	"github.com/plinthdb/plinth/tuple"
)

func ExampleTuple_Pack() {
	key := tuple.Tuple{"users", 42, "email"}.Pack()
	fmt.Printf("%x\n", key)

	t, err := tuple.Unpack(key)
	if err != nil {
		panic(err)
	}
	fmt.Println(t)
	fmt.Printf("%T\n", t[1]) // integers unpack as int64

	// Packed tuples sort as the tuples do.
	a := tuple.Tuple{"users", 9}.Pack()
	b := tuple.Tuple{"users", 10}.Pack()
	fmt.Println(bytes.Compare(a, b))
	// Output:
	// 02757365727300152a02656d61696c00
	// ("users", 42, "email")
	// int64
	// -1
}

func ExampleTuple_PackE() {
	_, err := tuple.Tuple{"ok", struct{}{}}.PackE()
	fmt.Println(err)
	// Output:
	// tuple: unsupported element type: struct {} at index 1
}

func ExampleSubspace() {
	users := tuple.NewSubspace(nil, tuple.Tuple{"users"})

	key := users.Pack(tuple.Tuple{42, "email"})
	fmt.Printf("%x\n", key)
	fmt.Println(users.Contains(key))

	t, err := users.Unpack(key)
	if err != nil {
		panic(err)
	}
	fmt.Println(t)

	// Every key of user 42, for a range read.
	begin, end := users.Sub(42).Range()
	fmt.Printf("[%x, %x)\n", begin, end)
	// Output:
	// 02757365727300152a02656d61696c00
	// true
	// (42, "email")
	// [02757365727300152a00, 02757365727300152aff)
}

func ExampleTuple_PackWithVersionstamp() {
	// A log entry keyed by its commit order: the store replaces the ten 0xff
	// bytes at the offset given by the last four bytes (little-endian) when the
	// SetVersionstampedKey mutation commits.
	key, err := tuple.Tuple{"a", tuple.IncompleteVersionstamp(5)}.PackWithVersionstamp(nil)
	if err != nil {
		panic(err)
	}
	fmt.Printf("% x\n", key)

	_, err = tuple.Tuple{"no stamp"}.PackWithVersionstamp(nil)
	fmt.Println(err)
	// Output:
	// 02 61 00 33 ff ff ff ff ff ff ff ff ff ff 00 05 04 00 00 00
	// tuple: no incomplete versionstamp to pack with
}
