package tagging

import (
	"strings"
	"testing"

	"github.com/allot-dev/allot/rules"
)

func TestLint(t *testing.T) {
	const cfg = `version: 1
sources: [{ name: bill, kind: focus, url: file:bill }]
model: finops
teams:
  - { id: search, cost_center: CC1 }
  - { id: support, cost_center: CC2 }
  - { id: platform, cost_center: CC9, platform: true }
tagging:
  defaults: { "111111111111": search }
  resource_group_defaults: { rg-support: support }
  rules:
    - name: embeddings
      match: { service: AmazonBedrock, sku: "*Embed*" }
      set: { action_class: retrieval_call }
    - name: titan
      match: { service: AmazonBedrock, sku: "USE1-TitanEmbed*" }
      set: { action_class: retrieval_call }
    - name: titan-team
      match: { service: AmazonBedrock, sku: "*TitanEmbed*" }
      set: { action_class: chat_call, team: support }
    - name: credits
      match: { charge_category: credit }
      set: { team: platform }
    - name: empty
      match: { region: "re:^$" }
      set: { team: platform }
    - name: account-team
      match: { sub_account: "111111111111" }
      set: { team: support }
    - name: rg-team
      match: { resource_group: RG-Support, service: "*" }
      set: { team: search, eval_scope: domain }
    - name: everything
      match: { provider: "*" }
      set: { platform_component: gateway }
    - name: gateway
      match: { service: AmazonAPIGateway }
      set: { platform_component: gateway }
    - name: regex-like
      match: { sku: ".*tokens$" }
      set: { action_class: chat_call }
    - name: embeddings
      match: { service: Vertex AI }
      set: { action_class: retrieval_call }
    - name: fine
      match: { service: Azure OpenAI, sku: "re:(?i)tokens" }
      set: { action_class: chat_call }
`
	c, err := rules.Parse([]byte(cfg), "allot.yaml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	got := Lint(c)
	want := []struct {
		line     int
		path     string
		contains string
	}{
		{15, "tagging.rules[1]", `rule "titan" is shadowed and never decides anything: tagging.rules[0] (embeddings) matches every line this rule matches and sets action_class first`},
		{20, "tagging.rules[2].set.action_class", `rule "titan-team" never sets action_class: tagging.rules[0] (embeddings)`},
		{22, "tagging.rules[3].match.charge_category", `"credit" matches none of the FOCUS charge categories`},
		{25, "tagging.rules[4].match.region", `"re:^$" can only match an empty value`},
		{27, "tagging.rules[5]", `tagging.defaults maps sub-account "111111111111" to search, and defaults come before rules`},
		{32, "tagging.rules[6].set.team", `resource_group_defaults maps resource group "rg-support" to support`},
		{36, "tagging.rules[8]", `tagging.rules[7] (everything) matches every line and sets platform_component first`},
		{40, "tagging.rules[9].match.sku", `write "re:.*tokens$"`},
		{42, "tagging.rules[10].name", `name "embeddings" is also the name of tagging.rules[0]`},
	}
	if len(got) != len(want) {
		var s []string
		for _, w := range got {
			s = append(s, w.String())
		}
		t.Fatalf("%d warnings, want %d:\n%s", len(got), len(want), strings.Join(s, "\n"))
	}
	for i, w := range want {
		g := got[i]
		if g.Line != w.line || g.Path != w.path || !strings.Contains(g.Message, w.contains) {
			t.Errorf("warning %d = %s\nwant line %d, %s, containing %q", i, g, w.line, w.path, w.contains)
		}
		if !strings.HasPrefix(g.String(), "allot.yaml:") {
			t.Errorf("warning %d does not start with the file and line: %s", i, g)
		}
	}
}

func TestLintQuietOnShippedRules(t *testing.T) {
	raw, _ := rules.BuiltinRulesYAML(rules.BuiltinAITokens)
	var b strings.Builder
	b.WriteString("version: 1\nsources: [{ name: bill, kind: focus, url: file:bill }]\nmodel: finops\n")
	b.WriteString("teams:\n  - { id: a, cost_center: C }\n  - { id: p, cost_center: P, platform: true }\ntagging:\n")
	for _, l := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		b.WriteString("  " + l + "\n")
	}
	c, err := rules.Parse([]byte(b.String()), "allot.yaml", t.TempDir())
	if err != nil {
		t.Fatalf("the shipped snippet does not paste under tagging: %v", err)
	}
	if len(c.Tagging.Rules) != 6 {
		t.Fatalf("pasted %d rules, want 6", len(c.Tagging.Rules))
	}
	if w := Lint(c); len(w) != 0 {
		t.Errorf("the shipped rules draw warnings: %v", w)
	}
}
