package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/allot-dev/allot/connectors/connectortest"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/gen"
	"github.com/allot-dev/allot/reports/gapreport"
	"github.com/allot-dev/allot/rules"
	"github.com/allot-dev/allot/tagging"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"
)

// matchKeys are the YAML keys of rules.Match, read by reflection so that a
// key added there is exercised here without a change.
func matchKeys(t *testing.T) []string {
	t.Helper()
	var keys []string
	mt := reflect.TypeFor[rules.Match]()
	for i := range mt.NumField() {
		k, _, _ := strings.Cut(mt.Field(i).Tag.Get("yaml"), ",")
		if k == "" || mt.Field(i).Type.Kind() != reflect.String {
			t.Fatalf("rules.Match.%s: want a string with a yaml key", mt.Field(i).Name)
		}
		keys = append(keys, k)
	}
	return keys
}

// The values random line items and rule patterns are drawn from: few
// enough that patterns match some lines and not others.
var (
	fieldWords   = []string{"", "a1", "b2", "ab", "x-a", "AmazonBedrock", "Azure OpenAI", "embed-v2", "input-tokens"}
	fieldGlobs   = []string{"*a*", "b*", "*2", "*", "ab", "re:^x", "re:(?i)embed", "re:-(input|output)-tokens", "Azure*"}
	providers    = []string{"AWS", "Microsoft", "Google Cloud", "Oracle", ""}
	tagKeys      = []string{"team", "Team", "user:team", "cost-team", "action_class", "user:action_class", "eval_scope", "platform_component", "project:team", "tag:team", "other"}
	tagValues    = []string{"search", "support", "platform", "Search", "ml-platform", "chat_call", "retrieval_call", "eval_run", "domain", "baseline", "gateway", "nobody", ""}
	ruleSetTeams = []string{"search", "support", "platform"}
	ruleClasses  = []string{"chat_call", "retrieval_call", "agent_step", "eval_run"}
)

// randomConfig is a valid configuration with random pattern rules on every
// match key, defaults, value mappings and, sometimes, the shipped rules.
func randomConfig(t *testing.T, rng *rand.Rand, keys []string) *rules.Config {
	t.Helper()
	var b strings.Builder
	b.WriteString(`version: 1
currency: USD
sources:
  - { name: cloud, kind: focus, url: file:data/focus }
  - { name: gateway, kind: gateway, url: file:data/gateway }
teams:
  - { id: search, cost_center: CC-1 }
  - { id: support, cost_center: CC-2 }
  - { id: platform, cost_center: CC-9, platform: true }
tagging:
  team_keys: [team, user:team, cost-team]
  action_class_keys: [action_class, user:action_class]
  values: { ml-platform: platform, Search: search }
  defaults: { a1: search, b2: support }
  resource_group_defaults: { ab: support }
`)
	if rng.IntN(2) == 0 {
		b.WriteString("  builtin_rules: [ai-tokens]\n")
	}
	b.WriteString("  rules:\n")
	for i := range 3 + rng.IntN(8) {
		fmt.Fprintf(&b, "    - name: r%d\n      match: {", i)
		k1, k2 := keys[rng.IntN(len(keys))], keys[rng.IntN(len(keys))]
		fmt.Fprintf(&b, "%s: %q", k1, fieldGlobs[rng.IntN(len(fieldGlobs))])
		if k2 != k1 && rng.IntN(2) == 0 {
			fmt.Fprintf(&b, ", %s: %q", k2, fieldGlobs[rng.IntN(len(fieldGlobs))])
		}
		b.WriteString("}\n      set: {")
		if rng.IntN(2) == 0 {
			fmt.Fprintf(&b, "team: %s", ruleSetTeams[rng.IntN(len(ruleSetTeams))])
		} else {
			fmt.Fprintf(&b, "action_class: %s", ruleClasses[rng.IntN(len(ruleClasses))])
		}
		b.WriteString("}\n")
	}
	cfg, err := rules.Parse([]byte(b.String()), "allot.yaml", t.TempDir())
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	return cfg
}

