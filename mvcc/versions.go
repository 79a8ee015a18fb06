package mvcc

// Version is one version of a key that Versions reports: the value a
// commit left (or its deletion) at commit version Ver. The slices belong to
// the store and must not be modified.
type Version struct {
	Key, Value []byte
	Ver        int64
	Deleted    bool
}

// versionsStep bounds the versions one step of Versions copies out under
// the read lock, besides the scanStep items it may visit.
const versionsStep = 1024

// Versions calls fn with every version of the keys of r whose commit
// version is in (after, upto], by key, and for each key oldest first, until
// fn returns false. It is what a reader needs to replay the commits of a
// range since a version (package kv's Subscribe): a deletion is reported
// only where a commit removed a present key, since Apply adds no other.
//
// Like Scan it works in bounded steps, calling fn outside the lock, and it
// sees exactly the versions applied up to upto provided the horizon of
// every Collect stays <= after for the whole call: versions above after
// are then never dropped.
func (s *Store) Versions(r KeyRange, after, upto int64, fn func(Version) bool) {
	if empty(r) || after >= upto {
		return
	}
	buf := make([]Version, 0, 64)
	var resumeKey []byte // the key a step stopped inside, if any
	resumeAfter := after
	var p Pacer
	for {
		buf = buf[:0]
		visits := scanStep
		done := true
		var last []byte
		s.mu.RLock()
		w := s.iter(r, false)
		for it := w.next(); it != nil; it = w.next() {
			from := after
			if resumeKey != nil && string(it.key) == string(resumeKey) {
				from = resumeAfter
			}
			n := len(buf)
			var stopped bool
			buf, stopped = it.versions(buf, from, upto, versionsStep)
			if stopped {
				// The step is full inside this key: resume in it, after
				// the last version taken.
				if len(buf) > n {
					from = buf[len(buf)-1].Ver
				}
				resumeKey, resumeAfter = it.key, from
				done = false
				break
			}
			if visits--; visits == 0 || len(buf) >= versionsStep {
				last, done = it.key, false
				break
			}
		}
		s.mu.RUnlock()
		for _, v := range buf {
			if !fn(v) {
				return
			}
		}
		if done {
			return
		}
		if last != nil {
			resumeKey = nil
			r, _ = past(r, false, last, nil)
		} else {
			r.Begin = resumeKey
		}
		p.Pause()
	}
}

// versions appends to dst the item's versions in (after, upto], oldest first,
// stopping once dst holds max entries; stopped says versions were left.
// Called with the lock held.
func (it *item) versions(dst []Version, after, upto int64, max int) (_ []Version, stopped bool) {
	if it.ver() <= after {
		return dst, false // the newest is too old: so are the others
	}
	add := func(v version) bool {
		if v.ver <= after || v.ver > upto {
			return true
		}
		if len(dst) == max {
			return false
		}
		dst = append(dst, Version{Key: it.key, Value: v.value, Ver: v.ver, Deleted: v.deleted})
		return true
	}
	if it.old != nil && it.old.c != nil && !it.old.c.each(after, add) {
		return dst, true
	}
	if !add(it.newest()) {
		return dst, true
	}
	return dst, false
}
