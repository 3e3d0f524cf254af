package tagging

import (
	"fmt"
	"strings"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/rules"
)

// Step names how an attribute was decided.
type Step string

// The steps of the chain.
const (
	StepTag          Step = "tag"
	StepDefault      Step = "default"
	StepRule         Step = "rule"
	StepInferred     Step = "inferred"
	StepUnallocated  Step = "unallocated"
	StepUnclassified Step = "unclassified"
)

// Decision is how one attribute was decided.
type Decision struct {
	Value string // team id, class, scope or component; empty when undecided
	Step  Step
	By    string // the tag key, default key or rule name that decided it
}

// String renders "value (step by)".
func (d Decision) String() string {
	if d.By == "" {
		return fmt.Sprintf("%s (%s)", orDash(d.Value), d.Step)
	}
	return fmt.Sprintf("%s (%s %s)", orDash(d.Value), d.Step, d.By)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// GapKind classifies a tagging problem found on a line.
type GapKind string

// Gap kinds.
const (
	GapUnknownTeam  GapKind = "unknown_team_value"  // a team tag whose value is not a registered team
	GapUnknownClass GapKind = "unknown_class_value" // an action class tag whose value is not a class
	GapUnknownScope GapKind = "unknown_scope_value" // an eval scope tag that is not none/domain/baseline
)

// Gap is one problem on one line.
type Gap struct {
	Kind  GapKind
	Key   string // the tag key as the provider spelled it
	Value string
}

// Resolution is what the chain decided for one line.
type Resolution struct {
	Team      Decision // Value is a registered team id, or empty (unallocated)
	Class     Decision // Value is an action class, or empty
	Scope     Decision // none, domain or baseline
	Component Decision // platform component (e.g. registry), or empty
	Platform  bool     // the team is the platform team
	Gaps      []Gap
}

// Attempt is one step tried for one attribute, for allot explain.
type Attempt struct {
	Attribute string // team, action_class, eval_scope, platform_component
	Step      Step
	By        string
	Outcome   string // what happened: "decided search", "no such tag", "value X is not a team", …
	Decided   bool
}

// Resolver applies a configuration's tagging chain. It is safe for
// concurrent use once built.
type Resolver struct {
	cfg       *rules.Config
	teams     map[string]*rules.Team
	classes   map[string]bool
	rules     []compiledRule
	evalClass string
}

type compiledRule struct {
	rule     rules.Rule
	patterns []fieldPattern
}

type fieldPattern struct {
	field string
	p     *rules.Pattern
}

// New builds a Resolver. The configuration must have passed validation.
func New(c *rules.Config) (*Resolver, error) {
	r := &Resolver{cfg: c, teams: map[string]*rules.Team{}, classes: map[string]bool{}, evalClass: c.EvalClass}
	for i := range c.Teams {
		r.teams[c.Teams[i].ID] = &c.Teams[i]
	}
	for _, cl := range c.ActionClasses {
		r.classes[cl] = true
	}
	for i, rule := range c.Tagging.Rules {
		cr := compiledRule{rule: rule}
		for _, f := range matchFields(rule.Match) {
			p, err := rules.CompilePattern(f.pattern)
			if err != nil {
				return nil, fmt.Errorf("tagging: rules[%d].match.%s: %w", i, f.field, err)
			}
			cr.patterns = append(cr.patterns, fieldPattern{field: f.field, p: p})
		}
		r.rules = append(r.rules, cr)
	}
	return r, nil
}

type fieldSpec struct{ field, pattern string }

// matchFields lists a rule's patterns in a fixed order.
func matchFields(m rules.Match) []fieldSpec {
	all := []fieldSpec{{"provider", m.Provider}, {"service", m.Service}, {"sku", m.SKU}, {"resource_id", m.ResourceID},
		{"region", m.Region}, {"sub_account", m.SubAccount}, {"resource_group", m.ResourceGroup},
		{"description", m.Description}, {"charge_category", m.ChargeCategory}}
	var out []fieldSpec
	for _, f := range all {
		if f.pattern != "" {
			out = append(out, f)
		}
	}
	return out
}

// fieldValues returns the line's values a pattern on field is tried
// against; the pattern matches if it matches any of them.
func fieldValues(li *cost.LineItem, field string) []string {
	switch field {
	case "provider":
		return []string{li.ProviderName}
	case "service":
		return []string{li.ServiceName}
	case "sku":
		return []string{li.SkuID, li.SkuMeter, li.UsageType}
	case "resource_id":
		return []string{li.ResourceID}
	case "region":
		return []string{li.RegionID}
	case "sub_account":
		return []string{li.SubAccountID, li.SubAccountName}
	case "resource_group":
		return []string{li.ResourceGroup}
	case "description":
		return []string{li.ChargeDescription}
	case "charge_category":
		return []string{string(li.ChargeCategory)}
	}
	return nil
}

func (cr *compiledRule) matches(li *cost.LineItem) bool {
	for _, fp := range cr.patterns {
		ok := false
		for _, v := range fieldValues(li, fp.field) {
			if v != "" && fp.p.Match(v) || v == "" && fp.p.String() == "*" {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// caseInsensitiveKeys reports whether a provider's tag keys compare
// without regard to case (Azure).
func caseInsensitiveKeys(provider string) bool {
	p := strings.ToLower(provider)
	return strings.Contains(p, "microsoft") || strings.Contains(p, "azure")
}

// tag looks a key up as the provider compares keys, returning the key as
// spelled on the line.
func tag(li *cost.LineItem, key string) (spelled, value string, ok bool) {
	if v, ok := li.Tags[key]; ok {
		return key, v, true
	}
	if caseInsensitiveKeys(li.ProviderName) {
		best := ""
		for k := range li.Tags {
			if strings.EqualFold(strings.TrimSpace(k), key) && (best == "" || k < best) {
				best = k
			}
		}
		if best != "" {
			return best, li.Tags[best], true
		}
	}
	return "", "", false
}

// Resolve runs the chain for one line.
func (r *Resolver) Resolve(li *cost.LineItem) Resolution {
	return r.resolve(li, nil)
}

// Explain runs the chain and also returns every step tried.
func (r *Resolver) Explain(li *cost.LineItem) (Resolution, []Attempt) {
	var trace []Attempt
	res := r.resolve(li, &trace)
	return res, trace
}

func (r *Resolver) resolve(li *cost.LineItem, trace *[]Attempt) Resolution {
	var res Resolution
	note := func(attr string, step Step, by, outcome string, decided bool) {
		if trace != nil {
			*trace = append(*trace, Attempt{Attribute: attr, Step: step, By: by, Outcome: outcome, Decided: decided})
		}
	}
	res.Team = r.resolveTeam(li, &res, note)
	if t, ok := r.teams[res.Team.Value]; ok && t.Platform {
		res.Platform = true
	}
	res.Scope = r.resolveScopeExplicit(li, &res, note)
	res.Class = r.resolveClass(li, &res, note)
	if res.Scope.Value == "" {
		res.Scope = r.inferScope(&res, note)
	}
	res.Component = r.resolveComponent(li, note)
	return res
}

type noteFunc func(attr string, step Step, by, outcome string, decided bool)

func (r *Resolver) resolveTeam(li *cost.LineItem, res *Resolution, note noteFunc) Decision {
	const attr = "team"
	for _, key := range r.cfg.Tagging.TeamKeys {
		spelled, raw, ok := tag(li, key)
		if !ok {
			note(attr, StepTag, key, "no such tag", false)
			continue
		}
		v := strings.TrimSpace(raw)
		if v == "" {
			note(attr, StepTag, spelled, "empty value", false)
			continue
		}
		team := v
		if mapped, ok := r.cfg.Tagging.Values[v]; ok {
			team = mapped
		}
		if _, ok := r.teams[team]; ok {
			by := spelled
			if team != v {
				by = fmt.Sprintf("%s (value %q mapped by tagging.values)", spelled, v)
			}
			note(attr, StepTag, by, "decided "+team, true)
			return Decision{Value: team, Step: StepTag, By: by}
		}
		res.Gaps = append(res.Gaps, Gap{Kind: GapUnknownTeam, Key: spelled, Value: v})
		note(attr, StepTag, spelled, fmt.Sprintf("value %q is not a registered team (a tagging gap)", v), false)
	}
	d := r.cfg.Tagging.Defaults
	for _, k := range []struct{ label, key string }{{"sub-account id", li.SubAccountID}, {"sub-account name", li.SubAccountName}} {
		if k.key == "" {
			continue
		}
		if team, ok := d[k.key]; ok {
			by := fmt.Sprintf("tagging.defaults[%q]", k.key)
			note(attr, StepDefault, by, "decided "+team, true)
			return Decision{Value: team, Step: StepDefault, By: by}
		}
		note(attr, StepDefault, k.label+" "+k.key, "no default", false)
	}
	if li.ResourceGroup != "" {
		if team, ok := lookupFold(r.cfg.Tagging.ResourceGroupDefaults, li.ResourceGroup); ok {
			by := fmt.Sprintf("tagging.resource_group_defaults[%q]", li.ResourceGroup)
			note(attr, StepDefault, by, "decided "+team, true)
			return Decision{Value: team, Step: StepDefault, By: by}
		}
		note(attr, StepDefault, "resource group "+li.ResourceGroup, "no default", false)
	}
	for i := range r.rules {
		cr := &r.rules[i]
		if cr.rule.Set.Team == "" {
			continue
		}
		if cr.matches(li) {
			note(attr, StepRule, cr.rule.Name, "decided "+cr.rule.Set.Team, true)
			return Decision{Value: cr.rule.Set.Team, Step: StepRule, By: cr.rule.Name}
		}
		note(attr, StepRule, cr.rule.Name, "no match", false)
	}
	note(attr, StepUnallocated, "", "no step decided: unallocated", true)
	return Decision{Step: StepUnallocated}
}

// lookupFold finds a resource group key case-insensitively (Azure names are).
func lookupFold(m map[string]string, key string) (string, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return "", false
}

func (r *Resolver) resolveClass(li *cost.LineItem, res *Resolution, note noteFunc) Decision {
	const attr = "action_class"
	for _, key := range r.cfg.Tagging.ActionClassKeys {
		spelled, raw, ok := tag(li, key)
		if !ok {
			note(attr, StepTag, key, "no such tag", false)
			continue
		}
		v := strings.TrimSpace(raw)
		if v == "" {
			note(attr, StepTag, spelled, "empty value", false)
			continue
		}
		if r.classes[v] {
			note(attr, StepTag, spelled, "decided "+v, true)
			return Decision{Value: v, Step: StepTag, By: spelled}
		}
		res.Gaps = append(res.Gaps, Gap{Kind: GapUnknownClass, Key: spelled, Value: v})
		note(attr, StepTag, spelled, fmt.Sprintf("value %q is not an action class", v), false)
	}
	for i := range r.rules {
		cr := &r.rules[i]
		if cr.rule.Set.ActionClass == "" {
			continue
		}
		if cr.matches(li) {
			note(attr, StepRule, cr.rule.Name, "decided "+cr.rule.Set.ActionClass, true)
			return Decision{Value: cr.rule.Set.ActionClass, Step: StepRule, By: cr.rule.Name}
		}
		note(attr, StepRule, cr.rule.Name, "no match", false)
	}
	if res.Scope.Value == cost.ScopeDomain || res.Scope.Value == cost.ScopeBaseline {
		note(attr, StepInferred, "eval_scope "+res.Scope.Value, "decided "+r.evalClass, true)
		return Decision{Value: r.evalClass, Step: StepInferred, By: "eval_scope " + res.Scope.Value}
	}
	note(attr, StepUnclassified, "", "no step decided: unclassified", true)
	return Decision{Step: StepUnclassified}
}

func (r *Resolver) resolveScopeExplicit(li *cost.LineItem, res *Resolution, note noteFunc) Decision {
	const attr = "eval_scope"
	for _, key := range r.cfg.Tagging.EvalScopeKeys {
		spelled, raw, ok := tag(li, key)
		if !ok {
			note(attr, StepTag, key, "no such tag", false)
			continue
		}
		v := strings.TrimSpace(raw)
		if v == "" {
			continue
		}
		if cost.ValidEvalScope(v) {
			note(attr, StepTag, spelled, "decided "+v, true)
			return Decision{Value: v, Step: StepTag, By: spelled}
		}
		res.Gaps = append(res.Gaps, Gap{Kind: GapUnknownScope, Key: spelled, Value: v})
		note(attr, StepTag, spelled, fmt.Sprintf("value %q is not none, domain or baseline", v), false)
	}
	for i := range r.rules {
		cr := &r.rules[i]
		if cr.rule.Set.EvalScope == "" {
			continue
		}
		if cr.matches(li) {
			note(attr, StepRule, cr.rule.Name, "decided "+cr.rule.Set.EvalScope, true)
			return Decision{Value: cr.rule.Set.EvalScope, Step: StepRule, By: cr.rule.Name}
		}
		note(attr, StepRule, cr.rule.Name, "no match", false)
	}
	return Decision{}
}

func (r *Resolver) inferScope(res *Resolution, note noteFunc) Decision {
	const attr = "eval_scope"
	switch {
	case res.Class.Value == r.evalClass && res.Platform:
		note(attr, StepInferred, "platform team's eval", "decided baseline", true)
		return Decision{Value: cost.ScopeBaseline, Step: StepInferred, By: "platform team's eval"}
	case res.Class.Value == r.evalClass:
		note(attr, StepInferred, "team's eval", "decided domain", true)
		return Decision{Value: cost.ScopeDomain, Step: StepInferred, By: "team's eval"}
	}
	note(attr, StepInferred, "not an eval", "decided none", true)
	return Decision{Value: cost.ScopeNone, Step: StepInferred, By: "not an eval"}
}

func (r *Resolver) resolveComponent(li *cost.LineItem, note noteFunc) Decision {
	const attr = "platform_component"
	for _, key := range r.cfg.Tagging.PlatformComponentKeys {
		spelled, raw, ok := tag(li, key)
		if !ok {
			continue
		}
		if v := strings.TrimSpace(raw); v != "" {
			note(attr, StepTag, spelled, "decided "+v, true)
			return Decision{Value: v, Step: StepTag, By: spelled}
		}
	}
	for i := range r.rules {
		cr := &r.rules[i]
		if cr.rule.Set.PlatformComponent != "" && cr.matches(li) {
			note(attr, StepRule, cr.rule.Name, "decided "+cr.rule.Set.PlatformComponent, true)
			return Decision{Value: cr.rule.Set.PlatformComponent, Step: StepRule, By: cr.rule.Name}
		}
	}
	return Decision{}
}

// Team returns the registered team with id.
func (r *Resolver) Team(id string) (*rules.Team, bool) {
	t, ok := r.teams[id]
	return t, ok
}

// NormalizeTeam maps a gateway record's team value through the same value
// map bill tags use. ok is false when the result is not a registered team.
func (r *Resolver) NormalizeTeam(v string) (team string, ok bool) {
	v = strings.TrimSpace(v)
	if mapped, found := r.cfg.Tagging.Values[v]; found {
		v = mapped
	}
	_, ok = r.teams[v]
	return v, ok
}
