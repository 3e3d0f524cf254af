package awscur

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/allot-dev/allot/connectors/internal/fastagg"
	"github.com/allot-dev/allot/connectors/internal/textio"
	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// keyKind is what one field of a group key holds.
type keyKind int

const (
	kkText keyKind = iota // a text field's column
	kkAlt                 // its fallback column (product/region after product/regionCode)
	kkBPS                 // the billing period start
	kkTag                 // a tag column
	kkMap                 // a map column (JSON in CSV)
)

type keyCol struct {
	kind keyKind
	f    field
	idx  int // column index; tag or map index for kkTag and kkMap
}

// csvLayout is how CSV objects with one header are grouped.
type csvLayout struct {
	sig    string
	s      *schema
	keys   []keyCol
	fl     fastagg.CSVLayout
	fields cost.FieldSet // the fields groups fill
}

// newCSVLayout maps a CSV header to a fast-path layout that reads the
// columns of the fields of fs (readsFor) and no other.
func newCSVLayout(s *schema, header string, fs cost.FieldSet) *csvLayout {
	l := &csvLayout{sig: header, s: s, fields: fs}
	cols, tags := readsFor(fs)
	for f := range numFields {
		if !textField(f) || s.col[f] < 0 || !cols[f] {
			continue
		}
		l.keys = append(l.keys, keyCol{kkText, f, s.col[f]})
		if s.alt[f] >= 0 {
			l.keys = append(l.keys, keyCol{kkAlt, f, s.alt[f]})
		}
	}
	if s.col[fBillingPeriodStart] >= 0 && cols[fBillingPeriodStart] {
		l.keys = append(l.keys, keyCol{kkBPS, fBillingPeriodStart, s.col[fBillingPeriodStart]})
	}
	if tags {
		for i := range s.tags {
			l.keys = append(l.keys, keyCol{kkTag, 0, i})
		}
		for i := range s.maps {
			l.keys = append(l.keys, keyCol{kkMap, 0, i})
		}
	}
	for _, k := range l.keys {
		switch k.kind {
		case kkTag:
			l.fl.Keys = append(l.fl.Keys, s.tags[k.idx].idx)
		case kkMap:
			l.fl.Keys = append(l.fl.Keys, s.maps[k.idx].idx)
		default:
			l.fl.Keys = append(l.fl.Keys, k.idx)
		}
	}
	l.fl.Start, l.fl.End, l.fl.Count = s.col[fUsageStart], -1, -1
	if cols[fUsageEnd] {
		l.fl.End = s.col[fUsageEnd]
	}
	for _, f := range amountFields {
		i := -1
		if cols[f] {
			i = s.col[f]
		}
		l.fl.Amounts = append(l.fl.Amounts, i)
	}
	l.fl.NullMask = true
	l.fl.IsNull = textio.IsNullBytes
	l.fl.ParseTime = func(v string) (fastagg.Instant, error) {
		t, err := textio.ParseTime(v)
		if err != nil {
			return fastagg.Instant{}, err
		}
		return fastagg.InstantOf(t), nil
	}
	l.fl.ParseAmount = func(v string) (decimal.Decimal, error) {
		d, _, err := textio.ParseDecimal(v)
		return d, err
	}
	return l
}

// csv groups the CSV objects idx, several objects at a time; each worker
// merges the objects it reads into one table per header.
func (fs *fastScan) csv(ctx context.Context, idx []int) *posErr {
	var mu sync.Mutex
	layouts := map[string]*csvLayout{}
	type worker struct {
		st     *fastagg.CSVState
		tables map[string]*fastagg.Table
	}
	var workers []*worker
	lg := fastagg.NewLineGrouper()
	err := fastagg.ForEach(ctx, len(idx), 0, func(ctx context.Context, w, k int) error {
		i := idx[k]
		mu.Lock()
		for len(workers) <= w {
			workers = append(workers, &worker{st: fastagg.NewCSVState(), tables: map[string]*fastagg.Table{}})
		}
		wk := workers[w]
		mu.Unlock()
		t, l, err := fs.csvObject(ctx, i, wk.st, &mu, layouts)
		if err == nil {
			if wt, ok := wk.tables[l.sig]; ok {
				wt.Merge(t)
			} else {
				wk.tables[l.sig] = t
			}
			return nil
		}
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		var rs *errRescan
		var re *fastagg.RowError
		var se *fastagg.SyntaxError
		if errors.Is(err, errLineByLine) || errors.As(err, &rs) || errors.As(err, &re) || errors.As(err, &se) {
			// The fast reader stopped at something: the line reader reads
			// the object, and reports its first problem as Scan does (a bad
			// value in a column the row's cost rule does not read is not one).
			mu.Lock()
			defer mu.Unlock()
			if lerr := fs.lines(ctx, i, lg); lerr != nil {
				return &objErr{obj: int32(i), err: lerr}
			}
			return nil
		}
		return &objErr{obj: int32(i), err: err}
	})
	if err != nil {
		var oe *objErr
		if errors.As(err, &oe) {
			return &posErr{pos: fastagg.Pos{Object: oe.obj}, err: oe.err}
		}
		return &posErr{err: err}
	}
	for sig, l := range layouts {
		var t *fastagg.Table
		for _, wk := range workers {
			if wt, ok := wk.tables[sig]; ok {
				if t == nil {
					t = wt
				} else {
					t.Merge(wt)
				}
			}
		}
		if t != nil {
			fs.sets = append(fs.sets, l.groupSet(t))
		}
	}
	if lg.T.Len() > 0 {
		fs.sets = append(fs.sets, lineGroupSet(lg))
	}
	return nil
}

