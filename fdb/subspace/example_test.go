package subspace_test

import (
	"fmt"

	"github.com/plinthdb/plinth/fdb"
	"github.com/plinthdb/plinth/fdb/subspace"
	"github.com/plinthdb/plinth/fdb/tuple"
)

func ExampleSub() {
	users := subspace.Sub("users")
	key := users.Pack(tuple.Tuple{42, "email"})
	fmt.Println(fdb.Printable(key))
	t, err := users.Unpack(key)
	fmt.Println(t, err, users.Contains(key))
	// Output:
	// \x02users\x00\x15*\x02email\x00
	// (42, "email") <nil> true
}
