package allocator

import (
	"fmt"
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// genAmount draws a decimal with up to 10 fractional digits, sometimes negative (credits).
func genAmount(t *rapid.T, label string, allowNeg bool) decimal.Decimal {
	units := rapid.Int64Range(0, 5_000_000_000_000).Draw(t, label+"_units")
	scale := rapid.Int32Range(0, 10).Draw(t, label+"_scale")
	v := decimal.New(units, -scale)
	if allowNeg && rapid.IntRange(0, 9).Draw(t, label+"_neg") == 0 {
		v = v.Neg()
	}
	return v
}

func genInput(t *rapid.T) Input {
	nTeams := rapid.IntRange(1, 6).Draw(t, "teams")
	var teams []Team
	for i := 0; i < nTeams; i++ {
		tm := Team{ID: fmt.Sprintf("t%d", i), Seats: rapid.IntRange(0, 50).Draw(t, "seats")}
		if rapid.Bool().Draw(t, "hasForecast") {
			f := genAmount(t, "forecast", false)
			tm.Forecast = &f
		}
		teams = append(teams, tm)
	}
	teams = append(teams, Team{ID: "plat", Platform: true})
	teamID := func(label string) string {
		i := rapid.IntRange(-1, nTeams).Draw(t, label)
		switch {
		case i == -1:
			return ""
		case i == nTeams:
			return "plat"
		}
		return teams[i].ID
	}
	classOf := func(label string) string {
		return rapid.SampledFrom([]string{"", "chat_call", "retrieval_call", "agent_step", "eval_run"}).Draw(t, label)
	}
	mode := rapid.SampledFrom([]Mode{ModePriceList, ModeCost}).Draw(t, "mode")
	rate := func(label string) decimal.Decimal {
		return decimal.New(rapid.Int64Range(0, 100).Draw(t, label), -2)
	}
	p := Params{
		Mode: mode, EvalClass: "eval_run", Classes: classes,
		OverheadRate: rate("o"), RegistryRate: rate("r"), BufferRate: rate("f"),
		RegistryCharged: rapid.Bool().Draw(t, "regCharged"), ConsumerShare: rate("s"),
		Seats: rapid.Bool().Draw(t, "seatsOn"), SeatFee: genAmount(t, "fee", false),
		Unallocated:   rapid.SampledFrom([]PolicyKind{Hold, Proportional, Assign}).Draw(t, "policy"),
		AssignTeam:    teams[0].ID,
		DrawThreshold: decimal.New(rapid.Int64Range(0, 40).Draw(t, "thr"), -1),
	}
	if rapid.Bool().Draw(t, "hasCap") {
		c := genAmount(t, "cap", false)
		p.QuarterlyCap = &c
	}
	in := Input{Period: oct, Currency: rapid.SampledFrom([]string{"USD", "JPY", "KWD"}).Draw(t, "ccy"), Params: p, Teams: teams}
	for i, n := 0, rapid.IntRange(0, 30).Draw(t, "costs"); i < n; i++ {
		g := CostGroup{Team: teamID("cteam"), Class: classOf("cclass"), Cost: genAmount(t, "cost", true), Lines: rapid.Int64Range(1, 1000).Draw(t, "lines")}
		if rapid.IntRange(0, 4).Draw(t, "reg") == 0 {
			g.Component = "registry"
		}
		in.Costs = append(in.Costs, g)
	}
	in.Prices = map[string]Price{}
	for _, c := range classes {
		base := decimal.New(rapid.Int64Range(0, 99_999_999).Draw(t, "base"), -6)
		o, r, f := rate("po"), rate("pr"), rate("pf")
		b := base
		O := o.Mul(b).Round(6)
		R := r.Mul(O).Round(6)
		F := f.Mul(b.Add(O).Add(R)).Round(6)
		in.Prices[c] = Price{Base: b, Overhead: O, Registry: R, Buffer: F, Price: b.Add(O).Add(R).Add(F)}
	}
	for i, n := 0, rapid.IntRange(0, 30).Draw(t, "actions"); i < n; i++ {
		team := teamID("ateam")
		if rapid.IntRange(0, 5).Draw(t, "unknown") == 0 {
			team = "stranger"
		}
		class := classOf("aclass")
		if class == "" {
			class = "chat_call"
		}
		in.Actions = append(in.Actions, ActionGroup{Team: team, Class: class, Actions: rapid.Int64Range(0, 10_000_000).Draw(t, "n")})
	}
	for i := 0; i < nTeams; i++ {
		if teams[i].Forecast != nil && rapid.Bool().Draw(t, "draw") {
			in.Draws = append(in.Draws, DrawRequest{Team: teams[i].ID, Cause: "burst"})
		}
	}
	in.Buffer = BufferState{Opening: genAmount(t, "opening", false).Round(cost.MinorUnits(in.Currency)), QuarterDrawn: map[string]decimal.Decimal{}}
	return in
}

// TestPropertyInvariants checks, for random inputs, the invariants the run
// itself checks plus independent recomputations of rounding and
// conservation.
func TestPropertyInvariants(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := genInput(t)
		if in.Params.Mode == ModeCost {
			// Cost groups of unregistered teams must arrive as "".
			for i := range in.Costs {
				if in.Costs[i].Team == "stranger" {
					in.Costs[i].Team = ""
				}
			}
		}
		res, err := Allocate(in)
		if err != nil {
			t.Fatalf("Allocate: %v", err)
		}
		for _, inv := range res.Invariants {
			if !inv.OK {
				t.Fatalf("invariant %s: %s", inv.Name, inv.Detail)
			}
		}
		places := cost.MinorUnits(in.Currency)
		unit := decimal.New(1, -places)
		exact, rounded := decimal.Zero, decimal.Zero
		teamExact := map[string]decimal.Decimal{}
		teamRounded := map[string]decimal.Decimal{}
		conservedExact := decimal.Zero
		for _, r := range res.Rows {
			exact, rounded = exact.Add(r.Exact), rounded.Add(r.Amount)
			teamExact[r.Team] = teamExact[r.Team].Add(r.Exact)
			teamRounded[r.Team] = teamRounded[r.Team].Add(r.Amount)
			if r.Amount.Sub(r.Exact).Abs().GreaterThanOrEqual(unit) {
				t.Fatalf("row %+v is a minor unit or more from its exact amount", r)
			}
			if !r.Amount.Equal(r.Amount.Round(places)) {
				t.Fatalf("row %+v is not rounded to %d places", r, places)
			}
			if r.Amount.IsZero() {
				t.Fatalf("a zero row was kept: %+v", r)
			}
			switch r.Component {
			case cost.CompUsage, cost.CompEval, cost.CompCentralEval, cost.CompCentralRegistry, cost.CompCentralPlatform, cost.CompUnallocated, cost.CompUnallocatedShare:
				conservedExact = conservedExact.Add(r.Exact)
			}
		}
		// Rows dropped for rounding to zero carry less than a unit each; the
		// total with them is what the root rounds.
		if d := rounded.Sub(exact).Abs(); d.GreaterThan(unit.Mul(decimal.NewFromInt(int64(len(res.Rows) + 40)))) {
			t.Fatalf("rounded total %s far from exact %s", rounded, exact)
		}
		for team, e := range teamExact {
			if teamRounded[team].Sub(e).Abs().GreaterThan(unit.Mul(decimal.NewFromInt(2))) {
				t.Fatalf("team %s: rounded %s vs exact %s", team, teamRounded[team], e)
			}
		}
		if in.Params.Mode == ModeCost {
			input := decimal.Zero
			for _, g := range in.Costs {
				input = input.Add(g.Cost)
			}
			// Rows that rounded to zero were dropped; their exact value is below a unit each.
			if d := conservedExact.Sub(input).Abs(); d.GreaterThan(unit.Mul(decimal.NewFromInt(40))) {
				t.Fatalf("conserved rows %s vs input %s", conservedExact, input)
			}
		}
		b := res.Buffer
		if !b.Opening.Add(b.Surcharges).Sub(b.Draws).Equal(b.Closing) {
			t.Fatalf("buffer does not balance: %+v", b)
		}
		for _, dr := range res.Draws {
			if dr.Amount.IsNegative() {
				t.Fatalf("negative draw %+v", dr)
			}
			if dr.Amount.IsPositive() && dr.Amount.GreaterThan(dr.Excess) {
				t.Fatalf("draw above the excess: %+v", dr)
			}
		}
	})
}

