package peers

import (
	"errors"
	"log"
	"slices"
	"sync"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

func init() {
	register(Info{
		Name: "pebble",
		Note: "cockroachdb/pebble v2, `Open` on an in-memory file system (`vfs.NewMem()`: WAL and sstables are Go byte slices; default options, 4 MB memtables, 8 MB block cache), every write with `pebble.NoSync`. " +
			"Pebble has no transactions: here every write transaction (Set, Load, Read5Write5, the read-modify-writes) holds one `sync.Mutex` and commits its writes as one atomic batch, so writers are serialized and never conflict or retry, like bbolt's single writer. " +
			"Reads take no lock: `Get` and each scan's iterator read one consistent, committed point in time, and Read5Write5 reads through an indexed batch under the mutex. " +
			"Isolation is thus serializable only because of that mutex (snapshot reads, one writer at a time); pebble itself would let two read-modify-writes of one key lose an update. " +
			"Scans read each value. With cgo, its memtables and block cache are allocated outside the Go heap; the Memory table then gives their bytes (pebble's metrics) as off-heap.",
		order: 12,
		open: func(string) (Store, error) {
			db, err := pebble.Open("", &pebble.Options{FS: vfs.NewMem(), Logger: pebbleLogger{}})
			if err != nil {
				return nil, err
			}
			return &pebbleStore{db: db}, nil
		},
	})
}

// pebbleLogger drops pebble's informational messages (flushes, compactions)
// and keeps its errors.
type pebbleLogger struct{}

func (pebbleLogger) Infof(string, ...any)              {}
func (pebbleLogger) Errorf(format string, args ...any) { log.Printf("pebble: "+format, args...) }
func (pebbleLogger) Fatalf(format string, args ...any) { log.Fatalf("pebble: "+format, args...) }

// pebbleStore serializes its write transactions with mu: pebble applies a
// batch atomically but has no read-write transactions, so a read followed
// by a write is only isolated from other writers by holding mu across both.
type pebbleStore struct {
	mu sync.Mutex // held by every write transaction
	db *pebble.DB
}

func (s *pebbleStore) Load(pairs []KV) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.db.NewBatch()
	defer b.Close()
	for _, p := range pairs {
		if err := b.Set(p.Key, p.Value, nil); err != nil {
			return err
		}
	}
	return b.Commit(pebble.NoSync)
}

// pebbleGet calls fn with key's value (nil when absent), valid only during
// fn.
func pebbleGet(r pebble.Reader, key []byte, fn func(v []byte, ok bool)) error {
	v, closer, err := r.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		fn(nil, false)
		return nil
	}
	if err != nil {
		return err
	}
	fn(v, true)
	return closer.Close()
}

func (s *pebbleStore) Get(key []byte) (int, error) {
	n := -1
	err := pebbleGet(s.db, key, func(v []byte, ok bool) {
		if ok {
			n = len(v)
		}
	})
	return n, err
}

func (s *pebbleStore) Value(key []byte) ([]byte, error) {
	var out []byte
	err := pebbleGet(s.db, key, func(v []byte, ok bool) {
		if ok {
			out = slices.Clone(v)
		}
	})
	return out, err
}

func (s *pebbleStore) Scan(start []byte, n int) (int, error) {
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: start})
	if err != nil {
		return 0, err
	}
	seen := 0
	for ok := it.First(); ok && seen < n; ok = it.Next() {
		if _, err := it.ValueAndErr(); err != nil {
			it.Close()
			return seen, err
		}
		seen++
	}
	if err := it.Close(); err != nil {
		return seen, err
	}
	return seen, nil
}

func (s *pebbleStore) Set(key, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.db.Set(key, value, pebble.NoSync)
}

func (s *pebbleStore) Read5Write5(reads, writes *[5][]byte, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.db.NewIndexedBatch()
	defer b.Close()
	for _, k := range reads {
		if err := pebbleGet(b, k, func([]byte, bool) {}); err != nil {
			return err
		}
	}
	for _, k := range writes {
		if err := b.Set(k, value, nil); err != nil {
			return err
		}
	}
	return b.Commit(pebble.NoSync)
}

func (s *pebbleStore) ReadModifyWrite(key, value []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := pebbleGet(s.db, key, func([]byte, bool) {}); err != nil {
		return 0, err
	}
	return 0, s.db.Set(key, value, pebble.NoSync)
}

func (s *pebbleStore) Increment(key []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var next []byte
	if err := pebbleGet(s.db, key, func(v []byte, _ bool) { next = nextCounter(v) }); err != nil {
		return 0, err
	}
	return 0, s.db.Set(key, next, pebble.NoSync)
}

// OffHeap returns the bytes of pebble's memtables and block cache when they
// are allocated outside the Go heap (with cgo), 0 otherwise.
func (s *pebbleStore) OffHeap() (int64, error) {
	if !cgoEnabled {
		return 0, nil
	}
	m := s.db.Metrics()
	return int64(m.MemTable.Size+m.MemTable.ZombieSize) + m.BlockCache.Size, nil
}

func (s *pebbleStore) Close() error { return s.db.Close() }
