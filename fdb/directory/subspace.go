package directory

import (
	"fmt"
	"strings"

	"github.com/plinthdb/plinth/fdb"
	"github.com/plinthdb/plinth/fdb/subspace"
)

// DirectorySubspace is a directory that is also the subspace of its contents
// (its prefix): keys packed in it belong to the directory, and its Directory
// methods take paths relative to it. CreateOrOpen and the other methods of a
// Directory return one.
type DirectorySubspace interface {
	subspace.Subspace
	Directory
}

// directorySubspace is an ordinary directory: its prefix, the layer it
// belongs to, its absolute path and its layer.
type directorySubspace struct {
	subspace.Subspace
	dl    directoryLayer
	path  []string
	layer []byte
}

// String returns DirectorySubspace(<path>, <prefix>), such as
// DirectorySubspace((app,users), \x15\x03).
func (d directorySubspace) String() string {
	path := "nil"
	if len(d.path) > 0 {
		path = "(" + strings.Join(d.path, ",") + ")"
	}
	return fmt.Sprintf("DirectorySubspace(%s, %s)", path, fdb.Printable(d.Bytes()))
}

func (d directorySubspace) CreateOrOpen(t fdb.Transactor, path []string, layer []byte) (DirectorySubspace, error) {
	return d.dl.CreateOrOpen(t, d.dl.partitionSubpath(d.path, path), layer)
}

func (d directorySubspace) Create(t fdb.Transactor, path []string, layer []byte) (DirectorySubspace, error) {
	return d.dl.Create(t, d.dl.partitionSubpath(d.path, path), layer)
}

func (d directorySubspace) CreatePrefix(t fdb.Transactor, path []string, layer []byte, prefix []byte) (DirectorySubspace, error) {
	return d.dl.CreatePrefix(t, d.dl.partitionSubpath(d.path, path), layer, prefix)
}

func (d directorySubspace) Open(rt fdb.ReadTransactor, path []string, layer []byte) (DirectorySubspace, error) {
	return d.dl.Open(rt, d.dl.partitionSubpath(d.path, path), layer)
}

func (d directorySubspace) MoveTo(t fdb.Transactor, newAbsolutePath []string) (DirectorySubspace, error) {
	return moveTo(t, d.dl, d.path, newAbsolutePath)
}

func (d directorySubspace) Move(t fdb.Transactor, oldPath []string, newPath []string) (DirectorySubspace, error) {
	return d.dl.Move(t, d.dl.partitionSubpath(d.path, oldPath), d.dl.partitionSubpath(d.path, newPath))
}

func (d directorySubspace) Remove(t fdb.Transactor, path []string) (bool, error) {
	return d.dl.Remove(t, d.dl.partitionSubpath(d.path, path))
}

func (d directorySubspace) Exists(rt fdb.ReadTransactor, path []string) (bool, error) {
	return d.dl.Exists(rt, d.dl.partitionSubpath(d.path, path))
}

func (d directorySubspace) List(rt fdb.ReadTransactor, path []string) ([]string, error) {
	return d.dl.List(rt, d.dl.partitionSubpath(d.path, path))
}

func (d directorySubspace) GetLayer() []byte { return d.layer }

func (d directorySubspace) GetPath() []string { return d.path }
