package gapreport

import (
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/rules"
	"github.com/allot-dev/allot/tagging"
	"github.com/shopspring/decimal"
)

// scenarioConfig registers search, support and the platform team; it reads
// team and user:team, maps ml-platform, defaults one account and has one
// class rule. It does not turn on the shipped AI token rules.
const scenarioConfig = `version: 1
sources: [{ name: bill, kind: focus, url: file:bill }]
model: finops
teams:
  - { id: search, cost_center: CC1 }
  - { id: support, cost_center: CC2 }
  - { id: platform, cost_center: CC9, platform: true }
tagging:
  team_keys: [team, user:team]
  values: { ml-platform: platform }
  defaults: { "111111111111": search }
  rules:
    - name: titan
      match: { sku: "*Titan*" }
      set: { action_class: retrieval_call }
`

type line struct {
	li  cost.LineItem
	amt string
}

func aws(sub, usage string, tags cost.Tags) cost.LineItem {
	return cost.LineItem{ProviderName: "AWS", SubAccountID: sub, ServiceName: "AmazonBedrock", UsageType: usage, ResourceID: "arn:" + sub + ":" + usage, Tags: tags}
}

func azure(sub, rg, meter string, tags cost.Tags) cost.LineItem {
	return cost.LineItem{ProviderName: "Microsoft", SubAccountID: sub, SubAccountName: sub + "-name", ResourceGroup: rg, ServiceName: "Azure OpenAI", SkuMeter: meter, Tags: tags}
}

// scenario is a month built so that each kind of suggestion fires once,
// with round numbers. The expected figures are worked out by hand in
// TestSuggestionsWorked.
func scenario() []line {
	cls := func(team, class string) cost.Tags { return cost.Tags{"team": team, "action_class": class} }
	return []line{
		// Account 111111111111 is defaulted to search: everything allocated.
		{aws("111111111111", "USE1-TitanEmbed-input-tokens", nil), "50"},
		// Account 222: tagged 95 search, 5 support (95%): default search would allocate the 40 untagged.
		{aws("222", "U1", cls("search", "chat_call")), "95"},
		{aws("222", "U2", cls("support", "chat_call")), "5"},
		{aws("222", "U3", nil), "40"},
		// Account 333: 60 search, 40 support (no default), but U1 there is
		// 100% support: a rule would allocate its untagged 8; U2's 6 has no evidence.
		{aws("333", "U9", cls("search", "chat_call")), "60"},
		{aws("333", "U1", cls("support", "chat_call")), "40"},
		{aws("333", "U1", nil), "8"},
		{aws("333", "U2", nil), "6"},
		// Account 444: an unknown value that folds to a team (12.34), and a
		// key variant AWS does not read: Team=support 5 and Team=Support 2.
		{aws("444", "U5", cost.Tags{"team": "Search"}), "12.34"},
		{aws("444", "U6", cost.Tags{"Team": "support"}), "5"},
		{aws("444", "U7", cost.Tags{"Team": "Support"}), "2"},
		{aws("444", "U8", cost.Tags{"team": "marketing"}), "1"},
		// Azure subscription az: rg-data is tagged search 30, rg-web support
		// 30 (50/50, no default); untagged lines in RG-Data (9) get a
		// resource-group default.
		{azure("az", "rg-data", "M1", cost.Tags{"team": "search", "action_class": "chat_call"}), "30"},
		{azure("az", "rg-web", "M2", cost.Tags{"team": "support", "action_class": "chat_call"}), "30"},
		{azure("az", "RG-Data", "M3", nil), "9"},
		// Classes: Imagen lines tagged agent_step (10) and one with a team
		// but no class (3): a class rule. A Bedrock token line with a team
		// but no class (4): the shipped ai-tokens set would classify it.
		{cost.LineItem{ProviderName: "Google Cloud", SubAccountID: "g1", ServiceName: "Vertex AI", SkuMeter: "Imagen 3", Tags: cls("search", "agent_step")}, "10"},
		{cost.LineItem{ProviderName: "Google Cloud", SubAccountID: "g1", ServiceName: "Vertex AI", SkuMeter: "Imagen 3", Tags: cost.Tags{"team": "search"}}, "3"},
		{aws("111111111111", "USE1-Claude-input-tokens", cost.Tags{"user:team": "search"}), "4"},
	}
}

func buildStats(t testing.TB, cfgYAML string, lines []line) *tagging.Stats {
	t.Helper()
	c, err := rules.Parse([]byte(cfgYAML), "allot.yaml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r, err := tagging.New(c)
	if err != nil {
		t.Fatal(err)
	}
	s := r.NewStats()
	for i := range lines {
		li := &lines[i].li
		s.Add(li, decimal.RequireFromString(lines[i].amt), r.Resolve(li))
	}
	s.Finish()
	return s
}
