package statements_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/allot-dev/allot/internal/testutil"
	"github.com/allot-dev/allot/reports/statements"
)

func eq(t *testing.T, what string, got statements.Money, want string) {
	t.Helper()
	if !got.Dec.Equal(d(want)) || got.String() != want {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

// TestWorkedStatement checks the search team's statement against the
// figures worked out by hand in fixture_test.go.
func TestWorkedStatement(t *testing.T) {
	in := worked(t)
	st, err := statements.BuildStatement(in, teamSearch)
	if err != nil {
		t.Fatal(err)
	}
	// chat_call: 10,000 × (0.01, 0.0015, 0.000045, 0.000462).
	// agent_step: 2,000 × (0.03, 0.0045, 0.000135, 0.001385).
	// eval_run: 1,000 × 0.024014 × 0.5 = 12.007, which the largest
	// remainder rounds up to 12.01 (search's 0.007 ties with _central's
	// and search comes first).
	type classWant struct {
		class, actions, unit, usage, overhead, registry, surcharge, eval, total string
	}
	want := []classWant{
		{"chat_call", "10000", "0.012007", "100.00", "15.00", "0.45", "4.62", "0.00", "120.07"},
		{"agent_step", "2000", "0.03602", "60.00", "9.00", "0.27", "2.77", "0.00", "72.04"},
		{"eval_run", "1000", "0.012007", "0.00", "0.00", "0.00", "0.00", "12.01", "12.01"},
	}
	if got := len(st.Classes); got != len(want) {
		t.Fatalf("%d class lines, want %d: %+v", got, len(want), st.Classes)
	}
	for i, w := range want {
		c := st.Classes[i]
		if c.Class != w.class || c.UnitKind != "price" || !c.UnitPrice.Equal(d(w.unit)) || !c.HasActions || c.Actions != d(w.actions).IntPart() {
			t.Errorf("class %d = %s %d × %s (%s), want %s %s × %s", i, c.Class, c.Actions, c.UnitPrice, c.UnitKind, w.class, w.actions, w.unit)
		}
		eq(t, w.class+" usage", c.Usage, w.usage)
		eq(t, w.class+" overhead", c.Overhead, w.overhead)
		eq(t, w.class+" registry", c.Registry, w.registry)
		eq(t, w.class+" buffer surcharge", c.Surcharge, w.surcharge)
		eq(t, w.class+" eval", c.Eval, w.eval)
		eq(t, w.class+" total", c.Total, w.total)
	}
	// 120.07 + 72.04 + 12.01 = 204.12; the draw is min(204.117 − 50,
	// cap 100, fund 500 + 16.63) = 100.
	eq(t, "subtotal", st.Subtotal, "204.12")
	eq(t, "draw row", st.DrawRow, "-100.00")
	eq(t, "total", st.Total, "104.12")
	if got, want := st.Total.Dec, in.Result.TeamTotal(teamSearch); !got.Equal(want) {
		t.Errorf("total %s ≠ the team's allocation rows %s", got, want)
	}
	if !st.Journal.Found || !st.Journal.Matches || st.Journal.Account != "650100" || st.Journal.CostCenter != "CC-4100" {
		t.Errorf("journal = %+v, want a net debit to 650100 at CC-4100 that matches", st.Journal)
	}
	eq(t, "journal net", st.Journal.Net, "104.12")

	// Evals: 1,000 × 0.024014 = 24.014 → 24.01; the team pays 12.01, 12.00 went central.
	e := st.Eval
	if e == nil || e.Actions != 1000 || !e.Price.Equal(d("0.024014")) || !e.Share.Equal(d("0.5")) {
		t.Fatalf("eval = %+v", e)
	}
	eq(t, "eval value", e.Value, "24.01")
	eq(t, "eval charged", e.Charged, "12.01")
	eq(t, "eval central", e.Central, "12.00")

	if len(st.Draws) != 1 {
		t.Fatalf("draws = %+v, want search's one request", st.Draws)
	}
	dr := st.Draws[0]
	if !dr.Granted || !dr.Eligible || dr.LimitedBy != "cap" || dr.Cause != "backfill of catalogue embeddings" || dr.CapLeft == nil {
		t.Errorf("draw = %+v, want granted, limited by the cap", dr)
	}
	eq(t, "draw booked", dr.Booked, "100.00")
	for what, got := range map[string][2]string{
		"draw amount": {dr.Amount.String(), "100"},
		"charge":      {dr.Charge.String(), "204.117"},    // 120.07 + 72.04 + 12.007, exact
		"threshold":   {dr.Threshold.String(), "150"},     // 3 × 50
		"excess":      {dr.Excess.String(), "154.117"},    // 204.117 − 50
		"fund before": {dr.FundBefore.String(), "516.63"}, // 500 + 4.62 + 2.77 + 9.24
		"cap left":    {dr.CapLeft.String(), "100"},
	} {
		if !d(got[0]).Equal(d(got[1])) {
			t.Errorf("%s = %s, want %s", what, got[0], got[1])
		}
	}

	// Agent runs at the team's per-action prices:
	// run-a 1,200 × 0.03602 + 3,000 × 0.012007 = 43.224 + 36.021 = 79.245 → 79.25
	// run-b 800 × 0.03602 + 500 × 0.012007 + 10 × 0.012007 = 34.93957 → 34.94
	// run-c 100 × 0.012007 = 1.2007 → 1.20; all three 115.38527 → 115.39.
	r := st.Runs
	if r.Count != 3 || len(r.Top) != 3 || len(r.Uncosted) != 0 {
		t.Fatalf("runs = %+v", r)
	}
	for i, w := range []struct {
		id, cost string
		actions  int64
	}{{"run-a", "79.25", 4200}, {"run-b", "34.94", 1310}, {"run-c", "1.20", 100}} {
		if r.Top[i].ID != w.id || r.Top[i].Actions != w.actions {
			t.Errorf("run %d = %s with %d actions, want %s with %d", i, r.Top[i].ID, r.Top[i].Actions, w.id, w.actions)
		}
		eq(t, w.id+" cost", r.Top[i].Cost, w.cost)
	}
	eq(t, "runs total", r.Total, "115.39")

	// Resources: 150 + 30 + 5 = 185; 150/185 = 81.08%.
	rs := st.Resources
	if rs.Count != 3 || len(rs.Top) != 3 || !strings.HasSuffix(rs.Top[0].ID, "search-chat") || rs.Top[0].Share != "81.1%" || rs.Top[2].Share != "2.7%" {
		t.Errorf("resources = %+v", rs)
	}
	eq(t, "resources total", rs.Total, "185.00")

	// Against September: chat 96.06 → 120.07 (+24.01, +25.0%), agent_step
	// and eval_run are new, retrieval_call fell to 0 (−100%), the draw is
	// new; the total went from 97.02 to 104.12 (+7.10, +7.3%).
	c := st.Change
	if !c.Available || c.PrevPeriod != "2026-09" || c.PrevRun == "" {
		t.Fatalf("change = %+v", c)
	}
	type lineWant struct {
		label      string
		pa, na     int64
		prev, now  string
		delta, pct string
	}
	lw := []lineWant{
		{"chat_call", 8000, 10000, "96.06", "120.07", "24.01", "25.0%"},
		{"agent_step", 0, 2000, "0.00", "72.04", "72.04", ""},
		{"eval_run", 0, 1000, "0.00", "12.01", "12.01", ""},
		{"retrieval_call", 1000, 0, "0.96", "0.00", "-0.96", "-100.0%"},
		{"buffer_draw", 0, 0, "0.00", "-100.00", "-100.00", ""},
	}
	if len(c.Lines) != len(lw) {
		t.Fatalf("change lines = %+v", c.Lines)
	}
	for i, w := range lw {
		l := c.Lines[i]
		if l.Label != w.label || l.PrevActions != w.pa || l.Actions != w.na || l.Pct != w.pct {
			t.Errorf("change %d = %+v, want %+v", i, l, w)
		}
		eq(t, w.label+" previous", l.Prev, w.prev)
		eq(t, w.label+" now", l.Now, w.now)
		eq(t, w.label+" change", l.Delta, w.delta)
	}
	eq(t, "total previous", c.Total.Prev, "97.02")
	eq(t, "total change", c.Total.Delta, "7.10")
	if c.Total.Pct != "7.3%" {
		t.Errorf("total change %% = %q, want 7.3%%", c.Total.Pct)
	}
}

// TestWorkedReconciliation checks the reconciliation of the worked month
// against figures worked out by hand.
func TestWorkedReconciliation(t *testing.T) {
	in := worked(t)
	rc, err := statements.BuildReconciliation(in)
	if err != nil {
		t.Fatal(err)
	}
	// Teams: search 104.12, support 240.14; _central 18.01 + 12.00;
	// _unallocated 10,000 × 0.012007.
	eq(t, "bill", rc.Bill.Cost, "380.00")
	eq(t, "charged", rc.Charged, "344.26")
	eq(t, "central", rc.Central, "30.01")
	eq(t, "unallocated", rc.Unallocated, "120.07")
	eq(t, "total", rc.Total, "494.34")
	eq(t, "surcharges", rc.Surcharges, "16.63")
	eq(t, "draws", rc.Draws, "100.00")
	eq(t, "recovered", rc.Recovered, "577.71") // 494.34 − 16.63 + 100
	eq(t, "variance", rc.Variance, "197.71")   // 577.71 − 380
	if rc.Bill.Lines != 30 || rc.Bill.Actions != 43500 || !rc.OK || rc.BillCarried != nil {
		t.Errorf("bill = %+v, ok %v, bill carried %+v", rc.Bill, rc.OK, rc.BillCarried)
	}
	comps := map[string]string{}
	for _, c := range rc.RecoveredBy {
		comps[c.Component] = c.Amount.String()
	}
	for comp, want := range map[string]string{"usage": "360.00", "overhead": "54.00", "registry": "1.62", "eval": "12.01",
		"central_eval": "12.00", "central_platform": "18.01", "unallocated": "120.07"} {
		if comps[comp] != want {
			t.Errorf("recovered by %s = %q, want %s", comp, comps[comp], want)
		}
	}
	// chat: 115.45 + 230.90 + 120.07 against 90 + 150 + 30; agent_step:
	// 69.27 + 18.01 against 80 + 10; eval_run: 12.01 + 12.00 against 15;
	// unclassified: nothing against 5.
	type cw struct{ class, rec, act, vr, result string }
	want := []cw{
		{"chat_call", "466.42", "270.00", "196.42", "over"},
		{"agent_step", "87.28", "90.00", "-2.72", "under"},
		{"eval_run", "24.01", "15.00", "9.01", "over"},
		{"unclassified", "0.00", "5.00", "-5.00", "under"},
	}
	if len(rc.Classes) != len(want) {
		t.Fatalf("classes = %+v", rc.Classes)
	}
	for i, w := range want {
		c := rc.Classes[i]
		if c.Class != w.class || c.Result != w.result {
			t.Errorf("class %d = %s (%s), want %s (%s)", i, c.Class, c.Result, w.class, w.result)
		}
		eq(t, w.class+" recovered", c.Recovered, w.rec)
		eq(t, w.class+" actual", c.Actual, w.act)
		eq(t, w.class+" variance", c.Variance, w.vr)
	}
	eq(t, "recovered without a class", rc.NoClass, "0.00")
	if rc.RecoveredExact != "577.714" || rc.VarianceExact != "197.714" {
		t.Errorf("exact recovered %s, variance %s; want 577.714 and 197.714 (eval and central_eval are 12.007 each)", rc.RecoveredExact, rc.VarianceExact)
	}

	b := rc.Buffer
	eq(t, "opening", b.Opening, "500.00")
	eq(t, "closing", b.Closing, "416.63") // 500 + 16.63 − 100
	if !b.Balanced || len(b.ByTeam) != 2 || b.ByTeam[0].Amount.String() != "7.39" || b.ByTeam[1].Amount.String() != "9.24" {
		t.Errorf("buffer = %+v", b)
	}
	if len(b.Requests) != 2 || b.Requests[0].Team != teamSearch || !b.Requests[0].Granted || b.Requests[0].Amount.String() != "100.00" ||
		b.Requests[1].Team != teamSupport || b.Requests[1].Granted || !strings.Contains(b.Requests[1].Reason, "below 3 × forecast 1000") {
		t.Errorf("draw requests = %+v", b.Requests)
	}

	// Not journalled: agent_step's shortfall 90 − 87.28 and the
	// unclassified 5.00 = 7.72; 372.28 ÷ 380 = 0.979684…
	rr := rc.Recharge
	eq(t, "not journalled", rr.NotJournalled, "7.72")
	eq(t, "journalled", rr.Journalled, "372.28")
	if rr.Rate != "0.979684" || rr.Percent != "97.97%" {
		t.Errorf("recharge rate %s (%s), want 0.979684 (97.97%%)", rr.Rate, rr.Percent)
	}
	// 17 rows, each a debit and a credit; debits are every positive row
	// plus the draw's 100 the other way round.
	if len(rc.Journals) != 1 || rc.Journals[0].Lines != 34 || rc.Journals[0].Debit.String() != "694.34" || !rc.Journals[0].Balanced {
		t.Errorf("journals = %+v", rc.Journals)
	}
}

// TestWorkedGolden pins what people and tools read for the worked month.
func TestWorkedGolden(t *testing.T) {
	in := worked(t)
	files, err := statements.Files(in)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"statements/search.md", "statements/search.html", "statements/support.md", "statements/support.html",
		"reconciliation.md", "reconciliation.html", "reconciliation.json"}
	if len(files) != len(names) {
		t.Errorf("files = %d, want %d", len(files), len(names))
	}
	for _, n := range names {
		b, ok := files[n]
		if !ok {
			t.Errorf("no %s", n)
			continue
		}
		testutil.AssertGolden(t, filepath.Join("testdata", "worked", n+".golden"), b)
	}
	// The JSON reads back with exact decimal strings.
	var rc struct {
		Recovered string `json:"recovered"`
		Classes   []struct {
			Class, Variance string
		} `json:"classes"`
		Recharge struct{ Rate string } `json:"gl_recharge"`
	}
	if err := json.Unmarshal(files["reconciliation.json"], &rc); err != nil {
		t.Fatal(err)
	}
	if rc.Recovered != "577.71" || rc.Recharge.Rate != "0.979684" || len(rc.Classes) != 4 || rc.Classes[1].Variance != "-2.72" {
		t.Errorf("reconciliation.json = %+v", rc)
	}
}

// TestNoPreviousMonth: the first month says there is nothing to compare.
func TestNoPreviousMonth(t *testing.T) {
	in := worked(t)
	in.Previous = nil
	st, err := statements.BuildStatement(in, teamSearch)
	if err != nil {
		t.Fatal(err)
	}
	if st.Change.Available || !strings.Contains(st.Change.Note, "no posted run for 2026-09") {
		t.Errorf("change = %+v", st.Change)
	}
	var b bytes.Buffer
	if err := st.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "No earlier month to compare with") {
		t.Errorf("the statement does not say there is no earlier month:\n%s", b.String())
	}
}

