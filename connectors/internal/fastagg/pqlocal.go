package fastagg

import (
	"encoding/binary"
	"math/bits"
	"sync/atomic"

	"github.com/shopspring/decimal"
)

// packed groups the rows of a worker by a 128-bit key packed from small
// per-worker codes: each key column's values are numbered as the worker
// meets them (a text id, an instant, a month, a tag set), and the codes
// are packed at fixed bit offsets next to one bit per nullable amount.
// Grouping a row then costs a few shifts, one 16-byte hash and one probe
// of a compact table, whatever the number and width of the columns. The
// groups are flushed into the worker's Table (keyed by the full byte key
// of ScanParquet) at the end, or when a column's codes outgrow their bits.
type packed struct {
	l     *PQLayout
	nsums int

	texts []codeSpace // one per l.Texts: global text id → code
	times []instantSpace
	month instantSpace // month ids (as Instant.Sec) → code
	tags  []seqSpace   // one per l.Maps: tag set → code
	amask []int        // amounts that may be null: their index in l.Amounts

	// layout: bit offset and width of every component, in order texts,
	// times, month, tag sets; null-mask bits follow.
	off, width layoutBits
	maskOff    []uint8
	ok         bool // the layout fits 128 bits

	// the table: a group's key, count, earliest start and first sums in
	// one record of one cache line, what a row's update touches; the rest
	// (latest end, first line, the other sums) in cold and sums
	slots  []int32
	recs   []prec
	cold   []pcold
	sums   []int64 // int64 partial sums; one that would overflow moves to spill
	spill  map[int32]Int128
	slow   map[int]decimal.Decimal
	k0, k1 []uint64
	gs     []int32
}

// prec is one group of the packed table, what a row's update touches, in
// 64 bytes: its key, line count, earliest start, which amounts it sums
// and its first inlineSums sums. The rest is in pcold.
type prec struct {
	k0, k1    uint64
	count     int64
	startSec  int64 // the earliest start
	startNsec int32
	present   uint32 // the amounts that may have values: one sum each, in order
	inl       [inlineSums]int64
}

// pcold is the rest of a group: its latest end (read per row only when
// the layout has an end), its first line and where its other sums are.
type pcold struct {
	end   Instant
	first Pos
	sums  int32 // index in packed.sums of the sums beyond inlineSums
}

const inlineSums = 3

func (r *prec) start() Instant { return Instant{Sec: r.startSec, Nsec: r.startNsec} }

// observe lowers the group's earliest start to st.
func (r *prec) observe(st Instant) {
	if st.Sec < r.startSec || (st.Sec == r.startSec && st.Nsec < r.startNsec) {
		r.startSec, r.startNsec = st.Sec, st.Nsec
	}
}

// sum returns the partial sum of rank r (among the present amounts) of
// group g, and its key in packed.spill.
func (p *packed) sum(g int32, r int) (*int64, int32) {
	if r < inlineSums {
		return &p.recs[g].inl[r], -(g*inlineSums + int32(r)) - 1
	}
	j := p.cold[g].sums + int32(r-inlineSums)
	return &p.sums[j], j
}

// layoutBits is the bit offsets (or widths) of the components.
type layoutBits []uint8

// failed reports whether a layout was tried and did not fit: the worker
// then groups by byte keys.
func (b layoutBits) failed() bool { return b != nil && len(b) == 0 }

// codeSpace numbers global ids.
type codeSpace struct {
	code []uint32 // global id → code+1 (0: none yet)
	id   []uint32 // code → global id
}

func (c *codeSpace) get(id uint32) uint32 {
	if int(id) < len(c.code) {
		if v := c.code[id]; v != 0 {
			return v - 1
		}
	} else {
		n := max(int(id)+1, 2*len(c.code))
		c.code = append(c.code, make([]uint32, n-len(c.code))...)
	}
	v := uint32(len(c.id))
	c.id = append(c.id, id)
	c.code[id] = v + 1
	return v
}

