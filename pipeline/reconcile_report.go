package pipeline

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/ledger"
	"github.com/allot-dev/allot/reports"
	"github.com/allot-dev/allot/rules"
	"github.com/shopspring/decimal"
)

// ReconcileReport is buffer-reconcile-QUARTER.json: the quarter-end
// statement of the buffer fund. Amounts are decimal strings in the
// corporate currency with the currency's minor unit; rates have 6 decimals.
type ReconcileReport struct {
	Quarter  string           `json:"quarter"`
	Currency string           `json:"currency"`
	Months   []ReconcileMonth `json:"months"`

	Opening          string            `json:"opening"`    // the quarter's first month
	Surcharges       string            `json:"surcharges"` // in
	Draws            string            `json:"draws"`      // out
	Closing          string            `json:"closing"`    // the quarter's last month, before the adjustment
	SurchargesByTeam []TeamAmount      `json:"surcharges_by_team"`
	DrawsByTeam      []ReconcileDrawer `json:"draws_by_team"`

	Target ReconcileTarget `json:"target"`

	// Adjustment is the top-up from the central budget (positive) or the
	// refund to the teams (negative) that brings the closing balance to the
	// nearest bound of the range; zero within it.
	Adjustment     string       `json:"adjustment"`
	AdjustmentKind string       `json:"adjustment_kind"` // none, top-up, refund
	ClosingAfter   string       `json:"closing_after"`
	Refunds        []TeamAmount `json:"refunds,omitempty"`

	BufferRate ReconcileRate `json:"buffer_rate"`

	Journals []reports.JournalStats `json:"journals"`
	Notes    []string               `json:"notes,omitempty"`
}

// ReconcileMonth is one month's fund movement and the figures its run recorded.
type ReconcileMonth struct {
	Period         string `json:"period"`
	Opening        string `json:"opening"`
	Surcharges     string `json:"surcharges"`
	Draws          string `json:"draws"`
	Closing        string `json:"closing"`
	InferenceSpend string `json:"inference_spend"` // the run's input cost
	SurchargeBase  string `json:"surcharge_base"`
}

// TeamAmount is one team's amount.
type TeamAmount struct {
	Team   string `json:"team"`
	Amount string `json:"amount"`
}

// ReconcileDrawer is one team's draws in the quarter, with their causes.
type ReconcileDrawer struct {
	Team   string          `json:"team"`
	Amount string          `json:"amount"`
	Draws  []ReconcileDraw `json:"draws"`
}

// ReconcileDraw is one draw.
type ReconcileDraw struct {
	Period string `json:"period"`
	Amount string `json:"amount"`
	Cause  string `json:"cause"`
}

// ReconcileTarget is the closing balance against the target range.
type ReconcileTarget struct {
	AverageMonthlySpend string `json:"average_monthly_spend"`
	MinFraction         string `json:"min_fraction"`
	MaxFraction         string `json:"max_fraction"`
	Min                 string `json:"min"`
	Max                 string `json:"max"`
	Position            string `json:"position"` // below, within, above
}

// ReconcileRate compares the buffer rate charged with the range of rates
// that would have closed the quarter inside the target range.
type ReconcileRate struct {
	Charged string `json:"charged"`
	// Min and Max are empty when the quarter's surcharge base is zero.
	Min           string `json:"min,omitempty"`
	Max           string `json:"max,omitempty"`
	SurchargeBase string `json:"surcharge_base"`
}

