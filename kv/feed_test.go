package kv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
)

// feedRecorder runs Subscribe in a goroutine and collects its batches.
type feedRecorder struct {
	mu      sync.Mutex
	batches []ChangeBatch
	changed chan struct{}
	cancel  context.CancelFunc
	done    chan error
}

func subscribe(t *testing.T, db *DB, r KeyRange, since int64) *feedRecorder {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	f := &feedRecorder{changed: make(chan struct{}, 1), cancel: cancel, done: make(chan error, 1)}
	subs := db.feed.subsLen()
	go func() {
		f.done <- db.Subscribe(ctx, r, since, func(b ChangeBatch) error {
			f.mu.Lock()
			f.batches = append(f.batches, b)
			f.mu.Unlock()
			select {
			case f.changed <- struct{}{}:
			default:
			}
			return nil
		})
	}()
	t.Cleanup(func() { f.stop() })
	// Wait for the subscription to be in place, so the test's commits
	// cannot push since out of the feed first.
	for db.feed.subsLen() == subs {
		select {
		case err := <-f.done:
			f.done <- err
			t.Fatalf("Subscribe ended at once: %v", err)
		case <-time.After(time.Millisecond):
		}
	}
	return f
}

// until waits for a batch at version v or later.
func (f *feedRecorder) until(t *testing.T, v int64) []ChangeBatch {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		f.mu.Lock()
		n := len(f.batches)
		if n > 0 && f.batches[n-1].Version >= v {
			out := append([]ChangeBatch(nil), f.batches...)
			f.mu.Unlock()
			return out
		}
		f.mu.Unlock()
		select {
		case <-f.changed:
		case err := <-f.done:
			f.done <- err
			t.Fatalf("Subscribe ended early: %v", err)
		case <-deadline:
			t.Fatalf("no batch at version %d", v)
		}
	}
}

func (f *feedRecorder) stop() error {
	f.cancel()
	err := <-f.done
	f.done <- err
	return err
}

func newestVersion(t *testing.T, db *DB) int64 {
	t.Helper()
	tr := db.NewTransaction()
	defer tr.Cancel()
	v, err := tr.GetReadVersion()
	require.NoError(t, err)
	return v
}

func commitVersion(t *testing.T, db *DB, fn func(tr *Transaction)) int64 {
	t.Helper()
	tr := db.NewTransaction()
	fn(tr)
	require.NoError(t, tr.Commit())
	v, err := tr.GetCommittedVersion()
	require.NoError(t, err)
	return v
}

// ch renders changes compactly: "k=v" or "k-" for a deletion.
func ch(b ChangeBatch) []string {
	var out []string
	for _, c := range b.Changes {
		if c.Deleted {
			if c.Value != nil {
				out = append(out, string(c.Key)+"-with-value")
				continue
			}
			out = append(out, string(c.Key)+"-")
		} else {
			out = append(out, string(c.Key)+"="+string(c.Value))
		}
	}
	return out
}

// Every commit after since that changed the range, in commit order, one
// batch per commit, only the range's keys, in key order; commits that did
// not touch it give no batch.
func TestSubscribeBatches(t *testing.T) {
	noLeaks(t)
	db := openDB(t, nil)
	put(t, db, "a1", "x", "a2", "x", "a3", "x", "b1", "x")
	since := newestVersion(t, db)

	// Commits before the subscription starts but after since are seen.
	v1 := commitVersion(t, db, func(tr *Transaction) {
		tr.Set([]byte("a2"), []byte("y"))
		tr.Set([]byte("b2"), []byte("outside"))
		tr.Set([]byte("a0"), []byte("z"))
	})
	commitVersion(t, db, func(tr *Transaction) { tr.Set([]byte("b3"), []byte("outside")) })
	f := subscribe(t, db, KeyRange{Begin: []byte("a"), End: []byte("b")}, since)
	v2 := commitVersion(t, db, func(tr *Transaction) {
		tr.ClearRange([]byte("a1"), []byte("a3\x00")) // removes a1, a2, a3
		tr.Set([]byte("a2"), []byte("again"))         // written after the clear: a set
		tr.ClearRange([]byte("a5"), []byte("a9"))     // removed nothing
	})
	v3 := commitVersion(t, db, func(tr *Transaction) {
		tr.Clear([]byte("a7")) // absent: no change
		tr.Clear([]byte("a0"))
		tr.AddInt64([]byte("ctr"), 1) // outside
		tr.AddInt64([]byte("actr"), 5)
	})
	commitVersion(t, db, func(tr *Transaction) { tr.Clear([]byte("a8")) }) // no change at all
	v4 := commitVersion(t, db, func(tr *Transaction) {
		tr.AddInt64([]byte("actr"), 2)
		tr.Set([]byte("a2"), []byte("again")) // same value: still a write
	})
	bs := f.until(t, v4)
	require.Len(t, bs, 4)
	require.Equal(t, []int64{v1, v2, v3, v4}, []int64{bs[0].Version, bs[1].Version, bs[2].Version, bs[3].Version})
	require.Equal(t, []string{"a0=z", "a2=y"}, ch(bs[0]))
	require.Equal(t, []string{"a1-", "a2=again", "a3-"}, ch(bs[1]))
	require.Equal(t, []string{"a0-", "actr=\x05\x00\x00\x00\x00\x00\x00\x00"}, ch(bs[2]))
	require.Equal(t, []string{"a2=again", "actr=\x07\x00\x00\x00\x00\x00\x00\x00"}, ch(bs[3]), "atomic ops appear as their result")

	// The slices are the subscriber's.
	bs[3].Changes[0].Value[0] = 'X'
	require.Equal(t, []byte("again"), get(t, db, "a2"))
	require.ErrorIs(t, f.stop(), context.Canceled)
}

