package peers

import (
	"slices"

	memdb "github.com/hashicorp/go-memdb"
)

func init() {
	register(Info{
		Name:  "memdb",
		Note:  "hashicorp/go-memdb: one table, unique `StringFieldIndex` on the key; objects `{K string; V []byte}`, a new object per write; `First` for reads, `LowerBound` for scans; one writer at a time (no conflicts, no retries); loaded in transactions of 1,000 keys.",
		order: 20,
		open: func(string) (Store, error) {
			db, err := memdb.NewMemDB(&memdb.DBSchema{Tables: map[string]*memdb.TableSchema{
				"kv": {
					Name: "kv",
					Indexes: map[string]*memdb.IndexSchema{
						"id": {Name: "id", Unique: true, Indexer: &memdb.StringFieldIndex{Field: "K"}},
					},
				},
			}})
			if err != nil {
				return nil, err
			}
			return &memdbStore{db: db}, nil
		},
	})
}

type memdbObj struct {
	K string
	V []byte
}

type memdbStore struct{ db *memdb.MemDB }

// memdbLoadTxn is the most keys Load writes in one transaction: past a few
// thousand modified nodes go-immutable-radix leaves its tracked fast path
// (defaultModifiedCache = 8192), and 10k-key overwrites were about 10 times
// slower per key than 1k-key ones on a million keys.
const memdbLoadTxn = 1000

func (s *memdbStore) Load(pairs []KV) error {
	for len(pairs) > 0 {
		batch := pairs[:min(memdbLoadTxn, len(pairs))]
		pairs = pairs[len(batch):]
		txn := s.db.Txn(true)
		for _, p := range batch {
			if err := txn.Insert("kv", &memdbObj{K: string(p.Key), V: slices.Clone(p.Value)}); err != nil {
				txn.Abort()
				return err
			}
		}
		txn.Commit()
	}
	return nil
}

func memdbGet(txn *memdb.Txn, key []byte) (int, error) {
	raw, err := txn.First("kv", "id", string(key))
	if err != nil || raw == nil {
		return -1, err
	}
	return len(raw.(*memdbObj).V), nil
}

func (s *memdbStore) Get(key []byte) (int, error) {
	txn := s.db.Txn(false)
	defer txn.Abort()
	return memdbGet(txn, key)
}

func (s *memdbStore) Value(key []byte) ([]byte, error) {
	txn := s.db.Txn(false)
	defer txn.Abort()
	raw, err := txn.First("kv", "id", string(key))
	if err != nil || raw == nil {
		return nil, err
	}
	return slices.Clone(raw.(*memdbObj).V), nil
}

func (s *memdbStore) Scan(start []byte, n int) (int, error) {
	txn := s.db.Txn(false)
	defer txn.Abort()
	it, err := txn.LowerBound("kv", "id", string(start))
	if err != nil {
		return 0, err
	}
	seen := 0
	for seen < n {
		raw := it.Next()
		if raw == nil {
			break
		}
		_ = raw.(*memdbObj).V
		seen++
	}
	return seen, nil
}

func (s *memdbStore) Set(key, value []byte) error {
	txn := s.db.Txn(true)
	defer txn.Abort()
	if err := txn.Insert("kv", &memdbObj{K: string(key), V: slices.Clone(value)}); err != nil {
		return err
	}
	txn.Commit()
	return nil
}

func (s *memdbStore) Read5Write5(reads, writes *[5][]byte, value []byte) error {
	txn := s.db.Txn(true)
	defer txn.Abort()
	for _, k := range reads {
		if _, err := memdbGet(txn, k); err != nil {
			return err
		}
	}
	for _, k := range writes {
		if err := txn.Insert("kv", &memdbObj{K: string(k), V: slices.Clone(value)}); err != nil {
			return err
		}
	}
	txn.Commit()
	return nil
}

func (s *memdbStore) ReadModifyWrite(key, value []byte) (int, error) {
	txn := s.db.Txn(true)
	defer txn.Abort()
	if _, err := memdbGet(txn, key); err != nil {
		return 0, err
	}
	if err := txn.Insert("kv", &memdbObj{K: string(key), V: slices.Clone(value)}); err != nil {
		return 0, err
	}
	txn.Commit()
	return 0, nil
}

func (s *memdbStore) Increment(key []byte) (int, error) {
	txn := s.db.Txn(true)
	defer txn.Abort()
	raw, err := txn.First("kv", "id", string(key))
	if err != nil {
		return 0, err
	}
	var old []byte
	if raw != nil {
		old = raw.(*memdbObj).V
	}
	if err := txn.Insert("kv", &memdbObj{K: string(key), V: nextCounter(old)}); err != nil {
		return 0, err
	}
	txn.Commit()
	return 0, nil
}

func (s *memdbStore) Close() error { return nil }
