package fastagg

import (
	"encoding/binary"
	"errors"
)

// mapCursor reads a MAP of string keys and string values: per row, the
// (key id, value id) pairs in order; a null value is NullID.
type mapCursor struct {
	k, v     textCursor
	maxKey   byte // definition level of a present key
	maxValue byte // of a non-null value
	scratch  []uint32
	raw      []byte
	nulls    []uint32
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
					val = vt[vi[vx]]
					vx++
				}
				pairs = append(pairs, kt[ki[kx]], val)
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
		kid := k.valueID()
		vid := NullID
		if vd >= c.maxValue {
			vid = v.valueID()
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
// one pass, without a window-wide list of pairs.
func (c *mapCursor) fillCodes(out []uint32, ss *seqSpace) error {
	rows := len(out)
	cur := c.scratch[:0]
	h := uint64(0)
	raw := c.raw[:0] // the row's pairs as bytes, when a page is PLAIN
	inRaw := false
	end := func() uint32 { // the code of the row just read
		if !inRaw {
			return ss.getHashed(cur, seqMix(h, len(cur)))
		}
		return ss.getRaw(raw, c.k.local)
	}
	r := -1
	k, v := &c.k, &c.v
	for {
		if k.li >= k.nlev {
			if err := k.load(); err != nil {
				if errors.Is(err, errShortChunk) && r == rows-1 {
					break // the chunk ends with the window
				}
				return err
			}
			continue
		}
		if v.li >= v.nlev {
			if err := v.load(); err != nil {
				return err
			}
			continue
		}
		m := min(k.nlev-k.li, v.nlev-v.li)
		if k.dict != nil && v.dict != nil && k.reps != nil && !inRaw {
			reps, kd, vd := k.reps[k.li:k.li+m], k.defs[k.li:k.li+m], v.defs[v.li:v.li+m]
			kt, ki, vt, vi := k.trans, k.idx, v.trans, v.idx
			kx, vx := k.vi, v.vi
			done := false
			n := 0
			for ; n < m; n++ {
				if reps[n] == 0 {
					if r >= 0 {
						out[r] = end()
					}
					if r == rows-1 {
						done = true
						break
					}
					r++
					cur, h = cur[:0], 0
				}
				if kd[n] < c.maxKey {
					continue
				}
				val := NullID
				if vd[n] >= c.maxValue {
					val = vt[vi[vx]]
					vx++
				}
				key := kt[ki[kx]]
				cur = append(cur, key, val)
				h = seqStep(seqStep(h, key), val)
				kx++
			}
			k.li, v.li, k.vi, v.vi = k.li+n, v.li+n, kx, vx
			if done {
				c.scratch, c.raw = cur, raw
				return nil
			}
			continue
		}
		if k.dict == nil && v.dict == nil && k.size == 0 && v.size == 0 && k.reps != nil && !inRaw && len(cur) == 0 {
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
						out[r] = end() // a row opened before these pages
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
				c.scratch, c.raw = cur, raw
				return nil
			}
			if inRow { // the row goes on in the next pages: read it as bytes
				raw = appendRegion(raw[:0], k.data, k.offs[kv0:kx+1], v.data, v.offs[vv0:vx+1], nulls, npairs)
				inRaw = true
			}
			continue
		}
		rep := byte(0)
		if k.reps != nil {
			rep = k.reps[k.li]
		}
		if rep == 0 {
			if r >= 0 {
				out[r] = end()
			}
			if r == rows-1 {
				c.scratch, c.raw = cur, raw
				return nil
			}
			r++
			cur, h, raw, inRaw = cur[:0], 0, raw[:0], false
		}
		if !inRaw { // from here on the row is read as bytes
			for x := 0; x+1 < len(cur); x += 2 {
				raw = appendRawPair(raw, cur[x], cur[x+1], k.in)
			}
			inRaw = true
		}
		kd := k.defs[k.li]
		vd := v.defs[v.li]
		k.li++
		v.li++
		if kd < c.maxKey {
			continue
		}
		kb := k.valueBytes()
		raw = binary.AppendUvarint(raw, uint64(len(kb)))
		raw = append(raw, kb...)
		if vd >= c.maxValue {
			vb := v.valueBytes()
			raw = binary.AppendUvarint(raw, uint64(len(vb))+1)
			raw = append(raw, vb...)
		} else {
			raw = append(raw, 0) // a null value
		}
	}
	if r != rows-1 {
		return errShortChunk
	}
	out[r] = end()
	c.scratch, c.raw = cur, raw
	return nil
}

// valueBytes consumes and returns the bytes of the current value, valid
// until the cursor moves to another page.
func (c *textCursor) valueBytes() []byte {
	var b []byte
	switch {
	case c.dict != nil && c.size > 0:
		j := int(c.idx[c.vi])
		b = c.dvals[j*c.size : (j+1)*c.size]
	case c.dict != nil:
		j := c.idx[c.vi]
		b = c.dvals[c.doffs[j]:c.doffs[j+1]]
	case c.size > 0:
		b = c.data[c.vi*c.size : (c.vi+1)*c.size]
	default:
		b = c.data[c.offs[c.vi]:c.offs[c.vi+1]]
	}
	c.vi++
	return b
}

// valueID consumes and returns the id of the current value.
func (c *textCursor) valueID() uint32 {
	var id uint32
	switch {
	case c.dict != nil:
		id = c.trans[c.idx[c.vi]]
	case c.size > 0:
		id = c.local.ID(c.data[c.vi*c.size : (c.vi+1)*c.size])
	default:
		id = c.local.ID(c.data[c.offs[c.vi]:c.offs[c.vi+1]])
	}
	c.vi++
	return id
}
