package tuple

import "testing"

// The typical key: ("users", id, "email").
var benchTuple = Tuple{"users", int64(1234567), "email"}

func BenchmarkPack(b *testing.B) {
	b.ReportAllocs()
	var n int
	for range b.N {
		n += len(benchTuple.Pack())
	}
	b.ReportMetric(float64(n)/float64(b.N), "bytes/key")
}

func BenchmarkUnpack(b *testing.B) {
	key := benchTuple.Pack()
	b.ReportAllocs()
	b.SetBytes(int64(len(key)))
	for range b.N {
		if _, err := Unpack(key); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSubspacePack(b *testing.B) {
	s := NewSubspace([]byte("app"), Tuple{"users"})
	t := Tuple{int64(1234567), "email"}
	b.ReportAllocs()
	for range b.N {
		_ = s.Pack(t)
	}
}

func BenchmarkPackWithVersionstamp(b *testing.B) {
	t := Tuple{"log", IncompleteVersionstamp(0)}
	b.ReportAllocs()
	for range b.N {
		if _, err := t.PackWithVersionstamp(nil); err != nil {
			b.Fatal(err)
		}
	}
}
