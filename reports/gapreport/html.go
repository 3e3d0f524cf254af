package gapreport

import (
	_ "embed"
	"html/template"
	"io"
	"strings"

	"github.com/shopspring/decimal"
)

//go:embed html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("tagging-gaps.html").Funcs(template.FuncMap{
	"money":  grouped,
	"pct":    percent,
	"pctStr": func(s string) string { return percent(&s) },
	"use":    func(u string) string { return useText[u] },
	"width":  barWidth,
	"plural": plural,
	"change": func(c *string) string {
		if c == nil {
			return "—"
		}
		return pointChange(*c)
	},
}).Parse(htmlSource))

type htmlSection struct {
	Title, Column string
	Labels        bool
	Items         []Item
}

// WriteHTML writes tagging-gaps.html: one self-contained page (inline CSS,
// no scripts, no external resources) that a browser reads as it is.
// html/template escapes every value, so a tag key or value renders as the
// text a bill holds, never as markup.
func (r *Report) WriteHTML(w io.Writer) error {
	title := "Tagging gaps"
	if r.Period != "" {
		title += " — " + r.Period
	}
	data := struct {
		Title    string
		R        *Report
		Sections []htmlSection
	}{title, r, []htmlSection{
		{"By provider", "Provider", false, r.Unallocated.ByProvider},
		{"By sub-account", "Sub-account", true, r.Unallocated.BySubAccount},
		{"By service", "Service", false, r.Unallocated.ByService},
		{"By resource", "Resource", false, r.Unallocated.ByResource},
	}}
	return htmlTemplate.Execute(w, data)
}

// barWidth is the CSS width of a coverage bar, built only from a parsed
// decimal clamped to 0–100%, so it is safe as CSS.
func barWidth(frac *string) template.CSS {
	pct := decimal.Zero
	if frac != nil {
		if d, err := decimal.NewFromString(strings.TrimSpace(*frac)); err == nil {
			pct = d.Mul(decimal.NewFromInt(100)).Round(2)
		}
	}
	if pct.IsNegative() {
		pct = decimal.Zero
	}
	if pct.GreaterThan(decimal.NewFromInt(100)) {
		pct = decimal.NewFromInt(100)
	}
	return template.CSS("width: " + pct.StringFixed(2) + "%")
}
