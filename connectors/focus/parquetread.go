package focus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/internal/pqvalue"
	"github.com/allot-dev/allot/cost"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
	"github.com/shopspring/decimal"
)

// conv says how a Parquet leaf's values become cell values.
type conv int

const (
	cvText      conv = iota // BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY text, parsed like a CSV cell
	cvInt                   // INT32 / INT64 without a logical type
	cvBool                  // BOOLEAN
	cvDouble                // DOUBLE
	cvFloat                 // FLOAT
	cvDecInt                // DECIMAL stored as INT32 / INT64
	cvDecBytes              // DECIMAL stored as BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY
	cvTimestamp             // INT64 TIMESTAMP(unit)
	cvDate                  // INT32 DATE
	cvInt96                 // legacy INT96 timestamp
)

// pqCol is one resolved column of a Parquet file.
type pqCol struct {
	cell
	conv  conv
	scale int32         // DECIMAL scale
	unit  time.Duration // TIMESTAMP unit
	leaf  int           // leaf column index; for a MAP, the key leaf
	value int           // MAP value leaf, -1 when not a map
	vconv conv          // MAP value conversion
	r, vr *leafReader
	strs  interner
	vstrs interner
}

// parquet decodes one Parquet object, a row group at a time, reading only
// the columns it maps. Memory is bounded by one page per mapped column.
func (dec *decoder) parquet(ctx context.Context, ra io.ReaderAt, size int64, object string, fn func(*cost.LineItem) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := parquet.OpenFile(ra, size, parquet.SkipBloomFilters(true), parquet.SkipPageIndex(true))
	if err != nil {
		return &connectors.RowError{Object: object, Err: fmt.Errorf("%w: not a readable Parquet file: %w", ErrBadFile, err)}
	}
	top := f.Root().Columns()
	names := make([]string, len(top))
	for i, c := range top {
		names[i] = c.Name()
	}
	resolved, err := resolve(object, newHeaderIndex(names).lookup, dec.only)
	if err != nil {
		return err
	}
	cols := make([]*pqCol, 0, len(resolved))
	for _, rc := range resolved {
		pc, err := newPQCol(top[rc.index], rc)
		if err != nil {
			return &connectors.RowError{Object: object, Column: rc.name, Err: err}
		}
		cols = append(cols, pc)
	}
	li := &dec.li
	var row int64
	for _, rg := range f.RowGroups() {
		chunks := rg.ColumnChunks()
		for _, c := range cols {
			c.r = newLeafReader(chunks[c.leaf])
			if c.value >= 0 {
				c.vr = newLeafReader(chunks[c.value])
			}
		}
		err := func() error {
			defer func() {
				for _, c := range cols {
					c.r.close()
					if c.vr != nil {
						c.vr.close()
					}
				}
			}()
			for i := int64(0); i < rg.NumRows(); i++ {
				if row%checkEvery == 0 {
					if err := ctx.Err(); err != nil {
						return err
					}
				}
				row++
				*li = cost.LineItem{}
				for _, c := range cols {
					if err := c.read(li); err != nil {
						if cerr := ctx.Err(); cerr != nil {
							return cerr
						}
						return &connectors.RowError{Object: object, Row: row, Column: c.name, Err: err}
					}
				}
				li.Source = cost.Provenance{Object: object, Row: row}
				if err := fn(li); err != nil {
					return err
				}
			}
			return nil
		}()
		if err != nil {
			return err
		}
	}
	return nil
}

// newPQCol works out how to read one top-level column.
func newPQCol(c *parquet.Column, rc column) (*pqCol, error) {
	pc := &pqCol{cell: newCells([]column{rc})[0], value: -1}
	if !c.Leaf() {
		if pc.kind != kTags {
			return nil, fmt.Errorf("%w: column %s is a nested Parquet group; FOCUS columns are plain values", ErrBadFile, rc.name)
		}
		var leaves []*parquet.Column
		collectLeaves(c, &leaves)
		if len(leaves) != 2 || leaves[0].MaxRepetitionLevel() != 1 || leaves[1].MaxRepetitionLevel() != 1 {
			return nil, fmt.Errorf("%w: Tags must be a JSON string or a MAP of key to value, not %s", ErrBadFile, c.Type())
		}
		k, err := convOf(leaves[0].Type())
		if err != nil || k != cvText {
			return nil, fmt.Errorf("%w: Tags map keys must be strings", ErrBadFile)
		}
		v, err := convOf(leaves[1].Type())
		if err != nil {
			return nil, fmt.Errorf("%w: Tags map values: %w", ErrBadFile, err)
		}
		pc.leaf, pc.value, pc.conv, pc.vconv = int(leaves[0].Index()), int(leaves[1].Index()), cvText, v
		return pc, nil
	}
	if c.Repeated() {
		return nil, fmt.Errorf("%w: column %s is a repeated Parquet field; FOCUS columns hold one value per row", ErrBadFile, rc.name)
	}
	cv, err := convOf(c.Type())
	if err != nil {
		return nil, err
	}
	pc.conv, pc.leaf = cv, int(c.Index())
	lt := c.Type().LogicalType()
	if lt != nil {
		switch v := lt.Value.(type) {
		case *format.DecimalType:
			pc.scale = v.Scale
		case *format.TimestampType:
			if v.Unit.Value == nil {
				return nil, fmt.Errorf("%w: column %s: TIMESTAMP without a unit", ErrBadFile, rc.name)
			}
			pc.unit = v.Unit.Value.Duration()
		}
	}
	ok := true
	switch pc.kind {
	case kTime:
		ok = pc.conv == cvText || pc.conv == cvTimestamp || pc.conv == cvDate || pc.conv == cvInt96
	case kDecimal:
		ok = pc.conv == cvText || pc.conv == cvInt || pc.conv == cvDouble || pc.conv == cvFloat ||
			pc.conv == cvDecInt || pc.conv == cvDecBytes
	case kCount:
		ok = pc.conv == cvText || pc.conv == cvInt
	case kText:
		ok = pc.conv == cvText || pc.conv == cvInt || pc.conv == cvBool
	default: // category, class, currency, JSON tags
		ok = pc.conv == cvText
	}
	if !ok {
		return nil, fmt.Errorf("%w: column %s has Parquet type %s, which cannot hold a FOCUS %s value",
			ErrBadFile, rc.name, c.Type(), kindName(pc.kind))
	}
	return pc, nil
}

