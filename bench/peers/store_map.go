package peers

import (
	"slices"
	"sync"
)

func init() {
	register(Info{
		Name:      "map",
		Note:      "floor, not a store: `map[string][]byte` under a `sync.RWMutex`; a transaction is one lock hold; writes copy the value. Its Scan100 is 100 point reads of the next keys (a map has no order).",
		PointScan: true,
		order:     60,
		open:      func(string) (Store, error) { return &mapStore{m: make(map[string][]byte)}, nil },
	})
}

type mapStore struct {
	mu sync.RWMutex
	m  map[string][]byte
}

func (s *mapStore) Load(pairs []KV) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range pairs {
		s.m[string(p.Key)] = slices.Clone(p.Value)
	}
	return nil
}

func (s *mapStore) Get(key []byte) (int, error) {
	s.mu.RLock()
	v, ok := s.m[string(key)]
	s.mu.RUnlock()
	if !ok {
		return -1, nil
	}
	return len(v), nil
}

func (s *mapStore) Value(key []byte) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.m[string(key)]), nil
}

func (s *mapStore) Scan(start []byte, n int) (int, error) {
	first := KeyIndex(start)
	var k [KeyLen]byte
	seen := 0
	s.mu.RLock()
	defer s.mu.RUnlock()
	for i := first; i < first+n; i++ {
		PutKey(k[:], i)
		if _, ok := s.m[string(k[:])]; ok {
			seen++
		}
	}
	return seen, nil
}

func (s *mapStore) Set(key, value []byte) error {
	v := slices.Clone(value)
	s.mu.Lock()
	s.m[string(key)] = v
	s.mu.Unlock()
	return nil
}

func (s *mapStore) Read5Write5(reads, writes *[5][]byte, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range reads {
		_ = s.m[string(k)]
	}
	for _, k := range writes {
		s.m[string(k)] = slices.Clone(value)
	}
	return nil
}

func (s *mapStore) ReadModifyWrite(key, value []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.m[string(key)]
	s.m[string(key)] = slices.Clone(value)
	return 0, nil
}

func (s *mapStore) Increment(key []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[string(key)] = nextCounter(s.m[string(key)])
	return 0, nil
}

func (s *mapStore) Close() error { return nil }
