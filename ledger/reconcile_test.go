package ledger

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/testutil"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// q4 is the worked example of the Reconcile doc comment:
//
//	October  opens 1,000.00 + 2,400.00 − 500.00 (search)  = 2,900.00
//	November opens 2,900.00 + 2,600.00                     = 5,500.00
//	December opens 5,500.00 + 2,000.00 − 300.00 (support) = 7,200.00
func q4Movements() []BufferMovement {
	oct, nov, dec := period("2026-10"), period("2026-11"), period("2026-12")
	return []BufferMovement{
		*month(oct, "1000.00", "2400.00", BufferDraw{Team: "search", Amount: d("500.00"), Cause: "backfill of catalogue embeddings"}),
		*month(nov, "2900.00", "2600.00"),
		*month(dec, "5500.00", "2000.00", BufferDraw{Team: "support", Amount: d("300.00"), Cause: "incident replay"}),
	}
}

func q4Input() ReconcileInput {
	oct, nov, dec := period("2026-10"), period("2026-11"), period("2026-12")
	return ReconcileInput{
		Quarter:           quarter("2026Q4"),
		Currency:          "USD",
		InferenceSpend:    map[cost.Period]decimal.Decimal{oct: d("60000"), nov: d("65000"), dec: d("55000")},
		SurchargeBase:     map[cost.Period]decimal.Decimal{oct: d("60000"), nov: d("65000"), dec: d("50000")},
		Company:           "1000",
		FundCostCenter:    "CC-9000",
		CentralCostCenter: "CC-9900",
		Accounts:          ReconcileAccounts{BufferFund: "290500", CentralBudget: "650190", ChargebackExpense: "650100"},
		Teams: []ReconcileTeam{
			{ID: "search", Company: "1000", CostCenter: "CC-4100", Surcharges: d("4000.00")},
			{ID: "support", CostCenter: "CC-4200", Surcharges: d("2400.00")}, // empty company: the fund's
			{ID: "research", Company: "2000", CostCenter: "CC-7100", Surcharges: d("600.00")},
			{ID: "idle", Company: "1000", CostCenter: "CC-4300"},
		},
	}
}

func TestReconcileAboveTargetRefundsProRata(t *testing.T) {
	r, err := Reconcile(q4Movements(), q4Input())
	if err != nil {
		t.Fatal(err)
	}
	// Computed by hand: average spend 180,000 / 3 = 60,000.00, range
	// 3,000.00..6,000.00, closing 7,200.00, so 1,200.00 goes back to the
	// teams in proportion 4,000 : 2,400 : 600 (of 7,000):
	//   search   1,200 × 4000/7000 = 685.714… → 685.71 (remainder .43 of a cent)
	//   support  1,200 × 2400/7000 = 411.428… → 411.42 (.86) + 0.01 → 411.43
	//   research 1,200 ×  600/7000 = 102.857… → 102.85 (.71) + 0.01 → 102.86
	// The floors leave 2 cents, for the two largest remainders.
	checks := []struct {
		name      string
		got, want decimal.Decimal
	}{
		{"opening", r.Opening, d("1000.00")},
		{"surcharges", r.Surcharges, d("7000.00")},
		{"draws", r.Draws, d("800.00")},
		{"closing", r.Closing, d("7200.00")},
		{"average spend", r.AverageSpend, d("60000.00")},
		{"target min", r.TargetMin, d("3000.00")},
		{"target max", r.TargetMax, d("6000.00")},
		{"adjustment", r.Adjustment, d("-1200.00")},
		{"closing after", r.ClosingAfter, d("6000.00")},
		// (3,000 − 1,000 + 800) / 175,000 = 0.016; (6,000 − 1,000 + 800) / 175,000 = 0.0331428…
		{"rate min", r.RateMin, d("0.016000")},
		{"rate max", r.RateMax, d("0.033143")},
	}
	for _, c := range checks {
		if !c.got.Equal(c.want) {
			t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
		}
	}
	if r.Position != PositionAbove || !r.RatesDefined {
		t.Errorf("position %s, rates defined %v", r.Position, r.RatesDefined)
	}
	wantRefunds := []Refund{
		{Team: "research", Company: "2000", CostCenter: "CC-7100", Amount: d("102.86")},
		{Team: "search", Company: "1000", CostCenter: "CC-4100", Amount: d("685.71")},
		{Team: "support", Company: "1000", CostCenter: "CC-4200", Amount: d("411.43")},
	}
	if diff := cmp.Diff(wantRefunds, r.Refunds, decimalEqual); diff != "" {
		t.Errorf("refunds (-want +got):\n%s", diff)
	}
	wantDraws := []TeamDraws{
		{Team: "search", Amount: d("500.00"), Draws: []DrawDetail{{Period: period("2026-10"), Amount: d("500.00"), Cause: "backfill of catalogue embeddings"}}},
		{Team: "support", Amount: d("300.00"), Draws: []DrawDetail{{Period: period("2026-12"), Amount: d("300.00"), Cause: "incident replay"}}},
	}
	if diff := cmp.Diff(wantDraws, r.TeamDraws, decimalEqual); diff != "" {
		t.Errorf("team draws (-want +got):\n%s", diff)
	}
	// One journal per company, each balanced: 1000 refunds 685.71 + 411.43.
	if len(r.Journals) != 2 || r.Journals[0].Company != "1000" || r.Journals[1].Company != "2000" {
		t.Fatalf("journals for companies %v, want 1000 and 2000", companiesOf(r.Journals))
	}
	if dr, cr := r.Journals[0].Totals(); !dr.Equal(d("1097.14")) || !cr.Equal(d("1097.14")) {
		t.Errorf("company 1000 journal totals %s / %s, want 1097.14", dr, cr)
	}
	if !r.Movement.Balanced() || !r.Movement.Closing.Equal(d("6000.00")) || r.Movement.Kind != MovementReconcile || r.Movement.Period != period("2026-12") {
		t.Errorf("movement = %+v", r.Movement)
	}
	// The golden file shows the statement with the journals as posted.
	if r.Journals, _, err = PlanReconcile(nil, r.Journals); err != nil {
		t.Fatal(err)
	}
	testutil.AssertGolden(t, filepath.Join("testdata", "reconcile_above.golden"), []byte(renderReconciliation(r)))
}

