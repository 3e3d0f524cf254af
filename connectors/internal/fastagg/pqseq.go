package fastagg

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"slices"
)

// seqSpace numbers sequences of ids (tag sets). Its table is laid out so
// that finding a sequence reads two places: a slot holding the top half
// of the sequence's hash and where its record is, and the record (code,
// length, ids), whose ids are compared in place.
type seqSpace struct {
	slots []uint64 // hash>>32<<32 | record offset+1 (0: empty)
	recs  []uint32 // records: code, length, ids
	at    []uint32 // code → offset of its record
	hash  []uint64 // code → hash, to rehash
	raw   bytesMap // tag sets read as bytes (PLAIN pages) → code
	ids   []uint32
	reg   regionMap // tag sets read in place from PLAIN pages → code
	buf   []byte
}

// len returns the number of sequences numbered.
func (c *seqSpace) len() int { return len(c.at) }

// regionMap finds tag sets read in place from PLAIN pages, by the bytes of
// their keys and values and the lengths of each, without copying them.
// An entry is one record of the arena, so that checking it reads a few
// adjacent cache lines: hash, code, counts, lengths (key lengths, value
// lengths, null pairs, 4 bytes each), then the key and the value bytes.
type regionMap struct {
	slots []int32 // entry offset in arena + 1
	arena []byte
	n     int
}

const regionHeader = 8 + 4 + 2 + 2 + 2 + 2 + 4 + 4 // hash, code, npairs, nvals, nnul, pad, kbytes, vbytes

// getRegion returns the code of a tag set read in place; see fillCodes.
func (c *seqSpace) getRegion(kdata []byte, koffs []uint32, vdata []byte, voffs []uint32, nulls []uint32, npairs int, local *Local) uint32 {
	kb, vb := kdata[koffs[0]:koffs[npairs]], vdata[voffs[0]:voffs[len(voffs)-1]]
	nvals := len(voffs) - 1
	h := maphash.Bytes(seed, kb) ^ bits.RotateLeft64(maphash.Bytes(seed, vb), 17)
	for p := 1; p <= npairs; p++ {
		h = seqStep(h, koffs[p]-koffs[p-1])
	}
	for p := 1; p <= nvals; p++ {
		h = seqStep(h, voffs[p]-voffs[p-1]+1<<20)
	}
	for _, x := range nulls {
		h = seqStep(h, x+1<<30)
	}
	h = seqMix(h, npairs)
	m := &c.reg
	if m.slots == nil {
		m.slots = make([]int32, 1024)
	}
	le := binary.LittleEndian
	mask := uint64(len(m.slots) - 1)
	i := h & mask
	for ; m.slots[i] != 0; i = (i + 1) & mask {
		e := m.arena[m.slots[i]-1:]
		if le.Uint64(e) != h || int(le.Uint16(e[12:])) != npairs || int(le.Uint16(e[14:])) != nvals ||
			int(le.Uint16(e[16:])) != len(nulls) || int(le.Uint32(e[20:])) != len(kb) || int(le.Uint32(e[24:])) != len(vb) {
			continue
		}
		x := e[regionHeader:]
		same := true
		for p := 0; p < npairs && same; p, x = p+1, x[4:] {
			same = le.Uint32(x) == koffs[p+1]-koffs[p]
		}
		for p := 0; p < nvals && same; p, x = p+1, x[4:] {
			same = le.Uint32(x) == voffs[p+1]-voffs[p]
		}
		for p := 0; p < len(nulls) && same; p, x = p+1, x[4:] {
			same = le.Uint32(x) == nulls[p]
		}
		if same && bytes.Equal(x[:len(kb)], kb) && bytes.Equal(x[len(kb):len(kb)+len(vb)], vb) {
			return le.Uint32(e[8:])
		}
	}
	// A tag set not seen in place yet: number it through its raw bytes.
	c.buf = appendRegion(c.buf[:0], kdata, koffs, vdata, voffs, nulls, npairs)
	code := c.getRaw(c.buf, local)
	if npairs > 1<<16-1 {
		return code // too long to keep: read as bytes each time
	}
	if m.n >= localMax {
		*m = regionMap{}
		return code
	}
	off := len(m.arena)
	a := le.AppendUint64(m.arena, h)
	a = le.AppendUint32(a, code)
	a = le.AppendUint16(a, uint16(npairs))
	a = le.AppendUint16(a, uint16(nvals))
	a = le.AppendUint16(a, uint16(len(nulls)))
	a = le.AppendUint16(a, 0)
	a = le.AppendUint32(a, uint32(len(kb)))
	a = le.AppendUint32(a, uint32(len(vb)))
	for p := 0; p < npairs; p++ {
		a = le.AppendUint32(a, koffs[p+1]-koffs[p])
	}
	for p := 0; p < nvals; p++ {
		a = le.AppendUint32(a, voffs[p+1]-voffs[p])
	}
	for _, x := range nulls {
		a = le.AppendUint32(a, x)
	}
	a = append(a, kb...)
	a = append(a, vb...)
	m.arena = a
	m.n++
	m.slots[i] = int32(off + 1)
	if 2*m.n > len(m.slots) { // rehash from the arena
		m.slots = make([]int32, 2*len(m.slots))
		mk := uint64(len(m.slots) - 1)
		for o := 0; o < len(m.arena); {
			e := m.arena[o:]
			j := le.Uint64(e) & mk
			for m.slots[j] != 0 {
				j = (j + 1) & mk
			}
			m.slots[j] = int32(o + 1)
			n := int(le.Uint16(e[12:])) + int(le.Uint16(e[14:])) + int(le.Uint16(e[16:]))
			o += regionHeader + 4*n + int(le.Uint32(e[20:])) + int(le.Uint32(e[24:]))
		}
	}
	return code
}

