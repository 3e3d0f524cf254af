package focus

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/internal/fastagg"
	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

var _ connectors.GroupScanner = (*Driver)(nil)

// Amounts summed per group, in this order, by both fast paths.
var amountFields = [...]field{fConsumedQuantity, fBilledCost, fEffectiveCost, fListCost}

// keyField reports whether a field is part of the group key: every field
// but the charge period, the amounts and the line count.
func keyField(f field) bool {
	switch f {
	case fChargePeriodStart, fChargePeriodEnd, fConsumedQuantity, fBilledCost, fEffectiveCost, fListCost, fLineCount:
		return false
	}
	return true
}

// WithFields returns a driver like d whose ScanGroups fills only the
// line item fields of fs (connectors.Config.Fields; the zero set means
// every field): it reads only their columns, groups by them alone and
// does not check the values of the columns it does not read. The charge
// period start, the billing currency and the line count are always read.
// Scan is unaffected.
func (d *Driver) WithFields(fs cost.FieldSet) *Driver {
	c := *d
	c.fields = fs
	return &c
}

// fieldOf is the projection field a FOCUS column fills.
var fieldOf = [numFields]cost.Field{
	fProviderName: cost.FieldProviderName, fBillingAccountID: cost.FieldBillingAccount,
	fBillingAccountName: cost.FieldBillingAccount, fSubAccountID: cost.FieldSubAccountID,
	fSubAccountName: cost.FieldSubAccountName, fResourceGroup: cost.FieldResourceGroup,
	fBillingPeriodStart: cost.FieldBillingPeriodStart, fChargePeriodEnd: cost.FieldChargePeriodEnd,
	fChargeCategory: cost.FieldChargeCategory, fChargeClass: cost.FieldChargeCategory,
	fChargeDescription: cost.FieldChargeDescription, fServiceName: cost.FieldServiceName,
	fServiceCategory: cost.FieldServiceCategory, fSkuID: cost.FieldSku, fSkuMeter: cost.FieldSku,
	fUsageType: cost.FieldSku, fResourceID: cost.FieldResourceID, fResourceName: cost.FieldResourceName,
	fResourceType: cost.FieldResourceName, fRegionID: cost.FieldRegion, fConsumedQuantity: cost.FieldQuantity,
	fConsumedUnit: cost.FieldQuantity, fBilledCost: cost.FieldBilledCost, fEffectiveCost: cost.FieldEffectiveCost,
	fListCost: cost.FieldListCost, fTags: cost.FieldTags,
	// fChargePeriodStart, fBillingCurrency and fLineCount: always read
}

// reads reports whether a grouped scan of the fields fs reads column f.
func reads(fs cost.FieldSet, f field) bool {
	return fieldOf[f] == 0 || fs.Has(fieldOf[f])
}

// groupSet is what one kind of file (one layout) grouped: its table and
// how to turn a group back into a line item.
type groupSet struct {
	t *fastagg.Table
	// newItem returns an itemFunc; each goroutine makes its own (an
	// itemFunc keeps scratch state).
	newItem func() itemFunc
}

// itemFunc fills li (not Source) from group g; an error names the column.
type itemFunc func(g int, li *cost.LineItem) error

// ScanGroups implements connectors.GroupScanner: it yields one item per
// group of lines that agree on every field but the costs, the quantity,
// the charge period and the provenance, in the order a line-by-line scan
// first meets each group. CSV files are split and grouped in parallel
// without building a line item per row; Parquet files are read a page at
// a time, their row groups in parallel, with text columns resolved once
// per dictionary entry. Files the fast paths cannot read (a Parquet
// column of an unusual type) are read line by line and grouped the same
// way. Errors are those of Scan, at the same line or row, in the columns
// the scan reads (see WithFields).
func (d *Driver) ScanGroups(ctx context.Context, p cost.Period, fn func(*cost.LineItem) error) error {
	return d.ScanGroupsParallel(ctx, p, 1, func(_ int, li *cost.LineItem) error { return fn(li) })
}

var _ connectors.ParallelGroupScanner = (*Driver)(nil)

// ScanGroupsParallel implements connectors.ParallelGroupScanner: the scan
// of ScanGroups, whose groups are then checked and yielded by workers
// goroutines, each a contiguous run of the groups in the order of their
// first line.
func (d *Driver) ScanGroupsParallel(ctx context.Context, p cost.Period, workers int, fn func(worker int, li *cost.LineItem) error) error {
	files, err := d.files(ctx)
	if err != nil {
		return err
	}
	sc := &groupScan{d: d, files: files, fields: d.fields}
	if err := sc.run(ctx); err != nil {
		return err
	}
	return sc.emit(ctx, p, workers, fn)
}

// minChunk is the fewest groups worth a goroutine of their own when
// groups are checked and yielded in parallel.
var minChunk = 1024

type groupScan struct {
	d      *Driver
	files  []file
	sets   []*groupSet
	fields cost.FieldSet // the fields to fill (Driver.WithFields)
}

// objError is a failure while reading one file (its index in files): of
// two failures, the scan reports the one in the earlier file, as a
// line-by-line scan would.
type objError struct {
	obj int
	err error
}

