package fdb

import "time"

// NetworkOptions sets options of the client as a whole, obtained from
// Options. plinth has no client library or network to configure: every
// network option is accepted and does nothing, after checking that an API
// version was selected.
type NetworkOptions struct {
}

// Options returns the setter of network options.
func Options() NetworkOptions {
	return NetworkOptions{}
}

func (o NetworkOptions) ignore(code int) error {
	if !IsAPIVersionSelected() {
		return ErrAPIVersionUnset
	}
	return nil
}

// DatabaseOptions sets options of one Database handle, obtained from
// Database.Options. The transaction_* options are the defaults of every
// transaction created from the handle afterwards; options that tune a
// connection to a cluster are accepted and do nothing.
type DatabaseOptions struct {
	d *database
}

func (o DatabaseOptions) ignore(code int) error {
	return o.d.check()
}

// set applies fn to the handle's transaction defaults.
func (o DatabaseOptions) set(fn func(*txDefaults)) error {
	if err := o.d.check(); err != nil {
		return err
	}
	o.d.mu.Lock()
	fn(&o.d.defaults)
	o.d.mu.Unlock()
	return nil
}

// SetMaxWatches sets how many watches created through this handle may be
// outstanding at once (default 10,000, at most 1,000,000); one more fails
// with ErrTooManyWatches. Lowering it cancels no watch.
func (o DatabaseOptions) SetMaxWatches(param int64) error {
	if param < 0 || param > 1_000_000 {
		return ErrInvalidOptionValue
	}
	return o.set(func(d *txDefaults) { d.maxWatches = param })
}

// SetSnapshotRywEnable makes snapshot reads of the handle's transactions see
// their own writes (the default).
func (o DatabaseOptions) SetSnapshotRywEnable() error {
	return o.set(func(d *txDefaults) { d.snapshotRYW = true })
}

// SetSnapshotRywDisable makes snapshot reads of the handle's transactions
// read the database at the read version without their own writes.
func (o DatabaseOptions) SetSnapshotRywDisable() error {
	return o.set(func(d *txDefaults) { d.snapshotRYW = false })
}

// SetTransactionTimeout sets the timeout, in milliseconds, of every new
// transaction of the handle (see TransactionOptions.SetTimeout); 0 disables
// it.
func (o DatabaseOptions) SetTransactionTimeout(param int64) error {
	if param < 0 {
		return ErrInvalidOptionValue
	}
	return o.set(func(d *txDefaults) { d.timeout = time.Duration(param) * time.Millisecond })
}

// SetTransactionRetryLimit sets the retry limit of every new transaction of
// the handle (see TransactionOptions.SetRetryLimit); -1 means none.
func (o DatabaseOptions) SetTransactionRetryLimit(param int64) error {
	if param < -1 || param > maxInt32 {
		return ErrInvalidOptionValue
	}
	return o.set(func(d *txDefaults) { d.retryLimit = int(param) })
}

// SetTransactionMaxRetryDelay sets the most backoff, in milliseconds, that
// OnError waits for every new transaction of the handle (default 1000).
func (o DatabaseOptions) SetTransactionMaxRetryDelay(param int64) error {
	if param < 0 {
		return ErrInvalidOptionValue
	}
	return o.set(func(d *txDefaults) { d.maxRetryDelay = time.Duration(param) * time.Millisecond })
}

// SetTransactionSizeLimit sets the size limit in bytes of every new
// transaction of the handle (see TransactionOptions.SetSizeLimit).
func (o DatabaseOptions) SetTransactionSizeLimit(param int64) error {
	if param < minSizeLimit || param > maxSizeLimit {
		return ErrInvalidOptionValue
	}
	return o.set(func(d *txDefaults) { d.sizeLimit = int(param) })
}

const (
	maxInt32     = 1<<31 - 1
	minSizeLimit = 32
	maxSizeLimit = 10_000_000
)

// TransactionOptions sets options of one transaction, obtained from
// Transaction.Options or Snapshot.Options. Options last for the current
// attempt: Reset and OnError return them to the handle's defaults, except
// the timeout, retry limit and max retry delay, which OnError keeps (API
// version 610 and later).
type TransactionOptions struct {
	transaction *transaction
}

func (o TransactionOptions) ignore(code int) error {
	return o.transaction.check()
}

// SetTimeout makes the transaction fail with ErrTransactionTimedOut, and
// every later operation with it, once param milliseconds have passed since
// it was created or last Reset; the clock spans retries. 0 disables the
// timeout.
func (o TransactionOptions) SetTimeout(param int64) error {
	t := o.transaction
	if err := t.check(); err != nil {
		return err
	}
	if param < 0 || param > maxInt32 {
		return ErrInvalidOptionValue
	}
	t.kt.SetTimeout(time.Duration(param) * time.Millisecond)
	return nil
}

// SetRetryLimit makes OnError give up, returning the error it was given,
// after param retries; -1 means no limit.
func (o TransactionOptions) SetRetryLimit(param int64) error {
	t := o.transaction
	if err := t.check(); err != nil {
		return err
	}
	if param < -1 || param > maxInt32 {
		return ErrInvalidOptionValue
	}
	t.kt.SetRetryLimit(int(param))
	return nil
}

