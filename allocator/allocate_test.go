package allocator

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }
func dp(s string) *decimal.Decimal {
	v := d(s)
	return &v
}

var oct = cost.Period{Year: 2026, Month: 10}
var classes = []string{"chat_call", "retrieval_call", "agent_step", "eval_run"}

// referencePrices is SPEC §10's price list, derived by hand (see rules'
// TestPriceListWorkedExample).
var referencePrices = map[string]Price{
	"chat_call":      {d("0.012"), d("0.0018"), d("0.000054"), d("0.000554"), d("0.014408")},
	"retrieval_call": {d("0.0008"), d("0.00012"), d("0.000004"), d("0.000037"), d("0.000961")},
	"agent_step":     {d("0.03"), d("0.0045"), d("0.000135"), d("0.001385"), d("0.03602")},
	"eval_run":       {d("0.02"), d("0.003"), d("0.00009"), d("0.000924"), d("0.024014")},
}

// rowsString renders rows as "team class component actions unit amount".
func rowsString(rows []Row) string {
	var b strings.Builder
	for _, r := range rows {
		act, unit := "", ""
		if r.HasActions {
			act = fmt.Sprint(r.Actions)
		}
		if r.HasUnitPrice {
			unit = r.UnitPrice.String()
		}
		fmt.Fprintf(&b, "%s %s %s %s %s %s\n", r.Team, r.Class, r.Component, act, unit, r.Amount.StringFixed(2))
	}
	return b.String()
}

