package awscur

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/allot-dev/allot/connectors/internal/pqvalue"
	"github.com/allot-dev/allot/connectors/internal/textio"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
	"github.com/shopspring/decimal"
)

// convKind is how a Parquet column's values become strings, decimals and times.
type convKind int

const (
	convString convKind = iota
	convInt
	convDouble
	convFloat
	convDecimal
	convTimestamp
	convInt96
	convDate
	convBool
)

// pqCol is one top-level leaf column the scan reads.
type pqCol struct {
	name   string
	leaf   int
	kind   convKind
	scale  int32
	unit   time.Duration
	cur    *cursor
	val    parquet.Value // the current row's value
	intern map[string]string
}

// maxIntern bounds each column's string cache: CUR columns repeat a few
// values (accounts, product codes, usage types) over millions of rows.
const maxIntern = 4096

func newPQCol(c *parquet.Column) (*pqCol, error) {
	if !c.Leaf() || c.Repeated() {
		return nil, fmt.Errorf("%w: the column is nested or repeated, but this field is a single value", ErrUnsupportedFormat)
	}
	p := &pqCol{name: c.Name(), leaf: c.Index(), intern: map[string]string{}}
	t := c.Type()
	if lt := t.LogicalType(); lt != nil && lt.Value != nil {
		switch v := lt.Value.(type) {
		case *format.DecimalType:
			p.kind, p.scale = convDecimal, v.Scale
			return p, nil
		case *format.TimestampType:
			p.kind = convTimestamp
			p.unit = time.Millisecond
			if v.Unit.Value != nil {
				p.unit = v.Unit.Value.Duration()
			}
			return p, nil
		case *format.DateType:
			p.kind = convDate
			return p, nil
		}
	}
	switch t.Kind() {
	case parquet.ByteArray, parquet.FixedLenByteArray:
		p.kind = convString
	case parquet.Int32, parquet.Int64:
		p.kind = convInt
	case parquet.Double:
		p.kind = convDouble
	case parquet.Float:
		p.kind = convFloat
	case parquet.Int96:
		p.kind = convInt96
	case parquet.Boolean:
		p.kind = convBool
	default:
		return nil, fmt.Errorf("%w: Parquet type %s", ErrUnsupportedFormat, t)
	}
	return p, nil
}

func (p *pqCol) bytesString(b []byte) string {
	if s, ok := p.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(p.intern) < maxIntern {
		p.intern[s] = s
	}
	return s
}

func (p *pqCol) str() string {
	v := p.val
	if v.IsNull() {
		return ""
	}
	switch p.kind {
	case convString:
		return p.bytesString(v.ByteArray())
	case convInt:
		return strconv.FormatInt(intValue(v), 10)
	case convBool:
		return strconv.FormatBool(v.Boolean())
	case convDecimal, convDouble, convFloat:
		d, _, err := p.dec()
		if err != nil {
			return ""
		}
		return d.String()
	case convTimestamp, convInt96, convDate:
		t, _, err := p.time()
		if err != nil {
			return ""
		}
		return t.Format(time.RFC3339Nano)
	}
	return ""
}

func intValue(v parquet.Value) int64 {
	if v.Kind() == parquet.Int32 {
		return int64(v.Int32())
	}
	return v.Int64()
}

func (p *pqCol) dec() (decimal.Decimal, bool, error) {
	v := p.val
	if v.IsNull() {
		return decimal.Zero, false, nil
	}
	switch p.kind {
	case convDouble:
		return floatDecimal(v.Double(), 64)
	case convFloat:
		return floatDecimal(float64(v.Float()), 32)
	case convInt:
		return decimal.NewFromInt(intValue(v)), true, nil
	case convDecimal:
		switch v.Kind() {
		case parquet.Int32, parquet.Int64:
			return decimal.New(intValue(v), -p.scale), true, nil
		case parquet.ByteArray, parquet.FixedLenByteArray:
			return decimal.NewFromBigInt(pqvalue.TwosComplement(v.ByteArray()), -p.scale), true, nil
		}
	case convString:
		d, ok, err := textio.ParseDecimal(string(v.ByteArray()))
		if err != nil {
			return decimal.Zero, false, fmt.Errorf("%w: %w; want a decimal number such as 0.0104 or 8.094e-05", ErrBadValue, err)
		}
		return d, ok, nil
	}
	return decimal.Zero, false, fmt.Errorf("%w: a %s column cannot hold a number", ErrBadValue, p.kindName())
}

// floatDecimal converts a DOUBLE (or FLOAT) exactly as it was written: the
// shortest decimal that reads back as the same float, parsed as a decimal
// (so 0.1 stays 0.1, never 0.1000000000000000055511151231257827).
func floatDecimal(x float64, bits int) (decimal.Decimal, bool, error) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return decimal.Zero, false, fmt.Errorf("%w: %v is not a finite number", ErrBadValue, x)
	}
	d, err := decimal.NewFromString(strconv.FormatFloat(x, 'g', -1, bits))
	if err != nil {
		return decimal.Zero, false, fmt.Errorf("%w: %w", ErrBadValue, err)
	}
	return d, true, nil
}

