package selector

import (
	"fmt"
	"strconv"
)

// KeySelector names a key by its position relative to Key: find the last key
// less than Key (less than or equal to Key when OrEqual is true), then step
// Offset keys forward (backward when Offset is negative). Offset 0 keeps the
// key found; Offset 1 is the key just after it.
//
// A KeySelector is plain data; it holds Key as given and never modifies it.
type KeySelector struct {
	Key     []byte
	OrEqual bool
	Offset  int
}

// FirstGreaterOrEqual selects the least key >= key: (key, false, 1).
func FirstGreaterOrEqual(key []byte) KeySelector {
	return KeySelector{Key: key, OrEqual: false, Offset: 1}
}

// FirstGreaterThan selects the least key > key: (key, true, 1).
func FirstGreaterThan(key []byte) KeySelector {
	return KeySelector{Key: key, OrEqual: true, Offset: 1}
}

// LastLessOrEqual selects the greatest key <= key: (key, true, 0).
func LastLessOrEqual(key []byte) KeySelector {
	return KeySelector{Key: key, OrEqual: true, Offset: 0}
}

// LastLessThan selects the greatest key < key: (key, false, 0).
func LastLessThan(key []byte) KeySelector {
	return KeySelector{Key: key, OrEqual: false, Offset: 0}
}

// Add returns a copy of s whose Offset is moved by offset keys (forward when
// positive). The Key slice is shared with s.
func (s KeySelector) Add(offset int) KeySelector {
	s.Offset += offset
	return s
}

// String returns a debugging form of s, for example
// FirstGreaterOrEqual("a\x00")+2. Selectors that match a constructor after
// removing the offset are printed as that constructor plus the remainder;
// others print as the raw triple.
func (s KeySelector) String() string {
	key := strconv.Quote(string(s.Key))
	var name string
	var base int
	switch {
	case !s.OrEqual && s.Offset >= 1:
		name, base = "FirstGreaterOrEqual", 1
	case s.OrEqual && s.Offset >= 1:
		name, base = "FirstGreaterThan", 1
	case s.OrEqual:
		name, base = "LastLessOrEqual", 0
	default:
		name, base = "LastLessThan", 0
	}
	out := name + "(" + key + ")"
	if d := s.Offset - base; d > 0 {
		out += fmt.Sprintf("+%d", d)
	} else if d < 0 {
		out += fmt.Sprintf("%d", d)
	}
	return out
}
