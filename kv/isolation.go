package kv

import "fmt"

// Isolation is a transaction's isolation level.
type Isolation uint8

const (
	// Serializable is the default: every read adds a read conflict range,
	// and commit fails if a later commit wrote into one, so committed
	// transactions are equivalent to running one at a time in commit order.
	Serializable Isolation = iota
	// SnapshotIsolation validates writes instead of reads: reads add no
	// read conflict ranges (AddReadConflictRange still does), and each key
	// or range written with Set, Clear or ClearRange conflicts at commit
	// with any write to it committed after the read version (first
	// committer wins, ErrNotCommitted). Atomic and versionstamped
	// operations are not checked. Lost updates are prevented; write skew
	// is allowed, as under PostgreSQL's REPEATABLE READ.
	SnapshotIsolation
)

// String returns the level's name.
func (l Isolation) String() string {
	switch l {
	case Serializable:
		return "Serializable"
	case SnapshotIsolation:
		return "SnapshotIsolation"
	}
	return fmt.Sprintf("Isolation(%d)", uint8(l))
}

func (l Isolation) valid() bool { return l <= SnapshotIsolation }

// SetIsolation sets the transaction's isolation level (the default is
// Options.Isolation). Like the name it is an option of the transaction:
// OnError and Reset keep it. Under SnapshotIsolation the read version is
// taken at the first read or write. An unknown level fails the next read or
// the commit with ErrInvalidOptionValue.
func (tr *Transaction) SetIsolation(level Isolation) {
	tr.lock()
	defer tr.mu.Unlock()
	if !level.valid() {
		tr.deferErr(newError(codeInvalidOptionValue, "isolation level %v is not valid", level))
		return
	}
	tr.isolation = level
}

// unvalidated reports whether a read adds no read conflict range: a
// snapshot read, any read under snapshot isolation, and any read of a
// ReadTransact, which never commits. Called with mu held.
func (tr *Transaction) unvalidated(snap bool) bool {
	return snap || tr.isolation == SnapshotIsolation || tr.readOnly
}

// validateWrite records, under snapshot isolation, a key or range written
// by Set, Clear or ClearRange (end nil: the key begin alone), for commit to
// check against concurrent writes. The write also fixes the read version,
// which the check is against. Called with mu held.
func (tr *Transaction) validateWrite(begin, end []byte) {
	if tr.isolation != SnapshotIsolation {
		return
	}
	tr.ensureReadVersion()
	if end == nil {
		begin, end = tr.pointRange(begin)
	}
	w := tr.w()
	w.checked = append(w.checked, span{begin, end})
	tr.countRange(begin, end)
}
