package rules

import (
	"embed"
	"fmt"
	"reflect"
	"sync"
)

// The rule sets allot ships, embedded from rules/defaults.
//
//go:embed defaults/ai-token-rules.yaml
var builtinFS embed.FS

// BuiltinAITokens is the name of the shipped AI token rule set: Bedrock
// token usage types, Azure OpenAI token meters and Vertex AI Gemini SKUs
// mapped to chat_call, embedding models to retrieval_call.
const BuiltinAITokens = "ai-tokens"

// BuiltinRuleSets lists the names tagging.builtin_rules may use.
var BuiltinRuleSets = []string{BuiltinAITokens}

var builtinFiles = map[string]string{BuiltinAITokens: "defaults/ai-token-rules.yaml"}

type builtinSet struct {
	raw   []byte
	rules []Rule
	err   error
}

var (
	builtinOnce sync.Once
	builtins    map[string]builtinSet
)

func loadBuiltins() {
	builtins = map[string]builtinSet{}
	for name, file := range builtinFiles {
		raw, err := builtinFS.ReadFile(file)
		if err != nil {
			builtins[name] = builtinSet{err: err}
			continue
		}
		rs, err := parseRuleSet(raw, "rules/"+file)
		builtins[name] = builtinSet{raw: raw, rules: rs, err: err}
	}
}

// parseRuleSet decodes a file holding one key, rules: a list of rules in
// the tagging.rules format, and checks every pattern.
func parseRuleSet(data []byte, file string) ([]Rule, error) {
	root, err := parseYAML(file, data)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Rules []Rule `yaml:"rules"`
	}
	d := newDecoder(file)
	d.decode(root, "", reflect.ValueOf(&doc).Elem())
	if len(d.errs) > 0 {
		return nil, Errors(d.errs).sorted()
	}
	for i := range doc.Rules {
		r := &doc.Rules[i]
		if r.Name == "" {
			r.Name = fmt.Sprintf("rules[%d]", i)
		}
		for field, pat := range r.Match.fields() {
			if _, err := CompilePattern(pat); err != nil {
				return nil, fmt.Errorf("rules: %s: rules[%d].match.%s: %w", file, i, field, err)
			}
		}
	}
	return doc.Rules, nil
}

// BuiltinRules returns a copy of the rules of a shipped rule set; ok is
// false for an unknown name. Rule names are as written in the set's file
// (bedrock-tokens); the resolver shows them as SET/NAME.
func BuiltinRules(name string) (rs []Rule, ok bool) {
	builtinOnce.Do(loadBuiltins)
	b, ok := builtins[name]
	if !ok {
		return nil, false
	}
	if b.err != nil {
		panic(fmt.Sprintf("rules: the shipped rule set %s does not load (a bug): %v", name, b.err))
	}
	return append([]Rule(nil), b.rules...), true
}

// BuiltinRulesYAML returns a shipped rule set's file as shipped, with its
// comments: the snippet the README and allot gaps point to.
func BuiltinRulesYAML(name string) ([]byte, bool) {
	builtinOnce.Do(loadBuiltins)
	b, ok := builtins[name]
	if !ok {
		return nil, false
	}
	return append([]byte(nil), b.raw...), true
}

// builtinRules validates tagging.builtin_rules: known names, listed once,
// and every class a set assigns in action_classes.
func (v *validator) builtinRules() {
	c := v.c
	seen := map[string]bool{}
	for i, name := range c.Tagging.BuiltinRules {
		p := fmt.Sprintf("tagging.builtin_rules[%d]", i)
		rs, ok := BuiltinRules(name)
		switch {
		case !ok:
			v.at(p, fmt.Errorf("%w: %q is not a shipped rule set; want one of %v", ErrInvalid, name, BuiltinRuleSets))
			continue
		case seen[name]:
			v.at(p, fmt.Errorf("%w: %q is listed twice", ErrDuplicate, name))
			continue
		}
		seen[name] = true
		for _, r := range rs {
			if r.Set.ActionClass != "" && !contains(c.ActionClasses, r.Set.ActionClass) {
				v.at(p, fmt.Errorf("%w: rule set %s assigns class %q, which is not in action_classes; add it there or drop the set", ErrInvalid, name, r.Set.ActionClass))
				break
			}
		}
	}
}
