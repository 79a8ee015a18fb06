package fdb

// Snapshot is the snapshot view of a Transaction (Transaction.Snapshot):
// its reads add no read conflict ranges, trading serializability of those
// reads for fewer conflicts. They still see the transaction's own writes
// unless the snapshot_ryw_disable option is set. A Snapshot is a small value,
// safe to copy and for concurrent use.
type Snapshot struct {
	*transaction
}

// ReadTransact runs f with s itself and returns what f returns; a panic with
// an Error in f is returned as the error. It does not retry.
func (s Snapshot) ReadTransact(f func(ReadTransaction) (interface{}, error)) (r interface{}, err error) {
	if f == nil {
		return nil, invalidOperation
	}
	defer recoverError(&err)
	return f(s)
}

// Cancel cancels the underlying transaction (see Transaction.Cancel).
func (s Snapshot) Cancel() {
	Transaction(s).Cancel()
}

// Snapshot returns s.
func (s Snapshot) Snapshot() Snapshot {
	return s
}

// Get is Transaction.Get as a snapshot read.
func (s Snapshot) Get(key KeyConvertible) FutureByteSlice {
	return s.get(key, true)
}

// GetKey is Transaction.GetKey as a snapshot read.
func (s Snapshot) GetKey(sel Selectable) FutureKey {
	return s.getKey(sel, true)
}

// GetRange is Transaction.GetRange as a snapshot read.
func (s Snapshot) GetRange(r Range, options RangeOptions) RangeResult {
	return s.getRange(r, options, true)
}

// GetReadVersion is Transaction.GetReadVersion.
func (s Snapshot) GetReadVersion() FutureInt64 {
	return s.getReadVersion()
}

// GetDatabase returns the handle the transaction was created from.
func (s Snapshot) GetDatabase() Database {
	return Transaction(s).GetDatabase()
}

// GetEstimatedRangeSizeBytes is Transaction.GetEstimatedRangeSizeBytes.
func (s Snapshot) GetEstimatedRangeSizeBytes(r ExactRange) FutureInt64 {
	return s.estimatedRangeSize(r)
}

// GetRangeSplitPoints is Transaction.GetRangeSplitPoints.
func (s Snapshot) GetRangeSplitPoints(r ExactRange, chunkSize int64) FutureKeyArray {
	return s.splitPoints(r, chunkSize, -1)
}

// GetRangeSplitPointsWithLimit is Transaction.GetRangeSplitPointsWithLimit.
func (s Snapshot) GetRangeSplitPointsWithLimit(r ExactRange, chunkSize int64, limit int) FutureKeyArray {
	return s.splitPoints(r, chunkSize, limit)
}

// Options returns the setter of the underlying transaction's options.
func (s Snapshot) Options() TransactionOptions {
	return TransactionOptions{s.transaction}
}
