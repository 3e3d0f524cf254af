package fastagg

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"sync/atomic"

	"github.com/allot-dev/allot/connectors/internal/pqvalue"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/shopspring/decimal"
)

// ErrUnsupported: a Parquet column has a type the fast path does not
// read. The caller reads the file line by line instead.
var ErrUnsupported = errors.New("fastagg: column type not supported by the fast path")

// errShortChunk: a column chunk ends before its row group does.
var errShortChunk = errors.New("column chunk ends before the row group does")

// leaf walks the definition levels and values of one column chunk, a page
// at a time. Cursors of each type embed it.
type leaf struct {
	pages    parquet.Pages
	page     parquet.Page
	own      *pageReader     // when set, the pages come from it, a window at a time
	pageVals encoding.Values // the values of the page (or window)
	defs     []byte          // nil for a required column
	reps     []byte
	maxDef   byte
	nlev     int // levels in the page
	nulls    int // null levels in the page
	li, vi   int // next level, next value
	dict     parquet.Dictionary
	gen      uint64 // the dictionary's number, unique in the process (dictGens)
}

var (
	// errBadLevels: levels beyond the column's maximum, or fewer
	// repetition levels than definition levels.
	errBadLevels = errors.New("a page's levels are damaged")
	// errFewValues: a page holds fewer values than its levels say.
	errFewValues = errors.New("a page holds fewer values than its levels say")
)

// above reports whether a level of levels is above max, eight at a time
// (max below 127: a byte's high bit is set by adding 127-max to its low
// seven bits, or is its own).
func above(levels []byte, max byte) bool {
	const lo, hi, low7 = 0x0101010101010101, 0x8080808080808080, 0x7f7f7f7f7f7f7f7f
	add := uint64(127-min(max, 127)) * lo
	i := 0
	for ; max < 127 && i+8 <= len(levels); i += 8 {
		x := binary.LittleEndian.Uint64(levels[i:])
		if ((x&low7)+add|x)&hi != 0 {
			return true
		}
	}
	for _, l := range levels[i:] {
		if l > max {
			return true
		}
	}
	return false
}

// valueCount is the number of values in v.
func valueCount(v *encoding.Values) int {
	switch v.Kind() {
	case encoding.Int32:
		return len(v.Int32())
	case encoding.Int64:
		return len(v.Int64())
	case encoding.Int96:
		return len(v.Int96())
	case encoding.Float:
		return len(v.Float())
	case encoding.Double:
		return len(v.Double())
	case encoding.ByteArray:
		_, offs := v.ByteArray()
		return max(len(offs)-1, 0)
	case encoding.FixedLenByteArray:
		data, size := v.FixedLenByteArray()
		if size <= 0 {
			return 0
		}
		return len(data) / size
	}
	return math.MaxInt // a kind no cursor reads values of
}

// dictGens numbers the dictionaries leaves load, so that a cache of what
// dictionary indexes stand for can tell one dictionary from another.
var dictGens atomic.Uint64

// open starts reading column chunk cc of row group rg of f, with pr (when
// it is set and can read the chunk) or parquet-go's pages.
func (l *leaf) open(f *parquet.File, rg int, cc parquet.ColumnChunk, maxDef, maxRep int, pr *pageReader) {
	l.maxDef = byte(maxDef)
	l.page, l.dict, l.li, l.nlev, l.own, l.pages = nil, nil, 0, 0, nil, nil
	if pr != nil && pr.reset(f, rg, cc, maxDef, maxRep) {
		l.own = pr
		return
	}
	l.pages = cc.Pages()
}

func (l *leaf) close() {
	l.own = nil
	if l.page != nil {
		parquet.Release(l.page)
		l.page = nil
	}
	if l.pages != nil {
		l.pages.Close()
		l.pages = nil
	}
}

// next loads the next page; newDict reports a dictionary not seen before.
func (l *leaf) next() (newDict bool, err error) {
	if l.own != nil {
		// Our decoder checks what it reads; a panic would still end the
		// program from a worker goroutine, so it fails the scan instead.
		return pqvalue.Guard(func() (bool, error) { return l.own.window(l) })
	}
	if l.page != nil {
		parquet.Release(l.page)
		l.page = nil
	}
	// parquet-go trusts some of a page's contents (sizes in its header,
	// for one): a panic on a damaged page would end the program from a
	// worker goroutine, so it becomes pqvalue.ErrDamaged.
	p, err := pqvalue.Guard(l.pages.ReadPage)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return false, errShortChunk
		}
		return false, err
	}
	l.page = p
	l.pageVals = p.Data()
	l.defs, l.reps = p.DefinitionLevels(), p.RepetitionLevels()
	l.nlev = int(p.NumValues())
	if l.defs != nil {
		l.nlev = len(l.defs)
	}
	l.li, l.vi = 0, 0
	// The cursors trust the levels to index the values: a damaged page
	// whose levels say more than it holds is refused here.
	present := l.nlev
	l.nulls = 0
	if l.defs != nil {
		if above(l.defs, l.maxDef) {
			return false, errBadLevels
		}
		present = bytes.Count(l.defs, []byte{l.maxDef})
		l.nulls = l.nlev - present
	}
	if l.reps != nil && len(l.reps) != l.nlev {
		return false, errBadLevels
	}
	if vals := p.Data(); present > valueCount(&vals) {
		return false, errFewValues
	}
	d := p.Dictionary()
	newDict = d != nil && d != l.dict
	l.dict = d
	if newDict {
		l.gen = dictGens.Add(1)
	}
	return newDict, nil
}

