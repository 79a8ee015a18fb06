package mutation

import "strconv"

// Type is an atomic mutation type, numbered with FoundationDB's codes
// (FDBMutationType in fdb_c.h).
type Type uint8

// The atomic mutation types. BitAnd and Min carry FoundationDB's public codes
// (6 and 13) but follow the current AndV2 and MinV2 rules, as every client at
// API version 510 or later does.
const (
	Add                    Type = 2
	BitAnd                 Type = 6
	BitOr                  Type = 7
	BitXor                 Type = 8
	AppendIfFits           Type = 9
	Max                    Type = 12
	Min                    Type = 13
	SetVersionstampedKey   Type = 14
	SetVersionstampedValue Type = 15
	ByteMin                Type = 16
	ByteMax                Type = 17
	CompareAndClear        Type = 20
)

// MaxValueSize is FoundationDB's value size limit in bytes. AppendIfFits
// leaves the value unchanged rather than grow it beyond this.
const MaxValueSize = 100000

var typeNames = [...]string{
	Add:                    "Add",
	BitAnd:                 "BitAnd",
	BitOr:                  "BitOr",
	BitXor:                 "BitXor",
	AppendIfFits:           "AppendIfFits",
	Max:                    "Max",
	Min:                    "Min",
	SetVersionstampedKey:   "SetVersionstampedKey",
	SetVersionstampedValue: "SetVersionstampedValue",
	ByteMin:                "ByteMin",
	ByteMax:                "ByteMax",
	CompareAndClear:        "CompareAndClear",
}

// Valid reports whether t is one of the mutation types above.
func (t Type) Valid() bool {
	return int(t) < len(typeNames) && typeNames[t] != ""
}

// String returns the name of t as in FoundationDB's Go binding ("Add",
// "BitAnd", ...), or "Type(n)" for an invalid type.
func (t Type) String() string {
	if t.Valid() {
		return typeNames[t]
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}
