package statements_test

import (
	"testing"

	"github.com/allot-dev/allot/allocator"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/reports"
	"github.com/allot-dev/allot/reports/statements"
	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func dp(s string) *decimal.Decimal { v := d(s); return &v }

// The worked month, October 2026, in price-list mode (every figure below
// is checked by hand in worked_test.go):
//
//	prices        b         O         R         F         p
//	chat_call     0.010000  0.001500  0.000045  0.000462  0.012007
//	agent_step    0.030000  0.004500  0.000135  0.001385  0.036020
//	eval_run      0.020000  0.003000  0.000090  0.000924  0.024014
//
//	gateway: search 10,000 chat, 2,000 agent steps, 1,000 evals;
//	support 20,000 chat; platform 500 agent steps; "ghost" (not a team)
//	10,000 chat.
//	bill (380.00 in 30 lines): search chat 90, agent 80, eval 15;
//	support chat 150; platform agent 10; no team: chat 30, no class 5.
//	buffer: opening 500, threshold 3, quarterly cap 100; search (forecast
//	50) and support (forecast 1000) ask for draws.
const (
	teamSearch  = "search"
	teamSupport = "support"
)

// workedAlloc is the allocator's input of the worked month.
func workedAlloc() allocator.Input {
	return allocator.Input{
		Period:   cost.Period{Year: 2026, Month: 10},
		Currency: "USD",
		Params: allocator.Params{
			Mode: allocator.ModePriceList, RegistryCharged: true, ConsumerShare: d("0.5"), EvalClass: "eval_run",
			Unallocated: allocator.Hold, DrawThreshold: d("3"), QuarterlyCap: dp("100"),
			Classes: []string{"chat_call", "retrieval_call", "agent_step", "eval_run"},
		},
		Teams: []allocator.Team{
			{ID: teamSearch, Forecast: dp("50")},
			{ID: teamSupport, Forecast: dp("1000")},
			{ID: "platform", Platform: true},
		},
		Prices: map[string]allocator.Price{
			"chat_call":  {Base: d("0.01"), Overhead: d("0.0015"), Registry: d("0.000045"), Buffer: d("0.000462"), Price: d("0.012007")},
			"agent_step": {Base: d("0.03"), Overhead: d("0.0045"), Registry: d("0.000135"), Buffer: d("0.001385"), Price: d("0.03602")},
			"eval_run":   {Base: d("0.02"), Overhead: d("0.003"), Registry: d("0.00009"), Buffer: d("0.000924"), Price: d("0.024014")},
		},
		Actions: []allocator.ActionGroup{
			{Team: teamSearch, Class: "chat_call", Actions: 10000},
			{Team: teamSearch, Class: "agent_step", Actions: 2000},
			{Team: teamSearch, Class: "eval_run", Scope: "domain", Actions: 1000},
			{Team: teamSupport, Class: "chat_call", Actions: 20000},
			{Team: "platform", Class: "agent_step", Actions: 500},
			{Team: "ghost", Class: "chat_call", Actions: 10000},
		},
		Costs: []allocator.CostGroup{
			{Team: teamSearch, Class: "chat_call", Cost: d("90.00"), Lines: 10},
			{Team: teamSearch, Class: "agent_step", Cost: d("80.00"), Lines: 5},
			{Team: teamSearch, Class: "eval_run", Scope: "domain", Cost: d("15.00"), Lines: 2},
			{Team: teamSupport, Class: "chat_call", Cost: d("150.00"), Lines: 8},
			{Team: "platform", Class: "agent_step", Cost: d("10.00"), Lines: 1},
			{Team: "", Class: "chat_call", Cost: d("30.00"), Lines: 3},
			{Team: "", Class: "", Cost: d("5.00"), Lines: 1},
		},
		Draws: []allocator.DrawRequest{
			{Team: teamSupport, Cause: "launch week"},
			{Team: teamSearch, Cause: "backfill of catalogue embeddings"},
		},
		Buffer: allocator.BufferState{Opening: d("500.00"), QuarterDrawn: map[string]decimal.Decimal{}},
	}
}

// prevSummary is September's summary as the ledger would hold it.
const prevSummary = `{
  "period": "2026-09", "model": "platform", "mode": "price_list", "currency": "USD", "ok": true,
  "teams": [{"team": "search", "total": "97.02"}, {"team": "support", "total": "250.00"}],
  "team_classes": [
    {"team": "search", "class": "chat_call", "actions": 8000, "amount": "96.06"},
    {"team": "search", "class": "retrieval_call", "actions": 1000, "amount": "0.96"},
    {"team": "support", "class": "chat_call", "actions": 20000, "amount": "250.00"}
  ]
}`

// build runs the allocator, the journals and the summary on an allocator
// input, and returns the statements' input around them.
func build(t testing.TB, ain allocator.Input, booking reports.JournalParams) statements.Input {
	t.Helper()
	res, err := allocator.Allocate(ain)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("the allocation's invariants fail: %+v", res.Invariants)
	}
	js, err := reports.BuildJournals(res, booking)
	if err != nil {
		t.Fatal(err)
	}
	sum := reports.BuildSummary(res, js, reports.SummaryInput{Model: cost.ModelPlatform, CostBasis: cost.Basis("effective"),
		Accounts: booking.Accounts, Actions: ain.Actions})
	return statements.Input{Result: res, Alloc: ain, Journals: js, Booking: booking, Summary: sum}
}

func workedBooking() reports.JournalParams {
	return reports.JournalParams{
		Prefix: "ALLOT",
		Accounts: reports.Accounts{ChargebackExpense: "650100", PlatformRecovery: "490100", RegistryFund: "490110",
			BufferFund: "290500", CentralBudget: "650190", Unallocated: "650190"},
		Teams: map[string]reports.Booking{
			teamSearch:  {Company: "1000", CostCenter: "CC-4100"},
			teamSupport: {Company: "1000", CostCenter: "CC-4200"},
		},
		Platform: reports.Booking{Company: "1000", CostCenter: "CC-9000"},
		Central:  reports.Booking{Company: "1000", CostCenter: "CC-9000"},
	}
}

// worked is the worked month's full input, with September to compare with.
func worked(t testing.TB) statements.Input {
	t.Helper()
	in := build(t, workedAlloc(), workedBooking())
	in.Resources = map[string]map[string]decimal.Decimal{
		teamSearch: {
			"arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/search-chat":  d("150.00"),
			"//aiplatform.googleapis.com/projects/acme/endpoints/rewrite":                       d("30.00"),
			"arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/search-evals": d("5.00"),
		},
	}
	in.AgentRuns = map[string]map[string]map[string]int64{
		teamSearch: {
			"run-a": {"agent_step": 1200, "chat_call": 3000},
			"run-b": {"agent_step": 800, "chat_call": 500, "eval_run": 10},
			"run-c": {"chat_call": 100},
		},
	}
	in.Previous = &statements.Previous{RunID: "2026-09-20261003T060000Z-0a1b2c3d", Period: cost.Period{Year: 2026, Month: 9}, Summary: []byte(prevSummary)}
	return in
}