func TestPropertyLargestRemainder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 40).Draw(t, "n")
		places := rapid.Int32Range(0, 4).Draw(t, "places")
		vals := make([]decimal.Decimal, n)
		sum := decimal.Zero
		for i := range vals {
			vals[i] = decimal.New(rapid.Int64Range(-1_000_000_000, 1_000_000_000).Draw(t, "v"), -rapid.Int32Range(0, 9).Draw(t, "s"))
			sum = sum.Add(vals[i])
		}
		target := sum.Round(places)
		out := LargestRemainder(vals, target, places)
		got := decimal.Zero
		unit := decimal.New(1, -places)
		for i, o := range out {
			got = got.Add(o)
			if o.Sub(vals[i]).Abs().GreaterThanOrEqual(unit) {
				t.Fatalf("value %s rounded to %s", vals[i], o)
			}
		}
		if !got.Equal(target) {
			t.Fatalf("sum %s, want %s", got, target)
		}
	})
}

func FuzzSplit(f *testing.F) {
	f.Add(int64(10000), uint8(2), int64(1), int64(1), int64(1))
	f.Add(int64(1), uint8(0), int64(3), int64(0), int64(7))
	f.Add(int64(-999), uint8(3), int64(5), int64(5), int64(1))
	f.Fuzz(func(t *testing.T, units int64, places uint8, w1, w2, w3 int64) {
		pl := int32(places % 8)
		total := decimal.New(units, -pl)
		var ws []decimal.Decimal
		for _, w := range []int64{w1, w2, w3} {
			if w < 0 {
				w = -w
			}
			ws = append(ws, decimal.NewFromInt(w%1_000_000))
		}
		parts, err := Split(total, ws, pl)
		if err != nil {
			return // zero weights
		}
		sum := decimal.Zero
		for _, p := range parts {
			sum = sum.Add(p)
		}
		if !sum.Equal(total) {
			t.Fatalf("parts %v add to %s, want %s", parts, sum, total)
		}
	})
}
