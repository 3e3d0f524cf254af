package awscur

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/allot-dev/allot/internal/testutil"
	"github.com/parquet-go/parquet-go"
	"github.com/shopspring/decimal"
)

// Fixture folders. The binary data files under them are generated from
// the CSV sources in testdata/src by TestGenerateFixtures (go test -update);
// the manifests are written by hand.
const (
	assemblyOld = "3f6a1c2e-7b8d-4e9f-a0b1-c2d3e4f5a6b7"
	assemblyNew = "b7d4c2e1-9a8f-4b3c-a1d2-e3f4a5b6c7d8"
	execOld     = "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"
	execNew     = "7d3f9a2e-5b1c-4e8a-9f0d-2c6b8a4e1f37"

	legacyDir      = "testdata/cur/hourly"
	cur2ParquetDir = "testdata/cur2-parquet/bedrock-export"
	cur2CSVDir     = "testdata/cur2-csv/bedrock-export"
	athenaParquet  = "testdata/single/legacy-athena-decimal.parquet"
)

// fixtureFile is one generated data file and the source it comes from.
type fixtureFile struct {
	src, dst string
	costs    string // parquet cost columns: "double" or "decimal"
}

func fixtureFiles() []fixtureFile {
	lp := legacyDir + "/20261001-20261101/"
	cp := cur2ParquetDir + "/data/BILLING_PERIOD=2026-10/"
	cc := cur2CSVDir + "/data/BILLING_PERIOD=2026-10/"
	return []fixtureFile{
		{src: "legacy-a-1.csv", dst: lp + assemblyOld + "/hourly-1.csv.gz"},
		{src: "legacy-b-1.csv", dst: lp + assemblyNew + "/hourly-1.csv.gz"},
		{src: "legacy-b-2.csv", dst: lp + assemblyNew + "/hourly-2.csv.gz"},
		{src: "cur2-part1.csv", dst: cp + execNew + "/bedrock-export-00001.snappy.parquet", costs: "double"},
		{src: "cur2-part2.csv", dst: cp + execNew + "/bedrock-export-00002.snappy.parquet", costs: "double"},
		{src: "cur2-stale.csv", dst: cp + execOld + "/bedrock-export-00001.snappy.parquet", costs: "double"},
		{src: "cur2-part1.csv", dst: cc + "bedrock-export-00001.csv.gz"},
		{src: "cur2-part2.csv", dst: cc + "bedrock-export-00002.csv.gz"},
		{src: "cur2-stale.csv", dst: cc + execOld + "-bedrock-export-00001.csv.gz"},
		{src: "legacy-athena.csv", dst: athenaParquet, costs: "decimal"},
	}
}

