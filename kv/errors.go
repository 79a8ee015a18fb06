package kv

import (
	"errors"
	"fmt"
	"strconv"
)

// Error is an error with a FoundationDB error code. Every error the store
// itself returns carries one (possibly wrapped, or inside a *ConflictError),
// so errors.As(err, new(*Error)) classifies it, and errors.Is(err, ErrX)
// matches on the code alone: any two *Error values with the same Code are
// equal for errors.Is.
type Error struct {
	// Code is FoundationDB's error code (1020 not_committed, ...), or one of
	// plinth's own in the 9000s (9001 for ErrDatabaseClosed) where
	// FoundationDB has none.
	Code int
	// Detail says what happened in this instance, such as the size and the
	// limit; it may be empty.
	Detail string
}

// Error returns the code's description, its number and the detail.
func (e *Error) Error() string {
	s := "plinth: " + describe(e.Code) + " (" + strconv.Itoa(e.Code) + ")"
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Is reports whether target is an *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// The codes plinth returns, named as FoundationDB names them
// (flow/error_definitions.h). Call sites use these names, never numbers.
const (
	codeTransactionTooOld      = 1007
	codeFutureVersion          = 1009
	codeNotCommitted           = 1020
	codeCommitUnknownResult    = 1021
	codeTransactionCancelled   = 1025
	codeTransactionTimedOut    = 1031
	codeAccessedUnreadable     = 1036
	codeClientInvalidOperation = 2000
	codeKeyOutsideLegalRange   = 2004
	codeInvertedRange          = 2005
	codeInvalidOptionValue     = 2006
	codeReadVersionAlreadySet  = 2010
	codeVersionInvalid         = 2011
	codeRangeLimitsInvalid     = 2012
	codeUsedDuringCommit       = 2017
	codeInvalidMutationType    = 2018
	codeNoCommitVersion        = 2021
	codeTransactionTooLarge    = 2101
	codeKeyTooLarge            = 2102
	codeValueTooLarge          = 2103
	codeDatabaseClosed         = 9001 // plinth's own: FoundationDB has no such error
	codeAlreadyCommitted       = 9002 // plinth's own
	codeLockTimeout            = 9010 // plinth's own
	codeDeadlock               = 9011 // plinth's own

	// Watches, backup and restore.
	codeTooManyWatches                = 1032
	codeOperationCancelled            = 1101
	codeRestoreCorruptedData          = 2362
	codeRestoreMissingData            = 2363
	codeRestoreUnknownFileType        = 2366
	codeRestoreUnsupportedFileVersion = 2367
)

// codeInfo is what the table knows of one code.
type codeInfo struct {
	description string
	// retryable: OnError retries it. This is FoundationDB's onError set
	// (fdbclient/NativeAPI.actor.cpp, Transaction::onError): conflicts,
	// too-old and future read versions, and the cluster's transient
	// conditions; plus plinth's lock timeout and deadlock.
	retryable bool
}

// codes is the one table of error codes: the sentinels below, Error's text
// and IsRetryable all read it. The cluster-only codes are listed so that an
// error carried over from a FoundationDB client classifies the same way;
// plinth itself never returns them.
var codes = map[int]codeInfo{
	codeTransactionTooOld:      {"transaction too old", true},
	codeFutureVersion:          {"future version", true},
	codeNotCommitted:           {"transaction not committed due to conflict with another transaction", true},
	codeCommitUnknownResult:    {"commit unknown result", true},
	codeTransactionCancelled:   {"transaction cancelled", false},
	codeTransactionTimedOut:    {"transaction timed out", false},
	codeAccessedUnreadable:     {"read or wrote an unreadable key", false},
	codeClientInvalidOperation: {"invalid API call", false},
	codeKeyOutsideLegalRange:   {"key outside legal range", false},
	codeInvertedRange:          {"range begin key larger than end key", false},
	codeInvalidOptionValue:     {"option set with an invalid value", false},
	codeReadVersionAlreadySet:  {"read version already set", false},
	codeVersionInvalid:         {"version not valid", false},
	codeRangeLimitsInvalid:     {"range limits not valid", false},
	codeUsedDuringCommit:       {"operation issued while a commit was outstanding", false},
	codeInvalidMutationType:    {"mutation type not valid", false},
	codeNoCommitVersion:        {"transaction has no commit version", false},
	codeTransactionTooLarge:    {"transaction exceeds byte limit", false},
	codeKeyTooLarge:            {"key length exceeds limit", false},
	codeValueTooLarge:          {"value length exceeds limit", false},
	codeDatabaseClosed:         {"database closed", false},
	codeAlreadyCommitted:       {"idempotency key already committed", false},
	codeLockTimeout:            {"lock not granted within its timeout", true},
	codeDeadlock:               {"lock wait would deadlock", true},

	codeTooManyWatches:                {"too many watches outstanding", false},
	codeOperationCancelled:            {"asynchronous operation cancelled", false},
	codeRestoreCorruptedData:          {"corrupted restore data", false},
	codeRestoreMissingData:            {"missing restore data", false},
	codeRestoreUnknownFileType:        {"unknown file type", false},
	codeRestoreUnsupportedFileVersion: {"unsupported file version", false},

	// Cluster-only conditions FoundationDB's onError retries.
	1037: {"storage process behind", true},
	1038: {"database is locked", true},
	1039: {"cluster version changed", true},
	1042: {"commit proxy memory limit exceeded", true},
	1051: {"batch transaction throttled", true},
	1078: {"GRV proxy memory limit exceeded", true},
	1213: {"tag throttled", true},
	1235: {"transaction throttled by a hot shard", true},
}

// Sentinels for errors.Is. Each is an *Error; compare with errors.Is, never
// ==, because the store returns fresh values with details. Retryable ones
// are retried by Transact and by OnError.
var (
	// ErrTransactionTooOld (1007, retryable): the transaction's read version
	// is older than the MVCC window (Options.MVCCWindow, 5 s by default), or
	// older than what the conflict history still covers; a retry reads at a
	// new version.
	ErrTransactionTooOld error = &Error{Code: codeTransactionTooOld}
	// ErrFutureVersion (1009, retryable): SetReadVersion was given a version
	// newer than the newest commit.
	ErrFutureVersion error = &Error{Code: codeFutureVersion}
	// ErrNotCommitted (1020, retryable): the commit failed its conflict
	// check, because a key or range the transaction read was written by a
	// transaction that committed after its read version. The error is a
	// *ConflictError naming the range.
	ErrNotCommitted error = &Error{Code: codeNotCommitted}
	// ErrTransactionCancelled (1025, not retryable): the transaction was
	// cancelled by Cancel, by OnError giving up, or by a panic in Transact's
	// fn; every later call fails with it until Reset.
	ErrTransactionCancelled error = &Error{Code: codeTransactionCancelled}
	// ErrTransactionTimedOut (1031, not retryable): the transaction's
	// timeout (SetTimeout, Options.TransactionTimeout) elapsed; the deadline
	// spans retries.
	ErrTransactionTimedOut error = &Error{Code: codeTransactionTimedOut}
	// ErrAccessedUnreadable (1036, not retryable): a read touched a key the
	// transaction wrote with a versionstamped key or value, whose bytes are
	// not known before commit.
	ErrAccessedUnreadable error = &Error{Code: codeAccessedUnreadable}
	// ErrClientInvalidOperation (2000, not retryable): a call that makes no
	// sense in the transaction's state or with its arguments, such as a nil
	// argument, GetCommittedVersion before a successful commit, or a
	// versionstamp placeholder offset out of bounds.
	ErrClientInvalidOperation error = &Error{Code: codeClientInvalidOperation}
	// ErrKeyOutsideLegalRange (2004, not retryable): a key at or beyond
	// \xff without system key access, or beyond \xff\xff with it.
	ErrKeyOutsideLegalRange error = &Error{Code: codeKeyOutsideLegalRange}
	// ErrInvertedRange (2005, not retryable): a range whose begin sorts
	// after its end (ClearRange, conflict ranges).
	ErrInvertedRange error = &Error{Code: codeInvertedRange}
	// ErrInvalidOptionValue (2006, not retryable): an option set to a value
	// it does not accept, such as a negative timeout; reported at the next
	// read or at commit.
	ErrInvalidOptionValue error = &Error{Code: codeInvalidOptionValue}
	// ErrReadVersionAlreadySet (2010, not retryable): SetReadVersion after
	// the transaction already had a read version.
	ErrReadVersionAlreadySet error = &Error{Code: codeReadVersionAlreadySet}
	// ErrVersionInvalid (2011, not retryable): SetReadVersion with a version
	// that is not positive.
	ErrVersionInvalid error = &Error{Code: codeVersionInvalid}
	// ErrRangeLimitsInvalid (2012, not retryable): a range read with a
	// negative limit.
	ErrRangeLimitsInvalid error = &Error{Code: codeRangeLimitsInvalid}
	// ErrUsedDuringCommit (2017, not retryable): a call on a transaction
	// that has committed (or is committing); Reset or OnError makes it
	// usable again.
	ErrUsedDuringCommit error = &Error{Code: codeUsedDuringCommit}
	// ErrInvalidMutationType (2018, not retryable): Atomic with an unknown
	// MutationType.
	ErrInvalidMutationType error = &Error{Code: codeInvalidMutationType}
	// ErrNoCommitVersion (2021, not retryable): the versionstamp of a
	// transaction that committed read-only, which has no commit version.
	ErrNoCommitVersion error = &Error{Code: codeNoCommitVersion}
	// ErrTransactionTooLarge (2101, not retryable): the transaction's
	// mutations and conflict ranges outgrew its size limit (SetSizeLimit,
	// 10,000,000 bytes by default).
	ErrTransactionTooLarge error = &Error{Code: codeTransactionTooLarge}
	// ErrKeyTooLarge (2102, not retryable): a key over MaxKeySize (10,000
	// bytes; MaxSystemKeySize for system keys).
	ErrKeyTooLarge error = &Error{Code: codeKeyTooLarge}
	// ErrValueTooLarge (2103, not retryable): a value or atomic parameter
	// over MaxValueSize (100,000 bytes).
	ErrValueTooLarge error = &Error{Code: codeValueTooLarge}
	// ErrDatabaseClosed (9001, plinth's own code, not retryable): the DB was
	// closed; every call on it and its transactions fails with it, and
	// Close releases every goroutine waiting on one of its futures.
	ErrDatabaseClosed error = &Error{Code: codeDatabaseClosed}
	// ErrAlreadyCommitted (9002, plinth's own code, not retryable): the
	// transaction's idempotency key (SetIdempotencyKey) was used by a commit
	// that is still remembered, so this commit applied nothing;
	// GetCommittedVersion gives that commit's version.
	ErrAlreadyCommitted error = &Error{Code: codeAlreadyCommitted}
	// ErrLockTimeout (9010, plinth's own code, retryable): Transaction.Lock
	// was not granted within its timeout (at once, for timeout 0).
	ErrLockTimeout error = &Error{Code: codeLockTimeout}
	// ErrDeadlock (9011, plinth's own code, retryable): waiting for a
	// Transaction.Lock would have closed a cycle of transactions waiting for
	// each other's locks, so the request failed at once; retrying after the
	// attempt's locks are released lets the others go on.
	ErrDeadlock error = &Error{Code: codeDeadlock}

	// ErrTooManyWatches (1032, not retryable): Watch while
	// Options.MaxWatches watches are outstanding; the watch fails at once.
	ErrTooManyWatches error = &Error{Code: codeTooManyWatches}
	// ErrWatchCancelled (1101 operation_cancelled, not retryable): the watch
	// was cancelled by Watch.Cancel, or its transaction was reset or
	// cancelled before it committed.
	ErrWatchCancelled error = &Error{Code: codeOperationCancelled}
	// ErrBackupCorrupted (2362 restore_corrupted_data, not retryable):
	// Restore found a checksum, count, key order or limit that does not
	// hold; nothing was changed.
	ErrBackupCorrupted error = &Error{Code: codeRestoreCorruptedData}
	// ErrBackupTruncated (2363 restore_missing_data, not retryable): the
	// backup stream ended before its trailer; nothing was changed.
	ErrBackupTruncated error = &Error{Code: codeRestoreMissingData}
	// ErrBackupUnknownFormat (2366 restore_unknown_file_type, not
	// retryable): the stream given to Restore is not a plinth backup.
	ErrBackupUnknownFormat error = &Error{Code: codeRestoreUnknownFileType}
	// ErrBackupUnsupportedVersion (2367 restore_unsupported_file_version,
	// not retryable): the backup was written in a format version newer than
	// this plinth reads.
	ErrBackupUnsupportedVersion error = &Error{Code: codeRestoreUnsupportedFileVersion}
)

// describe returns the table's description of code.
func describe(code int) string {
	if c, ok := codes[code]; ok {
		return c.description
	}
	return "error"
}

func newError(code int, format string, args ...any) *Error {
	e := &Error{Code: code}
	if format != "" {
		e.Detail = fmt.Sprintf(format, args...)
	}
	return e
}

// IsRetryable reports whether err carries an *Error whose code OnError
// retries: 1007 too old, 1009 future version, 1020 not committed, the
// other codes FoundationDB's onError retries, and plinth's lock errors
// (ErrLockTimeout, ErrDeadlock).
func IsRetryable(err error) bool {
	var e *Error
	return errors.As(err, &e) && codes[e.Code].retryable
}

// ConflictError is the not_committed (1020) error of a commit that failed
// its conflict check. errors.Is(err, ErrNotCommitted) is true for it, and
// errors.As(err, new(*Error)) finds its code.
type ConflictError struct {
	// Begin and End delimit a read conflict range of the transaction,
	// [Begin, End), that a later commit wrote into.
	Begin, End []byte
	// Version is the commit version of the write that broke the range.
	Version int64
	// ReadVersion is the failed transaction's read version.
	ReadVersion int64
}

// Error describes the conflicting range and versions.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("plinth: %s (%d): read range [%s, %s) at version %d was written at version %d",
		codes[codeNotCommitted].description, codeNotCommitted,
		printable(e.Begin), printable(e.End), e.ReadVersion, e.Version)
}

// Unwrap returns the *Error with code 1020.
func (e *ConflictError) Unwrap() error { return &Error{Code: codeNotCommitted} }

// printable renders a key as FoundationDB's Printable does: bytes 32..126
// kept (backslash doubled), others as \xNN.
func printable(b []byte) string {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		switch {
		case c == '\\':
			out = append(out, '\\', '\\')
		case c >= 32 && c < 127:
			out = append(out, c)
		default:
			out = append(out, fmt.Sprintf("\\x%02x", c)...)
		}
	}
	return string(out)
}
