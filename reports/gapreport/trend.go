package gapreport

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/reports"
	"github.com/shopspring/decimal"
)

// TrendPoint is one period's coverage.
type TrendPoint struct {
	Period string `json:"period"`
	// Run is the ledger run whose summary the figures come from; empty for
	// the period of the report itself.
	Run string `json:"run,omitempty"`
	reports.CoverageFigures
	// CoverageChange is coverage_cost minus the previous point's, signed,
	// 6 decimals; null for the first point or when either is undefined.
	CoverageChange *string `json:"coverage_change"`
}

// RunSummary is a ledger run's stored summary.json, as the trend reads it.
type RunSummary struct {
	RunID   string
	Period  cost.Period
	Summary []byte
}

// TrendFromRuns picks, for each period before the given one, the newest
// run whose summary carries a coverage section (runs are given newest
// first, as the ledger lists them), and keeps the latest max periods (all
// when max <= 0). Runs recorded before summaries had the section are
// skipped. A summary that is not JSON is an error naming the run.
func TrendFromRuns(runs []RunSummary, before cost.Period, max int) ([]TrendPoint, error) {
	seen := map[cost.Period]bool{}
	var out []TrendPoint
	for _, r := range runs {
		if seen[r.Period] || !r.Period.Before(before) {
			continue
		}
		var s struct {
			Coverage *reports.CoverageSummary `json:"coverage"`
		}
		if len(r.Summary) > 0 {
			if err := json.Unmarshal(r.Summary, &s); err != nil {
				return nil, fmt.Errorf("gapreport: the summary of run %s (%s) is not JSON: %w", r.RunID, r.Period, err)
			}
		}
		if s.Coverage == nil {
			continue
		}
		seen[r.Period] = true
		out = append(out, TrendPoint{Period: r.Period.String(), Run: r.RunID, CoverageFigures: s.Coverage.CoverageFigures})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Period < out[j].Period })
	if max > 0 && len(out) > max {
		out = out[len(out)-max:]
	}
	return out, nil
}

// trend orders the earlier points, adds the report's own period and the
// change from point to point. Without earlier points the trend is empty.
func trend(points []TrendPoint, r *Report) []TrendPoint {
	out := []TrendPoint{}
	for _, p := range points {
		if r.Period == "" || p.Period < r.Period {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return out
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Period < out[j].Period })
	out = append(out, TrendPoint{Period: r.Period, CoverageFigures: r.CoverageFigures})
	for i := range out {
		out[i].CoverageChange = nil
		if i == 0 || out[i].CoverageCost == nil || out[i-1].CoverageCost == nil {
			continue
		}
		a, err1 := decimal.NewFromString(*out[i].CoverageCost)
		b, err2 := decimal.NewFromString(*out[i-1].CoverageCost)
		if err1 != nil || err2 != nil {
			continue
		}
		d := a.Sub(b).StringFixed(6)
		if !a.LessThan(b) {
			d = "+" + d
		}
		out[i].CoverageChange = &d
	}
	return out
}
