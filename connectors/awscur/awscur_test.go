package awscur

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/connectortest"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/testutil"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestConformance(t *testing.T) {
	gz := filepath.Join(t.TempDir(), "costcategory.csv.gz")
	writeFile(t, gz, gzipBytes(t, mustRead(t, kokuCostCategory)))
	cases := []struct {
		name string
		c    connectortest.Case
	}{
		{"legacy CUR folder, CSV.gz", connectortest.Case{
			Open:        func(t *testing.T) *connectors.Source { return folderSource(t, connectors.KindAWSCUR, legacyDir, nil) },
			Period:      oct2026,
			EmptyPeriod: cost.Period{Year: 2026, Month: 12},
			WantLines:   legacyLines, WantBilled: legacyBilled, WantEffective: legacyEffective,
		}},
		{"CUR 2.0 export, Parquet", connectortest.Case{
			Open: func(t *testing.T) *connectors.Source {
				return folderSource(t, connectors.KindAWSCUR2, cur2ParquetDir, nil)
			},
			Period:      oct2026,
			EmptyPeriod: cost.Period{Year: 2026, Month: 9},
			WantLines:   cur2Lines, WantBilled: cur2Billed, WantEffective: cur2Effective,
		}},
		{"CUR 2.0 export, CSV.gz", connectortest.Case{
			Open:        func(t *testing.T) *connectors.Source { return folderSource(t, connectors.KindAWSCUR2, cur2CSVDir, nil) },
			Period:      oct2026,
			EmptyPeriod: cost.Period{Year: 2026, Month: 11},
			WantLines:   cur2Lines, WantBilled: cur2Billed, WantEffective: cur2Effective,
		}},
		{"single legacy CSV.gz file through a file: URL", connectortest.Case{
			Open: func(t *testing.T) *connectors.Source {
				src, err := openerSource(t, connectors.KindAWSCUR, "file:"+gz, nil)
				if err != nil {
					t.Fatal(err)
				}
				return src
			},
			Period:      cost.Period{Year: 2023, Month: 6},
			EmptyPeriod: cost.Period{Year: 2023, Month: 7},
			WantLines:   3, WantBilled: "30", WantEffective: "0.3",
		}},
		{"single Athena-named Parquet file, DECIMAL costs", connectortest.Case{
			Open:        func(t *testing.T) *connectors.Source { return fileSource(t, connectors.KindAWSCUR, athenaParquet) },
			Period:      oct2026,
			EmptyPeriod: cost.Period{Year: 2026, Month: 11},
			WantLines:   athenaLines, WantBilled: athenaBilled, WantEffective: athenaEffective,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { connectortest.Run(t, tc.c) })
	}
}

func TestLegacyReadsOnlyTheManifestAssembly(t *testing.T) {
	items, _ := mustScan(t, folderSource(t, connectors.KindAWSCUR, legacyDir, nil), oct2026)
	for _, li := range items {
		if !strings.Contains(li.Source.Object, "/"+assemblyNew+"/") {
			t.Errorf("%s: read outside the manifest's assembly %s", li.Source, assemblyNew)
		}
	}
	// The older assembly adds 2 lines and 2.28 billed: reading it would show.
	billed, effective := sum(items)
	if got, want := len(items), legacyLines; got != want {
		t.Errorf("lines = %d, want %d", got, want)
	}
	if !billed.Equal(d(legacyBilled)) || !effective.Equal(d(legacyEffective)) {
		t.Errorf("billed, effective = %s, %s; want %s, %s", billed, effective, legacyBilled, legacyEffective)
	}
}

func TestCUR2ReadsOnlyTheManifestExecution(t *testing.T) {
	for _, dir := range []string{cur2ParquetDir, cur2CSVDir} {
		items, _ := mustScan(t, folderSource(t, connectors.KindAWSCUR2, dir, nil), oct2026)
		if got, want := len(items), cur2Lines; got != want {
			t.Errorf("%s: lines = %d, want %d", dir, got, want)
		}
		for _, li := range items {
			if strings.Contains(li.Source.Object, execOld) {
				t.Errorf("%s: read the stale execution's file", li.Source)
			}
		}
	}
}

// The Parquet and the CSV.gz exports hold the same rows: both readers must
// yield the same line items, provenance aside.
func TestParquetAndCSVAgree(t *testing.T) {
	pq, _ := mustScan(t, folderSource(t, connectors.KindAWSCUR2, cur2ParquetDir, nil), oct2026)
	cs, _ := mustScan(t, folderSource(t, connectors.KindAWSCUR2, cur2CSVDir, nil), oct2026)
	ignore := cmpopts.IgnoreFields(cost.LineItem{}, "Source")
	if diff := cmp.Diff(cs, pq, decimalEqual, ignore, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Parquet items differ from CSV items (-csv +parquet):\n%s", diff)
	}
	if got, want := pq[3].Source, (cost.Provenance{Object: "file:" + cur2ParquetDir + "/data/BILLING_PERIOD=2026-10/" + execNew + "/bedrock-export-00001.snappy.parquet", Row: 4}); got != want {
		t.Errorf("Parquet provenance = %+v, want %+v", got, want)
	}
	if got, want := cs[3].Source, (cost.Provenance{Object: "file:" + cur2CSVDir + "/data/BILLING_PERIOD=2026-10/bedrock-export-00001.csv.gz", Line: 5}); got != want {
		t.Errorf("CSV provenance = %+v, want %+v", got, want)
	}
}

func TestFieldMapping(t *testing.T) {
	day := func(d, h int) time.Time { return time.Date(2026, 10, d, h, 0, 0, 0, time.UTC) }
	cur2, _ := mustScan(t, folderSource(t, connectors.KindAWSCUR2, cur2ParquetDir, nil), oct2026)
	legacy, _ := mustScan(t, folderSource(t, connectors.KindAWSCUR, legacyDir, nil), oct2026)
	tests := []struct {
		name string
		got  cost.LineItem
		want cost.LineItem
	}{
		{"CUR 2.0 Bedrock input tokens", cur2[0], cost.LineItem{
			ProviderName: "AWS", BillingAccountID: "999999999999", BillingAccountName: "acme-payer",
			SubAccountID: "111111111111", SubAccountName: "search-prod",
			BillingPeriodStart: day(1, 0), ChargePeriodStart: day(3, 0), ChargePeriodEnd: day(4, 0),
			ChargeCategory: cost.ChargeUsage, ChargeDescription: "$0.003 per 1K input tokens for Claude 3.5 Sonnet",
			ServiceName: "AmazonBedrock", SkuID: "BDRKCLAUDE35SONIN", UsageType: "USE1-Claude3.5Sonnet-input-tokens",
			ResourceID: "arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/search-chat", RegionID: "us-east-1",
			ConsumedQuantity: d("1200"), ConsumedUnit: "1K tokens",
			BilledCost: d("3.6"), EffectiveCost: d("3.6"), ListCost: d("3.6"), BillingCurrency: "USD",
			Tags: cost.Tags{"user:team": "search", "user:action_class": "chat_call", "costCategory/BusinessUnit": "Search"},
		}},
		{"CUR 2.0 embedding in E-notation, empty tag value absent", cur2[5], cost.LineItem{
			ProviderName: "AWS", BillingAccountID: "999999999999", BillingAccountName: "acme-payer",
			SubAccountID: "222222222222", SubAccountName: "support-prod",
			BillingPeriodStart: day(1, 0), ChargePeriodStart: day(6, 0), ChargePeriodEnd: day(7, 0),
			ChargeCategory: cost.ChargeUsage, ChargeDescription: "$0.00002 per 1K input tokens for Titan Text Embeddings V2",
			ServiceName: "AmazonBedrock", SkuID: "BDRKTITANEMBV2IN", UsageType: "USE1-TitanEmbedTextV2-input-tokens",
			ResourceID: "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0", RegionID: "us-east-1",
			ConsumedQuantity: d("4.047"), ConsumedUnit: "1K tokens",
			BilledCost: d("0.00008094"), EffectiveCost: d("0.00008094"), ListCost: d("0.00008094"), BillingCurrency: "USD",
			Tags: cost.Tags{"user:team": "support"},
		}},
		{"legacy refund with net cost", legacy[8], cost.LineItem{
			ProviderName: "AWS", BillingAccountID: "999999999999", SubAccountID: "111111111111",
			BillingPeriodStart: day(1, 0), ChargePeriodStart: day(1, 0), ChargePeriodEnd: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
			ChargeCategory: cost.ChargeCredit, ChargeClass: "Correction", ChargeDescription: "Refund for September throttled requests",
			ServiceName: "AmazonBedrock", UsageType: "USE1-Claude3.5Sonnet-input-tokens",
			ConsumedQuantity: d("0"), BilledCost: d("-1.14"), EffectiveCost: d("-1.14"), BillingCurrency: "USD",
		}},
		{"legacy tags, cost category, timestamp with space", legacy[3], cost.LineItem{
			ProviderName: "AWS", BillingAccountID: "999999999999", SubAccountID: "111111111111",
			BillingPeriodStart: day(1, 0), ChargePeriodStart: day(5, 0), ChargePeriodEnd: day(5, 1),
			ChargeCategory: cost.ChargeUsage, ChargeDescription: "$0.00002 per 1K input tokens for Titan Text Embeddings V2",
			ServiceName: "AmazonBedrock", SkuID: "BDRKTITANEMBV2IN", UsageType: "USE1-TitanEmbedTextV2-input-tokens",
			ResourceID: "arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/search-embed", RegionID: "us-east-1",
			ConsumedQuantity: d("250000"), ConsumedUnit: "1K tokens",
			BilledCost: d("4.75"), EffectiveCost: d("4.75"), ListCost: d("5"), BillingCurrency: "USD",
			Tags: cost.Tags{"user:team": "search", "user:action_class": "retrieval_call", "costCategory/CostCenter": "CC-4100"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.got, decimalEqual, cmpopts.IgnoreFields(cost.LineItem{}, "Source"), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("line item (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name, kind, dir string
	}{
		{"legacy", connectors.KindAWSCUR, legacyDir},
		{"cur2-parquet", connectors.KindAWSCUR2, cur2ParquetDir},
	} {
		items, _ := mustScan(t, folderSource(t, tc.kind, tc.dir, nil), oct2026)
		testutil.AssertGolden(t, filepath.Join("testdata/golden", tc.name+".txt"), render(items))
	}
}

func TestInputs(t *testing.T) {
	dir := copyTree(t, legacyDir)
	src := folderSource(t, connectors.KindAWSCUR, dir, nil)
	in, err := src.Inputs(context.Background(), oct2026)
	if err != nil {
		t.Fatal(err)
	}
	period := "20261001-20261101/"
	wantKeys := []string{
		period + "b7d4c2e1-9a8f-4b3c-a1d2-e3f4a5b6c7d8/hourly-1.csv.gz",
		period + "b7d4c2e1-9a8f-4b3c-a1d2-e3f4a5b6c7d8/hourly-2.csv.gz",
		period + "hourly-Manifest.json",
	}
	if len(in) != len(wantKeys) {
		t.Fatalf("Inputs = %+v, want %d objects", in, len(wantKeys))
	}
	for i, key := range wantKeys {
		info, err := os.Stat(filepath.Join(dir, key))
		if err != nil {
			t.Fatal(err)
		}
		want := connectors.Input{
			Object: "file:" + dir + "/" + key,
			Fingerprint: "assemblyId=" + assemblyNew + ";size=" + strconv.FormatInt(info.Size(), 10) +
				";modtime=" + info.ModTime().UTC().Format(time.RFC3339Nano),
			Size: info.Size(),
		}
		if in[i] != want {
			t.Errorf("Inputs[%d] = %+v, want %+v", i, in[i], want)
		}
	}

	// A restatement: AWS writes a new assembly and points the manifest at it.
	mpath := filepath.Join(dir, period, "hourly-Manifest.json")
	var m map[string]any
	if err := json.Unmarshal(mustRead(t, mpath), &m); err != nil {
		t.Fatal(err)
	}
	m["assemblyId"] = "c0ffee00-0000-4000-8000-000000000001"
	b, _ := json.Marshal(m)
	writeFile(t, mpath, b)
	again, err := src.Inputs(context.Background(), oct2026)
	if err != nil {
		t.Fatal(err)
	}
	for i := range again {
		if again[i].Fingerprint == in[i].Fingerprint {
			t.Errorf("%s: fingerprint %q unchanged after a restatement", again[i].Object, again[i].Fingerprint)
		}
	}

	if _, err := src.Inputs(context.Background(), cost.Period{Year: 2027, Month: 1}); !errors.Is(err, connectors.ErrNotFound) {
		t.Errorf("Inputs(2027-01) error = %v, want ErrNotFound", err)
	}
}

func TestInputsCUR2(t *testing.T) {
	in, err := folderSource(t, connectors.KindAWSCUR2, cur2ParquetDir, nil).Inputs(context.Background(), oct2026)
	if err != nil {
		t.Fatal(err)
	}
	var objs []string
	for _, i := range in {
		objs = append(objs, strings.TrimPrefix(i.Object, "file:"+cur2ParquetDir+"/"))
		if !strings.HasPrefix(i.Fingerprint, "executionId="+execNew+";") {
			t.Errorf("%s: fingerprint %q lacks the execution id", i.Object, i.Fingerprint)
		}
	}
	want := []string{
		"data/BILLING_PERIOD=2026-10/" + execNew + "/bedrock-export-00001.snappy.parquet",
		"data/BILLING_PERIOD=2026-10/" + execNew + "/bedrock-export-00002.snappy.parquet",
		"metadata/BILLING_PERIOD=2026-10/bedrock-export-Manifest.json",
	}
	if diff := cmp.Diff(want, objs); diff != "" {
		t.Errorf("Inputs objects (-want +got):\n%s", diff)
	}
}

func TestSamples(t *testing.T) {
	t.Run("koku cost categories, malformed header, renamed tag columns", func(t *testing.T) {
		items, st := mustScan(t, fileSource(t, connectors.KindAWSCUR, kokuCostCategory),
			cost.Period{Year: 2023, Month: 6})
		if st.Lines != 3 || !st.Billed.Equal(d("30")) || !st.Effective.Equal(d("0.3")) {
			t.Errorf("stats = %d lines, billed %s, effective %s; want 3, 30, 0.3", st.Lines, st.Billed, st.Effective)
		}
		want := cost.Tags{"costCategory/cost_env": "prod", "costCategory/name": "compute", "costCategory/qe_source": "aws-single"}
		for _, li := range items {
			if diff := cmp.Diff(want, li.Tags); diff != "" {
				t.Errorf("%s tags (-want +got), noTags/* columns are not resource tags:\n%s", li.Source, diff)
			}
			if li.BillingCurrency != "NOK" || li.ChargeCategory != cost.ChargeUsage {
				t.Errorf("%s: currency %s category %s, want NOK Usage", li.Source, li.BillingCurrency, li.ChargeCategory)
			}
		}
	})
	t.Run("koku Athena column names", func(t *testing.T) {
		items, st := mustScan(t, fileSource(t, connectors.KindAWSCUR, "testdata/samples/koku__legacy_cur_2022-07-01-alt-columns.csv"),
			cost.Period{Year: 2022, Month: 7})
		if st.Lines != 2 || !st.Billed.IsZero() {
			t.Errorf("stats = %d lines, billed %s; want 2 lines, 0", st.Lines, st.Billed)
		}
		for _, li := range items {
			if got, want := li.Tags["aws:created_by"], "IAMUser:fake:and"; got != want {
				t.Errorf("%s: tag aws:created_by = %q, want %q", li.Source, got, want)
			}
			if li.RegionID != "us-east-1" || li.ServiceName != "mra" {
				t.Errorf("%s: region %q service %q", li.Source, li.RegionID, li.ServiceName)
			}
		}
	})
	t.Run("koku test_cur: data rows shorter than the header", func(t *testing.T) {
		// The header has 131 names, every row 130 cells: the columns after
		// the gap cannot be matched to their names, so the file is rejected.
		for _, f := range []string{"koku__legacy_cur_test_cur.csv", "koku__legacy_cur_test_cur.csv.gz"} {
			_, _, err := scanAll(t, fileSource(t, connectors.KindAWSCUR, "testdata/samples/"+f), cost.Period{Year: 2018, Month: 6})
			var re *connectors.RowError
			if !errors.As(err, &re) || !errors.Is(err, ErrCorrupt) {
				t.Fatalf("%s: error = %v, want a RowError wrapping ErrCorrupt", f, err)
			}
			if re.Line != 2 || !strings.HasSuffix(re.Object, f) {
				t.Errorf("%s: error at %s line %d, want line 2 of %s", f, re.Object, re.Line, f)
			}
		}
	})
	t.Run("aws-cur-anonymize CUR 2.0 sample without a line item type", func(t *testing.T) {
		_, _, err := scanAll(t, fileSource(t, connectors.KindAWSCUR2, "testdata/samples/aws-cur-anonymize__sample-cur20.csv"), cost.Period{Year: 2025, Month: 1})
		var re *connectors.RowError
		if !errors.As(err, &re) || !errors.Is(err, ErrMissingColumn) || !errors.Is(err, connectors.ErrBadInput) {
			t.Fatalf("error = %v, want a RowError wrapping ErrMissingColumn", err)
		}
		if re.Column != "line_item_line_item_type" || re.Line != 1 {
			t.Errorf("error names column %q line %d, want line_item_line_item_type line 1", re.Column, re.Line)
		}
	})
}

func TestAthenaDecimalParquet(t *testing.T) {
	items, _ := mustScan(t, fileSource(t, connectors.KindAWSCUR, athenaParquet), oct2026)
	if len(items) != athenaLines {
		t.Fatalf("%d items, want %d", len(items), athenaLines)
	}
	want := cost.Tags{"user:team": "search", "user:action_class": "chat_call", "aws:created_by": "IAMUser:AIDAEXAMPLE:ci", "costCategory/cost_center": "CC-4100"}
	if diff := cmp.Diff(want, items[0].Tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	if got, want := items[0].ConsumedQuantity, d("123.4567891234"); !got.Equal(want) {
		t.Errorf("quantity = %s, want %s", got, want)
	}
	if got, want := items[0].ChargePeriodStart, time.Date(2026, 10, 9, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("charge period start = %s, want %s", got, want)
	}
	if got, want := items[1].EffectiveCost, d("0.0512345678"); !got.Equal(want) {
		t.Errorf("DiscountedUsage effective = %s, want %s", got, want)
	}
	if len(items[1].Tags) != 0 {
		t.Errorf("untagged row has tags %v", items[1].Tags)
	}
}

func TestReportNameOption(t *testing.T) {
	dir := copyTree(t, legacyDir)
	// A second report writes into the same folder.
	other := filepath.Join(dir, "20261001-20261101", "daily-Manifest.json")
	writeFile(t, other, []byte(`{"assemblyId":"d1","reportName":"daily","reportKeys":[]}`))

	_, _, err := scanAll(t, folderSource(t, connectors.KindAWSCUR, dir, nil), oct2026)
	if !errors.Is(err, ErrAmbiguousManifest) {
		t.Fatalf("two manifests, no option: error = %v, want ErrAmbiguousManifest", err)
	}
	_, st := mustScan(t, folderSource(t, connectors.KindAWSCUR, dir, &Options{ReportName: "hourly"}), oct2026)
	if st.Lines != legacyLines {
		t.Errorf("report_name hourly: %d lines, want %d", st.Lines, legacyLines)
	}
	_, st = mustScan(t, folderSource(t, connectors.KindAWSCUR, dir, &Options{ReportName: "daily"}), oct2026)
	if st.Lines != 0 {
		t.Errorf("report_name daily (an empty report): %d lines, want 0", st.Lines)
	}
	src, err := openerSource(t, connectors.KindAWSCUR, "file:"+dir, map[string]string{OptionReportName: "hourly"})
	if err != nil {
		t.Fatal(err)
	}
	if _, st = mustScan(t, src, oct2026); st.Lines != legacyLines {
		t.Errorf("through the opener: %d lines, want %d", st.Lines, legacyLines)
	}
}

func TestUnknownOption(t *testing.T) {
	for _, kind := range []string{connectors.KindAWSCUR, connectors.KindAWSCUR2} {
		_, err := openerSource(t, kind, "file:"+legacyDir, map[string]string{"reportname": "hourly"})
		if !errors.Is(err, ErrUnknownOption) {
			t.Errorf("%s: error = %v, want ErrUnknownOption", kind, err)
		}
	}
	// Each kind names its manifest option after its own term.
	if _, err := openerSource(t, connectors.KindAWSCUR2, "file:"+cur2ParquetDir, map[string]string{OptionReportName: "x"}); !errors.Is(err, ErrUnknownOption) {
		t.Errorf("aws-cur2 with report_name: error = %v, want ErrUnknownOption", err)
	}
	if _, err := openerSource(t, connectors.KindAWSCUR2, "file:"+cur2ParquetDir, map[string]string{OptionExportName: "bedrock-export"}); err != nil {
		t.Errorf("aws-cur2 with export_name: %v", err)
	}
}

// A Parquet object from a store without random access is spooled to a
// temporary file; the scan must read it the same way and remove the copy.
func TestParquetWithoutReaderAt(t *testing.T) {
	tmp := t.TempDir()
	b := streamOnly{fileblobBucket(cur2ParquetDir)}
	src := newSource(t, connectors.KindAWSCUR2, NewCUR2(b, "", &Options{TempDir: tmp}))
	_, st := mustScan(t, src, oct2026)
	if st.Lines != cur2Lines || !st.Billed.Equal(d(cur2Billed)) {
		t.Errorf("stats = %d lines billed %s, want %d, %s", st.Lines, st.Billed, cur2Lines, cur2Billed)
	}
	left, _ := os.ReadDir(tmp)
	if len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestLocation(t *testing.T) {
	tests := []struct{ url, prefix, want string }{
		{"s3://billing/cur/hourly?region=eu-west-1&endpoint=http%3A%2F%2F127.0.0.1%3A7070", "cur/hourly", "s3://billing"},
		{"s3://billing/cur/hourly/", "cur/hourly/", "s3://billing"},
		{"s3://billing", "", "s3://billing"},
		{"file:data/aws", "", "file:data/aws"},
		{"file:data/aws/report.csv.gz", "report.csv.gz", "file:data/aws"},
		{"file:///srv/aws/report.csv.gz", "report.csv.gz", "file:///srv/aws"},
		{"s3://user:secret@billing/cur", "cur", "s3://billing"},
		{"s3://billing/elsewhere", "cur", ""},
	}
	for _, tc := range tests {
		if got := location(tc.url, tc.prefix); got != tc.want {
			t.Errorf("location(%q, %q) = %q, want %q", tc.url, tc.prefix, got, tc.want)
		}
	}
}

// A Parquet file is recognised by its content whatever its name.
func TestParquetByContent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "export-00001.dat")
	writeFile(t, path, mustRead(t, athenaParquet))
	_, st := mustScan(t, fileSource(t, connectors.KindAWSCUR, path), oct2026)
	if st.Lines != athenaLines || !st.Billed.Equal(d(athenaBilled)) {
		t.Errorf("stats = %d lines billed %s, want %d, %s", st.Lines, st.Billed, athenaLines, athenaBilled)
	}
}
