package statements

import (
	"sort"

	"github.com/allot-dev/allot/allocator"
	"github.com/shopspring/decimal"
)

// Runs is the team's agent runs, costed.
type Runs struct {
	// Basis says how a run is costed.
	Basis string    `json:"basis"`
	Count int       `json:"count"`
	Total Money     `json:"total"` // every run, exact costs summed, rounded once
	Top   []RunCost `json:"top"`
	// Uncosted lists classes whose actions have no per-action charge (cost
	// mode with no gateway actions of the class, or evals funded
	// centrally): their actions count as zero cost.
	Uncosted []string `json:"uncosted,omitempty"`
}

// RunCost is one agent run.
type RunCost struct {
	ID      string `json:"id"`
	Actions int64  `json:"actions"`
	Cost    Money  `json:"cost"` // exact cost rounded once
}

// Resources is the team's bill cost by resource.
type Resources struct {
	Count int            `json:"count"`
	Total Money          `json:"total"`
	Top   []ResourceCost `json:"top"`
}

// ResourceCost is one resource's bill cost.
type ResourceCost struct {
	ID    string `json:"id"`
	Cost  Money  `json:"cost"`
	Share string `json:"share"` // of the team's resource total, one decimal
}

// ranked is an id with an exact amount, for the top lists.
type ranked struct {
	id      string
	amount  decimal.Decimal
	actions int64
}

// keepTop inserts r into top (sorted by amount descending, then id) and
// keeps at most n entries, so memory stays bounded by n however many
// runs or resources a team has.
func keepTop(top []ranked, r ranked, n int) []ranked {
	i := sort.Search(len(top), func(i int) bool {
		c := top[i].amount.Cmp(r.amount)
		return c < 0 || c == 0 && top[i].id > r.id
	})
	if i >= n {
		return top
	}
	if len(top) < n {
		top = append(top, ranked{})
	}
	copy(top[i+1:], top[i:])
	top[i] = r
	return top
}

const (
	basisPrice = "each run's actions × what the team pays per action of the class (the class's unit price in the table above: b + O + R + F, or p × consumer share for evals), before any draw"
	basisCost  = "each run's actions × the class's effective cost per action (the team's class total ÷ its gateway actions of the class), before any draw"
)

// agentRuns costs every run of the team and keeps the top n.
func agentRuns(in Input, team string, perAction map[string]decimal.Decimal, gateway map[string]int64, m func(decimal.Decimal) Money) Runs {
	out := Runs{Basis: basisPrice, Total: m(decimal.Zero)}
	if in.Result.Mode == allocator.ModeCost {
		out.Basis = basisCost
	}
	runs := in.AgentRuns[team]
	n := in.topN()
	var top []ranked
	total := decimal.Zero
	uncosted := map[string]bool{}
	for id, byClass := range runs {
		r := ranked{id: id}
		for class, k := range byClass {
			r.actions += k
			u, ok := perAction[class]
			if !ok {
				uncosted[class] = true
				continue
			}
			r.amount = r.amount.Add(u.Mul(decimal.NewFromInt(k)))
		}
		total = total.Add(r.amount)
		top = keepTop(top, r, n)
	}
	out.Count, out.Total = len(runs), m(total)
	for _, r := range top {
		out.Top = append(out.Top, RunCost{ID: r.id, Actions: r.actions, Cost: m(r.amount)})
	}
	for c := range uncosted {
		out.Uncosted = append(out.Uncosted, c)
	}
	sort.Strings(out.Uncosted)
	return out
}

// resources ranks the team's resources by bill cost.
func resources(in Input, team string, m func(decimal.Decimal) Money) Resources {
	byID := in.Resources[team]
	n := in.topN()
	var top []ranked
	total := decimal.Zero
	for id, c := range byID {
		total = total.Add(c)
		top = keepTop(top, ranked{id: id, amount: c}, n)
	}
	out := Resources{Count: len(byID), Total: m(total)}
	for _, r := range top {
		out.Top = append(out.Top, ResourceCost{ID: r.id, Cost: m(r.amount), Share: percentOf(r.amount, total)})
	}
	return out
}
