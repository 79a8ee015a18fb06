package kv_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"github.com/plinthdb/plinth/kv"
	"github.com/plinthdb/plinth/selector"
)

// TestDataDriven runs the rule files of testdata/: each is a script over
// one database and named transactions, one command per line, with what the
// command prints below it. Run with -rewrite to regenerate the expected
// output after a deliberate change of behaviour, then read the diff.
//
// The commands (keys and values are Go-escaped without quotes, "" is the
// empty key or value, 0x… a value in hex):
//
//	open [window=5s]                    a new, empty database on a stopped clock
//	load k[=v] …                        commit sets (default value v:k), system keys allowed;
//	                                    prints nothing unless the commit fails
//	committed k=v | k | -k | b..e | conflict:b..e …
//	                                    another transaction commits sets (k alone: "other"),
//	                                    clears, clear-ranges and write conflict ranges; or, given an input block,
//	                                    the write commands there (without a transaction name)
//	advance-clock 6s                    move the database's clock
//	begin t [system] [access-system]    a new transaction named t
//	set t k v | clear t k | clear-range t b e
//	atomic t op k param                 op: add, bit-and, bit-or, bit-xor, append-if-fits, max,
//	                                    min, byte-min, byte-max, compare-and-clear
//	set-versionstamped-key t prefix v [suffix=s]     key prefix+placeholder+suffix
//	set-versionstamped-value t k prefix [suffix=s]   value prefix+placeholder+suffix
//	get t k [snapshot]
//	get-range t b e [limit=n] [reverse] [snapshot] [iterate] [stop=n]
//	get-key t sel [snapshot]            sel: fge(k) fgt(k) lle(k) llt(k) sel(k,T|F,n), then +n or -n
//	get-range-selectors t sel sel [the options of get-range]
//	                                    a read with the flag all is made every way the API
//	                                    offers (plain and snapshot; GetRange and Iterate) and
//	                                    prints the common answer, or each if they differ
//	add-read-conflict t b [e] | add-write-conflict t b [e]
//	set-read-version t n | get-read-version t | cancel t | reset t
//	commit t                            prints v=commit version, read-only, or the error
//	conflicts t | write-conflicts t     the recorded conflict ranges, sorted and merged
//	probe t w … with an input block     runs the block on a fresh database once per write w
//	                                    (shorthand of committed), another transaction commits
//	                                    w, then t writes and commits: prints whether each
//	                                    write made it conflict
func TestDataDriven(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		if !strings.HasSuffix(path, ".txt") {
			return
		}
		e := &ddEnv{t: t}
		t.Cleanup(e.close)
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			e.t = t
			return e.run(d.Cmd, d.CmdArgs, d.Input)
		})
	})
}

type ddEnv struct {
	t     testing.TB
	db    *kv.DB
	clock *kv.Clock
	txs   map[string]*kv.Transaction
}

func (e *ddEnv) close() {
	if e.db != nil {
		e.db.Close()
		e.db = nil
	}
}

func (e *ddEnv) open(window time.Duration) {
	e.close()
	db, err := kv.Open(&kv.Options{MVCCWindow: window})
	if err != nil {
		e.t.Fatalf("open: %v", err)
	}
	e.db, e.clock, e.txs = db, kv.UseClock(db), map[string]*kv.Transaction{}
}

// ddArgs splits a command's arguments into positional ones and options
// (name=value, or a bare flag from a known set).
type ddArgs struct {
	pos  []string
	opts map[string]string
}

var ddFlags = map[string]bool{"snapshot": true, "reverse": true, "iterate": true, "all": true, "system": true, "access-system": true}

func ddSplit(args []datadriven.CmdArg) ddArgs {
	a := ddArgs{opts: map[string]string{}}
	for _, arg := range args {
		switch {
		case len(arg.Vals) > 0:
			a.opts[arg.Key] = strings.Join(arg.Vals, ",")
		case ddFlags[arg.Key]:
			a.opts[arg.Key] = ""
		default:
			a.pos = append(a.pos, arg.Key)
		}
	}
	return a
}

func (a ddArgs) has(k string) bool { _, ok := a.opts[k]; return ok }

func (e *ddEnv) fatalf(format string, args ...any) {
	e.t.Helper()
	e.t.Fatalf(format, args...)
}

func (a ddArgs) need(e *ddEnv, n int) {
	if len(a.pos) < n {
		e.fatalf("want %d arguments, have %q", n, a.pos)
	}
}