func companiesOf(js []cost.Journal) []string {
	var out []string
	for _, j := range js {
		out = append(out, j.Company)
	}
	return out
}

func TestReconcileBelowTargetTopsUp(t *testing.T) {
	oct, nov, dec := period("2026-10"), period("2026-11"), period("2026-12")
	mvs := []BufferMovement{
		*month(oct, "0.00", "900.00"),
		*month(nov, "900.00", "800.00", BufferDraw{Team: "search", Amount: d("1200.00"), Cause: "launch week"}),
		*month(dec, "500.00", "700.00"), // closes 1,200.00
	}
	r, err := Reconcile(mvs, q4Input())
	if err != nil {
		t.Fatal(err)
	}
	// Range 3,000.00..6,000.00: 1,800.00 from the central budget brings it to 3,000.00.
	if r.Position != PositionBelow || !r.Adjustment.Equal(d("1800.00")) || !r.ClosingAfter.Equal(d("3000.00")) {
		t.Fatalf("position %s adjustment %s closing after %s", r.Position, r.Adjustment, r.ClosingAfter)
	}
	// (3,000 − 0 + 1,200) / 175,000 = 0.024; (6,000 + 1,200) / 175,000 = 0.0411428…
	if !r.RateMin.Equal(d("0.024")) || !r.RateMax.Equal(d("0.041143")) {
		t.Errorf("rates %s..%s, want 0.024000..0.041143", r.RateMin, r.RateMax)
	}
	if len(r.Journals) != 1 {
		t.Fatalf("%d journals, want 1", len(r.Journals))
	}
	j := r.Journals[0]
	want := []struct{ account, cc, debit, credit string }{
		{"650190", "CC-9900", "1800.00", "0"},
		{"290500", "CC-9000", "0", "1800.00"},
	}
	for i, w := range want {
		ln := j.Lines[i]
		if ln.Account != w.account || ln.CostCenter != w.cc || !ln.Debit.Equal(d(w.debit)) || !ln.Credit.Equal(d(w.credit)) {
			t.Errorf("line %d = %s %s %s/%s, want %s %s %s/%s", i+1, ln.Account, ln.CostCenter, ln.Debit, ln.Credit, w.account, w.cc, w.debit, w.credit)
		}
	}
	if j.Kind != KindBufferReconcile || j.Company != "1000" || j.Period != dec || !j.AccountingDate.Equal(dec.LastDay()) {
		t.Errorf("journal header %s %s %s %s", j.Kind, j.Company, j.Period, j.AccountingDate)
	}
}

