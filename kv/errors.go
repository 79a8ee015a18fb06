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
	// Code is FoundationDB's error code (1020 not_committed, ...), or 9001
	// for ErrDatabaseClosed, which FoundationDB has no code for.
	Code int
	// Detail says what happened in this instance, such as the size and the
	// limit; it may be empty.
	Detail string
}

// Error returns the code's description, its number and the detail.
func (e *Error) Error() string {
	s := "plinth: " + codeName(e.Code) + " (" + strconv.Itoa(e.Code) + ")"
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

// Sentinels for errors.Is. Each is an *Error; compare with errors.Is, never ==,
// because the store returns fresh values with details.
var (
	ErrTransactionTooOld      error = &Error{Code: 1007}
	ErrFutureVersion          error = &Error{Code: 1009}
	ErrNotCommitted           error = &Error{Code: 1020}
	ErrTransactionCancelled   error = &Error{Code: 1025}
	ErrTransactionTimedOut    error = &Error{Code: 1031}
	ErrAccessedUnreadable     error = &Error{Code: 1036}
	ErrClientInvalidOperation error = &Error{Code: 2000}
	ErrKeyOutsideLegalRange   error = &Error{Code: 2004}
	ErrInvertedRange          error = &Error{Code: 2005}
	ErrInvalidOptionValue     error = &Error{Code: 2006}
	ErrReadVersionAlreadySet  error = &Error{Code: 2010}
	ErrVersionInvalid         error = &Error{Code: 2011}
	ErrRangeLimitsInvalid     error = &Error{Code: 2012}
	ErrUsedDuringCommit       error = &Error{Code: 2017}
	ErrInvalidMutationType    error = &Error{Code: 2018}
	ErrNoCommitVersion        error = &Error{Code: 2021}
	ErrTransactionTooLarge    error = &Error{Code: 2101}
	ErrKeyTooLarge            error = &Error{Code: 2102}
	ErrValueTooLarge          error = &Error{Code: 2103}
	ErrDatabaseClosed         error = &Error{Code: codeDatabaseClosed}
)

const codeDatabaseClosed = 9001

var codeNames = map[int]string{
	1007:               "transaction too old",
	1009:               "future version",
	1020:               "transaction not committed due to conflict with another transaction",
	1021:               "commit unknown result",
	1025:               "transaction cancelled",
	1031:               "transaction timed out",
	1036:               "read or wrote an unreadable key",
	2000:               "invalid API call",
	2004:               "key outside legal range",
	2005:               "range begin key larger than end key",
	2006:               "option set with an invalid value",
	2010:               "read version already set",
	2011:               "version not valid",
	2012:               "range limits not valid",
	2017:               "operation issued while a commit was outstanding",
	2018:               "mutation type not valid",
	2021:               "transaction has no commit version",
	2101:               "transaction exceeds byte limit",
	2102:               "key length exceeds limit",
	2103:               "value length exceeds limit",
	codeDatabaseClosed: "database closed",
}

func codeName(code int) string {
	if n, ok := codeNames[code]; ok {
		return n
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

// retryable lists the codes FoundationDB's onError retries (SEMANTICS.md
// 2.4). Only 1007, 1009 and 1020 arise inside plinth; the others are
// accepted so that errors carried over from a FoundationDB client classify
// the same way.
var retryable = map[int]bool{
	1007: true, 1009: true, 1020: true, 1021: true, 1037: true, 1038: true,
	1039: true, 1042: true, 1051: true, 1078: true, 1213: true, 1235: true,
}

// IsRetryable reports whether err carries an *Error whose code OnError
// retries: 1007 too old, 1009 future version, 1020 not committed, and the
// other codes FoundationDB's onError retries.
func IsRetryable(err error) bool {
	var e *Error
	return errors.As(err, &e) && retryable[e.Code]
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
	return fmt.Sprintf("plinth: transaction not committed due to conflict with another transaction (1020): read range [%s, %s) at version %d was written at version %d",
		printable(e.Begin), printable(e.End), e.ReadVersion, e.Version)
}

// Unwrap returns the *Error with code 1020.
func (e *ConflictError) Unwrap() error { return &Error{Code: 1020} }

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
