package awscur

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/internal/textio"
	"github.com/shopspring/decimal"
)

// ctxCheckRows is how many rows a scan reads between checks of its context.
const ctxCheckRows = 1024

func newPeekReader(r io.Reader) *bufio.Reader { return bufio.NewReaderSize(r, 64<<10) }

// scanCSV reads one CSV or CSV.gz object (legacy CUR, CUR 2.0 or Athena
// naming) and emits a line item per row. Memory is bounded by one row.
func scanCSV(ctx context.Context, name string, br *bufio.Reader, e *emitter) error {
	if magic, _ := br.Peek(4); string(magic) == "PK\x03\x04" {
		return &connectors.RowError{Object: name,
			Err: fmt.Errorf("%w: the object is ZIP-compressed; set the report's compression to GZIP or Parquet", ErrUnsupportedFormat)}
	}
	dr, err := textio.Decompress(br)
	if err != nil {
		return &connectors.RowError{Object: name, Err: fmt.Errorf("%w: %w; download the object again", ErrCorrupt, err)}
	}
	defer dr.Close()
	c, err := textio.NewCSV(dr)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return &connectors.RowError{Object: name, Line: 1, Err: fmt.Errorf("%w: %w; a CUR file starts with a header row", ErrCorrupt, err)}
	}
	s := resolveSchema(c.Header)
	if f, missing := s.missingRequired(); missing {
		return &connectors.RowError{Object: name, Line: 1, Column: s.name[f],
			Err: fmt.Errorf("%w: the header has no %s column; export it (CUR 2.0: add it to the export's query)", ErrMissingColumn, s.name[f])}
	}
	r := &csvRow{s: s}
	var last int64 = 1
	for n := 0; ; n++ {
		if n%ctxCheckRows == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec, line, err := c.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			if line > 0 {
				return &connectors.RowError{Object: name, Line: line,
					Err: fmt.Errorf("%w: %w; the file must be the CSV AWS delivered, unchanged", ErrCorrupt, err)}
			}
			return &connectors.RowError{Object: name, Line: last + 1,
				Err: fmt.Errorf("%w: reading after line %d: %w; the object is truncated or damaged: download it again", ErrCorrupt, last, err)}
		}
		last = line
		r.rec = rec
		e.reset()
		if fe := fill(&e.li, r); fe != nil {
			return &connectors.RowError{Object: name, Line: line, Column: s.name[fe.f], Err: fe.err}
		}
		for _, tc := range s.tags {
			e.setTag(tc.key, rec[tc.idx])
		}
		for _, mc := range s.maps {
			if err := jsonTags(rec[mc.idx], mc.prefix, e); err != nil {
				return &connectors.RowError{Object: name, Line: line, Column: mc.name, Err: err}
			}
		}
		e.li.Source.Object = name
		e.li.Source.Line = line
		if err := e.emit(); err != nil {
			return err
		}
	}
}

// jsonTags reads a CUR 2.0 map column written as JSON text in CSV:
// {"user:team":"search"}. An empty cell, {} and null hold no tags.
func jsonTags(cell, prefix string, e *emitter) error {
	cell = strings.TrimSpace(cell)
	if textio.IsNull(cell) || cell == "{}" {
		return nil
	}
	var m map[string]*string
	if err := json.Unmarshal([]byte(cell), &m); err != nil {
		return fmt.Errorf("%w: %.60q is not a JSON object of strings (%w); CUR 2.0 CSV writes map columns as JSON", ErrBadValue, cell, err)
	}
	for k, v := range m {
		if v != nil {
			e.setTag(mapTagKey(prefix, k), *v)
		}
	}
	return nil
}

// csvRow reads fields from one CSV record.
type csvRow struct {
	s   *schema
	rec []string
}

func (r *csvRow) cell(f field) (string, bool) {
	i := r.s.col[f]
	if i < 0 {
		return "", false
	}
	return r.rec[i], true
}

func (r *csvRow) str(f field) string {
	v, _ := r.cell(f)
	if v == "" && r.s.alt[f] >= 0 {
		v = r.rec[r.s.alt[f]]
	}
	return v
}

func (r *csvRow) dec(f field) (decimal.Decimal, bool, error) {
	v, ok := r.cell(f)
	if !ok {
		return decimal.Zero, false, nil
	}
	d, ok, err := textio.ParseDecimal(v)
	if err != nil {
		return decimal.Zero, false, fmt.Errorf("%w: %w; want a decimal number such as 0.0104 or 8.094e-05", ErrBadValue, err)
	}
	return d, ok, nil
}

func (r *csvRow) time(f field) (time.Time, bool, error) {
	v, ok := r.cell(f)
	if !ok || textio.IsNull(v) {
		return time.Time{}, false, nil
	}
	t, err := textio.ParseTime(v)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("%w: %w", ErrBadValue, err)
	}
	return t, true, nil
}
