package tuple

import "errors"

// Errors returned (or, from Pack, panicked with) by this package. Most come
// wrapped with detail (offset, element index), so compare with errors.Is.
var (
	// ErrUnsupportedType reports a tuple element whose Go type has no tuple
	// encoding, or a nil *big.Int.
	ErrUnsupportedType = errors.New("tuple: unsupported element type")

	// ErrIntegerTooLarge reports an integer whose magnitude needs more than
	// 255 bytes, the limit of the arbitrary-precision encoding.
	ErrIntegerTooLarge = errors.New("tuple: integer magnitude exceeds 255 bytes")

	// ErrIncompleteVersionstamp reports an incomplete Versionstamp given to
	// Pack; such tuples must go through PackWithVersionstamp.
	ErrIncompleteVersionstamp = errors.New("tuple: incomplete versionstamp outside PackWithVersionstamp")

	// ErrNoIncompleteVersionstamp reports a PackWithVersionstamp call on a
	// tuple that holds no incomplete Versionstamp.
	ErrNoIncompleteVersionstamp = errors.New("tuple: no incomplete versionstamp to pack with")

	// ErrMultipleIncompleteVersionstamps reports a tuple holding more than one
	// incomplete Versionstamp; a versionstamped key has exactly one placeholder.
	ErrMultipleIncompleteVersionstamps = errors.New("tuple: more than one incomplete versionstamp")

	// ErrInvalidEncoding reports bytes that Unpack cannot decode: an unknown
	// type code, a truncated element or an unterminated string or nested tuple.
	ErrInvalidEncoding = errors.New("tuple: invalid encoding")

	// ErrKeyOutsideSubspace reports a key given to Subspace.Unpack that does
	// not start with the subspace's prefix.
	ErrKeyOutsideSubspace = errors.New("tuple: key is outside the subspace")
)
