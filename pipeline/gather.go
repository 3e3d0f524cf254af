package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/allot-dev/allot/allocator"
	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/objstore"
	"github.com/allot-dev/allot/reports"
	"github.com/allot-dev/allot/rules"
	"github.com/allot-dev/allot/tagging"
	"github.com/shopspring/decimal"
)

// Env is what the pipeline needs from the program.
type Env struct {
	Store   *objstore.Mux
	Sources *connectors.Mux
	Logger  *slog.Logger
	// Progress, when set, is called as each source starts and returns a
	// function the scan calls with the number of lines read since the last
	// call, then with -1 when the source is done.
	Progress func(source string) func(n int64)
	// Workers is how many goroutines resolve and count the groups of a
	// bill scan whose driver yields from several
	// (connectors.ParallelGroupScanner); 0 means GOMAXPROCS.
	Workers int
}

func (e Env) logger() *slog.Logger {
	if e.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Logger
}

// Gathered is a period's input, resolved and aggregated.
type Gathered struct {
	Period  cost.Period
	Costs   []allocator.CostGroup
	Actions []allocator.ActionGroup
	Stats   *tagging.Stats
	Sources []reports.SourceSummary
	Inputs  []SourceInput
	// Resources is the cost per team and resource id, for statements.
	Resources map[string]map[string]decimal.Decimal
	// AgentRuns is the actions per team, agent run id and class.
	AgentRuns map[string]map[string]map[string]int64
}

// SourceInput is the list of objects one source read, with fingerprints.
type SourceInput struct {
	Source string
	Inputs []connectors.Input
}

// projectSources is false in tests that compare a run on every field
// with a run on NeededFields.
var projectSources = true

// sourceFields is the connectors.Config.Fields of cfg's sources.
func sourceFields(cfg *rules.Config) cost.FieldSet {
	if !projectSources {
		return 0
	}
	return NeededFields(cfg)
}

type costKey struct{ team, class, scope, comp string }
type actionKey struct{ team, class, scope string }

// OpenSources opens every configured source, asking each for the fields
// a run reads (NeededFields): Source.Scan then yields items with only
// those fields filled, ScanLines items with every field.
func OpenSources(ctx context.Context, cfg *rules.Config, env Env) ([]*connectors.Source, error) {
	fields := sourceFields(cfg)
	var out []*connectors.Source
	for _, sc := range cfg.Sources {
		src, err := env.Sources.Open(ctx, connectors.Env{Store: env.Store, Logger: env.logger()}, connectors.Config{
			Name: sc.Name, Kind: sc.Kind, URL: cfg.ResolveURL(sc.URL), Options: sc.Options, Fields: fields,
		})
		if err != nil {
			return nil, err
		}
		out = append(out, src)
	}
	return out, nil
}

