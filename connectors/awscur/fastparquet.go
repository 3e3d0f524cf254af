package awscur

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strings"

	"github.com/allot-dev/allot/connectors/internal/fastagg"
	"github.com/allot-dev/allot/cost"
	"github.com/parquet-go/parquet-go"
)

// pqLayout is how Parquet objects with one set of columns are grouped.
type pqLayout struct {
	sig    string
	fields cost.FieldSet // the fields groups fill
	s      *schema
	keys   []keyCol // text key columns, in key order (kkText, kkAlt, kkTag)
	bps    bool     // the billing period start is a time key
	maps   []int    // schema map indexes, in key order
	fl     fastagg.PQLayout
	names  map[int]string // leaf → column name
}

// newPQLayout maps a Parquet file to a fast-path layout that reads the
// columns of the fields of fs (readsFor) and no other, or returns an
// error wrapping fastagg.ErrUnsupported (the file is read line by line)
// or errRescan (the line reader reports what is wrong).
func newPQLayout(f *parquet.File, obj int32, fs cost.FieldSet) (*pqLayout, error) {
	cols, tags := readsFor(fs)
	top := f.Root().Columns()
	headers := make([]string, len(top))
	for i, c := range top {
		headers[i] = c.Name()
	}
	s := resolveSchema(headers)
	if _, missing := s.missingRequired(); missing {
		return nil, &errRescan{obj: obj}
	}
	l := &pqLayout{s: s, names: map[int]string{}, fields: fs}
	var sig strings.Builder
	leafOf := func(col int) (int, error) {
		c := top[col]
		if !c.Leaf() || c.Repeated() {
			return 0, fastagg.ErrUnsupported
		}
		l.names[int(c.Index())] = headers[col]
		fmt.Fprintf(&sig, "%s:%s;", headers[col], c.Type())
		return int(c.Index()), nil
	}
	addText := func(kc keyCol, col int) error {
		leaf, err := leafOf(col)
		if err != nil {
			return err
		}
		l.keys = append(l.keys, kc)
		l.fl.Texts = append(l.fl.Texts, leaf)
		return nil
	}
	for fld := range numFields {
		if !textField(fld) || s.col[fld] < 0 || !cols[fld] {
			continue
		}
		if err := addText(keyCol{kkText, fld, s.col[fld]}, s.col[fld]); err != nil {
			return nil, err
		}
		if s.alt[fld] >= 0 {
			if err := addText(keyCol{kkAlt, fld, s.alt[fld]}, s.alt[fld]); err != nil {
				return nil, err
			}
		}
	}
	for i, tc := range s.tags {
		if !tags {
			break
		}
		if err := addText(keyCol{kkTag, 0, i}, tc.idx); err != nil {
			return nil, err
		}
	}
	var err error
	if s.col[fBillingPeriodStart] >= 0 && cols[fBillingPeriodStart] {
		leaf, err := leafOf(s.col[fBillingPeriodStart])
		if err != nil {
			return nil, err
		}
		l.fl.TimeKeys, l.bps = []int{leaf}, true
	}
	if l.fl.Start, err = leafOf(s.col[fUsageStart]); err != nil {
		return nil, err
	}
	l.fl.End = -1
	if s.col[fUsageEnd] >= 0 && cols[fUsageEnd] {
		if l.fl.End, err = leafOf(s.col[fUsageEnd]); err != nil {
			return nil, err
		}
	}
	for _, fld := range amountFields {
		leaf := -1
		if s.col[fld] >= 0 && cols[fld] {
			if leaf, err = leafOf(s.col[fld]); err != nil {
				return nil, err
			}
		}
		l.fl.Amounts = append(l.fl.Amounts, leaf)
	}
	l.fl.Count = -1
	for i, mc := range s.maps {
		if !tags {
			break
		}
		kc, vc, ok := mapLeaves(top[mc.idx])
		if !ok {
			return nil, fastagg.ErrUnsupported
		}
		k, v := kc.Index(), vc.Index()
		l.names[k], l.names[v] = mc.name, mc.name
		l.fl.Maps = append(l.fl.Maps, [2]int{k, v})
		l.maps = append(l.maps, i)
		fmt.Fprintf(&sig, "%s:map;", mc.name)
	}
	l.fl.NullMask = true
	if err := fastagg.CheckLayout(f, &l.fl); err != nil {
		return nil, err
	}
	l.sig = sig.String()
	return l, nil
}