// randomItem is a line item with every field set at random.
func randomItem(rng *rand.Rand) cost.LineItem {
	w := func() string { return fieldWords[rng.IntN(len(fieldWords))] }
	li := cost.LineItem{
		ProviderName: providers[rng.IntN(len(providers))], BillingAccountID: w(), BillingAccountName: w(),
		SubAccountID: w(), SubAccountName: w(), ResourceGroup: w(), ChargeCategory: cost.ChargeCategory(w()),
		ChargeClass: w(), ChargeDescription: w(), ServiceName: w(), ServiceCategory: w(), SkuID: w(), SkuMeter: w(),
		UsageType: w(), ResourceID: w(), ResourceName: w(), ResourceType: w(), RegionID: w(), ConsumedUnit: w(),
		ConsumedQuantity: decimal.NewFromInt(rng.Int64N(100)), BilledCost: decimal.New(rng.Int64N(10000), -2),
		EffectiveCost: decimal.New(rng.Int64N(10000), -2), ListCost: decimal.New(rng.Int64N(10000), -2),
		BillingCurrency: "USD", Count: rng.Int64N(4),
	}
	if n := rng.IntN(4); n > 0 {
		li.Tags = cost.Tags{}
		for range n {
			li.Tags[tagKeys[rng.IntN(len(tagKeys))]] = tagValues[rng.IntN(len(tagValues))]
		}
	}
	return li
}

// statsOpts compares tagging.Stats by their exported tables.
var statsOpts = []cmp.Option{cmpopts.IgnoreUnexported(tagging.Stats{}), cmp.AllowUnexported(tagging.Tally{}), cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })}

// TestNeededFieldsTagging: the tagging chain and the gap statistics give
// the same result on a line item with every field as on the same item
// projected to NeededFields (connectortest.Project, as a driver leaves
// it), for random configurations using every match key and random items.
// A field read by tagging or the statistics and missing from NeededFields
// fails it.
func TestNeededFieldsTagging(t *testing.T) {
	keys := matchKeys(t)
	rng := rand.New(rand.NewPCG(7, 11))
	decisive := 0
	for c := range 60 {
		cfg := randomConfig(t, rng, keys)
		cfg.CostBasis = []cost.Basis{cost.BasisBilled, cost.BasisEffective}[c%2]
		fs := NeededFields(cfg)
		res, err := tagging.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		full, proj := res.NewStats(), res.NewStats()
		for range 300 {
			li := randomItem(rng)
			p := connectortest.Project(li, fs)
			if li.Cost(cfg.CostBasis) != p.Cost(cfg.CostBasis) || li.Lines() != p.Lines() {
				t.Fatalf("projection lost the %s cost or the count: %+v", cfg.CostBasis, p)
			}
			rf, rp := res.Resolve(&li), res.Resolve(&p)
			if d := cmp.Diff(rf, rp); d != "" {
				t.Fatalf("config %d: resolution of %+v differs when projected to %b (-full +projected):\n%s", c, li, fs, d)
			}
			if rf.Team.Step == tagging.StepRule || rf.Class.Step == tagging.StepRule {
				decisive++
			}
			amount := li.Cost(cfg.CostBasis)
			full.Add(&li, amount, rf)
			proj.Add(&p, amount, rp)
		}
		if d := cmp.Diff(full, proj, statsOpts...); d != "" {
			t.Fatalf("config %d: gap statistics differ when projected to %b (-full +projected):\n%s", c, fs, d)
		}
	}
	if decisive < 1000 {
		t.Fatalf("only %d of 18000 resolutions decided by a rule: the test exercises too little", decisive)
	}
}

