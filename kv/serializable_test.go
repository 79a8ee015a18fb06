package kv

import (
	"encoding/binary"
	"fmt"
	"maps"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
)

// txOp is one step of a committed transaction, in the order it ran: a
// non-snapshot read with what it returned, or a write.
type txOp struct {
	read     bool
	key, end string // a point read or write when end == ""; else [key, end)
	limit    int
	rev      bool
	got      string // a read's result, rendered by render
	value    string
	clear    bool
	nest     nestMark
}

// nestMark records a Nested block in a transaction's steps: where it began,
// and whether its writes were kept or rolled back.
type nestMark uint8

const (
	noNest nestMark = iota
	nestBegin
	nestKeep
	nestRollback
)

var errRollBack = fmt.Errorf("roll the nested block back")

type txRecord struct {
	version int64
	ops     []txOp
}

func renderRows(rows []KeyValue) string {
	s := ""
	for _, kv := range rows {
		s += string(kv.Key) + "=" + string(kv.Value) + ";"
	}
	return s
}

// replayRange reads [b, e) from a plain map, limited and ordered.
func replayRange(state map[string]string, b, e string, limit int, rev bool) string {
	var ks []string
	for k := range state {
		if k >= b && k < e {
			ks = append(ks, k)
		}
	}
	sort.Strings(ks)
	if rev {
		for i, j := 0, len(ks)-1; i < j; i, j = i+1, j-1 {
			ks[i], ks[j] = ks[j], ks[i]
		}
	}
	if limit > 0 && len(ks) > limit {
		ks = ks[:limit]
	}
	s := ""
	for _, k := range ks {
		s += k + "=" + state[k] + ";"
	}
	return s
}

// TestConcurrentSerializability runs random read-write transactions from
// many goroutines on a small key space (so conflicts are frequent), records
// every step of each committed one and its commit version, then replays the
// committed transactions in commit-version order on a plain map: every
// recorded read must come out the same.
func TestConcurrentSerializability(t *testing.T) {
	db := openDB(t, nil)
	workers, perWorker := 8, 150
	if testing.Short() {
		perWorker = 40
	}
	keyspace := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	var mu sync.Mutex
	var committed []txRecord
	var g errgroup.Group
	for w := 0; w < workers; w++ {
		g.Go(func() error {
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for i := 0; i < perWorker; i++ {
				var rec txRecord
				var step func(tr *Transaction, depth int) error
				step = func(tr *Transaction, depth int) error {
					// Yield between steps so transactions interleave and
					// conflict even on two cores.
					runtime.Gosched()
					k := keyspace[r.IntN(len(keyspace))]
					e := keyspace[r.IntN(len(keyspace))] + "\x00"
					if e < k {
						k, e = e, k
					}
					switch r.IntN(8) {
					case 0, 1:
						v, err := tr.Get([]byte(k))
						if err != nil {
							return err
						}
						got := "absent"
						if v != nil {
							got = string(v)
						}
						rec.ops = append(rec.ops, txOp{read: true, key: k, got: got})
					case 2:
						limit, rev := r.IntN(3), r.IntN(2) == 0
						rows, err := tr.GetRange(KeyRange{[]byte(k), []byte(e)}, RangeOptions{Limit: limit, Reverse: rev})
						if err != nil {
							return err
						}
						rec.ops = append(rec.ops, txOp{read: true, key: k, end: e, limit: limit, rev: rev, got: renderRows(rows)})
					case 3:
						// Snapshot reads need not be serializable: not
						// recorded.
						if _, err := tr.Snapshot().GetRange(KeyRange{[]byte(k), []byte(e)}, RangeOptions{}); err != nil {
							return err
						}
					case 4, 5:
						v := fmt.Sprintf("%d.%d", w, i)
						tr.Set([]byte(k), []byte(v))
						rec.ops = append(rec.ops, txOp{key: k, value: v})
					case 6:
						if r.IntN(2) == 0 {
							tr.ClearRange([]byte(k), []byte(e))
							rec.ops = append(rec.ops, txOp{key: k, end: e, clear: true})
						} else {
							tr.Clear([]byte(k))
							rec.ops = append(rec.ops, txOp{key: k, clear: true})
						}
					case 7:
						if depth >= 2 {
							return nil
						}
						// A nested block that may roll back: its reads
						// still count, its writes are undone.
						rec.ops = append(rec.ops, txOp{nest: nestBegin})
						var failed error
						err := tr.Nested(func(tr *Transaction) error {
							for range 1 + r.IntN(3) {
								if err := step(tr, depth+1); err != nil {
									return err
								}
							}
							if r.IntN(2) == 0 {
								failed = errRollBack
								return failed
							}
							return nil
						})
						switch {
						case err != nil && err != failed:
							return err
						case err != nil:
							rec.ops = append(rec.ops, txOp{nest: nestRollback})
						default:
							rec.ops = append(rec.ops, txOp{nest: nestKeep})
						}
					}
					return nil
				}
				body := func(tr *Transaction) error {
					rec = txRecord{}
					for range 1 + r.IntN(5) {
						if err := step(tr, 0); err != nil {
							return err
						}
					}
					// Every transaction writes, so every one gets a version.
					tr.Set([]byte(fmt.Sprintf("z/%d/%d", w, i)), nil)
					return nil
				}
				// A hand-written retry loop, to learn the commit version.
				tr := db.NewTransaction()
				for {
					err := body(tr)
					if err == nil {
						if err = tr.Commit(); err == nil {
							break
						}
					}
					if err := tr.OnError(err); err != nil {
						return err
					}
				}
				v, err := tr.GetCommittedVersion()
				if err != nil {
					return err
				}
				rec.version = v
				mu.Lock()
				committed = append(committed, rec)
				mu.Unlock()
			}
			return nil
		})
	}
	require.NoError(t, g.Wait())
	require.Len(t, committed, workers*perWorker)
	require.Greater(t, db.Stats().Conflicts, int64(0), "the key space is small enough to conflict")

	sort.Slice(committed, func(i, j int) bool { return committed[i].version < committed[j].version })
	state := map[string]string{}
	for i, rec := range committed {
		if i > 0 {
			require.Greater(t, rec.version, committed[i-1].version, "one commit per version")
		}
		var saved []map[string]string // states at the open nested blocks
		for _, op := range rec.ops {
			switch {
			case op.nest == nestBegin:
				saved = append(saved, maps.Clone(state))
			case op.nest == nestKeep:
				saved = saved[:len(saved)-1]
			case op.nest == nestRollback:
				state = saved[len(saved)-1]
				saved = saved[:len(saved)-1]
			case op.read && op.end == "":
				got := "absent"
				if v, ok := state[op.key]; ok {
					got = v
				}
				require.Equal(t, op.got, got, "tx at version %d: get %q", rec.version, op.key)
			case op.read:
				require.Equal(t, op.got, replayRange(state, op.key, op.end, op.limit, op.rev),
					"tx at version %d: range [%q, %q) limit %d rev %v", rec.version, op.key, op.end, op.limit, op.rev)
			case op.clear && op.end != "":
				for k := range state {
					if k >= op.key && k < op.end {
						delete(state, k)
					}
				}
			case op.clear:
				delete(state, op.key)
			default:
				state[op.key] = op.value
			}
		}
	}
}

