package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/testutil"
	"github.com/allot-dev/allot/ledger"
	"github.com/shopspring/decimal"
)

var q4 = cost.Quarter{Year: 2026, Q: 4}

// quarterFixture bills a quarter in cost mode (finops: overhead 0,
// buffer rate 0.04) with the same three lines every month except
// search's November burst:
//
//	          search   support  platform   spend   surcharges (4% of team usage)
//	2026-10   1000.00   500.00   200.00   1700.00   40 + 20 =  60.00
//	2026-11   3000.00   500.00   200.00   3700.00  120 + 20 = 140.00
//	2026-12   1000.00   500.00   200.00   1700.00   40 + 20 =  60.00
//
// The fund opens at the configured 100.00. The surcharge base is the
// teams' usage: 1500 + 3500 + 1500 = 6500.
func quarterFixture(t *testing.T, draws string) *fixture {
	f := newFixture(t, "finops", draws)
	for _, m := range q4.Months() {
		search := "1000.00"
		if m.Month == 11 {
			search = "3000.00"
		}
		f.bill(m, "bill-"+m.String(),
			line{team: "search", class: "chat_call", cost: search},
			line{team: "support", class: "chat_call", cost: "500.00"},
			line{team: "platform", cost: "200.00"})
		f.gateway(m, "usage-"+m.String(), usage{"search", "chat_call", 100})
	}
	for _, m := range q4.Months() {
		f.run(m)
	}
	return f
}

func (f *fixture) reconcile() *ReconcileOutcome {
	f.t.Helper()
	out, err := ReconcileBuffer(context.Background(), f.config(), testEnv(), ReconcileOptions{Quarter: q4,
		OutDir: filepath.Join(f.dir, "out", "2026Q4"), Now: clock("2027-01-06T06:00:00Z")})
	if err != nil {
		f.t.Fatalf("reconcile: %v", err)
	}
	return out
}

func TestReconcileTopUp(t *testing.T) {
	// search draws in November: its charge 3000 + 120 = 3120 is at least
	// 3 × its forecast of 1000; the draw is min(3120 − 1000, cap 1000,
	// fund 160 + 140) = 300, limited by the fund. The fund closes October
	// at 160, November at 0 and December at 60.
	f := quarterFixture(t, `{ team: search, period: 2026-11, cause: "launch of semantic search" }`)
	out := f.reconcile()
	r := out.Reconciliation
	// Spend 7100 / 3 = 2366.67; range 5%–10%: 118.33 to 236.67. The
	// closing 60.00 is below: a top-up of 58.33 from the central budget.
	// Rates: (118.33 − 100 + 300) / 6500 = 0.048974 and
	// (236.67 − 100 + 300) / 6500 = 0.067180.
	for _, c := range []struct {
		name      string
		got, want decimal.Decimal
	}{
		{"opening", r.Opening, d("100")}, {"surcharges", r.Surcharges, d("260")}, {"draws", r.Draws, d("300")},
		{"closing", r.Closing, d("60")}, {"average spend", r.AverageSpend, d("2366.67")},
		{"target min", r.TargetMin, d("118.33")}, {"target max", r.TargetMax, d("236.67")},
		{"adjustment", r.Adjustment, d("58.33")}, {"closing after", r.ClosingAfter, d("118.33")},
		{"rate min", r.RateMin, d("0.048974")}, {"rate max", r.RateMax, d("0.06718")},
	} {
		if !c.got.Equal(c.want) {
			t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
		}
	}
	if r.Position != ledger.PositionBelow {
		t.Errorf("position = %s, want below", r.Position)
	}
	if len(r.TeamDraws) != 1 || r.TeamDraws[0].Team != "search" || r.TeamDraws[0].Draws[0].Cause != "launch of semantic search" ||
		r.TeamDraws[0].Draws[0].Period != period("2026-11") {
		t.Errorf("team draws = %+v", r.TeamDraws)
	}
	if len(out.Posted) != 1 || out.Posted[0].ID != "ALLOT-2026Q4-1000-USD-B1" {
		t.Fatalf("posted %v, want ALLOT-2026Q4-1000-USD-B1", ids(out.Posted))
	}
	j := out.Posted[0]
	want := []struct {
		account, cc   string
		debit, credit string
	}{{"650190", "CC-9000", "58.33", "0"}, {"290500", "CC-9000", "0", "58.33"}}
	if len(j.Lines) != len(want) {
		t.Fatalf("journal lines = %d, want %d", len(j.Lines), len(want))
	}
	for i, w := range want {
		l := j.Lines[i]
		if l.Account != w.account || l.CostCenter != w.cc || !l.Debit.Equal(d(w.debit)) || !l.Credit.Equal(d(w.credit)) {
			t.Errorf("line %d = %s %s Dr %s Cr %s, want %s %s Dr %s Cr %s", i+1, l.Account, l.CostCenter, l.Debit, l.Credit, w.account, w.cc, w.debit, w.credit)
		}
	}
	if got := out.Delivered; len(got) != 1 || !strings.HasSuffix(got[0], "ALLOT-2026Q4-1000-USD-B1") {
		t.Errorf("delivered %v", got)
	}
	// The next quarter opens at the closing after the top-up.
	opening, ok, err := f.ledger().BufferOpening(context.Background(), period("2027-01"))
	if err != nil || !ok || !opening.Equal(d("118.33")) {
		t.Errorf("2027-01 opening = %s (ok=%v err=%v), want 118.33", opening, ok, err)
	}
	checkReconcileGolden(t, f, "topup")

	// Again: nothing new.
	again := f.reconcile()
	if !again.Unchanged || len(again.Posted) != 0 || len(again.Delivered) != 0 {
		t.Errorf("re-run: unchanged=%v posted=%v delivered=%v", again.Unchanged, ids(again.Posted), again.Delivered)
	}
	if len(again.Journals) != 1 || again.Journals[0].ID != "ALLOT-2026Q4-1000-USD-B1" {
		t.Errorf("re-run journals in force = %v", ids(again.Journals))
	}

	// A late credit of 100.00 on support's December usage: December is
	// run again (surcharges 56, spend 1600, closing 56), then the quarter:
	// spend 7000 / 3 = 2333.33, range 116.67 to 233.33, top-up 60.67.
	f.bill(period("2026-12"), "bill-2026-12-credit", line{team: "support", class: "chat_call", cost: "-100.00", category: "Credit"})
	f.run(period("2026-12"))
	restated := f.reconcile()
	if got := ids(restated.Posted); strings.Join(got, " ") != "ALLOT-2026Q4-1000-USD-B1-R ALLOT-2026Q4-1000-USD-B2" {
		t.Fatalf("restatement posted %v, want the reversal of B1 and B2", got)
	}
	if got := restated.Reconciliation.Adjustment; !got.Equal(d("60.67")) {
		t.Errorf("restated top-up = %s, want 60.67", got)
	}
	files, _ := filepath.Glob(filepath.Join(f.dir, "journals", "*2026Q4*"))
	if len(files) != 3 {
		t.Errorf("the output holds %d reconcile batches, want 3 (B1, B1-R, B2): %v", len(files), files)
	}
}

