package focus

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/internal/fastagg"
	"github.com/allot-dev/allot/connectors/internal/objfiles"
	"github.com/allot-dev/allot/cost"
	"github.com/parquet-go/parquet-go"
)

// pqLayout is how the Parquet files with one set of key columns are
// grouped.
type pqLayout struct {
	sig     string
	texts   []cell // text key cells, in key order
	times   []cell // time key cells (BillingPeriodStart)
	tags    *cell  // the Tags cell when it is a MAP
	fl      fastagg.PQLayout
	names   map[int]string          // leaf index → column name
	present [len(amountFields)]bool // the amounts the scan reads (absent columns read as zero)
}

// newPQLayout maps a Parquet file's columns to a fast-path layout that
// reads the columns of the fields of fs (reads) and no other, or returns
// fastagg.ErrUnsupported.
func newPQLayout(f *parquet.File, object string, fs cost.FieldSet) (*pqLayout, error) {
	top := f.Root().Columns()
	names := make([]string, len(top))
	for i, c := range top {
		names[i] = c.Name()
	}
	resolved, err := resolve(object, newHeaderIndex(names).lookup, nil)
	if err != nil {
		return nil, err
	}
	l := &pqLayout{names: map[int]string{}}
	l.fl.Start, l.fl.End, l.fl.Count = -1, -1, -1
	l.fl.Amounts = []int{-1, -1, -1, -1}
	l.fl.Required = make([]bool, len(amountFields))
	for a, af := range amountFields {
		l.present[a] = reads(fs, af)
	}
	var sig strings.Builder
	cells := newCells(resolved)
	for k, rc := range resolved {
		c := top[rc.index]
		if !reads(fs, rc.field) {
			continue
		}
		if !c.Leaf() {
			if rc.field != fTags {
				return nil, fastagg.ErrUnsupported
			}
			var leaves []*parquet.Column
			collectLeaves(c, &leaves)
			if len(leaves) != 2 || leaves[0].MaxRepetitionLevel() != 1 || leaves[1].MaxRepetitionLevel() != 1 {
				return nil, fastagg.ErrUnsupported
			}
			kl, vl := int(leaves[0].Index()), int(leaves[1].Index())
			l.fl.Maps = [][2]int{{kl, vl}}
			l.names[kl], l.names[vl] = rc.name, rc.name
			tc := cells[k]
			l.tags = &tc
			fmt.Fprintf(&sig, "%d:map,", rc.field)
			continue
		}
		leaf := int(c.Index())
		l.names[leaf] = rc.name
		switch {
		case rc.field == fChargePeriodStart:
			l.fl.Start = leaf
		case rc.field == fChargePeriodEnd:
			l.fl.End = leaf
		case rc.field == fLineCount:
			l.fl.Count = leaf
		case rc.field == fBillingPeriodStart && c.Type().Kind() != parquet.ByteArray:
			l.fl.TimeKeys = append(l.fl.TimeKeys, leaf)
			l.times = append(l.times, cells[k])
			fmt.Fprintf(&sig, "%d:time,", rc.field)
		case keyField(rc.field):
			l.fl.Texts = append(l.fl.Texts, leaf)
			l.texts = append(l.texts, cells[k])
			fmt.Fprintf(&sig, "%d:text,", rc.field)
		default:
			for a, af := range amountFields {
				if af == rc.field {
					l.fl.Amounts[a] = leaf
					l.fl.Required[a] = specs[af].required
				}
			}
		}
	}
	if err := fastagg.CheckLayout(f, &l.fl); err != nil {
		return nil, err
	}
	l.sig = sig.String()
	return l, nil
}

