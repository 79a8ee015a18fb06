package kv_test

import (
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/plinthdb/plinth/kv"
)

// errClassFull is the booking's own error: not retryable, so Transact
// returns it as it is.
var errClassFull = errors.New("class full")

// A read-decide-write on a hot key: eight people book the last five seats
// of a class at once. Each booking locks the class before reading it, so
// the bookings run one after the other, none conflicts, and no attempt is
// retried; an atomic counter could not refuse the sixth.
func ExampleTransaction_Lock() {
	db, err := kv.Open(nil)
	if err != nil {
		panic(err)
	}
	defer db.Close()
	class := []byte("class/yoga/seats")
	if err := db.Transact(func(tr *kv.Transaction) error {
		tr.Set(class, []byte("5"))
		return nil
	}); err != nil {
		panic(err)
	}

	book := func(who string) error {
		return db.Transact(func(tr *kv.Transaction) error {
			// Before the first read: the read version is taken once the
			// lock is ours, after the previous booking committed.
			if err := tr.Lock(class, kv.LockExclusive, -1); err != nil {
				return err
			}
			v, err := tr.Get(class)
			if err != nil {
				return err
			}
			left, _ := strconv.Atoi(string(v))
			if left == 0 {
				return errClassFull
			}
			tr.Set(class, []byte(strconv.Itoa(left-1)))
			tr.Set([]byte("class/yoga/booking/"+who), nil)
			return nil
		})
	}

	var mu sync.Mutex
	booked, full := 0, 0
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := book(fmt.Sprint("person-", i))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				booked++
			case errors.Is(err, errClassFull):
				full++
			default:
				panic(err)
			}
		}()
	}
	wg.Wait()

	st := db.Stats()
	fmt.Println("booked:", booked, "turned away:", full)
	fmt.Println("conflicts:", st.Conflicts, "retries:", st.Retries)
	// Output:
	// booked: 5 turned away: 3
	// conflicts: 0 retries: 0
}