// buildReconcileReport turns a reconciliation into its report.
func buildReconcileReport(cfg *rules.Config, r *ledger.Reconciliation, movements []ledger.BufferMovement, months []monthFigures, teams []ledger.ReconcileTeam, js []cost.Journal) *ReconcileReport {
	pl := cost.MinorUnits(r.Currency)
	f := func(d decimal.Decimal) string { return d.Round(pl).StringFixed(pl) }
	rate := func(d decimal.Decimal) string { return d.StringFixed(cost.PricePlaces) }
	rep := &ReconcileReport{Quarter: r.Quarter.String(), Currency: r.Currency,
		Opening: f(r.Opening), Surcharges: f(r.Surcharges), Draws: f(r.Draws), Closing: f(r.Closing),
		Adjustment: f(r.Adjustment), ClosingAfter: f(r.ClosingAfter),
		SurchargesByTeam: []TeamAmount{}, DrawsByTeam: []ReconcileDrawer{}, Journals: []reports.JournalStats{},
		Target: ReconcileTarget{AverageMonthlySpend: f(r.AverageSpend), MinFraction: cfg.Buffer.TargetMin.String(),
			MaxFraction: cfg.Buffer.TargetMax.String(), Min: f(r.TargetMin), Max: f(r.TargetMax), Position: r.Position},
	}
	switch {
	case r.Adjustment.IsPositive():
		rep.AdjustmentKind = "top-up"
	case r.Adjustment.IsNegative():
		rep.AdjustmentKind = "refund"
	default:
		rep.AdjustmentKind = "none"
	}
	var base decimal.Decimal
	byMonth := map[cost.Period]monthFigures{}
	for _, m := range months {
		byMonth[m.Period] = m
		base = base.Add(m.SurchargeBase)
	}
	for _, mv := range movements {
		m := byMonth[mv.Period]
		rep.Months = append(rep.Months, ReconcileMonth{Period: mv.Period.String(), Opening: f(mv.Opening), Surcharges: f(mv.Surcharges),
			Draws: f(mv.DrawTotal()), Closing: f(mv.Closing), InferenceSpend: f(m.Spend), SurchargeBase: f(m.SurchargeBase)})
	}
	for _, t := range teams {
		if t.Surcharges.IsPositive() {
			rep.SurchargesByTeam = append(rep.SurchargesByTeam, TeamAmount{Team: t.ID, Amount: f(t.Surcharges)})
		}
	}
	for _, td := range r.TeamDraws {
		d := ReconcileDrawer{Team: td.Team, Amount: f(td.Amount)}
		for _, x := range td.Draws {
			d.Draws = append(d.Draws, ReconcileDraw{Period: x.Period.String(), Amount: f(x.Amount), Cause: x.Cause})
		}
		rep.DrawsByTeam = append(rep.DrawsByTeam, d)
	}
	for _, x := range r.Refunds {
		rep.Refunds = append(rep.Refunds, TeamAmount{Team: x.Team, Amount: f(x.Amount)})
	}
	rep.BufferRate = ReconcileRate{Charged: rate(chargedBufferRate(cfg, r.Quarter)), SurchargeBase: f(base)}
	if r.RatesDefined {
		rep.BufferRate.Min, rep.BufferRate.Max = rate(r.RateMin), rate(r.RateMax)
	}
	for _, j := range js {
		d, c := j.Totals()
		rep.Journals = append(rep.Journals, reports.JournalStats{ID: j.ID, Company: j.Company, Currency: j.Currency,
			Lines: len(j.Lines), Debit: f(d), Credit: f(c)})
	}
	var paid decimal.Decimal
	for _, t := range teams {
		paid = paid.Add(t.Surcharges)
	}
	if !paid.Equal(r.Surcharges) {
		rep.Notes = append(rep.Notes, fmt.Sprintf("the teams' surcharge lines in the live journals add up to %s, the fund's movements to %s: a month's journals and movement come from different runs; run the months again",
			f(paid), f(r.Surcharges)))
	}
	return rep
}

// chargedBufferRate is the buffer rate the quarter charged: the price
// list's in price-list mode (when it loads), else the configuration's.
func chargedBufferRate(cfg *rules.Config, q cost.Quarter) decimal.Decimal {
	if cfg.Pricing.Mode == rules.ModePriceList {
		if pl, err := cfg.LoadPriceList(cfg.PriceListPath(q), q); err == nil {
			return pl.BufferRate
		}
	}
	return cfg.Pricing.BufferRate.Dec()
}

// reconcileFiles renders the report as JSON and Markdown.
func reconcileFiles(q cost.Quarter, rep *ReconcileReport) (map[string][]byte, error) {
	var j bytes.Buffer
	if err := reports.WriteJSON(&j, rep); err != nil {
		return nil, err
	}
	base := ReconcileFileBase(q)
	return map[string][]byte{base + ".json": j.Bytes(), base + ".md": ReconcileMarkdown(rep)}, nil
}

