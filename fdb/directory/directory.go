package directory

import (
	"errors"
	"slices"

	"github.com/plinthdb/plinth/fdb"
	"github.com/plinthdb/plinth/fdb/subspace"
)

var (
	// ErrDirAlreadyExists is returned by Create and CreatePrefix when the
	// directory exists.
	ErrDirAlreadyExists = errors.New("the directory already exists")

	// ErrDirNotExists is returned by Open and List when the directory does
	// not exist.
	ErrDirNotExists = errors.New("the directory does not exist")

	// ErrParentDirDoesNotExist is returned when a parent directory of the
	// path does not exist where it must.
	ErrParentDirDoesNotExist = errors.New("the parent directory does not exist")
)

// Directory is a node of a directory hierarchy: the root of a directory layer
// (Root, NewDirectoryLayer), a directory (DirectorySubspace) or a partition.
// Paths given to its methods are relative to it. Every method runs in the
// given Transactor: a Database runs it in its own retry loop, a Transaction
// inside that transaction.
type Directory interface {
	// CreateOrOpen opens the directory at path, creating it and any missing
	// parents when it does not exist. A non-nil layer is recorded on
	// creation, and compared with the recorded one on open (an error if they
	// differ).
	CreateOrOpen(t fdb.Transactor, path []string, layer []byte) (DirectorySubspace, error)

	// Open opens the directory at path: ErrDirNotExists when it does not
	// exist. A non-nil layer must equal the one recorded at creation.
	Open(rt fdb.ReadTransactor, path []string, layer []byte) (DirectorySubspace, error)

	// Create creates the directory at path (and any missing parents), with
	// an allocated prefix: ErrDirAlreadyExists when it exists.
	Create(t fdb.Transactor, path []string, layer []byte) (DirectorySubspace, error)

	// CreatePrefix is Create with the given prefix instead of an allocated
	// one. It fails unless the directory layer allows manual prefixes (the
	// default one does not), and when prefix overlaps another directory's.
	CreatePrefix(t fdb.Transactor, path []string, layer []byte, prefix []byte) (DirectorySubspace, error)

	// Move moves the directory at oldPath to newPath, keeping its prefix
	// and contents. It fails when oldPath does not exist, newPath exists or
	// its parent does not, or newPath is inside oldPath.
	Move(t fdb.Transactor, oldPath []string, newPath []string) (DirectorySubspace, error)

	// MoveTo moves this directory to newAbsolutePath, a path from the root
	// of its directory layer, under the rules of Move.
	MoveTo(t fdb.Transactor, newAbsolutePath []string) (DirectorySubspace, error)

	// Remove removes the directory at path with its contents and every
	// subdirectory; it reports whether there was one to remove.
	Remove(t fdb.Transactor, path []string) (bool, error)

	// Exists reports whether a directory exists at path.
	Exists(rt fdb.ReadTransactor, path []string) (bool, error)

	// List returns the names of the subdirectories of the directory at path,
	// in ascending order: ErrDirNotExists when it does not exist.
	List(rt fdb.ReadTransactor, path []string) ([]string, error)

	// GetLayer returns the layer recorded when the directory was created.
	GetLayer() []byte

	// GetPath returns the directory's path from the root.
	GetPath() []string
}

// root is the default directory layer: nodes under 0xfe, contents in the
// whole key space below it, no manual prefixes.
var root = NewDirectoryLayer(subspace.FromBytes([]byte{0xfe}), subspace.AllKeys(), false)

// Root returns the default directory layer. It keeps its metadata under the
// prefix 0xfe and gives directories short allocated prefixes (packed
// integers) in the rest of the key space, so it suits a database used only
// through directories; NewDirectoryLayer builds one elsewhere. Its layout is
// FoundationDB's: a directory created by either opens in the other with the
// same prefix. The root itself cannot be opened, moved or removed.
func Root() Directory {
	return root
}

// CreateOrOpen is Root().CreateOrOpen.
func CreateOrOpen(t fdb.Transactor, path []string, layer []byte) (DirectorySubspace, error) {
	return root.CreateOrOpen(t, path, layer)
}

// Open is Root().Open.
func Open(rt fdb.ReadTransactor, path []string, layer []byte) (DirectorySubspace, error) {
	return root.Open(rt, path, layer)
}

// Create is Root().Create.
func Create(t fdb.Transactor, path []string, layer []byte) (DirectorySubspace, error) {
	return root.Create(t, path, layer)
}

// Move is Root().Move.
func Move(t fdb.Transactor, oldPath []string, newPath []string) (DirectorySubspace, error) {
	return root.Move(t, oldPath, newPath)
}

// Exists is Root().Exists.
func Exists(rt fdb.ReadTransactor, path []string) (bool, error) {
	return root.Exists(rt, path)
}

// List is Root().List.
func List(rt fdb.ReadTransactor, path []string) ([]string, error) {
	return root.List(rt, path)
}

// moveTo moves the directory at path (absolute, within dl's partition) to
// newAbsolutePath, which must lie in the same partition.
func moveTo(t fdb.Transactor, dl directoryLayer, path, newAbsolutePath []string) (DirectorySubspace, error) {
	n := len(dl.path)
	if len(newAbsolutePath) < n || !slices.Equal(newAbsolutePath[:n], dl.path) || len(path) < n {
		return nil, errors.New("cannot move between partitions")
	}
	return dl.Move(t, path[n:], newAbsolutePath[n:])
}
