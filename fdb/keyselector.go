package fdb

import "github.com/plinthdb/plinth/selector"

// A Selectable is anything that describes a key selector. Every function
// that resolves a selector to a key takes a Selectable.
type Selectable interface {
	FDBKeySelector() KeySelector
}

// KeySelector describes a key relative to the keys present in the database:
// the last key less than (OrEqual false) or less than or equal to (OrEqual
// true) Key, then Offset keys further (Offset 1 is the key after it, 0 the
// key itself, negative offsets go backwards). GetKey resolves it; a
// SelectorRange uses two of them as its ends. The usual selectors come from
// FirstGreaterOrEqual, FirstGreaterThan, LastLessOrEqual and LastLessThan.
type KeySelector struct {
	Key     KeyConvertible
	OrEqual bool
	Offset  int
}

// FDBKeySelector returns ks, so that KeySelector is a Selectable.
func (ks KeySelector) FDBKeySelector() KeySelector {
	return ks
}

// LastLessThan selects the greatest key strictly less than key.
func LastLessThan(key KeyConvertible) KeySelector {
	return KeySelector{key, false, 0}
}

// LastLessOrEqual selects the greatest key less than or equal to key.
func LastLessOrEqual(key KeyConvertible) KeySelector {
	return KeySelector{key, true, 0}
}

// FirstGreaterThan selects the least key strictly greater than key.
func FirstGreaterThan(key KeyConvertible) KeySelector {
	return KeySelector{key, true, 1}
}

// FirstGreaterOrEqual selects the least key greater than or equal to key.
func FirstGreaterOrEqual(key KeyConvertible) KeySelector {
	return KeySelector{key, false, 1}
}

// toSelector converts a Selectable into plinth's selector; a nil one is the
// first key.
func toSelector(s Selectable) selector.KeySelector {
	if s == nil {
		return selector.FirstGreaterOrEqual(nil)
	}
	ks := s.FDBKeySelector()
	return selector.KeySelector{Key: keyBytes(ks.Key), OrEqual: ks.OrEqual, Offset: ks.Offset}
}
