// Package fdb is FoundationDB's Go binding API on plinth: the same names,
// types and signatures as github.com/apple/foundationdb/bindings/go/src/fdb
// (API version 800), backed by plinth's in-memory kv store in the process. A
// program written against the binding compiles and behaves the same when
// only its import prefix changes, and moves back the same way; data packed
// with the tuple and directory layers is byte-for-byte FoundationDB's.
//
// A program selects an API version, opens a database and runs transactional
// functions in Transact's retry loop:
//
//	fdb.MustAPIVersion(800)
//	db := fdb.MustOpenDefault()
//	_, err := db.Transact(func(tr fdb.Transaction) (interface{}, error) {
//		v := tr.Get(fdb.Key("a")).MustGet()
//		tr.Set(fdb.Key("b"), v)
//		return nil, nil
//	})
//
// Transact commits when the function returns nil. When the function or the
// commit fails with a retryable Error — a conflict (ErrNotCommitted), a read
// version past the MVCC window (ErrTransactionTooOld) — OnError backs off,
// resets the transaction and the function runs again; so the function must
// be safe to run more than once. MustGet and GetSliceOrPanic panic with an
// Error, which Transact recovers and handles like a returned one; other
// panics propagate.
//
// # In process
//
// OpenDefault, OpenDatabase and OpenWithConnectionString do not connect to
// anything: the cluster file name (or connection string) names an in-memory
// database that the process keeps for its whole life, so every open of the
// same name sees the same data. Each open returns a new Database handle;
// Close releases the handle, never the data.
//
// Reads are answered from memory when they are issued, so their futures are
// ready at once; a read issued before a write does not see it, as in
// FoundationDB. A commit's versionstamp (GetVersionstamp) becomes ready when
// the commit finishes, a watch when its key changes, and OnError after its
// backoff. Options that only tune a cluster or the client library are
// accepted and do nothing; the ones that change a transaction's behaviour
// (timeout, retry limit, max retry delay, size limit, system key access,
// read-your-writes switches, next write without a write conflict range) do
// what FoundationDB's do.
//
// The invariant the package keeps: every error it returns for a failed
// operation is an Error value carrying FoundationDB's code for that failure,
// so retry loops, errors.Is checks and switches on Code written for
// FoundationDB take the same branches here.
package fdb
