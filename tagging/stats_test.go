package tagging

import (
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// TestStatsEvidence feeds a handful of lines with worked costs and checks
// every table the suggestions are drawn from.
func TestStatsEvidence(t *testing.T) {
	r := resolver(t)
	s := r.NewStats()
	lines := []struct {
		li  cost.LineItem
		amt string
	}{
		// Sub-account 555: 90 tagged search, 10 tagged support, 7 untagged.
		{cost.LineItem{ProviderName: "AWS", SubAccountID: "555", SubAccountName: "shared", ServiceName: "AmazonBedrock", UsageType: "U1", Tags: cost.Tags{"team": "search"}}, "90"},
		{cost.LineItem{ProviderName: "AWS", SubAccountID: "555", ServiceName: "AmazonBedrock", UsageType: "U2", Tags: cost.Tags{"team": "support"}}, "10"},
		{cost.LineItem{ProviderName: "AWS", SubAccountID: "555", ServiceName: "AmazonBedrock", UsageType: "U1"}, "7"},
		// An AWS key variant the resolver does not read, twice.
		{cost.LineItem{ProviderName: "AWS", SubAccountID: "666", ServiceName: "X", SkuMeter: "M", Tags: cost.Tags{"Team": "search"}, Count: 2}, "3.5"},
		// An unknown value on two keys of one line counts once per value.
		{cost.LineItem{ProviderName: "AWS", SubAccountID: "666", ServiceName: "X", SkuID: "S", Tags: cost.Tags{"team": "Search", "cost-team": "Search"}}, "1.25"},
		// The same unknown value on a defaulted account: allocated, not counted as unallocated.
		{cost.LineItem{ProviderName: "AWS", SubAccountID: "111111111111", ServiceName: "X", Tags: cost.Tags{"team": "Search"}}, "2"},
		// A class decided by tag, and a team without class that the shipped set would classify.
		{cost.LineItem{ProviderName: "AWS", SubAccountID: "555", ServiceName: "AmazonBedrock", UsageType: "U9", Tags: cost.Tags{"team": "search", "action_class": "agent_step"}}, "4"},
		{cost.LineItem{ProviderName: "Microsoft", SubAccountID: "sub", ResourceGroup: "RG-A", ServiceName: "Azure OpenAI", SkuMeter: "GPT 5 outpt Glbl 1M Tokens", Tags: cost.Tags{"TEAM": "support"}}, "6"},
	}
	for i := range lines {
		li := &lines[i].li
		s.Add(li, decimal.RequireFromString(lines[i].amt), r.Resolve(li))
	}
	s.Finish()
	eq := func(name string, got *Tally, cost string, n int64) {
		t.Helper()
		if got == nil {
			t.Errorf("%s: missing, want %s over %d lines", name, cost, n)
			return
		}
		if !got.Cost.Equal(decimal.RequireFromString(cost)) || got.Lines != n {
			t.Errorf("%s = %s over %d lines, want %s over %d", name, got.Cost, got.Lines, cost, n)
		}
	}
	// Total 90+10+7+3.5+1.25+2+4+6 = 123.75 over 9 lines; unallocated 7+3.5+1.25 = 11.75 over 4.
	eq("total", &s.Overall.Total, "123.75", 9)
	eq("unallocated", &s.Overall.Unallocated, "11.75", 4)
	eq("tagged search in 555", s.TaggedTeamBySubAccount["555"]["search"], "94", 2)
	eq("tagged support in 555", s.TaggedTeamBySubAccount["555"]["support"], "10", 1)
	if _, ok := s.TaggedTeamBySubAccount["111111111111"]; ok {
		t.Error("a default counted as tag evidence")
	}
	eq("tagged search in 555/U1", s.TaggedTeamByGroup[Group{"555", "AmazonBedrock", "U1"}]["search"], "90", 1)
	eq("unallocated cell 555/U1", s.UnallocatedCells[Cell{"555", "", "AmazonBedrock", "U1"}], "7", 1)
	eq("tagged support in rg-a", s.TaggedTeamByResourceGroup["rg-a"]["support"], "6", 1)
	if got := s.SubAccountNames["555"]; got != "shared" {
		t.Errorf("name of 555 = %q", got)
	}
	eq("ignored Team=search", s.IgnoredKeyValues[ValueKey{"Team", "search"}], "3.5", 2)
	if got, want := s.KeyUse(KeyVariant{"AWS", "Team"}), KeyIgnored; got != want {
		t.Errorf("AWS Team use = %s, want %s", got, want)
	}
	if got, want := s.KeyUse(KeyVariant{"Microsoft", "TEAM"}), KeyCaseFolded; got != want {
		t.Errorf("Azure TEAM use = %s, want %s", got, want)
	}
	if got, want := s.KeyUse(KeyVariant{"Google Cloud", "project:team"}), KeyInherited; got != want {
		t.Errorf("GCP project:team use = %s, want %s", got, want)
	}
	if got, want := s.KeyUse(KeyVariant{"AWS", "user:team"}), KeyConfigured; got != want {
		t.Errorf("user:team use = %s, want %s", got, want)
	}
	eq("unknown team=Search, all lines", s.UnknownValues[ValueKey{"team", "Search"}], "3.25", 2)
	eq("unknown Search, unallocated lines once each", s.UnknownValuesUnallocated["Search"], "1.25", 1)
	eq("tagged class agent_step", s.TaggedClassBySKU[SKUKey{"AmazonBedrock", "U9"}]["agent_step"], "4", 1)
	// Without a class and a component: search 90 (U1) + 2 (defaulted);
	// support 10 (U2) + 6 (Azure); the agent_step line is classified.
	eq("no class, search", s.NoClass["search"], "92", 2)
	eq("no class, support", s.NoClass["support"], "16", 2)
	eq("no class, Bedrock U1", s.NoClassBySKU[SKUKey{"AmazonBedrock", "U1"}], "90", 1)
	// The configuration does not enable ai-tokens; its Azure token rule
	// would classify the 6 of the Azure line, and nothing else.
	eq("ai-tokens/azure-openai-tokens would classify", s.NoClassBuiltin["ai-tokens/azure-openai-tokens"], "6", 1)
	if len(s.NoClassBuiltin) != 1 {
		t.Errorf("NoClassBuiltin = %v, want only the Azure rule", s.NoClassBuiltin)
	}
}
