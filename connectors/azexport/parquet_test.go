package azexport

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/connectortest"
	"github.com/allot-dev/allot/connectors/internal/textio"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/testutil"
	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"
)

// toParquet converts a CSV export into a Parquet one, as Cost Management
// writes it when the export's format is Parquet. Untyped, every column is
// a string. Typed, cost, price, quantity and rate columns whose cells are
// all numbers become DOUBLE, ISO date columns TIMESTAMP(ms), and a Tags
// column of JSON objects MAP<string,string>. It also returns the CSV of
// what the Parquet file holds (numbers through float64, dates in RFC 3339),
// which a CSV scan must read as the Parquet scan does.
func toParquet(t testing.TB, src []byte, typed bool) (pq, asCSV []byte) {
	t.Helper()
	c, err := textio.NewCSV(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	header := c.Header
	var recs [][]string
	for {
		rec, _, err := c.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, append([]string(nil), rec...))
	}
	kinds := make([]string, len(header))
	for i, h := range header {
		kinds[i] = "string"
		if !typed {
			continue
		}
		l := strings.ToLower(h)
		all := func(ok func(string) bool) bool {
			for _, r := range recs {
				if i < len(r) && r[i] != "" && !ok(r[i]) {
					return false
				}
			}
			return true
		}
		switch {
		case (strings.Contains(l, "cost") || strings.Contains(l, "price") || strings.Contains(l, "quantity") || strings.Contains(l, "rate")) &&
			all(func(s string) bool { _, err := strconv.ParseFloat(s, 64); return err == nil }):
			kinds[i] = "double"
		case strings.Contains(l, "date") || strings.Contains(l, "periodstart") || strings.Contains(l, "periodend"):
			if all(func(s string) bool { return !strings.Contains(s, "/") && parses(s) }) {
				kinds[i] = "timestamp"
			}
		case l == "tags":
			if all(func(s string) bool { var m map[string]string; return json.Unmarshal([]byte(s), &m) == nil }) {
				kinds[i] = "map"
			}
		}
	}
	group := parquet.Group{}
	for i, h := range header {
		if _, dup := group[h]; dup {
			t.Fatalf("column %s twice", h)
		}
		switch kinds[i] {
		case "double":
			group[h] = parquet.Optional(parquet.Leaf(parquet.DoubleType))
		case "timestamp":
			group[h] = parquet.Optional(parquet.Timestamp(parquet.Millisecond))
		case "map":
			group[h] = parquet.Optional(parquet.Map(parquet.String(), parquet.Optional(parquet.String())))
		default:
			group[h] = parquet.Optional(parquet.String())
		}
	}
	schema := parquet.NewSchema("azure_export", group)
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, schema, parquet.Compression(&parquet.Snappy), parquet.MaxRowsPerRowGroup(3))
	var out bytes.Buffer
	cw := csv.NewWriter(&out)
	if err := cw.Write(header); err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		as := make([]string, len(header))
		copy(as, rec)
		var row parquet.Row
		for li, path := range schema.Columns() {
			i := col[path[0]]
			cell := ""
			if i < len(rec) {
				cell = rec[i]
			}
			switch kinds[i] {
			case "map":
				row = append(row, testutil.ParquetMapValues(t, cell, path[len(path)-1] == "key", li)...)
				continue
			case "double":
				if cell != "" {
					x, _ := strconv.ParseFloat(cell, 64)
					as[i] = strconv.FormatFloat(x, 'f', -1, 64)
					row = append(row, parquet.DoubleValue(x).Level(0, 1, li))
					continue
				}
			case "timestamp":
				if cell != "" {
					ts, err := textio.ParseTime(cell)
					if err != nil {
						t.Fatal(err)
					}
					as[i] = ts.UTC().Format(time.RFC3339Nano)
					row = append(row, parquet.Int64Value(ts.UnixMilli()).Level(0, 1, li))
					continue
				}
			default:
				if cell != "" {
					row = append(row, parquet.ByteArrayValue([]byte(cell)).Level(0, 1, li))
					continue
				}
			}
			row = append(row, parquet.Value{}.Level(0, 0, li))
		}
		if _, err := w.WriteRows([]parquet.Row{row}); err != nil {
			t.Fatal(err)
		}
		if err := cw.Write(as); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	cw.Flush()
	return buf.Bytes(), out.Bytes()
}

func parses(s string) bool { _, err := textio.ParseTime(s); return err == nil }

