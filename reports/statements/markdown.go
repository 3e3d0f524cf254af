package statements

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// md writes Markdown. Identifiers go through mdCode and free text through
// mdText; numbers are written as they are.
type md struct {
	w *bufio.Writer
}

func (m md) line(format string, args ...any) {
	fmt.Fprintf(m.w, format, args...)
	m.w.WriteByte('\n')
}

func (m md) blank() { m.w.WriteByte('\n') }

// row writes one table row of already escaped cells.
func (m md) row(cells ...string) {
	m.line("| %s |", strings.Join(cells, " | "))
}

func id(s string) string   { return mdCode(s, false) }
func cell(s string) string { return mdCode(s, true) }
func bold(s string) string { return "**" + s + "**" }

func modeText(mode string) string {
	if mode == "price_list" {
		return "price-list pricing"
	}
	return "cost pricing"
}

// WriteMarkdown writes the statement as Markdown.
func (s *Statement) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	m := md{bw}
	m.line("# AI chargeback statement: %s, %s", id(s.Team), s.Period)
	m.blank()
	m.row("", "")
	m.row("---", "---")
	m.row("team", cell(s.Team))
	if s.CostCenter != "" {
		m.row("cost center", cell(s.CostCenter)+" (company "+cell(s.Company)+")")
	}
	m.row("operating model", cell(s.Model)+", "+modeText(s.Mode))
	m.row("currency", s.Currency)
	if s.Forecast != nil {
		m.row("monthly forecast", s.Forecast.String())
	}
	m.blank()

	m.line("## Total")
	m.blank()
	m.row("", s.Currency)
	m.row("---", "---:")
	m.row("charges before any draw", s.Subtotal.String())
	if !s.DrawRow.IsZero() {
		m.row("buffer fund draw", s.DrawRow.String())
	}
	m.row(bold("total charged"), bold(s.Total.String()))
	m.blank()
	m.line("The total is the sum of the team's rows in allocations.csv. %s", journalSentence(s, id))
	m.blank()

	m.line("## Charges by class")
	m.blank()
	if len(s.Classes) == 0 && s.Seats == nil && s.UnallocatedShare == nil {
		m.line("No charges this month.")
		m.blank()
	} else {
		m.row("class", "actions", "unit price", "usage", "overhead", "registry", "buffer surcharge", "eval", "total")
		m.row("---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:")
		for _, c := range s.Classes {
			m.row(cell(c.Class), actionsText(c), unitText(c), c.Usage.String(), c.Overhead.String(), c.Registry.String(),
				c.Surcharge.String(), c.Eval.String(), c.Total.String())
		}
		if s.Seats != nil {
			m.row("seats", fmt.Sprint(s.Seats.Seats), s.Seats.Fee.String(), "", "", "", "", "", s.Seats.Amount.String())
		}
		if s.UnallocatedShare != nil {
			m.row("unallocated share", "", "", "", "", "", "", "", s.UnallocatedShare.String())
		}
		m.row(bold("charges before any draw"), "", "", "", "", "", "", "", bold(s.Subtotal.String()))
		m.blank()
		m.line("%s", unitNote(s.Mode))
		if s.UnallocatedShare != nil {
			m.line("Unallocated share: %s.", mdText(s.UnallocatedRule))
		}
		m.blank()
	}

	m.line("## Evals")
	m.blank()
	m.line("%s", evalSentence(s, id))
	m.blank()

	m.line("## Buffer fund draw")
	m.blank()
	if len(s.Draws) == 0 {
		m.line("No draw was requested for %s.", s.Period)
		m.blank()
	}
	for _, d := range s.Draws {
		m.line("%s", drawHeadline(d, mdText))
		m.blank()
		for _, l := range drawDetails(d) {
			m.line("- %s", l)
		}
		m.blank()
	}

	m.line("## Change against last month")
	m.blank()
	writeChangeMD(m, s)

	m.line("## Top agent runs")
	m.blank()
	r := s.Runs
	if r.Count == 0 {
		m.line("No agent runs this month (no gateway record of the team carried an agent run id).")
		m.blank()
	} else {
		m.line("%s, costing %s in all. Each run is costed as %s.", runsCount(r), r.Total, r.Basis)
		if len(r.Uncosted) > 0 {
			m.line("Actions of %s have no per-action charge for the team and count as zero.", joinCode(r.Uncosted, id))
		}
		m.blank()
		m.row("agent run", "actions", "cost")
		m.row("---", "---:", "---:")
		for _, t := range r.Top {
			m.row(cell(t.ID), fmt.Sprint(t.Actions), t.Cost.String())
		}
		m.blank()
	}

	m.line("## Top resources by bill cost")
	m.blank()
	rs := s.Resources
	if rs.Count == 0 {
		m.line("No bill line resolved to the team carried a resource id.")
		m.blank()
	} else {
		m.line("%s", resourcesSentence(s))
		m.blank()
		m.row("resource", "bill cost", "share")
		m.row("---", "---:", "---:")
		for _, t := range rs.Top {
			m.row(cell(t.ID), t.Cost.String(), t.Share)
		}
		m.blank()
	}
	m.line("Amounts are in %s, rounded to the minor unit as in allocations.csv.", s.Currency)
	return bw.Flush()
}

