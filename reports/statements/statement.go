package statements

import (
	"fmt"

	"github.com/allot-dev/allot/allocator"
	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// Statement is one consuming team's month: what it was charged, why, and
// how that compares with the month before. Every amount is a sum of the
// team's rounded rows in allocations.csv unless its comment says
// otherwise.
type Statement struct {
	Period   string `json:"period"`
	Team     string `json:"team"`
	Model    string `json:"model"`
	Mode     string `json:"mode"` // price_list or cost
	Currency string `json:"currency"`
	Places   int32  `json:"-"`

	CostCenter string `json:"cost_center"`
	Company    string `json:"company"`
	Forecast   *Money `json:"forecast,omitempty"`

	Classes []ClassLine `json:"classes"`
	Eval    *EvalLine   `json:"eval,omitempty"`
	Seats   *SeatLine   `json:"seats,omitempty"`
	// UnallocatedShare is the team's unallocated_share row: held cost
	// spread over teams (proportional) or assigned to it (assign:TEAM).
	UnallocatedShare *Money `json:"unallocated_share,omitempty"`
	UnallocatedRule  string `json:"unallocated_rule,omitempty"`

	Subtotal Money       `json:"subtotal"` // every row but the draw
	Draws    []DrawLine  `json:"draws,omitempty"`
	DrawRow  Money       `json:"draw"`  // the buffer_draw row (negative or zero)
	Total    Money       `json:"total"` // every row: Subtotal + DrawRow
	Journal  JournalLine `json:"journal"`

	Runs      Runs      `json:"agent_runs"`
	Resources Resources `json:"resources"`
	Change    Change    `json:"change"`
}

// ClassLine is one action class of the team.
type ClassLine struct {
	Class      string `json:"class"`
	Actions    int64  `json:"actions"`
	HasActions bool   `json:"-"`
	// UnitPrice is what the team pays per action of the class: in
	// price-list mode the sum of its rows' unit prices (b+O+R+F, or p·s
	// for evals); in cost mode the class total ÷ the team's gateway
	// actions of the class, to 6 decimals ("effective"). UnitKind is
	// "price", "effective" or "" when there is none.
	UnitPrice decimal.Decimal `json:"unit_price"`
	UnitKind  string          `json:"unit_kind,omitempty"`
	Usage     Money           `json:"usage"`
	Overhead  Money           `json:"overhead"`
	Registry  Money           `json:"registry"`
	Surcharge Money           `json:"buffer_surcharge"`
	Eval      Money           `json:"eval"`
	Total     Money           `json:"total"`
}

// EvalLine is the team's evals: their full value, the consumer share it
// pays and what went to the central eval carve-out.
type EvalLine struct {
	Class   string `json:"class"`
	Actions int64  `json:"actions"` // the team's gateway eval actions
	// Price is the full price of one eval action (price-list mode);
	// HasPrice is false in cost mode, where Value is the bill cost of the
	// team's eval lines.
	Price    decimal.Decimal `json:"price"`
	HasPrice bool            `json:"-"`
	Value    Money           `json:"value"` // n·p, or the eval lines' cost, rounded once
	Share    decimal.Decimal `json:"consumer_share"`
	Charged  Money           `json:"charged"` // the team's eval row
	Central  Money           `json:"central"` // Value − Charged
}

// SeatLine is the team's seat row.
type SeatLine struct {
	Seats  int64           `json:"seats"`
	Fee    decimal.Decimal `json:"fee"`
	Amount Money           `json:"amount"`
}

// DrawLine explains one draw request of the team. The allocator decides
// on exact amounts, so the figures of the decision are exact decimals;
// Booked is what the draw row books.
type DrawLine struct {
	Cause      string           `json:"cause"`
	Granted    bool             `json:"granted"`
	Booked     Money            `json:"booked"` // positive; zero when not granted
	Amount     decimal.Decimal  `json:"amount"` // granted, exact
	LimitedBy  string           `json:"limited_by,omitempty"`
	Reason     string           `json:"reason,omitempty"`
	Eligible   bool             `json:"eligible"`
	Charge     decimal.Decimal  `json:"charge"` // the team's rows before the draw
	Forecast   decimal.Decimal  `json:"forecast"`
	Multiple   decimal.Decimal  `json:"draw_threshold"`
	Threshold  decimal.Decimal  `json:"threshold"` // Multiple × Forecast
	Excess     decimal.Decimal  `json:"excess"`    // Charge − Forecast
	CapLeft    *decimal.Decimal `json:"cap_left,omitempty"`
	FundBefore decimal.Decimal  `json:"fund_before"`
	Places     int32            `json:"-"`
}

// JournalLine is what the journals book to the team's expense account.
type JournalLine struct {
	Account    string `json:"account"`
	CostCenter string `json:"cost_center"`
	Net        Money  `json:"net"` // debits − credits
	Found      bool   `json:"found"`
	Matches    bool   `json:"matches"` // Net equals the statement's Total
}

// Build errors name the team.
func teamErr(team, format string, args ...any) error {
	return fmt.Errorf("%w: statement for %q: %s", ErrInput, team, fmt.Sprintf(format, args...))
}

// BuildStatement computes one team's statement.
func BuildStatement(in Input, team string) (*Statement, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	res := in.Result
	pl := res.MinorUnits
	m := func(d decimal.Decimal) Money { return money(d, pl) }
	p := in.Alloc.Params
	st := &Statement{
		Period: res.Period.String(), Team: team, Model: in.Summary.Model, Mode: string(res.Mode),
		Currency: res.Currency, Places: pl,
		Subtotal: m(decimal.Zero), DrawRow: m(decimal.Zero), Total: m(decimal.Zero),
	}
	var known bool
	for _, t := range in.Alloc.Teams {
		if t.ID == team {
			known = true
			if t.Platform {
				return nil, teamErr(team, "the platform team has no statement; its cost is the central carve-out")
			}
			if t.Forecast != nil {
				f := m(*t.Forecast)
				st.Forecast = &f
			}
		}
	}
	if !known {
		return nil, teamErr(team, "not a team of the run")
	}
	if b, ok := in.Booking.Teams[team]; ok {
		st.CostCenter, st.Company = b.CostCenter, b.Company
	}

	gateway := map[string]int64{}
	for _, a := range in.Alloc.Actions {
		if a.Team == team {
			gateway[a.Class] += a.Actions
		}
	}

	// Class lines, in the allocator's row order (configured class order).
	type acc struct {
		line  *ClassLine
		exact decimal.Decimal
		unit  decimal.Decimal
		units bool // every row of the class has a unit price
	}
	byClass := map[string]*acc{}
	var classes []string
	subtotal, draw := decimal.Zero, decimal.Zero
	for _, r := range res.Rows {
		if r.Team != team {
			continue
		}
		if r.Component == cost.CompBufferDraw {
			draw = draw.Add(r.Amount)
			continue
		}
		subtotal = subtotal.Add(r.Amount)
		if r.Class == "" {
			switch r.Component {
			case cost.CompSeat:
				st.Seats = &SeatLine{Seats: r.Actions, Fee: r.UnitPrice, Amount: m(r.Amount)}
			case cost.CompUnallocatedShare:
				u := m(r.Amount)
				st.UnallocatedShare = &u
				st.UnallocatedRule = unallocatedRule(p)
			default:
				return nil, teamErr(team, "row %s has no class and is not a seat, draw or unallocated share", r.Component)
			}
			continue
		}
		a, ok := byClass[r.Class]
		if !ok {
			zero := m(decimal.Zero)
			a = &acc{line: &ClassLine{Class: r.Class, Usage: zero, Overhead: zero, Registry: zero, Surcharge: zero, Eval: zero, Total: zero}, units: true}
			byClass[r.Class] = a
			classes = append(classes, r.Class)
		}
		l := a.line
		add := func(dst *Money) { *dst = m(dst.Dec.Add(r.Amount)) }
		switch r.Component {
		case cost.CompUsage:
			add(&l.Usage)
		case cost.CompOverhead:
			add(&l.Overhead)
		case cost.CompRegistry:
			add(&l.Registry)
		case cost.CompBufferSurcharge:
			add(&l.Surcharge)
		case cost.CompEval:
			add(&l.Eval)
		default:
			return nil, teamErr(team, "row %s/%s is not a team component", r.Class, r.Component)
		}
		add(&l.Total)
		a.exact = a.exact.Add(r.Exact)
		if r.HasActions && r.Actions > l.Actions {
			l.Actions, l.HasActions = r.Actions, true
		}
		if r.HasUnitPrice {
			a.unit = a.unit.Add(r.UnitPrice)
		} else {
			a.units = false
		}
	}
	perAction := map[string]decimal.Decimal{} // what the team pays per action, exact
	for _, c := range classes {
		a := byClass[c]
		l := a.line
		switch {
		case res.Mode == allocator.ModePriceList && a.units:
			l.UnitPrice, l.UnitKind = a.unit, "price"
			perAction[c] = a.unit
		case res.Mode == allocator.ModeCost:
			if n := gateway[c]; n > 0 {
				l.Actions, l.HasActions = n, true
				perAction[c] = a.exact.DivRound(decimal.NewFromInt(n), cost.DivPlaces)
				l.UnitPrice, l.UnitKind = a.exact.DivRound(decimal.NewFromInt(n), cost.PricePlaces), "effective"
			}
		}
		st.Classes = append(st.Classes, *l)
	}
	st.Subtotal, st.DrawRow, st.Total = m(subtotal), m(draw), m(subtotal.Add(draw))

	st.Eval = evalLine(in, team, gateway, byClassEval(st.Classes, p.EvalClass), m)
	granted := 0
	for _, d := range res.Draws {
		if d.Team == team {
			l := drawLine(d, m)
			l.Multiple = p.DrawThreshold
			st.Draws = append(st.Draws, l)
			if l.Granted {
				granted++
			}
		}
	}
	if granted == 1 {
		// One granted request: its booking is the team's draw row.
		for i := range st.Draws {
			if st.Draws[i].Granted {
				st.Draws[i].Booked = m(st.DrawRow.Dec.Neg())
			}
		}
	}
	st.Journal = journalLine(in, team, st.Total, m)
	st.Runs = agentRuns(in, team, perAction, gateway, m)
	st.Resources = resources(in, team, m)
	st.Change = change(in, team)
	return st, nil
}

func byClassEval(ls []ClassLine, evalClass string) *ClassLine {
	for i := range ls {
		if ls[i].Class == evalClass {
			return &ls[i]
		}
	}
	return nil
}

func unallocatedRule(p allocator.Params) string {
	switch p.Unallocated {
	case allocator.Proportional:
		return "proportional: cost that resolved to no team, spread over the consuming teams by their usage rows"
	case allocator.Assign:
		return "assign: cost that resolved to no team, assigned to this team"
	}
	return string(p.Unallocated)
}

// evalLine values the team's evals. In price-list mode the value is the
// team's gateway eval actions × the eval class's full price; in cost mode
// the bill cost of the team's eval lines. The team pays its eval row; the
// rest of the rounded value went central.
func evalLine(in Input, team string, gateway map[string]int64, row *ClassLine, m func(decimal.Decimal) Money) *EvalLine {
	p := in.Alloc.Params
	if p.EvalClass == "" {
		return nil
	}
	e := &EvalLine{Class: p.EvalClass, Actions: gateway[p.EvalClass], Share: p.ConsumerShare}
	value := decimal.Zero
	switch in.Result.Mode {
	case allocator.ModePriceList:
		pr, ok := in.Alloc.Prices[p.EvalClass]
		if ok {
			e.Price, e.HasPrice = pr.Price, true
			value = pr.Price.Mul(decimal.NewFromInt(e.Actions))
		}
	case allocator.ModeCost:
		for _, g := range in.Alloc.Costs {
			if g.Team == team && g.Class == p.EvalClass {
				value = value.Add(g.Cost)
			}
		}
	}
	charged := m(decimal.Zero)
	if row != nil {
		charged = row.Eval
	}
	if value.IsZero() && charged.IsZero() && e.Actions == 0 {
		return nil
	}
	e.Value, e.Charged = m(value), charged
	e.Central = m(e.Value.Dec.Sub(charged.Dec))
	return e
}

func drawLine(d allocator.DrawDecision, m func(decimal.Decimal) Money) DrawLine {
	return DrawLine{Cause: d.Cause, Granted: d.Amount.IsPositive(), Booked: m(d.Amount), Amount: d.Amount, LimitedBy: d.LimitedBy,
		Reason: d.Reason, Eligible: d.Eligible, Charge: d.Charge, Forecast: d.Forecast, Threshold: d.Threshold,
		Excess: d.Excess, CapLeft: d.CapLeft, FundBefore: d.FundBefore, Places: m(decimal.Zero).Places}
}

// journalLine sums the journal lines booked to the team's chargeback
// expense account.
func journalLine(in Input, team string, total Money, m func(decimal.Decimal) Money) JournalLine {
	acct := in.Booking.Accounts.ChargebackExpense
	j := JournalLine{Account: acct, CostCenter: in.Booking.Teams[team].CostCenter}
	net := decimal.Zero
	for _, js := range in.Journals {
		for _, l := range js.Lines {
			if l.Team == team && l.Account == acct {
				net = net.Add(l.Debit).Sub(l.Credit)
				j.Found = true
			}
		}
	}
	j.Net = m(net)
	j.Matches = j.Found && net.Equal(total.Dec) || !j.Found && total.IsZero()
	return j
}
