package tagging

import (
	"reflect"
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// TestStatsMerge splits a set of lines that fills every table of Stats in
// two at every point: counting each part on its own and merging must give
// exactly what counting them all in one gives.
func TestStatsMerge(t *testing.T) {
	r := resolver(t)
	type line struct {
		li  cost.LineItem
		amt string
	}
	lines := []line{
		{cost.LineItem{ProviderName: "AWS", SubAccountID: "555", SubAccountName: "shared", ServiceName: "AmazonBedrock", UsageType: "U1", Tags: cost.Tags{"team": "search"}}, "90"},
		{cost.LineItem{ProviderName: "AWS", SubAccountID: "555", SubAccountName: "renamed", ServiceName: "AmazonBedrock", UsageType: "U2", Tags: cost.Tags{"team": "support"}}, "10"},
		{cost.LineItem{ProviderName: "AWS", SubAccountID: "555", ServiceName: "AmazonBedrock", UsageType: "U1", ResourceID: "r-1"}, "7"},
		{cost.LineItem{ProviderName: "AWS", SubAccountID: "666", ServiceName: "X", SkuMeter: "M", Tags: cost.Tags{"Team": "search"}, Count: 2}, "3.5"},
		{cost.LineItem{ProviderName: "AWS", SubAccountID: "666", ServiceName: "X", SkuID: "S", Tags: cost.Tags{"team": "Search", "cost-team": "Search"}}, "1.25"},
		{cost.LineItem{ProviderName: "AWS", SubAccountID: "111111111111", ServiceName: "X", Tags: cost.Tags{"team": "Search"}}, "2"},
		{cost.LineItem{ProviderName: "AWS", SubAccountID: "555", ServiceName: "AmazonBedrock", UsageType: "U9", Tags: cost.Tags{"team": "search", "action_class": "agent_step"}}, "4"},
		{cost.LineItem{ProviderName: "AWS", SubAccountID: "555", ServiceName: "AmazonBedrock", UsageType: "U9", Tags: cost.Tags{"team": "search", "action_class": "no_such_class"}}, "0.5"},
		{cost.LineItem{ProviderName: "Microsoft", SubAccountID: "sub", ResourceGroup: "RG-A", ServiceName: "Azure OpenAI", SkuMeter: "GPT 5 outpt Glbl 1M Tokens", Tags: cost.Tags{"TEAM": "support"}}, "6"},
		{cost.LineItem{ProviderName: "Microsoft", SubAccountID: "sub", ResourceGroup: "RG-A", ServiceName: "Azure OpenAI", SkuMeter: "GPT 5 outpt Glbl 1M Tokens", Tags: cost.Tags{"team": "support"}}, "0.000000001"},
		{cost.LineItem{ProviderName: "Microsoft", SubAccountID: "sub", ResourceGroup: "RG-B", ServiceName: "Azure OpenAI", SkuMeter: "GPT 5 inpt Glbl 1M Tokens", Tags: cost.Tags{"team": "support"}}, "-1.5"},
		// amounts Tally sums as 10^-10 units and amounts it cannot: finer
		// than 10^-10, too large for an int64 of units, a positive exponent
		// (1E3), and two that overflow the units together
		{cost.LineItem{ProviderName: "AWS", SubAccountID: "555", ServiceName: "AmazonBedrock", UsageType: "U1", Tags: cost.Tags{"team": "search"}}, "0.00000000001"},
		{cost.LineItem{ProviderName: "AWS", SubAccountID: "555", ServiceName: "AmazonBedrock", UsageType: "U1", Tags: cost.Tags{"team": "search"}}, "12345678901234567890.5"},
		{cost.LineItem{ProviderName: "AWS", SubAccountID: "555", ServiceName: "AmazonBedrock", UsageType: "U1", Tags: cost.Tags{"team": "search"}}, "1E3"},
		{cost.LineItem{ProviderName: "AWS", SubAccountID: "555", ServiceName: "AmazonBedrock", UsageType: "U1", Tags: cost.Tags{"team": "search"}}, "900000000"},
		{cost.LineItem{ProviderName: "AWS", SubAccountID: "555", ServiceName: "AmazonBedrock", UsageType: "U1", Tags: cost.Tags{"team": "search"}}, "900000000.0000000001"},
		{cost.LineItem{ProviderName: "AWS", SubAccountID: "555", ServiceName: "AmazonBedrock", UsageType: "U1", Tags: cost.Tags{"team": "search"}}, "-900000000"},
	}
	count := func(ls []line) *Stats {
		s := r.NewStats()
		for i := range ls {
			li := &ls[i].li
			s.Add(li, decimal.RequireFromString(ls[i].amt), r.Resolve(li))
		}
		return s
	}
	all := count(lines)
	all.Finish()
	// Every exported table holds something, so that a table Merge forgot
	// shows below.
	v := reflect.ValueOf(all).Elem()
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.IsExported() && f.Type.Kind() == reflect.Map && v.Field(i).Len() == 0 {
			t.Errorf("the lines leave Stats.%s empty: add a line that fills it", f.Name)
		}
	}
	// Finish reached every tally (a table it forgot would keep units,
	// and merged and unmerged stats would still compare equal).
	var unfinished func(path string, v reflect.Value)
	unfinished = func(path string, v reflect.Value) {
		switch {
		case v.Type() == reflect.TypeFor[Tally]():
			if u := v.FieldByName("units").Int(); u != 0 {
				t.Errorf("%s keeps %d units after Finish", path, u)
			}
		case v.Kind() == reflect.Pointer && !v.IsNil():
			unfinished(path, v.Elem())
		case v.Kind() == reflect.Map:
			for it := v.MapRange(); it.Next(); {
				unfinished(path+"[…]", it.Value())
			}
		case v.Kind() == reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					unfinished(path+"."+v.Type().Field(i).Name, v.Field(i))
				}
			}
		}
	}
	unfinished("Stats", reflect.ValueOf(all).Elem())
	opts := cmp.Options{
		cmpopts.IgnoreUnexported(Stats{}),
		cmp.AllowUnexported(Tally{}), // finished: the units are in Cost on both sides
		cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) }),
	}
	for k := 0; k <= len(lines); k++ {
		got := count(lines[:k])
		got.Merge(count(lines[k:]))
		got.Finish()
		if d := cmp.Diff(all, got, opts); d != "" {
			t.Errorf("lines[:%d] merged with lines[%d:] differ from all lines (-all +merged):\n%s", k, k, d)
		}
	}
}