// A versionstamped key appears at its final key, in key order.
func TestSubscribeVersionstampedKey(t *testing.T) {
	db := openDB(t, nil)
	since := newestVersion(t, db)
	f := subscribe(t, db, KeyRange{Begin: []byte("log/"), End: []byte("log0")}, since)
	key := append([]byte("log/"), make([]byte, 10)...)
	key = append(key, 4, 0, 0, 0)
	v := commitVersion(t, db, func(tr *Transaction) {
		tr.SetVersionstampedKey(key, []byte("entry"))
		tr.Set([]byte("log/\x00"), []byte("first"))
		tr.Set([]byte("log/\xff"), []byte("last"))
	})
	bs := f.until(t, v)
	require.Len(t, bs, 1)
	require.Len(t, bs[0].Changes, 3)
	require.Equal(t, []byte("log/\x00"), bs[0].Changes[0].Key)
	require.Equal(t, []byte("entry"), bs[0].Changes[1].Value)
	require.Equal(t, v, Versionstamp(bs[0].Changes[1].Key[4:14]).Version())
	require.Equal(t, []byte("log/\xff"), bs[0].Changes[2].Key)
}

func TestSubscribeBadInput(t *testing.T) {
	noLeaks(t)
	db := openDB(t, &Options{MVCCWindow: 50 * time.Millisecond})
	r := KeyRange{Begin: []byte("a"), End: []byte("b")}
	nop := func(ChangeBatch) error { return nil }
	ctx := context.Background()
	v := newestVersion(t, db)

	require.ErrorIs(t, db.Subscribe(nil, r, v, nop), ErrClientInvalidOperation) //nolint:staticcheck // the nil is the test
	require.ErrorIs(t, db.Subscribe(ctx, r, v, nil), ErrClientInvalidOperation)
	require.ErrorIs(t, db.Subscribe(ctx, KeyRange{Begin: []byte("b"), End: []byte("a")}, v, nop), ErrInvertedRange)
	require.ErrorIs(t, db.Subscribe(ctx, r, v+1, nop), ErrFutureVersion)
	require.ErrorIs(t, db.Subscribe(ctx, r, 0, nop), ErrTransactionTooOld)
	require.ErrorIs(t, db.Subscribe(ctx, r, -5, nop), ErrTransactionTooOld)

	put(t, db, "x", "1")
	time.Sleep(120 * time.Millisecond)
	put(t, db, "x", "2")
	err := db.Subscribe(ctx, r, v, nop)
	require.ErrorIs(t, err, ErrTransactionTooOld, "a since older than the MVCC window")
	require.True(t, IsRetryable(err))

	_, err = Open(&Options{ChangeFeedBuffer: -1})
	require.ErrorIs(t, err, ErrInvalidOptionValue)
}

// Subscribe ends with ctx's error, with fn's error, or with
// ErrDatabaseClosed, and leaves no goroutine behind.
func TestSubscribeEnds(t *testing.T) {
	noLeaks(t)
	db, err := Open(nil)
	require.NoError(t, err)
	r := KeyRange{Begin: []byte("a"), End: []byte("b")}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, db.Subscribe(ctx, r, newestVersion(t, db), func(ChangeBatch) error { return nil }), context.DeadlineExceeded)

	boom := errors.New("boom")
	since := newestVersion(t, db)
	put(t, db, "a", "1")
	require.Equal(t, boom, db.Subscribe(context.Background(), r, since, func(ChangeBatch) error { return boom }))

	done := make(chan error)
	started := make(chan struct{})
	since = newestVersion(t, db)
	go func() {
		close(started)
		done <- db.Subscribe(context.Background(), r, since, func(ChangeBatch) error { return nil })
	}()
	<-started
	require.NoError(t, db.Close())
	require.ErrorIs(t, <-done, ErrDatabaseClosed)
	require.ErrorIs(t, db.Subscribe(context.Background(), r, since, func(ChangeBatch) error { return nil }), ErrDatabaseClosed)
}

