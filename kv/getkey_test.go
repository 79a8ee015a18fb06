package kv_test

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plinthdb/plinth/kv"
	"github.com/plinthdb/plinth/selector"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
)

// Tests of key selectors that a script cannot hold: concurrent appends
// found by a selector, large offsets, and the legal key range. The rules of
// resolution and of the read conflict ranges selectors add are in
// testdata/selectors.txt, testdata/conflicts_selectors.txt and
// testdata/versionstamps.txt; random selectors run against the reference
// model (model_test.go). Helpers are prefixed gk to keep clear of other
// test files of the package.

// gkOpen opens a database holding ks, each with value "v:"+key (system keys
// included: they are written with system key access).
func gkOpen(t testing.TB, ks ...string) *kv.DB {
	t.Helper()
	db := atOpen(t, nil)
	require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
		tr.SetAccessSystemKeys()
		for _, k := range ks {
			tr.Set([]byte(k), []byte("v:"+k))
		}
		return nil
	}))
	return db
}

// gkReads returns the read conflict ranges tr recorded, normalized.
func gkReads(tr *kv.Transaction) []refSpan {
	var out []refSpan
	for _, r := range kv.ReadConflicts(tr) {
		out = append(out, refSpan{string(r[0]), string(r[1])})
	}
	return refNormalize(out)
}

func gkKeysOf(rows []string) []string {
	var out []string
	for _, r := range rows {
		k, _, _ := strings.Cut(r, "=")
		out = append(out, k)
	}
	return out
}

func gkRows(rows []kv.KeyValue) []string {
	var out []string
	for _, kv := range rows {
		out = append(out, string(kv.Key)+"="+string(kv.Value))
	}
	return out
}

// gkIterate collects r through Iterate, stopping after stopAfter rows when
// stopAfter > 0.
func gkIterate(rt kv.ReadTransaction, r kv.Range, opts kv.RangeOptions, stopAfter int) ([]string, error) {
	var out []string
	for kv, err := range rt.Iterate(r, opts) {
		if err != nil {
			return out, err
		}
		out = append(out, string(kv.Key)+"="+string(kv.Value))
		if stopAfter > 0 && len(out) == stopAfter {
			break
		}
	}
	return out, nil
}

// gkSel builds a raw selector triple.
func gkSel(key string, orEqual bool, offset int) selector.KeySelector {
	return selector.KeySelector{Key: []byte(key), OrEqual: orEqual, Offset: offset}
}

func gkGE(k string) selector.KeySelector { return selector.FirstGreaterOrEqual([]byte(k)) }
func gkGT(k string) selector.KeySelector { return selector.FirstGreaterThan([]byte(k)) }
func gkLE(k string) selector.KeySelector { return selector.LastLessOrEqual([]byte(k)) }
func gkLT(k string) selector.KeySelector { return selector.LastLessThan([]byte(k)) }

// TestGetKeySelectorRangeMaxKeyEnd: a selector range may end at the max key
// (\xff, or \xff\xff with system key access), and system keys appear in it
// only with access.
func TestGetKeySelectorRangeMaxKeyEnd(t *testing.T) {
	db := gkOpen(t, "a", "\xff\x01")
	tr := db.NewTransaction()
	rows, err := tr.GetRange(kv.SelectorRange{Begin: gkGE(""), End: gkGE("\xff")}, kv.RangeOptions{})
	require.NoError(t, err)
	require.Equal(t, []string{"a=v:a"}, gkRows(rows))
	tr.SetReadSystemKeys()
	rows, err = tr.GetRange(kv.SelectorRange{Begin: gkGE(""), End: gkGE("\xff\xff")}, kv.RangeOptions{})
	require.NoError(t, err)
	require.Equal(t, []string{"a=v:a", "\xff\x01=v:\xff\x01"}, gkRows(rows))
}

