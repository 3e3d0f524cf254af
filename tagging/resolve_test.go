package tagging

import (
	"strings"
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/rules"
	"github.com/shopspring/decimal"
)

const cfgYAML = `version: 1
sources: [{ name: gw, kind: gateway, url: file:gw }]
teams:
  - { id: search,   cost_center: CC-4100, forecast: 12000 }
  - { id: support,  cost_center: CC-4200, forecast: 5000 }
  - { id: platform, cost_center: CC-9000, platform: true }
tagging:
  team_keys: [team, user:team, cost-team]
  values: { ml-platform: platform }
  defaults: { "111111111111": search, "support-prod": support }
  resource_group_defaults: { rg-support: support }
  rules:
    - name: embeddings
      match: { service: AmazonBedrock, sku: "*Embed*" }
      set: { action_class: retrieval_call }
    - name: bedrock-chat
      match: { service: AmazonBedrock, sku: "re:-(input|output)-tokens$" }
      set: { action_class: chat_call }
    - name: eval-account
      match: { sub_account: "333333333333" }
      set: { team: platform, action_class: eval_run }
`

func resolver(t testing.TB) *Resolver {
	t.Helper()
	c, err := rules.Parse([]byte(cfgYAML), "t.yaml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestResolveChain(t *testing.T) {
	r := resolver(t)
	cases := []struct {
		name               string
		li                 cost.LineItem
		team, class, scope string
		teamStep           Step
		teamBy, classBy    string
		gaps               int
	}{
		{name: "explicit tag", li: cost.LineItem{ProviderName: "AWS", ServiceName: "AmazonBedrock", UsageType: "USE1-Claude3-input-tokens",
			Tags: cost.Tags{"user:team": "support"}}, team: "support", class: "chat_call", scope: "none", teamStep: StepTag, teamBy: "user:team", classBy: "bedrock-chat"},
		{name: "first alias wins", li: cost.LineItem{ProviderName: "AWS", Tags: cost.Tags{"team": "search", "cost-team": "support"}},
			team: "search", scope: "none", teamStep: StepTag, teamBy: "team"},
		{name: "value map", li: cost.LineItem{ProviderName: "AWS", Tags: cost.Tags{"team": " ml-platform "}},
			team: "platform", scope: "none", teamStep: StepTag},
		{name: "unknown value is a gap, then default", li: cost.LineItem{ProviderName: "AWS", SubAccountID: "111111111111", Tags: cost.Tags{"team": "Search"}},
			team: "search", scope: "none", teamStep: StepDefault, teamBy: `tagging.defaults["111111111111"]`, gaps: 1},
		{name: "AWS keys are case-sensitive", li: cost.LineItem{ProviderName: "AWS", Tags: cost.Tags{"Team": "search"}},
			team: "", scope: "none", teamStep: StepUnallocated},
		{name: "Azure keys are case-insensitive", li: cost.LineItem{ProviderName: "Microsoft", Tags: cost.Tags{"TEAM": "support"}},
			team: "support", scope: "none", teamStep: StepTag, teamBy: "TEAM"},
		{name: "default by sub-account name", li: cost.LineItem{ProviderName: "Google Cloud", SubAccountID: "p-1", SubAccountName: "support-prod"},
			team: "support", scope: "none", teamStep: StepDefault},
		{name: "resource group default", li: cost.LineItem{ProviderName: "Microsoft", ResourceGroup: "RG-Support"},
			team: "support", scope: "none", teamStep: StepDefault},
		{name: "rule sets team and class; platform eval is baseline", li: cost.LineItem{ProviderName: "AWS", SubAccountID: "333333333333"},
			team: "platform", class: "eval_run", scope: "baseline", teamStep: StepRule, teamBy: "eval-account", classBy: "eval-account"},
		{name: "embedding rule", li: cost.LineItem{ProviderName: "AWS", ServiceName: "AmazonBedrock", UsageType: "USE1-TitanEmbedTextV2-input-tokens", SubAccountID: "111111111111"},
			team: "search", class: "retrieval_call", scope: "none", teamStep: StepDefault, classBy: "embeddings"},
		{name: "class tag and team eval is domain", li: cost.LineItem{ProviderName: "AWS", Tags: cost.Tags{"team": "search", "action_class": "eval_run"}},
			team: "search", class: "eval_run", scope: "domain", teamStep: StepTag, classBy: "action_class"},
		{name: "scope tag makes an eval", li: cost.LineItem{ProviderName: "AWS", Tags: cost.Tags{"team": "search", "eval_scope": "domain"}},
			team: "search", class: "eval_run", scope: "domain", teamStep: StepTag},
		{name: "bad class value is a gap", li: cost.LineItem{ProviderName: "AWS", Tags: cost.Tags{"team": "search", "action_class": "chat"}},
			team: "search", class: "", scope: "none", teamStep: StepTag, gaps: 1},
		{name: "nothing matches", li: cost.LineItem{ProviderName: "AWS", SubAccountID: "999"}, team: "", scope: "none", teamStep: StepUnallocated},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, trace := r.Explain(&tc.li)
			if res.Team.Value != tc.team || res.Class.Value != tc.class || res.Scope.Value != tc.scope {
				t.Errorf("team/class/scope = %q/%q/%q, want %q/%q/%q", res.Team.Value, res.Class.Value, res.Scope.Value, tc.team, tc.class, tc.scope)
			}
			if res.Team.Step != tc.teamStep {
				t.Errorf("team step = %s, want %s", res.Team.Step, tc.teamStep)
			}
			if tc.teamBy != "" && res.Team.By != tc.teamBy {
				t.Errorf("team decided by %q, want %q", res.Team.By, tc.teamBy)
			}
			if tc.classBy != "" && res.Class.By != tc.classBy {
				t.Errorf("class decided by %q, want %q", res.Class.By, tc.classBy)
			}
			if len(res.Gaps) != tc.gaps {
				t.Errorf("gaps = %v, want %d", res.Gaps, tc.gaps)
			}
			decided := 0
			for _, a := range trace {
				if a.Attribute == "team" && a.Decided {
					decided++
				}
			}
			if decided != 1 {
				t.Errorf("trace has %d deciding team steps, want exactly 1: %+v", decided, trace)
			}
			if plain := r.Resolve(&tc.li); plain.Team != res.Team || plain.Class != res.Class {
				t.Errorf("Resolve and Explain disagree: %+v vs %+v", plain, res)
			}
		})
	}
}

