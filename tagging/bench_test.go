package tagging

import (
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// BenchmarkResolveAndCount resolves a mix of tagged, defaulted and
// untagged lines and counts them in the gap statistics, as Gather does
// once per (merged) line item.
func BenchmarkResolveAndCount(b *testing.B) {
	r := resolver(b)
	s := r.NewStats()
	lines := []cost.LineItem{
		{ProviderName: "AWS", SubAccountID: "111111111111", ServiceName: "AmazonBedrock", UsageType: "USE1-Claude3-input-tokens", ResourceID: "arn:a", Tags: cost.Tags{"user:team": "search", "user:action_class": "chat_call"}},
		{ProviderName: "AWS", SubAccountID: "111111111111", ServiceName: "AmazonBedrock", UsageType: "USE1-TitanEmbedTextV2-input-tokens", ResourceID: "arn:b"},
		{ProviderName: "Microsoft", SubAccountID: "sub", ResourceGroup: "rg-support", ServiceName: "Azure OpenAI", SkuMeter: "GPT 5 outpt Glbl 1M Tokens", Tags: cost.Tags{"Team": "Support"}},
		{ProviderName: "AWS", SubAccountID: "444", ServiceName: "AmazonBedrock", UsageType: "USE1-Llama3-input-tokens"},
	}
	amt := decimal.RequireFromString("12.345678")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		li := &lines[i%len(lines)]
		s.Add(li, amt, r.Resolve(li))
	}
}
