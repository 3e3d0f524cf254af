package focus_test

import (
	"context"
	"encoding/csv"
	"errors"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/connectortest"
	"github.com/allot-dev/allot/connectors/focus"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/gen"
	"github.com/shopspring/decimal"
)

// TestGroupsFieldsMatchLines: on every fixture and for every projection of
// connectortest.FieldSets, a projected ScanGroups yields the groups of
// Scan's lines projected alike (connectortest.GroupsFields builds them
// independently); the fixtures' files differ in their headers and in how
// they spell a value, which the CSV reader groups apart.
func TestGroupsFieldsMatchLines(t *testing.T) {
	dir := t.TempDir()
	writeParquetFixture(t, filepath.Join(dir, "pq", "focus.parquet"))
	for _, path := range []string{"testdata/csv", "testdata/csvgz", "testdata/csv/2026-10-part-1.csv", filepath.Join(dir, "pq")} {
		for name, fs := range connectortest.FieldSets() {
			t.Run(path+"/"+name, func(t *testing.T) {
				items, groups := connectortest.GroupsFields(t, driverFor(path), driverFor(path).WithFields(fs), oct, fs)
				if items == 0 || items < groups {
					t.Fatalf("%d items for %d groups of Scan's projected lines", items, groups)
				}
			})
		}
	}
	// A file without the required columns fails a projected scan as Scan.
	const sample = "testdata/samples/focus_validator__sample.parquet"
	jan := cost.Period{Year: 2024, Month: time.January}
	lerr := driverFor(sample).Scan(context.Background(), jan, func(*cost.LineItem) error { return nil })
	gerr := driverFor(sample).WithFields(cost.FieldSet(0).With(cost.FieldBilledCost)).ScanGroups(context.Background(), jan,
		func(*cost.LineItem) error { return nil })
	if lerr == nil || gerr == nil || lerr.Error() != gerr.Error() || !errors.Is(gerr, focus.ErrMissingColumn) {
		t.Fatalf("Scan: %v\nprojected ScanGroups: %v\nwant the same missing-column error", lerr, gerr)
	}
}

// TestGroupsFieldsGenerated: the same on generated exports, with fewer
// groups for a run's fields than for every field.
func TestGroupsFieldsGenerated(t *testing.T) {
	sets := connectortest.FieldSets()
	names := make([]string, 0, len(sets))
	for name := range sets {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, file := range []string{gen.FileCSV, gen.FileCSVGzip, gen.FileParquet} {
		t.Run(file, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "g")
			_, err := gen.Generate(context.Background(), gen.Options{Rows: 8000, Format: gen.FormatFOCUS, File: file,
				Period: oct, Out: out, Seed: 8, Files: 3, Resources: 60, Accounts: 5, Teams: 4, LongDecimals: 0.05, RowGroup: 1500}, nil)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(out, "data", "focus")
			lines := connectortest.Replay(t, driverFor(path), oct)
			count := map[string]int{}
			for _, name := range names {
				fs := sets[name]
				items, groups := connectortest.GroupsFields(t, lines, driverFor(path).WithFields(fs), oct, fs)
				if items != groups {
					t.Errorf("%s: %d items for %d groups of Scan's projected lines: want one each", name, items, groups)
				}
				count[name] = items
			}
			if all, run := count["every field"], count["run, billed basis"]; run >= all || run == 0 {
				t.Errorf("%d groups for a run's fields, %d for every field: want fewer", run, all)
			}
			if n := count["billed only"]; n != 1 {
				t.Errorf("%d groups with the billed cost alone, want 1 (one month, one currency)", n)
			}
		})
	}
}

// TestGroupsFieldsBadInput: a projected ScanGroups reports a bad value in
// a column it reads (the charge period start, the currency, the line
// count, the effective cost here) as Scan does, and neither reads nor
// checks the others: it then yields every line, with the effective cost
// summed exactly (checked against encoding/csv and decimal sums).
func TestGroupsFieldsBadInput(t *testing.T) {
	fs := cost.FieldSet(0).With(cost.FieldEffectiveCost)
	reads := map[string]bool{"ChargePeriodStart": true, "BillingCurrency": true, "x_LineCount": true, "EffectiveCost": true}
	for _, tc := range badInputCases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeCSV(t, "bad.csv", tc.content)
			_, lerr := scanAll(t, p)
			if lerr == nil {
				t.Fatal("Scan accepted the file")
			}
			var items []cost.LineItem
			gerr := driverFor(p).WithFields(fs).ScanGroups(context.Background(), oct, func(li *cost.LineItem) error {
				items = append(items, *li)
				return nil
			})
			if tc.line <= 1 || tc.column == "" || reads[tc.column] {
				if gerr == nil || gerr.Error() != lerr.Error() {
					t.Fatalf("projected ScanGroups: %v\nScan: %v\nwant the same error", gerr, lerr)
				}
				var re *connectors.RowError
				if !errors.As(gerr, &re) || re.Line != tc.line || re.Column != tc.column {
					t.Fatalf("error at %+v, want line %d column %q", re, tc.line, tc.column)
				}
				if len(items) > 0 {
					t.Fatalf("%d items yielded before the error", len(items))
				}
				return
			}
			if gerr != nil {
				t.Fatalf("projected ScanGroups: %v; want success, the bad %s is not read", gerr, tc.column)
			}
			recs, err := csv.NewReader(strings.NewReader(tc.content)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			col := -1
			for i, h := range recs[0] {
				if h == "EffectiveCost" {
					col = i
				}
			}
			wantSum := decimal.Zero
			for _, r := range recs[1:] {
				wantSum = wantSum.Add(decimal.RequireFromString(r[col]))
			}
			var lines int64
			gotSum := decimal.Zero
			for _, li := range items {
				lines += li.Lines()
				gotSum = gotSum.Add(li.EffectiveCost)
				if !li.BilledCost.IsZero() || li.ChargeCategory != "" || li.Tags != nil {
					t.Errorf("item %s fills fields it was not asked for: %+v", li.Source, li)
				}
			}
			if lines != int64(len(recs)-1) || !gotSum.Equal(wantSum) {
				t.Fatalf("%d lines, effective %s; want %d lines, %s", lines, gotSum, len(recs)-1, wantSum)
			}
		})
	}
}
