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
	StepTag          Step = "tag"       // a tag on the line, through the configured keys
	StepInherited    Step = "inherited" // a tag the provider put on the project above the line (GCP)
	StepDefault      Step = "default"   // tagging.defaults or tagging.resource_group_defaults
	StepRule         Step = "rule"      // a pattern rule
	StepInferred     Step = "inferred"  // derived from another attribute
	StepUnallocated  Step = "unallocated"
	StepUnclassified Step = "unclassified"
)

// Decision is how one attribute was decided.
type Decision struct {
	Value string // team id, class, scope or component; empty when undecided
	Step  Step
	By    string // the tag key, default key or rule name that decided it
	// Path is the configuration key behind the decision, for file:line
	// (rules.Config.Position): tagging.team_keys[1], tagging.defaults.ID,
	// tagging.resource_group_defaults.RG, tagging.rules[3] or
	// tagging.builtin_rules[0]. Empty for inferred and fallback steps.
	Path string
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
	Value string // trimmed
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
	By        string // tag key as looked up (or as spelled when found), default key or rule name
	Path      string // configuration key behind the step (see Decision.Path)
	Outcome   string // what happened: "decided search", "no such tag", "value X is not a team", …
	Decided   bool
}

// Resolver applies a configuration's tagging chain. It is safe for
// concurrent use once built.
type Resolver struct {
	cfg       *rules.Config
	teams     map[string]*rules.Team
	classes   map[string]bool
	rules     []compiledRule // tagging.rules, then the enabled built-in sets
	evalClass string
	// suggest holds the shipped AI token rules when the configuration does
	// not enable them, so the gap report can say what they would classify.
	suggest []compiledRule

	teamKeyPaths, classKeyPaths, scopeKeyPaths, compKeyPaths []string
	// Decision texts, built once: tagging.defaults[…] and its path per
	// sub-account key, the path and "KEY (value … mapped)" per mapped value.
	defaultBy, defaultPath, valuePath map[string]string
	mappedBy                          map[[2]string]string
	// inherited holds inheritedKeys for Google Cloud per configured key.
	inherited map[string][]string
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
		cr, err := compileRule(rule, rule.Name, fmt.Sprintf("tagging.rules[%d]", i), false)
		if err != nil {
			return nil, err
		}
		r.rules = append(r.rules, cr)
	}
	enabled := map[string]bool{}
	for i, set := range c.Tagging.BuiltinRules {
		rs, ok := rules.BuiltinRules(set)
		if !ok {
			return nil, fmt.Errorf("tagging: tagging.builtin_rules[%d]: %q is not a shipped rule set", i, set)
		}
		enabled[set] = true
		for _, rule := range rs {
			cr, err := compileRule(rule, set+"/"+rule.Name, fmt.Sprintf("tagging.builtin_rules[%d]", i), true)
			if err != nil {
				return nil, err
			}
			r.rules = append(r.rules, cr)
		}
	}
	if !enabled[rules.BuiltinAITokens] {
		rs, _ := rules.BuiltinRules(rules.BuiltinAITokens)
		for _, rule := range rs {
			cr, err := compileRule(rule, rules.BuiltinAITokens+"/"+rule.Name, "", true)
			if err != nil {
				return nil, err
			}
			if r.classes[rule.Set.ActionClass] {
				r.suggest = append(r.suggest, cr)
			}
		}
	}
	paths := func(name string, keys []string) []string {
		out := make([]string, len(keys))
		for i := range keys {
			out[i] = fmt.Sprintf("tagging.%s[%d]", name, i)
		}
		return out
	}
	t := c.Tagging
	r.defaultBy, r.defaultPath, r.valuePath, r.mappedBy = map[string]string{}, map[string]string{}, map[string]string{}, map[[2]string]string{}
	for k := range t.Defaults {
		r.defaultBy[k], r.defaultPath[k] = fmt.Sprintf("tagging.defaults[%q]", k), "tagging.defaults."+k
	}
	for v := range t.Values {
		r.valuePath[v] = "tagging.values." + v
		for _, key := range t.TeamKeys {
			r.mappedBy[[2]string{key, v}] = mappedText(key, v)
		}
	}
	r.inherited = map[string][]string{}
	for _, keys := range [][]string{t.TeamKeys, t.ActionClassKeys, t.EvalScopeKeys, t.PlatformComponentKeys} {
		for _, k := range keys {
			r.inherited[k] = inheritedKeys("Google Cloud", k)
		}
	}
	r.teamKeyPaths = paths("team_keys", t.TeamKeys)
	r.classKeyPaths = paths("action_class_keys", t.ActionClassKeys)
	r.scopeKeyPaths = paths("eval_scope_keys", t.EvalScopeKeys)
	r.compKeyPaths = paths("platform_component_keys", t.PlatformComponentKeys)
	return r, nil
}

