package awscur

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/internal/objfiles"
	"github.com/allot-dev/allot/connectors/internal/pqvalue"
	"github.com/allot-dev/allot/objstore"
	"github.com/parquet-go/parquet-go"
)

// scanParquetObject reads one Parquet object. The Parquet reader needs
// random access: a store whose objects are not io.ReaderAt (S3, Azure) has
// the object copied to a temporary file first.
func (d *Driver) scanParquetObject(ctx context.Context, o objstore.Object, name string, e *emitter) error {
	ra, size, cleanup, err := d.readerAt(ctx, o, name)
	if err != nil {
		return err
	}
	defer cleanup()
	f, err := parquet.OpenFile(ra, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return &connectors.RowError{Object: name, Err: fmt.Errorf("%w: not a readable Parquet file (%w); download it again", ErrCorrupt, err)}
	}
	return scanParquet(ctx, name, f, e)
}

func (d *Driver) readerAt(ctx context.Context, o objstore.Object, name string) (io.ReaderAt, int64, func(), error) {
	rc, err := d.bucket.Open(ctx, o.Key)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("awscur: open %s: %w", name, err)
	}
	ra, size, cleanup, err := objfiles.ReaderAt(ctx, rc, o.Size, d.opts.TempDir, nil)
	if err != nil {
		rc.Close()
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, 0, nil, ctxErr
		}
		return nil, 0, nil, fmt.Errorf("awscur: read %s: %w", name, err)
	}
	return ra, size, func() { cleanup(); rc.Close() }, nil
}

// scanParquet emits a line item per row of f, reading the needed columns
// side by side one row group at a time, a page at a time.
func scanParquet(ctx context.Context, name string, f *parquet.File, e *emitter) error {
	ps, err := newPQScan(name, f)
	if err != nil {
		return err
	}
	for _, rg := range f.RowGroups() {
		if err := ps.rowGroup(ctx, rg, e); err != nil {
			return err
		}
	}
	return nil
}

// pqScan is the reading plan of one Parquet file: which leaf columns feed
// which fields and tags.
type pqScan struct {
	name    string
	s       *schema
	row     pqRow
	leaves  []*pqCol // every single-value column read per row: fields, fallbacks, tags
	tags    []*pqCol
	tagKeys []string
	maps    []*pqMap
	rowNum  int64 // rows read so far, over all row groups
}

func newPQScan(name string, f *parquet.File) (*pqScan, error) {
	top := f.Root().Columns()
	headers := make([]string, len(top))
	for i, c := range top {
		headers[i] = c.Name()
	}
	s := resolveSchema(headers)
	if fld, missing := s.missingRequired(); missing {
		return nil, &connectors.RowError{Object: name, Column: s.name[fld],
			Err: fmt.Errorf("%w: the file has no %s column; export it (CUR 2.0: add it to the export's query)", ErrMissingColumn, s.name[fld])}
	}
	ps := &pqScan{name: name, s: s}
	leaf := func(i int) (*pqCol, error) {
		c, err := newPQCol(top[i])
		if err != nil {
			return nil, &connectors.RowError{Object: name, Column: headers[i], Err: err}
		}
		ps.leaves = append(ps.leaves, c)
		return c, nil
	}
	var err error
	for fld := range numFields {
		if s.col[fld] < 0 {
			continue
		}
		if ps.row.cols[fld], err = leaf(s.col[fld]); err != nil {
			return nil, err
		}
		if s.alt[fld] >= 0 {
			if ps.row.alts[fld], err = leaf(s.alt[fld]); err != nil {
				return nil, err
			}
		}
	}
	for _, tc := range s.tags {
		c, err := leaf(tc.idx)
		if err != nil {
			return nil, err
		}
		ps.tags = append(ps.tags, c)
		ps.tagKeys = append(ps.tagKeys, tc.key)
	}
	for _, mc := range s.maps {
		m, err := newPQMap(top[mc.idx], mc.prefix)
		if err != nil {
			return nil, &connectors.RowError{Object: name, Column: mc.name, Err: err}
		}
		ps.maps = append(ps.maps, m)
	}
	return ps, nil
}

// rowGroup emits the rows of one row group. Each column is read through
// its own cursor, closed when the row group is done.
func (ps *pqScan) rowGroup(ctx context.Context, rg parquet.RowGroup, e *emitter) error {
	chunks := rg.ColumnChunks()
	var open []*cursor
	start := func(leaf int) *cursor {
		c := newCursor(chunks[leaf])
		open = append(open, c)
		return c
	}
	defer func() {
		for _, c := range open {
			c.r.Close()
		}
	}()
	for _, c := range ps.leaves {
		c.cur = start(c.leaf)
	}
	for _, m := range ps.maps {
		m.key, m.val = start(m.keyLeaf), start(m.valLeaf)
	}
	rows := rg.NumRows()
	for i := int64(0); i < rows; i++ {
		if i%ctxCheckRows == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		ps.rowNum++
		row := ps.rowNum
		for _, c := range ps.leaves {
			v, err := c.cur.next()
			if err != nil {
				return corruptColumn(ctx, ps.name, row, c.name, err)
			}
			c.val = v
		}
		e.reset()
		if fe := fill(&e.li, &ps.row); fe != nil {
			return &connectors.RowError{Object: ps.name, Row: row, Column: ps.s.name[fe.f], Err: fe.err}
		}
		for j, c := range ps.tags {
			e.setTag(ps.tagKeys[j], c.str())
		}
		for _, m := range ps.maps {
			if err := m.readRow(e); err != nil {
				return corruptColumn(ctx, ps.name, row, m.name, err)
			}
		}
		e.li.Source.Object = ps.name
		e.li.Source.Row = row
		if err := e.emit(); err != nil {
			return err
		}
	}
	return nil
}

func corruptColumn(ctx context.Context, name string, row int64, col string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	return &connectors.RowError{Object: name, Row: row, Column: col,
		Err: fmt.Errorf("%w: %w; download the object again", ErrCorrupt, err)}
}

// cursor reads one leaf column of a row group value by value, a page at a
// time. Byte-array values point into the current page: they are copied
// (converted to strings) before the cursor moves past their page.
type cursor struct {
	r    parquet.ColumnChunkValueReader
	buf  []parquet.Value
	i, n int
	err  error
}

func newCursor(cc parquet.ColumnChunk) *cursor {
	return &cursor{r: parquet.NewColumnChunkValueReader(cc), buf: make([]parquet.Value, 256)}
}

func (c *cursor) fill() error {
	for c.i >= c.n {
		if c.err != nil {
			return c.err
		}
		n, err := pqvalue.Guard(func() (int, error) { return c.r.ReadValues(c.buf) })
		c.i, c.n = 0, n
		switch {
		case errors.Is(err, io.EOF):
			c.err = errEndOfColumn
		case err != nil:
			c.err = err
		case n == 0:
			c.err = io.ErrNoProgress
		}
	}
	return nil
}

var errEndOfColumn = errors.New("the column has fewer values than the row group has rows")

func (c *cursor) next() (parquet.Value, error) {
	if err := c.fill(); err != nil {
		return parquet.Value{}, err
	}
	v := c.buf[c.i]
	c.i++
	return v, nil
}

// peek returns the next value without consuming it; ok is false at the
// end of the column chunk.
func (c *cursor) peek() (parquet.Value, bool) {
	if err := c.fill(); err != nil {
		return parquet.Value{}, false
	}
	return c.buf[c.i], true
}
