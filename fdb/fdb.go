package fdb

import (
	"fmt"
	"strings"
	"sync"

	"github.com/plinthdb/plinth/kv"
)

// The API versions this package accepts, as FoundationDB's Go binding of
// API version 800 does.
const (
	minAPIVersion    = 200
	headerAPIVersion = 800
)

// process is the state FoundationDB keeps per client process: the selected
// API version, whether the network was started or stopped, and here also
// the in-memory databases, one per cluster name, which live as long as the
// process does.
var process struct {
	mu         sync.RWMutex
	apiVersion int
	started    bool
	stopped    bool
	clusters   map[string]*kv.DB
}

// APIVersion selects the API version the program is written against. It
// must be called before any other function of the package that opens or
// configures a database. Versions 200 through 800 are accepted; another
// gives ErrAPIVersionNotSupported. Once a version is selected, calling
// APIVersion again with the same version does nothing and with a different
// one gives ErrAPIVersionAlreadySet. It is safe for concurrent use.
//
// The version changes behaviour where FoundationDB's does and where it means
// something in process: below 520 versionstamp offsets are 2 bytes, below
// 610 the timeout, retry limit and max retry delay do not survive OnError.
func APIVersion(version int) error {
	process.mu.Lock()
	defer process.mu.Unlock()
	if process.apiVersion != 0 {
		if process.apiVersion == version {
			return nil
		}
		return ErrAPIVersionAlreadySet
	}
	if version < minAPIVersion || version > headerAPIVersion {
		return ErrAPIVersionNotSupported
	}
	process.apiVersion = version
	return nil
}

// MustAPIVersion is APIVersion that panics with its error.
func MustAPIVersion(version int) {
	if err := APIVersion(version); err != nil {
		panic(err)
	}
}

// IsAPIVersionSelected reports whether APIVersion has succeeded.
func IsAPIVersionSelected() bool {
	return currentAPIVersion() != 0
}

// GetAPIVersion returns the selected API version, or ErrAPIVersionUnset
// before APIVersion succeeded.
func GetAPIVersion() (int, error) {
	if v := currentAPIVersion(); v != 0 {
		return v, nil
	}
	return 0, ErrAPIVersionUnset
}

// MustGetAPIVersion is GetAPIVersion that panics with its error.
func MustGetAPIVersion() int {
	v, err := GetAPIVersion()
	if err != nil {
		panic(err)
	}
	return v
}

func currentAPIVersion() int {
	process.mu.RLock()
	defer process.mu.RUnlock()
	return process.apiVersion
}

// StartNetwork does nothing but check that an API version was selected
// (ErrAPIVersionUnset otherwise). Deprecated: as with FoundationDB's
// binding, the network starts when the first database is opened.
func StartNetwork() error {
	if !IsAPIVersionSelected() {
		return ErrAPIVersionUnset
	}
	return nil
}

// StopNetwork marks the client network stopped: later attempts to open a
// database fail with ErrNetworkIsStopped. Databases already open keep their
// data and keep working, since plinth has no network to lose. Before any
// database was opened it gives ErrNetworkNotStarted, and a second call gives
// ErrNetworkAlreadyStopped. It is safe for concurrent use.
func StopNetwork() error {
	process.mu.Lock()
	defer process.mu.Unlock()
	if !process.started {
		return ErrNetworkNotStarted
	}
	if process.stopped {
		return ErrNetworkAlreadyStopped
	}
	process.stopped = true
	return nil
}

// DefaultClusterFile names the platform's default cluster file. Opening it,
// like opening any other cluster file, gives the process's in-memory
// database for that name.
const DefaultClusterFile string = ""

// OpenDefault is OpenDatabase(DefaultClusterFile).
func OpenDefault() (Database, error) {
	return OpenDatabase(DefaultClusterFile)
}

// MustOpenDefault is OpenDefault that panics with its error.
func MustOpenDefault() Database {
	db, err := OpenDefault()
	if err != nil {
		panic(err)
	}
	return db
}

// OpenDatabase returns a new Database handle on the in-memory database named
// by clusterFile. plinth does not read the file: the name alone identifies
// the database, and every open of the same name in the process reaches the
// same data, which lives until the process exits. Each call returns a new
// handle with its own database options; closing it releases only that handle.
// It fails with ErrAPIVersionUnset before APIVersion, and with
// ErrNetworkIsStopped after StopNetwork.
func OpenDatabase(clusterFile string) (Database, error) {
	return open("file:" + clusterFile)
}

// MustOpenDatabase is OpenDatabase that panics with its error.
func MustOpenDatabase(clusterFile string) Database {
	db, err := OpenDatabase(clusterFile)
	if err != nil {
		panic(err)
	}
	return db
}

// Open is OpenDatabase for a database name that must be "DB"; another name
// gives ErrInvalidDatabaseName. Deprecated: use OpenDatabase.
func Open(clusterFile string, dbName []byte) (Database, error) {
	if string(dbName) != "DB" {
		return Database{}, ErrInvalidDatabaseName
	}
	return OpenDatabase(clusterFile)
}

