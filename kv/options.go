package kv

import (
	"log/slog"
	"time"
)

// Limits, as FoundationDB's (SEMANTICS.md section 4).
const (
	// MaxKeySize is the largest key, in bytes, below the system key space.
	MaxKeySize = 10_000
	// MaxSystemKeySize is the largest key that starts with 0xff.
	MaxSystemKeySize = 30_000
	// MaxValueSize is the largest value, in bytes.
	MaxValueSize = 100_000
	// DefaultSizeLimit is a transaction's default size limit, in bytes.
	DefaultSizeLimit = 10_000_000
	// DefaultMVCCWindow is how long a read version stays usable by default.
	DefaultMVCCWindow = 5 * time.Second
	// DefaultMaxRetryDelay caps the backoff between retries by default.
	DefaultMaxRetryDelay = time.Second
)

// Options configure a database. The zero value of every field means its
// default; Open(nil) uses all defaults.
type Options struct {
	// MVCCWindow is how long, in wall-clock time, a transaction may keep
	// reading at its read version; after it the transaction fails with
	// ErrTransactionTooOld (retryable). Versions older than the window are
	// garbage-collected. Default 5 s.
	MVCCWindow time.Duration

	// TransactionTimeout is every new transaction's timeout (SetTimeout).
	// Default 0: none.
	TransactionTimeout time.Duration

	// TransactionRetryLimit is every new transaction's retry limit
	// (SetRetryLimit). Default 0 means unlimited, as FoundationDB's -1;
	// negative values mean unlimited too. Set a transaction's limit to 0
	// with SetRetryLimit to disable retries.
	TransactionRetryLimit int

	// MaxRetryDelay caps every new transaction's backoff between retries
	// (SetMaxRetryDelay). Default 1 s.
	MaxRetryDelay time.Duration

	// SizeLimit is every new transaction's size limit in bytes
	// (SetSizeLimit). Default 10,000,000.
	SizeLimit int

	// Logger receives debug records of retries and garbage collection.
	// Default: none.
	Logger *slog.Logger
}

func (o *Options) withDefaults() Options {
	var r Options
	if o != nil {
		r = *o
	}
	if r.MVCCWindow <= 0 {
		r.MVCCWindow = DefaultMVCCWindow
	}
	if r.TransactionTimeout < 0 {
		r.TransactionTimeout = 0
	}
	if r.TransactionRetryLimit <= 0 {
		r.TransactionRetryLimit = -1
	}
	if r.MaxRetryDelay <= 0 {
		r.MaxRetryDelay = DefaultMaxRetryDelay
	}
	if r.SizeLimit <= 0 {
		r.SizeLimit = DefaultSizeLimit
	}
	return r
}
