package gapreport

import (
	"sort"
	"strings"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/reports"
	"github.com/allot-dev/allot/tagging"
	"github.com/shopspring/decimal"
)

// DefaultTopN is how many entries each top-N list keeps when Options.TopN
// is 0.
const DefaultTopN = 20

// Options say what a report is about and how to show it.
type Options struct {
	Period   cost.Period // the month; zero leaves it out
	Currency string      // the corporate currency
	Basis    cost.Basis  // the cost basis
	Places   int32       // the currency's minor unit (2 for USD)
	TopN     int         // entries per top-N list; DefaultTopN when 0, all when negative
	// Trend holds earlier periods' coverage (see TrendFromSummary), in any
	// order; the report sorts them and appends this period.
	Trend []TrendPoint
}

// Report is the tagging-gap report; its JSON form is tagging-gaps.json
// (every field is documented in the package doc).
type Report struct {
	Period    string `json:"period,omitempty"`
	Currency  string `json:"currency,omitempty"`
	CostBasis string `json:"cost_basis,omitempty"`
	reports.CoverageFigures
	MaturityBands           Bands                      `json:"maturity_bands"`
	CoverageByProvider      []reports.ProviderCoverage `json:"coverage_by_provider"`
	UnallocatedBySubAccount map[string]string          `json:"unallocated_by_sub_account"`
	TopN                    int                        `json:"top_n"`
	Unallocated             Unallocated                `json:"unallocated"`
	TagKeyVariants          []KeyVariant               `json:"tag_key_variants"`
	UnknownTeamValues       []UnknownValue             `json:"unknown_team_values"`
	UnknownClassValues      []UnknownValue             `json:"unknown_class_values"`
	NoActionClass           NoActionClass              `json:"no_action_class"`
	Suggestions             []Suggestion               `json:"suggestions"`
	Trend                   []TrendPoint               `json:"trend"`

	total decimal.Decimal            // exact total cost, for shares
	exact map[string]decimal.Decimal // exact coverage costs, for the CSV's shares
}

// Bands are the maturity thresholds, as fractions of cost.
type Bands struct {
	WalkAbove string `json:"walk_above"`
	RunAbove  string `json:"run_above"`
}

// Item is one entry of a ranked list of unallocated cost.
type Item struct {
	Name  string `json:"name"`            // provider, sub-account id, service or resource id ("" when the lines have none)
	Label string `json:"label,omitempty"` // sub-account name
	Cost  string `json:"cost"`
	Lines int64  `json:"lines"`
	Share string `json:"share_of_total"` // cost ÷ total cost, 6 decimals
}

// Unallocated ranks unallocated cost by where it sits, each list the top
// N by absolute cost.
type Unallocated struct {
	ByProvider   []Item `json:"by_provider"`
	BySubAccount []Item `json:"by_sub_account"`
	ByService    []Item `json:"by_service"`
	ByResource   []Item `json:"by_resource"`
}

// KeyVariant is a team-like tag key as one provider's bills spell it.
type KeyVariant struct {
	Provider string `json:"provider"`
	Key      string `json:"key"`
	Use      string `json:"use"` // configured | case_folded | inherited | ignored
	Cost     string `json:"cost"`
	Lines    int64  `json:"lines"`
	Share    string `json:"share_of_total"`
}

// UnknownValue is a tag value that is not a team (or not a class).
type UnknownValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	Cost  string `json:"cost"`
	Lines int64  `json:"lines"`
	Share string `json:"share_of_total"`
	// SuggestedTeam is the team the value names once case and separators
	// are ignored (team values only).
	SuggestedTeam string `json:"suggested_team,omitempty"`
}

// NoActionClass is the cost of lines with a team but no action class.
type NoActionClass struct {
	Cost   string `json:"cost"`
	Lines  int64  `json:"lines"`
	ByTeam []Item `json:"by_team"`
	BySKU  []SKU  `json:"by_sku"`
}

// SKU is unclassified cost of one service and SKU.
type SKU struct {
	Service string `json:"service"`
	SKU     string `json:"sku"`
	Cost    string `json:"cost"`
	Lines   int64  `json:"lines"`
	Share   string `json:"share_of_total"`
}

