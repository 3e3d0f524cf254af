package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/pipeline"
	"github.com/allot-dev/allot/rules"
)

const runHelp = `
Allocates one calendar month: reads every configured source, resolves tags,
prices the month's AI work under the configured operating model, checks the
run's invariants, posts the journals to the ledger and writes to --out:

  allocations.csv    period,team,action_class,component,actions,unit_price,amount,currency
  journal.csv        the balanced journal(s), one per company
  summary.json       input, charged, central, unallocated, variance, buffer, invariants
  tagging-gaps.csv   coverage and where tags fail

Running a month again with the same inputs posts nothing. If the bill or the
configuration changed, the ledger reverses the posted batch and posts the
corrected one. Each configured output receives each batch exactly once.

A run whose invariants fail exits 1, writes summary.json (showing which
failed) and posts and delivers nothing.

Example:
  allot run --config allot.yaml --period 2026-10 --out out/2026-10
`

func runRun(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "run", "--config FILE --period YYYY-MM --out DIR", runHelp)
	config := fs.String("config", "", "configuration file (required)")
	period := fs.String("period", "", "the month to allocate, YYYY-MM (required)")
	out := fs.String("out", "", "folder for allocations.csv, journal.csv, summary.json, tagging-gaps.csv (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *period == "" || *out == "" {
		return &usageError{msg: "--period and --out are required", try: "allot run --config allot.yaml --period 2026-10 --out out"}
	}
	p, err := cost.ParsePeriod(*period)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	cfg, err := loadConfig(*config)
	if err != nil {
		return err
	}
	return runPeriod(ctx, a, cfg, p, *out)
}

func runPeriod(ctx context.Context, a *app, cfg *rules.Config, p cost.Period, out string) error {
	o, err := pipeline.Run(ctx, cfg, a.env(), pipeline.RunOptions{Period: p, OutDir: out, Now: a.now, Version: versionString(), HTTPClient: a.http})
	if err != nil {
		if errors.Is(err, pipeline.ErrInvariants) {
			return &hintError{err: err, try: "open " + out + "/summary.json: each invariant says what did not add up"}
		}
		return err
	}
	printOutcome(a.stdout, cfg, o)
	return nil
}

func printOutcome(w io.Writer, cfg *rules.Config, o *pipeline.Outcome) {
	s := o.Summary
	fmt.Fprintf(w, "allot %s · %s model (%s mode) · %s\n\n", s.Period, s.Model, s.Mode, s.Currency)
	fmt.Fprintf(w, "Bill: %d lines, %s %s (%s cost); gateway: %d actions\n", s.Input.Lines, s.Input.Cost, s.Currency, s.CostBasis, s.Input.Actions)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "team\tcharged\t")
	for _, t := range s.Teams {
		fmt.Fprintf(tw, "%s\t%s\t\n", t.Team, t.Total)
	}
	fmt.Fprintf(tw, "total\t%s\t\n", s.Total)
	tw.Flush()
	fmt.Fprintf(w, "\nRecovered %s against an actual %s: variance %s\n", s.Recovered, s.Actual, s.Variance)
	fmt.Fprintf(w, "Buffer fund: opening %s + surcharges %s − draws %s = closing %s\n", s.Buffer.Opening, s.Buffer.Surcharges, s.Buffer.Draws, s.Buffer.Closing)
	for _, d := range s.Draws {
		if d.Granted {
			fmt.Fprintf(w, "  draw: %s relieved of %s (%s; limited by %s)\n", d.Team, d.Amount, d.Cause, d.LimitedBy)
		} else {
			fmt.Fprintf(w, "  draw: %s not granted: %s\n", d.Team, d.Reason)
		}
	}
	ok := 0
	for _, inv := range s.Invariants {
		if inv.OK {
			ok++
		}
	}
	fmt.Fprintf(w, "Invariants: %d of %d hold\n", ok, len(s.Invariants))
	switch {
	case o.Unchanged:
		fmt.Fprintln(w, "Ledger: nothing to post; this month's journals are already posted and unchanged")
	default:
		for _, j := range o.Posted {
			fmt.Fprintf(w, "Ledger: posted %s (%s, %d lines)\n", j.ID, j.Kind, len(j.Lines))
		}
	}
	for _, d := range o.Delivered {
		fmt.Fprintf(w, "Delivered: %s\n", d)
	}
	fmt.Fprintln(w)
	for _, f := range o.Files {
		fmt.Fprintf(w, "wrote %s\n", f)
	}
}