// Gather scans every source for period p: bill lines are converted to the
// corporate currency, resolved and grouped; gateway records are checked
// and counted.
//
// Sources whose driver merges lines (connectors.GroupScanner: the FOCUS
// and AWS connectors) yield one item per group of lines that agree on
// everything tagging and the allocator read (NeededFields), with exact
// sums and Count lines. The per-item work here (cost basis, FX conversion, tag
// resolution, gap statistics with Count lines) is linear in the item's
// cost, so it runs once per group and gives the same result as per line;
// memory and time here grow with the number of groups, not lines.
func Gather(ctx context.Context, cfg *rules.Config, env Env, p cost.Period) (*Gathered, error) {
	srcs, err := OpenSources(ctx, cfg, env)
	if err != nil {
		return nil, err
	}
	res, err := tagging.New(cfg)
	if err != nil {
		return nil, err
	}
	var fx *rules.FX
	if cfg.FX != "" {
		path := strings.TrimPrefix(cfg.ResolveURL(cfg.FX), "file:")
		if fx, err = rules.LoadFX(path); err != nil {
			return nil, err
		}
	}
	g := &Gathered{Period: p, Stats: res.NewStats(),
		Resources: map[string]map[string]decimal.Decimal{}, AgentRuns: map[string]map[string]map[string]int64{}}
	costs := map[costKey]*allocator.CostGroup{}
	actions := map[actionKey]int64{}
	classes := map[string]bool{}
	for _, c := range cfg.ActionClasses {
		classes[c] = true
	}
	rates := map[string]decimal.Decimal{}
	workers := env.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// One source's scan. Bill lines feed costs, Stats and Resources; usage
	// records feed actions and AgentRuns: a billing scan and a usage scan
	// touch nothing in common, so the usage sources are read beside the
	// billing sources (each kind still one source at a time).
	scan := func(ctx context.Context, src *connectors.Source) (reports.SourceSummary, SourceInput, error) {
		if err := ctx.Err(); err != nil {
			return reports.SourceSummary{}, SourceInput{}, err
		}
		progress := func(int64) {}
		if env.Progress != nil {
			progress = env.Progress(src.Name())
		}
		var st connectors.Stats
		var n int64
		var err error
		if src.IsUsage() {
			st, err = src.ScanUsage(ctx, p, func(u *cost.UsageRecord) error {
				if n++; n%4096 == 0 {
					progress(4096)
				}
				return addUsage(u, res, classes, actions, g)
			})
			n %= 4096
		} else {
			// Drivers that merge lines (connectors.GroupScanner) yield one
			// item per group: conversion, resolution and statistics run once
			// per group, and they are linear in the group's cost. Drivers
			// that can (connectors.ParallelGroupScanner) yield from every
			// core, each worker into its own tallies, merged in order below.
			// Worker 0 counts straight into the results.
			ws := []*billTally{{stats: g.Stats, costs: costs, resources: g.Resources, rates: rates}}
			for len(ws) < workers {
				ws = append(ws, &billTally{stats: res.NewStats(), costs: map[costKey]*allocator.CostGroup{},
					resources: map[string]map[string]decimal.Decimal{}, rates: map[string]decimal.Decimal{}})
			}
			var mu sync.Mutex
			st, err = src.ScanParallel(ctx, p, workers, func(w int, li *cost.LineItem) error {
				bt := ws[w]
				if bt.n += li.Lines(); bt.n >= 4096 {
					mu.Lock()
					progress(bt.n)
					mu.Unlock()
					bt.n = 0
				}
				amount, err := convert(li, cfg, fx, p, bt.rates)
				if err != nil {
					return err
				}
				bt.add(li, amount, res.Resolve(li))
				return nil
			})
			for _, bt := range ws {
				n += bt.n
				if bt != ws[0] {
					ws[0].merge(bt)
				}
			}
		}
		progress(n)
		progress(-1)
		if err != nil {
			if errors.Is(err, connectors.ErrNotFound) {
				err = fmt.Errorf("%w\n  (the export for %s is not there yet: check the source URL, or wait for the provider to deliver the month)", err, p)
			}
			return reports.SourceSummary{}, SourceInput{}, err
		}
		ss := reports.SourceSummary{Name: src.Name(), Kind: src.Kind(), URL: src.URL(), Lines: st.Lines, OutOfPeriod: st.OutOfPeriod, Duplicates: st.Duplicates}
		switch {
		case src.IsUsage():
			ss.Actions = st.Actions
		case sourceFields(cfg).Has(cost.FieldEffectiveCost):
			ss.Billed, ss.Effective, ss.OutOfPeriodCost = st.Billed.String(), st.Effective.String(), st.OutOfPeriodCost.String()
		default: // the effective cost was not read (NeededFields): left out, not zero
			ss.Billed = st.Billed.String()
		}
		in, err := src.Inputs(ctx, p)
		if err != nil {
			return reports.SourceSummary{}, SourceInput{}, err
		}
		return ss, SourceInput{Source: src.Name(), Inputs: in}, nil
	}
	type result struct {
		ss  reports.SourceSummary
		in  SourceInput
		err error
	}
	results := make([]result, len(srcs))
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	run := func(usage bool) {
		for i, src := range srcs {
			if src.IsUsage() != usage {
				continue
			}
			r := &results[i]
			if r.ss, r.in, r.err = scan(sctx, src); r.err != nil {
				cancel() // the other kind stops too: the run fails anyway
				return
			}
		}
	}
	if env.Progress != nil {
		// On a terminal the progress of one source at a time reads better.
		run(false)
		run(true)
	} else {
		var wg sync.WaitGroup
		wg.Go(func() { run(true) })
		run(false)
		wg.Wait()
	}
	// The first error in configuration order that is not the other scan's
	// cancellation is the one to report.
	var firstErr error
	for _, r := range results {
		if r.err != nil && (firstErr == nil || errors.Is(firstErr, context.Canceled) && !errors.Is(r.err, context.Canceled)) {
			firstErr = r.err
		}
	}
	if firstErr != nil {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return nil, firstErr
	}
	for _, r := range results {
		g.Sources = append(g.Sources, r.ss)
		g.Inputs = append(g.Inputs, r.in)
	}
	for _, cg := range costs {
		g.Costs = append(g.Costs, *cg)
	}
	sort.Slice(g.Costs, func(i, j int) bool { return lessCost(g.Costs[i], g.Costs[j]) })
	for k, n := range actions {
		g.Actions = append(g.Actions, allocator.ActionGroup{Team: k.team, Class: k.class, Scope: k.scope, Actions: n})
	}
	sort.Slice(g.Actions, func(i, j int) bool {
		a, b := g.Actions[i], g.Actions[j]
		return a.Team+"\x00"+a.Class+"\x00"+a.Scope < b.Team+"\x00"+b.Class+"\x00"+b.Scope
	})
	g.Stats.Finish() // every source is in: the tallies' costs are complete
	return g, nil
}

