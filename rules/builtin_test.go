package rules

import (
	"errors"
	"strings"
	"testing"
)

func TestBuiltinAITokensLoads(t *testing.T) {
	rs, ok := BuiltinRules(BuiltinAITokens)
	if !ok {
		t.Fatal("the ai-tokens set is not shipped")
	}
	// Six rules: three embedding rules (retrieval) before three token
	// rules (chat), one of each per cloud.
	want := []struct{ name, class string }{
		{"bedrock-embeddings", "retrieval_call"}, {"azure-openai-embeddings", "retrieval_call"}, {"vertex-embeddings", "retrieval_call"},
		{"bedrock-tokens", "chat_call"}, {"azure-openai-tokens", "chat_call"}, {"vertex-gemini-tokens", "chat_call"},
	}
	if len(rs) != len(want) {
		t.Fatalf("%d rules, want %d", len(rs), len(want))
	}
	for i, w := range want {
		if rs[i].Name != w.name || rs[i].Set.ActionClass != w.class || rs[i].Set.Team != "" {
			t.Errorf("rule %d = %s → %+v, want %s → %s", i, rs[i].Name, rs[i].Set, w.name, w.class)
		}
	}
	// YAML's "\\b" must reach the regular expression as \b.
	if got := rs[4].Match.SKU; !strings.Contains(got, `\b(inp|`) {
		t.Errorf("azure token pattern = %q, want a word boundary \\b", got)
	}
	rs[0].Name = "changed"
	if again, _ := BuiltinRules(BuiltinAITokens); again[0].Name != "bedrock-embeddings" {
		t.Error("BuiltinRules returns the shared slice; callers could change the shipped set")
	}
	raw, _ := BuiltinRulesYAML(BuiltinAITokens)
	if !strings.Contains(string(raw), "builtin_rules: [ai-tokens]") {
		t.Error("the shipped snippet does not explain how to turn it on")
	}
	if _, ok := BuiltinRules("nope"); ok {
		t.Error("an unknown set loaded")
	}
}

func TestBuiltinRulesValidation(t *testing.T) {
	base := `version: 1
sources: [{ name: bill, kind: focus, url: file:bill }]
model: finops
teams:
  - { id: a, cost_center: CC1 }
  - { id: p, cost_center: CC9, platform: true }
`
	cases := map[string]struct {
		extra   string
		wantErr error
		line    int
	}{
		"known set":      {extra: "tagging: { builtin_rules: [ai-tokens] }\n"},
		"unknown set":    {extra: "tagging:\n  builtin_rules: [ai-tokens, gpu]\n", wantErr: ErrInvalid, line: 8},
		"listed twice":   {extra: "tagging:\n  builtin_rules: [ai-tokens, ai-tokens]\n", wantErr: ErrDuplicate, line: 8},
		"class missing":  {extra: "action_classes: [chat_call, eval_run]\ntagging: { builtin_rules: [ai-tokens] }\n", wantErr: ErrInvalid, line: 8},
		"new match keys": {extra: "tagging:\n  rules:\n    - match: { resource_name: \"search-*\", billing_account: acme-payer, service_category: AI and Machine Learning }\n      set: { team: a }\n"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := Parse([]byte(base+tc.extra), "c.yaml", t.TempDir())
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if name == "new match keys" && c.Tagging.Rules[0].Match.ServiceCategory != "AI and Machine Learning" {
					t.Errorf("service_category = %q", c.Tagging.Rules[0].Match.ServiceCategory)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Parse error = %v, want %v", err, tc.wantErr)
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Line != tc.line {
				t.Errorf("error %v is not at line %d", err, tc.line)
			}
		})
	}
}

func TestPatternCovers(t *testing.T) {
	cases := []struct {
		q, p string
		want bool
	}{
		{"*", "anything*", true},
		{"*", "*", true},
		{"AmazonBedrock", "AmazonBedrock", true},
		{"*Embed*", "USE1-TitanEmbedTextV2-input-tokens", true},
		{"*Embed*", "*TitanEmbed*", true},
		{"*Embed*", "USE1-*-Embed-*", true},
		{"USE1-*", "USE1-Claude*", true},
		{"*-tokens", "*-input-tokens", true},
		{"USE1-*-tokens", "USE1-Claude-*-input-tokens", true},
		{"re:.*", "re:(?i)embed", true},
		{"re:(?i)embed", "USE1-TitanEmbed", true},
		{"re:-(input|output)-tokens", "*-input-tokens", false}, // not proven
		{"*Embed*", "*Titan*", false},
		{"USE1-*", "EU-*", false},
		{"*Embed*", "*", false}, // "*" also matches empty fields
		{"re:.*", "*", false},   // so does nothing else
		{"USE1-*-x", "USE1-*", false},
		{"a*b*c", "a*b*c*d", false}, // three-part q: not proven
	}
	for _, tc := range cases {
		q, p := MustCompilePattern(tc.q), MustCompilePattern(tc.p)
		if got := q.Covers(p); got != tc.want {
			t.Errorf("%q.Covers(%q) = %v, want %v", tc.q, tc.p, got, tc.want)
		}
	}
	// Every proven cover must hold on samples: whatever p matches, q matches.
	samples := []string{"USE1-Claude-3-input-tokens", "USE1-TitanEmbedTextV2-input-tokens", "AmazonBedrock", "USE1-Claude-x-input-tokens", "EU-x", "abc"}
	for _, tc := range cases {
		q, p := MustCompilePattern(tc.q), MustCompilePattern(tc.p)
		if !q.Covers(p) {
			continue
		}
		for _, s := range samples {
			if p.Match(s) && !q.Match(s) {
				t.Errorf("%q claims to cover %q but %q matches only the latter", tc.q, tc.p, s)
			}
		}
	}
}

func TestPatternNeverMatches(t *testing.T) {
	cases := map[string]bool{
		"re:^$": true, "re:(^$)": true, "re:^$|^$": true, `re:[^\x00-\x{10FFFF}]`: true,
		"re:^": false, `re:\b`: false, "re:(?m)^$": false, "*": false, "Usage": false, "re:^a$": false,
	}
	for src, want := range cases {
		if got := MustCompilePattern(src).NeverMatches(); got != want {
			t.Errorf("%q.NeverMatches() = %v, want %v", src, got, want)
		}
	}
}
