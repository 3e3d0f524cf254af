package pipeline

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/allot-dev/allot/allocator"
	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/awscur"
	"github.com/allot-dev/allot/connectors/azexport"
	"github.com/allot-dev/allot/connectors/focus"
	"github.com/allot-dev/allot/connectors/gateway"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/gen"
	"github.com/allot-dev/allot/objstore"
	"github.com/allot-dev/allot/objstore/fileblob"
	"github.com/allot-dev/allot/reports"
	"github.com/allot-dev/allot/reports/erp"
	"github.com/allot-dev/allot/reports/gapreport"
	"github.com/allot-dev/allot/reports/statements"
	"github.com/allot-dev/allot/rules"
	"github.com/allot-dev/allot/tagging"
)

// The hot paths of a run, one benchmark each, on a generated month
// (internal/gen): decode and group (Gather, per source format), resolve
// (the tagging chain on line items), allocate and write (journals,
// allocations.csv, summary). Run them with
//
//	go test -run '^$' -bench . -benchmem ./pipeline/
//
// Decoding alone is benchmarked in connectors/focus, connectors/awscur and
// connectors/internal/fastagg.

const benchLines = 200_000

var benchPeriod = cost.Period{Year: 2026, Month: 10}

func benchConfig(b *testing.B, format, file string) *rules.Config {
	b.Helper()
	out := filepath.Join(b.TempDir(), "gen")
	res, err := gen.Generate(context.Background(), gen.Options{Rows: benchLines, Format: format, File: file,
		Period: benchPeriod, Out: out, Seed: 1, Files: 2}, nil)
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := rules.LoadFile(res.Config)
	if err != nil {
		b.Fatal(err)
	}
	return cfg
}

// BenchmarkGather is decode, resolve and group: the whole input side of a
// run.
func BenchmarkGather(b *testing.B) {
	for _, tc := range []struct{ name, format, file string }{
		{"aws-cur2-parquet", gen.FormatAWSCUR2, gen.FileParquet},
		{"aws-cur2-csv.gz", gen.FormatAWSCUR2, gen.FileCSVGzip},
		{"focus-parquet", gen.FormatFOCUS, gen.FileParquet},
		{"focus-csv", gen.FormatFOCUS, gen.FileCSV},
		{"azure-export-csv", gen.FormatAzure, gen.FileCSV},
	} {
		b.Run(tc.name, func(b *testing.B) {
			cfg := benchConfig(b, tc.format, tc.file)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := Gather(context.Background(), cfg, benchEnv(), benchPeriod); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(benchLines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}

// BenchmarkResolve is the tagging chain on line items, one call per item.
func BenchmarkResolve(b *testing.B) {
	cfg := benchConfig(b, gen.FormatAWSCUR2, gen.FileParquet)
	srcs, err := OpenSources(context.Background(), cfg, benchEnv())
	if err != nil {
		b.Fatal(err)
	}
	var items []cost.LineItem
	for _, src := range srcs {
		if src.IsUsage() {
			continue
		}
		_, err := src.ScanLines(context.Background(), benchPeriod, func(li *cost.LineItem) error {
			if len(items) < 20_000 {
				c := *li
				c.Tags = cost.Tags{}
				for k, v := range li.Tags {
					c.Tags[k] = v
				}
				items = append(items, c)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	res, err := tagging.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		res.Resolve(&items[i%len(items)])
		i++
	}
}

func gathered(b *testing.B) (*rules.Config, *Gathered) {
	cfg := benchConfig(b, gen.FormatAWSCUR2, gen.FileParquet)
	g, err := Gather(context.Background(), cfg, benchEnv(), benchPeriod)
	if err != nil {
		b.Fatal(err)
	}
	return cfg, g
}

// BenchmarkAllocate is the four components under the configured model,
// from the gathered cost and action groups.
func BenchmarkAllocate(b *testing.B) {
	cfg, g := gathered(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := allocator.Allocate(AllocatorInput(cfg, g, nil, allocator.BufferState{})); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWrite is the journals, allocations.csv, the generic journal CSV
// and the summary of an allocation.
func BenchmarkWrite(b *testing.B) {
	cfg, g := gathered(b)
	res, err := allocator.Allocate(AllocatorInput(cfg, g, nil, allocator.BufferState{}))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		js, err := reports.BuildJournals(res, JournalParams(cfg))
		if err != nil {
			b.Fatal(err)
		}
		var out bytes.Buffer
		if err := reports.WriteAllocations(&out, res); err != nil {
			b.Fatal(err)
		}
		if err := erp.Encode(&out, "generic-csv", js, erp.Options{}); err != nil {
			b.Fatal(err)
		}
		sum := reports.BuildSummary(res, js, reports.SummaryInput{Model: cfg.Model, CostBasis: cfg.CostBasis,
			Sources: g.Sources, Accounts: JournalParams(cfg).Accounts, Stats: g.Stats})
		if _, err := summaryJSON(sum); err != nil {
			b.Fatal(err)
		}
	}
}

// benchEnv registers the local storage and every file source kind.
func benchEnv() Env {
	st := new(objstore.Mux)
	st.Register(fileblob.Scheme, fileblob.OpenURL)
	src := new(connectors.Mux)
	src.Register(connectors.KindFOCUS, focus.Open)
	src.Register(connectors.KindAWSCUR2, awscur.OpenCUR2)
	src.Register(connectors.KindAzureExport, azexport.Open)
	src.Register(connectors.KindGateway, gateway.Open)
	return Env{Store: st, Sources: src}
}

// BenchmarkGapReport is the tagging-gap report of a gathered month: the
// statistics' suggestions and tables, and the report in its four forms.
func BenchmarkGapReport(b *testing.B) {
	cfg, g := gathered(b)
	opts := gapreport.Options{Period: benchPeriod, Currency: cfg.Currency, Basis: cfg.CostBasis,
		Places: cost.MinorUnits(cfg.Currency), TopN: gapsTopN}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := gapreport.Build(g.Stats, opts).Files(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStatements is the team statements of an allocation, every
// team in every form.
func BenchmarkStatements(b *testing.B) {
	cfg, g := gathered(b)
	ain := AllocatorInput(cfg, g, nil, allocator.BufferState{})
	res, err := allocator.Allocate(ain)
	if err != nil {
		b.Fatal(err)
	}
	js, err := reports.BuildJournals(res, JournalParams(cfg))
	if err != nil {
		b.Fatal(err)
	}
	sum := reports.BuildSummary(res, js, reports.SummaryInput{Model: cfg.Model, CostBasis: cfg.CostBasis,
		Sources: g.Sources, Accounts: JournalParams(cfg).Accounts, Actions: g.Actions, Stats: g.Stats})
	in := statements.Input{Result: res, Alloc: ain, Journals: js, Booking: JournalParams(cfg),
		Summary: sum, Resources: g.Resources, AgentRuns: g.AgentRuns}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := statements.Files(in); err != nil {
			b.Fatal(err)
		}
	}
}
