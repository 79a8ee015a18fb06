package fdb

import (
	"sync"
	"sync/atomic"
)

// A Future is a value (or an error) that may become available later. Reads
// in plinth are synchronous, so the futures of reads are ready as soon as
// they are returned; the futures of a commit's versionstamp, of a watch and
// of OnError become ready later, as FoundationDB's do. BlockUntilReady, Get
// and MustGet block until the future is ready.
type Future interface {
	// BlockUntilReady blocks until the future has its value or error.
	BlockUntilReady()

	// IsReady reports, without blocking, whether the future has its value
	// or error.
	IsReady() bool

	// Cancel cancels the operation behind a future that is not ready yet:
	// its Get then returns ErrOperationCancelled (a watch is removed). It
	// does nothing on a ready future.
	Cancel()
}

// FutureByteSlice is the future value of a key (Get). It is safe for
// concurrent use.
type FutureByteSlice interface {
	// Get returns the value, nil when the key is absent (a present empty
	// value is a non-nil empty slice), or the read's error.
	Get() ([]byte, error)

	// MustGet is Get that panics with its error.
	MustGet() []byte

	Future
}

// FutureKey is the future result of GetKey or GetVersionstamp. It is safe for
// concurrent use.
type FutureKey interface {
	// Get returns the key, or the operation's error.
	Get() (Key, error)

	// MustGet is Get that panics with its error.
	MustGet() Key

	Future
}

// FutureNil is the future outcome of an operation with no value: Commit,
// OnError, Watch. It is safe for concurrent use.
type FutureNil interface {
	// Get returns nil when the operation succeeded, else its error.
	Get() error

	// MustGet is Get that panics with its error.
	MustGet()

	Future
}

// FutureInt64 is a future integer: a read version, a size. It is safe for
// concurrent use.
type FutureInt64 interface {
	// Get returns the integer, or the operation's error.
	Get() (int64, error)

	// MustGet is Get that panics with its error.
	MustGet() int64

	Future
}

// FutureKeyArray is a future list of keys (GetRangeSplitPoints). It is safe
// for concurrent use.
type FutureKeyArray interface {
	// Get returns the keys, or the operation's error.
	Get() ([]Key, error)

	// MustGet is Get that panics with its error.
	MustGet() []Key
}

// FutureStringSlice is a future list of strings
// (LocalityGetAddressesForKey). It is safe for concurrent use.
type FutureStringSlice interface {
	// Get returns the strings, or the operation's error.
	Get() ([]string, error)

	// MustGet is Get that panics with its error.
	MustGet() []string

	Future
}

// fut is the one implementation behind every future type: either ready when
// made, or resolved by a wait function run once by the first Get (ready
// tells, without blocking, whether wait would return at once).
type fut[T any] struct {
	once     sync.Once
	resolved atomic.Bool
	v        T
	err      error

	wait      func() (T, error)
	ready     func() bool
	onCancel  func()
	cancelled atomic.Bool
}

func readyFut[T any](v T, err error) *fut[T] {
	f := &fut[T]{v: v, err: err}
	f.once.Do(func() {})
	f.resolved.Store(true)
	return f
}

func waitFut[T any](wait func() (T, error), ready func() bool, onCancel func()) *fut[T] {
	return &fut[T]{wait: wait, ready: ready, onCancel: onCancel}
}

func (f *fut[T]) Get() (T, error) {
	f.once.Do(func() {
		if f.cancelled.Load() && !f.ready() {
			f.err = ErrOperationCancelled
		} else {
			f.v, f.err = f.wait()
		}
		f.resolved.Store(true)
	})
	return f.v, f.err
}

func (f *fut[T]) BlockUntilReady() { f.Get() }

func (f *fut[T]) IsReady() bool {
	return f.resolved.Load() || f.ready()
}

func (f *fut[T]) Cancel() {
	if f.IsReady() {
		return
	}
	f.cancelled.Store(true)
	if f.onCancel != nil {
		f.onCancel()
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

type futureByteSlice struct{ *fut[[]byte] }

func (f futureByteSlice) MustGet() []byte { return must(f.Get()) }

type futureKey struct{ *fut[Key] }

func (f futureKey) MustGet() Key { return must(f.Get()) }

type futureInt64 struct{ *fut[int64] }

func (f futureInt64) MustGet() int64 { return must(f.Get()) }

type futureKeyArray struct{ *fut[[]Key] }

func (f futureKeyArray) MustGet() []Key { return must(f.Get()) }

type futureStringSlice struct{ *fut[[]string] }

func (f futureStringSlice) MustGet() []string { return must(f.Get()) }

type futureNil struct{ f *fut[struct{}] }

func (f futureNil) Get() error {
	_, err := f.f.Get()
	return err
}

func (f futureNil) MustGet() {
	if err := f.Get(); err != nil {
		panic(err)
	}
}

func (f futureNil) BlockUntilReady() { f.f.BlockUntilReady() }
func (f futureNil) IsReady() bool    { return f.f.IsReady() }
func (f futureNil) Cancel()          { f.f.Cancel() }

func readyNil(err error) FutureNil {
	return futureNil{readyFut(struct{}{}, err)}
}
