package gapreport

import (
	"maps"
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/rules"
	"github.com/allot-dev/allot/tagging"
	"github.com/goccy/go-yaml"
	"github.com/shopspring/decimal"
)

// TestSuggestionsWorked checks each kind of suggestion against figures
// worked out by hand from scenario() (see the comments there).
func TestSuggestionsWorked(t *testing.T) {
	s := buildStats(t, scenarioConfig, scenario())
	r := Build(s, Options{Period: cost.Period{Year: 2026, Month: 10}, Currency: "USD", Basis: cost.BasisEffective, Places: 2})

	// Total 410.34 over 18 lines; unallocated 40+8+6+12.34+5+2+1+9 = 83.34 over 8.
	if r.TotalCost != "410.34" || r.AllocatedCost != "327.00" || r.UnallocatedCost != "83.34" {
		t.Errorf("costs = %s / %s / %s, want 410.34 / 327.00 / 83.34", r.TotalCost, r.AllocatedCost, r.UnallocatedCost)
	}
	// 327 / 410.34 = 0.7968999…; 10 / 18 = 0.5555…
	if *r.CoverageCost != "0.796900" || *r.CoverageLines != "0.555556" || r.Maturity != "crawl" {
		t.Errorf("coverage = %s / %s (%s), want 0.796900 / 0.555556 (crawl)", *r.CoverageCost, *r.CoverageLines, r.Maturity)
	}
	wantSub := map[string]string{"222": "40.00", "333": "14.00", "444": "20.34", "az": "9.00"}
	if !maps.Equal(r.UnallocatedBySubAccount, wantSub) {
		t.Errorf("unallocated_by_sub_account = %v, want %v", r.UnallocatedBySubAccount, wantSub)
	}

	want := []struct {
		kind, effect, cost string
		lines              int64
		yaml               string
	}{
		{KindDefault, EffectAllocates, "40.00", 1, "tagging:\n  defaults:\n    \"222\": search\n"},
		{KindValueMap, EffectAllocates, "12.34", 1, "tagging:\n  values:\n    \"Search\": search\n"},
		{KindResourceGroupDefault, EffectAllocates, "9.00", 1, "tagging:\n  resource_group_defaults:\n    \"RG-Data\": search\n"},
		{KindTeamRule, EffectAllocates, "8.00", 1, "tagging:\n  rules:    # append: rules are tried in order\n    - name: \"support U1\"\n      match: { sub_account: \"333\", service: \"AmazonBedrock\", sku: \"U1\" }\n      set: { team: support }\n"},
		{KindTeamKey, EffectAllocates, "7.00", 2, "tagging:\n  team_keys: [\"team\", \"user:team\", \"Team\"]\n  values:\n    \"Support\": support\n"},
		{KindBuiltinRules, EffectClassifies, "4.00", 1, "tagging:\n  builtin_rules: [\"ai-tokens\"]\n"},
		{KindClassRule, EffectClassifies, "3.00", 1, "tagging:\n  rules:    # append: rules are tried in order\n    - name: \"agent_step Imagen 3\"\n      match: { service: \"Vertex AI\", sku: \"Imagen 3\" }\n      set: { action_class: agent_step }\n"},
	}
	if len(r.Suggestions) != len(want) {
		for _, g := range r.Suggestions {
			t.Logf("%d %s %s %s", g.Rank, g.Kind, g.Cost, g.Title)
		}
		t.Fatalf("%d suggestions, want %d", len(r.Suggestions), len(want))
	}
	for i, w := range want {
		g := r.Suggestions[i]
		if g.Rank != i+1 || g.Kind != w.kind || g.Effect != w.effect || g.Cost != w.cost || g.Lines != w.lines {
			t.Errorf("suggestion %d = #%d %s %s %s over %d lines, want %s %s %s over %d", i, g.Rank, g.Kind, g.Effect, g.Cost, g.Lines, w.kind, w.effect, w.cost, w.lines)
		}
		if g.YAML != w.yaml {
			t.Errorf("suggestion %d (%s) YAML =\n%s\nwant\n%s", i, g.Kind, g.YAML, w.yaml)
		}
	}
}

