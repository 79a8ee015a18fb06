package peers

import (
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

func init() {
	register(Info{
		Name:  "bbolt",
		Note:  "etcd-io/bbolt v1 on a file in a temporary directory, default options: every write transaction is durable (written and fsynced before `Update` returns), which is most of its write cost here; readers never block the single writer.",
		order: 40,
		open:  func(dir string) (Store, error) { return openBolt(dir, false) },
	})
	register(Info{
		Name:  "bbolt-nosync",
		Note:  "bbolt with `NoSync: true`: same file and code path without the fsync, so writes are not durable; shows what durability costs bbolt.",
		order: 50,
		open:  func(dir string) (Store, error) { return openBolt(dir, true) },
	})
}

var boltBucket = []byte("kv")

type boltStore struct {
	db   *bolt.DB
	path string
}

func openBolt(dir string, noSync bool) (Store, error) {
	f, err := os.CreateTemp(dir, "bbolt-*.db")
	if err != nil {
		return nil, err
	}
	path := f.Name()
	f.Close()
	db, err := bolt.Open(path, 0o600, &bolt.Options{NoSync: noSync})
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(boltBucket)
		return err
	})
	if err != nil {
		db.Close()
		os.Remove(path)
		return nil, err
	}
	return &boltStore{db: db, path: filepath.Clean(path)}, nil
}

func (s *boltStore) Load(pairs []KV) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(boltBucket)
		for _, p := range pairs {
			if err := b.Put(p.Key, p.Value); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *boltStore) Get(key []byte) (int, error) {
	n := -1
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(boltBucket).Get(key); v != nil {
			n = len(v)
		}
		return nil
	})
	return n, err
}

func (s *boltStore) Value(key []byte) ([]byte, error) {
	var v []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if got := tx.Bucket(boltBucket).Get(key); got != nil {
			v = append([]byte{}, got...)
		}
		return nil
	})
	return v, err
}

func (s *boltStore) Scan(start []byte, n int) (int, error) {
	seen := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(boltBucket).Cursor()
		for k, _ := c.Seek(start); k != nil && seen < n; k, _ = c.Next() {
			seen++
		}
		return nil
	})
	return seen, err
}

func (s *boltStore) Set(key, value []byte) error {
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(boltBucket).Put(key, value) })
}

func (s *boltStore) Read5Write5(reads, writes *[5][]byte, value []byte) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(boltBucket)
		for _, k := range reads {
			b.Get(k)
		}
		for _, k := range writes {
			if err := b.Put(k, value); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *boltStore) ReadModifyWrite(key, value []byte) (int, error) {
	return 0, s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(boltBucket)
		b.Get(key)
		return b.Put(key, value)
	})
}

func (s *boltStore) Increment(key []byte) (int, error) {
	return 0, s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(boltBucket)
		return b.Put(key, nextCounter(b.Get(key)))
	})
}

func (s *boltStore) FileSize() (int64, error) {
	fi, err := os.Stat(s.path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

func (s *boltStore) Close() error {
	err := s.db.Close()
	if rmErr := os.Remove(s.path); err == nil {
		err = rmErr
	}
	return err
}
