package allocator

import (
	"errors"
	"fmt"
	"sort"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// Sentinel errors.
var (
	// ErrNoPrice: a gateway action's class has no price in the price list.
	ErrNoPrice = errors.New("no price for the action class")
	// ErrInput: the input is inconsistent (a bug in the caller, not bad data).
	ErrInput = errors.New("invalid allocation input")
)

// Row is one allocation row (SPEC §7's allocations.csv).
type Row struct {
	Team         string
	Class        string
	Component    cost.Component
	Actions      int64
	HasActions   bool
	UnitPrice    decimal.Decimal
	HasUnitPrice bool
	// Exact is the full-precision amount; Amount is Exact rounded to the
	// currency's minor unit (see the package doc).
	Exact  decimal.Decimal
	Amount decimal.Decimal
	Cause  string // buffer_draw: the disclosed cause
}

// Buffer is the fund's movement in the period, in minor units.
type Buffer struct {
	Opening, Surcharges, Draws, Closing decimal.Decimal
}

// DrawDecision explains one draw request.
type DrawDecision struct {
	Team       string
	Cause      string
	Charge     decimal.Decimal // the team's rows before the draw, exact
	Forecast   decimal.Decimal
	Threshold  decimal.Decimal // draw_threshold × forecast
	Eligible   bool
	Excess     decimal.Decimal // charge − forecast
	CapLeft    *decimal.Decimal
	FundBefore decimal.Decimal // fund balance when the team's turn came, exact
	Amount     decimal.Decimal // granted, exact (0 when not granted)
	LimitedBy  string          // excess, cap, fund, or "" when not granted
	Reason     string          // why not granted
}

// ClassVariance is the platform's over- or under-recovery for one class:
// what the run booked for the class (every row but buffer surcharges and
// draws) against what the bill says the class cost.
type ClassVariance struct {
	Class     string
	Actions   int64 // gateway actions
	Recovered decimal.Decimal
	Actual    decimal.Decimal
	Variance  decimal.Decimal // Recovered − Actual
}

// Invariant is one check a run makes on its own result.
type Invariant struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// Result is one period's allocation.
type Result struct {
	Period       cost.Period
	Currency     string
	Mode         Mode
	MinorUnits   int32
	Rows         []Row
	InputCost    decimal.Decimal // sum of the cost groups, exact
	InputLines   int64
	InputActions int64
	Priced       decimal.Decimal // price-list mode: Σ actions × price, exact
	Variance     []ClassVariance
	Buffer       Buffer
	Draws        []DrawDecision
	Notes        []string
	Invariants   []Invariant
}

// OK reports whether every invariant holds.
func (r *Result) OK() bool {
	for _, inv := range r.Invariants {
		if !inv.OK {
			return false
		}
	}
	return true
}

// TeamTotal returns the sum of a team's rounded rows.
func (r *Result) TeamTotal(team string) decimal.Decimal {
	sum := decimal.Zero
	for _, row := range r.Rows {
		if row.Team == team {
			sum = sum.Add(row.Amount)
		}
	}
	return sum
}

type rowKey struct {
	team, class string
	comp        cost.Component
}

type builder struct {
	rows  map[rowKey]*Row
	mixed map[rowKey]bool
}

func newBuilder() *builder { return &builder{rows: map[rowKey]*Row{}, mixed: map[rowKey]bool{}} }

// add accumulates into the row (team, class, comp). A row fed with
// different unit prices keeps no unit price.
func (b *builder) add(team, class string, comp cost.Component, actions int64, hasActions bool, unit decimal.Decimal, hasUnit bool, exact decimal.Decimal) *Row {
	k := rowKey{team, class, comp}
	r, ok := b.rows[k]
	if !ok {
		r = &Row{Team: team, Class: class, Component: comp, UnitPrice: unit, HasUnitPrice: hasUnit}
		b.rows[k] = r
	} else if hasUnit && (!r.HasUnitPrice || !r.UnitPrice.Equal(unit)) || !hasUnit && r.HasUnitPrice {
		b.mixed[k] = true
	}
	if b.mixed[k] {
		r.HasUnitPrice, r.UnitPrice = false, decimal.Zero
	}
	if hasActions {
		r.Actions += actions
		r.HasActions = true
	}
	r.Exact = r.Exact.Add(exact)
	return r
}

func (b *builder) priced(team, class string, comp cost.Component, n int64, unit decimal.Decimal) {
	b.add(team, class, comp, n, true, unit, true, unit.Mul(decimal.NewFromInt(n)))
}

func (b *builder) amount(team, class string, comp cost.Component, exact decimal.Decimal) *Row {
	return b.add(team, class, comp, 0, false, decimal.Zero, false, exact)
}

func (b *builder) remove(team string) {
	for k := range b.rows {
		if k.team == team {
			delete(b.rows, k)
		}
	}
}

func (b *builder) sum(pred func(*Row) bool) decimal.Decimal {
	s := decimal.Zero
	for _, r := range b.rows {
		if pred(r) {
			s = s.Add(r.Exact)
		}
	}
	return s
}

type teamKind int

const (
	consuming teamKind = iota
	platform
	unknown
)

// Allocate computes one period's allocation. It returns an error only for
// input it cannot price (ErrNoPrice) or an inconsistent input (ErrInput);
// a result whose invariants fail is returned with OK() false.
func Allocate(in Input) (*Result, error) {
	p := in.Params
	if !cost.ValidCurrency(in.Currency) {
		return nil, fmt.Errorf("%w: currency %q", ErrInput, in.Currency)
	}
	if p.Mode != ModePriceList && p.Mode != ModeCost {
		return nil, fmt.Errorf("%w: mode %q", ErrInput, p.Mode)
	}
	teams := map[string]Team{}
	for _, t := range in.Teams {
		if len(t.ID) > 0 && t.ID[0] == '_' {
			return nil, fmt.Errorf("%w: team id %q starts with an underscore", ErrInput, t.ID)
		}
		teams[t.ID] = t
	}
	kind := func(id string) teamKind {
		t, ok := teams[id]
		switch {
		case !ok:
			return unknown
		case t.Platform:
			return platform
		}
		return consuming
	}
	res := &Result{Period: in.Period, Currency: in.Currency, Mode: p.Mode, MinorUnits: cost.MinorUnits(in.Currency)}
	b := newBuilder()
	one := decimal.NewFromInt(1)
	s := p.ConsumerShare

	for _, g := range in.Costs {
		res.InputCost = res.InputCost.Add(g.Cost)
		res.InputLines += g.Lines
	}

	switch p.Mode {
	case ModePriceList:
		type key struct{ team, class string }
		counts := map[key]int64{}
		var keys []key
		for _, a := range in.Actions {
			if a.Actions < 0 {
				return nil, fmt.Errorf("%w: negative action count for %s/%s", ErrInput, a.Team, a.Class)
			}
			k := key{a.Team, a.Class}
			if _, ok := counts[k]; !ok {
				keys = append(keys, k)
			}
			counts[k] += a.Actions
			res.InputActions += a.Actions
		}
		sort.Slice(keys, func(i, j int) bool {
			if keys[i].team != keys[j].team {
				return keys[i].team < keys[j].team
			}
			return keys[i].class < keys[j].class
		})
		for _, k := range keys {
			n := counts[k]
			pr, ok := in.Prices[k.class]
			if !ok {
				return nil, fmt.Errorf("%w: %d gateway actions of class %q have no price in the price list for %s", ErrNoPrice, n, k.class, in.Period.Quarter())
			}
			res.Priced = res.Priced.Add(pr.Price.Mul(decimal.NewFromInt(n)))
			switch kind(k.team) {
			case consuming:
				if k.class == p.EvalClass {
					b.priced(k.team, k.class, cost.CompEval, n, pr.Price.Mul(s))
					b.priced(cost.Central, k.class, cost.CompCentralEval, n, pr.Price.Mul(one.Sub(s)))
					continue
				}
				b.priced(k.team, k.class, cost.CompUsage, n, pr.Base)
				b.priced(k.team, k.class, cost.CompOverhead, n, pr.Overhead)
				if p.RegistryCharged {
					b.priced(k.team, k.class, cost.CompRegistry, n, pr.Registry)
				} else {
					b.priced(cost.Central, k.class, cost.CompCentralRegistry, n, pr.Registry)
				}
				b.priced(k.team, k.class, cost.CompBufferSurcharge, n, pr.Buffer)
			case platform:
				comp := cost.CompCentralPlatform
				if k.class == p.EvalClass {
					comp = cost.CompCentralEval
				}
				b.priced(cost.Central, k.class, comp, n, pr.Price)
			default:
				b.priced(cost.Unallocated, k.class, cost.CompUnallocated, n, pr.Price)
			}
		}
	case ModeCost:
		usage := map[[2]string]decimal.Decimal{}
		var ukeys [][2]string
		for _, g := range in.Costs {
			switch kind(g.Team) {
			case unknown:
				if g.Team != "" {
					return nil, fmt.Errorf("%w: cost group team %q is not registered; resolve it to \"\" (no team)", ErrInput, g.Team)
				}
				b.amount(cost.Unallocated, g.Class, cost.CompUnallocated, g.Cost)
			case platform:
				comp := cost.CompCentralPlatform
				switch {
				case g.Class == p.EvalClass:
					comp = cost.CompCentralEval
				case g.Component == "registry":
					comp = cost.CompCentralRegistry
				}
				b.amount(cost.Central, g.Class, comp, g.Cost)
			case consuming:
				class := g.Class
				if class == "" {
					class = cost.Unclassified
				}
				if class == p.EvalClass {
					b.amount(g.Team, class, cost.CompEval, g.Cost.Mul(s))
					b.amount(cost.Central, class, cost.CompCentralEval, g.Cost.Mul(one.Sub(s)))
					continue
				}
				k := [2]string{g.Team, class}
				if _, ok := usage[k]; !ok {
					ukeys = append(ukeys, k)
				}
				usage[k] = usage[k].Add(g.Cost)
			}
		}
		sort.Slice(ukeys, func(i, j int) bool {
			if ukeys[i][0] != ukeys[j][0] {
				return ukeys[i][0] < ukeys[j][0]
			}
			return ukeys[i][1] < ukeys[j][1]
		})
		for _, k := range ukeys {
			u := usage[k]
			overhead := p.OverheadRate.Mul(u)
			registry := decimal.Zero
			if p.RegistryCharged {
				registry = p.RegistryRate.Mul(overhead)
			}
			b.amount(k[0], k[1], cost.CompUsage, u)
			b.amount(k[0], k[1], cost.CompOverhead, overhead)
			if p.RegistryCharged {
				b.amount(k[0], k[1], cost.CompRegistry, registry)
			}
			b.amount(k[0], k[1], cost.CompBufferSurcharge, p.BufferRate.Mul(u.Add(overhead).Add(registry)))
		}
	}

	if p.Seats {
		ids := sortedTeamIDs(in.Teams)
		for _, id := range ids {
			t := teams[id]
			if t.Platform || t.Seats <= 0 {
				continue
			}
			b.add(id, "", cost.CompSeat, int64(t.Seats), true, p.SeatFee, true, p.SeatFee.Mul(decimal.NewFromInt(int64(t.Seats))))
		}
	}

	if err := applyUnallocatedPolicy(b, p, in.Teams, kind, res); err != nil {
		return nil, err
	}
	surcharges := b.sum(func(r *Row) bool { return r.Component == cost.CompBufferSurcharge })
	res.Draws = applyDraws(b, in, teams, surcharges)

	res.Rows = sortedRows(b, p.Classes)
	roundRows(res.Rows, res.MinorUnits)
	kept := res.Rows[:0]
	for _, r := range res.Rows {
		if !r.Amount.IsZero() {
			kept = append(kept, r)
		}
	}
	res.Rows = kept

	res.Buffer.Opening = in.Buffer.Opening
	for _, r := range res.Rows {
		switch r.Component {
		case cost.CompBufferSurcharge:
			res.Buffer.Surcharges = res.Buffer.Surcharges.Add(r.Amount)
		case cost.CompBufferDraw:
			res.Buffer.Draws = res.Buffer.Draws.Sub(r.Amount)
		}
	}
	res.Buffer.Closing = res.Buffer.Opening.Add(res.Buffer.Surcharges).Sub(res.Buffer.Draws)
	res.Variance = variance(res, in)
	res.Invariants = checkInvariants(res, in, b)
	return res, nil
}

func sortedTeamIDs(ts []Team) []string {
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	sort.Strings(ids)
	return ids
}

func applyUnallocatedPolicy(b *builder, p Params, teams []Team, kind func(string) teamKind, res *Result) error {
	held := b.sum(func(r *Row) bool { return r.Team == cost.Unallocated })
	if held.IsZero() || p.Unallocated == Hold || p.Unallocated == "" {
		return nil
	}
	places := max(cost.DivPlaces, -held.Exponent())
	switch p.Unallocated {
	case Assign:
		if kind(p.AssignTeam) != consuming {
			return fmt.Errorf("%w: assign:%s is not a consuming team", ErrInput, p.AssignTeam)
		}
		b.remove(cost.Unallocated)
		b.amount(p.AssignTeam, "", cost.CompUnallocatedShare, held)
	case Proportional:
		var ids []string
		var weights []decimal.Decimal
		for _, id := range sortedTeamIDs(teams) {
			if kind(id) != consuming {
				continue
			}
			w := b.sum(func(r *Row) bool { return r.Team == id && r.Component == cost.CompUsage })
			if w.IsPositive() {
				ids = append(ids, id)
				weights = append(weights, w)
			}
		}
		if len(ids) == 0 {
			res.Notes = append(res.Notes, "unallocated: proportional, but no team has usage to spread it over; it is held")
			return nil
		}
		parts, err := Split(held, weights, places)
		if err != nil {
			return err
		}
		b.remove(cost.Unallocated)
		for i, id := range ids {
			b.amount(id, "", cost.CompUnallocatedShare, parts[i])
		}
	default:
		return fmt.Errorf("%w: unallocated policy %q", ErrInput, p.Unallocated)
	}
	return nil
}

func applyDraws(b *builder, in Input, teams map[string]Team, surcharges decimal.Decimal) []DrawDecision {
	p := in.Params
	reqs := append([]DrawRequest(nil), in.Draws...)
	sort.SliceStable(reqs, func(i, j int) bool { return reqs[i].Team < reqs[j].Team })
	granted := decimal.Zero
	var out []DrawDecision
	for _, req := range reqs {
		d := DrawDecision{Team: req.Team, Cause: req.Cause}
		t, ok := teams[req.Team]
		d.Charge = b.sum(func(r *Row) bool { return r.Team == req.Team })
		d.FundBefore = in.Buffer.Opening.Add(surcharges).Sub(granted)
		switch {
		case !ok || t.Platform:
			d.Reason = "not a consuming team"
		case t.Forecast == nil:
			d.Reason = "the team has no forecast"
		default:
			d.Forecast = *t.Forecast
			d.Threshold = p.DrawThreshold.Mul(d.Forecast)
			d.Excess = d.Charge.Sub(d.Forecast)
			d.Eligible = d.Charge.GreaterThanOrEqual(d.Threshold)
			if !d.Eligible {
				d.Reason = fmt.Sprintf("charge %s is below %s × forecast %s = %s", d.Charge.StringFixed(2), p.DrawThreshold, d.Forecast, d.Threshold.StringFixed(2))
				break
			}
			amt, by := d.Excess, "excess"
			if p.QuarterlyCap != nil {
				left := p.QuarterlyCap.Sub(in.Buffer.QuarterDrawn[req.Team])
				if left.IsNegative() {
					left = decimal.Zero
				}
				d.CapLeft = &left
				if left.LessThan(amt) {
					amt, by = left, "cap"
				}
			}
			if d.FundBefore.LessThan(amt) {
				amt, by = d.FundBefore, "fund"
			}
			if !amt.IsPositive() {
				d.Reason = "nothing left to draw (" + by + ")"
				break
			}
			d.Amount, d.LimitedBy = amt, by
			granted = granted.Add(amt)
			r := b.amount(req.Team, "", cost.CompBufferDraw, amt.Neg())
			r.Cause = req.Cause
		}
		out = append(out, d)
	}
	return out
}

func sortedRows(b *builder, classes []string) []Row {
	rank := map[string]int{}
	for i, c := range classes {
		rank[c] = i
	}
	classRank := func(c string) (int, string) {
		switch {
		case c == "":
			return len(classes) + 2, ""
		case c == cost.Unclassified:
			return len(classes) + 1, c
		}
		if r, ok := rank[c]; ok {
			return r, c
		}
		return len(classes), c
	}
	rows := make([]Row, 0, len(b.rows))
	for _, r := range b.rows {
		rows = append(rows, *r)
	}
	sort.Slice(rows, func(i, j int) bool {
		a, c := rows[i], rows[j]
		if ta, tc := cost.TeamRank(a.Team), cost.TeamRank(c.Team); ta != tc {
			return ta < tc
		}
		if a.Team != c.Team {
			return a.Team < c.Team
		}
		ra, na := classRank(a.Class)
		rc, nc := classRank(c.Class)
		if ra != rc {
			return ra < rc
		}
		if na != nc {
			return na < nc
		}
		return a.Component.Order() < c.Component.Order()
	})
	return rows
}
