package awscur

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/connectortest"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/testutil"
	"github.com/allot-dev/allot/objstore/fileblob"
	"github.com/parquet-go/parquet-go"
)

// csvText builds a small legacy CUR file.
func csvText(lines ...string) []byte { return []byte(strings.Join(lines, "\n") + "\n") }

const minimalHeader = "lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UnblendedCost,lineItem/CurrencyCode"

// badCase is a scan that must fail with a RowError at a known place.
type badCase struct {
	name   string
	src    func(t *testing.T) *connectors.Source
	period cost.Period
	err    error  // sentinel the error wraps
	object string // suffix of RowError.Object
	line   int64
	row    int64
	column string
	// maxItems is how many items may be yielded before the error.
	maxItems int
}

func singleCSV(content []byte) func(t *testing.T) *connectors.Source {
	return func(t *testing.T) *connectors.Source {
		path := filepath.Join(t.TempDir(), "report.csv")
		writeFile(t, path, content)
		return fileSource(t, connectors.KindAWSCUR, path)
	}
}

// legacyWith copies the legacy fixture and lets edit change the copy.
func legacyWith(edit func(t *testing.T, dir string)) func(t *testing.T) *connectors.Source {
	return func(t *testing.T) *connectors.Source {
		dir := copyTree(t, legacyDir)
		edit(t, dir)
		return folderSource(t, connectors.KindAWSCUR, dir, nil)
	}
}

func cur2With(from string, edit func(t *testing.T, dir string)) func(t *testing.T) *connectors.Source {
	return func(t *testing.T) *connectors.Source {
		dir := copyTree(t, from)
		edit(t, dir)
		return folderSource(t, connectors.KindAWSCUR2, dir, nil)
	}
}

const legacyPeriodDir = "20261001-20261101"

func editManifest(t *testing.T, path string, edit func(m map[string]any)) {
	var m map[string]any
	if err := json.Unmarshal(mustRead(t, path), &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, b)
}

// tmpPath matches a test's temporary folder in an error message.
var tmpPath = regexp.MustCompile(regexp.QuoteMeta(os.TempDir()) + `/[^/ ]+/[0-9]+/`)

