package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/allot-dev/allot/rules"
)

const titan = "arn:aws:bedrock:us-east-1:111111111111:foundation-model/amazon.titan-embed-text-v2:0"

// lineOf returns the 1-based line of the first line of a file containing s.
func lineOf(t *testing.T, path, s string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	t.Fatalf("%s has no line with %q", path, s)
	return 0
}

// billLines returns the CSV line numbers (header = 1) of the demo bill's
// October rows whose ResourceId is id, read without allot.
func billLines(t *testing.T, path, id string) []string {
	t.Helper()
	rows := readCSV(t, path)
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	var out []string
	for i, r := range rows[1:] {
		if r[col["ResourceId"]] == id && strings.HasPrefix(r[col["ChargePeriodStart"]], "2026-10-") {
			out = append(out, fmt.Sprintf("%s:%d", path, i+2))
		}
	}
	return out
}

func TestExplainNamesTheDecidingRule(t *testing.T) {
	dir := t.TempDir()
	if _, errOut, code := allot(t, "demo", "--out", dir); code != 0 {
		t.Fatalf("demo: %s", errOut)
	}
	cfg := filepath.Join(dir, "input", "allot.yaml")
	bill := filepath.Join(dir, "input", "data", "focus", "acme-ai-2026-10.csv")
	ruleLine := lineOf(t, cfg, "- name: bedrock-embeddings")
	defaultLine := lineOf(t, cfg, "defaults:")

	// The Titan embedding lines carry no tags: the account default decides
	// the team and the embeddings rule the class.
	out, errOut, code := allot(t, "explain", "--config", cfg, "--period", "2026-10", titan)
	if code != 0 {
		t.Fatalf("explain: exit %d\n%s", code, errOut)
	}
	for _, want := range []string{
		fmt.Sprintf("action_class        retrieval_call  rule bedrock-embeddings (tagging.rules[0], %s:%d)", cfg, ruleLine),
		fmt.Sprintf(`team                search          default tagging.defaults["111111111111"] (tagging.defaults.111111111111, %s:%d)`, cfg, defaultLine),
		"✓ rule bedrock-embeddings",
		"· tag user:team",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("explain does not say %q:\n%s", want, out)
		}
	}
	want := billLines(t, bill, titan)
	if len(want) == 0 {
		t.Fatal("the demo bill has no Titan lines")
	}
	if !strings.Contains(out, fmt.Sprintf("%d line(s)", len(want))) {
		t.Errorf("explain does not count %d lines:\n%s", len(want), out)
	}
	for _, l := range want {
		if !strings.Contains(out, "file:"+l+" ") {
			t.Errorf("line %s is not listed", l)
		}
	}

	// JSON, with the resource before the flags: one entry per bill line,
	// each with its own provenance and the full chain.
	out, errOut, code = allot(t, "explain", titan, "--config", cfg, "--period", "2026-10", "--format", "json")
	if code != 0 {
		t.Fatalf("explain --format json: exit %d\n%s", code, errOut)
	}
	var doc struct {
		Lines []struct {
			Provenance string `json:"provenance"`
			Decisions  map[string]struct {
				Value, Step, By, Path, Position string
			} `json:"decisions"`
			Steps []struct {
				Attribute string `json:"attribute"`
				Decided   bool   `json:"decided"`
			} `json:"steps"`
		} `json:"lines"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(doc.Lines) != len(want) {
		t.Fatalf("%d lines, want %d", len(doc.Lines), len(want))
	}
	for i, l := range doc.Lines {
		if l.Provenance != "file:"+want[i] {
			t.Errorf("line %d provenance %q, want file:%s", i, l.Provenance, want[i])
		}
		c := l.Decisions["action_class"]
		if c.Value != "retrieval_call" || c.Step != "rule" || c.By != "bedrock-embeddings" || c.Path != "tagging.rules[0]" || c.Position != fmt.Sprintf("%s:%d", cfg, ruleLine) {
			t.Errorf("line %d class decision = %+v", i, c)
		}
		decided := map[string]int{}
		for _, s := range l.Steps {
			if s.Decided {
				decided[s.Attribute]++
			}
		}
		if decided["team"] != 1 || decided["action_class"] != 1 || decided["eval_scope"] != 1 {
			t.Errorf("line %d: decided steps %v, want one each for team, class and scope", i, decided)
		}
	}
}

func TestExplainUntaggedSubAccount(t *testing.T) {
	dir := t.TempDir()
	if _, errOut, code := allot(t, "demo", "--out", dir); code != 0 {
		t.Fatalf("demo: %s", errOut)
	}
	cfg := filepath.Join(dir, "input", "allot.yaml")
	out, errOut, code := allot(t, "explain", "--config", cfg, "--period", "2026-10", "--sub-account", "444444444444")
	if code != 0 {
		t.Fatalf("explain: exit %d\n%s", code, errOut)
	}
	for _, want := range []string{"1 distinct resolution(s)", "no tag, default or rule: unallocated", "rule bedrock-tokens", "· default sub-account id 444444444444  no default"} {
		if !strings.Contains(out, want) {
			t.Errorf("explain does not say %q:\n%s", want, out)
		}
	}
}

func TestExplainUnknownResource(t *testing.T) {
	dir := t.TempDir()
	if _, errOut, code := allot(t, "demo", "--out", dir); code != 0 {
		t.Fatalf("demo: %s", errOut)
	}
	cfg := filepath.Join(dir, "input", "allot.yaml")
	_, errOut, code := allot(t, "explain", "--config", cfg, "--period", "2026-10", "search-cha")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, errOut)
	}
	if !strings.Contains(errOut, "no bill line of resource search-cha in 2026-10") ||
		!strings.Contains(errOut, "arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/search-chat") {
		t.Errorf("the error does not name the near matches:\n%s", errOut)
	}
}

// TestDemoRulesAreTheShippedSet keeps the demo configuration's rules and
// the embedded ai-tokens set the same.
func TestDemoRulesAreTheShippedSet(t *testing.T) {
	b, err := fs.ReadFile(demoData, "demodata/allot.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := rules.Parse(b, "allot.yaml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	shipped, _ := rules.BuiltinRules(rules.BuiltinAITokens)
	if !reflect.DeepEqual(c.Tagging.Rules, shipped) {
		t.Errorf("the demo's rules differ from rules/defaults/ai-token-rules.yaml:\n demo    %+v\n shipped %+v", c.Tagging.Rules, shipped)
	}
}

func TestValidateWarnsButPasses(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "allot.yaml")
	os.WriteFile(cfg, []byte(`version: 1
model: finops
sources: [{ name: bill, kind: focus, url: file:bill }]
teams:
  - { id: search, cost_center: CC1 }
  - { id: platform, cost_center: CC9, platform: true }
tagging:
  rules:
    - name: all-bedrock
      match: { service: AmazonBedrock }
      set: { action_class: chat_call }
    - name: bedrock-embeddings
      match: { service: AmazonBedrock, sku: "*Embed*" }
      set: { action_class: retrieval_call }
    - name: refunds
      match: { charge_category: Refund }
      set: { team: platform }
`), 0o644)
	out, errOut, code := allot(t, "validate", "--config", cfg)
	if code != 0 {
		t.Fatalf("validate: exit %d\n%s", code, errOut)
	}
	for _, want := range []string{
		cfg + ":12:11: tagging.rules[1]: warning: rule \"bedrock-embeddings\" is shadowed and never decides anything: tagging.rules[0] (all-bedrock)",
		cfg + ":16:33: tagging.rules[2].match.charge_category: warning: \"Refund\" matches none of the FOCUS charge categories",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("validate does not warn %q:\n%s", want, out)
		}
	}
}
