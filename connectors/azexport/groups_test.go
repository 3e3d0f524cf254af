package azexport

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/connectortest"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/gen"
	"github.com/allot-dev/allot/internal/testutil"
	"github.com/allot-dev/allot/objstore/fileblob"
	"github.com/klauspost/compress/gzip"
)

// driverAt returns a Driver over path (a file or an export folder).
func driverAt(t *testing.T, path string, opts *Options) *Driver {
	t.Helper()
	drv, err := New(fileblob.New(filepath.Dir(path)), filepath.Base(path), opts)
	if err != nil {
		t.Fatal(err)
	}
	return drv
}

// Every sample and the export folder: ScanGroups yields Scan's lines
// grouped, or Scan's error and nothing.
func TestGroupsSamples(t *testing.T) {
	type tc struct {
		name string
		path string
		opts *Options
		p    cost.Period
	}
	sample := func(file string, opts *Options, y, m int) tc {
		return tc{file, filepath.Join("testdata", "samples", file), opts, cost.Period{Year: y, Month: time.Month(m)}}
	}
	cases := []tc{
		{"export folder, October", filepath.Join("testdata", "export", "aiexport"), nil, oct2026},
		{"export folder, September", filepath.Join("testdata", "export", "aiexport"), nil, sep2026},
		{"export folder, August (not found)", filepath.Join("testdata", "export", "aiexport"), nil, aug2026},
		sample("opencost__headerset_PayAsYouGo.csv", nil, 2021, 2),
		sample("opencost__headerset_German.csv", nil, 2021, 2),
		sample("opencost__headerset_YA.csv", nil, 2021, 2),
		sample("opencost__headerset_Enterprise.csv", nil, 2021, 2),
		sample("opencost__headerset_EnterpriseCamel.csv", nil, 2021, 2),
		sample("opencost__headerset_BOM.csv", nil, 2022, 11),
		sample("opencost__values_MissingBrackets.csv", &Options{Currency: "usd"}, 2021, 2),
		sample("opencost__values_MissingBrackets.csv", nil, 2021, 2), // no currency: an error
		sample("finops-toolkit__EA_ActualCost_Small.csv", &Options{Dataset: DatasetActual}, 2023, 9),
		sample("finops-toolkit__EA_AmortizedCost_Small.csv", &Options{Dataset: DatasetAmortized}, 2023, 9),
		sample("finops-toolkit__EA_AmortizedCost_Small.csv", nil, 2023, 9), // the dataset is needed
		sample("finops-toolkit__EA_AmortizedCost_Small.csv", &Options{Dataset: DatasetAmortized}, 2023, 10),
		sample("finops-toolkit__EA_NoRows.csv", nil, 2023, 9),
		sample("koku__ea_azure_version_2.csv", nil, 2020, 9), // an invalid currency
		sample("koku__mca_camel_azure_version_2.csv", nil, 2023, 8),
		sample("koku__legacy_payg_costreport.csv", nil, 2019, 7),
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			connectortest.Groups(t, driverAt(t, c.path, c.opts), c.p)
		})
	}
}