func TestBadInput(t *testing.T) {
	var messages strings.Builder
	defer func() {
		if !t.Failed() {
			testutil.AssertGolden(t, "testdata/golden/errors.txt", []byte(messages.String()))
		}
	}()
	legacyManifest := func(dir string) string { return filepath.Join(dir, legacyPeriodDir, "hourly-Manifest.json") }
	cur2Manifest := func(dir string) string {
		return filepath.Join(dir, "metadata/BILLING_PERIOD=2026-10/bedrock-export-Manifest.json")
	}
	cases := []badCase{
		{
			name: "manifest lists a missing object",
			src: legacyWith(func(t *testing.T, dir string) {
				os.Remove(filepath.Join(dir, legacyPeriodDir, assemblyNew, "hourly-2.csv.gz"))
			}),
			period: oct2026, err: ErrMissingObject, object: "hourly-Manifest.json", column: "reportKeys[1]",
		},
		{
			name: "CUR 2.0 manifest lists a missing object",
			src: cur2With(cur2ParquetDir, func(t *testing.T, dir string) {
				os.Remove(filepath.Join(dir, "data/BILLING_PERIOD=2026-10", execNew, "bedrock-export-00001.snappy.parquet"))
			}),
			period: oct2026, err: ErrMissingObject, object: "bedrock-export-Manifest.json", column: "dataFiles[0]",
		},
		{
			name: "truncated gzip",
			src: legacyWith(func(t *testing.T, dir string) {
				p := filepath.Join(dir, legacyPeriodDir, assemblyNew, "hourly-2.csv.gz")
				b := mustRead(t, p)
				writeFile(t, p, b[:len(b)*2/3])
			}),
			period: oct2026, err: ErrCorrupt, object: "hourly-2.csv.gz", line: -1, maxItems: legacyLines - 1,
		},
		{
			name:   "missing required column",
			src:    singleCSV(csvText("lineItem/LineItemType,lineItem/UsageStartDate,lineItem/CurrencyCode", "Usage,2026-10-01T00:00:00Z,USD")),
			period: oct2026, err: ErrMissingColumn, object: "report.csv", line: 1, column: "lineItem/UnblendedCost",
		},
		{
			name:   "non-numeric cost",
			src:    singleCSV(csvText(minimalHeader, "Usage,2026-10-01T00:00:00Z,1.5,USD", "Usage,2026-10-01T01:00:00Z,1.5 USD,USD")),
			period: oct2026, err: ErrBadValue, object: "report.csv", line: 3, column: "lineItem/UnblendedCost", maxItems: 1,
		},
		{
			name:   "unparseable date",
			src:    singleCSV(csvText(minimalHeader, "Usage,01/10/2026,1.5,USD")),
			period: oct2026, err: ErrBadValue, object: "report.csv", line: 2, column: "lineItem/UsageStartDate",
		},
		{
			name:   "unknown line item type",
			src:    singleCSV(csvText(minimalHeader, "Usage,2026-10-01T00:00:00Z,1.5,USD", "Usage,2026-10-01T00:00:00Z,1.5,USD", "MysteryCharge,2026-10-01T00:00:00Z,1.5,USD")),
			period: oct2026, err: ErrUnknownLineItemType, object: "report.csv", line: 4, column: "lineItem/LineItemType", maxItems: 2,
		},
		{
			name:   "row with an extra cell",
			src:    singleCSV(csvText(minimalHeader, "Usage,2026-10-01T00:00:00Z,1.5,USD,extra")),
			period: oct2026, err: ErrCorrupt, object: "report.csv", line: 2,
		},
		{
			name:   "ZIP-compressed report",
			src:    singleCSV(append([]byte("PK\x03\x04"), make([]byte, 64)...)),
			period: oct2026, err: ErrUnsupportedFormat, object: "report.csv",
		},
		{
			name:   "empty file",
			src:    singleCSV(nil),
			period: oct2026, err: ErrCorrupt, object: "report.csv", line: 1,
		},
		{
			name: "manifest is not JSON",
			src: legacyWith(func(t *testing.T, dir string) {
				writeFile(t, legacyManifest(dir), []byte("{\n  \"assemblyId\": \"x\",\n  \"reportKeys\": [,]\n}\n"))
			}),
			period: oct2026, err: ErrBadManifest, object: "hourly-Manifest.json", line: 3,
		},
		{
			name: "manifest without assemblyId",
			src: legacyWith(func(t *testing.T, dir string) {
				editManifest(t, legacyManifest(dir), func(m map[string]any) { delete(m, "assemblyId") })
			}),
			period: oct2026, err: ErrBadManifest, object: "hourly-Manifest.json", column: "assemblyId",
		},
		{
			name: "manifest without reportKeys",
			src: legacyWith(func(t *testing.T, dir string) {
				editManifest(t, legacyManifest(dir), func(m map[string]any) { delete(m, "reportKeys") })
			}),
			period: oct2026, err: ErrBadManifest, object: "hourly-Manifest.json", column: "reportKeys",
		},
		{
			name: "manifest lists a file twice",
			src: legacyWith(func(t *testing.T, dir string) {
				editManifest(t, legacyManifest(dir), func(m map[string]any) {
					keys := m["reportKeys"].([]any)
					m["reportKeys"] = append(keys, keys[0])
				})
			}),
			period: oct2026, err: ErrBadManifest, object: "hourly-Manifest.json", column: "reportKeys[2]",
		},
		{
			name: "manifest of another billing period",
			src: legacyWith(func(t *testing.T, dir string) {
				editManifest(t, legacyManifest(dir), func(m map[string]any) {
					m["billingPeriod"] = map[string]any{"start": "20260901T000000.000Z", "end": "20261001T000000.000Z"}
				})
			}),
			period: oct2026, err: ErrBadManifest, object: "hourly-Manifest.json", column: "billingPeriod.start",
		},
		{
			name: "manifest lists a file outside the report",
			src: legacyWith(func(t *testing.T, dir string) {
				editManifest(t, legacyManifest(dir), func(m map[string]any) { m["reportKeys"] = []any{"elsewhere/data.csv.gz"} })
			}),
			period: oct2026, err: ErrBadManifest, object: "hourly-Manifest.json", column: "reportKeys[0]",
		},
		{
			name: "CUR 2.0 manifest without executionId",
			src: cur2With(cur2ParquetDir, func(t *testing.T, dir string) {
				editManifest(t, cur2Manifest(dir), func(m map[string]any) { m["executionId"] = "" })
			}),
			period: oct2026, err: ErrBadManifest, object: "bedrock-export-Manifest.json", column: "executionId",
		},
		{
			name: "CUR 2.0 CSV map column that is not JSON",
			src: cur2With(cur2CSVDir, func(t *testing.T, dir string) {
				p := filepath.Join(dir, "data/BILLING_PERIOD=2026-10/bedrock-export-00002.csv.gz")
				src := mustRead(t, "testdata/src/cur2-part2.csv")
				src = bytes.Replace(src, []byte(`"{""user:team"":""support""}"`), []byte(`user:team=support`), 1)
				writeFile(t, p, gzipBytes(t, src))
			}),
			period: oct2026, err: ErrBadValue, object: "bedrock-export-00002.csv.gz", line: 3, column: "resource_tags", maxItems: 10,
		},
		{
			name: "truncated Parquet",
			src: cur2With(cur2ParquetDir, func(t *testing.T, dir string) {
				p := filepath.Join(dir, "data/BILLING_PERIOD=2026-10", execNew, "bedrock-export-00002.snappy.parquet")
				b := mustRead(t, p)
				writeFile(t, p, b[:len(b)/2])
			}),
			period: oct2026, err: ErrCorrupt, object: "bedrock-export-00002.snappy.parquet", maxItems: 9,
		},
		{
			name: "Parquet without a currency column",
			src: func(t *testing.T) *connectors.Source {
				path := filepath.Join(t.TempDir(), "export.parquet")
				writeFile(t, path, parquetWith(t, []string{"line_item_line_item_type", "line_item_usage_start_date", "line_item_unblended_cost"},
					[]string{"Usage", "2026-10-01T00:00:00Z", "1.5"}))
				return fileSource(t, connectors.KindAWSCUR2, path)
			},
			period: oct2026, err: ErrMissingColumn, object: "export.parquet", column: "line_item_currency_code",
		},
		{
			name: "Parquet string cost that is not a number",
			src: func(t *testing.T) *connectors.Source {
				path := filepath.Join(t.TempDir(), "export.parquet")
				writeFile(t, path, parquetWith(t, []string{"line_item_line_item_type", "line_item_usage_start_date", "line_item_unblended_cost", "line_item_currency_code"},
					[]string{"Usage", "2026-10-01T00:00:00Z", "1.5", "USD"},
					[]string{"Usage", "2026-10-01T00:00:00Z", "one", "USD"}))
				return fileSource(t, connectors.KindAWSCUR2, path)
			},
			period: oct2026, err: ErrBadValue, object: "export.parquet", row: 2, column: "line_item_unblended_cost", maxItems: 1,
		},
		{
			// parquet-go does not check dictionary indexes: both readers must.
			name: "Parquet dictionary index beyond the dictionary",
			src: func(t *testing.T) *connectors.Source {
				path := filepath.Join(t.TempDir(), "export.parquet")
				writeFile(t, path, damagedDictParquet(t))
				return fileSource(t, connectors.KindAWSCUR2, path)
			},
			period: oct2026, err: ErrCorrupt, object: "export.parquet", row: 1, column: "line_item_line_item_type",
		},
		{
			name: "Parquet string date that is not a timestamp",
			src: func(t *testing.T) *connectors.Source {
				path := filepath.Join(t.TempDir(), "export.parquet")
				writeFile(t, path, parquetWith(t, []string{"line_item_line_item_type", "line_item_usage_start_date", "line_item_unblended_cost", "line_item_currency_code"},
					[]string{"Usage", "1 Oct 2026", "1.5", "USD"}))
				return fileSource(t, connectors.KindAWSCUR2, path)
			},
			period: oct2026, err: ErrBadValue, object: "export.parquet", row: 1, column: "line_item_usage_start_date",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := tc.src(t)
			var items int
			_, err := src.Scan(context.Background(), tc.period, func(*cost.LineItem) error { items++; return nil })
			var re *connectors.RowError
			if !errors.As(err, &re) {
				t.Fatalf("error = %v, want a *connectors.RowError", err)
			}
			msg := err.Error()
			if i := strings.Index(msg, re.Object); i >= 0 {
				msg = msg[i+len(re.Object)-len(filepath.Base(re.Object)):]
			}
			msg = tmpPath.ReplaceAllString(msg, "<tmp>/")
			fmt.Fprintf(&messages, "%s:\n\t%s\n", tc.name, msg)
			if !errors.Is(err, tc.err) || !errors.Is(err, connectors.ErrBadInput) {
				t.Errorf("error = %v, want one wrapping %v and connectors.ErrBadInput", err, tc.err)
			}
			if !strings.HasSuffix(re.Object, tc.object) {
				t.Errorf("error names object %q, want one ending in %q", re.Object, tc.object)
			}
			switch {
			case tc.line > 0 && re.Line != tc.line:
				t.Errorf("error names line %d, want %d", re.Line, tc.line)
			case tc.line < 0 && re.Line < 2:
				t.Errorf("error names line %d, want a data line", re.Line)
			}
			if tc.row > 0 && re.Row != tc.row {
				t.Errorf("error names row %d, want %d", re.Row, tc.row)
			}
			if re.Column != tc.column {
				t.Errorf("error names column %q, want %q", re.Column, tc.column)
			}
			if items > tc.maxItems {
				t.Errorf("%d items yielded before the error, want at most %d", items, tc.maxItems)
			}
			if strings.Contains(err.Error(), "%!") {
				t.Errorf("malformed message: %v", err)
			}
		})
	}
}

