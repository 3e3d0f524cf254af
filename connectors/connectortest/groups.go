package connectortest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// Groups checks a connectors.GroupScanner against its own line-by-line
// Scan. The lines Scan yields are grouped independently, as the contract
// says (every field but the costs, the quantity, the charge period and the
// provenance, plus the month of the charge period start). A driver may
// split such a group further (it may merge less, never more), so each item
// of ScanGroups must carry the fields of one group and name one of its
// lines, and the items of a group must add up to it exactly: sums, line
// counts, earliest start, latest end; and the first of them must name the
// group's first line. Items come in the order of the lines they name. When
// Scan fails, ScanGroups must fail with the same error and yield nothing.
// It returns the number of items.
func Groups(t *testing.T, d connectors.Driver, p cost.Period) int {
	t.Helper()
	return groups(t, d, p, true)
}

// groups is Groups; with sameWords false, failing scans must fail at the
// same place, as bad input, but their messages may differ (GroupsDamaged).
func groups(t *testing.T, d connectors.Driver, p cost.Period, sameWords bool) int {
	t.Helper()
	gs, ok := d.(connectors.GroupScanner)
	if !ok {
		t.Fatalf("%T does not implement connectors.GroupScanner", d)
	}
	var lines []cost.LineItem
	lerr := d.Scan(context.Background(), p, func(li *cost.LineItem) error {
		c := *li
		c.Tags = maps.Clone(li.Tags)
		lines = append(lines, c)
		return nil
	})
	var groups []cost.LineItem
	gerr := gs.ScanGroups(context.Background(), p, func(li *cost.LineItem) error {
		c := *li
		c.Tags = maps.Clone(li.Tags)
		groups = append(groups, c)
		return nil
	})
	if lerr != nil || gerr != nil {
		if lerr == nil || gerr == nil || sameWords && lerr.Error() != gerr.Error() {
			t.Fatalf("Scan error: %v\nScanGroups error: %v\nwant the same", lerr, gerr)
		}
		if !sameWords && (!errors.Is(lerr, connectors.ErrBadInput) || !errors.Is(gerr, connectors.ErrBadInput)) {
			t.Fatalf("Scan error: %v\nScanGroups error: %v\nwant bad-input errors", lerr, gerr)
		}
		var lre, gre *connectors.RowError
		if errors.As(lerr, &lre) != errors.As(gerr, &gre) || (lre != nil && (lre.Object != gre.Object ||
			lre.Line != gre.Line || lre.Row != gre.Row || lre.Column != gre.Column)) {
			t.Fatalf("Scan error at %+v, ScanGroups error at %+v", lre, gre)
		}
		if len(groups) > 0 {
			t.Fatalf("ScanGroups yielded %d items before its error, want none", len(groups))
		}
		return 0
	}
	matchGroups(t, lines, groups)
	return len(groups)
}

// groupKey is the GroupScanner key of a line, built independently of any
// driver.
func groupKey(li *cost.LineItem) string {
	var b strings.Builder
	for _, s := range []string{li.ProviderName, li.BillingAccountID, li.BillingAccountName, li.SubAccountID,
		li.SubAccountName, li.ResourceGroup, string(li.ChargeCategory), li.ChargeClass, li.ChargeDescription,
		li.ServiceName, li.ServiceCategory, li.SkuID, li.SkuMeter, li.UsageType, li.ResourceID, li.ResourceName,
		li.ResourceType, li.RegionID, li.ConsumedUnit, li.BillingCurrency} {
		fmt.Fprintf(&b, "%q|", s)
	}
	fmt.Fprintf(&b, "%s|%s|", li.BillingPeriodStart.UTC().Format(time.RFC3339Nano), li.ChargePeriodStart.UTC().Format("2006-01"))
	fmt.Fprintf(&b, "%v|", li.Tags == nil || len(li.Tags) == 0)
	for _, k := range li.Tags.Keys() {
		fmt.Fprintf(&b, "%q=%q;", k, li.Tags[k])
	}
	return b.String()
}

