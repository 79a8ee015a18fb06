package kv

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/cespare/xxhash/v2"
	"github.com/plinthdb/plinth/mvcc"
)

// The backup stream's layout; docs/backup-format.md describes it for
// readers outside Go. Integers are big-endian.
const (
	backupMagic      = "PLINTHBK"
	backupFormat     = 1  // the format version this code writes and the newest it reads
	backupHeaderSize = 32 // magic, format, flags, version, checksum
	blockHeaderSize  = 9  // kind, rows, payload length
	trailerSize      = 41 // kind, rows, blocks, bytes, digest, checksum
	blockData        = 'D'
	blockEnd         = 'E'

	// A backup reads the store in pages of at most backupPageRows rows and
	// backupBlockBytes bytes, one block each, so it holds the store's read
	// lock only for a page and keeps at most one block in memory.
	backupPageRows   = 4096
	backupBlockBytes = 1 << 20
	// maxBlockPayload bounds what a restore allocates for one block, so a
	// corrupted length cannot ask for gigabytes. A block written by Backup
	// is at most backupBlockBytes plus one row.
	maxBlockPayload = 16 << 20
)

// Backup writes every key and value below \xff, as of one read version
// (returned), to w: a consistent image, streamed while commits go on. It
// reads the store in pages of a few thousand rows, holding no lock while it
// writes, so memory stays at about one block (1 MiB) whatever the size of
// the database. The stream is versioned and checksummed; Restore reads it
// and docs/backup-format.md describes it.
//
// The read version must stay inside the MVCC window until the last page is
// read: a backup that takes longer (a database too large for the window at
// the writer's speed, or a slow w) fails with ErrTransactionTooOld, and w
// then holds an incomplete stream that Restore refuses. At a few hundred
// MB/s into memory, the default 5 s window fits a database of a gigabyte
// or more; a larger one needs a longer Options.MVCCWindow. Errors from w are
// returned wrapped. A nil w is an ErrClientInvalidOperation error.
func (db *DB) Backup(w io.Writer) (version int64, err error) {
	if w == nil {
		return 0, newError(codeClientInvalidOperation, "Backup: nil writer")
	}
	if err := db.checkOpen(); err != nil {
		return 0, err
	}
	rv, at := db.readVersion()
	bw := &backupWriter{w: w, digest: xxhash.New()}
	if err := bw.header(rv); err != nil {
		return 0, err
	}
	begin := []byte{}
	for {
		bw.startBlock()
		rows := 0
		var last []byte
		db.store.Scan(mvcc.KeyRange{Begin: begin, End: []byte{0xff}}, rv, false, backupPageRows, func(k, v []byte) bool {
			bw.row(k, v)
			rows++
			last = k
			return len(bw.block) < backupBlockBytes
		})
		// Garbage collection removes a version only once it is past the
		// window, so a page that passes this check afterwards was intact.
		if db.now()-at > db.window() {
			db.stats.tooOld.Add(1)
			return 0, newError(codeTransactionTooOld, "Backup: read version %d left the MVCC window before the backup finished (%d rows written)", rv, bw.rows)
		}
		if err := db.checkOpen(); err != nil {
			return 0, err
		}
		if rows == 0 {
			break
		}
		full := rows == backupPageRows || len(bw.block) >= backupBlockBytes
		if err := bw.endBlock(rows); err != nil {
			return 0, err
		}
		if !full {
			break
		}
		begin = keyAfter(last)
	}
	if err := bw.trailer(); err != nil {
		return 0, err
	}
	return rv, nil
}

// backupWriter encodes a backup stream.
type backupWriter struct {
	w      io.Writer
	digest *xxhash.Digest // of every byte written before the trailer
	block  []byte         // the block being built, header first
	rows   uint64
	blocks uint64
	bytes  uint64 // payload bytes of all blocks
}

func (bw *backupWriter) write(b []byte) error {
	bw.digest.Write(b)
	if _, err := bw.w.Write(b); err != nil {
		return fmt.Errorf("plinth: backup: %w", err)
	}
	return nil
}

