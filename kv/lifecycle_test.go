package kv_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plinthdb/plinth/kv"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
)

// events records hook calls as strings, in order.
type events struct {
	mu  sync.Mutex
	log []string
	ids map[uint64][]string
}

func (e *events) add(id uint64, s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.log = append(e.log, s)
	if e.ids == nil {
		e.ids = map[uint64][]string{}
	}
	e.ids[id] = append(e.ids[id], s)
}

func (e *events) of(id uint64) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.ids[id])
}

func (e *events) hooks() kv.Hooks {
	return kv.Hooks{
		OnStart:  func(in kv.TransactionInfo) { e.add(in.ID, "start") },
		OnRetry:  func(in kv.TransactionInfo, err error) { e.add(in.ID, "retry") },
		OnCommit: func(in kv.TransactionInfo) { e.add(in.ID, "commit") },
		OnAbort:  func(in kv.TransactionInfo) { e.add(in.ID, "abort") },
	}
}

// conflictOnce makes the first attempt of fn's transaction conflict: it
// reads key, then another transaction writes it.
func conflictOnce(t *testing.T, db *kv.DB, tr *kv.Transaction, key string) {
	t.Helper()
	if tr.Attempt() != 1 {
		return
	}
	_, err := tr.Get([]byte(key))
	require.NoError(t, err)
	require.NoError(t, db.Transact(func(o *kv.Transaction) error {
		o.Set([]byte(key), []byte("other"))
		return nil
	}))
}

func fastDB(t *testing.T, h kv.Hooks) *kv.DB {
	return atOpen(t, &kv.Options{MaxRetryDelay: time.Millisecond, Hooks: h})
}

func TestIDAndAttempt(t *testing.T) {
	db := fastDB(t, kv.Hooks{})
	var ids []uint64
	var attempts []int
	require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
		ids = append(ids, tr.ID())
		attempts = append(attempts, tr.Attempt())
		conflictOnce(t, db, tr, "k")
		tr.Set([]byte("k"), []byte("mine"))
		return nil
	}))
	require.Equal(t, []int{1, 2}, attempts)
	require.Equal(t, ids[0], ids[1])
	require.NotZero(t, ids[0])

	tr := db.NewTransaction()
	id := tr.ID()
	require.Equal(t, 1, tr.Attempt())
	require.NoError(t, tr.OnError(kv.ErrNotCommitted))
	require.Equal(t, 2, tr.Attempt())
	tr.Reset()
	require.Equal(t, 3, tr.Attempt())
	require.Equal(t, id, tr.ID(), "OnError and Reset keep the ID")
	require.NoError(t, tr.Commit())
	tr.Reset() // a transaction reused after its end is a new one
	require.NotEqual(t, id, tr.ID())
	require.Equal(t, 1, tr.Attempt())
	tr.Cancel()
}

func TestIDsUniqueUnderConcurrency(t *testing.T) {
	db := fastDB(t, kv.Hooks{})
	var mu sync.Mutex
	seen := map[uint64]bool{}
	var g errgroup.Group
	for w := 0; w < 8; w++ {
		g.Go(func() error {
			for i := 0; i < 200; i++ {
				var id uint64
				err := db.Transact(func(tr *kv.Transaction) error {
					if id != 0 && id != tr.ID() {
						return errors.New("ID changed between attempts")
					}
					id = tr.ID()
					v, err := tr.Get([]byte("hot"))
					if err != nil {
						return err
					}
					tr.Set([]byte("hot"), append(v[:min(len(v), 8):min(len(v), 8)], 'x'))
					return nil
				})
				if err != nil {
					return err
				}
				mu.Lock()
				if seen[id] {
					mu.Unlock()
					return errors.New("ID used twice")
				}
				seen[id] = true
				mu.Unlock()
			}
			return nil
		})
	}
	require.NoError(t, g.Wait())
	require.Len(t, seen, 1600)
}

