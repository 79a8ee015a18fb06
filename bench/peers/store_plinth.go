//go:build !noplinth

package peers

import (
	"fmt"
	"time"

	"github.com/plinthdb/plinth/kv"
)

func init() {
	register(Info{
		Name:    "plinth",
		Note:    "this repository, `kv.Open(nil)` (defaults); reads in `ReadTransact`, writes in `Transact` (optimistic, conflict-checked, retried by `Transact`); scans with `GetRange(KeyRange, RangeOptions{Limit: n, NoCopy: true})`, whose rows alias plinth's memory instead of being copied (the caller must not modify them; they stay valid as long as it keeps them), as buntdb's and go-memdb's scans hand out theirs; `Get` returns a copy of the value; the counter with read-modify-write and with `Atomic(kv.Add, ...)`.",
		order:   0,
		Adder:   true,
		Retries: true,
		open:    func(string) (Store, error) { return openPlinth(false) },
	})
	register(Info{
		Name:    "plinth-copy",
		Note:    "plinth with the default, copying range read: `GetRange(KeyRange, RangeOptions{Limit: n})` copies every key and value into memory the caller owns; otherwise the same store and code as plinth, so the column shows what the copies cost. `bench/run.sh` runs only its read workloads (Get, Scan100, YCSB C and E) and no Memory benchmark: the rest is identical to plinth's.",
		order:   5,
		Adder:   true,
		Retries: true,
		open:    func(string) (Store, error) { return openPlinth(true) },
	})
}

func openPlinth(copyRows bool) (Store, error) {
	db, err := kv.Open(nil)
	if err != nil {
		return nil, err
	}
	return &plinthStore{db: db, copyRows: copyRows}, nil
}

// scanEnd bounds scans: the first system key, above every data key.
var scanEnd = []byte{0xff}

// plinthStore is the plinth and plinth-copy stores: copyRows makes Scan use
// the default range read, which copies, instead of NoCopy.
type plinthStore struct {
	db       *kv.DB
	copyRows bool
}

func (s *plinthStore) Load(pairs []KV) error {
	return s.db.Transact(func(tr *kv.Transaction) error {
		for _, p := range pairs {
			tr.Set(p.Key, p.Value)
		}
		return nil
	})
}

func (s *plinthStore) Get(key []byte) (int, error) {
	n := -1
	err := s.db.ReadTransact(func(tr kv.ReadTransaction) error {
		v, err := tr.Get(key)
		if v != nil {
			n = len(v)
		}
		return err
	})
	return n, err
}

func (s *plinthStore) Value(key []byte) ([]byte, error) {
	var v []byte
	err := s.db.ReadTransact(func(tr kv.ReadTransaction) error {
		var err error
		v, err = tr.Get(key)
		return err
	})
	return v, err
}

func (s *plinthStore) Scan(start []byte, n int) (int, error) {
	seen := 0
	err := s.db.ReadTransact(func(tr kv.ReadTransaction) error {
		rows, err := tr.GetRange(kv.KeyRange{Begin: start, End: scanEnd}, kv.RangeOptions{Limit: n, NoCopy: !s.copyRows})
		seen = len(rows)
		return err
	})
	return seen, err
}

func (s *plinthStore) Set(key, value []byte) error {
	return s.db.Transact(func(tr *kv.Transaction) error {
		tr.Set(key, value)
		return nil
	})
}

func (s *plinthStore) Read5Write5(reads, writes *[5][]byte, value []byte) error {
	return s.db.Transact(func(tr *kv.Transaction) error {
		for _, k := range reads {
			if _, err := tr.Get(k); err != nil {
				return err
			}
		}
		for _, k := range writes {
			tr.Set(k, value)
		}
		return nil
	})
}

// transact runs fn through db.Transact and counts the runs beyond the first:
// each one is a retry after a conflict (or another retryable error).
func (s *plinthStore) transact(fn func(tr *kv.Transaction) error) (int, error) {
	runs := 0
	err := s.db.Transact(func(tr *kv.Transaction) error {
		runs++
		return fn(tr)
	})
	return max(runs-1, 0), err
}

func (s *plinthStore) ReadModifyWrite(key, value []byte) (int, error) {
	return s.transact(func(tr *kv.Transaction) error {
		if _, err := tr.Get(key); err != nil {
			return err
		}
		tr.Set(key, value)
		return nil
	})
}

func (s *plinthStore) Increment(key []byte) (int, error) {
	return s.transact(func(tr *kv.Transaction) error {
		old, err := tr.Get(key)
		if err != nil {
			return err
		}
		tr.Set(key, nextCounter(old))
		return nil
	})
}

// Add uses the atomic add mutation: it reads nothing, so it adds no read
// conflict and concurrent adds to one key never conflict.
func (s *plinthStore) Add(key []byte) (int, error) {
	return s.transact(func(tr *kv.Transaction) error {
		tr.Atomic(kv.Add, key, one)
		return nil
	})
}

// Settle waits for the background collector to drop every version older
// than the MVCC window, leaving one version per key.
func (s *plinthStore) Settle() error {
	deadline := time.Now().Add(2*kv.DefaultMVCCWindow + 5*time.Second)
	for {
		st := s.db.Stats()
		if st.Versions <= st.Keys {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("plinth: %d versions of %d keys still held", st.Versions, st.Keys)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *plinthStore) Close() error { return s.db.Close() }
