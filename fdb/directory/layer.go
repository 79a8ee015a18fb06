package directory

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/plinthdb/plinth/fdb"
	"github.com/plinthdb/plinth/fdb/subspace"
	"github.com/plinthdb/plinth/fdb/tuple"
)

// The directory layer's layout, FoundationDB's:
//
//	node of prefix p:    nodeSS ‖ pack(p)
//	root node:           nodeSS ‖ pack(nodeSS's prefix)
//	version:             root ‖ pack("version")  = three int32 LE: 1, 0, 0
//	allocator:           root ‖ pack("hca") ‖ pack(0 or 1, ...)
//	child of a node:     node ‖ pack(0, name)    = the child's prefix
//	layer of a node:     node ‖ pack("layer")    = the layer bytes ("" if none)
//
// A directory's contents live under its prefix, contentSS ‖ pack(n) when
// allocated. A partition (layer "partition") is a directory layer of its own,
// with nodeSS = prefix ‖ 0xfe and contentSS = prefix.
const subdirs = 0

// The directory layer version this package writes and reads.
const (
	majorVersion = 1
	minorVersion = 0
	microVersion = 0
)

var (
	layerKey     = []byte("layer")
	versionKey   = []byte("version")
	hcaKey       = []byte("hca")
	partitionTag = []byte("partition")

	errInvalidMetadata = errors.New("invalid directory layer metadata")
)

// directoryLayer is the root of a directory hierarchy (and of a partition).
type directoryLayer struct {
	nodeSS, contentSS   subspace.Subspace
	allowManualPrefixes bool
	allocator           allocator
	rootNode            subspace.Subspace
	path                []string // the partition's path; empty for a root
}

// NewDirectoryLayer returns a directory layer that keeps its metadata in
// nodeSS and its directories' contents in contentSS. The default layer
// (Root) uses subspace.FromBytes([]byte{0xfe}) and subspace.AllKeys(); other
// choices let directories share a database with other data. When
// allowManualPrefixes is false, CreatePrefix always fails.
func NewDirectoryLayer(nodeSS, contentSS subspace.Subspace, allowManualPrefixes bool) Directory {
	return newLayer(nodeSS, contentSS, allowManualPrefixes)
}

func newLayer(nodeSS, contentSS subspace.Subspace, allowManualPrefixes bool) directoryLayer {
	dl := directoryLayer{
		nodeSS:              subspace.FromBytes(nodeSS.Bytes()),
		contentSS:           subspace.FromBytes(contentSS.Bytes()),
		allowManualPrefixes: allowManualPrefixes,
	}
	dl.rootNode = dl.nodeSS.Sub(dl.nodeSS.Bytes())
	dl.allocator = newAllocator(dl.rootNode.Sub(hcaKey))
	return dl
}

// node is one step of a path lookup: the node subspace found (nil if the
// directory does not exist), the path it stands for, and the path looked for
// (longer when the lookup stopped at a partition).
type node struct {
	subspace   subspace.Subspace
	path       []string
	targetPath []string
	layer      []byte
}

func (n *node) exists() bool { return n.subspace != nil }

// inPartition reports whether the lookup stopped at a partition with path
// left to resolve inside it (or at the partition itself, if includeSelf).
func (n *node) inPartition(includeSelf bool) bool {
	return n.exists() && bytes.Equal(n.layer, partitionTag) && (includeSelf || len(n.targetPath) > len(n.path))
}

func (n *node) partitionSubpath() []string { return n.targetPath[len(n.path):] }

func (dl directoryLayer) nodeWithPrefix(prefix []byte) subspace.Subspace {
	if prefix == nil {
		return nil
	}
	return dl.nodeSS.Sub(prefix)
}

// find follows path from the root node, reading each node's child entry and
// layer, and stops early at a missing directory or at a partition.
func (dl directoryLayer) find(rtr fdb.ReadTransaction, path []string) (*node, error) {
	n := &node{subspace: dl.rootNode, path: []string{}, targetPath: path}
	for i := range path {
		p, err := rtr.Get(n.subspace.Sub(subdirs, path[i])).Get()
		if err != nil {
			return nil, err
		}
		n = &node{subspace: dl.nodeWithPrefix(p), path: path[:i+1], targetPath: path}
		if !n.exists() {
			return n, nil
		}
		if n.layer, err = rtr.Get(n.subspace.Sub(layerKey)).Get(); err != nil {
			return nil, err
		}
		if bytes.Equal(n.layer, partitionTag) {
			return n, nil
		}
	}
	return n, nil
}