func TestNormalizeTeam(t *testing.T) {
	r := resolver(t)
	if team, ok := r.NormalizeTeam(" ml-platform"); !ok || team != "platform" {
		t.Errorf("NormalizeTeam = %q, %v", team, ok)
	}
	if _, ok := r.NormalizeTeam("marketing"); ok {
		t.Error("an unregistered team normalized as registered")
	}
}

func TestStats(t *testing.T) {
	r := resolver(t)
	s := r.NewStats()
	lines := []struct {
		li  cost.LineItem
		amt string
	}{
		{cost.LineItem{ProviderName: "AWS", SubAccountID: "111111111111", ServiceName: "AmazonBedrock", Tags: cost.Tags{"team": "search", "action_class": "chat_call"}}, "100.50"},
		{cost.LineItem{ProviderName: "AWS", SubAccountID: "222", ServiceName: "AmazonBedrock", ResourceID: "r1", Tags: cost.Tags{"Team": "search"}}, "40"},
		{cost.LineItem{ProviderName: "AWS", SubAccountID: "222", ServiceName: "AmazonS3", ResourceID: "r2", Count: 3}, "9.5"},
		{cost.LineItem{ProviderName: "Microsoft", SubAccountID: "sub", Tags: cost.Tags{"team": "marketing"}}, "50"},
	}
	for i := range lines {
		li := &lines[i].li
		s.Add(li, decimal.RequireFromString(lines[i].amt), r.Resolve(li))
	}
	s.Finish()
	if got, want := s.Overall.Total.Cost.String(), "200"; got != want {
		t.Errorf("total = %s, want %s", got, want)
	}
	if got, want := s.Overall.Allocated.Cost.String(), "100.5"; got != want {
		t.Errorf("allocated = %s, want %s", got, want)
	}
	if got, want := s.Overall.Total.Lines, int64(6); got != want {
		t.Errorf("lines = %d, want %d", got, want)
	}
	// 100.5 / 200 = 0.5025; 1 of 6 lines.
	if got, want := s.Overall.CostFraction().String(), "0.5025"; got != want {
		t.Errorf("coverage = %s, want %s", got, want)
	}
	if got, want := s.Overall.LineFraction().String(), "0.166667"; got != want {
		t.Errorf("line coverage = %s, want %s", got, want)
	}
	if got, want := s.UnallocatedBySubAccount["222"].Cost.String(), "49.5"; got != want {
		t.Errorf("unallocated 222 = %s, want %s", got, want)
	}
	if got := s.UnknownValues[ValueKey{"team", "marketing"}]; got == nil || got.Cost.String() != "50" {
		t.Errorf("unknown values = %v", s.UnknownValues)
	}
	var variants []string
	for k := range s.TeamKeyVariants {
		variants = append(variants, k)
	}
	if got := strings.Join(sortStrings(variants), ","); got != "Team,team" {
		t.Errorf("team key variants = %s, want Team,team", got)
	}
	if top := Top(s.UnallocatedByResource, 1); len(top) != 1 || top[0].Name != "" {
		t.Errorf("top unallocated resource = %+v", top)
	}
}

func sortStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

func TestInheritedProjectLabels(t *testing.T) {
	r := resolver(t)
	cases := []struct {
		name       string
		li         cost.LineItem
		team, by   string
		step       Step
		class      string
		classStep  Step
		unknownGap bool
	}{
		{name: "resource label wins over the project label",
			li:   cost.LineItem{ProviderName: "Google Cloud", Tags: cost.Tags{"team": "search", "project:team": "support"}},
			team: "search", by: "team", step: StepTag, classStep: StepUnclassified},
		{name: "project label when the resource has none",
			li:   cost.LineItem{ProviderName: "Google Cloud", SubAccountID: "support-prod-1", Tags: cost.Tags{"project:team": "support", "project:action_class": "chat_call"}},
			team: "support", by: "project:team", step: StepInherited, class: "chat_call", classStep: StepInherited},
		{name: "resource manager tag before the project label",
			li:   cost.LineItem{ProviderName: "Google Cloud", Tags: cost.Tags{"tag:team": "search", "project:team": "support"}},
			team: "search", by: "tag:team", step: StepInherited, classStep: StepUnclassified},
		{name: "inherited value that is not a team is a gap, then the default",
			li:   cost.LineItem{ProviderName: "Google Cloud", SubAccountName: "support-prod", Tags: cost.Tags{"project:team": "Marketing"}},
			team: "support", by: `tagging.defaults["support-prod"]`, step: StepDefault, classStep: StepUnclassified, unknownGap: true},
		{name: "only Google lines inherit",
			li:   cost.LineItem{ProviderName: "AWS", Tags: cost.Tags{"project:team": "support"}},
			step: StepUnallocated, classStep: StepUnclassified},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, trace := r.Explain(&tc.li)
			if res.Team.Value != tc.team || res.Team.Step != tc.step {
				t.Errorf("team = %s, want %s (%s)", res.Team, tc.team, tc.step)
			}
			if tc.by != "" && res.Team.By != tc.by {
				t.Errorf("team decided by %q, want %q", res.Team.By, tc.by)
			}
			if res.Class.Value != tc.class || res.Class.Step != tc.classStep {
				t.Errorf("class = %s, want %q (%s)", res.Class, tc.class, tc.classStep)
			}
			if got := len(res.Gaps) == 1 && res.Gaps[0].Kind == GapUnknownTeam && res.Gaps[0].Key == "project:team"; got != tc.unknownGap {
				t.Errorf("gaps = %+v, want an unknown project:team value: %v", res.Gaps, tc.unknownGap)
			}
			// Explicit tags are all tried before any inherited one.
			lastTag, firstInherited := -1, len(trace)
			for i, a := range trace {
				if a.Attribute != "team" {
					continue
				}
				if a.Step == StepTag {
					lastTag = i
				}
				if a.Step == StepInherited && i < firstInherited {
					firstInherited = i
				}
			}
			if lastTag > firstInherited {
				t.Errorf("an explicit tag was tried after an inherited one: %+v", trace)
			}
		})
	}
}

