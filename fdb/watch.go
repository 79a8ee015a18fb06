package fdb

import (
	"errors"
	"sync"
	"sync/atomic"

	"github.com/plinthdb/plinth/kv"
)

// Watch returns a future that becomes ready when the value of key changes
// after the transaction commits: Get blocks until then. The watch compares
// against the value the transaction saw at its commit, its own writes
// included; a change and a change back may go unnoticed. Unlike
// FoundationDB, where a watch fires when its own transaction later writes
// the key, such a write only becomes the value compared against. It is active once the transaction
// commits (a read-only commit counts) and outlives the transaction.
//
// The future fails with the commit's error if the transaction does not
// commit, with ErrTransactionCancelled if the transaction is reset or
// cancelled first, with ErrOperationCancelled after its own Cancel, with
// ErrWatchesDisabled when read-your-writes is disabled, and with
// ErrTooManyWatches when the handle already has its maximum of outstanding
// watches (DatabaseOptions.SetMaxWatches, 10,000 by default). Cancel a watch
// that is no longer needed: it holds its place until it fires or fails.
func (t Transaction) Watch(key KeyConvertible) FutureNil {
	if err := t.check(); err != nil {
		return readyNil(err)
	}
	t.mu.Lock()
	disabled := t.opt.rywDisabled
	t.mu.Unlock()
	if disabled {
		return readyNil(ErrWatchesDisabled)
	}
	if !t.db.watchSlots.take(t.db.txDefaults().maxWatches) {
		return readyNil(ErrTooManyWatches)
	}
	w := t.kt.Watch(keyBytes(key))
	t.db.watchSlots.add(w)
	var userCancel atomic.Bool
	f := waitFut(
		func() (struct{}, error) {
			<-w.Done()
			return struct{}{}, watchError(w.Err(), userCancel.Load())
		},
		func() bool { return isClosed(w.Done()) },
		func() {
			userCancel.Store(true)
			w.Cancel()
		})
	return futureNil{f}
}

// watchError converts a watch's error: kv reports both a cancelled watch and
// a watch whose transaction was reset or cancelled before committing as
// operation_cancelled; FoundationDB reports the latter as
// transaction_cancelled.
func watchError(err error, cancelledByUser bool) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, kv.ErrWatchCancelled) && !cancelledByUser {
		return ErrTransactionCancelled
	}
	return toError(err)
}

// watchSlots counts a handle's outstanding watches against its limit. Watches
// that have fired or failed are dropped from the count lazily, when the count
// reaches the limit, so a watch needs no goroutine to keep it.
type watchSlots struct {
	mu       sync.Mutex
	pending  int
	watching []*kv.Watch
}

// take reserves a place for one more watch, if fewer than limit are
// outstanding.
func (s *watchSlots) take(limit int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if int64(len(s.watching)+s.pending) >= limit {
		live := s.watching[:0]
		for _, w := range s.watching {
			if !isClosed(w.Done()) {
				live = append(live, w)
			}
		}
		clear(s.watching[len(live):])
		s.watching = live
		if int64(len(s.watching)+s.pending) >= limit {
			return false
		}
	}
	s.pending++
	return true
}

// add turns a reserved place into the watch w.
func (s *watchSlots) add(w *kv.Watch) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending--
	s.watching = append(s.watching, w)
}
