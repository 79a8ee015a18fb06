//go:build invariants

package conflict

// CheckInvariants verifies the structure of the history's tree (order,
// fill, prefixes, and the maximum version each inner entry caches) and
// returns the first violation. This build, with -tags invariants, checks;
// without the tag CheckInvariants returns nil at no cost. Like every method
// of History, the caller serialises it with the others.
func (h *History) CheckInvariants() error { return checkTree(&h.t) }
