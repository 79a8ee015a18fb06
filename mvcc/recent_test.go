package mvcc

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// checkRecent fails t unless every cached item is the tree's item for its
// key, field for field: the invariant that lets reads use the cache.
func checkRecent(t *testing.T, s *Store) {
	t.Helper()
	for i := range s.recent.items {
		if !s.recent.full[i] {
			continue
		}
		c := s.recent.items[i]
		it, found := s.tree.Get(c)
		require.True(t, found, "slot %d holds %q, which the tree does not", i, c.key)
		require.Equal(t, it, c, "slot %d differs from the tree's item", i)
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