// SetMaxRetryDelay caps, in milliseconds, the backoff OnError waits before a
// retry (default 1000).
func (o TransactionOptions) SetMaxRetryDelay(param int64) error {
	t := o.transaction
	if err := t.check(); err != nil {
		return err
	}
	if param < 0 || param > maxInt32 {
		return ErrInvalidOptionValue
	}
	t.kt.SetMaxRetryDelay(time.Duration(param) * time.Millisecond)
	return nil
}

// SetSizeLimit sets the most bytes of mutations and conflict ranges the
// transaction may hold, from 32 to 10,000,000 (the default); more fails it
// with ErrTransactionTooLarge.
func (o TransactionOptions) SetSizeLimit(param int64) error {
	t := o.transaction
	if err := t.check(); err != nil {
		return err
	}
	if param < minSizeLimit || param > maxSizeLimit {
		return ErrInvalidOptionValue
	}
	t.kt.SetSizeLimit(int(param))
	return nil
}

// SetAccessSystemKeys allows the transaction to read and write keys from
// \xff up to \xff\xff.
func (o TransactionOptions) SetAccessSystemKeys() error {
	t := o.transaction
	if err := t.check(); err != nil {
		return err
	}
	t.kt.SetAccessSystemKeys()
	t.mu.Lock()
	t.opt.accessSystemKeys = true
	t.mu.Unlock()
	return nil
}

// SetReadSystemKeys allows the transaction to read, not write, keys from
// \xff up to \xff\xff.
func (o TransactionOptions) SetReadSystemKeys() error {
	t := o.transaction
	if err := t.check(); err != nil {
		return err
	}
	t.kt.SetReadSystemKeys()
	t.mu.Lock()
	t.opt.readSystemKeys = true
	t.mu.Unlock()
	return nil
}

// SetNextWriteNoWriteConflictRange makes the next write (Set, Clear,
// ClearRange or atomic operation) add no write conflict range, so that
// concurrent readers of the key do not conflict with it.
func (o TransactionOptions) SetNextWriteNoWriteConflictRange() error {
	t := o.transaction
	if err := t.check(); err != nil {
		return err
	}
	t.kt.SetNextWriteNoWriteConflictRange()
	return nil
}

// SetReadYourWritesDisable makes the transaction's reads ignore its own
// writes: they read the database at the read version, adding the same read
// conflict ranges. Set it before the first read. Watches cannot be created
// with it (ErrWatchesDisabled).
func (o TransactionOptions) SetReadYourWritesDisable() error {
	return o.setAttempt(func(a *attemptOptions) { a.rywDisabled = true })
}

// SetSnapshotRywEnable makes the transaction's snapshot reads see its own
// writes (the default).
func (o TransactionOptions) SetSnapshotRywEnable() error {
	return o.setAttempt(func(a *attemptOptions) { a.snapshotRYWDisabled = false })
}

// SetSnapshotRywDisable makes the transaction's snapshot reads ignore its
// own writes, reading the database at the read version.
func (o TransactionOptions) SetSnapshotRywDisable() error {
	return o.setAttempt(func(a *attemptOptions) { a.snapshotRYWDisabled = true })
}

func (o TransactionOptions) setAttempt(fn func(*attemptOptions)) error {
	t := o.transaction
	if err := t.check(); err != nil {
		return err
	}
	t.mu.Lock()
	fn(&t.opt)
	t.mu.Unlock()
	return nil
}

// StreamingMode tells a range read how to size its batches. plinth reads
// from memory, so the mode changes only how many rows each batch holds (and
// so how much of a range an iterator that stops early has read), never the
// rows returned.
type StreamingMode int

const (
	// StreamingModeWantAll reads everything in one batch: for callers that
	// consume the whole range.
	StreamingModeWantAll StreamingMode = -1

	// StreamingModeIterator is the default: small batches first, growing
	// as the caller iterates.
	StreamingModeIterator StreamingMode = 0

	// StreamingModeExact reads exactly Limit rows in one batch; it requires
	// a Limit (ErrExactModeWithoutLimits otherwise).
	StreamingModeExact StreamingMode = 1

	// StreamingModeSmall reads small batches.
	StreamingModeSmall StreamingMode = 2

	// StreamingModeMedium reads medium batches.
	StreamingModeMedium StreamingMode = 3

	// StreamingModeLarge reads large batches.
	StreamingModeLarge StreamingMode = 4

	// StreamingModeSerial reads everything in one batch, like WantAll.
	StreamingModeSerial StreamingMode = 5
)

// ErrorPredicate names a question about an error code, as FoundationDB's C
// API's fdb_error_predicate asks it.
type ErrorPredicate int

const (
	// ErrorPredicateRetryable: the transaction should be retried.
	ErrorPredicateRetryable ErrorPredicate = 50000

	// ErrorPredicateMaybeCommitted: the transaction may have committed.
	ErrorPredicateMaybeCommitted ErrorPredicate = 50001

	// ErrorPredicateRetryableNotCommitted: the transaction did not commit
	// and may be retried.
	ErrorPredicateRetryableNotCommitted ErrorPredicate = 50002
)
