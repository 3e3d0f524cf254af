package statements

import (
	"encoding/json"
	"fmt"

	"github.com/allot-dev/allot/reports"
	"github.com/shopspring/decimal"
)

// Change compares the team's month with the previous one, as the ledger's
// latest posted run of that month recorded it in its summary.
type Change struct {
	// Available is false when there is nothing to compare with; Note says
	// why. With Available true, Note may still say what is missing.
	Available  bool         `json:"available"`
	Note       string       `json:"note,omitempty"`
	PrevPeriod string       `json:"previous_period"`
	PrevRun    string       `json:"previous_run,omitempty"`
	Lines      []ChangeLine `json:"lines,omitempty"`
	Total      ChangeLine   `json:"total"`
}

// ChangeLine is one class (or one component of rows with no class) in
// both months.
type ChangeLine struct {
	Label       string `json:"label"`
	IsClass     bool   `json:"is_class"`
	PrevActions int64  `json:"previous_actions"`
	Actions     int64  `json:"actions"`
	Prev        Money  `json:"previous"`
	Now         Money  `json:"current"`
	Delta       Money  `json:"change"`
	Pct         string `json:"change_pct,omitempty"` // of the previous amount; empty when it was zero
}

type tcKey struct{ class, comp string }

func (k tcKey) label() string {
	if k.class != "" {
		return k.class
	}
	return k.comp
}

// figures returns a team's class figures and total from a summary.
func figures(s *reports.Summary, team string) (order []tcKey, by map[tcKey]reports.TeamClassSummary, total decimal.Decimal, err error) {
	by = map[tcKey]reports.TeamClassSummary{}
	for _, tc := range s.TeamClasses {
		if tc.Team != team {
			continue
		}
		if _, err := decimal.NewFromString(tc.Amount); err != nil {
			return nil, nil, decimal.Zero, fmt.Errorf("team_classes %s/%s%s: amount %q is not a decimal", tc.Team, tc.Class, tc.Component, tc.Amount)
		}
		k := tcKey{tc.Class, tc.Component}
		if _, ok := by[k]; !ok {
			order = append(order, k)
		}
		by[k] = tc
	}
	for _, t := range s.Teams {
		if t.Team == team {
			if total, err = decimal.NewFromString(t.Total); err != nil {
				return nil, nil, decimal.Zero, fmt.Errorf("teams %s: total %q is not a decimal", team, t.Total)
			}
		}
	}
	return order, by, total, nil
}

func change(in Input, team string) Change {
	pl := in.Result.MinorUnits
	m := func(d decimal.Decimal) Money { return money(d, pl) }
	prevPeriod := in.Result.Period.Prev()
	c := Change{PrevPeriod: prevPeriod.String()}
	if in.Previous == nil {
		c.Note = fmt.Sprintf("No earlier month to compare with: the ledger holds no posted run for %s.", prevPeriod)
		return c
	}
	if !in.Previous.Period.IsZero() {
		c.PrevPeriod = in.Previous.Period.String()
	}
	c.PrevRun = in.Previous.RunID
	var prev reports.Summary
	if err := json.Unmarshal(in.Previous.Summary, &prev); err != nil {
		c.Note = fmt.Sprintf("The summary of run %s (%s) cannot be read (%v), so there is no comparison.", c.PrevRun, c.PrevPeriod, err)
		return c
	}
	if prev.Currency != in.Result.Currency {
		c.Note = fmt.Sprintf("Run %s (%s) is in %q, this month in %s: the months are not compared.", c.PrevRun, c.PrevPeriod, prev.Currency, in.Result.Currency)
		return c
	}
	nowOrder, now, nowTotal, err := figures(in.Summary, team)
	if err != nil {
		c.Note = "This month's summary: " + err.Error()
		return c
	}
	prevOrder, before, prevTotal, err := figures(&prev, team)
	if err != nil {
		c.Note = fmt.Sprintf("The summary of run %s (%s): %v, so there is no comparison.", c.PrevRun, c.PrevPeriod, err)
		return c
	}
	c.Available = true
	line := func(label string, isClass bool, pa, na int64, p, n decimal.Decimal) ChangeLine {
		d := n.Sub(p)
		return ChangeLine{Label: label, IsClass: isClass, PrevActions: pa, Actions: na, Prev: m(p), Now: m(n), Delta: m(d), Pct: percentOf(d, p)}
	}
	c.Total = line("total", false, 0, 0, prevTotal, nowTotal)
	if len(prev.TeamClasses) == 0 {
		c.Note = fmt.Sprintf("Run %s (%s) recorded no per-class figures (it predates them): only the total is compared.", c.PrevRun, c.PrevPeriod)
		return c
	}
	if len(prevOrder) == 0 {
		c.Note = fmt.Sprintf("The team had no charges in %s.", c.PrevPeriod)
	}
	seen := map[tcKey]bool{}
	keys := append([]tcKey(nil), nowOrder...)
	for _, k := range prevOrder {
		if _, ok := now[k]; !ok {
			keys = append(keys, k)
		}
	}
	// Classes first, then rows with no class, each in order of appearance.
	for pass := 0; pass < 2; pass++ {
		for _, k := range keys {
			if seen[k] || (pass == 0) != (k.class != "") {
				continue
			}
			seen[k] = true
			n, p := now[k], before[k]
			na, _ := decimal.NewFromString(orZero(n.Amount))
			pa, _ := decimal.NewFromString(orZero(p.Amount))
			c.Lines = append(c.Lines, line(k.label(), k.class != "", p.Actions, n.Actions, pa, na))
		}
	}
	return c
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}
