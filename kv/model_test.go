package kv

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// The differential test drives the engine and a reference model with the
// same random interleavings of transactions over a small, finite key space.
// The model is deliberately naive: the committed state is a plain map per
// version, and a transaction's dependencies are explicit sets of keys from
// the finite space, so "does this commit conflict" is a set intersection
// with the write sets of the transactions that committed after its read
// version. Every read result and every commit decision must agree.

var modelKeys = func() []string {
	var ks []string
	for _, a := range "abcd" {
		ks = append(ks, string(a))
		for _, b := range "abc" {
			ks = append(ks, string(a)+string(b))
		}
	}
	slices.Sort(ks)
	return ks
}()

type modelDB struct {
	states  []map[string]string // states[v]: state after version v (index 0 unused before 1)
	writers []map[string]bool   // writers[v]: keys written by the commit at v
}

func newModelDB() *modelDB {
	return &modelDB{states: []map[string]string{{}, {}}, writers: []map[string]bool{{}, {}}}
}

func (m *modelDB) latest() int64 { return int64(len(m.states) - 1) }

type modelTx struct {
	rv       int64
	hasRV    bool
	writes   map[string]*string // nil value: cleared
	indep    map[string]bool    // keys written independently so far
	deps     map[string]bool    // keys whose change would invalidate a read
	anyWrite bool
}

func (t *modelTx) view(m *modelDB, k string) (string, bool) {
	if w, ok := t.writes[k]; ok {
		if w == nil {
			return "", false
		}
		return *w, true
	}
	v, ok := m.states[t.rv][k]
	return v, ok
}

func (t *modelTx) depend(k string) {
	if !t.indep[k] {
		t.deps[k] = true
	}
}

// scan returns the visible keys of [b, e) in order, limited.
func (t *modelTx) scan(m *modelDB, b, e string, limit int, reverse bool) []string {
	var in []string
	for _, k := range modelKeys {
		if k >= b && k < e {
			if _, ok := t.view(m, k); ok {
				in = append(in, k)
			}
		}
	}
	if reverse {
		slices.Reverse(in)
	}
	if limit > 0 && len(in) > limit {
		in = in[:limit]
	}
	return in
}

func TestDifferentialAgainstModel(t *testing.T) {
	seeds := 60
	if testing.Short() {
		seeds = 15
	}
	for _, small := range []int{32, 2, 0} {
		// The write buffer keeps few writes in a slice and more in a
		// B-tree: run both, and the move from one to the other.
		saved := smallMax
		smallMax = small
		for seed := 1; seed <= seeds; seed++ {
			t.Run(fmt.Sprintf("small=%d/seed=%d", small, seed), func(t *testing.T) {
				runDifferential(t, uint64(seed))
			})
		}
		smallMax = saved
	}
}

