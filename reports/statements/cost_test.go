package statements_test

import (
	"testing"

	"github.com/allot-dev/allot/allocator"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/reports"
	"github.com/allot-dev/allot/reports/statements"
)

// costMonth is a cost-pricing month worked by hand: overhead 10 %, buffer
// 4 %, consumer share 0.5, seats at 30, unallocated cost spread by usage.
//
//	bill: a chat 100, a eval 20, b chat 50, platform registry (no class) 7,
//	no team chat 30 = 207.00
//	a chat: usage 100, overhead 10, surcharge 0.04 × 110 = 4.40
//	a eval: eval 10, central_eval 10
//	b chat: usage 50, overhead 5, surcharge 2.20
//	unallocated 30 spread 100 : 50 → a 20, b 10; seats a 2 × 30 = 60
func costMonth(t *testing.T) statements.Input {
	t.Helper()
	ain := allocator.Input{
		Period: cost.Period{Year: 2026, Month: 11}, Currency: "USD",
		Params: allocator.Params{Mode: allocator.ModeCost, OverheadRate: d("0.10"), BufferRate: d("0.04"), ConsumerShare: d("0.5"),
			EvalClass: "eval_run", Seats: true, SeatFee: d("30"), Unallocated: allocator.Proportional, DrawThreshold: d("3"),
			Classes: []string{"chat_call", "agent_step", "eval_run"}},
		Teams: []allocator.Team{{ID: "a", Seats: 2}, {ID: "b"}, {ID: "platform", Platform: true}},
		Costs: []allocator.CostGroup{
			{Team: "a", Class: "chat_call", Cost: d("100.00"), Lines: 4},
			{Team: "a", Class: "eval_run", Cost: d("20.00"), Lines: 1},
			{Team: "b", Class: "chat_call", Cost: d("50.00"), Lines: 2},
			{Team: "platform", Component: "registry", Cost: d("7.00"), Lines: 1},
			{Team: "", Class: "chat_call", Cost: d("30.00"), Lines: 1},
		},
		Actions: []allocator.ActionGroup{
			{Team: "a", Class: "chat_call", Actions: 1000},
			{Team: "a", Class: "eval_run", Actions: 10},
			{Team: "b", Class: "chat_call", Actions: 500},
		},
		Buffer: allocator.BufferState{Opening: d("0")},
	}
	bk := workedBooking()
	bk.Teams = map[string]reports.Booking{"a": {Company: "1000", CostCenter: "CC-A"}, "b": {Company: "1000", CostCenter: "CC-B"}}
	in := build(t, ain, bk)
	in.AgentRuns = map[string]map[string]map[string]int64{"a": {
		"run-x": {"chat_call": 100, "eval_run": 2},
		"run-y": {"agent_step": 5},
	}}
	return in
}

func TestCostModeStatement(t *testing.T) {
	st, err := statements.BuildStatement(costMonth(t), "a")
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Classes) != 2 {
		t.Fatalf("classes = %+v", st.Classes)
	}
	chat, eval := st.Classes[0], st.Classes[1]
	// 114.40 ÷ 1,000 gateway actions; 10.00 ÷ 10.
	if chat.Class != "chat_call" || chat.Actions != 1000 || chat.UnitKind != "effective" || !chat.UnitPrice.Equal(d("0.1144")) {
		t.Errorf("chat_call = %+v", chat)
	}
	eq(t, "chat usage", chat.Usage, "100.00")
	eq(t, "chat overhead", chat.Overhead, "10.00")
	eq(t, "chat surcharge", chat.Surcharge, "4.40")
	eq(t, "chat total", chat.Total, "114.40")
	if eval.Class != "eval_run" || eval.Actions != 10 || !eval.UnitPrice.Equal(d("1")) {
		t.Errorf("eval_run = %+v", eval)
	}
	e := st.Eval
	if e == nil || e.HasPrice || e.Actions != 10 {
		t.Fatalf("eval = %+v", e)
	}
	eq(t, "eval value", e.Value, "20.00") // the bill cost of a's eval lines
	eq(t, "eval charged", e.Charged, "10.00")
	eq(t, "eval central", e.Central, "10.00")
	if st.Seats == nil || st.Seats.Seats != 2 || !st.Seats.Fee.Equal(d("30")) {
		t.Errorf("seats = %+v", st.Seats)
	}
	eq(t, "seats", st.Seats.Amount, "60.00")
	if st.UnallocatedShare == nil || st.UnallocatedRule == "" {
		t.Fatalf("no unallocated share")
	}
	eq(t, "unallocated share", *st.UnallocatedShare, "20.00") // 30 × 100 ÷ 150
	eq(t, "total", st.Total, "204.40")                        // 114.40 + 10 + 60 + 20
	if !st.Journal.Matches {
		t.Errorf("journal = %+v", st.Journal)
	}
	// run-x: 100 × 0.1144 + 2 × 1 = 13.44; run-y's agent steps have no
	// per-action cost (a has no agent_step charge).
	r := st.Runs
	if r.Count != 2 || len(r.Top) != 2 || r.Top[0].ID != "run-x" || len(r.Uncosted) != 1 || r.Uncosted[0] != "agent_step" {
		t.Fatalf("runs = %+v", r)
	}
	eq(t, "run-x", r.Top[0].Cost, "13.44")
	eq(t, "run-y", r.Top[1].Cost, "0.00")
}

func TestCostModeReconciliation(t *testing.T) {
	rc, err := statements.BuildReconciliation(costMonth(t))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "bill", rc.Bill.Cost, "207.00")
	eq(t, "total", rc.Total, "288.60")         // a 204.40 + b 67.20 + central 17.00
	eq(t, "recovered", rc.Recovered, "282.00") // 288.60 − surcharges 6.60
	eq(t, "variance", rc.Variance, "75.00")    // overhead 15 + seats 60
	bc := rc.BillCarried
	if bc == nil || !bc.Invariant {
		t.Fatalf("bill carried = %+v", bc)
	}
	eq(t, "bill-carrying rows", bc.Rows, "207.00") // usage 150 + eval 10 + central 17 + shares 30
	eq(t, "difference", bc.Difference, "0.00")
	// chat_call: 110 + 55 recovered against 180 (the 30 held moved to
	// class-less shares); unclassified: the registry's 7 is recovered by
	// a class-less central row.
	want := map[string][2]string{"chat_call": {"165.00", "180.00"}, "eval_run": {"20.00", "20.00"}, "unclassified": {"0.00", "7.00"}}
	for _, c := range rc.Classes {
		w, ok := want[c.Class]
		if !ok || c.Recovered.String() != w[0] || c.Actual.String() != w[1] {
			t.Errorf("class %s: recovered %s, actual %s; want %v", c.Class, c.Recovered, c.Actual, w)
		}
	}
	eq(t, "recovered without a class", rc.NoClass, "97.00") // seats 60 + shares 30 + registry 7
	if got, want := rc.NoClassComponents, []string{"seat", "unallocated_share", "central_registry"}; len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("class-less components = %v, want %v", got, want)
	}
	rr := rc.Recharge
	if rr.Rate != "1.000000" || rr.Percent != "100.00%" || !rr.NotJournalled.IsZero() {
		t.Errorf("recharge = %+v, want 100%% with nothing lost", rr)
	}
}
