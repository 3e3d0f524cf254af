package awscur

import (
	"context"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/connectortest"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/gen"
	"github.com/allot-dev/allot/objstore/fileblob"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

// withFields opens the same export as newDriver, asking ScanGroups for fs.
func withFields(newDriver func(*Options) *Driver, fs cost.FieldSet) *Driver {
	return newDriver(&Options{Fields: fs})
}

// TestGroupsFieldsFixtures: on every fixture and for every projection of
// connectortest.FieldSets, a projected ScanGroups yields the groups of
// Scan's lines projected alike (connectortest.GroupsFields builds them
// independently).
func TestGroupsFieldsFixtures(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(*Options) *Driver
	}{
		{"legacy CUR folder", func(o *Options) *Driver { return NewCUR(fileblob.New(legacyDir), "", o) }},
		{"CUR 2.0 Parquet", func(o *Options) *Driver { return NewCUR2(fileblob.New(cur2ParquetDir), "", o) }},
		{"CUR 2.0 CSV.gz", func(o *Options) *Driver { return NewCUR2(fileblob.New(cur2CSVDir), "", o) }},
		{"Athena Parquet with DECIMAL costs", func(o *Options) *Driver {
			return NewCUR(fileblob.New(filepath.Dir(athenaParquet)), filepath.Base(athenaParquet), o)
		}},
	} {
		for name, fs := range connectortest.FieldSets() {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				items, groups := connectortest.GroupsFields(t, tc.open(nil), withFields(tc.open, fs), oct2026, fs)
				if items == 0 {
					t.Fatal("nothing compared")
				}
				if items < groups {
					t.Fatalf("%d items for %d groups", items, groups)
				}
			})
		}
	}
}

// TestGroupsFieldsGenerated: on generated CUR 2.0 exports (one layout per
// export), a projected ScanGroups merges the lines of a group of Scan's
// projected lines into one item per pattern of empty cost columns (the
// cost rules depend on it; with the billed cost alone that is whether the
// net unblended cost is empty, which is constant per account) and per
// line item type when the charge category is asked for: one item per group
// for a run's fields on the billed basis, and never more items than with
// every field.
func TestGroupsFieldsGenerated(t *testing.T) {
	sets := connectortest.FieldSets()
	for _, tc := range generatedFiles {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.o
			o.Rows, o.Format, o.Period, o.Seed, o.Files = 8000, gen.FormatAWSCUR2, oct2026, 12, 3
			o.Resources, o.Accounts, o.Teams, o.LongDecimals, o.RowGroup = 60, 5, 4, 0.05, 1500
			o.Out = filepath.Join(t.TempDir(), "g")
			if _, err := gen.Generate(context.Background(), o, nil); err != nil {
				t.Fatal(err)
			}
			open := func(o2 *Options) *Driver {
				return NewCUR2(fileblob.New(filepath.Join(o.Out, "data", "aws", "allot-bench")), "", o2)
			}
			lines := connectortest.Replay(t, open(nil), oct2026)
			count := map[string]int{}
			for _, name := range slices.Sorted(maps.Keys(sets)) {
				fs := sets[name]
				items, groups := connectortest.GroupsFields(t, lines, withFields(open, fs), oct2026, fs)
				if items < groups {
					t.Errorf("%s: %d items for %d groups of Scan's projected lines", name, items, groups)
				}
				if name == "run, billed basis" && items != groups {
					t.Errorf("%s: %d items for %d groups of Scan's projected lines: want one each", name, items, groups)
				}
				count[name] = items
			}
			for name, n := range count {
				if n > count["every field"] {
					t.Errorf("%s: %d items, more than the %d with every field", name, n, count["every field"])
				}
			}
			if all, run := count["every field"], count["run, billed basis"]; run >= all || run == 0 {
				t.Errorf("%d items for a run's fields, %d for every field: want fewer", run, all)
			}
			if one := count["billed only"]; one != 2 {
				t.Errorf("%d items with the billed cost alone: want 2 (one month, one currency, net cost or not)", one)
			}
		})
	}
}