// Files the grouped scan has rules of its own for (TestDates and
// TestRowErrors run Groups on theirs): it yields Scan's lines grouped, or
// Scan's error and nothing.
func TestGroupsRowCases(t *testing.T) {
	sep := cost.Period{Year: 2023, Month: 9}
	for i, content := range []string{
		"Date,Cost,BillingCurrency\n2023-09-01,1,USD\n\"2023-09-02,1,USD\n", // an unterminated quote
		// the billing period start must follow the file's date style
		"Date,BillingPeriodStartDate,Cost,BillingCurrency\n09/01/2023,09/01/2023,1,USD\n09/02/2023,2023-09-01,1,USD\n",
		"Date,BillingPeriodStartDate,Cost,BillingCurrency\n09/01/2023,09/01/2023,1,USD\n09/02/2023,09/01/2023,1,USD\n",
		// without a dataset, commitment usage may cost nothing, and rows
		// that cancel out are still rows with a cost
		"Date,Cost,BillingCurrency,ChargeType,PricingModel\n2023-09-01,0,USD,Usage,Reservation\n2023-09-02,0.0,USD,Usage,Reservation\n",
		"Date,Cost,BillingCurrency,ChargeType,PricingModel\n2023-09-01,0,USD,Usage,Reservation\n2023-09-02,1,USD,Usage,Reservation\n",
		"Date,Cost,BillingCurrency,ChargeType,PricingModel\n2023-09-01,1,USD,Usage,Reservation\n2023-09-02,-1,USD,Usage,Reservation\n",
		"Date,Cost,BillingCurrency,ChargeType,PricingModel\n2023-09-01,1,USD,Usage,OnDemand\n2023-09-02,-0,USD,Usage,Savings Plan\n",
		"",
		"Date,Cost,BillingCurrency\n",
		"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xffnot deflate", // a damaged gzip file
		truncatedGzip("Date,Cost,BillingCurrency\n" + strings.Repeat("2023-09-01,1,USD\n", 5000)),
	} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "x.csv"), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			connectortest.Groups(t, driverAt(t, filepath.Join(dir, "x.csv"), nil), sep)
		})
	}
}

// truncatedGzip gzips text and cuts off the end of the stream.
func truncatedGzip(text string) string {
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write([]byte(text))
	zw.Close()
	return string(z.Bytes()[:z.Len()-20])
}

// randomExport writes a random export: a single file, or a run of one to
// three blobs with a manifest, some gzipped, with a few bad cells when bad
// is set. It returns the path to open and the driver options.
func randomExport(t *testing.T, r *rand.Rand, bad bool) (string, *Options) {
	t.Helper()
	dir := t.TempDir()
	legacy := r.IntN(5) == 0
	usDates := !legacy && r.IntN(2) == 0
	var header []string
	if legacy {
		header = []string{"UsageDateTime", "SubscriptionGuid", "MeterCategory", "MeterName", "InstanceId", "UsageQuantity", "PreTaxCost", "Currency", "Tags"}
	} else {
		header = []string{"BillingAccountId", "SubscriptionId", "SubscriptionName", "ResourceGroup", "Date", "BillingPeriodStartDate",
			"MeterCategory", "MeterName", "PartNumber", "Quantity", "CostInBillingCurrency", "PaygCostInBillingCurrency",
			"BillingCurrency", "ResourceLocation", "ResourceId", "Tags", "UnitOfMeasure", "ChargeType", "PricingModel"}
	}
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	// oops returns a bad cell one time in n when bad is set.
	oops := func(n int, cell string) (string, bool) {
		if bad && r.IntN(n) == 0 {
			return cell, true
		}
		return "", false
	}
	date := func(day int, month int) string {
		if usDates {
			if r.IntN(2) == 0 {
				return fmt.Sprintf("%d/%d/2026", month, day)
			}
			return fmt.Sprintf("%02d/%02d/2026", month, day)
		}
		return pick(fmt.Sprintf("2026-%02d-%02d", month, day), fmt.Sprintf("2026-%02d-%02dT00:00:00Z", month, day), fmt.Sprintf("2026-%02d-%02d 13:00:00", month, day))
	}
	amount := func() string {
		if c, ok := oops(400, pick("1,234.00", "$3", "NaN", "1.2.3")); ok {
			return c
		}
		return pick("0", "1.25", "-0.5", "8.094e-05", " 2.5 ", "12.3456789012345", "100", "0.000000000001", "3E2", "+4")
	}
	row := func(month int) []string {
		day := 1 + r.IntN(28)
		d := date(day, month)
		if c, ok := oops(600, pick("", "31/10/2026", "2026/10/01", pick("10/01/2026", "2026-10-01"))); ok {
			d = c
		}
		tags := pick("", "{}", `{"team":"search","env":"prod"}`, `"team": "ads","env": "dev"`, `{"Team":"ads"}`, `{"team":"recs","app":"bot-1"}`)
		if c, ok := oops(600, `team: search`); ok {
			tags = c
		}
		cur := pick("USD", "USD", "usd", " EUR")
		if c, ok := oops(600, "DOLLARS"); ok {
			cur = c
		}
		qty := pick("", "1", "3", "1e2", "0.5")
		if c, ok := oops(600, "n/a"); ok {
			qty = c
		}
		cst := amount()
		if c, ok := oops(800, ""); ok {
			cst = c
		}
		res := fmt.Sprintf("/subscriptions/sub-%d/resourceGroups/rg-%d/providers/Microsoft.CognitiveServices/accounts/oai-%d", r.IntN(3), r.IntN(3), r.IntN(6))
		if legacy {
			return []string{d, fmt.Sprintf("sub-%d", r.IntN(3)), "Azure OpenAI", pick("GPT 5 inp", "GPT 5 outp"), res, qty, cst, cur, tags}
		}
		ct := pick("Usage", "Usage", "Usage", "Purchase", "Refund", "UnusedReservation", "Tax", "Credit", "RoundingAdjustment")
		if c, ok := oops(600, "Fee"); ok {
			ct = c
		}
		bp := date(1, month)
		if c, ok := oops(300, pick("2026-10-01", "10/01/2026", "soon")); ok {
			bp = c
		}
		return []string{"8611537", fmt.Sprintf("sub-%d", r.IntN(3)), "ai-prod", fmt.Sprintf("rg-%d", r.IntN(3)), d, pick(bp, bp, ""),
			"Azure OpenAI", pick("GPT 5 inp", "GPT 5 outp", "Embeddings"), pick("AAK-1", "AAK-2"), qty, cst, pick("", amount()),
			cur, pick("SwedenCentral", "Sweden Central", "eastus2"), res, tags, "1M", ct, pick("OnDemand", "Reservation", "Savings Plan", "")}
	}
	opts := &Options{}
	if r.IntN(2) == 0 {
		opts.Dataset = DatasetAmortized
		if r.IntN(2) == 0 {
			opts.Dataset = DatasetActual
		}
	}
	typ := map[Dataset]string{DatasetActual: "ActualCost", DatasetAmortized: "AmortizedCost"}[opts.Dataset]
	single := r.IntN(2) == 0
	if !single {
		opts.Dataset = DatasetUnknown // the manifest says
	}
	miscount := func() bool { c, ok := oops(20, "x"); return ok && c != "" }
	return writeExport(t, dir, r, header, row, single, "costs.csv", typ, miscount), opts
}

