package focus

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/internal/textio"
	"github.com/allot-dev/allot/cost"
)

// decoder turns FOCUS files into line items. One decoder reads the files
// of a scan one after the other and reuses its LineItem: the item passed
// to fn is valid only during the call.
type decoder struct {
	only []field // nil: every field; else just these (Inputs reads ChargePeriodStart only)
	li   cost.LineItem
}

func newDecoder(only []field) *decoder { return &decoder{only: only} }

// checkEvery is how many rows pass between two checks of ctx.
const checkEvery = 1024

// csv decodes one CSV or gzip-compressed CSV object.
func (dec *decoder) csv(ctx context.Context, r io.Reader, object string, fn func(*cost.LineItem) error) error {
	zr, err := textio.Decompress(r)
	if err != nil {
		return &connectors.RowError{Object: object, Err: fmt.Errorf("%w: %w", ErrBadFile, err)}
	}
	defer zr.Close()
	cr := csv.NewReader(textio.StripBOM(zr))
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return &connectors.RowError{Object: object, Line: 1, Err: fmt.Errorf(
				"%w: empty file: no header row; a FOCUS CSV starts with a header naming its columns", ErrBadFile)}
		}
		return csvError(object, 1, err)
	}
	hi := newHeaderIndex(header)
	cols, err := resolve(object, hi.lookup, dec.only)
	if err != nil {
		return err
	}
	cells := newCells(cols)
	li := &dec.li
	var line int64 = 1
	for n := 0; ; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec, err := cr.Read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			return csvError(object, line+1, err)
		}
		l, _ := cr.FieldPos(0)
		line = int64(l)
		*li = cost.LineItem{}
		for i := range cells {
			c := &cells[i]
			if err := c.setText(li, rec[c.index]); err != nil {
				return &connectors.RowError{Object: object, Line: line, Column: c.name, Err: err}
			}
		}
		li.Source = cost.Provenance{Object: object, Line: line}
		if err := fn(li); err != nil {
			return err
		}
	}
}

// csvError turns a CSV syntax error (bad quoting, a row with the wrong
// number of fields) or a read error into a RowError at the right line.
func csvError(object string, line int64, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			msg += "; every row must have as many fields as the header"
		}
		return &connectors.RowError{Object: object, Line: int64(pe.StartLine), Err: fmt.Errorf(
			"%w: CSV syntax at line %d, character %d: %s", ErrBadFile, pe.Line, pe.Column, msg)}
	}
	if textio.Damaged(err) {
		return &connectors.RowError{Object: object, Line: line, Err: fmt.Errorf(
			"%w: %w; the file is truncated or damaged: export or download it again", ErrBadFile, err)}
	}
	return &connectors.RowError{Object: object, Line: line, Err: fmt.Errorf("%w: %w", ErrBadFile, err)}
}
