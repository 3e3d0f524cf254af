package fastagg

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"

	"github.com/parquet-go/parquet-go"
)

// PQLayout says which leaf columns of a Parquet file a scan reads and what
// each is for. Leaf indexes are those of parquet.File.Root() leaves
// (parquet.Column.Index); -1 means the file has no such column.
type PQLayout struct {
	Texts    []int  // key columns read as text (their ids go into the key)
	TimeKeys []int  // key columns read as instants (BillingPeriodStart)
	Start    int    // the charge period start: required, its month is in the key
	End      int    // the charge period end, or -1
	Amounts  []int  // amounts summed per group, or -1 (always null)
	Required []bool // amounts that may not be null (ErrNullAmount); nil: none
	Count    int    // a column of line counts (x_LineCount), or -1
	// Maps are MAPs of tags: the key and the value leaf of each. The key
	// holds, per map, the number of entries and the (key, value) ids.
	Maps [][2]int
	// NullMask puts which amounts are null into the key, for drivers
	// whose cost rules depend on it.
	NullMask bool
}

// RowError is a bad value in a row of an object: Object indexes the
// scan's list, Row is the 1-based row (Parquet) or line (CSV) within the
// object and Col the column: the leaf index of a Parquet file, the field
// index of a CSV record.
type RowError struct {
	Object int32
	Row    int64
	Col    int
	Err    error
}

func (e *RowError) Error() string { return fmt.Sprintf("row %d: %v", e.Row, e.Err) }
func (e *RowError) Unwrap() error { return e.Err }

// Pos returns the position of the error, to compare with others.
func (e *RowError) Pos() Pos { return Pos{Object: e.Object, Line: e.Row} }

// Sentinels for RowError.Err.
var (
	// ErrNullStart: the charge period start of a row is null.
	ErrNullStart = errors.New("the charge period start is null")
	// ErrBadCount: a line count below 1.
	ErrBadCount = errors.New("line count is not a whole number of at least 1")
)

// PQFile is one Parquet object of a scan.
type PQFile struct {
	File   *parquet.File
	Object int32 // index in the scan's list of objects, for positions
	Layout *PQLayout
}

// PQResult is what ScanParquet built.
type PQResult struct {
	Table *Table
	Names *Interner // the strings behind the text ids of the keys
	Lines int64
}

// window is how many rows of a row group are decoded at a time: it bounds
// the memory of a worker.
const windowRows = 4096

type unit struct {
	file    int
	rg      int
	rowBase int64 // rows of the file before this row group
}

// ScanParquet groups the lines of files, the row groups in parallel on
// workers goroutines (GOMAXPROCS when 0), each with its own table, merged
// at the end. The result does not depend on the number of workers. A bad
// value is a *RowError: the first one in file and row order.
//
// Our page reader (pageReader) is an optimisation only: when a scan with
// it fails, the files are scanned again with parquet-go's pages alone,
// whose result or error is the scan's. A file it refused that parquet-go
// reads is read, and a damaged one is reported as parquet-go's reader
// finds it.
func ScanParquet(ctx context.Context, files []PQFile, workers int) (*PQResult, error) {
	res, err := scanParquet(ctx, files, workers, ownPages)
	if err != nil && ownPages && ctx.Err() == nil {
		ownRetries.Add(1)
		return scanParquet(ctx, files, workers, false)
	}
	return res, err
}

// ownRetries counts scans our page reader failed, for tests.
var ownRetries atomic.Int64

func scanParquet(ctx context.Context, files []PQFile, workers int, own bool) (*PQResult, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	nsums := -1
	var units []unit
	for fi, f := range files {
		if err := CheckLayout(f.File, f.Layout); err != nil {
			return nil, err
		}
		if nsums >= 0 && nsums != len(f.Layout.Amounts) {
			return nil, fmt.Errorf("fastagg: files with different numbers of amounts")
		}
		nsums = len(f.Layout.Amounts)
		var base int64
		for ri, rg := range f.File.RowGroups() {
			units = append(units, unit{file: fi, rg: ri, rowBase: base})
			base += rg.NumRows()
		}
	}
	if nsums < 0 {
		nsums = 0
	}
	names := NewInterner()
	ws := make([]*pqWorker, min(workers, max(len(units), 1)))
	for w := range ws {
		ws[w] = newPQWorker(names, nsums)
		ws[w].own = own
	}
	var lines atomic.Int64
	err := ForEachThen(ctx, len(units), len(ws), func(ctx context.Context, w, i int) error {
		u := units[i]
		n, err := ws[w].rowGroup(ctx, &files[u.file], u)
		lines.Add(n)
		return err
	}, func(w int) { ws[w].finish() })
	if err != nil {
		return nil, err
	}
	t := ws[0].t
	for _, o := range ws[1:] {
		t.Merge(o.t)
	}
	return &PQResult{Table: t, Names: names, Lines: lines.Load()}, nil
}

