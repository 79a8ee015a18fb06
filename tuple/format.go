package tuple

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// String returns a readable form of t for logs and tests, such as
// ("users", 42, b"\x00\xff", (nil)). It is not an encoding: use Pack.
func (t Tuple) String() string {
	var sb strings.Builder
	writeTuple(&sb, t)
	return sb.String()
}

func writeTuple(sb *strings.Builder, t Tuple) {
	sb.WriteByte('(')
	for i, e := range t {
		if i > 0 {
			sb.WriteString(", ")
		}
		switch e := e.(type) {
		case nil:
			sb.WriteString("nil")
		case Tuple:
			writeTuple(sb, e)
		case string:
			sb.WriteString(strconv.Quote(e))
		case []byte:
			writeBytes(sb, e)
		default:
			fmt.Fprint(sb, e) // numbers, bools, and UUID and Versionstamp Stringers
		}
	}
	sb.WriteByte(')')
}

// writeBytes writes b"…" with printable ASCII as is and other bytes as \xNN.
func writeBytes(sb *strings.Builder, b []byte) {
	const digits = "0123456789abcdef"
	sb.WriteString(`b"`)
	for _, c := range b {
		switch {
		case c == '\\' || c == '"':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c >= 0x20 && c < 0x7f:
			sb.WriteByte(c)
		default:
			sb.WriteString(`\x`)
			sb.WriteByte(digits[c>>4])
			sb.WriteByte(digits[c&0xf])
		}
	}
	sb.WriteByte('"')
}

// String returns u in the canonical 8-4-4-4-12 hexadecimal form.
func (u UUID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], u[10:16])
	return string(b[:])
}

// String returns v as Versionstamp(<20 hex digits>, <user version>), with
// "incomplete" in place of the placeholder's digits.
func (v Versionstamp) String() string {
	if v.incomplete() {
		return fmt.Sprintf("Versionstamp(incomplete, %d)", v.UserVersion)
	}
	return fmt.Sprintf("Versionstamp(%x, %d)", v.TransactionVersion[:], v.UserVersion)
}