func (e *ddEnv) int(a ddArgs, name string) int {
	s, ok := a.opts[name]
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		e.fatalf("%s=%s: %v", name, s, err)
	}
	return n
}

func (e *ddEnv) tx(name string) *kv.Transaction {
	tr, ok := e.txs[name]
	if !ok {
		e.fatalf("no transaction %q", name)
	}
	return tr
}

func (e *ddEnv) run(cmd string, args []datadriven.CmdArg, input string) string {
	if e.db == nil && cmd != "open" {
		e.open(0)
	}
	a := ddSplit(args)
	switch cmd {
	case "open":
		var window time.Duration
		if s, ok := a.opts["window"]; ok {
			var err error
			if window, err = time.ParseDuration(s); err != nil {
				e.fatalf("window: %v", err)
			}
		}
		e.open(window)
		return ""
	case "advance-clock":
		a.need(e, 1)
		d, err := time.ParseDuration(a.pos[0])
		if err != nil {
			e.fatalf("advance-clock: %v", err)
		}
		e.clock.Advance(d)
		return ""
	case "load":
		tr := e.db.NewTransaction()
		tr.SetAccessSystemKeys()
		for _, arg := range args {
			k := ddKey(arg.Key)
			v := append([]byte("v:"), k...)
			if len(arg.Vals) > 0 {
				v = ddValue(arg.Vals[0])
			}
			tr.Set(k, v)
		}
		if out := ddCommitResult(tr); !strings.HasPrefix(out, "v=") {
			return out
		}
		return ""
	case "committed":
		tr := e.db.NewTransaction()
		if input != "" {
			for _, line := range strings.Split(input, "\n") {
				c, cargs, err := datadriven.ParseLine(line)
				if err != nil {
					e.fatalf("%v", err)
				}
				if c == "" {
					continue
				}
				if out := e.op(tr, c, ddSplit(cargs)); out != "" {
					return out
				}
			}
		}
		for _, arg := range args {
			w := arg.Key
			if len(arg.Vals) > 0 {
				w += "=" + arg.Vals[0]
			}
			ddShorthand(tr, w)
		}
		return ddCommitResult(tr)
	case "begin":
		a.need(e, 1)
		tr := e.db.NewTransaction()
		if a.has("system") {
			tr.SetReadSystemKeys()
		}
		if a.has("access-system") {
			tr.SetAccessSystemKeys()
		}
		e.txs[a.pos[0]] = tr
		return ""
	case "probe":
		return e.probe(a, input)
	}
	a.need(e, 1)
	tr := e.tx(a.pos[0])
	a.pos = a.pos[1:]
	return e.op(tr, cmd, a)
}

// op runs one command on tr; a.pos no longer holds the transaction name.
func (e *ddEnv) op(tr *kv.Transaction, cmd string, a ddArgs) string {
	if a.has("all") {
		return e.everyWay(tr, cmd, a)
	}
	var rt kv.ReadTransaction = tr
	if a.has("snapshot") {
		rt = tr.Snapshot()
	}
	switch cmd {
	case "set":
		a.need(e, 2)
		tr.Set(ddKey(a.pos[0]), ddValue(a.pos[1]))
	case "clear":
		a.need(e, 1)
		tr.Clear(ddKey(a.pos[0]))
	case "clear-range":
		a.need(e, 2)
		tr.ClearRange(ddKey(a.pos[0]), ddKey(a.pos[1]))
	case "atomic":
		a.need(e, 3)
		op, ok := ddOps[a.pos[0]]
		if !ok {
			e.fatalf("unknown atomic op %q", a.pos[0])
		}
		tr.Atomic(op, ddKey(a.pos[1]), ddValue(a.pos[2]))
	case "set-versionstamped-key":
		a.need(e, 2)
		tr.SetVersionstampedKey(ddStamped(ddKey(a.pos[0]), ddKey(a.opts["suffix"])), ddValue(a.pos[1]))
	case "set-versionstamped-value":
		a.need(e, 2)
		tr.SetVersionstampedValue(ddKey(a.pos[0]), ddStamped(ddValue(a.pos[1]), ddValue(a.opts["suffix"])))
	case "add-read-conflict", "add-write-conflict":
		a.need(e, 1)
		b := ddKey(a.pos[0])
		end := append(slices.Clone(b), 0)
		if len(a.pos) > 1 {
			end = ddKey(a.pos[1])
		}
		add := tr.AddReadConflictRange
		if cmd == "add-write-conflict" {
			add = tr.AddWriteConflictRange
		}
		if err := add(b, end); err != nil {
			return ddError(err)
		}
	case "get":
		a.need(e, 1)
		v, err := rt.Get(ddKey(a.pos[0]))
		if err != nil {
			return ddError(err)
		}
		if v == nil {
			return "<absent>"
		}
		return ddShowValue(v)
	case "get-key":
		a.need(e, 1)
		k, err := rt.GetKey(e.selector(a.pos[0]))
		if err != nil {
			return ddError(err)
		}
		if k == nil {
			return "error: a nil key; a resolved key is never nil, even when empty"
		}
		return ddShowKey(k)
	case "get-range":
		a.need(e, 2)
		return e.rangeRead(rt, kv.KeyRange{Begin: ddKey(a.pos[0]), End: ddKey(a.pos[1])}, a)
	case "get-range-selectors":
		a.need(e, 2)
		return e.rangeRead(rt, kv.SelectorRange{Begin: e.selector(a.pos[0]), End: e.selector(a.pos[1])}, a)
	case "set-read-version":
		a.need(e, 1)
		v, err := strconv.ParseInt(a.pos[0], 10, 64)
		if err != nil {
			e.fatalf("set-read-version: %v", err)
		}
		tr.SetReadVersion(v)
	case "get-read-version":
		v, err := tr.GetReadVersion()
		if err != nil {
			return ddError(err)
		}
		return strconv.FormatInt(v, 10)
	case "commit":
		return ddCommitResult(tr)
	case "cancel":
		tr.Cancel()
	case "reset":
		tr.Reset()
	case "conflicts":
		return ddShowRanges(kv.ReadConflicts(tr))
	case "write-conflicts":
		return ddShowRanges(kv.WriteConflicts(tr))
	default:
		e.fatalf("unknown command %q", cmd)
	}
	return ""
}

