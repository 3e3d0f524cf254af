package fastagg

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/parquet-go/parquet-go/format"
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
	pages  parquet.Pages
	page   parquet.Page
	defs   []byte // nil for a required column
	reps   []byte
	maxDef byte
	nlev   int // levels in the page
	li, vi int // next level, next value
	dict   parquet.Dictionary
}

func (l *leaf) open(cc parquet.ColumnChunk, maxDef int) {
	l.pages, l.maxDef = cc.Pages(), byte(maxDef)
	l.page, l.dict, l.li, l.nlev = nil, nil, 0, 0
}

func (l *leaf) close() {
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
	if l.page != nil {
		parquet.Release(l.page)
		l.page = nil
	}
	p, err := l.pages.ReadPage()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return false, errShortChunk
		}
		return false, err
	}
	l.page = p
	l.defs, l.reps = p.DefinitionLevels(), p.RepetitionLevels()
	l.nlev = int(p.NumValues())
	if l.defs != nil {
		l.nlev = len(l.defs)
	}
	l.li, l.vi = 0, 0
	d := p.Dictionary()
	newDict = d != nil && d != l.dict
	l.dict = d
	return newDict, nil
}

// textCursor reads a BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY column as ids.
type textCursor struct {
	leaf
	in    *Interner
	local *Local
	trans []uint32 // dictionary index → id
	idx   []int32
	data  []byte
	offs  []uint32
	size  int // FIXED_LEN_BYTE_ARRAY width; 0 for BYTE_ARRAY
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
			n := c.dict.Len()
			c.in.mu.Lock() // one lock for the whole dictionary
			for i := 0; i < n; i++ {
				if c.size > 0 {
					c.trans = append(c.trans, c.in.idLocked(b[i*c.size:(i+1)*c.size]))
				} else {
					c.trans = append(c.trans, c.in.idLocked(b[offs[i]:offs[i+1]]))
				}
			}
			c.in.mu.Unlock()
		}
		vals := c.page.Data()
		c.idx = vals.Int32()
		return nil
	}
	d := c.page.Data()
	if c.size > 0 {
		c.data, _ = d.FixedLenByteArray()
	} else {
		c.data, c.offs = d.ByteArray()
	}
	return nil
}

// fill reads the next n rows' ids into out (0 for null).
func (c *textCursor) fill(out []uint32) error {
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
		case c.dict != nil && c.defs == nil:
			for k := range dst {
				dst[k] = c.trans[c.idx[c.vi+k]]
			}
			c.vi += m
		case c.dict != nil:
			defs := c.defs[c.li : c.li+m]
			for k, d := range defs {
				if d == c.maxDef {
					dst[k] = c.trans[c.idx[c.vi]]
					c.vi++
				} else {
					dst[k] = 0
				}
			}
		default:
			for k := range dst {
				if c.defs != nil && c.defs[c.li+k] != c.maxDef {
					dst[k] = 0
					continue
				}
				var b []byte
				if c.size > 0 {
					b = c.data[c.vi*c.size : (c.vi+1)*c.size]
				} else {
					b = c.data[c.offs[c.vi]:c.offs[c.vi+1]]
				}
				dst[k] = c.local.ID(b)
				c.vi++
			}
		}
		c.li += m
		f += m
	}
	return nil
}

// idLocked is ID with in.mu already held.
func (in *Interner) idLocked(b []byte) uint32 {
	if id, ok := in.ids[string(b)]; ok {
		return id
	}
	s := string(b)
	id := uint32(len(in.strs))
	in.strs = append(in.strs, s)
	in.ids[s] = id
	return id
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
		vals := c.page.Data()
		c.idx = vals.Int32()
		return nil
	}
	c.setData(c.page.Data())
	return nil
}