func (bw *backupWriter) header(version int64) error {
	h := make([]byte, 0, backupHeaderSize)
	h = append(h, backupMagic...)
	h = binary.BigEndian.AppendUint32(h, backupFormat)
	h = binary.BigEndian.AppendUint32(h, 0) // flags: none defined
	h = binary.BigEndian.AppendUint64(h, uint64(version))
	h = binary.BigEndian.AppendUint64(h, xxhash.Sum64(h))
	return bw.write(h)
}

func (bw *backupWriter) startBlock() {
	if bw.block == nil {
		bw.block = make([]byte, 0, backupBlockBytes+64<<10)
	}
	bw.block = append(bw.block[:0], make([]byte, blockHeaderSize)...)
}

// row appends one row; called under the store's read lock, so it only
// copies.
func (bw *backupWriter) row(k, v []byte) {
	bw.block = binary.AppendUvarint(bw.block, uint64(len(k)))
	bw.block = append(bw.block, k...)
	bw.block = binary.AppendUvarint(bw.block, uint64(len(v)))
	bw.block = append(bw.block, v...)
}

func (bw *backupWriter) endBlock(rows int) error {
	b := bw.block
	payload := len(b) - blockHeaderSize
	b[0] = blockData
	binary.BigEndian.PutUint32(b[1:], uint32(rows))
	binary.BigEndian.PutUint32(b[5:], uint32(payload))
	b = binary.BigEndian.AppendUint64(b, xxhash.Sum64(b))
	bw.block = b
	bw.rows += uint64(rows)
	bw.blocks++
	bw.bytes += uint64(payload)
	return bw.write(b)
}

func (bw *backupWriter) trailer() error {
	t := make([]byte, 0, trailerSize)
	t = append(t, blockEnd)
	t = binary.BigEndian.AppendUint64(t, bw.rows)
	t = binary.BigEndian.AppendUint64(t, bw.blocks)
	t = binary.BigEndian.AppendUint64(t, bw.bytes)
	t = binary.BigEndian.AppendUint64(t, bw.digest.Sum64())
	t = binary.BigEndian.AppendUint64(t, xxhash.Sum64(t))
	if _, err := bw.w.Write(t); err != nil {
		return fmt.Errorf("plinth: backup: %w", err)
	}
	return nil
}

// Restore replaces the whole user key space (every key below \xff) with
// the content of a backup that Backup wrote, in one commit whose version it
// returns. It reads and verifies the entire stream first (header, every
// block's checksum, key order and limits, the trailer's counts and digest,
// and the end of the stream right after the trailer), holding it in memory
// (about the data's size plus 80 bytes a row); a truncated, corrupted or
// foreign stream, or one of a newer format, is refused with an error that
// says which (ErrBackupTruncated, ErrBackupCorrupted,
// ErrBackupUnknownFormat, ErrBackupUnsupportedVersion) and nothing changes.
//
// The commit then clears the user key space and writes every row at one
// version: readers see the old content or the new, never a mix, and a
// transaction that read anything in the user key space before it and
// commits after it fails with ErrNotCommitted. Transaction size limits do
// not apply. Watches and subscribers see it like any commit. System keys
// (from \xff) are left alone. Errors from r are returned wrapped. A nil r
// is an ErrClientInvalidOperation error.
func (db *DB) Restore(r io.Reader) (version int64, err error) {
	if r == nil {
		return 0, newError(codeClientInvalidOperation, "Restore: nil reader")
	}
	if err := db.checkOpen(); err != nil {
		return 0, err
	}
	writes, err := readBackup(r)
	if err != nil {
		return 0, err
	}
	return db.applyRestore(writes)
}