// writeExport writes a random export of rows made by row under header,
// some files gzipped: with single, one file (name) holding several
// months; else a run of one to three blobs with a manifest of export type
// typ ("" for none), misstating a blob's row count when miscount says
// so. It returns the path to open.
func writeExport(t *testing.T, dir string, r *rand.Rand, header []string, row func(month int) []string, single bool, name, typ string, miscount func() bool) string {
	t.Helper()
	file := func(rows int, months []int) []byte {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.Write(header)
		for i := 0; i < rows; i++ {
			w.Write(row(months[r.IntN(len(months))]))
		}
		w.Flush()
		if r.IntN(4) == 0 {
			var z bytes.Buffer
			zw := gzip.NewWriter(&z)
			zw.Write(b.Bytes())
			zw.Close()
			return z.Bytes()
		}
		return b.Bytes()
	}
	if single {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, file(1+r.IntN(300), []int{9, 10, 10, 11}), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const runDir = "e/20261001-20261031/202611020000/run-1/"
	var blobs []string
	for k := range 1 + r.IntN(3) {
		rows := r.IntN(200)
		name := fmt.Sprintf("part_0_%04d.csv", k+1)
		if err := os.MkdirAll(filepath.Join(dir, runDir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, runDir, name), file(rows, []int{10}), 0o644); err != nil {
			t.Fatal(err)
		}
		if miscount() {
			rows++ // the manifest disagrees with the file
		}
		blobs = append(blobs, fmt.Sprintf(`{"blobName":"run-1/%s","dataRowCount":%d}`, name, rows))
	}
	config := ""
	if typ != "" {
		config = fmt.Sprintf(`"exportConfig":{"type":%q},`, typ)
	}
	manifest := fmt.Sprintf(`{%s"blobs":[%s]}`, config, strings.Join(blobs, ","))
	if err := os.WriteFile(filepath.Join(dir, runDir, "manifest.json"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "e")
}

// Random exports, good and bad: the grouped scan agrees with Scan on every
// one, in items or in the error, on one worker and on several.
func TestGroupsRandom(t *testing.T) { checkRandomExports(t, 7, randomExport) }

// checkRandomExports runs Groups, and ParallelGroups where there are
// enough items, on 300 exports of export (PCG stream stream), every other
// one with bad cells, and wants both outcomes among them.
func checkRandomExports(t *testing.T, stream uint64, export func(*testing.T, *rand.Rand, bool) (string, *Options)) {
	defer func(n int) { minChunk = n }(minChunk)
	minChunk = 1
	errs, items := 0, 0
	for seed := range uint64(300) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, stream))
			path, opts := export(t, r, seed%2 == 1)
			drv := driverAt(t, path, opts)
			n := connectortest.Groups(t, drv, oct2026)
			if err := drv.Scan(context.Background(), oct2026, func(*cost.LineItem) error { return nil }); err != nil {
				errs++
				return
			}
			items += n
			if n >= 7 { // ParallelGroups wants every one of up to 7 workers to yield
				connectortest.ParallelGroups(t, drv, oct2026)
			}
		})
	}
	// the cases must exercise both outcomes
	if errs < 30 || errs > 200 || items == 0 {
		t.Errorf("%d of 300 exports were bad and the good ones grouped into %d items: the generator needs retuning", errs, items)
	}
}

