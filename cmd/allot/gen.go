package main

import (
	"context"
	"fmt"
	"time"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/gen"
	"github.com/schollz/progressbar/v3"
)

const genHelp = `
Writes a month of synthetic but realistic billing data, deterministically
from --seed (the same flags give the same bytes), for benchmarks and load
tests: tens of accounts, thousands of AI resources (Bedrock inference
profiles, SageMaker endpoints, vector collections) with 3 to 6 tags each
and about 20% untagged, the AWS line item types (usage, savings plan and
reservation coverage, negations, tax, credits, fees), token usage types
and costs with up to 10 decimals (small ones in E-notation in CSV).

Formats (--format, with --file):
  aws-cur2       CUR 2.0 as AWS Data Exports delivers it: data/BILLING_PERIOD=
                 YYYY-MM/ files and metadata/…/<export>-Manifest.json;
                 parquet (resource_tags a MAP) or csv.gz (tags as JSON)
  focus          FOCUS 1.2: csv, csv.gz or parquet
  azure-export   an Azure AmortizedCost export run with manifest.json: csv, csv.gz

DIR also gets the gateway's usage records (data/gateway), a price list and
an allot.yaml in cost mode that reads it all, so that this works directly:

  allot run --config DIR/allot.yaml --period YYYY-MM --out OUT

Memory stays bounded whatever --rows is; files are written in parallel.

Examples:
  allot gen --rows 10000000 --format aws-cur2 --period 2026-10 --out bench/data/10m
  allot gen --rows 1000000 --format aws-cur2 --file csv.gz --period 2026-10 --out /tmp/cur
  allot gen --rows 5000000 --format aws-cur2 --no-dict --period 2026-10 --out /tmp/nodict
`

func runGen(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "gen", "--rows N --period YYYY-MM --out DIR [--format FORMAT] [--file FILE]", genHelp)
	var o gen.Options
	fs.Int64Var(&o.Rows, "rows", 0, "bill lines to write (required)")
	fs.StringVar(&o.Format, "format", gen.FormatAWSCUR2, "aws-cur2, focus or azure-export")
	fs.StringVar(&o.File, "file", "", "parquet, csv or csv.gz (default parquet; csv for azure-export)")
	period := fs.String("period", "", "the month of the charges, YYYY-MM (required)")
	fs.StringVar(&o.Out, "out", "", "folder to write into; must be new or empty (required)")
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed: the same seed and flags give the same files")
	fs.IntVar(&o.Files, "files", 0, "data files (default one per 4 million rows)")
	fs.IntVar(&o.Teams, "teams", 0, "consuming teams; a platform team is added (default 24)")
	fs.IntVar(&o.Accounts, "accounts", 0, "accounts or subscriptions (default 24)")
	fs.IntVar(&o.Resources, "resources", 0, "resources (default 4000)")
	fs.IntVar(&o.RowGroup, "row-group", 0, "Parquet rows per row group (default 122880)")
	fs.BoolVar(&o.NoDict, "no-dict", false, "write the Parquet tag map PLAIN, as when tag dictionaries overflow")
	fs.BoolVar(&o.Plain, "plain", false, "write every Parquet column PLAIN (no dictionaries)")
	fs.Float64Var(&o.LongDecimals, "long-decimals", 0, "share of usage lines whose cost has 12 fractional digits")
	fs.IntVar(&o.GzipLevel, "gzip-level", 0, "gzip level of .csv.gz files, 1-9 (default 6)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if o.Rows < 1 || *period == "" || o.Out == "" {
		return &usageError{msg: "--rows, --period and --out are required", try: "allot gen --rows 1000000 --period 2026-10 --out bench/data/1m"}
	}
	p, err := cost.ParsePeriod(*period)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	o.Period = p
	var progress func(int64)
	if a.interactive {
		bar := progressbar.NewOptions64(o.Rows, progressbar.OptionSetWriter(a.stderr), progressbar.OptionSetDescription("writing lines"),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		progress = func(n int64) { bar.Add64(n) }
		defer bar.Finish()
	}
	start := time.Now()
	res, err := gen.Generate(ctx, o, progress)
	if err != nil {
		return err
	}
	a.log.Info("generated", "rows", res.Rows, "files", len(res.DataFiles), "bytes", res.Bytes, "seconds", time.Since(start).Seconds())
	fmt.Fprintf(a.stdout, "Wrote %d lines in %d file(s), %.1f MB, in %.1fs\n", res.Rows, len(res.DataFiles), float64(res.Bytes)/1e6, time.Since(start).Seconds())
	fmt.Fprintf(a.stdout, "Configuration: %s (source %s)\n", res.Config, res.Source)
	fmt.Fprintf(a.stdout, "Run it: allot run --config %s --period %s --out OUT\n", res.Config, p)
	return nil
}
