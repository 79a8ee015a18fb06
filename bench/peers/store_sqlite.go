package peers

import (
	"database/sql"
	"errors"
	"fmt"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, pure Go
)

func init() {
	register(Info{
		Name: "sqlite",
		Note: "modernc.org/sqlite (SQLite translated to Go, no cgo) through `database/sql`: an in-memory database (`:memory:`) with one table `kv(k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID` and prepared statements. " +
			"An in-memory database belongs to one connection, so the pool holds exactly one (`SetMaxOpenConns(1)`) and transactions run one at a time, waiting for it: serializable, never a conflict or a retry. " +
			"Get, Scan (`k >= ? ORDER BY k LIMIT ?`, reading each value as `sql.RawBytes`) and Set are single statements, each its own transaction; Load, Read5Write5 and the read-modify-writes run in `BEGIN IMMEDIATE` transactions (the write lock taken up front, as a read-modify-write needs once there is more than one connection). " +
			"Its pages are allocated outside the Go heap: the Memory table gives the database's pages (`page_count × page_size`) as off-heap, without SQLite's per-page cache headers.",
		order: 55,
		open:  openSQLite,
	})
}

type sqliteStore struct {
	db             *sql.DB
	get, scan, put *sql.Stmt
}

func openSQLite(string) (Store, error) {
	// _txlock=immediate makes every transaction that is not read-only
	// begin with BEGIN IMMEDIATE.
	db, err := sql.Open("sqlite", ":memory:?_txlock=immediate")
	if err != nil {
		return nil, err
	}
	// The database lives as long as its one connection: never close it.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	s := &sqliteStore{db: db}
	if err := s.init(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *sqliteStore) init() error {
	if _, err := s.db.Exec(`CREATE TABLE kv(k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID`); err != nil {
		return err
	}
	for _, st := range []struct {
		dst  **sql.Stmt
		text string
	}{
		{&s.get, `SELECT v FROM kv WHERE k = ?`},
		{&s.scan, `SELECT k, v FROM kv WHERE k >= ? ORDER BY k LIMIT ?`},
		{&s.put, `INSERT INTO kv(k, v) VALUES(?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v`},
	} {
		var err error
		if *st.dst, err = s.db.Prepare(st.text); err != nil {
			return fmt.Errorf("sqlite: prepare %q: %w", st.text, err)
		}
	}
	return nil
}

// sqliteGet calls fn with key's value (nil, false when absent), valid only
// during fn.
func sqliteGet(get *sql.Stmt, key []byte, fn func(v []byte, ok bool)) error {
	rows, err := get.Query(key)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		fn(nil, false)
		return rows.Err()
	}
	var v sql.RawBytes
	if err := rows.Scan(&v); err != nil {
		return err
	}
	fn(v, true)
	return rows.Close()
}

// write runs fn in a BEGIN IMMEDIATE transaction and commits it.
func (s *sqliteStore) write(fn func(tx *sql.Tx) error) error {
	tx, err := s.db.Begin()
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}

func (s *sqliteStore) Load(pairs []KV) error {
	return s.write(func(tx *sql.Tx) error {
		put := tx.Stmt(s.put)
		for _, p := range pairs {
			if _, err := put.Exec(p.Key, p.Value); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *sqliteStore) Get(key []byte) (int, error) {
	n := -1
	err := sqliteGet(s.get, key, func(v []byte, ok bool) {
		if ok {
			n = len(v)
		}
	})
	return n, err
}

func (s *sqliteStore) Value(key []byte) ([]byte, error) {
	var out []byte
	err := sqliteGet(s.get, key, func(v []byte, ok bool) {
		if ok {
			out = append([]byte{}, v...)
		}
	})
	return out, err
}

func (s *sqliteStore) Scan(start []byte, n int) (int, error) {
	rows, err := s.scan.Query(start, n)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	seen := 0
	var k, v sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&k, &v); err != nil {
			return seen, err
		}
		seen++
	}
	return seen, rows.Err()
}

func (s *sqliteStore) Set(key, value []byte) error {
	_, err := s.put.Exec(key, value)
	return err
}

func (s *sqliteStore) Read5Write5(reads, writes *[5][]byte, value []byte) error {
	return s.write(func(tx *sql.Tx) error {
		get := tx.Stmt(s.get)
		for _, k := range reads {
			if err := sqliteGet(get, k, func([]byte, bool) {}); err != nil {
				return err
			}
		}
		put := tx.Stmt(s.put)
		for _, k := range writes {
			if _, err := put.Exec(k, value); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *sqliteStore) ReadModifyWrite(key, value []byte) (int, error) {
	return 0, s.write(func(tx *sql.Tx) error {
		if err := sqliteGet(tx.Stmt(s.get), key, func([]byte, bool) {}); err != nil {
			return err
		}
		_, err := tx.Stmt(s.put).Exec(key, value)
		return err
	})
}

func (s *sqliteStore) Increment(key []byte) (int, error) {
	return 0, s.write(func(tx *sql.Tx) error {
		var next []byte
		if err := sqliteGet(tx.Stmt(s.get), key, func(v []byte, _ bool) { next = nextCounter(v) }); err != nil {
			return err
		}
		_, err := tx.Stmt(s.put).Exec(key, next)
		return err
	})
}

// OffHeap returns the size of the database's pages, which SQLite keeps in
// memory it allocates outside the Go heap.
func (s *sqliteStore) OffHeap() (int64, error) {
	var pages, size int64
	if err := s.db.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		return 0, err
	}
	if err := s.db.QueryRow(`PRAGMA page_size`).Scan(&size); err != nil {
		return 0, err
	}
	return pages * size, nil
}

func (s *sqliteStore) Close() error {
	var errs []error
	for _, st := range []*sql.Stmt{s.get, s.scan, s.put} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(append(errs, s.db.Close())...)
}
