package fastagg

import "sync"

// NullID is the id of a null map value (a map key whose value is null),
// distinct from the id 0 of the empty string.
const NullID = ^uint32(0)

// Interner gives every distinct byte string a dense uint32 id, shared by
// the workers of a scan: id 0 is the empty string. Lookups of values read
// once per dictionary entry go straight to it; values of PLAIN pages go
// through a worker's Local cache first. It is safe for concurrent use.
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
	if id, ok := in.ids[string(b)]; ok {
		return id
	}
	s := string(b)
	id = uint32(len(in.strs))
	if id == NullID {
		panic("fastagg: more than 2^32-1 distinct strings")
	}
	in.strs = append(in.strs, s)
	in.ids[s] = id
	return id
}

// String returns the string of id.
func (in *Interner) String(id uint32) string {
	in.mu.RLock()
	defer in.mu.RUnlock()
	return in.strs[id]
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
	in *Interner
	m  bytesMap
}

const localMax = 1 << 20

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
