package reports

import (
	"strings"
	"testing"

	"github.com/allot-dev/allot/allocator"
	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

var oct = cost.Period{Year: 2026, Month: 10}

func params() JournalParams {
	return JournalParams{
		Prefix: "ALLOT",
		Accounts: Accounts{ChargebackExpense: "650100", PlatformRecovery: "490100", RegistryFund: "490110",
			BufferFund: "290500", CentralBudget: "650190", Unallocated: "650199", Intercompany: "150000"},
		Teams:    map[string]Booking{"search": {"1000", "CC-4100"}, "emea": {"2000", "CC-7100"}},
		Platform: Booking{"1000", "CC-9000"},
		Central:  Booking{"1000", "CC-9999"},
	}
}

func row(team, class string, comp cost.Component, amt string) allocator.Row {
	return allocator.Row{Team: team, Class: class, Component: comp, Exact: d(amt), Amount: d(amt)}
}

func TestBuildJournals(t *testing.T) {
	res := &allocator.Result{Period: oct, Currency: "USD", MinorUnits: 2, Rows: []allocator.Row{
		row("search", "chat_call", cost.CompUsage, "100.00"),
		row("search", "chat_call", cost.CompRegistry, "0.45"),
		row("search", "chat_call", cost.CompBufferSurcharge, "4.18"),
		row("search", "", cost.CompBufferDraw, "-50.00"),
		row("search", "agent_step", cost.CompUsage, "-3.00"), // a credit larger than the cost
		row("emea", "chat_call", cost.CompUsage, "20.00"),
		row(cost.Central, "eval_run", cost.CompCentralEval, "7.00"),
		row(cost.Central, "", cost.CompCentralRegistry, "2.00"),
		row(cost.Unallocated, "chat_call", cost.CompUnallocated, "9.99"),
	}}
	js, err := BuildJournals(res, params())
	if err != nil {
		t.Fatal(err)
	}
	if len(js) != 2 || js[0].Company != "1000" || js[1].Company != "2000" {
		t.Fatalf("journals: %d, companies %v", len(js), js)
	}
	if js[0].ID != "ALLOT-2026-10-1000-USD" || !js[0].AccountingDate.Equal(oct.LastDay()) {
		t.Errorf("journal id/date = %s %s", js[0].ID, js[0].AccountingDate)
	}
	for _, j := range js {
		if !j.Balanced() {
			dr, cr := j.Totals()
			t.Errorf("%s: debits %s, credits %s", j.ID, dr, cr)
		}
		for _, l := range j.Lines {
			if l.Debit.IsNegative() || l.Credit.IsNegative() || (l.Debit.IsZero() == l.Credit.IsZero()) {
				t.Errorf("%s line %d: debit %s credit %s: exactly one side must be positive", j.ID, l.Line, l.Debit, l.Credit)
			}
		}
	}
	// Net per (account, cost center), worked by hand.
	net := map[string]decimal.Decimal{}
	for _, j := range js {
		for _, l := range j.Lines {
			k := j.Company + " " + l.Account + " " + l.CostCenter
			net[k] = net[k].Add(l.Debit).Sub(l.Credit)
		}
	}
	want := map[string]string{
		// search: 100 + 0.45 + 4.18 − 50 − 3 = 51.63
		"1000 650100 CC-4100": "51.63",
		// platform recovery: −(100 − 3 + 7 + 9.99) in company 1000, −20 in 1000 for emea (credit side stays with the platform)
		"1000 490100 CC-9000": "-133.99",
		"1000 490110 CC-9000": "-2.45",
		"1000 290500 CC-9000": "45.82", // draw 50 out, surcharge 4.18 in
		"1000 650190 CC-9999": "9",
		"1000 650199 CC-9999": "9.99",
		// intercompany: emea's 20 books in 2000 against the clearing account, and in 1000 back
		"2000 650100 CC-7100": "20",
		"2000 150000 CC-7100": "-20",
		"1000 150000 CC-9000": "20",
	}
	for k, v := range want {
		if !net[k].Equal(d(v)) {
			t.Errorf("net %s = %s, want %s", k, net[k], v)
		}
	}
	if len(net) != len(want) {
		t.Errorf("net has %d keys, want %d: %v", len(net), len(want), net)
	}
	s := BuildSummary(res, js, SummaryInput{Accounts: params().Accounts})
	for _, inv := range s.Invariants {
		if (inv.Name == "journals_balance" || inv.Name == "journal_matches_allocation") && !inv.OK {
			t.Errorf("%s: %s", inv.Name, inv.Detail)
		}
	}
}

func TestBuildJournalsErrors(t *testing.T) {
	res := &allocator.Result{Period: oct, Currency: "USD", MinorUnits: 2, Rows: []allocator.Row{row("ghost", "chat_call", cost.CompUsage, "1.00")}}
	if _, err := BuildJournals(res, params()); err == nil || !strings.Contains(err.Error(), "ghost") {
		t.Errorf("a row of an unbooked team: %v", err)
	}
	p := params()
	p.Accounts.Intercompany = ""
	res.Rows = []allocator.Row{row("emea", "chat_call", cost.CompUsage, "1.00")}
	if _, err := BuildJournals(res, p); err == nil || !strings.Contains(err.Error(), "intercompany") {
		t.Errorf("cross-company without a clearing account: %v", err)
	}
}

func TestSummaryCatchesMismatch(t *testing.T) {
	res := &allocator.Result{Period: oct, Currency: "USD", MinorUnits: 2, Rows: []allocator.Row{row("search", "chat_call", cost.CompUsage, "10.00")}}
	js, err := BuildJournals(res, params())
	if err != nil {
		t.Fatal(err)
	}
	js[0].Lines[0].Debit = d("10.01") // tamper: the journal no longer matches nor balances
	s := BuildSummary(res, js, SummaryInput{Accounts: params().Accounts})
	failed := map[string]bool{}
	for _, inv := range s.Invariants {
		if !inv.OK {
			failed[inv.Name] = true
		}
	}
	if !failed["journals_balance"] || !failed["journal_matches_allocation"] || s.OK {
		t.Errorf("tampered journal passed: %+v", s.Invariants)
	}
}

func TestSafe(t *testing.T) {
	for in, want := range map[string]string{"=SUM(A1)": "'=SUM(A1)", "+1": "'+1", "-2": "'-2", "@x": "'@x", "search": "search", "": ""} {
		if got := Safe(in); got != want {
			t.Errorf("Safe(%q) = %q, want %q", in, got, want)
		}
	}
}