// An extra, unknown column is not an error.
func TestUnknownColumnsTolerated(t *testing.T) {
	src := singleCSV(csvText(minimalHeader+",myCompany/Whatever,lineItem/SomethingNew",
		"Usage,2026-10-01T00:00:00Z,1.5,USD,x,y"))(t)
	_, st := mustScan(t, src, oct2026)
	if st.Lines != 1 || !st.Billed.Equal(d("1.5")) {
		t.Errorf("stats = %d lines billed %s, want 1, 1.5", st.Lines, st.Billed)
	}
}

func TestCancelledMidScan(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := folderSource(t, connectors.KindAWSCUR, legacyDir, nil)
	n := 0
	_, err := src.Scan(ctx, oct2026, func(*cost.LineItem) error {
		n++
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if n >= legacyLines {
		t.Errorf("%d items yielded after cancellation, want the scan to stop before the end", n)
	}
}

// parquetWith writes a Parquet file of optional string columns.
func parquetWith(t *testing.T, header []string, rows ...[]string) []byte {
	return parquetDictWith(t, header, nil, rows...)
}

// parquetDictWith is parquetWith with the columns of dict dictionary
// encoded (and the file uncompressed).
func parquetDictWith(t *testing.T, header []string, dict map[string]bool, rows ...[]string) []byte {
	group := parquet.Group{}
	for _, h := range header {
		group[h] = parquet.Optional(parquet.String())
		if dict[h] {
			group[h] = parquet.Optional(parquet.Encoded(parquet.String(), &parquet.RLEDictionary))
		}
	}
	schema := parquet.NewSchema("x", group)
	idx := map[string]int{}
	for i, h := range header {
		idx[h] = i
	}
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, schema, parquet.Compression(&parquet.Uncompressed))
	for _, r := range rows {
		var row parquet.Row
		for li, path := range schema.Columns() {
			row = append(row, parquet.ByteArrayValue([]byte(r[idx[path[0]]])).Level(0, 1, li))
		}
		if _, err := w.WriteRows([]parquet.Row{row}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// damagedDictParquet is a CUR 2.0 Parquet file whose first line item type
// is a dictionary index beyond its dictionary.
func damagedDictParquet(t *testing.T) []byte {
	header := []string{"line_item_line_item_type", "line_item_usage_start_date", "line_item_unblended_cost", "line_item_currency_code"}
	var rows [][]string
	for i := range 30 {
		rows = append(rows, []string{[]string{"Usage", "Tax", "Fee"}[i%3], "2026-10-01T00:00:00Z", "1.5", "USD"})
	}
	b := parquetDictWith(t, header, map[string]bool{"line_item_line_item_type": true}, rows...)
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	lc, _ := f.Schema().Lookup("line_item_line_item_type")
	return testutil.CorruptDictIndexes(t, b, 0, lc.ColumnIndex)
}

// TestDamagedDictionaryGroups: the grouped scan refuses the damaged file
// with Scan's error (and neither crashes).
func TestDamagedDictionaryGroups(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "export.parquet"), damagedDictParquet(t))
	connectortest.Groups(t, NewCUR2(fileblob.New(dir), "export.parquet", nil), oct2026)
}

// FuzzDamagedParquet: whatever bytes of a CUR 2.0 Parquet object's pages
// are damaged (their checksums made right), Scan and the grouped scan
// agree (items, or errors at the same place) and neither crashes.
// (Damaged page headers: fastagg's tests.)
func FuzzDamagedParquet(f *testing.F) {
	rel := "data/BILLING_PERIOD=2026-10/" + execNew + "/bedrock-export-00001.snappy.parquet"
	orig := mustRead(f, filepath.Join(cur2ParquetDir, rel))
	testutil.FuzzDamage(f, orig, func(t *testing.T, b []byte) {
		dir := copyTree(t, cur2ParquetDir)
		writeFile(t, filepath.Join(dir, rel), b)
		connectortest.GroupsDamaged(t, NewCUR2(fileblob.New(dir), "", nil), oct2026)
	})
}

// FuzzDamagedCSV: whatever bytes of a CUR CSV object (CUR 2.0 or legacy)
// are changed, Scan and the grouped scan agree: the same items, or the
// same error at the same place (CSV errors are the readers' own words:
// word for word).
func FuzzDamagedCSV(f *testing.F) {
	type fixture struct {
		src, dir, object string
		open             func(dir string) connectors.Driver
	}
	fixtures := []fixture{
		{"testdata/src/cur2-part2.csv", cur2CSVDir, "data/BILLING_PERIOD=2026-10/bedrock-export-00002.csv.gz",
			func(dir string) connectors.Driver { return NewCUR2(fileblob.New(dir), "", nil) }},
		{"testdata/src/legacy-b-1.csv", legacyDir, "20261001-20261101/b7d4c2e1-9a8f-4b3c-a1d2-e3f4a5b6c7d8/hourly-1.csv.gz",
			func(dir string) connectors.Driver { return NewCUR(fileblob.New(dir), "", nil) }},
	}
	srcs := make([][]byte, len(fixtures))
	for i, fx := range fixtures {
		srcs[i] = mustRead(f, fx.src)
	}
	f.Add(false, uint32(0), byte('"'), uint8(1), uint16(1))
	f.Add(false, uint32(200), byte(','), uint8(3), uint16(57))
	f.Add(true, uint32(90), byte('\n'), uint8(2), uint16(13))
	f.Fuzz(func(t *testing.T, legacy bool, at uint32, c byte, n uint8, stride uint16) {
		k := 0
		if legacy {
			k = 1
		}
		fx, b := fixtures[k], bytes.Clone(srcs[k])
		for j := range int(n) {
			b[(int(at)+j*int(stride))%len(b)] = c
		}
		dir := copyTree(t, fx.dir)
		writeFile(t, filepath.Join(dir, fx.object), gzipBytes(t, b))
		connectortest.Groups(t, fx.open(dir), oct2026)
	})
}

// FuzzManifest: whatever a legacy or CUR 2.0 manifest holds, Scan and the
// grouped scan agree (the same items or the same error) and neither
// crashes.
func FuzzManifest(f *testing.F) {
	legacy := filepath.Join(legacyPeriodDir, "hourly-Manifest.json")
	cur2 := filepath.Join("metadata/BILLING_PERIOD=2026-10", "bedrock-export-Manifest.json")
	f.Add(false, mustRead(f, filepath.Join(legacyDir, legacy)))
	f.Add(true, mustRead(f, filepath.Join(cur2ParquetDir, cur2)))
	f.Add(false, []byte(`{"assemblyId":"x","reportKeys":["../../x.csv"],"billingPeriod":{"start":"20261001T000000.000Z"}}`))
	f.Add(true, []byte(`{"executionId":"x","dataFiles":["s3://b/x"],"reportName":"bedrock-export"}`))
	f.Fuzz(func(t *testing.T, isCur2 bool, m []byte) {
		from, rel, open := legacyDir, legacy, func(dir string) connectors.Driver { return NewCUR(fileblob.New(dir), "", nil) }
		if isCur2 {
			from, rel, open = cur2ParquetDir, cur2, func(dir string) connectors.Driver { return NewCUR2(fileblob.New(dir), "", nil) }
		}
		dir := copyTree(t, from)
		writeFile(t, filepath.Join(dir, rel), m)
		connectortest.Groups(t, open(dir), oct2026)
	})
}

// FuzzDamagedGzip: whatever bytes of a CUR 2.0 CSV.gz object's gzip
// stream are damaged (a bad checksum, a truncated or garbled stream), Scan
// and the grouped scan agree: the same items or the same error.
func FuzzDamagedGzip(f *testing.F) {
	rel := "data/BILLING_PERIOD=2026-10/bedrock-export-00002.csv.gz"
	orig := mustRead(f, filepath.Join(cur2CSVDir, rel))
	testutil.FuzzBytes(f, orig, func(t *testing.T, b []byte) {
		dir := copyTree(t, cur2CSVDir)
		writeFile(t, filepath.Join(dir, rel), b)
		connectortest.Groups(t, NewCUR2(fileblob.New(dir), "", nil), oct2026)
	})
}

// TestTruncatedGzipAtLineBoundary: a CSV.gz object cut off where its
// compressed stream ends a line (a flush point) decompresses to whole
// lines and then io.ErrUnexpectedEOF. Both scans must refuse it: the
// grouped scan's read-ahead once took that error for the end of a complete
// file and grouped the lines before the cut, silently.
func TestTruncatedGzipAtLineBoundary(t *testing.T) {
	rel := "data/BILLING_PERIOD=2026-10/bedrock-export-00002.csv.gz"
	cutGz := testutil.GzipCutAtLine(mustRead(t, "testdata/src/cur2-part2.csv"))
	dir := copyTree(t, cur2CSVDir)
	writeFile(t, filepath.Join(dir, rel), cutGz)
	d := NewCUR2(fileblob.New(dir), "", nil)
	connectortest.Groups(t, d, oct2026)
	err := d.Scan(context.Background(), oct2026, func(*cost.LineItem) error { return nil })
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("error = %v, want ErrCorrupt", err)
	}
}