// Config returns the configuration the resolver applies.
func (r *Resolver) Config() *rules.Config { return r.cfg }

// Resolve runs the chain for one line.
func (r *Resolver) Resolve(li *cost.LineItem) Resolution {
	return r.resolve(li, nil)
}

// Explain runs the chain and also returns every step tried, in order.
func (r *Resolver) Explain(li *cost.LineItem) (Resolution, []Attempt) {
	var trace []Attempt
	res := r.resolve(li, &trace)
	return res, trace
}

// tracer records attempts when explaining; on is false for Resolve, and
// callers skip building costly outcome texts then.
type tracer struct {
	trace *[]Attempt
	on    bool
}

func (t tracer) note(attr string, step Step, by, path, outcome string, decided bool) {
	if t.on {
		*t.trace = append(*t.trace, Attempt{Attribute: attr, Step: step, By: by, Path: path, Outcome: outcome, Decided: decided})
	}
}

func (r *Resolver) resolve(li *cost.LineItem, trace *[]Attempt) Resolution {
	var res Resolution
	t := tracer{trace: trace, on: trace != nil}
	res.Team = r.resolveTeam(li, &res, t)
	if tm, ok := r.teams[res.Team.Value]; ok && tm.Platform {
		res.Platform = true
	}
	res.Scope = r.resolveScopeExplicit(li, &res, t)
	res.Class = r.resolveClass(li, &res, t)
	if res.Scope.Value == "" {
		res.Scope = r.inferScope(&res, t)
	}
	res.Component = r.resolveComponent(li, t)
	return res
}

// verdict is what a tag value means for one attribute.
type verdict struct {
	value   string // the decided value, when ok
	by      string // how to describe the key (and any value mapping)
	path    string // configuration key behind a mapping, when it decided
	ok      bool
	gap     GapKind // set when the value is a gap
	outcome string  // for explain, when not ok
}

// judge decides what one tag value means for an attribute.
type judge func(spelled, raw string, explain bool) verdict

// byTags tries the configured keys on the line's own tags, then on the
// tags the provider inherited from the project (see inheritedKeys). The
// first key whose value is acceptable decides; a value that is not is a
// gap and the chain goes on.
func (r *Resolver) byTags(li *cost.LineItem, res *Resolution, t tracer, attr string, keys, paths []string, j judge) (Decision, bool) {
	inherit := isGoogle(li.ProviderName)
	for _, step := range []Step{StepTag, StepInherited} {
		if step == StepInherited && !inherit {
			break
		}
		for i, key := range keys {
			var buf [2]string
			lookups := buf[:1]
			buf[0] = key
			if step == StepInherited {
				if lookups = r.inherited[key]; lookups == nil {
					continue
				}
			}
			for _, k := range lookups {
				spelled, raw, ok := tag(li, k)
				if !ok {
					t.note(attr, step, k, paths[i], "no such tag", false)
					continue
				}
				v := j(spelled, raw, t.on)
				if v.ok {
					path := paths[i]
					if v.path != "" {
						path = v.path
					}
					t.note(attr, step, v.by, path, "decided "+v.value, true)
					return Decision{Value: v.value, Step: step, By: v.by, Path: path}, true
				}
				if v.gap != "" {
					res.Gaps = append(res.Gaps, Gap{Kind: v.gap, Key: spelled, Value: strings.TrimSpace(raw)})
				}
				t.note(attr, step, spelled, paths[i], v.outcome, false)
			}
		}
	}
	return Decision{}, false
}