// parquet groups the Parquet objects idx: those of one layout in one
// parallel scan of all their row groups.
func (fs *fastScan) parquet(ctx context.Context, idx []int) *posErr {
	type opened struct {
		i       int
		f       *parquet.File
		l       *pqLayout
		cleanup func()
		err     error // the object could not be read
		bad     error // not a file the fast reader reads
	}
	// Open the objects (from object storage: download them to temporary
	// files) and read their footers in parallel.
	all := make([]opened, len(idx))
	defer func() {
		for _, o := range all {
			if o.cleanup != nil {
				o.cleanup()
			}
		}
	}()
	err := fastagg.ForEach(ctx, len(idx), max(runtime.GOMAXPROCS(0), 4), func(ctx context.Context, _, k int) error {
		o := &all[k]
		o.i = idx[k]
		var ra io.ReaderAt
		var size int64
		if ra, size, o.cleanup, o.err = fs.d.readerAt(ctx, fs.objects[o.i], fs.names[o.i]); o.err != nil {
			return nil // reported below, in object order
		}
		if o.f, o.bad = parquet.OpenFile(ra, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true), parquet.ReadBufferSize(fastagg.ReadBufferSize)); o.bad == nil {
			o.l, o.bad = newPQLayout(o.f, int32(o.i), fs.fields)
		}
		return nil
	})
	if err != nil {
		return &posErr{err: err}
	}
	lg := fastagg.NewLineGrouper()
	bySig := map[string][]opened{}
	var sigs []string
	for k := range all {
		o := &all[k]
		if o.err != nil {
			return &posErr{pos: fastagg.Pos{Object: int32(o.i)}, err: o.err}
		}
		if o.bad != nil {
			// Not a file the fast reader reads (or a damaged one): the line
			// reader reads it, or reports what is wrong with it.
			o.cleanup()
			o.cleanup = nil
			if lerr := fs.lines(ctx, o.i, lg); lerr != nil {
				return &posErr{pos: fastagg.Pos{Object: int32(o.i)}, err: lerr}
			}
			continue
		}
		if _, ok := bySig[o.l.sig]; !ok {
			sigs = append(sigs, o.l.sig)
		}
		bySig[o.l.sig] = append(bySig[o.l.sig], *o)
	}
	sort.Strings(sigs)
	var first *posErr
	for _, sig := range sigs {
		group := bySig[sig]
		var pfs []fastagg.PQFile
		for _, o := range group {
			pfs = append(pfs, fastagg.PQFile{File: o.f, Object: int32(o.i), Layout: &o.l.fl})
		}
		res, err := fastagg.ScanParquet(ctx, pfs, 0)
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return &posErr{err: cerr}
			}
			// The fast reader stopped at something: the line reader reads
			// these objects and reports the first problem as Scan does (a
			// bad value in a column a row's cost rule does not read is not
			// one).
			for _, o := range group {
				if lerr := fs.lines(ctx, o.i, lg); lerr != nil {
					pe := posErr{pos: fastagg.Pos{Object: int32(o.i)}, err: lerr}
					if first == nil || pe.pos.Less(first.pos) {
						first = &pe
					}
					break
				}
			}
			continue
		}
		fs.sets = append(fs.sets, group[0].l.groupSet(res))
	}
	if first != nil {
		return first
	}
	if lg.T.Len() > 0 {
		fs.sets = append(fs.sets, lineGroupSet(lg))
	}
	return nil
}

// groupSet turns the groups ScanParquet built with this layout into line
// items.
func (l *pqLayout) groupSet(res *fastagg.PQResult) *groupSet {
	t := res.Table
	return &groupSet{t: t, newFill: func() func(g int, e *emitter) *fieldError {
		return l.fill(res)
	}}
}

// fill returns a fill for the groups of res (see groupSet.newFill).
func (l *pqLayout) fill(res *fastagg.PQResult) func(g int, e *emitter) *fieldError {
	t := res.Table
	names := res.Names.Strings() // the scan is over: read without the lock
	r := &groupRow{}
	ids := make([]uint32, len(l.keys))
	return func(g int, e *emitter) *fieldError {
		key := t.Key(g)
		*r = groupRow{}
		for k, kc := range l.keys {
			ids[k] = binary.LittleEndian.Uint32(key)
			key = key[4:]
			switch kc.kind {
			case kkText:
				r.text[kc.f] = names[ids[k]]
			case kkAlt:
				r.alt[kc.f], r.hasAlt[kc.f] = names[ids[k]], true
			}
		}
		if l.bps {
			in := fastagg.Instant{Sec: int64(binary.LittleEndian.Uint64(key)), Nsec: int32(binary.LittleEndian.Uint32(key[8:]))}
			if in != fastagg.NullInstant {
				r.bps, r.hasBPS = in.Time(), true
			}
			key = key[12:]
		}
		key = key[4:] // the month
		mask := binary.LittleEndian.Uint64(key)
		key = key[8:]
		r.setPeriod(t, g)
		r.setAmounts(t, g, mask)
		if fe := fillFields(&e.li, r, l.fields); fe != nil {
			return fe
		}
		for k, kc := range l.keys {
			if kc.kind == kkTag {
				e.setTag(l.s.tags[kc.idx].key, names[ids[k]])
			}
		}
		for _, mi := range l.maps {
			prefix := l.s.maps[mi].prefix
			n := int(binary.LittleEndian.Uint32(key))
			key = key[4:]
			for ; n > 0; n, key = n-1, key[8:] {
				if v := binary.LittleEndian.Uint32(key[4:]); v != fastagg.NullID {
					e.setTag(mapTagKey(prefix, names[binary.LittleEndian.Uint32(key)]), names[v])
				}
			}
		}
		return nil
	}
}
