package fdb

import (
	"bytes"
	"encoding/binary"
	"sync"
	"sync/atomic"

	"github.com/plinthdb/plinth/kv"
	"github.com/plinthdb/plinth/selector"
)

// A ReadTransaction reads: Transaction and Snapshot both are, and so both
// can be handed to read-only transactional functions.
type ReadTransaction interface {
	Get(key KeyConvertible) FutureByteSlice
	GetKey(sel Selectable) FutureKey
	GetRange(r Range, options RangeOptions) RangeResult
	GetReadVersion() FutureInt64
	GetDatabase() Database
	Snapshot() Snapshot
	GetEstimatedRangeSizeBytes(r ExactRange) FutureInt64
	GetRangeSplitPoints(r ExactRange, chunkSize int64) FutureKeyArray
	GetRangeSplitPointsWithLimit(r ExactRange, chunkSize int64, limit int) FutureKeyArray
	Options() TransactionOptions
	Cancel()

	ReadTransactor
}

// Transaction is a handle on one optimistic, serializable transaction of
// plinth's kv store: it reads at one read version, sees its own writes, and
// at Commit is accepted only if nothing it read was written by a commit after
// its read version (otherwise ErrNotCommitted, which OnError retries). It is
// a small value, cheap to copy (copies are the same transaction) and safe for
// concurrent use.
//
// Reads return futures that are ready at once: plinth answers from memory.
// Writes are buffered until Commit; an invalid write (a key too large, a
// system key without access) fails the transaction at its next read or at
// Commit, as in FoundationDB.
type Transaction struct {
	*transaction
}

// transaction is the state shared by a Transaction's copies.
type transaction struct {
	db Database
	kt *kv.Transaction

	mu  sync.Mutex
	opt attemptOptions

	// size estimates the bytes of mutations and conflict ranges of the
	// attempt, for GetApproximateSize.
	size atomic.Int64
}

// attemptOptions are this package's own per-attempt options, reset by Reset
// and OnError as FoundationDB resets transaction options.
type attemptOptions struct {
	rywDisabled         bool
	snapshotRYWDisabled bool
	readSystemKeys      bool
	accessSystemKeys    bool
	// shadow reads the database at the transaction's read version without
	// its writes, for reads with read-your-writes turned off.
	shadow *kv.Transaction
}

// check returns the error every operation of t fails with, if any.
func (t *transaction) check() error {
	if t == nil || t.kt == nil {
		return invalidOperation
	}
	return t.db.database.check()
}

// applyDefaults gives the transaction its handle's options, after creation
// and Reset (all) or after OnError (only those OnError resets).
func (t *transaction) applyDefaults(all bool) {
	d := t.db.txDefaults()
	if all || currentAPIVersion() < 610 {
		t.kt.SetTimeout(d.timeout)
		t.kt.SetRetryLimit(d.retryLimit)
		if d.maxRetryDelay >= 0 {
			t.kt.SetMaxRetryDelay(d.maxRetryDelay)
		}
	}
	if d.sizeLimit > 0 {
		t.kt.SetSizeLimit(d.sizeLimit)
	}
	t.mu.Lock()
	if t.opt.shadow != nil {
		t.opt.shadow.Cancel()
	}
	t.opt = attemptOptions{snapshotRYWDisabled: !d.snapshotRYW}
	t.mu.Unlock()
	t.size.Store(0)
}

// GetDatabase returns the handle the transaction was created from.
func (t Transaction) GetDatabase() Database {
	if t.transaction == nil {
		return Database{}
	}
	return t.db
}

// Transact runs f with t itself and returns what f returns; a panic with an
// Error in f is returned as the error. It neither commits nor retries: the
// Database.Transact that created t does. This lets transactional functions
// call each other with one transaction.
func (t Transaction) Transact(f func(Transaction) (interface{}, error)) (r interface{}, err error) {
	if f == nil {
		return nil, invalidOperation
	}
	defer recoverError(&err)
	return f(t)
}

