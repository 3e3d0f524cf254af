package awscur

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/internal/fastagg"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/objstore"
	"github.com/shopspring/decimal"
)

var _ connectors.GroupScanner = (*Driver)(nil)

// amountFields are the fields summed per group, in key-mask order. Every
// cost rule is linear in them for a fixed line item type and a fixed set
// of present (non-empty) columns, and both are part of the group key.
var amountFields = [...]field{fUsageAmount, fUnblended, fNetUnblended, fPublicOnDemandCost,
	fRIEffective, fRINetEffective, fRIUnusedUpfront, fRINetUnusedUpfront, fRIUnusedRecurring,
	fRINetUnusedRecurring, fSPEffective, fSPNetEffective, fSPTotalCommitment, fSPUsedCommitment}

// amountIndex maps a field to its index in amountFields, -1 if none.
var amountIndex = func() (idx [numFields]int) {
	for f := range idx {
		idx[f] = -1
	}
	for k, f := range amountFields {
		idx[f] = k
	}
	return idx
}()

// textField reports whether a field is read as text into the group key.
func textField(f field) bool {
	return amountIndex[f] < 0 && f != fUsageStart && f != fUsageEnd && f != fBillingPeriodStart
}

// ScanGroups implements connectors.GroupScanner. It reads the objects
// Scan reads and yields one item per group of lines that agree on every
// column the cost rules, tagging and allocation read (the line item type,
// accounts, product, usage type, description, resource, SKU, region,
// unit, currency, reservation, billing period, tags, which cost columns
// are empty) and on the month of their usage start; amounts are summed
// exactly. With Options.Fields set, it reads and groups by only the
// columns those fields' rules read (billed cost: the unblended and net
// unblended costs; effective cost: those, the line item type, the
// reservation and savings plan columns), leaves the other fields empty,
// and does not check values in the columns it does not read. CSV and CSV.gz objects are split and grouped in parallel
// without building a line item per row; Parquet objects are read a page
// at a time, row groups in parallel, text resolved once per dictionary
// entry. Each group is then turned into its line item by the same cost
// rules as Scan, on the group's sums. Objects with columns of unusual
// types are read line by line and grouped alike. A malformed object
// fails the scan with the error Scan reports for it, and nothing is
// yielded.
func (d *Driver) ScanGroups(ctx context.Context, p cost.Period, fn func(*cost.LineItem) error) error {
	return d.ScanGroupsParallel(ctx, p, 1, func(_ int, li *cost.LineItem) error { return fn(li) })
}

var _ connectors.ParallelGroupScanner = (*Driver)(nil)

// ScanGroupsParallel implements connectors.ParallelGroupScanner: the scan
// of ScanGroups, whose groups are then checked and yielded by workers
// goroutines, each a contiguous run of the groups in the order of their
// first line.
func (d *Driver) ScanGroupsParallel(ctx context.Context, p cost.Period, workers int, fn func(worker int, li *cost.LineItem) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	pl, err := d.plan(ctx, p)
	if err != nil {
		return err
	}
	fs := &fastScan{d: d, p: p, objects: pl.objects, names: make([]string, len(pl.objects)), kinds: make([]bool, len(pl.objects)),
		fields: d.opts.Fields}
	for i, o := range pl.objects {
		fs.names[i] = d.objectName(o.Key)
	}
	if err := fs.run(ctx); err != nil {
		return fs.canonical(ctx, err)
	}
	refs := fs.refs()
	chunks := connectors.Chunks(len(refs), workers, minChunk)
	if err := fs.check(ctx, refs, chunks); err != nil {
		return fs.canonical(ctx, err)
	}
	if pl.single && !fs.found {
		return fmt.Errorf("awscur: %s holds no line item whose usage starts in %s: %w",
			d.objectName(pl.objects[0].Key), p, connectors.ErrNotFound)
	}
	return fs.emit(ctx, refs, chunks, fn)
}

// minChunk is the fewest groups worth a goroutine of their own when
// groups are checked and yielded in parallel.
var minChunk = 1024