// TestPreviousMonthProblems: a previous summary that cannot be compared is
// disclosed, never silently ignored.
func TestPreviousMonthProblems(t *testing.T) {
	cases := map[string]struct {
		summary   string
		available bool
		note      string
	}{
		"not JSON":         {`{"teams": [`, false, "cannot be read"},
		"other currency":   {`{"currency": "EUR", "teams": [{"team": "search", "total": "1.00"}]}`, false, `is in "EUR"`},
		"bad amount":       {`{"currency": "USD", "teams": [{"team": "search", "total": "1,00"}]}`, false, `"1,00" is not a decimal`},
		"older run":        {`{"currency": "USD", "teams": [{"team": "search", "total": "50.00"}]}`, true, "recorded no per-class figures"},
		"team had no rows": {`{"currency": "USD", "teams": [], "team_classes": [{"team": "support", "class": "chat_call", "amount": "1.00"}]}`, true, "no charges in 2026-09"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			in := worked(t)
			in.Previous.Summary = []byte(c.summary)
			st, err := statements.BuildStatement(in, teamSearch)
			if err != nil {
				t.Fatal(err)
			}
			if st.Change.Available != c.available || !strings.Contains(st.Change.Note, c.note) {
				t.Errorf("change = available %v, note %q; want %v and a note with %q", st.Change.Available, st.Change.Note, c.available, c.note)
			}
		})
	}
}