// textCursor reads a BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY column as ids:
// the Interner's global ids, or, when cs is set, the codes cs gives them.
type textCursor struct {
	leaf
	in    *Interner
	local *Local
	cs    *codeSpace
	null  uint32   // the output of a null: global id 0 or its code
	trans []uint32 // dictionary index → id (or code)
	// constant: every row of the last window came from a one-entry
	// dictionary without nulls: the value is the same in every row
	constant bool
	dvals    []byte // the dictionary's values
	doffs    []uint32
	idx      []int32
	data     []byte
	offs     []uint32
	size     int // FIXED_LEN_BYTE_ARRAY width; 0 for BYTE_ARRAY
}

func (c *textCursor) load() error {
	newDict, err := c.next()
	if err != nil {
		return err
	}
	if c.dict != nil {
		if newDict {
			c.trans = c.trans[:0]
			vals := c.dict.Page().Data()
			var b []byte
			var offs []uint32
			if c.size > 0 {
				b, _ = vals.FixedLenByteArray()
			} else {
				b, offs = vals.ByteArray()
			}
			c.dvals, c.doffs = b, offs
			// Through the worker's cache: no lock for values seen before.
			c.trans = c.local.appendIDs(c.trans, texts{b, offs, c.size}, c.dict.Len())
			if c.cs != nil {
				for i, id := range c.trans {
					c.trans[i] = c.cs.get(id)
				}
			}
		}
		vals := c.pageVals
		c.idx = vals.Int32()
		return nil
	}
	d := c.pageVals
	if c.size > 0 {
		c.data, _ = d.FixedLenByteArray()
	} else {
		c.data, c.offs = d.ByteArray()
	}
	return nil
}

// fill reads the next n rows' ids into out (0 for null).
func (c *textCursor) fill(out []uint32) error {
	c.constant = true
	for f := 0; f < len(out); {
		if c.li >= c.nlev {
			if err := c.load(); err != nil {
				return err
			}
			continue
		}
		m := min(len(out)-f, c.nlev-c.li)
		dst := out[f : f+m]
		switch {
		case c.dict != nil && (c.defs == nil || c.nulls == 0) && c.dict.Len() == 1:
			if k := firstNonZero(c.idx[c.vi : c.vi+m]); k >= 0 { // the only valid index is 0
				return &cellError{row: f + k, err: errBadIndex}
			}
			v := c.trans[0]
			if f > 0 && out[0] != v {
				c.constant = false
			}
			for k := range dst {
				dst[k] = v
			}
			c.vi += m
		case c.dict != nil && (c.defs == nil || c.nulls == 0):
			c.constant = false
			trans := c.trans
			for k, j := range c.idx[c.vi : c.vi+m] {
				if uint(j) >= uint(len(trans)) {
					return &cellError{row: f + k, err: errBadIndex}
				}
				dst[k] = trans[j]
			}
			c.vi += m
		case c.dict != nil:
			c.constant = false
			defs := c.defs[c.li : c.li+m]
			for k, d := range defs {
				if d == c.maxDef {
					j := c.idx[c.vi]
					if uint(j) >= uint(len(c.trans)) {
						return &cellError{row: f + k, err: errBadIndex}
					}
					dst[k] = c.trans[j]
					c.vi++
				} else {
					dst[k] = c.null
				}
			}
		default:
			c.constant = false
			for k := range dst {
				if c.defs != nil && c.defs[c.li+k] != c.maxDef {
					dst[k] = c.null
					continue
				}
				var b []byte
				if c.size > 0 {
					b = c.data[c.vi*c.size : (c.vi+1)*c.size]
				} else {
					b = c.data[c.offs[c.vi]:c.offs[c.vi+1]]
				}
				id := c.local.ID(b)
				if c.cs != nil {
					id = c.cs.get(id)
				}
				dst[k] = id
				c.vi++
			}
		}
		c.li += m
		f += m
	}
	return nil
}