func TestInfo(t *testing.T) {
	db := fastDB(t, kv.Hooks{})
	before := time.Now()
	tr := db.NewTransaction()
	tr.SetName("transfer")
	in := tr.Info()
	require.Equal(t, tr.ID(), in.ID)
	require.Equal(t, "transfer", in.Name)
	require.Equal(t, 1, in.Attempts)
	require.Equal(t, int64(-1), in.ReadVersion)
	require.Equal(t, int64(-1), in.CommittedVersion)
	require.False(t, in.Committed)
	require.NoError(t, in.Err)
	require.False(t, in.Started.Before(before.Add(-time.Millisecond)))

	rv, err := tr.GetReadVersion()
	require.NoError(t, err)
	require.Equal(t, rv, tr.Info().ReadVersion)
	atSet(t, db, []byte("k"), []byte("v"))
	_, _ = tr.Get([]byte("k"))
	tr.Set([]byte("k"), []byte("w"))
	err = tr.Commit()
	require.ErrorIs(t, err, kv.ErrNotCommitted)
	require.NoError(t, tr.OnError(err))
	in = tr.Info()
	require.Equal(t, 2, in.Attempts)
	require.Equal(t, 1, in.Conflicts)
	require.Equal(t, "transfer", in.Name, "the name survives OnError")
	tr.Set([]byte("k"), []byte("w"))
	require.NoError(t, tr.Commit())
	in = tr.Info()
	v, _ := tr.GetCommittedVersion()
	require.True(t, in.Committed)
	require.Equal(t, v, in.CommittedVersion)
	require.NoError(t, in.Err)
	time.Sleep(2 * time.Millisecond)
	require.Equal(t, in.Elapsed, tr.Info().Elapsed, "Elapsed stops at the end")

	tr = db.NewTransaction()
	tr.SetName("n")
	tr.Reset()
	require.Equal(t, "n", tr.Info().Name, "the name survives Reset")
	tr.Cancel()
	in = tr.Info()
	require.False(t, in.Committed)
	require.ErrorIs(t, in.Err, kv.ErrTransactionCancelled)

	// A read-only commit counts as committed, with no committed version.
	tr = db.NewTransaction()
	_, _ = tr.Get([]byte("k"))
	require.NoError(t, tr.Commit())
	in = tr.Info()
	require.True(t, in.Committed)
	require.Equal(t, int64(-1), in.CommittedVersion)
}

func TestActiveTransactionsAndStats(t *testing.T) {
	db := fastDB(t, kv.Hooks{})
	a, b := db.NewTransaction(), db.NewTransaction()
	b.SetName("b")
	act := db.ActiveTransactions()
	require.Len(t, act, 2)
	require.Less(t, act[0].ID, act[1].ID, "listed by ID")
	names := map[uint64]string{act[0].ID: act[0].Name, act[1].ID: act[1].Name}
	require.Equal(t, map[uint64]string{a.ID(): "", b.ID(): "b"}, names)
	require.Equal(t, 2, db.Stats().Active)

	inside := make(chan []kv.TransactionInfo, 1)
	require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
		inside <- db.ActiveTransactions()
		return nil
	}))
	require.Len(t, <-inside, 3)

	require.NoError(t, a.Commit())
	b.Cancel()
	require.Empty(t, db.ActiveTransactions())
	st := db.Stats()
	require.Zero(t, st.Active)
	require.Equal(t, int64(1), st.Aborted)

	// OnError giving up ends the transaction too.
	c := db.NewTransaction()
	require.ErrorIs(t, c.OnError(kv.ErrKeyTooLarge), kv.ErrKeyTooLarge)
	require.Empty(t, db.ActiveTransactions())
	require.Equal(t, int64(2), db.Stats().Aborted)
}

// A bare transaction dropped without Commit or Cancel leaves the list once
// its attempt is older than the MVCC window, so the registry does not grow.
func TestDroppedTransactionsArePruned(t *testing.T) {
	db := atOpen(t, &kv.Options{MVCCWindow: 20 * time.Millisecond})
	for i := 0; i < 100; i++ {
		_, _ = db.NewTransaction().Get([]byte("k"))
	}
	require.Eventually(t, func() bool { return db.Stats().Active == 0 }, 10*time.Second, 5*time.Millisecond)
}

