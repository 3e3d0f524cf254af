package statements

import (
	"sort"

	"github.com/allot-dev/allot/allocator"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/reports"
	"github.com/shopspring/decimal"
)

// Reconciliation shows where every unit of the bill went. Amounts are the
// journal's: sums of the rounded allocation rows, and the bill cost
// rounded once, so every identity in it holds on its face. The exact
// per-class figures and the recharge rate are computed on exact amounts.
type Reconciliation struct {
	Period    string `json:"period"`
	Model     string `json:"model"`
	Mode      string `json:"mode"`
	Currency  string `json:"currency"`
	CostBasis string `json:"cost_basis"`
	Places    int32  `json:"-"`
	// OK is the run's verdict; Failed lists the invariants that failed.
	OK     bool     `json:"ok"`
	Failed []string `json:"failed_invariants,omitempty"`

	Bill Bill `json:"bill"`

	Charged     Money        `json:"charged"` // consuming teams' rows, net of draws
	Central     Money        `json:"central"`
	Unallocated Money        `json:"unallocated"`
	Total       Money        `json:"total"` // charged + central + unallocated
	Teams       []TeamAmount `json:"teams"`

	// Recovered = Total − Surcharges + Draws: what the run booked as
	// recovery of cost (surcharges go to the buffer fund; draws are paid by
	// it, not by the teams).
	Surcharges Money `json:"buffer_surcharges"`
	Draws      Money `json:"buffer_draws"`
	Recovered  Money `json:"recovered"`
	Variance   Money `json:"variance"` // Recovered − Bill
	// The same two on exact amounts (summary.json rounds these).
	RecoveredExact string            `json:"recovered_exact"`
	VarianceExact  string            `json:"variance_exact"`
	RecoveredBy    []ComponentAmount `json:"recovered_by_component"`
	// BillCarried is cost mode's conservation: the rows that carry bill
	// lines one for one (usage, eval, central, unallocated) against the
	// bill. Nil in price-list mode.
	BillCarried *BillCarried `json:"bill_carried,omitempty"`

	Classes []ClassRecovery `json:"classes"`
	// NoClass is what rows with no class recover (seat fees, unallocated
	// shares, central rows of lines with no class): cost recovered outside
	// any class's price.
	NoClass           Money    `json:"recovered_without_class"`
	NoClassComponents []string `json:"recovered_without_class_components,omitempty"`

	Buffer   BufferRecon `json:"buffer"`
	Recharge Recharge    `json:"gl_recharge"`
	Journals []Journal   `json:"journals"`
	Notes    []string    `json:"notes,omitempty"`
}

// Bill is the input cost.
type Bill struct {
	Lines   int64  `json:"lines"`
	Actions int64  `json:"gateway_actions"`
	Cost    Money  `json:"cost"`
	Exact   string `json:"cost_exact"`
}

// TeamAmount is one team's (or pseudo-team's) amount.
type TeamAmount struct {
	Team   string `json:"team"`
	Amount Money  `json:"amount"`
}

// ComponentAmount is the sum of one component's rows.
type ComponentAmount struct {
	Component string `json:"component"`
	Amount    Money  `json:"amount"`
}

// BillCarried compares the bill-carrying rows with the bill (cost mode).
type BillCarried struct {
	Rows       Money  `json:"rows"`
	Difference Money  `json:"difference"` // Rows − Bill: rounding only, when the invariant holds
	Invariant  bool   `json:"cost_conserved"`
	Detail     string `json:"detail"`
}

// ClassRecovery is one class's recovery against its bill cost.
type ClassRecovery struct {
	Class     string `json:"class"`
	Actions   int64  `json:"gateway_actions"`
	Recovered Money  `json:"recovered"`
	Actual    Money  `json:"actual"`
	Variance  Money  `json:"variance"`
	Result    string `json:"result"` // over, under or even
	// The same figures on exact amounts (summary.json rounds these).
	RecoveredExact string `json:"recovered_exact"`
	ActualExact    string `json:"actual_exact"`
	VarianceExact  string `json:"variance_exact"`
}

// BufferRecon is the buffer fund's month.
type BufferRecon struct {
	Opening    Money        `json:"opening"`
	Surcharges Money        `json:"surcharges"`
	Draws      Money        `json:"draws"`
	Closing    Money        `json:"closing"`
	Balanced   bool         `json:"balanced"` // opening + surcharges − draws = closing
	ByTeam     []TeamAmount `json:"surcharges_by_team"`
	Requests   []DrawRecon  `json:"draw_requests"`
}