func TestReconcileRefund(t *testing.T) {
	// No draw: the fund closes at 100 + 260 = 360, above the maximum
	// 236.67. The excess 123.33 is refunded pro rata to the surcharges
	// paid, search 200 and support 60: 12333 cents × 200/260 = 9486.92
	// and × 60/260 = 2846.08; floors 9486 + 2846 leave one cent, which
	// goes to the larger remainder (search): 94.87 and 28.46.
	f := quarterFixture(t, "")
	out := f.reconcile()
	r := out.Reconciliation
	if !r.Closing.Equal(d("360")) || !r.Adjustment.Equal(d("-123.33")) || r.Position != ledger.PositionAbove {
		t.Fatalf("closing %s adjustment %s position %s, want 360, -123.33, above", r.Closing, r.Adjustment, r.Position)
	}
	// Rates: (118.33 − 100) / 6500 = 0.002820 and (236.67 − 100) / 6500 = 0.021026.
	if !r.RateMin.Equal(d("0.00282")) || !r.RateMax.Equal(d("0.021026")) {
		t.Errorf("rates %s..%s, want 0.002820..0.021026", r.RateMin, r.RateMax)
	}
	refunds := map[string]string{}
	for _, x := range r.Refunds {
		refunds[x.Team] = x.Amount.String()
	}
	if refunds["search"] != "94.87" || refunds["support"] != "28.46" || len(refunds) != 2 {
		t.Errorf("refunds = %v, want search 94.87, support 28.46", refunds)
	}
	j := out.Posted[0]
	if len(j.Lines) != 3 || j.Lines[0].Account != "290500" || !j.Lines[0].Debit.Equal(d("123.33")) ||
		j.Lines[1].CostCenter != "CC-4100" || !j.Lines[1].Credit.Equal(d("94.87")) ||
		j.Lines[2].CostCenter != "CC-4200" || !j.Lines[2].Credit.Equal(d("28.46")) {
		t.Errorf("refund journal lines = %+v", j.Lines)
	}
	checkReconcileGolden(t, f, "refund")
}

func TestReconcileIncompleteQuarter(t *testing.T) {
	f := newFixture(t, "finops", "")
	oct := period("2026-10")
	f.bill(oct, "bill", line{team: "search", class: "chat_call", cost: "10.00"})
	f.gateway(oct, "usage", usage{"search", "chat_call", 1})
	f.run(oct)
	_, err := ReconcileBuffer(context.Background(), f.config(), testEnv(), ReconcileOptions{Quarter: q4, OutDir: filepath.Join(f.dir, "out", "2026Q4")})
	if err == nil || !strings.Contains(err.Error(), "2026-11") {
		t.Fatalf("err = %v, want one naming the month not run", err)
	}
	runs, err := f.ledger().Runs(context.Background(), ledger.RunFilter{Kind: ledger.RunBufferReconcile})
	if err != nil || len(runs) != 1 || runs[0].Status != ledger.StatusFailed {
		t.Errorf("the failed reconciliation is not recorded: %+v (%v)", runs, err)
	}
	if _, err := os.Stat(filepath.Join(f.dir, "out", "2026Q4")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a failed reconciliation wrote its report")
	}
}

func checkReconcileGolden(t *testing.T, f *fixture, name string) {
	t.Helper()
	for _, ext := range []string{".json", ".md"} {
		file := ReconcileFileBase(q4) + ext
		b, err := os.ReadFile(filepath.Join(f.dir, "out", "2026Q4", file))
		if err != nil {
			t.Fatal(err)
		}
		testutil.AssertGolden(t, filepath.Join("testdata", "reconcile", name, file+".golden"), b)
	}
}

func ids(js []cost.Journal) []string {
	var out []string
	for _, j := range js {
		out = append(out, j.ID)
	}
	return out
}