// byRules tries the rules that set an attribute, in order.
func (r *Resolver) byRules(li *cost.LineItem, t tracer, attr string, set func(rules.Set) string) (Decision, bool) {
	for i := range r.rules {
		cr := &r.rules[i]
		v := set(cr.rule.Set)
		if v == "" {
			continue
		}
		if cr.matches(li) {
			t.note(attr, StepRule, cr.name, cr.path, "decided "+v, true)
			return Decision{Value: v, Step: StepRule, By: cr.name, Path: cr.path}, true
		}
		if t.on {
			t.note(attr, StepRule, cr.name, cr.path, cr.mismatch(li), false)
		}
	}
	return Decision{}, false
}

func (r *Resolver) judgeTeam(spelled, raw string, explain bool) verdict {
	v := strings.TrimSpace(raw)
	if v == "" {
		return verdict{outcome: "empty value"}
	}
	team, path := v, ""
	if mapped, ok := r.cfg.Tagging.Values[v]; ok {
		team, path = mapped, r.valuePath[v]
	}
	if _, ok := r.teams[team]; ok {
		by := spelled
		if team != v {
			if by, ok = r.mappedBy[[2]string{spelled, v}]; !ok {
				by = mappedText(spelled, v)
			}
		}
		return verdict{value: team, by: by, path: path, ok: true}
	}
	out := verdict{gap: GapUnknownTeam}
	if explain {
		out.outcome = fmt.Sprintf("value %q is not a registered team (a tagging gap)", v)
		if id, ok := r.FoldTeam(v); ok {
			out.outcome += fmt.Sprintf("; it differs from team %q only by case or separators: add tagging.values: { %q: %s }", id, v, id)
		}
	}
	return out
}

func mappedText(key, value string) string {
	return fmt.Sprintf("%s (value %q mapped by tagging.values)", key, value)
}

func (r *Resolver) judgeClass(spelled, raw string, explain bool) verdict {
	v := strings.TrimSpace(raw)
	if v == "" {
		return verdict{outcome: "empty value"}
	}
	if r.classes[v] {
		return verdict{value: v, by: spelled, ok: true}
	}
	out := verdict{gap: GapUnknownClass}
	if explain {
		out.outcome = fmt.Sprintf("value %q is not an action class (%s)", v, strings.Join(r.cfg.ActionClasses, ", "))
	}
	return out
}

func (r *Resolver) judgeScope(spelled, raw string, explain bool) verdict {
	v := strings.TrimSpace(raw)
	if v == "" {
		return verdict{outcome: "empty value"}
	}
	if cost.ValidEvalScope(v) {
		return verdict{value: v, by: spelled, ok: true}
	}
	out := verdict{gap: GapUnknownScope}
	if explain {
		out.outcome = fmt.Sprintf("value %q is not none, domain or baseline", v)
	}
	return out
}

func judgeComponent(spelled, raw string, _ bool) verdict {
	if v := strings.TrimSpace(raw); v != "" {
		return verdict{value: v, by: spelled, ok: true}
	}
	return verdict{outcome: "empty value"}
}

func (r *Resolver) resolveTeam(li *cost.LineItem, res *Resolution, t tracer) Decision {
	const attr = "team"
	if d, ok := r.byTags(li, res, t, attr, r.cfg.Tagging.TeamKeys, r.teamKeyPaths, r.judgeTeam); ok {
		return d
	}
	d := r.cfg.Tagging.Defaults
	for _, k := range []struct{ label, key string }{{"sub-account id", li.SubAccountID}, {"sub-account name", li.SubAccountName}} {
		if k.key == "" {
			continue
		}
		if team, ok := d[k.key]; ok {
			by, path := r.defaultBy[k.key], r.defaultPath[k.key]
			t.note(attr, StepDefault, by, path, "decided "+team, true)
			return Decision{Value: team, Step: StepDefault, By: by, Path: path}
		}
		t.note(attr, StepDefault, k.label+" "+k.key, "tagging.defaults", "no default", false)
	}
	if li.ResourceGroup != "" {
		if key, team, ok := lookupFold(r.cfg.Tagging.ResourceGroupDefaults, li.ResourceGroup); ok {
			by, path := fmt.Sprintf("tagging.resource_group_defaults[%q]", key), "tagging.resource_group_defaults."+key
			t.note(attr, StepDefault, by, path, "decided "+team, true)
			return Decision{Value: team, Step: StepDefault, By: by, Path: path}
		}
		t.note(attr, StepDefault, "resource group "+li.ResourceGroup, "tagging.resource_group_defaults", "no default", false)
	}
	if d, ok := r.byRules(li, t, attr, func(s rules.Set) string { return s.Team }); ok {
		return d
	}
	t.note(attr, StepUnallocated, "", "", "no step decided: unallocated", true)
	return Decision{Step: StepUnallocated}
}