// TestGroupsFieldsBadInput: a projected ScanGroups neither reads nor
// checks the columns of fields outside its set, and reports a bad value in
// a column it reads as Scan does.
func TestGroupsFieldsBadInput(t *testing.T) {
	billed := cost.FieldSet(0).With(cost.FieldBilledCost, cost.FieldResourceID)
	header := minimalHeader + ",pricing/publicOnDemandCost,lineItem/ResourceId,lineItem/UsageEndDate"
	for _, tc := range []struct {
		name     string
		file     string
		data     []byte
		fs       cost.FieldSet
		billed   string // the sum when ScanGroups succeeds (by hand)
		wantLine int64  // the line of the error both report, 0 if ScanGroups succeeds
		wantCol  string
	}{
		{"CSV: garbage list cost, list cost not asked for", "cur.csv", csvText(header,
			"Usage,2026-10-01T00:00:00Z,1.5,USD,n/a,r1,2026-10-01T01:00:00Z",
			"Usage,2026-10-02T00:00:00Z,2.25,USD,3,r1,2026-10-02T01:00:00Z"), billed, "3.75", 0, ""},
		{"CSV: unknown line item type, neither category nor effective cost asked for", "cur.csv", csvText(header,
			"Usage,2026-10-01T00:00:00Z,1.5,USD,1,r1,2026-10-01T01:00:00Z",
			"Frobnicate,2026-10-02T00:00:00Z,2.25,USD,3,r2,not a date"), billed, "3.75", 0, ""},
		{"CSV: garbage unblended cost", "cur.csv", csvText(header,
			"Usage,2026-10-01T00:00:00Z,1.5,USD,1,r1,",
			"Usage,2026-10-02T00:00:00Z,two,USD,3,r1,"), billed, "", 3, "lineItem/UnblendedCost"},
		{"CSV: garbage end date, end asked for", "cur.csv", csvText(header,
			"Usage,2026-10-01T00:00:00Z,1.5,USD,1,r1,2026-10-01T01:00:00Z",
			"Usage,2026-10-02T00:00:00Z,2.25,USD,3,r1,tomorrow"), billed.With(cost.FieldChargePeriodEnd), "", 3, "lineItem/UsageEndDate"},
		{"CSV: unknown line item type, effective cost asked for", "cur.csv", csvText(header,
			"Usage,2026-10-01T00:00:00Z,1.5,USD,1,r1,",
			"Frobnicate,2026-10-02T00:00:00Z,2.25,USD,3,r2,"), billed.With(cost.FieldEffectiveCost), "", 3, "lineItem/LineItemType"},
		{"CSV: bad currency", "cur.csv", csvText(header,
			"Usage,2026-10-01T00:00:00Z,1.5,dollars,1,r1,"), billed, "", 2, "lineItem/CurrencyCode"},
		{"Parquet read line by line: garbage list cost, list cost not asked for", "cur.parquet", parquetWith(t,
			[]string{"line_item_line_item_type", "line_item_usage_start_date", "line_item_unblended_cost", "line_item_currency_code", "pricing_public_on_demand_cost"},
			[]string{"Usage", "2026-10-01T00:00:00Z", "1.5", "USD", "n/a"},
			[]string{"Usage", "2026-10-01T00:00:00Z", "0.25", "USD", "1"}), billed, "", 1, "pricing_public_on_demand_cost"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, tc.file), tc.data)
			full := NewCUR(fileblob.New(dir), tc.file, nil)
			proj := NewCUR(fileblob.New(dir), tc.file, &Options{Fields: tc.fs})
			var lineErr error
			if tc.wantLine == 0 || tc.file == "cur.parquet" {
				lineErr = full.Scan(context.Background(), oct2026, func(*cost.LineItem) error { return nil })
				if lineErr == nil {
					t.Fatal("Scan accepted the file; the test wants a value only Scan reads to be bad")
				}
			}
			var items []cost.LineItem
			err := proj.ScanGroups(context.Background(), oct2026, func(li *cost.LineItem) error {
				items = append(items, connectortest.Project(*li, cost.AllFields))
				return nil
			})
			if tc.wantLine == 0 {
				if err != nil {
					t.Fatalf("projected ScanGroups: %v, want success (Scan: %v)", err, lineErr)
				}
				var b = d("0")
				for _, li := range items {
					b = b.Add(li.BilledCost)
				}
				if !b.Equal(d(tc.billed)) {
					t.Fatalf("billed = %s, want %s", b, tc.billed)
				}
				return
			}
			// A bad value in a column the scan reads: the error Scan reports.
			if lineErr == nil {
				lineErr = full.Scan(context.Background(), oct2026, func(*cost.LineItem) error { return nil })
			}
			if err == nil || lineErr == nil || err.Error() != lineErr.Error() {
				t.Fatalf("projected ScanGroups: %v\nScan: %v\nwant the same error", err, lineErr)
			}
			var re *connectors.RowError
			if !errors.As(err, &re) || re.Line+re.Row != tc.wantLine || re.Column != tc.wantCol {
				t.Fatalf("error at %+v, want line or row %d, column %s", re, tc.wantLine, tc.wantCol)
			}
			if len(items) > 0 {
				t.Fatalf("%d items yielded before the error", len(items))
			}
		})
	}
}

