package mutation

import (
	"bytes"
	"fmt"
)

// Apply returns the value a key holds after the atomic op with param is
// applied to its existing value (exists is false when the key is absent; an
// absent key's existing is ignored). present is false when the key ends up
// cleared or absent, which only CompareAndClear produces; every other op
// leaves the key present, with a non-nil (possibly empty) result.
//
// Rules, FoundationDB's at API version 800 (E existing, P param):
//   - Add, BitAnd, BitOr, BitXor, Max, Min treat E and P as unsigned
//     little-endian integers. The result has len(P) bytes: E is truncated or
//     zero-extended to len(P), so a present empty E acts as zero, and an empty
//     P yields an empty value. Add wraps. An absent E yields P for all six
//     (for Add, BitOr, BitXor and Max an empty E does too).
//   - AppendIfFits yields E‖P, or E unchanged when that would exceed
//     MaxValueSize; an absent or empty E yields P.
//   - ByteMin and ByteMax yield the lesser or greater of E and P in byte
//     order (lengths are not normalised); an absent E yields P.
//   - CompareAndClear clears the key when E is present and equal to P, and
//     otherwise leaves it as it was (an absent key stays absent).
//   - SetVersionstampedKey and SetVersionstampedValue are not evaluated
//     here (the value is only known at commit): Apply returns (param, true).
//
// Apply never modifies existing or param. The result may share memory with
// either: it is param itself, existing itself, a prefix of existing (capacity
// clipped to its length), or a new slice. Callers must treat all three as
// immutable. Apply panics if op is not Valid.
func Apply(op Type, existing []byte, exists bool, param []byte) (result []byte, present bool) {
	if !exists {
		existing = nil
	}
	switch op {
	case Add:
		return nonNil(applyAdd(existing, param)), true
	case BitAnd:
		if !exists {
			return nonNil(param), true
		}
		return nonNil(bitwise(existing, param, and)), true
	case BitOr:
		if len(existing) == 0 {
			return nonNil(param), true
		}
		return nonNil(bitwise(existing, param, or)), true
	case BitXor:
		if len(existing) == 0 {
			return nonNil(param), true
		}
		return nonNil(bitwise(existing, param, xor)), true
	case AppendIfFits:
		return nonNil(applyAppendIfFits(existing, param)), true
	case Max:
		if len(existing) == 0 || len(param) == 0 {
			return nonNil(param), true
		}
		if compareLE(existing, param) > 0 {
			return resize(existing, len(param)), true
		}
		return param, true
	case Min:
		if !exists || len(param) == 0 {
			return nonNil(param), true
		}
		if compareLE(existing, param) < 0 {
			return resize(existing, len(param)), true
		}
		return param, true
	case ByteMin:
		if exists && bytes.Compare(existing, param) < 0 {
			return nonNil(existing), true
		}
		return nonNil(param), true
	case ByteMax:
		if exists && bytes.Compare(existing, param) > 0 {
			return nonNil(existing), true
		}
		return nonNil(param), true
	case CompareAndClear:
		if !exists || bytes.Equal(existing, param) {
			return nil, false
		}
		return nonNil(existing), true
	case SetVersionstampedKey, SetVersionstampedValue:
		return nonNil(param), true
	}
	panic(fmt.Sprintf("mutation: Apply of invalid type %v", op))
}

// nonNil maps a nil result to a non-nil empty slice, so that a present empty
// value never reads as "absent". []byte{} does not allocate.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func applyAdd(e, p []byte) []byte {
	if len(e) == 0 || len(p) == 0 {
		return p
	}
	out := make([]byte, len(p))
	carry := 0
	for i := range p {
		sum := int(p[i]) + carry
		if i < len(e) {
			sum += int(e[i])
		}
		out[i] = byte(sum)
		carry = sum >> 8
	}
	return out // the final carry is dropped: two's-complement wrap
}

type bitOp uint8

const (
	and bitOp = iota
	or
	xor
)

// bitwise combines e, truncated or zero-extended to len(p), with p. The
// callers have already handled the cases where E yields P unchanged.
func bitwise(e, p []byte, op bitOp) []byte {
	if len(p) == 0 {
		return p
	}
	out := make([]byte, len(p))
	n := min(len(e), len(p))
	for i := range n {
		switch op {
		case and:
			out[i] = e[i] & p[i]
		case or:
			out[i] = e[i] | p[i]
		case xor:
			out[i] = e[i] ^ p[i]
		}
	}
	if op != and {
		copy(out[n:], p[n:]) // x|0 = x^0 = x; for and the tail stays zero
	}
	return out
}

func applyAppendIfFits(e, p []byte) []byte {
	switch {
	case len(e) == 0:
		return p
	case len(p) == 0:
		return e
	case len(e)+len(p) > MaxValueSize:
		return e // silently unchanged, as FoundationDB
	}
	out := make([]byte, len(e)+len(p))
	copy(out, e)
	copy(out[len(e):], p)
	return out
}

// compareLE compares e, truncated or zero-extended to len(p), with p, both as
// unsigned little-endian integers.
func compareLE(e, p []byte) int {
	for i := len(p) - 1; i >= 0; i-- {
		var eb byte
		if i < len(e) {
			eb = e[i]
		}
		if eb != p[i] {
			if eb < p[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// resize returns e truncated or zero-extended to n bytes. A truncation shares
// e's memory with its capacity clipped, so an append by a careless caller
// cannot write into e.
func resize(e []byte, n int) []byte {
	if len(e) >= n {
		return e[:n:n]
	}
	out := make([]byte, n)
	copy(out, e)
	return out
}
