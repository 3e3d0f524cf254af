package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/pipeline"
	"github.com/allot-dev/allot/rules"
)

const pricesHelp = `
Publishes a quarter's per-action price list, or shows the one in force.

  allot prices publish --config FILE --quarter 2026Q4 [--lookback 2026-07..2026-09] [--force]
  allot prices show    --config FILE (--period 2026-10 | --quarter 2026Q4)

publish computes each action class's base over the look-back months (the
three months before the quarter by default):

  base = bill cost of the lines resolved to the class
         ÷ the gateway's actions of the class

rounded to 6 decimals half away from zero. Both sides count every team:
consuming teams, the platform team and unallocated cost, as the gateway
counts every action whoever made it. Bill lines with no action class are in
no base (the overhead and registry rates fund them). A class without
gateway actions in the look-back is an error. The overhead, registry and
buffer parts follow from the base and the configuration's pricing rates
(SPEC §4). The list is written atomically to pricing.price_list (with its
look-back) and recorded in the ledger. A person may edit a base before the
quarter starts; once it has started, publishing over a different list needs
--force (months already charged at the old prices change when run again).

show prints the list a month is charged at, the file and the ledger's record
of its publication, whether they agree, and which list each month's latest
run used.

Examples:
  allot prices publish --config allot.yaml --quarter 2026Q4 --lookback 2026-07..2026-09
  allot prices show --config allot.yaml --period 2026-10
`

func runPrices(ctx context.Context, a *app, args []string) error {
	usage := "publish|show --config FILE [flags]"
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs := newFlags(a, "prices", usage, pricesHelp)
		if err := parse(fs, args); err != nil {
			return err
		}
		return &usageError{msg: "allot prices needs a subcommand: publish or show", try: "allot prices show --config allot.yaml --period 2026-10"}
	}
	switch args[0] {
	case "publish":
		return runPricesPublish(ctx, a, args[1:])
	case "show":
		return runPricesShow(ctx, a, args[1:])
	}
	return &usageError{msg: fmt.Sprintf("allot prices %s: unknown subcommand; want publish or show", args[0]),
		try: "allot prices publish --config allot.yaml --quarter 2026Q4"}
}

func runPricesPublish(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "prices publish", "--config FILE --quarter YYYYQn [--lookback YYYY-MM..YYYY-MM] [--force]", pricesHelp)
	config := fs.String("config", "", "configuration file (required)")
	quarter := fs.String("quarter", "", "the quarter the list prices, e.g. 2026Q4 (required)")
	lookback := fs.String("lookback", "", "months to average over, e.g. 2026-07..2026-09 (default: the three months before the quarter)")
	force := fs.Bool("force", false, "replace the list of a quarter that has started")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *quarter == "" {
		return &usageError{msg: "--quarter is required", try: "allot prices publish --config allot.yaml --quarter 2026Q4 --lookback 2026-07..2026-09"}
	}
	q, err := cost.ParseQuarter(*quarter)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	lb := cost.PeriodRange{From: q.First().Prev().Prev().Prev(), To: q.First().Prev()}
	if *lookback != "" {
		if lb, err = cost.ParsePeriodRange(*lookback); err != nil {
			return &usageError{msg: "--lookback: " + err.Error(), try: "--lookback 2026-07..2026-09"}
		}
	}
	cfg, err := loadConfig(*config)
	if err != nil {
		return err
	}
	out, err := pipeline.PublishPriceList(ctx, cfg, a.env(), pipeline.PublishOptions{Quarter: q, Lookback: lb, Force: *force, Now: a.now})
	if err != nil {
		if errors.Is(err, pipeline.ErrPriceListExists) {
			return &hintError{err: err, try: fmt.Sprintf("allot prices show --config %s --quarter %s", *config, q)}
		}
		return err
	}
	w := a.stdout
	pl := out.PriceList
	fmt.Fprintf(w, "allot prices %s · look-back %s · %s\n", q, lb, cfg.Currency)
	fmt.Fprintf(w, "Rates: overhead %s, registry %s, buffer %s\n\n", pl.OverheadRate, pl.RegistryRate, pl.BufferRate)
	places := cost.MinorUnits(cfg.Currency)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "class\tbill cost\tactions\tbase\toverhead\tregistry\tbuffer\tprice\t")
	for _, cc := range out.Lookback.Classes {
		p := pl.Classes[cc.Class]
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t\n", cc.Class, cc.Cost.Round(places).StringFixed(places), cc.Actions,
			fix6(p.Base), fix6(p.Overhead), fix6(p.Registry), fix6(p.Buffer), fix6(p.Price))
	}
	tw.Flush()
	if !out.Lookback.Unclassified.IsZero() {
		fmt.Fprintf(w, "\nLeft out of every base: %s %s of bill lines with no action class.\n", out.Lookback.Unclassified.Round(places).StringFixed(places), cfg.Currency)
	}
	for _, c := range slices.Sorted(maps.Keys(out.Lookback.Other)) {
		fmt.Fprintf(w, "Left out: %s %s of bill lines of class %q, which is not in action_classes.\n", out.Lookback.Other[c].Round(places).StringFixed(places), cfg.Currency, c)
	}
	fmt.Fprintln(w)
	switch {
	case out.Replaced:
		fmt.Fprintf(w, "wrote %s (replacing a list with other prices)\n", out.File)
	case out.Wrote:
		fmt.Fprintf(w, "wrote %s\n", out.File)
	default:
		fmt.Fprintf(w, "%s already holds this list\n", out.File)
	}
	if out.Recorded {
		fmt.Fprintf(w, "Ledger: recorded the publication of %s\n", q)
	} else {
		fmt.Fprintf(w, "Ledger: this publication of %s was already recorded\n", q)
	}
	return nil
}