// fill reads the next len(out) rows; row numbers in the slow list count
// from base.
func (c *numCursor) fill(out []int64, flags []uint8, base int) error {
	c.slow = c.slow[:0]
	for f := 0; f < len(out); {
		if c.li >= c.nlev {
			if err := c.load(); err != nil {
				return err
			}
			continue
		}
		m := min(len(out)-f, c.nlev-c.li)
		for k := 0; k < m; k++ {
			if c.defs != nil && c.defs[c.li+k] != c.maxDef {
				out[f+k], flags[f+k] = 0, amtNull
				continue
			}
			var v int64
			var fl uint8
			var d decimal.Decimal
			if c.dict != nil {
				j := c.idx[c.vi]
				v, fl, d = c.tv[j], c.tf[j], c.td[j]
				if fl == 255 {
					c.setData(c.dict.Page().Data())
					_, _, _, err := c.convert(int(j))
					return &cellError{row: base + f + k, err: err}
				}
			} else {
				var err error
				if v, fl, d, err = c.convert(c.vi); err != nil {
					return &cellError{row: base + f + k, err: err}
				}
			}
			c.vi++
			out[f+k], flags[f+k] = v, fl
			if fl == amtSlow {
				c.slow = append(c.slow, slowAmount{row: f + k, d: d})
			}
		}
		c.li += m
		f += m
	}
	return nil
}

// cellError is a bad value at a row of the current window.
type cellError struct {
	row int
	err error
}

func (e *cellError) Error() string { return e.err.Error() }

// timeCursor reads a TIMESTAMP, DATE or INT96 column as instants.
type timeCursor struct {
	leaf
	unit int64 // nanoseconds per unit for TIMESTAMP; 0 for DATE; -1 for INT96
	kind parquet.Kind
	tv   []Instant // dictionary entry → instant
	te   []bool    // dictionary entry is out of range
	idx  []int32
	i64  []int64
	i32  []int32
	i96  []deprecated.Int96
}

func (c *timeCursor) setData(vals encoding.Values) {
	switch {
	case c.unit == -1:
		c.i96 = vals.Int96()
	case c.kind == parquet.Int32:
		c.i32 = vals.Int32()
	default:
		c.i64 = vals.Int64()
	}
}

func (c *timeCursor) instant(i int) (Instant, error) {
	switch {
	case c.unit == -1:
		v := c.i96[i]
		nanos := int64(uint64(v[1])<<32 | uint64(v[0]))
		days := int64(v[2]) - 2440588 // Julian day of 1970-01-01
		return InstantOf(time.Unix(days*86400, nanos)), nil
	case c.unit == 0:
		return Instant{Sec: int64(c.i32[i]) * 86400}, nil
	}
	var n int64
	if c.kind == parquet.Int32 {
		n = int64(c.i32[i])
	} else {
		n = c.i64[i]
	}
	per := 1_000_000_000 / c.unit
	sec, rem := n/per, n%per
	if rem < 0 {
		sec--
		rem += per
	}
	if sec > 1<<40 || sec < -(1<<40) {
		return Instant{}, fmt.Errorf("timestamp %d is out of range", n)
	}
	return Instant{Sec: sec, Nsec: int32(rem * c.unit)}, nil
}

func (c *timeCursor) load() error {
	newDict, err := c.next()
	if err != nil {
		return err
	}
	if c.dict != nil {
		if newDict {
			c.setData(c.dict.Page().Data())
			n := c.dict.Len()
			c.tv, c.te = c.tv[:0], c.te[:0]
			for i := 0; i < n; i++ {
				t, err := c.instant(i)
				c.tv, c.te = append(c.tv, t), append(c.te, err != nil)
			}
		}
		vals := c.page.Data()
		c.idx = vals.Int32()
		return nil
	}
	c.setData(c.page.Data())
	return nil
}

// fill reads the next len(out) rows; null rows get NullInstant and
// null[k] = true. Row numbers in errors count from base.
func (c *timeCursor) fill(out []Instant, null []bool, base int) error {
	for f := 0; f < len(out); {
		if c.li >= c.nlev {
			if err := c.load(); err != nil {
				return err
			}
			continue
		}
		m := min(len(out)-f, c.nlev-c.li)
		for k := 0; k < m; k++ {
			if c.defs != nil && c.defs[c.li+k] != c.maxDef {
				out[f+k], null[f+k] = NullInstant, true
				continue
			}
			null[f+k] = false
			if c.dict != nil {
				j := c.idx[c.vi]
				if c.te[j] {
					c.setData(c.dict.Page().Data())
					_, err := c.instant(int(j))
					return &cellError{row: base + f + k, err: err}
				}
				out[f+k] = c.tv[j]
			} else {
				t, err := c.instant(c.vi)
				if err != nil {
					return &cellError{row: base + f + k, err: err}
				}
				out[f+k] = t
			}
			c.vi++
		}
		c.li += m
		f += m
	}
	return nil
}