func (e *objError) Error() string { return e.err.Error() }
func (e *objError) Unwrap() error { return e.err }

func (sc *groupScan) run(ctx context.Context) error {
	var csvIdx, pqIdx []int
	for i, f := range sc.files {
		if f.format == formatParquet {
			pqIdx = append(pqIdx, i)
		} else {
			csvIdx = append(csvIdx, i)
		}
	}
	var first *objError
	for _, part := range []struct {
		idx  []int
		scan func(context.Context, []int) ([]*groupSet, error)
	}{{csvIdx, sc.csv}, {pqIdx, sc.parquet}} {
		if len(part.idx) == 0 {
			continue
		}
		sets, err := part.scan(ctx, part.idx)
		var oe *objError
		switch {
		case err == nil:
			sc.sets = append(sc.sets, sets...)
		case errors.As(err, &oe):
			if first == nil || oe.obj < first.obj {
				first = oe
			}
		default:
			return err
		}
	}
	if first != nil {
		return first.err
	}
	return nil
}

type groupRef struct {
	set   int
	g     int
	first fastagg.Pos
}

// emit checks every group, then yields them in order of their first line.
func (sc *groupScan) emit(ctx context.Context, p cost.Period, workers int, fn func(int, *cost.LineItem) error) error {
	var refs []groupRef
	for si, s := range sc.sets {
		for g := 0; g < s.t.Len(); g++ {
			refs = append(refs, groupRef{si, g, s.t.First[g]})
		}
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].first.Less(refs[j].first) })
	chunks := connectors.Chunks(len(refs), workers, minChunk)
	// each builds every group's item, each chunk of refs on its own
	// goroutine, and passes it to then.
	each := func(then func(c int, r groupRef, li *cost.LineItem) error) error {
		return connectors.RunChunks(ctx, chunks, func(c int) func(int) error {
			var item []itemFunc
			for _, s := range sc.sets {
				item = append(item, s.newItem())
			}
			var li cost.LineItem
			return func(i int) error {
				r := refs[i]
				if err := item[r.set](r.g, &li); err != nil {
					return err
				}
				return then(c, r, &li)
			}
		})
	}
	// First pass: a bad value fails the scan before anything is yielded.
	found := make([]bool, len(chunks))
	if err := each(func(c int, _ groupRef, li *cost.LineItem) error {
		found[c] = found[c] || p.Contains(li.ChargePeriodStart)
		return nil
	}); err != nil {
		return err
	}
	if !slices.Contains(found, true) {
		return fmt.Errorf("focus: no row with a charge period starting in %s in %d file(s) under %s: %w",
			p, len(sc.files), sc.d.where(), connectors.ErrNotFound)
	}
	return each(func(c int, r groupRef, li *cost.LineItem) error {
		if li.Count == 1 {
			li.Count = 0 // a group of one line, as Scan yields it
		}
		f := sc.files[r.first.Object]
		li.Source = cost.Provenance{Object: f.name}
		if f.format == formatParquet {
			li.Source.Row = r.first.Line
		} else {
			li.Source.Line = r.first.Line
		}
		return fn(c, li)
	})
}

func parseInstant(s string) (fastagg.Instant, error) {
	t, err := parseTime(strings.TrimSpace(s))
	if err != nil {
		return fastagg.Instant{}, fmt.Errorf("%w: %w", ErrBadValue, err)
	}
	return fastagg.InstantOf(t), nil
}

func parseAmount(s string) (decimal.Decimal, error) {
	d, err := parseDecimal(strings.TrimSpace(s))
	if err != nil {
		return d, fmt.Errorf("%w: %w", ErrBadValue, err)
	}
	return d, nil
}

func parseCount(s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%w: line count %q is not a whole number of at least 1", ErrBadValue, strings.TrimSpace(s))
	}
	return n, nil
}

// setAmounts sets the summed amounts of group g.
func setAmounts(li *cost.LineItem, t *fastagg.Table, g int, present [len(amountFields)]bool) {
	for k, f := range amountFields {
		if present[k] {
			setDecimal(li, f, t.Sum(g, k))
		}
	}
}

// fallback reads one file line by line into a LineGrouper. The items are
// projected to the scan's fields before they are grouped, but the line
// reader reads and checks every column.
func (sc *groupScan) fallback(ctx context.Context, i int, lg *fastagg.LineGrouper) error {
	dec := newDecoder(nil)
	f := sc.files[i]
	return sc.d.scanFile(ctx, f, dec, func(li *cost.LineItem) error {
		line := li.Source.Line
		if line == 0 {
			line = li.Source.Row
		}
		fastagg.Project(li, sc.fields)
		lg.Add(li, fastagg.Pos{Object: int32(i), Line: line})
		return nil
	}, nil)
}

func lineGroupSet(lg *fastagg.LineGrouper) *groupSet {
	item := func(g int, li *cost.LineItem) error {
		lg.Item(g, li)
		return nil
	}
	return &groupSet{t: lg.T, newItem: func() itemFunc { return item }}
}
