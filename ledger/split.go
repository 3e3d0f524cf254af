package ledger

import (
	"fmt"
	"math/big"
	"sort"

	"github.com/shopspring/decimal"
)

// splitLargestRemainder divides total (already rounded to places) into
// parts proportional to weights, each rounded to places, so that the parts
// add up to total exactly: every part gets the floor of its exact share,
// and the units left over go one each to the largest remainders (ties to
// the lower index). The arithmetic is on integers, so the result is exact.
// total and the weights must not be negative, and the weights must not all
// be zero.
func splitLargestRemainder(total decimal.Decimal, weights []decimal.Decimal, places int32) ([]decimal.Decimal, error) {
	if total.IsNegative() {
		return nil, fmt.Errorf("split: negative total %s", total)
	}
	if !total.Equal(total.Round(places)) {
		return nil, fmt.Errorf("split: total %s has more than %d decimals", total, places)
	}
	exp := int32(0)
	for _, w := range weights {
		if w.IsNegative() {
			return nil, fmt.Errorf("split: negative weight %s", w)
		}
		exp = min(exp, w.Exponent())
	}
	t := total.Shift(places).BigInt()
	ws := make([]*big.Int, len(weights))
	sum := new(big.Int)
	for i, w := range weights {
		ws[i] = w.Shift(-exp).BigInt() // exact: no weight has more than -exp decimals
		sum.Add(sum, ws[i])
	}
	if sum.Sign() == 0 {
		return nil, fmt.Errorf("split: every weight is zero")
	}
	quo := make([]*big.Int, len(ws))
	rem := make([]*big.Int, len(ws))
	left := new(big.Int).Set(t)
	for i, w := range ws {
		num := new(big.Int).Mul(t, w)
		quo[i], rem[i] = new(big.Int).QuoRem(num, sum, new(big.Int))
		left.Sub(left, quo[i])
	}
	order := make([]int, len(ws))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rem[order[a]].Cmp(rem[order[b]]) > 0 })
	one := big.NewInt(1)
	for k := 0; left.Sign() > 0; k++ {
		quo[order[k]].Add(quo[order[k]], one)
		left.Sub(left, one)
	}
	out := make([]decimal.Decimal, len(ws))
	for i := range quo {
		out[i] = decimal.NewFromBigInt(quo[i], -places)
	}
	return out, nil
}
