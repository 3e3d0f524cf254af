package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"sort"
	"strings"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/pipeline"
	"github.com/allot-dev/allot/rules"
	"github.com/allot-dev/allot/tagging"
	"github.com/shopspring/decimal"
)

const explainHelp = `
Shows, for each bill line of one resource in a month, how the tagging chain
resolved it: every step tried for the team, the action class, the eval
scope and the platform component, in order, and the one that decided each
(the tag key, default or rule, with its place in the configuration file).

The chain, per attribute: the line's own tags through the configured keys;
then tags the provider puts on the project above the line (GCP Resource
Manager tags tag:KEY, then project labels project:KEY); for the team, the
sub-account default (by id, then by name) and the resource-group default;
then the pattern rules in file order (tagging.rules, then the built-in sets
of tagging.builtin_rules); otherwise unallocated or unclassified.

Lines are read one by one with their own provenance (file and line, or
query job). Lines that resolve the same way are shown together, each line
listed with its cost on the configured basis in its billing currency.

RESOURCE_ID is matched exactly (Azure ids ignoring case). --sub-account
narrows the lines to one sub-account (AWS account, GCP project, Azure
subscription), or, without RESOURCE_ID, explains all of that sub-account's
lines (useful for lines with no resource id).

Examples:
  allot explain --config allot.yaml --period 2026-10 arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/search-chat
  allot explain --config allot.yaml --period 2026-10 --sub-account 444444444444
  allot explain --config allot.yaml --period 2026-10 --format json RESOURCE_ID
`

// explained is one bill line of the resource with its resolution.
type explained struct {
	source string
	li     cost.LineItem // a copy: the scan reuses its item
	amount decimal.Decimal
	res    tagging.Resolution
	trace  []tagging.Attempt
}

func runExplain(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "explain", "--config FILE --period YYYY-MM [--sub-account ID] [--format text|json] [RESOURCE_ID]", explainHelp)
	config := fs.String("config", "", "configuration file (required)")
	period := fs.String("period", "", "the month whose lines to explain, YYYY-MM (required)")
	subAccount := fs.String("sub-account", "", "only lines of this sub-account (id or name); alone, all of its lines")
	format := fs.String("format", "text", "output format: text or json")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	const try = "allot explain --config allot.yaml --period 2026-10 RESOURCE_ID"
	if len(pos) > 1 {
		return &usageError{msg: fmt.Sprintf("one RESOURCE_ID at a time (got %d arguments)", len(pos)), try: try}
	}
	resource := ""
	if len(pos) == 1 {
		resource = pos[0]
	}
	if resource == "" && *subAccount == "" {
		return &usageError{msg: "name the resource to explain (or --sub-account)", try: try}
	}
	if *period == "" {
		return &usageError{msg: "--period is required", try: try}
	}
	p, err := cost.ParsePeriod(*period)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	if *format != "text" && *format != "json" {
		return &usageError{msg: fmt.Sprintf("--format %q: want text or json", *format)}
	}
	cfg, err := loadConfig(*config)
	if err != nil {
		return err
	}
	lines, near, notes, err := explainScan(ctx, a, cfg, p, resource, *subAccount)
	if err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(a.stderr, "note:", n)
	}
	what := describeTarget(resource, *subAccount)
	if len(lines) == 0 {
		msg := fmt.Sprintf("explain: no bill line of %s in %s", what, p)
		if len(near) > 0 {
			msg += "; resources whose id or name contains it:\n  " + strings.Join(near, "\n  ")
		}
		return &hintError{err: errors.New(msg), try: "allot explain --config " + cfg.File + " --period " + p.String() + " --sub-account ACCOUNT (for lines without a resource id)"}
	}
	if *format == "json" {
		return writeExplainJSON(a.stdout, cfg, p, resource, *subAccount, lines)
	}
	writeExplainText(a.stdout, cfg, p, what, lines)
	return nil
}

// parseInterspersed parses flags that may come before or after the
// positional arguments; everything after "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var tail []string
	for i, a := range args {
		if a == "--" {
			args, tail = args[:i], args[i+1:]
			break
		}
	}
	var pos []string
	for {
		if err := parse(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	return append(pos, tail...), nil
}

func describeTarget(resource, subAccount string) string {
	switch {
	case resource != "" && subAccount != "":
		return fmt.Sprintf("resource %s in sub-account %s", resource, subAccount)
	case resource != "":
		return "resource " + resource
	}
	return "sub-account " + subAccount
}

// explainScan reads every bill source line by line (ScanLines: never
// merged, each line with its provenance) and explains the lines of the
// resource. Memory holds the resource's lines and at most 10 near misses.
func explainScan(ctx context.Context, a *app, cfg *rules.Config, p cost.Period, resource, subAccount string) (lines []explained, near, notes []string, err error) {
	srcs, err := pipeline.OpenSources(ctx, cfg, a.env())
	if err != nil {
		return nil, nil, nil, err
	}
	res, err := tagging.New(cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	const maxNear = 10
	nearSet := map[string]bool{}
	needle := strings.ToLower(resource)
	scanned := 0
	for _, src := range srcs {
		if src.IsUsage() {
			continue
		}
		_, err := src.ScanLines(ctx, p, func(li *cost.LineItem) error {
			if subAccount != "" && li.SubAccountID != subAccount && li.SubAccountName != subAccount {
				return nil
			}
			if resource != "" && li.ResourceID != resource && !(strings.EqualFold(li.ResourceID, resource) && strings.Contains(strings.ToLower(li.ProviderName), "microsoft")) {
				if len(nearSet) < maxNear && li.ResourceID != "" && !nearSet[li.ResourceID] &&
					(strings.Contains(strings.ToLower(li.ResourceID), needle) || strings.Contains(strings.ToLower(li.ResourceName), needle)) {
					nearSet[li.ResourceID] = true
				}
				return nil
			}
			r, trace := res.Explain(li)
			cp := *li
			cp.Tags = maps.Clone(li.Tags)
			lines = append(lines, explained{source: src.Name(), li: cp, amount: li.Cost(cfg.CostBasis), res: r, trace: trace})
			return nil
		})
		if errors.Is(err, connectors.ErrNotFound) {
			notes = append(notes, fmt.Sprintf("source %s has no export for %s (%v)", src.Name(), p, err))
			continue
		}
		if err != nil {
			return nil, nil, nil, err
		}
		scanned++
	}
	if scanned == 0 {
		return nil, nil, notes, fmt.Errorf("explain: no bill source has an export for %s", p)
	}
	for id := range nearSet {
		near = append(near, id)
	}
	sort.Strings(near)
	return lines, near, notes, nil
}