// TestSuggestionsDoWhatTheySay applies each suggestion's YAML to the
// configuration on its own, resolves the month again, and checks that the
// allocated (or classified) cost grows by exactly the suggestion's cost:
// the YAML parses, and the figure is what the change does.
func TestSuggestionsDoWhatTheySay(t *testing.T) {
	lines := scenario()
	base := buildStats(t, scenarioConfig, lines)
	rep := Build(base, Options{Places: 2})
	classified := func(s *tagging.Stats) decimal.Decimal {
		var nc decimal.Decimal
		for _, t := range s.NoClass {
			nc = nc.Add(t.Cost)
		}
		return s.Overall.Allocated.Cost.Sub(nc)
	}
	for _, sg := range rep.Suggestions {
		t.Run(sg.Kind, func(t *testing.T) {
			c, err := rules.Parse([]byte(scenarioConfig), "allot.yaml", t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			var add struct {
				Tagging rules.Tagging `yaml:"tagging"`
			}
			if err := yaml.Unmarshal([]byte(sg.YAML), &add); err != nil {
				t.Fatalf("the suggested YAML does not parse: %v\n%s", err, sg.YAML)
			}
			tg := &c.Tagging
			maps.Copy(tg.Values, add.Tagging.Values)
			if tg.Defaults == nil {
				tg.Defaults = map[string]string{}
			}
			maps.Copy(tg.Defaults, add.Tagging.Defaults)
			if tg.ResourceGroupDefaults == nil {
				tg.ResourceGroupDefaults = map[string]string{}
			}
			maps.Copy(tg.ResourceGroupDefaults, add.Tagging.ResourceGroupDefaults)
			if add.Tagging.TeamKeys != nil {
				tg.TeamKeys = add.Tagging.TeamKeys
			}
			if add.Tagging.BuiltinRules != nil {
				tg.BuiltinRules = add.Tagging.BuiltinRules
			}
			tg.Rules = append(tg.Rules, add.Tagging.Rules...)
			res, err := tagging.New(c)
			if err != nil {
				t.Fatal(err)
			}
			after := res.NewStats()
			for i := range lines {
				li := &lines[i].li
				after.Add(li, decimal.RequireFromString(lines[i].amt), res.Resolve(li))
			}
			after.Finish()
			var gained decimal.Decimal
			if sg.Effect == EffectAllocates {
				gained = after.Overall.Allocated.Cost.Sub(base.Overall.Allocated.Cost)
			} else {
				gained = classified(after).Sub(classified(base))
			}
			if got := gained.StringFixed(2); got != sg.Cost {
				t.Errorf("applying %q %s %s, the report says %s", sg.Title, sg.Effect, got, sg.Cost)
			}
		})
	}
}

// TestNoSuggestionWithoutEvidence: 89% is not enough for a default.
func TestNoSuggestionWithoutEvidence(t *testing.T) {
	s := buildStats(t, scenarioConfig, []line{
		{aws("555", "U1", cost.Tags{"team": "search"}), "89"},
		{aws("555", "U2", cost.Tags{"team": "support"}), "11"},
		{aws("555", "U3", nil), "50"},
	})
	if r := Build(s, Options{Places: 2}); len(r.Suggestions) != 0 {
		t.Errorf("suggestions from 89%% evidence: %+v", r.Suggestions)
	}
	s = buildStats(t, scenarioConfig, []line{
		{aws("555", "U1", cost.Tags{"team": "search"}), "90"},
		{aws("555", "U2", cost.Tags{"team": "support"}), "10"},
		{aws("555", "U3", nil), "50"},
	})
	if r := Build(s, Options{Places: 2}); len(r.Suggestions) != 1 || r.Suggestions[0].Kind != KindDefault {
		t.Errorf("exactly 90%% evidence should suggest a default: %+v", r.Suggestions)
	}
}

func TestQuoteRoundTrips(t *testing.T) {
	for _, s := range []string{`plain`, `a"b\c`, "tab\there", "new\nline", `"><img src=x onerror=alert(1)>`, "ünïcødé", "#comment", "- dash", ": colon", "'single'"} {
		var doc struct {
			V string `yaml:"v"`
		}
		if err := yaml.Unmarshal([]byte("v: "+quote(s)+"\n"), &doc); err != nil {
			t.Fatalf("quote(%q) = %s does not parse: %v", s, quote(s), err)
		}
		if got := doc.V; got != s {
			t.Errorf("quote(%q) = %s reads back as %q", s, quote(s), got)
		}
	}
	if got, want := literalPattern("a*b"), `re:^a\*b$`; got != want {
		t.Errorf("literalPattern(a*b) = %q, want %q", got, want)
	}
	p := rules.MustCompilePattern(literalPattern("re:x*"))
	if !p.Match("re:x*") || p.Match("re:xx") {
		t.Error("the pattern for a value starting with re: does not match exactly that value")
	}
}
