package reports

import (
	"github.com/allot-dev/allot/allocator"
	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// BillCarrying are the components whose rows carry bill cost one for one
// in cost mode (held cost too: it is journalled to the suspense account):
// the allocator's conservation set.
var BillCarrying = map[cost.Component]bool{
	cost.CompUsage: true, cost.CompEval: true, cost.CompCentralEval: true, cost.CompCentralRegistry: true,
	cost.CompCentralPlatform: true, cost.CompUnallocated: true, cost.CompUnallocatedShare: true,
}

// TeamSplit sums allocation rows by who bears them: the consuming teams
// (Charged), the central budget and the unallocated pseudo-team.
type TeamSplit struct {
	Charged, Central, Unallocated decimal.Decimal
}

// Add counts one row of team.
func (s *TeamSplit) Add(team string, amount decimal.Decimal) {
	switch team {
	case cost.Central:
		s.Central = s.Central.Add(amount)
	case cost.Unallocated:
		s.Unallocated = s.Unallocated.Add(amount)
	default:
		s.Charged = s.Charged.Add(amount)
	}
}

// Journalled returns the part of the bill the run's journals recharge
// (the numerator of the FinOps GL recharge rate; the bill, res.InputCost,
// is the denominator), on exact amounts:
//
//   - cost mode: the rows that carry bill lines one for one (usage, eval,
//     the central components, unallocated and unallocated_share);
//   - price-list mode: the bill minus what no journal line recovers: each
//     class's shortfall max(0, actual − recovered), less the rows with no
//     class (seat fees, unallocated shares), which cover shortfalls; one
//     class's over-recovery does not cover another's shortfall.
//
// Buffer surcharges and draws move the fund, not the bill, and never count.
func Journalled(res *allocator.Result) decimal.Decimal {
	if res.Mode == allocator.ModeCost {
		j := decimal.Zero
		for _, r := range res.Rows {
			if BillCarrying[r.Component] {
				j = j.Add(r.Exact)
			}
		}
		return j
	}
	noClass := decimal.Zero
	recovered := map[string]decimal.Decimal{}
	for _, r := range res.Rows {
		if r.Component == cost.CompBufferSurcharge || r.Component == cost.CompBufferDraw {
			continue
		}
		if r.Class == "" {
			noClass = noClass.Add(r.Exact)
			continue
		}
		recovered[r.Class] = recovered[r.Class].Add(r.Exact)
	}
	short := decimal.Zero
	for _, v := range res.Variance {
		if d := v.Actual.Sub(recovered[v.Class]); d.IsPositive() {
			short = short.Add(d)
		}
	}
	short = short.Sub(noClass)
	if short.IsNegative() {
		short = decimal.Zero
	}
	return res.InputCost.Sub(short)
}

// RechargeRate is Journalled ÷ the bill with 6 decimals ("1.000000" when
// nothing is lost), or "" for an empty bill.
func RechargeRate(res *allocator.Result) string {
	if res.InputCost.IsZero() {
		return ""
	}
	return Journalled(res).DivRound(res.InputCost, 6).StringFixed(6)
}
