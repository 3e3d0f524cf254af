package focuswrite_test

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/allot-dev/allot/connectors/focus"
	"github.com/allot-dev/allot/connectors/focuswrite"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/testutil"
	"github.com/allot-dev/allot/objstore/fileblob"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"
)

var (
	oct     = cost.Period{Year: 2026, Month: time.October}
	decEq   = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })
	fixture = "../focus/testdata/csv"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// readFOCUS reads every row of a FOCUS file or folder with the focus
// connector, copying each item.
func readFOCUS(t *testing.T, path string) []cost.LineItem {
	t.Helper()
	dir, prefix := path, ""
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		dir, prefix = filepath.Dir(path), filepath.Base(path)
	}
	var out []cost.LineItem
	err := focus.New(fileblob.New(dir), prefix).Scan(context.Background(), oct, func(li *cost.LineItem) error {
		c := *li
		c.Tags = maps.Clone(li.Tags)
		out = append(out, c)
		return nil
	})
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	return out
}

func write(t *testing.T, format focuswrite.Format, items []cost.LineItem) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := focuswrite.New(&buf, format)
	if err != nil {
		t.Fatal(err)
	}
	for i := range items {
		if err := w.Write(&items[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// handItems covers what the fixture does not: provenance by row and by
// job, a fractional timestamp, a zero billing period, injection-prone
// text, a pre-aggregated count, and tag keys that need JSON escapes.
func handItems() []cost.LineItem {
	return []cost.LineItem{
		{
			ProviderName: "=HYPERLINK(\"http://x\")", BillingAccountID: "+1-555", SubAccountID: "@acct", ResourceID: "-rid",
			ChargePeriodStart: time.Date(2026, 10, 1, 0, 0, 0, 500_000_000, time.UTC),
			ChargePeriodEnd:   time.Date(2026, 10, 1, 1, 0, 0, 0, time.UTC),
			ChargeCategory:    cost.ChargeCredit, ChargeDescription: "credit, with a comma",
			ConsumedQuantity: d("-3"), BilledCost: d("-1.25"), EffectiveCost: d("-1.250"), ListCost: d("0"),
			BillingCurrency: "EUR", Tags: cost.Tags{"z": "last", "a\"b": "quote", "Team": "-search"},
			Count: 3, Source: cost.Provenance{Object: "s3://bucket/export.parquet", Row: 42},
		},
		{
			ChargePeriodStart: time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC), ChargeCategory: cost.ChargeUsage,
			BilledCost: d("0.0000000001"), EffectiveCost: d("12345678901234567890.123456789"), BillingCurrency: "USD",
			UsageType: "USE1-Claude3.5Sonnet-output-tokens", ResourceGroup: "rg-a",
			Source: cost.Provenance{Job: "bquxjob_1234"},
		},
	}
}

func TestGoldenCSV(t *testing.T) {
	t.Run("fixture", func(t *testing.T) {
		testutil.AssertGolden(t, "testdata/fixture.golden.csv", write(t, focuswrite.CSV, readFOCUS(t, fixture)))
	})
	t.Run("hand", func(t *testing.T) {
		testutil.AssertGolden(t, "testdata/hand.golden.csv", write(t, focuswrite.CSV, handItems()))
	})
}

// roundTrip writes items, reads them back with the focus connector and
// compares everything but provenance (the copy's provenance is the
// written file) and Count, compared as Lines().
func roundTrip(t *testing.T, format focuswrite.Format, name string, items []cost.LineItem) {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, write(t, format, items), 0o644); err != nil {
		t.Fatal(err)
	}
	got := readFOCUS(t, p)
	if len(got) != len(items) {
		t.Fatalf("%d items read back, want %d", len(got), len(items))
	}
	var wantB, wantE, gotB, gotE decimal.Decimal
	for i := range items {
		if diff := cmp.Diff(items[i], got[i], decEq, cmpopts.IgnoreFields(cost.LineItem{}, "Source", "Count")); diff != "" {
			t.Errorf("item %d (-written +read):\n%s", i, diff)
		}
		if items[i].Lines() != got[i].Lines() {
			t.Errorf("item %d lines %d, read back %d", i, items[i].Lines(), got[i].Lines())
		}
		if got[i].Source.Line == 0 && got[i].Source.Row == 0 {
			t.Errorf("item %d has no provenance in the written file", i)
		}
		wantB, wantE = wantB.Add(items[i].BilledCost), wantE.Add(items[i].EffectiveCost)
		gotB, gotE = gotB.Add(got[i].BilledCost), gotE.Add(got[i].EffectiveCost)
	}
	// Totals: the fixture's, from the focus testdata README (Python decimal),
	// must survive the trip as the sums of what is read back.
	if !gotB.Equal(wantB) || !gotE.Equal(wantE) {
		t.Errorf("totals read back %s / %s, written %s / %s", gotB, gotE, wantB, wantE)
	}
}

func TestRoundTrip(t *testing.T) {
	items := readFOCUS(t, fixture)
	var b, e decimal.Decimal
	for _, li := range items {
		if oct.Contains(li.ChargePeriodStart) {
			b, e = b.Add(li.BilledCost), e.Add(li.EffectiveCost)
		}
	}
	if !b.Equal(d("128.2866241501")) || !e.Equal(d("28.1866241501")) {
		t.Fatalf("fixture totals %s / %s, want 128.2866241501 / 28.1866241501", b, e)
	}
	for _, f := range []struct {
		format focuswrite.Format
		name   string
	}{{focuswrite.CSV, "out.csv"}, {focuswrite.CSVGzip, "out.csv.gz"}, {focuswrite.Parquet, "out.parquet"}} {
		t.Run(string(f.format), func(t *testing.T) { roundTrip(t, f.format, f.name, items) })
	}
	t.Run("parquet keeps text that CSV neutralizes", func(t *testing.T) {
		h := handItems()
		h[0].ChargePeriodStart = h[0].ChargePeriodStart.Add(-500 * time.Millisecond) // whole second; see TestParquetSubMicrosecond
		roundTrip(t, focuswrite.Parquet, "hand.parquet", h)
	})
}

func TestCSVNeutralizedText(t *testing.T) {
	p := filepath.Join(t.TempDir(), "h.csv")
	os.WriteFile(p, write(t, focuswrite.CSV, handItems()), 0o644)
	got := readFOCUS(t, p)[0]
	for _, c := range []struct{ name, got, want string }{
		{"ProviderName", got.ProviderName, "'=HYPERLINK(\"http://x\")"},
		{"BillingAccountId", got.BillingAccountID, "'+1-555"},
		{"SubAccountId", got.SubAccountID, "'@acct"},
		{"ResourceId", got.ResourceID, "'-rid"},
		{"BilledCost (numeric, not neutralized)", got.BilledCost.String(), "-1.25"},
		{"ConsumedQuantity (numeric)", got.ConsumedQuantity.String(), "-3"},
		{"tag value inside JSON (not a cell start)", got.Tags["Team"], "-search"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
}

func TestNeutralize(t *testing.T) {
	for in, want := range map[string]string{
		"=1+2": "'=1+2", "+1": "'+1", "-1": "'-1", "@SUM(A1)": "'@SUM(A1)", "a=b": "a=b", "": "", "'x": "'x", " =x": " =x",
	} {
		if got := focuswrite.Neutralize(in); got != want {
			t.Errorf("Neutralize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatFromPath(t *testing.T) {
	tests := []struct {
		path string
		want focuswrite.Format
		err  bool
	}{
		{"out/focus.csv", focuswrite.CSV, false},
		{"FOCUS.CSV.GZ", focuswrite.CSVGzip, false},
		{"/tmp/x.parquet", focuswrite.Parquet, false},
		{"x.json", "", true},
		{"x.gz", "", true},
		{"csv", "", true},
	}
	for _, tc := range tests {
		got, err := focuswrite.FormatFromPath(tc.path)
		if got != tc.want || (err != nil) != tc.err || (err != nil && !errors.Is(err, focuswrite.ErrFormat)) {
			t.Errorf("FormatFromPath(%q) = %q, %v; want %q, error %v", tc.path, got, err, tc.want, tc.err)
		}
	}
	if _, err := focuswrite.New(&bytes.Buffer{}, "xlsx"); !errors.Is(err, focuswrite.ErrFormat) {
		t.Errorf("New(xlsx) error = %v, want ErrFormat", err)
	}
}

func TestParquetSubMicrosecond(t *testing.T) {
	w, err := focuswrite.New(&bytes.Buffer{}, focuswrite.Parquet)
	if err != nil {
		t.Fatal(err)
	}
	li := handItems()[1]
	li.ChargePeriodStart = li.ChargePeriodStart.Add(1) // one nanosecond
	if err := w.Write(&li); !errors.Is(err, focuswrite.ErrItem) {
		t.Fatalf("Write error = %v, want ErrItem", err)
	}
}

func TestClosed(t *testing.T) {
	var buf bytes.Buffer
	w, _ := focuswrite.New(&buf, focuswrite.CSV)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "BilledCost,EffectiveCost,ListCost,BillingCurrency,BillingAccountId,BillingAccountName,SubAccountId,SubAccountName,BillingPeriodStart,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ChargeClass,ChargeDescription,ServiceName,ServiceCategory,SkuId,SkuMeter,ResourceId,ResourceName,ResourceType,RegionId,ConsumedQuantity,ConsumedUnit,ProviderName,Tags,x_UsageType,x_ResourceGroupName,x_LineCount,x_SourceObject,x_SourceLine,x_SourceRow,x_SourceJob\n"; got != want {
		t.Errorf("empty file = %q, want only the header", got)
	}
	li := handItems()[1]
	if err := w.Write(&li); !errors.Is(err, focuswrite.ErrClosed) {
		t.Errorf("Write after Close = %v, want ErrClosed", err)
	}
	if err := w.Close(); !errors.Is(err, focuswrite.ErrClosed) {
		t.Errorf("second Close = %v, want ErrClosed", err)
	}
}