// everyWay runs a read through the transaction and through its Snapshot
// view, and a range read also through Iterate; it prints the common answer,
// or every answer when they differ.
func (e *ddEnv) everyWay(tr *kv.Transaction, cmd string, a ddArgs) string {
	delete(a.opts, "all")
	type way struct {
		name string
		opts map[string]string
	}
	ways := []way{{"plain", nil}, {"snapshot", map[string]string{"snapshot": ""}}}
	if strings.HasPrefix(cmd, "get-range") {
		ways = append(ways, way{"iterate", map[string]string{"iterate": ""}},
			way{"snapshot iterate", map[string]string{"snapshot": "", "iterate": ""}})
	}
	var outs []string
	same := true
	for _, w := range ways {
		b := ddArgs{pos: a.pos, opts: maps.Clone(a.opts)}
		maps.Copy(b.opts, w.opts)
		out := e.op(tr, cmd, b)
		same = same && (len(outs) == 0 || out == outs[0][strings.Index(outs[0], ": ")+2:])
		outs = append(outs, w.name+": "+out)
	}
	if same {
		return outs[0][strings.Index(outs[0], ": ")+2:]
	}
	return strings.Join(outs, "\n")
}

func (e *ddEnv) rangeRead(rt kv.ReadTransaction, r kv.Range, a ddArgs) string {
	opts := kv.RangeOptions{Limit: e.int(a, "limit"), Reverse: a.has("reverse")}
	var rows []kv.KeyValue
	var err error
	if stop := e.int(a, "stop"); a.has("iterate") || stop > 0 {
		for row, ierr := range rt.Iterate(r, opts) {
			if ierr != nil {
				err = ierr
				break
			}
			rows = append(rows, row)
			if stop > 0 && len(rows) == stop {
				break
			}
		}
	} else {
		rows, err = rt.GetRange(r, opts)
	}
	if err != nil {
		return ddError(err)
	}
	if len(rows) == 0 {
		return "<empty>"
	}
	out := make([]string, len(rows))
	for i, row := range rows {
		out[i] = ddShowKey(row.Key) + "=" + ddShowValue(row.Value)
	}
	return strings.Join(out, " ")
}

