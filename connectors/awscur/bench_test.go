package awscur

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/objstore/fileblob"
)

// benchRows is the size of the synthetic file each benchmark scans.
const benchRows = 100_000

// benchSource repeats the CUR 2.0 fixture rows (Bedrock usage, savings
// plan and reservation rows, JSON tag maps) to benchRows rows.
func benchSource(b *testing.B) []byte {
	b.Helper()
	var out bytes.Buffer
	var rows [][]byte
	for i, f := range []string{"cur2-part1.csv", "cur2-part2.csv"} {
		lines := bytes.SplitAfter(mustRead(b, filepath.Join("testdata/src", f)), []byte("\n"))
		if i == 0 {
			out.Write(lines[0])
		}
		for _, l := range lines[1:] {
			if len(l) > 0 {
				rows = append(rows, l)
			}
		}
	}
	for i := 0; i < benchRows; i++ {
		out.Write(rows[i%len(rows)])
	}
	return out.Bytes()
}

func benchScan(b *testing.B, name string, data []byte) {
	dir := b.TempDir()
	writeFile(b, filepath.Join(dir, name), data)
	drv := NewCUR2(fileblob.New(dir), name, nil)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	var n int64
	for b.Loop() {
		err := drv.Scan(ctx, oct2026, func(li *cost.LineItem) error {
			n++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkScanCSVGzip(b *testing.B) {
	benchScan(b, "export.csv.gz", gzipBytes(b, benchSource(b)))
}

func BenchmarkScanParquet(b *testing.B) {
	benchScan(b, "export.snappy.parquet", writeParquet(b, benchSource(b), "double"))
}

func BenchmarkScanParquetDecimal(b *testing.B) {
	benchScan(b, "export.snappy.parquet", writeParquet(b, benchSource(b), "decimal"))
}