// parquet groups the Parquet files idx: the files of one layout in one
// parallel scan of all their row groups.
func (sc *groupScan) parquet(ctx context.Context, idx []int) ([]*groupSet, error) {
	type opened struct {
		i       int
		f       *parquet.File
		l       *pqLayout
		cleanup func()
	}
	var open []opened
	defer func() {
		for _, o := range open {
			o.cleanup()
		}
	}()
	lg := fastagg.NewLineGrouper()
	bySig := map[string][]opened{}
	var sigs []string
	for _, i := range idx {
		f := sc.files[i]
		rc, err := sc.d.bucket.Open(ctx, f.obj.Key)
		if err != nil {
			return nil, &objError{obj: i, err: fmt.Errorf("focus: %w", err)}
		}
		ra, size, cleanup, err := objfiles.ReaderAt(ctx, rc, -1, "", nil)
		if err != nil {
			rc.Close()
			if cerr := ctx.Err(); cerr != nil {
				return nil, cerr
			}
			return nil, &objError{obj: i, err: fmt.Errorf("focus: read %s: %w", f.name, err)}
		}
		cl := func() { cleanup(); rc.Close() }
		pf, err := parquet.OpenFile(ra, size, parquet.SkipBloomFilters(true), parquet.SkipPageIndex(true), parquet.ReadBufferSize(fastagg.ReadBufferSize))
		var l *pqLayout
		if err == nil {
			l, err = newPQLayout(pf, f.name, sc.fields)
		}
		if err != nil {
			cl()
			var re *connectors.RowError
			if errors.As(err, &re) {
				return nil, &objError{obj: i, err: err}
			}
			// Not a Parquet file the fast path reads: the line reader
			// reads it, or says what is wrong with it.
			if ferr := sc.fallback(ctx, i, lg); ferr != nil {
				return nil, &objError{obj: i, err: ferr}
			}
			continue
		}
		o := opened{i: i, f: pf, l: l, cleanup: cl}
		open = append(open, o)
		if _, ok := bySig[l.sig]; !ok {
			sigs = append(sigs, l.sig)
		}
		bySig[l.sig] = append(bySig[l.sig], o)
	}
	sort.Strings(sigs)
	var sets []*groupSet
	for _, sig := range sigs {
		group := bySig[sig]
		var pfs []fastagg.PQFile
		for _, o := range group {
			pfs = append(pfs, fastagg.PQFile{File: o.f, Object: int32(o.i), Layout: &o.l.fl})
		}
		res, err := fastagg.ScanParquet(ctx, pfs, 0)
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return nil, cerr
			}
			// The line-by-line reader reads these files and reports the
			// first problem in its own words, as Scan does: the cell the
			// fast path stopped at need not be the first (tags are checked
			// once per group, after the scan), and a damaged page is
			// described by the Parquet reader.
			for _, o := range group {
				if lerr := sc.fallback(ctx, o.i, lg); lerr != nil {
					return nil, &objError{obj: o.i, err: lerr}
				}
			}
			continue
		}
		sets = append(sets, group[0].l.groupSet(sc, res))
	}
	if lg.T.Len() > 0 {
		sets = append(sets, lineGroupSet(lg))
	}
	return sets, nil
}

// groupSet decodes the groups ScanParquet built with this layout.
func (l *pqLayout) groupSet(sc *groupScan, res *fastagg.PQResult) *groupSet {
	return &groupSet{t: res.Table, newItem: func() itemFunc { return l.item(sc, res) }}
}

// item returns an itemFunc for the groups of res (see groupSet.newItem).
func (l *pqLayout) item(sc *groupScan, res *fastagg.PQResult) itemFunc {
	t := res.Table
	names := res.Names.Strings() // the scan is over: read without the lock
	texts := append([]cell(nil), l.texts...)
	times := append([]cell(nil), l.times...)
	return func(g int, li *cost.LineItem) error {
		*li = cost.LineItem{}
		key := t.Key(g)
		fail := func(name string, err error) error {
			f := sc.files[t.First[g].Object]
			return &connectors.RowError{Object: f.name, Row: t.First[g].Line, Column: name, Err: err}
		}
		for k := range texts {
			c := &texts[k]
			if err := c.setText(li, names[binary.LittleEndian.Uint32(key)]); err != nil {
				return fail(c.name, err)
			}
			key = key[4:]
		}
		for k := range times {
			in := fastagg.Instant{Sec: int64(binary.LittleEndian.Uint64(key)), Nsec: int32(binary.LittleEndian.Uint32(key[8:]))}
			setTime(li, times[k].field, in.Time())
			key = key[12:]
		}
		key = key[4:] // the month
		if l.tags != nil {
			n := int(binary.LittleEndian.Uint32(key))
			key = key[4:]
			var tags cost.Tags
			if n > 0 {
				tags = make(cost.Tags, n)
			}
			for ; n > 0; n, key = n-1, key[8:] {
				k := names[binary.LittleEndian.Uint32(key)]
				v := ""
				if id := binary.LittleEndian.Uint32(key[4:]); id != fastagg.NullID {
					v = names[id]
				}
				if old, dup := tags[k]; dup && old != v {
					return fail(l.tags.name, fmt.Errorf("%w: tag key %q appears twice with different values (%q and %q)", ErrBadTags, k, old, v))
				}
				tags[k] = v
			}
			li.Tags = tags
		}
		setAmounts(li, t, g, l.present)
		li.ChargePeriodStart = t.Start[g].Time()
		li.ChargePeriodEnd = t.End[g].Time()
		li.Count = t.Count[g]
		return nil
	}
}
