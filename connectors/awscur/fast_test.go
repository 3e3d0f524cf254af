package awscur

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/allot-dev/allot/connectors/connectortest"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/gen"
	"github.com/allot-dev/allot/internal/testutil"
	"github.com/allot-dev/allot/objstore/fileblob"
	"github.com/parquet-go/parquet-go"
)

// TestGroupsFixtures: on every fixture, ScanGroups yields the groups of
// Scan's lines (connectortest.Groups builds them independently).
func TestGroupsFixtures(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    *Driver
		p    cost.Period
	}{
		{"legacy CUR folder", NewCUR(fileblob.New(legacyDir), "", nil), oct2026},
		{"CUR 2.0 Parquet", NewCUR2(fileblob.New(cur2ParquetDir), "", nil), oct2026},
		{"CUR 2.0 CSV.gz", NewCUR2(fileblob.New(cur2CSVDir), "", nil), oct2026},
		{"Athena Parquet with DECIMAL costs", NewCUR(fileblob.New(filepath.Dir(athenaParquet)), filepath.Base(athenaParquet), nil), oct2026},
	} {
		t.Run(tc.name, func(t *testing.T) { connectortest.Groups(t, tc.d, tc.p) })
	}
}

// TestGroupsGenerated compares the fast paths with the line reader on
// generated CUR 2.0 exports: many lines per group, every line item type,
// net costs, E-notation, 12-digit amounts (the exact slow path), tag maps
// with and without dictionaries, several files and row groups.
func TestGroupsGenerated(t *testing.T) {
	for _, tc := range generatedFiles {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.o
			o.Rows, o.Format, o.Period, o.Seed, o.Files = 30000, gen.FormatAWSCUR2, oct2026, 11, 3
			o.Resources, o.Accounts, o.Teams, o.LongDecimals, o.RowGroup = 80, 6, 5, 0.05, 4000
			o.Out = filepath.Join(t.TempDir(), "g")
			if _, err := gen.Generate(context.Background(), o, nil); err != nil {
				t.Fatal(err)
			}
			d := NewCUR2(fileblob.New(filepath.Join(o.Out, "data", "aws", "allot-bench")), "", nil)
			n := connectortest.Groups(t, d, oct2026)
			if n < 100 || n > 30000/5 {
				t.Errorf("%d groups for 30000 lines: want fewer, larger groups", n)
			}
		})
	}
}

// TestGroupsReadWhatScanReads: a value the row's cost rule never reads is
// not an error for Scan, so it is not one for ScanGroups either; a bad
// value the rule reads fails both alike.
func TestGroupsReadWhatScanReads(t *testing.T) {
	header := minimalHeader + ",reservation/EffectiveCost,lineItem/ResourceId"
	for _, tc := range []struct {
		name string
		file string
		data []byte
	}{
		{"CSV: garbage in a column Usage rows do not read", "cur.csv", csvText(header,
			"Usage,2026-10-01T00:00:00Z,1.5,USD,not a number,r1",
			"Usage,2026-10-02T00:00:00Z,2.5,USD,,r1",
			"DiscountedUsage,2026-10-02T00:00:00Z,0,USD,0.75,r1")},
		{"CSV: garbage in a column the rule reads", "cur.csv", csvText(header,
			"Usage,2026-10-01T00:00:00Z,1.5,USD,,r1",
			"DiscountedUsage,2026-10-02T00:00:00Z,0,USD,seven,r1")},
		{"CSV: the first bad line of several", "cur.csv", csvText(header,
			"Usage,2026-10-01T00:00:00Z,1.5,USD,,r1",
			"Usage,2026-10-01T00:00:00Z,x,USD,,r1",
			"Bogus,2026-10-01T00:00:00Z,1,USD,,r1")},
		{"Parquet: text in a column Usage rows do not read", "cur.parquet", parquetWith(t,
			[]string{"line_item_line_item_type", "line_item_usage_start_date", "line_item_unblended_cost", "line_item_currency_code", "reservation_effective_cost"},
			[]string{"Usage", "2026-10-01T00:00:00Z", "1.5", "USD", "n/a"},
			[]string{"DiscountedUsage", "2026-10-01T00:00:00Z", "0", "USD", "0.5"})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, tc.file), tc.data)
			connectortest.Groups(t, NewCUR(fileblob.New(dir), tc.file, nil), oct2026)
		})
	}
}

// generatedFiles are the file variants the grouped readers are compared
// on: Parquet with dictionaries, with the tag map plain, with every column
// plain, and CSV.gz.
var generatedFiles = []struct {
	name string
	o    gen.Options
}{
	{"Parquet", gen.Options{File: gen.FileParquet}},
	{"Parquet, tag map without dictionary", gen.Options{File: gen.FileParquet, NoDict: true}},
	{"Parquet, every column plain", gen.Options{File: gen.FileParquet, Plain: true}},
	{"CSV.gz", gen.Options{File: gen.FileCSVGzip}},
}

// TestGroupsParquetWriterOptions: the grouped scan reads what Scan reads
// whatever the writer chose: data pages v1 or v2, every codec, small pages
// and row groups (the fixture's objects rewritten row for row).
func TestGroupsParquetWriterOptions(t *testing.T) {
	rel := "data/BILLING_PERIOD=2026-10/" + execNew
	files, err := filepath.Glob(filepath.Join(cur2ParquetDir, rel, "*.parquet"))
	if err != nil || len(files) == 0 {
		t.Fatalf("fixture objects: %v %v", files, err)
	}
	for _, v := range testutil.WriterVariants(3) {
		t.Run(v.Name, func(t *testing.T) {
			dir := copyTree(t, cur2ParquetDir)
			for _, f := range files {
				writeFile(t, filepath.Join(dir, rel, filepath.Base(f)), rewriteParquet(t, mustRead(t, f), v.Opts...))
			}
			if n := connectortest.Groups(t, NewCUR2(fileblob.New(dir), "", nil), oct2026); n == 0 {
				t.Fatal("no items")
			}
		})
	}
}

// rewriteParquet writes the rows of Parquet file b again with opts.
func rewriteParquet(t *testing.T, b []byte, opts ...parquet.WriterOption) []byte {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w := parquet.NewWriter(&out, append([]parquet.WriterOption{f.Schema()}, opts...)...)
	for _, rg := range f.RowGroups() {
		rows := rg.Rows()
		if _, err := parquet.CopyRows(w, rows); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
