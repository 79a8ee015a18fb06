package tuple

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strings"
)

// Type codes, from FoundationDB's design/tuple.md.
const (
	codeNil          = 0x00
	codeBytes        = 0x01
	codeString       = 0x02
	codeNested       = 0x05
	codeNegBigInt    = 0x0b // negative integer of 9..255 bytes; a complemented length byte follows
	codeIntZero      = 0x14 // 0x0c..0x13: negative, 8..1 bytes; 0x15..0x1c: positive, 1..8 bytes
	codePosBigInt    = 0x1d // positive integer of 9..255 bytes; a length byte follows
	codeFloat        = 0x20
	codeDouble       = 0x21
	codeFalse        = 0x26
	codeTrue         = 0x27
	codeUUID         = 0x30
	codeVersionstamp = 0x33

	// escape follows 0x00 inside byte strings, and follows the nil code inside
	// nested tuples, so that a bare 0x00 always terminates.
	escape = 0xff

	maxBigIntLen    = 255
	versionstampLen = 12
)

var zeroByte = []byte{0x00}

// stampRule says how many incomplete versionstamps a pack call accepts.
type stampRule int

const (
	stampsForbidden stampRule = iota
	stampsExactlyOne
	stampsAny // tests only: re-packing whatever Unpack accepted
)

// pack encodes t after prefix into a buffer sized exactly, with extra spare
// capacity, so that packing allocates once. pos is the index of the first
// incomplete versionstamp's 10-byte placeholder, or -1.
func pack(prefix []byte, t Tuple, rule stampRule, extra int) (buf []byte, pos int, err error) {
	size, incomplete, err := measure(t, false)
	if err != nil {
		return nil, -1, err
	}
	switch {
	case rule == stampsForbidden && incomplete > 0:
		return nil, -1, ErrIncompleteVersionstamp
	case rule == stampsExactlyOne && incomplete == 0:
		return nil, -1, ErrNoIncompleteVersionstamp
	case rule == stampsExactlyOne && incomplete > 1:
		return nil, -1, ErrMultipleIncompleteVersionstamps
	}
	p := packer{buf: make([]byte, 0, len(prefix)+size+extra), stampPos: -1}
	p.buf = append(p.buf, prefix...)
	p.encode(t, false)
	return p.buf, p.stampPos, nil
}

// measure returns the encoded length of t's elements (without the nested
// tuple's own code and terminator) and how many incomplete versionstamps it
// holds. It is the only place elements are validated, so encode cannot fail.
func measure(t Tuple, nested bool) (size, incomplete int, err error) {
	for i, e := range t {
		switch e := e.(type) {
		case nil:
			size++
			if nested {
				size++
			}
		case []byte:
			size += 2 + len(e) + bytes.Count(e, zeroByte)
		case string:
			size += 2 + len(e) + strings.Count(e, "\x00")
		case int64:
			size += 1 + intLen(magnitude(e))
		case int:
			size += 1 + intLen(magnitude(int64(e)))
		case Tuple:
			n, inc, err := measure(e, true)
			if err != nil {
				return 0, 0, fmt.Errorf("nested tuple at index %d: %w", i, err)
			}
			size += 2 + n
			incomplete += inc
		case *big.Int:
			if e == nil {
				return 0, 0, fmt.Errorf("%w: nil *big.Int at index %d", ErrUnsupportedType, i)
			}
			n, err := bigIntSize(e)
			if err != nil {
				return 0, 0, fmt.Errorf("%w: index %d", err, i)
			}
			size += n
		case big.Int:
			n, err := bigIntSize(&e)
			if err != nil {
				return 0, 0, fmt.Errorf("%w: index %d", err, i)
			}
			size += n
		case float32:
			size += 5
		case float64:
			size += 9
		case bool:
			size++
		case UUID:
			size += 1 + len(e)
		case Versionstamp:
			size += 1 + versionstampLen
			if e.incomplete() {
				incomplete++
			}
		default:
			mag, _, ok := fixedInt(e)
			if !ok {
				return 0, 0, fmt.Errorf("%w: %T at index %d", ErrUnsupportedType, e, i)
			}
			size += 1 + intLen(mag)
		}
	}
	return size, incomplete, nil
}

// packer appends encoded elements to a buffer already sized by measure.
type packer struct {
	buf      []byte
	stampPos int
}

func (p *packer) encode(t Tuple, nested bool) {
	for _, e := range t {
		switch e := e.(type) {
		case nil:
			p.buf = append(p.buf, codeNil)
			if nested {
				p.buf = append(p.buf, escape)
			}
		case []byte:
			p.buf = append(p.buf, codeBytes)
			p.buf = appendEscapedBytes(p.buf, e)
			p.buf = append(p.buf, 0x00)
		case string:
			p.buf = append(p.buf, codeString)
			p.buf = appendEscapedString(p.buf, e)
			p.buf = append(p.buf, 0x00)
		case int64:
			p.buf = appendInt(p.buf, magnitude(e), e < 0)
		case int:
			p.buf = appendInt(p.buf, magnitude(int64(e)), e < 0)
		case Tuple:
			p.buf = append(p.buf, codeNested)
			p.encode(e, true)
			p.buf = append(p.buf, 0x00)
		case *big.Int:
			p.buf = appendBigInt(p.buf, e)
		case big.Int:
			p.buf = appendBigInt(p.buf, &e)
		case float32:
			p.buf = appendFloat32(p.buf, e)
		case float64:
			p.buf = appendFloat64(p.buf, e)
		case bool:
			if e {
				p.buf = append(p.buf, codeTrue)
			} else {
				p.buf = append(p.buf, codeFalse)
			}
		case UUID:
			p.buf = append(p.buf, codeUUID)
			p.buf = append(p.buf, e[:]...)
		case Versionstamp:
			p.buf = append(p.buf, codeVersionstamp)
			if e.incomplete() && p.stampPos < 0 {
				p.stampPos = len(p.buf)
			}
			p.buf = append(p.buf, e.TransactionVersion[:]...)
			p.buf = binary.BigEndian.AppendUint16(p.buf, e.UserVersion)
		default:
			mag, neg, _ := fixedInt(e) // measure rejected every other type
			p.buf = appendInt(p.buf, mag, neg)
		}
	}
}

