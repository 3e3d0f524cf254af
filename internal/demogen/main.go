// Command demogen writes the sample company's month that allot demo runs
// on: a FOCUS 1.2 cost export covering AWS Bedrock, Azure OpenAI and
// Vertex AI, and the inference gateway's usage records. The output is
// deterministic; cmd/allot embeds it.
//
//	go run ./internal/demogen -out cmd/allot/demodata/data
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

var period = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

type line struct {
	provider, billingAcct, billingName, subID, subName string
	day                                                int
	category, service, svcCategory, sku, meter, usage  string
	resource, region                                   string
	qty                                                decimal.Decimal
	unit                                               string
	cost                                               decimal.Decimal
	desc                                               string
	tags                                               map[string]string
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func main() {
	out := flag.String("out", "cmd/allot/demodata/data", "folder to write focus/ and gateway/ into")
	flag.Parse()
	rng := rand.New(rand.NewPCG(2026, 10))
	jitter := func(base int64) int64 { return base + rng.Int64N(base/5+1) - base/10 }

	var lines []line
	aws := func(day int, acct, acctName, usage, resource, tokenUnit string, tokens int64, ratePer1K string, tags map[string]string) {
		qty := decimal.NewFromInt(tokens)
		cost := qty.Div(decimal.NewFromInt(1000)).Mul(dec(ratePer1K))
		lines = append(lines, line{provider: "AWS", billingAcct: "999999999999", billingName: "acme-payer", subID: acct, subName: acctName,
			day: day, category: "Usage", service: "AmazonBedrock", svcCategory: "AI and Machine Learning", sku: "SKU-" + usage, usage: usage,
			resource: resource, region: "us-east-1", qty: qty, unit: tokenUnit, cost: cost, desc: "Amazon Bedrock " + usage, tags: tags})
	}
	azure := func(day int, meter, resource string, tokens int64, ratePer1M string, tags map[string]string) {
		qty := decimal.NewFromInt(tokens)
		cost := qty.Div(decimal.NewFromInt(1_000_000)).Mul(dec(ratePer1M))
		lines = append(lines, line{provider: "Microsoft", billingAcct: "8611537", billingName: "Acme EA", subID: "7c0f3f39-5b2a-4d7e-9b8f-2f7a1c9e0d11",
			subName: "support-prod", day: day, category: "Usage", service: "Azure OpenAI", svcCategory: "AI and Machine Learning",
			sku: "DZH318Z0BQ4W", meter: meter, resource: resource, region: "swedencentral", qty: qty, unit: "1M Tokens", cost: cost,
			desc: meter, tags: tags})
	}
	gcp := func(day int, sku, resource string, tokens int64, ratePer1M string, tags map[string]string) {
		qty := decimal.NewFromInt(tokens)
		cost := qty.Div(decimal.NewFromInt(1_000_000)).Mul(dec(ratePer1M))
		lines = append(lines, line{provider: "Google Cloud", billingAcct: "01338E-BE3FD6-363B4C", billingName: "Acme GCP", subID: "acme-search-ml",
			subName: "acme-search-ml", day: day, category: "Usage", service: "Vertex AI", svcCategory: "AI and Machine Learning",
			sku: "E941-1B12-88B9", meter: sku, resource: resource, region: "us-central1", qty: qty, unit: "tokens", cost: cost, desc: sku, tags: tags})
	}
	claudeProfile := "arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/search-chat"
	for day := 1; day <= 31; day++ {
		// search on AWS: chat (tagged), agent steps (tagged), embeddings
		// (untagged class: the shipped rule makes them retrieval calls;
		// untagged team: the account default makes them search's).
		aws(day, "111111111111", "search-prod", "USE1-Claude3.5Sonnet-input-tokens", claudeProfile, "1K tokens", jitter(95_000_000), "0.003",
			map[string]string{"user:team": "search", "user:action_class": "chat_call"})
		aws(day, "111111111111", "search-prod", "USE1-Claude3.5Sonnet-output-tokens", claudeProfile, "1K tokens", jitter(16_000_000), "0.015",
			map[string]string{"user:team": "search", "user:action_class": "chat_call"})
		aws(day, "111111111111", "search-prod", "USE1-Claude3.5Sonnet-input-tokens", "arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/search-agent", "1K tokens", jitter(20_000_000), "0.003",
			map[string]string{"user:team": "search", "user:action_class": "agent_step"})
		aws(day, "111111111111", "search-prod", "USE1-Claude3.5Sonnet-output-tokens", "arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/search-agent", "1K tokens", jitter(4_000_000), "0.015",
			map[string]string{"user:team": "search", "user:action_class": "agent_step"})
		aws(day, "111111111111", "search-prod", "USE1-Claude3.5Sonnet-input-tokens", "arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/search-evals", "1K tokens", jitter(1_500_000), "0.003",
			map[string]string{"user:team": "search", "user:action_class": "eval_run", "user:eval_scope": "domain"})
		aws(day, "111111111111", "search-prod", "USE1-TitanEmbedTextV2-input-tokens", "arn:aws:bedrock:us-east-1:111111111111:foundation-model/amazon.titan-embed-text-v2:0", "1K tokens", jitter(900_000_000), "0.00002", nil)
		// search on GCP: Gemini for query rewriting, labelled.
		gcp(day, "Gemini 2.5 Flash Text Input - Predictions", "//aiplatform.googleapis.com/projects/acme-search-ml/locations/us-central1/endpoints/rewrite", jitter(120_000_000), "0.30",
			map[string]string{"team": "search", "action_class": "chat_call"})
		gcp(day, "Gemini 2.5 Flash Text Output - Predictions", "//aiplatform.googleapis.com/projects/acme-search-ml/locations/us-central1/endpoints/rewrite", jitter(20_000_000), "2.50",
			map[string]string{"team": "search", "action_class": "chat_call"})
		// support on Azure OpenAI: most lines tagged; some carry a value
		// that differs from the team id by case (a tagging gap).
		supportTags := map[string]string{"team": "support", "action_class": "chat_call"}
		if day%5 == 0 {
			supportTags = map[string]string{"Team": "Support", "action_class": "chat_call"}
		}
		azure(day, "GPT 5 inpt Glbl 1M Tokens", "/subscriptions/7c0f3f39-5b2a-4d7e-9b8f-2f7a1c9e0d11/resourceGroups/rg-support/providers/Microsoft.CognitiveServices/accounts/support-aoai", jitter(120_000_000), "1.25", supportTags)
		azure(day, "GPT 5 outpt Glbl 1M Tokens", "/subscriptions/7c0f3f39-5b2a-4d7e-9b8f-2f7a1c9e0d11/resourceGroups/rg-support/providers/Microsoft.CognitiveServices/accounts/support-aoai", jitter(8_000_000), "10", supportTags)
		azure(day, "text-embedding-3-large Inp Glbl 1M Tokens", "/subscriptions/7c0f3f39-5b2a-4d7e-9b8f-2f7a1c9e0d11/resourceGroups/rg-support/providers/Microsoft.CognitiveServices/accounts/support-aoai", jitter(300_000_000), "0.13",
			map[string]string{"team": "support", "action_class": "retrieval_call"})
		// platform: the eval harness (value map ml-platform → platform) and
		// the prompt registry.
		aws(day, "333333333333", "platform-shared", "USE1-Claude3.5Sonnet-input-tokens", "arn:aws:bedrock:us-east-1:333333333333:application-inference-profile/eval-harness", "1K tokens", jitter(5_000_000), "0.003",
			map[string]string{"user:team": "ml-platform", "user:action_class": "eval_run"})
		aws(day, "333333333333", "platform-shared", "USE1-Claude3.5Sonnet-output-tokens", "arn:aws:bedrock:us-east-1:333333333333:application-inference-profile/eval-harness", "1K tokens", jitter(800_000), "0.015",
			map[string]string{"user:team": "ml-platform", "user:action_class": "eval_run"})
		lines = append(lines, line{provider: "AWS", billingAcct: "999999999999", billingName: "acme-payer", subID: "333333333333", subName: "platform-shared",
			day: day, category: "Usage", service: "AmazonDynamoDB", svcCategory: "Databases", sku: "SKU-USE1-ReadRequestUnits", usage: "USE1-ReadRequestUnits",
			resource: "arn:aws:dynamodb:us-east-1:333333333333:table/prompt-registry", region: "us-east-1", qty: decimal.NewFromInt(jitter(40_000_000)), unit: "ReadRequestUnits",
			desc: "DynamoDB reads: prompt registry", tags: map[string]string{"user:team": "platform", "user:platform_component": "registry"}})
		lines[len(lines)-1].cost = lines[len(lines)-1].qty.Mul(dec("0.00000025"))
		// A sandbox account nobody tagged: unallocated.
		aws(day, "444444444444", "ds-sandbox", "USE1-Llama3-70B-input-tokens", "", "1K tokens", jitter(8_000_000), "0.00265", nil)
	}
	// Month-level lines: a credit on search's account and tax.
	lines = append(lines, line{provider: "AWS", billingAcct: "999999999999", billingName: "acme-payer", subID: "111111111111", subName: "search-prod",
		day: 31, category: "Credit", service: "AmazonBedrock", svcCategory: "AI and Machine Learning", usage: "USE1-Credit",
		cost: dec("-250.00"), desc: "AWS Activate credit", tags: map[string]string{"user:team": "search", "user:action_class": "chat_call"}})

	if err := writeFOCUS(filepath.Join(*out, "focus", "acme-ai-2026-10.csv"), lines); err != nil {
		log.Fatal(err)
	}
	if err := writeGateway(filepath.Join(*out, "gateway", "usage-2026-10.jsonl"), rng); err != nil {
		log.Fatal(err)
	}
}

var focusHeader = []string{"BilledCost", "EffectiveCost", "ListCost", "BillingCurrency", "BillingAccountId", "BillingAccountName",
	"SubAccountId", "SubAccountName", "BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd",
	"ChargeCategory", "ChargeClass", "ChargeDescription", "ServiceName", "ServiceCategory", "SkuId", "SkuMeter",
	"ResourceId", "ResourceName", "RegionId", "ConsumedQuantity", "ConsumedUnit", "ProviderName", "PublisherName",
	"InvoiceIssuerName", "Tags", "x_UsageType"}

func csvCell(s string) string {
	if strings.ContainsAny(s, ",\"\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

func writeFOCUS(path string, lines []line) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, strings.Join(focusHeader, ","))
	const ts = "2006-01-02T15:04:05Z"
	for _, l := range lines {
		start := period.AddDate(0, 0, l.day-1)
		end := start.AddDate(0, 0, 1)
		if l.category == "Credit" {
			start, end = period, period.AddDate(0, 1, 0)
		}
		tags := ""
		if len(l.tags) > 0 {
			keys := make([]string, 0, len(l.tags))
			for k := range l.tags {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var parts []string
			for _, k := range keys {
				kb, _ := json.Marshal(k)
				vb, _ := json.Marshal(l.tags[k])
				parts = append(parts, string(kb)+":"+string(vb))
			}
			tags = "{" + strings.Join(parts, ",") + "}"
		}
		cost := l.cost.Round(10).String()
		list := l.cost.Mul(dec("1.0")).Round(10).String()
		qty := l.qty.String()
		if l.qty.IsZero() {
			qty = ""
		}
		rec := []string{cost, cost, list, "USD", l.billingAcct, l.billingName, l.subID, l.subName,
			period.Format(ts), period.AddDate(0, 1, 0).Format(ts), start.Format(ts), end.Format(ts),
			l.category, "", l.desc, l.service, l.svcCategory, l.sku, l.meter, l.resource, lastSegment(l.resource), l.region,
			qty, l.unit, l.provider, l.provider, l.provider, tags, l.usage}
		for i := range rec {
			rec[i] = csvCell(rec[i])
		}
		fmt.Fprintln(w, strings.Join(rec, ","))
	}
	return w.Flush()
}

func lastSegment(s string) string {
	if i := strings.LastIndexAny(s, "/:"); i >= 0 {
		return s[i+1:]
	}
	return s
}

type usage struct {
	Timestamp    string `json:"timestamp"`
	Team         string `json:"team"`
	ActionClass  string `json:"action_class"`
	Model        string `json:"gen_ai.request.model"`
	InputTokens  int64  `json:"gen_ai.usage.input_tokens"`
	OutputTokens int64  `json:"gen_ai.usage.output_tokens"`
	Count        int64  `json:"count,omitempty"`
	EvalScope    string `json:"eval_scope,omitempty"`
	AgentRunID   string `json:"agent_run_id,omitempty"`
	RequestID    string `json:"request_id,omitempty"`
}

func writeGateway(path string, rng *rand.Rand) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	type daily struct {
		team, class, model, scope string
		perDay                    int64
		in, out                   int64
	}
	plan := []daily{
		{"search", "chat_call", "claude-3.5-sonnet", "", 71_000, 1300, 220},
		{"search", "retrieval_call", "titan-embed-text-v2", "", 129_000, 7000, 0},
		{"search", "agent_step", "claude-3.5-sonnet", "", 3_870, 7700, 1500},
		{"search", "eval_run", "claude-3.5-sonnet", "domain", 645, 3000, 500},
		{"support", "chat_call", "gpt-5", "", 19_350, 1500, 120},
		{"support", "retrieval_call", "text-embedding-3-large", "", 48_400, 1000, 0},
		{"support", "agent_step", "gpt-5", "", 970, 5000, 800},
		{"support", "eval_run", "gpt-5", "domain", 160, 2500, 400},
		{"ml-platform", "eval_run", "claude-3.5-sonnet", "baseline", 480, 4000, 600},
		{"platform", "agent_step", "claude-3.5-sonnet", "", 65, 3000, 500},
		{"growth", "chat_call", "gpt-5", "", 320, 1200, 150},
	}
	for day := 1; day <= 31; day++ {
		ts := period.AddDate(0, 0, day-1).Add(23*time.Hour + 59*time.Minute).Format(time.RFC3339)
		for _, p := range plan {
			n := p.perDay + rng.Int64N(p.perDay/10+1) - p.perDay/20
			if err := enc.Encode(usage{Timestamp: ts, Team: p.team, ActionClass: p.class, Model: p.model,
				InputTokens: n * p.in, OutputTokens: n * p.out, Count: n, EvalScope: p.scope}); err != nil {
				return err
			}
		}
	}
	// Individual agent steps with run ids, and one retried request logged twice.
	for run := 1; run <= 12; run++ {
		team := "search"
		if run%3 == 0 {
			team = "support"
		}
		steps := 3 + rng.IntN(9)
		for s := 1; s <= steps; s++ {
			ts := period.AddDate(0, 0, 2*run).Add(time.Duration(s) * time.Second).Format(time.RFC3339)
			u := usage{Timestamp: ts, Team: team, ActionClass: "agent_step", Model: "claude-3.5-sonnet",
				InputTokens: 6000 + rng.Int64N(4000), OutputTokens: 900 + rng.Int64N(600),
				AgentRunID: fmt.Sprintf("run-%s-%03d", team, run), RequestID: fmt.Sprintf("req-%03d-%02d", run, s)}
			if err := enc.Encode(u); err != nil {
				return err
			}
			if run == 4 && s == 2 {
				if err := enc.Encode(u); err != nil { // the gateway logged a retry twice
					return err
				}
			}
		}
	}
	return w.Flush()
}
