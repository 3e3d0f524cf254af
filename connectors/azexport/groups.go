package azexport

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/internal/fastagg"
	"github.com/allot-dev/allot/connectors/internal/textio"
	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

var (
	_ connectors.GroupScanner         = (*Driver)(nil)
	_ connectors.ParallelGroupScanner = (*Driver)(nil)
)

// ScanGroups implements connectors.GroupScanner: it yields one item per
// group of rows that agree on every field but the costs, the quantity, the
// charge period and the provenance, in the order Scan first meets each
// group.
//
// CSV files (EA, MCA and pay-as-you-go cost details, and FocusCost; plain
// or gzip) are split and grouped without building a line item per row,
// several files in parallel: the rows' raw cells are the group key, the
// dates are parsed once per distinct cell and the amounts are summed
// exactly. What a row means (charge category and class, the commitment
// split of its cost, currency, region, tags) is worked out once per group,
// with the rules Scan applies to each row. Parquet files are read line by
// line and grouped the same way.
//
// On bad input the scan yields nothing and returns Scan's error: whenever
// the fast path meets a problem it reads the export again line by line,
// so the error names the same file, line and column, in the same words.
func (d *Driver) ScanGroups(ctx context.Context, p cost.Period, fn func(*cost.LineItem) error) error {
	return d.ScanGroupsParallel(ctx, p, 1, func(_ int, li *cost.LineItem) error { return fn(li) })
}

// ScanGroupsParallel implements connectors.ParallelGroupScanner: the scan
// of ScanGroups, whose groups are then checked and yielded by workers
// goroutines, each a contiguous run of the groups in order.
func (d *Driver) ScanGroupsParallel(ctx context.Context, p cost.Period, workers int, fn func(worker int, li *cost.LineItem) error) error {
	pl, err := d.plan(ctx, p)
	if err != nil {
		return err
	}
	sc := &groupScan{d: d, pl: pl, p: p, blobs: make([]blobScan, len(pl.blobs))}
	if err := sc.run(ctx); err != nil {
		return d.exactError(ctx, p, err)
	}
	return sc.emit(ctx, workers, fn)
}

// exactError turns a problem the grouped scan met into the error Scan
// reports, by running Scan: the first bad row in file order, described the
// way the line reader describes it. Should Scan find nothing wrong, err is
// returned as it is.
func (d *Driver) exactError(ctx context.Context, p cost.Period, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if serr := d.Scan(ctx, p, func(*cost.LineItem) error { return nil }); serr != nil {
		return serr
	}
	return err
}

// groupScan is one grouped scan of an export run (or of a single file).
type groupScan struct {
	d     *Driver
	pl    *plan
	p     cost.Period
	blobs []blobScan
	sets  []*groupSet
}

// blobScan is what the scan learned about one file.
type blobScan struct {
	name string
	pq   bool       // a Parquet file: positions are rows, not lines
	m    *rowMapper // fast-path files: the file's columns and date style
	rows int64      // data rows
}

// groupSet is the groups of files that share a header (fast path), or of
// the files read line by line (lines).
type groupSet struct {
	t *fastagg.Table
	// keys: the columns whose cells make a fast-path key, in key order
	keys []int
	// mark: the keys end with a byte that is 1 when the group's rows have
	// a non-zero cost (see nonZero)
	mark  bool
	lines *fastagg.LineGrouper
}

// Amounts summed per group by the fast path, in this order: of a
// cost-details file,
const (
	amtCost = iota
	amtList
	amtQuantity
	numAmounts
)

// and of a FocusCost file.
const (
	focBilled = iota
	focEffective
	focList
	focQuantity
	numFocusAmounts
)

// errFastPath: the fast path met something wrong in a file (a bad cell, a
// CSV syntax error, a row count the manifest contradicts); exactError
// finds and describes it.
var errFastPath = errors.New("azexport: bad input")