// TestBankTransfersKeepTotal runs concurrent transfers between accounts;
// the total never changes, in any snapshot.
func TestBankTransfersKeepTotal(t *testing.T) {
	db := openDB(t, nil)
	const accounts, initial = 10, 1000
	acct := func(i int) []byte { return []byte(fmt.Sprintf("acct/%02d", i)) }
	require.NoError(t, db.Transact(func(tr *Transaction) error {
		for i := 0; i < accounts; i++ {
			tr.Set(acct(i), binary.BigEndian.AppendUint64(nil, initial))
		}
		return nil
	}))
	total := func(rt ReadTransaction) (uint64, error) {
		rows, err := rt.GetRange(KeyRange{[]byte("acct/"), []byte("acct0")}, RangeOptions{})
		var sum uint64
		for _, kv := range rows {
			sum += binary.BigEndian.Uint64(kv.Value)
		}
		return sum, err
	}
	var g errgroup.Group
	for w := 0; w < 6; w++ {
		g.Go(func() error {
			r := rand.New(rand.NewPCG(uint64(w), 2))
			for i := 0; i < 200; i++ {
				from, to := r.IntN(accounts), r.IntN(accounts)
				amount := uint64(r.IntN(50))
				err := db.Transact(func(tr *Transaction) error {
					fv, err := tr.Get(acct(from))
					if err != nil {
						return err
					}
					runtime.Gosched() // let other transfers interleave
					tv, err := tr.Get(acct(to))
					if err != nil {
						return err
					}
					f, tt := binary.BigEndian.Uint64(fv), binary.BigEndian.Uint64(tv)
					if f < amount || from == to {
						return nil
					}
					tr.Set(acct(from), binary.BigEndian.AppendUint64(nil, f-amount))
					tr.Set(acct(to), binary.BigEndian.AppendUint64(nil, tt+amount))
					return nil
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		for i := 0; i < 100; i++ {
			if err := db.ReadTransact(func(rt ReadTransaction) error {
				sum, err := total(rt)
				if err == nil && sum != accounts*initial {
					return fmt.Errorf("total %d in a snapshot", sum)
				}
				return err
			}); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, g.Wait())
	require.NoError(t, db.ReadTransact(func(rt ReadTransaction) error {
		sum, err := total(rt)
		require.EqualValues(t, accounts*initial, sum)
		return err
	}))
	require.Greater(t, db.Stats().Conflicts, int64(0), "transfers on 10 accounts from 6 goroutines conflict")
}

// TestWriteAfterRangeReadConflictsOnItsKeyOnly: a key written after a range
// read that starts at it conflicts only on itself. A range [a, b\x00) is not
// the point range of a, though its ends look like one; taking it as the
// write's range would make readers of b conflict with a write of a.
func TestWriteAfterRangeReadConflictsOnItsKeyOnly(t *testing.T) {
	db := openDB(t, nil)
	reader := db.NewTransaction()
	_, err := reader.Get([]byte("b"))
	require.NoError(t, err)
	reader.Set([]byte("x"), []byte("1"))

	writer := db.NewTransaction()
	_, err = writer.GetRange(KeyRange{[]byte("a"), []byte("b\x00")}, RangeOptions{})
	require.NoError(t, err)
	writer.Set([]byte("a"), []byte("1"))
	require.NoError(t, writer.Commit())

	require.NoError(t, reader.Commit(), "a write of a does not touch b")
}
