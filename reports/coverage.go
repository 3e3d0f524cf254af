package reports

import (
	"sort"

	"github.com/allot-dev/allot/tagging"
	"github.com/shopspring/decimal"
)

// CoverageFigures is allocatable coverage: allocated means resolved to a
// registered team (the platform team included); cost is in the corporate
// currency on the configured basis. Amounts are rounded half away from
// zero to the currency's minor unit, each on its own; the fractions are
// computed from the exact sums and rounded half away from zero to 6
// decimals, and are null when their total is zero.
type CoverageFigures struct {
	TotalCost        string  `json:"total_cost"`
	AllocatedCost    string  `json:"allocated_cost"`
	UnallocatedCost  string  `json:"unallocated_cost"`
	CoverageCost     *string `json:"coverage_cost"` // allocated ÷ total cost
	TotalLines       int64   `json:"total_lines"`
	AllocatedLines   int64   `json:"allocated_lines"`
	UnallocatedLines int64   `json:"unallocated_lines"`
	CoverageLines    *string `json:"coverage_lines"` // allocated ÷ total lines
	// Maturity is the FinOps allocation maturity band of the cost
	// coverage: run above 90%, walk above 80%, crawl otherwise.
	Maturity string `json:"maturity"`
}

// ProviderCoverage is one provider's coverage.
type ProviderCoverage struct {
	Provider string `json:"provider"`
	CoverageFigures
}

// CoverageSummary is coverage overall and per provider (by name): the
// coverage section of summary.json, and the head of tagging-gaps.json.
type CoverageSummary struct {
	CoverageFigures
	ByProvider []ProviderCoverage `json:"by_provider"`
}

// Maturity bands (FinOps Foundation: the most mature allocate more than
// 90% of their cost, walk is above 80%).
const (
	MaturityCrawl = "crawl"
	MaturityWalk  = "walk"
	MaturityRun   = "run"
)

var (
	walkAbove = decimal.RequireFromString("0.8")
	runAbove  = decimal.RequireFromString("0.9")
)

// Maturity returns the band of an exact coverage fraction.
func Maturity(fraction decimal.Decimal) string {
	switch {
	case fraction.GreaterThan(runAbove):
		return MaturityRun
	case fraction.GreaterThan(walkAbove):
		return MaturityWalk
	}
	return MaturityCrawl
}

// band compares exactly: allocated > 0.9 × total is run even when the
// fraction rounds to 0.900000.
func band(allocated, total decimal.Decimal) string {
	if !total.IsPositive() {
		return Maturity(allocated.DivRound(total, 24))
	}
	switch {
	case allocated.GreaterThan(total.Mul(runAbove)):
		return MaturityRun
	case allocated.GreaterThan(total.Mul(walkAbove)):
		return MaturityWalk
	}
	return MaturityCrawl
}

// Figures turns a coverage tally into its report figures; places is the
// currency's minor unit.
func Figures(c *tagging.Coverage, places int32) CoverageFigures {
	f := func(d decimal.Decimal) string { return d.Round(places).StringFixed(places) }
	out := CoverageFigures{
		TotalCost: f(c.Total.Cost), AllocatedCost: f(c.Allocated.Cost), UnallocatedCost: f(c.Unallocated.Cost),
		TotalLines: c.Total.Lines, AllocatedLines: c.Allocated.Lines, UnallocatedLines: c.Unallocated.Lines,
		Maturity: MaturityCrawl,
	}
	if !c.Total.Cost.IsZero() {
		v := c.Allocated.Cost.DivRound(c.Total.Cost, 6).StringFixed(6)
		out.CoverageCost, out.Maturity = &v, band(c.Allocated.Cost, c.Total.Cost)
	}
	if c.Total.Lines != 0 {
		v := decimal.NewFromInt(c.Allocated.Lines).DivRound(decimal.NewFromInt(c.Total.Lines), 6).StringFixed(6)
		out.CoverageLines = &v
	}
	return out
}

// NewCoverageSummary summarizes gap statistics' coverage, providers in
// name order.
func NewCoverageSummary(s *tagging.Stats, places int32) *CoverageSummary {
	cs := &CoverageSummary{CoverageFigures: Figures(&s.Overall, places), ByProvider: []ProviderCoverage{}}
	provs := make([]string, 0, len(s.ByProvider))
	for p := range s.ByProvider {
		provs = append(provs, p)
	}
	sort.Strings(provs)
	for _, p := range provs {
		cs.ByProvider = append(cs.ByProvider, ProviderCoverage{Provider: p, CoverageFigures: Figures(s.ByProvider[p], places)})
	}
	return cs
}
