package pipeline

import (
	"testing"

	"github.com/allot-dev/allot/allocator"
)

func TestSurchargeBase(t *testing.T) {
	teams := []allocator.Team{{ID: "search"}, {ID: "support"}, {ID: "platform", Platform: true}}
	price := allocator.Price{Base: d("0.01"), Overhead: d("0.0015"), Registry: d("0.000045"), Buffer: d("0.000462"), Price: d("0.012007")}
	actions := []allocator.ActionGroup{
		{Team: "search", Class: "chat_call", Actions: 1000},
		{Team: "support", Class: "chat_call", Scope: "none", Actions: 200},
		{Team: "search", Class: "eval_run", Actions: 50},    // eval: no surcharge
		{Team: "platform", Class: "chat_call", Actions: 70}, // the platform's own work
		{Team: "growth", Class: "chat_call", Actions: 30},   // unregistered: unallocated
	}
	costs := []allocator.CostGroup{
		{Team: "search", Class: "chat_call", Cost: d("100")},
		{Team: "search", Class: "", Cost: d("10")}, // unclassified is surcharged
		{Team: "support", Class: "eval_run", Cost: d("40")},
		{Team: "platform", Class: "chat_call", Cost: d("500")},
		{Team: "", Class: "chat_call", Cost: d("60")},
	}
	cases := map[string]struct {
		params allocator.Params
		want   string
	}{
		// 1,200 consuming non-eval actions × (0.01 + 0.0015 + 0.000045).
		"price list": {allocator.Params{Mode: allocator.ModePriceList, EvalClass: "eval_run"}, "13.854"},
		// (100 + 10) × (1 + 0.15 + 0.03 × 0.15).
		"cost, registry charged": {allocator.Params{Mode: allocator.ModeCost, EvalClass: "eval_run", OverheadRate: d("0.15"),
			RegistryRate: d("0.03"), RegistryCharged: true}, "126.995"},
		// (100 + 10) × (1 + 0.15).
		"cost, registry central": {allocator.Params{Mode: allocator.ModeCost, EvalClass: "eval_run", OverheadRate: d("0.15"),
			RegistryRate: d("0.03")}, "126.5"},
		"cost, finops": {allocator.Params{Mode: allocator.ModeCost, EvalClass: "eval_run"}, "110"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			in := allocator.Input{Params: c.params, Teams: teams, Actions: actions, Costs: costs,
				Prices: map[string]allocator.Price{"chat_call": price, "eval_run": price}}
			if got, want := SurchargeBase(in), d(c.want); !got.Equal(want) {
				t.Errorf("SurchargeBase = %s, want %s", got, want)
			}
		})
	}
}