// ReadTransact runs f with t itself, like Transact, as a ReadTransaction.
func (t Transaction) ReadTransact(f func(ReadTransaction) (interface{}, error)) (r interface{}, err error) {
	if f == nil {
		return nil, invalidOperation
	}
	defer recoverError(&err)
	return f(t)
}

// Cancel makes every pending and later operation of the transaction fail
// with ErrTransactionCancelled, until Reset. Its pending versionstamp and
// watches fail too.
func (t Transaction) Cancel() {
	if t.check() == nil {
		t.kt.Cancel()
	}
}

// SetReadVersion makes the transaction read at version instead of the newest
// committed version. It must come before the first read. A version newer
// than the newest commit makes reads fail with ErrFutureVersion, one older
// than the MVCC window with ErrTransactionTooOld. Reads at an older version
// are consistent with that version, not causally with later commits.
func (t Transaction) SetReadVersion(version int64) {
	if t.check() == nil {
		t.kt.SetReadVersion(version)
	}
}

// Snapshot returns the transaction's snapshot view: reads through it add no
// read conflict ranges, so commits by others into what they read do not make
// this transaction fail. Snapshot reads see the transaction's own writes
// unless the snapshot_ryw_disable option is set.
func (t Transaction) Snapshot() Snapshot {
	return Snapshot{t.transaction}
}