func (p *pqCol) time() (time.Time, bool, error) {
	v := p.val
	if v.IsNull() {
		return time.Time{}, false, nil
	}
	switch p.kind {
	case convTimestamp:
		x := v.Int64()
		switch p.unit {
		case time.Millisecond:
			return time.UnixMilli(x).UTC(), true, nil
		case time.Microsecond:
			return time.UnixMicro(x).UTC(), true, nil
		default:
			return time.Unix(0, x).UTC(), true, nil
		}
	case convInt96:
		return pqvalue.Int96Time(v.Int96()), true, nil
	case convDate:
		return time.Unix(intValue(v)*86400, 0).UTC(), true, nil
	case convString:
		t, err := textio.ParseTime(string(v.ByteArray()))
		if err != nil {
			return time.Time{}, false, fmt.Errorf("%w: %w", ErrBadValue, err)
		}
		return t, true, nil
	}
	return time.Time{}, false, fmt.Errorf("%w: a %s column without a TIMESTAMP or DATE type cannot hold a date; allot does not guess the epoch unit", ErrBadValue, p.kindName())
}

func (p *pqCol) kindName() string {
	switch p.kind {
	case convInt:
		return "integer"
	case convBool:
		return "boolean"
	case convDouble, convFloat:
		return "floating-point"
	case convDecimal:
		return "DECIMAL"
	case convTimestamp, convInt96, convDate:
		return "timestamp"
	}
	return "string"
}

// pqRow is the current row of a Parquet scan.
type pqRow struct {
	cols [numFields]*pqCol
	alts [numFields]*pqCol // read when cols[f] is empty
}

func (r *pqRow) str(f field) string {
	var v string
	if c := r.cols[f]; c != nil {
		v = c.str()
	}
	if c := r.alts[f]; v == "" && c != nil {
		v = c.str()
	}
	return v
}

func (r *pqRow) dec(f field) (decimal.Decimal, bool, error) {
	if c := r.cols[f]; c != nil {
		return c.dec()
	}
	return decimal.Zero, false, nil
}

func (r *pqRow) time(f field) (time.Time, bool, error) {
	if c := r.cols[f]; c != nil {
		return c.time()
	}
	return time.Time{}, false, nil
}

// pqMap is a MAP<string,string> column: resource_tags or cost_category.
type pqMap struct {
	name             string
	prefix           string
	keyLeaf, valLeaf int
	keyMaxDef        int
	key, val         *cursor
	keyConv, valConv *pqCol
}

// mapLeaves returns the key and value leaves of a MAP column; ok is false
// when c is not a group of exactly two leaves.
func mapLeaves(c *parquet.Column) (k, v *parquet.Column, ok bool) {
	var leaves []*parquet.Column
	var walk func(*parquet.Column)
	walk = func(c *parquet.Column) {
		if c.Leaf() {
			leaves = append(leaves, c)
			return
		}
		for _, k := range c.Columns() {
			walk(k)
		}
	}
	walk(c)
	if c.Leaf() || len(leaves) != 2 {
		return nil, nil, false
	}
	return leaves[0], leaves[1], true
}

func newPQMap(c *parquet.Column, prefix string) (*pqMap, error) {
	k, v, ok := mapLeaves(c)
	if !ok {
		return nil, fmt.Errorf("%w: %s is not a MAP of key and value", ErrUnsupportedFormat, c.Name())
	}
	kc := &pqCol{name: c.Name(), kind: convString, intern: map[string]string{}}
	vc, err := newPQColAnyDepth(v)
	if err != nil {
		return nil, err
	}
	return &pqMap{name: c.Name(), prefix: prefix, keyLeaf: k.Index(), valLeaf: v.Index(),
		keyMaxDef: k.MaxDefinitionLevel(), keyConv: kc, valConv: vc}, nil
}

// newPQColAnyDepth is newPQCol for the value leaf of a map, which is nested.
func newPQColAnyDepth(c *parquet.Column) (*pqCol, error) {
	p := &pqCol{name: c.Name(), leaf: c.Index(), intern: map[string]string{}}
	switch c.Type().Kind() {
	case parquet.ByteArray, parquet.FixedLenByteArray:
		p.kind = convString
	case parquet.Int32, parquet.Int64:
		p.kind = convInt
	case parquet.Double:
		p.kind = convDouble
	case parquet.Boolean:
		p.kind = convBool
	default:
		return nil, fmt.Errorf("%w: map values of Parquet type %s", ErrUnsupportedFormat, c.Type())
	}
	return p, nil
}

// readRow reads one row's map entries into the emitter's tags.
func (m *pqMap) readRow(e *emitter) error {
	k, err := m.key.next()
	if err != nil {
		return err
	}
	v, err := m.val.next()
	if err != nil {
		return err
	}
	if k.RepetitionLevel() != 0 || v.RepetitionLevel() != 0 {
		return errors.New("map keys and values are out of step")
	}
	for {
		if k.DefinitionLevel() == m.keyMaxDef && !v.IsNull() {
			m.keyConv.val, m.valConv.val = k, v
			e.setTag(mapTagKey(m.prefix, m.keyConv.str()), m.valConv.str())
		}
		nk, ok := m.key.peek()
		if !ok || nk.RepetitionLevel() == 0 {
			return nil
		}
		if k, err = m.key.next(); err != nil {
			return err
		}
		if v, err = m.val.next(); err != nil {
			return err
		}
	}
}
