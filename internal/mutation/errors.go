package mutation

import "errors"

// ErrVersionstampOffset reports a SetVersionstampedKey key or a
// SetVersionstampedValue param whose trailing position does not leave room
// for the 10-byte versionstamp. FoundationDB reports it as
// client_invalid_operation (2000).
var ErrVersionstampOffset = errors.New("mutation: versionstamp position out of bounds")
