package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/ledger"
	"github.com/allot-dev/allot/pipeline"
	"github.com/allot-dev/allot/reports/gapreport"
	"github.com/allot-dev/allot/rules"
)

const gapsHelp = `
Writes the tagging-gap report for one month to --out, in four forms:

  tagging-gaps.json   every figure, for tools (fields in the gapreport package doc)
  tagging-gaps.csv    the same, one row per figure, for spreadsheets
  tagging-gaps.md     for a pull request or a wiki
  tagging-gaps.html   one self-contained page for a browser

It reads the month exactly as allot run does (every source, converted to the
corporate currency, on the configured cost basis, resolved through the
tagging chain) and posts nothing. The report shows allocatable coverage by
cost and by lines, overall and per provider, against the FinOps maturity
bands (walk above 80%, run above 90%); unallocated cost by provider,
sub-account, service and resource; tag-key variants and values that are not
teams; lines with a team but no action class; suggested fixes, ranked by the
cost each would allocate, with the configuration lines to add; and the trend
against the earlier months the ledger holds.

Examples:
  allot gaps --config allot.yaml --period 2026-10 --out gaps/2026-10
  allot gaps --config allot.yaml --period 2026-10 --out gaps --top 50 --trend 0
`

func runGaps(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "gaps", "--config FILE --period YYYY-MM --out DIR [--top N] [--trend N]", gapsHelp)
	config := fs.String("config", "", "configuration file (required)")
	period := fs.String("period", "", "the month to report, YYYY-MM (required)")
	out := fs.String("out", "", "folder for tagging-gaps.json, .csv, .md and .html (required)")
	top := fs.Int("top", gapreport.DefaultTopN, "entries per top-N list (0 or less: all)")
	trendN := fs.Int("trend", 12, "earlier months of coverage to read from the ledger (0: none)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{msg: fmt.Sprintf("unexpected argument %q", fs.Arg(0)), try: "allot gaps --config allot.yaml --period 2026-10 --out gaps"}
	}
	if *period == "" {
		return &usageError{msg: "--period is required", try: "allot gaps --config allot.yaml --period 2026-10 --out gaps"}
	}
	p, err := cost.ParsePeriod(*period)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	if *out == "" {
		return &usageError{msg: "--out is required", try: "allot gaps --config allot.yaml --period " + p.String() + " --out gaps"}
	}
	cfg, err := loadConfig(*config)
	if err != nil {
		return err
	}
	topN := *top
	if topN <= 0 {
		topN = -1
	}
	g, err := pipeline.Gather(ctx, cfg, a.env(), p)
	if err != nil {
		return err
	}
	trend, note, err := gapsTrend(ctx, cfg, p, *trendN)
	if err != nil {
		return err
	}
	rep := gapreport.Build(g.Stats, gapreport.Options{Period: p, Currency: cfg.Currency, Basis: cfg.CostBasis,
		Places: cost.MinorUnits(cfg.Currency), TopN: topN, Trend: trend})
	files, err := rep.Files()
	if err != nil {
		return err
	}
	written, err := pipeline.WriteFiles(*out, files)
	if err != nil {
		return err
	}
	printGaps(a.stdout, rep, note, written)
	return nil
}

// gapsTrend reads earlier months' coverage from the ledger. A SQLite
// ledger that does not exist yet has no history: the trend is empty and
// nothing is created.
func gapsTrend(ctx context.Context, cfg *rules.Config, p cost.Period, n int) ([]gapreport.TrendPoint, string, error) {
	if n <= 0 {
		return nil, "", nil
	}
	dsn := cfg.LedgerDSN()
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok && path != ":memory:" {
		path = strings.TrimPrefix(path, "//")
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, "no ledger yet at " + path + ": the trend starts once allot run has posted a month", nil
		}
	}
	led, err := ledger.Open(ctx, dsn)
	if err != nil {
		return nil, "", &hintError{err: fmt.Errorf("gaps: reading the trend: %w", err), try: "allot gaps … --trend 0 (to write the report without the trend)"}
	}
	defer led.Close()
	pts, err := pipeline.GapTrend(ctx, led, p, n)
	if err != nil {
		return nil, "", err
	}
	note := ""
	if len(pts) == 0 {
		note = "the ledger holds no earlier month with coverage: the trend starts with the next run"
	}
	return pts, note, nil
}

func printGaps(w io.Writer, r *gapreport.Report, note string, files []string) {
	pc := func(s *string) string {
		if s == nil {
			return "n/a"
		}
		return *s
	}
	fmt.Fprintf(w, "Tagging gaps %s: coverage %s of the cost (%s of %s %s), %s of the lines (%d of %d): %s\n",
		r.Period, pc(r.CoverageCost), r.AllocatedCost, r.TotalCost, r.Currency, pc(r.CoverageLines), r.AllocatedLines, r.TotalLines, r.Maturity)
	fmt.Fprintf(w, "unallocated %s %s on %d lines\n", r.UnallocatedCost, r.Currency, r.UnallocatedLines)
	for i, s := range r.Suggestions {
		if i == 3 {
			fmt.Fprintf(w, "  … %d more suggestions in the report\n", len(r.Suggestions)-3)
			break
		}
		fmt.Fprintf(w, "  %d. %s: %s %s %s\n", s.Rank, s.Title, s.Effect, s.Cost, r.Currency)
	}
	if len(r.Trend) > 0 {
		fmt.Fprintf(w, "trend: %d months, from %s\n", len(r.Trend), r.Trend[0].Period)
	}
	if note != "" {
		fmt.Fprintf(w, "trend: %s\n", note)
	}
	for _, f := range files {
		fmt.Fprintf(w, "wrote %s\n", f)
	}
}