func writeTemp(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestParquetMatchesCSV: every sample, written as a Parquet export (all
// strings, and typed: DOUBLE costs, TIMESTAMP dates, MAP tags), reads as
// the same line items as the CSV of the same values, row for row, with
// the Parquet row as provenance.
func TestParquetMatchesCSV(t *testing.T) {
	for _, tc := range []struct {
		file string
		opts map[string]string
		p    cost.Period
	}{
		{"finops-toolkit__EA_ActualCost_Small.csv", nil, cost.Period{Year: 2023, Month: 9}},
		{"finops-toolkit__EA_AmortizedCost_Small.csv", map[string]string{"dataset": "amortized"}, cost.Period{Year: 2023, Month: 9}},
		{"koku__mca_camel_azure_version_2.csv", nil, cost.Period{Year: 2023, Month: 8}},
		{"koku__legacy_payg_costreport.csv", nil, cost.Period{Year: 2019, Month: 7}},
		{"opencost__headerset_Enterprise.csv", nil, cost.Period{Year: 2021, Month: 2}},
		{"opencost__headerset_German.csv", nil, cost.Period{Year: 2021, Month: 2}},
		{"opencost__headerset_YA.csv", nil, cost.Period{Year: 2021, Month: 2}},
		{"opencost__values_MissingBrackets.csv", map[string]string{"currency": "usd"}, cost.Period{Year: 2021, Month: 2}},
	} {
		for _, typed := range []bool{false, true} {
			name := tc.file + map[bool]string{false: "/strings", true: "/typed"}[typed]
			t.Run(name, func(t *testing.T) {
				src, err := os.ReadFile(filepath.Join("testdata", "samples", tc.file))
				if err != nil {
					t.Fatal(err)
				}
				pq, asCSV := toParquet(t, src, typed)
				dir := t.TempDir()
				pqPath := writeTemp(t, dir, "part_0_0001.snappy.parquet", pq)
				csvPath := writeTemp(t, dir, "as-read.csv", asCSV)
				want, wst, err := collect(t, openSource(t, "file:"+csvPath, tc.opts), tc.p)
				if err != nil {
					t.Fatalf("CSV: %v", err)
				}
				got, gst, err := collect(t, openSource(t, "file:"+pqPath, tc.opts), tc.p)
				if err != nil {
					t.Fatalf("Parquet: %v", err)
				}
				if len(want) == 0 {
					t.Fatal("no items: the case compares nothing")
				}
				for i := range got {
					if got[i].Source.Line != 0 || got[i].Source.Row != want[i].Source.Row || !strings.HasSuffix(got[i].Source.Object, ".parquet") {
						t.Errorf("item %d from %+v, want row %d of the Parquet file", i, got[i].Source, want[i].Source.Row)
					}
					got[i].Source, want[i].Source = cost.Provenance{}, cost.Provenance{}
				}
				if d := cmp.Diff(want, got, decimalEqual); d != "" {
					t.Errorf("Parquet items differ from CSV ones (-csv +parquet):\n%s", d)
				}
				if !gst.Billed.Equal(wst.Billed) || !gst.Effective.Equal(wst.Effective) || gst.Lines != wst.Lines {
					t.Errorf("totals %v, want %v", gst, wst)
				}
			})
		}
	}
}

// TestParquetExportRun: an export run whose manifest lists Parquet blobs
// reads like its CSV twin: the same lines and totals, and the manifest's
// row counts checked.
func TestParquetExportRun(t *testing.T) {
	runDir := filepath.Join("testdata", "export", "aiexport", "20261001-20261031", "202611020605", "9b1d2e4f-1111-4111-8111-00000000000b")
	manifest, err := os.ReadFile(filepath.Join(runDir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "aiexport", "20261001-20261031", "202611020605", "9b1d2e4f-1111-4111-8111-00000000000b")
	for _, f := range []string{"part_1_0001.csv", "part_1_0002.csv.gz"} {
		b, err := os.ReadFile(filepath.Join(runDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f, ".gz") {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if b, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		pq, _ := toParquet(t, b, false) // strings: the values are the CSV's exactly
		name := strings.TrimSuffix(strings.TrimSuffix(f, ".gz"), ".csv") + ".snappy.parquet"
		writeTemp(t, out, name, pq)
		manifest = bytes.ReplaceAll(manifest, []byte(f), []byte(name))
	}
	manifest = bytes.ReplaceAll(manifest, []byte(`"fileFormat": "Csv"`), []byte(`"fileFormat": "Parquet"`))
	writeTemp(t, out, "manifest.json", manifest)
	items, st, err := collect(t, openSource(t, "file:"+filepath.Join(dir, "aiexport"), nil), oct2026)
	if err != nil {
		t.Fatal(err)
	}
	if st.Lines != 8 || !st.Billed.Equal(d("46.282694819")) || !st.Effective.Equal(d("50.974050819")) {
		t.Errorf("lines %d, billed %s, effective %s; want 8, 46.282694819, 50.974050819 (the CSV run's)", st.Lines, st.Billed, st.Effective)
	}
	for _, li := range items {
		if !strings.HasSuffix(li.Source.Object, ".snappy.parquet") || li.Source.Row == 0 {
			t.Errorf("item from %+v, want a row of a Parquet blob", li.Source)
		}
	}

	// A blob with fewer rows than the manifest says: the run is incomplete.
	short := bytes.Replace(manifest, []byte(`"dataRowCount": 6`), []byte(`"dataRowCount": 7`), 1)
	short = bytes.Replace(short, []byte(`"dataRowCount": 8`), []byte(`"dataRowCount": 9`), 1)
	writeTemp(t, out, "manifest.json", short)
	if _, _, err := collect(t, openSource(t, "file:"+filepath.Join(dir, "aiexport"), nil), oct2026); err == nil ||
		!strings.Contains(err.Error(), "has 6 data rows but manifest") {
		t.Errorf("short blob: %v, want the row-count error", err)
	}
}

// TestParquetBadValue: a bad cell of a Parquet export is an error naming
// the file, the row and the column, and nothing is yielded.
func TestParquetBadValue(t *testing.T) {
	src := "SubscriptionId,Date,CostInBillingCurrency,BillingCurrency\n" +
		"sub-1,2026-10-01,1.5,USD\n" +
		"sub-1,2026-10-02,lots,USD\n"
	pq, _ := toParquet(t, []byte(src), false)
	p := writeTemp(t, t.TempDir(), "part_0_0001.snappy.parquet", pq)
	items, _, err := collect(t, openSource(t, "file:"+p, nil), oct2026)
	var re *connectors.RowError
	if !errors.As(err, &re) || re.Row != 2 || re.Line != 0 || re.Column != "CostInBillingCurrency" ||
		!strings.HasSuffix(re.Object, "part_0_0001.snappy.parquet") {
		t.Fatalf("error %v (%+v), want row 2, column CostInBillingCurrency of the Parquet file", err, re)
	}
	if !errors.Is(err, connectors.ErrBadInput) {
		t.Errorf("error %v does not match connectors.ErrBadInput", err)
	}
	if len(items) > 1 {
		t.Errorf("%d items yielded", len(items))
	}

	// Not Parquet at all.
	p = writeTemp(t, t.TempDir(), "part_0_0001.snappy.parquet", []byte(src))
	if _, _, err := collect(t, openSource(t, "file:"+p, nil), oct2026); err == nil || !strings.Contains(err.Error(), "not a readable Parquet file") {
		t.Errorf("a CSV named .parquet: %v, want not a readable Parquet file", err)
	}
}

// TestParquetDamagedDictionary: a dictionary index beyond its dictionary
// (parquet-go does not check them) fails the scan with a clear error
// instead of crashing.
func TestParquetDamagedDictionary(t *testing.T) {
	s := parquet.NewSchema("azure_export", parquet.Group{
		"SubscriptionId":        parquet.Optional(parquet.Encoded(parquet.String(), &parquet.RLEDictionary)),
		"Date":                  parquet.Optional(parquet.String()),
		"CostInBillingCurrency": parquet.Optional(parquet.String()),
		"BillingCurrency":       parquet.Optional(parquet.String()),
	})
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, s, parquet.Compression(&parquet.Uncompressed))
	for i := range 9 {
		var row parquet.Row
		for li, path := range s.Columns() {
			v := map[string]string{"SubscriptionId": fmt.Sprint("sub-", i%3), "Date": "2026-10-01", "CostInBillingCurrency": "1.5", "BillingCurrency": "USD"}[path[0]]
			row = append(row, parquet.ByteArrayValue([]byte(v)).Level(0, 1, li))
		}
		if _, err := w.WriteRows([]parquet.Row{row}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lc, _ := s.Lookup("SubscriptionId")
	p := writeTemp(t, t.TempDir(), "part_0_0001.parquet", testutil.CorruptDictIndexes(t, buf.Bytes(), 0, lc.ColumnIndex))
	items, _, err := collect(t, openSource(t, "file:"+p, nil), oct2026)
	var re *connectors.RowError
	if !errors.As(err, &re) || !errors.Is(err, connectors.ErrBadInput) || !strings.HasSuffix(re.Object, "part_0_0001.parquet") ||
		!strings.Contains(err.Error(), "damaged page") || !strings.Contains(err.Error(), "again") {
		t.Fatalf("error %v (%+v), want a bad-input error on the Parquet file naming the damaged page and what to do", err, re)
	}
	if len(items) > 0 {
		t.Errorf("%d items yielded", len(items))
	}
}

// FuzzDamagedParquet: whatever bytes of an Azure Parquet export's pages
// are damaged (their checksums made right), Scan and the grouped scan
// agree (items, or errors at the same place) and neither crashes.
func FuzzDamagedParquet(f *testing.F) {
	src, err := os.ReadFile(filepath.Join("testdata", "samples", "finops-toolkit__EA_ActualCost_Small.csv"))
	if err != nil {
		f.Fatal(err)
	}
	orig, _ := toParquet(f, src, true)
	testutil.FuzzDamage(f, orig, func(t *testing.T, b []byte) {
		p := writeTemp(t, t.TempDir(), "part_0_0001.snappy.parquet", b)
		connectortest.GroupsDamaged(t, driverAt(t, p, nil), cost.Period{Year: 2023, Month: 9})
	})
}