// applyRestore commits writes over a cleared user key space, through the
// same apply as every commit. It has no conflict check of its own, and its
// write conflict range is the whole user key space, so every transaction
// that read before it and commits after it conflicts.
func (db *DB) applyRestore(writes []mvcc.Write) (int64, error) {
	db.commitMu.Lock()
	defer db.commitMu.Unlock()
	if err := db.checkOpen(); err != nil {
		return 0, err
	}
	version := db.committed.Load() + 1
	clears := []mvcc.KeyRange{{Begin: []byte{}, End: maxUserKey}}
	db.apply(nil, version, clears, writes, []span{{begin: []byte{}, end: maxUserKey}})
	return version, nil
}

// backupReader decodes a backup stream, refusing anything that is not
// exactly what Backup writes.
type backupReader struct {
	r      *bufio.Reader
	digest *xxhash.Digest // of every byte read before the trailer
	buf    []byte
}

func truncated(format string, args ...any) error {
	return newError(codeRestoreMissingData, "Restore: the backup is truncated: "+format, args...)
}

func corrupted(format string, args ...any) error {
	return newError(codeRestoreCorruptedData, "Restore: the backup is corrupted: "+format, args...)
}

// read fills p from the stream; what names the part for the error of a
// stream that ends early.
func (br *backupReader) read(p []byte, what string) error {
	if _, err := io.ReadFull(br.r, p); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return truncated("the stream ends inside %s", what)
		}
		return fmt.Errorf("plinth: restore: reading the backup: %w", err)
	}
	return nil
}

