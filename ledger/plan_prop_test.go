package ledger

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// genJournals draws one run's allocation: a balanced journal for some of
// the (company, currency) pairs, built from debit/credit pairs of random
// cent amounts over small pools, so that runs often share lines.
func genJournals(t *rapid.T, p cost.Period) []cost.Journal {
	var out []cost.Journal
	for _, company := range []string{"1000", "2000"} {
		for _, currency := range []string{"USD", "JPY"} {
			if !rapid.Bool().Draw(t, "has "+company+" "+currency) {
				continue
			}
			places := cost.MinorUnits(currency)
			n := rapid.IntRange(1, 4).Draw(t, "pairs")
			var lines []cost.JournalLine
			for i := 0; i < n; i++ {
				amount := decimal.New(rapid.Int64Range(1, 5_000_000_00).Draw(t, "amount"), -places)
				team := rapid.SampledFrom([]string{"search", "support", cost.Central}).Draw(t, "team")
				comp := rapid.SampledFrom([]cost.Component{cost.CompUsage, cost.CompBufferSurcharge, cost.CompCentralPlatform}).Draw(t, "component")
				debitCC := rapid.SampledFrom([]string{"CC-4100", "CC-4200"}).Draw(t, "cost center")
				credit := rapid.SampledFrom([]string{"490100", "290500", "490110"}).Draw(t, "credit account")
				lines = append(lines,
					cost.JournalLine{CostCenter: debitCC, Account: "650100", Debit: amount, Team: team, Component: comp},
					cost.JournalLine{CostCenter: "CC-9000", Account: credit, Credit: amount, Team: team, Component: comp})
			}
			j := journal(p, company, currency, lines...)
			number(&j)
			out = append(out, j)
		}
	}
	return out
}

// TestPlanProperty: for random sequences of restated allocations (new
// figures, or a return to an earlier run's figures), applying every plan
// leaves the net of all posted batches per company, currency, account and
// cost center equal to the latest allocation, every posted journal
// balanced, every id unique, and at most one live batch per company and
// currency.
func TestPlanProperty(t *testing.T) {
	oct := period("2026-10")
	rapid.Check(t, func(t *rapid.T) {
		var batches []Batch
		var history [][]cost.Journal
		steps := rapid.IntRange(1, 8).Draw(t, "runs")
		for s := 0; s < steps; s++ {
			var next []cost.Journal
			if len(history) > 0 && rapid.IntRange(0, 2).Draw(t, "repeat") == 0 {
				next = history[rapid.IntRange(0, len(history)-1).Draw(t, "which")]
			} else {
				next = genJournals(t, oct)
			}
			history = append(history, next)
			applyPlan(t, &batches, next)
		}
	})
}

func applyPlan(t *rapid.T, batches *[]Batch, next []cost.Journal) []cost.Journal {
	toPost, unchanged, err := Plan(*batches, next)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	if unchanged != (len(toPost) == 0) {
		t.Fatalf("unchanged = %v with %d journals to post", unchanged, len(toPost))
	}
	seen := map[string]bool{}
	for _, b := range *batches {
		seen[b.ID] = true
	}
	for _, j := range toPost {
		if seen[j.ID] {
			t.Fatalf("id %s reused", j.ID)
		}
		seen[j.ID] = true
		if !j.Balanced() {
			t.Fatalf("%s does not balance", j.ID)
		}
		if orig, ok := ReversedID(j.ID); ok {
			var found bool
			for _, b := range *batches {
				if b.ID == orig {
					found = true
					if err := mirrors(j.Lines, b.Lines); err != nil {
						t.Fatalf("%s: %v", j.ID, err)
					}
				}
			}
			if !found {
				t.Fatalf("%s reverses %s, never posted", j.ID, orig)
			}
		}
	}
	*batches = posted(*batches, toPost...)
	if diff := cmp.Diff(netBy(next), netBy(journalsOf(*batches)), decimalEqual); diff != "" {
		t.Fatalf("net of all batches differs from the latest allocation (-want +got):\n%s", diff)
	}
	live := map[string]int{}
	for _, b := range *batches {
		if b.Live() {
			live[b.Company+" "+b.Currency]++
		}
	}
	for k, n := range live {
		if n > 1 {
			t.Fatalf("%d live batches for %s", n, k)
		}
	}
	return toPost
}

// TestPlanPropertyThroughTheStore posts every plan of random sequences to
// a SQLite ledger: Post must accept all of them (ids, reversals that
// mirror, one live batch), and the stored batches must add up like the
// in-memory ones.
func TestPlanPropertyThroughTheStore(t *testing.T) {
	if testing.Short() {
		t.Skip("posts a few hundred batches")
	}
	dir := t.TempDir()
	oct := period("2026-10")
	n := 0
	rapid.Check(t, func(rt *rapid.T) {
		n++
		ctx := context.Background()
		l, err := Open(ctx, "sqlite:"+filepath.Join(dir, fmt.Sprintf("prop-%d.db", n)))
		if err != nil {
			rt.Fatal(err)
		}
		defer l.Close()
		var mem []Batch
		steps := rapid.IntRange(1, 5).Draw(rt, "runs")
		var history [][]cost.Journal
		for s := 0; s < steps; s++ {
			var next []cost.Journal
			if len(history) > 0 && rapid.Bool().Draw(rt, "repeat") {
				next = history[rapid.IntRange(0, len(history)-1).Draw(rt, "which")]
			} else {
				next = genJournals(rt, oct)
			}
			history = append(history, next)
			stored, err := l.Batches(ctx, oct)
			if err != nil {
				rt.Fatal(err)
			}
			toPost := applyPlan(rt, &mem, next)
			fromStore, _, err := Plan(stored, next)
			if err != nil {
				rt.Fatal(err)
			}
			if !cmp.Equal(ids(toPost), ids(fromStore)) {
				rt.Fatalf("plan from the store %v differs from the plan in memory %v", ids(fromStore), ids(toPost))
			}
			if len(toPost) == 0 {
				continue
			}
			if err := l.Post(ctx, Posting{Run: run(oct), Journals: toPost}); err != nil {
				rt.Fatalf("Post of a plan: %v", err)
			}
		}
		stored, err := l.Batches(ctx, oct)
		if err != nil {
			rt.Fatal(err)
		}
		if diff := cmp.Diff(netBy(history[len(history)-1]), netBy(journalsOf(stored)), decimalEqual); diff != "" {
			rt.Fatalf("stored batches differ from the latest allocation (-want +got):\n%s", diff)
		}
	})
}
