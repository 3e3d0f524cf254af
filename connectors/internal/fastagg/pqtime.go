package fastagg

import (
	"fmt"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/encoding"
)

// timeCursor reads a TIMESTAMP, DATE or INT96 column as instants.
type timeCursor struct {
	leaf
	unit int64 // nanoseconds per unit for TIMESTAMP; 0 for DATE; -1 for INT96
	kind parquet.Kind
	tv   []Instant // dictionary entry → instant
	te   []bool    // dictionary entry is out of range
	bad  bool      // some entry is
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
			c.tv, c.te, c.bad = c.tv[:0], c.te[:0], false
			for i := 0; i < n; i++ {
				t, err := c.instant(i)
				c.tv, c.te = append(c.tv, t), append(c.te, err != nil)
				c.bad = c.bad || err != nil
			}
		}
		vals := c.pageVals
		c.idx = vals.Int32()
		return nil
	}
	c.setData(c.pageVals)
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
		if c.dict == nil && c.unit > 0 && c.kind == parquet.Int64 && (c.defs == nil || c.nulls == 0) &&
			c.i64 != nil && 1_000_000_000%c.unit == 0 {
			// plain INT64 timestamps without nulls: the common case, inline
			per := 1_000_000_000 / c.unit
			vals := c.i64[c.vi : c.vi+m]
			dst, dn := out[f:f+m], null[f:f+m]
			for k, n := range vals {
				sec, rem := n/per, n%per
				if rem < 0 {
					sec--
					rem += per
				}
				if sec > 1<<40 || sec < -(1<<40) {
					return &cellError{row: base + f + k, err: fmt.Errorf("timestamp %d is out of range", n)}
				}
				dst[k], dn[k] = Instant{Sec: sec, Nsec: int32(rem * c.unit)}, false
			}
			c.vi += m
			c.li += m
			f += m
			continue
		}
		if c.dict != nil && (c.defs == nil || c.nulls == 0) && !c.bad {
			// dictionary encoded without nulls (the usual timestamps): inline
			dst, dn := out[f:f+m], null[f:f+m]
			for k, j := range c.idx[c.vi : c.vi+m] {
				if uint(j) >= uint(len(c.tv)) {
					return &cellError{row: base + f + k, err: errBadIndex}
				}
				dst[k], dn[k] = c.tv[j], false
			}
			c.vi += m
			c.li += m
			f += m
			continue
		}
		for k := 0; k < m; k++ {
			if c.defs != nil && c.defs[c.li+k] != c.maxDef {
				out[f+k], null[f+k] = NullInstant, true
				continue
			}
			null[f+k] = false
			if c.dict != nil {
				j := c.idx[c.vi]
				if uint(j) >= uint(len(c.tv)) {
					return &cellError{row: base + f + k, err: errBadIndex}
				}
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
