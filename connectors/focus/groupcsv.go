package focus

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/internal/fastagg"
	"github.com/allot-dev/allot/connectors/internal/textio"
	"github.com/allot-dev/allot/cost"
)

// csvLayout is how the CSV files with one set of columns are grouped.
type csvLayout struct {
	sig     string // the fields present and their positions
	cols    []column
	keys    []cell // key cells, in key order
	present [len(amountFields)]bool
	fl      fastagg.CSVLayout
	names   map[int]string // record index → header name
}

// newCSVLayout maps a file's columns to a fast-path layout that reads the
// columns of the fields of fs (reads) and no other.
func newCSVLayout(cols []column, fs cost.FieldSet) *csvLayout {
	l := &csvLayout{cols: cols, names: map[int]string{}}
	var sig strings.Builder
	l.fl.Amounts = make([]int, len(amountFields))
	l.fl.Required = make([]bool, len(amountFields))
	for k := range l.fl.Amounts {
		l.fl.Amounts[k] = -1
	}
	l.fl.Count, l.fl.Start, l.fl.End = -1, -1, -1
	cells := newCells(cols)
	for i, c := range cols {
		l.names[c.index] = c.name
		if !reads(fs, c.field) {
			continue
		}
		fmt.Fprintf(&sig, "%d@%d,", c.field, c.index)
		switch {
		case c.field == fChargePeriodStart:
			l.fl.Start = c.index
		case c.field == fChargePeriodEnd:
			l.fl.End = c.index
		case c.field == fLineCount:
			l.fl.Count = c.index
		case keyField(c.field):
			l.fl.Keys = append(l.fl.Keys, c.index)
			l.keys = append(l.keys, cells[i])
		default:
			for k, f := range amountFields {
				if f == c.field {
					l.fl.Amounts[k] = c.index
					l.fl.Required[k] = specs[f].required
					l.present[k] = true
				}
			}
		}
	}
	l.sig = sig.String()
	l.fl.IsNull = textio.IsNullBytes
	l.fl.ParseTime = parseInstant
	l.fl.ParseAmount = parseAmount
	l.fl.ParseCount = parseCount
	return l
}

// csvWorker is one worker's tables, one per layout.
type csvWorker struct {
	st     *fastagg.CSVState
	tables map[string]*fastagg.Table
}

// csv groups the CSV files idx, several files at a time, each worker
// merging the files it reads into one table per layout.
func (sc *groupScan) csv(ctx context.Context, idx []int) ([]*groupSet, error) {
	var mu sync.Mutex
	var workers []*csvWorker
	layouts := map[string]*csvLayout{}
	fileLayout := make([]*csvLayout, len(sc.files))
	lg := fastagg.NewLineGrouper()
	worker := func(w int) *csvWorker {
		mu.Lock()
		defer mu.Unlock()
		for len(workers) <= w {
			workers = append(workers, &csvWorker{st: fastagg.NewCSVState(), tables: map[string]*fastagg.Table{}})
		}
		return workers[w]
	}
	err := fastagg.ForEach(ctx, len(idx), 0, func(ctx context.Context, w, k int) error {
		i := idx[k]
		wk := worker(w)
		t, l, err := sc.csvFile(ctx, i, wk.st, &mu, layouts)
		if err == nil {
			mu.Lock()
			fileLayout[i] = l
			mu.Unlock()
			if wt, ok := wk.tables[l.sig]; ok {
				wt.Merge(t)
			} else {
				wk.tables[l.sig] = t
			}
			return nil
		}
		var se *fastagg.SyntaxError
		var re *fastagg.RowError
		if errors.Is(err, errFallback) || errors.As(err, &se) || errors.As(err, &re) {
			// The line-by-line reader reports the file's problem in its own
			// words (or reads what the splitter refused). A bad cell the
			// splitter met is not always the file's first problem: the line
			// reader checks every cell of a line, the grouped scan some
			// (the tags) once per group, after the scan.
			mu.Lock()
			defer mu.Unlock()
			if err := sc.fallback(ctx, i, lg); err != nil {
				return &objError{obj: i, err: err}
			}
			return nil
		}
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		return &objError{obj: i, err: err}
	})
	if err != nil {
		return nil, err
	}
	var sets []*groupSet
	for sig, l := range layouts {
		var t *fastagg.Table
		for _, wk := range workers {
			wt, ok := wk.tables[sig]
			if !ok {
				continue
			}
			if t == nil {
				t = wt
			} else {
				t.Merge(wt)
			}
		}
		if t != nil {
			sets = append(sets, l.groupSet(sc, t))
		}
	}
	if lg.T.Len() > 0 {
		sets = append(sets, lineGroupSet(lg))
	}
	return sets, nil
}

// errFallback asks for the line-by-line reader.
var errFallback = errors.New("focus: read line by line")

// csvFile groups one CSV file into a table of its own.
func (sc *groupScan) csvFile(ctx context.Context, i int, st *fastagg.CSVState, mu *sync.Mutex, layouts map[string]*csvLayout) (*fastagg.Table, *csvLayout, error) {
	f := sc.files[i]
	rc, err := sc.d.bucket.Open(ctx, f.obj.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("focus: %w", err)
	}
	defer rc.Close()
	sp, err := fastagg.OpenCSV(ctx, rc)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, nil, cerr
		}
		return nil, nil, errFallback // an empty file or a bad header: the line reader says so
	}
	defer sp.Close()
	names := sp.Header
	cols, err := resolve(f.name, newHeaderIndex(names).lookup, nil)
	if err != nil {
		// A header without the columns, or a damaged stream whose first
		// bytes only looked like one: the line reader says which.
		return nil, nil, errFallback
	}
	l := newCSVLayout(cols, sc.fields)
	mu.Lock()
	if old, ok := layouts[l.sig]; ok {
		l = old
	} else {
		layouts[l.sig] = l
	}
	mu.Unlock()
	t := fastagg.NewTable(len(amountFields))
	if _, err = fastagg.ScanCSV(ctx, sp.Splitter, int32(i), &l.fl, t, st); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, nil, cerr
		}
		// A bad cell, bad CSV syntax, or a read that failed (a truncated
		// or damaged gzip stream): the line reader reports it, at its line.
		return nil, l, errFallback
	}
	return t, l, nil
}

// groupSet decodes the groups of table t, whose keys this layout built.
func (l *csvLayout) groupSet(sc *groupScan, t *fastagg.Table) *groupSet {
	return &groupSet{t: t, newItem: func() itemFunc { return l.item(sc, t) }}
}

// item returns an itemFunc for the groups of t (see groupSet.newItem).
func (l *csvLayout) item(sc *groupScan, t *fastagg.Table) itemFunc {
	var fields [][]byte
	keys := make([]cell, len(l.keys))
	copy(keys, l.keys)
	return func(g int, li *cost.LineItem) error {
		*li = cost.LineItem{}
		fields, _ = fastagg.KeyFields(t.Key(g), len(keys), fields[:0])
		for k := range keys {
			c := &keys[k]
			if err := c.setText(li, string(fields[k])); err != nil {
				f := sc.files[t.First[g].Object]
				return &connectors.RowError{Object: f.name, Line: t.First[g].Line, Column: c.name, Err: err}
			}
		}
		setAmounts(li, t, g, l.present)
		li.ChargePeriodStart = t.Start[g].Time()
		li.ChargePeriodEnd = t.End[g].Time()
		li.Count = t.Count[g]
		return nil
	}
}