// prefixOf returns the content prefix of a node subspace.
func (dl directoryLayer) prefixOf(n subspace.Subspace) ([]byte, error) {
	t, err := dl.nodeSS.Unpack(n)
	if err != nil {
		return nil, err
	}
	if len(t) == 0 {
		return nil, errInvalidMetadata
	}
	p, ok := t[0].([]byte)
	if !ok {
		return nil, errInvalidMetadata
	}
	return p, nil
}

// contentsOf returns the directory (or partition) of a node.
func (dl directoryLayer) contentsOf(n subspace.Subspace, path []string, layer []byte) (DirectorySubspace, error) {
	prefix, err := dl.prefixOf(n)
	if err != nil {
		return nil, err
	}
	full := slices.Concat(dl.path, path)
	if bytes.Equal(layer, partitionTag) {
		inner := newLayer(subspace.FromBytes(append(slices.Clip(prefix), 0xfe)), subspace.FromBytes(prefix), false)
		inner.path = full
		return directoryPartition{inner, dl}, nil
	}
	return directorySubspace{subspace.FromBytes(prefix), dl, full, layer}, nil
}

// contentsOfNode is contentsOf for a node a lookup found.
func (dl directoryLayer) contentsOfNode(n *node) (DirectorySubspace, error) {
	return dl.contentsOf(n.subspace, n.path, n.layer)
}

// checkVersion reads the layer's version: a newer major version cannot be
// read, a newer minor version cannot be written. With tr (write access) an
// absent version is written, initialising the layer.
func (dl directoryLayer) checkVersion(rtr fdb.ReadTransaction, tr *fdb.Transaction) error {
	v, err := rtr.Get(dl.rootNode.Sub(versionKey)).Get()
	if err != nil {
		return err
	}
	if v == nil {
		if tr != nil {
			tr.Set(dl.rootNode.Sub(versionKey), versionBytes())
		}
		return nil
	}
	if len(v) < 12 {
		return errors.New("cannot determine directory version present in database")
	}
	major := int32(binary.LittleEndian.Uint32(v[0:]))
	minor := int32(binary.LittleEndian.Uint32(v[4:]))
	micro := int32(binary.LittleEndian.Uint32(v[8:]))
	if major > majorVersion {
		return fmt.Errorf("cannot load directory with version %d.%d.%d using directory layer %d.%d.%d",
			major, minor, micro, majorVersion, minorVersion, microVersion)
	}
	if minor > minorVersion && tr != nil {
		return fmt.Errorf("directory with version %d.%d.%d is read-only when opened using directory layer %d.%d.%d",
			major, minor, micro, majorVersion, minorVersion, microVersion)
	}
	return nil
}

func versionBytes() []byte {
	b := binary.LittleEndian.AppendUint32(nil, majorVersion)
	b = binary.LittleEndian.AppendUint32(b, minorVersion)
	return binary.LittleEndian.AppendUint32(b, microVersion)
}

