package awscur

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/gen"
	"github.com/allot-dev/allot/objstore/fileblob"
)

const fastBenchRows = 500_000

// BenchmarkScanGroups reads a generated CUR 2.0 export (the layout of the
// bench/run.sh benchmark) through the fast path on every field (groups)
// and on the fields a run of the generated configuration reads (run:
// pipeline.NeededFields, billed basis), and line by line for comparison
// (go test -run '^$' -bench ScanGroups -benchmem ./connectors/awscur/).
func BenchmarkScanGroups(b *testing.B) {
	for _, tc := range []struct {
		name string
		o    gen.Options
	}{
		{"Parquet", gen.Options{File: gen.FileParquet}},
		{"ParquetTagsPlain", gen.Options{File: gen.FileParquet, NoDict: true}},
		{"CSVGzip", gen.Options{File: gen.FileCSVGzip}},
	} {
		o := tc.o
		o.Rows, o.Format, o.Period, o.Seed, o.Files = fastBenchRows, gen.FormatAWSCUR2, oct2026, 1, 2
		o.Out = filepath.Join(b.TempDir(), "g")
		if _, err := gen.Generate(context.Background(), o, nil); err != nil {
			b.Fatal(err)
		}
		dir := fileblob.New(filepath.Join(o.Out, "data", "aws", "allot-bench"))
		for _, mode := range []string{"groups", "run", "lines"} {
			d := NewCUR2(dir, "", nil)
			if mode == "run" {
				d = NewCUR2(dir, "", &Options{Fields: runFields})
			}
			b.Run(tc.name+"/"+mode, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					var n int64
					fn := func(li *cost.LineItem) error { n += li.Lines(); return nil }
					var err error
					if mode != "lines" {
						err = d.ScanGroups(context.Background(), oct2026, fn)
					} else {
						err = d.Scan(context.Background(), oct2026, fn)
					}
					if err != nil || n != fastBenchRows {
						b.Fatalf("%d lines, %v", n, err)
					}
				}
				b.ReportMetric(float64(fastBenchRows)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
			})
		}
	}
}

// runFields are the fields a run of the generated configuration reads
// (pipeline.NeededFields on the billed basis; pipeline's tests check it).
var runFields = cost.FieldSet(0).With(cost.FieldProviderName, cost.FieldSubAccountID, cost.FieldSubAccountName,
	cost.FieldResourceGroup, cost.FieldServiceName, cost.FieldSku, cost.FieldResourceID, cost.FieldTags,
	cost.FieldBilledCost)
