package kv_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/plinthdb/plinth/kv"
)

// A work queue whose consumers block on a watch instead of polling: a
// consumer that finds the queue empty watches the queue's counter of pushes
// in the same transaction, so no push between its read and its wait goes
// unnoticed.
func ExampleTransaction_Watch() {
	db, _ := kv.Open(nil)
	defer db.Close()
	queue, _ := kv.PrefixRange([]byte("queue/"))
	pushes := []byte("pushes")

	// pop removes and returns the first job, or, when there is none, a
	// watch that fires at the next push.
	pop := func() (job []byte, w *kv.Watch, err error) {
		err = db.Transact(func(tr *kv.Transaction) error {
			job, w = nil, nil
			rows, err := tr.GetRange(queue, kv.RangeOptions{Limit: 1})
			if err != nil {
				return err
			}
			if len(rows) == 0 {
				w = tr.Watch(pushes)
				return nil
			}
			tr.Clear(rows[0].Key)
			job = rows[0].Value
			return nil
		})
		return job, w, err
	}

	ctx, stop := context.WithCancel(context.Background())
	processed := make(chan string)
	var wg sync.WaitGroup
	for range 2 { // consumers
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				job, w, err := pop()
				if err != nil {
					return
				}
				if w == nil {
					processed <- string(job)
					continue
				}
				if err := w.Wait(ctx); err != nil {
					w.Cancel()
					return // stopped
				}
			}
		}()
	}

	for i := 1; i <= 5; i++ { // the producer
		db.Transact(func(tr *kv.Transaction) error {
			tr.Set([]byte(fmt.Sprintf("queue/%03d", i)), []byte(fmt.Sprintf("job-%d", i)))
			tr.AddInt64(pushes, 1)
			return nil
		})
	}
	var done []string
	for range 5 {
		done = append(done, <-processed)
	}
	stop()
	wg.Wait()
	sort.Strings(done)
	fmt.Println(done)
	// Output: [job-1 job-2 job-3 job-4 job-5]
}

// Keeping an in-memory cache of a range in step with the database: read the
// range, then subscribe from the read's version, so no commit falls between
// the two.
func ExampleDB_Subscribe() {
	db, _ := kv.Open(nil)
	defer db.Close()
	prices, _ := kv.PrefixRange([]byte("price/"))
	db.Transact(func(tr *kv.Transaction) error {
		tr.Set([]byte("price/apple"), []byte("3"))
		tr.Set([]byte("price/pear"), []byte("4"))
		return nil
	})

	cache := map[string]string{}
	var since int64
	db.ReadTransact(func(tr kv.ReadTransaction) error {
		clear(cache)
		rows, err := tr.GetRange(prices, kv.RangeOptions{})
		for _, row := range rows {
			cache[string(row.Key)] = string(row.Value)
		}
		since, _ = tr.GetReadVersion()
		return err
	})

	var mu sync.Mutex
	caughtUp := make(chan struct{})
	var target int64 // the version the cache must reach
	ctx, stop := context.WithCancel(context.Background())
	ended := make(chan error)
	go func() {
		ended <- db.Subscribe(ctx, prices, since, func(b kv.ChangeBatch) error {
			mu.Lock()
			defer mu.Unlock()
			for _, c := range b.Changes {
				if c.Deleted {
					delete(cache, string(c.Key))
				} else {
					cache[string(c.Key)] = string(c.Value)
				}
			}
			if target != 0 && b.Version >= target {
				close(caughtUp)
				target = 0
			}
			return nil
		})
	}()

	// Other writers go on.
	db.Transact(func(tr *kv.Transaction) error {
		tr.Set([]byte("price/plum"), []byte("7"))
		tr.Set([]byte("stock/plum"), []byte("12")) // outside the range
		return nil
	})
	tr := db.NewTransaction()
	tr.ClearRange([]byte("price/a"), []byte("price/b")) // removes apple
	tr.Set([]byte("price/pear"), []byte("5"))
	tr.Commit()
	last, _ := tr.GetCommittedVersion()

	mu.Lock()
	target = last
	mu.Unlock()
	<-caughtUp
	stop()
	fmt.Println(errors.Is(<-ended, context.Canceled))

	keys := make([]string, 0, len(cache))
	for k := range cache {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Println(k, cache[k])
	}
	// Output:
	// true
	// price/pear 5
	// price/plum 7
}

// A backup taken while the database is in use, restored into another
// database.
func ExampleDB_Backup() {
	src, _ := kv.Open(nil)
	defer src.Close()
	src.Transact(func(tr *kv.Transaction) error {
		tr.Set([]byte("a"), []byte("1"))
		tr.Set([]byte("b"), []byte("2"))
		return nil
	})
	var image bytes.Buffer
	if _, err := src.Backup(&image); err != nil {
		panic(err)
	}

	dst, _ := kv.Open(nil)
	defer dst.Close()
	if _, err := dst.Restore(&image); err != nil {
		panic(err)
	}
	rows, _ := kv.ReadTransactValue(dst, func(tr kv.ReadTransaction) ([]kv.KeyValue, error) {
		return tr.GetRange(kv.KeyRange{Begin: []byte(""), End: []byte("\xff")}, kv.RangeOptions{})
	})
	for _, row := range rows {
		fmt.Printf("%s=%s\n", row.Key, row.Value)
	}

	// A damaged image is refused and changes nothing.
	_, err := dst.Restore(bytes.NewReader([]byte("PLINTHBK")))
	fmt.Println(errors.Is(err, kv.ErrBackupTruncated))
	// Output:
	// a=1
	// b=2
	// true
}
