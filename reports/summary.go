package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/allot-dev/allot/allocator"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/tagging"
	"github.com/shopspring/decimal"
)

// SourceSummary is what one source contributed.
type SourceSummary struct {
	Name            string `json:"name"`
	Kind            string `json:"kind"`
	URL             string `json:"url"`
	Lines           int64  `json:"lines"`
	Billed          string `json:"billed,omitempty"`
	Effective       string `json:"effective,omitempty"`
	Actions         int64  `json:"actions,omitempty"`
	OutOfPeriod     int64  `json:"out_of_period"`
	OutOfPeriodCost string `json:"out_of_period_cost,omitempty"`
	Duplicates      int64  `json:"duplicates,omitempty"`
}

// Summary is summary.json: the run's figures and its invariants.
type Summary struct {
	Period     string                `json:"period"`
	Model      string                `json:"model"`
	Mode       string                `json:"mode"`
	Currency   string                `json:"currency"`
	CostBasis  string                `json:"cost_basis"`
	OK         bool                  `json:"ok"`
	Input      InputSummary          `json:"input"`
	Charged    string                `json:"charged"` // consuming teams, net of draws
	Central    string                `json:"central"`
	Unalloc    string                `json:"unallocated"`
	Total      string                `json:"total"`     // every row
	Recovered  string                `json:"recovered"` // every row but buffer surcharges and draws
	Actual     string                `json:"actual"`    // the bill's cost (the input cost)
	Variance   string                `json:"variance"`  // recovered − actual: the platform's over- or under-recovery
	ByClass    []ClassSummary        `json:"variance_by_class"`
	Teams      []TeamSummary         `json:"teams"`
	Buffer     BufferSummary         `json:"buffer"`
	Draws      []DrawSummary         `json:"draws"`
	Journals   []JournalStats        `json:"journals"`
	Recharge   string                `json:"gl_recharge_rate"` // journalled bill cost ÷ bill cost
	PriceList  string                `json:"price_list,omitempty"`
	Notes      []string              `json:"notes,omitempty"`
	Invariants []allocator.Invariant `json:"invariants"`
	// Coverage is the run's allocatable tagging coverage (see
	// CoverageSummary); the ledger keeps it with the run so allot gaps can
	// show the trend.
	Coverage *CoverageSummary `json:"coverage,omitempty"`

	// TeamClasses are each team's actions and amounts per class, for a
	// later run's month-over-month comparison (team statements).
	TeamClasses []TeamClassSummary `json:"team_classes,omitempty"`
}

// InputSummary describes the inputs.
type InputSummary struct {
	Lines   int64           `json:"lines"`
	Cost    string          `json:"cost"`
	Actions int64           `json:"actions"`
	Sources []SourceSummary `json:"sources"`
}

// ClassSummary is one class's recovery.
type ClassSummary struct {
	Class     string `json:"class"`
	Actions   int64  `json:"actions"`
	Recovered string `json:"recovered"`
	Actual    string `json:"actual"`
	Variance  string `json:"variance"`
}

// TeamSummary is one team's total.
type TeamSummary struct {
	Team  string `json:"team"`
	Total string `json:"total"`
}

// TeamClassSummary is one team's figures for one action class, or for one
// component of its rows that have no class (seat, buffer_draw,
// unallocated_share, central_registry, …).
type TeamClassSummary struct {
	Team      string `json:"team"`
	Class     string `json:"class,omitempty"`     // empty for rows with no class
	Component string `json:"component,omitempty"` // set only for rows with no class
	// Actions is the largest action count of the team's rows of the class
	// (the actions priced, in price-list mode); where those rows carry no
	// count (cost mode), the team's gateway actions of the class from
	// SummaryInput.Actions.
	Actions int64  `json:"actions"`
	Amount  string `json:"amount"` // the sum of the rounded rows
}

// BufferSummary is the fund's movement.
type BufferSummary struct {
	Opening    string `json:"opening"`
	Surcharges string `json:"surcharges"`
	Draws      string `json:"draws"`
	Closing    string `json:"closing"`
	// SurchargeBase is the amount the buffer rate applied to in the period
	// (rounded to the minor unit): price-list mode Σ actions × (b + O + R)
	// of the consuming teams' non-eval classes, cost mode Σ usage +
	// overhead + registry of those teams (pipeline.SurchargeBase). The
	// quarter-end reconciliation divides by it.
	SurchargeBase string `json:"surcharge_base,omitempty"`
}

