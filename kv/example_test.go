package kv_test

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/plinthdb/plinth/kv"
	"github.com/plinthdb/plinth/tuple"
)

func Example() {
	db, err := kv.Open(nil)
	if err != nil {
		panic(err)
	}
	defer db.Close()

	err = db.Transact(func(tr *kv.Transaction) error {
		tr.Set([]byte("hello"), []byte("world"))
		return nil
	})
	if err != nil {
		panic(err)
	}
	err = db.ReadTransact(func(tr kv.ReadTransaction) error {
		v, err := tr.Get([]byte("hello"))
		fmt.Printf("hello=%s\n", v)
		return err
	})
	if err != nil {
		panic(err)
	}
	// Output: hello=world
}

func ExampleDB_Transact() {
	db, _ := kv.Open(nil)
	defer db.Close()
	db.Transact(func(tr *kv.Transaction) error {
		tr.Set([]byte("a"), []byte("1"))
		return nil
	})

	// Copy a to b. If another transaction changes a between the read and
	// the commit, the commit fails with ErrNotCommitted and Transact runs the
	// function again.
	err := db.Transact(func(tr *kv.Transaction) error {
		v, err := tr.Get([]byte("a"))
		if err != nil {
			return err
		}
		tr.Set([]byte("b"), v)
		return nil
	})
	fmt.Println(err)

	// An error of your own ends the loop unchanged, and nothing is committed.
	errNope := errors.New("nope")
	err = db.Transact(func(tr *kv.Transaction) error {
		tr.Set([]byte("c"), []byte("3"))
		return errNope
	})
	fmt.Println(err == errNope)
	// Output:
	// <nil>
	// true
}

func ExampleTransaction_GetRange() {
	db, _ := kv.Open(nil)
	defer db.Close()
	db.Transact(func(tr *kv.Transaction) error {
		for _, k := range []string{"fruit/apple", "fruit/banana", "fruit/cherry", "veg/leek"} {
			tr.Set([]byte(k), nil)
		}
		return nil
	})
	db.ReadTransact(func(tr kv.ReadTransaction) error {
		fruit, _ := kv.PrefixRange([]byte("fruit/"))
		rows, err := tr.GetRange(fruit, kv.RangeOptions{Limit: 2, Reverse: true})
		for _, row := range rows {
			fmt.Println(string(row.Key))
		}
		// Iterate streams the same rows without building a slice.
		n := 0
		for _, err := range tr.Iterate(fruit, kv.RangeOptions{}) {
			if err != nil {
				return err
			}
			n++
		}
		fmt.Println(n, "fruits")
		return err
	})
	// Output:
	// fruit/cherry
	// fruit/banana
	// 3 fruits
}

func ExampleTransaction_Snapshot() {
	db, _ := kv.Open(nil)
	defer db.Close()
	db.Transact(func(tr *kv.Transaction) error {
		tr.Set([]byte("config"), []byte("v1"))
		return nil
	})
	tr := db.NewTransaction()
	// A snapshot read adds no read conflict: a concurrent change of
	// "config" will not make this transaction fail.
	v, _ := tr.Snapshot().Get([]byte("config"))
	db.Transact(func(o *kv.Transaction) error {
		o.Set([]byte("config"), []byte("v2"))
		return nil
	})
	tr.Set([]byte("used"), v)
	fmt.Println(tr.Commit())
	// Output: <nil>
}

func ExampleTransaction_Add() {
	db, _ := kv.Open(nil)
	defer db.Close()
	one := binary.LittleEndian.AppendUint64(nil, 1)
	// Atomic adds never conflict with each other: no retries however many
	// goroutines increment the counter.
	for i := 0; i < 5; i++ {
		db.Transact(func(tr *kv.Transaction) error {
			tr.Add([]byte("hits"), one)
			return nil
		})
	}
	db.ReadTransact(func(tr kv.ReadTransaction) error {
		v, err := tr.Get([]byte("hits"))
		fmt.Println(binary.LittleEndian.Uint64(v))
		return err
	})
	// Output: 5
}

func ExampleTransaction_SetVersionstampedKey() {
	db, _ := kv.Open(nil)
	defer db.Close()
	logs := tuple.NewSubspace([]byte("log"), nil)
	for _, msg := range []string{"first", "second"} {
		db.Transact(func(tr *kv.Transaction) error {
			// The key gets the commit's versionstamp, so the log reads back
			// in commit order.
			key, err := logs.PackWithVersionstamp(tuple.Tuple{tuple.IncompleteVersionstamp(0)})
			if err != nil {
				return err
			}
			tr.SetVersionstampedKey(key, []byte(msg))
			return nil
		})
	}
	db.ReadTransact(func(tr kv.ReadTransaction) error {
		b, e := logs.Range()
		rows, err := tr.GetRange(kv.KeyRange{Begin: b, End: e}, kv.RangeOptions{})
		for _, row := range rows {
			fmt.Println(string(row.Value))
		}
		return err
	})
	// Output:
	// first
	// second
}

func ExampleTransaction_tupleKeys() {
	db, _ := kv.Open(nil)
	defer db.Close()
	users := tuple.NewSubspace(nil, tuple.Tuple{"users"})
	db.Transact(func(tr *kv.Transaction) error {
		tr.Set(users.Pack(tuple.Tuple{int64(42), "email"}), []byte("ada@example.com"))
		tr.Set(users.Pack(tuple.Tuple{int64(7), "email"}), []byte("bob@example.com"))
		return nil
	})
	db.ReadTransact(func(tr kv.ReadTransaction) error {
		b, e := users.Range()
		rows, err := tr.GetRange(kv.KeyRange{Begin: b, End: e}, kv.RangeOptions{})
		for _, row := range rows {
			t, _ := users.Unpack(row.Key)
			fmt.Println(t[0], string(row.Value))
		}
		return err
	})
	// Output:
	// 7 bob@example.com
	// 42 ada@example.com
}
