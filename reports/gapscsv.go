package reports

import (
	"io"
	"sort"
	"strconv"

	"github.com/allot-dev/allot/tagging"
	"github.com/shopspring/decimal"
)

// GapsHeader is the header of tagging-gaps.csv.
var GapsHeader = []string{"section", "name", "value", "cost", "lines", "share_of_cost"}

// WriteGapsCSV writes tagging-gaps.csv: coverage overall and per provider,
// unallocated cost by provider, sub-account, service and resource (the top
// topN of each), team tag values that are not teams, team tag key variants,
// and teams with lines that have no action class. Costs use the run's
// minor unit; share_of_cost is the fraction of the total cost.
func WriteGapsCSV(w io.Writer, s *tagging.Stats, places int32, topN int) error {
	cw := csvWriter(w)
	total := s.Overall.Total.Cost
	share := func(c decimal.Decimal) string {
		if total.IsZero() {
			return ""
		}
		return c.DivRound(total, 6).String()
	}
	row := func(section, name, value string, t tagging.Tally) {
		_ = cw.Write([]string{section, Safe(name), Safe(value), t.Cost.Round(places).StringFixed(places), strconv.FormatInt(t.Lines, 10), share(t.Cost)})
	}
	_ = cw.Write(GapsHeader)
	row("coverage", "total", "", s.Overall.Total)
	row("coverage", "allocated", s.Overall.CostFraction().String(), s.Overall.Allocated)
	row("coverage", "unallocated", "", s.Overall.Unallocated)
	provs := make([]string, 0, len(s.ByProvider))
	for p := range s.ByProvider {
		provs = append(provs, p)
	}
	sort.Strings(provs)
	for _, p := range provs {
		row("coverage_by_provider", p, s.ByProvider[p].CostFraction().String(), s.ByProvider[p].Allocated)
	}
	for _, sec := range []struct {
		name string
		m    map[string]*tagging.Tally
	}{
		{"unallocated_by_provider", s.UnallocatedByProvider},
		{"unallocated_by_sub_account", s.UnallocatedBySubAccount},
		{"unallocated_by_service", s.UnallocatedByService},
		{"unallocated_by_resource", s.UnallocatedByResource},
		{"team_key_variant", s.TeamKeyVariants},
		{"no_action_class", s.NoClass},
	} {
		for _, r := range tagging.Top(sec.m, topN) {
			row(sec.name, r.Name, "", r.Tally)
		}
	}
	vals := make([]tagging.ValueKey, 0, len(s.UnknownValues))
	for k := range s.UnknownValues {
		vals = append(vals, k)
	}
	sort.Slice(vals, func(i, j int) bool {
		a, b := s.UnknownValues[vals[i]].Cost.Abs(), s.UnknownValues[vals[j]].Cost.Abs()
		if !a.Equal(b) {
			return a.GreaterThan(b)
		}
		if vals[i].Key != vals[j].Key {
			return vals[i].Key < vals[j].Key
		}
		return vals[i].Value < vals[j].Value
	})
	for _, k := range vals {
		row("unknown_team_value", k.Key, k.Value, *s.UnknownValues[k])
	}
	cw.Flush()
	return cw.Error()
}
