package kv

import (
	"log/slog"
	"time"
)

// Limits, as FoundationDB's client knobs set them (fdbclient/ClientKnobs.cpp:
// KEY_SIZE_LIMIT, SYSTEM_KEY_SIZE_LIMIT, VALUE_SIZE_LIMIT,
// TRANSACTION_SIZE_LIMIT) and its MVCC window of 5,000,000 versions, about
// 5 s at 1,000,000 versions a second.
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

	// minSizeLimit is the smallest size limit a transaction accepts.
	minSizeLimit = 32
)

// Options configure a database. The zero value of every field means its
// default; Open(nil) uses all defaults. Open refuses a negative duration or
// size with ErrInvalidOptionValue.
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
	// (SetSizeLimit). Default 10,000,000; at least 32.
	SizeLimit int

	// Logger receives records of retries (Debug) and of garbage
	// collection sweeps (Debug). Default: none, and then nothing is
	// formatted or logged.
	Logger *slog.Logger
}

// withDefaults validates o and returns it with every zero field replaced by
// its default. nil means all defaults.
func (o *Options) withDefaults() (Options, error) {
	var r Options
	if o != nil {
		r = *o
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"MVCCWindow", r.MVCCWindow},
		{"TransactionTimeout", r.TransactionTimeout},
		{"MaxRetryDelay", r.MaxRetryDelay},
	} {
		if d.v < 0 {
			return r, newError(codeInvalidOptionValue, "Options.%s is negative (%v)", d.name, d.v)
		}
	}
	if r.SizeLimit < 0 || (r.SizeLimit > 0 && r.SizeLimit < minSizeLimit) {
		return r, newError(codeInvalidOptionValue, "Options.SizeLimit %d is below %d bytes", r.SizeLimit, minSizeLimit)
	}
	if r.MVCCWindow == 0 {
		r.MVCCWindow = DefaultMVCCWindow
	}
	if r.TransactionRetryLimit <= 0 {
		r.TransactionRetryLimit = -1
	}
	if r.MaxRetryDelay == 0 {
		r.MaxRetryDelay = DefaultMaxRetryDelay
	}
	if r.SizeLimit == 0 {
		r.SizeLimit = DefaultSizeLimit
	}
	return r, nil
}