// Commits never wait for a subscriber: one stuck in fn does not slow them,
// and once it falls behind what the feed keeps it ends with
// ErrTransactionTooOld instead of skipping anything.
func TestSubscribeSlowSubscriber(t *testing.T) {
	noLeaks(t)
	db := openDB(t, &Options{ChangeFeedBuffer: 4 << 10})
	r := KeyRange{Begin: []byte("a"), End: []byte("b")}
	since := newestVersion(t, db)
	release := make(chan struct{})
	entered := make(chan struct{})
	var delivered []int64
	done := make(chan error, 1)
	go func() {
		done <- db.Subscribe(context.Background(), r, since, func(b ChangeBatch) error {
			delivered = append(delivered, b.Version)
			if len(delivered) == 1 {
				close(entered)
				<-release
			}
			return nil
		})
	}()
	first := commitVersion(t, db, func(tr *Transaction) { tr.Set([]byte("a0"), []byte("x")) })
	<-entered
	start := time.Now()
	for i := range 1000 {
		put(t, db, fmt.Sprintf("a%d", i), "0123456789")
	}
	require.Less(t, time.Since(start), 5*time.Second, "commits waited for the subscriber")
	close(release)
	err := <-done
	require.ErrorIs(t, err, ErrTransactionTooOld)
	require.Contains(t, err.Error(), "fell behind")
	require.Equal(t, first, delivered[0])
	for i := 1; i < len(delivered); i++ {
		require.Equal(t, delivered[i-1]+1, delivered[i], "nothing skipped before it ended")
	}

	// A since older than the feed keeps is too old too.
	require.ErrorIs(t, db.Subscribe(context.Background(), r, since, func(ChangeBatch) error { return nil }), ErrTransactionTooOld)
}

// Commits evicted from the feed that did not touch a subscriber's range
// cost it nothing: it goes on.
func TestSubscribeEvictionOfOtherRanges(t *testing.T) {
	noLeaks(t)
	db := openDB(t, &Options{ChangeFeedBuffer: 4 << 10})
	since := newestVersion(t, db)
	f := subscribe(t, db, KeyRange{Begin: []byte("a"), End: []byte("b")}, since)
	for i := range 500 {
		put(t, db, fmt.Sprintf("z%d", i), "0123456789")
	}
	v := commitVersion(t, db, func(tr *Transaction) { tr.Set([]byte("a"), []byte("1")) })
	bs := f.until(t, v)
	require.Len(t, bs, 1)
	require.Equal(t, []string{"a=1"}, ch(bs[0]))
	require.Equal(t, 1, db.feed.subsLen())
}

func (f *changeFeed) subsLen() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}

// Restore appears as one batch: the keys it removed and the keys it wrote.
func TestSubscribeRestore(t *testing.T) {
	db := openDB(t, nil)
	put(t, db, "a1", "old", "a2", "same", "z", "1")
	backup := backupOf(t, db)
	put(t, db, "a1", "new", "a3", "extra")
	since := newestVersion(t, db)
	f := subscribe(t, db, KeyRange{Begin: []byte("a"), End: []byte("b")}, since)
	v, err := db.Restore(backup)
	require.NoError(t, err)
	bs := f.until(t, v)
	require.Len(t, bs, 1)
	require.Equal(t, []string{"a1=old", "a2=same", "a3-"}, ch(bs[0]))
}

