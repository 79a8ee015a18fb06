package peers

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sync"

	"github.com/google/btree"
)

func init() {
	register(Info{
		Name:  "btree",
		Note:  "floor, not a store: google/btree `BTreeG` (degree 32) of items holding the 16-byte key inline (compared as two big-endian uint64s) and the value, under a `sync.RWMutex`; a transaction is one lock hold; writes copy the value; reads hand out nothing, so they copy nothing.",
		order: 70,
		open:  func(string) (Store, error) { return newBtree(false), nil },
	})
	register(Info{
		Name:  "btree-copy",
		Note:  "the btree floor, copying out what a caller would get, as a store that hands out memory the caller owns must: `Get` copies the value, and `Scan` copies every key and value it visits into an arena allocated for the call and returns them as rows. Same type and code as btree otherwise, so the column shows what those copies cost. `bench/run.sh` runs only its read workloads (Get, Scan100, YCSB C and E) and no Memory benchmark: the rest is identical to btree's.",
		order: 75,
		open:  func(string) (Store, error) { return newBtree(true), nil },
	})
}

// item16 keeps the 16-byte key inline: comparing two items touches no other
// allocation.
type item16 struct {
	hi, lo uint64
	v      []byte
}

func lessItem16(a, b item16) bool {
	if a.hi != b.hi {
		return a.hi < b.hi
	}
	return a.lo < b.lo
}

func pivot16(key []byte) (item16, error) {
	if len(key) != KeyLen {
		return item16{}, fmt.Errorf("btree store: key of %d bytes, want %d", len(key), KeyLen)
	}
	return item16{hi: binary.BigEndian.Uint64(key), lo: binary.BigEndian.Uint64(key[8:])}, nil
}

// btreeStore is the btree and btree-copy floors: with copyOut, Get and Scan
// copy what they read into memory the caller owns.
type btreeStore struct {
	mu      sync.RWMutex
	t       *btree.BTreeG[item16]
	copyOut bool
}

func newBtree(copyOut bool) *btreeStore {
	return &btreeStore{t: btree.NewG(32, lessItem16), copyOut: copyOut}
}

func (s *btreeStore) Load(pairs []KV) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range pairs {
		it, err := pivot16(p.Key)
		if err != nil {
			return err
		}
		it.v = slices.Clone(p.Value)
		s.t.ReplaceOrInsert(it)
	}
	return nil
}

func (s *btreeStore) Get(key []byte) (int, error) {
	p, err := pivot16(key)
	if err != nil {
		return 0, err
	}
	s.mu.RLock()
	it, ok := s.t.Get(p)
	if ok && s.copyOut {
		it.v = slices.Clone(it.v)
	}
	s.mu.RUnlock()
	if !ok {
		return -1, nil
	}
	return len(it.v), nil
}

func (s *btreeStore) Value(key []byte) ([]byte, error) {
	p, err := pivot16(key)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	it, _ := s.t.Get(p)
	return slices.Clone(it.v), nil
}

func (s *btreeStore) Scan(start []byte, n int) (int, error) {
	p, err := pivot16(start)
	if err != nil {
		return 0, err
	}
	if s.copyOut {
		return len(s.scanCopy(p, n)), nil
	}
	seen := 0
	s.mu.RLock()
	s.t.AscendGreaterOrEqual(p, func(item16) bool {
		seen++
		return seen < n
	})
	s.mu.RUnlock()
	return seen, nil
}

// scanCopy returns up to n rows from p on, their keys and values copied
// into one arena allocated for the call, as plinth's copying range read
// hands them out.
func (s *btreeStore) scanCopy(p item16, n int) []KV {
	rows := make([]KV, 0, n)
	arena := make([]byte, 0, n*(KeyLen+ValueLen))
	s.mu.RLock()
	s.t.AscendGreaterOrEqual(p, func(it item16) bool {
		if cap(arena)-len(arena) < KeyLen+len(it.v) {
			arena = make([]byte, 0, max(cap(arena), KeyLen+len(it.v)))
		}
		off := len(arena)
		arena = binary.BigEndian.AppendUint64(arena, it.hi)
		arena = binary.BigEndian.AppendUint64(arena, it.lo)
		arena = append(arena, it.v...)
		rows = append(rows, KV{
			Key:   arena[off : off+KeyLen : off+KeyLen],
			Value: arena[off+KeyLen : len(arena) : len(arena)],
		})
		return len(rows) < n
	})
	s.mu.RUnlock()
	return rows
}

func (s *btreeStore) Set(key, value []byte) error {
	it, err := pivot16(key)
	if err != nil {
		return err
	}
	it.v = slices.Clone(value)
	s.mu.Lock()
	s.t.ReplaceOrInsert(it)
	s.mu.Unlock()
	return nil
}

func (s *btreeStore) Read5Write5(reads, writes *[5][]byte, value []byte) error {
	var rp, wp [5]item16
	for i := range rp {
		var err error
		if rp[i], err = pivot16(reads[i]); err != nil {
			return err
		}
		if wp[i], err = pivot16(writes[i]); err != nil {
			return err
		}
		wp[i].v = slices.Clone(value)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range rp {
		s.t.Get(p)
	}
	for _, p := range wp {
		s.t.ReplaceOrInsert(p)
	}
	return nil
}

func (s *btreeStore) ReadModifyWrite(key, value []byte) (int, error) {
	p, err := pivot16(key)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.t.Get(p)
	p.v = slices.Clone(value)
	s.t.ReplaceOrInsert(p)
	return 0, nil
}

func (s *btreeStore) Increment(key []byte) (int, error) {
	p, err := pivot16(key)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, _ := s.t.Get(p)
	p.v = nextCounter(old.v)
	s.t.ReplaceOrInsert(p)
	return 0, nil
}

func (s *btreeStore) Close() error { return nil }
