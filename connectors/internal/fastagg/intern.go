package fastagg

import "sync"

// NullID is the id of a null map value (a map key whose value is null),
// distinct from the id 0 of the empty string.
const NullID = ^uint32(0)

// Interner gives every distinct byte string a dense uint32 id, shared by
// the workers of a scan: id 0 is the empty string. Workers reach it
// through their Local caches: values of PLAIN pages one at a time, a
// dictionary's entries as one batch. It is safe for concurrent use.
type Interner struct {
	mu   sync.RWMutex
	ids  map[string]uint32
	strs []string
}

// NewInterner returns an interner holding only the empty string.
func NewInterner() *Interner {
	return &Interner{ids: map[string]uint32{"": 0}, strs: []string{""}}
}

// ID returns the id of b, adding it if it is new.
func (in *Interner) ID(b []byte) uint32 {
	in.mu.RLock()
	id, ok := in.ids[string(b)]
	in.mu.RUnlock()
	if ok {
		return id
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.add(b)
}

// add returns the id of b, adding it if it is new; in.mu is held for
// writing.
func (in *Interner) add(b []byte) uint32 {
	if id, ok := in.ids[string(b)]; ok {
		return id
	}
	s := string(b)
	id := uint32(len(in.strs))
	if id == NullID {
		panic("fastagg: more than 2^32-1 distinct strings")
	}
	in.strs = append(in.strs, s)
	in.ids[s] = id
	return id
}

// texts is a run of text values: BYTE_ARRAY values (data, offs) or, when
// size > 0, FIXED_LEN_BYTE_ARRAY values of that width.
type texts struct {
	data []byte
	offs []uint32
	size int
}

func (t texts) at(i int) []byte {
	if t.size > 0 {
		return t.data[i*t.size : (i+1)*t.size]
	}
	return t.data[t.offs[i]:t.offs[i+1]]
}

// setIDs sets ids[i] to the id of vals.at(i) for each i in idx, taking
// the read lock once for the batch and the write lock at most once, for
// the values that are new.
func (in *Interner) setIDs(vals texts, idx []int32, ids []uint32) {
	in.mu.RLock()
	k := 0
	for ; k < len(idx); k++ {
		id, ok := in.ids[string(vals.at(int(idx[k])))]
		if !ok {
			break
		}
		ids[idx[k]] = id
	}
	in.mu.RUnlock()
	if k == len(idx) {
		return
	}
	// From the first new value on, the write lock serves the rest.
	in.mu.Lock()
	for _, i := range idx[k:] {
		ids[i] = in.add(vals.at(int(i)))
	}
	in.mu.Unlock()
}

// String returns the string of id.
func (in *Interner) String(id uint32) string {
	in.mu.RLock()
	defer in.mu.RUnlock()
	return in.strs[id]
}

// Strings returns every string, by id. The slice is the interner's own,
// for reading once nothing adds to the interner any more (after a scan):
// indexing it takes no lock, where String takes the shared lock per call
// and goroutines reading side by side contend for it.
func (in *Interner) Strings() []string {
	in.mu.RLock()
	defer in.mu.RUnlock()
	return in.strs[:len(in.strs):len(in.strs)]
}

// Len returns the number of distinct strings.
func (in *Interner) Len() int {
	in.mu.RLock()
	defer in.mu.RUnlock()
	return len(in.strs)
}

// Local is one worker's cache in front of an Interner, for values read
// row by row. It holds at most localMax entries.
type Local struct {
	in   *Interner
	m    bytesMap
	miss []int32 // appendIDs' values not in m
}

// localMax is a var so that tests can make the cache overflow.
var localMax = 1 << 20

// NewLocal returns a worker cache over in.
func NewLocal(in *Interner) *Local { return &Local{in: in} }

// ID returns the id of b.
func (l *Local) ID(b []byte) uint32 {
	if id, ok := l.m.get(b); ok {
		return id
	}
	id := l.in.ID(b)
	if l.m.len() >= localMax {
		l.m.reset()
	}
	l.m.put(b, id)
	return id
}

// appendIDs appends the ids of the n values of vals to out. The values
// the cache has not seen go to the Interner as one batch: a dictionary's
// first translation, which every worker makes at once at the start of a
// scan, would otherwise take the shared lock once per value and make the
// workers wait on each other.
func (l *Local) appendIDs(out []uint32, vals texts, n int) []uint32 {
	base := len(out)
	l.miss = l.miss[:0]
	for i := 0; i < n; i++ {
		id, ok := l.m.get(vals.at(i))
		if !ok {
			l.miss = append(l.miss, int32(i))
		}
		out = append(out, id)
	}
	if len(l.miss) == 0 {
		return out
	}
	ids := out[base:]
	l.in.setIDs(vals, l.miss, ids)
	for _, i := range l.miss {
		if l.m.len() >= localMax {
			l.m.reset()
		}
		if b := vals.at(int(i)); !l.known(b) { // a dictionary may repeat a value
			l.m.put(b, ids[i])
		}
	}
	return out
}

func (l *Local) known(b []byte) bool {
	_, ok := l.m.get(b)
	return ok
}