// The stress test: writers run random sets, clears, range clears and
// atomic ops on a range while a subscriber replays the feed onto a copy of
// the range read at its since; at the end the copy equals the range.
func TestSubscribeReplayStress(t *testing.T) {
	// The subscriber starts before the writers, while they run (so it first
	// catches up from the store's versions, then follows the feed), or
	// after they finish (all from the store).
	for _, start := range []string{"first", "during", "after"} {
		t.Run("start="+start, func(t *testing.T) {
			noLeaks(t)
			db := openDB(t, nil)
			r := KeyRange{Begin: []byte("s/"), End: []byte("s0")}
			key := func(i int) []byte { return []byte(fmt.Sprintf("s/%03d", i)) }
			for i := range 50 {
				put(t, db, string(key(i)), "init")
			}

			// The copy starts from a read at since, so nothing is missed between
			// the read and the subscription.
			replica := map[string]string{}
			var since int64
			require.NoError(t, db.ReadTransact(func(tr ReadTransaction) error {
				clear(replica)
				rows, err := tr.GetRange(r, RangeOptions{})
				for _, kv := range rows {
					replica[string(kv.Key)] = string(kv.Value)
				}
				since, _ = tr.GetReadVersion()
				return err
			}))
			var mu sync.Mutex
			last := since
			seen := make(chan struct{}, 1)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			apply := func(b ChangeBatch) error {
				mu.Lock()
				defer mu.Unlock()
				if b.Version <= last {
					return fmt.Errorf("batch %d after %d", b.Version, last)
				}
				if !sort.SliceIsSorted(b.Changes, func(i, j int) bool { return bytes.Compare(b.Changes[i].Key, b.Changes[j].Key) < 0 }) {
					return fmt.Errorf("batch %d not in key order", b.Version)
				}
				last = b.Version
				for _, c := range b.Changes {
					if bytes.Compare(c.Key, r.Begin) < 0 || bytes.Compare(c.Key, r.End) >= 0 {
						return fmt.Errorf("key %q outside the range", c.Key)
					}
					if c.Deleted {
						if _, ok := replica[string(c.Key)]; !ok {
							return fmt.Errorf("batch %d deletes absent %q", b.Version, c.Key)
						}
						delete(replica, string(c.Key))
					} else {
						replica[string(c.Key)] = string(c.Value)
					}
				}
				select {
				case seen <- struct{}{}:
				default:
				}
				return nil
			}
			subscribeOnce := sync.OnceFunc(func() {
				go func() { done <- db.Subscribe(ctx, r, since, apply) }()
			})
			if start == "first" {
				subscribeOnce()
			}

			var g errgroup.Group
			for w := range 4 {
				g.Go(func() error {
					rng := rand.New(rand.NewPCG(uint64(w), 1))
					for i := range 300 {
						if w == 0 && i == 100 && start == "during" {
							subscribeOnce()
						}
						err := db.Transact(func(tr *Transaction) error {
							for range 1 + rng.IntN(3) {
								k := key(rng.IntN(60))
								switch rng.IntN(6) {
								case 0, 1:
									tr.Set(k, []byte(fmt.Sprint(rng.IntN(5))))
								case 2:
									tr.Clear(k)
								case 3:
									a, b := rng.IntN(60), rng.IntN(60)
									tr.ClearRange(key(min(a, b)), key(max(a, b)))
								case 4:
									tr.AddInt64(k, int64(rng.IntN(3)))
								default:
									tr.Set([]byte("outside"), []byte("x"))
								}
							}
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
			subscribeOnce() // "after": everything so far comes from the store's versions
			end := commitVersion(t, db, func(tr *Transaction) { tr.Set([]byte("s/end"), []byte("!")) })
			deadline := time.After(20 * time.Second)
			for {
				mu.Lock()
				caught := last >= end
				mu.Unlock()
				if caught {
					break
				}
				select {
				case <-seen:
				case err := <-done:
					t.Fatalf("Subscribe ended: %v", err)
				case <-deadline:
					t.Fatal("the subscriber did not catch up")
				}
			}
			cancel()
			require.ErrorIs(t, <-done, context.Canceled)
			final := map[string]string{}
			require.NoError(t, db.ReadTransact(func(tr ReadTransaction) error {
				clear(final)
				rows, err := tr.GetRange(r, RangeOptions{})
				for _, kv := range rows {
					final[string(kv.Key)] = string(kv.Value)
				}
				return err
			}))
			require.Equal(t, final, replica)
		})
	}
}

// With nobody subscribed the feed records nothing, and the last subscriber
// to leave empties it: it holds no keys or values of its own.
func TestFeedIdleHoldsNothing(t *testing.T) {
	db := openDB(t, nil)
	feedLen := func() int {
		db.feed.mu.Lock()
		defer db.feed.mu.Unlock()
		return db.feed.n
	}
	for i := range 100 {
		put(t, db, fmt.Sprintf("k%d", i), "v")
	}
	require.Zero(t, feedLen())
	f := subscribe(t, db, KeyRange{Begin: []byte("k"), End: []byte("l")}, newestVersion(t, db))
	v := commitVersion(t, db, func(tr *Transaction) { tr.Set([]byte("k1"), []byte("w")) })
	require.Len(t, f.until(t, v), 1)
	require.Equal(t, 1, feedLen())
	require.ErrorIs(t, f.stop(), context.Canceled)
	require.Zero(t, feedLen())
	put(t, db, "k2", "w")
	require.Zero(t, feedLen())
}
