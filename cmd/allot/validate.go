package main

import (
	"context"
	"fmt"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/pipeline"
	"github.com/allot-dev/allot/rules"
	"github.com/allot-dev/allot/tagging"
)

const validateHelp = `
Checks a configuration without posting anything: strict keys (an unknown key
is an error), types, team references, rules, rates, accounts, outputs. Every
problem is reported at once as FILE:LINE:COLUMN: key: what is wrong.

Tagging rules that can never match (a charge_category no FOCUS category
has, a regular expression only the empty string matches) or never take
effect (an earlier rule, or a default, always decides first) are printed as
FILE:LINE:COLUMN: key: warning: …; warnings do not make validate fail.

With --period it also loads the quarter's price list and reads every source
for that month, so a malformed export, a missing manifest or a currency
without a rate shows up before the real run.

Examples:
  allot validate --config allot.yaml
  allot validate --config allot.yaml --period 2026-10
`

func runValidate(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "validate", "--config FILE [--period YYYY-MM]", validateHelp)
	config := fs.String("config", "", "configuration file (required)")
	period := fs.String("period", "", "also check the price list and read the inputs of this month, YYYY-MM")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*config)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s: configuration OK (%s model, %s mode; %d sources, %d teams, %d rules)\n",
		cfg.File, cfg.Model, cfg.Pricing.Mode, len(cfg.Sources), len(cfg.Teams), len(cfg.Tagging.Rules))
	// Rules that can never match or never take effect are warnings: the
	// configuration still runs.
	for _, w := range tagging.Lint(cfg) {
		fmt.Fprintln(a.stdout, w)
	}
	if *period == "" {
		return nil
	}
	p, err := cost.ParsePeriod(*period)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	if cfg.Pricing.Mode == rules.ModePriceList {
		q := p.Quarter()
		pl, err := cfg.LoadPriceList(cfg.PriceListPath(q), q)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "%s: price list for %s OK (%d classes)\n", pl.File, q, len(pl.Classes))
	}
	g, err := pipeline.Gather(ctx, cfg, a.env(), p)
	if err != nil {
		return err
	}
	for _, s := range g.Sources {
		if s.Kind == "gateway" {
			fmt.Fprintf(a.stdout, "source %s (%s): %d records, %d actions in %s\n", s.Name, s.Kind, s.Lines, s.Actions, p)
		} else {
			eff := "" // not read on the billed cost basis (pipeline.NeededFields)
			if s.Effective != "" {
				eff = ", effective " + s.Effective
			}
			fmt.Fprintf(a.stdout, "source %s (%s): %d lines in %s%s, billed %s\n", s.Name, s.Kind, s.Lines, p, eff, s.Billed)
		}
	}
	return nil
}