// A run of a CSV file, a Parquet file and another CSV file: the Parquet
// file is read line by line, its groups interleave with the CSV files'.
func TestGroupsMixedRun(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "samples", "finops-toolkit__EA_AmortizedCost_Small.csv"))
	if err != nil {
		t.Fatal(err)
	}
	pq, _ := toParquet(t, src, true)
	const runDir = "e/20230901-20230930/202310020000/run-1/"
	rows := int64(bytes.Count(bytes.TrimSpace(src), []byte("\n")))
	dir := writeTree(t, map[string]string{
		runDir + "a.csv":         string(src),
		runDir + "b.parquet":     string(pq),
		runDir + "c.csv":         string(src),
		runDir + "manifest.json": fmt.Sprintf(`{"exportConfig":{"type":"AmortizedCost"},"blobs":[{"blobName":"run-1/a.csv","dataRowCount":%d},{"blobName":"run-1/b.parquet","dataRowCount":%[1]d},{"blobName":"run-1/c.csv","dataRowCount":%[1]d}]}`, rows),
	})
	drv := driverAt(t, filepath.Join(dir, "e"), nil)
	sep := cost.Period{Year: 2023, Month: 9}
	n := connectortest.Groups(t, drv, sep)
	if n == 0 {
		t.Fatal("no items")
	}
	defer func(n int) { minChunk = n }(minChunk)
	minChunk = 1
	connectortest.ParallelGroups(t, drv, sep)
}

// A generated month (allot gen) in several gzipped files: groups agree
// with Scan, and there are far fewer of them than lines.
func TestGroupsGenerated(t *testing.T) {
	out := filepath.Join(t.TempDir(), "g")
	res, err := gen.Generate(context.Background(), gen.Options{Rows: 30000, Format: gen.FormatAzure, File: gen.FileCSVGzip,
		Period: oct2026, Out: out, Seed: 5, Files: 3, Resources: 120, Accounts: 6, Teams: 5, LongDecimals: 0.05}, nil)
	if err != nil {
		t.Fatal(err)
	}
	drv := driverAt(t, filepath.Join(out, "data", "azure", "allot-bench"), nil)
	n := connectortest.Groups(t, drv, oct2026)
	if n == 0 || int64(n) > res.Rows/4 {
		t.Errorf("%d items for %d lines: want some, and far fewer", n, res.Rows)
	}
	defer func(n int) { minChunk = n }(minChunk)
	minChunk = 1
	connectortest.ParallelGroups(t, drv, oct2026)
}