// readRecorder is a row that records which fields are read.
type readRecorder struct {
	row
	read map[field]bool
}

func (r *readRecorder) str(f field) string { r.read[f] = true; return r.row.str(f) }
func (r *readRecorder) dec(f field) (decimal.Decimal, bool, error) {
	r.read[f] = true
	return r.row.dec(f)
}
func (r *readRecorder) time(f field) (time.Time, bool, error) {
	r.read[f] = true
	return r.row.time(f)
}

// TestFillFieldsReadsFor: for every line item type, on rows with every
// column, fillFields reads no column readsFor leaves out (a column the
// fast path does not read reads as empty there: a read readsFor misses
// would be a silently wrong field), and fills every field of its set as
// fill does.
func TestFillFieldsReadsFor(t *testing.T) {
	cells := map[string]string{
		"lineItem/UnblendedCost": "1.25", "lineItem/NetUnblendedCost": "1.1", "lineItem/UsageEndDate": "2026-10-01T01:00:00Z",
		"bill/BillingPeriodStartDate": "2026-10-01T00:00:00Z", "bill/PayerAccountId": "p", "bill/PayerAccountName": "pn",
		"lineItem/UsageAccountId": "a", "lineItem/UsageAccountName": "an", "lineItem/ProductCode": "AmazonBedrock",
		"lineItem/UsageType": "ut", "lineItem/LineItemDescription": "desc", "lineItem/ResourceId": "r", "product/sku": "sku",
		"product/regionCode": "us-east-1", "lineItem/UsageAmount": "3", "pricing/unit": "tokens",
		"pricing/publicOnDemandCost": "2", "reservation/EffectiveCost": "0.5", "reservation/NetEffectiveCost": "0.4",
		"reservation/UnusedAmortizedUpfrontFeeForBillingPeriod": "0.3", "reservation/NetUnusedAmortizedUpfrontFeeForBillingPeriod": "0.2",
		"reservation/UnusedRecurringFee": "0.1", "reservation/NetUnusedRecurringFee": "0.05", "reservation/ReservationARN": "arn:ri",
		"savingsPlan/SavingsPlanEffectiveCost": "0.9", "savingsPlan/NetSavingsPlanEffectiveCost": "0.8",
		"savingsPlan/TotalCommitmentToDate": "5", "savingsPlan/UsedCommitment": "4",
	}
	sets := connectortest.FieldSets()
	for name := range lineItemTypes {
		c := maps.Clone(cells)
		c["lineItem/LineItemType"] = name
		var full cost.LineItem
		if fe := fill(&full, ruleRow(c)); fe != nil {
			t.Fatalf("%s: fill: %v", name, fe)
		}
		for set, fs := range sets {
			rec := &readRecorder{row: ruleRow(c), read: map[field]bool{}}
			var li cost.LineItem
			if fe := fillFields(&li, rec, fs); fe != nil {
				t.Fatalf("%s, %s: fillFields: %v", name, set, fe)
			}
			cols, _ := readsFor(fs)
			for f := range rec.read {
				if !cols[f] {
					t.Errorf("%s, %s: fillFields reads %s, which readsFor leaves out", name, set, fieldSpecs[f].names[0])
				}
			}
			if d := cmp.Diff(connectortest.Project(full, fs), connectortest.Project(li, fs)); d != "" {
				t.Errorf("%s, %s: fillFields differs from fill (-fill +fillFields):\n%s", name, set, d)
			}
		}
	}
}