// ReconcileMarkdown renders the report for people.
func ReconcileMarkdown(rep *ReconcileReport) []byte {
	var b bytes.Buffer
	cur := rep.Currency
	fmt.Fprintf(&b, "# Buffer fund reconciliation %s\n\nAll amounts in %s.\n\n", rep.Quarter, cur)
	b.WriteString("## Fund movements\n\n")
	table(&b, []string{"month", "opening", "surcharges in", "draws out", "closing", "inference spend", "surcharge base"}, func(row func(...string)) {
		for _, m := range rep.Months {
			row(m.Period, m.Opening, m.Surcharges, m.Draws, m.Closing, m.InferenceSpend, m.SurchargeBase)
		}
		row("**"+rep.Quarter+"**", rep.Opening, rep.Surcharges, rep.Draws, rep.Closing, "", rep.BufferRate.SurchargeBase)
	})
	b.WriteString("\n## Surcharges in, by team\n\n")
	if len(rep.SurchargesByTeam) == 0 {
		b.WriteString("No team paid buffer surcharges.\n")
	} else {
		table(&b, []string{"team", "surcharges"}, func(row func(...string)) {
			for _, t := range rep.SurchargesByTeam {
				row(t.Team, t.Amount)
			}
		})
	}
	b.WriteString("\n## Draws out, by team\n\n")
	if len(rep.DrawsByTeam) == 0 {
		b.WriteString("No team drew on the fund.\n")
	} else {
		table(&b, []string{"team", "month", "amount", "cause"}, func(row func(...string)) {
			for _, d := range rep.DrawsByTeam {
				for _, x := range d.Draws {
					row(d.Team, x.Period, x.Amount, x.Cause)
				}
				if len(d.Draws) > 1 {
					row(d.Team, "**total**", d.Amount, "")
				}
			}
		})
	}
	t := rep.Target
	b.WriteString("\n## Closing balance against the target\n\n")
	fmt.Fprintf(&b, "The average monthly inference spend was %s. The target is %s%% to %s%% of it: **%s to %s**.\n",
		t.AverageMonthlySpend, percent(t.MinFraction), percent(t.MaxFraction), t.Min, t.Max)
	fmt.Fprintf(&b, "The fund closed the quarter at **%s**, %s the range.\n\n", rep.Closing, map[string]string{
		ledger.PositionBelow: "below", ledger.PositionWithin: "within", ledger.PositionAbove: "above"}[t.Position])
	switch rep.AdjustmentKind {
	case "top-up":
		fmt.Fprintf(&b, "Top-up of **%s** from the central budget to the target minimum; the fund opens the next quarter at %s.\n", rep.Adjustment, rep.ClosingAfter)
	case "refund":
		fmt.Fprintf(&b, "Refund of **%s** above the target maximum to the teams, pro rata to the surcharges they paid; the fund opens the next quarter at %s.\n\n",
			strings.TrimPrefix(rep.Adjustment, "-"), rep.ClosingAfter)
		if len(rep.Refunds) == 0 {
			b.WriteString("No team paid surcharges: the excess returns to the central budget.\n")
		} else {
			table(&b, []string{"team", "refund"}, func(row func(...string)) {
				for _, r := range rep.Refunds {
					row(r.Team, r.Amount)
				}
			})
		}
	default:
		fmt.Fprintf(&b, "No adjustment; the fund opens the next quarter at %s.\n", rep.ClosingAfter)
	}
	r := rep.BufferRate
	b.WriteString("\n## Buffer rate\n\n")
	if r.Min == "" {
		fmt.Fprintf(&b, "The quarter charged a buffer rate of %s on a surcharge base of zero: no rate would have changed the balance.\n", r.Charged)
	} else {
		fmt.Fprintf(&b, "The quarter charged a buffer rate of %s on a surcharge base of %s. With the same base and draws, a rate from **%s to %s** would have closed the quarter within the target range.\n",
			r.Charged, r.SurchargeBase, r.Min, r.Max)
	}
	b.WriteString("\n## Journal\n\n")
	if len(rep.Journals) == 0 {
		b.WriteString("None: the fund closed within its range.\n")
	} else {
		table(&b, []string{"journal", "company", "lines", "debit", "credit"}, func(row func(...string)) {
			for _, j := range rep.Journals {
				row(j.ID, j.Company, fmt.Sprint(j.Lines), j.Debit, j.Credit)
			}
		})
	}
	if len(rep.Notes) > 0 {
		b.WriteString("\n## Notes\n\n")
		for _, n := range rep.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}
	return b.Bytes()
}

// table writes a Markdown table; cells have their pipes escaped.
func table(b *bytes.Buffer, head []string, rows func(row func(...string))) {
	b.WriteString("| " + strings.Join(head, " | ") + " |\n|")
	for range head {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	rows(func(cells ...string) {
		for i, c := range cells {
			cells[i] = strings.ReplaceAll(c, "|", `\|`)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	})
}

// percent writes a fraction such as 0.05 as 5.
func percent(fraction string) string {
	d, err := decimal.NewFromString(fraction)
	if err != nil {
		return fraction
	}
	return d.Shift(2).String()
}
