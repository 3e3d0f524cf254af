package tagging

import (
	"fmt"
	"sort"
	"strings"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/rules"
)

// Warning is a problem in the tagging configuration that does not stop a
// run: a rule that can never match, or whose assignments never take effect.
type Warning struct {
	File         string
	Line, Column int    // 0 when the key was not written in the file
	Path         string // configuration key, e.g. tagging.rules[3].set.team
	Message      string
}

// String renders "file:line:col: path: warning: message".
func (w Warning) String() string {
	var b strings.Builder
	b.WriteString(w.File)
	if w.Line > 0 {
		fmt.Fprintf(&b, ":%d", w.Line)
		if w.Column > 0 {
			fmt.Fprintf(&b, ":%d", w.Column)
		}
	}
	fmt.Fprintf(&b, ": %s: warning: %s", w.Path, w.Message)
	return b.String()
}

// attributes a rule may set, in chain order.
var ruleAttrs = []struct {
	name string
	get  func(rules.Set) string
}{
	{"team", func(s rules.Set) string { return s.Team }},
	{"action_class", func(s rules.Set) string { return s.ActionClass }},
	{"eval_scope", func(s rules.Set) string { return s.EvalScope }},
	{"platform_component", func(s rules.Set) string { return s.PlatformComponent }},
}

// Lint reports the configured rules (tagging.rules) that cannot do what
// they say, in file order:
//
//   - a pattern that can never match a line: a charge_category pattern
//     that matches none of the FOCUS categories (Usage, Purchase, Tax,
//     Credit, Adjustment; case-sensitive), or a regular expression that
//     matches only the empty string (re:^$); the rule never applies;
//   - a glob that looks like a regular expression (.*, |, a leading ^ or a
//     trailing $) but lacks the re: prefix, so it matches those characters
//     literally;
//   - an assignment an earlier rule always makes first: an earlier rule
//     sets the same attribute and its patterns cover this rule's (every
//     line this rule matches, it matches too; proven with
//     rules.Pattern.Covers, so a warning is never a guess). When every
//     attribute the rule sets is taken that way, the rule is shadowed;
//   - a team rule on a literal sub_account (or resource_group) that
//     tagging.defaults (or resource_group_defaults) already maps: defaults
//     come before rules in the chain;
//   - two rules with the same name (allot explain names rules).
//
// The configuration must have passed validation.
func Lint(c *rules.Config) []Warning {
	var out []Warning
	warn := func(path, format string, args ...any) {
		w := Warning{File: c.File, Path: path, Message: fmt.Sprintf(format, args...)}
		for p := path; ; {
			if l, col := c.Position(p); l > 0 {
				w.Line, w.Column = l, col
				break
			}
			i := strings.LastIndexAny(p, ".[")
			if i < 0 {
				break
			}
			p = p[:i]
		}
		out = append(out, w)
	}
	type compiled struct {
		rule   rules.Rule
		fields map[string]*rules.Pattern
		never  bool
	}
	rs := make([]compiled, len(c.Tagging.Rules))
	names := map[string]int{}
	for i, rule := range c.Tagging.Rules {
		path := fmt.Sprintf("tagging.rules[%d]", i)
		cr := compiled{rule: rule, fields: map[string]*rules.Pattern{}}
		for _, f := range matchFields(rule.Match) {
			p, err := rules.CompilePattern(f.pattern)
			if err != nil {
				continue // validation reports it
			}
			cr.fields[f.field] = p
			fp := path + ".match." + f.field
			switch {
			case p.NeverMatches():
				cr.never = true
				warn(fp, "%q can only match an empty value, and only \"*\" matches an empty field: the rule never applies", f.pattern)
			case f.field == "charge_category" && !matchesACategory(p):
				cr.never = true
				warn(fp, "%q matches none of the FOCUS charge categories (Usage, Purchase, Tax, Credit, Adjustment; case-sensitive): the rule never applies", f.pattern)
			case !p.IsRegexp() && looksLikeRegexp(f.pattern):
				warn(fp, "%q is a glob (only * is special) but looks like a regular expression; write \"re:%s\" to use one", f.pattern, f.pattern)
			}
		}
		rs[i] = cr
		if j, dup := names[rule.Name]; dup && rule.Name != "" {
			warn(path+".name", "name %q is also the name of tagging.rules[%d]; allot explain could not tell them apart", rule.Name, j)
		} else {
			names[rule.Name] = i
		}
	}
	for i, cr := range rs {
		if cr.never {
			continue
		}
		path := fmt.Sprintf("tagging.rules[%d]", i)
		var sets, taken []string
		var why []string
		for _, a := range ruleAttrs {
			if a.get(cr.rule.Set) == "" {
				continue
			}
			sets = append(sets, a.name)
			if a.name == "team" {
				if reason, ok := defaultedFirst(c, cr.fields); ok {
					taken = append(taken, a.name)
					why = append(why, reason)
					continue
				}
			}
			for j := 0; j < i; j++ {
				if rs[j].never || a.get(rs[j].rule.Set) == "" || !covers(rs[j].fields, cr.fields) {
					continue
				}
				taken = append(taken, a.name)
				what := "matches every line this rule matches"
				if matchesAll(rs[j].fields) {
					what = "matches every line"
				}
				why = append(why, fmt.Sprintf("tagging.rules[%d] (%s) %s and sets %s first", j, rs[j].rule.Name, what, a.name))
				break
			}
		}
		if len(taken) == 0 {
			continue
		}
		if len(taken) == len(sets) {
			warn(path, "rule %q is shadowed and never decides anything: %s", cr.rule.Name, strings.Join(why, "; "))
			continue
		}
		for k, a := range taken {
			warn(path+".set."+a, "rule %q never sets %s: %s", cr.rule.Name, a, why[k])
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if (out[i].Line == 0) != (out[j].Line == 0) {
			return out[j].Line == 0
		}
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Column < out[j].Column
	})
	return out
}