// instantSpace numbers instants.
type instantSpace struct {
	code map[Instant]uint32
	vals []Instant
	last Instant
	lc   uint32
	has  bool
}

func (c *instantSpace) get(t Instant) uint32 {
	if c.has && t == c.last {
		return c.lc
	}
	v, ok := c.code[t]
	if !ok {
		if c.code == nil {
			c.code = map[Instant]uint32{}
		}
		v = uint32(len(c.vals))
		c.vals = append(c.vals, t)
		c.code[t] = v
	}
	c.last, c.lc, c.has = t, v, true
	return v
}

func newPacked(l *PQLayout, nsums int) *packed {
	p := &packed{l: l, nsums: nsums}
	if nsums > 32 { // the present-amount mask is 32 bits: group by byte keys
		p.off = layoutBits{}
	}
	p.texts = make([]codeSpace, len(l.Texts))
	p.times = make([]instantSpace, len(l.TimeKeys))
	p.tags = make([]seqSpace, len(l.Maps))
	if l.NullMask {
		for k, i := range l.Amounts {
			if i >= 0 {
				p.amask = append(p.amask, k)
			}
		}
	}
	p.reset()
	return p
}

// sizes returns the number of codes of every component, in layout order.
func (p *packed) sizes() []int {
	var n []int
	for i := range p.texts {
		n = append(n, len(p.texts[i].id))
	}
	for i := range p.times {
		n = append(n, len(p.times[i].vals))
	}
	n = append(n, len(p.month.vals))
	for i := range p.tags {
		n = append(n, p.tags[i].len())
	}
	return n
}

// packedBits is the width of packed keys: 128. Tests lower it to take the
// byte-key path, or to leave it in the middle of a scan.
var packedBits = 128

// relayouts counts layouts outgrown in the middle of a scan, for tests.
var relayouts atomic.Int64

// relayout gives every component room for twice its codes; ok is false
// when that does not fit in packedBits.
func (p *packed) relayout() {
	sizes := p.sizes()
	p.off, p.width = layoutBits{}, layoutBits{}
	p.maskOff = p.maskOff[:0]
	used := [2]int{}
	place := func(w int) (uint8, bool) {
		for k := 0; k < 2; k++ {
			if used[k]+w <= min(64, packedBits-64*k) {
				o := k*64 + used[k]
				used[k] += w
				return uint8(o), true
			}
		}
		return 0, false
	}
	p.ok = true
	for _, n := range sizes {
		w := bits.Len(uint(2*n + 1))
		o, fits := place(w)
		if !fits {
			p.ok, p.off = false, layoutBits{}
			return
		}
		p.off, p.width = append(p.off, o), append(p.width, uint8(w))
	}
	for range p.amask {
		o, fits := place(1)
		if !fits {
			p.ok, p.off = false, layoutBits{}
			return
		}
		p.maskOff = append(p.maskOff, o)
	}
}

// fits reports whether every component's codes fit its bits.
func (p *packed) fits() bool {
	for i, n := range p.sizes() {
		if n > 1<<p.width[i] {
			return false
		}
	}
	return true
}

func (p *packed) reset() {
	p.slots = make([]int32, 4096)
	p.recs, p.cold, p.sums, p.spill = p.recs[:0], p.cold[:0], p.sums[:0], nil
	p.slow = nil
}

func (p *packed) put(k0, k1 *uint64, comp int, code uint32) {
	o := p.off[comp]
	if o < 64 {
		*k0 |= uint64(code) << o
	} else {
		*k1 |= uint64(code) << (o - 64)
	}
}

func (p *packed) get(k0, k1 uint64, comp int) uint32 {
	o, w := p.off[comp], p.width[comp]
	v := k0
	if o >= 64 {
		v, o = k1, o-64
	}
	return uint32(v>>o) & (1<<w - 1)
}

func mix128(a, b uint64) uint64 {
	h := (a ^ bits.RotateLeft64(b, 29)) * 0x9E3779B97F4A7C15
	h ^= h >> 32
	h *= 0xbf58476d1ce4e5b9
	return h ^ h>>29
}