// TestGenerateFixtures writes the binary fixtures from testdata/src when
// run with -update; without it, it checks that every gzip fixture still
// holds its source byte for byte.
func TestGenerateFixtures(t *testing.T) {
	for _, ff := range fixtureFiles() {
		src, err := os.ReadFile(filepath.Join("testdata/src", ff.src))
		if err != nil {
			t.Fatal(err)
		}
		if testutil.Updating() {
			var out []byte
			if ff.costs != "" {
				out = writeParquetFixture(t, src, ff.costs)
			} else {
				out = gzipBytes(t, src)
			}
			if err := os.MkdirAll(filepath.Dir(ff.dst), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(ff.dst, out, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if ff.costs != "" {
			continue // checked by the scan tests against totals computed by hand
		}
		zr, err := gzip.NewReader(bytes.NewReader(mustRead(t, ff.dst)))
		if err != nil {
			t.Fatalf("%s: %v", ff.dst, err)
		}
		var got bytes.Buffer
		if _, err := got.ReadFrom(zr); err != nil {
			t.Fatalf("%s: %v", ff.dst, err)
		}
		if !bytes.Equal(got.Bytes(), src) {
			t.Errorf("%s does not hold testdata/src/%s; run go test -update", ff.dst, ff.src)
		}
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf) // no name, zero modification time: reproducible
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// columnKind is how the fixture writer stores a CSV column in Parquet, the
// way Data Exports types CUR 2.0 columns.
func columnKind(name string) string {
	switch {
	case name == "resource_tags" || name == "cost_category":
		return "map"
	case strings.HasPrefix(name, "resource_tags_") || strings.HasPrefix(name, "cost_category_"):
		return "string"
	case strings.Contains(name, "_cost") || strings.Contains(name, "_amount") || strings.Contains(name, "_rate") ||
		strings.Contains(name, "_fee") || strings.Contains(name, "commitment"):
		return "number"
	case strings.HasSuffix(name, "_date"):
		return "timestamp"
	}
	return "string"
}

// writeParquetFixture converts a CSV source into Parquet: numbers as
// DOUBLE (Data Exports) or DECIMAL(18,10) (Athena CTAS), dates as
// TIMESTAMP, JSON map cells as MAP<string,string>. Small row groups and
// pages make the reader cross row-group and page boundaries.
func writeParquetFixture(t testing.TB, src []byte, costs string) []byte {
	t.Helper()
	return writeParquet(t, src, costs, parquet.MaxRowsPerRowGroup(4), parquet.PageBufferSize(256))
}

func writeParquet(t testing.TB, src []byte, costs string, opts ...parquet.WriterOption) []byte {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(src)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := recs[0]
	group := parquet.Group{}
	for _, h := range header {
		switch columnKind(h) {
		case "map":
			group[h] = parquet.Optional(parquet.Map(parquet.String(), parquet.Optional(parquet.String())))
		case "timestamp":
			unit := parquet.Millisecond
			if costs == "decimal" {
				unit = parquet.Microsecond
			}
			group[h] = parquet.Optional(parquet.Timestamp(unit))
		case "number":
			if costs == "decimal" {
				group[h] = parquet.Optional(parquet.Decimal(10, 18, parquet.Int64Type))
			} else {
				group[h] = parquet.Optional(parquet.Leaf(parquet.DoubleType))
			}
		default:
			group[h] = parquet.Optional(parquet.String())
		}
	}
	schema := parquet.NewSchema("cost_and_usage_report", group)
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, append([]parquet.WriterOption{schema, parquet.Compression(&parquet.Snappy)}, opts...)...)
	for _, rec := range recs[1:] {
		var row parquet.Row
		for li, path := range schema.Columns() {
			cell := rec[col[path[0]]]
			switch {
			case len(path) == 1:
				row = append(row, parquetCell(t, columnKind(path[0]), costs, cell).Level(0, boolInt(cell != ""), li))
			case path[len(path)-1] == "key", path[len(path)-1] == "value":
				row = append(row, testutil.ParquetMapValues(t, cell, path[len(path)-1] == "key", li)...)
			default:
				t.Fatalf("unexpected leaf %v", path)
			}
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

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func parquetCell(t testing.TB, kind, costs, cell string) parquet.Value {
	if cell == "" {
		return parquet.Value{}
	}
	switch kind {
	case "timestamp":
		ts, err := time.Parse(time.RFC3339Nano, strings.Replace(cell, " ", "T", 1)+zoneSuffix(cell))
		if err != nil {
			t.Fatal(err)
		}
		if costs == "decimal" {
			return parquet.Int64Value(ts.UnixMicro())
		}
		return parquet.Int64Value(ts.UnixMilli())
	case "number":
		if costs == "decimal" {
			d := decimal.RequireFromString(cell).Shift(10)
			if !d.Equal(d.Truncate(0)) {
				t.Fatalf("%s does not fit DECIMAL(18,10)", cell)
			}
			return parquet.Int64Value(d.IntPart())
		}
		x, err := strconv.ParseFloat(cell, 64)
		if err != nil {
			t.Fatal(err)
		}
		return parquet.DoubleValue(x)
	}
	return parquet.ByteArrayValue([]byte(cell))
}

func zoneSuffix(cell string) string {
	if strings.HasSuffix(cell, "Z") {
		return ""
	}
	return "Z"
}

// mapLeaf writes one row's keys (or values) of a MAP column from a JSON cell.
