package gen

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// TestMoneyExact: the CSV text of an amount is its exact decimal, and the
// double written to Parquet has that decimal as its shortest text, so a
// reader that converts doubles through their shortest text (allot) and one
// that casts them to DECIMAL (DuckDB) read the same amounts.
func TestMoneyExact(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		// The generator's amounts: under $1000 a line, at most 15
		// significant digits (10 fractional, or 12 for long decimals).
		v := rapid.Int64Range(-1e15+1, 1e15-1).Draw(t, "pico")
		if rapid.Bool().Draw(t, "cents") {
			v = v / 1e8 * 1e8
		}
		want := decimal.New(v, -12)
		txt := string(appendMoney(nil, v))
		got, err := decimal.NewFromString(txt)
		if err != nil || !got.Equal(want) {
			t.Fatalf("appendMoney(%d) = %q, want %s", v, txt, want)
		}
		short := strconv.FormatFloat(money(v), 'g', -1, 64)
		if d := decimal.RequireFromString(short); !d.Equal(want) {
			t.Fatalf("money(%d) reads back as %s, want %s", v, short, want)
		}
	})
}

func TestQuantityText(t *testing.T) {
	for q, want := range map[int64]string{0: "0", 1: "0.001", 1500: "1.5", 1234567: "1234.567", 2000: "2"} {
		if got := string(appendQty(nil, q)); got != want {
			t.Errorf("appendQty(%d) = %q, want %q", q, got, want)
		}
	}
}

// TestWorldRealism checks the shape the issue asks for: tens of accounts,
// thousands of resources, 3 to 6 tags on about 80% of them, team values
// that are registered teams, and line item types in their proportions.
func TestWorldRealism(t *testing.T) {
	o := Options{Rows: 1, Period: cost.Period{Year: 2026, Month: 10}, Out: "x"}
	o.Defaults()
	w := newWorld(&o)
	if len(w.accounts) != 24 || len(w.resources) != 4000 || len(w.teams) != 25 {
		t.Fatalf("%d accounts, %d resources, %d teams; want 24, 4000, 25", len(w.accounts), len(w.resources), len(w.teams))
	}
	teams := map[string]bool{}
	for _, tm := range w.teams {
		teams[tm] = true
	}
	untagged := 0
	for _, r := range w.resources {
		if r.tags == nil {
			untagged++
			continue
		}
		if n := len(r.tags); n < 3 || n > 6 {
			t.Fatalf("resource %s has %d tags, want 3 to 6", r.id, n)
		}
		if !teams[r.team] {
			t.Fatalf("resource %s is tagged with team %q, not a registered team", r.id, r.team)
		}
	}
	if share := float64(untagged) / 4000; share < 0.17 || share > 0.23 {
		t.Errorf("%.1f%% of resources untagged, want about 20%%", share*100)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var counts [numLineTypes]int
	var l line
	const n = 200_000
	for i := 0; i < n; i++ {
		w.draw(rng, &l)
		counts[l.typ]++
		if lineTypes[l.typ].account != (l.res == nil) {
			t.Fatalf("a %s line with resource %v", lineTypes[l.typ].name, l.res)
		}
		if !w.period.Contains(l.start(w.period.Start())) {
			t.Fatalf("line starts at hour %d, outside the period", l.hour)
		}
	}
	for lt, c := range counts {
		want := float64(lineTypes[lt].weight) / 1000
		if got := float64(c) / n; got < want*0.9-0.001 || got > want*1.1+0.001 {
			t.Errorf("%s: %.3f of lines, want about %.3f", lineTypes[lt].name, got, want)
		}
	}
}

// TestEffectiveRules checks the generated effective cost against the
// rules of FORMATS §1.5, worked by hand for one amount.
func TestEffectiveRules(t *testing.T) {
	c := int64(1_000_000_000_000) // one dollar
	for _, tc := range []struct {
		typ    int
		net    bool
		billed int64
		eff    int64
	}{
		{ltUsage, false, c, c},
		{ltSPCovered, false, c, c * 3 / 4},
		{ltSPNegation, false, -c, 0},
		{ltDiscounted, false, 0, c * 7 / 10},
		{ltRIFee, false, 5 * c, c/3/100*100 + c/4},
		{ltSPRecurring, false, 5 * c, c},
		{ltUsage, true, c - c/20, c - c/20},
		{ltDiscounted, true, 0, c*7/10 - c*7/10/20},
	} {
		l := line{typ: tc.typ}
		switch tc.typ {
		case ltUsage:
			l.unblended = c
		case ltSPCovered:
			l.unblended, l.spEff, l.hasSP = c, round10(c*3/4), true
		case ltSPNegation:
			l.unblended = -c
		case ltDiscounted:
			l.riEff, l.hasRI = round10(c*7/10), true
		case ltRIFee:
			l.unblended, l.riUnusedUp, l.riUnusedRec = 5*c, round10(c/3), round10(c/4)
		case ltSPRecurring:
			l.unblended, l.spTotal, l.spUsed = 5*c, 5*c, 4*c
		}
		if tc.net {
			l.hasNet = true
			l.net, l.riNetEff = netOf(l.unblended), netOf(l.riEff)
		}
		if l.billed() != tc.billed || l.effective() != tc.eff {
			t.Errorf("%s (net %v): billed %d effective %d, want %d %d", lineTypes[tc.typ].name, tc.net, l.billed(), l.effective(), tc.billed, tc.eff)
		}
	}
}
