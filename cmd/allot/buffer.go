package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/pipeline"
	"github.com/shopspring/decimal"
)

const bufferHelp = `
Reconciles the bursting buffer fund at the end of a quarter:

  allot buffer reconcile --config FILE --quarter 2026Q4 --out DIR

It reads from the ledger the quarter's fund movements (each month's
opening, surcharges, draws and closing, as the month's current run posted
them), each month's inference spend and surcharge base from its run summary,
and each team's surcharges from the posted journals. It reports surcharges
in, draws out per team with their causes, the closing balance against the
target range (buffer.target_min..target_max of the average monthly inference
spend, 5%–10% by default) and the buffer rates that would have closed the
quarter at each end of the range.

A closing balance outside the range is brought to the nearest bound: a
top-up from the central budget, or a refund of the excess to the teams pro
rata to the surcharges they paid. The journal (ALLOT-2026Q4-…-B1) and the
fund's adjustment are posted to the ledger on the quarter's last month and
delivered once to each configured output. Run it after the quarter's last
month and before the next quarter's first: that month opens at the
adjusted balance. Running it again with the same figures posts nothing; if a
month was restated, the reconciliation is reversed and posted anew.

It writes DIR/buffer-reconcile-2026Q4.json and .md.

Example:
  allot buffer reconcile --config allot.yaml --quarter 2026Q4 --out out/2026Q4
`

func runBuffer(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs := newFlags(a, "buffer", "reconcile --config FILE --quarter YYYYQn --out DIR", bufferHelp)
		if err := parse(fs, args); err != nil {
			return err
		}
		return &usageError{msg: "allot buffer needs a subcommand: reconcile", try: "allot buffer reconcile --config allot.yaml --quarter 2026Q4 --out out/2026Q4"}
	}
	if args[0] != "reconcile" {
		return &usageError{msg: fmt.Sprintf("allot buffer %s: unknown subcommand; want reconcile", args[0]),
			try: "allot buffer reconcile --config allot.yaml --quarter 2026Q4 --out out/2026Q4"}
	}
	fs := newFlags(a, "buffer reconcile", "--config FILE --quarter YYYYQn --out DIR", bufferHelp)
	config := fs.String("config", "", "configuration file (required)")
	quarter := fs.String("quarter", "", "the quarter to reconcile, e.g. 2026Q4 (required)")
	out := fs.String("out", "", "folder for buffer-reconcile-QUARTER.json and .md (required)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *quarter == "" || *out == "" {
		return &usageError{msg: "--quarter and --out are required", try: "allot buffer reconcile --config allot.yaml --quarter 2026Q4 --out out/2026Q4"}
	}
	q, err := cost.ParseQuarter(*quarter)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	cfg, err := loadConfig(*config)
	if err != nil {
		return err
	}
	o, err := pipeline.ReconcileBuffer(ctx, cfg, a.env(), pipeline.ReconcileOptions{Quarter: q, OutDir: *out, Now: a.now,
		Version: versionString(), HTTPClient: a.http})
	if err != nil {
		if o == nil {
			return err
		}
		printReconcile(a.stdout, o)
		return err
	}
	printReconcile(a.stdout, o)
	return nil
}

func printReconcile(w io.Writer, o *pipeline.ReconcileOutcome) {
	r := o.Report
	fmt.Fprintf(w, "allot buffer reconcile %s · %s\n\n", r.Quarter, r.Currency)
	var paid []string
	for _, t := range r.SurchargesByTeam {
		paid = append(paid, t.Team+" "+t.Amount)
	}
	fmt.Fprintf(w, "Surcharges in: %s", r.Surcharges)
	if len(paid) > 0 {
		fmt.Fprintf(w, " (%s)", strings.Join(paid, ", "))
	}
	fmt.Fprintf(w, "\nDraws out:     %s\n", r.Draws)
	for _, d := range r.DrawsByTeam {
		for _, x := range d.Draws {
			fmt.Fprintf(w, "  %s %s: %s (%s)\n", d.Team, x.Period, x.Amount, x.Cause)
		}
	}
	fmt.Fprintf(w, "Fund: opening %s + surcharges %s − draws %s = closing %s\n", r.Opening, r.Surcharges, r.Draws, r.Closing)
	t := r.Target
	fmt.Fprintf(w, "Target: %s%%–%s%% of the average monthly inference spend %s = %s to %s; the closing balance is %s the range\n",
		pct(t.MinFraction), pct(t.MaxFraction), t.AverageMonthlySpend, t.Min, t.Max, t.Position)
	switch r.AdjustmentKind {
	case "top-up":
		fmt.Fprintf(w, "Adjustment: top-up of %s from the central budget; the fund closes at %s\n", r.Adjustment, r.ClosingAfter)
	case "refund":
		var parts []string
		for _, x := range r.Refunds {
			parts = append(parts, x.Team+" "+x.Amount)
		}
		to := "the central budget"
		if len(parts) > 0 {
			to = strings.Join(parts, ", ")
		}
		fmt.Fprintf(w, "Adjustment: refund of %s (%s); the fund closes at %s\n", strings.TrimPrefix(r.Adjustment, "-"), to, r.ClosingAfter)
	default:
		fmt.Fprintf(w, "Adjustment: none; the fund closes at %s\n", r.ClosingAfter)
	}
	if r.BufferRate.Min == "" {
		fmt.Fprintf(w, "Buffer rate: charged %s on a surcharge base of zero\n", r.BufferRate.Charged)
	} else {
		fmt.Fprintf(w, "Buffer rate: charged %s; from %s to %s would have kept the fund in range (surcharge base %s)\n",
			r.BufferRate.Charged, r.BufferRate.Min, r.BufferRate.Max, r.BufferRate.SurchargeBase)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "Note: %s\n", n)
	}
	switch {
	case o.Unchanged:
		fmt.Fprintln(w, "Ledger: nothing to post; the quarter's reconciliation is already posted and unchanged")
	case len(o.Posted) == 0:
		fmt.Fprintln(w, "Ledger: posted the fund's quarter-end movement (no journal: the fund closed within range)")
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

// pct writes a fraction such as 0.05 as a percentage, 5.
func pct(fraction string) string {
	d, err := decimal.NewFromString(fraction)
	if err != nil {
		return fraction
	}
	return d.Shift(2).String()
}