// fastScan is one ScanGroups call.
type fastScan struct {
	d       *Driver
	p       cost.Period
	objects []objstore.Object
	kinds   []bool // the object is Parquet
	names   []string
	sets    []*groupSet
	found   bool // a group starts in the period
	// fields are the line item fields to fill (Options.Fields): the
	// layouts read and group by the columns their rules read (readsFor)
	fields cost.FieldSet
}

// groupSet is the groups of one layout and how to make line items of them.
type groupSet struct {
	t *fastagg.Table
	// newFill returns a fill, which sets li (not Source or Count) from
	// group g (a *fieldError names the field). A fill keeps scratch state:
	// each goroutine makes its own.
	newFill func() func(g int, e *emitter) *fieldError
	// column names a field for errors.
	column func(f field) string
}

// posErr is a failure at a position of the scan.
type posErr struct {
	pos fastagg.Pos
	err error
}

// errRescan marks a failure whose report comes from the line-by-line
// reader: it says what is wrong in its own words, at the same row.
type errRescan struct{ obj int32 }

func (e *errRescan) Error() string { return "awscur: rescan" }

func (fs *fastScan) run(ctx context.Context) error {
	var csvIdx, pqIdx []int
	for i, o := range fs.objects {
		if isParquetName(o.Key) || fs.sniffParquet(ctx, o) {
			fs.kinds[i] = true
			pqIdx = append(pqIdx, i)
		} else {
			csvIdx = append(csvIdx, i)
		}
	}
	var errs []posErr
	if len(csvIdx) > 0 {
		if pe := fs.csv(ctx, csvIdx); pe != nil {
			errs = append(errs, *pe)
		}
	}
	if len(pqIdx) > 0 {
		if pe := fs.parquet(ctx, pqIdx); pe != nil {
			errs = append(errs, *pe)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(errs) == 0 {
		return nil
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].pos.Less(errs[j].pos) })
	return errs[0].err
}

// canonical turns a fast-path failure into the error Scan reports: the
// object where the first failure is is read again line by line, and its
// error is returned. Errors that are not about a row (storage, context)
// are returned as they are.
func (fs *fastScan) canonical(ctx context.Context, err error) error {
	var rs *errRescan
	if !errors.As(err, &rs) {
		return err
	}
	e := &emitter{fn: func(*cost.LineItem) error { return nil }, period: fs.p, tags: cost.Tags{}}
	if lerr := fs.d.scanObject(ctx, fs.objects[rs.obj], e); lerr != nil {
		return lerr
	}
	return &connectors.RowError{Object: fs.names[rs.obj], Err: fmt.Errorf("%w: the fast reader refused the object, the line reader did not; report this", ErrCorrupt)}
}

type groupRef struct {
	set   int
	g     int
	first fastagg.Pos
}

// refs lists the groups in the order of their first line.
func (fs *fastScan) refs() []groupRef {
	var refs []groupRef
	for si, s := range fs.sets {
		for g := 0; g < s.t.Len(); g++ {
			refs = append(refs, groupRef{si, g, s.t.First[g]})
		}
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].first.Less(refs[j].first) })
	return refs
}

// worker is one goroutine's emitter and fills.
type worker struct {
	e     emitter
	fills []func(g int, e *emitter) *fieldError
}

func (fs *fastScan) newWorker() *worker {
	w := &worker{e: emitter{period: fs.p, tags: cost.Tags{}}}
	for _, s := range fs.sets {
		w.fills = append(w.fills, s.newFill())
	}
	return w
}

// fill builds the line item of group r into w.e.li.
func (w *worker) fill(r groupRef) *fieldError {
	w.e.reset()
	return w.fills[r.set](r.g, &w.e)
}

// check builds every group's line item once, each chunk of refs on its
// own goroutine, so that a bad group fails the scan before anything is
// yielded; the failure reported is the first in the order of refs.
func (fs *fastScan) check(ctx context.Context, refs []groupRef, chunks [][2]int) error {
	found := make([]bool, len(chunks))
	err := connectors.RunChunks(ctx, chunks, func(c int) func(int) error {
		w := fs.newWorker()
		return func(i int) error {
			if fe := w.fill(refs[i]); fe != nil {
				return &errRescan{obj: refs[i].first.Object}
			}
			found[c] = found[c] || fs.p.Contains(w.e.li.ChargePeriodStart)
			return nil
		}
	})
	for _, f := range found {
		fs.found = fs.found || f
	}
	return err
}