func TestFailedRunWritesNoStatement(t *testing.T) {
	in := worked(t)
	in.Summary.OK = false
	in.Summary.Invariants[0].OK = false
	files, err := statements.Files(in)
	if err != nil {
		t.Fatal(err)
	}
	for n := range files {
		if strings.HasPrefix(n, "statements/") {
			t.Errorf("a failed run wrote %s", n)
		}
	}
	if !bytes.Contains(files["reconciliation.md"], []byte("FAILED ("+in.Summary.Invariants[0].Name)) {
		t.Errorf("the reconciliation does not say which invariant failed:\n%s", files["reconciliation.md"])
	}
}

func TestBadTeamID(t *testing.T) {
	in := worked(t)
	if _, err := statements.BuildStatement(in, "platform"); !errors.Is(err, statements.ErrInput) {
		t.Errorf("a statement for the platform team: %v, want ErrInput", err)
	}
	if _, err := statements.BuildStatement(in, "nobody"); !errors.Is(err, statements.ErrInput) {
		t.Errorf("a statement for an unknown team: %v, want ErrInput", err)
	}
	if _, err := statements.Files(statements.Input{}); !errors.Is(err, statements.ErrInput) {
		t.Errorf("Files of an empty input: %v, want ErrInput", err)
	}
}

// TestChangeRoundTrip compares the month with its own summary.json, as a
// later run reads it back from the ledger: every change is zero.
func TestChangeRoundTrip(t *testing.T) {
	in := worked(t)
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(in.Summary); err != nil {
		t.Fatal(err)
	}
	in.Previous.Summary = b.Bytes()
	for _, team := range []string{teamSearch, teamSupport} {
		st, err := statements.BuildStatement(in, team)
		if err != nil {
			t.Fatal(err)
		}
		c := st.Change
		if !c.Available || c.Note != "" || len(c.Lines) == 0 {
			t.Fatalf("%s: change = %+v", team, c)
		}
		for _, l := range append(c.Lines, c.Total) {
			if !l.Delta.IsZero() || !l.Prev.Dec.Equal(l.Now.Dec) || l.PrevActions != l.Actions {
				t.Errorf("%s: %s changed against itself: %+v", team, l.Label, l)
			}
		}
		if !c.Total.Now.Dec.Equal(st.Total.Dec) {
			t.Errorf("%s: change total %s ≠ statement total %s", team, c.Total.Now, st.Total)
		}
	}
}
