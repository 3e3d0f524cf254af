package fastagg

import (
	"bytes"
	"hash/maphash"
)

// bytesMap maps byte strings to uint32 values: open addressing over an
// arena, for caches read row by row (plain Parquet values, tag sets read
// as raw bytes). It is faster than a Go map keyed by string(b) and never
// allocates per lookup.
type bytesMap struct {
	slots []int32 // entry+1
	hash  []uint64
	ends  []uint32 // entry e's key is arena[ends[e-1]:ends[e]]
	vals  []uint32
	arena []byte
}

func (m *bytesMap) key(e int) []byte {
	a := uint32(0)
	if e > 0 {
		a = m.ends[e-1]
	}
	return m.arena[a:m.ends[e]]
}

// get returns the value of b and whether it is there.
func (m *bytesMap) get(b []byte) (uint32, bool) {
	if m.slots == nil {
		return 0, false
	}
	h := maphash.Bytes(seed, b)
	mask := uint64(len(m.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := m.slots[i]
		if s == 0 {
			return 0, false
		}
		e := int(s - 1)
		if m.hash[e] == h && bytes.Equal(m.key(e), b) {
			return m.vals[e], true
		}
	}
}

// put adds b with value v; b must not be there.
func (m *bytesMap) put(b []byte, v uint32) {
	if m.slots == nil {
		m.slots = make([]int32, 1024)
	}
	if 2*(len(m.vals)+1) > len(m.slots) {
		m.slots = make([]int32, 2*len(m.slots))
		mask := uint64(len(m.slots) - 1)
		for e, h := range m.hash {
			i := h & mask
			for m.slots[i] != 0 {
				i = (i + 1) & mask
			}
			m.slots[i] = int32(e + 1)
		}
	}
	h := maphash.Bytes(seed, b)
	mask := uint64(len(m.slots) - 1)
	i := h & mask
	for m.slots[i] != 0 {
		i = (i + 1) & mask
	}
	m.slots[i] = int32(len(m.vals) + 1)
	m.hash = append(m.hash, h)
	m.arena = append(m.arena, b...)
	m.ends = append(m.ends, uint32(len(m.arena)))
	m.vals = append(m.vals, v)
}

// len returns the number of entries.
func (m *bytesMap) len() int { return len(m.vals) }

// reset empties the map.
func (m *bytesMap) reset() {
	clear(m.slots)
	m.hash, m.ends, m.vals, m.arena = m.hash[:0], m.ends[:0], m.vals[:0], m.arena[:0]
}
