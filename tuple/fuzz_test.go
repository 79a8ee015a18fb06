package tuple

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// hasNonMinimalInt walks a valid encoding and reports whether it holds an
// integer in a longer form than Pack writes. Those are the only
// non-canonical inputs Unpack accepts:
//   - byte strings and strings decode uniquely: inside them every 0x00 is
//     either followed by the 0xff escape or ends the element, and Pack
//     escapes every 0x00, so they re-pack identically;
//   - nested nil is always written 00 ff and a bare 00 always ends a nested
//     tuple, so the escaping of nested nil has one form, and a top-level
//     00 ff is rejected (0xff is no type code);
//   - floats keep their bits, NaN payloads and -0 included;
//   - integers may be padded: a fixed-width one with a leading 0x00
//     (positive) or 0xff (negative, one's complement), or an 0x1d/0x0b one
//     whose magnitude fits in 8 bytes or starts with such a byte.
//
// It assumes Unpack accepted data, so it does no bounds checks of its own.
func hasNonMinimalInt(data []byte) bool {
	depth := 0
	for i := 0; i < len(data); {
		switch c := data[i]; {
		case c == codeNil:
			switch {
			case depth == 0:
				i++
			case i+1 < len(data) && data[i+1] == escape:
				i += 2
			default:
				depth--
				i++
			}
		case c == codeBytes || c == codeString:
			end, _, _ := scanEscaped(data, i+1)
			i = end + 1
		case c == codeNested:
			depth++
			i++
		case c == codeNegBigInt || c == codePosBigInt:
			n, pad := int(data[i+1]), byte(0x00)
			if c == codeNegBigInt {
				n, pad = n^0xff, 0xff
			}
			if n <= 8 || data[i+2] == pad {
				return true
			}
			i += 2 + n
		case codeNegBigInt < c && c < codePosBigInt:
			n, pad := int(c)-codeIntZero, byte(0x00)
			if n < 0 {
				n, pad = -n, 0xff
			}
			if n > 0 && data[i+1] == pad {
				return true
			}
			i += 1 + n
		case c == codeFloat:
			i += 5
		case c == codeDouble:
			i += 9
		case c == codeUUID:
			i += 17
		case c == codeVersionstamp:
			i += 1 + versionstampLen
		default: // false, true
			i++
		}
	}
	return false
}

// FuzzUnpack checks that Unpack never panics, that every error it returns is
// ErrInvalidEncoding, and that what it accepts re-packs to the same bytes
// when they were canonical, or else to shorter canonical bytes that decode to
// the same tuple.
func FuzzUnpack(f *testing.F) {
	for _, name := range []string{"tuple.json", "tuple-order.json"} {
		for _, v := range loadTupleVectors(f, name) {
			f.Add(mustHex(f, v.PackedHex))
		}
	}
	for _, v := range loadInvalidVectors(f) {
		f.Add(mustHex(f, v.Hex))
	}
	for _, h := range []string{"1500", "13ff", "1d0105", "0bf70000000000000000", "0500ff0500ff0000", "0533ffffffffffffffffffff000100"} {
		f.Add(mustHex(f, h))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		tup, err := Unpack(data)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidEncoding)
			require.Nil(t, tup)
			return
		}
		// stampsAny: Unpack accepts any number of incomplete versionstamps.
		re, _, err := pack(nil, tup, stampsAny, 0)
		require.NoError(t, err, "re-pack %v", tup)
		if hasNonMinimalInt(data) {
			require.Less(t, len(re), len(data), "canonical form is shorter: %x -> %x", data, re)
		} else {
			require.Equal(t, data, re, "canonical input re-packs identically")
		}
		back, err := Unpack(re)
		require.NoError(t, err)
		require.True(t, tupleEqual(tup, back), "%v != %v", tup, back)
		require.False(t, hasNonMinimalInt(re))
	})
}
