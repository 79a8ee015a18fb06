package kv

import (
	"container/heap"
	"time"
)

// DefaultIdempotencyTTL is how long an idempotency key is remembered when
// SetIdempotencyKey is given no positive ttl.
const DefaultIdempotencyTTL = 10 * time.Minute

// SetIdempotencyKey guards the transaction's commit against being applied
// twice: once a transaction carrying id has committed writes, the store
// remembers id for ttl (wall-clock; ttl <= 0 means DefaultIdempotencyTTL),
// and any later commit carrying the same id within that time applies
// nothing and fails with ErrAlreadyCommitted, after which
// GetCommittedVersion returns the version of the commit that used id. Of
// concurrent transactions with the same id at most one commits. Like the
// timeout it survives OnError; Reset drops it. An id longer than
// MaxKeySize fails the transaction with ErrKeyTooLarge.
func (tr *Transaction) SetIdempotencyKey(id []byte, ttl time.Duration) {
	tr.lock()
	defer tr.mu.Unlock()
	if len(id) > MaxKeySize {
		tr.deferErr(newError(codeKeyTooLarge, "idempotency key of %d bytes exceeds the limit of %d", len(id), MaxKeySize))
		return
	}
	if ttl <= 0 {
		ttl = DefaultIdempotencyTTL
	}
	tr.idem = &idemOption{key: string(id), ttl: ttl}
}

// idemOption is a transaction's idempotency key and how long to remember
// it.
type idemOption struct {
	key string
	ttl time.Duration
}

// idempotency remembers the keys of committed transactions until they
// expire. It is guarded by db.commitMu, so checking a key and recording it
// are one step with the commit.
type idempotency struct {
	keys    map[string]idemEntry
	expiry  idemHeap // the same keys, soonest expiry first
	peakLen int      // the map's largest size since it was last rebuilt
}

type idemEntry struct {
	version int64
	expires int64 // db clock
}

// lookup returns the commit version that used key, if it is remembered and
// not expired at now.
func (m *idempotency) lookup(key string, now int64) (int64, bool) {
	e, ok := m.keys[key]
	if !ok || e.expires <= now {
		return 0, false
	}
	return e.version, true
}

func (m *idempotency) remember(key string, version, expires int64) {
	if m.keys == nil {
		m.keys = make(map[string]idemEntry)
	}
	m.keys[key] = idemEntry{version: version, expires: expires}
	heap.Push(&m.expiry, idemExpiry{key: key, expires: expires})
	m.peakLen = max(m.peakLen, len(m.keys))
}

// expire forgets the keys whose time is up. A Go map never gives back its
// buckets, so once it has shrunk to a quarter of its peak it is rebuilt and
// the memory returns.
func (m *idempotency) expire(now int64) {
	for len(m.expiry) > 0 && m.expiry[0].expires <= now {
		x := heap.Pop(&m.expiry).(idemExpiry)
		if e, ok := m.keys[x.key]; ok && e.expires == x.expires {
			delete(m.keys, x.key)
		}
	}
	if m.peakLen >= 1024 && len(m.keys) < m.peakLen/4 {
		keys := make(map[string]idemEntry, len(m.keys))
		for k, e := range m.keys {
			keys[k] = e
		}
		m.keys, m.peakLen = keys, len(keys)
		m.expiry = append(idemHeap(nil), m.expiry...)
	}
	if len(m.keys) == 0 {
		m.keys, m.expiry, m.peakLen = nil, nil, 0
	}
}

type idemExpiry struct {
	key     string
	expires int64
}

type idemHeap []idemExpiry

func (h idemHeap) Len() int           { return len(h) }
func (h idemHeap) Less(i, j int) bool { return h[i].expires < h[j].expires }
func (h idemHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *idemHeap) Push(x any)        { *h = append(*h, x.(idemExpiry)) }
func (h *idemHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// checkIdempotency refuses a commit whose idempotency key a remembered
// commit used. Called with db.commitMu held.
func (tr *Transaction) checkIdempotency(now int64) error {
	db := tr.db
	db.idem.expire(now)
	if v, ok := db.idem.lookup(tr.idem.key, now); ok {
		tr.committedVer = v
		return newError(codeAlreadyCommitted, "idempotency key %q was used by the commit at version %d", printable([]byte(tr.idem.key)), v)
	}
	return nil
}
