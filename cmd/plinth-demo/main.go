// Command plinth-demo shows plinth doing its main job: many goroutines run
// concurrent bank transfers as serializable transactions on an embedded
// database; conflicting transfers are detected at commit and retried, and the
// total balance is checked to be unchanged, in snapshots taken during the
// run and at the end. Each committed transfer is recorded once in an audit
// log through OnCommit, although conflicts make some attempts run twice, and
// database-wide hooks count how transactions ended.
//
//	go run ./cmd/plinth-demo [-accounts 20] [-workers 8] [-transfers 5000]
package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plinthdb/plinth/kv"
)

func main() {
	accounts := flag.Int("accounts", 20, "number of accounts")
	workers := flag.Int("workers", 8, "concurrent goroutines making transfers")
	transfers := flag.Int("transfers", 5000, "transfers per goroutine")
	flag.Parse()
	if err := run(*accounts, *workers, *transfers); err != nil {
		fmt.Fprintln(os.Stderr, "plinth-demo:", err)
		os.Exit(1)
	}
}

const initialBalance = 1000

func account(i int) []byte { return fmt.Appendf(nil, "bank/acct/%04d", i) }

func balanceOf(v []byte) uint64 { return binary.BigEndian.Uint64(v) }

func encode(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

func run(accounts, workers, transfers int) error {
	if accounts < 2 || workers < 1 || transfers < 1 {
		return errors.New("need at least 2 accounts, 1 worker and 1 transfer")
	}
	// Hooks see every transaction: how many started, were retried, and how
	// they ended.
	var started, retried, committed, aborted atomic.Int64
	db, err := kv.Open(&kv.Options{Hooks: kv.Hooks{
		OnStart:  func(kv.TransactionInfo) { started.Add(1) },
		OnRetry:  func(kv.TransactionInfo, error) { retried.Add(1) },
		OnCommit: func(kv.TransactionInfo) { committed.Add(1) },
		OnAbort:  func(kv.TransactionInfo) { aborted.Add(1) },
	}})
	if err != nil {
		return err
	}
	defer db.Close()

	err = db.Transact(func(tr *kv.Transaction) error {
		for i := 0; i < accounts; i++ {
			tr.Set(account(i), encode(initialBalance))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("opening accounts: %w", err)
	}
	want := uint64(accounts) * initialBalance
	fmt.Printf("plinth demo: %d accounts of %d, %d goroutines x %d transfers\n", accounts, initialBalance, workers, transfers)

	var attempts, done, audits atomic.Int64
	// The audit log gets one line per committed transfer: OnCommit runs
	// once, after the commit, never for an attempt that conflicted.
	var auditMu sync.Mutex
	var auditLog []string
	var wg sync.WaitGroup
	errs := make(chan error, workers+1)
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 42))
			for i := 0; i < transfers; i++ {
				from, to := r.IntN(accounts), r.IntN(accounts)
				if from == to {
					to = (to + 1) % accounts
				}
				amount := uint64(1 + r.IntN(100))
				err := db.Transact(func(tr *kv.Transaction) error {
					attempts.Add(1)
					fv, err := tr.Get(account(from))
					if err != nil {
						return err
					}
					tv, err := tr.Get(account(to))
					if err != nil {
						return err
					}
					f, t := balanceOf(fv), balanceOf(tv)
					if f < amount {
						return nil // insufficient funds: commit nothing
					}
					tr.Set(account(from), encode(f-amount))
					tr.Set(account(to), encode(t+amount))
					tr.OnCommit(func(in kv.TransactionInfo) {
						auditMu.Lock()
						auditLog = append(auditLog, fmt.Sprintf("v%d: %d from %d to %d", in.CommittedVersion, amount, from, to))
						auditMu.Unlock()
					})
					return nil
				})
				if err != nil {
					errs <- fmt.Errorf("transfer: %w", err)
					return
				}
				done.Add(1)
			}
		}()
	}
	// An auditor sums all balances in consistent snapshots while transfers
	// run: serializability means it never sees money in flight.
	stop := make(chan struct{})
	var auditWG sync.WaitGroup
	auditWG.Add(1)
	go func() {
		defer auditWG.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			var sum uint64
			err := db.ReadTransact(func(tr kv.ReadTransaction) error {
				sum = 0
				for row, err := range tr.Iterate(kv.KeyRange{Begin: []byte("bank/acct/"), End: []byte("bank/acct0")}, kv.RangeOptions{}) {
					if err != nil {
						return err
					}
					sum += balanceOf(row.Value)
				}
				return nil
			})
			if err == nil && sum != want {
				err = fmt.Errorf("audit saw a total of %d, want %d", sum, want)
			}
			if err != nil {
				errs <- err
				return
			}
			audits.Add(1)
		}
	}()
	wg.Wait()
	close(stop)
	auditWG.Wait()
	elapsed := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return err
	}

	var total uint64
	err = db.ReadTransact(func(tr kv.ReadTransaction) error {
		rows, err := tr.GetRange(kv.KeyRange{Begin: []byte("bank/acct/"), End: []byte("bank/acct0")}, kv.RangeOptions{})
		total = 0
		for _, row := range rows {
			total += balanceOf(row.Value)
		}
		return err
	})
	if err != nil {
		return err
	}
	st := db.Stats()
	n := done.Load()
	fmt.Printf("  transfers committed   %d\n", n)
	fmt.Printf("  commits               %d (a transfer refused for lack of funds commits read-only)\n", st.Commits)
	fmt.Printf("  conflicts detected    %d\n", st.Conflicts)
	fmt.Printf("  retries               %d (%.3f per transfer)\n", st.Retries, float64(st.Retries)/float64(n))
	fmt.Printf("  attempts              %d\n", attempts.Load())
	fmt.Printf("  consistent audits     %d\n", audits.Load())
	fmt.Printf("  audit log entries     %d (one per committed transfer, by OnCommit)\n", len(auditLog))
	fmt.Printf("  hooks                 %d transactions (transfers and audits) started, %d retried, %d committed, %d aborted\n",
		started.Load(), retried.Load(), committed.Load(), aborted.Load())
	fmt.Printf("  elapsed               %v\n", elapsed.Round(time.Millisecond))
	fmt.Printf("  throughput            %.0f transfers/s\n", float64(n)/elapsed.Seconds())
	if total != want {
		return fmt.Errorf("invariant broken: total %d, want %d", total, want)
	}
	if int64(len(auditLog)) != st.Commits-1 { // the opening commit has no audit entry
		return fmt.Errorf("audit log has %d entries for %d transfer commits", len(auditLog), st.Commits-1)
	}
	if started.Load() != committed.Load()+aborted.Load() {
		return fmt.Errorf("hooks: %d started but %d ended", started.Load(), committed.Load()+aborted.Load())
	}
	fmt.Printf("  invariant             total balance %d == %d: OK\n", total, want)
	return nil
}