// getRaw returns the code of a tag set in the raw form of fillCodes.
func (c *seqSpace) getRaw(raw []byte, local *Local) uint32 {
	if code, ok := c.raw.get(raw); ok {
		return code
	}
	ids := c.ids[:0]
	for b := raw; len(b) > 0; {
		n, k := binary.Uvarint(b)
		b = b[k:]
		ids = append(ids, local.ID(b[:n]))
		b = b[n:]
		n, k = binary.Uvarint(b)
		b = b[k:]
		if n == 0 {
			ids = append(ids, NullID)
			continue
		}
		ids = append(ids, local.ID(b[:n-1]))
		b = b[n-1:]
	}
	c.ids = ids
	code := c.get(ids)
	if c.raw.len() >= localMax {
		c.raw.reset()
	}
	c.raw.put(raw, code)
	return code
}

// seqHash hashes a sequence of ids: seqMix of seqStep over its elements,
// so that a reader can hash a sequence as it reads it.
func seqHash(s []uint32) uint64 {
	h := uint64(0)
	for _, v := range s {
		h = seqStep(h, v)
	}
	return seqMix(h, len(s))
}

func seqStep(h uint64, v uint32) uint64 { return (h ^ uint64(v)) * 0xbf58476d1ce4e5b9 }

func seqMix(h uint64, n int) uint64 {
	h ^= uint64(n) * 0x9E3779B97F4A7C15
	h ^= h >> 31
	h *= 0x94d049bb133111eb
	return h ^ h>>29
}

func (c *seqSpace) seq(code int) []uint32 {
	off := c.at[code]
	n := c.recs[off+1]
	return c.recs[off+2 : off+2+n]
}

func (c *seqSpace) get(s []uint32) uint32 { return c.getHashed(s, seqHash(s)) }

// getHashed is get with the sequence's seqHash already computed.
func (c *seqSpace) getHashed(s []uint32, h uint64) uint32 {
	if c.slots == nil {
		c.slots = make([]uint64, 256)
	}
	mask := uint64(len(c.slots) - 1)
	tag := h >> 32 << 32
	for i := h & mask; ; i = (i + 1) & mask {
		v := c.slots[i]
		if v == 0 {
			return c.insert(i, s, h)
		}
		if v&^(1<<32-1) != tag {
			continue
		}
		rec := c.recs[uint32(v)-1:]
		if int(rec[1]) == len(s) && slices.Equal(rec[2:2+len(s)], s) {
			return rec[0]
		}
	}
}

// insert numbers s, whose hash is h, at free slot i.
func (c *seqSpace) insert(i uint64, s []uint32, h uint64) uint32 {
	code := uint32(len(c.at))
	off := uint32(len(c.recs))
	c.recs = append(c.recs, code, uint32(len(s)))
	c.recs = append(c.recs, s...)
	if uint64(len(c.recs)) >= 1<<32-1 {
		panic("fastagg: tag sets exceed 16 GiB")
	}
	c.at = append(c.at, off)
	c.hash = append(c.hash, h)
	c.slots[i] = h>>32<<32 | uint64(off+1)
	if 2*len(c.at) > len(c.slots) {
		c.slots = make([]uint64, 2*len(c.slots))
		mask := uint64(len(c.slots) - 1)
		for k, hh := range c.hash {
			j := hh & mask
			for c.slots[j] != 0 {
				j = (j + 1) & mask
			}
			c.slots[j] = hh>>32<<32 | uint64(c.at[k]+1)
		}
	}
	return code
}
