package kv_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/plinthdb/plinth/kv"
	"github.com/plinthdb/plinth/selector"
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

func ExampleDB_TransactContext() {
	db, _ := kv.Open(nil)
	defer db.Close()

	// The deadline bounds the whole loop, retries included, and is checked
	// again right before the commit: a transaction that runs out of time
	// commits nothing.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	err := db.TransactContext(ctx, func(tr *kv.Transaction) error {
		tr.Set([]byte("slow"), []byte("work"))
		<-tr.Context().Done() // stands for work that takes too long
		return nil
	})
	fmt.Println(errors.Is(err, context.DeadlineExceeded))

	v, _ := kv.ReadTransactValue(db, func(tr kv.ReadTransaction) ([]byte, error) {
		return tr.Get([]byte("slow"))
	})
	fmt.Println(v == nil)
	// Output:
	// true
	// true
}

func ExampleConflictError() {
	db, _ := kv.Open(nil)
	defer db.Close()

	// Two transactions read the same key; the one that commits second
	// finds the first one's write in what it read.
	t1, t2 := db.NewTransaction(), db.NewTransaction()
	t1.Get([]byte("seat"))
	t2.Get([]byte("seat"))
	t1.Set([]byte("seat"), []byte("ann"))
	t2.Set([]byte("seat"), []byte("bob"))
	fmt.Println(t1.Commit())
	err := t2.Commit()

	var ce *kv.ConflictError
	if errors.As(err, &ce) {
		fmt.Printf("conflict on [%q, %q), retryable: %v\n", ce.Begin, ce.End, kv.IsRetryable(err))
	}
	fmt.Println(errors.Is(err, kv.ErrNotCommitted))
	// Output:
	// <nil>
	// conflict on ["seat", "seat\x00"), retryable: true
	// true
}

func ExampleTransaction_OnError() {
	db, _ := kv.Open(nil)
	defer db.Close()

	// The loop Transact runs, written out: OnError backs off and resets the
	// transaction for a retryable error, and returns any other error.
	tr := db.NewTransaction()
	tr.SetRetryLimit(10)
	for {
		err := func() error {
			n, err := tr.Get([]byte("visits"))
			if err != nil {
				return err
			}
			tr.Set([]byte("visits"), append(n, '+'))
			return tr.Commit()
		}()
		if err == nil {
			break
		}
		if err = tr.OnError(err); err != nil {
			fmt.Println("gave up:", err)
			return
		}
	}
	v, _ := tr.GetCommittedVersion()
	fmt.Println(v > 0)
	// Output: true
}

func ExampleTransaction_GetKey() {
	db, _ := kv.Open(nil)
	defer db.Close()
	db.Transact(func(tr *kv.Transaction) error {
		for _, k := range []string{"a", "c", "e", "g"} {
			tr.Set([]byte(k), nil)
		}
		return nil
	})
	db.ReadTransact(func(tr kv.ReadTransaction) error {
		k, _ := tr.GetKey(selector.LastLessThan([]byte("d")))
		fmt.Printf("last key before d: %s\n", k)
		k, _ = tr.GetKey(selector.FirstGreaterThan([]byte("c")).Add(1))
		fmt.Printf("second key after c: %s\n", k)

		// From the first key after "a" up to, not including, the last key.
		rows, _ := tr.GetRange(kv.SelectorRange{
			Begin: selector.FirstGreaterThan([]byte("a")),
			End:   selector.LastLessOrEqual([]byte("\xff")),
		}, kv.RangeOptions{})
		for _, r := range rows {
			fmt.Printf("%s ", r.Key)
		}
		fmt.Println()
		return nil
	})
	// Output:
	// last key before d: c
	// second key after c: g
	// c e
}

func ExampleKeyAfter() {
	db, _ := kv.Open(nil)
	defer db.Close()
	db.Transact(func(tr *kv.Transaction) error {
		for i := range 7 {
			tr.Set([]byte(fmt.Sprintf("log/%02d", i)), nil)
		}
		return nil
	})

	// Read a large range a page at a time, each page its own transaction,
	// continuing after the last key of the page before.
	r, _ := kv.PrefixRange([]byte("log/"))
	for page := 1; ; page++ {
		rows, err := kv.ReadTransactValue(db, func(tr kv.ReadTransaction) ([]kv.KeyValue, error) {
			return tr.GetRange(r, kv.RangeOptions{Limit: 3})
		})
		if err != nil || len(rows) == 0 {
			break
		}
		fmt.Printf("page %d: %s..%s\n", page, rows[0].Key, rows[len(rows)-1].Key)
		r.Begin = kv.KeyAfter(rows[len(rows)-1].Key)
	}
	// Output:
	// page 1: log/00..log/02
	// page 2: log/03..log/05
	// page 3: log/06..log/06
}

func ExampleTransactValue() {
	db, _ := kv.Open(nil)
	defer db.Close()

	// The function's value comes back from the attempt that committed.
	next, err := kv.TransactValue(db, func(tr *kv.Transaction) (int, error) {
		v, err := tr.Get([]byte("ticket"))
		if err != nil {
			return 0, err
		}
		n := len(v) + 1
		tr.Set([]byte("ticket"), make([]byte, n))
		return n, nil
	})
	fmt.Println(next, err)
	// Output: 1 <nil>
}