// TestNeededFieldsMatchKeys: each match key adds the fields its patterns
// read, and only those (worked by hand from tagging's fieldValues).
func TestNeededFieldsMatchKeys(t *testing.T) {
	want := map[string][]cost.Field{
		"provider": {cost.FieldProviderName}, "billing_account": {cost.FieldBillingAccount},
		"sub_account": {cost.FieldSubAccountID, cost.FieldSubAccountName}, "resource_group": {cost.FieldResourceGroup},
		"service_category": {cost.FieldServiceCategory}, "service": {cost.FieldServiceName}, "sku": {cost.FieldSku},
		"resource_id": {cost.FieldResourceID}, "resource_name": {cost.FieldResourceName}, "region": {cost.FieldRegion},
		"description": {cost.FieldChargeDescription}, "charge_category": {cost.FieldChargeCategory},
	}
	keys := matchKeys(t)
	if len(keys) != len(want) {
		t.Fatalf("rules.Match has keys %v; this test knows %d", keys, len(want))
	}
	for _, k := range keys {
		var m rules.Match
		v := reflect.ValueOf(&m).Elem()
		for i := range v.NumField() {
			if tag, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ","); tag == k {
				v.Field(i).SetString("*")
			}
		}
		if got, w := matchFields(m), cost.FieldSet(0).With(want[k]...); got != w {
			t.Errorf("match key %s: fields %b, want %b", k, got, w)
		}
	}
}

