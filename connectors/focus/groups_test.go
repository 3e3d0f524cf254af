package focus_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/focus"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/gen"
	"github.com/allot-dev/allot/objstore/fileblob"
	"github.com/shopspring/decimal"
)

func driverFor(path string) *focus.Driver {
	dir, prefix := path, ""
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		dir, prefix = filepath.Dir(path), filepath.Base(path)
	}
	return focus.New(fileblob.New(dir), prefix)
}

// scanGroups reads every group ScanGroups yields, copying each item.
func scanGroups(t testing.TB, path string, p cost.Period) ([]cost.LineItem, error) {
	t.Helper()
	var out []cost.LineItem
	err := driverFor(path).ScanGroups(context.Background(), p, func(li *cost.LineItem) error {
		c := *li
		c.Tags = maps.Clone(li.Tags)
		out = append(out, c)
		return nil
	})
	return out, err
}

// refGroups groups the lines Scan yields the way the GroupScanner
// contract says, independently of the driver's fast paths: by every field
// but the costs, the quantity, the charge period and the provenance, and
// by the month of the charge period start; groups come in the order their
// first line comes.
func refGroups(lines []cost.LineItem) []cost.LineItem {
	index := map[string]int{}
	var out []cost.LineItem
	for _, li := range lines {
		keys := li.Tags.Keys()
		var tags strings.Builder
		for _, k := range keys {
			fmt.Fprintf(&tags, "%q=%q;", k, li.Tags[k])
		}
		k := fmt.Sprintf("%q|%q|%q|%q|%q|%q|%s|%q|%q|%q|%q|%q|%q|%q|%q|%q|%q|%q|%q|%q|%q|%s|%s|%v",
			li.ProviderName, li.BillingAccountID, li.BillingAccountName, li.SubAccountID, li.SubAccountName,
			li.ResourceGroup, li.BillingPeriodStart.UTC().Format(time.RFC3339Nano), li.ChargeCategory, li.ChargeClass,
			li.ChargeDescription, li.ServiceName, li.ServiceCategory, li.SkuID, li.SkuMeter, li.UsageType,
			li.ResourceID, li.ResourceName, li.ResourceType, li.RegionID, li.ConsumedUnit, li.BillingCurrency,
			li.ChargePeriodStart.UTC().Format("2006-01"), tags.String(), li.Tags == nil)
		i, ok := index[k]
		if !ok {
			c := li
			c.Count = 0
			c.BilledCost, c.EffectiveCost, c.ListCost, c.ConsumedQuantity = decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero
			out = append(out, c)
			i = len(out) - 1
			index[k] = i
		}
		g := &out[i]
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
	return out
}

func describe(li cost.LineItem) string {
	tags := ""
	if li.Tags != nil {
		keys := li.Tags.Keys()
		sort.Strings(keys)
		for _, k := range keys {
			tags += k + "=" + li.Tags[k] + ";"
		}
	}
	return fmt.Sprintf("%s %s/%s %s %s %s %s %s %s %s %s %s | %s..%s count %d | billed %s eff %s list %s qty %s | tags %s | %s",
		li.ProviderName, li.BillingAccountID, li.SubAccountID, li.SubAccountName, li.ChargeCategory, li.ChargeClass,
		li.ServiceName, li.SkuID, li.UsageType, li.ResourceID, li.RegionID, li.BillingCurrency,
		li.ChargePeriodStart.UTC().Format(time.RFC3339Nano), li.ChargePeriodEnd.UTC().Format(time.RFC3339Nano), li.Lines(),
		li.BilledCost.String(), li.EffectiveCost.String(), li.ListCost.String(), li.ConsumedQuantity.String(), tags, li.Source)
}

// compareGroups checks that ScanGroups on path yields exactly the groups
// of Scan's lines.
func compareGroups(t *testing.T, path string, p cost.Period) int {
	t.Helper()
	lines, lerr := scanPeriod(t, path, p)
	groups, gerr := scanGroups(t, path, p)
	if (lerr == nil) != (gerr == nil) {
		t.Fatalf("%s: Scan error %v, ScanGroups error %v", path, lerr, gerr)
	}
	if lerr != nil {
		return 0
	}
	want := refGroups(lines)
	if len(groups) != len(want) {
		t.Fatalf("%s: %d groups, want %d", path, len(groups), len(want))
	}
	for i := range want {
		// decimals compare by value: print both normalized
		g, w := groups[i], want[i]
		for _, x := range []*cost.LineItem{&g, &w} {
			x.BilledCost, x.EffectiveCost = decimal.RequireFromString(x.BilledCost.String()), decimal.RequireFromString(x.EffectiveCost.String())
			x.ListCost, x.ConsumedQuantity = decimal.RequireFromString(x.ListCost.String()), decimal.RequireFromString(x.ConsumedQuantity.String())
		}
		if describe(g) != describe(w) || !g.BilledCost.Equal(w.BilledCost) || g.ResourceName != w.ResourceName ||
			g.ResourceType != w.ResourceType || g.ChargeDescription != w.ChargeDescription || g.BillingAccountName != w.BillingAccountName ||
			g.ResourceGroup != w.ResourceGroup || g.ConsumedUnit != w.ConsumedUnit || g.ServiceCategory != w.ServiceCategory ||
			g.SkuMeter != w.SkuMeter || !g.BillingPeriodStart.Equal(w.BillingPeriodStart) || (g.Tags == nil) != (w.Tags == nil) {
			t.Fatalf("%s group %d:\n got %s\nwant %s", path, i, describe(g), describe(w))
		}
	}
	return len(groups)
}

func TestGroupsMatchLines(t *testing.T) {
	dir := t.TempDir()
	writeParquetFixture(t, filepath.Join(dir, "pq", "focus.parquet"))
	for _, path := range []string{"testdata/csv", "testdata/csvgz", "testdata/csv/2026-10-part-1.csv",
		filepath.Join(dir, "pq"), "testdata/samples/focus_validator__sample.parquet"} {
		t.Run(path, func(t *testing.T) {
			p := oct
			if strings.Contains(path, "validator") {
				p = cost.Period{Year: 2024, Month: time.January}
			}
			compareGroups(t, path, p)
		})
	}
}

// TestGroupsGenerated compares the fast paths with the line reader on
// generated exports: many lines per group, untagged lines, E-notation,
// amounts with 12 fractional digits (the exact slow path), several files.
func TestGroupsGenerated(t *testing.T) {
	for _, file := range []string{gen.FileCSV, gen.FileCSVGzip, gen.FileParquet} {
		t.Run(file, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "g")
			_, err := gen.Generate(context.Background(), gen.Options{Rows: 20000, Format: gen.FormatFOCUS, File: file,
				Period: oct, Out: out, Seed: 7, Files: 3, Resources: 60, Accounts: 5, Teams: 4, LongDecimals: 0.05, RowGroup: 3000}, nil)
			if err != nil {
				t.Fatal(err)
			}
			n := compareGroups(t, filepath.Join(out, "data", "focus"), oct)
			if n < 50 || n > 20000/5 {
				t.Errorf("%d groups for 20000 lines: the data should merge into fewer, larger groups", n)
			}
		})
	}
}