// TestGetKeyConcurrentAppends: goroutines append to a log whose next
// sequence number each finds by reading the log's last key with a selector,
// under Transact. The first attempt of every round waits, after its read,
// until every worker has read (a barrier, not a sleep), so in each round all
// but one first attempt must fail with a conflict. If a selector read missed
// its conflict, two appends would read the same last key and write the same
// next one, losing an append. The snapshot reader is the control: it adds no
// conflict, so appends are lost and nothing conflicts.
func TestGetKeyConcurrentAppends(t *testing.T) {
	const workers, appends = 8, 12
	logKey := func(n int) []byte { return []byte(fmt.Sprintf("log/%06d", n)) }
	// parse returns the sequence number of a log key, 0 for a fence.
	parse := func(k []byte) (int, error) {
		s, ok := strings.CutPrefix(string(k), "log/")
		if !ok {
			return 0, nil // the fence a: the log is empty
		}
		return strconv.Atoi(s)
	}
	getKey := func(rt kv.ReadTransaction, sel selector.KeySelector) (int, error) {
		k, err := rt.GetKey(sel)
		if err != nil {
			return 0, err
		}
		return parse(k)
	}
	readers := []struct {
		name     string
		snapshot bool
		read     func(tr *kv.Transaction) (int, error)
	}{
		{"GetKey", false, func(tr *kv.Transaction) (int, error) { return getKey(tr, gkLT("log0")) }},
		// One key back from the fence z that follows the log.
		{"GetKey offset", false, func(tr *kv.Transaction) (int, error) { return getKey(tr, gkLE("z").Add(-1)) }},
		{"kv.SelectorRange", false, func(tr *kv.Transaction) (int, error) {
			rows, err := tr.GetRange(kv.SelectorRange{Begin: gkLT("log0"), End: gkGE("log0")}, kv.RangeOptions{})
			if err != nil || len(rows) != 1 {
				return 0, fmt.Errorf("rows %q: %w", gkRows(rows), err)
			}
			return parse(rows[0].Key)
		}},
		{"Iterate reverse", false, func(tr *kv.Transaction) (int, error) {
			for kv, err := range tr.Iterate(kv.SelectorRange{Begin: gkLT("log/"), End: gkGE("log0")}, kv.RangeOptions{Reverse: true}) {
				if err != nil {
					return 0, err
				}
				return parse(kv.Key) // the first row in reverse is the last entry
			}
			return 0, errors.New("no rows: the fence a is missing")
		}},
		{"snapshot GetKey", true, func(tr *kv.Transaction) (int, error) { return getKey(tr.Snapshot(), gkLT("log0")) }},
	}
	for _, rd := range readers {
		t.Run(rd.name, func(t *testing.T) {
			db := atOpen(t, &kv.Options{MaxRetryDelay: 2 * time.Millisecond})
			atSet(t, db, []byte("a"), []byte("fence"))
			atSet(t, db, []byte("z"), []byte("fence"))
			rounds := make([]sync.WaitGroup, appends)
			for i := range rounds {
				rounds[i].Add(workers)
			}
			var g errgroup.Group
			for w := range workers {
				g.Go(func() error {
					for i := range appends {
						first := true
						err := db.Transact(func(tr *kv.Transaction) error {
							n, err := rd.read(tr)
							if first {
								first = false
								rounds[i].Done()
								rounds[i].Wait()
							}
							if err != nil {
								return err
							}
							tr.Set(logKey(n+1), []byte(fmt.Sprintf("%d/%d", w, i)))
							return nil
						})
						if err != nil {
							return err
						}
					}
					return nil
				})
			}
			require.NoError(t, g.Wait())

			tr := db.NewTransaction()
			rows, err := tr.GetRange(kv.KeyRange{Begin: []byte("log/"), End: []byte("log0")}, kv.RangeOptions{})
			require.NoError(t, err)
			for i, kv := range rows {
				require.Equal(t, string(logKey(i+1)), string(kv.Key), "the log has no gaps")
			}
			st := db.Stats()
			t.Logf("%d entries, %d conflicts, %d retries", len(rows), st.Conflicts, st.Retries)
			if rd.snapshot {
				require.Zero(t, st.Conflicts, "snapshot reads add no conflict")
				require.Less(t, len(rows), workers*appends, "snapshot reads let appends overwrite each other")
				return
			}
			require.Len(t, rows, workers*appends, "appends were lost")
			seen := map[string]bool{}
			for _, kv := range rows {
				require.False(t, seen[string(kv.Value)], "append %s written twice", kv.Value)
				seen[string(kv.Value)] = true
			}
			require.GreaterOrEqual(t, st.Conflicts, int64((workers-1)*appends),
				"in every round all first attempts but one read a stale last key")
		})
	}
}

