package directory

import (
	"errors"

	"github.com/plinthdb/plinth/fdb"
	"github.com/plinthdb/plinth/fdb/subspace"
	"github.com/plinthdb/plinth/fdb/tuple"
)

// directoryPartition is a directory created with the layer "partition": a
// directory layer of its own inside the parent's, whose directories all have
// prefixes under the partition's prefix. Its root cannot hold keys: the
// Subspace methods that cannot return an error panic, as FoundationDB's
// binding documents; Unpack and PackWithVersionstamp return the error.
type directoryPartition struct {
	directoryLayer
	parent directoryLayer
}

const partitionAsSubspace = "cannot use the root of a directory partition as a subspace"

var errPartitionAsSubspace = errors.New(partitionAsSubspace)

func (dp directoryPartition) Sub(el ...tuple.TupleElement) subspace.Subspace {
	panic(partitionAsSubspace)
}

func (dp directoryPartition) Bytes() []byte { panic(partitionAsSubspace) }

func (dp directoryPartition) Pack(t tuple.Tuple) fdb.Key { panic(partitionAsSubspace) }

func (dp directoryPartition) PackWithVersionstamp(t tuple.Tuple) (fdb.Key, error) {
	return nil, errPartitionAsSubspace
}

func (dp directoryPartition) Unpack(k fdb.KeyConvertible) (tuple.Tuple, error) {
	return nil, errPartitionAsSubspace
}

func (dp directoryPartition) Contains(k fdb.KeyConvertible) bool { panic(partitionAsSubspace) }

func (dp directoryPartition) FDBKey() fdb.Key { panic(partitionAsSubspace) }

func (dp directoryPartition) FDBRangeKeys() (fdb.KeyConvertible, fdb.KeyConvertible) {
	panic(partitionAsSubspace)
}

func (dp directoryPartition) FDBRangeKeySelectors() (fdb.Selectable, fdb.Selectable) {
	panic(partitionAsSubspace)
}

func (dp directoryPartition) GetLayer() []byte { return []byte("partition") }

// layerFor returns the layer that holds path: the parent for the partition
// itself (an empty path), the partition's own layer below it.
func (dp directoryPartition) layerFor(path []string) directoryLayer {
	if len(path) == 0 {
		return dp.parent
	}
	return dp.directoryLayer
}

func (dp directoryPartition) MoveTo(t fdb.Transactor, newAbsolutePath []string) (DirectorySubspace, error) {
	return moveTo(t, dp.parent, dp.path, newAbsolutePath)
}

func (dp directoryPartition) Remove(t fdb.Transactor, path []string) (bool, error) {
	dl := dp.layerFor(path)
	return dl.Remove(t, dl.partitionSubpath(dp.path, path))
}

func (dp directoryPartition) Exists(rt fdb.ReadTransactor, path []string) (bool, error) {
	dl := dp.layerFor(path)
	return dl.Exists(rt, dl.partitionSubpath(dp.path, path))
}
