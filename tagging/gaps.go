package tagging

import (
	"sort"
	"strings"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// Tally is a cost and a count of bill lines.
type Tally struct {
	Cost  decimal.Decimal
	Lines int64
}

func (t *Tally) add(amount decimal.Decimal, lines int64) {
	t.Cost = t.Cost.Add(amount)
	t.Lines += lines
}

// Coverage is allocatable coverage: allocated means resolved to a
// registered team, the platform team included.
type Coverage struct {
	Total       Tally
	Allocated   Tally
	Unallocated Tally
}

// CostFraction is allocated ÷ total cost (0 when the total is 0), with 6
// decimals.
func (c *Coverage) CostFraction() decimal.Decimal {
	if c.Total.Cost.IsZero() {
		return decimal.Zero
	}
	return c.Allocated.Cost.DivRound(c.Total.Cost, 6)
}

// LineFraction is allocated ÷ total lines, with 6 decimals.
func (c *Coverage) LineFraction() decimal.Decimal {
	if c.Total.Lines == 0 {
		return decimal.Zero
	}
	return decimal.NewFromInt(c.Allocated.Lines).DivRound(decimal.NewFromInt(c.Total.Lines), 6)
}

// ValueKey is a tag key and value as written on bills.
type ValueKey struct{ Key, Value string }

// Stats gathers what the tagging-gap report shows. Memory grows with the
// number of distinct sub-accounts, services, resources and tag values,
// never with the number of lines.
type Stats struct {
	Overall    Coverage
	ByProvider map[string]*Coverage

	// Unallocated cost by where it sits.
	UnallocatedByProvider   map[string]*Tally
	UnallocatedBySubAccount map[string]*Tally
	UnallocatedByService    map[string]*Tally
	UnallocatedByResource   map[string]*Tally

	// TeamKeyVariants counts every tag key that looks like a team key (it
	// equals a configured team key ignoring case, or contains "team"), as
	// spelled on bills.
	TeamKeyVariants map[string]*Tally
	// UnknownValues counts team tag values that are not registered teams.
	UnknownValues map[ValueKey]*Tally
	// UnknownClasses counts action class tag values that are not classes.
	UnknownClasses map[ValueKey]*Tally
	// NoClass counts lines with a team but no action class, per team
	// (platform lines with a platform component, such as the registry, are
	// classified by their component and not counted).
	NoClass map[string]*Tally

	// TeamBySubAccount is the allocated cost per (sub-account, team), for
	// suggesting a default for a sub-account mostly tagged one way.
	TeamBySubAccount map[string]map[string]*Tally

	teamKeys map[string]bool
}

// NewStats returns empty statistics for a resolver's configuration.
func (r *Resolver) NewStats() *Stats {
	s := &Stats{
		ByProvider:              map[string]*Coverage{},
		UnallocatedByProvider:   map[string]*Tally{},
		UnallocatedBySubAccount: map[string]*Tally{},
		UnallocatedByService:    map[string]*Tally{},
		UnallocatedByResource:   map[string]*Tally{},
		TeamKeyVariants:         map[string]*Tally{},
		UnknownValues:           map[ValueKey]*Tally{},
		UnknownClasses:          map[ValueKey]*Tally{},
		NoClass:                 map[string]*Tally{},
		TeamBySubAccount:        map[string]map[string]*Tally{},
		teamKeys:                map[string]bool{},
	}
	for _, k := range r.cfg.Tagging.TeamKeys {
		s.teamKeys[strings.ToLower(k)] = true
	}
	return s
}

func tally(m map[string]*Tally, key string) *Tally {
	t, ok := m[key]
	if !ok {
		t = &Tally{}
		m[key] = t
	}
	return t
}

// Add counts one resolved line whose cost, in the corporate currency and on
// the configured basis, is amount.
func (s *Stats) Add(li *cost.LineItem, amount decimal.Decimal, res Resolution) {
	lines := li.Lines()
	prov := li.ProviderName
	pc, ok := s.ByProvider[prov]
	if !ok {
		pc = &Coverage{}
		s.ByProvider[prov] = pc
	}
	for _, c := range []*Coverage{&s.Overall, pc} {
		c.Total.add(amount, lines)
		if res.Team.Value != "" {
			c.Allocated.add(amount, lines)
		} else {
			c.Unallocated.add(amount, lines)
		}
	}
	if res.Team.Value == "" {
		tally(s.UnallocatedByProvider, prov).add(amount, lines)
		tally(s.UnallocatedBySubAccount, li.SubAccountID).add(amount, lines)
		tally(s.UnallocatedByService, li.ServiceName).add(amount, lines)
		tally(s.UnallocatedByResource, li.ResourceID).add(amount, lines)
	} else {
		if res.Class.Value == "" && res.Component.Value == "" {
			tally(s.NoClass, res.Team.Value).add(amount, lines)
		}
		m, ok := s.TeamBySubAccount[li.SubAccountID]
		if !ok {
			m = map[string]*Tally{}
			s.TeamBySubAccount[li.SubAccountID] = m
		}
		tally(m, res.Team.Value).add(amount, lines)
	}
	for k := range li.Tags {
		lk := strings.ToLower(k)
		if s.teamKeys[lk] || strings.Contains(lk, "team") {
			tally(s.TeamKeyVariants, k).add(amount, lines)
		}
	}
	for _, g := range res.Gaps {
		vk := ValueKey{Key: g.Key, Value: g.Value}
		var m map[ValueKey]*Tally
		switch g.Kind {
		case GapUnknownTeam:
			m = s.UnknownValues
		case GapUnknownClass:
			m = s.UnknownClasses
		default:
			continue
		}
		t, ok := m[vk]
		if !ok {
			t = &Tally{}
			m[vk] = t
		}
		t.add(amount, lines)
	}
}

// Ranked is a named tally, for top-N lists.
type Ranked struct {
	Name string
	Tally
}

// Top returns the n largest tallies by absolute cost (all when n <= 0),
// ties broken by name.
func Top(m map[string]*Tally, n int) []Ranked {
	out := make([]Ranked, 0, len(m))
	for k, t := range m {
		out = append(out, Ranked{Name: k, Tally: *t})
	}
	sort.Slice(out, func(i, j int) bool {
		c := out[i].Cost.Abs().Cmp(out[j].Cost.Abs())
		if c != 0 {
			return c > 0
		}
		return out[i].Name < out[j].Name
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}