// Each file has its own date style, and a billing period start must be in
// its file's: a group two files share is checked in each of them.
func TestGroupsDateStylePerFile(t *testing.T) {
	const runDir = "e/20230901-20230930/202310020000/run-1/"
	const header = "Date,BillingPeriodStartDate,Cost,BillingCurrency\n"
	for _, tc := range []struct {
		name, a, b string
	}{
		{"both files consistent", "2023-09-01,2023-09-01,1,USD\n", "09/02/2023,09/01/2023,2,USD\n"},
		// b's rows are month-first, its billing period start ISO: Scan
		// fails at b's line 2 though a holds the same cells.
		{"second file mixes", "2023-09-01,2023-09-01,1,USD\n", "09/02/2023,2023-09-01,2,USD\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, map[string]string{
				runDir + "a.csv":         header + tc.a,
				runDir + "b.csv":         header + tc.b,
				runDir + "manifest.json": `{"blobs":[{"blobName":"run-1/a.csv","dataRowCount":1},{"blobName":"run-1/b.csv","dataRowCount":1}]}`,
			})
			connectortest.Groups(t, driverAt(t, filepath.Join(dir, "e"), nil), cost.Period{Year: 2023, Month: 9})
		})
	}
}

// Projected grouped scans (WithFields, what allot run asks for) agree with
// Scan's lines projected the same way, on every field set worth testing,
// and never make more groups than every field does.
func TestGroupsFields(t *testing.T) {
	out := filepath.Join(t.TempDir(), "g")
	if _, err := gen.Generate(context.Background(), gen.Options{Rows: 20000, Format: gen.FormatAzure, File: gen.FileCSV,
		Period: oct2026, Out: out, Seed: 9, Files: 2, Resources: 80, Accounts: 5, Teams: 4}, nil); err != nil {
		t.Fatal(err)
	}
	// a random export Scan reads without an error (some need a dataset)
	var randomPath string
	var randomOpts *Options
	for seed := uint64(11); randomPath == ""; seed++ {
		path, opts := randomExport(t, rand.New(rand.NewPCG(seed, 7)), false)
		if driverAt(t, path, opts).Scan(context.Background(), oct2026, func(*cost.LineItem) error { return nil }) == nil {
			randomPath, randomOpts = path, opts
		}
	}
	// and a FocusCost one of some size
	var focusPath string
	var focusOpts *Options
	for seed := uint64(11); focusPath == ""; seed++ {
		path, opts := randomFocusExport(t, rand.New(rand.NewPCG(seed, 11)), false)
		n := 0
		if driverAt(t, path, opts).Scan(context.Background(), oct2026, func(*cost.LineItem) error { n++; return nil }) == nil && n > 50 {
			focusPath, focusOpts = path, opts
		}
	}
	for _, tc := range []struct {
		name string
		path string
		opts *Options
		p    cost.Period
	}{
		{"generated", filepath.Join(out, "data", "azure", "allot-bench"), nil, oct2026},
		{"export folder", filepath.Join("testdata", "export", "aiexport"), nil, oct2026},
		{"EA amortized", filepath.Join("testdata", "samples", "finops-toolkit__EA_AmortizedCost_Small.csv"), &Options{Dataset: DatasetAmortized}, cost.Period{Year: 2023, Month: 9}},
		{"EA, no dataset", filepath.Join("testdata", "samples", "finops-toolkit__EA_ActualCost_Small.csv"), nil, cost.Period{Year: 2023, Month: 9}},
		{"MCA", filepath.Join("testdata", "samples", "koku__mca_camel_azure_version_2.csv"), nil, cost.Period{Year: 2023, Month: 8}},
		{"Enterprise (billing period start)", filepath.Join("testdata", "samples", "opencost__headerset_Enterprise.csv"), nil, cost.Period{Year: 2021, Month: 2}},
		{"random", randomPath, randomOpts, oct2026},
		{"FocusCost", focusPath, focusOpts, oct2026},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines := connectortest.Replay(t, driverAt(t, tc.path, tc.opts), tc.p)
			count := map[string]int{}
			for name, fs := range connectortest.FieldSets() {
				items, _ := connectortest.GroupsFields(t, lines, driverAt(t, tc.path, tc.opts).WithFields(fs), tc.p, fs)
				count[name] = items
			}
			for name, n := range count {
				if n > count["every field"] {
					t.Errorf("%s: %d items, more than every field's %d", name, n, count["every field"])
				}
			}
			if count["every field"] == 0 {
				t.Error("no items")
			}
		})
	}
}

