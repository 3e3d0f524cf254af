package tagging

import (
	"fmt"
	"strings"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/rules"
)

// compiledRule is a configured or built-in rule ready to match.
type compiledRule struct {
	rule     rules.Rule
	name     string // as allot explain shows it: the rule's name, SET/NAME for a built-in rule
	path     string // configuration key: tagging.rules[3], or tagging.builtin_rules[0] for a built-in set
	builtin  bool
	patterns []fieldPattern
}

type fieldPattern struct {
	field string
	p     *rules.Pattern
}

type fieldSpec struct{ field, pattern string }

// matchFields lists a rule's patterns in a fixed order.
func matchFields(m rules.Match) []fieldSpec {
	all := []fieldSpec{{"provider", m.Provider}, {"billing_account", m.BillingAccount}, {"sub_account", m.SubAccount},
		{"resource_group", m.ResourceGroup}, {"service_category", m.ServiceCategory}, {"service", m.Service},
		{"sku", m.SKU}, {"resource_id", m.ResourceID}, {"resource_name", m.ResourceName}, {"region", m.Region},
		{"description", m.Description}, {"charge_category", m.ChargeCategory}}
	var out []fieldSpec
	for _, f := range all {
		if f.pattern != "" {
			out = append(out, f)
		}
	}
	return out
}

func compileRule(rule rules.Rule, name, path string, builtin bool) (compiledRule, error) {
	cr := compiledRule{rule: rule, name: name, path: path, builtin: builtin}
	for _, f := range matchFields(rule.Match) {
		p, err := rules.CompilePattern(f.pattern)
		if err != nil {
			return cr, fmt.Errorf("tagging: %s.match.%s: %w", path, f.field, err)
		}
		cr.patterns = append(cr.patterns, fieldPattern{field: f.field, p: p})
	}
	return cr, nil
}

// values holds up to three values of one field, without allocating.
type values struct {
	v [3]string
	n int
}

// fieldValues returns the line's values a pattern on field is tried
// against; the pattern matches if it matches any of them.
func fieldValues(li *cost.LineItem, field string) values {
	one := func(a string) values { return values{v: [3]string{a}, n: 1} }
	switch field {
	case "provider":
		return one(li.ProviderName)
	case "billing_account":
		return values{v: [3]string{li.BillingAccountID, li.BillingAccountName}, n: 2}
	case "service":
		// The same service is spelled AmazonBedrock in CUR (the product
		// code) and "Amazon Bedrock" in some FOCUS exports: a pattern
		// matches either spelling.
		if strings.Contains(li.ServiceName, " ") {
			return values{v: [3]string{li.ServiceName, strings.ReplaceAll(li.ServiceName, " ", "")}, n: 2}
		}
		return one(li.ServiceName)
	case "service_category":
		return one(li.ServiceCategory)
	case "sku":
		return values{v: [3]string{li.SkuID, li.SkuMeter, li.UsageType}, n: 3}
	case "resource_id":
		return one(li.ResourceID)
	case "resource_name":
		return one(li.ResourceName)
	case "region":
		return one(li.RegionID)
	case "sub_account":
		return values{v: [3]string{li.SubAccountID, li.SubAccountName}, n: 2}
	case "resource_group":
		return one(li.ResourceGroup)
	case "description":
		return one(li.ChargeDescription)
	case "charge_category":
		return one(string(li.ChargeCategory))
	}
	return values{}
}

// fieldMatches reports whether a pattern matches any of the field's values.
// Only the pattern "*" matches an empty value.
func fieldMatches(li *cost.LineItem, fp fieldPattern) bool {
	vs := fieldValues(li, fp.field)
	for _, v := range vs.v[:vs.n] {
		if v != "" && fp.p.Match(v) || v == "" && fp.p.String() == "*" {
			return true
		}
	}
	return false
}

func (cr *compiledRule) matches(li *cost.LineItem) bool {
	for _, fp := range cr.patterns {
		if !fieldMatches(li, fp) {
			return false
		}
	}
	return true
}

// mismatch says why a rule does not match a line: the first field whose
// pattern fails, with the line's values. It is only built for explain.
func (cr *compiledRule) mismatch(li *cost.LineItem) string {
	for _, fp := range cr.patterns {
		if fieldMatches(li, fp) {
			continue
		}
		var vals []string
		vs := fieldValues(li, fp.field)
		for _, v := range vs.v[:vs.n] {
			if v != "" {
				vals = append(vals, fmt.Sprintf("%q", v))
			}
		}
		if len(vals) == 0 {
			return fmt.Sprintf("no match: %s is empty (pattern %q)", fp.field, fp.p.String())
		}
		return fmt.Sprintf("no match: %s %s does not match %q", fp.field, strings.Join(vals, " / "), fp.p.String())
	}
	return "no match"
}

// caseInsensitiveKeys reports whether a provider's tag keys compare
// without regard to case (Azure).
func caseInsensitiveKeys(provider string) bool {
	return provider == "Microsoft" || containsFold(provider, "microsoft") || containsFold(provider, "azure")
}

// isGoogle reports whether the line comes from Google Cloud.
func isGoogle(provider string) bool {
	return provider == "Google Cloud" || containsFold(provider, "google") || strings.EqualFold(provider, "gcp")
}

// containsFold is strings.Contains ignoring ASCII case, without allocating
// (it runs for every line).
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// Prefixes the gcpbq connector gives tags Google Cloud puts on a line from
// above the resource: Resource Manager tags and project labels.
const (
	PrefixGCPTag     = "tag:"
	PrefixGCPProject = "project:"
)

// inheritedKeys returns the keys under which a provider carries, for a
// configured key, the tags it puts on the account or project rather than
// the resource: on Google Cloud the Resource Manager tag (bound to the
// resource or inherited down the hierarchy), then the project label. AWS
// and Azure have none on the line: Azure's tag inheritance copies
// subscription and resource-group tags into the usage's own tags, and AWS
// exports only resource tags and cost categories.
func inheritedKeys(provider, key string) []string {
	if !isGoogle(provider) || strings.HasPrefix(key, PrefixGCPTag) || strings.HasPrefix(key, PrefixGCPProject) {
		return nil
	}
	return []string{PrefixGCPTag + key, PrefixGCPProject + key}
}

// tag looks a key up as the provider compares keys, returning the key as
// spelled on the line. On Azure, of several keys equal ignoring case (and
// surrounding spaces), the exact spelling wins, then the smallest in byte
// order.
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
