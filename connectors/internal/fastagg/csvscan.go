package fastagg

import (
	"context"
	"encoding/binary"
	"errors"
	"io"

	"github.com/shopspring/decimal"
)

// CSVLayout says which fields of a CSV record a scan reads, what each is
// for and how the driver reads a cell: the scan splits and groups, the
// driver keeps its own rules for what a cell means.
type CSVLayout struct {
	Keys  []int // fields whose raw text goes into the key
	Start int   // the charge period start: required, its month is in the key
	End   int   // the charge period end, or -1
	// NullEnd, when set, gives the end of a row whose end cell is null,
	// from its start (a day after it, say); without it the end is
	// NullInstant.
	NullEnd func(start Instant) Instant
	// EndAfterStart makes a row whose end is not after its start an
	// error (ErrEndNotAfterStart at the end column).
	EndAfterStart bool
	Amounts       []int // fields summed per group, or -1 (always null)
	Required      []bool
	Count         int // a field of line counts (x_LineCount), or -1
	NullMask      bool
	// Mark, when set, derives one more byte of the key from the record,
	// after the Keys fields: what a driver must tell apart inside a group
	// that no single cell says (a zero and a non-zero amount, say).
	Mark func(rec [][]byte) byte

	// IsNull reports whether a time or amount cell is null.
	IsNull func(cell []byte) bool
	// ParseTime reads a non-null time cell.
	ParseTime func(cell string) (Instant, error)
	// ParseAmount reads a non-null amount cell ParseScaled refused.
	ParseAmount func(cell string) (decimal.Decimal, error)
	// ParseCount reads a non-null line count.
	ParseCount func(cell string) (int64, error)
}

// ErrNullAmount: a required amount is null.
var ErrNullAmount = errors.New("a required amount is null")

// ErrEndNotAfterStart: a row's charge period ends at or before its start.
var ErrEndNotAfterStart = errors.New("the charge period end is not after its start")

// CSVState is one worker's reusable state for ScanCSV.
type CSVState struct {
	times  map[string]Instant
	key    []byte
	months monthCache
}

// NewCSVState returns fresh worker state.
func NewCSVState() *CSVState { return &CSVState{times: make(map[string]Instant, 1024)} }

const timesMax = 1 << 16

func (st *CSVState) time(l *CSVLayout, cell []byte) (Instant, error) {
	if t, ok := st.times[string(cell)]; ok {
		return t, nil
	}
	t, err := l.ParseTime(string(cell))
	if err != nil {
		return Instant{}, err
	}
	if len(st.times) >= timesMax {
		clear(st.times)
	}
	st.times[string(cell)] = t
	return t, nil
}

// ScanCSV groups the records sp yields into t, object obj. The header must
// have been read. It returns the number of lines grouped; a bad cell is a
// *RowError, a CSV syntax error a *SyntaxError and a read error as it is.
func ScanCSV(ctx context.Context, sp *Splitter, obj int32, l *CSVLayout, t *Table, st *CSVState) (int64, error) {
	nsums := t.NSums
	if nsums != len(l.Amounts) {
		panic("fastagg: table and layout disagree on the amounts")
	}
	var lines int64
	var vals [64]int64
	var flags [64]uint8
	var slow [64]decimal.Decimal
	if nsums > len(vals) {
		panic("fastagg: too many amounts")
	}
	for n := 0; ; n++ {
		if n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return lines, err
			}
		}
		rec, line, err := sp.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return lines, nil
			}
			return lines, err
		}
		bad := func(col int, err error) error { return &RowError{Object: obj, Row: line, Col: col, Err: err} }
		key := st.key[:0]
		for _, i := range l.Keys {
			key = binary.AppendUvarint(key, uint64(len(rec[i])))
			key = append(key, rec[i]...)
		}
		if l.Mark != nil {
			key = append(key, l.Mark(rec))
		}
		cell := rec[l.Start]
		if l.IsNull(cell) {
			return lines, bad(l.Start, ErrNullStart)
		}
		start, err := st.time(l, cell)
		if err != nil {
			return lines, bad(l.Start, err)
		}
		end := NullInstant
		switch {
		case l.End >= 0 && !l.IsNull(rec[l.End]):
			if end, err = st.time(l, rec[l.End]); err != nil {
				return lines, bad(l.End, err)
			}
			if l.EndAfterStart && !start.Before(end) {
				return lines, bad(l.End, ErrEndNotAfterStart)
			}
		case l.NullEnd != nil:
			end = l.NullEnd(start)
		}
		key = binary.LittleEndian.AppendUint32(key, st.months.of(start.Sec))
		var mask uint64
		for k, i := range l.Amounts {
			if i < 0 || l.IsNull(rec[i]) {
				if l.Required != nil && l.Required[k] {
					return lines, bad(i, ErrNullAmount)
				}
				flags[k] = amtNull
				mask |= 1 << k
				continue
			}
			if v, ok := ParseScaled(rec[i]); ok {
				vals[k], flags[k] = v, amtValue
				continue
			}
			d, err := l.ParseAmount(string(rec[i]))
			if err != nil {
				return lines, bad(i, err)
			}
			slow[k], flags[k] = d, amtSlow
		}
		if l.NullMask {
			key = binary.LittleEndian.AppendUint64(key, mask)
		}
		count := int64(1)
		if l.Count >= 0 && !l.IsNull(rec[l.Count]) {
			if count, err = l.ParseCount(string(rec[l.Count])); err != nil {
				return lines, bad(l.Count, err)
			}
		}
		st.key = key
		g := t.Find(Hash(key), key, Pos{Object: obj, Line: line})
		t.Count[g] += count
		sums := t.Sums[g*nsums : (g+1)*nsums]
		for k := range sums {
			switch flags[k] {
			case amtValue:
				sums[k].AddInt64(vals[k])
			case amtSlow:
				t.AddDecimal(g, k, slow[k])
			}
		}
		t.Observe(g, start, end)
		lines++
	}
}

// KeyFields splits a key ScanCSV built back into its fields, appending
// them to dst; rest is what follows them (the Mark byte, the month and
// the null mask).
func KeyFields(key []byte, n int, dst [][]byte) (fields [][]byte, rest []byte) {
	for i := 0; i < n; i++ {
		l, k := binary.Uvarint(key)
		key = key[k:]
		dst = append(dst, key[:l])
		key = key[l:]
	}
	return dst, key
}

// KeyMask returns the null mask at the end of a key built with NullMask.
func KeyMask(key []byte) uint64 { return binary.LittleEndian.Uint64(key[len(key)-8:]) }