// createOrOpen is the one path behind CreateOrOpen, Create, CreatePrefix and
// Open. tr is nil for Open (no write access).
func (dl directoryLayer) createOrOpen(rtr fdb.ReadTransaction, tr *fdb.Transaction, path []string, layer, prefix []byte, allowCreate, allowOpen bool) (DirectorySubspace, error) {
	if err := dl.checkVersion(rtr, nil); err != nil {
		return nil, err
	}
	if prefix != nil && !dl.allowManualPrefixes {
		if len(dl.path) == 0 {
			return nil, errors.New("cannot specify a prefix unless manual prefixes are enabled")
		}
		return nil, errors.New("cannot specify a prefix in a partition")
	}
	if len(path) == 0 {
		return nil, errors.New("the root directory cannot be opened")
	}
	existing, err := dl.find(rtr, path)
	if err != nil {
		return nil, err
	}
	if existing.exists() {
		if existing.inPartition(false) {
			p, err := dl.contentsOfNode(existing)
			if err != nil {
				return nil, err
			}
			return p.(directoryPartition).directoryLayer.createOrOpen(rtr, tr, existing.partitionSubpath(), layer, prefix, allowCreate, allowOpen)
		}
		if !allowOpen {
			return nil, ErrDirAlreadyExists
		}
		if layer != nil && !bytes.Equal(existing.layer, layer) {
			return nil, errors.New("the directory was created with an incompatible layer")
		}
		return dl.contentsOfNode(existing)
	}
	if !allowCreate || tr == nil {
		return nil, ErrDirNotExists
	}
	if err := dl.checkVersion(rtr, tr); err != nil {
		return nil, err
	}

	if prefix == nil {
		ss, err := dl.allocator.allocate(*tr, dl.contentSS)
		if err != nil {
			return nil, fmt.Errorf("unable to allocate new directory prefix (%w)", err)
		}
		empty, err := isRangeEmpty(rtr, ss)
		if err != nil {
			return nil, err
		}
		if !empty {
			return nil, fmt.Errorf("the database has keys stored at the prefix chosen by the automatic prefix allocator: %s", fdb.Printable(ss.Bytes()))
		}
		prefix = ss.Bytes()
		free, err := dl.isPrefixFree(rtr.Snapshot(), prefix)
		if err != nil {
			return nil, err
		}
		if !free {
			return nil, errors.New("the directory layer has manually allocated prefixes that conflict with the automatic prefix allocator")
		}
	} else {
		free, err := dl.isPrefixFree(rtr, prefix)
		if err != nil {
			return nil, err
		}
		if !free {
			return nil, errors.New("the given prefix is already in use")
		}
	}

	parent := dl.rootNode
	if len(path) > 1 {
		pd, err := dl.createOrOpen(rtr, tr, path[:len(path)-1], nil, nil, true, true)
		if err != nil {
			return nil, err
		}
		if _, ok := pd.(directoryPartition); ok {
			return nil, ErrParentDirDoesNotExist
		}
		parent = dl.nodeWithPrefix(pd.Bytes())
	}
	n := dl.nodeWithPrefix(prefix)
	tr.Set(parent.Sub(subdirs, path[len(path)-1]), prefix)
	if layer == nil {
		layer = []byte{}
	}
	tr.Set(n.Sub(layerKey), layer)
	return dl.contentsOf(n, path, layer)
}

// transact runs fn in t, giving it the transaction.
func transact[T any](t fdb.Transactor, fn func(tr fdb.Transaction) (T, error)) (T, error) {
	var zero T
	if t == nil {
		return zero, errNilTransactor
	}
	r, err := t.Transact(func(tr fdb.Transaction) (interface{}, error) { return fn(tr) })
	if err != nil {
		return zero, err
	}
	return r.(T), nil
}

// readTransact runs fn in rt, giving it the read transaction.
func readTransact[T any](rt fdb.ReadTransactor, fn func(rtr fdb.ReadTransaction) (T, error)) (T, error) {
	var zero T
	if rt == nil {
		return zero, errNilTransactor
	}
	r, err := rt.ReadTransact(func(rtr fdb.ReadTransaction) (interface{}, error) { return fn(rtr) })
	if err != nil {
		return zero, err
	}
	return r.(T), nil
}

var errNilTransactor = errors.New("directory: nil transactor")

func (dl directoryLayer) CreateOrOpen(t fdb.Transactor, path []string, layer []byte) (DirectorySubspace, error) {
	return transact(t, func(tr fdb.Transaction) (DirectorySubspace, error) {
		return dl.createOrOpen(tr, &tr, path, layer, nil, true, true)
	})
}

func (dl directoryLayer) Create(t fdb.Transactor, path []string, layer []byte) (DirectorySubspace, error) {
	return transact(t, func(tr fdb.Transaction) (DirectorySubspace, error) {
		return dl.createOrOpen(tr, &tr, path, layer, nil, true, false)
	})
}

func (dl directoryLayer) CreatePrefix(t fdb.Transactor, path []string, layer []byte, prefix []byte) (DirectorySubspace, error) {
	if prefix == nil {
		prefix = []byte{}
	}
	return transact(t, func(tr fdb.Transaction) (DirectorySubspace, error) {
		return dl.createOrOpen(tr, &tr, path, layer, prefix, true, false)
	})
}

func (dl directoryLayer) Open(rt fdb.ReadTransactor, path []string, layer []byte) (DirectorySubspace, error) {
	return readTransact(rt, func(rtr fdb.ReadTransaction) (DirectorySubspace, error) {
		return dl.createOrOpen(rtr, nil, path, layer, nil, false, true)
	})
}

