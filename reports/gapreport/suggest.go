package gapreport

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/allot-dev/allot/rules"
	"github.com/allot-dev/allot/tagging"
	"github.com/shopspring/decimal"
)

// Suggestion kinds, in the order suggestions of equal cost are listed.
const (
	KindValueMap             = "value_map"              // a tagging.values entry for a case or separator variant of a team id
	KindTeamKey              = "team_key"               // a tagging.team_keys alias for a key variant bills use
	KindDefault              = "default"                // a tagging.defaults entry for a sub-account
	KindResourceGroupDefault = "resource_group_default" // a tagging.resource_group_defaults entry
	KindTeamRule             = "team_rule"              // a rule giving one service and SKU of one sub-account a team
	KindClassRule            = "class_rule"             // a rule giving one service and SKU a class
	KindBuiltinRules         = "builtin_rules"          // turning on the shipped AI token rules
)

var kindOrder = map[string]int{KindValueMap: 0, KindTeamKey: 1, KindDefault: 2, KindResourceGroupDefault: 3, KindTeamRule: 4, KindClassRule: 5, KindBuiltinRules: 6}

// Effects of a suggestion.
const (
	EffectAllocates  = "allocates"  // unallocated cost would get a team
	EffectClassifies = "classifies" // a team's unclassified cost would get a class
)

// Dominance is the share of the tagged evidence one team (or class) must
// hold for a default or rule to be suggested: 90%.
var Dominance = decimal.RequireFromString("0.9")

// Suggestion is one configuration change and what it would fix.
type Suggestion struct {
	Rank     int    `json:"rank"`
	Kind     string `json:"kind"`
	Title    string `json:"title"`
	Effect   string `json:"effect"` // allocates | classifies
	Cost     string `json:"cost"`   // the cost it would allocate (or classify) on its own
	Lines    int64  `json:"lines"`
	Share    string `json:"share_of_total"`
	Evidence string `json:"evidence"`
	YAML     string `json:"yaml"` // the lines to add to the configuration, under tagging:

	cost decimal.Decimal
	key  string
}

type shareFunc func(decimal.Decimal) string