func TestReconcileWithinTargetPostsNothing(t *testing.T) {
	oct, nov, dec := period("2026-10"), period("2026-11"), period("2026-12")
	mvs := []BufferMovement{*month(oct, "4000.00", "100.00"), *month(nov, "4100.00", "100.00"), *month(dec, "4200.00", "100.00")}
	in := q4Input()
	in.SurchargeBase = map[cost.Period]decimal.Decimal{oct: d("0"), nov: d("0"), dec: d("0")}
	r, err := Reconcile(mvs, in)
	if err != nil {
		t.Fatal(err)
	}
	if r.Position != PositionWithin || !r.Adjustment.IsZero() || len(r.Journals) != 0 || len(r.Refunds) != 0 {
		t.Errorf("within range: position %s adjustment %s journals %d refunds %d", r.Position, r.Adjustment, len(r.Journals), len(r.Refunds))
	}
	if r.RatesDefined {
		t.Errorf("rates defined without a surcharge base: %s..%s", r.RateMin, r.RateMax)
	}
	if !r.Movement.Closing.Equal(d("4300.00")) || !r.Movement.Balanced() {
		t.Errorf("movement %+v", r.Movement)
	}
}

func TestReconcileRatesClampAtZero(t *testing.T) {
	oct, nov, dec := period("2026-10"), period("2026-11"), period("2026-12")
	// Opening 9,000.00 already exceeds the maximum with no surcharge at all.
	mvs := []BufferMovement{*month(oct, "9000.00", "10.00"), *month(nov, "9010.00", "10.00"), *month(dec, "9020.00", "10.00")}
	in := q4Input()
	in.Teams = nil // nobody to refund: the excess returns to the central budget
	r, err := Reconcile(mvs, in)
	if err != nil {
		t.Fatal(err)
	}
	if !r.RateMin.IsZero() || !r.RateMax.IsZero() {
		t.Errorf("rates %s..%s, want 0..0", r.RateMin, r.RateMax)
	}
	if len(r.Journals) != 1 || !r.Journals[0].Lines[1].Credit.Equal(d("3030.00")) || r.Journals[0].Lines[1].Account != "650190" {
		t.Errorf("excess without payers: %s", renderJournals(r.Journals))
	}
}