// CheckLayout returns ErrUnsupported if a column has a type the fast
// path does not read.
func CheckLayout(f *parquet.File, l *PQLayout) error {
	leaves := f.Schema().Columns()
	typ := func(i int) (parquet.Type, error) {
		if i < 0 || i >= len(leaves) {
			return nil, fmt.Errorf("fastagg: no leaf column %d", i)
		}
		lc, ok := f.Schema().Lookup(leaves[i]...)
		if !ok {
			return nil, fmt.Errorf("fastagg: no leaf column %d", i)
		}
		if lc.MaxRepetitionLevel > 0 && !isMapLeaf(l, i) {
			return nil, fmt.Errorf("%w: column %v is repeated", ErrUnsupported, leaves[i])
		}
		return lc.Node.Type(), nil
	}
	for _, i := range l.Texts {
		t, err := typ(i)
		if err != nil {
			return err
		}
		if _, err := textLeaf(t); err != nil {
			return fmt.Errorf("%w: column %v is %s", err, leaves[i], t)
		}
	}
	for _, i := range append(append([]int{l.Start}, l.TimeKeys...), l.End) {
		if i < 0 {
			continue
		}
		t, err := typ(i)
		if err != nil {
			return err
		}
		if _, err := timeLeaf(t); err != nil {
			return fmt.Errorf("%w: column %v is %s", err, leaves[i], t)
		}
	}
	for _, i := range append(append([]int(nil), l.Amounts...), l.Count) {
		if i < 0 {
			continue
		}
		t, err := typ(i)
		if err != nil {
			return err
		}
		if _, _, err := numLeaf(t); err != nil {
			return fmt.Errorf("%w: column %v is %s", err, leaves[i], t)
		}
	}
	for _, m := range l.Maps {
		for _, i := range m {
			t, err := typ(i)
			if err != nil {
				return err
			}
			if _, err := textLeaf(t); err != nil {
				return fmt.Errorf("%w: map column %v is %s", err, leaves[i], t)
			}
		}
	}
	return nil
}

// shape describes what a layout's group keys hold, whatever the leaves:
// files of one shape (the files of one export) share a worker's packed
// table, so that memory grows with the groups, not with the files.
func (l *PQLayout) shape() string {
	present := make([]byte, len(l.Amounts))
	for k, i := range l.Amounts {
		present[k] = '0'
		if i >= 0 {
			present[k] = '1'
		}
	}
	return fmt.Sprintf("%d/%d/%d/%s/%v/%v", len(l.Texts), len(l.TimeKeys), len(l.Maps), present, l.End >= 0, l.NullMask)
}

func isMapLeaf(l *PQLayout, i int) bool {
	for _, m := range l.Maps {
		if i == m[0] || i == m[1] {
			return true
		}
	}
	return false
}

// pqWorker is one worker's state, reused across row groups.
type pqWorker struct {
	t        *Table
	names    *Interner
	local    *Local
	texts    []textCursor
	tkeys    []timeCursor
	start    timeCursor
	end      timeCursor
	nums     []numCursor
	count    numCursor
	tags     []mapCursor
	ids      [][]uint32
	tk       [][]Instant
	tkNull   [][]bool
	st, en   []Instant
	stNull   []bool
	enNull   []bool
	vals     [][]int64
	flags    [][]uint8
	cnt      []int64
	cntF     []uint8
	pairs    [][]uint32
	offs     [][]int32
	tagCodes [][]uint32
	key      []byte
	months   monthCache
	slowAt   [][]int            // per amount: index into nums[c].slow by row, -1 if none
	packs    map[string]*packed // by PQLayout.shape: files of one shape share codes and groups
	win      window
	readers  []*pageReader // the leaves' page readers, reused from row group to row group
	nreaders int
	own      bool // read pages with pageReader where it can
}

// reader returns the worker's next page reader for the row group, nil
// when the worker reads parquet-go's pages alone.
func (s *pqWorker) reader() *pageReader {
	if !s.own {
		return nil
	}
	if s.nreaders == len(s.readers) {
		s.readers = append(s.readers, &pageReader{})
	}
	s.nreaders++
	return s.readers[s.nreaders-1]
}

