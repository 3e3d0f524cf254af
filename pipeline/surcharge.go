package pipeline

import (
	"github.com/allot-dev/allot/allocator"
	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// SurchargeBase returns the amount a period's buffer rate applied to: the
// sum, over the consuming teams' non-eval classes, of what the buffer
// surcharge is computed on (summary.json's buffer.surcharge_base).
//
//   - price-list mode: Σ actions × (b + O + R), with the price list's
//     rounded parts (the surcharge F = f·(b + O + R) per action);
//   - cost mode: Σ usage + overhead + registry, where overhead = o·usage
//     and registry = r·overhead only where the registry rate is charged
//     (the surcharge is f·(usage + overhead + registry)).
//
// Eval classes, the platform team's own work, unallocated cost and
// unregistered gateway teams carry no surcharge and are left out. The
// result is exact; the quarter-end reconciliation divides by it to find
// the buffer rates that would have kept the fund in its target range.
func SurchargeBase(in allocator.Input) decimal.Decimal {
	consuming := map[string]bool{}
	for _, t := range in.Teams {
		if !t.Platform {
			consuming[t.ID] = true
		}
	}
	p := in.Params
	var base decimal.Decimal
	switch p.Mode {
	case allocator.ModePriceList:
		for _, a := range in.Actions {
			if !consuming[a.Team] || a.Class == p.EvalClass {
				continue
			}
			pr, ok := in.Prices[a.Class]
			if !ok {
				continue // the allocator refuses the run (ErrNoPrice)
			}
			base = base.Add(pr.Base.Add(pr.Overhead).Add(pr.Registry).Mul(decimal.NewFromInt(a.Actions)))
		}
	case allocator.ModeCost:
		one := decimal.NewFromInt(1)
		// usage + o·usage + r·o·usage = usage·(1 + o + r·o) when charged.
		factor := one.Add(p.OverheadRate)
		if p.RegistryCharged {
			factor = factor.Add(p.RegistryRate.Mul(p.OverheadRate))
		}
		for _, g := range in.Costs {
			class := g.Class
			if class == "" {
				class = cost.Unclassified
			}
			if !consuming[g.Team] || class == p.EvalClass {
				continue
			}
			base = base.Add(g.Cost.Mul(factor))
		}
	}
	return base
}
