package ledger

import (
	"errors"
	"fmt"
	"sort"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// Default target range of the buffer fund, as fractions of the quarter's
// average monthly inference spend (SPEC §4: 5%–10%).
var (
	DefaultTargetMin = decimal.RequireFromString("0.05")
	DefaultTargetMax = decimal.RequireFromString("0.10")
)

// ReconcileAccounts are the GL accounts of the quarter-end journal.
type ReconcileAccounts struct {
	BufferFund        string // accounts.buffer_fund
	CentralBudget     string // accounts.central_budget
	ChargebackExpense string // accounts.chargeback_expense
}

// ReconcileTeam is a team that paid buffer surcharges in the quarter.
type ReconcileTeam struct {
	ID         string
	Company    string // empty: the fund's company
	CostCenter string
	Surcharges decimal.Decimal // buffer surcharges the team paid in the quarter
}

// ReconcileInput is what Reconcile needs besides the quarter's movements.
type ReconcileInput struct {
	Quarter  cost.Quarter
	Currency string
	// InferenceSpend is the quarter's monthly inference spend (the input
	// cost of each month's run); every month of the quarter must be present.
	InferenceSpend map[cost.Period]decimal.Decimal
	// SurchargeBase is, per month, the amount the buffer rate was applied to.
	SurchargeBase map[cost.Period]decimal.Decimal
	// TargetMin and TargetMax are fractions of the average monthly spend;
	// zero means DefaultTargetMin and DefaultTargetMax.
	TargetMin, TargetMax decimal.Decimal

	Company           string // the fund's company: top-ups and refunds without payers book here
	FundCostCenter    string // cost center on buffer_fund lines (may be empty)
	CentralCostCenter string // cost center of the central budget line
	Accounts          ReconcileAccounts
	Teams             []ReconcileTeam
}

// DrawDetail is one draw of a team in one month.
type DrawDetail struct {
	Period cost.Period
	Amount decimal.Decimal
	Cause  string
}

// TeamDraws is a team's draws in the quarter.
type TeamDraws struct {
	Team   string
	Amount decimal.Decimal
	Draws  []DrawDetail // in month order
}

// Refund is a team's share of a refund of the fund's excess.
type Refund struct {
	Team       string
	Company    string
	CostCenter string
	Amount     decimal.Decimal
}

// Position of the closing balance against the target range.
const (
	PositionBelow  = "below"
	PositionWithin = "within"
	PositionAbove  = "above"
)

// Reconciliation is the quarter-end statement of the buffer fund.
type Reconciliation struct {
	Quarter    cost.Quarter
	Currency   string
	Opening    decimal.Decimal // opening of the quarter's first month
	Surcharges decimal.Decimal // surcharges in
	Draws      decimal.Decimal // draws out
	TeamDraws  []TeamDraws     // by team id
	Closing    decimal.Decimal // closing of the quarter's last month, before the adjustment

	AverageSpend decimal.Decimal // average monthly inference spend, rounded to the minor unit
	TargetMin    decimal.Decimal // fraction × average spend, rounded to the minor unit
	TargetMax    decimal.Decimal
	Position     string // below, within or above

	// Adjustment brings the closing balance to the nearest bound of the
	// range: a top-up from the central budget (positive) or a refund to
	// the teams (negative); zero within the range.
	Adjustment   decimal.Decimal
	ClosingAfter decimal.Decimal
	Refunds      []Refund // by team id; empty unless refunded to teams

	// RateMin and RateMax are the buffer rates that, with the same surcharge
	// base and draws, would have closed the quarter at TargetMin and
	// TargetMax (clamped at 0, 6 decimals). RatesDefined is false when the
	// quarter's surcharge base is zero.
	RateMin, RateMax decimal.Decimal
	RatesDefined     bool

	// Movement is the reconcile movement to post with the journals (kind
	// reconcile, on the quarter's last month), also when Adjustment is zero.
	Movement BufferMovement
	// Journals are the buffer-reconcile journals, one per company, with
	// provisional ids (PlanReconcile assigns the final ones); empty within
	// the range.
	Journals []cost.Journal
}

// Reconcile computes the quarter-end reconciliation of the buffer fund from
// the current month movements of the quarter (Ledger.BufferMovements).
//
// The target range is TargetMin..TargetMax × the average monthly inference
// spend. A closing balance above the maximum is brought down to it: the
// excess is refunded to the teams pro rata to the surcharges they paid in
// the quarter (debit buffer_fund, credit each team's chargeback_expense,
// one journal per team company; largest remainder to the cent), or to the
// central budget when no team paid any. A balance below the minimum is
// topped up to it from the central budget (debit central_budget, credit
// buffer_fund). Within the range there is no journal.
//
// Worked example: opening 1,000.00, surcharges 7,000.00, draws 800.00,
// closing 7,200.00; spend 60,000 + 65,000 + 55,000 gives an average of
// 60,000.00 and a range of 3,000.00..6,000.00, so 1,200.00 is refunded.
// With a surcharge base of 175,000, the rates that would have closed at
// the bounds are (3,000 − 1,000 + 800) / 175,000 = 0.016000 and
// (6,000 − 1,000 + 800) / 175,000 = 0.033143.
func Reconcile(movements []BufferMovement, in ReconcileInput) (Reconciliation, error) {
	fail := func(format string, args ...any) (Reconciliation, error) {
		return Reconciliation{}, fmt.Errorf("ledger: reconcile %s: "+format, append([]any{in.Quarter}, args...)...)
	}
	if in.Quarter.IsZero() {
		return fail("%w", &FieldError{Path: "quarter", Err: errors.New("is empty")})
	}
	if !cost.ValidCurrency(in.Currency) {
		return fail("%w", &FieldError{Path: "currency", Value: in.Currency, Err: errors.New("want an ISO 4217 code such as USD")})
	}
	places := cost.MinorUnits(in.Currency)
	months := in.Quarter.Months()

	// The three current month movements, chained.
	byMonth := map[cost.Period]*BufferMovement{}
	for i := range movements {
		m := &movements[i]
		switch {
		case !in.Quarter.Contains(m.Period):
			return fail("movement of %s (run %s) is not in the quarter", m.Period, m.RunID)
		case m.Kind != "" && m.Kind != MovementMonth:
			return fail("movement of %s (run %s) is a %s movement; pass the month movements (Ledger.BufferMovements)", m.Period, m.RunID, m.Kind)
		case byMonth[m.Period] != nil:
			return fail("two movements for %s (runs %s and %s); pass the current one of each month", m.Period, byMonth[m.Period].RunID, m.RunID)
		case m.Currency != in.Currency:
			return fail("movement of %s is in %s, the fund in %s", m.Period, m.Currency, in.Currency)
		case !m.Balanced():
			return fail("movement of %s (run %s): opening %s + surcharges %s − draws %s + adjustment %s ≠ closing %s",
				m.Period, m.RunID, m.Opening, m.Surcharges, m.DrawTotal(), m.Adjustment, m.Closing)
		}
		byMonth[m.Period] = m
	}
	for i, p := range months {
		m := byMonth[p]
		if m == nil {
			return fail("no buffer movement for %s: run allot for %s before reconciling the quarter", p, p)
		}
		if i > 0 && !m.Opening.Equal(byMonth[months[i-1]].Closing) {
			return fail("%s opens the fund at %s but %s closed it at %s: re-run %s so it carries the current balance",
				p, m.Opening, months[i-1], byMonth[months[i-1]].Closing, p)
		}
	}

	spend, err := monthSum(in.InferenceSpend, months, "inference_spend")
	if err != nil {
		return fail("%w", err)
	}
	base, err := monthSum(in.SurchargeBase, months, "surcharge_base")
	if err != nil {
		return fail("%w", err)
	}
	tmin, tmax := in.TargetMin, in.TargetMax
	if tmin.IsZero() && tmax.IsZero() {
		tmin, tmax = DefaultTargetMin, DefaultTargetMax
	}
	if tmin.IsNegative() || tmax.LessThan(tmin) || tmax.GreaterThan(decimal.NewFromInt(1)) {
		return fail("%w", &FieldError{Path: "target", Value: tmin.String() + ".." + tmax.String(),
			Err: errors.New("want 0 <= min <= max <= 1, for example 0.05..0.10")})
	}
	if err := checkReconcileSetup(&in); err != nil {
		return fail("%w", err)
	}

	r := Reconciliation{Quarter: in.Quarter, Currency: in.Currency}
	first, last := byMonth[months[0]], byMonth[months[2]]
	r.Opening, r.Closing = first.Opening, last.Closing
	teamDraws := map[string]*TeamDraws{}
	for _, p := range months {
		m := byMonth[p]
		r.Surcharges = r.Surcharges.Add(m.Surcharges)
		for _, d := range m.Draws {
			r.Draws = r.Draws.Add(d.Amount)
			td := teamDraws[d.Team]
			if td == nil {
				td = &TeamDraws{Team: d.Team}
				teamDraws[d.Team] = td
			}
			td.Amount = td.Amount.Add(d.Amount)
			td.Draws = append(td.Draws, DrawDetail{Period: p, Amount: d.Amount, Cause: d.Cause})
		}
	}
	for _, td := range teamDraws {
		r.TeamDraws = append(r.TeamDraws, *td)
	}
	sort.Slice(r.TeamDraws, func(i, j int) bool { return r.TeamDraws[i].Team < r.TeamDraws[j].Team })

	avg := spend.DivRound(decimal.NewFromInt(3), cost.DivPlaces)
	r.AverageSpend = avg.Round(places)
	r.TargetMin = tmin.Mul(avg).Round(places)
	r.TargetMax = tmax.Mul(avg).Round(places)
	switch {
	case r.Closing.LessThan(r.TargetMin):
		r.Position, r.Adjustment = PositionBelow, r.TargetMin.Sub(r.Closing)
	case r.Closing.GreaterThan(r.TargetMax):
		r.Position, r.Adjustment = PositionAbove, r.TargetMax.Sub(r.Closing)
	default:
		r.Position = PositionWithin
	}
	r.ClosingAfter = r.Closing.Add(r.Adjustment)

	if base.IsPositive() {
		rate := func(target decimal.Decimal) decimal.Decimal {
			v := target.Sub(r.Opening).Add(r.Draws).DivRound(base, cost.DivPlaces)
			if v.IsNegative() {
				v = decimal.Zero
			}
			return v.Round(cost.PricePlaces)
		}
		r.RateMin, r.RateMax, r.RatesDefined = rate(r.TargetMin), rate(r.TargetMax), true
	}

	r.Movement = BufferMovement{
		Period:     in.Quarter.Last(),
		Kind:       MovementReconcile,
		Currency:   in.Currency,
		Opening:    r.Closing,
		Adjustment: r.Adjustment,
		Closing:    r.ClosingAfter,
	}
	if r.Journals, r.Refunds, err = reconcileJournals(&r, &in, places); err != nil {
		return fail("%w", err)
	}
	return r, nil
}

// monthSum checks that every month has a non-negative figure and adds them up.
func monthSum(m map[cost.Period]decimal.Decimal, months [3]cost.Period, field string) (decimal.Decimal, error) {
	var sum decimal.Decimal
	for _, p := range months {
		v, ok := m[p]
		switch {
		case !ok:
			return decimal.Decimal{}, &FieldError{Path: field, Value: p.String(), Err: errors.New("is missing for this month: pass the figure from the month's run summary")}
		case v.IsNegative():
			return decimal.Decimal{}, &FieldError{Path: field, Value: p.String() + "=" + v.String(), Err: errors.New("is negative")}
		}
		sum = sum.Add(v)
	}
	for p := range m {
		if !in3(months, p) {
			return decimal.Decimal{}, &FieldError{Path: field, Value: p.String(), Err: errors.New("is not a month of the quarter")}
		}
	}
	return sum, nil
}

func in3(months [3]cost.Period, p cost.Period) bool {
	return p == months[0] || p == months[1] || p == months[2]
}

func checkReconcileSetup(in *ReconcileInput) error {
	fe := func(path, value, msg string) error {
		return &FieldError{Path: path, Value: value, Err: errors.New(msg)}
	}
	switch {
	case in.Company == "":
		return fe("company", "", "is empty: name the fund's company")
	case in.Accounts.BufferFund == "":
		return fe("accounts.buffer_fund", "", "is empty")
	case in.Accounts.CentralBudget == "":
		return fe("accounts.central_budget", "", "is empty")
	case in.Accounts.ChargebackExpense == "":
		return fe("accounts.chargeback_expense", "", "is empty")
	case in.CentralCostCenter == "":
		return fe("central_cost_center", "", "is empty: name the central budget's cost center")
	}
	seen := map[string]bool{}
	for i, t := range in.Teams {
		p := fmt.Sprintf("teams[%d]", i)
		switch {
		case t.ID == "":
			return fe(p+".id", "", "is empty")
		case seen[t.ID]:
			return fe(p+".id", t.ID, "appears twice")
		case t.CostCenter == "":
			return fe(p+".cost_center", t.ID, "is empty")
		case t.Surcharges.IsNegative():
			return fe(p+".surcharges", t.Surcharges.String(), "is negative")
		}
		seen[t.ID] = true
	}
	return nil
}

// reconcileJournals books the adjustment: a top-up from the central
// budget, a refund to the teams pro rata to their surcharges (one journal
// per company), or a refund to the central budget when no team paid.
func reconcileJournals(r *Reconciliation, in *ReconcileInput, places int32) ([]cost.Journal, []Refund, error) {
	if r.Adjustment.IsZero() {
		return nil, nil, nil
	}
	period := in.Quarter.Last()
	journal := func(company, what string) cost.Journal {
		return cost.Journal{
			Kind:           KindBufferReconcile,
			Company:        company,
			Currency:       in.Currency,
			Period:         period,
			AccountingDate: period.LastDay(),
			Description:    fmt.Sprintf("Buffer fund reconciliation %s: %s", in.Quarter, what),
		}
	}
	fund := func(debit, credit decimal.Decimal, desc string) cost.JournalLine {
		return cost.JournalLine{Company: in.Company, CostCenter: in.FundCostCenter, Account: in.Accounts.BufferFund,
			Debit: debit, Credit: credit, Description: desc, Component: cost.CompBufferSurcharge}
	}
	central := func(debit, credit decimal.Decimal, desc string) cost.JournalLine {
		return cost.JournalLine{Company: in.Company, CostCenter: in.CentralCostCenter, Account: in.Accounts.CentralBudget,
			Debit: debit, Credit: credit, Description: desc, Team: cost.Central, Component: cost.CompBufferSurcharge}
	}
	zero := decimal.Zero

	if r.Adjustment.IsPositive() { // top-up
		desc := fmt.Sprintf("top-up to the target minimum %s", cost.FormatAmount(r.TargetMin, places))
		j := journal(in.Company, desc)
		j.Lines = []cost.JournalLine{central(r.Adjustment, zero, desc), fund(zero, r.Adjustment, desc)}
		number(&j)
		return []cost.Journal{j}, nil, nil
	}

	excess := r.Adjustment.Neg()
	var payers []ReconcileTeam
	var weights []decimal.Decimal
	for _, t := range in.Teams {
		if t.Surcharges.IsPositive() {
			if t.Company == "" {
				t.Company = in.Company
			}
			payers = append(payers, t)
		}
	}
	sort.Slice(payers, func(i, j int) bool { return payers[i].ID < payers[j].ID })
	if len(payers) == 0 {
		desc := fmt.Sprintf("excess above the target maximum %s returned to the central budget (no team paid surcharges)", cost.FormatAmount(r.TargetMax, places))
		j := journal(in.Company, desc)
		j.Lines = []cost.JournalLine{fund(excess, zero, desc), central(zero, excess, desc)}
		number(&j)
		return []cost.Journal{j}, nil, nil
	}
	for _, t := range payers {
		weights = append(weights, t.Surcharges)
	}
	shares, err := splitLargestRemainder(excess, weights, places)
	if err != nil {
		return nil, nil, err
	}
	desc := fmt.Sprintf("refund of surcharges above the target maximum %s", cost.FormatAmount(r.TargetMax, places))
	byCompany := map[string]*cost.Journal{}
	var companies []string
	var refunds []Refund
	for i, t := range payers {
		if shares[i].IsZero() {
			continue
		}
		refunds = append(refunds, Refund{Team: t.ID, Company: t.Company, CostCenter: t.CostCenter, Amount: shares[i]})
		j := byCompany[t.Company]
		if j == nil {
			nj := journal(t.Company, desc)
			nj.Lines = []cost.JournalLine{{Company: t.Company, CostCenter: in.FundCostCenter, Account: in.Accounts.BufferFund,
				Description: desc, Component: cost.CompBufferSurcharge}}
			j = &nj
			byCompany[t.Company] = j
			companies = append(companies, t.Company)
		}
		j.Lines[0].Debit = j.Lines[0].Debit.Add(shares[i])
		j.Lines = append(j.Lines, cost.JournalLine{Company: t.Company, CostCenter: t.CostCenter,
			Account: in.Accounts.ChargebackExpense, Credit: shares[i], Description: desc + " (team " + t.ID + ")",
			Team: t.ID, Component: cost.CompBufferSurcharge})
	}
	sort.Strings(companies)
	out := make([]cost.Journal, 0, len(companies))
	for _, c := range companies {
		j := byCompany[c]
		number(j)
		out = append(out, *j)
	}
	return out, refunds, nil
}

// number sets the 1-based line numbers.
func number(j *cost.Journal) {
	for i := range j.Lines {
		j.Lines[i].Line = i + 1
	}
}