// suggest derives the suggestions from the statistics, ranked: those that
// allocate before those that classify, then by cost (largest first), kind
// and title. See the package doc for each kind's rule.
func suggest(s *tagging.Stats, f func(decimal.Decimal) string, share shareFunc) []Suggestion {
	r := s.Resolver()
	cfg := r.Config()
	var out []Suggestion
	add := func(sg Suggestion, t tagging.Tally) {
		if t.Lines == 0 || t.Cost.IsZero() {
			return
		}
		sg.cost, sg.Cost, sg.Lines, sg.Share = t.Cost, f(t.Cost), t.Lines, share(t.Cost)
		out = append(out, sg)
	}

	// Values that name a team but for case or separators.
	for _, v := range slices.Sorted(maps.Keys(s.UnknownValuesUnallocated)) {
		team, ok := r.FoldTeam(v)
		if !ok {
			continue
		}
		add(Suggestion{Kind: KindValueMap, Effect: EffectAllocates, key: v,
			Title:    fmt.Sprintf("map tag value %q to team %s", v, team),
			Evidence: fmt.Sprintf("%q is not a team id; it names %s once case and separators are ignored", v, team),
			YAML:     fmt.Sprintf("tagging:\n  values:\n    %s: %s\n", quote(v), team),
		}, *s.UnknownValuesUnallocated[v])
	}

	// Team-like keys the resolver does not read, on unallocated lines.
	byKey := map[string][]tagging.ValueKey{}
	for vk := range s.IgnoredKeyValues {
		byKey[vk.Key] = append(byKey[vk.Key], vk)
	}
	for _, key := range slices.Sorted(maps.Keys(byKey)) {
		var t tagging.Tally
		var maps []string
		vks := byKey[key]
		sort.Slice(vks, func(i, j int) bool { return vks[i].Value < vks[j].Value })
		for _, vk := range vks {
			if _, ok := r.NormalizeTeam(vk.Value); !ok {
				team, ok := r.FoldTeam(vk.Value)
				if !ok {
					continue
				}
				maps = append(maps, fmt.Sprintf("    %s: %s\n", quote(vk.Value), team))
			}
			tt := s.IgnoredKeyValues[vk]
			t.Cost, t.Lines = t.Cost.Add(tt.Cost), t.Lines+tt.Lines
		}
		keys := append(append([]string(nil), cfg.Tagging.TeamKeys...), key)
		y := "tagging:\n  team_keys: [" + strings.Join(quoteAll(keys), ", ") + "]\n"
		ev := fmt.Sprintf("unallocated lines carry team values under %q, which tagging.team_keys does not list (keys match as spelled; only Azure ignores case)", key)
		if len(maps) > 0 {
			y += "  values:\n" + strings.Join(maps, "")
			ev += "; some values also need a tagging.values entry"
		}
		add(Suggestion{Kind: KindTeamKey, Effect: EffectAllocates, key: key, Title: fmt.Sprintf("read tag key %q as a team key", key), Evidence: ev, YAML: y}, t)
	}

	// Defaults for sub-accounts whose tagged cost is one team's.
	covered := map[string]bool{}
	for _, sub := range slices.Sorted(maps.Keys(s.UnallocatedBySubAccount)) {
		if sub == "" {
			continue
		}
		team, ev, ok := dominant(s.TaggedTeamBySubAccount[sub], f)
		if !ok {
			continue
		}
		covered[sub] = true
		name := sub
		if n := s.SubAccountNames[sub]; n != "" && n != sub {
			name = fmt.Sprintf("%s (%s)", sub, n)
		}
		add(Suggestion{Kind: KindDefault, Effect: EffectAllocates, key: sub,
			Title:    fmt.Sprintf("default sub-account %s to team %s", name, team),
			Evidence: fmt.Sprintf("%s of the tag-decided cost in this sub-account is team %s", ev, team),
			YAML:     fmt.Sprintf("tagging:\n  defaults:\n    %s: %s\n", quote(sub), team),
		}, *s.UnallocatedBySubAccount[sub])
	}

	// Resource-group defaults, for cells no sub-account default covers.
	cells := make([]tagging.Cell, 0, len(s.UnallocatedCells))
	for c := range s.UnallocatedCells {
		if !covered[c.SubAccount] {
			cells = append(cells, c)
		}
	}
	slices.SortFunc(cells, compareCells)
	rgs := map[string]*rgGroup{}
	for _, c := range cells {
		if c.ResourceGroup == "" {
			continue
		}
		k := strings.ToLower(c.ResourceGroup)
		g, ok := rgs[k]
		if !ok {
			g = &rgGroup{spelling: c.ResourceGroup}
			rgs[k] = g
		}
		t := s.UnallocatedCells[c]
		g.t.Cost, g.t.Lines = g.t.Cost.Add(t.Cost), g.t.Lines+t.Lines
		g.cells = append(g.cells, c)
	}
	coveredCell := map[tagging.Cell]bool{}
	for _, k := range slices.Sorted(maps.Keys(rgs)) {
		team, ev, ok := dominant(s.TaggedTeamByResourceGroup[k], f)
		if !ok {
			continue
		}
		g := rgs[k]
		for _, c := range g.cells {
			coveredCell[c] = true
		}
		add(Suggestion{Kind: KindResourceGroupDefault, Effect: EffectAllocates, key: k,
			Title:    fmt.Sprintf("default resource group %s to team %s", g.spelling, team),
			Evidence: fmt.Sprintf("%s of the tag-decided cost in resource groups named %s is team %s", ev, g.spelling, team),
			YAML:     fmt.Sprintf("tagging:\n  resource_group_defaults:\n    %s: %s\n", quote(g.spelling), team),
		}, g.t)
	}

	// Rules for one service and SKU of a sub-account no default covers.
	groups := map[tagging.Group]*tagging.Tally{}
	for _, c := range cells {
		if coveredCell[c] {
			continue
		}
		g := tagging.Group{SubAccount: c.SubAccount, Service: c.Service, SKU: c.SKU}
		t, ok := groups[g]
		if !ok {
			t = &tagging.Tally{}
			groups[g] = t
		}
		ct := s.UnallocatedCells[c]
		t.Cost, t.Lines = t.Cost.Add(ct.Cost), t.Lines+ct.Lines
	}
	gkeys := make([]tagging.Group, 0, len(groups))
	for g := range groups {
		gkeys = append(gkeys, g)
	}
	slices.SortFunc(gkeys, compareGroups)
	for _, g := range gkeys {
		if g.Service == "" && g.SKU == "" {
			continue
		}
		team, ev, ok := dominant(s.TaggedTeamByGroup[g], f)
		if !ok {
			continue
		}
		match := matchYAML([][2]string{{"sub_account", g.SubAccount}, {"service", g.Service}, {"sku", g.SKU}})
		add(Suggestion{Kind: KindTeamRule, Effect: EffectAllocates, key: groupKey(g),
			Title:    fmt.Sprintf("rule: %s %s in sub-account %s → team %s", g.Service, g.SKU, g.SubAccount, team),
			Evidence: fmt.Sprintf("%s of the tag-decided cost of this service and SKU in this sub-account is team %s", ev, team),
			YAML: fmt.Sprintf("tagging:\n  rules:    # append: rules are tried in order\n    - name: %s\n      match: %s\n      set: { team: %s }\n",
				quote(team+" "+firstNonEmpty(g.SKU, g.Service)), match, team),
		}, *groups[g])
	}

	// Class rules for a service and SKU mostly tagged with one class.
	skus := make([]tagging.SKUKey, 0, len(s.NoClassBySKU))
	for k := range s.NoClassBySKU {
		skus = append(skus, k)
	}
	slices.SortFunc(skus, compareSKUs)
	for _, k := range skus {
		if k.Service == "" && k.SKU == "" {
			continue
		}
		class, ev, ok := dominant(s.TaggedClassBySKU[k], f)
		if !ok {
			continue
		}
		add(Suggestion{Kind: KindClassRule, Effect: EffectClassifies, key: k.Service + "\x00" + k.SKU,
			Title:    fmt.Sprintf("rule: %s %s → class %s", k.Service, k.SKU, class),
			Evidence: fmt.Sprintf("%s of the tag-classified cost of this service and SKU is %s", ev, class),
			YAML: fmt.Sprintf("tagging:\n  rules:    # append: rules are tried in order\n    - name: %s\n      match: %s\n      set: { action_class: %s }\n",
				quote(class+" "+firstNonEmpty(k.SKU, k.Service)), matchYAML([][2]string{{"service", k.Service}, {"sku", k.SKU}}), class),
		}, *s.NoClassBySKU[k])
	}

	// The shipped AI token rules, when the configuration does not use them.
	if len(s.NoClassBuiltin) > 0 {
		var t tagging.Tally
		var parts []string
		for _, name := range slices.Sorted(maps.Keys(s.NoClassBuiltin)) {
			bt := s.NoClassBuiltin[name]
			t.Cost, t.Lines = t.Cost.Add(bt.Cost), t.Lines+bt.Lines
			parts = append(parts, fmt.Sprintf("%s %s", name, f(bt.Cost)))
		}
		sets := append(append([]string(nil), cfg.Tagging.BuiltinRules...), rules.BuiltinAITokens)
		add(Suggestion{Kind: KindBuiltinRules, Effect: EffectClassifies, key: rules.BuiltinAITokens,
			Title:    "turn on the shipped AI token rules (ai-tokens)",
			Evidence: "unclassified token usage these rules recognise: " + strings.Join(parts, ", "),
			YAML:     "tagging:\n  builtin_rules: [" + strings.Join(quoteAll(sets), ", ") + "]\n",
		}, t)
	}

	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Effect != b.Effect {
			return a.Effect == EffectAllocates
		}
		if c := a.cost.Cmp(b.cost); c != 0 {
			return c > 0
		}
		if a.Kind != b.Kind {
			return kindOrder[a.Kind] < kindOrder[b.Kind]
		}
		return a.key < b.key
	})
	for i := range out {
		out[i].Rank = i + 1
	}
	if out == nil {
		out = []Suggestion{}
	}
	return out
}