func kindName(k kind) string {
	switch k {
	case kTime:
		return "date/time"
	case kDecimal:
		return "decimal"
	case kCount:
		return "whole-number"
	case kTags:
		return "key-value JSON"
	}
	return "string"
}

func collectLeaves(c *parquet.Column, out *[]*parquet.Column) {
	if c.Leaf() {
		*out = append(*out, c)
		return
	}
	for _, ch := range c.Columns() {
		collectLeaves(ch, out)
	}
}

// convOf maps a Parquet type to a conversion.
func convOf(t parquet.Type) (conv, error) {
	if lt := t.LogicalType(); lt != nil {
		switch lt.Value.(type) {
		case *format.DecimalType:
			switch t.Kind() {
			case parquet.Int32, parquet.Int64:
				return cvDecInt, nil
			default:
				return cvDecBytes, nil
			}
		case *format.TimestampType:
			return cvTimestamp, nil
		case *format.DateType:
			return cvDate, nil
		case *format.StringType, *format.JsonType, *format.EnumType:
			return cvText, nil
		case *format.IntType:
			return cvInt, nil
		}
	}
	switch t.Kind() {
	case parquet.ByteArray, parquet.FixedLenByteArray:
		return cvText, nil
	case parquet.Int32, parquet.Int64:
		return cvInt, nil
	case parquet.Boolean:
		return cvBool, nil
	case parquet.Double:
		return cvDouble, nil
	case parquet.Float:
		return cvFloat, nil
	case parquet.Int96:
		return cvInt96, nil
	}
	return 0, fmt.Errorf("%w: unsupported Parquet type %s", ErrBadFile, t)
}

// read consumes this column's values for the next row and sets li.
func (c *pqCol) read(li *cost.LineItem) error {
	v, err := c.r.next()
	if err != nil {
		return err
	}
	if c.value >= 0 {
		return c.readMap(li, v)
	}
	if v.IsNull() {
		return c.setText(li, "")
	}
	switch c.conv {
	case cvText:
		return c.setText(li, c.strs.get(v.ByteArray()))
	case cvInt, cvBool:
		if c.kind == kText {
			setString(li, c.field, c.strs.get(c.strs.appendText(v)))
			return nil
		}
		if c.kind == kCount {
			if v.Int64() < 1 {
				return fmt.Errorf("%w: line count %d is not at least 1", ErrBadValue, v.Int64())
			}
			li.Count = v.Int64()
			return nil
		}
		setDecimal(li, c.field, decimal.New(intOf(v), 0))
	case cvDouble, cvFloat:
		x := v.Double()
		bits := 64
		if c.conv == cvFloat {
			x, bits = float64(v.Float()), 32
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%w: %v is not a number", ErrBadValue, x)
		}
		// The shortest decimal text that reads back as x, parsed exactly.
		txt := strconv.AppendFloat(c.strs.scratch[:0], x, 'g', -1, bits)
		c.strs.scratch = txt
		d, ok := fastDecimal(txt)
		if !ok {
			var err error
			if d, err = decimal.NewFromString(string(txt)); err != nil {
				return fmt.Errorf("%w: %w", ErrBadValue, err)
			}
		}
		setDecimal(li, c.field, d)
	case cvDecInt:
		setDecimal(li, c.field, decimal.New(intOf(v), -c.scale))
	case cvDecBytes:
		setDecimal(li, c.field, decimal.NewFromBigInt(pqvalue.TwosComplement(v.ByteArray()), -c.scale))
	case cvTimestamp:
		n, u := v.Int64(), int64(c.unit)
		if n > math.MaxInt64/u || n < math.MinInt64/u {
			return fmt.Errorf("%w: timestamp %d (%s since 1970) is out of range", ErrBadValue, n, c.unit)
		}
		setTime(li, c.field, time.Unix(0, n*u).UTC())
	case cvDate:
		setTime(li, c.field, time.Unix(int64(v.Int32())*86400, 0).UTC())
	case cvInt96:
		setTime(li, c.field, pqvalue.Int96Time(v.Int96()))
	}
	return nil
}