// OnCommit callbacks of the committing attempt run once each, in
// registration order, after the commit is visible and with no lock held;
// those of attempts that conflicted never run.
func TestOnCommitRunsOnceAfterVisibility(t *testing.T) {
	db := fastDB(t, kv.Hooks{})
	var order []string
	runs := 0
	err := db.Transact(func(tr *kv.Transaction) error {
		runs++
		attempt := tr.Attempt()
		tr.OnCommit(func(in kv.TransactionInfo) {
			order = append(order, "first")
			require.Equal(t, 2, attempt, "only the committing attempt's callbacks run")
			require.True(t, in.Committed)
			require.Positive(t, in.CommittedVersion)
			// Visible to others, and no lock held: a new transaction can
			// read it and commit.
			require.Equal(t, "mine", string(atGet(t, db, []byte("k"))))
			atSet(t, db, []byte("after"), []byte("1"))
		})
		tr.OnCommit(func(kv.TransactionInfo) { order = append(order, "second") })
		conflictOnce(t, db, tr, "k")
		tr.Set([]byte("k"), []byte("mine"))
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, 2, runs)
	require.Equal(t, []string{"first", "second"}, order)
	require.Equal(t, "1", string(atGet(t, db, []byte("after"))))
}

// OnAbort callbacks run once, newest first, with Info.Err, for every way an
// attempt ends without committing; OnCommit callbacks then never run.
func TestOnAbortCompensations(t *testing.T) {
	errMine := errors.New("mine")
	for _, tc := range []struct {
		name string
		run  func(db *kv.DB, register func(tr *kv.Transaction)) error
		want error
	}{
		{"error from fn", func(db *kv.DB, reg func(*kv.Transaction)) error {
			return db.Transact(func(tr *kv.Transaction) error { reg(tr); return errMine })
		}, errMine},
		{"conflict", func(db *kv.DB, reg func(*kv.Transaction)) error {
			tr := db.NewTransaction()
			defer tr.Cancel()
			reg(tr)
			_, _ = tr.Get([]byte("k"))
			atSet(t, db, []byte("k"), []byte("x"))
			tr.Set([]byte("k"), []byte("y"))
			return tr.Commit()
		}, kv.ErrNotCommitted},
		{"OnError", func(db *kv.DB, reg func(*kv.Transaction)) error {
			tr := db.NewTransaction()
			defer tr.Cancel()
			reg(tr)
			return errors.Join(tr.OnError(kv.ErrTransactionTooOld), kv.ErrTransactionTooOld)
		}, kv.ErrTransactionTooOld},
		{"Reset", func(db *kv.DB, reg func(*kv.Transaction)) error {
			tr := db.NewTransaction()
			defer tr.Cancel()
			reg(tr)
			tr.Reset()
			return kv.ErrTransactionCancelled
		}, kv.ErrTransactionCancelled},
		{"Cancel", func(db *kv.DB, reg func(*kv.Transaction)) error {
			tr := db.NewTransaction()
			reg(tr)
			tr.Cancel()
			return kv.ErrTransactionCancelled
		}, kv.ErrTransactionCancelled},
		{"panic", func(db *kv.DB, reg func(*kv.Transaction)) (err error) {
			defer func() {
				if recover() != nil {
					err = kv.ErrTransactionCancelled
				}
			}()
			return db.Transact(func(tr *kv.Transaction) error { reg(tr); panic("boom") })
		}, kv.ErrTransactionCancelled},
		{"retry limit", func(db *kv.DB, reg func(*kv.Transaction)) error {
			return db.Transact(func(tr *kv.Transaction) error {
				tr.SetRetryLimit(0)
				reg(tr)
				return kv.ErrNotCommitted
			})
		}, kv.ErrNotCommitted},
		{"ctx cancelled", func(db *kv.DB, reg func(*kv.Transaction)) error {
			ctx, cancel := context.WithCancel(context.Background())
			return db.TransactContext(ctx, func(tr *kv.Transaction) error {
				reg(tr)
				tr.Set([]byte("k"), nil)
				cancel()
				return nil
			})
		}, context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := fastDB(t, kv.Hooks{})
			var got []string
			var errs []error
			err := tc.run(db, func(tr *kv.Transaction) {
				tr.OnAbort(func(in kv.TransactionInfo) { got = append(got, "first"); errs = append(errs, in.Err) })
				tr.OnCommit(func(kv.TransactionInfo) { got = append(got, "commit") })
				tr.OnAbort(func(in kv.TransactionInfo) { got = append(got, "second"); errs = append(errs, in.Err) })
			})
			require.ErrorIs(t, err, tc.want)
			require.Equal(t, []string{"second", "first"}, got)
			for _, e := range errs {
				require.ErrorIs(t, e, tc.want)
			}
		})
	}
}