// spillSum moves a partial sum, of spill key key, to the 128-bit spill.
func (p *packed) spillSum(s *int64, key int32) {
	if p.spill == nil {
		p.spill = map[int32]Int128{}
	}
	sp := p.spill[key]
	sp.AddInt64(*s)
	p.spill[key] = sp
	*s = 0
}

// present returns the amounts a group of key (k0, k1) sums: every amount
// but those its null mask says are null (and absent columns).
func (p *packed) present(k0, k1 uint64) uint32 {
	m := uint32(1)<<p.nsums - 1
	for k, i := range p.l.Amounts {
		if i < 0 {
			m &^= 1 << k
		}
	}
	for j, k := range p.amask {
		o := p.maskOff[j]
		v := k0
		if o >= 64 {
			v, o = k1, o-64
		}
		if v>>o&1 == 1 {
			m &^= 1 << k
		}
	}
	return m
}

// find returns the group of (k0, k1), adding it with first line pos.
func (p *packed) find(k0, k1 uint64, pos Pos) int32 {
	mask := uint64(len(p.slots) - 1)
	for i := mix128(k0, k1) & mask; ; i = (i + 1) & mask {
		s := p.slots[i]
		if s == 0 {
			return p.insert(i, k0, k1, pos)
		}
		g := s - 1
		if r := &p.recs[g]; r.k0 == k0 && r.k1 == k1 {
			return g
		}
	}
}

// insert adds the group of (k0, k1) at free slot i.
func (p *packed) insert(i uint64, k0, k1 uint64, pos Pos) int32 {
	g := int32(len(p.recs))
	p.slots[i] = g + 1
	present := p.present(k0, k1)
	p.recs = append(p.recs, prec{k0: k0, k1: k1, startSec: maxInstant.Sec, startNsec: maxInstant.Nsec, present: present})
	end := minInstant
	if p.l.End < 0 {
		end = NullInstant // the latest end of lines without one; add keeps it
	}
	p.cold = append(p.cold, pcold{end: end, first: pos, sums: int32(len(p.sums))})
	for range bits.OnesCount32(present) - inlineSums {
		p.sums = append(p.sums, 0)
	}
	if 2*len(p.recs) > len(p.slots) {
		p.slots = make([]int32, 2*len(p.slots))
		mask := uint64(len(p.slots) - 1)
		for k := range p.recs {
			j := mix128(p.recs[k].k0, p.recs[k].k1) & mask
			for p.slots[j] != 0 {
				j = (j + 1) & mask
			}
			p.slots[j] = int32(k + 1)
		}
	}
	return g
}

// flush moves every group into t, under the byte key ScanParquet uses.
func (p *packed) flush(t *Table, key []byte) []byte {
	if t.Len() == 0 { // the first flush brings every group: size t once
		t.Reserve(len(p.recs))
	}
	into := make([]int, len(p.recs))
	for g := range p.recs {
		rec := &p.recs[g]
		k0, k1 := rec.k0, rec.k1
		key = key[:0]
		comp := 0
		for i := range p.texts {
			key = binary.LittleEndian.AppendUint32(key, p.texts[i].id[p.get(k0, k1, comp)])
			comp++
		}
		for i := range p.times {
			tk := p.times[i].vals[p.get(k0, k1, comp)]
			key = binary.LittleEndian.AppendUint64(key, uint64(tk.Sec))
			key = binary.LittleEndian.AppendUint32(key, uint32(tk.Nsec))
			comp++
		}
		key = binary.LittleEndian.AppendUint32(key, uint32(p.month.vals[p.get(k0, k1, comp)].Sec))
		comp++
		if p.l.NullMask {
			var mask uint64
			for k, i := range p.l.Amounts {
				if i < 0 {
					mask |= 1 << k
				}
			}
			for j, k := range p.amask {
				o := p.maskOff[j]
				v := k0
				if o >= 64 {
					v, o = k1, o-64
				}
				if v>>o&1 == 1 {
					mask |= 1 << k
				}
			}
			key = binary.LittleEndian.AppendUint64(key, mask)
		}
		for i := range p.tags {
			s := p.tags[i].seq(int(p.get(k0, k1, comp)))
			comp++
			key = binary.LittleEndian.AppendUint32(key, uint32(len(s)/2))
			for _, id := range s {
				key = binary.LittleEndian.AppendUint32(key, id)
			}
		}
		cold := &p.cold[g]
		tg := t.Find(Hash(key), key, cold.first)
		into[g] = tg
		if cold.first.Less(t.First[tg]) {
			t.First[tg] = cold.first
		}
		t.Count[tg] += rec.count
		t.Observe(tg, rec.start(), cold.end)
		for k, r := 0, 0; k < p.nsums; k++ {
			if rec.present&(1<<k) != 0 {
				s, key := p.sum(int32(g), r)
				t.Sums[tg*t.NSums+k].AddInt64(*s)
				if sp, ok := p.spill[key]; ok {
					t.Sums[tg*t.NSums+k].Add(sp)
				}
				r++
			}
		}
	}
	for k, d := range p.slow {
		t.AddDecimal(into[k/p.nsums], k%p.nsums, d)
	}
	p.reset()
	return key
}