// DrawSummary explains a draw request.
type DrawSummary struct {
	Team      string `json:"team"`
	Cause     string `json:"cause"`
	Granted   bool   `json:"granted"`
	Amount    string `json:"amount"`
	LimitedBy string `json:"limited_by,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// JournalStats describes one journal.
type JournalStats struct {
	ID       string `json:"id"`
	Company  string `json:"company"`
	Currency string `json:"currency"`
	Lines    int    `json:"lines"`
	Debit    string `json:"debit"`
	Credit   string `json:"credit"`
}

// SummaryInput is what the summary needs beyond the allocation.
type SummaryInput struct {
	Model     cost.Model
	CostBasis cost.Basis
	Sources   []SourceSummary
	PriceList string
	Accounts  Accounts
	// Stats, when set, adds the coverage section.
	Stats *tagging.Stats
	// Actions are the gateway's action counts; optional. Team classes take
	// their actions from them where the rows carry none, and a team's
	// class with gateway actions but no row (evals funded centrally) is
	// listed with amount 0.
	Actions []allocator.ActionGroup
}

// BuildSummary assembles summary.json and checks the journal invariants:
// every journal balances, and each team's net chargeback expense, the
// central budget and the suspense account equal their allocation rows. The
// checks are appended to the allocation's own invariants.
func BuildSummary(res *allocator.Result, js []cost.Journal, in SummaryInput) *Summary {
	pl := res.MinorUnits
	f := func(d decimal.Decimal) string { return d.Round(pl).StringFixed(pl) }
	s := &Summary{
		Period: res.Period.String(), Model: string(in.Model), Mode: string(res.Mode), Currency: res.Currency,
		CostBasis: string(in.CostBasis), PriceList: in.PriceList, Notes: res.Notes,
		Input: InputSummary{Lines: res.InputLines, Cost: f(res.InputCost), Actions: res.InputActions, Sources: in.Sources},
	}
	teamTotals := map[string]decimal.Decimal{}
	var split TeamSplit
	var total decimal.Decimal
	for _, r := range res.Rows {
		teamTotals[r.Team] = teamTotals[r.Team].Add(r.Amount)
		total = total.Add(r.Amount)
		split.Add(r.Team, r.Amount)
	}
	s.Charged, s.Central, s.Unalloc, s.Total = f(split.Charged), f(split.Central), f(split.Unallocated), f(total)
	// Recovered is every row but the fund's (surcharges and draws move the
	// buffer, not the bill): the classes' rows plus those with no class
	// (seats, unallocated shares), as the reconciliation counts it.
	var rec, act decimal.Decimal
	for _, r := range res.Rows {
		if r.Component != cost.CompBufferSurcharge && r.Component != cost.CompBufferDraw {
			rec = rec.Add(r.Exact)
		}
	}
	for _, v := range res.Variance {
		act = act.Add(v.Actual)
		s.ByClass = append(s.ByClass, ClassSummary{Class: v.Class, Actions: v.Actions, Recovered: f(v.Recovered), Actual: f(v.Actual), Variance: f(v.Variance)})
	}
	s.Recovered, s.Actual, s.Variance = f(rec), f(act), f(rec.Sub(act))
	s.Recharge = RechargeRate(res)
	var ids []string
	for id := range teamTotals {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return teamLess(ids[i], ids[j]) })
	for _, id := range ids {
		s.Teams = append(s.Teams, TeamSummary{Team: id, Total: f(teamTotals[id])})
	}
	s.TeamClasses = teamClasses(res, in.Actions, teamTotals)
	b := res.Buffer
	s.Buffer = BufferSummary{Opening: f(b.Opening), Surcharges: f(b.Surcharges), Draws: f(b.Draws), Closing: f(b.Closing)}
	for _, d := range res.Draws {
		s.Draws = append(s.Draws, DrawSummary{Team: d.Team, Cause: d.Cause, Granted: d.Amount.IsPositive(), Amount: f(d.Amount), LimitedBy: d.LimitedBy, Reason: d.Reason})
	}
	for _, j := range js {
		d, c := j.Totals()
		s.Journals = append(s.Journals, JournalStats{ID: j.ID, Company: j.Company, Currency: j.Currency, Lines: len(j.Lines), Debit: f(d), Credit: f(c)})
	}
	s.Invariants = append(append([]allocator.Invariant(nil), res.Invariants...), journalInvariants(js, teamTotals, in.Accounts, pl)...)
	if in.Stats != nil {
		s.Coverage = NewCoverageSummary(in.Stats, pl)
	}
	s.OK = true
	for _, inv := range s.Invariants {
		s.OK = s.OK && inv.OK
	}
	return s
}

// teamClasses sums each team's rounded rows per class (and per component
// for rows with no class), in row order.
func teamClasses(res *allocator.Result, actions []allocator.ActionGroup, teamTotals map[string]decimal.Decimal) []TeamClassSummary {
	type key struct{ team, class, comp string }
	type acc struct {
		actions    int64
		hasActions bool
		amount     decimal.Decimal
	}
	gateway := map[key]int64{}
	for _, a := range actions {
		gateway[key{a.Team, a.Class, ""}] += a.Actions
	}
	by := map[key]*acc{}
	var order []key
	for _, r := range res.Rows {
		k := key{r.Team, r.Class, ""}
		if r.Class == "" {
			k.comp = string(r.Component)
		}
		a, ok := by[k]
		if !ok {
			a = &acc{}
			by[k] = a
			order = append(order, k)
		}
		a.amount = a.amount.Add(r.Amount)
		if r.HasActions && r.Class != "" && (!a.hasActions || r.Actions > a.actions) {
			a.actions, a.hasActions = r.Actions, true
		}
	}
	// Gateway classes of a team with rows but no row of the class.
	var extra []key
	for k := range gateway {
		if _, ok := teamTotals[k.team]; ok && k.class != "" {
			if _, ok := by[k]; !ok {
				extra = append(extra, k)
			}
		}
	}
	sort.Slice(extra, func(i, j int) bool {
		if extra[i].team != extra[j].team {
			return extra[i].team < extra[j].team
		}
		return extra[i].class < extra[j].class
	})
	for _, k := range extra {
		by[k] = &acc{}
		order = append(order, k)
	}
	// Teams in summary order; within a team, classes in row order, then
	// gateway-only classes, then rows with no class.
	rank := func(k key) int {
		if k.class == "" {
			return 1
		}
		return 0
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if a.team != b.team {
			return teamLess(a.team, b.team)
		}
		return rank(a) < rank(b)
	})
	pl := res.MinorUnits
	out := make([]TeamClassSummary, 0, len(order))
	for _, k := range order {
		a := by[k]
		n := a.actions
		if !a.hasActions && k.class != "" {
			n = gateway[k]
		}
		out = append(out, TeamClassSummary{Team: k.team, Class: k.class, Component: k.comp, Actions: n, Amount: a.amount.StringFixed(pl)})
	}
	return out
}

func journalInvariants(js []cost.Journal, teamTotals map[string]decimal.Decimal, a Accounts, pl int32) []allocator.Invariant {
	var out []allocator.Invariant
	unbalanced := ""
	for _, j := range js {
		if !j.Balanced() {
			d, c := j.Totals()
			unbalanced += fmt.Sprintf("%s: debits %s ≠ credits %s; ", j.ID, d, c)
		}
	}
	out = append(out, allocator.Invariant{Name: "journals_balance", OK: unbalanced == "",
		Detail: orText(unbalanced, fmt.Sprintf("%d journal(s), each balanced per company and currency", len(js)))})
	// Net expense booked per team (and per pseudo-team) against its rows.
	net := map[string]decimal.Decimal{}
	for _, j := range js {
		for _, l := range j.Lines {
			var acct string
			switch l.Team {
			case cost.Central:
				acct = a.CentralBudget
			case cost.Unallocated:
				acct = a.Unallocated
			default:
				acct = a.ChargebackExpense
			}
			if l.Account == acct && l.Account != a.Intercompany {
				net[l.Team] = net[l.Team].Add(l.Debit).Sub(l.Credit)
			}
		}
	}
	mismatch := ""
	for team, tot := range teamTotals {
		if !net[team].Equal(tot) {
			mismatch += fmt.Sprintf("%s: journal %s ≠ rows %s; ", team, net[team].StringFixed(pl), tot.StringFixed(pl))
		}
	}
	out = append(out, allocator.Invariant{Name: "journal_matches_allocation", OK: mismatch == "",
		Detail: orText(mismatch, "each team's net expense in the journal equals its allocation rows")})
	return out
}

func orText(s, ok string) string {
	if s == "" {
		return ok
	}
	return s
}

func teamLess(a, b string) bool {
	rank := func(t string) int {
		switch t {
		case cost.Central:
			return 1
		case cost.Unallocated:
			return 2
		}
		return 0
	}
	if rank(a) != rank(b) {
		return rank(a) < rank(b)
	}
	return a < b
}

// WriteJSON writes v as indented JSON with a trailing newline.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