// Callbacks are attempt-scoped: across forced conflicts exactly one
// attempt's OnCommit runs, and each failed attempt's OnAbort once.
func TestCallbacksExactlyOnceUnderContention(t *testing.T) {
	db := fastDB(t, kv.Hooks{})
	var commits, aborts, runs atomic.Int64
	var g errgroup.Group
	for w := 0; w < 8; w++ {
		g.Go(func() error {
			for i := 0; i < 50; i++ {
				err := db.Transact(func(tr *kv.Transaction) error {
					runs.Add(1)
					tr.OnCommit(func(kv.TransactionInfo) {
						commits.Add(1)
						// Callbacks may start transactions.
						_ = db.ReadTransact(func(r kv.ReadTransaction) error {
							_, err := r.Get([]byte("n"))
							return err
						})
					})
					tr.OnAbort(func(in kv.TransactionInfo) {
						if !errors.Is(in.Err, kv.ErrNotCommitted) {
							panic(in.Err)
						}
						aborts.Add(1)
					})
					v, err := tr.Get([]byte("n"))
					if err != nil {
						return err
					}
					tr.Set([]byte("n"), append(v[:0:0], byte(len(v)%200)))
					return nil
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	require.NoError(t, g.Wait())
	require.Equal(t, int64(400), commits.Load())
	require.Equal(t, runs.Load()-400, aborts.Load())
}

// Every kind of transaction gets OnStart once, OnRetry once per retry and
// exactly one of OnCommit or OnAbort.
func TestHooksOncePerTransaction(t *testing.T) {
	ev := &events{}
	db := fastDB(t, ev.hooks())
	errMine := errors.New("mine")
	idOf := func(f func(func(uint64))) uint64 {
		var id uint64
		f(func(x uint64) { id = x })
		return id
	}
	cases := []struct {
		name string
		id   uint64
		want []string
	}{
		{"Transact", idOf(func(set func(uint64)) {
			_ = db.Transact(func(tr *kv.Transaction) error {
				set(tr.ID())
				conflictOnce(t, db, tr, "k")
				tr.Set([]byte("k"), nil)
				return nil
			})
		}), []string{"start", "retry", "commit"}},
		{"Transact error", idOf(func(set func(uint64)) {
			_ = db.Transact(func(tr *kv.Transaction) error { set(tr.ID()); return errMine })
		}), []string{"start", "abort"}},
		{"TransactContext", idOf(func(set func(uint64)) {
			_ = db.TransactContext(context.Background(), func(tr *kv.Transaction) error { set(tr.ID()); return nil })
		}), []string{"start", "commit"}},
		{"ReadTransact", idOf(func(set func(uint64)) {
			_ = db.ReadTransact(func(tr kv.ReadTransaction) error {
				set(tr.(*kv.Transaction).ID())
				_, err := tr.Get([]byte("k"))
				return err
			})
		}), []string{"start", "commit"}},
		{"ReadTransactContext error", idOf(func(set func(uint64)) {
			_ = db.ReadTransactContext(context.Background(), func(tr kv.ReadTransaction) error {
				set(tr.(*kv.Transaction).ID())
				return errMine
			})
		}), []string{"start", "abort"}},
		{"bare commit", idOf(func(set func(uint64)) {
			tr := db.NewTransaction()
			set(tr.ID())
			tr.Set([]byte("b"), nil)
			_ = tr.Commit()
			tr.Cancel() // after the end: no second hook
		}), []string{"start", "commit"}},
		{"bare retried then cancelled", idOf(func(set func(uint64)) {
			tr := db.NewTransaction()
			set(tr.ID())
			_ = tr.OnError(kv.ErrNotCommitted)
			_ = tr.OnError(kv.ErrNotCommitted)
			tr.Cancel()
			tr.Cancel()
		}), []string{"start", "retry", "retry", "abort"}},
		{"bare gives up", idOf(func(set func(uint64)) {
			tr := db.NewTransaction()
			set(tr.ID())
			tr.SetRetryLimit(1)
			_ = tr.OnError(kv.ErrNotCommitted)
			_ = tr.OnError(kv.ErrNotCommitted)
			_ = tr.OnError(kv.ErrNotCommitted)
		}), []string{"start", "retry", "abort"}},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, ev.of(tc.id), tc.name)
	}
}

// A panic in a callback or a hook reaches the caller; a commit that
// happened stands, and the end hook still runs once.
func TestPanicsInCallbacksPropagate(t *testing.T) {
	ev := &events{}
	db := fastDB(t, ev.hooks())
	var id uint64
	require.PanicsWithValue(t, "in OnCommit", func() {
		_ = db.Transact(func(tr *kv.Transaction) error {
			id = tr.ID()
			tr.Set([]byte("k"), []byte("v"))
			tr.OnCommit(func(kv.TransactionInfo) { panic("in OnCommit") })
			return nil
		})
	})
	require.Equal(t, "v", string(atGet(t, db, []byte("k"))))
	require.Equal(t, []string{"start", "commit"}, ev.of(id))

	db2 := fastDB(t, kv.Hooks{OnCommit: func(in kv.TransactionInfo) {
		if in.CommittedVersion > 0 {
			panic("in hook")
		}
	}})
	require.PanicsWithValue(t, "in hook", func() { atSet(t, db2, []byte("k"), []byte("w")) })
	require.Equal(t, "w", string(atGet(t, db2, []byte("k"))))
	require.Zero(t, db2.Stats().Active)
}

// logRecords is a slog handler keeping records.
type logRecords struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (l *logRecords) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecords) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = append(l.recs, r.Clone())
	return nil
}
func (l *logRecords) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logRecords) WithGroup(string) slog.Handler      { return l }

func attrsOf(r slog.Record) map[string]slog.Value {
	m := map[string]slog.Value{}
	r.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value.Resolve(); return true })
	return m
}