func runDifferential(t *testing.T, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 7))
	db, err := Open(nil)
	require.NoError(t, err)
	defer db.Close()
	m := newModelDB()

	type pair struct {
		tr *Transaction
		mt *modelTx
	}
	var open []pair
	randKey := func() string { return modelKeys[r.IntN(len(modelKeys))] }
	randRange := func() (string, string) {
		a, b := randKey(), randKey()
		if r.IntN(6) == 0 {
			b = a // empty range
		}
		if a > b {
			a, b = b, a
		}
		if r.IntN(5) == 0 {
			b = "z"
		}
		return a, b
	}
	commits, conflicts := 0, 0
	var trace []string
	t.Cleanup(func() {
		if t.Failed() {
			for _, l := range trace {
				t.Log(l)
			}
		}
	})
	for step := 0; step < 400; step++ {
		if len(open) < 3 && (len(open) == 0 || r.IntN(3) == 0) {
			open = append(open, pair{db.NewTransaction(), &modelTx{writes: map[string]*string{}, indep: map[string]bool{}, deps: map[string]bool{}}})
			continue
		}
		i := r.IntN(len(open))
		p := open[i]
		tr, mt := p.tr, p.mt
		logf := func(format string, args ...any) {
			trace = append(trace, fmt.Sprintf("step %d tx %p: ", step, tr)+fmt.Sprintf(format, args...))
		}
		ensureRV := func() {
			if !mt.hasRV {
				mt.rv, mt.hasRV = m.latest(), true
			}
		}
		snap := r.IntN(4) == 0
		var rt ReadTransaction = tr
		if snap {
			rt = tr.Snapshot()
		}
		switch op := r.IntN(10); op {
		case 0, 1: // get
			k := randKey()
			got, err := rt.Get([]byte(k))
			require.NoError(t, err)
			logf("get %q snap=%v -> %q", k, snap, got)
			ensureRV()
			want, ok := mt.view(m, k)
			if !ok {
				require.Nil(t, got, "get %q", k)
			} else {
				require.Equal(t, want, string(got), "get %q", k)
			}
			if !snap {
				mt.depend(k)
			}
		case 2, 3: // range read
			b, e := randRange()
			limit := r.IntN(4)
			reverse := r.IntN(2) == 0
			var rows []KeyValue
			if r.IntN(2) == 0 {
				rows, err = rt.GetRange(KeyRange{[]byte(b), []byte(e)}, RangeOptions{Limit: limit, Reverse: reverse})
				require.NoError(t, err)
			} else {
				for kv, err := range rt.Iterate(KeyRange{[]byte(b), []byte(e)}, RangeOptions{Limit: limit, Reverse: reverse}) {
					require.NoError(t, err)
					rows = append(rows, kv)
				}
			}
			ensureRV()
			logf("range [%q,%q) limit %d rev %v snap=%v -> %d rows", b, e, limit, reverse, snap, len(rows))
			want := mt.scan(m, b, e, limit, reverse)
			var got []string
			for _, kv := range rows {
				got = append(got, string(kv.Key))
			}
			require.Equal(t, want, got, "range [%q,%q) limit %d reverse %v", b, e, limit, reverse)
			for _, kv := range rows {
				v, _ := mt.view(m, string(kv.Key))
				require.Equal(t, v, string(kv.Value), "value of %q", kv.Key)
			}
			if !snap {
				// Dependencies: the whole range, or only up to just
				// after the last row (from the last row, in reverse)
				// when the limit was reached, as FoundationDB records it.
				lo, hi := b, e
				if limit > 0 && len(got) == limit {
					if reverse {
						lo = got[len(got)-1]
					} else {
						hi = got[len(got)-1] + "\x00"
					}
				}
				for _, k := range modelKeys {
					if k >= lo && k < hi {
						mt.depend(k)
					}
				}
			}
		case 4, 5: // set
			k, v := randKey(), fmt.Sprint(step)
			tr.Set([]byte(k), []byte(v))
			logf("set %q=%q", k, v)
			mt.writes[k], mt.indep[k], mt.anyWrite = &v, true, true
		case 6: // clear
			k := randKey()
			tr.Clear([]byte(k))
			logf("clear %q", k)
			mt.writes[k], mt.indep[k], mt.anyWrite = nil, true, true
		case 7: // clear range
			b, e := randRange()
			tr.ClearRange([]byte(b), []byte(e))
			logf("clearrange [%q,%q)", b, e)
			for _, k := range modelKeys {
				if k >= b && k < e {
					mt.writes[k], mt.indep[k] = nil, true
				}
			}
			if b != e {
				mt.anyWrite = true
			}
		default: // commit
			err := tr.Commit()
			logf("commit -> %v", err)
			open = append(open[:i], open[i+1:]...)
			if !mt.anyWrite {
				require.NoError(t, err, "read-only commit")
				v, _ := tr.GetCommittedVersion()
				require.EqualValues(t, -1, v)
				continue
			}
			conflict := false
			if mt.hasRV {
				for v := mt.rv + 1; v <= m.latest(); v++ {
					for k := range m.writers[v] {
						if mt.deps[k] {
							conflict = true
						}
					}
				}
			}
			if conflict {
				require.ErrorIs(t, err, ErrNotCommitted, "step %d", step)
				var ce *ConflictError
				require.True(t, errors.As(err, &ce))
				conflicts++
				continue
			}
			require.NoError(t, err, "step %d", step)
			next := map[string]string{}
			for k, v := range m.states[m.latest()] {
				next[k] = v
			}
			wrote := map[string]bool{}
			for k, v := range mt.writes {
				wrote[k] = true
				if v == nil {
					delete(next, k)
				} else {
					next[k] = *v
				}
			}
			// ClearRange also writes keys that did not exist; the model's
			// write set already lists every key of the finite space.
			m.states = append(m.states, next)
			m.writers = append(m.writers, wrote)
			v, err := tr.GetCommittedVersion()
			require.NoError(t, err)
			require.Equal(t, m.latest(), v)
			commits++
		}
	}
	// A final read of everything must equal the model's last state.
	var got []string
	require.NoError(t, db.ReadTransact(func(tr ReadTransaction) error {
		rows, err := tr.GetRange(KeyRange{[]byte(""), []byte("\xff")}, RangeOptions{})
		for _, kv := range rows {
			got = append(got, string(kv.Key)+"="+string(kv.Value))
		}
		return err
	}))
	var want []string
	for _, k := range modelKeys {
		if v, ok := m.states[m.latest()][k]; ok {
			want = append(want, k+"="+v)
		}
	}
	require.Equal(t, want, got)
	require.Greater(t, commits, 0)
}