// window is one window's columns, decoded.
type window struct {
	n      int
	ids    [][]uint32
	tk     [][]Instant
	st, en []Instant
	hasEnd bool
	nums   []numCursor  // the amounts of the window, sparse (an absent column has none)
	cnt    []int64      // lines per row, nil for one each
	tags   [][]uint32   // per map, the tag set code of each row
	texts  []textCursor // their constant flags
	pos    func(r int) Pos
}

// add groups the rows of w. It returns false, having changed nothing,
// when the layout does not fit 128 bits: the caller then groups the window
// by byte keys.
func (p *packed) add(t *Table, w *window, scratch *[]byte) bool {
	n := w.n
	if cap(p.k0) < n {
		p.k0, p.k1, p.gs = make([]uint64, n), make([]uint64, n), make([]int32, n)
	}
	k0, k1 := p.k0[:n], p.k1[:n]
	if p.off == nil {
		p.assign(w) // codes for a first layout
		p.relayout()
		if !p.ok {
			return false
		}
	}
	for !p.pack(w, k0, k1) {
		// a column's codes outgrew their bits: flush and widen
		relayouts.Add(1)
		*scratch = p.flush(t, *scratch)
		p.relayout()
		if !p.ok {
			return false
		}
	}
	gs := p.gs[:n]
	st := w.st[:n]
	slots, recs, mask := p.slots, p.recs, uint64(len(p.slots)-1)
	for r := range gs { // find, inline: the loop overlaps the cache misses of many rows
		a, b := k0[r], k1[r]
		var g int32
		for i := mix128(a, b) & mask; ; i = (i + 1) & mask {
			s := slots[i]
			if s == 0 {
				g = p.insert(i, a, b, w.pos(r))
				slots, recs, mask = p.slots, p.recs, uint64(len(p.slots)-1)
				break
			}
			if rec := &recs[s-1]; rec.k0 == a && rec.k1 == b {
				g = s - 1
				break
			}
		}
		gs[r] = g
		rec := &recs[g]
		rec.count++
		rec.observe(st[r])
	}
	if w.cnt != nil { // lines per row: one was counted
		for r, g := range gs {
			recs[g].count += w.cnt[r] - 1
		}
	}
	if w.hasEnd { // else the end of every group stays NullInstant (insert)
		cold := p.cold
		for r, g := range gs {
			if c := &cold[g]; c.end.Before(w.en[r]) {
				c.end = w.en[r]
			}
		}
	}
	ns := p.nsums
	for k := 0; k < ns; k++ {
		c := &w.nums[k]
		below := uint32(1)<<k - 1
		for i, r := range c.rows {
			if c.fl[i] == amtValue {
				g := gs[r]
				rec := &recs[g]
				rank := bits.OnesCount32(rec.present & below)
				var s *int64
				if rank < inlineSums {
					s = &rec.inl[rank]
				} else {
					s = &p.sums[int(p.cold[g].sums)+rank-inlineSums]
				}
				v := c.vals[i]
				sum := *s + v
				if (*s^sum)&(v^sum) < 0 { // int64 overflow: spill the partial sum
					_, key := p.sum(g, rank)
					p.spillSum(s, key)
					sum = v
				}
				*s = sum
			}
		}
		for _, sa := range c.slow {
			if p.slow == nil {
				p.slow = map[int]decimal.Decimal{}
			}
			key := int(gs[sa.row])*p.nsums + k
			p.slow[key] = p.slow[key].Add(sa.d)
		}
	}
	return true
}

