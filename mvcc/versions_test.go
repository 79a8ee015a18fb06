package mvcc

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Versions against the reference model: for every (after, upto] and range,
// it reports exactly the key changes the model's states show, where a
// change is a write (even of the same value) or the removal of a present
// key. The data crosses the step bounds: one key with thousands of
// versions, and more keys than one step visits.
func TestVersionsMatchModel(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	s := New()
	m := &model{states: []map[string]string{{}}}
	// written[v] are the keys version v wrote or removed, with values.
	written := []map[string]string{{}}
	key := func(i int) []byte { return fmt.Appendf(nil, "k%05d", i) }
	const keys = 3000
	commit := func(clears []KeyRange, writes []Write) {
		before := m.states[len(m.states)-1]
		v := int64(len(m.states))
		s.Apply(v, clears, writes)
		m.apply(clears, writes)
		after := m.states[len(m.states)-1]
		changed := map[string]string{}
		for k, val := range after {
			if old, ok := before[k]; !ok || old != val {
				changed[k] = "=" + val
			}
		}
		for k := range before {
			if _, ok := after[k]; !ok {
				changed[k] = "-"
			}
		}
		for _, w := range writes { // a write of the same value is a change too
			if !w.Delete {
				changed[string(w.Key)] = "=" + string(w.Value)
			}
		}
		written = append(written, changed)
	}
	var load []Write
	for i := range keys {
		load = append(load, Write{Key: key(i), Value: []byte("0")})
	}
	commit(nil, load)
	for v := 0; v < 3000; v++ {
		var writes []Write
		var clears []KeyRange
		switch r.IntN(10) {
		case 0:
			a, b := r.IntN(keys), r.IntN(keys)
			clears = append(clears, KeyRange{Begin: key(min(a, b)), End: key(max(a, b))})
		case 1:
			writes = append(writes, Write{Key: key(r.IntN(keys)), Delete: true})
		default:
			// Mostly the hot key, so it gathers thousands of versions.
			k := key(keys / 2)
			if r.IntN(3) == 0 {
				k = key(r.IntN(keys))
			}
			writes = append(writes, Write{Key: k, Value: []byte(fmt.Sprint(r.IntN(3)))})
		}
		commit(clears, writes)
	}
	latest := int64(len(m.states) - 1)

	check := func(rg KeyRange, after, upto int64) {
		type change struct {
			key string
			ver int64
			c   string
		}
		var changes []change
		for v := after + 1; v <= upto; v++ {
			for k, c := range written[v] {
				if k >= string(rg.Begin) && (rg.End == nil || k < string(rg.End)) {
					changes = append(changes, change{k, v, c})
				}
			}
		}
		// Versions orders by key, then version.
		slices.SortFunc(changes, func(a, b change) int {
			if a.key != b.key {
				return strings.Compare(a.key, b.key)
			}
			return int(a.ver - b.ver)
		})
		var want []string
		for _, c := range changes {
			want = append(want, fmt.Sprintf("%s@%d%s", c.key, c.ver, c.c))
		}
		var got []string
		s.Versions(rg, after, upto, func(v Version) bool {
			c := "=" + string(v.Value)
			if v.Deleted {
				c = "-"
			}
			got = append(got, fmt.Sprintf("%s@%d%s", v.Key, v.Ver, c))
			return true
		})
		require.Equal(t, want, got, "range %q..%q, versions (%d, %d]", rg.Begin, rg.End, after, upto)
	}
	check(KeyRange{}, 0, latest)
	check(KeyRange{}, 1, latest)
	check(KeyRange{Begin: key(keys / 2), End: key(keys/2 + 1)}, 10, latest-10)
	for range 50 {
		a, b := r.IntN(keys), r.IntN(keys)
		lo := r.Int64N(latest)
		check(KeyRange{Begin: key(min(a, b)), End: key(max(a, b) + 1)}, lo, lo+r.Int64N(latest-lo)+1)
	}

	// After a collection at horizon h, every version above h is still
	// reported.
	h := latest / 2
	s.Collect(h, 0)
	check(KeyRange{}, h, latest)

	// fn returning false stops it.
	n := 0
	s.Versions(KeyRange{}, 0, latest, func(Version) bool { n++; return n < 5 })
	require.Equal(t, 5, n)
}
