package fastagg

import (
	"encoding/binary"
	"errors"
	"math/bits"
)

// mapCursor reads a MAP of string keys and string values: per row, the
// (key id, value id) pairs in order; a null value is NullID.
type mapCursor struct {
	k, v     textCursor
	maxKey   byte // definition level of a present key
	maxValue byte // of a non-null value
	// kcs and vcs number the keys and values the worker meets (fillCodes:
	// the leaves' dictionaries translate to these codes), for as long as
	// the worker lives, so that dictPairs' cache outlives a dictionary
	kcs, vcs codeSpace
	row      rowPairs
	pk       dictPairs
	pend     []pendRow // packed rows of the window whose code is still to find
	nulls    []uint32
}

// pendRow is a packed row of fillCodes' window: its index and its packed
// pairs (r1 with the count in its top 4 bits).
type pendRow struct {
	row    int
	r0, r1 uint64
}

// appendRegion writes the pairs of a row read in place from PLAIN pages
// (the keys in kdata between koffs, the non-null values in vdata between
// voffs, nulls the pairs whose value is null) in the raw byte form of
// fillCodes.
func appendRegion(raw, kdata []byte, koffs []uint32, vdata []byte, voffs []uint32, nulls []uint32, npairs int) []byte {
	vi, ni := 0, 0
	for p := 0; p < npairs; p++ {
		kb := kdata[koffs[p]:koffs[p+1]]
		raw = binary.AppendUvarint(raw, uint64(len(kb)))
		raw = append(raw, kb...)
		if ni < len(nulls) && nulls[ni] == uint32(p) {
			raw = append(raw, 0)
			ni++
			continue
		}
		vb := vdata[voffs[vi]:voffs[vi+1]]
		vi++
		raw = binary.AppendUvarint(raw, uint64(len(vb))+1)
		raw = append(raw, vb...)
	}
	return raw
}

// appendRawPair writes a (key, value) pair in the raw byte form of
// fillCodes: the key as uvarint length and bytes, the value as uvarint
// length+1 and bytes, or 0 for null.
func appendRawPair(raw []byte, k, v uint32, in *Interner) []byte {
	kb := in.String(k)
	raw = binary.AppendUvarint(raw, uint64(len(kb)))
	raw = append(raw, kb...)
	if v == NullID {
		return append(raw, 0)
	}
	vb := in.String(v)
	raw = binary.AppendUvarint(raw, uint64(len(vb))+1)
	return append(raw, vb...)
}

// fill appends the pairs of the next len(offs)-1 rows to pairs; row r's
// pairs are pairs[offs[r]:offs[r+1]] (two ids per pair).
func (c *mapCursor) fill(pairs []uint32, offs []int32) ([]uint32, error) {
	rows := len(offs) - 1
	pairs = pairs[:0]
	r := -1
	k, v := &c.k, &c.v
	for {
		if k.li >= k.nlev {
			if err := k.load(); err != nil {
				if errors.Is(err, errShortChunk) && r == rows-1 {
					break // the chunk ends with the window
				}
				return pairs, err
			}
			continue
		}
		if v.li >= v.nlev {
			if err := v.load(); err != nil {
				return pairs, err
			}
			continue
		}
		m := min(k.nlev-k.li, v.nlev-v.li)
		if k.dict != nil && v.dict != nil && k.reps != nil {
			// both dictionary encoded: the common case, without branches per value
			reps, kd, vd := k.reps[k.li:k.li+m], k.defs[k.li:k.li+m], v.defs[v.li:v.li+m]
			kt, ki, vt, vi := k.trans, k.idx, v.trans, v.idx
			kx, vx := k.vi, v.vi
			done := false
			n := 0
			for ; n < m; n++ {
				if reps[n] == 0 {
					if r == rows-1 {
						done = true
						break
					}
					r++
					offs[r] = int32(len(pairs))
				}
				if kd[n] < c.maxKey {
					continue
				}
				val := NullID
				if vd[n] >= c.maxValue {
					j := uint(vi[vx])
					if j >= uint(len(vt)) {
						return pairs, &cellError{row: max(r, 0), err: errBadIndex, valueLeaf: true}
					}
					val = vt[j]
					vx++
				}
				j := uint(ki[kx])
				if j >= uint(len(kt)) {
					return pairs, &cellError{row: max(r, 0), err: errBadIndex}
				}
				pairs = append(pairs, kt[j], val)
				kx++
			}
			k.li, v.li, k.vi, v.vi = k.li+n, v.li+n, kx, vx
			if done {
				break
			}
			continue
		}
		rep := byte(0)
		if k.reps != nil {
			rep = k.reps[k.li]
		}
		if rep == 0 {
			if r == rows-1 {
				break // the next row belongs to the next window
			}
			r++
			offs[r] = int32(len(pairs))
		}
		kd := k.defs[k.li]
		vd := v.defs[v.li]
		k.li++
		v.li++
		if kd < c.maxKey {
			continue // a null or empty map
		}
		kid, ok := k.valueID()
		if !ok {
			return pairs, &cellError{row: max(r, 0), err: errBadIndex}
		}
		vid := NullID
		if vd >= c.maxValue {
			if vid, ok = v.valueID(); !ok {
				return pairs, &cellError{row: max(r, 0), err: errBadIndex, valueLeaf: true}
			}
		}
		pairs = append(pairs, kid, vid)
	}
	if r != rows-1 {
		return pairs, errShortChunk
	}
	offs[rows] = int32(len(pairs))
	return pairs, nil
}