// Amount flags, per row.
const (
	amtValue uint8 = iota // the scaled value holds the amount
	amtNull               // null
	amtSlow               // the amount is in the cursor's slow list
)

// numConv says how a numeric column's values become scaled amounts.
type numConv int

const (
	ncDouble numConv = iota
	ncFloat
	ncInt // INT32/INT64, plain or DECIMAL(scale)
	ncDecBytes
)

// numCursor reads a numeric column as scaled amounts.
type numCursor struct {
	leaf
	conv  numConv
	scale int32
	kind  parquet.Kind
	// dictionary translation
	tv   []int64
	tf   []uint8
	td   []decimal.Decimal
	idx  []int32
	f64  []float64
	f32  []float32
	i64  []int64
	i32  []int32
	data []byte
	offs []uint32
	size int
	// the current window, sparse: rows with a value, their values, flags
	rows []int32
	vals []int64
	fl   []uint8
	slow []slowAmount // rows of the current window on the slow path
}

type slowAmount struct {
	row int
	d   decimal.Decimal
}

// convert turns value i of the current page (or dictionary) into a
// scaled amount.
func (c *numCursor) convert(i int) (int64, uint8, decimal.Decimal, error) {
	switch c.conv {
	case ncDouble:
		x := c.f64[i]
		if v, ok := FromFloat64(x); ok {
			return v, amtValue, decimal.Decimal{}, nil
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, 0, decimal.Decimal{}, fmt.Errorf("%v is not a number", x)
		}
		return 0, amtSlow, FloatDecimal(x, 64), nil
	case ncFloat:
		x := float64(c.f32[i])
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, 0, decimal.Decimal{}, fmt.Errorf("%v is not a number", x)
		}
		d := FloatDecimal(x, 32)
		if v, ok := FromDecimal(d); ok {
			return v, amtValue, decimal.Decimal{}, nil
		}
		return 0, amtSlow, d, nil
	case ncInt:
		var u int64
		if c.kind == parquet.Int32 {
			u = int64(c.i32[i])
		} else {
			u = c.i64[i]
		}
		if v, ok := RescaleInt(u, c.scale); ok {
			return v, amtValue, decimal.Decimal{}, nil
		}
		return 0, amtSlow, decimal.New(u, -c.scale), nil
	default:
		var b []byte
		if c.size > 0 {
			b = c.data[i*c.size : (i+1)*c.size]
		} else {
			b = c.data[c.offs[i]:c.offs[i+1]]
		}
		x := new(big.Int).SetBytes(b)
		if len(b) > 0 && b[0]&0x80 != 0 {
			x.Sub(x, new(big.Int).Lsh(big.NewInt(1), uint(len(b))*8))
		}
		d := decimal.NewFromBigInt(x, -c.scale)
		if v, ok := FromDecimal(d); ok {
			return v, amtValue, decimal.Decimal{}, nil
		}
		return 0, amtSlow, d, nil
	}
}

func (c *numCursor) setData(d encoding.Values) {
	switch c.conv {
	case ncDouble:
		c.f64 = d.Double()
	case ncFloat:
		c.f32 = d.Float()
	case ncInt:
		if c.kind == parquet.Int32 {
			c.i32 = d.Int32()
		} else {
			c.i64 = d.Int64()
		}
	default:
		if c.size > 0 {
			c.data, _ = d.FixedLenByteArray()
		} else {
			c.data, c.offs = d.ByteArray()
		}
	}
}

func (c *numCursor) load() error {
	newDict, err := c.next()
	if err != nil {
		return err
	}
	if c.dict != nil {
		if newDict {
			c.setData(c.dict.Page().Data())
			n := c.dict.Len()
			c.tv, c.tf, c.td = c.tv[:0], c.tf[:0], c.td[:0]
			for i := 0; i < n; i++ {
				v, f, d, err := c.convert(i)
				if err != nil {
					f = 255 // an error: reported if a row uses the entry
					d = decimal.Decimal{}
				}
				c.tv, c.tf, c.td = append(c.tv, v), append(c.tf, f), append(c.td, d)
			}
		}
		vals := c.pageVals
		c.idx = vals.Int32()
		return nil
	}
	c.setData(c.pageVals)
	return nil
}