func gkBigKey(i int) string { return fmt.Sprintf("k%05d", i) }

// TestGetKeyLargeOffsets resolves offsets of 10,000 forward and backward
// over 20,000 keys, committed or only in the transaction's own writes, with
// pending clears and sets in the way, and through selector ranges.
func TestGetKeyLargeOffsets(t *testing.T) {
	const n = 20_000
	all := make([]string, n)
	for i := range all {
		all[i] = gkBigKey(i)
	}

	check := func(t *testing.T, rt kv.ReadTransaction, ks []string) {
		t.Helper()
		cases := []selector.KeySelector{
			gkGE(gkBigKey(0)).Add(10_000),
			gkGE("").Add(10_000),
			gkGT(gkBigKey(4_999)).Add(10_000),
			gkLE(gkBigKey(n - 1)).Add(-10_000),
			gkLT("\xff").Add(-10_000),
			gkLT(gkBigKey(15_000)).Add(-10_000),
			gkSel(gkBigKey(12_345), true, -10_000),
			gkSel(gkBigKey(2_345), false, 10_000),
			gkGE("").Add(n - 1),
			gkGE("").Add(n), // off the end
			gkLE("z").Add(-n + 1),
			gkLE("z").Add(-n), // off the start
		}
		for _, sel := range cases {
			got, err := rt.GetKey(sel)
			require.NoError(t, err, "%v", sel)
			require.Equal(t, refResolve(ks, sel, "\xff"), string(got), "%v", sel)
		}
		r := kv.SelectorRange{Begin: gkGE(gkBigKey(0)).Add(10_000), End: gkLE(gkBigKey(n - 1)).Add(-5_000)}
		_, want, _, _, _, _ := refScan{bs: r.Begin, es: r.End}.rows(gkViewOf(ks), "\xff")
		rows, err := rt.GetRange(r, kv.RangeOptions{})
		require.NoError(t, err)
		require.Equal(t, want, gkKeysOf(gkRows(rows)))
		got, err := gkIterate(rt, r, kv.RangeOptions{Reverse: true}, 0)
		require.NoError(t, err)
		require.Equal(t, len(want), len(got))
	}

	t.Run("committed", func(t *testing.T) {
		db := atOpen(t, nil)
		require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
			for _, k := range all {
				tr.Set([]byte(k), nil)
			}
			return nil
		}))
		tr := db.NewTransaction()
		got, err := tr.GetKey(gkGE(gkBigKey(0)).Add(10_000))
		require.NoError(t, err)
		require.Equal(t, gkBigKey(10_000), string(got))
		require.Equal(t, []refSpan{{gkBigKey(0), gkBigKey(10_000) + "\x00"}}, gkReads(tr))
		got, err = tr.GetKey(gkLE(gkBigKey(n - 1)).Add(-10_000))
		require.NoError(t, err)
		require.Equal(t, gkBigKey(9_999), string(got))
		require.Equal(t, []refSpan{{gkBigKey(0), gkBigKey(n-1) + "\x00"}}, gkReads(tr))
		check(t, tr, all)
		check(t, tr.Snapshot(), all)
	})
	t.Run("own writes only", func(t *testing.T) {
		db := atOpen(t, nil)
		tr := db.NewTransaction()
		for _, k := range all {
			tr.Set([]byte(k), nil)
		}
		check(t, tr, all)
	})
	t.Run("committed with pending writes", func(t *testing.T) {
		db := atOpen(t, nil)
		require.NoError(t, db.Transact(func(tr *kv.Transaction) error {
			for _, k := range all {
				tr.Set([]byte(k), nil)
			}
			return nil
		}))
		tr := db.NewTransaction()
		view := gkViewOf(all)
		tr.ClearRange([]byte(gkBigKey(5_000)), []byte(gkBigKey(6_000)))
		for i := 5_000; i < 6_000; i++ {
			delete(view, gkBigKey(i))
		}
		for i := 7_000; i < 9_000; i += 4 {
			k := gkBigKey(i) + "x"
			tr.Set([]byte(k), nil)
			view[k] = []byte{}
			tr.Clear([]byte(gkBigKey(i + 1)))
			delete(view, gkBigKey(i+1))
		}
		check(t, tr, refVisible(view, "\xff"))
	})
}

