package tagging

import (
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/rules"
)

// TestShippedAITokenRules maps real usage types, meters and SKUs (FORMATS.md
// §1.6 Bedrock, §3.4 Azure OpenAI, §2.4 Vertex AI) through the shipped
// ai-tokens set to the class a FinOps engineer expects.
func TestShippedAITokenRules(t *testing.T) {
	c, err := rules.Parse([]byte(`version: 1
sources: [{ name: bill, kind: focus, url: file:bill }]
model: finops
teams:
  - { id: search, cost_center: CC1 }
  - { id: platform, cost_center: CC9, platform: true }
tagging: { builtin_rules: [ai-tokens] }
`), "t.yaml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	const bedrock, bedrockFOCUS = "AmazonBedrock", "Amazon Bedrock"
	cases := []struct {
		provider, service, field, value string
		class, rule                     string
	}{
		// Bedrock usage types (CUR lineItem/UsageType or FOCUS x_UsageType).
		{"AWS", bedrock, "usage", "USE1-Claude3.5Sonnet-input-tokens", "chat_call", "bedrock-tokens"},
		{"AWS", bedrock, "usage", "EUW2-Mistral7B-output-tokens", "chat_call", "bedrock-tokens"},
		{"AWS", bedrock, "usage", "EU-Qwen3-32B-output-tokens-batch", "chat_call", "bedrock-tokens"},
		{"AWS", bedrock, "usage", "USE1-NovaPro-mantle-input-tokens-flex", "chat_call", "bedrock-tokens"},
		{"AWS", bedrock, "usage", "USE1-Claude4Sonnet-cache-read-input-token-count", "chat_call", "bedrock-tokens"},
		{"AWS", bedrock, "usage", "USE1-Claude4Sonnet-cache-write-input-token-count", "chat_call", "bedrock-tokens"},
		{"AWS", bedrock, "usage", "USE1-TitanEmbedTextV2-input-tokens", "retrieval_call", "bedrock-embeddings"},
		{"AWS", bedrock, "usage", "USW2-Cohere-Embed-Multilingual-input-tokens", "retrieval_call", "bedrock-embeddings"},
		{"AWS", bedrockFOCUS, "usage", "EUW2-NovaPro-input-tokens", "chat_call", "bedrock-tokens"},
		{"AWS", bedrock, "usage", "USE1-ProvisionedThroughput-Claude3-ModelUnits", "", ""},
		// Azure OpenAI meters (MeterName, FOCUS SkuMeter).
		{"Microsoft", "Azure OpenAI", "meter", "GPT 5 outpt Glbl 1M Tokens", "chat_call", "azure-openai-tokens"},
		{"Microsoft", "Azure OpenAI", "meter", "GPT 5 inpt Glbl 1M Tokens", "chat_call", "azure-openai-tokens"},
		{"Microsoft", "Azure OpenAI", "meter", "5 mini pp Inp Gl 1M Tokens", "chat_call", "azure-openai-tokens"},
		{"Microsoft", "Azure OpenAI", "meter", "5.1 codex opt Gl 1M Tokens", "chat_call", "azure-openai-tokens"},
		{"Microsoft", "Foundry Models", "meter", "5.6 luna ShortCo Cd Inp Std DZ 1M Tokens", "chat_call", "azure-openai-tokens"},
		{"Microsoft", "Azure AI Services", "meter", "gpt-4o-0806 out Glbl 1K Tokens", "chat_call", "azure-openai-tokens"},
		{"Microsoft", "Azure OpenAI", "meter", "text-embedding-3-large Inp Glbl 1M Tokens", "retrieval_call", "azure-openai-embeddings"},
		{"Microsoft", "Azure OpenAI", "meter", "Provisioned Managed Global Hourly Unit", "", ""},
		// Vertex AI SKU descriptions (GCP sku.description, FOCUS SkuMeter).
		{"Google Cloud", "Vertex AI", "meter", "Gemini 2.5 Pro Text Input", "chat_call", "vertex-gemini-tokens"},
		{"Google Cloud", "Vertex AI", "meter", "Gemini 2.5 Pro Text Output", "chat_call", "vertex-gemini-tokens"},
		{"Google Cloud", "Vertex AI", "meter", "Gemini 2.5 Pro Input Text Caching", "chat_call", "vertex-gemini-tokens"},
		{"Google Cloud", "Vertex AI", "meter", "Gemini 2.0 Flash Text Input (Long) - Predictions", "chat_call", "vertex-gemini-tokens"},
		{"Google Cloud", "Gemini API", "meter", "Gemini 2.5 Flash Text Output (Thinking On) - Batch Predictions", "chat_call", "vertex-gemini-tokens"},
		{"Google Cloud", "Vertex AI", "meter", "Text Embedding 005 Input Characters Embeddings", "retrieval_call", "vertex-embeddings"},
		{"Google Cloud", "Vertex AI", "meter", "Vertex AI Online Prediction Node Hours", "", ""},
		// Not AI token usage at all.
		{"AWS", "AmazonDynamoDB", "usage", "USE1-ReadRequestUnits", "", ""},
		{"AWS", "AmazonS3", "usage", "USE1-input-tokens", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.service+" "+tc.value, func(t *testing.T) {
			li := cost.LineItem{ProviderName: tc.provider, ServiceName: tc.service, SkuID: "SKU-1234"}
			if tc.field == "usage" {
				li.UsageType = tc.value
			} else {
				li.SkuMeter = tc.value
			}
			res := r.Resolve(&li)
			if res.Class.Value != tc.class {
				t.Fatalf("class = %s, want %q", res.Class, tc.class)
			}
			if tc.rule != "" && (res.Class.By != "ai-tokens/"+tc.rule || res.Class.Path != "tagging.builtin_rules[0]") {
				t.Errorf("decided by %q at %q, want ai-tokens/%s at tagging.builtin_rules[0]", res.Class.By, res.Class.Path, tc.rule)
			}
		})
	}
}

// TestConfiguredRulesComeBeforeBuiltins: a set is tried after tagging.rules.
func TestConfiguredRulesComeBeforeBuiltins(t *testing.T) {
	c, err := rules.Parse([]byte(`version: 1
sources: [{ name: bill, kind: focus, url: file:bill }]
model: finops
teams:
  - { id: search, cost_center: CC1 }
  - { id: platform, cost_center: CC9, platform: true }
tagging:
  builtin_rules: [ai-tokens]
  rules:
    - name: agents
      match: { resource_id: "*agent*" }
      set: { action_class: agent_step }
`), "t.yaml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r, _ := New(c)
	li := cost.LineItem{ProviderName: "AWS", ServiceName: "AmazonBedrock", UsageType: "USE1-Claude3-input-tokens", ResourceID: "arn:…/search-agent"}
	if res := r.Resolve(&li); res.Class.Value != "agent_step" || res.Class.By != "agents" {
		t.Errorf("class = %s, want agent_step by the configured rule", res.Class)
	}
	li.ResourceID = "arn:…/search-chat"
	if res := r.Resolve(&li); res.Class.Value != "chat_call" || res.Class.By != "ai-tokens/bedrock-tokens" {
		t.Errorf("class = %s, want chat_call by ai-tokens/bedrock-tokens", res.Class)
	}
}
