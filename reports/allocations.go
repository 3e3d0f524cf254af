package reports

import (
	"io"
	"strconv"

	"github.com/allot-dev/allot/allocator"
)

// AllocationsHeader is the header of allocations.csv (SPEC §7).
var AllocationsHeader = []string{"period", "team", "action_class", "component", "actions", "unit_price", "amount", "currency"}

// WriteAllocations writes allocations.csv: one line per row, amounts with
// the currency's minor unit, actions and unit price empty where they do not
// apply.
func WriteAllocations(w io.Writer, res *allocator.Result) error {
	cw := csvWriter(w)
	if err := cw.Write(AllocationsHeader); err != nil {
		return err
	}
	for _, r := range res.Rows {
		actions, unit := "", ""
		if r.HasActions {
			actions = strconv.FormatInt(r.Actions, 10)
		}
		if r.HasUnitPrice {
			unit = r.UnitPrice.String()
		}
		rec := []string{res.Period.String(), Safe(r.Team), Safe(r.Class), string(r.Component), actions, unit,
			r.Amount.StringFixed(res.MinorUnits), res.Currency}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