// TestTallyExact: whatever amounts a tally counts (on the 10^-10 grid or
// off it, small or beyond an int64 of units, in any order, split between
// tallies merged later), its finished cost is their exact sum.
func TestTallyExact(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		amounts := rapid.SliceOf(rapid.Custom(func(t *rapid.T) decimal.Decimal {
			coef := rapid.Int64().Draw(t, "coef")
			if rapid.Bool().Draw(t, "small") {
				coef = rapid.Int64Range(-1e12, 1e12).Draw(t, "small coef")
			}
			return decimal.New(coef, rapid.Int32Range(-14, 3).Draw(t, "exp"))
		})).Draw(t, "amounts")
		split := rapid.IntRange(0, len(amounts)).Draw(t, "split")
		var want decimal.Decimal
		var a, b Tally
		for i, d := range amounts {
			want = want.Add(d)
			if i < split {
				a.add(addendOf(d), 1)
			} else {
				b.add(addendOf(d), 1)
			}
		}
		if rapid.Bool().Draw(t, "finish b first") {
			b.finish()
		}
		a.merge(&b)
		a.finish()
		a.finish() // idempotent
		if !a.Cost.Equal(want) || a.Lines != int64(len(amounts)) || a.units != 0 {
			t.Fatalf("cost %s over %d lines (units %d), want %s over %d", a.Cost, a.Lines, a.units, want, len(amounts))
		}
	})
}
