package kv

import (
	"context"
	"fmt"
	"iter"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestRecycledTransactionBehavesAsKept runs each way a retry loop's
// transaction can end, keeps the *Transaction past the loop, and calls it
// afterwards, once on a database that recycles transaction state and once
// on one that does not: every answer must be the same.
func TestRecycledTransactionBehavesAsKept(t *testing.T) {
	key := []byte("k")
	endings := map[string]func(db *DB) (*Transaction, error){
		"transact set": func(db *DB) (kept *Transaction, err error) {
			err = db.Transact(func(tr *Transaction) error {
				kept = tr
				tr.Set(key, []byte("v"))
				return nil
			})
			return kept, err
		},
		"transact read only": func(db *DB) (kept *Transaction, err error) {
			err = db.Transact(func(tr *Transaction) error {
				kept = tr
				_, err := tr.Get(key)
				return err
			})
			return kept, err
		},
		"transact add": func(db *DB) (kept *Transaction, err error) {
			err = db.Transact(func(tr *Transaction) error {
				kept = tr
				tr.Add(key, []byte{1})
				return nil
			})
			return kept, err
		},
		"transact commits itself": func(db *DB) (kept *Transaction, err error) {
			err = db.Transact(func(tr *Transaction) error {
				kept = tr
				tr.Set(key, []byte("w"))
				return tr.Commit()
			})
			return kept, err
		},
		"read transact get": func(db *DB) (kept *Transaction, err error) {
			err = db.ReadTransact(func(rt ReadTransaction) error {
				kept = rt.(*Transaction)
				_, err := rt.Get(key)
				return err
			})
			return kept, err
		},
		"read transact nothing": func(db *DB) (kept *Transaction, err error) {
			err = db.ReadTransact(func(rt ReadTransaction) error {
				kept = rt.(*Transaction)
				return nil
			})
			return kept, err
		},
	}
	retryable := &Error{Code: codeNotCommitted}
	afterwards := map[string]func(tr *Transaction) []string{
		"look": func(tr *Transaction) []string {
			v, err := tr.GetCommittedVersion()
			rv, rerr := tr.GetReadVersion()
			_, gerr := tr.Get(key)
			_, serr := tr.Snapshot().Get(key)
			return []string{
				fmt.Sprint(tr.Attempt(), v, err, rv, rerr, gerr, serr),
				info(tr), fmt.Sprint(tr.Context() == context.Background()),
			}
		},
		"write and commit": func(tr *Transaction) []string {
			tr.Set(key, []byte("x"))
			err := tr.Commit()
			v, verr := tr.GetCommittedVersion()
			return []string{fmt.Sprint(err, v, verr), info(tr)}
		},
		"cancel": func(tr *Transaction) []string {
			tr.Cancel()
			_, err := tr.Get(key)
			return []string{fmt.Sprint(err), info(tr)}
		},
		"on error retryable": func(tr *Transaction) []string {
			id := tr.ID()
			err := tr.OnError(retryable)
			v, gerr := tr.Get(key)
			tr.Set(key, []byte("y"))
			cerr := tr.Commit()
			cv, _ := tr.GetCommittedVersion()
			return []string{fmt.Sprint(err, string(v), gerr, cerr, cv, tr.ID() == id, tr.Attempt()), info(tr)}
		},
		"on error fatal": func(tr *Transaction) []string {
			err := tr.OnError(fmt.Errorf("not retryable"))
			_, gerr := tr.Get(key)
			return []string{fmt.Sprint(err, gerr), info(tr)}
		},
		"rename and reset": func(tr *Transaction) []string {
			id := tr.ID()
			tr.SetName("renamed")
			tr.Reset()
			v, err := tr.Get(key)
			tr.Set(key, []byte("z"))
			cerr := tr.Commit()
			cv, _ := tr.GetCommittedVersion()
			return []string{fmt.Sprint(string(v), err, cerr, cv, tr.ID() == id, tr.Attempt()), info(tr)}
		},
		"options then retry": func(tr *Transaction) []string {
			tr.SetTimeout(time.Hour)
			tr.SetRetryLimit(0)
			err := tr.OnError(retryable)
			return []string{fmt.Sprint(err), info(tr)}
		},
		"savepoint, watch, callbacks": func(tr *Transaction) []string {
			sp := tr.Savepoint()
			rerr := tr.RollbackTo(sp)
			w := tr.Watch(key)
			select {
			case <-w.Done():
			case <-time.After(10 * time.Second):
				return []string{"the watch of an ended transaction did not fail"}
			}
			ran := false
			tr.OnAbort(func(TransactionInfo) { ran = true })
			return []string{fmt.Sprint(rerr, w.Err(), ran), info(tr)}
		},
	}
	for ending, end := range endings {
		for after, probe := range afterwards {
			t.Run(ending+"/"+after, func(t *testing.T) {
				var answers [2][]string
				for i, recycle := range []bool{true, false} {
					noRecycle.Store(!recycle)
					db, err := Open(nil)
					require.NoError(t, err)
					UseClock(db)
					tr, err := end(db)
					require.NoError(t, err)
					if recycle && tr.txn != nil {
						t.Fatalf("%s left its state with the handle", ending)
					}
					answers[i] = probe(tr)
					db.Close()
				}
				noRecycle.Store(false)
				require.Equal(t, answers[1], answers[0])
			})
		}
	}
}

// info is tr.Info() with its ID and start time left out: the two
// databases hand out IDs, and start their clocks, independently.
func info(tr *Transaction) string {
	in := tr.Info()
	in.ID, in.Started = 0, time.Time{}
	return fmt.Sprintf("%+v", in)
}

// TestRecycledStateIsNotShared keeps transactions past their loops and
// calls them from other goroutines while new loops run, which take the
// recycled state: a kept transaction must keep its own ID and committed
// version, and refuse reads, whatever transaction now uses its old state.
func TestRecycledStateIsNotShared(t *testing.T) {
	db, err := Open(nil)
	require.NoError(t, err)
	defer db.Close()
	key := []byte("k")
	const loops, probes = 200, 50
	errs := make(chan error, loops)
	for i := range loops {
		var kept *Transaction
		var id uint64
		require.NoError(t, db.Transact(func(tr *Transaction) error {
			kept, id = tr, tr.ID()
			tr.Set(key, []byte(fmt.Sprint(i)))
			return nil
		}))
		// The newest version is kept's: only this goroutine commits. kept
		// itself is first called from the goroutine below.
		v := db.committed.Load()
		go func() {
			for range probes {
				switch gv, gerr := kept.GetCommittedVersion(); {
				case kept.ID() != id:
					errs <- fmt.Errorf("loop %d: ID %d, want %d", i, kept.ID(), id)
					return
				case gerr != nil || gv != v:
					errs <- fmt.Errorf("loop %d: committed version %d, %v; want %d", i, gv, gerr, v)
					return
				}
				if _, err := kept.Get(key); err == nil {
					errs <- fmt.Errorf("loop %d: a committed transaction read", i)
					return
				}
			}
			errs <- nil
		}()
		// New loops, some of which take the state kept used to have.
		for range 3 {
			require.NoError(t, db.ReadTransact(func(rt ReadTransaction) error {
				_, err := rt.Get(key)
				return err
			}))
		}
	}
	for range loops {
		require.NoError(t, <-errs)
	}
}

// TestRecycledTransactionIterators keeps an iterator past its ReadTransact,
// started inside it or not, and runs it afterwards: with recycling or
// without, it yields the same.
func TestRecycledTransactionIterators(t *testing.T) {
	for _, started := range []bool{false, true} {
		var answers [2][]string
		for i, recycle := range []bool{true, false} {
			noRecycle.Store(!recycle)
			db, err := Open(nil)
			require.NoError(t, err)
			require.NoError(t, db.Transact(func(tr *Transaction) error {
				for _, k := range []string{"a", "b", "c"} {
					tr.Set([]byte(k), []byte(k))
				}
				return nil
			}))
			var (
				next func() (KeyValue, error, bool)
				stop func()
			)
			require.NoError(t, db.ReadTransact(func(rt ReadTransaction) error {
				next, stop = iter.Pull2(rt.Iterate(KeyRange{Begin: []byte("a"), End: []byte("z")}, RangeOptions{}))
				if started {
					kv, err, ok := next()
					answers[i] = append(answers[i], fmt.Sprint(string(kv.Key), err, ok))
				}
				return nil
			}))
			for range 3 {
				kv, err, ok := next()
				answers[i] = append(answers[i], fmt.Sprint(string(kv.Key), err, ok))
			}
			stop()
			db.Close()
		}
		noRecycle.Store(false)
		require.Equal(t, answers[1], answers[0], "started inside: %v", started)
	}
}