// FuzzGroups: whatever a cost-details file holds, the grouped scan yields
// Scan's lines grouped, or fails with Scan's error and yields nothing.
func FuzzGroups(f *testing.F) {
	for _, s := range []string{
		"Date,BillingPeriodStartDate,CostInBillingCurrency,Quantity,BillingCurrency,ChargeType,PricingModel,ResourceId,Tags\n" +
			"10/01/2026,10/01/2026,1.5,2,USD,Usage,OnDemand,/a/b,\"{\"\"team\"\":\"\"x\"\"}\"\n" +
			"10/02/2026,10/01/2026,8.094e-05,,usd,Usage,Reservation,/a/b,\"\"\"team\"\": \"\"x\"\"\"\n",
		"Date,Cost,BillingCurrency\n2026-10-01,1,USD\n2026-10-02T00:00:00Z,-1,USD\n",
		"UsageDateTime,PreTaxCost,Currency,Tags\n2026-10-01 13:00:00, 2.5 ,EUR,\n",
		"Date,Cost,BillingCurrency\r\n2026-10-01,0,USD\r\n\r\n2026-10-01,1e2,USD\r\n",
		"\uFEFFDate,Cost,BillingCurrency\n2026-10-01,\"1\",USD\n",
		"BilledCost,EffectiveCost,ListCost,BillingCurrency,ChargeCategory,ChargeClass,ChargePeriodStart,ChargePeriodEnd,ConsumedQuantity,Tags\n" +
			"1,1.5,NULL,USD,Usage,,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,3,\"{\"\"team\"\":\"\"x\"\"}\"\n" +
			"-1,0,2,usd,Credit,Correction,2026-10-03T06:00:00Z,,NULL,{}\n",
	} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, content string, opt uint8) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "x.csv"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		opts := &Options{Currency: []string{"", "EUR"}[opt&1]}
		switch opt >> 1 & 3 {
		case 1:
			opts.Dataset = DatasetActual
		case 2:
			opts.Dataset = DatasetAmortized
		}
		connectortest.Groups(t, driverAt(t, filepath.Join(dir, "x.csv"), opts), oct2026)
	})
}

// TestTruncatedGzipAtLineBoundary: a CSV.gz export cut off where its
// compressed stream ends a line decompresses to whole lines and then
// io.ErrUnexpectedEOF; both scans refuse it (the grouped scan once read
// the lines before the cut as the whole file).
func TestTruncatedGzipAtLineBoundary(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "samples", "finops-toolkit__EA_ActualCost_Small.csv"))
	if err != nil {
		t.Fatal(err)
	}
	cutGz := testutil.GzipCutAtLine(src)
	p := writeTemp(t, t.TempDir(), "part_1.csv.gz", cutGz)
	connectortest.Groups(t, driverAt(t, p, nil), cost.Period{Year: 2023, Month: 9})
	_, _, err = collect(t, openSource(t, "file:"+p, nil), cost.Period{Year: 2023, Month: 9})
	if !errors.Is(err, connectors.ErrBadInput) || !strings.Contains(err.Error(), "again") {
		t.Fatalf("error = %v, want bad input saying what to do", err)
	}
}

// FuzzDamagedGzip: whatever bytes of an Azure CSV.gz export's gzip stream
// are damaged or cut off, Scan and the grouped scan agree.
func FuzzDamagedGzip(f *testing.F) {
	src, err := os.ReadFile(filepath.Join("testdata", "samples", "finops-toolkit__EA_ActualCost_Small.csv"))
	if err != nil {
		f.Fatal(err)
	}
	testutil.FuzzBytes(f, testutil.Gzip(src), func(t *testing.T, b []byte) {
		p := writeTemp(t, t.TempDir(), "part_1.csv.gz", b)
		connectortest.Groups(t, driverAt(t, p, nil), cost.Period{Year: 2023, Month: 9})
	})
}