func intOf(v parquet.Value) int64 {
	if v.Kind() == parquet.Int32 {
		return int64(v.Int32())
	}
	if v.Kind() == parquet.Boolean {
		if v.Boolean() {
			return 1
		}
		return 0
	}
	return v.Int64()
}

// readMap reads the key/value pairs of a MAP Tags column for one row; k is
// the row's first key value.
func (c *pqCol) readMap(li *cost.LineItem, k parquet.Value) error {
	v, err := c.vr.next()
	if err != nil {
		return err
	}
	var tags cost.Tags
	for {
		if !k.IsNull() {
			key := c.strs.get(k.ByteArray())
			val := ""
			if !v.IsNull() {
				switch c.vconv {
				case cvText:
					val = c.vstrs.get(v.ByteArray())
				case cvDouble:
					val = strconv.FormatFloat(v.Double(), 'g', -1, 64)
				case cvFloat:
					val = strconv.FormatFloat(float64(v.Float()), 'g', -1, 32)
				default:
					val = c.vstrs.get(c.vstrs.appendText(v))
				}
			}
			if tags == nil {
				tags = make(cost.Tags, 4)
			}
			if old, dup := tags[key]; dup && old != val {
				return fmt.Errorf("%w: tag key %q appears twice with different values (%q and %q)", ErrBadTags, key, old, val)
			}
			tags[key] = val
		}
		nk, err := c.r.peek()
		if errors.Is(err, io.EOF) || (err == nil && nk.RepetitionLevel() == 0) {
			break
		}
		if err != nil {
			return err
		}
		if k, err = c.r.next(); err != nil {
			return err
		}
		if v, err = c.vr.next(); err != nil {
			return err
		}
	}
	li.Tags = tags
	return nil
}

// leafReader reads one column chunk value by value, a page at a time.
type leafReader struct {
	pages  parquet.Pages
	values parquet.ValueReader
	buf    []parquet.Value
	i, n   int
}

func newLeafReader(cc parquet.ColumnChunk) *leafReader {
	return &leafReader{pages: cc.Pages(), buf: make([]parquet.Value, 512)}
}

func (r *leafReader) peek() (parquet.Value, error) {
	for r.i >= r.n {
		if r.values == nil {
			p, err := pqvalue.Guard(r.pages.ReadPage)
			if err != nil {
				return parquet.Value{}, damaged(err)
			}
			r.values = p.Values()
		}
		n, err := pqvalue.Guard(func() (int, error) { return r.values.ReadValues(r.buf) })
		err = damaged(err)
		r.i, r.n = 0, n
		if errors.Is(err, io.EOF) {
			r.values = nil
		} else if err != nil {
			return parquet.Value{}, err
		}
	}
	return r.buf[r.i], nil
}

// damaged says what to do about a page the Parquet reader refused (or
// panicked on).
func damaged(err error) error {
	if err == nil || errors.Is(err, io.EOF) {
		return err
	}
	return fmt.Errorf("%w: %w; export or download the file again", ErrBadFile, err)
}

func (r *leafReader) next() (parquet.Value, error) {
	v, err := r.peek()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return v, fmt.Errorf("%w: column chunk ends before the row group does", ErrBadFile)
		}
		return v, err
	}
	r.i++
	return v, nil
}

func (r *leafReader) close() {
	if r != nil && r.pages != nil {
		r.pages.Close()
	}
}

// interner shares the strings of repeated Parquet values (dictionary
// encoded columns repeat a few values many times), up to a bound.
type interner struct {
	m       map[string]string
	scratch []byte
}

const internMax = 1 << 14

func (in *interner) get(b []byte) string {
	if s, ok := in.m[string(b)]; ok {
		return s
	}
	s := string(b)
	if in.m == nil {
		in.m = make(map[string]string, 64)
	}
	if len(in.m) < internMax {
		in.m[s] = s
	}
	return s
}

// appendText writes an integer or boolean value as text into the scratch
// buffer and returns it.
func (in *interner) appendText(v parquet.Value) []byte {
	b := in.scratch[:0]
	switch v.Kind() {
	case parquet.Boolean:
		b = strconv.AppendBool(b, v.Boolean())
	case parquet.Int32:
		b = strconv.AppendInt(b, int64(v.Int32()), 10)
	default:
		b = strconv.AppendInt(b, v.Int64(), 10)
	}
	in.scratch = b
	return b
}