// OnError decides what to do after err ended an attempt. The returned future
// becomes ready with nil after a jittered exponential backoff when err is
// retryable (a conflict, a too-old read version, ...) and the retry limit is
// not reached; the transaction is then reset for a new attempt, keeping its
// timeout, retry limit and max retry delay (API version 610 and later).
// Otherwise the future fails with err and the transaction is cancelled.
// Database.Transact calls OnError; hand-written loops do as it does.
func (t Transaction) OnError(e Error) FutureNil {
	if err := t.check(); err != nil {
		return readyNil(err)
	}
	done := make(chan struct{})
	var res error
	go func() {
		defer close(done)
		if err := t.kt.OnError(toKV(e)); err != nil {
			res = toError(err)
			return
		}
		t.applyDefaults(false)
	}()
	f := waitFut(
		func() (struct{}, error) { <-done; return struct{}{}, res },
		func() bool { return isClosed(done) },
		nil)
	return futureNil{f}
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// Commit commits the transaction: its writes become visible atomically at a
// new commit version if nothing it read was written by a commit after its
// read version; otherwise the future fails with ErrNotCommitted. A
// transaction with no writes and no write conflict ranges commits read-only,
// with no check. Pass a commit error to OnError to learn whether to retry.
// plinth commits in memory: there is no commit_unknown_result.
func (t Transaction) Commit() FutureNil {
	if err := t.check(); err != nil {
		return readyNil(err)
	}
	return readyNil(toError(t.kt.Commit()))
}

// Get reads the value of key: nil when absent. It adds a read conflict on
// key, unless the transaction wrote key itself.
func (t Transaction) Get(key KeyConvertible) FutureByteSlice {
	return t.get(key, false)
}

func (t *transaction) get(key KeyConvertible, snapshot bool) FutureByteSlice {
	if err := t.check(); err != nil {
		return futureByteSlice{readyFut[[]byte](nil, err)}
	}
	k := keyBytes(key)
	r, own, err := t.reader(snapshot)
	if err != nil {
		return futureByteSlice{readyFut[[]byte](nil, err)}
	}
	v, err := r.Get(k)
	if err == nil && !own {
		err = t.kt.AddReadConflictKey(k)
	}
	t.size.Add(int64(2*len(k) + 1))
	return futureByteSlice{readyFut(v, toError(err))}
}

// reader returns the view a read goes through. own is false when the read
// bypasses the transaction's writes although it is not a snapshot read
// (read-your-writes disabled): the caller then adds the read conflict range
// itself.
func (t *transaction) reader(snapshot bool) (r kv.ReadTransaction, own bool, err error) {
	t.mu.Lock()
	bypass := t.opt.rywDisabled || (snapshot && t.opt.snapshotRYWDisabled)
	t.mu.Unlock()
	if !bypass {
		if snapshot {
			return t.kt.Snapshot(), true, nil
		}
		return t.kt, true, nil
	}
	sh, err := t.shadow()
	if err != nil {
		return nil, false, err
	}
	return sh.Snapshot(), snapshot, nil
}

// shadow returns the attempt's reader of the database without the
// transaction's writes, at the transaction's read version.
func (t *transaction) shadow() (*kv.Transaction, error) {
	rv, err := t.kt.GetReadVersion()
	if err != nil {
		return nil, toError(err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.opt.shadow == nil {
		sh := t.db.kdb.NewTransaction()
		sh.SetReadVersion(rv)
		if t.opt.accessSystemKeys {
			sh.SetAccessSystemKeys()
		} else if t.opt.readSystemKeys {
			sh.SetReadSystemKeys()
		}
		t.opt.shadow = sh
	}
	return t.opt.shadow, nil
}

// GetKey resolves the key selector sel against the transaction's view. It
// adds a read conflict range covering the keys that decided the answer.
func (t Transaction) GetKey(sel Selectable) FutureKey {
	return t.getKey(sel, false)
}

func (t *transaction) getKey(sel Selectable, snapshot bool) FutureKey {
	if err := t.check(); err != nil {
		return futureKey{readyFut[Key](nil, err)}
	}
	ks := toSelector(sel)
	r, own, err := t.reader(snapshot)
	if err != nil {
		return futureKey{readyFut[Key](nil, err)}
	}
	k, err := r.GetKey(ks)
	if err == nil && !own {
		lo, hi := ks.Key, k
		if bytes.Compare(lo, hi) > 0 {
			lo, hi = hi, lo
		}
		err = t.kt.AddReadConflictRange(lo, keyAfter(hi))
	}
	return futureKey{readyFut(Key(k), toError(err))}
}

// GetRange reads the rows of r. The first batch is read now; iterating the
// result reads the rest in batches sized by options.Mode. Unless this is a
// snapshot read, each batch adds a read conflict range over what it covered
// (up to its last row when cut by its size).
func (t Transaction) GetRange(r Range, options RangeOptions) RangeResult {
	return t.getRange(r, options, false)
}

func (t *transaction) getRange(r Range, options RangeOptions, snapshot bool) RangeResult {
	rr := RangeResult{t: t, options: options, snapshot: snapshot}
	switch {
	case r == nil:
		rr.first = &rangeBatch{err: invalidOperation}
		return rr
	case options.Mode == StreamingModeExact && options.Limit == 0:
		rr.first = &rangeBatch{err: errExactWithoutLimit}
		return rr
	}
	b, e := r.FDBRangeKeySelectors()
	rr.begin, rr.end = toSelector(b), toSelector(e)
	rr.first = t.readBatch(rr.begin, rr.end, options, 1, snapshot)
	return rr
}

// readBatch reads one batch of a range read: at most the rows batchRows
// allows for the iteration, within the read's remaining limit.
func (t *transaction) readBatch(begin, end selector.KeySelector, options RangeOptions, iteration int, snapshot bool) *rangeBatch {
	if err := t.check(); err != nil {
		return &rangeBatch{err: err}
	}
	if options.Limit < 0 {
		return &rangeBatch{err: ErrRangeLimitsInvalid}
	}
	limit := batchRows(options.Mode, iteration)
	if options.Limit > 0 && (limit == 0 || options.Limit < limit) {
		limit = options.Limit
	}
	r, own, err := t.reader(snapshot)
	if err != nil {
		return &rangeBatch{err: err}
	}
	rows, err := r.GetRange(kv.SelectorRange{Begin: begin, End: end}, kv.RangeOptions{Limit: limit, Reverse: options.Reverse})
	if err == nil && !own {
		err = t.conflictForRange(r, begin, end, rows, limit, options.Reverse)
	}
	if err != nil {
		return &rangeBatch{err: toError(err)}
	}
	b := &rangeBatch{kvs: make([]KeyValue, len(rows)), more: limit > 0 && len(rows) == limit}
	for i, row := range rows {
		b.kvs[i] = KeyValue{Key: Key(row.Key), Value: row.Value}
	}
	return b
}

// conflictForRange adds the read conflict range of a range read made
// without the transaction's writes: from the resolved begin to the resolved
// end, or only through the last row when the batch was cut by its limit.
func (t *transaction) conflictForRange(r kv.ReadTransaction, begin, end selector.KeySelector, rows []kv.KeyValue, limit int, reverse bool) error {
	b, err := r.GetKey(begin)
	if err != nil {
		return err
	}
	e, err := r.GetKey(end)
	if err != nil {
		return err
	}
	if limit > 0 && len(rows) == limit {
		last := rows[len(rows)-1].Key
		if reverse {
			b = last
		} else {
			e = keyAfter(last)
		}
	}
	if bytes.Compare(b, e) >= 0 {
		return nil
	}
	return t.kt.AddReadConflictRange(b, e)
}

// keyAfter returns k followed by a zero byte: the first key after k.
func keyAfter(k []byte) []byte {
	out := make([]byte, len(k)+1)
	copy(out, k)
	return out
}

// GetEstimatedRangeSizeBytes returns the size in bytes of the keys and values
// stored in r. FoundationDB estimates it from samples; plinth sums the rows
// at the transaction's read version (its own writes included), so the answer
// is exact and costs a scan of the range. It adds no read conflict.
func (t Transaction) GetEstimatedRangeSizeBytes(r ExactRange) FutureInt64 {
	return t.estimatedRangeSize(r)
}

func (t *transaction) estimatedRangeSize(r ExactRange) FutureInt64 {
	var total int64
	err := t.scanSizes(r, func([]byte, int) bool { return true }, func(k []byte, n int) { total += int64(n) })
	return futureInt64{readyFut(total, err)}
}

// scanSizes walks the rows of r in the snapshot view and calls add with each
// row's key and size (key plus value), while more says to go on.
func (t *transaction) scanSizes(r ExactRange, more func([]byte, int) bool, add func([]byte, int)) error {
	if err := t.check(); err != nil {
		return err
	}
	if r == nil {
		return invalidOperation
	}
	b, e := r.FDBRangeKeys()
	for row, err := range t.kt.Snapshot().Iterate(kv.KeyRange{Begin: keyBytes(b), End: keyBytes(e)}, kv.RangeOptions{}) {
		if err != nil {
			return toError(err)
		}
		n := len(row.Key) + len(row.Value)
		if !more(row.Key, n) {
			return nil
		}
		add(row.Key, n)
	}
	return nil
}

// GetRangeSplitPoints returns keys that split r into chunks of about
// chunkSize bytes each, r's begin and end keys included.
func (t Transaction) GetRangeSplitPoints(r ExactRange, chunkSize int64) FutureKeyArray {
	return t.splitPoints(r, chunkSize, -1)
}

// GetRangeSplitPointsWithLimit is GetRangeSplitPoints with at most limit
// interior split points (the begin and end keys are always included).
func (t Transaction) GetRangeSplitPointsWithLimit(r ExactRange, chunkSize int64, limit int) FutureKeyArray {
	return t.splitPoints(r, chunkSize, limit)
}

func (t *transaction) splitPoints(r ExactRange, chunkSize int64, limit int) FutureKeyArray {
	if chunkSize <= 0 {
		return futureKeyArray{readyFut[[]Key](nil, ErrInvalidOptionValue)}
	}
	if r == nil {
		return futureKeyArray{readyFut[[]Key](nil, invalidOperation)}
	}
	b, e := r.FDBRangeKeys()
	points := []Key{append(Key{}, keyBytes(b)...)}
	var acc int64
	interior := 0
	err := t.scanSizes(r,
		func([]byte, int) bool { return limit < 0 || interior < limit },
		func(k []byte, n int) {
			if acc >= chunkSize && !bytes.Equal(k, points[len(points)-1]) {
				points = append(points, Key(k))
				interior++
				acc = 0
			}
			acc += int64(n)
		})
	if err != nil {
		return futureKeyArray{readyFut[[]Key](nil, err)}
	}
	points = append(points, append(Key{}, keyBytes(e)...))
	return futureKeyArray{readyFut(points, nil)}
}

// GetReadVersion returns the transaction's read version, taking the newest
// committed version if none was taken or set yet.
func (t Transaction) GetReadVersion() FutureInt64 {
	return t.getReadVersion()
}

func (t *transaction) getReadVersion() FutureInt64 {
	if err := t.check(); err != nil {
		return futureInt64{readyFut[int64](0, err)}
	}
	v, err := t.kt.GetReadVersion()
	return futureInt64{readyFut(v, toError(err))}
}

// Set writes value to key, replacing any value. It is buffered until Commit,
// seen by the transaction's own reads, and adds a write conflict on key.
// Both slices are copied.
func (t Transaction) Set(key KeyConvertible, value []byte) {
	if t.check() != nil {
		return
	}
	k := keyBytes(key)
	t.kt.Set(k, value)
	t.size.Add(int64(2*len(k) + 1 + len(value)))
}

// Clear removes key, if present, when the transaction commits. It adds a
// write conflict on key.
func (t Transaction) Clear(key KeyConvertible) {
	if t.check() != nil {
		return
	}
	k := keyBytes(key)
	t.kt.Clear(k)
	t.size.Add(int64(2*len(k) + 1))
}

// ClearRange removes every key k with begin <= k < end of er. Only the two
// bounds count toward the transaction's size, however many keys the range
// holds. A begin after the end fails the transaction with ErrInvertedRange.
func (t Transaction) ClearRange(er ExactRange) {
	if t.check() != nil {
		return
	}
	if er == nil {
		t.kt.ClearRange([]byte{0xff}, nil) // an inverted range: fails the transaction
		return
	}
	b, e := er.FDBRangeKeys()
	bk, ek := keyBytes(b), keyBytes(e)
	t.kt.ClearRange(bk, ek)
	t.size.Add(int64(2 * (len(bk) + len(ek))))
}

// GetCommittedVersion returns the version at which a successful Commit
// applied the transaction's writes, or -1 if it committed read-only. Before a
// successful Commit it returns ErrClientInvalidOperation.
func (t Transaction) GetCommittedVersion() (int64, error) {
	if err := t.check(); err != nil {
		return 0, err
	}
	v, err := t.kt.GetCommittedVersion()
	return v, toError(err)
}

// GetVersionstamp returns the future versionstamp of the transaction's
// commit: the 10 bytes (8-byte big-endian commit version, 2-byte order) that
// its versionstamped operations were filled with. It must be called before
// Commit; the future becomes ready when the commit finishes, and fails with
// ErrNoCommitVersion for a read-only commit and with the commit's error when
// the commit fails. Calling Get before Commit in the goroutine that will
// commit blocks forever.
func (t Transaction) GetVersionstamp() FutureKey {
	if err := t.check(); err != nil {
		return futureKey{readyFut[Key](nil, err)}
	}
	kf := t.kt.GetVersionstamp()
	return futureKey{waitFut(func() (Key, error) {
		vs, err := kf.Get()
		if err != nil {
			return nil, toError(err)
		}
		return Key(vs[:]), nil
	}, kf.IsReady, nil)}
}

// GetApproximateSize returns an estimate of the transaction's size so far:
// the bytes of its mutations and of its read and write conflict ranges.
func (t Transaction) GetApproximateSize() FutureInt64 {
	if err := t.check(); err != nil {
		return futureInt64{readyFut[int64](0, err)}
	}
	return futureInt64{readyFut(t.size.Load(), nil)}
}

// Reset returns the transaction to its newly created state: writes, reads,
// conflict ranges and options are dropped (options return to the handle's
// defaults) and pending watches and versionstamps fail.
func (t Transaction) Reset() {
	if t.check() != nil {
		return
	}
	t.kt.Reset()
	t.applyDefaults(true)
}

// AddReadConflictRange adds er to the transaction's read conflict ranges, as
// if it had read the range: a commit by another transaction into it, after
// this transaction's read version, makes this one fail.
func (t Transaction) AddReadConflictRange(er ExactRange) error {
	return t.addConflictRange(er, false)
}

// AddReadConflictKey adds a read conflict on key alone, as if it had read it.
func (t Transaction) AddReadConflictKey(key KeyConvertible) error {
	k := keyBytes(key)
	return t.addConflictRange(KeyRange{Key(k), Key(keyAfter(k))}, false)
}

// AddWriteConflictRange adds er to the transaction's write conflict ranges,
// as if it had written the range: transactions that read into it and commit
// after this one fail. A transaction with only such ranges still commits
// with a version.
func (t Transaction) AddWriteConflictRange(er ExactRange) error {
	return t.addConflictRange(er, true)
}

// AddWriteConflictKey adds a write conflict on key alone, as if it had
// written it.
func (t Transaction) AddWriteConflictKey(key KeyConvertible) error {
	k := keyBytes(key)
	return t.addConflictRange(KeyRange{Key(k), Key(keyAfter(k))}, true)
}

func (t *transaction) addConflictRange(er ExactRange, write bool) error {
	if err := t.check(); err != nil {
		return err
	}
	if er == nil {
		return invalidOperation
	}
	b, e := er.FDBRangeKeys()
	bk, ek := keyBytes(b), keyBytes(e)
	var err error
	if write {
		err = t.kt.AddWriteConflictRange(bk, ek)
	} else {
		err = t.kt.AddReadConflictRange(bk, ek)
	}
	t.size.Add(int64(len(bk) + len(ek)))
	return toError(err)
}

// Options returns the setter of the transaction's options.
func (t Transaction) Options() TransactionOptions {
	return TransactionOptions{t.transaction}
}

// LocalityGetAddressesForKey returns the addresses of the storage servers
// that hold key. plinth's data is in the process, held by no server: the
// list is empty.
func (t Transaction) LocalityGetAddressesForKey(key KeyConvertible) FutureStringSlice {
	if err := t.check(); err != nil {
		return futureStringSlice{readyFut[[]string](nil, err)}
	}
	return futureStringSlice{readyFut([]string{}, nil)}
}

// atomicOp buffers an atomic operation with FoundationDB's mutation code.
func (t Transaction) atomicOp(key KeyConvertible, param []byte, op kv.MutationType) {
	if t.check() != nil {
		return
	}
	k := keyBytes(key)
	if currentAPIVersion() < 520 {
		k, param = versionstampParamsBefore520(op, k, param)
	}
	t.kt.Atomic(op, k, param)
	t.size.Add(int64(2*len(k) + 1 + len(param)))
}

// versionstampParamsBefore520 rewrites the parameters of versionstamped
// operations from the forms of API versions before 520 (a 2-byte offset for
// keys, no offset and the stamp at the start for values) into the 4-byte
// offset form package kv takes.
func versionstampParamsBefore520(op kv.MutationType, key, param []byte) ([]byte, []byte) {
	switch op {
	case kv.SetVersionstampedKey:
		if len(key) >= 2 {
			pos := binary.LittleEndian.Uint16(key[len(key)-2:])
			key = binary.LittleEndian.AppendUint32(append([]byte(nil), key[:len(key)-2]...), uint32(pos))
		}
	case kv.SetVersionstampedValue:
		param = binary.LittleEndian.AppendUint32(append([]byte(nil), param...), 0)
	}
	return key, param
}