// lookupFold finds a resource group key case-insensitively (Azure names
// are); of several keys equal ignoring case, the exact one, then the
// smallest.
func lookupFold(m map[string]string, key string) (k, v string, ok bool) {
	if v, ok := m[key]; ok {
		return key, v, true
	}
	for mk, mv := range m {
		if strings.EqualFold(mk, key) && (!ok || mk < k) {
			k, v, ok = mk, mv, true
		}
	}
	return k, v, ok
}

func (r *Resolver) resolveClass(li *cost.LineItem, res *Resolution, t tracer) Decision {
	const attr = "action_class"
	if d, ok := r.byTags(li, res, t, attr, r.cfg.Tagging.ActionClassKeys, r.classKeyPaths, r.judgeClass); ok {
		return d
	}
	if d, ok := r.byRules(li, t, attr, func(s rules.Set) string { return s.ActionClass }); ok {
		return d
	}
	if res.Scope.Value == cost.ScopeDomain || res.Scope.Value == cost.ScopeBaseline {
		by := "eval_scope " + res.Scope.Value
		t.note(attr, StepInferred, by, "", "decided "+r.evalClass, true)
		return Decision{Value: r.evalClass, Step: StepInferred, By: by}
	}
	t.note(attr, StepUnclassified, "", "", "no step decided: unclassified", true)
	return Decision{Step: StepUnclassified}
}

func (r *Resolver) resolveScopeExplicit(li *cost.LineItem, res *Resolution, t tracer) Decision {
	const attr = "eval_scope"
	if d, ok := r.byTags(li, res, t, attr, r.cfg.Tagging.EvalScopeKeys, r.scopeKeyPaths, r.judgeScope); ok {
		return d
	}
	if d, ok := r.byRules(li, t, attr, func(s rules.Set) string { return s.EvalScope }); ok {
		return d
	}
	return Decision{}
}

func (r *Resolver) inferScope(res *Resolution, t tracer) Decision {
	const attr = "eval_scope"
	switch {
	case res.Class.Value == r.evalClass && res.Platform:
		t.note(attr, StepInferred, "platform team's eval", "", "decided baseline", true)
		return Decision{Value: cost.ScopeBaseline, Step: StepInferred, By: "platform team's eval"}
	case res.Class.Value == r.evalClass:
		t.note(attr, StepInferred, "team's eval", "", "decided domain", true)
		return Decision{Value: cost.ScopeDomain, Step: StepInferred, By: "team's eval"}
	}
	t.note(attr, StepInferred, "not an eval", "", "decided none", true)
	return Decision{Value: cost.ScopeNone, Step: StepInferred, By: "not an eval"}
}

func (r *Resolver) resolveComponent(li *cost.LineItem, t tracer) Decision {
	const attr = "platform_component"
	var none Resolution // a component value is never a gap
	if d, ok := r.byTags(li, &none, t, attr, r.cfg.Tagging.PlatformComponentKeys, r.compKeyPaths, judgeComponent); ok {
		return d
	}
	if d, ok := r.byRules(li, t, attr, func(s rules.Set) string { return s.PlatformComponent }); ok {
		return d
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

// FoldTeam finds the one registered team a tag value names once case and
// the separators '-', '_', '.' and spaces are ignored, comparing with team
// ids and with the keys of tagging.values ("Support" → support,
// "ML_Platform" → platform through ml-platform); ok is false when no team
// or several teams do. The resolver never applies this: it is how the gap
// report suggests a tagging.values entry.
func (r *Resolver) FoldTeam(v string) (team string, ok bool) {
	f := foldValue(v)
	if f == "" {
		return "", false
	}
	found := map[string]bool{}
	for id := range r.teams {
		if foldValue(id) == f {
			found[id] = true
		}
	}
	for k, id := range r.cfg.Tagging.Values {
		if _, registered := r.teams[id]; registered && foldValue(k) == f {
			found[id] = true
		}
	}
	if len(found) != 1 {
		return "", false
	}
	for id := range found {
		team = id
	}
	return team, true
}

func foldValue(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(strings.TrimSpace(s)) {
		switch c {
		case '-', '_', '.', ' ':
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
