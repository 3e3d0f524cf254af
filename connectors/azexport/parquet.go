package azexport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/allot-dev/allot/connectors/internal/objfiles"
	"github.com/allot-dev/allot/connectors/internal/pqvalue"
	"github.com/allot-dev/allot/connectors/internal/textio"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// isParquetName reports whether an export file is Parquet by its name
// (part_0_0001.snappy.parquet).
func isParquetName(key string) bool {
	return strings.HasSuffix(strings.ToLower(key), ".parquet")
}

// records is a file's header and its data records as text cells, the way
// rowMapper reads them: a CSV file as written, a Parquet file with each
// value as the text a CSV export would hold.
type records interface {
	header() []string
	// next returns the next record and its position: the CSV line, or the
	// Parquet row (from 1); io.EOF at the end.
	next() ([]string, int64, error)
	close()
}

// pqColumn is one top-level column of a Parquet export.
type pqColumn struct {
	name string
	// leaf is the column's leaf index; for a MAP<string,string> (tags) the
	// key leaf, with the value leaf in value.
	leaf, value int
	typ         parquet.Type
}

// pqRecords reads a Parquet export a row group at a time.
type pqRecords struct {
	ctx     context.Context
	f       *parquet.File
	cleanup func()
	cols    []pqColumn
	byLeaf  []int // leaf index → column index, -1 for leaves of no column
	rgs     []parquet.RowGroup
	rg      int
	rows    parquet.Rows
	buf     []parquet.Row
	n, i    int
	done    bool // rows has no more rows
	row     int64
	rec     []string
	keys    []string // a MAP row's keys and values, gathered
	vals    []string
}

// openParquet opens a Parquet export: rc itself when it is a local file,
// else a temporary copy (the disk holds one file; memory stays bounded).
func openParquet(ctx context.Context, rc io.Reader) (*pqRecords, error) {
	ra, size, cleanup, err := objfiles.ReaderAt(ctx, rc, -1, "", nil)
	if err != nil {
		return nil, err
	}
	f, err := parquet.OpenFile(ra, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("not a readable Parquet file: %w", err)
	}
	r := &pqRecords{ctx: ctx, f: f, cleanup: cleanup, rgs: f.RowGroups(), buf: make([]parquet.Row, 256)}
	if err := r.columns(); err != nil {
		cleanup()
		return nil, err
	}
	return r, nil
}

// columns maps the schema's top-level fields: leaves, and MAP<string,
// string> fields (read as the JSON object a CSV export writes). Other
// nested fields are left out, unless they are the tags.
func (r *pqRecords) columns() error {
	leaves := r.f.Schema().Columns()
	r.byLeaf = make([]int, len(leaves))
	for i := range r.byLeaf {
		r.byLeaf[i] = -1
	}
	leafOf := func(path []string) (parquet.LeafColumn, bool) { return r.f.Schema().Lookup(path...) }
	for _, field := range r.f.Schema().Fields() {
		name := field.Name()
		if field.Leaf() {
			lc, _ := leafOf([]string{name})
			r.byLeaf[lc.ColumnIndex] = len(r.cols)
			r.cols = append(r.cols, pqColumn{name: name, leaf: lc.ColumnIndex, value: -1, typ: field.Type()})
			continue
		}
		if k, v, ok := stringMap(field); ok {
			kc, _ := leafOf(append([]string{name}, k...))
			vc, _ := leafOf(append([]string{name}, v...))
			r.byLeaf[kc.ColumnIndex], r.byLeaf[vc.ColumnIndex] = len(r.cols), len(r.cols)
			r.cols = append(r.cols, pqColumn{name: name, leaf: kc.ColumnIndex, value: vc.ColumnIndex})
			continue
		}
		if canonicalHeader(name) == "tags" {
			return fmt.Errorf("column %s is a nested Parquet type allot does not read as tags; want a string (JSON) or MAP<string,string> column", name)
		}
	}
	return nil
}

