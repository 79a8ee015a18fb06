package tuple

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"strings"
)

// Unpack decodes a packed tuple. It never panics: input that is not a tuple
// encoding — an unknown type code, a truncated element, an unterminated byte
// string, string or nested tuple — gives an error wrapping
// ErrInvalidEncoding. Empty input is the empty tuple.
//
// Elements come back in canonical types: nil, []byte (a copy, never aliasing
// b), string, int64 for every integer in its range, uint64 only above
// math.MaxInt64, *big.Int beyond 64 bits, float32, float64, bool, UUID,
// Versionstamp (possibly incomplete) and Tuple for nested tuples. Returned
// tuples and byte slices are non-nil even when empty.
//
// Like FoundationDB's bindings, Unpack accepts integers in a longer form than
// needed (say 15 00 for 0, or the 0x1d/0x0b arbitrary-precision codes for a
// value that fits in 8 bytes, which is how the Python binding packs
// ±(2^64-1)); packing the result gives the canonical, shorter bytes. Strings
// are returned as their raw bytes without UTF-8 validation, as the Go binding
// does.
func Unpack(b []byte) (Tuple, error) {
	// Nesting is tracked with an explicit stack so that hostile input such as
	// 05 05 05 … costs heap, not goroutine stack.
	cur := make(Tuple, 0, min(len(b), 4))
	var parents []Tuple
	for i := 0; i < len(b); {
		var (
			el   any
			next int
			err  error
		)
		switch code := b[i]; {
		case code == codeNil:
			switch {
			case len(parents) == 0:
				next = i + 1
			case i+1 < len(b) && b[i+1] == escape:
				next = i + 2
			default: // end of the nested tuple
				parent := parents[len(parents)-1]
				parents = parents[:len(parents)-1]
				cur = append(parent, cur)
				i++
				continue
			}
		case code == codeBytes:
			el, next, err = decodeBytes(b, i)
		case code == codeString:
			el, next, err = decodeString(b, i)
		case code == codeNested:
			parents = append(parents, cur)
			cur = Tuple{}
			i++
			continue
		case codeNegBigInt <= code && code <= codePosBigInt:
			el, next, err = decodeInt(b, i)
		case code == codeFloat:
			if i+5 > len(b) {
				return nil, invalid("truncated float32", i)
			}
			el, next = decodeFloat32(b[i+1:i+5]), i+5
		case code == codeDouble:
			if i+9 > len(b) {
				return nil, invalid("truncated float64", i)
			}
			el, next = decodeFloat64(b[i+1:i+9]), i+9
		case code == codeFalse:
			el, next = false, i+1
		case code == codeTrue:
			el, next = true, i+1
		case code == codeUUID:
			if i+17 > len(b) {
				return nil, invalid("truncated UUID", i)
			}
			var u UUID
			copy(u[:], b[i+1:i+17])
			el, next = u, i+17
		case code == codeVersionstamp:
			if i+1+versionstampLen > len(b) {
				return nil, invalid("truncated versionstamp", i)
			}
			var v Versionstamp
			copy(v.TransactionVersion[:], b[i+1:i+11])
			v.UserVersion = binary.BigEndian.Uint16(b[i+11 : i+13])
			el, next = v, i+13
		default:
			return nil, invalid(fmt.Sprintf("unknown type code 0x%02x", code), i)
		}
		if err != nil {
			return nil, err
		}
		cur = append(cur, el)
		i = next
	}
	if len(parents) > 0 {
		return nil, invalid("unterminated nested tuple", len(b))
	}
	return cur, nil
}

func invalid(what string, offset int) error {
	return fmt.Errorf("%w: %s at offset %d", ErrInvalidEncoding, what, offset)
}

// scanEscaped finds the 0x00 that terminates the escaped byte string
// starting at b[start], counting the 00 ff escapes before it.
func scanEscaped(b []byte, start int) (end, escapes int, ok bool) {
	j := start
	for {
		k := bytes.IndexByte(b[j:], 0x00)
		if k < 0 {
			return 0, 0, false
		}
		j += k
		if j+1 < len(b) && b[j+1] == escape {
			escapes++
			j += 2
			continue
		}
		return j, escapes, true
	}
}