// fillCodes reads the next len(out) rows' maps and gives each the code
// ss numbers its (key, value) id sequence with: fill and the numbering in
// one pass, without a window-wide list of pairs. The leaves' dictionaries
// must translate to the codes of kcs and vcs (textCursor.cs). While both
// leaves are dictionary encoded, a row's pairs are packed as those codes
// into 128 bits and, once the window is read, looked up in a cache
// (dictPairs) in one loop: no sequence hashing, no comparison of id
// sequences, and the cache misses of many rows overlap.
func (c *mapCursor) fillCodes(out []uint32, ss *seqSpace) error {
	err := c.fillCodesPending(out, ss)
	c.resolve(out, ss)
	return err
}

func (c *mapCursor) fillCodesPending(out []uint32, ss *seqSpace) error {
	rows := len(out)
	st := &c.row
	st.cur, st.raw, st.h, st.inRaw, st.packed = st.cur[:0], st.raw[:0], 0, false, false
	c.pend = c.pend[:0]
	r := -1
	k, v := &c.k, &c.v
	for {
		if k.li >= k.nlev {
			c.unpack(st) // the dictionaries may change with the page
			if err := k.load(); err != nil {
				if errors.Is(err, errShortChunk) && r == rows-1 {
					break // the chunk ends with the window
				}
				return err
			}
			continue
		}
		if v.li >= v.nlev {
			c.unpack(st)
			if err := v.load(); err != nil {
				return err
			}
			continue
		}
		m := min(k.nlev-k.li, v.nlev-v.li)
		if k.dict != nil && v.dict != nil && k.reps != nil && !st.inRaw {
			// both dictionary encoded: the common case
			pk := &c.pk
			if !pk.fits(c) { // widths for every code the dictionaries gave
				c.resolve(out, ss)
				pk.refit(c)
			}
			reps, kd, vd := k.reps[k.li:k.li+m], k.defs[k.li:k.li+m], v.defs[v.li:v.li+m]
			ki, vi, kt, vt := k.idx, v.idx, k.trans, v.trans
			kx, vx := k.vi, v.vi
			r0, r1, cnt, packed := st.r0, st.r1, st.cnt, st.packed
			pb, vb, cp, null := pk.pb, pk.vb, pk.cap, pk.null
			done := false
			n := 0
			for ; n < m; n++ {
				if reps[n] == 0 {
					switch {
					case r >= 0 && packed:
						c.pend = append(c.pend, pendRow{r, r0, r1 | uint64(cnt)<<60})
					case r >= 0:
						st.r0, st.r1, st.cnt, st.packed = r0, r1, cnt, packed
						out[r] = c.end(st, ss)
					}
					if r == rows-1 {
						done = true
						break
					}
					r++
					st.cur, st.h = st.cur[:0], 0
					r0, r1, cnt, packed = 0, 0, 0, true
				}
				if kd[n] < c.maxKey {
					continue
				}
				val := null
				if vd[n] >= c.maxValue {
					j := uint(vi[vx])
					if j >= uint(len(vt)) {
						return &cellError{row: max(r, 0), err: errBadIndex, valueLeaf: true}
					}
					val = uint64(vt[j])
					vx++
				}
				j := uint(ki[kx])
				if j >= uint(len(kt)) {
					return &cellError{row: max(r, 0), err: errBadIndex}
				}
				key := uint64(kt[j])
				kx++
				pair := key<<vb | val
				if packed {
					if cnt < cp {
						r1 = r1<<pb | r0>>(64-pb)
						r0 = r0<<pb | pair
						cnt++
						continue
					}
					st.r0, st.r1, st.cnt, st.packed = r0, r1, cnt, packed
					c.unpack(st) // too many pairs to pack: the row goes on as ids
					packed = false
				}
				kid, vid := pk.ids(c, pair)
				st.cur = append(st.cur, kid, vid)
				st.h = seqStep(seqStep(st.h, kid), vid)
			}
			st.r0, st.r1, st.cnt, st.packed = r0, r1, cnt, packed
			k.li, v.li, k.vi, v.vi = k.li+n, v.li+n, kx, vx
			if done {
				return nil
			}
			continue
		}
		c.unpack(st) // the other readers take the row's pairs as ids or bytes
		if k.dict == nil && v.dict == nil && k.size == 0 && v.size == 0 && k.reps != nil && !st.inRaw && len(st.cur) == 0 {
			// both PLAIN (dictionaries overflowed): a row whose pairs are all
			// in these pages is found by its two byte regions, in place
			reps, kd, vd := k.reps[k.li:k.li+m], k.defs[k.li:k.li+m], v.defs[v.li:v.li+m]
			kx, vx := k.vi, v.vi
			kv0, vv0, npairs := kx, vx, 0
			nulls := c.nulls[:0]
			inRow, done := false, false
			n := 0
			for ; n < m; n++ {
				if reps[n] == 0 {
					if inRow {
						out[r] = ss.getRegion(k.data, k.offs[kv0:kx+1], v.data, v.offs[vv0:vx+1], nulls, npairs, k.local)
					} else if r >= 0 {
						out[r] = c.end(st, ss) // a row opened before these pages
					}
					if r == rows-1 {
						done = true
						break
					}
					r++
					inRow, kv0, vv0, npairs, nulls = true, kx, vx, 0, nulls[:0]
				}
				if kd[n] < c.maxKey {
					continue
				}
				if vd[n] < c.maxValue {
					nulls = append(nulls, uint32(npairs))
				} else {
					vx++
				}
				kx++
				npairs++
			}
			k.li, v.li, k.vi, v.vi = k.li+n, v.li+n, kx, vx
			c.nulls = nulls
			if done {
				return nil
			}
			if inRow { // the row goes on in the next pages: read it as bytes
				st.raw = appendRegion(st.raw[:0], k.data, k.offs[kv0:kx+1], v.data, v.offs[vv0:vx+1], nulls, npairs)
				st.inRaw = true
			}
			continue
		}
		rep := byte(0)
		if k.reps != nil {
			rep = k.reps[k.li]
		}
		if rep == 0 {
			if r >= 0 {
				out[r] = c.end(st, ss)
			}
			if r == rows-1 {
				return nil
			}
			r++
			st.cur, st.h, st.raw, st.inRaw = st.cur[:0], 0, st.raw[:0], false
		}
		if !st.inRaw { // from here on the row is read as bytes
			for x := 0; x+1 < len(st.cur); x += 2 {
				st.raw = appendRawPair(st.raw, st.cur[x], st.cur[x+1], k.in)
			}
			st.inRaw = true
		}
		kd := k.defs[k.li]
		vd := v.defs[v.li]
		k.li++
		v.li++
		if kd < c.maxKey {
			continue
		}
		kb, ok := k.valueBytes()
		if !ok {
			return &cellError{row: max(r, 0), err: errBadIndex}
		}
		st.raw = binary.AppendUvarint(st.raw, uint64(len(kb)))
		st.raw = append(st.raw, kb...)
		if vd >= c.maxValue {
			vb, ok := v.valueBytes()
			if !ok {
				return &cellError{row: max(r, 0), err: errBadIndex, valueLeaf: true}
			}
			st.raw = binary.AppendUvarint(st.raw, uint64(len(vb))+1)
			st.raw = append(st.raw, vb...)
		} else {
			st.raw = append(st.raw, 0) // a null value
		}
	}
	if r != rows-1 {
		return errShortChunk
	}
	if st.packed {
		c.pend = append(c.pend, pendRow{r, st.r0, st.r1 | uint64(st.cnt)<<60})
	} else {
		out[r] = c.end(st, ss)
	}
	return nil
}

