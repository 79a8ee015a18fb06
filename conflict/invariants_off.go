//go:build !invariants

package conflict

// CheckInvariants returns nil: the structural check runs only in builds with
// -tags invariants (see invariants_on.go).
func (h *History) CheckInvariants() error { return nil }