func mustAllocate(t *testing.T, in Input) *Result {
	t.Helper()
	res, err := Allocate(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range res.Invariants {
		if !inv.OK {
			t.Errorf("invariant %s failed: %s", inv.Name, inv.Detail)
		}
	}
	return res
}

func TestWorkedCheck60000(t *testing.T) {
	// SPEC §4: 50,000 actions a day at a price of 0.04 for 30 days is 60,000 a month.
	in := Input{
		Period: cost.Period{Year: 2026, Month: 11}, Currency: "USD",
		Params:  Params{Mode: ModePriceList, EvalClass: "eval_run", RegistryCharged: true, Classes: classes},
		Teams:   []Team{{ID: "search"}, {ID: "platform", Platform: true}},
		Prices:  map[string]Price{"chat_call": {Base: d("0.04"), Price: d("0.04")}},
		Actions: nil,
	}
	for day := 0; day < 30; day++ {
		in.Actions = append(in.Actions, ActionGroup{Team: "search", Class: "chat_call", Actions: 50000})
	}
	res := mustAllocate(t, in)
	if got, want := rowsString(res.Rows), "search chat_call usage 1500000 0.04 60000.00\n"; got != want {
		t.Errorf("rows:\n%s\nwant:\n%s", got, want)
	}
}

func TestPriceListMode(t *testing.T) {
	in := Input{
		Period: oct, Currency: "USD",
		Params: Params{Mode: ModePriceList, EvalClass: "eval_run", RegistryCharged: true, ConsumerShare: d("0.5"),
			Unallocated: Hold, DrawThreshold: d("3"), Classes: classes},
		Teams:  []Team{{ID: "search", Forecast: dp("12000")}, {ID: "support", Forecast: dp("5000")}, {ID: "platform", Platform: true}},
		Prices: referencePrices,
		Actions: []ActionGroup{
			{Team: "search", Class: "chat_call", Actions: 600}, {Team: "search", Class: "chat_call", Actions: 400},
			{Team: "search", Class: "eval_run", Scope: "domain", Actions: 200},
			{Team: "support", Class: "retrieval_call", Actions: 500},
			{Team: "platform", Class: "eval_run", Scope: "baseline", Actions: 100},
			{Team: "platform", Class: "agent_step", Actions: 50},
			{Team: "marketing", Class: "chat_call", Actions: 10},
		},
		Costs:  []CostGroup{{Team: "search", Class: "chat_call", Cost: d("13.10"), Lines: 4}, {Team: "", Class: "", Cost: d("2"), Lines: 1}},
		Buffer: BufferState{Opening: d("100")},
	}
	res := mustAllocate(t, in)
	// Worked by hand: search 12 + 1.8 + 0.054 + 0.554 + 200 × 0.012007 = 16.8094;
	// support 0.4 + 0.06 + 0.002 + 0.0185 = 0.4805; _central 200 × 0.012007 +
	// 100 × 0.024014 = 4.8028 and 50 × 0.03602 = 1.801; _unallocated 10 ×
	// 0.014408 = 0.14408. Total 24.03778 → 24.04; largest remainders give
	// search 16.81, support 0.48, _central 6.60, _unallocated 0.15; within
	// search the registry (0.054) and surcharge (0.554) tie at .004 and the
	// earlier row takes the cent.
	want := `search chat_call usage 1000 0.012 12.00
search chat_call overhead 1000 0.0018 1.80
search chat_call registry 1000 0.000054 0.06
search chat_call buffer_surcharge 1000 0.000554 0.55
search eval_run eval 200 0.012007 2.40
support retrieval_call usage 500 0.0008 0.40
support retrieval_call overhead 500 0.00012 0.06
support retrieval_call buffer_surcharge 500 0.000037 0.02
_central agent_step central_platform 50 0.03602 1.80
_central eval_run central_eval 300  4.80
_unallocated chat_call unallocated 10 0.014408 0.15
`
	if got := rowsString(res.Rows); got != want {
		t.Errorf("rows:\n%s\nwant:\n%s", got, want)
	}
	if got, want := res.Buffer, (Buffer{d("100"), d("0.57"), d("0"), d("100.57")}); !got.Closing.Equal(want.Closing) || !got.Surcharges.Equal(want.Surcharges) {
		t.Errorf("buffer = %+v, want %+v", got, want)
	}
	// Variance per class: chat_call recovered = 12 + 1.8 + 0.054 + 0.14408 (the
	// unallocated actions) = 13.99808 against 13.10 actual.
	for _, v := range res.Variance {
		if v.Class == "chat_call" && !v.Variance.Equal(d("0.89808")) {
			t.Errorf("chat_call variance = %s, want 0.89808", v.Variance)
		}
		if v.Class == "unclassified" && !v.Actual.Equal(d("2")) {
			t.Errorf("unclassified actual = %s, want 2", v.Actual)
		}
	}
}

func TestCostModeWithDraw(t *testing.T) {
	in := Input{
		Period: oct, Currency: "USD",
		Params: Params{Mode: ModeCost, EvalClass: "eval_run", OverheadRate: d("0.10"), RegistryRate: d("0.03"), BufferRate: d("0.04"),
			RegistryCharged: false, ConsumerShare: d("0.5"), Unallocated: Hold, DrawThreshold: d("3"), QuarterlyCap: dp("100"), Classes: classes},
		Teams: []Team{{ID: "search", Forecast: dp("50")}, {ID: "support", Forecast: dp("50")}, {ID: "platform", Platform: true}},
		Costs: []CostGroup{
			{Team: "search", Class: "chat_call", Cost: d("120.00"), Lines: 10},
			{Team: "search", Class: "", Cost: d("10.00"), Lines: 1},
			{Team: "search", Class: "eval_run", Scope: "domain", Cost: d("30.00"), Lines: 2},
			{Team: "support", Class: "retrieval_call", Cost: d("40.005"), Lines: 3},
			{Team: "platform", Class: "", Component: "registry", Cost: d("7.00"), Lines: 1},
			{Team: "platform", Class: "eval_run", Scope: "baseline", Cost: d("5.00"), Lines: 1},
			{Team: "platform", Class: "agent_step", Cost: d("3.00"), Lines: 1},
			{Team: "", Class: "chat_call", Cost: d("15.00"), Lines: 5},
		},
		Draws:  []DrawRequest{{Team: "search", Cause: "backfill of catalogue embeddings"}},
		Buffer: BufferState{Opening: d("60"), QuarterDrawn: map[string]decimal.Decimal{"search": d("30")}},
	}
	res := mustAllocate(t, in)
	// Worked by hand: search charge before the draw 163.72 ≥ 3 × 50; excess
	// 113.72, cap left 100 − 30 = 70, fund 60 + 7.48022 = 67.48022 → the fund
	// limits the draw to 67.48022. Totals: search 96.23978, support 45.76572,
	// _central 30, _unallocated 15 → 187.0055 → 187.01, with search and support
	// taking the two cents of largest remainder.
	want := `search chat_call usage   120.00
search chat_call overhead   12.00
search chat_call buffer_surcharge   5.28
search eval_run eval   15.00
search unclassified usage   10.00
search unclassified overhead   1.00
search unclassified buffer_surcharge   0.44
search  buffer_draw   -67.48
support retrieval_call usage   40.01
support retrieval_call overhead   4.00
support retrieval_call buffer_surcharge   1.76
_central agent_step central_platform   3.00
_central eval_run central_eval   20.00
_central  central_registry   7.00
_unallocated chat_call unallocated   15.00
`
	if got := rowsString(res.Rows); got != want {
		t.Errorf("rows:\n%s\nwant:\n%s", got, want)
	}
	dr := res.Draws[0]
	if dr.LimitedBy != "fund" || !dr.Amount.Equal(d("67.48022")) || dr.Cause == "" {
		t.Errorf("draw = %+v, want 67.48022 limited by the fund", dr)
	}
	if !res.Buffer.Closing.IsZero() || !res.Buffer.Surcharges.Equal(d("7.48")) {
		t.Errorf("buffer = %+v, want surcharges 7.48 and closing 0", res.Buffer)
	}
	if !res.InputCost.Equal(d("230.005")) || res.InputLines != 24 {
		t.Errorf("input = %s over %d lines", res.InputCost, res.InputLines)
	}
}

func TestDrawLimits(t *testing.T) {
	base := func() Input {
		return Input{
			Period: oct, Currency: "USD",
			Params: Params{Mode: ModeCost, EvalClass: "eval_run", BufferRate: d("0"), DrawThreshold: d("3"), Unallocated: Hold, Classes: classes},
			Teams:  []Team{{ID: "a", Forecast: dp("100")}, {ID: "b", Forecast: dp("100")}, {ID: "p", Platform: true}},
			Costs:  []CostGroup{{Team: "a", Class: "chat_call", Cost: d("500")}, {Team: "b", Class: "chat_call", Cost: d("400")}},
			Draws:  []DrawRequest{{Team: "b", Cause: "launch"}, {Team: "a", Cause: "migration"}},
			Buffer: BufferState{Opening: d("1000")},
		}
	}
	t.Run("excess", func(t *testing.T) {
		res := mustAllocate(t, base())
		// a: 500 − 100 = 400; b: 400 − 100 = 300; fund 1000 covers both.
		if !res.Draws[0].Amount.Equal(d("400")) || !res.Draws[1].Amount.Equal(d("300")) || res.Draws[0].Team != "a" {
			t.Errorf("draws = %+v", res.Draws)
		}
		if !res.Buffer.Closing.Equal(d("300")) {
			t.Errorf("closing = %s, want 300", res.Buffer.Closing)
		}
	})
	t.Run("fund, teams in id order", func(t *testing.T) {
		in := base()
		in.Buffer.Opening = d("500")
		res := mustAllocate(t, in)
		// a takes 400 first, b gets the 100 left.
		if !res.Draws[0].Amount.Equal(d("400")) || !res.Draws[1].Amount.Equal(d("100")) || res.Draws[1].LimitedBy != "fund" {
			t.Errorf("draws = %+v", res.Draws)
		}
	})
	t.Run("cap", func(t *testing.T) {
		in := base()
		in.Params.QuarterlyCap = dp("250")
		in.Buffer.QuarterDrawn = map[string]decimal.Decimal{"a": d("200")}
		res := mustAllocate(t, in)
		if !res.Draws[0].Amount.Equal(d("50")) || !res.Draws[1].Amount.Equal(d("250")) || res.Draws[0].LimitedBy != "cap" {
			t.Errorf("draws = %+v", res.Draws)
		}
	})
	t.Run("below threshold", func(t *testing.T) {
		in := base()
		in.Costs[1].Cost = d("299.99")
		res := mustAllocate(t, in)
		if res.Draws[1].Eligible || !res.Draws[1].Amount.IsZero() || res.Draws[1].Reason == "" {
			t.Errorf("draw b = %+v, want not eligible (299.99 < 300)", res.Draws[1])
		}
		for _, r := range res.Rows {
			if r.Team == "b" && r.Component == cost.CompBufferDraw {
				t.Errorf("b got a draw row: %+v", r)
			}
		}
	})
}

func TestUnallocatedPolicies(t *testing.T) {
	base := Input{
		Period: oct, Currency: "USD",
		Params: Params{Mode: ModeCost, EvalClass: "eval_run", Classes: classes},
		Teams:  []Team{{ID: "a"}, {ID: "b"}, {ID: "c"}, {ID: "p", Platform: true}},
		Costs: []CostGroup{{Team: "a", Class: "chat_call", Cost: d("10")}, {Team: "b", Class: "chat_call", Cost: d("10")},
			{Team: "c", Class: "chat_call", Cost: d("10")}, {Team: "", Cost: d("100")}},
	}
	t.Run("proportional", func(t *testing.T) {
		in := base
		in.Params.Unallocated = Proportional
		res := mustAllocate(t, in)
		// 100 split three ways by equal usage: 33.34 + 33.33 + 33.33.
		var shares []string
		for _, r := range res.Rows {
			if r.Component == cost.CompUnallocatedShare {
				shares = append(shares, r.Team+"="+r.Amount.StringFixed(2))
			}
			if r.Team == cost.Unallocated {
				t.Errorf("held row remains: %+v", r)
			}
		}
		if got, want := strings.Join(shares, " "), "a=33.34 b=33.33 c=33.33"; got != want {
			t.Errorf("shares = %s, want %s", got, want)
		}
	})
	t.Run("assign", func(t *testing.T) {
		in := base
		in.Params.Unallocated, in.Params.AssignTeam = Assign, "b"
		res := mustAllocate(t, in)
		if got := res.TeamTotal("b"); !got.Equal(d("110")) {
			t.Errorf("b total = %s, want 110", got)
		}
	})
	t.Run("hold", func(t *testing.T) {
		in := base
		in.Params.Unallocated = Hold
		res := mustAllocate(t, in)
		if got := res.TeamTotal(cost.Unallocated); !got.Equal(d("100")) {
			t.Errorf("held = %s, want 100", got)
		}
	})
}

func TestSeatsAndCentralRegistry(t *testing.T) {
	in := Input{
		Period: oct, Currency: "USD",
		Params: Params{Mode: ModePriceList, EvalClass: "eval_run", RegistryCharged: false, ConsumerShare: d("0"),
			Seats: true, SeatFee: d("30"), Unallocated: Hold, Classes: classes},
		Teams:   []Team{{ID: "search", Seats: 40}, {ID: "support", Seats: 0}, {ID: "platform", Platform: true, Seats: 5}},
		Prices:  referencePrices,
		Actions: []ActionGroup{{Team: "search", Class: "chat_call", Actions: 10000}, {Team: "search", Class: "eval_run", Actions: 100}},
	}
	res := mustAllocate(t, in)
	// it model: seats 40 × 30 = 1200; registry 10000 × 0.000054 = 0.54 to
	// _central; the whole eval (100 × 0.024014 = 2.4014) is central_eval.
	want := `search chat_call usage 10000 0.012 120.00
search chat_call overhead 10000 0.0018 18.00
search chat_call buffer_surcharge 10000 0.000554 5.54
search  seat 40 30 1200.00
_central chat_call central_registry 10000 0.000054 0.54
_central eval_run central_eval 100 0.024014 2.40
`
	if got := rowsString(res.Rows); got != want {
		t.Errorf("rows:\n%s\nwant:\n%s", got, want)
	}
}

func TestNoPrice(t *testing.T) {
	_, err := Allocate(Input{Period: oct, Currency: "USD", Params: Params{Mode: ModePriceList},
		Teams: []Team{{ID: "a"}}, Actions: []ActionGroup{{Team: "a", Class: "chat_call", Actions: 1}}, Prices: map[string]Price{}})
	if !errors.Is(err, ErrNoPrice) {
		t.Fatalf("error = %v, want ErrNoPrice", err)
	}
}

func TestSplitExample(t *testing.T) {
	parts, err := Split(d("100"), []decimal.Decimal{d("1"), d("1"), d("1")}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(parts); got != "[33.34 33.33 33.33]" {
		t.Errorf("Split = %s", got)
	}
	if _, err := Split(d("1.001"), []decimal.Decimal{d("1")}, 2); err == nil {
		t.Error("Split accepted a total finer than its places")
	}
	if _, err := Split(d("1"), []decimal.Decimal{d("0")}, 2); err == nil {
		t.Error("Split accepted zero weights")
	}
}

func ExampleSplit() {
	parts, _ := Split(decimal.RequireFromString("10.00"), []decimal.Decimal{
		decimal.NewFromInt(2), decimal.NewFromInt(1), decimal.NewFromInt(1)}, 2)
	fmt.Println(parts)
	// Output: [5 2.5 2.5]
}