// stringMap reports whether field is a MAP of strings to strings, and the
// paths below it of its key and value leaves.
func stringMap(field parquet.Field) (key, value []string, ok bool) {
	lt := field.Type().LogicalType()
	if lt == nil || len(field.Fields()) != 1 {
		return nil, nil, false
	}
	if _, isMap := lt.Value.(*format.MapType); !isMap {
		return nil, nil, false
	}
	kv := field.Fields()[0]
	if kv.Leaf() || len(kv.Fields()) != 2 {
		return nil, nil, false
	}
	k, v := kv.Fields()[0], kv.Fields()[1]
	if !k.Leaf() || !v.Leaf() || k.Type().Kind() != parquet.ByteArray || v.Type().Kind() != parquet.ByteArray {
		return nil, nil, false
	}
	return []string{kv.Name(), k.Name()}, []string{kv.Name(), v.Name()}, true
}

func (r *pqRecords) header() []string {
	h := make([]string, len(r.cols))
	for i, c := range r.cols {
		h[i] = c.name
	}
	return h
}

func (r *pqRecords) close() { r.cleanup() }

func (r *pqRecords) next() ([]string, int64, error) {
	for r.i >= r.n {
		if r.rows != nil && r.done {
			r.rows.Close()
			r.rows, r.done = nil, false
		}
		if r.rows == nil {
			if r.rg >= len(r.rgs) {
				return nil, r.row + 1, io.EOF
			}
			if err := r.ctx.Err(); err != nil {
				return nil, r.row + 1, err
			}
			r.rows = r.rgs[r.rg].Rows()
			r.rg++
		}
		n, err := pqvalue.Guard(func() (int, error) { return r.rows.ReadRows(r.buf) })
		if err != nil {
			if !errors.Is(err, io.EOF) { // a damaged page (pqvalue.ErrDamaged when parquet-go panicked)
				return nil, r.row + 1, fmt.Errorf("reading row group %d: %w; export or download the file again", r.rg, err)
			}
			r.done = true
		}
		r.n, r.i = n, 0
	}
	row := r.buf[r.i]
	r.i++
	r.row++
	rec, err := r.record(row)
	return rec, r.row, err
}

// record turns one row's values into text cells.
func (r *pqRecords) record(row parquet.Row) ([]string, error) {
	if cap(r.rec) < len(r.cols) {
		r.rec = make([]string, len(r.cols))
	}
	rec := r.rec[:len(r.cols)]
	clear(rec)
	mapCol := -1
	r.keys, r.vals = r.keys[:0], r.vals[:0]
	for _, v := range row {
		leaf := v.Column()
		if leaf < 0 || leaf >= len(r.byLeaf) || r.byLeaf[leaf] < 0 {
			continue
		}
		ci := r.byLeaf[leaf]
		c := &r.cols[ci]
		if c.value >= 0 {
			if mapCol != ci {
				r.flushMap(rec, mapCol)
				mapCol = ci
			}
			if v.IsNull() {
				continue
			}
			if leaf == c.leaf {
				r.keys = append(r.keys, string(v.ByteArray()))
			} else {
				r.vals = append(r.vals, string(v.ByteArray()))
			}
			continue
		}
		s, err := pqvalue.Text(c.typ, v)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.name, err)
		}
		rec[ci] = s
	}
	r.flushMap(rec, mapCol)
	return rec, nil
}

// flushMap writes the gathered keys and values of MAP column ci as the
// JSON object a CSV export holds.
func (r *pqRecords) flushMap(rec []string, ci int) {
	if ci < 0 {
		return
	}
	m := make(map[string]string, len(r.keys))
	for i, k := range r.keys {
		if i < len(r.vals) {
			m[k] = r.vals[i]
		}
	}
	if len(m) > 0 {
		b, _ := json.Marshal(m)
		rec[ci] = string(b)
	}
	r.keys, r.vals = r.keys[:0], r.vals[:0]
}

// csvRecords is a CSV export's records.
type csvRecords struct{ c *textio.CSV }

func (r csvRecords) header() []string               { return r.c.Header }
func (r csvRecords) next() ([]string, int64, error) { return r.c.Read() }
func (r csvRecords) close()                         {}
