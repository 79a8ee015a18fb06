package fdb_test

import (
	"encoding/binary"
	"fmt"

	"github.com/plinthdb/plinth/fdb"
	"github.com/plinthdb/plinth/fdb/directory"
	"github.com/plinthdb/plinth/fdb/subspace"
	"github.com/plinthdb/plinth/fdb/tuple"
)

func ExampleDatabase_Transact() {
	fdb.MustAPIVersion(800)
	db := fdb.MustOpenDatabase("example-transact")
	defer db.Close()

	_, err := db.Transact(func(tr fdb.Transaction) (interface{}, error) {
		tr.Set(fdb.Key("hello"), []byte("world"))
		return nil, nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := db.ReadTransact(func(rtr fdb.ReadTransaction) (interface{}, error) {
		return rtr.Get(fdb.Key("hello")).MustGet(), nil // MustGet's panic is Transact's error
	})
	fmt.Printf("%s %v\n", v, err)
	// Output: world <nil>
}

func ExampleTransaction_GetRange() {
	fdb.MustAPIVersion(800)
	db := fdb.MustOpenDatabase("example-range")
	users := subspace.Sub("users")
	_, err := db.Transact(func(tr fdb.Transaction) (interface{}, error) {
		for i, name := range []string{"ada", "grace", "edsger"} {
			tr.Set(users.Pack(tuple.Tuple{i}), []byte(name))
		}
		ri := tr.GetRange(users, fdb.RangeOptions{Reverse: true, Limit: 2}).Iterator()
		for ri.Advance() {
			kv := ri.MustGet()
			t, err := users.Unpack(kv.Key)
			if err != nil {
				return nil, err
			}
			fmt.Println(t, string(kv.Value))
		}
		return nil, nil
	})
	fmt.Println(err)
	// Output:
	// (2) edsger
	// (1) grace
	// <nil>
}

func ExampleTransaction_Snapshot() {
	fdb.MustAPIVersion(800)
	db := fdb.MustOpenDatabase("example-snapshot")
	_, err := db.Transact(func(tr fdb.Transaction) (interface{}, error) {
		// A snapshot read adds no read conflict: concurrent changes to
		// "stats" never make this transaction retry.
		stats := tr.Snapshot().Get(fdb.Key("stats")).MustGet()
		tr.Set(fdb.Key("seen"), stats)
		return nil, nil
	})
	fmt.Println(err)
	// Output: <nil>
}

func ExampleTransaction_Add() {
	fdb.MustAPIVersion(800)
	db := fdb.MustOpenDatabase("example-counter")
	one := binary.LittleEndian.AppendUint64(nil, 1)
	for i := 0; i < 3; i++ {
		// Atomic adds do not read the counter, so they never conflict.
		db.Transact(func(tr fdb.Transaction) (interface{}, error) {
			tr.Add(fdb.Key("visits"), one)
			return nil, nil
		})
	}
	v, _ := db.ReadTransact(func(rtr fdb.ReadTransaction) (interface{}, error) {
		return rtr.Get(fdb.Key("visits")).MustGet(), nil
	})
	fmt.Println(binary.LittleEndian.Uint64(v.([]byte)))
	// Output: 3
}

func ExampleTransaction_SetVersionstampedKey() {
	fdb.MustAPIVersion(800)
	db := fdb.MustOpenDatabase("example-log")
	log := subspace.Sub("log")
	for _, msg := range []string{"first", "second"} {
		_, err := db.Transact(func(tr fdb.Transaction) (interface{}, error) {
			// The commit fills in the versionstamp: keys sort in commit order.
			key, err := log.PackWithVersionstamp(tuple.Tuple{tuple.IncompleteVersionstamp(0)})
			if err != nil {
				return nil, err
			}
			tr.SetVersionstampedKey(key, []byte(msg))
			return nil, nil
		})
		if err != nil {
			fmt.Println(err)
		}
	}
	db.ReadTransact(func(rtr fdb.ReadTransaction) (interface{}, error) {
		for _, kv := range rtr.GetRange(log, fdb.RangeOptions{}).GetSliceOrPanic() {
			fmt.Println(string(kv.Value))
		}
		return nil, nil
	})
	// Output:
	// first
	// second
}

func ExampleTransaction_GetVersionstamp() {
	fdb.MustAPIVersion(800)
	db := fdb.MustOpenDatabase("example-stamp")
	r, _ := db.Transact(func(tr fdb.Transaction) (interface{}, error) {
		tr.SetVersionstampedValue(fdb.Key("last"), make([]byte, 14))
		return tr.GetVersionstamp(), nil // ready once the commit finishes
	})
	stamp, err := r.(fdb.FutureKey).Get()
	fmt.Println(len(stamp), err)
	// Output: 10 <nil>
}

func Example_directory() {
	fdb.MustAPIVersion(800)
	db := fdb.MustOpenDatabase("example-directory")
	users, err := directory.CreateOrOpen(db, []string{"app", "users"}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = db.Transact(func(tr fdb.Transaction) (interface{}, error) {
		tr.Set(users.Pack(tuple.Tuple{"ada"}), []byte("admin"))
		return nil, nil
	})
	names, _ := directory.List(db, []string{"app"})
	fmt.Println(names, err)
	// Output: [users] <nil>
}