// errBadIndex: a dictionary index beyond its dictionary.
var errBadIndex = errors.New("a dictionary index is out of range")

// rowPairs is the row fillCodes is reading: its pairs packed as
// dictionary indexes (packed: r0, r1, cnt), or as ids with their running
// seqHash (cur, h), or as bytes (inRaw: raw).
type rowPairs struct {
	cur    []uint32
	h      uint64
	raw    []byte
	inRaw  bool
	packed bool
	r0, r1 uint64
	cnt    int
}

// end returns the code of the row st holds.
func (c *mapCursor) end(st *rowPairs, ss *seqSpace) uint32 {
	switch {
	case st.inRaw:
		return ss.getRaw(st.raw, c.k.local)
	case st.packed:
		return c.pk.code(st.r0, st.r1|uint64(st.cnt)<<60, ss, c)
	}
	return ss.getHashed(st.cur, seqMix(st.h, len(st.cur)))
}

// unpack turns a packed row into ids (cur, h), read with the current
// dictionaries.
func (c *mapCursor) unpack(st *rowPairs) {
	if !st.packed {
		return
	}
	st.cur, st.h = c.pk.unpack(st.r0, st.r1, st.cnt, c, st.cur[:0])
	st.packed = false
}

// dictPairs packs the (key, value) pairs of a row read from dictionary
// pages into 128 bits, shifted in one after the other (the last pair in
// the low bits): per pair the key's code in kb bits above the value's in
// vb bits (null: the code null, all ones), up to cap pairs, the count in
// the top 4 bits. The packing is one
// to one for given widths, so the code of a packed row is cached until
// the widths grow.
type dictPairs struct {
	ss         *seqSpace // the codes the cache holds are ss's
	kb, vb, pb uint64
	cap        int
	null       uint64
	slots      []pairSlot
	n          int
	buf        []uint32
}