// DrawRecon is one draw request and its outcome.
type DrawRecon struct {
	Team      string `json:"team"`
	Cause     string `json:"cause"`
	Granted   bool   `json:"granted"`
	Amount    Money  `json:"amount"`
	LimitedBy string `json:"limited_by,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// Recharge is the GL recharge rate: journalled bill cost ÷ bill cost.
type Recharge struct {
	Definition    string `json:"definition"`
	Bill          Money  `json:"bill"`
	Journalled    Money  `json:"journalled"`     // Bill − NotJournalled
	NotJournalled Money  `json:"not_journalled"` // rounded once from the exact figure
	Rate          string `json:"rate"`           // exact ratio to 6 decimals; empty when the bill is zero
	Percent       string `json:"percent"`
}

// Journal is one journal's totals.
type Journal struct {
	Company  string `json:"company"`
	Currency string `json:"currency"`
	Lines    int    `json:"lines"`
	Debit    Money  `json:"debit"`
	Credit   Money  `json:"credit"`
	Balanced bool   `json:"balanced"`
}

// Recharge definitions, per mode (doc.go repeats them).
const (
	defRechargeCost = "cost mode: journalled bill cost is the exact amount of the journalled rows that carry bill lines one for one " +
		"(usage, eval, central_eval, central_registry, central_platform, unallocated, unallocated_share); overhead, registry, " +
		"buffer surcharge and seat rows are charges on top of the bill and draws move money between the fund and a team"
	defRechargePrice = "price-list mode: journalled bill cost is the bill cost less what no journal line recovers: each class's " +
		"shortfall max(0, actual − recovered), less what rows with no class (seat fees, unallocated shares) recover; " +
		"one class's over-recovery does not cover another's shortfall"
)

// BuildReconciliation computes the run's reconciliation.
func BuildReconciliation(in Input) (*Reconciliation, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	res, sum := in.Result, in.Summary
	pl := res.MinorUnits
	m := func(d decimal.Decimal) Money { return money(d, pl) }
	rc := &Reconciliation{
		Period: res.Period.String(), Model: sum.Model, Mode: string(res.Mode), Currency: res.Currency,
		CostBasis: sum.CostBasis, Places: pl, OK: sum.OK, Notes: res.Notes,
		Bill: Bill{Lines: res.InputLines, Actions: res.InputActions, Cost: m(res.InputCost), Exact: res.InputCost.String()},
	}
	for _, inv := range sum.Invariants {
		if !inv.OK {
			rc.Failed = append(rc.Failed, inv.Name)
		}
	}

	var split reports.TeamSplit
	var surch, draws, noClass, carried decimal.Decimal
	teamTotal := map[string]decimal.Decimal{}
	var teamOrder []string
	teamSurch := map[string]decimal.Decimal{}
	byComp := map[cost.Component]decimal.Decimal{}
	classRec := map[string]decimal.Decimal{}      // rounded
	classRecExact := map[string]decimal.Decimal{} // exact
	noClassExact := decimal.Zero
	noClassComps := map[cost.Component]bool{}
	for _, r := range res.Rows {
		if _, ok := teamTotal[r.Team]; !ok {
			teamOrder = append(teamOrder, r.Team)
		}
		teamTotal[r.Team] = teamTotal[r.Team].Add(r.Amount)
		split.Add(r.Team, r.Amount)
		if reports.BillCarrying[r.Component] {
			carried = carried.Add(r.Amount)
		}
		switch r.Component {
		case cost.CompBufferSurcharge:
			surch = surch.Add(r.Amount)
			teamSurch[r.Team] = teamSurch[r.Team].Add(r.Amount)
			continue
		case cost.CompBufferDraw:
			draws = draws.Sub(r.Amount)
			continue
		}
		byComp[r.Component] = byComp[r.Component].Add(r.Amount)
		if r.Class == "" {
			noClass = noClass.Add(r.Amount)
			noClassExact = noClassExact.Add(r.Exact)
			noClassComps[r.Component] = true
			continue
		}
		classRec[r.Class] = classRec[r.Class].Add(r.Amount)
		classRecExact[r.Class] = classRecExact[r.Class].Add(r.Exact)
	}
	total := split.Charged.Add(split.Central).Add(split.Unallocated)
	rc.Charged, rc.Central, rc.Unallocated, rc.Total = m(split.Charged), m(split.Central), m(split.Unallocated), m(total)
	rc.Surcharges, rc.Draws = m(surch), m(draws)
	recovered := total.Sub(surch).Add(draws)
	rc.Recovered = m(recovered)
	rc.Variance = m(recovered.Sub(rc.Bill.Cost.Dec))
	rc.NoClass = m(noClass)
	for _, c := range cost.Components {
		if a, ok := byComp[c]; ok {
			rc.RecoveredBy = append(rc.RecoveredBy, ComponentAmount{Component: string(c), Amount: m(a)})
		}
		if noClassComps[c] {
			rc.NoClassComponents = append(rc.NoClassComponents, string(c))
		}
	}
	sort.SliceStable(teamOrder, func(i, j int) bool { return cost.TeamRank(teamOrder[i]) < cost.TeamRank(teamOrder[j]) })
	for _, t := range teamOrder {
		rc.Teams = append(rc.Teams, TeamAmount{Team: t, Amount: m(teamTotal[t])})
		if s, ok := teamSurch[t]; ok {
			rc.Buffer.ByTeam = append(rc.Buffer.ByTeam, TeamAmount{Team: t, Amount: m(s)})
		}
	}
	if res.Mode == allocator.ModeCost {
		bc := &BillCarried{Rows: m(carried), Difference: m(carried.Sub(rc.Bill.Cost.Dec))}
		for _, inv := range res.Invariants {
			if inv.Name == "cost_conserved" {
				bc.Invariant, bc.Detail = inv.OK, inv.Detail
			}
		}
		rc.BillCarried = bc
	}

	recExact := noClassExact
	for _, v := range classRecExact {
		recExact = recExact.Add(v)
	}
	rc.RecoveredExact, rc.VarianceExact = recExact.String(), recExact.Sub(res.InputCost).String()
	rc.Classes = classRecoveries(res, classRec, classRecExact, m)
	rc.Buffer = bufferRecon(res, rc.Buffer.ByTeam, m)
	rc.Recharge = recharge(res, m)
	for _, j := range in.Journals {
		d, c := j.Totals()
		rc.Journals = append(rc.Journals, Journal{Company: j.Company, Currency: j.Currency, Lines: len(j.Lines),
			Debit: m(d), Credit: m(c), Balanced: j.Balanced()})
	}
	return rc, nil
}

// classRecoveries lists recovered against actual per class. Actuals are
// the exact class costs rounded by largest remainder to the rounded bill,
// so they add up to it.
func classRecoveries(res *allocator.Result, rec, recExact map[string]decimal.Decimal, m func(decimal.Decimal) Money) []ClassRecovery {
	pl := res.MinorUnits
	classes := make([]string, 0, len(res.Variance))
	actualExact := map[string]decimal.Decimal{}
	actions := map[string]int64{}
	for _, v := range res.Variance {
		classes = append(classes, v.Class)
		actualExact[v.Class] = v.Actual
		actions[v.Class] = v.Actions
	}
	var extra []string
	for c := range rec {
		if _, ok := actualExact[c]; !ok {
			extra = append(extra, c)
		}
	}
	sort.Strings(extra)
	classes = append(classes, extra...)
	vals := make([]decimal.Decimal, len(classes))
	for i, c := range classes {
		vals[i] = actualExact[c]
	}
	actual := allocator.LargestRemainder(vals, res.InputCost.Round(pl), pl)
	out := make([]ClassRecovery, 0, len(classes))
	for i, c := range classes {
		v := rec[c].Sub(actual[i])
		result := "even"
		switch v.Sign() {
		case 1:
			result = "over"
		case -1:
			result = "under"
		}
		out = append(out, ClassRecovery{Class: c, Actions: actions[c], Recovered: m(rec[c]), Actual: m(actual[i]), Variance: m(v),
			Result: result, RecoveredExact: recExact[c].String(), ActualExact: actualExact[c].String(),
			VarianceExact: recExact[c].Sub(actualExact[c]).String()})
	}
	return out
}

func bufferRecon(res *allocator.Result, byTeam []TeamAmount, m func(decimal.Decimal) Money) BufferRecon {
	b := res.Buffer
	out := BufferRecon{Opening: m(b.Opening), Surcharges: m(b.Surcharges), Draws: m(b.Draws), Closing: m(b.Closing),
		Balanced: b.Opening.Add(b.Surcharges).Sub(b.Draws).Equal(b.Closing), ByTeam: byTeam}
	// A team's draw row is what was booked; with one granted request for
	// the team it is that request's amount.
	granted := map[string]int{}
	for _, d := range res.Draws {
		if d.Amount.IsPositive() {
			granted[d.Team]++
		}
	}
	for _, d := range res.Draws {
		amt := m(d.Amount)
		if d.Amount.IsPositive() && granted[d.Team] == 1 {
			for _, r := range res.Rows {
				if r.Team == d.Team && r.Component == cost.CompBufferDraw {
					amt = m(r.Amount.Neg())
				}
			}
		}
		out.Requests = append(out.Requests, DrawRecon{Team: d.Team, Cause: d.Cause, Granted: d.Amount.IsPositive(),
			Amount: amt, LimitedBy: d.LimitedBy, Reason: d.Reason})
	}
	return out
}

// recharge computes the GL recharge rate (see the definitions above).
func recharge(res *allocator.Result, m func(decimal.Decimal) Money) Recharge {
	bill := res.InputCost
	r := Recharge{Definition: defRechargePrice}
	if res.Mode == allocator.ModeCost {
		r.Definition = defRechargeCost
	}
	journalled := reports.Journalled(res)
	r.Bill = m(bill)
	r.NotJournalled = m(bill.Sub(journalled))
	r.Journalled = m(r.Bill.Dec.Sub(r.NotJournalled.Dec))
	if rate := reports.RechargeRate(res); rate != "" {
		r.Rate = rate
		r.Percent = decimal.RequireFromString(rate).Mul(decimal.NewFromInt(100)).StringFixed(2) + "%"
	}
	return r
}