// assign gives codes to every value of w, without packing.
func (p *packed) assign(w *window) {
	n := w.n // text codes were given as the columns were read
	for k := range p.times {
		for _, tk := range w.tk[k][:n] {
			p.times[k].get(tk)
		}
	}
	var mc monthCache
	for _, st := range w.st[:n] {
		p.month.get(Instant{Sec: int64(mc.of(st.Sec))})
	}
}

// pack builds the keys of w; false when a code did not fit its bits (the
// codes are kept: the caller widens the layout and packs again).
func (p *packed) pack(w *window, k0, k1 []uint64) bool {
	n := w.n
	ok := true
	var base0, base1 uint64 // bits every row starts with: null
	for j, k := range p.amask {
		if len(w.nums[k].rows) < n {
			if o := p.maskOff[j]; o < 64 {
				base0 |= 1 << o
			} else {
				base1 |= 1 << (o - 64)
			}
		}
	}
	comp := 0
	for k := range p.texts { // a column with one value in the window: into the base
		if w.texts[k].constant && w.n > 0 {
			v := w.ids[k][0]
			if v >= uint32(1)<<p.width[comp] {
				return false
			}
			if o := p.off[comp]; o < 64 {
				base0 |= uint64(v) << o
			} else {
				base1 |= uint64(v) << (o - 64)
			}
		}
		comp++
	}
	for r := range k0 {
		k0[r], k1[r] = base0, base1
	}
	dst := func(comp int) ([]uint64, uint8, uint32) {
		o := p.off[comp]
		lim := uint32(1) << p.width[comp]
		if o < 64 {
			return k0, o, lim
		}
		return k1, o - 64, lim
	}
	comp = 0
	for k := range p.texts {
		if w.texts[k].constant {
			comp++
			continue
		}
		d, o, lim := dst(comp)
		var hi uint32
		for r, v := range w.ids[k][:n] { // codes already
			hi |= v
			d[r] |= uint64(v) << o
		}
		ok = ok && hi < lim
		comp++
	}
	for k := range p.times {
		d, o, lim := dst(comp)
		var hi uint32
		for r, tk := range w.tk[k][:n] {
			v := p.times[k].get(tk)
			hi |= v
			d[r] |= uint64(v) << o
		}
		ok = ok && hi < lim
		comp++
	}
	{
		d, o, lim := dst(comp)
		var mc monthCache
		var hi uint32
		for r, st := range w.st[:n] {
			v := p.month.get(Instant{Sec: int64(mc.of(st.Sec))})
			hi |= v
			d[r] |= uint64(v) << o
		}
		ok = ok && hi < lim
		comp++
	}
	for k := range p.tags {
		d, o, lim := dst(comp)
		var hi uint32
		for r, v := range w.tags[k][:n] { // codes already
			hi |= v
			d[r] |= uint64(v) << o
		}
		ok = ok && hi < lim
		comp++
	}
	for j, k := range p.amask {
		rows := w.nums[k].rows
		if len(rows) == n {
			continue // a value in every row: the bit stays 0
		}
		o := p.maskOff[j]
		d := k0
		if o >= 64 {
			d, o = k1, o-64
		}
		for _, r := range rows { // rows with a value clear the null bit
			d[r] &^= 1 << o
		}
	}
	return ok
}
