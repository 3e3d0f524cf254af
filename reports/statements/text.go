package statements

import (
	"fmt"
	"strings"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// The sentences below are shared by the Markdown and the HTML pages. Each
// takes raw values; where one embeds an identifier or free text it takes
// the escaping function of the format (Markdown), or the identity (HTML,
// whose template escapes the whole sentence).

func plain(s string) string { return s }

func journalSentence(s *Statement, ident func(string) string) string {
	j := s.Journal
	switch {
	case !j.Found && s.Total.IsZero():
		return "Nothing was journalled for the team."
	case !j.Found:
		return fmt.Sprintf("No journal line books the team's expense to account %s: the statement does NOT match the journal.", ident(j.Account))
	case j.Matches:
		return fmt.Sprintf("The journal books a net debit of %s to account %s at cost center %s: it matches.", j.Net, ident(j.Account), ident(j.CostCenter))
	}
	return fmt.Sprintf("The journal books a net %s to account %s at cost center %s: it does NOT match the statement's %s.", j.Net, ident(j.Account), ident(j.CostCenter), s.Total)
}

func actionsText(c ClassLine) string {
	if !c.HasActions {
		return ""
	}
	return fmt.Sprint(c.Actions)
}

func unitText(c ClassLine) string {
	switch c.UnitKind {
	case "price":
		return priceText(c.UnitPrice)
	case "effective":
		return priceText(c.UnitPrice) + " (effective)"
	}
	return ""
}

func unitNote(mode string) string {
	if mode == "price_list" {
		return "Unit price is what the team pays per action of the class: the published price's parts it is charged " +
			"(base b, overhead O, registry R and buffer surcharge F; for evals the full price × the consumer share). " +
			"Each component is actions × its part of the price."
	}
	return "Cost pricing: usage is the bill cost of the team's lines of the class, overhead and the buffer surcharge are " +
		"rates on it; the effective unit price is the class total ÷ the team's gateway actions of the class."
}

func evalSentence(s *Statement, ident func(string) string) string {
	e := s.Eval
	if e == nil {
		return "No evals this month."
	}
	var b strings.Builder
	if e.HasPrice {
		fmt.Fprintf(&b, "%d eval actions (%s) at a full price of %s are worth %s. ", e.Actions, ident(e.Class), priceText(e.Price), e.Value)
	} else {
		fmt.Fprintf(&b, "The team's eval lines (%s, %d gateway actions) cost %s on the bill. ", ident(e.Class), e.Actions, e.Value)
	}
	if e.Share.IsZero() {
		fmt.Fprintf(&b, "Evals are funded centrally (consumer share 0): the team pays nothing for them and %s went to the central eval carve-out.", e.Central)
		return b.String()
	}
	fmt.Fprintf(&b, "The team pays the consumer share of %s: %s; the other %s went to the central eval carve-out (central_eval), funded by the central budget.", e.Share, e.Charged, e.Central)
	return b.String()
}

func drawHeadline(d DrawLine, text func(string) string) string {
	if d.Granted {
		return fmt.Sprintf("Draw requested with the cause “%s”: granted, %s.", text(d.Cause), d.Booked)
	}
	return fmt.Sprintf("Draw requested with the cause “%s”: not granted (%s).", text(d.Cause), text(d.Reason))
}

// exactText writes an exact amount with the minor unit's decimals, or in
// full where it has more (the allocator decides on exact amounts).
func exactText(d decimal.Decimal, places int32) string {
	if d.Equal(d.Round(places)) {
		return d.StringFixed(places)
	}
	return d.String()
}

func drawDetails(d DrawLine) []string {
	if !d.Eligible {
		return nil // the reason in the headline says why
	}
	x := func(v decimal.Decimal) string { return exactText(v, d.Places) }
	out := []string{fmt.Sprintf("charge before the draw %s ≥ %s × forecast %s = %s: the team may draw", x(d.Charge), d.Multiple, x(d.Forecast), x(d.Threshold))}
	terms := []string{"charge − forecast " + x(d.Excess)}
	if d.CapLeft != nil {
		terms = append(terms, "quarterly cap left "+x(*d.CapLeft))
	}
	terms = append(terms, "fund balance "+x(d.FundBefore))
	r := fmt.Sprintf("relief = min(%s) = %s", strings.Join(terms, ", "), x(d.Amount))
	if d.LimitedBy != "" {
		r += ", limited by the " + limitName(d.LimitedBy)
	}
	if !d.Booked.Dec.Equal(d.Amount) {
		r += "; booked as " + d.Booked.String()
	}
	out = append(out, r)
	if !d.Charge.Equal(d.Charge.Round(d.Places)) {
		out = append(out, "the decision uses the exact amounts; the rows above are each rounded to the minor unit")
	}
	return out
}

func limitName(by string) string {
	switch by {
	case "excess":
		return "charge above the forecast"
	case "cap":
		return "quarterly cap"
	case "fund":
		return "fund balance"
	}
	return by
}

func runsCount(r Runs) string {
	if r.Count == 1 {
		return "1 agent run"
	}
	if r.Count > len(r.Top) {
		return fmt.Sprintf("%d agent runs (the top %d below)", r.Count, len(r.Top))
	}
	return fmt.Sprintf("%d agent runs", r.Count)
}

func resourcesSentence(s *Statement) string {
	rs := s.Resources
	n := fmt.Sprintf("%d resources", rs.Count)
	if rs.Count == 1 {
		n = "1 resource"
	}
	out := fmt.Sprintf("The bill cost of the team's lines that carry a resource id: %s, %s in all", n, rs.Total)
	if rs.Count > len(rs.Top) {
		out += fmt.Sprintf(" (the top %d below)", len(rs.Top))
	}
	out += "."
	if s.Mode == "price_list" {
		out += " Under price-list pricing the team pays per action, not this cost; it shows where the team's share of the bill comes from."
	}
	return out
}

func joinCode(xs []string, f func(string) string) string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return strings.Join(out, ", ")
}