func (dl directoryLayer) Exists(rt fdb.ReadTransactor, path []string) (bool, error) {
	return readTransact(rt, func(rtr fdb.ReadTransaction) (bool, error) {
		if err := dl.checkVersion(rtr, nil); err != nil {
			return false, err
		}
		n, err := dl.find(rtr, path)
		if err != nil || !n.exists() {
			return false, err
		}
		if n.inPartition(false) {
			p, err := dl.contentsOfNode(n)
			if err != nil {
				return false, err
			}
			return p.Exists(rtr, n.partitionSubpath())
		}
		return true, nil
	})
}

func (dl directoryLayer) List(rt fdb.ReadTransactor, path []string) ([]string, error) {
	return readTransact(rt, func(rtr fdb.ReadTransaction) ([]string, error) {
		if err := dl.checkVersion(rtr, nil); err != nil {
			return nil, err
		}
		n, err := dl.find(rtr, path)
		if err != nil {
			return nil, err
		}
		if !n.exists() {
			return nil, ErrDirNotExists
		}
		if n.inPartition(true) {
			p, err := dl.contentsOfNode(n)
			if err != nil {
				return nil, err
			}
			return p.List(rtr, n.partitionSubpath())
		}
		return dl.subdirNames(rtr, n.subspace)
	})
}

func (dl directoryLayer) MoveTo(t fdb.Transactor, newAbsolutePath []string) (DirectorySubspace, error) {
	return nil, errors.New("the root directory cannot be moved")
}

func (dl directoryLayer) Move(t fdb.Transactor, oldPath []string, newPath []string) (DirectorySubspace, error) {
	return transact(t, func(tr fdb.Transaction) (DirectorySubspace, error) {
		if err := dl.checkVersion(tr, &tr); err != nil {
			return nil, err
		}
		if len(oldPath) <= len(newPath) && slices.Equal(oldPath, newPath[:len(oldPath)]) {
			return nil, errors.New("the destination directory cannot be a subdirectory of the source directory")
		}
		oldNode, err := dl.find(tr, oldPath)
		if err != nil {
			return nil, err
		}
		newNode, err := dl.find(tr, newPath)
		if err != nil {
			return nil, err
		}
		if !oldNode.exists() {
			return nil, errors.New("the source directory does not exist")
		}
		if oldNode.inPartition(false) || newNode.inPartition(false) {
			if !oldNode.inPartition(false) || !newNode.inPartition(false) || !slices.Equal(oldNode.path, newNode.path) {
				return nil, errors.New("cannot move between partitions")
			}
			p, err := dl.contentsOfNode(newNode)
			if err != nil {
				return nil, err
			}
			return p.Move(tr, oldNode.partitionSubpath(), newNode.partitionSubpath())
		}
		if newNode.exists() {
			return nil, errors.New("the destination directory already exists. Remove it first")
		}
		parent, err := dl.find(tr, newPath[:len(newPath)-1])
		if err != nil {
			return nil, err
		}
		if !parent.exists() {
			return nil, errors.New("the parent of the destination directory does not exist. Create it first")
		}
		prefix, err := dl.prefixOf(oldNode.subspace)
		if err != nil {
			return nil, err
		}
		tr.Set(parent.subspace.Sub(subdirs, newPath[len(newPath)-1]), prefix)
		if err := dl.removeFromParent(tr, oldPath); err != nil {
			return nil, err
		}
		return dl.contentsOf(oldNode.subspace, newPath, oldNode.layer)
	})
}

func (dl directoryLayer) Remove(t fdb.Transactor, path []string) (bool, error) {
	return transact(t, func(tr fdb.Transaction) (bool, error) {
		if err := dl.checkVersion(tr, &tr); err != nil {
			return false, err
		}
		if len(path) == 0 {
			return false, errors.New("the root directory cannot be removed")
		}
		n, err := dl.find(tr, path)
		if err != nil || !n.exists() {
			return false, err
		}
		if n.inPartition(false) {
			p, err := dl.contentsOfNode(n)
			if err != nil {
				return false, err
			}
			return p.(directoryPartition).directoryLayer.Remove(tr, n.partitionSubpath())
		}
		if err := dl.removeRecursive(tr, n.subspace); err != nil {
			return false, err
		}
		if err := dl.removeFromParent(tr, path); err != nil {
			return false, err
		}
		return true, nil
	})
}

