package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/focuswrite"
	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

const normalizeHelp = `
Reads one source the way allot run does and writes what it read as FOCUS 1.2:
CSV (.csv), gzip CSV (.csv.gz) or Parquet (.parquet), by the --out extension.
Every bill line of the month is written on its own (nothing is merged), with
x_ columns for provenance (x_SourceObject, x_SourceLine, x_SourceRow,
x_SourceJob) so each figure traces back to the bill. Use it to check a bill,
compare it with the provider's console, or feed other FOCUS tools.

It prints the row count and the BilledCost and EffectiveCost totals.

KIND is aws-cur, aws-cur2, azure-export, gcp-bigquery or focus. URL is
file:PATH (a folder laid out as the cloud writes it, or a single export
file), s3://bucket/prefix, azblob://account/container/prefix or
bigquery://project/dataset.table; credentials come from each cloud SDK's
standard chain.

Examples:
  allot normalize --source aws-cur2 --url s3://billing/cur2/acme --period 2026-10 --out oct.csv
  allot normalize --source azure-export --url file:exports/acme-amortized --period 2026-10 --out oct.parquet
`

// optionFlags collects repeated --option key=value flags.
type optionFlags map[string]string

func (o optionFlags) String() string { return "" }
func (o optionFlags) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("want key=value, got %q", v)
	}
	o[k] = val
	return nil
}

func runNormalize(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "normalize", "--source KIND --url URL --period YYYY-MM --out FILE", normalizeHelp)
	kind := fs.String("source", "", "source kind: aws-cur, aws-cur2, azure-export, gcp-bigquery or focus (required)")
	rawURL := fs.String("url", "", "where the export is (required)")
	period := fs.String("period", "", "the month, YYYY-MM (required)")
	out := fs.String("out", "", "output file: .csv, .csv.gz or .parquet (required)")
	opts := optionFlags{}
	fs.Var(opts, "option", "a source option key=value (repeatable)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *kind == "" || *rawURL == "" || *period == "" || *out == "" {
		return &usageError{msg: "--source, --url, --period and --out are required",
			try: "allot normalize --source focus --url file:exports --period 2026-10 --out oct.csv"}
	}
	if *kind == connectors.KindGateway {
		return &usageError{msg: "gateway records are usage, not cost: normalize reads billing sources"}
	}
	p, err := cost.ParsePeriod(*period)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	format, err := focuswrite.FormatFromPath(*out)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	u := *rawURL
	if rest, ok := strings.CutPrefix(u, "file:"); ok && !filepath.IsAbs(rest) {
		abs, err := filepath.Abs(rest)
		if err != nil {
			return err
		}
		u = "file:" + abs
	}
	env := a.env()
	src, err := env.Sources.Open(ctx, connectors.Env{Store: env.Store, Logger: a.log}, connectors.Config{Name: *kind, Kind: *kind, URL: u, Options: opts})
	if err != nil {
		return err
	}
	dir := filepath.Dir(*out)
	tmp, err := os.CreateTemp(dir, ".allot-tmp-normalize-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w, err := focuswrite.New(tmp, format)
	if err != nil {
		tmp.Close()
		return err
	}
	var rows int64
	var billed, effective decimal.Decimal
	st, err := src.ScanLines(ctx, p, func(li *cost.LineItem) error {
		rows++
		billed, effective = billed.Add(li.BilledCost), effective.Add(li.EffectiveCost)
		return w.Write(li)
	})
	if err == nil {
		err = w.Close()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s: %d rows (%d bill lines) of %s from %s\nBilledCost %s\nEffectiveCost %s\n",
		*out, rows, st.Lines, p, src.URL(), billed.String(), effective.String())
	if st.OutOfPeriod > 0 {
		fmt.Fprintf(a.stdout, "(%d lines whose charge period starts outside %s were not written)\n", st.OutOfPeriod, p)
	}
	return nil
}
