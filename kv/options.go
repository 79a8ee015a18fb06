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
	// (SetMaxRetryDelay). Default 1 s. The backoff after a conflict starts
	// at 20 µs and doubles up to 2 ms, so only a smaller cap changes it;
	// too-old and future-version errors wait 10 ms.
	MaxRetryDelay time.Duration

	// SizeLimit is every new transaction's size limit in bytes
	// (SetSizeLimit). Default 10,000,000; at least 32.
	SizeLimit int

	// Isolation is every new transaction's isolation level
	// (SetIsolation). Default Serializable.
	Isolation Isolation

	// Hooks are called at the start, retries and end of every
	// transaction (see Hooks). Default: none.
	Hooks Hooks

	// Logger receives records of conflicts and retries (Debug), of
	// transactions that give up (Warn: a retry limit reached, an error
	// that is not retryable), each with the transaction's ID, name and
	// attempt, and of garbage collection sweeps (Debug). Default: none, and
	// then nothing is formatted or logged.
	Logger *slog.Logger

	// MaxWatches is how many watches (Transaction.Watch) may be outstanding
	// at once; Watch beyond it fails with ErrTooManyWatches. Default
	// 10,000, at most 1,000,000, as FoundationDB's.
	MaxWatches int

	// ChangeFeedBuffer is how far, in bytes of changes (keys, values and
	// about 56 bytes a mutation), a subscriber may be behind: the most
	// that Subscribe replays from its since, and the most the database
	// keeps of the commits a subscriber has not taken yet (commits older
	// than the MVCC window are dropped too). A subscriber further behind
	// ends with ErrTransactionTooOld. The newest commit is always kept,
	// whatever its size. Nothing is kept while nobody subscribes. Default
	// 16 MiB.
	ChangeFeedBuffer int
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
	if !r.Isolation.valid() {
		return r, newError(codeInvalidOptionValue, "Options.Isolation %v is not valid", r.Isolation)
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
	if r.MaxWatches < 0 || r.MaxWatches > maxWatchesLimit {
		return r, newError(codeInvalidOptionValue, "Options.MaxWatches %d is outside [0, %d]", r.MaxWatches, maxWatchesLimit)
	}
	if r.MaxWatches == 0 {
		r.MaxWatches = DefaultMaxWatches
	}
	if r.ChangeFeedBuffer < 0 {
		return r, newError(codeInvalidOptionValue, "Options.ChangeFeedBuffer %d is negative", r.ChangeFeedBuffer)
	}
	if r.ChangeFeedBuffer == 0 {
		r.ChangeFeedBuffer = DefaultChangeFeedBuffer
	}
	return r, nil
}