// finish flushes the packed groups into the worker's table.
func (s *pqWorker) finish() {
	for _, p := range s.packs {
		s.key = p.flush(s.t, s.key)
	}
}

func newPQWorker(names *Interner, nsums int) *pqWorker {
	return &pqWorker{t: NewTable(nsums), names: names, local: NewLocal(names), packs: map[string]*packed{}}
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// rowGroup groups the lines of one row group into the worker's table and
// returns the number of lines read.
func (s *pqWorker) rowGroup(ctx context.Context, f *PQFile, u unit) (int64, error) {
	l := f.Layout
	rg := f.File.RowGroups()[u.rg]
	chunks := rg.ColumnChunks()
	schema := f.File.Schema()
	leaves := schema.Columns()
	maxDef := func(i int) int {
		lc, _ := schema.Lookup(leaves[i]...)
		return lc.MaxDefinitionLevel
	}
	typ := func(i int) parquet.Type {
		lc, _ := schema.Lookup(leaves[i]...)
		return lc.Node.Type()
	}
	var opened []*leaf
	defer func() {
		for _, o := range opened {
			o.close()
		}
	}()
	s.nreaders = 0
	open := func(lf *leaf, i int) {
		lc, _ := schema.Lookup(leaves[i]...)
		lf.open(f.File, u.rg, chunks[i], lc.MaxDefinitionLevel, lc.MaxRepetitionLevel, s.reader())
		opened = append(opened, lf)
	}
	p := s.packs[l.shape()]
	if p == nil {
		p = newPacked(l, s.t.NSums)
		s.packs[l.shape()] = p
	}
	p.l = l                  // the file's own leaves; its shape, and so its codes, are the group's
	codes := !p.off.failed() // text cursors give the packed table's codes
	s.texts = grow(s.texts, len(l.Texts))
	s.ids = grow(s.ids, len(l.Texts))
	for k, i := range l.Texts {
		c := &s.texts[k]
		*c = textCursor{in: s.names, local: s.local, trans: c.trans[:0]}
		if codes {
			c.cs = &p.texts[k]
			c.null = c.cs.get(0)
		}
		c.size, _ = textLeaf(typ(i))
		open(&c.leaf, i)
		s.ids[k] = grow(s.ids[k], windowRows)
	}
	openTime := func(c *timeCursor, i int) {
		*c = timeCursor{tv: c.tv[:0], te: c.te[:0]}
		c.unit, _ = timeLeaf(typ(i))
		c.kind = typ(i).Kind()
		open(&c.leaf, i)
	}
	s.tkeys = grow(s.tkeys, len(l.TimeKeys))
	s.tk, s.tkNull = grow(s.tk, len(l.TimeKeys)), grow(s.tkNull, len(l.TimeKeys))
	for k, i := range l.TimeKeys {
		openTime(&s.tkeys[k], i)
		s.tk[k], s.tkNull[k] = grow(s.tk[k], windowRows), grow(s.tkNull[k], windowRows)
	}
	openTime(&s.start, l.Start)
	s.st, s.stNull = grow(s.st, windowRows), grow(s.stNull, windowRows)
	if l.End >= 0 {
		openTime(&s.end, l.End)
		s.en, s.enNull = grow(s.en, windowRows), grow(s.enNull, windowRows)
	}
	openNum := func(c *numCursor, i int) {
		*c = numCursor{tv: c.tv[:0], tf: c.tf[:0], td: c.td[:0], rows: c.rows[:0], vals: c.vals[:0], fl: c.fl[:0], slow: c.slow[:0]}
		t := typ(i)
		c.conv, c.scale, _ = numLeaf(t)
		c.kind = t.Kind()
		if t.Kind() == parquet.FixedLenByteArray {
			c.size = t.Length()
		}
		open(&c.leaf, i)
	}
	s.nums = grow(s.nums, len(l.Amounts))
	s.vals, s.flags = grow(s.vals, len(l.Amounts)), grow(s.flags, len(l.Amounts))
	for k, i := range l.Amounts {
		s.vals[k], s.flags[k] = grow(s.vals[k], windowRows), grow(s.flags[k], windowRows)
		s.nums[k].rows, s.nums[k].vals, s.nums[k].fl, s.nums[k].slow = s.nums[k].rows[:0], s.nums[k].vals[:0], s.nums[k].fl[:0], s.nums[k].slow[:0]
		if i >= 0 {
			openNum(&s.nums[k], i)
		}
	}
	if l.Count >= 0 {
		openNum(&s.count, l.Count)
		s.cnt, s.cntF = grow(s.cnt, windowRows), grow(s.cntF, windowRows)
	}
	s.tags = grow(s.tags, len(l.Maps))
	s.pairs, s.offs = grow(s.pairs, len(l.Maps)), grow(s.offs, len(l.Maps))
	s.tagCodes = grow(s.tagCodes, len(l.Maps))
	for k, m := range l.Maps {
		c := &s.tags[k]
		c.k = textCursor{in: s.names, local: s.local, trans: c.k.trans[:0]}
		c.v = textCursor{in: s.names, local: s.local, trans: c.v.trans[:0]}
		c.k.size, _ = textLeaf(typ(m[0]))
		c.v.size, _ = textLeaf(typ(m[1]))
		open(&c.k.leaf, m[0])
		open(&c.v.leaf, m[1])
		c.maxKey, c.maxValue = byte(maxDef(m[0])), byte(maxDef(m[1]))
		if codes { // fillCodes: the dictionaries translate to the cursor's codes
			c.k.cs, c.v.cs = &c.kcs, &c.vcs
		}
		s.offs[k] = grow(s.offs[k], windowRows+1)
	}
	s.slowAt = grow(s.slowAt, len(l.Amounts)+1)
	nrows := int(rg.NumRows())
	t := s.t
	nsums := t.NSums
	for w0 := 0; w0 < nrows; w0 += windowRows {
		if err := ctx.Err(); err != nil {
			return int64(w0), err
		}
		n := min(windowRows, nrows-w0)
		rowErr := func(leafIdx int, err error) error {
			var ce *cellError
			row := int64(w0)
			if errors.As(err, &ce) {
				row += int64(ce.row)
				err = ce.err
			}
			return &RowError{Object: f.Object, Row: u.rowBase + row + 1, Col: leafIdx, Err: err}
		}
		for k, i := range l.Texts {
			if err := s.texts[k].fill(s.ids[k][:n]); err != nil {
				return int64(w0), rowErr(i, err)
			}
		}
		for k, i := range l.TimeKeys {
			if err := s.tkeys[k].fill(s.tk[k][:n], s.tkNull[k][:n], 0); err != nil {
				return int64(w0), rowErr(i, err)
			}
		}
		if err := s.start.fill(s.st[:n], s.stNull[:n], 0); err != nil {
			return int64(w0), rowErr(l.Start, err)
		}
		if l.End >= 0 {
			if err := s.end.fill(s.en[:n], s.enNull[:n], 0); err != nil {
				return int64(w0), rowErr(l.End, err)
			}
		}
		for k, i := range l.Amounts {
			if i < 0 {
				continue
			}
			if err := s.nums[k].fill(n); err != nil {
				return int64(w0), rowErr(i, err)
			}
		}
		if l.Count >= 0 {
			if err := s.count.fill(n); err != nil {
				return int64(w0), rowErr(l.Count, err)
			}
			s.slowAt = grow(s.slowAt, len(l.Amounts)+1)
			s.slowAt[len(l.Amounts)] = grow(s.slowAt[len(l.Amounts)], n)
			s.count.dense(n, s.cnt[:n], s.cntF[:n], s.slowAt[len(l.Amounts)])
		}
		for k, m := range l.Maps {
			var err error
			if codes {
				s.tagCodes[k] = grow(s.tagCodes[k], n)
				err = s.tags[k].fillCodes(s.tagCodes[k][:n], &p.tags[k])
			} else {
				s.pairs[k], err = s.tags[k].fill(s.pairs[k], s.offs[k][:n+1])
			}
			if err != nil {
				leafIdx := m[0]
				if ce := (*cellError)(nil); errors.As(err, &ce) && ce.valueLeaf {
					leafIdx = m[1]
				}
				return int64(w0), rowErr(leafIdx, err)
			}
		}
		for k, i := range l.Amounts {
			if l.Required != nil && l.Required[k] && len(s.nums[k].rows) < n {
				r := 0 // the first row without a value
				for r < len(s.nums[k].rows) && s.nums[k].rows[r] == int32(r) {
					r++
				}
				if i < 0 {
					i = l.Start
				}
				return int64(w0), rowErr(i, &cellError{row: r, err: ErrNullAmount})
			}
		}
		for r := 0; r < n; r++ {
			if s.stNull[r] {
				return int64(w0), rowErr(l.Start, &cellError{row: r, err: ErrNullStart})
			}
			if l.Count >= 0 && s.cntF[r] != amtNull {
				v := s.cnt[r]
				if s.cntF[r] != amtValue || v%pow10[Scale] != 0 || v < pow10[Scale] {
					return int64(w0), rowErr(l.Count, &cellError{row: r, err: ErrBadCount})
				}
			}
		}
		if codes {
			w := &s.win
			w.n, w.ids, w.tk, w.st, w.en, w.hasEnd = n, s.ids, s.tk, s.st, s.en, l.End >= 0
			w.nums = s.nums
			w.cnt = nil
			if l.Count >= 0 {
				w.cnt = grow(w.cnt, n)
				for r := 0; r < n; r++ {
					w.cnt[r] = 1
					if s.cntF[r] != amtNull {
						w.cnt[r] = s.cnt[r] / pow10[Scale]
					}
				}
			}
			w.tags, w.texts = s.tagCodes, s.texts
			obj, base := f.Object, u.rowBase+int64(w0)+1
			w.pos = func(r int) Pos { return Pos{Object: obj, Line: base + int64(r)} }
			if p.add(t, w, &s.key) {
				continue
			}
			// The codes outgrew 128 bits: this window and the rest of the
			// worker's rows are grouped by byte keys.
			for k := range l.Maps {
				offs := grow(s.offs[k], n+1)
				pairs := s.pairs[k][:0]
				for r, code := range s.tagCodes[k][:n] {
					offs[r] = int32(len(pairs))
					pairs = append(pairs, p.tags[k].seq(int(code))...)
				}
				offs[n] = int32(len(pairs))
				s.pairs[k], s.offs[k] = pairs, offs
				c := &s.tags[k] // fill reads ids
				for _, x := range []struct {
					tc *textCursor
					cs *codeSpace
				}{{&c.k, &c.kcs}, {&c.v, &c.vcs}} {
					for j, code := range x.tc.trans {
						x.tc.trans[j] = x.cs.id[code]
					}
					x.tc.cs = nil
				}
			}
			for k := range l.Texts {
				for r, code := range s.ids[k][:n] {
					s.ids[k][r] = p.texts[k].id[code]
				}
				s.texts[k].cs = nil
				for j, code := range s.texts[k].trans {
					s.texts[k].trans[j] = p.texts[k].id[code]
				}
				s.texts[k].null = 0
			}
			codes = false
		}
		for k := range l.Amounts { // byte keys read amounts densely
			s.slowAt[k] = grow(s.slowAt[k], n)
			s.nums[k].dense(n, s.vals[k][:n], s.flags[k][:n], s.slowAt[k])
		}
		for r := 0; r < n; r++ {
			key := s.key[:0]
			for k := range l.Texts {
				key = binary.LittleEndian.AppendUint32(key, s.ids[k][r])
			}
			for k := range l.TimeKeys {
				tk := s.tk[k][r]
				key = binary.LittleEndian.AppendUint64(key, uint64(tk.Sec))
				key = binary.LittleEndian.AppendUint32(key, uint32(tk.Nsec))
			}
			key = binary.LittleEndian.AppendUint32(key, s.months.of(s.st[r].Sec))
			if l.NullMask {
				var mask uint64
				for k := range l.Amounts {
					if s.flags[k][r] == amtNull {
						mask |= 1 << k
					}
				}
				key = binary.LittleEndian.AppendUint64(key, mask)
			}
			for k := range l.Maps {
				pairs := s.pairs[k][s.offs[k][r]:s.offs[k][r+1]]
				key = binary.LittleEndian.AppendUint32(key, uint32(len(pairs)/2))
				for _, id := range pairs {
					key = binary.LittleEndian.AppendUint32(key, id)
				}
			}
			s.key = key
			g := t.Find(Hash(key), key, Pos{Object: f.Object, Line: u.rowBase + int64(w0+r) + 1})
			lines := int64(1)
			if l.Count >= 0 && s.cntF[r] != amtNull {
				lines = s.cnt[r] / pow10[Scale]
			}
			t.Count[g] += lines
			sums := t.Sums[g*nsums : (g+1)*nsums]
			for k := range sums {
				switch s.flags[k][r] {
				case amtValue:
					sums[k].AddInt64(s.vals[k][r])
				case amtSlow:
					t.AddDecimal(g, k, s.nums[k].slow[s.slowAt[k][r]].d)
				}
			}
			end := NullInstant
			if l.End >= 0 {
				end = s.en[r]
			}
			t.Observe(g, s.st[r], end)
		}
	}
	return int64(nrows), nil
}

// ReadBufferSize is the read buffer of each column chunk a scan reads
// (parquet.ReadBufferSize): large enough to read a page in a few calls,
// small enough that a worker's columns hold a few megabytes.
const ReadBufferSize = 64 << 10
