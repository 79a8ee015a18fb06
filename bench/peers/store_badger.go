package peers

import (
	"errors"

	badger "github.com/dgraph-io/badger/v4"
)

func init() {
	register(Info{
		Name:    "badger",
		Note:    "dgraph-io/badger v4, `DefaultOptions(\"\").WithInMemory(true)` (no files), warnings-only logging; reads in `View`, writes in `Update` (optimistic, conflict-checked: read-modify-write retries on `ErrConflict`); loaded with `WriteBatch`; scans read the value of each key.",
		order:   10,
		Retries: true,
		open: func(string) (Store, error) {
			opts := badger.DefaultOptions("").WithInMemory(true).WithLoggingLevel(badger.WARNING)
			db, err := badger.Open(opts)
			if err != nil {
				return nil, err
			}
			return &badgerStore{db: db}, nil
		},
	})
}

type badgerStore struct{ db *badger.DB }

func (s *badgerStore) Load(pairs []KV) error {
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for _, p := range pairs {
		if err := wb.Set(p.Key, p.Value); err != nil {
			return err
		}
	}
	// Flush returns once every entry is in the memtable, so the caller's
	// slices are no longer referenced.
	return wb.Flush()
}

func (s *badgerStore) Get(key []byte) (int, error) {
	n := -1
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(key)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error { n = len(v); return nil })
	})
	return n, err
}

func (s *badgerStore) Value(key []byte) ([]byte, error) {
	var v []byte
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(key)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		v, err = item.ValueCopy(nil)
		return err
	})
	return v, err
}

func (s *badgerStore) Scan(start []byte, n int) (int, error) {
	seen := 0
	err := s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues = false
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Seek(start); it.Valid() && seen < n; it.Next() {
			if err := it.Item().Value(func([]byte) error { return nil }); err != nil {
				return err
			}
			seen++
		}
		return nil
	})
	return seen, err
}

func (s *badgerStore) Set(key, value []byte) error {
	return s.db.Update(func(txn *badger.Txn) error { return txn.Set(key, value) })
}

func (s *badgerStore) Read5Write5(reads, writes *[5][]byte, value []byte) error {
	return s.db.Update(func(txn *badger.Txn) error {
		for _, k := range reads {
			item, err := txn.Get(k)
			if errors.Is(err, badger.ErrKeyNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if err := item.Value(func([]byte) error { return nil }); err != nil {
				return err
			}
		}
		for _, k := range writes {
			if err := txn.Set(k, value); err != nil {
				return err
			}
		}
		return nil
	})
}

// retry runs fn in Update until it commits without ErrConflict; badger has
// no retry loop of its own.
func (s *badgerStore) retry(fn func(txn *badger.Txn) error) (int, error) {
	for retries := 0; ; retries++ {
		err := s.db.Update(fn)
		if !errors.Is(err, badger.ErrConflict) {
			return retries, err
		}
	}
}

func (s *badgerStore) ReadModifyWrite(key, value []byte) (int, error) {
	return s.retry(func(txn *badger.Txn) error {
		item, err := txn.Get(key)
		if err != nil && !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		if err == nil {
			if err := item.Value(func([]byte) error { return nil }); err != nil {
				return err
			}
		}
		return txn.Set(key, value)
	})
}

func (s *badgerStore) Increment(key []byte) (int, error) {
	return s.retry(func(txn *badger.Txn) error {
		var old []byte
		item, err := txn.Get(key)
		switch {
		case errors.Is(err, badger.ErrKeyNotFound):
		case err != nil:
			return err
		default:
			if old, err = item.ValueCopy(nil); err != nil {
				return err
			}
		}
		return txn.Set(key, nextCounter(old))
	})
}

func (s *badgerStore) Close() error { return s.db.Close() }