func ExampleRangeOf() {
	db, _ := kv.Open(nil)
	defer db.Close()
	users := tuple.NewSubspace(nil, tuple.Tuple{"users"})
	db.Transact(func(tr *kv.Transaction) error {
		tr.Set(users.Pack(tuple.Tuple{"ann"}), []byte("1"))
		tr.Set(users.Pack(tuple.Tuple{"bob"}), []byte("2"))
		return nil
	})
	n, _ := kv.ReadTransactValue(db, func(tr kv.ReadTransaction) (int, error) {
		rows, err := tr.GetRange(kv.RangeOf(users), kv.RangeOptions{})
		return len(rows), err
	})
	fmt.Println(n)
	// Output: 2
}

func ExampleDB_Stats() {
	db, _ := kv.Open(nil)
	defer db.Close()
	db.Transact(func(tr *kv.Transaction) error {
		tr.Set([]byte("a"), []byte("1"))
		return nil
	})
	db.ReadTransact(func(tr kv.ReadTransaction) error { // read-only: not counted
		_, err := tr.Get([]byte("a"))
		return err
	})
	st := db.Stats()
	fmt.Println(st.Commits, st.Conflicts, st.Keys)
	// Output: 1 0 1
}

func ExampleOptions_logger() {
	// Debug records of retries and garbage collection go to the logger;
	// without one nothing is formatted.
	h := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "delay" || a.Key == "tx" {
				return slog.Attr{} // keep the example's output stable
			}
			return a
		},
	})
	db, _ := kv.Open(&kv.Options{Logger: slog.New(h), MaxRetryDelay: time.Millisecond})
	defer db.Close()

	tries := 0
	db.Transact(func(tr *kv.Transaction) error {
		tr.SetName("example")
		if tries++; tries == 1 {
			return kv.ErrNotCommitted // as if the commit had conflicted
		}
		return nil
	})
	// Output:
	// level=DEBUG msg="plinth: retrying transaction" name=example attempt=1 error="plinth: transaction not committed due to conflict with another transaction (1020)" retry=1
}

func ExampleTransaction_Nested() {
	db, _ := kv.Open(nil)
	defer db.Close()

	// Book a flight, and a hotel if one is free: the hotel part may fail
	// without failing the booking.
	errFull := errors.New("hotel full")
	db.Transact(func(tr *kv.Transaction) error {
		tr.Set([]byte("booking/flight"), []byte("LH 400"))
		err := tr.Nested(func(tr *kv.Transaction) error {
			tr.Set([]byte("booking/hotel"), []byte("room 12"))
			return errFull // everything in the nested block is undone
		})
		fmt.Println(err)
		return nil
	})
	db.ReadTransact(func(tr kv.ReadTransaction) error {
		rows, _ := tr.GetRange(kv.KeyRange{Begin: []byte("booking/"), End: []byte("booking0")}, kv.RangeOptions{})
		for _, r := range rows {
			fmt.Printf("%s=%s\n", r.Key, r.Value)
		}
		return nil
	})
	// Output:
	// hotel full
	// booking/flight=LH 400
}

func ExampleTransaction_SetIdempotencyKey() {
	db, _ := kv.Open(nil)
	defer db.Close()

	// A payment handler that a client may call again with the same request
	// ID (a timeout, a retry): the charge is applied once.
	pay := func(requestID string, amount int64) (string, error) {
		err := db.Transact(func(tr *kv.Transaction) error {
			tr.SetIdempotencyKey([]byte(requestID), time.Hour)
			tr.AddInt64([]byte("balance"), -amount)
			return nil
		})
		switch {
		case errors.Is(err, kv.ErrAlreadyCommitted):
			return "200 OK (already applied)", nil
		case err != nil:
			return "", err
		}
		return "201 Created", nil
	}
	for range 3 {
		status, _ := pay("req-7f3a", 25)
		fmt.Println(status)
	}
	v, _ := kv.ReadTransactValue(db, func(tr kv.ReadTransaction) ([]byte, error) {
		return tr.Get([]byte("balance"))
	})
	fmt.Println(int64(binary.LittleEndian.Uint64(v)))
	// Output:
	// 201 Created
	// 200 OK (already applied)
	// 200 OK (already applied)
	// -25
}

func ExampleTransaction_SetIsolation() {
	db, _ := kv.Open(nil)
	defer db.Close()
	db.Transact(func(tr *kv.Transaction) error {
		tr.Set([]byte("stock"), []byte("5"))
		return nil
	})

	// Under snapshot isolation reads are not validated but writes are:
	// two transactions that both write the same key cannot both commit.
	t1, t2 := db.NewTransaction(), db.NewTransaction()
	for _, tr := range []*kv.Transaction{t1, t2} {
		tr.SetIsolation(kv.SnapshotIsolation)
		tr.Get([]byte("stock"))
		tr.Set([]byte("stock"), []byte("4"))
	}
	fmt.Println(t1.Commit())
	fmt.Println(errors.Is(t2.Commit(), kv.ErrNotCommitted))
	// Output:
	// <nil>
	// true
}
