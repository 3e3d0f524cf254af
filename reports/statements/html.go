package statements

import (
	"bufio"
	"embed"
	"html/template"
	"io"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// pages are parsed once; html/template escapes every value by context, so
// ids and text from a bill (team, agent run and resource ids, causes) are
// text in the page, never markup.
var pages = template.Must(template.New("pages").Funcs(template.FuncMap{
	"journalSentence":   func(s *Statement) string { return journalSentence(s, plain) },
	"actionsText":       actionsText,
	"unitText":          unitText,
	"unitNote":          unitNote,
	"evalSentence":      func(s *Statement) string { return evalSentence(s, plain) },
	"drawHeadline":      func(d DrawLine) string { return drawHeadline(d, plain) },
	"drawDetails":       drawDetails,
	"runsCount":         runsCount,
	"resourcesSentence": resourcesSentence,
	"changeLabel":       changeLabel,
	"pctText":           pctText,
	"signed":            signed,
	"modeText":          modeText,
	"verdict":           verdict,
	"bridge":            bridge,
	"bridgeNotes":       bridgeNotes,
	"classNote":         func() string { return classNote },
	"resultText":        resultText,
	"balancedText":      balancedText,
	"yesNo":             yesNo,
	"drawWhy":           drawWhy,
	"orNA":              orNA,
	"capitalize":        capitalize,
	"componentName":     componentName,
	"reconFooter":       reconFooter,
	"join":              func(xs []string) string { return joinCode(xs, plain) },
}).ParseFS(templateFS, "templates/*.tmpl"))

// statementPage is what the statement template renders.
type statementPage struct {
	S      *Statement
	Charts statementCharts
}

type statementCharts struct {
	Classes, Change, Runs, Resources *Chart
}

// WriteHTML writes the statement as one self-contained HTML page: inline
// CSS, inline SVG charts, no script and no external resource.
func (s *Statement) WriteHTML(w io.Writer) error {
	bw := bufio.NewWriter(w)
	if err := pages.ExecuteTemplate(bw, "statement.tmpl", statementPage{S: s, Charts: s.charts()}); err != nil {
		return err
	}
	return bw.Flush()
}

func (s *Statement) charts() statementCharts {
	var out statementCharts
	var rows []chartRowIn
	for _, c := range s.Classes {
		rows = append(rows, chartRowIn{label: c.Class, values: []Money{c.Total}})
	}
	if s.Seats != nil {
		rows = append(rows, chartRowIn{label: "seats", values: []Money{s.Seats.Amount}})
	}
	if s.UnallocatedShare != nil {
		rows = append(rows, chartRowIn{label: "unallocated share", values: []Money{*s.UnallocatedShare}})
	}
	if !s.DrawRow.IsZero() {
		rows = append(rows, chartRowIn{label: "buffer fund draw", values: []Money{s.DrawRow}})
	}
	if len(rows) > 0 {
		c := newChart("chart-classes", "Charges by class, "+s.Period,
			"The team's charge for each action class (all its components), its seats and unallocated share, and any buffer fund draw (negative), in "+s.Currency+".",
			[]string{s.Period}, rows)
		out.Classes = &c
	}
	if ch := s.Change; ch.Available {
		rows = rows[:0]
		for _, l := range ch.Lines {
			rows = append(rows, chartRowIn{label: changeLabel(l), values: []Money{l.Prev, l.Now}})
		}
		rows = append(rows, chartRowIn{label: "total", values: []Money{ch.Total.Prev, ch.Total.Now}})
		c := newChart("chart-change", "This month against "+ch.PrevPeriod,
			"For each class and in total, the team's charge in "+ch.PrevPeriod+" and in "+s.Period+", in "+s.Currency+".",
			[]string{ch.PrevPeriod, s.Period}, rows)
		out.Change = &c
	}
	if len(s.Runs.Top) > 0 {
		rows = rows[:0]
		for _, r := range s.Runs.Top {
			rows = append(rows, chartRowIn{label: r.ID, values: []Money{r.Cost}})
		}
		c := newChart("chart-runs", "Top agent runs by cost",
			"The team's most expensive agent runs this month, costed as "+s.Runs.Basis+", in "+s.Currency+".",
			[]string{"cost"}, rows)
		out.Runs = &c
	}
	if len(s.Resources.Top) > 0 {
		rows = rows[:0]
		for _, r := range s.Resources.Top {
			rows = append(rows, chartRowIn{label: r.ID, values: []Money{r.Cost}})
		}
		c := newChart("chart-resources", "Top resources by bill cost",
			"The bill cost of the team's resources with the highest cost this month, in "+s.Currency+".",
			[]string{"bill cost"}, rows)
		out.Resources = &c
	}
	return out
}

// reconciliationPage is what the reconciliation template renders.
type reconciliationPage struct {
	R                     *Reconciliation
	Bill, Classes, Buffer *Chart
}

// WriteHTML writes the reconciliation as one self-contained HTML page.
func (r *Reconciliation) WriteHTML(w io.Writer) error {
	bw := bufio.NewWriter(w)
	p := reconciliationPage{R: r}
	bill := newChart("chart-bill", "Bill against recovered, "+r.Period,
		"The bill cost, what the run recovered, and the recovery split into charged to teams (net of draws), the central carve-out and unallocated, in "+r.Currency+".",
		[]string{r.Period}, []chartRowIn{
			{label: "bill cost", values: []Money{r.Bill.Cost}},
			{label: "recovered", values: []Money{r.Recovered}},
			{label: "charged to teams", values: []Money{r.Charged}},
			{label: "central carve-out", values: []Money{r.Central}},
			{label: "unallocated", values: []Money{r.Unallocated}},
		})
	p.Bill = &bill
	if len(r.Classes) > 0 {
		var rows []chartRowIn
		for _, c := range r.Classes {
			rows = append(rows, chartRowIn{label: c.Class, values: []Money{c.Recovered, c.Actual}})
		}
		c := newChart("chart-classes", "Recovered against actual, per class",
			"For each action class, what the run recovered and what the bill says the class cost, in "+r.Currency+".",
			[]string{"recovered", "actual (bill)"}, rows)
		p.Classes = &c
	}
	b := r.Buffer
	neg := Money{Dec: b.Draws.Dec.Neg(), Places: b.Draws.Places}
	buf := newChart("chart-buffer", "Buffer fund, "+r.Period,
		"The buffer fund's opening balance, the surcharges credited to it, the draws paid from it (negative) and its closing balance, in "+r.Currency+".",
		[]string{r.Period}, []chartRowIn{
			{label: "opening", values: []Money{b.Opening}},
			{label: "surcharges", values: []Money{b.Surcharges}},
			{label: "draws", values: []Money{neg}},
			{label: "closing", values: []Money{b.Closing}},
		})
	p.Buffer = &buf
	if err := pages.ExecuteTemplate(bw, "reconciliation.tmpl", p); err != nil {
		return err
	}
	return bw.Flush()
}