// probe runs the input block on a fresh database once per write of a.pos[1:]:
// after the block, another transaction commits the write, then the named
// transaction sets a key of its own and commits. It prints the block's
// output (the same every run) and, per write, "conflict" or "ok". A
// conflict's failed read range must meet what the write covered.
func (e *ddEnv) probe(a ddArgs, input string) string {
	a.need(e, 2)
	name, writes := a.pos[0], a.pos[1:]
	var first string
	var out []string
	for i, w := range writes {
		sub := &ddEnv{t: e.t}
		sub.open(0)
		var lines []string
		for _, line := range strings.Split(input, "\n") {
			c, cargs, err := datadriven.ParseLine(line)
			if err != nil {
				e.fatalf("%v", err)
			}
			if c == "" {
				continue
			}
			if s := sub.run(c, cargs, ""); s != "" {
				lines = append(lines, s)
			}
		}
		got := strings.Join(lines, "\n")
		if i == 0 {
			first = got
		} else if got != first {
			e.fatalf("probe %q: the block printed %q, before %q", w, got, first)
		}
		o := sub.db.NewTransaction()
		ddShorthand(o, w)
		if err := o.Commit(); err != nil {
			e.fatalf("probe %q: the other commit: %v", w, err)
		}
		tr := sub.tx(name)
		tr.Set([]byte("mine"), []byte("x"))
		err := tr.Commit()
		var ce *kv.ConflictError
		switch {
		case err == nil:
			out = append(out, w+": ok")
		case errors.As(err, &ce):
			b, end := ddWritten(w)
			if bytes.Compare(ce.Begin, end) >= 0 || bytes.Compare(b, ce.End) >= 0 {
				e.fatalf("probe %q: the failed range [%q, %q) misses the write [%q, %q)", w, ce.Begin, ce.End, b, end)
			}
			out = append(out, w+": conflict")
		default:
			out = append(out, w+": "+ddError(err))
		}
		sub.close()
	}
	if first != "" {
		out = append([]string{first}, out...)
	}
	return strings.Join(out, "\n")
}

// ddWritten returns the range a shorthand write covers.
func ddWritten(w string) (begin, end []byte) {
	w = strings.TrimPrefix(strings.TrimPrefix(w, "-"), "conflict:")
	if b, e, ok := strings.Cut(w, ".."); ok {
		return ddKey(b), ddKey(e)
	}
	k, _, _ := strings.Cut(w, "=")
	return ddKey(k), append(ddKey(k), 0)
}

// ddShorthand makes one write given as -k (clear), b..e (clear range), k=v
// (set), conflict:b..e (a write conflict range only) or k (set to "other").
func ddShorthand(tr *kv.Transaction, w string) {
	switch {
	case strings.HasPrefix(w, "-"):
		tr.Clear(ddKey(w[1:]))
	case strings.HasPrefix(w, "conflict:"):
		b, e, _ := strings.Cut(strings.TrimPrefix(w, "conflict:"), "..")
		if err := tr.AddWriteConflictRange(ddKey(b), ddKey(e)); err != nil {
			panic(err)
		}
	case strings.Contains(w, ".."):
		b, e, _ := strings.Cut(w, "..")
		tr.ClearRange(ddKey(b), ddKey(e))
	case strings.Contains(w, "="):
		k, v, _ := strings.Cut(w, "=")
		tr.Set(ddKey(k), ddValue(v))
	default:
		tr.Set(ddKey(w), []byte("other"))
	}
}

var ddOps = map[string]kv.MutationType{
	"add": kv.Add, "bit-and": kv.BitAnd, "bit-or": kv.BitOr, "bit-xor": kv.BitXor,
	"append-if-fits": kv.AppendIfFits, "max": kv.Max, "min": kv.Min,
	"byte-min": kv.ByteMin, "byte-max": kv.ByteMax, "compare-and-clear": kv.CompareAndClear,
}

// ddStamped returns prefix, a 10-byte placeholder, suffix, then the
// placeholder's offset as 4 little-endian bytes.
func ddStamped(prefix, suffix []byte) []byte {
	b := slices.Concat(prefix, make([]byte, 10), suffix)
	return binary.LittleEndian.AppendUint32(b, uint32(len(prefix)))
}

// ddKey parses a Go-escaped key without quotes; "" is the empty key.
func ddKey(s string) []byte {
	if s == `""` {
		return []byte{}
	}
	u, err := strconv.Unquote(`"` + s + `"`)
	if err != nil {
		panic(fmt.Sprintf("key %s: %v", s, err))
	}
	return []byte(u)
}

// ddValue parses a value: 0x… is hex, otherwise as a key.
func ddValue(s string) []byte {
	if h, ok := strings.CutPrefix(s, "0x"); ok {
		b, err := hex.DecodeString(h)
		if err != nil {
			panic(fmt.Sprintf("value %s: %v", s, err))
		}
		return append([]byte{}, b...)
	}
	return ddKey(s)
}