// covers reports whether rule q matches every line rule p matches: each
// of q's patterns covers p's pattern on the same field, and a field only q
// constrains is constrained by "*" (which matches anything, even empty).
func covers(q, p map[string]*rules.Pattern) bool {
	for field, qp := range q {
		pp, ok := p[field]
		if !ok {
			if qp.String() != "*" {
				return false
			}
			continue
		}
		if !qp.Covers(pp) {
			return false
		}
	}
	return true
}

func matchesAll(fields map[string]*rules.Pattern) bool {
	for _, p := range fields {
		if p.String() != "*" {
			return false
		}
	}
	return true
}

// defaultedFirst reports whether a team rule can only match lines whose
// team a default already decided: its sub_account (or resource_group)
// pattern is a literal the defaults map.
func defaultedFirst(c *rules.Config, fields map[string]*rules.Pattern) (string, bool) {
	literal := func(p *rules.Pattern) bool {
		return p != nil && !p.IsRegexp() && !strings.Contains(p.String(), "*")
	}
	if p := fields["sub_account"]; literal(p) {
		if team, ok := c.Tagging.Defaults[p.String()]; ok {
			return fmt.Sprintf("tagging.defaults maps sub-account %q to %s, and defaults come before rules", p.String(), team), true
		}
	}
	if p := fields["resource_group"]; literal(p) {
		if k, team, ok := lookupFold(c.Tagging.ResourceGroupDefaults, p.String()); ok {
			return fmt.Sprintf("tagging.resource_group_defaults maps resource group %q to %s, and defaults come before rules", k, team), true
		}
	}
	return "", false
}

func matchesACategory(p *rules.Pattern) bool {
	for _, c := range []cost.ChargeCategory{cost.ChargeUsage, cost.ChargePurchase, cost.ChargeTax, cost.ChargeCredit, cost.ChargeAdjustment} {
		if p.Match(string(c)) {
			return true
		}
	}
	return false
}

func looksLikeRegexp(glob string) bool {
	return strings.Contains(glob, ".*") || strings.Contains(glob, "|") || strings.HasPrefix(glob, "^") || strings.HasSuffix(glob, "$")
}
