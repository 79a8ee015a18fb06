package peers

import (
	"errors"

	"github.com/tidwall/buntdb"
)

func init() {
	register(Info{
		Name:  "buntdb",
		Note:  "tidwall/buntdb, `Open(\":memory:\")`; `View`/`Update` hold one `sync.RWMutex` for the whole transaction (a writer excludes readers; no conflicts, no retries); `AscendGreaterOrEqual` for scans.",
		order: 30,
		open: func(string) (Store, error) {
			db, err := buntdb.Open(":memory:")
			if err != nil {
				return nil, err
			}
			return &buntStore{db: db}, nil
		},
	})
}

type buntStore struct{ db *buntdb.DB }

func (s *buntStore) Load(pairs []KV) error {
	return s.db.Update(func(tx *buntdb.Tx) error {
		for _, p := range pairs {
			if _, _, err := tx.Set(string(p.Key), string(p.Value), nil); err != nil {
				return err
			}
		}
		return nil
	})
}

func buntGet(tx *buntdb.Tx, key []byte) (string, bool, error) {
	v, err := tx.Get(string(key))
	if errors.Is(err, buntdb.ErrNotFound) {
		return "", false, nil
	}
	return v, err == nil, err
}

func (s *buntStore) Get(key []byte) (int, error) {
	n := -1
	err := s.db.View(func(tx *buntdb.Tx) error {
		v, ok, err := buntGet(tx, key)
		if ok {
			n = len(v)
		}
		return err
	})
	return n, err
}

func (s *buntStore) Value(key []byte) ([]byte, error) {
	var v []byte
	err := s.db.View(func(tx *buntdb.Tx) error {
		str, ok, err := buntGet(tx, key)
		if ok {
			v = []byte(str)
		}
		return err
	})
	return v, err
}

func (s *buntStore) Scan(start []byte, n int) (int, error) {
	seen := 0
	err := s.db.View(func(tx *buntdb.Tx) error {
		return tx.AscendGreaterOrEqual("", string(start), func(_, _ string) bool {
			seen++
			return seen < n
		})
	})
	return seen, err
}

func (s *buntStore) Set(key, value []byte) error {
	return s.db.Update(func(tx *buntdb.Tx) error {
		_, _, err := tx.Set(string(key), string(value), nil)
		return err
	})
}

func (s *buntStore) Read5Write5(reads, writes *[5][]byte, value []byte) error {
	return s.db.Update(func(tx *buntdb.Tx) error {
		for _, k := range reads {
			if _, _, err := buntGet(tx, k); err != nil {
				return err
			}
		}
		v := string(value)
		for _, k := range writes {
			if _, _, err := tx.Set(string(k), v, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *buntStore) ReadModifyWrite(key, value []byte) (int, error) {
	return 0, s.db.Update(func(tx *buntdb.Tx) error {
		if _, _, err := buntGet(tx, key); err != nil {
			return err
		}
		_, _, err := tx.Set(string(key), string(value), nil)
		return err
	})
}

func (s *buntStore) Increment(key []byte) (int, error) {
	return 0, s.db.Update(func(tx *buntdb.Tx) error {
		old, _, err := buntGet(tx, key)
		if err != nil {
			return err
		}
		_, _, err = tx.Set(string(key), string(nextCounter([]byte(old))), nil)
		return err
	})
}

func (s *buntStore) Close() error { return s.db.Close() }