// fill reads the next n rows as a sparse list: the rows (window-relative)
// that have a value, with their scaled values and flags (amtValue, or
// amtSlow with the decimal in slow). Row numbers in errors count from 0.
func (c *numCursor) fill(n int) error {
	c.rows, c.vals, c.fl, c.slow = c.rows[:0], c.vals[:0], c.fl[:0], c.slow[:0]
	for f := 0; f < n; {
		if c.li >= c.nlev {
			if err := c.load(); err != nil {
				return err
			}
			continue
		}
		m := min(n-f, c.nlev-c.li)
		if c.dict == nil && c.conv == ncDouble && (c.defs == nil || 2*c.nulls < c.nlev) {
			// plain DOUBLE, mostly present: the common case, converted inline
			defs := c.defs
			if defs != nil && c.nulls == 0 {
				defs = nil
			}
			for k := 0; k < m; k++ {
				if defs != nil && defs[c.li+k] != c.maxDef {
					continue
				}
				if v, ok := fastScaled(c.f64[c.vi]); ok {
					c.rows, c.vals, c.fl = append(c.rows, int32(f+k)), append(c.vals, v), append(c.fl, amtValue)
					c.vi++
					continue
				}
				if err := c.take(f + k); err != nil {
					return err
				}
			}
		} else if c.dict == nil && c.conv == ncDouble && c.nulls < c.nlev {
			// plain DOUBLE, mostly null: found by their definition levels
			defs := c.defs[c.li : c.li+m]
			for k := 0; k < m; {
				j := bytes.IndexByte(defs[k:], c.maxDef)
				if j < 0 {
					break
				}
				k += j
				if v, ok := fastScaled(c.f64[c.vi]); ok {
					c.rows, c.vals, c.fl = append(c.rows, int32(f+k)), append(c.vals, v), append(c.fl, amtValue)
					c.vi++
				} else if err := c.take(f + k); err != nil {
					return err
				}
				k++
			}
		} else if c.defs == nil || c.nulls == 0 {
			for k := 0; k < m; k++ {
				if err := c.take(f + k); err != nil {
					return err
				}
			}
		} else if c.nulls < c.nlev {
			defs := c.defs[c.li : c.li+m]
			for k := 0; k < m; {
				j := bytes.IndexByte(defs[k:], c.maxDef)
				if j < 0 {
					break
				}
				k += j
				if err := c.take(f + k); err != nil {
					return err
				}
				k++
			}
		}
		c.li += m
		f += m
	}
	return nil
}

// fastScaled is FromFloat64 without its range check's slow cases: x
// scaled to 10^-Scale units and rounded to an integer by adding and
// subtracting 1.5×2^52 (exact below 2^51), accepted only when that integer
// reads back as x, which no other integer does below floatLimit (see
// FromFloat64). A value it refuses takes FromFloat64.
func fastScaled(x float64) (int64, bool) {
	if !(x > -floatLimit && x < floatLimit) {
		return 0, false
	}
	const magic = 0x1.8p52
	v := int64((x*1e10 + magic) - magic)
	return v, float64(v)/1e10 == x
}

// take converts the next value, of window row r.
func (c *numCursor) take(r int) error {
	var v int64
	var fl uint8
	var d decimal.Decimal
	if c.dict != nil {
		j := c.idx[c.vi]
		if uint(j) >= uint(len(c.tv)) {
			return &cellError{row: r, err: errBadIndex}
		}
		v, fl, d = c.tv[j], c.tf[j], c.td[j]
		if fl == 255 {
			c.setData(c.dict.Page().Data())
			_, _, _, err := c.convert(int(j))
			return &cellError{row: r, err: err}
		}
	} else {
		var err error
		if v, fl, d, err = c.convert(c.vi); err != nil {
			return &cellError{row: r, err: err}
		}
	}
	c.vi++
	c.rows, c.vals, c.fl = append(c.rows, int32(r)), append(c.vals, v), append(c.fl, fl)
	if fl == amtSlow {
		c.slow = append(c.slow, slowAmount{row: r, d: d})
	}
	return nil
}

// dense writes the window's n rows as dense values and flags (amtNull
// where there is none); slowAt[r] indexes c.slow.
func (c *numCursor) dense(n int, vals []int64, flags []uint8, slowAt []int) {
	for r := 0; r < n; r++ {
		vals[r], flags[r], slowAt[r] = 0, amtNull, -1
	}
	for i, r := range c.rows {
		vals[r], flags[r] = c.vals[i], c.fl[i]
	}
	for j, sa := range c.slow {
		slowAt[sa.row] = j
	}
}

// cellError is a bad value at a row of the current window.
type cellError struct {
	row int
	err error
	// valueLeaf: the error is about a map's value leaf (else its key leaf)
	valueLeaf bool
}

func (e *cellError) Error() string { return e.err.Error() }

// firstNonZero returns the position of the first index that is not 0,
// or -1.
func firstNonZero(idx []int32) int {
	for k, j := range idx {
		if j != 0 {
			return k
		}
	}
	return -1
}
