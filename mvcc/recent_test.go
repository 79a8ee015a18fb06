package mvcc

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// checkRecent fails t unless every good slot points at the tree's item for
// its key: the invariant that lets reads use the cache.
func checkRecent(t *testing.T, s *Store) {
	t.Helper()
	for i, c := range s.recent.items {
		if c == nil || s.recent.shape[i] != s.tree.shape {
			continue
		}
		q := ikey{p0: s.recent.words[i][0], p1: s.recent.words[i][1], key: c.key}
		it := s.tree.find(&q)
		require.True(t, it == c, "slot %d holds %q, which is not the tree's item", i, c.key)
	}
}

// TestRecentKeyCollectedAndRewritten: a key deleted, collected out of the
// tree and written again is a new key, with one version.
func TestRecentKeyCollectedAndRewritten(t *testing.T) {
	s := New()
	k := []byte("counter")
	s.Apply(1, nil, []Write{{Key: k, Value: []byte("1")}})
	s.Apply(2, nil, []Write{{Key: k, Delete: true}})
	for s.Collect(2, 0) {
	}
	require.Equal(t, Stats{}, s.Stats())
	checkRecent(t, s)
	s.Apply(3, nil, []Write{{Key: k, Value: []byte("3")}})
	require.Equal(t, Stats{Keys: 1, Versions: 1}, s.Stats())
	_, ok := s.Get(k, 2)
	require.False(t, ok)
	v, ok := s.Get(k, 3)
	require.True(t, ok)
	require.Equal(t, "3", string(v))
	checkRecent(t, s)
}