type pairSlot struct {
	r0, r1 uint64 // r1 holds the count in its top 4 bits
	code   uint32
	used   bool
}

// fits reports whether every key and value code of c fits the packing.
func (p *dictPairs) fits(c *mapCursor) bool {
	return p.slots != nil && uint64(len(c.kcs.id)) <= 1<<p.kb && uint64(len(c.vcs.id)) < p.null
}

// refit widens the packing for the codes of c, emptying the cache.
func (p *dictPairs) refit(c *mapCursor) {
	nk, nv := uint64(len(c.kcs.id)), uint64(len(c.vcs.id))
	p.kb, p.vb = uint64(bits.Len64(2*nk+1)), uint64(bits.Len64(2*nv+2))
	p.pb = p.kb + p.vb
	p.cap = min(15, int(124/p.pb))
	p.null = 1<<p.vb - 1
	p.slots, p.n = make([]pairSlot, 1024), 0
}

// ids returns the ids of a packed pair.
func (p *dictPairs) ids(c *mapCursor, pair uint64) (uint32, uint32) {
	vc := pair & (1<<p.vb - 1)
	vid := NullID
	if vc != p.null {
		vid = c.vcs.id[vc]
	}
	return c.kcs.id[pair>>p.vb], vid
}

// unpack appends the ids of the cnt pairs packed in r0, r1 to cur and
// returns it with its running seqHash.
func (p *dictPairs) unpack(r0, r1 uint64, cnt int, c *mapCursor, cur []uint32) ([]uint32, uint64) {
	h := uint64(0)
	mask := uint64(1)<<p.pb - 1
	for i := cnt - 1; i >= 0; i-- { // the first pair is the highest
		s := uint64(i) * p.pb
		var x uint64
		switch {
		case s >= 64:
			x = r1 >> (s - 64)
		case s == 0:
			x = r0
		default:
			x = r0>>s | r1<<(64-s)
		}
		kid, vid := p.ids(c, x&mask)
		cur = append(cur, kid, vid)
		h = seqStep(seqStep(h, kid), vid)
	}
	return cur, h
}