// TestNeededFieldsGenerated: the fields of the configuration allot gen
// writes (the bench/run.sh benchmark) are the "run, billed basis" set the
// connectors' projection tests use; on the effective basis the effective
// cost joins the billed cost.
func TestNeededFieldsGenerated(t *testing.T) {
	out := filepath.Join(t.TempDir(), "g")
	res, err := gen.Generate(context.Background(), gen.Options{Rows: 100, Format: gen.FormatAWSCUR2, File: gen.FileParquet,
		Period: benchPeriod, Out: out, Seed: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := rules.LoadFile(res.Config)
	if err != nil {
		t.Fatal(err)
	}
	sets := connectortest.FieldSets()
	if got, want := NeededFields(cfg), sets["run, billed basis"]; got != want {
		t.Errorf("NeededFields(generated) = %b, want %b", got, want)
	}
	cfg.CostBasis = cost.BasisEffective
	if got, want := NeededFields(cfg), sets["run, effective basis"]; got != want {
		t.Errorf("NeededFields(generated, effective) = %b, want %b", got, want)
	}
}

// TestGatherProjected: Gather on NeededFields and Gather on every field
// give the same cost groups, statistics, gap report, statement resources
// and action counts, on generated CUR 2.0 (Parquet, CSV.gz) and FOCUS
// exports, on either cost basis; the sources' totals differ only by the
// effective total and out-of-period cost a billed run does not read.
func TestGatherProjected(t *testing.T) {
	for _, tc := range []struct{ format, file string }{
		{gen.FormatAWSCUR2, gen.FileParquet},
		{gen.FormatAWSCUR2, gen.FileCSVGzip},
		{gen.FormatFOCUS, gen.FileCSV},
		{gen.FormatFOCUS, gen.FileParquet},
	} {
		out := filepath.Join(t.TempDir(), "g")
		res, err := gen.Generate(context.Background(), gen.Options{Rows: 20000, Format: tc.format, File: tc.file,
			Period: benchPeriod, Out: out, Seed: 3, Files: 2, Resources: 80, Accounts: 6, Teams: 5, LongDecimals: 0.05}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, basis := range []cost.Basis{cost.BasisBilled, cost.BasisEffective} {
			t.Run(tc.format+"-"+tc.file+"-"+string(basis), func(t *testing.T) {
				cfg, err := rules.LoadFile(res.Config)
				if err != nil {
					t.Fatal(err)
				}
				cfg.CostBasis = basis
				gather := func(project bool) *Gathered {
					t.Helper()
					projectSources = project
					defer func() { projectSources = true }()
					g, err := Gather(context.Background(), cfg, benchEnv(), benchPeriod)
					if err != nil {
						t.Fatal(err)
					}
					return g
				}
				full, proj := gather(false), gather(true)
				diffGathered(t, "every field", "projected", full, proj, "costs", "actions", "resources", "agent runs", "inputs")
				if d := cmp.Diff(full.Stats, proj.Stats, statsOpts...); d != "" {
					t.Errorf("statistics differ (-every field +projected):\n%s", d)
				}
				if a, b := gapJSON(t, full, cfg), gapJSON(t, proj, cfg); a != b {
					t.Errorf("gap reports differ:\n%s\n%s", a, b)
				}
				want := append(full.Sources[:0:0], full.Sources...)
				for i := range want {
					if basis == cost.BasisBilled && want[i].Kind != "gateway" {
						want[i].Effective, want[i].OutOfPeriodCost = "", ""
					}
				}
				if d := cmp.Diff(want, proj.Sources); d != "" {
					t.Errorf("source summaries differ (-want +projected):\n%s", d)
				}
				if len(full.Costs) == 0 || full.Stats.Overall.Total.Lines != 20000 {
					t.Fatalf("%d cost groups, %d lines: the test compares too little", len(full.Costs), full.Stats.Overall.Total.Lines)
				}
			})
		}
	}
}

// TestGatherParallel: Gather resolving a bill's groups on several workers
// (Env.Workers) gives the same cost groups, statistics, gap report,
// statement resources and source totals as on one, on generated CUR 2.0
// exports with enough groups for the driver to share them out.
func TestGatherParallel(t *testing.T) {
	for _, file := range []string{gen.FileParquet, gen.FileCSVGzip} {
		t.Run(file, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "g")
			res, err := gen.Generate(context.Background(), gen.Options{Rows: 40000, Format: gen.FormatAWSCUR2, File: file,
				Period: benchPeriod, Out: out, Seed: 4, Files: 2, Resources: 2000, Accounts: 8, Teams: 6, LongDecimals: 0.05}, nil)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := rules.LoadFile(res.Config)
			if err != nil {
				t.Fatal(err)
			}
			gather := func(workers int) *Gathered {
				t.Helper()
				env := benchEnv()
				env.Workers = workers
				g, err := Gather(context.Background(), cfg, env, benchPeriod)
				if err != nil {
					t.Fatal(err)
				}
				return g
			}
			one := gather(1)
			if one.Stats.Overall.Total.Lines != 40000 || len(one.Stats.UnallocatedByResource) < 100 {
				t.Fatalf("%d lines, %d unallocated resources: the test compares too little",
					one.Stats.Overall.Total.Lines, len(one.Stats.UnallocatedByResource))
			}
			for _, workers := range []int{2, 3} {
				many := gather(workers)
				diffGathered(t, "one worker", fmt.Sprint(workers, " workers"), one, many, "costs", "resources", "sources")
				if d := cmp.Diff(one.Stats, many.Stats, statsOpts...); d != "" {
					t.Errorf("%d workers: statistics differ (-one +many):\n%s", workers, d)
				}
				if a, b := gapJSON(t, one, cfg), gapJSON(t, many, cfg); a != b {
					t.Errorf("%d workers: gap reports differ:\n%s\n%s", workers, a, b)
				}
			}
		})
	}
}

// gapJSON is the tagging-gap report of g's statistics as JSON.
func gapJSON(t *testing.T, g *Gathered, cfg *rules.Config) string {
	t.Helper()
	b, err := json.Marshal(gapreport.Build(g.Stats, gapreport.Options{Period: benchPeriod, Currency: cfg.Currency, Basis: cfg.CostBasis, Places: 2}))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// diffGathered reports the named parts of got that differ from want.
func diffGathered(t *testing.T, wantName, gotName string, want, got *Gathered, parts ...string) {
	t.Helper()
	part := func(g *Gathered, name string) any {
		switch name {
		case "costs":
			return g.Costs
		case "actions":
			return g.Actions
		case "resources":
			return g.Resources
		case "agent runs":
			return g.AgentRuns
		case "inputs":
			return g.Inputs
		case "sources":
			return g.Sources
		}
		t.Fatalf("no part %q", name)
		return nil
	}
	dec := cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })
	for _, name := range parts {
		if d := cmp.Diff(part(want, name), part(got, name), dec); d != "" {
			t.Errorf("%s differ (-%s +%s):\n%s", name, wantName, gotName, d)
		}
	}
}
