package peers

import (
	"encoding/binary"
	"math/rand/v2"
	"strconv"
)

// KeyLen and ValueLen are the sizes of every key and value the workloads use.
const (
	KeyLen   = 16
	ValueLen = 100
)

// CounterKey is the hot key of the contended-counter workload. It is 16 bytes
// like the data keys and sorts before all of them.
var CounterKey = []byte("counter/00000000")

// PutKey writes the key of index i into dst (len KeyLen): "k" followed by i in
// 15 zero-padded decimal digits, so keys sort in index order.
func PutKey(dst []byte, i int) {
	_ = dst[KeyLen-1]
	dst[0] = 'k'
	for j := KeyLen - 1; j >= 1; j-- {
		dst[j] = byte('0' + i%10)
		i /= 10
	}
}

// Key returns a new slice holding the key of index i.
func Key(i int) []byte {
	k := make([]byte, KeyLen)
	PutKey(k, i)
	return k
}

// KeyIndex is the inverse of PutKey; it returns -1 for a key not made by it.
func KeyIndex(k []byte) int {
	if len(k) != KeyLen || k[0] != 'k' {
		return -1
	}
	i := 0
	for _, c := range k[1:] {
		if c < '0' || c > '9' {
			return -1
		}
		i = i*10 + int(c-'0')
	}
	return i
}

// PutValue fills dst (len ValueLen) with the initial value of index i:
// pseudo-random bytes that depend only on i.
func PutValue(dst []byte, i int) {
	r := rand.NewPCG(0x706c696e7468, uint64(i))
	for j := 0; j+8 <= len(dst); j += 8 {
		binary.LittleEndian.PutUint64(dst[j:], r.Uint64())
	}
	var tail [8]byte
	binary.LittleEndian.PutUint64(tail[:], r.Uint64())
	copy(dst[len(dst)/8*8:], tail[:])
}

// Label formats a key count for a benchmark name: 1e6 for 1000000, the
// decimal number when it is not a power of ten.
func Label(n int) string {
	e := 0
	for m := n; m >= 10 && m%10 == 0; m /= 10 {
		e++
	}
	if n > 0 && pow10(e) == n && e > 0 {
		return "1e" + strconv.Itoa(e)
	}
	return strconv.Itoa(n)
}

func pow10(e int) int {
	p := 1
	for ; e > 0; e-- {
		p *= 10
	}
	return p
}

// ParseCount reads a key count written as an integer or as 1eK.
func ParseCount(s string) (int, error) {
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 1 && f == float64(int(f)) {
		return int(f), nil
	}
	return strconv.Atoi(s)
}