// resolve gives the pending rows of the window their codes.
func (c *mapCursor) resolve(out []uint32, ss *seqSpace) {
	p := &c.pk
	for _, e := range c.pend {
		out[e.row] = p.code(e.r0, e.r1, ss, c)
	}
	c.pend = c.pend[:0]
}

// code returns the code of a packed row (r1 with the count in its top 4
// bits), from the cache or, the first time, by its ids.
func (p *dictPairs) code(r0, r1 uint64, ss *seqSpace, c *mapCursor) uint32 {
	if p.ss != ss { // another shape of file: another numbering
		p.ss, p.n = ss, 0
		clear(p.slots)
	}
	mask := uint64(len(p.slots) - 1)
	i := mix128(r0, r1) & mask
	for ; p.slots[i].used; i = (i + 1) & mask {
		if s := &p.slots[i]; s.r0 == r0 && s.r1 == r1 {
			return s.code
		}
	}
	var h uint64
	p.buf, h = p.unpack(r0, r1&^(0xf<<60), int(r1>>60), c, p.buf[:0])
	code := ss.getHashed(p.buf, seqMix(h, len(p.buf)))
	p.slots[i] = pairSlot{r0: r0, r1: r1, code: code, used: true}
	if p.n++; 2*p.n > len(p.slots) {
		old := p.slots
		p.slots = make([]pairSlot, 2*len(old))
		mask = uint64(len(p.slots) - 1)
		for _, s := range old {
			if !s.used {
				continue
			}
			j := mix128(s.r0, s.r1) & mask
			for p.slots[j].used {
				j = (j + 1) & mask
			}
			p.slots[j] = s
		}
	}
	return code
}

// valueBytes consumes and returns the bytes of the current value, valid
// until the cursor moves to another page; ok is false for a dictionary
// index beyond the dictionary.
func (c *textCursor) valueBytes() (b []byte, ok bool) {
	switch {
	case c.dict != nil && c.size > 0:
		j := int(c.idx[c.vi])
		if uint(j) >= uint(c.dict.Len()) {
			return nil, false
		}
		b = c.dvals[j*c.size : (j+1)*c.size]
	case c.dict != nil:
		j := c.idx[c.vi]
		if uint(j) >= uint(c.dict.Len()) {
			return nil, false
		}
		b = c.dvals[c.doffs[j]:c.doffs[j+1]]
	case c.size > 0:
		b = c.data[c.vi*c.size : (c.vi+1)*c.size]
	default:
		b = c.data[c.offs[c.vi]:c.offs[c.vi+1]]
	}
	c.vi++
	return b, true
}

// valueID consumes and returns the id of the current value; ok is false
// for a dictionary index beyond the dictionary.
func (c *textCursor) valueID() (id uint32, ok bool) {
	switch {
	case c.dict != nil:
		j := c.idx[c.vi]
		if uint(j) >= uint(len(c.trans)) {
			return 0, false
		}
		id = c.trans[j]
	case c.size > 0:
		id = c.local.ID(c.data[c.vi*c.size : (c.vi+1)*c.size])
	default:
		id = c.local.ID(c.data[c.offs[c.vi]:c.offs[c.vi+1]])
	}
	c.vi++
	return id, true
}
