package kv

import (
	"math/rand/v2"
	"testing"
)

// TestVersionTimesMatchesSlice drives versionTimes and a plain slice with
// the same pushes and drops, across many block boundaries.
func TestVersionTimesMatchesSlice(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var vt versionTimes
	vt.base = 7
	var model []int64
	base := int64(7)
	next := int64(0)
	for step := range 20_000 {
		if r.IntN(3) > 0 {
			for range r.IntN(2 * timesBlock) {
				vt.push(next)
				model = append(model, next)
				next++
			}
		} else if len(model) > 0 {
			k := r.IntN(len(model) + 1)
			vt.drop(k)
			model = model[k:]
			base += int64(k)
		}
		if vt.len() != len(model) || vt.base != base {
			t.Fatalf("step %d: len %d base %d, want %d %d", step, vt.len(), vt.base, len(model), base)
		}
		for _, i := range []int{0, len(model) / 2, len(model) - 1, r.IntN(len(model) + 1)} {
			if i >= 0 && i < len(model) && vt.at(i) != model[i] {
				t.Fatalf("step %d: at(%d) = %d, want %d", step, i, vt.at(i), model[i])
			}
		}
		if len(vt.blocks) > len(model)/timesBlock+2 {
			t.Fatalf("step %d: %d blocks for %d entries", step, len(vt.blocks), len(model))
		}
	}
}

// TestVersionTimesReusesBlocks: a record that slides at a steady length
// allocates nothing once its blocks exist.
func TestVersionTimesReusesBlocks(t *testing.T) {
	var vt versionTimes
	for i := range 3 * timesBlock {
		vt.push(int64(i))
	}
	allocs := testing.AllocsPerRun(100, func() {
		for i := range timesBlock {
			vt.push(int64(i))
		}
		vt.drop(timesBlock)
	})
	if allocs > 1 { // the header slice of blocks may move now and then
		t.Fatalf("%.1f allocations per block slid, want at most 1", allocs)
	}
}