// refGroups merges lines in plain Go with decimal sums.
func refGroups(lines []cost.LineItem) []cost.LineItem {
	index := map[string]int{}
	var out []cost.LineItem
	for _, li := range lines {
		k := groupKey(&li)
		i, ok := index[k]
		if !ok {
			c := li
			c.Count = 0 // the group's Source stays its first line's
			c.BilledCost, c.EffectiveCost, c.ListCost, c.ConsumedQuantity = decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero
			out = append(out, c)
			i = len(out) - 1
			index[k] = i
		}
		addToGroup(&out[i], &li)
	}
	return out
}

// addToGroup adds li to group g: the sums, the line count, the earliest
// charge period start and the latest end.
func addToGroup(g, li *cost.LineItem) {
	g.BilledCost = g.BilledCost.Add(li.BilledCost)
	g.EffectiveCost = g.EffectiveCost.Add(li.EffectiveCost)
	g.ListCost = g.ListCost.Add(li.ListCost)
	g.ConsumedQuantity = g.ConsumedQuantity.Add(li.ConsumedQuantity)
	g.Count += li.Lines()
	if li.ChargePeriodStart.Before(g.ChargePeriodStart) {
		g.ChargePeriodStart = li.ChargePeriodStart
	}
	if li.ChargePeriodEnd.After(g.ChargePeriodEnd) {
		g.ChargePeriodEnd = li.ChargePeriodEnd
	}
}

// describe renders every field of an item, decimals normalized.
func describe(li cost.LineItem) string {
	norm := func(d decimal.Decimal) string { return decimal.RequireFromString(d.String()).String() }
	return groupKey(&li) + fmt.Sprintf(" | %s..%s | lines %d | billed %s effective %s list %s quantity %s | %s",
		li.ChargePeriodStart.UTC().Format(time.RFC3339Nano), li.ChargePeriodEnd.UTC().Format(time.RFC3339Nano), li.Lines(),
		norm(li.BilledCost), norm(li.EffectiveCost), norm(li.ListCost), norm(li.ConsumedQuantity), li.Source)
}

// matchGroups checks that items are the groups of lines, as ScanGroups
// yields them: each item has the fields of a group of lines and names one
// of its lines, later than the previous item's, and the items of a group
// sum to it. It returns the number of groups.
func matchGroups(t *testing.T, lines, items []cost.LineItem) int {
	t.Helper()
	want := refGroups(lines)
	at := map[string]int{} // provenance → index of the line in Scan's order
	for i, li := range lines {
		at[li.Source.String()] = i
	}
	index := map[string]int{}
	for i := range want {
		index[groupKey(&want[i])] = i
	}
	got := make([]cost.LineItem, len(want))
	seen := make([]bool, len(want))
	prev := -1
	for n, g := range items {
		k := groupKey(&g)
		i, ok := index[k]
		if !ok {
			t.Fatalf("item %d has fields no line of Scan has: %s", n, describe(g))
		}
		line, ok := at[g.Source.String()]
		if !ok || groupKey(&lines[line]) != k {
			t.Fatalf("item %d names %s, which is not one of its lines: %s", n, g.Source, describe(g))
		}
		if line <= prev {
			t.Fatalf("item %d names line %s, before the previous item's", n, g.Source)
		}
		prev = line
		a := &got[i]
		if !seen[i] {
			seen[i] = true
			*a = g
			a.Count = g.Lines()
			continue
		}
		addToGroup(a, &g)
	}
	for i := range want {
		if !seen[i] {
			t.Fatalf("no item for the lines of group %s", describe(want[i]))
		}
		if g, w := describe(got[i]), describe(want[i]); g != w {
			t.Fatalf("group %d, summed over its items:\n got %s\nwant %s", i, g, w)
		}
	}
	return len(want)
}
