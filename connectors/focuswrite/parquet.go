package focuswrite

import (
	"fmt"
	"time"

	"github.com/allot-dev/allot/cost"
	"github.com/parquet-go/parquet-go"
)

// pqLayout maps the output columns to the Parquet schema's leaves.
//
// Types: money and quantities are required or optional STRING columns
// holding the decimal text (exact for any scale; DECIMAL would need one
// scale for the whole file and round the rest), timestamps are
// TIMESTAMP(MICROS, UTC), x_LineCount, x_SourceLine and x_SourceRow are
// INT64, Tags is a JSON string. Empty text, zero times and zero line or
// row numbers are null.
type pqLayout struct {
	schema *parquet.Schema
	leaf   []int // leaf column index of columns[i]
}

func newPQLayout() *pqLayout {
	g := parquet.Group{}
	for _, c := range columns {
		var n parquet.Node
		switch c.kind {
		case ckText, ckMoney:
			n = parquet.String()
		case ckTime:
			n = parquet.Timestamp(parquet.Microsecond)
		case ckInt:
			n = parquet.Int(64)
		case ckTags:
			n = parquet.JSON()
		}
		if !c.required {
			n = parquet.Optional(n)
		}
		g[c.name] = n
	}
	l := &pqLayout{schema: parquet.NewSchema("focus", g), leaf: make([]int, len(columns))}
	for i, c := range columns {
		lc, ok := l.schema.Lookup(c.name)
		if !ok {
			panic("focuswrite: column " + c.name + " missing from the Parquet schema")
		}
		l.leaf[i] = lc.ColumnIndex
	}
	return l
}

func (w *Writer) writeParquet(li *cost.LineItem) error {
	row := w.row[0][:len(columns)]
	for i := range columns {
		c := &columns[i]
		idx := w.pq.leaf[i]
		var v parquet.Value
		null := false
		switch c.kind {
		case ckText:
			s := c.text(li)
			null = s == ""
			v = parquet.ByteArrayValue([]byte(s))
		case ckMoney:
			v = parquet.ByteArrayValue([]byte(formatMoney(c.money(li))))
		case ckTime:
			t := c.time(li)
			if t.IsZero() {
				null = true
				break
			}
			if t.Nanosecond()%int(time.Microsecond) != 0 {
				return fmt.Errorf("%w: %s %s has sub-microsecond precision, which a Parquet TIMESTAMP(MICROS) cannot hold; write CSV instead",
					ErrItem, c.name, t.Format(time.RFC3339Nano))
			}
			v = parquet.Int64Value(t.UnixMicro())
		case ckInt:
			n := c.int(li)
			null = n == 0 && !c.required
			v = parquet.Int64Value(n)
		case ckTags:
			s := formatTags(li.Tags)
			null = s == ""
			v = parquet.ByteArrayValue([]byte(s))
		}
		def := 0
		if !c.required {
			def = 1
		}
		if null && !c.required {
			row[idx] = parquet.NullValue().Level(0, 0, idx)
			continue
		}
		row[idx] = v.Level(0, def, idx)
	}
	w.row[0] = row
	_, err := w.pw.WriteRows(w.row)
	return err
}