// billTally is what one worker of a bill scan counts: the cost groups,
// the gap statistics and the cost per team and resource.
type billTally struct {
	costs     map[costKey]*allocator.CostGroup
	stats     *tagging.Stats
	resources map[string]map[string]decimal.Decimal
	rates     map[string]decimal.Decimal // FX rates looked up
	n         int64                      // lines not yet reported as progress
}

// add counts one resolved line item whose cost in the corporate currency
// is amount.
func (bt *billTally) add(li *cost.LineItem, amount decimal.Decimal, r tagging.Resolution) {
	bt.stats.Add(li, amount, r)
	bt.addCost(costKey{r.Team.Value, r.Class.Value, r.Scope.Value, r.Component.Value}, amount, li.Lines())
	if r.Team.Value != "" && li.ResourceID != "" {
		bt.addResource(r.Team.Value, li.ResourceID, amount)
	}
}

// merge adds what o counted (a later worker's share of the groups).
func (bt *billTally) merge(o *billTally) {
	// The statistics merge beside the costs and resources: this is the
	// serial step between a parallel scan and the allocation.
	var wg sync.WaitGroup
	wg.Go(func() { bt.stats.Merge(o.stats) })
	defer wg.Wait()
	for k, c := range o.costs {
		bt.addCost(k, c.Cost, c.Lines)
	}
	for team, rs := range o.resources {
		for id, c := range rs {
			bt.addResource(team, id, c)
		}
	}
}

func (bt *billTally) addCost(k costKey, amount decimal.Decimal, lines int64) {
	cg, ok := bt.costs[k]
	if !ok {
		cg = &allocator.CostGroup{Team: k.team, Class: k.class, Scope: k.scope, Component: k.comp}
		bt.costs[k] = cg
	}
	cg.Cost = cg.Cost.Add(amount)
	cg.Lines += lines
}

func (bt *billTally) addResource(team, id string, amount decimal.Decimal) {
	m, ok := bt.resources[team]
	if !ok {
		m = map[string]decimal.Decimal{}
		bt.resources[team] = m
	}
	m[id] = m[id].Add(amount)
}

func lessCost(a, b allocator.CostGroup) bool {
	ka := a.Team + "\x00" + a.Class + "\x00" + a.Scope + "\x00" + a.Component
	kb := b.Team + "\x00" + b.Class + "\x00" + b.Scope + "\x00" + b.Component
	return ka < kb
}

// convert returns a line's cost on the configured basis in the corporate
// currency.
func convert(li *cost.LineItem, cfg *rules.Config, fx *rules.FX, p cost.Period, cache map[string]decimal.Decimal) (decimal.Decimal, error) {
	amount := li.Cost(cfg.CostBasis)
	if li.BillingCurrency == cfg.Currency {
		return amount, nil
	}
	rate, ok := cache[li.BillingCurrency]
	if !ok {
		var err error
		rate, err = fx.Rate(p, li.BillingCurrency, cfg.Currency)
		if err != nil {
			return decimal.Zero, fmt.Errorf("%s: %w", li.Source, err)
		}
		cache[li.BillingCurrency] = rate
	}
	return amount.Mul(rate), nil
}

// addUsage checks and counts one gateway record.
func addUsage(u *cost.UsageRecord, res *tagging.Resolver, classes map[string]bool, actions map[actionKey]int64, g *Gathered) error {
	class := strings.TrimSpace(u.ActionClass)
	if class == "" {
		return fmt.Errorf("%s: %w: the record has no action_class; every gateway record names one of the configured action_classes", u.Source, connectors.ErrBadInput)
	}
	if !classes[class] {
		return fmt.Errorf("%s: %w: action_class %q is not in the configuration's action_classes", u.Source, connectors.ErrBadInput, class)
	}
	scope := strings.TrimSpace(u.EvalScope)
	if scope != "" && !cost.ValidEvalScope(scope) {
		return fmt.Errorf("%s: %w: eval_scope %q; want none, domain or baseline", u.Source, connectors.ErrBadInput, scope)
	}
	team, _ := res.NormalizeTeam(u.Team)
	n := u.Actions()
	actions[actionKey{team, class, scope}] += n
	if u.AgentRunID != "" && team != "" {
		runs, ok := g.AgentRuns[team]
		if !ok {
			runs = map[string]map[string]int64{}
			g.AgentRuns[team] = runs
		}
		byClass, ok := runs[u.AgentRunID]
		if !ok {
			byClass = map[string]int64{}
			runs[u.AgentRunID] = byClass
		}
		byClass[class] += n
	}
	return nil
}