func (sc *groupScan) run(ctx context.Context) error {
	var (
		mu      sync.Mutex // guards tables and lg
		tables  = map[string]*groupSet{}
		sigs    []string
		lg      = fastagg.NewLineGrouper()
		onlyOne = sc.pl.run == nil
	)
	err := fastagg.ForEach(ctx, len(sc.pl.blobs), runtime.GOMAXPROCS(0), func(ctx context.Context, _, i int) error {
		b := sc.pl.blobs[i]
		bs := &sc.blobs[i]
		bs.name, bs.pq = sc.d.where(b.key), isParquetName(b.key)
		var sig string
		var gs *groupSet
		if !bs.pq {
			var err error
			if sig, gs, err = sc.csv(ctx, i); err != nil {
				return err
			}
		}
		if gs == nil { // read line by line
			mu.Lock()
			defer mu.Unlock()
			rows, _, err := sc.d.scanBlob(ctx, b, sc.pl.dataset, sc.p, onlyOne, func(li *cost.LineItem) error {
				pos := li.Source.Line
				if bs.pq {
					pos = li.Source.Row
				}
				fastagg.Project(li, sc.d.fields)
				lg.Add(li, fastagg.Pos{Object: int32(i), Line: pos})
				return nil
			})
			if err != nil {
				return err
			}
			bs.rows = rows
		} else {
			mu.Lock()
			defer mu.Unlock()
			if all, ok := tables[sig]; ok {
				all.t.Merge(gs.t)
			} else {
				tables[sig] = gs
				sigs = append(sigs, sig)
			}
		}
		if b.wantRows != nil && *b.wantRows != bs.rows {
			return fmt.Errorf("%w: %s: row count differs from the manifest's", errFastPath, bs.name)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(sigs)
	for _, sig := range sigs {
		sc.sets = append(sc.sets, tables[sig])
	}
	if lg.T.Len() > 0 {
		sc.sets = append(sc.sets, &groupSet{t: lg.T, lines: lg})
	}
	return nil
}

// csv groups CSV file i with the fast path. It returns a nil set (and no
// error) for a file the line reader must read: one the splitter cannot
// open or whose header the line reader reports.
func (sc *groupScan) csv(ctx context.Context, i int) (string, *groupSet, error) {
	b := sc.pl.blobs[i]
	bs := &sc.blobs[i]
	rc, err := sc.d.bucket.Open(ctx, b.key)
	if err != nil {
		return "", nil, nil
	}
	defer rc.Close()
	sp, err := fastagg.OpenCSV(ctx, rc)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return "", nil, cerr
		}
		return "", nil, nil
	}
	defer sp.Close()
	h := newHeader(sp.Header)
	l, err := newLayout(h, bs.name)
	ds := sc.pl.dataset
	if err != nil || ds == DatasetFocus && !l.focus || l.focus && ds != DatasetUnknown && ds != DatasetFocus {
		return "", nil, nil
	}
	m := &rowMapper{l: l, h: h, object: bs.name, dataset: ds, currency: sc.d.opts.Currency}
	keys := keyColumns(l, sc.d.fields)
	list, quantity := l.list, l.quantity
	if fs := sc.d.fields; fs != 0 {
		if !fs.Has(cost.FieldListCost) {
			list = -1
		}
		if !fs.Has(cost.FieldQuantity) {
			quantity = -1
		}
	}
	fl := fastagg.CSVLayout{
		Keys:     keys,
		Start:    l.date,
		End:      l.date, // the latest charge day; a row's period is its day
		Amounts:  []int{amtCost: l.cost, amtList: list, amtQuantity: quantity},
		Required: []bool{amtCost: true, amtList: false, amtQuantity: false},
		Count:    -1,
		IsNull:   textio.IsNullBytes,
		// Called once per distinct date cell of the file (a fresh
		// CSVState per file), so m.date sees every date style the file
		// uses and rejects a file that mixes them, as Scan does.
		ParseTime: func(s string) (fastagg.Instant, error) {
			t, err := m.date([]string{s}, 0, 0, !l.focus)
			return fastagg.InstantOf(t), err
		},
		ParseAmount: func(s string) (decimal.Decimal, error) {
			d, _, err := textio.ParseDecimal(s)
			return d, err
		},
	}
	nsums := numAmounts
	if l.focus {
		// FocusCost rows carry their period: a group runs from its
		// earliest start to its latest end, a row without an end lasts a
		// day, and an end not after its start is an error (mapRow).
		nsums = numFocusAmounts
		fl.Amounts = []int{focBilled: l.billed, focEffective: l.effective, focList: list, focQuantity: quantity}
		fl.Required = []bool{focBilled: true, focEffective: true, focList: false, focQuantity: false}
		if l.chargePeriodEnd >= 0 {
			fl.End, fl.EndAfterStart = l.chargePeriodEnd, true
			fl.NullEnd = func(s fastagg.Instant) fastagg.Instant { return fastagg.InstantOf(s.Time().AddDate(0, 0, 1)) }
		}
	}
	// Without a dataset, a commitment's usage row may carry no cost (as in
	// ActualCost) but not a non-zero one, which only the dataset splits
	// (splitCost): a group's sum cannot tell, so its zero and non-zero
	// rows make separate groups.
	mark := ds == DatasetUnknown && l.pricingModel >= 0
	if mark {
		fl.Mark = func(rec [][]byte) byte { return nonZero(rec[l.cost]) }
	}
	t := fastagg.NewTable(nsums)
	rows, err := fastagg.ScanCSV(ctx, sp.Splitter, int32(i), &fl, t, fastagg.NewCSVState())
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return "", nil, cerr
		}
		return "", nil, fmt.Errorf("%w: %s: %w", errFastPath, bs.name, err)
	}
	bs.m, bs.rows = m, rows
	// A billing period start is a key cell: check it once per group, in
	// the date style of this file's rows, as Scan checks it in each row.
	if k := keyIndex(keys, l.billingPeriodStart); k >= 0 {
		rec := make([]string, len(h.names))
		var fields [][]byte
		seen := map[string]bool{}
		for g := 0; g < t.Len(); g++ {
			fields, _ = fastagg.KeyFields(t.Key(g), len(keys), fields[:0])
			if seen[string(fields[k])] {
				continue
			}
			seen[string(fields[k])] = true
			rec[l.billingPeriodStart] = string(fields[k])
			var li cost.LineItem
			if err := m.billingPeriod(rec, t.First[g].Line, &li); err != nil {
				return "", nil, fmt.Errorf("%w: %w", errFastPath, err)
			}
		}
	}
	sig := fmt.Sprintf("%v\x00%s", mark, strings.Join(h.names, "\x00"))
	return sig, &groupSet{t: t, keys: keys, mark: mark}, nil
}