// MustOpen is Open that panics with its error. Deprecated: use
// MustOpenDatabase.
func MustOpen(clusterFile string, dbName []byte) Database {
	db, err := Open(clusterFile, dbName)
	if err != nil {
		panic(err)
	}
	return db
}

// OpenWithConnectionString returns a new Database handle on the in-memory
// database named by a cluster connection string (such as
// "desc:id@127.0.0.1:4500"), with the same rules as OpenDatabase; the data
// of a connection string is not shared with that of any cluster file name.
// An empty string is an error.
func OpenWithConnectionString(connectionString string) (Database, error) {
	if connectionString == "" {
		return Database{}, fmt.Errorf("connection string must be a non-empty string")
	}
	return open("conn:" + strings.TrimSpace(connectionString))
}

// open returns a new handle on the process's database called name, creating
// the database at the first open.
func open(name string) (Database, error) {
	process.mu.Lock()
	defer process.mu.Unlock()
	if process.apiVersion == 0 {
		return Database{}, ErrAPIVersionUnset
	}
	if process.stopped {
		return Database{}, ErrNetworkIsStopped
	}
	kdb := process.clusters[name]
	if kdb == nil {
		var err error
		if kdb, err = kv.Open(nil); err != nil {
			return Database{}, toError(err)
		}
		if process.clusters == nil {
			process.clusters = make(map[string]*kv.DB)
		}
		process.clusters[name] = kdb
	}
	process.started = true
	return Database{newDatabase(kdb)}, nil
}

// Cluster is a handle on a cluster named by its cluster file. Deprecated:
// open databases with OpenDatabase or OpenDefault.
type Cluster struct {
	clusterFile string
}

// CreateCluster returns a Cluster for clusterFile. It fails with
// ErrAPIVersionUnset before APIVersion, with ErrNetworkNotSetup before a
// database was opened, and with ErrNetworkIsStopped after StopNetwork.
// Deprecated: use OpenDatabase.
func CreateCluster(clusterFile string) (Cluster, error) {
	process.mu.RLock()
	defer process.mu.RUnlock()
	switch {
	case process.apiVersion == 0:
		return Cluster{}, ErrAPIVersionUnset
	case !process.started:
		return Cluster{}, ErrNetworkNotSetup
	case process.stopped:
		return Cluster{}, ErrNetworkIsStopped
	}
	return Cluster{clusterFile}, nil
}

// OpenDatabase is Open(clusterFile, dbName) for the cluster's file.
// Deprecated: use fdb.OpenDatabase.
func (c Cluster) OpenDatabase(dbName []byte) (Database, error) {
	return Open(c.clusterFile, dbName)
}

// A Transactor runs transactional functions: Database runs them in a retry
// loop of new transactions, Transaction runs them in itself, so that a
// function taking a Transactor composes into larger transactions.
type Transactor interface {
	// Transact runs f with a Transaction (see Database.Transact and
	// Transaction.Transact).
	Transact(f func(Transaction) (interface{}, error)) (interface{}, error)

	// Every Transactor also runs read-only transactional functions.
	ReadTransactor
}

// A ReadTransactor runs read-only transactional functions: Database in a
// retry loop, Transaction and Snapshot in themselves.
type ReadTransactor interface {
	// ReadTransact runs f with a ReadTransaction (see
	// Database.ReadTransact).
	ReadTransact(f func(ReadTransaction) (interface{}, error)) (interface{}, error)
}

// A KeyConvertible is anything that names a key: Key itself, packed tuples,
// subspaces. Every function that takes a key takes a KeyConvertible.
type KeyConvertible interface {
	FDBKey() Key
}

// Key is a key: a byte string ordered lexicographically.
type Key []byte

// FDBKey returns k, so that Key is a KeyConvertible.
func (k Key) FDBKey() Key {
	return k
}

// String returns Printable(k).
func (k Key) String() string {
	return Printable(k)
}

// Printable returns d as text: printable ASCII bytes (32 to 126) as
// themselves except the backslash, which is doubled, and every other byte as
// \xNN with two lowercase hex digits.
func Printable(d []byte) string {
	const hex = "0123456789abcdef"
	var b strings.Builder
	b.Grow(len(d))
	for _, c := range d {
		switch {
		case c == '\\':
			b.WriteString(`\\`)
		case c >= 32 && c < 127:
			b.WriteByte(c)
		default:
			b.WriteString(`\x`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		}
	}
	return b.String()
}

// keyBytes returns the bytes of k, treating a nil KeyConvertible as the empty
// key (so that zero KeyRange and KeySelector values are usable).
func keyBytes(k KeyConvertible) []byte {
	if k == nil {
		return nil
	}
	return k.FDBKey()
}

// recoverError turns a panic with an Error value into *err, the binding's
// rule for transactional functions; other panics keep propagating.
func recoverError(err *error) {
	if r := recover(); r != nil {
		if e, ok := r.(Error); ok {
			*err = e
			return
		}
		panic(r)
	}
}