func writeChangeMD(m md, s *Statement) {
	c := s.Change
	if !c.Available {
		m.line("%s", mdText(c.Note))
		m.blank()
		return
	}
	m.line("Against %s (run %s).", c.PrevPeriod, id(c.PrevRun))
	if c.Note != "" {
		m.line("%s", mdText(c.Note))
	}
	m.blank()
	m.row("", c.PrevPeriod+" actions", s.Period+" actions", c.PrevPeriod, s.Period, "change", "change %")
	m.row("---", "---:", "---:", "---:", "---:", "---:", "---:")
	for _, l := range c.Lines {
		label, pa, na := changeLabel(l), "", ""
		if l.IsClass {
			label = cell(l.Label)
			pa, na = fmt.Sprint(l.PrevActions), fmt.Sprint(l.Actions)
		}
		m.row(label, pa, na, l.Prev.String(), l.Now.String(), signed(l.Delta), pctText(l.Pct))
	}
	t := c.Total
	m.row(bold("total"), "", "", bold(t.Prev.String()), bold(t.Now.String()), bold(signed(t.Delta)), pctText(t.Pct))
	m.blank()
}

// WriteMarkdown writes the reconciliation as Markdown.
func (r *Reconciliation) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	m := md{bw}
	m.line("# Reconciliation, %s", r.Period)
	m.blank()
	m.line("%s model, %s, %s, %s cost basis. %s", id(r.Model), modeText(r.Mode), r.Currency, id(r.CostBasis), verdict(r))
	m.blank()

	m.line("## Bill against charged, central and unallocated")
	m.blank()
	m.row("", r.Currency)
	m.row("---", "---:")
	for _, l := range bridge(r) {
		label, amt := mdText(l.Label), l.Amount
		if l.Strong {
			label, amt = bold(label), bold(amt)
		}
		m.row(label, amt)
	}
	m.blank()
	for _, p := range bridgeNotes(r) {
		m.line("%s", mdText(p))
		m.blank()
	}
	m.line("### By team")
	m.blank()
	m.row("team", "amount")
	m.row("---", "---:")
	for _, t := range r.Teams {
		m.row(cell(t.Team), t.Amount.String())
	}
	m.blank()
	m.line("### Recovered, by component")
	m.blank()
	m.row("component", "amount")
	m.row("---", "---:")
	for _, c := range r.RecoveredBy {
		m.row(cell(c.Component), c.Amount.String())
	}
	m.row(bold("recovered"), bold(r.Recovered.String()))
	m.blank()

	m.line("## Recovered against actual, per class")
	m.blank()
	m.line("%s", mdText(classNote))
	m.blank()
	m.row("class", "gateway actions", "recovered", "actual (bill)", "variance", "")
	m.row("---", "---:", "---:", "---:", "---:", "---")
	for _, c := range r.Classes {
		m.row(cell(c.Class), fmt.Sprint(c.Actions), c.Recovered.String(), c.Actual.String(), signed(c.Variance), resultText(c.Result))
	}
	if !r.NoClass.IsZero() || len(r.NoClassComponents) > 0 {
		m.row("rows with no class ("+joinCode(r.NoClassComponents, cell)+")", "", r.NoClass.String(), "", "", "")
	}
	m.row(bold("total"), "", bold(r.Recovered.String()), bold(r.Bill.Cost.String()), bold(signed(r.Variance)), "")
	m.blank()

	m.line("## Buffer fund")
	m.blank()
	b := r.Buffer
	m.row("opening", "+ surcharges", "− draws", "= closing", "")
	m.row("---:", "---:", "---:", "---:", "---")
	m.row(b.Opening.String(), b.Surcharges.String(), b.Draws.String(), b.Closing.String(), balancedText(b.Balanced))
	m.blank()
	if len(b.ByTeam) > 0 {
		m.row("surcharges from", "amount")
		m.row("---", "---:")
		for _, t := range b.ByTeam {
			m.row(cell(t.Team), t.Amount.String())
		}
		m.blank()
	}
	if len(b.Requests) == 0 {
		m.line("No draw was requested for %s.", r.Period)
		m.blank()
	} else {
		m.row("draw requested by", "cause", "granted", "amount", "why")
		m.row("---", "---", "---", "---:", "---")
		for _, d := range b.Requests {
			m.row(cell(d.Team), mdText(d.Cause), yesNo(d.Granted), d.Amount.String(), mdText(drawWhy(d)))
		}
		m.blank()
	}

	m.line("## GL recharge rate")
	m.blank()
	rr := r.Recharge
	m.row("", r.Currency)
	m.row("---", "---:")
	m.row("bill cost", rr.Bill.String())
	m.row("not journalled", rr.NotJournalled.String())
	m.row("journalled bill cost", rr.Journalled.String())
	m.row(bold("GL recharge rate (journalled ÷ bill)"), bold(orNA(rr.Percent)))
	m.blank()
	m.line("%s. The rate is computed on exact amounts, so rounding to the minor unit never shows as a loss; it is 100%% when nothing is lost.", mdText(capitalize(rr.Definition)))
	m.blank()

	m.line("## Journals")
	m.blank()
	if len(r.Journals) == 0 {
		m.line("No journal.")
	} else {
		m.row("company", "currency", "lines", "debits", "credits", "")
		m.row("---", "---", "---:", "---:", "---:", "---")
		for _, j := range r.Journals {
			m.row(cell(j.Company), j.Currency, fmt.Sprint(j.Lines), j.Debit.String(), j.Credit.String(), balancedText(j.Balanced))
		}
	}
	m.blank()
	if len(r.Notes) > 0 {
		m.line("## Notes")
		m.blank()
		for _, n := range r.Notes {
			m.line("- %s", mdText(n))
		}
		m.blank()
	}
	m.line("%s", reconFooter(r))
	return bw.Flush()
}
