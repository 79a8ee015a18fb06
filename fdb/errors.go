package fdb

import (
	"errors"
	"fmt"

	"github.com/plinthdb/plinth/kv"
)

// Error is an error carrying one of FoundationDB's error codes. Every error
// the store itself reports through this package is an Error value (not a
// pointer), as with FoundationDB's Go binding: plinth's *kv.Error and
// *kv.ConflictError are converted to Error{Code} with the same code, so code
// written against the binding that switches on Code, or compares with the
// sentinels through errors.Is, sees the same values.
//
// An Error is also what MustGet, GetSliceOrPanic and the Must functions panic
// with; Transact and ReadTransact recover such panics and treat them as if
// the function had returned the Error.
type Error struct {
	Code int
}

// Error returns "FoundationDB error code N (message)", with FoundationDB's
// message for the code.
func (e Error) Error() string {
	msg, ok := errorMessages[e.Code]
	if !ok {
		msg = "Unknown error"
	}
	return fmt.Sprintf("FoundationDB error code %d (%s)", e.Code, msg)
}

// Is reports whether target is an Error or a non-nil *Error with the same
// code, so that errors.Is(err, fdb.ErrTransactionTooOld) matches on the code
// alone, wrapped or not.
func (e Error) Is(target error) bool {
	switch t := target.(type) {
	case Error:
		return t.Code == e.Code
	case *Error:
		return t != nil && t.Code == e.Code
	}
	return false
}

// codeDatabaseClosed is plinth's code for a call on a closed Database; it is
// kv's code for ErrDatabaseClosed, which FoundationDB has no equivalent of.
const codeDatabaseClosed = 9001

// ErrDatabaseClosed is the error of every call made through a Database value
// after its Close, and through the transactions created from it. FoundationDB
// has no such code (using a destroyed database there is undefined); plinth
// reports code 9001. It is an addition to the binding's names.
var ErrDatabaseClosed = Error{Code: codeDatabaseClosed}

func init() {
	errorMessages[codeDatabaseClosed] = "Database has been closed"
}

// Errors of the API version and network calls that are not FoundationDB codes.
var (
	// ErrNetworkAlreadyStopped is returned by StopNetwork when it was
	// already called.
	ErrNetworkAlreadyStopped = errors.New("network has already been stopped")

	// ErrNetworkIsStopped is returned by calls that open a database after
	// StopNetwork.
	ErrNetworkIsStopped = errors.New("network is stopped")

	// ErrNetworkNotStarted is returned by StopNetwork before any database
	// was opened.
	ErrNetworkNotStarted = errors.New("network has not been started")

	// ErrMultiVersionClientUnavailable is returned by
	// Database.GetClientStatus: plinth has no multi-version client, like a
	// FoundationDB client with that API disabled.
	ErrMultiVersionClientUnavailable = errors.New("multi-version client API is unavailable")
)

// toError converts an error from package kv into the binding's form: an
// Error with the same FoundationDB code. Errors that carry no code (none of
// kv's do) are returned unchanged.
func toError(err error) error {
	if err == nil {
		return nil
	}
	var fe Error
	if errors.As(err, &fe) {
		return fe
	}
	var ke *kv.Error
	if errors.As(err, &ke) {
		return Error{Code: ke.Code}
	}
	return err
}

// toKV converts an Error back into the *kv.Error that package kv's OnError
// classifies by code.
func toKV(e Error) error {
	return &kv.Error{Code: e.Code}
}

// invalidOperation is FoundationDB's client_invalid_operation (2000), given
// for a call the API cannot honour, such as one on a zero Transaction.
var invalidOperation = Error{Code: 2000}
