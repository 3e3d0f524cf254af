package fastagg

import (
	"encoding/binary"
	"maps"
	"sort"
	"time"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// LineGrouper merges line items that a driver already built (its slow,
// line-by-line path) by the GroupScanner key: every field but the costs,
// the quantity, the charge period and the provenance, plus the month of
// the charge period start. Drivers use it for files the fast path cannot
// read. Memory grows with the number of groups.
type LineGrouper struct {
	T     *Table
	Items []cost.LineItem // one representative per group: fields, tags, no sums
	key   []byte
	keys  []string
}

// Amount indexes of a LineGrouper's table.
const (
	LGQuantity = iota
	LGBilled
	LGEffective
	LGList
	lgAmounts
)

// NewLineGrouper returns an empty grouper.
func NewLineGrouper() *LineGrouper { return &LineGrouper{T: NewTable(lgAmounts)} }

// Add groups one line found at pos.
func (lg *LineGrouper) Add(li *cost.LineItem, pos Pos) {
	k := lg.key[:0]
	str := func(s string) {
		k = binary.AppendUvarint(k, uint64(len(s)))
		k = append(k, s...)
	}
	for _, s := range [...]string{li.ProviderName, li.BillingAccountID, li.BillingAccountName, li.SubAccountID,
		li.SubAccountName, li.ResourceGroup, string(li.ChargeCategory), li.ChargeClass, li.ChargeDescription,
		li.ServiceName, li.ServiceCategory, li.SkuID, li.SkuMeter, li.UsageType, li.ResourceID, li.ResourceName,
		li.ResourceType, li.RegionID, li.ConsumedUnit, li.BillingCurrency} {
		str(s)
	}
	bp := InstantOf(li.BillingPeriodStart)
	k = binary.LittleEndian.AppendUint64(k, uint64(bp.Sec))
	k = binary.LittleEndian.AppendUint32(k, uint32(bp.Nsec))
	start := InstantOf(li.ChargePeriodStart)
	k = binary.LittleEndian.AppendUint32(k, MonthOf(start))
	k = binary.AppendUvarint(k, uint64(len(li.Tags)))
	if len(li.Tags) > 0 {
		lg.keys = lg.keys[:0]
		for t := range li.Tags {
			lg.keys = append(lg.keys, t)
		}
		sort.Strings(lg.keys)
		for _, t := range lg.keys {
			str(t)
			str(li.Tags[t])
		}
	}
	lg.key = k
	n := lg.T.Len()
	g := lg.T.Find(Hash(k), k, pos)
	if g == n { // a new group: keep the line's fields
		rep := *li
		rep.Tags = maps.Clone(li.Tags)
		rep.Source = cost.Provenance{}
		lg.Items = append(lg.Items, rep)
	}
	lg.T.AddDecimal(g, LGQuantity, li.ConsumedQuantity)
	lg.T.AddDecimal(g, LGBilled, li.BilledCost)
	lg.T.AddDecimal(g, LGEffective, li.EffectiveCost)
	lg.T.AddDecimal(g, LGList, li.ListCost)
	lg.T.Count[g] += li.Lines()
	lg.T.Observe(g, start, InstantOf(li.ChargePeriodEnd))
}

// Item fills li with group g: the representative's fields, the sums, the
// period and the count; the caller sets the provenance.
func (lg *LineGrouper) Item(g int, li *cost.LineItem) {
	*li = lg.Items[g]
	li.ConsumedQuantity = lg.T.Sum(g, LGQuantity)
	li.BilledCost = lg.T.Sum(g, LGBilled)
	li.EffectiveCost = lg.T.Sum(g, LGEffective)
	li.ListCost = lg.T.Sum(g, LGList)
	li.ChargePeriodStart = lg.T.Start[g].Time()
	li.ChargePeriodEnd = lg.T.End[g].Time()
	li.Count = lg.T.Count[g]
}

// Project empties the fields of li outside fs (the zero set keeps every
// field), as a driver that reads only the columns of fs leaves them: a
// line read line by line then groups with the lines the fast path read.
// The charge period start, the currency, the count and the provenance
// are kept.
func Project(li *cost.LineItem, fs cost.FieldSet) {
	if fs == 0 {
		return
	}
	for _, p := range projections {
		if !fs.Has(p.f) {
			p.clear(li)
		}
	}
}

var projections = [...]struct {
	f     cost.Field
	clear func(*cost.LineItem)
}{
	{cost.FieldProviderName, func(li *cost.LineItem) { li.ProviderName = "" }},
	{cost.FieldBillingAccount, func(li *cost.LineItem) { li.BillingAccountID, li.BillingAccountName = "", "" }},
	{cost.FieldSubAccountID, func(li *cost.LineItem) { li.SubAccountID = "" }},
	{cost.FieldSubAccountName, func(li *cost.LineItem) { li.SubAccountName = "" }},
	{cost.FieldResourceGroup, func(li *cost.LineItem) { li.ResourceGroup = "" }},
	{cost.FieldBillingPeriodStart, func(li *cost.LineItem) { li.BillingPeriodStart = time.Time{} }},
	{cost.FieldChargePeriodEnd, func(li *cost.LineItem) { li.ChargePeriodEnd = time.Time{} }},
	{cost.FieldChargeCategory, func(li *cost.LineItem) { li.ChargeCategory, li.ChargeClass = "", "" }},
	{cost.FieldChargeDescription, func(li *cost.LineItem) { li.ChargeDescription = "" }},
	{cost.FieldServiceName, func(li *cost.LineItem) { li.ServiceName = "" }},
	{cost.FieldServiceCategory, func(li *cost.LineItem) { li.ServiceCategory = "" }},
	{cost.FieldSku, func(li *cost.LineItem) { li.SkuID, li.SkuMeter, li.UsageType = "", "", "" }},
	{cost.FieldResourceID, func(li *cost.LineItem) { li.ResourceID = "" }},
	{cost.FieldResourceName, func(li *cost.LineItem) { li.ResourceName, li.ResourceType = "", "" }},
	{cost.FieldRegion, func(li *cost.LineItem) { li.RegionID = "" }},
	{cost.FieldQuantity, func(li *cost.LineItem) { li.ConsumedQuantity, li.ConsumedUnit = decimal.Decimal{}, "" }},
	{cost.FieldBilledCost, func(li *cost.LineItem) { li.BilledCost = decimal.Decimal{} }},
	{cost.FieldEffectiveCost, func(li *cost.LineItem) { li.EffectiveCost = decimal.Decimal{} }},
	{cost.FieldListCost, func(li *cost.LineItem) { li.ListCost = decimal.Decimal{} }},
	{cost.FieldTags, func(li *cost.LineItem) { li.Tags = nil }},
}