// Build assembles the report from gap statistics.
func Build(s *tagging.Stats, o Options) *Report {
	if o.TopN == 0 {
		o.TopN = DefaultTopN
	}
	f := money(o.Places)
	r := &Report{
		CostBasis:               string(o.Basis),
		Currency:                o.Currency,
		CoverageFigures:         reports.Figures(&s.Overall, o.Places),
		MaturityBands:           Bands{WalkAbove: "0.80", RunAbove: "0.90"},
		CoverageByProvider:      reports.NewCoverageSummary(s, o.Places).ByProvider,
		UnallocatedBySubAccount: map[string]string{},
		TopN:                    o.TopN,
		total:                   s.Overall.Total.Cost,
		exact: map[string]decimal.Decimal{"total": s.Overall.Total.Cost, "allocated": s.Overall.Allocated.Cost,
			"unallocated": s.Overall.Unallocated.Cost},
	}
	for p, c := range s.ByProvider {
		r.exact["provider:"+p] = c.Total.Cost
	}
	if !o.Period.IsZero() {
		r.Period = o.Period.String()
	}
	for id, t := range s.UnallocatedBySubAccount {
		r.UnallocatedBySubAccount[id] = f(t.Cost)
	}
	items := func(m map[string]*tagging.Tally, label func(string) string) []Item {
		out := []Item{}
		for _, x := range tagging.Top(m, o.TopN) {
			it := Item{Name: x.Name, Cost: f(x.Cost), Lines: x.Lines, Share: r.share(x.Cost)}
			if label != nil {
				it.Label = label(x.Name)
			}
			out = append(out, it)
		}
		return out
	}
	r.Unallocated = Unallocated{
		ByProvider:   items(s.UnallocatedByProvider, nil),
		BySubAccount: items(s.UnallocatedBySubAccount, func(id string) string { return s.SubAccountNames[id] }),
		ByService:    items(s.UnallocatedByService, nil),
		ByResource:   items(s.UnallocatedByResource, nil),
	}
	r.TagKeyVariants = keyVariants(s, f, r.share)
	r.UnknownTeamValues = unknownValues(s.UnknownValues, f, r.share, s.Resolver().FoldTeam)
	r.UnknownClassValues = unknownValues(s.UnknownClasses, f, r.share, nil)
	var nc tagging.Tally
	for _, t := range s.NoClass {
		nc.Cost, nc.Lines = nc.Cost.Add(t.Cost), nc.Lines+t.Lines
	}
	r.NoActionClass = NoActionClass{Cost: f(nc.Cost), Lines: nc.Lines, ByTeam: items(s.NoClass, nil), BySKU: noClassSKUs(s, f, r.share, o.TopN)}
	r.Suggestions = suggest(s, f, r.share)
	r.Trend = trend(o.Trend, r)
	return r
}

// money formats an amount rounded half away from zero to places decimals.
func money(places int32) func(decimal.Decimal) string {
	return func(d decimal.Decimal) string { return d.Round(places).StringFixed(places) }
}

// share is cost ÷ the report's total cost, 6 decimals ("" when the total
// is zero).
func (r *Report) share(c decimal.Decimal) string {
	if r.total.IsZero() {
		return ""
	}
	return c.DivRound(r.total, 6).StringFixed(6)
}

func keyVariants(s *tagging.Stats, f func(decimal.Decimal) string, share shareFunc) []KeyVariant {
	out := []KeyVariant{}
	keys := make([]tagging.KeyVariant, 0, len(s.KeyVariants))
	for k := range s.KeyVariants {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := s.KeyVariants[keys[i]].Cost.Abs(), s.KeyVariants[keys[j]].Cost.Abs()
		if c := a.Cmp(b); c != 0 {
			return c > 0
		}
		if keys[i].Provider != keys[j].Provider {
			return keys[i].Provider < keys[j].Provider
		}
		return keys[i].Key < keys[j].Key
	})
	for _, k := range keys {
		t := s.KeyVariants[k]
		out = append(out, KeyVariant{Provider: k.Provider, Key: k.Key, Use: string(s.KeyUse(k)), Cost: f(t.Cost), Lines: t.Lines, Share: share(t.Cost)})
	}
	return out
}

func unknownValues(m map[tagging.ValueKey]*tagging.Tally, f func(decimal.Decimal) string, share shareFunc, fold func(string) (string, bool)) []UnknownValue {
	out := []UnknownValue{}
	keys := make([]tagging.ValueKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := m[keys[i]].Cost.Abs(), m[keys[j]].Cost.Abs()
		if c := a.Cmp(b); c != 0 {
			return c > 0
		}
		if keys[i].Key != keys[j].Key {
			return keys[i].Key < keys[j].Key
		}
		return keys[i].Value < keys[j].Value
	})
	for _, k := range keys {
		u := UnknownValue{Key: k.Key, Value: k.Value, Cost: f(m[k].Cost), Lines: m[k].Lines, Share: share(m[k].Cost)}
		if fold != nil {
			u.SuggestedTeam, _ = fold(k.Value)
		}
		out = append(out, u)
	}
	return out
}

func noClassSKUs(s *tagging.Stats, f func(decimal.Decimal) string, share shareFunc, n int) []SKU {
	keys := make([]tagging.SKUKey, 0, len(s.NoClassBySKU))
	for k := range s.NoClassBySKU {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := s.NoClassBySKU[keys[i]].Cost.Abs(), s.NoClassBySKU[keys[j]].Cost.Abs()
		if c := a.Cmp(b); c != 0 {
			return c > 0
		}
		return compareSKUs(keys[i], keys[j]) < 0
	})
	if n > 0 && len(keys) > n {
		keys = keys[:n]
	}
	out := []SKU{}
	for _, k := range keys {
		t := s.NoClassBySKU[k]
		out = append(out, SKU{Service: k.Service, SKU: k.SKU, Cost: f(t.Cost), Lines: t.Lines, Share: share(t.Cost)})
	}
	return out
}

// percent renders a 6-decimal fraction as a percentage with 2 decimals
// ("0.937379" → "93.74%"); "n/a" for an undefined fraction.
func percent(frac *string) string {
	if frac == nil || *frac == "" {
		return "n/a"
	}
	d, err := decimal.NewFromString(*frac)
	if err != nil {
		return *frac
	}
	return d.Mul(decimal.NewFromInt(100)).Round(2).StringFixed(2) + "%"
}

// grouped renders an amount with thousands separators ("1422.3" →
// "1,422.30" at places 2), for the human reports.
func grouped(amount string) string {
	neg := strings.HasPrefix(amount, "-")
	amount = strings.TrimPrefix(amount, "-")
	whole, frac, hasFrac := strings.Cut(amount, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String()
	if hasFrac {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}
