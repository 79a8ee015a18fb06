package kv

import "bytes"

// The key space's rules, in one place. Keys below \xff are the user's;
// [\xff, \xff\xff) holds system keys, which a transaction reads only with
// SetReadSystemKeys or SetAccessSystemKeys and writes only with the latter;
// nothing lies at or beyond \xff\xff. A point key must lie below the end of
// the space the transaction may touch; a range bound or a selector's key may
// equal it.

var (
	maxUserKey   = []byte{0xff}
	maxSystemKey = []byte{0xff, 0xff}
)

// maxReadKey is the end of the key space the transaction may read.
func (tr *Transaction) maxReadKey() []byte {
	if tr.readSystem {
		return maxSystemKey
	}
	return maxUserKey
}

// maxWriteKey is the end of the key space the transaction may write.
func (tr *Transaction) maxWriteKey() []byte {
	if tr.writeSystem {
		return maxSystemKey
	}
	return maxUserKey
}

// checkKey refuses a point key at or beyond max.
func checkKey(key, max []byte) error {
	if bytes.Compare(key, max) >= 0 {
		return outsideRange(key, max)
	}
	return nil
}

// checkBound refuses a range bound or selector key beyond max.
func checkBound(key, max []byte) error {
	if bytes.Compare(key, max) > 0 {
		return outsideRange(key, max)
	}
	return nil
}

// checkRange refuses an inverted range and one reaching beyond max; what
// names the range in the message.
func checkRange(what string, begin, end, max []byte) error {
	if bytes.Compare(begin, end) > 0 {
		return newError(codeInvertedRange, "%s begin %q is after end %q", what, printable(begin), printable(end))
	}
	if err := checkBound(begin, max); err != nil {
		return err
	}
	return checkBound(end, max)
}

// keyLimit is the largest key allowed where key lies: system keys may be
// longer.
func keyLimit(key []byte) int {
	if len(key) > 0 && key[0] == 0xff {
		return MaxSystemKeySize
	}
	return MaxKeySize
}

// checkKeySize refuses a key longer than its limit.
func checkKeySize(key []byte) error {
	if len(key) > keyLimit(key) {
		return newError(codeKeyTooLarge, "key of %d bytes exceeds the limit of %d", len(key), keyLimit(key))
	}
	return nil
}

// checkValueSize refuses a value or atomic parameter over MaxValueSize.
func checkValueSize(key, value []byte) error {
	if len(value) > MaxValueSize {
		return newError(codeValueTooLarge, "value of %d bytes for key %q exceeds the limit of %d", len(value), printable(key), MaxValueSize)
	}
	return nil
}

// outsideRange is the error for key beyond max, the end of the key space
// the transaction may touch; the message says what access would widen it.
func outsideRange(key, max []byte) error {
	if len(max) > 1 {
		return newError(codeKeyOutsideLegalRange, "key %q is outside the legal range: the key space ends at \\xff\\xff", printable(key))
	}
	return newError(codeKeyOutsideLegalRange, "key %q is outside the legal range (keys from \\xff need system key access)", printable(key))
}

func clone(b []byte) []byte {
	// make and copy, not append: append rounds the capacity up to a size
	// class and costs more.
	c := make([]byte, len(b))
	copy(c, b)
	return c
}
