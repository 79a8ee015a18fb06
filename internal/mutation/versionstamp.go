package mutation

import "encoding/binary"

// VersionstampOffset validates a SetVersionstampedKey key or a
// SetVersionstampedValue param and returns the position of its 10-byte
// placeholder. b must end in a 4-byte little-endian position pos (counted in
// b without those 4 bytes) with pos + 10 <= len(b) - 4; otherwise the error
// is ErrVersionstampOffset. A position with the top bit set is negative, as
// FoundationDB reads it as a signed int32, and so invalid.
func VersionstampOffset(b []byte) (pos int, err error) {
	if len(b) < 4 {
		return 0, ErrVersionstampOffset
	}
	body := len(b) - 4
	p := int64(int32(binary.LittleEndian.Uint32(b[body:])))
	if p < 0 || p+10 > int64(body) {
		return 0, ErrVersionstampOffset
	}
	return int(p), nil
}

// Stamp returns a new slice holding b without its last 4 bytes, with stamp
// written at pos. pos must be the position VersionstampOffset returned for b;
// Stamp panics if the stamp does not fit. b is not modified.
func Stamp(b []byte, pos int, stamp [10]byte) []byte {
	out := make([]byte, len(b)-4)
	copy(out, b)
	copy(out[pos:pos+10:pos+10], stamp[:])
	return out
}

// Versionstamp returns the 10-byte versionstamp of a commit: the commit
// version as 8 big-endian bytes, then the transaction's order within its
// commit batch as 2 big-endian bytes.
func Versionstamp(commitVersion int64, batchOrder uint16) [10]byte {
	var s [10]byte
	binary.BigEndian.PutUint64(s[:8], uint64(commitVersion))
	binary.BigEndian.PutUint16(s[8:], batchOrder)
	return s
}