func TestGroupsBadInput(t *testing.T) {
	for _, tc := range badInputCases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeCSV(t, "bad.csv", tc.content)
			items, err := scanGroups(t, p, oct)
			var re *connectors.RowError
			if !errors.As(err, &re) {
				t.Fatalf("error = %v, want a *connectors.RowError", err)
			}
			if !errors.Is(err, tc.sentinel) || !errors.Is(err, connectors.ErrBadInput) {
				t.Errorf("error = %v, want one matching %v and connectors.ErrBadInput", err, tc.sentinel)
			}
			if re.Line != tc.line || re.Column != tc.column || !strings.HasSuffix(re.Object, "/bad.csv") {
				t.Errorf("RowError at %s line %d column %q, want bad.csv line %d column %q (%v)",
					re.Object, re.Line, re.Column, tc.line, tc.column, err)
			}
			if len(items) != 0 {
				t.Errorf("%d groups yielded before the error, want none", len(items))
			}
		})
	}
}

// TestGroupsFirstErrorAcrossFiles: with several bad files read in
// parallel, the error reported is the first in file order, as Scan's.
func TestGroupsFirstErrorAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString(hdr + "\n")
	for i := 0; i < 3000; i++ {
		b.WriteString(badRow + "\n")
	}
	good := b.String()
	os.WriteFile(filepath.Join(dir, "a.csv"), []byte(good), 0o644)
	os.WriteFile(filepath.Join(dir, "b.csv"), []byte(good+"2026-10-01T00:00:00Z,Usage,x,1,USD\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "c.csv"), []byte(hdr+"\n2026-10-01T00:00:00Z,Fee,1,1,USD\n"), 0o644)
	_, lerr := scanPeriod(t, dir, oct)
	_, gerr := scanGroups(t, dir, oct)
	var lre, gre *connectors.RowError
	if !errors.As(lerr, &lre) || !errors.As(gerr, &gre) {
		t.Fatalf("errors %v and %v, want RowErrors", lerr, gerr)
	}
	if lre.Object != gre.Object || lre.Line != gre.Line || lre.Column != gre.Column || !strings.HasSuffix(gre.Object, "/b.csv") {
		t.Fatalf("ScanGroups error %v, Scan error %v: want the same, in b.csv", gerr, lerr)
	}
}

func TestGroupsCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := driverFor("testdata/csv").ScanGroups(ctx, oct, func(*cost.LineItem) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
}