// appendEscapedBytes appends b with every 0x00 followed by 0xff.
func appendEscapedBytes(dst, b []byte) []byte {
	for {
		i := bytes.IndexByte(b, 0x00)
		if i < 0 {
			return append(dst, b...)
		}
		dst = append(dst, b[:i+1]...)
		dst = append(dst, escape)
		b = b[i+1:]
	}
}

// appendEscapedString is appendEscapedBytes for a string, without converting
// it. The bytes are written as they are: like FoundationDB's Go binding (and
// unlike its Python binding) no UTF-8 validation is done.
func appendEscapedString(dst []byte, s string) []byte {
	for {
		i := strings.IndexByte(s, 0x00)
		if i < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:i+1]...)
		dst = append(dst, escape)
		s = s[i+1:]
	}
}

// fixedInt returns the magnitude and sign of a fixed-width Go integer, and
// false for any other type. Callers match int and int64 before calling it,
// as the common case; they are listed here too so the helper stands alone.
func fixedInt(e any) (mag uint64, neg, ok bool) {
	switch e := e.(type) {
	case int:
		return magnitude(int64(e)), e < 0, true
	case int8:
		return magnitude(int64(e)), e < 0, true
	case int16:
		return magnitude(int64(e)), e < 0, true
	case int32:
		return magnitude(int64(e)), e < 0, true
	case int64:
		return magnitude(e), e < 0, true
	case uint:
		return uint64(e), false, true
	case uint8:
		return uint64(e), false, true
	case uint16:
		return uint64(e), false, true
	case uint32:
		return uint64(e), false, true
	case uint64:
		return e, false, true
	}
	return 0, false, false
}

// magnitude returns |v|; for math.MinInt64 the negation wraps and the
// conversion yields 2^63, which is right.
func magnitude(v int64) uint64 {
	if v < 0 {
		return uint64(-v)
	}
	return uint64(v)
}

// intLen is the number of bytes of mag without leading zeros (0 for 0).
func intLen(mag uint64) int {
	return (bits.Len64(mag) + 7) / 8
}

// appendInt appends an integer of magnitude up to 2^64-1 with the 0x0c..0x1c
// codes: the code gives the sign and byte count n, then n bytes big-endian,
// of the magnitude for positives and of its one's complement for negatives
// (so that larger magnitudes sort lower). This is also how the Go binding
// packs ±(2^64-1): 1c ff×8 and 0c 00×8.
func appendInt(dst []byte, mag uint64, neg bool) []byte {
	n := intLen(mag)
	if neg {
		dst = append(dst, byte(codeIntZero-n))
		mag = ^mag
	} else {
		dst = append(dst, byte(codeIntZero+n))
	}
	for shift := 8 * (n - 1); shift >= 0; shift -= 8 {
		dst = append(dst, byte(mag>>shift))
	}
	return dst
}

// bigIntSize is the encoded length of v: the fixed-width form up to 8 bytes
// of magnitude, else code, length byte and magnitude.
func bigIntSize(v *big.Int) (int, error) {
	n := (v.BitLen() + 7) / 8
	switch {
	case n <= 8:
		return 1 + n, nil
	case n > maxBigIntLen:
		return 0, fmt.Errorf("%w (%d bytes)", ErrIntegerTooLarge, n)
	}
	return 2 + n, nil
}

// appendBigInt appends v, which bigIntSize accepted. Magnitudes of up to 8
// bytes use the fixed-width codes, as every binding does, so a *big.Int packs
// exactly like an int64 or uint64 of the same value.
func appendBigInt(dst []byte, v *big.Int) []byte {
	neg := v.Sign() < 0
	n := (v.BitLen() + 7) / 8
	if n <= 8 {
		var b [8]byte
		v.FillBytes(b[:]) // absolute value
		return appendInt(dst, binary.BigEndian.Uint64(b[:]), neg)
	}
	if neg {
		dst = append(dst, codeNegBigInt, byte(n)^0xff)
	} else {
		dst = append(dst, codePosBigInt, byte(n))
	}
	start := len(dst)
	dst = append(dst, make([]byte, n)...)
	v.FillBytes(dst[start:])
	if neg {
		for i := start; i < len(dst); i++ {
			dst[i] ^= 0xff
		}
	}
	return dst
}

// Floats are stored as their IEEE 754 bits big-endian, with the sign bit
// flipped for positives and every bit flipped for negatives, so that bytes
// order as IEEE totalOrder: -NaN < -Inf < … < -0 < +0 < … < +Inf < +NaN.
// The bits are kept as they are (NaN payloads and -0 survive a round trip).

func appendFloat32(dst []byte, f float32) []byte {
	u := math.Float32bits(f)
	if u&(1<<31) != 0 {
		u = ^u
	} else {
		u |= 1 << 31
	}
	return binary.BigEndian.AppendUint32(append(dst, codeFloat), u)
}

func appendFloat64(dst []byte, f float64) []byte {
	u := math.Float64bits(f)
	if u&(1<<63) != 0 {
		u = ^u
	} else {
		u |= 1 << 63
	}
	return binary.BigEndian.AppendUint64(append(dst, codeDouble), u)
}
