package allocator

import (
	"fmt"
	"sort"

	"github.com/shopspring/decimal"
)

// Split divides total into parts proportional to weights, each with the
// given number of decimal places, by the largest-remainder method, so that
// the parts add up to total exactly. total must have at most places
// decimals; weights must not be negative and must not all be zero.
//
// Example: Split(100, [1, 1, 1], 2) = [33.34, 33.33, 33.33].
func Split(total decimal.Decimal, weights []decimal.Decimal, places int32) ([]decimal.Decimal, error) {
	if !total.Equal(total.Truncate(places)) {
		return nil, fmt.Errorf("allocator: split: total %s has more than %d decimals", total, places)
	}
	sum := decimal.Zero
	for i, w := range weights {
		if w.IsNegative() {
			return nil, fmt.Errorf("allocator: split: weight %d is negative (%s)", i, w)
		}
		sum = sum.Add(w)
	}
	if sum.IsZero() {
		return nil, fmt.Errorf("allocator: split: the weights add up to zero")
	}
	exact := make([]decimal.Decimal, len(weights))
	for i, w := range weights {
		// Keep far more digits than places so the remainders rank correctly.
		exact[i] = total.Mul(w).DivRound(sum, places+12)
	}
	return LargestRemainder(exact, total, places), nil
}

// LargestRemainder rounds each value to places decimals so that the
// results add up to target, which must be a multiple of 10^-places lying
// between the sum of the values rounded down and the sum rounded up. Each
// value is rounded down (toward −∞) and the units left over go to the
// values with the largest remainders, ties to the earlier value. Every
// result is therefore within one unit of its value.
func LargestRemainder(values []decimal.Decimal, target decimal.Decimal, places int32) []decimal.Decimal {
	unit := decimal.New(1, -places)
	out := make([]decimal.Decimal, len(values))
	rems := make([]decimal.Decimal, len(values))
	floorSum := decimal.Zero
	for i, v := range values {
		f := v.RoundFloor(places)
		out[i] = f
		rems[i] = v.Sub(f)
		floorSum = floorSum.Add(f)
	}
	k := target.Sub(floorSum).Div(unit).IntPart()
	if k < 0 || k > int64(len(values)) {
		panic(fmt.Sprintf("allocator: largest remainder: target %s is out of reach of %d values summing to %s", target, len(values), floorSum))
	}
	idx := make([]int, len(values))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return rems[idx[a]].GreaterThan(rems[idx[b]]) })
	for _, i := range idx[:k] {
		out[i] = out[i].Add(unit)
	}
	return out
}

// roundRows rounds every row's Exact into Amount: the grand total is the
// rounded exact total, split across teams by largest remainder, and each
// team's share split across its rows by largest remainder.
func roundRows(rows []Row, places int32) {
	var teams []string
	byTeam := map[string][]int{}
	total := decimal.Zero
	for i := range rows {
		t := rows[i].Team
		if _, ok := byTeam[t]; !ok {
			teams = append(teams, t)
		}
		byTeam[t] = append(byTeam[t], i)
		total = total.Add(rows[i].Exact)
	}
	teamExact := make([]decimal.Decimal, len(teams))
	for j, t := range teams {
		for _, i := range byTeam[t] {
			teamExact[j] = teamExact[j].Add(rows[i].Exact)
		}
	}
	teamTarget := LargestRemainder(teamExact, total.Round(places), places)
	for j, t := range teams {
		idx := byTeam[t]
		vals := make([]decimal.Decimal, len(idx))
		for k, i := range idx {
			vals[k] = rows[i].Exact
		}
		for k, v := range LargestRemainder(vals, teamTarget[j], places) {
			rows[idx[k]].Amount = v
		}
	}
}
