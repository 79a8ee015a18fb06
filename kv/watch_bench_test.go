package kv

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/plinthdb/plinth/mvcc"
)

// benchKey writes the 16-byte key of row i into k.
func benchKey(k []byte, prefix byte, i int) []byte {
	k = append(k[:0], prefix)
	k = binary.BigEndian.AppendUint64(k, uint64(i))
	return append(k, "-padded"...)
}

// loadBench fills db with n rows of 16-byte keys ("k" + 8 bytes + padding)
// and 100-byte values, in commits of 10,000.
func loadBench(b *testing.B, db *DB, prefix byte, n int) {
	b.Helper()
	v := bytes.Repeat([]byte{'v'}, 100)
	var k []byte
	for at := 0; at < n; at += 10_000 {
		tr := db.NewTransaction()
		tr.SetSizeLimit(1 << 30)
		for i := at; i < min(at+10_000, n); i++ {
			k = benchKey(k, prefix, i)
			tr.Set(k, v)
		}
		if err := tr.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// commitLoop times b.N one-key commits of random keys under prefix 'k'.
func commitLoop(b *testing.B, db *DB) {
	b.Helper()
	v := bytes.Repeat([]byte{'w'}, 100)
	var k []byte
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		k = benchKey(k, 'k', (i*7919)%10_000)
		tr := db.NewTransaction()
		tr.Set(k, v)
		if err := tr.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCommitWatches: a one-key commit while 0, 1,000 or 100,000
// watches wait on other keys. A commit looks up only the keys it wrote, so
// the cost stays flat.
func BenchmarkCommitWatches(b *testing.B) {
	for _, n := range []int{0, 1_000, 100_000} {
		b.Run(fmt.Sprintf("watches=%d", n), func(b *testing.B) {
			db := openDB(b, &Options{MaxWatches: maxWatchesLimit})
			loadBench(b, db, 'k', 10_000)
			var ws []*Watch
			var k []byte
			for at := 0; at < n; at += 10_000 {
				tr := db.NewTransaction()
				for i := at; i < min(at+10_000, n); i++ {
					k = benchKey(k, 'w', i)
					ws = append(ws, tr.Watch(k))
				}
				if err := tr.Commit(); err != nil {
					b.Fatal(err)
				}
			}
			commitLoop(b, db)
			b.StopTimer()
			for _, w := range ws {
				if w.Err() != nil || isDone(w) {
					b.Fatalf("a watch on an untouched key ended: %v", w.Err())
				}
			}
		})
	}
}

func isDone(w *Watch) bool {
	select {
	case <-w.Done():
		return true
	default:
		return false
	}
}

// BenchmarkCommitSubscriber: a one-key commit with no subscriber, with one
// on a range the commits never touch (flat: the commit only checks the
// range), and with one on the range written (the subscriber does the
// filtering and copying in its own goroutine).
func BenchmarkCommitSubscriber(b *testing.B) {
	for _, c := range []struct {
		name string
		r    *KeyRange
	}{
		{"subscriber=none", nil},
		{"subscriber=other-range", &KeyRange{Begin: []byte("x"), End: []byte("y")}},
		{"subscriber=written-range", &KeyRange{Begin: []byte("k"), End: []byte("l")}},
	} {
		b.Run(c.name, func(b *testing.B) {
			db := openDB(b, nil)
			loadBench(b, db, 'k', 10_000)
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			batches := 0
			if c.r != nil {
				since := db.committed.Load()
				wg.Add(1)
				go func() {
					defer wg.Done()
					db.Subscribe(ctx, *c.r, since, func(ChangeBatch) error {
						batches++
						return nil
					})
				}()
			}
			commitLoop(b, db)
			b.StopTimer()
			cancel()
			wg.Wait()
			if b.N > 0 {
				b.ReportMetric(float64(batches)/float64(b.N), "batches/op")
			}
		})
	}
}

func benchSizes(b *testing.B) []int {
	if testing.Short() {
		return []int{10_000}
	}
	return []int{10_000, 1_000_000}
}

// BenchmarkBackup: the throughput of a backup of n 16-byte keys with
// 100-byte values into memory, in MB/s of backup stream.
func BenchmarkBackup(b *testing.B) {
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			db := openDB(b, &Options{MVCCWindow: time.Minute})
			loadBench(b, db, 'k', n)
			var buf bytes.Buffer
			if _, err := db.Backup(&buf); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(buf.Len()))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := db.Backup(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRestore: the throughput of a restore of n 16-byte keys with
// 100-byte values into an empty database, in MB/s of backup stream. The
// target is under 2 s for a million keys.
func BenchmarkRestore(b *testing.B) {
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			src := openDB(b, &Options{MVCCWindow: time.Minute})
			loadBench(b, src, 'k', n)
			var buf bytes.Buffer
			if _, err := src.Backup(&buf); err != nil {
				b.Fatal(err)
			}
			src.Close()
			b.SetBytes(int64(buf.Len()))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				db, err := Open(nil)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := db.Restore(bytes.NewReader(buf.Bytes())); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				db.Close()
				b.StartTimer()
			}
		})
	}
}

// BenchmarkFeedRecord: what recording a one-key commit in the change feed
// costs the commit path when nobody subscribes (the feed keeps every
// commit, so a later Subscribe can start from an earlier read version).
func BenchmarkFeedRecord(b *testing.B) {
	var f changeFeed
	k, v := make([]byte, 16), make([]byte, 100)
	// Each commit brings its own writes slice; make them up front so the
	// benchmark times the feed alone.
	commits := make([][]mvcc.Write, 1<<17)
	for i := range commits {
		commits[i] = []mvcc.Write{{Key: k, Value: v}}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		f.record(int64(i+2), nil, commits[i&(len(commits)-1)], 1, DefaultChangeFeedBuffer, 0)
	}
}