func changeLabel(l ChangeLine) string {
	if l.IsClass {
		return l.Label
	}
	return componentName(l.Label)
}

func componentName(c string) string {
	switch cost.Component(c) {
	case cost.CompSeat:
		return "seats"
	case cost.CompBufferDraw:
		return "buffer fund draw"
	case cost.CompUnallocatedShare:
		return "unallocated share"
	}
	return strings.ReplaceAll(c, "_", " ")
}

func pctText(p string) string {
	if p == "" {
		return "n/a"
	}
	if !strings.HasPrefix(p, "-") && p != "0.0%" {
		return "+" + p
	}
	return p
}

func verdict(r *Reconciliation) string {
	if r.OK {
		return "The run's invariants hold."
	}
	return fmt.Sprintf("The run's invariants FAILED (%s): nothing was posted and no statement was written.", strings.Join(r.Failed, ", "))
}

type bridgeLine struct {
	Label, Amount string
	Strong        bool
}

func bridge(r *Reconciliation) []bridgeLine {
	neg := func(m Money) Money { return Money{Dec: m.Dec.Neg(), Places: m.Places} }
	return []bridgeLine{
		{Label: fmt.Sprintf("bill cost (%d lines)", r.Bill.Lines), Amount: r.Bill.Cost.String()},
		{Label: "charged to consuming teams, net of draws", Amount: r.Charged.String()},
		{Label: "central carve-out (_central)", Amount: r.Central.String()},
		{Label: "unallocated (_unallocated)", Amount: r.Unallocated.String()},
		{Label: "charged + central + unallocated", Amount: r.Total.String(), Strong: true},
		{Label: "buffer surcharges (credited to the buffer fund)", Amount: signed(neg(r.Surcharges))},
		{Label: "buffer draws (paid by the fund, not by the teams)", Amount: signed(r.Draws)},
		{Label: "recovered", Amount: r.Recovered.String(), Strong: true},
		{Label: "bill cost", Amount: signed(neg(r.Bill.Cost))},
		{Label: "variance (over-recovery +, under-recovery −)", Amount: signed(r.Variance), Strong: true},
	}
}

func bridgeNotes(r *Reconciliation) []string {
	if bc := r.BillCarried; bc != nil {
		inv := "holds"
		if !bc.Invariant {
			inv = "FAILS"
		}
		return []string{
			fmt.Sprintf("Cost pricing conserves the bill: the rows that carry bill lines (usage, eval, central and unallocated) add up to %s against the bill's %s, a difference of %s from rounding each row to the minor unit; on exact amounts the allocator's cost_conserved invariant %s (%s).", bc.Rows, r.Bill.Cost, bc.Difference, inv, bc.Detail),
			"The variance is what the run charges on top of the bill: overhead, registry and seat rows.",
		}
	}
	return []string{"Price-list pricing: charged, central and unallocated are priced gateway actions (actions × the published price), not bill cost; the bill is what the clouds charged. After taking out what moves through the buffer fund, the difference is the variance: the platform's over-recovery (positive) or under-recovery (negative), per class below."}
}

const classNote = "Recovered is every row of the class but buffer surcharges and draws: what the run booked as recovery of the class's cost. " +
	"Actual is the bill cost of the lines resolved to the class (lines with no class count as unclassified); the exact class costs are rounded so they add up to the bill. " +
	"Variance = recovered − actual: positive is over-recovery, negative under-recovery."

func resultText(r string) string {
	switch r {
	case "over":
		return "over-recovered"
	case "under":
		return "under-recovered"
	}
	return "even"
}

func balancedText(ok bool) string {
	if ok {
		return "balanced"
	}
	return "NOT balanced"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func drawWhy(d DrawRecon) string {
	if d.Granted {
		if d.LimitedBy == "" {
			return ""
		}
		return "limited by the " + limitName(d.LimitedBy)
	}
	return d.Reason
}

func orNA(s string) string {
	if s == "" {
		return "n/a (the bill is zero)"
	}
	return s
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func reconFooter(r *Reconciliation) string {
	return "Amounts are in " + r.Currency + ": sums of the rounded allocation rows, as the journal books them, and the bill cost rounded once. " +
		"summary.json rounds the exact totals instead, so its recovered and variance can differ from these by rounding; reconciliation.json has the exact figures per class."
}