type rgGroup struct {
	spelling string
	t        tagging.Tally
	cells    []tagging.Cell
}

// compareCells, compareGroups and compareSKUs order keys field by field
// (the order of their fields joined by NUL), without building strings:
// the report sorts thousands of them.
func compareCells(a, b tagging.Cell) int {
	return cmp.Or(strings.Compare(a.SubAccount, b.SubAccount), strings.Compare(a.ResourceGroup, b.ResourceGroup),
		strings.Compare(a.Service, b.Service), strings.Compare(a.SKU, b.SKU))
}

func compareGroups(a, b tagging.Group) int {
	return cmp.Or(strings.Compare(a.SubAccount, b.SubAccount), strings.Compare(a.Service, b.Service), strings.Compare(a.SKU, b.SKU))
}

func compareSKUs(a, b tagging.SKUKey) int {
	return cmp.Or(strings.Compare(a.Service, b.Service), strings.Compare(a.SKU, b.SKU))
}

func groupKey(g tagging.Group) string { return g.SubAccount + "\x00" + g.Service + "\x00" + g.SKU }

// dominant returns the team (or class) holding at least Dominance of the
// evidence's cost, with a description of the share; ok is false when none
// does or the evidence's total is not positive.
func dominant(m map[string]*tagging.Tally, f func(decimal.Decimal) string) (best, evidence string, ok bool) {
	var total, b decimal.Decimal
	found := false
	for k, t := range m {
		total = total.Add(t.Cost)
		// the largest cost; of equal ones, the first key in order
		if c := t.Cost.Cmp(b); !found || c > 0 || c == 0 && k < best {
			best, b, found = k, t.Cost, true
		}
	}
	if !total.IsPositive() {
		return "", "", false
	}
	if b.LessThan(total.Mul(Dominance)) {
		return "", "", false
	}
	pct := b.Mul(decimal.NewFromInt(100)).DivRound(total, 1).StringFixed(1)
	return best, fmt.Sprintf("%s%% (%s of %s)", pct, f(b), f(total)), true
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// literalPattern turns a value into a rule pattern matching exactly it: the
// value itself, unless it holds a '*' or starts with "re:", then an
// anchored, quoted regular expression.
func literalPattern(v string) string {
	if strings.Contains(v, "*") || strings.HasPrefix(v, "re:") {
		return "re:^" + regexp.QuoteMeta(v) + "$"
	}
	return v
}

// matchYAML renders a flow mapping of the non-empty fields as literal
// patterns.
func matchYAML(fields [][2]string) string {
	var parts []string
	for _, kv := range fields {
		if kv[1] != "" {
			parts = append(parts, kv[0]+": "+quote(literalPattern(kv[1])))
		}
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

// quote writes s as a YAML double-quoted scalar: what a bill wrote comes
// back as exactly that string, whatever it holds.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range s {
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteRune(c)
		case c < 0x20 || c == 0x7f || c == 0x85 || c == 0x2028 || c == 0x2029:
			b.WriteString(`\u` + leftPad(strconv.FormatInt(int64(c), 16), 4))
		default:
			b.WriteRune(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func leftPad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

func quoteAll(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = quote(k)
	}
	return out
}
