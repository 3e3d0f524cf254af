package fastagg

import (
	"bytes"
	"hash/maphash"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/shopspring/decimal"
)

// Instant is a point in time in UTC, as seconds and nanoseconds since
// 1970: comparable, and exact for every time.Time a bill can hold.
type Instant struct {
	Sec  int64
	Nsec int32
}

// NullInstant is the Instant of the zero time.Time (a null timestamp).
var NullInstant = InstantOf(time.Time{})

// Sentinels for the running minimum and maximum.
var (
	maxInstant = Instant{Sec: math.MaxInt64, Nsec: 999_999_999}
	minInstant = Instant{Sec: math.MinInt64}
)

// InstantOf returns t's Instant.
func InstantOf(t time.Time) Instant { return Instant{Sec: t.Unix(), Nsec: int32(t.Nanosecond())} }

// Time returns the instant as a UTC time.Time; NullInstant gives the zero time.
func (a Instant) Time() time.Time { return time.Unix(a.Sec, int64(a.Nsec)).UTC() }

// Before reports whether a is earlier than b.
func (a Instant) Before(b Instant) bool {
	return a.Sec < b.Sec || (a.Sec == b.Sec && a.Nsec < b.Nsec)
}

// Pos is where a bill line is: the index of its object in the scan's list
// of objects, and its 1-based line (text files) or row (columnar files).
type Pos struct {
	Object int32
	Line   int64
}

// Less orders positions by object, then line.
func (p Pos) Less(q Pos) bool {
	return p.Object < q.Object || (p.Object == q.Object && p.Line < q.Line)
}

// seed is the hash seed of every table of the process, so tables built by
// different workers can be merged without rehashing.
var seed = maphash.MakeSeed()

// Hash hashes a group key.
func Hash(key []byte) uint64 { return maphash.Bytes(seed, key) }

// Table groups bill lines by a key of bytes. Per group it keeps exact
// sums of NSums amounts (scaled integers in an Int128, plus an exact
// decimal for amounts that do not fit the scale), the number of lines, the
// earliest charge period start, the latest end and the position of the
// first line. Memory grows with the number of groups, never with the
// number of lines. A Table is not safe for concurrent use: each worker
// fills its own and Merge combines them.
type Table struct {
	NSums int

	slots  []uint64 // hash tag << 32 | group+1; 0 is empty
	mask   uint64
	hashes []uint64
	keyEnd []uint32 // the key of group g is arena[keyEnd[g-1]:keyEnd[g]]
	arena  []byte

	Sums  []Int128                // NSums per group
	slow  map[int]decimal.Decimal // g*NSums+c: amounts that did not fit Scale
	Count []int64
	Start []Instant // earliest
	End   []Instant // latest
	First []Pos
}

// NewTable returns an empty table of groups with nsums amounts each.
func NewTable(nsums int) *Table {
	t := &Table{NSums: nsums}
	t.slots = make([]uint64, 1024)
	t.mask = uint64(len(t.slots) - 1)
	return t
}

// Len returns the number of groups.
func (t *Table) Len() int { return len(t.keyEnd) }

// Key returns group g's key; it must not be modified.
func (t *Table) Key(g int) []byte {
	start := uint32(0)
	if g > 0 {
		start = t.keyEnd[g-1]
	}
	return t.arena[start:t.keyEnd[g]]
}

// Find returns the group of key, whose hash is h (Hash(key)), adding it
// with first line pos when it is new.
func (t *Table) Find(h uint64, key []byte, pos Pos) int {
	tag := h >> 32 << 32
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := t.slots[i]
		if s == 0 {
			return t.insert(i, h, key, pos)
		}
		if s&^(1<<32-1) == tag {
			g := int(uint32(s)) - 1
			start := uint32(0)
			if g > 0 {
				start = t.keyEnd[g-1]
			}
			if bytes.Equal(t.arena[start:t.keyEnd[g]], key) {
				return g
			}
		}
	}
}