func TestExplainPathsAndReasons(t *testing.T) {
	r := resolver(t)
	li := cost.LineItem{ProviderName: "AWS", ServiceName: "AmazonBedrock", UsageType: "USE1-Claude3-input-tokens", SubAccountID: "111111111111"}
	res, trace := r.Explain(&li)
	if got, want := res.Team.Path, "tagging.defaults.111111111111"; got != want {
		t.Errorf("team path = %q, want %q", got, want)
	}
	if got, want := res.Class.Path, "tagging.rules[1]"; got != want {
		t.Errorf("class path = %q, want %q", got, want)
	}
	var embed *Attempt
	for i := range trace {
		if trace[i].Attribute == "action_class" && trace[i].By == "embeddings" {
			embed = &trace[i]
		}
	}
	if embed == nil || embed.Decided || !strings.Contains(embed.Outcome, `sku "USE1-Claude3-input-tokens" does not match "*Embed*"`) {
		t.Errorf("the embeddings rule's attempt does not say why it failed: %+v", embed)
	}
	tagged := cost.LineItem{ProviderName: "AWS", Tags: cost.Tags{"cost-team": "ml-platform"}}
	res = r.Resolve(&tagged)
	if res.Team.Value != "platform" || res.Team.Path != "tagging.values.ml-platform" {
		t.Errorf("value-mapped team = %+v, want platform via tagging.values.ml-platform", res.Team)
	}
	plain := cost.LineItem{ProviderName: "AWS", Tags: cost.Tags{"cost-team": "support"}}
	if res = r.Resolve(&plain); res.Team.Path != "tagging.team_keys[2]" {
		t.Errorf("tag path = %q, want tagging.team_keys[2]", res.Team.Path)
	}
	gap := cost.LineItem{ProviderName: "AWS", Tags: cost.Tags{"team": "Support"}}
	_, trace = r.Explain(&gap)
	if !strings.Contains(trace[0].Outcome, `tagging.values: { "Support": support }`) {
		t.Errorf("a case-only gap does not suggest the value-map entry: %q", trace[0].Outcome)
	}
}

func TestFoldTeam(t *testing.T) {
	r := resolver(t)
	cases := map[string]string{"Support": "support", " SEARCH ": "search", "ML_Platform": "platform", "Platform": "platform", "marketing": "", "": ""}
	for v, want := range cases {
		got, ok := r.FoldTeam(v)
		if got != want || ok != (want != "") {
			t.Errorf("FoldTeam(%q) = %q, %v; want %q", v, got, ok, want)
		}
	}
}

func TestRuleFields(t *testing.T) {
	c, err := rules.Parse([]byte(`version: 1
sources: [{ name: bill, kind: focus, url: file:bill }]
model: finops
teams:
  - { id: search, cost_center: CC1 }
  - { id: support, cost_center: CC2 }
  - { id: platform, cost_center: CC9, platform: true }
tagging:
  rules:
    - name: by-payer-name
      match: { billing_account: acme-payer, resource_name: "search-*" }
      set: { team: search }
    - name: by-category
      match: { service_category: AI and Machine Learning, description: "*support*" }
      set: { team: support }
    - name: credits
      match: { charge_category: Credit }
      set: { platform_component: credits }
`), "t.yaml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r, _ := New(c)
	cases := []struct {
		li        cost.LineItem
		team, by  string
		component string
	}{
		{cost.LineItem{BillingAccountID: "999", BillingAccountName: "acme-payer", ResourceName: "search-chat"}, "search", "by-payer-name", ""},
		{cost.LineItem{BillingAccountID: "acme-payer", ResourceName: "support-chat"}, "", "", ""},
		{cost.LineItem{ServiceCategory: "AI and Machine Learning", ChargeDescription: "support bot tokens", ChargeCategory: cost.ChargeCredit}, "support", "by-category", "credits"},
	}
	for i, tc := range cases {
		res := r.Resolve(&tc.li)
		if res.Team.Value != tc.team || res.Team.By != tc.by || res.Component.Value != tc.component {
			t.Errorf("case %d: team %s, component %s; want %q by %q, component %q", i, res.Team, res.Component, tc.team, tc.by, tc.component)
		}
	}
}

// TestServicePatternIgnoresSpaces: service: AmazonBedrock (the CUR product
// code, as in the reference configuration) also matches a FOCUS export's
// "Amazon Bedrock".
func TestServicePatternIgnoresSpaces(t *testing.T) {
	r := resolver(t)
	for _, svc := range []string{"AmazonBedrock", "Amazon Bedrock"} {
		li := cost.LineItem{ProviderName: "AWS", ServiceName: svc, UsageType: "USE1-TitanEmbedTextV2-input-tokens"}
		if got := r.Resolve(&li).Class; got.Value != "retrieval_call" || got.By != "embeddings" {
			t.Errorf("service %q: class %+v, want retrieval_call by the embeddings rule", svc, got)
		}
	}
	li := cost.LineItem{ProviderName: "AWS", ServiceName: "Amazon S3", UsageType: "USE1-Embed"}
	if got := r.Resolve(&li).Class.Value; got != "" {
		t.Errorf("Amazon S3 matched the Bedrock rule: %q", got)
	}
}
