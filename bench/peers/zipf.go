package peers

import (
	"math"
	"math/rand/v2"
	"sync"
)

// ZipfTheta is YCSB's default zipfian constant.
const ZipfTheta = 0.99

// FNV-1a 64-bit parameters, as YCSB's scrambled zipfian uses.
const (
	fnvOffset = 0xcbf29ce484222325
	fnvPrime  = 0x100000001b3
)

// Zipfian draws item indexes in [0, n) with YCSB's scrambled zipfian
// distribution: ranks follow Zipf's law with constant theta (Gray et al.,
// "Quickly generating billion-record synthetic databases"), and each rank is
// hashed to an index so the hot items are spread over the key space rather
// than bunched at its start. math/rand/v2's Zipf needs s > 1 and so cannot
// give YCSB's 0.99. A Zipfian is immutable and safe for concurrent use; the
// randomness comes from the caller's generator.
type Zipfian struct {
	n                   uint64
	theta, alpha, zetan float64
	eta, half           float64
}

var (
	zetaMu    sync.Mutex
	zetaCache = map[uint64]float64{}
)

// NewZipfian returns the generator for n items and constant theta (0 < theta < 1).
func NewZipfian(n int, theta float64) *Zipfian {
	un := uint64(n)
	zetan := zeta(un, theta)
	zeta2 := 1 + math.Pow(0.5, theta)
	return &Zipfian{
		n:     un,
		theta: theta,
		alpha: 1 / (1 - theta),
		zetan: zetan,
		eta:   (1 - math.Pow(2/float64(n), 1-theta)) / (1 - zeta2/zetan),
		half:  1 + math.Pow(0.5, theta),
	}
}

func zeta(n uint64, theta float64) float64 {
	zetaMu.Lock()
	defer zetaMu.Unlock()
	if z, ok := zetaCache[n]; ok && theta == ZipfTheta {
		return z
	}
	var z float64
	for i := uint64(1); i <= n; i++ {
		z += 1 / math.Pow(float64(i), theta)
	}
	if theta == ZipfTheta {
		zetaCache[n] = z
	}
	return z
}

// Rank draws a rank: 0 is the most popular item.
func (z *Zipfian) Rank(r *rand.Rand) uint64 {
	u := r.Float64()
	uz := u * z.zetan
	if uz < 1 {
		return 0
	}
	if uz < z.half {
		return 1
	}
	k := uint64(float64(z.n) * math.Pow(z.eta*u-z.eta+1, z.alpha))
	if k >= z.n {
		k = z.n - 1
	}
	return k
}

// Next draws an item index: a rank scattered over [0, n) by FNV-1a.
func (z *Zipfian) Next(r *rand.Rand) int {
	rank := z.Rank(r)
	h := uint64(fnvOffset)
	for i := 0; i < 8; i++ {
		h ^= (rank >> (8 * i)) & 0xff
		h *= fnvPrime
	}
	return int(h % z.n)
}
