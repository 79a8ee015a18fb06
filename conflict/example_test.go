package conflict_test

import (
	"fmt"

	"github.com/plinthdb/plinth/conflict"
)

// A resolver checks each committing transaction's read ranges against the history, then
// records its write ranges at the commit version.
func Example() {
	h := conflict.New()

	// Transaction A, committed at version 10, wrote "apple".
	h.Add([]byte("apple"), []byte("apple\x00"), 10)

	// Transaction B read the range [a, b) at version 7, before A committed: it must retry.
	v, conflicted := h.Conflicts([]byte("a"), []byte("b"), 7)
	fmt.Println(conflicted, v)

	// Transaction C read the same range at version 10 and saw A's write.
	_, conflicted = h.Conflicts([]byte("a"), []byte("b"), 10)
	fmt.Println(conflicted)

	// A read of [apple\x00, b) does not include "apple" itself: ranges are half-open.
	_, conflicted = h.Conflicts([]byte("apple\x00"), []byte("b"), 7)
	fmt.Println(conflicted)

	// Readers older than version 20 are rejected as too old, so older writes may be forgotten.
	h.Add([]byte("banana"), []byte("banana\x00"), 25)
	for !h.RemoveBeforeStep(20, 100) {
	}
	fmt.Println(h.Len(), h.MaxVersion([]byte("a"), []byte("z")))
	// Output:
	// true 10
	// false
	// false
	// 2 25
}