// objErr is the failure of one object.
type objErr struct {
	obj int32
	err error
}

func (e *objErr) Error() string { return e.err.Error() }
func (e *objErr) Unwrap() error { return e.err }

// errLineByLine asks for the object to be read line by line.
var errLineByLine = errors.New("awscur: read line by line")

// csvObject groups one CSV object into a table of its own.
func (fs *fastScan) csvObject(ctx context.Context, i int, st *fastagg.CSVState, mu *sync.Mutex, layouts map[string]*csvLayout) (*fastagg.Table, *csvLayout, error) {
	o := fs.objects[i]
	rc, err := fs.d.bucket.Open(ctx, o.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("awscur: open %s: %w", fs.names[i], err)
	}
	defer rc.Close()
	br := newPeekReader(rc)
	if magic, _ := br.Peek(4); string(magic) == "PK\x03\x04" {
		return nil, nil, &errRescan{obj: int32(i)}
	}
	sp, err := fastagg.OpenCSV(ctx, br)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, nil, cerr
		}
		return nil, nil, &errRescan{obj: int32(i)}
	}
	defer sp.Close()
	headers := sp.Header
	s := resolveSchema(headers)
	if _, missing := s.missingRequired(); missing {
		return nil, nil, &errRescan{obj: int32(i)}
	}
	sig := strings.Join(headers, "\x00")
	mu.Lock()
	l, ok := layouts[sig]
	if !ok {
		l = newCSVLayout(s, sig, fs.fields)
		layouts[sig] = l
	}
	mu.Unlock()
	t := fastagg.NewTable(len(amountFields))
	if _, err := fastagg.ScanCSV(ctx, sp.Splitter, int32(i), &l.fl, t, st); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, nil, cerr
		}
		var re *fastagg.RowError
		var se *fastagg.SyntaxError
		if errors.As(err, &re) || errors.As(err, &se) {
			return nil, nil, err
		}
		return nil, nil, &errRescan{obj: int32(i)}
	}
	return t, l, nil
}

// groupSet turns the groups of a table this layout built into line items.
func (l *csvLayout) groupSet(t *fastagg.Table) *groupSet {
	return &groupSet{t: t, newFill: func() func(g int, e *emitter) *fieldError { return l.fill(t) }}
}

// fill returns a fill for the groups of t (see groupSet.newFill).
func (l *csvLayout) fill(t *fastagg.Table) func(g int, e *emitter) *fieldError {
	var fields [][]byte
	r := &groupRow{}
	return func(g int, e *emitter) *fieldError {
		var rest []byte
		fields, rest = fastagg.KeyFields(t.Key(g), len(l.keys), fields[:0])
		*r = groupRow{}
		for k, kc := range l.keys {
			v := string(fields[k])
			switch kc.kind {
			case kkText:
				r.text[kc.f] = v
			case kkAlt:
				r.alt[kc.f], r.hasAlt[kc.f] = v, true
			case kkBPS:
				if !textio.IsNull(v) {
					tt, err := textio.ParseTime(v)
					if err != nil {
						return &fieldError{fBillingPeriodStart, fmt.Errorf("%w: %w", ErrBadValue, err)}
					}
					r.bps, r.hasBPS = tt, true
				}
			}
		}
		r.setPeriod(t, g)
		r.setAmounts(t, g, fastagg.KeyMask(rest))
		if fe := fillFields(&e.li, r, l.fields); fe != nil {
			return fe
		}
		for k, kc := range l.keys {
			switch kc.kind {
			case kkTag:
				e.setTag(l.s.tags[kc.idx].key, string(fields[k]))
			case kkMap:
				mc := l.s.maps[kc.idx]
				if err := jsonTags(string(fields[k]), mc.prefix, e); err != nil {
					return &fieldError{fLineItemType, err}
				}
			}
		}
		return nil
	}
}

// lines reads object i line by line into a LineGrouper (objects the fast
// reader cannot read). The items are projected to the scan's fields
// before they are grouped, but the line reader reads and checks every
// column.
func (fs *fastScan) lines(ctx context.Context, i int, lg *fastagg.LineGrouper) error {
	e := &emitter{period: fs.p, tags: cost.Tags{}}
	e.fn = func(li *cost.LineItem) error {
		pos := li.Source.Line
		if pos == 0 {
			pos = li.Source.Row
		}
		fastagg.Project(li, fs.fields)
		lg.Add(li, fastagg.Pos{Object: int32(i), Line: pos})
		return nil
	}
	return fs.d.scanObject(ctx, fs.objects[i], e)
}

func lineGroupSet(lg *fastagg.LineGrouper) *groupSet {
	fill := func(g int, e *emitter) *fieldError {
		lg.Item(g, &e.li)
		for k, v := range e.li.Tags {
			e.tags[k] = v
		}
		e.li.Tags = nil
		return nil
	}
	return &groupSet{t: lg.T, newFill: func() func(g int, e *emitter) *fieldError { return fill }}
}
