package gapreport

import (
	"fmt"
	"io"
	"strings"
)

// useText says in words how the resolver treats a team-like key.
var useText = map[string]string{
	"configured":  "read (listed in team_keys)",
	"case_folded": "read (Azure keys ignore case)",
	"inherited":   "read (inherited from the project)",
	"ignored":     "not read",
}

// WriteMarkdown writes tagging-gaps.md. Every value taken from a bill is
// escaped so it renders as the text it is: Markdown punctuation gets a
// backslash and <, > and & become entities, so no tag can inject markup.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	cur := r.Currency
	title := "Tagging gaps"
	if r.Period != "" {
		title += " — " + r.Period
	}
	p("# %s\n\n", title)
	if r.CostBasis != "" || cur != "" {
		p("Cost basis: %s · currency: %s. Allocated means resolved to a registered team, the platform team included.\n\n", r.CostBasis, cur)
	}

	p("## Coverage\n\n")
	cf := r.CoverageFigures
	p("**%s** of the cost (%s of %s %s) and **%s** of the lines (%d of %d) are allocated: maturity **%s** (walk above 80%%, run above 90%%).\n\n",
		percent(cf.CoverageCost), grouped(cf.AllocatedCost), grouped(cf.TotalCost), cur, percent(cf.CoverageLines), cf.AllocatedLines, cf.TotalLines, cf.Maturity)
	p("Unallocated: %s %s on %s.\n\n", grouped(cf.UnallocatedCost), cur, plural(cf.UnallocatedLines, "line"))
	if len(r.CoverageByProvider) > 0 {
		p("| provider | cost | allocated | unallocated | coverage (cost) | coverage (lines) | maturity |\n|---|--:|--:|--:|--:|--:|---|\n")
		for _, pc := range r.CoverageByProvider {
			p("| %s | %s | %s | %s | %s | %s | %s |\n", md(pc.Provider), grouped(pc.TotalCost), grouped(pc.AllocatedCost), grouped(pc.UnallocatedCost),
				percent(pc.CoverageCost), percent(pc.CoverageLines), pc.Maturity)
		}
		p("\n")
	}

	p("## Suggested fixes\n\n")
	if len(r.Suggestions) == 0 {
		p("None: no unallocated or unclassified cost has enough tagged evidence for a safe suggestion.\n\n")
	}
	for _, s := range r.Suggestions {
		p("%d. **%s** — %s %s %s on %s (%s of the cost).  \n   %s\n\n", s.Rank, md(s.Title), s.Effect, grouped(s.Cost), cur, plural(s.Lines, "line"), percent(&s.Share), md(s.Evidence))
		fence := fenceFor(s.YAML)
		p("   %syaml\n", fence)
		for _, l := range strings.Split(strings.TrimRight(s.YAML, "\n"), "\n") {
			p("   %s\n", l)
		}
		p("   %s\n\n", fence)
	}
	if len(r.Suggestions) > 0 {
		p("Each figure is what the change would fix on its own; changes can overlap. Add the lines under the configuration's tagging: section (merge with the keys already there).\n\n")
	}

	p("## Unallocated cost\n\n")
	for _, sec := range []struct {
		title, col string
		items      []Item
	}{
		{"By provider", "provider", r.Unallocated.ByProvider},
		{"By sub-account", "sub-account", r.Unallocated.BySubAccount},
		{"By service", "service", r.Unallocated.ByService},
		{"By resource", "resource", r.Unallocated.ByResource},
	} {
		p("### %s\n\n", sec.title)
		if len(sec.items) == 0 {
			p("None.\n\n")
			continue
		}
		label := sec.col == "sub-account"
		if label {
			p("| %s | name | cost | lines | share |\n|---|---|--:|--:|--:|\n", sec.col)
		} else {
			p("| %s | cost | lines | share |\n|---|--:|--:|--:|\n", sec.col)
		}
		for _, it := range sec.items {
			if label {
				p("| %s | %s | %s | %d | %s |\n", mdName(it.Name), md(it.Label), grouped(it.Cost), it.Lines, percent(&it.Share))
			} else {
				p("| %s | %s | %d | %s |\n", mdName(it.Name), grouped(it.Cost), it.Lines, percent(&it.Share))
			}
		}
		p("\n")
	}

	p("## Tag keys that look like team keys\n\n")
	if len(r.TagKeyVariants) == 0 {
		p("None found.\n\n")
	} else {
		p("| provider | key | used | cost | lines |\n|---|---|---|--:|--:|\n")
		for _, v := range r.TagKeyVariants {
			p("| %s | %s | %s | %s | %d |\n", md(v.Provider), mdName(v.Key), useText[v.Use], grouped(v.Cost), v.Lines)
		}
		p("\n")
	}

	p("## Tag values that are not teams\n\n")
	if len(r.UnknownTeamValues) == 0 {
		p("None.\n\n")
	} else {
		p("| key | value | cost | lines | names team |\n|---|---|--:|--:|---|\n")
		for _, v := range r.UnknownTeamValues {
			p("| %s | %s | %s | %d | %s |\n", mdName(v.Key), mdName(v.Value), grouped(v.Cost), v.Lines, orDash(v.SuggestedTeam))
		}
		p("\n")
	}
	if len(r.UnknownClassValues) > 0 {
		p("## Tag values that are not action classes\n\n| key | value | cost | lines |\n|---|---|--:|--:|\n")
		for _, v := range r.UnknownClassValues {
			p("| %s | %s | %s | %d |\n", mdName(v.Key), mdName(v.Value), grouped(v.Cost), v.Lines)
		}
		p("\n")
	}

	p("## Lines with a team but no action class\n\n")
	nc := r.NoActionClass
	if nc.Lines == 0 {
		p("None.\n\n")
	} else {
		p("%s %s on %s with a team but no action class, charged as unclassified.\n\n| team | cost | lines |\n|---|--:|--:|\n", grouped(nc.Cost), cur, plural(nc.Lines, "line"))
		for _, it := range nc.ByTeam {
			p("| %s | %s | %d |\n", md(it.Name), grouped(it.Cost), it.Lines)
		}
		p("\n| service | SKU | cost | lines |\n|---|---|--:|--:|\n")
		for _, s := range nc.BySKU {
			p("| %s | %s | %s | %d |\n", mdName(s.Service), mdName(s.SKU), grouped(s.Cost), s.Lines)
		}
		p("\n")
	}

	p("## Trend\n\n")
	if len(r.Trend) == 0 {
		p("No earlier period in the ledger yet: the trend starts once allot run has posted earlier months.\n")
	} else {
		p("| period | coverage (cost) | change | coverage (lines) | unallocated | maturity |\n|---|--:|--:|--:|--:|---|\n")
		for _, t := range r.Trend {
			change := "—"
			if t.CoverageChange != nil {
				change = pointChange(*t.CoverageChange)
			}
			p("| %s | %s | %s | %s | %s | %s |\n", t.Period, percent(t.CoverageCost), change, percent(t.CoverageLines), grouped(t.UnallocatedCost), t.Maturity)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// md escapes text from a bill for a Markdown table cell or paragraph.
func md(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\\', '`', '*', '_', '[', ']', '|', '~':
			b.WriteByte('\\')
			b.WriteRune(c)
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// mdName is md for a name that may be empty.
func mdName(s string) string {
	if s == "" {
		return "*(none)*"
	}
	return md(s)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// fenceFor returns a code fence longer than any run of backticks in s.
func fenceFor(s string) string {
	longest, run := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// pointChange renders a fraction change as percentage points.
func pointChange(frac string) string {
	pct := percent(&frac)
	pct = strings.TrimSuffix(pct, "%") + " pt"
	if !strings.HasPrefix(pct, "-") {
		pct = "+" + pct
	}
	return pct
}

// plural renders "1 line", "2 lines".
func plural(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
