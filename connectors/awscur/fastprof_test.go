package awscur

import (
	"context"
	"os"
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/objstore/fileblob"
)

// BenchmarkScanGroupsDir reads the export folder ALLOT_BENCH_DIR (for
// example bench/data/cur2-parquet-10000000/data/aws/allot-bench) through
// the fast path, for profiles of the grouped scan alone, on every field
// or, with ALLOT_BENCH_BASIS=billed (or effective), on the fields a run of
// the generated configuration reads:
//
//	ALLOT_BENCH_DIR=… ALLOT_BENCH_BASIS=billed GOMAXPROCS=1 go test -run '^$' -bench ScanGroupsDir -cpuprofile cpu.out ./connectors/awscur/
//
// It is skipped when ALLOT_BENCH_DIR is not set.
func BenchmarkScanGroupsDir(b *testing.B) {
	dir := os.Getenv("ALLOT_BENCH_DIR")
	if dir == "" {
		b.Skip("ALLOT_BENCH_DIR is not set")
	}
	opts := &Options{}
	switch os.Getenv("ALLOT_BENCH_BASIS") {
	case "billed": // what a run of the generated configuration reads
		opts.Fields = runFields
	case "effective": // the same on the effective basis
		opts.Fields = runFields.With(cost.FieldEffectiveCost)
	}
	d := NewCUR2(fileblob.New(dir), "", opts)
	p := cost.Period{Year: 2026, Month: 10}
	var lines, groups int64
	for b.Loop() {
		lines, groups = 0, 0
		err := d.ScanGroups(context.Background(), p, func(li *cost.LineItem) error { lines += li.Lines(); groups++; return nil })
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(float64(groups), "groups")
}