func gkViewOf(ks []string) map[string][]byte {
	m := make(map[string][]byte, len(ks))
	for _, k := range ks {
		m[k] = []byte{}
	}
	return m
}

// TestGetKeyOutsideLegalRange: a selector whose key is beyond the max key
// (\xff, or \xff\xff with system key access) is refused with
// kv.ErrKeyOutsideLegalRange; the max key itself is allowed, as in
// FoundationDB (a selector may name the end of the key space).
func TestGetKeyOutsideLegalRange(t *testing.T) {
	db := gkOpen(t, "b", "\xff\x01")
	outside := func(t *testing.T, err error) {
		t.Helper()
		require.ErrorIs(t, err, kv.ErrKeyOutsideLegalRange)
		var e *kv.Error
		require.True(t, errors.As(err, &e))
		require.Equal(t, 2004, e.Code)
	}

	tr := db.NewTransaction()
	for _, sel := range []selector.KeySelector{gkGE("\xff\x00"), gkLT("\xff\x00"), gkLE("\xff\x01"), gkGT("\xff\xff"), gkSel("\xff\x00", false, -3)} {
		_, err := tr.GetKey(sel)
		outside(t, err)
		_, err = tr.Snapshot().GetKey(sel)
		outside(t, err)
		_, err = tr.GetRange(kv.SelectorRange{Begin: sel, End: gkGE("\xff")}, kv.RangeOptions{})
		outside(t, err)
		_, err = tr.GetRange(kv.SelectorRange{Begin: gkGE(""), End: sel}, kv.RangeOptions{})
		outside(t, err)
		_, err = gkIterate(tr, kv.SelectorRange{Begin: sel, End: gkGE("\xff")}, kv.RangeOptions{}, 0)
		outside(t, err)
	}
	require.Empty(t, gkReads(tr), "refused reads record no conflict")
	for _, c := range []struct {
		sel  selector.KeySelector
		want string
	}{{gkGE("\xff"), "\xff"}, {gkGT("\xff"), "\xff"}, {gkLE("\xff"), "b"}, {gkLT("\xff"), "b"}} {
		got, err := tr.GetKey(c.sel)
		require.NoError(t, err, "%v: the key \\xff itself is allowed", c.sel)
		require.Equal(t, c.want, string(got), "%v", c.sel)
	}
	rows, err := tr.GetRange(kv.SelectorRange{Begin: gkGE(""), End: gkGE("\xff")}, kv.RangeOptions{})
	require.NoError(t, err, "an end key of \\xff is allowed")
	require.Equal(t, []string{"b"}, gkKeysOf(gkRows(rows)))
	// The refused reads did not spoil the transaction.
	tr.Set([]byte("c"), nil)
	require.NoError(t, tr.Commit())

	for name, grant := range map[string]func(tr *kv.Transaction){
		"SetReadSystemKeys":   (*kv.Transaction).SetReadSystemKeys,
		"SetAccessSystemKeys": (*kv.Transaction).SetAccessSystemKeys,
	} {
		t.Run(name, func(t *testing.T) {
			tr := db.NewTransaction()
			grant(tr)
			got, err := tr.GetKey(gkGE("\xff\x00"))
			require.NoError(t, err)
			require.Equal(t, "\xff\x01", string(got))
			got, err = tr.GetKey(gkGT("\xff\x01"))
			require.NoError(t, err)
			require.Equal(t, "\xff\xff", string(got))
			got, err = tr.GetKey(gkLE("\xff\xff"))
			require.NoError(t, err)
			require.Equal(t, "\xff\x01", string(got))
			_, err = tr.GetKey(gkGE("\xff\xff\x00"))
			outside(t, err)
			_, err = tr.GetRange(kv.SelectorRange{Begin: gkGE(""), End: gkGE("\xff\xff\x00")}, kv.RangeOptions{})
			outside(t, err)
		})
	}
}