func ddShowKey(k []byte) string {
	if len(k) == 0 {
		return `""`
	}
	q := strconv.Quote(string(k))
	return q[1 : len(q)-1]
}

// ddShowValue prints printable values as text, others in hex.
func ddShowValue(v []byte) string {
	if len(v) == 0 {
		return `""`
	}
	for _, c := range v {
		if c <= ' ' || c > '~' || c == '=' || c == '"' || c == '\\' {
			return "0x" + hex.EncodeToString(v)
		}
	}
	return string(v)
}

// ddShowRanges sorts and merges ranges, so that two descriptions of one key
// set print alike.
func ddShowRanges(rs [][2][]byte) string {
	slices.SortFunc(rs, func(x, y [2][]byte) int { return bytes.Compare(x[0], y[0]) })
	var merged [][2][]byte
	for _, r := range rs {
		if bytes.Compare(r[0], r[1]) >= 0 {
			continue
		}
		if n := len(merged); n > 0 && bytes.Compare(r[0], merged[n-1][1]) <= 0 {
			if bytes.Compare(r[1], merged[n-1][1]) > 0 {
				merged[n-1][1] = r[1]
			}
			continue
		}
		merged = append(merged, r)
	}
	if len(merged) == 0 {
		return "<none>"
	}
	out := make([]string, len(merged))
	for i, r := range merged {
		out[i] = "[" + ddShowKey(r[0]) + ", " + ddShowKey(r[1]) + ")"
	}
	return strings.Join(out, " ")
}

func ddCommitResult(tr *kv.Transaction) string {
	if err := tr.Commit(); err != nil {
		return ddError(err)
	}
	v, err := tr.GetCommittedVersion()
	if err != nil {
		return ddError(err)
	}
	if v < 0 {
		return "read-only"
	}
	return "v=" + strconv.FormatInt(v, 10)
}

// ddErrorNames are FoundationDB's names of the codes the rule files meet.
var ddErrorNames = map[int]string{
	1007: "transaction_too_old", 1009: "future_version", 1020: "not_committed",
	1025: "transaction_cancelled", 1036: "accessed_unreadable", 2000: "client_invalid_operation",
	2004: "key_outside_legal_range", 2005: "inverted_range", 2010: "read_version_already_set",
	2011: "version_invalid", 2012: "range_limits_invalid", 2017: "used_during_commit",
	2018: "invalid_mutation_type", 2021: "no_commit_version", 2102: "key_too_large",
	2103: "value_too_large",
}

func ddError(err error) string {
	var ke *kv.Error
	if !errors.As(err, &ke) {
		return "error: " + err.Error()
	}
	name := ddErrorNames[ke.Code]
	if name == "" {
		name = strconv.Itoa(ke.Code)
	}
	var ce *kv.ConflictError
	if errors.As(err, &ce) {
		return fmt.Sprintf("error: %s on [%s, %s)", name, ddShowKey(ce.Begin), ddShowKey(ce.End))
	}
	return "error: " + name
}

// selector parses fge(k), fgt(k), lle(k), llt(k) or sel(k,T|F,offset), then
// an optional +n or -n added to the offset.
func (e *ddEnv) selector(s string) selector.KeySelector {
	open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || close < open {
		e.fatalf("selector %q", s)
	}
	name, inner, rest := s[:open], s[open+1:close], s[close+1:]
	var sel selector.KeySelector
	switch name {
	case "fge":
		sel = selector.FirstGreaterOrEqual(ddKey(inner))
	case "fgt":
		sel = selector.FirstGreaterThan(ddKey(inner))
	case "lle":
		sel = selector.LastLessOrEqual(ddKey(inner))
	case "llt":
		sel = selector.LastLessThan(ddKey(inner))
	case "sel":
		parts := strings.Split(inner, ",")
		if len(parts) < 3 {
			e.fatalf("selector %q", s)
		}
		k := strings.Join(parts[:len(parts)-2], ",")
		off, err := strconv.Atoi(parts[len(parts)-1])
		if err != nil {
			e.fatalf("selector %q: %v", s, err)
		}
		sel = selector.KeySelector{Key: ddKey(k), OrEqual: parts[len(parts)-2] == "T", Offset: off}
	default:
		e.fatalf("selector %q", s)
	}
	if rest != "" {
		n, err := strconv.Atoi(rest)
		if err != nil {
			e.fatalf("selector %q: %v", s, err)
		}
		sel = sel.Add(n)
	}
	return sel
}
