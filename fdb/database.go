package fdb

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plinthdb/plinth/kv"
)

// Database is a handle on an in-memory database of the process, returned by
// OpenDatabase and its siblings. It is a small value, cheap to copy and safe
// for concurrent use; copies are the same handle. Transact and ReadTransact
// run transactional functions in a retry loop; CreateTransaction gives a bare
// transaction.
//
// Each open returns a new handle with its own options (Options); Close
// releases the handle, never the data, which any other handle on the same
// name keeps reading and writing.
type Database struct {
	*database
}

// database is the shared state of one handle and its copies.
type database struct {
	kdb    *kv.DB
	closed atomic.Bool

	mu       sync.Mutex
	defaults txDefaults

	// watchSlots counts the handle's outstanding watches, against
	// defaults.maxWatches.
	watchSlots watchSlots
}

// txDefaults are the database options that every new transaction of a handle
// starts with (FoundationDB's transaction_* database options).
type txDefaults struct {
	timeout       time.Duration // 0: none
	retryLimit    int           // -1: none
	maxRetryDelay time.Duration // <0: kv's default
	sizeLimit     int           // 0: kv's default
	snapshotRYW   bool          // snapshot reads see own writes
	maxWatches    int64
}

func newDatabase(kdb *kv.DB) *database {
	return &database{kdb: kdb, defaults: txDefaults{
		retryLimit:    -1,
		maxRetryDelay: -1,
		snapshotRYW:   true,
		maxWatches:    10_000,
	}}
}

// check returns the error of a call through d: ErrDatabaseClosed after Close
// or on the zero Database.
func (d *database) check() error {
	if d == nil || d.kdb == nil || d.closed.Load() {
		return ErrDatabaseClosed
	}
	return nil
}

func (d *database) txDefaults() txDefaults {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.defaults
}

// Close releases the handle: every later call through it, or through a
// transaction created from it, fails with ErrDatabaseClosed. The database's
// data stays, for other handles and later opens of the same name. Closing
// twice does nothing more.
func (d Database) Close() {
	if d.database != nil {
		d.closed.Store(true)
	}
}

// CreateTransaction returns a new transaction with the handle's transaction
// options. Most callers want Transact, which also commits and retries.
func (d Database) CreateTransaction() (Transaction, error) {
	if err := d.database.check(); err != nil {
		return Transaction{}, err
	}
	t := &transaction{db: d, kt: d.kdb.NewTransaction()}
	t.applyDefaults(true)
	return Transaction{t}, nil
}

// Transact runs f in a new transaction and commits it, in a retry loop: when
// f or the commit fails with an Error (returned, wrapped, or panicked by a
// MustGet), the Error goes to OnError, which waits and resets the
// transaction if the error is retryable, and f runs again; otherwise the
// loop ends with that error, as f returned it (so errors.Is and errors.As
// work on it). An error that is not an Error ends the loop at once, as is.
// A panic with anything but an Error propagates, and the transaction is
// cancelled, committing nothing.
//
// f may run several times, so its effects outside the transaction must be
// safe to repeat. Do not return futures or a RangeResult from f: once
// Transact returns, the transaction may be cancelled.
func (d Database) Transact(f func(Transaction) (interface{}, error)) (interface{}, error) {
	tr, err := d.CreateTransaction()
	if err != nil {
		return nil, err
	}
	if f == nil {
		return nil, invalidOperation
	}
	attempt := func() (ret interface{}, err error) {
		defer recoverError(&err)
		ret, err = f(tr)
		if err == nil {
			err = tr.Commit().Get()
		}
		return ret, err
	}
	return retryLoop(tr, false, attempt)
}

// ReadTransact runs f in a new transaction that is never committed, in the
// same retry loop as Transact: retryable Errors (such as
// ErrTransactionTooOld) run f again, other errors end the loop as f returned
// them, and panics with an Error are recovered as errors. Writes f makes are
// discarded.
func (d Database) ReadTransact(f func(ReadTransaction) (interface{}, error)) (interface{}, error) {
	tr, err := d.CreateTransaction()
	if err != nil {
		return nil, err
	}
	if f == nil {
		return nil, invalidOperation
	}
	attempt := func() (ret interface{}, err error) {
		defer recoverError(&err)
		return f(tr)
	}
	return retryLoop(tr, true, attempt)
}

// retryLoop runs attempt until it succeeds or fails with an error OnError
// does not retry. The error returned is the attempt's own, unless OnError
// turned it into an error with another code. A transaction that did not
// commit is cancelled when the loop ends, as FoundationDB's client destroys
// it, so its pending watches fail and the store forgets its read version;
// so is every transaction of ReadTransact, which never commits.
func retryLoop(tr Transaction, readOnly bool, attempt func() (interface{}, error)) (ret interface{}, err error) {
	ended := false
	defer func() {
		if !ended || err != nil || readOnly {
			tr.kt.Cancel()
		}
	}()
	for {
		ret, err = attempt()
		if err == nil {
			ended = true
			return ret, nil
		}
		var fe Error
		if errors.As(err, &fe) {
			oerr := tr.OnError(fe).Get()
			var oe Error
			if !errors.As(oerr, &oe) || oe.Code != fe.Code {
				err = oerr
			}
		}
		if err != nil {
			ended = true
			return ret, err
		}
	}
}

// Options returns the handle's option setter. Options set through it apply
// to transactions created afterwards from this handle (and its copies).
func (d Database) Options() DatabaseOptions {
	return DatabaseOptions{d.database}
}

// RebootWorker asks a cluster process to reboot. plinth has no processes:
// it returns ErrUnsupportedOperation.
func (d Database) RebootWorker(address string, checkFile bool, suspendDuration int) error {
	if err := d.database.check(); err != nil {
		return err
	}
	return ErrUnsupportedOperation
}

// GetClientStatus returns FoundationDB's multi-version client status. plinth
// has no such client: it returns ErrMultiVersionClientUnavailable, as
// FoundationDB does when that client is disabled (ErrAPIVersionUnset before
// APIVersion).
func (d Database) GetClientStatus() ([]byte, error) {
	if !IsAPIVersionSelected() {
		return nil, ErrAPIVersionUnset
	}
	if err := d.database.check(); err != nil {
		return nil, err
	}
	return nil, ErrMultiVersionClientUnavailable
}

// GetMainThreadBusyness returns how busy the client's network thread is,
// from 0 (idle) up. plinth has no network thread: it returns 0.
func (d Database) GetMainThreadBusyness() float64 {
	return 0
}

// LocalityGetBoundaryKeys returns the keys in er at which a storage shard
// begins, at most limit of them (0: no limit). plinth keeps everything in one
// shard that begins at the empty key, so the answer is [""] when er begins
// at the empty key and empty otherwise. readVersion, when not 0, is checked
// like SetReadVersion.
func (d Database) LocalityGetBoundaryKeys(er ExactRange, limit int, readVersion int64) ([]Key, error) {
	tr, err := d.CreateTransaction()
	if err != nil {
		return nil, err
	}
	defer tr.kt.Cancel()
	if er == nil {
		return nil, invalidOperation
	}
	if readVersion != 0 {
		tr.SetReadVersion(readVersion)
	}
	if _, err := tr.GetReadVersion().Get(); err != nil {
		return nil, err
	}
	begin, end := er.FDBRangeKeys()
	b, e := keyBytes(begin), keyBytes(end)
	if len(b) == 0 && len(e) > 0 {
		return []Key{{}}, nil
	}
	return []Key{}, nil
}