// readBackup decodes and verifies a whole backup stream into the store's
// form: rows in key order, each key and value in one allocation of its own
// (as Set makes them), so no row pins another's memory once restored.
func readBackup(r io.Reader) ([]mvcc.Write, error) {
	br := &backupReader{r: bufio.NewReaderSize(r, 256<<10), digest: xxhash.New()}
	h := make([]byte, backupHeaderSize)
	n, err := io.ReadFull(br.r, h[:len(backupMagic)])
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("plinth: restore: reading the backup: %w", err)
	}
	if !bytes.Equal(h[:n], []byte(backupMagic)[:n]) {
		return nil, newError(codeRestoreUnknownFileType, "Restore: the stream is not a plinth backup (it does not start with %q)", backupMagic)
	}
	if n < len(backupMagic) {
		return nil, truncated("the stream ends inside the header")
	}
	if err := br.read(h[len(backupMagic):], "the header"); err != nil {
		return nil, err
	}
	if got, want := binary.BigEndian.Uint64(h[24:]), xxhash.Sum64(h[:24]); got != want {
		return nil, corrupted("header checksum %016x, computed %016x", got, want)
	}
	format, flags := binary.BigEndian.Uint32(h[8:]), binary.BigEndian.Uint32(h[12:])
	switch {
	case format > backupFormat:
		return nil, newError(codeRestoreUnsupportedFileVersion, "Restore: the backup has format version %d, newer than this plinth reads (%d); restore it with a newer plinth", format, backupFormat)
	case format == 0:
		return nil, newError(codeRestoreUnsupportedFileVersion, "Restore: the backup has format version 0, which does not exist")
	case flags != 0:
		return nil, corrupted("unknown header flags %#x", flags)
	}
	br.digest.Write(h)

	var writes []mvcc.Write
	var prev []byte
	var blocks, payloadBytes uint64
	bh := make([]byte, blockHeaderSize)
	for {
		if err := br.read(bh[:1], "a block header (the trailer is missing)"); err != nil {
			return nil, err
		}
		if bh[0] == blockEnd {
			break
		}
		if bh[0] != blockData {
			return nil, corrupted("block %d has kind %#x", blocks, bh[0])
		}
		if err := br.read(bh[1:], "a block header"); err != nil {
			return nil, err
		}
		rows, size := binary.BigEndian.Uint32(bh[1:]), binary.BigEndian.Uint32(bh[5:])
		if size > maxBlockPayload || rows == 0 || uint64(rows)*2 > uint64(size) {
			return nil, corrupted("block %d claims %d rows in %d bytes", blocks, rows, size)
		}
		if cap(br.buf) < int(size)+8 {
			br.buf = make([]byte, int(size)+8)
		}
		body := br.buf[:int(size)+8]
		if err := br.read(body, fmt.Sprintf("block %d", blocks)); err != nil {
			return nil, err
		}
		payload := body[:size]
		d := xxhash.New()
		d.Write(bh)
		d.Write(payload)
		if got, want := binary.BigEndian.Uint64(body[size:]), d.Sum64(); got != want {
			return nil, corrupted("block %d checksum %016x, computed %016x", blocks, got, want)
		}
		br.digest.Write(bh)
		br.digest.Write(body)
		if cap(writes)-len(writes) < int(rows) {
			// Doubling: the row count is known only at the trailer.
			writes = slices.Grow(writes, max(cap(writes), int(rows)))
		}
		for i := uint32(0); i < rows; i++ {
			k, v, rest, err := decodeRow(payload)
			if err != nil {
				return nil, corrupted("block %d row %d: %v", blocks, i, err)
			}
			payload = rest
			if len(writes) > 0 && bytes.Compare(prev, k) >= 0 {
				return nil, corrupted("block %d row %d: key %q is not after %q", blocks, i, printable(k), printable(prev))
			}
			row := make([]byte, len(k)+len(v))
			copy(row, k)
			copy(row[len(k):], v)
			key := row[:len(k):len(k)]
			writes = append(writes, mvcc.Write{Key: key, Value: row[len(k):]})
			prev = key
		}
		if len(payload) != 0 {
			return nil, corrupted("block %d has %d bytes after its last row", blocks, len(payload))
		}
		blocks++
		payloadBytes += uint64(size)
	}
	t := make([]byte, trailerSize)
	t[0] = blockEnd
	if err := br.read(t[1:], "the trailer"); err != nil {
		return nil, err
	}
	if got, want := binary.BigEndian.Uint64(t[33:]), xxhash.Sum64(t[:33]); got != want {
		return nil, corrupted("trailer checksum %016x, computed %016x", got, want)
	}
	if rows := binary.BigEndian.Uint64(t[1:]); rows != uint64(len(writes)) {
		return nil, corrupted("the trailer counts %d rows, the blocks hold %d", rows, len(writes))
	}
	if n := binary.BigEndian.Uint64(t[9:]); n != blocks {
		return nil, corrupted("the trailer counts %d blocks, the stream holds %d", n, blocks)
	}
	if n := binary.BigEndian.Uint64(t[17:]); n != payloadBytes {
		return nil, corrupted("the trailer counts %d payload bytes, the blocks hold %d", n, payloadBytes)
	}
	if got, want := binary.BigEndian.Uint64(t[25:]), br.digest.Sum64(); got != want {
		return nil, corrupted("stream digest %016x, computed %016x", got, want)
	}
	if _, err := br.r.ReadByte(); err == nil {
		return nil, corrupted("data follows the trailer")
	} else if !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("plinth: restore: reading the backup: %w", err)
	}
	return writes, nil
}

// decodeRow splits one row off the front of a block's payload and checks
// it against the store's limits.
func decodeRow(p []byte) (key, value, rest []byte, err error) {
	kl, n := binary.Uvarint(p)
	if n <= 0 || kl > uint64(len(p)-n) {
		return nil, nil, nil, errors.New("bad key length")
	}
	if kl > MaxKeySize {
		return nil, nil, nil, fmt.Errorf("key of %d bytes, over the limit of %d", kl, MaxKeySize)
	}
	p = p[n:]
	key, p = p[:kl], p[kl:]
	vl, n := binary.Uvarint(p)
	if n <= 0 || vl > uint64(len(p)-n) {
		return nil, nil, nil, errors.New("bad value length")
	}
	if vl > MaxValueSize {
		return nil, nil, nil, fmt.Errorf("value of %d bytes, over the limit of %d", vl, MaxValueSize)
	}
	p = p[n:]
	value, p = p[:vl], p[vl:]
	if bytes.Compare(key, []byte{0xff}) >= 0 {
		return nil, nil, nil, fmt.Errorf("key %q is in the system key space", printable(key))
	}
	return key, value, p, nil
}
