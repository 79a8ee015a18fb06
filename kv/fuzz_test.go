package kv

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/plinthdb/plinth/selector"
)

// FuzzTransaction drives the public API with operations and bytes decoded
// from the input: arbitrary keys (system keys, empty keys, inverted ranges),
// every mutation type including invalid ones, selectors with any offset.
// Whatever the input, nothing may panic, every error must be a *kv.Error,
// and a committed transaction's writes must read back as its own reads saw
// them.
func FuzzTransaction(f *testing.F) {
	f.Add([]byte("\x00a\x01b\x02\x03ab\x04"))
	f.Add([]byte("\x05\xff\xff\x00\x06\x02\x01\x07\x09\x0e"))
	f.Add([]byte("\x01k\x00\x0a\x00\x0b\x0e\x10\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// A database per input keeps runs independent; a tiny backoff
		// exercises OnError without waiting on it.
		db, err := Open(&Options{MaxRetryDelay: time.Microsecond})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		tr := db.NewTransaction()
		defer tr.Cancel()
		next := func() byte {
			if len(data) == 0 {
				return 0
			}
			b := data[0]
			data = data[1:]
			return b
		}
		bytesN := func() []byte {
			n := int(next() % 6)
			if n > len(data) {
				n = len(data)
			}
			b := append([]byte(nil), data[:n]...)
			data = data[n:]
			return b
		}
		check := func(err error) {
			if err == nil {
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error without a code: %v", err)
			}
		}
		// commit commits tr and checks the promise above: the database then
		// holds exactly what tr's own reads showed just before (nothing
		// else commits meanwhile). A view that could not be read (a
		// pending versionstamped key makes its range unreadable) is not
		// compared.
		userKeys := KeyRange{End: []byte{0xff}}
		commit := func() error {
			view, verr := tr.Snapshot().GetRange(userKeys, RangeOptions{})
			err := tr.Commit()
			check(err)
			if err != nil || verr != nil {
				return err
			}
			var after []KeyValue
			check(db.ReadTransact(func(rt ReadTransaction) error {
				var err error
				after, err = rt.GetRange(userKeys, RangeOptions{})
				return err
			}))
			if len(view) != len(after) {
				t.Fatalf("committed %d rows, the transaction saw %d", len(after), len(view))
			}
			for i := range view {
				if !bytes.Equal(view[i].Key, after[i].Key) || !bytes.Equal(view[i].Value, after[i].Value) {
					t.Fatalf("row %d: committed %q=%q, the transaction saw %q=%q", i, after[i].Key, after[i].Value, view[i].Key, view[i].Value)
				}
			}
			return nil
		}
		for len(data) > 0 {
			switch next() % 12 {
			case 0:
				tr.Set(bytesN(), bytesN())
			case 1:
				tr.Clear(bytesN())
			case 2:
				tr.ClearRange(bytesN(), bytesN())
			case 3:
				_, err := tr.Get(bytesN())
				check(err)
			case 4:
				_, err := tr.GetRange(KeyRange{bytesN(), bytesN()}, RangeOptions{Limit: int(next()%4) - 1, Reverse: next()%2 == 0, NoCopy: next()%2 == 0})
				check(err)
			case 5:
				sel := selector.KeySelector{Key: bytesN(), OrEqual: next()%2 == 0, Offset: int(int8(next()))}
				_, err := tr.GetKey(sel)
				check(err)
			case 6:
				tr.Atomic(MutationType(next()%22), bytesN(), bytesN())
			case 7:
				for _, err := range tr.Snapshot().Iterate(SelectorRange{
					selector.KeySelector{Key: bytesN(), Offset: int(int8(next()))},
					selector.KeySelector{Key: bytesN(), OrEqual: true, Offset: int(int8(next()))},
				}, RangeOptions{Limit: int(next() % 4), NoCopy: next()%2 == 0}) {
					check(err)
				}
			case 8:
				check(tr.AddReadConflictRange(bytesN(), bytesN()))
			case 9:
				check(tr.AddWriteConflictRange(bytesN(), bytesN()))
			case 10:
				if next()%2 == 0 {
					tr.SetAccessSystemKeys()
				} else {
					tr.SetNextWriteNoWriteConflictRange()
				}
			case 11:
				err := commit()
				if err == nil {
					check(tr.OnError(newError(codeNotCommitted, "")))
				}
				tr.Reset()
			}
		}
		commit()
	})
}
