package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/reports"
	"github.com/allot-dev/allot/rules"
	"github.com/allot-dev/allot/tagging"
	"github.com/shopspring/decimal"
)

// explainAttrs are the attributes in the order explain shows them.
var explainAttrs = []string{"team", "action_class", "eval_scope", "platform_component"}

func decisionOf(res tagging.Resolution, attr string) tagging.Decision {
	switch attr {
	case "team":
		return res.Team
	case "action_class":
		return res.Class
	case "eval_scope":
		return res.Scope
	}
	return res.Component
}

// position returns FILE:LINE for a configuration key path (or its nearest
// written parent), or "" when the key was not written in the file.
func position(cfg *rules.Config, path string) string {
	for p := path; p != ""; {
		if l, _ := cfg.Position(p); l > 0 {
			return fmt.Sprintf("%s:%d", cfg.File, l)
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return ""
}

// where renders "(tagging.rules[3], allot.yaml:47)" for a path.
func where(cfg *rules.Config, path string) string {
	if path == "" {
		return ""
	}
	if pos := position(cfg, path); pos != "" {
		return fmt.Sprintf(" (%s, %s)", path, pos)
	}
	return fmt.Sprintf(" (%s, default)", path)
}

// decidedBy says how a decision was reached, in words.
func decidedBy(cfg *rules.Config, d tagging.Decision) string {
	switch d.Step {
	case tagging.StepTag:
		return "tag " + d.By + where(cfg, d.Path)
	case tagging.StepInherited:
		return "inherited tag " + d.By + where(cfg, d.Path)
	case tagging.StepDefault:
		return "default " + d.By + where(cfg, d.Path)
	case tagging.StepRule:
		return "rule " + d.By + where(cfg, d.Path)
	case tagging.StepInferred:
		return "inferred (" + d.By + ")"
	case tagging.StepUnallocated:
		return "no tag, default or rule: unallocated"
	case tagging.StepUnclassified:
		return "no tag or rule: unclassified"
	case "":
		return "not set"
	}
	return string(d.Step)
}

// lineFields describes the fields the chain reads, in a fixed order.
func lineFields(li *cost.LineItem) [][2]string {
	withName := func(id, name string) string {
		if name != "" && name != id {
			return id + " (" + name + ")"
		}
		return id
	}
	all := [][2]string{
		{"provider", li.ProviderName},
		{"billing account", withName(li.BillingAccountID, li.BillingAccountName)},
		{"sub-account", withName(li.SubAccountID, li.SubAccountName)},
		{"resource group", li.ResourceGroup},
		{"service", li.ServiceName},
		{"service category", li.ServiceCategory},
		{"sku id", li.SkuID},
		{"meter", li.SkuMeter},
		{"usage type", li.UsageType},
		{"resource id", li.ResourceID},
		{"resource name", li.ResourceName},
		{"region", li.RegionID},
		{"charge", strings.TrimSpace(string(li.ChargeCategory) + " " + li.ChargeClass)},
		{"description", li.ChargeDescription},
	}
	var out [][2]string
	for _, f := range all {
		if f[1] != "" {
			out = append(out, f)
		}
	}
	return out
}

func tagText(t cost.Tags) string {
	if len(t) == 0 {
		return "(none)"
	}
	var parts []string
	for _, k := range t.Keys() {
		parts = append(parts, fmt.Sprintf("%q=%q", k, t[k]))
	}
	return strings.Join(parts, ", ")
}

// signature is what makes two lines resolve and read the same: every
// field the chain reads, the tags, the currency and every step's outcome.
func signature(e *explained) string {
	var b strings.Builder
	for _, f := range lineFields(&e.li) {
		b.WriteString(f[0] + "=" + f[1] + "\x00")
	}
	b.WriteString(tagText(e.li.Tags) + "\x00" + e.li.BillingCurrency + "\x00")
	for _, a := range e.trace {
		fmt.Fprintf(&b, "%s|%s|%s|%s|%s|%v\x00", a.Attribute, a.Step, a.By, a.Path, a.Outcome, a.Decided)
	}
	return b.String()
}

type explainGroup struct {
	lines []*explained
	total decimal.Decimal
}

func groupExplained(lines []explained) []*explainGroup {
	var groups []*explainGroup
	index := map[string]*explainGroup{}
	for i := range lines {
		e := &lines[i]
		sig := signature(e)
		g, ok := index[sig]
		if !ok {
			g = &explainGroup{}
			index[sig] = g
			groups = append(groups, g)
		}
		g.lines = append(g.lines, e)
		g.total = g.total.Add(e.amount)
	}
	return groups
}

func writeExplainText(w io.Writer, cfg *rules.Config, p cost.Period, what string, lines []explained) {
	groups := groupExplained(lines)
	fmt.Fprintf(w, "allot explain: %s in %s\n", what, p)
	fmt.Fprintf(w, "configuration %s; cost basis %s, in each line's billing currency\n", cfg.File, cfg.CostBasis)
	fmt.Fprintf(w, "%d line(s), %d distinct resolution(s)\n", len(lines), len(groups))
	for gi, g := range groups {
		first := g.lines[0]
		fmt.Fprintf(w, "\nResolution %d of %d: %d line(s), %s %s\n", gi+1, len(groups), len(g.lines), g.total.String(), first.li.BillingCurrency)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, attr := range explainAttrs {
			d := decisionOf(first.res, attr)
			v := d.Value
			if v == "" {
				v = "-"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", attr, v, decidedBy(cfg, d))
		}
		tw.Flush()
		for _, gap := range first.res.Gaps {
			fmt.Fprintf(w, "  gap: %s: tag %q = %q\n", gap.Kind, gap.Key, gap.Value)
		}
		fmt.Fprintf(w, "\n  The line:\n")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, f := range lineFields(&first.li) {
			fmt.Fprintf(tw, "    %s\t%s\n", f[0], f[1])
		}
		fmt.Fprintf(tw, "    tags\t%s\n", tagText(first.li.Tags))
		tw.Flush()
		fmt.Fprintf(w, "\n  Steps tried, in order (✓ decided):\n")
		last := ""
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, at := range byAttribute(first.trace) {
			if at.Attribute != last {
				fmt.Fprintf(tw, "    %s\n", at.Attribute)
				last = at.Attribute
			}
			mark := "·"
			if at.Decided {
				mark = "✓"
			}
			label := string(at.Step)
			switch {
			case at.Step == tagging.StepInferred:
				label += " (" + at.By + ")"
			case at.By != "":
				label += " " + at.By
			}
			loc := ""
			if pos := position(cfg, at.Path); pos != "" && at.Step == tagging.StepRule {
				loc = " [" + pos + "]"
			}
			fmt.Fprintf(tw, "      %s %s%s\t%s\n", mark, label, loc, at.Outcome)
		}
		tw.Flush()
		fmt.Fprintf(w, "\n  Lines:\n")
		width := 0
		for _, e := range g.lines {
			width = max(width, len(e.amount.String()))
		}
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, e := range g.lines {
			fmt.Fprintf(tw, "    %s\t%s\t%s\t%*s %s\n", e.source, e.li.Source.String(), e.li.ChargePeriodStart.UTC().Format("2006-01-02"),
				width, e.amount.String(), e.li.BillingCurrency)
		}
		tw.Flush()
	}
}

// byAttribute orders attempts by attribute as explain shows them, keeping
// each attribute's steps in the order the chain tried them.
func byAttribute(trace []tagging.Attempt) []tagging.Attempt {
	out := make([]tagging.Attempt, 0, len(trace))
	for _, attr := range explainAttrs {
		for _, at := range trace {
			if at.Attribute == attr {
				out = append(out, at)
			}
		}
	}
	return out
}

// explainJSON is allot explain --format json.
type explainJSON struct {
	Period     string            `json:"period"`
	Resource   string            `json:"resource,omitempty"`
	SubAccount string            `json:"sub_account,omitempty"`
	Config     string            `json:"config"`
	CostBasis  string            `json:"cost_basis"`
	Lines      []explainLineJSON `json:"lines"`
}

type explainLineJSON struct {
	Source            string                  `json:"source"`
	Provenance        string                  `json:"provenance"`
	ChargePeriodStart string                  `json:"charge_period_start"`
	Cost              string                  `json:"cost"` // on the configured basis, exact
	Currency          string                  `json:"currency"`
	Fields            map[string]string       `json:"fields"`
	Tags              map[string]string       `json:"tags"`
	Decisions         map[string]decisionJSON `json:"decisions"`
	Gaps              []gapJSON               `json:"gaps"`
	Steps             []stepJSON              `json:"steps"`
}

type decisionJSON struct {
	Value    string `json:"value"`
	Step     string `json:"step"`
	By       string `json:"by,omitempty"`
	Path     string `json:"path,omitempty"`
	Position string `json:"position,omitempty"`
}

type gapJSON struct {
	Kind  string `json:"kind"`
	Key   string `json:"key"`
	Value string `json:"value"`
}

type stepJSON struct {
	Attribute string `json:"attribute"`
	Step      string `json:"step"`
	By        string `json:"by,omitempty"`
	Path      string `json:"path,omitempty"`
	Outcome   string `json:"outcome"`
	Decided   bool   `json:"decided"`
}

func writeExplainJSON(w io.Writer, cfg *rules.Config, p cost.Period, resource, subAccount string, lines []explained) error {
	out := explainJSON{Period: p.String(), Resource: resource, SubAccount: subAccount, Config: cfg.File, CostBasis: string(cfg.CostBasis), Lines: []explainLineJSON{}}
	for i := range lines {
		e := &lines[i]
		l := explainLineJSON{Source: e.source, Provenance: e.li.Source.String(), ChargePeriodStart: e.li.ChargePeriodStart.UTC().Format("2006-01-02T15:04:05Z"),
			Cost: e.amount.String(), Currency: e.li.BillingCurrency, Fields: map[string]string{}, Tags: map[string]string{},
			Decisions: map[string]decisionJSON{}, Gaps: []gapJSON{}, Steps: []stepJSON{}}
		for _, f := range lineFields(&e.li) {
			l.Fields[strings.ReplaceAll(f[0], " ", "_")] = f[1]
		}
		for k, v := range e.li.Tags {
			l.Tags[k] = v
		}
		for _, attr := range explainAttrs {
			d := decisionOf(e.res, attr)
			l.Decisions[attr] = decisionJSON{Value: d.Value, Step: string(d.Step), By: d.By, Path: d.Path, Position: position(cfg, d.Path)}
		}
		for _, g := range e.res.Gaps {
			l.Gaps = append(l.Gaps, gapJSON{Kind: string(g.Kind), Key: g.Key, Value: g.Value})
		}
		for _, at := range e.trace {
			l.Steps = append(l.Steps, stepJSON{Attribute: at.Attribute, Step: string(at.Step), By: at.By, Path: at.Path, Outcome: at.Outcome, Decided: at.Decided})
		}
		out.Lines = append(out.Lines, l)
	}
	return reports.WriteJSON(w, out)
}