// decodeBytes decodes the byte string whose code is at b[i] into a new slice.
func decodeBytes(b []byte, i int) ([]byte, int, error) {
	start := i + 1
	end, escapes, ok := scanEscaped(b, start)
	if !ok {
		return nil, 0, invalid("unterminated byte string", i)
	}
	out := make([]byte, 0, end-start-escapes)
	src := b[start:end]
	for {
		k := bytes.IndexByte(src, 0x00)
		if k < 0 {
			break
		}
		out = append(out, src[:k+1]...)
		src = src[k+2:] // skip the escape; scanEscaped saw it
	}
	return append(out, src...), end + 1, nil
}

// decodeString decodes the string whose code is at b[i] in one allocation.
func decodeString(b []byte, i int) (string, int, error) {
	start := i + 1
	end, escapes, ok := scanEscaped(b, start)
	if !ok {
		return "", 0, invalid("unterminated string", i)
	}
	if escapes == 0 {
		return string(b[start:end]), end + 1, nil
	}
	var sb strings.Builder
	sb.Grow(end - start - escapes)
	src := b[start:end]
	for {
		k := bytes.IndexByte(src, 0x00)
		if k < 0 {
			break
		}
		sb.Write(src[:k+1])
		src = src[k+2:]
	}
	sb.Write(src)
	return sb.String(), end + 1, nil
}

// decodeInt decodes the integer whose code (0x0b..0x1d) is at b[i].
func decodeInt(b []byte, i int) (any, int, error) {
	code := int(b[i])
	if code == codeNegBigInt || code == codePosBigInt {
		if i+1 >= len(b) {
			return nil, 0, invalid("truncated integer length", i)
		}
		n := int(b[i+1])
		if code == codeNegBigInt {
			n ^= 0xff
		}
		start := i + 2
		if start+n > len(b) {
			return nil, 0, invalid("truncated integer", i)
		}
		v := new(big.Int)
		if code == codePosBigInt {
			v.SetBytes(b[start : start+n])
		} else {
			mag := make([]byte, n)
			for j := range mag {
				mag[j] = ^b[start+j]
			}
			v.SetBytes(mag).Neg(v)
		}
		return canonicalInt(v), start + n, nil
	}

	n := code - codeIntZero
	neg := n < 0
	if neg {
		n = -n
	}
	if i+1+n > len(b) {
		return nil, 0, invalid("truncated integer", i)
	}
	var u uint64
	for _, c := range b[i+1 : i+1+n] {
		u = u<<8 | uint64(c)
	}
	switch {
	case !neg && u <= math.MaxInt64:
		return int64(u), i + 1 + n, nil
	case !neg:
		return u, i + 1 + n, nil
	}
	mag := ^u
	if n < 8 {
		mag &= 1<<(8*n) - 1
	}
	if mag <= 1<<63 {
		return int64(-mag), i + 1 + n, nil // -2^63 wraps to math.MinInt64, as wanted
	}
	return new(big.Int).Neg(new(big.Int).SetUint64(mag)), i + 1 + n, nil
}

// canonicalInt narrows v to int64 or uint64 when it fits, so that every
// integer value has one Go type whatever form it was packed in.
func canonicalInt(v *big.Int) any {
	switch {
	case v.IsInt64():
		return v.Int64()
	case v.IsUint64():
		return v.Uint64()
	}
	return v
}

func decodeFloat32(b []byte) float32 {
	u := binary.BigEndian.Uint32(b)
	if u&(1<<31) != 0 {
		u &^= 1 << 31
	} else {
		u = ^u
	}
	return math.Float32frombits(u)
}

func decodeFloat64(b []byte) float64 {
	u := binary.BigEndian.Uint64(b)
	if u&(1<<63) != 0 {
		u &^= 1 << 63
	} else {
		u = ^u
	}
	return math.Float64frombits(u)
}