func TestLoggingOfRetriesConflictsAndGiveUps(t *testing.T) {
	rec := &logRecords{}
	db := atOpen(t, &kv.Options{MaxRetryDelay: time.Millisecond, Logger: slog.New(rec)})
	require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
		tr.SetName("transfer")
		conflictOnce(t, db, tr, "k")
		tr.Set([]byte("k"), nil)
		return nil
	}))
	_ = db.Transact(func(tr *kv.Transaction) error {
		tr.SetName("bad")
		return kv.ErrKeyTooLarge
	})
	rec.mu.Lock()
	defer rec.mu.Unlock()
	byMsg := map[string]slog.Record{}
	for _, r := range rec.recs {
		byMsg[r.Message] = r
	}
	c, ok := byMsg["plinth: transaction conflict"]
	require.True(t, ok)
	require.Equal(t, slog.LevelDebug, c.Level)
	a := attrsOf(c)
	require.Equal(t, "transfer", a["name"].String())
	require.Equal(t, int64(1), a["attempt"].Int64())
	require.Equal(t, slog.KindGroup, a["conflict"].Kind(), "ConflictError renders as a group")

	r, ok := byMsg["plinth: retrying transaction"]
	require.True(t, ok)
	require.Equal(t, slog.LevelDebug, r.Level)
	require.Equal(t, attrsOf(c)["tx"].Uint64(), attrsOf(r)["tx"].Uint64())

	g, ok := byMsg["plinth: transaction gave up"]
	require.True(t, ok)
	require.Equal(t, slog.LevelWarn, g.Level)
	require.Equal(t, "bad", attrsOf(g)["name"].String())
	require.Equal(t, "not retryable", attrsOf(g)["reason"].String())
}