// nonZero is the Mark of a cost cell: 1 unless it reads as zero. A cell
// that does not read as a number is 1; the scan reports it.
func nonZero(cell []byte) byte {
	if v, ok := fastagg.ParseScaled(cell); ok {
		if v == 0 {
			return 0
		}
		return 1
	}
	if d, _, err := textio.ParseDecimal(string(cell)); err == nil && d.IsZero() {
		return 0
	}
	return 1
}

// keyColumns lists the columns of a layout that mapGroup reads for the
// fields of fs (every field when fs is zero): each column once, in a fixed
// order. The currency, the charge type and the pricing model (FocusCost:
// the charge category and class) are always keys: every item has a
// currency, and the cost rules need the others.
func keyColumns(l *layout, fs cost.FieldSet) []int {
	need := func(f ...cost.Field) bool {
		if fs == 0 {
			return true
		}
		for _, x := range f {
			if fs.Has(x) {
				return true
			}
		}
		return false
	}
	var keys []int
	add := func(wanted bool, cols ...int) {
		for _, c := range cols {
			if wanted && c >= 0 && keyIndex(keys, c) < 0 {
				keys = append(keys, c)
			}
		}
	}
	add(true, l.currency, l.chargeType, l.pricingModel, l.chargeCategory, l.chargeClass)
	add(need(cost.FieldProviderName), l.provider)
	add(need(cost.FieldBillingPeriodStart), l.billingPeriodStart)
	add(need(cost.FieldQuantity), l.unit)
	add(need(cost.FieldSubAccountID), l.subscription)
	add(need(cost.FieldSubAccountName), l.subscriptionName)
	add(need(cost.FieldBillingAccount), l.billingAccount, l.billingAccountName, l.billingProfile, l.billingProfileName)
	add(need(cost.FieldResourceGroup), l.resourceGroup)
	add(need(cost.FieldResourceID, cost.FieldResourceName), l.resourceID) // a resource's name defaults to its id's last segment
	add(need(cost.FieldResourceName), l.resourceName, l.resourceType)
	add(need(cost.FieldRegion), l.location)
	add(need(cost.FieldServiceName), l.serviceName)
	add(need(cost.FieldServiceCategory), l.serviceCat)
	add(need(cost.FieldSku), l.meterName, l.meterAlt, l.meterID, l.productID, l.partNumber, l.skuID)
	add(need(cost.FieldChargeDescription), l.productName)
	add(need(cost.FieldTags), l.tags)
	return keys
}

func keyIndex(keys []int, c int) int {
	for k, x := range keys {
		if x == c {
			return k
		}
	}
	return -1
}

// itemFunc fills li (not Source) from group g of a set.
type itemFunc func(g int, li *cost.LineItem) error

