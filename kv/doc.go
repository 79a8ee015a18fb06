// Package kv is plinth's public API: an embedded, in-memory, optimistic MVCC
// key-value store with FoundationDB's client semantics.
//
// A program opens a database and runs serializable transactions through a
// retry loop:
//
//	db, err := kv.Open(nil)
//	if err != nil { ... }
//	defer db.Close()
//	err = db.Transact(func(tr *kv.Transaction) error {
//		v, err := tr.Get([]byte("a"))
//		if err != nil {
//			return err
//		}
//		tr.Set([]byte("b"), v)
//		return nil
//	})
//
// Each transaction reads at one read version, taken at its first read, and
// buffers its writes. Commit accepts it only if no key or range it read
// (its read conflict ranges) was written by a transaction that committed
// after its read version; otherwise Commit fails with ErrNotCommitted, which
// is retryable, and Transact runs the function again after a backoff. The
// committed transactions are therefore serializable in commit-version order.
//
// Reads see the transaction's own writes. Snapshot reads (tr.Snapshot())
// add no read conflict. Atomic operations (tr.Atomic, tr.Add, ...) modify a
// key without reading it, so concurrent increments of one counter never
// conflict. A transaction may keep reading for the MVCC window (5 s by
// default) before it fails with ErrTransactionTooOld.
//
// The invariant the package keeps: commits are applied in one global order
// of strictly increasing versions, each atomically, and a transaction
// commits only if the values it read are still the newest at its commit
// version.
package kv