// Reserve makes room for n more groups, so that adding them grows no
// array: a flush that knows how many groups it brings allocates (and
// faults in) each array once instead of doubling it several times. The
// keys' bytes grow as they come.
func (t *Table) Reserve(n int) {
	if n <= 0 {
		return
	}
	want := len(t.keyEnd) + n
	if size := len(t.slots); 2*want > size {
		for 2*want > size {
			size *= 2
		}
		t.rehash(size)
	}
	t.hashes = slices.Grow(t.hashes, n)
	t.keyEnd = slices.Grow(t.keyEnd, n)
	t.Sums = slices.Grow(t.Sums, n*t.NSums)
	t.Count = slices.Grow(t.Count, n)
	t.Start = slices.Grow(t.Start, n)
	t.End = slices.Grow(t.End, n)
	t.First = slices.Grow(t.First, n)
}

func (t *Table) insert(slot uint64, h uint64, key []byte, pos Pos) int {
	g := len(t.keyEnd)
	t.slots[slot] = h>>32<<32 | uint64(g+1)
	t.hashes = append(t.hashes, h)
	t.arena = append(t.arena, key...)
	if uint64(len(t.arena)) > math.MaxUint32 {
		panic("fastagg: group keys exceed 4 GiB")
	}
	t.keyEnd = append(t.keyEnd, uint32(len(t.arena)))
	t.Sums = append(t.Sums, make([]Int128, t.NSums)...)
	t.Count = append(t.Count, 0)
	t.Start = append(t.Start, maxInstant)
	t.End = append(t.End, minInstant)
	t.First = append(t.First, pos)
	if 2*len(t.keyEnd) > len(t.slots) {
		t.grow()
	}
	return g
}

func (t *Table) grow() { t.rehash(2 * len(t.slots)) }

// rehash moves the groups into a slot table of size (a power of two).
func (t *Table) rehash(size int) {
	t.slots = make([]uint64, size)
	t.mask = uint64(len(t.slots) - 1)
	for g, h := range t.hashes {
		i := h & t.mask
		for t.slots[i] != 0 {
			i = (i + 1) & t.mask
		}
		t.slots[i] = h>>32<<32 | uint64(g+1)
	}
}

// AddScaled adds v scaled units to amount c of group g.
func (t *Table) AddScaled(g, c int, v int64) { t.Sums[g*t.NSums+c].AddInt64(v) }

// AddDecimal adds d to amount c of group g exactly: as scaled units when
// it fits, else on the exact slow path.
func (t *Table) AddDecimal(g, c int, d decimal.Decimal) {
	if v, ok := FromDecimal(d); ok {
		t.Sums[g*t.NSums+c].AddInt64(v)
		return
	}
	if t.slow == nil {
		t.slow = map[int]decimal.Decimal{}
	}
	k := g*t.NSums + c
	t.slow[k] = t.slow[k].Add(d)
}

// Observe records a line's charge period in group g.
func (t *Table) Observe(g int, start, end Instant) {
	if start.Before(t.Start[g]) {
		t.Start[g] = start
	}
	if t.End[g].Before(end) {
		t.End[g] = end
	}
}

// Sum returns amount c of group g, exactly.
func (t *Table) Sum(g, c int) decimal.Decimal {
	d := t.Sums[g*t.NSums+c].Decimal(Scale)
	if s, ok := t.slow[g*t.NSums+c]; ok {
		d = d.Add(s)
	}
	return d
}

// Merge adds every group of o into t. The result does not depend on the
// order in which tables are merged.
func (t *Table) Merge(o *Table) {
	if o.NSums != t.NSums {
		panic("fastagg: merging tables of different widths")
	}
	for og := range o.keyEnd {
		g := t.Find(o.hashes[og], o.Key(og), o.First[og])
		if o.First[og].Less(t.First[g]) {
			t.First[g] = o.First[og]
		}
		for c := range t.NSums {
			t.Sums[g*t.NSums+c].Add(o.Sums[og*o.NSums+c])
		}
		t.Count[g] += o.Count[og]
		t.Observe(g, o.Start[og], o.End[og])
	}
	for k, d := range o.slow {
		og, c := k/o.NSums, k%o.NSums
		g := t.Find(o.hashes[og], o.Key(og), o.First[og])
		if t.slow == nil {
			t.slow = map[int]decimal.Decimal{}
		}
		kk := g*t.NSums + c
		t.slow[kk] = t.slow[kk].Add(d)
	}
}

// Order returns the groups sorted by the position of their first line:
// the order in which a line-by-line scan first meets them.
func (t *Table) Order() []int {
	idx := make([]int, t.Len())
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(i, j int) bool { return t.First[idx[i]].Less(t.First[idx[j]]) })
	return idx
}