// removeRecursive clears the contents and metadata of a node and of every
// node below it.
func (dl directoryLayer) removeRecursive(tr fdb.Transaction, n subspace.Subspace) error {
	sd := n.Sub(subdirs)
	kvs, err := tr.GetRange(sd, fdb.RangeOptions{}).GetSliceWithError()
	if err != nil {
		return err
	}
	for _, kv := range kvs {
		if err := dl.removeRecursive(tr, dl.nodeWithPrefix(kv.Value)); err != nil {
			return err
		}
	}
	prefix, err := dl.prefixOf(n)
	if err != nil {
		return err
	}
	contents, err := fdb.PrefixRange(prefix)
	if err != nil {
		return err
	}
	tr.ClearRange(contents)
	tr.ClearRange(n)
	return nil
}

func (dl directoryLayer) removeFromParent(tr fdb.Transaction, path []string) error {
	parent, err := dl.find(tr, path[:len(path)-1])
	if err != nil {
		return err
	}
	if parent.exists() {
		tr.Clear(parent.subspace.Sub(subdirs, path[len(path)-1]))
	}
	return nil
}

func (dl directoryLayer) GetLayer() []byte { return []byte{} }

func (dl directoryLayer) GetPath() []string { return dl.path }

func (dl directoryLayer) subdirNames(rtr fdb.ReadTransaction, n subspace.Subspace) ([]string, error) {
	sd := n.Sub(subdirs)
	var names []string
	ri := rtr.GetRange(sd, fdb.RangeOptions{}).Iterator()
	for ri.Advance() {
		kv, err := ri.Get()
		if err != nil {
			return nil, err
		}
		t, err := sd.Unpack(kv.Key)
		if err != nil {
			return nil, err
		}
		if len(t) == 0 {
			return nil, errInvalidMetadata
		}
		name, ok := t[0].(string)
		if !ok {
			return nil, errInvalidMetadata
		}
		names = append(names, name)
	}
	return names, nil
}

// nodeContainingKey returns the node whose prefix key starts with, if any:
// the root node for keys in the node subspace, else the node with the
// greatest prefix not after key, when it is a prefix of key.
func (dl directoryLayer) nodeContainingKey(rtr fdb.ReadTransaction, key []byte) (subspace.Subspace, error) {
	if bytes.HasPrefix(key, dl.nodeSS.Bytes()) {
		return dl.rootNode, nil
	}
	begin, _ := dl.nodeSS.FDBRangeKeys()
	end := append(dl.nodeSS.Pack(tuple.Tuple{key}), 0x00)
	kvs, err := rtr.GetRange(fdb.KeyRange{Begin: begin, End: fdb.Key(end)}, fdb.RangeOptions{Reverse: true, Limit: 1}).GetSliceWithError()
	if err != nil || len(kvs) == 0 {
		return nil, err
	}
	t, err := dl.nodeSS.Unpack(kvs[0].Key)
	if err != nil {
		return nil, err
	}
	if len(t) == 0 {
		return nil, errInvalidMetadata
	}
	if p, ok := t[0].([]byte); ok && bytes.HasPrefix(key, p) {
		return dl.nodeWithPrefix(p), nil
	}
	return nil, nil
}

// isPrefixFree reports whether prefix can be a new directory's: not empty,
// not inside another directory's prefix, and no directory's prefix inside it.
func (dl directoryLayer) isPrefixFree(rtr fdb.ReadTransaction, prefix []byte) (bool, error) {
	if len(prefix) == 0 {
		return false, nil
	}
	n, err := dl.nodeContainingKey(rtr, prefix)
	if err != nil || n != nil {
		return false, err
	}
	r, err := fdb.PrefixRange(prefix)
	if err != nil {
		return false, err
	}
	return isRangeEmpty(rtr, fdb.KeyRange{
		Begin: dl.nodeSS.Pack(tuple.Tuple{r.Begin.FDBKey()}),
		End:   dl.nodeSS.Pack(tuple.Tuple{r.End.FDBKey()}),
	})
}

// partitionSubpath returns the path, relative to dl, of rpath taken relative
// to the directory at the absolute path lpath.
func (dl directoryLayer) partitionSubpath(lpath, rpath []string) []string {
	return slices.Concat(lpath[len(dl.path):], rpath)
}

func isRangeEmpty(rtr fdb.ReadTransaction, r fdb.Range) (bool, error) {
	kvs, err := rtr.GetRange(r, fdb.RangeOptions{Limit: 1}).GetSliceWithError()
	return len(kvs) == 0, err
}
