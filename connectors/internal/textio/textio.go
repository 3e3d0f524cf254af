// Package textio holds the text-format plumbing every file connector
// shares: transparent gzip, CSV with a byte-order mark and case-insensitive
// headers, exact decimal parsing and the timestamp layouts real exports use.
package textio

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/allot-dev/allot/cost"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/shopspring/decimal"
)

// Decompress returns a reader of r's content, inflating it when it starts
// with the gzip magic bytes (whatever the object's name says). Close
// releases the inflater; it does not close r.
func Decompress(r io.Reader) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	magic, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return zr, nil
	}
	return io.NopCloser(br), nil
}

// StripBOM returns r without a leading UTF-8 byte-order mark.
func StripBOM(r io.Reader) io.Reader {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	return br
}

// CSV reads a CSV file record by record, tracking line numbers.
type CSV struct {
	r      *csv.Reader
	Header []string // as written in the file, BOM removed
	index  map[string]int
	line   int64
}

// NewCSV reads the header row. A file with no header is an error.
func NewCSV(r io.Reader) (*CSV, error) {
	cr := csv.NewReader(StripBOM(r))
	cr.ReuseRecord = true
	cr.FieldsPerRecord = 0 // every row must have as many fields as the header
	cr.LazyQuotes = false
	h, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty file: no header row")
		}
		return nil, fmt.Errorf("header: %w", err)
	}
	c := &CSV{r: cr, Header: append([]string(nil), h...), index: map[string]int{}}
	for i, name := range c.Header {
		key := NormalizeHeader(name)
		if _, dup := c.index[key]; !dup {
			c.index[key] = i
		}
	}
	return c, nil
}

// NormalizeHeader folds a header name for lookup: trimmed, lower case.
func NormalizeHeader(name string) string {
	return strings.ToLower(strings.TrimSpace(name))
}

// Col returns the index of the first column whose name matches any of names
// case-insensitively, or -1.
func (c *CSV) Col(names ...string) int {
	for _, n := range names {
		if i, ok := c.index[NormalizeHeader(n)]; ok {
			return i
		}
	}
	return -1
}

// Read returns the next record (valid until the next call) and its 1-based
// line number in the file. It returns io.EOF at the end. A malformed record
// (wrong field count, bad quoting) is an error that says which line.
func (c *CSV) Read() ([]string, int64, error) {
	rec, err := c.r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, 0, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, int64(pe.StartLine), fmt.Errorf("line %d: %w", pe.StartLine, pe.Err)
		}
		return nil, 0, err
	}
	line, _ := c.r.FieldPos(0)
	c.line = int64(line)
	return rec, c.line, nil
}

// IsNull reports whether a cell is empty or the literal NULL / null that
// some FOCUS exports write.
func IsNull(s string) bool {
	s = strings.TrimSpace(s)
	return s == "" || strings.EqualFold(s, "null")
}

// IsNullBytes is IsNull on a cell's bytes, for the fast paths that split
// CSV without building strings.
func IsNullBytes(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) == 0 || (len(b) == 4 && bytes.EqualFold(b, []byte("null")))
}

// ParseDecimal parses a number exactly: plain decimals and E-notation
// (8.094e-05). A null cell returns zero and ok=false. Anything else
// (thousands separators, currency symbols, NaN, words) is an error.
func ParseDecimal(s string) (d decimal.Decimal, ok bool, err error) {
	s = strings.TrimSpace(s)
	if IsNull(s) {
		return decimal.Zero, false, nil
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			return decimal.Zero, false, fmt.Errorf("%q is not a number", s)
		}
	}
	d, err = decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, false, fmt.Errorf("%q is not a number", s)
	}
	if !cost.AmountInRange(d) {
		return decimal.Zero, false, fmt.Errorf("%q is out of range for an amount: at most %d decimal places and %d integer digits", s, cost.MaxDecimals, cost.MaxIntegerDigits)
	}
	if d.IsZero() {
		d = decimal.Zero // 0e-50 is zero, without its exponent
	}
	return d, true, nil
}

// Timestamp layouts seen in real exports, tried in order. All are read as
// UTC unless they carry an offset.
var timeLayouts = []string{
	time.RFC3339Nano,                // 2026-10-01T00:00:00Z, 2026-10-01T00:00:00.000Z, +00:00
	"2006-01-02T15:04:05",           // Azure startDate without offset
	"2006-01-02T15:04:05.999999999", // with fraction, no offset
	"2006-01-02 15:04:05",           // FOCUS CSV from some tools, KOKU fixtures
	"2006-01-02 15:04:05.999999999", // Athena timestamp
	"2006-01-02 15:04:05Z07:00",     // space separator with offset
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05 MST", // BigQuery CSV "2026-10-01 00:00:00 UTC"
	"2006-01-02",              // a date alone: the start of that day in UTC
	"20060102T150405.000Z",    // AWS legacy manifest billingPeriod
}

// ParseTime parses the ISO-8601-like timestamps of billing exports. It never
// guesses between day-first and month-first dates: those are for the
// connectors that know their provider's convention (see ParseUSDate).
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a timestamp; want 2026-10-01T00:00:00Z or 2026-10-01 00:00:00", s)
}

// ParseUSDate parses the month-first dates Azure EA exports write
// (9/2/2023, 09/21/2023), optionally followed by a time. Only connectors
// whose provider documents month-first dates call it.
func ParseUSDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range []string{"1/2/2006", "01/02/2006", "1/2/2006 15:04:05", "1/2/2006 3:04:05 PM"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a month/day/year date", s)
}

// Damaged reports whether err is a compressed stream's failure (a
// truncated or damaged gzip object) rather than a CSV syntax error.
func Damaged(err error) bool {
	var ce flate.CorruptInputError
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrChecksum) ||
		errors.Is(err, gzip.ErrHeader) || errors.As(err, &ce)
}
