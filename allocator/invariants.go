package allocator

import (
	"fmt"
	"sort"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// conserved are the components that carry the bill's cost in cost mode (and
// the full price of every action in price-list mode): usage plus eval plus
// the central carve-outs plus unallocated cost equals the input.
var conserved = map[cost.Component]bool{
	cost.CompUsage: true, cost.CompEval: true, cost.CompCentralEval: true, cost.CompCentralRegistry: true,
	cost.CompCentralPlatform: true, cost.CompUnallocated: true, cost.CompUnallocatedShare: true,
}

func variance(res *Result, in Input) []ClassVariance {
	by := map[string]*ClassVariance{}
	get := func(c string) *ClassVariance {
		if c == "" {
			c = cost.Unclassified
		}
		v, ok := by[c]
		if !ok {
			v = &ClassVariance{Class: c}
			by[c] = v
		}
		return v
	}
	for _, g := range in.Costs {
		get(g.Class).Actual = get(g.Class).Actual.Add(g.Cost)
	}
	for _, a := range in.Actions {
		get(a.Class).Actions += a.Actions
	}
	for _, r := range res.Rows {
		if r.Class == "" || r.Component == cost.CompBufferSurcharge || r.Component == cost.CompBufferDraw {
			continue
		}
		get(r.Class).Recovered = get(r.Class).Recovered.Add(r.Exact)
	}
	rank := map[string]int{}
	for i, c := range in.Params.Classes {
		rank[c] = i + 1
	}
	out := make([]ClassVariance, 0, len(by))
	for _, v := range by {
		v.Variance = v.Recovered.Sub(v.Actual)
		out = append(out, *v)
	}
	sort.Slice(out, func(i, j int) bool {
		ri, rj := rank[out[i].Class], rank[out[j].Class]
		if ri == 0 {
			ri = len(rank) + 1
		}
		if rj == 0 {
			rj = len(rank) + 1
		}
		if ri != rj {
			return ri < rj
		}
		return out[i].Class < out[j].Class
	})
	return out
}

func checkInvariants(res *Result, in Input, b *builder) []Invariant {
	var invs []Invariant
	check := func(name string, ok bool, format string, args ...any) {
		invs = append(invs, Invariant{Name: name, OK: ok, Detail: fmt.Sprintf(format, args...)})
	}
	places := res.MinorUnits
	unit := decimal.New(1, -places)

	// Every row of the builder, including rows that rounded to zero.
	exactTotal, roundedTotal := decimal.Zero, decimal.Zero
	for _, r := range b.rows {
		exactTotal = exactTotal.Add(r.Exact)
	}
	worst := decimal.Zero
	for _, r := range res.Rows {
		roundedTotal = roundedTotal.Add(r.Amount)
		if d := r.Amount.Sub(r.Exact).Abs(); d.GreaterThan(worst) {
			worst = d
		}
	}
	check("rows_add_up_to_rounded_total", roundedTotal.Equal(exactTotal.Round(places)),
		"rounded rows %s, exact total %s rounded %s", roundedTotal.StringFixed(places), exactTotal, exactTotal.Round(places).StringFixed(places))
	check("rows_within_one_minor_unit", worst.LessThan(unit), "largest rounding difference %s", worst)

	conservedExact := decimal.Zero
	for _, r := range b.rows {
		if conserved[r.Component] {
			conservedExact = conservedExact.Add(r.Exact)
		}
	}
	switch res.Mode {
	case ModeCost:
		check("cost_conserved", conservedExact.Equal(res.InputCost),
			"usage + eval + central + unallocated = %s; input cost = %s", conservedExact, res.InputCost)
	case ModePriceList:
		check("actions_priced_in_full", conservedExact.Add(priceParts(b)).Equal(res.Priced),
			"every gateway action's price lands in a row: rows %s, actions × price %s", conservedExact.Add(priceParts(b)), res.Priced)
		bad := ""
		for _, r := range b.rows {
			if r.HasActions && r.HasUnitPrice && !r.Exact.Equal(r.UnitPrice.Mul(decimal.NewFromInt(r.Actions))) {
				bad = fmt.Sprintf("%s/%s/%s: %s ≠ %d × %s", r.Team, r.Class, r.Component, r.Exact, r.Actions, r.UnitPrice)
				break
			}
		}
		check("charges_equal_actions_times_price", bad == "", "%s", orOK(bad))
		rec, act, vr := decimal.Zero, decimal.Zero, decimal.Zero
		for _, v := range res.Variance {
			rec, act, vr = rec.Add(v.Recovered), act.Add(v.Actual), vr.Add(v.Variance)
		}
		check("recovered_minus_actual_is_variance", rec.Sub(act).Equal(vr), "recovered %s − actual %s = variance %s", rec, act, vr)
	}
	bf := res.Buffer
	check("buffer_balances", bf.Opening.Add(bf.Surcharges).Sub(bf.Draws).Equal(bf.Closing),
		"opening %s + surcharges %s − draws %s = closing %s", bf.Opening, bf.Surcharges, bf.Draws, bf.Closing)
	drawExact := decimal.Zero
	for _, d := range res.Draws {
		drawExact = drawExact.Add(d.Amount)
	}
	surchargeExact := b.sum(func(r *Row) bool { return r.Component == cost.CompBufferSurcharge })
	check("draws_within_fund", drawExact.IsZero() || !drawExact.GreaterThan(in.Buffer.Opening.Add(surchargeExact)),
		"draws %s ≤ opening %s + surcharges %s", drawExact, in.Buffer.Opening, surchargeExact)
	return invs
}

// priceParts sums the rows that hold the rest of a consuming team's price
// (overhead, registry, surcharge) so price-list conservation covers the
// whole price n·p.
func priceParts(b *builder) decimal.Decimal {
	return b.sum(func(r *Row) bool {
		return r.Component == cost.CompOverhead || r.Component == cost.CompRegistry || r.Component == cost.CompBufferSurcharge
	})
}

func orOK(s string) string {
	if s == "" {
		return "every priced row equals actions × unit price"
	}
	return s
}