// emit yields the groups' line items, each chunk of refs from its own
// goroutine (fn's worker argument is the chunk's index).
func (fs *fastScan) emit(ctx context.Context, refs []groupRef, chunks [][2]int, fn func(int, *cost.LineItem) error) error {
	return connectors.RunChunks(ctx, chunks, func(c int) func(int) error {
		w := fs.newWorker()
		e := &w.e
		return func(i int) error {
			r := refs[i]
			w.fill(r)
			if len(e.tags) > 0 {
				e.li.Tags = e.tags
			}
			e.li.Count = lineCount(fs.sets[r.set].t.Count[r.g])
			e.li.Source.Object = fs.names[r.first.Object]
			if fs.isParquet(r.first.Object) {
				e.li.Source.Row = r.first.Line
			} else {
				e.li.Source.Line = r.first.Line
			}
			return fn(c, &e.li)
		}
	})
}

func (fs *fastScan) isParquet(obj int32) bool { return fs.kinds[obj] }

// groupRow is a group seen through the row interface, so that the cost
// rules of Scan (fill) turn it into a line item: text fields as written,
// amounts summed (present when the group's lines have the column), the
// earliest usage start and the latest end.
type groupRow struct {
	text    [numFields]string
	alt     [numFields]string
	hasAlt  [numFields]bool
	amount  [numFields]decimal.Decimal
	present [numFields]bool
	start   time.Time
	end     time.Time
	hasEnd  bool
	bps     time.Time
	hasBPS  bool
	bpsErr  error
}

func (r *groupRow) str(f field) string {
	v := r.text[f]
	if v == "" && r.hasAlt[f] {
		v = r.alt[f]
	}
	return v
}

func (r *groupRow) dec(f field) (decimal.Decimal, bool, error) {
	if amountIndex[f] < 0 || !r.present[f] {
		return decimal.Zero, false, nil
	}
	return r.amount[f], true, nil
}

func (r *groupRow) time(f field) (time.Time, bool, error) {
	switch f {
	case fUsageStart:
		return r.start, true, nil
	case fUsageEnd:
		return r.end, r.hasEnd, nil
	case fBillingPeriodStart:
		return r.bps, r.hasBPS, r.bpsErr
	}
	return time.Time{}, false, nil
}

// setPeriod sets the group's usage period.
func (r *groupRow) setPeriod(t *fastagg.Table, g int) {
	r.start = t.Start[g].Time()
	r.hasEnd = t.End[g] != fastagg.NullInstant
	r.end = time.Time{}
	if r.hasEnd {
		r.end = t.End[g].Time()
	}
}

// setAmounts sets the group's sums, present where the key's null mask
// says the lines have the column.
func (r *groupRow) setAmounts(t *fastagg.Table, g int, mask uint64) {
	for k, f := range amountFields {
		r.present[f] = mask&(1<<k) == 0
		if r.present[f] {
			r.amount[f] = t.Sum(g, k)
		}
	}
}

var _ row = (*groupRow)(nil)

// lineCount is a group's Count: the lines merged, or 0 (which means 1)
// for a group of one line, as Scan yields it.
func lineCount(n int64) int64 {
	if n == 1 {
		return 0
	}
	return n
}

// sniffParquet reports whether an object without a .parquet name starts
// with the Parquet magic bytes, as scanObject checks.
func (fs *fastScan) sniffParquet(ctx context.Context, o objstore.Object) bool {
	rc, err := fs.d.bucket.Open(ctx, o.Key)
	if err != nil {
		return false // the CSV reader reports it
	}
	defer rc.Close()
	var magic [4]byte
	n, _ := io.ReadFull(rc, magic[:])
	return n == 4 && string(magic[:]) == "PAR1"
}