func TestReconcileRejects(t *testing.T) {
	mv := q4Movements()
	broken := q4Movements()
	broken[1].Opening, broken[1].Closing = d("2800.00"), d("5400.00") // does not carry October's 2,900.00
	cases := []struct {
		name string
		mvs  []BufferMovement
		edit func(*ReconcileInput)
		want error
	}{
		{"a month missing", mv[:2], nil, nil},
		{"chain broken by a restated month", broken, nil, nil},
		{"movement in another currency", func() []BufferMovement { m := q4Movements(); m[0].Currency = "EUR"; return m }(), nil, nil},
		{"movement of another quarter", append(q4Movements(), *month(period("2027-01"), "0", "1.00")), nil, nil},
		{"spend of a month missing", mv, func(in *ReconcileInput) { delete(in.InferenceSpend, period("2026-11")) }, ErrInvalid},
		{"negative spend", mv, func(in *ReconcileInput) { in.InferenceSpend[period("2026-11")] = d("-1") }, ErrInvalid},
		{"targets reversed", mv, func(in *ReconcileInput) { in.TargetMin, in.TargetMax = d("0.2"), d("0.1") }, ErrInvalid},
		{"no buffer account", mv, func(in *ReconcileInput) { in.Accounts.BufferFund = "" }, ErrInvalid},
		{"team twice", mv, func(in *ReconcileInput) { in.Teams = append(in.Teams, in.Teams[0]) }, ErrInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := q4Input()
			if c.edit != nil {
				c.edit(&in)
			}
			_, err := Reconcile(c.mvs, in)
			if err == nil {
				t.Fatal("Reconcile succeeded")
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

// TestReconcilePostsThroughPlanReconcile checks that the reconciliation's
// journals and movement are accepted by the store's rules (validation
// only: PlanReconcile assigns the ids, Post's checks run without a database).
func TestReconcileJournalsValidate(t *testing.T) {
	r, err := Reconcile(q4Movements(), q4Input())
	if err != nil {
		t.Fatal(err)
	}
	js, unchanged, err := PlanReconcile(nil, r.Journals)
	if err != nil || unchanged {
		t.Fatalf("PlanReconcile = %v, %v", unchanged, err)
	}
	if want := []string{"ALLOT-2026Q4-1000-USD-B1", "ALLOT-2026Q4-2000-USD-B1"}; !cmp.Equal(ids(js), want) {
		t.Errorf("ids = %v, want %v", ids(js), want)
	}
	rn := run(period("2026-12"))
	rn.Kind = RunBufferReconcile
	mv := r.Movement
	if err := validatePosting(&Posting{Run: rn, Journals: js, Buffer: &mv}); err != nil {
		t.Fatal(err)
	}
}

func TestSplitLargestRemainder(t *testing.T) {
	cases := []struct {
		name    string
		total   string
		weights []string
		places  int32
		want    []string
	}{
		{"even thirds", "100.00", []string{"1", "1", "1"}, 2, []string{"33.34", "33.33", "33.33"}},
		{"worked refund", "1200.00", []string{"4000", "2400", "600"}, 2, []string{"685.71", "411.43", "102.86"}},
		{"yen", "1000", []string{"1", "1", "1"}, 0, []string{"334", "333", "333"}},
		{"zero weight", "10.00", []string{"0", "3", "1"}, 2, []string{"0.00", "7.50", "2.50"}},
		{"fractional weights", "0.05", []string{"0.333", "0.333", "0.334"}, 2, []string{"0.02", "0.01", "0.02"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ws []decimal.Decimal
			for _, w := range c.weights {
				ws = append(ws, d(w))
			}
			got, err := splitLargestRemainder(d(c.total), ws, c.places)
			if err != nil {
				t.Fatal(err)
			}
			var gs []string
			for _, g := range got {
				gs = append(gs, g.StringFixed(c.places))
			}
			if !cmp.Equal(gs, c.want) {
				t.Errorf("split = %v, want %v", gs, c.want)
			}
		})
	}
}

func TestSplitLargestRemainderProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		total := decimal.New(rapid.Int64Range(0, 1_000_000_000).Draw(t, "cents"), -2)
		n := rapid.IntRange(1, 8).Draw(t, "parts")
		ws := make([]decimal.Decimal, n)
		sum := decimal.Zero
		for i := range ws {
			ws[i] = decimal.New(rapid.Int64Range(0, 1_000_000).Draw(t, "weight"), -int32(rapid.IntRange(0, 4).Draw(t, "scale")))
			sum = sum.Add(ws[i])
		}
		if sum.IsZero() {
			ws[0], sum = decimal.NewFromInt(1), ws[0].Add(decimal.NewFromInt(1))
		}
		parts, err := splitLargestRemainder(total, ws, 2)
		if err != nil {
			t.Fatal(err)
		}
		got := decimal.Zero
		cent := decimal.New(1, -2)
		for i, p := range parts {
			got = got.Add(p)
			exact := total.Mul(ws[i]).DivRound(sum, 30)
			if p.Sub(exact).Abs().GreaterThanOrEqual(cent) {
				t.Fatalf("part %d = %s is a cent or more from its exact share %s", i, p, exact)
			}
		}
		if !got.Equal(total) {
			t.Fatalf("parts add up to %s, want %s", got, total)
		}
	})
}

// renderReconciliation writes the statement a FinOps reviewer reads.
func renderReconciliation(r Reconciliation) string {
	var b strings.Builder
	m := func(x decimal.Decimal) string { return cost.FormatAmount(x, cost.MinorUnits(r.Currency)) }
	fmt.Fprintf(&b, "Buffer fund %s (%s)\n", r.Quarter, r.Currency)
	fmt.Fprintf(&b, "  opening        %12s\n  surcharges in  %12s\n  draws out      %12s\n  closing        %12s\n",
		m(r.Opening), m(r.Surcharges), m(r.Draws), m(r.Closing))
	for _, td := range r.TeamDraws {
		fmt.Fprintf(&b, "  draws of %-8s %12s\n", td.Team, m(td.Amount))
		for _, dd := range td.Draws {
			fmt.Fprintf(&b, "    %s %12s  %s\n", dd.Period, m(dd.Amount), dd.Cause)
		}
	}
	fmt.Fprintf(&b, "  average monthly spend %s, target %s..%s: %s\n", m(r.AverageSpend), m(r.TargetMin), m(r.TargetMax), r.Position)
	fmt.Fprintf(&b, "  adjustment %s, closing after %s\n", m(r.Adjustment), m(r.ClosingAfter))
	fmt.Fprintf(&b, "  buffer rate that would have closed at the bounds: %s..%s\n", r.RateMin.StringFixed(6), r.RateMax.StringFixed(6))
	for _, rf := range r.Refunds {
		fmt.Fprintf(&b, "  refund %-8s %s %s %12s\n", rf.Team, rf.Company, rf.CostCenter, m(rf.Amount))
	}
	b.WriteString("\n")
	b.WriteString(renderJournals(r.Journals))
	return b.String()
}