func runPricesShow(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "prices show", "--config FILE (--period YYYY-MM | --quarter YYYYQn)", pricesHelp)
	config := fs.String("config", "", "configuration file (required)")
	period := fs.String("period", "", "the month whose prices to show, YYYY-MM")
	quarter := fs.String("quarter", "", "the quarter whose prices to show, YYYYQn")
	if err := parse(fs, args); err != nil {
		return err
	}
	var q cost.Quarter
	switch {
	case (*period == "") == (*quarter == ""):
		return &usageError{msg: "give one of --period and --quarter", try: "allot prices show --config allot.yaml --period 2026-10"}
	case *period != "":
		p, err := cost.ParsePeriod(*period)
		if err != nil {
			return &usageError{msg: err.Error()}
		}
		q = p.Quarter()
	default:
		var err error
		if q, err = cost.ParseQuarter(*quarter); err != nil {
			return &usageError{msg: err.Error()}
		}
	}
	cfg, err := loadConfig(*config)
	if err != nil {
		return err
	}
	st, err := pipeline.PriceListStatus(ctx, cfg, q)
	if err != nil {
		return err
	}
	if st.List == nil {
		err := fmt.Errorf("no price list for %s: %w", q, st.FileErr)
		if st.Record != nil {
			err = fmt.Errorf("the price list file for %s does not load (%w), and the ledger's record of it does not either", q, st.FileErr)
		}
		return &hintError{err: err, try: fmt.Sprintf("allot prices publish --config %s --quarter %s", *config, q)}
	}
	printPriceStatus(a.stdout, cfg, st, *period)
	return nil
}

func printPriceStatus(w io.Writer, cfg *rules.Config, st *pipeline.PriceListInForce, period string) {
	pl := st.List
	what := st.Quarter.String()
	if period != "" {
		what = period + " (quarter " + st.Quarter.String() + ")"
	}
	fmt.Fprintf(w, "Price list in force for %s · %s\n", what, pl.Currency)
	if cfg.Pricing.Mode != rules.ModePriceList {
		fmt.Fprintf(w, "Note: pricing.mode is %s: runs charge the bill's cost and do not use this list.\n", cfg.Pricing.Mode)
	}
	fmt.Fprintf(w, "Rates: overhead %s, registry %s, buffer %s\n\n", pl.OverheadRate, pl.RegistryRate, pl.BufferRate)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "class\tbase\toverhead\tregistry\tbuffer\tprice\t")
	for _, c := range cfg.ActionClasses {
		p, ok := pl.Classes[c]
		if !ok {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", c, fix6(p.Base), fix6(p.Overhead), fix6(p.Registry), fix6(p.Buffer), fix6(p.Price))
	}
	tw.Flush()
	fmt.Fprintln(w)
	switch {
	case st.FileFingerprint == "":
		fmt.Fprintf(w, "File:   %s is missing (%v); shown from the ledger\n", st.File, st.FileErr)
	case st.FileErr != nil:
		fmt.Fprintf(w, "File:   %s does not load: %v\n", st.File, st.FileErr)
	default:
		lb := pl.Lookback
		if lb == "" {
			lb = "none recorded (written by hand)"
		}
		fmt.Fprintf(w, "File:   %s (%s), look-back %s\n", st.File, short(st.FileFingerprint), lb)
	}
	if st.Record == nil {
		fmt.Fprintf(w, "Ledger: %s was never published with allot prices publish\n", st.Quarter)
	} else {
		r := st.Record
		fmt.Fprintf(w, "Ledger: published %s by %s from look-back %s (%s); %d publication(s) of %s\n",
			r.PublishedAt.UTC().Format("2006-01-02 15:04 MST"), r.PublishedBy, r.Lookback, short(r.Fingerprint), st.Publications, st.Quarter)
		switch {
		case st.Agree:
			fmt.Fprintln(w, "Agree:  yes, the file is the list the ledger recorded")
		case st.FileFingerprint == "":
			fmt.Fprintln(w, "Agree:  no, the file is missing: restore it or publish again")
		default:
			fmt.Fprintln(w, "Agree:  no, the file was edited after its publication: runs record the file they used; publish again to record this one")
		}
	}
	fmt.Fprintln(w, "Runs:")
	for _, m := range st.Months {
		switch {
		case m.RunID == "":
			fmt.Fprintf(w, "  %s: not run yet\n", m.Period)
		case m.Fingerprint == "":
			fmt.Fprintf(w, "  %s: run %s used no price list (cost mode)\n", m.Period, m.RunID)
		case m.Fingerprint == st.FileFingerprint:
			fmt.Fprintf(w, "  %s: run %s charged at this file\n", m.Period, m.RunID)
		default:
			fmt.Fprintf(w, "  %s: run %s charged at another list (%s): run the month again to charge at this one\n", m.Period, m.RunID, short(m.Fingerprint))
		}
	}
}

func fix6(v interface{ StringFixed(int32) string }) string { return v.StringFixed(cost.PricePlaces) }

// short abbreviates a "sha256:…" or "etag:…" fingerprint for people.
func short(fp string) string {
	kind, hex, ok := strings.Cut(fp, ":")
	if !ok || len(hex) <= 12 {
		return fp
	}
	return kind + ":" + hex[:12]
}