// mapCursor reads a MAP of string keys and string values: per row, the
// (key id, value id) pairs in order; a null value is NullID.
type mapCursor struct {
	k, v     textCursor
	maxKey   byte // definition level of a present key
	maxValue byte // of a non-null value
}

// fill appends the pairs of the next len(offs)-1 rows to pairs; row r's
// pairs are pairs[offs[r]:offs[r+1]] (two ids per pair).
func (c *mapCursor) fill(pairs []uint32, offs []int32) ([]uint32, error) {
	rows := len(offs) - 1
	pairs = pairs[:0]
	r := -1
	for {
		if c.k.li >= c.k.nlev {
			if err := c.k.load(); err != nil {
				if errors.Is(err, errShortChunk) && r == rows-1 {
					break // the chunk ends with the window
				}
				return pairs, err
			}
			continue
		}
		if c.v.li >= c.v.nlev {
			if err := c.v.load(); err != nil {
				return pairs, err
			}
			continue
		}
		rep := byte(0)
		if c.k.reps != nil {
			rep = c.k.reps[c.k.li]
		}
		if rep == 0 {
			if r == rows-1 {
				break // the next row belongs to the next window
			}
			r++
			offs[r] = int32(len(pairs))
		}
		kd := c.k.defs[c.k.li]
		vd := c.v.defs[c.v.li]
		c.k.li++
		c.v.li++
		if kd < c.maxKey {
			continue // a null or empty map
		}
		kid := c.k.valueID()
		vid := NullID
		if vd >= c.maxValue {
			vid = c.v.valueID()
		}
		pairs = append(pairs, kid, vid)
	}
	if r != rows-1 {
		return pairs, errShortChunk
	}
	offs[rows] = int32(len(pairs))
	return pairs, nil
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

// textLeaf checks a leaf holds text: BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY
// that is not a DECIMAL; size is the fixed width.
func textLeaf(t parquet.Type) (size int, err error) {
	if lt := t.LogicalType(); lt != nil {
		if _, dec := lt.Value.(*format.DecimalType); dec {
			return 0, ErrUnsupported
		}
	}
	switch t.Kind() {
	case parquet.ByteArray:
		return 0, nil
	case parquet.FixedLenByteArray:
		return t.Length(), nil
	}
	return 0, ErrUnsupported
}

// numLeaf checks a leaf holds numbers: DOUBLE, FLOAT, INT32/INT64 (plain
// or DECIMAL) or a DECIMAL in bytes.
func numLeaf(t parquet.Type) (numConv, int32, error) {
	var scale int32
	isDec := false
	if lt := t.LogicalType(); lt != nil {
		switch v := lt.Value.(type) {
		case *format.DecimalType:
			scale, isDec = v.Scale, true
		case *format.IntType:
		default:
			return 0, 0, ErrUnsupported
		}
	}
	switch t.Kind() {
	case parquet.Double:
		return ncDouble, 0, nil
	case parquet.Float:
		return ncFloat, 0, nil
	case parquet.Int32, parquet.Int64:
		return ncInt, scale, nil
	case parquet.ByteArray, parquet.FixedLenByteArray:
		if isDec {
			return ncDecBytes, scale, nil
		}
	}
	return 0, 0, ErrUnsupported
}

// timeLeaf checks a leaf holds instants: TIMESTAMP (any unit), DATE or
// INT96; unit is nanoseconds per unit, 0 for DATE, -1 for INT96.
func timeLeaf(t parquet.Type) (unit int64, err error) {
	if t.Kind() == parquet.Int96 {
		return -1, nil
	}
	lt := t.LogicalType()
	if lt == nil {
		return 0, ErrUnsupported
	}
	switch v := lt.Value.(type) {
	case *format.DateType:
		if t.Kind() == parquet.Int32 {
			return 0, nil
		}
	case *format.TimestampType:
		if t.Kind() == parquet.Int64 && v.Unit.Value != nil {
			return int64(v.Unit.Value.Duration()), nil
		}
	}
	return 0, ErrUnsupported
}
