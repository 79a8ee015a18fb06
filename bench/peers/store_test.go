package peers

import (
	"encoding/binary"
	"sync"
	"testing"
)

// TestStores checks every store's adapter on a small data set: what is
// loaded reads back, scans see consecutive keys, writes are visible, and
// concurrent increments lose nothing.
func TestStores(t *testing.T) {
	const n = 1000
	for _, info := range Stores() {
		t.Run(info.Name, func(t *testing.T) {
			s, err := Open(info.Name, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if _, ok := s.(Adder); ok != info.Adder {
				t.Fatalf("Info.Adder = %v, but the store implements Adder: %v", info.Adder, ok)
			}
			if err := load(s, n, 0); err != nil {
				t.Fatal(err)
			}
			for _, i := range []int{0, 1, n / 2, n - 1} {
				if got, err := s.Get(Key(i)); err != nil || got != ValueLen {
					t.Fatalf("Get(%d) = %d, %v; want %d", i, got, err, ValueLen)
				}
			}
			if got, err := s.Get(Key(n)); err != nil || got != -1 {
				t.Fatalf("Get(absent) = %d, %v; want -1", got, err)
			}
			if got, err := s.Scan(Key(10), 100); err != nil || got != 100 {
				t.Fatalf("Scan(10, 100) = %d, %v", got, err)
			}
			if got, err := s.Scan(Key(n-5), 100); err != nil || got != 5 {
				t.Fatalf("Scan(n-5, 100) = %d, %v; want 5", got, err)
			}
			short := []byte("abc")
			if err := s.Set(Key(n+1), short); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Get(Key(n + 1)); err != nil || got != len(short) {
				t.Fatalf("Get after Set = %d, %v", got, err)
			}
			var reads, writes [5][]byte
			for i := range 5 {
				reads[i], writes[i] = Key(i), Key(n+10+i)
			}
			if err := s.Read5Write5(&reads, &writes, short); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Get(Key(n + 14)); err != nil || got != len(short) {
				t.Fatalf("Get after Read5Write5 = %d, %v", got, err)
			}
			if _, err := s.ReadModifyWrite(Key(3), short); err != nil {
				t.Fatal(err)
			}
			const g, each = 8, 25
			var wg sync.WaitGroup
			for range g {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range each {
						if _, err := s.Increment(CounterKey); err != nil {
							t.Error(err)
							return
						}
						if a, ok := s.(Adder); ok {
							if _, err := a.Add(CounterKey); err != nil {
								t.Error(err)
								return
							}
						}
					}
				}()
			}
			wg.Wait()
			want := g * each
			if _, ok := s.(Adder); ok {
				want *= 2
			}
			if got := counterValue(t, s); got != uint64(want) {
				t.Fatalf("counter = %d, want %d", got, want)
			}
			if o, ok := s.(OffHeaper); ok {
				if size, err := o.OffHeap(); err != nil || size < 0 {
					t.Fatalf("OffHeap() = %d, %v", size, err)
				}
			}
		})
	}
}

// counterValue reads the 8-byte little-endian counter at CounterKey.
func counterValue(t *testing.T, s Store) uint64 {
	t.Helper()
	v, err := s.Value(CounterKey)
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != 8 {
		t.Fatalf("counter value has %d bytes", len(v))
	}
	return binary.LittleEndian.Uint64(v)
}

// TestBtreeCopyScan checks that btree-copy's Scan hands out the rows the
// btree floor holds, in order, and that they are copies.
func TestBtreeCopyScan(t *testing.T) {
	s := newBtree(true)
	if err := load(s, 300, 0); err != nil {
		t.Fatal(err)
	}
	p, err := pivot16(Key(100))
	if err != nil {
		t.Fatal(err)
	}
	rows := s.scanCopy(p, 150)
	if len(rows) != 150 {
		t.Fatalf("scanCopy returned %d rows, want 150", len(rows))
	}
	for j, r := range rows {
		want, err := s.Value(Key(100 + j))
		if err != nil {
			t.Fatal(err)
		}
		if string(r.Key) != string(Key(100+j)) || string(r.Value) != string(want) {
			t.Fatalf("row %d = %q, %x; want %q, %x", j, r.Key, r.Value, Key(100+j), want)
		}
		r.Value[0] ^= 0xff
		if again, _ := s.Value(Key(100 + j)); string(again) != string(want) {
			t.Fatalf("row %d aliases the tree's value", j)
		}
	}
	if rows := s.scanCopy(p, 1000); len(rows) != 200 {
		t.Fatalf("scanCopy past the end returned %d rows, want 200", len(rows))
	}
}
