package connectortest

import (
	"context"
	"maps"
	"testing"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/cost"
)

// Project returns li with every field outside fs emptied, as a driver
// asked for the fields of fs (connectors.Config.Fields) may leave them:
// the zero set keeps every field; the charge period start, the billing
// currency, the count and the provenance are always kept. Written field by
// field from the cost.Field documentation, independently of any driver.
func Project(li cost.LineItem, fs cost.FieldSet) cost.LineItem {
	if fs == 0 {
		return li
	}
	out := cost.LineItem{
		ChargePeriodStart: li.ChargePeriodStart,
		BillingCurrency:   li.BillingCurrency,
		Count:             li.Count,
		Source:            li.Source,
	}
	if fs.Has(cost.FieldProviderName) {
		out.ProviderName = li.ProviderName
	}
	if fs.Has(cost.FieldBillingAccount) {
		out.BillingAccountID, out.BillingAccountName = li.BillingAccountID, li.BillingAccountName
	}
	if fs.Has(cost.FieldSubAccountID) {
		out.SubAccountID = li.SubAccountID
	}
	if fs.Has(cost.FieldSubAccountName) {
		out.SubAccountName = li.SubAccountName
	}
	if fs.Has(cost.FieldResourceGroup) {
		out.ResourceGroup = li.ResourceGroup
	}
	if fs.Has(cost.FieldBillingPeriodStart) {
		out.BillingPeriodStart = li.BillingPeriodStart
	}
	if fs.Has(cost.FieldChargePeriodEnd) {
		out.ChargePeriodEnd = li.ChargePeriodEnd
	}
	if fs.Has(cost.FieldChargeCategory) {
		out.ChargeCategory, out.ChargeClass = li.ChargeCategory, li.ChargeClass
	}
	if fs.Has(cost.FieldChargeDescription) {
		out.ChargeDescription = li.ChargeDescription
	}
	if fs.Has(cost.FieldServiceName) {
		out.ServiceName = li.ServiceName
	}
	if fs.Has(cost.FieldServiceCategory) {
		out.ServiceCategory = li.ServiceCategory
	}
	if fs.Has(cost.FieldSku) {
		out.SkuID, out.SkuMeter, out.UsageType = li.SkuID, li.SkuMeter, li.UsageType
	}
	if fs.Has(cost.FieldResourceID) {
		out.ResourceID = li.ResourceID
	}
	if fs.Has(cost.FieldResourceName) {
		out.ResourceName, out.ResourceType = li.ResourceName, li.ResourceType
	}
	if fs.Has(cost.FieldRegion) {
		out.RegionID = li.RegionID
	}
	if fs.Has(cost.FieldQuantity) {
		out.ConsumedQuantity, out.ConsumedUnit = li.ConsumedQuantity, li.ConsumedUnit
	}
	if fs.Has(cost.FieldBilledCost) {
		out.BilledCost = li.BilledCost
	}
	if fs.Has(cost.FieldEffectiveCost) {
		out.EffectiveCost = li.EffectiveCost
	}
	if fs.Has(cost.FieldListCost) {
		out.ListCost = li.ListCost
	}
	if fs.Has(cost.FieldTags) {
		out.Tags = maps.Clone(li.Tags)
	}
	return out
}

// GroupsFields checks a GroupScanner asked for the fields of fs (gs: a
// driver opened with connectors.Config.Fields = fs) against the
// line-by-line Scan of the same export (lines: a driver opened on every
// field). Scan's items, projected to fs, are grouped independently by
// every field they keep (plus the month of the charge period start); the
// items of ScanGroups, projected to fs too (a driver may fill more than it
// was asked), must add up to those groups exactly, as in Groups: sums, line
// counts, earliest start, latest end, each item naming one of its group's
// lines, in order. It returns the number of items and of reference
// groups: a driver that merges every line it can yields as many items as
// there are groups, and a driver that grouped by a field outside fs more.
//
// When Scan fails, a projected ScanGroups may succeed: the bad value may
// be in a column it does not read. If it fails too it must yield nothing.
// Either way nothing is compared and GroupsFields returns zeros.
func GroupsFields(t *testing.T, lines connectors.Driver, gs connectors.GroupScanner, p cost.Period, fs cost.FieldSet) (items, groups int) {
	t.Helper()
	var scanned []cost.LineItem
	lerr := lines.Scan(context.Background(), p, func(li *cost.LineItem) error {
		scanned = append(scanned, Project(*li, fs))
		return nil
	})
	var got []cost.LineItem
	gerr := gs.ScanGroups(context.Background(), p, func(li *cost.LineItem) error {
		got = append(got, Project(*li, fs))
		return nil
	})
	switch {
	case lerr != nil && gerr != nil:
		if len(got) > 0 {
			t.Fatalf("ScanGroups yielded %d items before its error, want none", len(got))
		}
		return 0, 0
	case lerr != nil:
		return 0, 0
	case gerr != nil:
		t.Fatalf("Scan succeeded, projected ScanGroups failed: %v", gerr)
	}
	return len(got), matchGroups(t, scanned, got)
}

// FieldSets are projections worth testing a driver with: one field at a
// time (with a cost), each cost basis alone, what a monthly run on either
// basis reads with no rules (see pipeline.NeededFields), and every field.
func FieldSets() map[string]cost.FieldSet {
	run := cost.FieldSet(0).With(cost.FieldProviderName, cost.FieldSubAccountID, cost.FieldSubAccountName,
		cost.FieldResourceGroup, cost.FieldServiceName, cost.FieldSku, cost.FieldResourceID, cost.FieldTags)
	out := map[string]cost.FieldSet{
		"billed only":          cost.FieldSet(0).With(cost.FieldBilledCost),
		"effective only":       cost.FieldSet(0).With(cost.FieldEffectiveCost),
		"run, billed basis":    run.With(cost.FieldBilledCost),
		"run, effective basis": run.With(cost.FieldBilledCost, cost.FieldEffectiveCost),
		"every field":          cost.AllFields,
	}
	for f := cost.FieldProviderName; f <= cost.FieldTags; f <<= 1 {
		out[fieldName(f)] = cost.FieldSet(0).With(f, cost.FieldBilledCost)
	}
	return out
}

func fieldName(f cost.Field) string {
	names := []string{"provider", "billing account", "sub-account id", "sub-account name", "resource group",
		"billing period start", "charge period end", "charge category", "description", "service",
		"service category", "sku", "resource id", "resource name", "region", "quantity", "billed cost",
		"effective cost", "list cost", "tags"}
	for i, n := range names {
		if f == cost.Field(1)<<i {
			return n + " (and billed cost)"
		}
	}
	return "unknown field"
}

// Replay scans d once for period p and returns a driver whose Scan yields
// the same items again (deep copies), so that many projections can be
// compared with one line-by-line scan. Scan's error fails the test.
func Replay(t *testing.T, d connectors.Driver, p cost.Period) connectors.Driver {
	t.Helper()
	var r replayed
	err := d.Scan(context.Background(), p, func(li *cost.LineItem) error {
		r = append(r, Project(*li, cost.AllFields))
		return nil
	})
	if err != nil {
		t.Fatalf("Scan(%s): %v", p, err)
	}
	return r
}

type replayed []cost.LineItem

func (r replayed) Scan(ctx context.Context, _ cost.Period, fn func(*cost.LineItem) error) error {
	for i := range r {
		if err := ctx.Err(); err != nil {
			return err
		}
		li := Project(r[i], cost.AllFields)
		if err := fn(&li); err != nil {
			return err
		}
	}
	return nil
}