// newItem returns an itemFunc for set s. Each goroutine makes its own: it
// keeps scratch records and its own copy of each file's rowMapper.
func (sc *groupScan) newItem(s *groupSet) itemFunc {
	if s.lines != nil {
		return func(g int, li *cost.LineItem) error {
			s.lines.Item(g, li)
			return nil
		}
	}
	mappers := map[int32]*rowMapper{}
	var rec []string
	var fields [][]byte
	return func(g int, li *cost.LineItem) error {
		first := s.t.First[g]
		m, ok := mappers[first.Object]
		if !ok {
			c := *sc.blobs[first.Object].m
			m = &c
			mappers[first.Object] = m
		}
		if len(rec) != len(m.h.names) {
			rec = make([]string, len(m.h.names))
		}
		var rest []byte
		fields, rest = fastagg.KeyFields(s.t.Key(g), len(s.keys), fields[:0])
		for k, c := range s.keys {
			rec[c] = string(fields[k])
		}
		// A row's period is its charge day (the group ends the day after
		// its latest), or in a FocusCost file with ChargePeriodEnd, its own.
		sums := groupSums{start: s.t.Start[g].Time(), end: s.t.End[g].Time()}
		if !m.l.focus || m.l.chargePeriodEnd < 0 {
			sums.end = sums.end.AddDate(0, 0, 1)
		}
		if m.l.focus {
			sums.cost, sums.effective = s.t.Sum(g, focBilled), s.t.Sum(g, focEffective)
			sums.list, sums.quantity = s.t.Sum(g, focList), s.t.Sum(g, focQuantity)
		} else {
			sums.cost, sums.list, sums.quantity = s.t.Sum(g, amtCost), s.t.Sum(g, amtList), s.t.Sum(g, amtQuantity)
			sums.anyCost = s.mark && rest[0] == 1
		}
		*li = cost.LineItem{}
		if err := m.mapGroup(rec, first.Line, &sums, li); err != nil {
			return err
		}
		fastagg.Project(li, sc.d.fields)
		li.Count = s.t.Count[g]
		return nil
	}
}

type groupRef struct {
	set   int
	g     int
	first fastagg.Pos
}

// minChunk is the fewest groups worth a goroutine of their own when groups
// are checked and yielded in parallel.
var minChunk = 1024

// emit checks every group, then yields them in the order of their first
// row. A single file yields only the groups dated in the period, as Scan
// yields only its rows dated in it.
func (sc *groupScan) emit(ctx context.Context, workers int, fn func(int, *cost.LineItem) error) error {
	var refs []groupRef
	for si, s := range sc.sets {
		for g := 0; g < s.t.Len(); g++ {
			refs = append(refs, groupRef{si, g, s.t.First[g]})
		}
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].first.Less(refs[j].first) })
	// each builds the item of every group of refs, a chunk of them on
	// each goroutine, and passes it to then.
	each := func(refs []groupRef, then func(c int, r groupRef, li *cost.LineItem) error) error {
		chunks := connectors.Chunks(len(refs), workers, minChunk)
		return connectors.RunChunks(ctx, chunks, func(c int) func(int) error {
			items := make([]itemFunc, len(sc.sets))
			for k, s := range sc.sets {
				items[k] = sc.newItem(s)
			}
			var li cost.LineItem
			return func(i int) error {
				r := refs[i]
				if err := items[r.set](r.g, &li); err != nil {
					return err
				}
				return then(c, r, &li)
			}
		})
	}
	// First pass: a bad group fails the scan before anything is yielded.
	if err := each(refs, func(int, groupRef, *cost.LineItem) error { return nil }); err != nil {
		return sc.d.exactError(ctx, sc.p, err)
	}
	if sc.pl.run == nil {
		var rows int64
		for _, b := range sc.blobs {
			rows += b.rows
		}
		in := refs[:0]
		for _, r := range refs {
			if sc.p.Contains(sc.sets[r.set].t.Start[r.g].Time()) {
				in = append(in, r)
			}
		}
		refs = in
		if rows > 0 && len(refs) == 0 {
			return sc.d.noRowsIn(sc.p)
		}
	}
	return each(refs, func(c int, r groupRef, li *cost.LineItem) error {
		if li.Count == 1 {
			li.Count = 0 // a group of one row, as Scan yields it
		}
		b := sc.blobs[r.first.Object]
		li.Source = cost.Provenance{Object: b.name}
		if b.pq {
			li.Source.Row = r.first.Line
		} else {
			li.Source.Line = r.first.Line
		}
		return fn(c, li)
	})
}
