package ledger

import (
	"context"
	"errors"
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

// TestRestatementSequence walks a period through the life the SPEC
// describes: posted, re-run unchanged, restated by a late bill, restated
// back (a flip-flop), and the next month opening its buffer fund from the
// restated month.
func TestRestatementSequence(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := openLedger(t, dsn)
		oct, nov := period("2026-10"), period("2026-11")

		// step runs one allocation of October through Plan and the store
		// the way the pipeline does, and returns what it posted.
		step := func(next []cost.Journal, mv *BufferMovement) (posted []string, unchanged bool) {
			t.Helper()
			batches, err := l.Batches(ctx, oct)
			if err != nil {
				t.Fatal(err)
			}
			toPost, unchanged, err := Plan(batches, next)
			if err != nil {
				t.Fatal(err)
			}
			r := run(oct)
			if unchanged {
				r.Status = StatusUnchanged
				if err := l.RecordRun(ctx, r); err != nil {
					t.Fatal(err)
				}
				return nil, true
			}
			if err := l.Post(ctx, Posting{Run: r, Journals: toPost, Buffer: mv}); err != nil {
				t.Fatal(err)
			}
			return ids(toPost), false
		}

		// 1. First posting of October: the fund has no history, so the
		// configured opening (500.00) applies.
		if _, ok, err := l.BufferOpening(ctx, oct); err != nil || ok {
			t.Fatalf("BufferOpening(October) on an empty ledger = ok %v, err %v", ok, err)
		}
		v1 := []cost.Journal{allocation(oct, "1000", "1000.00", "40.00"), allocation(oct, "2000", "200.00", "8.00")}
		got, _ := step(v1, month(oct, "500.00", "48.00"))
		if want := []string{"ALLOT-2026-10-1000-USD-A1", "ALLOT-2026-10-2000-USD-A1"}; !cmp.Equal(got, want) {
			t.Fatalf("first run posted %v, want %v", got, want)
		}

		// 2. Same inputs again: nothing is posted, the run is recorded.
		if got, unchanged := step(v1, month(oct, "500.00", "48.00")); !unchanged {
			t.Fatalf("re-run with the same figures posted %v", got)
		}

		// 3. A late bill restates company 1000 only.
		v2 := []cost.Journal{allocation(oct, "1000", "1250.00", "50.00"), allocation(oct, "2000", "200.00", "8.00")}
		got, _ = step(v2, month(oct, "500.00", "58.00"))
		if want := []string{"ALLOT-2026-10-1000-USD-A1-R", "ALLOT-2026-10-1000-USD-A2"}; !cmp.Equal(got, want) {
			t.Fatalf("restatement posted %v, want %v", got, want)
		}
		assertNetEquals(t, l, oct, v2)

		// 4. The restatement is itself restated back (a flip-flop): new ids.
		got, _ = step(v1, month(oct, "500.00", "48.00"))
		if want := []string{"ALLOT-2026-10-1000-USD-A2-R", "ALLOT-2026-10-1000-USD-A3"}; !cmp.Equal(got, want) {
			t.Fatalf("flip-flop posted %v, want %v", got, want)
		}
		assertNetEquals(t, l, oct, v1)

		// 5. Restated once more, then November opens from the current
		// (latest) October movement: 500.00 + 58.00.
		got, _ = step(v2, month(oct, "500.00", "58.00"))
		if want := []string{"ALLOT-2026-10-1000-USD-A3-R", "ALLOT-2026-10-1000-USD-A4"}; !cmp.Equal(got, want) {
			t.Fatalf("second restatement posted %v, want %v", got, want)
		}
		live, err := l.Live(ctx, oct)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := batchIDs(live), []string{"ALLOT-2026-10-2000-USD-A1", "ALLOT-2026-10-1000-USD-A4"}; !cmp.Equal(got, want) {
			t.Errorf("Live(October) = %v, want %v", got, want)
		}
		all, err := l.Batches(ctx, oct)
		if err != nil {
			t.Fatal(err)
		}
		reversedBy := map[string]string{}
		for _, b := range all {
			reversedBy[b.ID] = b.ReversedBy
			if b.Kind == KindReversal && b.Reverses == "" {
				t.Errorf("reversal %s does not say what it reverses", b.ID)
			}
		}
		if got := reversedBy["ALLOT-2026-10-1000-USD-A2"]; got != "ALLOT-2026-10-1000-USD-A2-R" {
			t.Errorf("A2 reversed by %q", got)
		}
		opening, ok, err := l.BufferOpening(ctx, nov)
		if err != nil || !ok || !opening.Equal(d("558.00")) {
			t.Errorf("BufferOpening(November) = %s, %v, %v; want 558.00 from the restated October", opening, ok, err)
		}
		r, ok, err := l.LatestRun(ctx, oct)
		if err != nil || !ok {
			t.Fatal(err)
		}
		mvs, err := l.BufferMovements(ctx, oct.Quarter())
		if err != nil || len(mvs) != 1 || mvs[0].RunID != r.ID {
			t.Errorf("current October movement = %+v (err %v), want the latest run's %s", mvs, err, r.ID)
		}
	})
}

// assertNetEquals checks that all batches of the period add up, per
// company, currency, account and cost center, to the latest allocation.
func assertNetEquals(t *testing.T, l *Ledger, p cost.Period, latest []cost.Journal) {
	t.Helper()
	bs, err := l.Batches(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(netBy(latest), netBy(journalsOf(bs)), decimalEqual); diff != "" {
		t.Errorf("net of the posted batches differs from the latest allocation (-want +got):\n%s", diff)
	}
}

func TestBufferOpeningCarries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := openLedger(t, dsn)
		post := func(p cost.Period, mv *BufferMovement) {
			t.Helper()
			if err := l.Post(ctx, Posting{Run: run(p), Buffer: mv}); err != nil {
				t.Fatal(err)
			}
		}
		sep, oct, nov, dec, jan, feb := period("2026-09"), period("2026-10"), period("2026-11"), period("2026-12"), period("2027-01"), period("2027-02")

		post(oct, month(oct, "100.00", "40.00", BufferDraw{Team: "search", Amount: d("15.00"), Cause: "launch"})) // closes 125.00
		post(nov, month(nov, "125.00", "30.00"))                                                                  // closes 155.00

		cases := []struct {
			p      cost.Period
			want   string
			wantOK bool
		}{
			{sep, "", false},      // nothing before October
			{oct, "", false},      // October's own movement does not open October
			{nov, "125.00", true}, // October's closing
			{dec, "155.00", true}, // November's closing
			{feb, "155.00", true}, // a gap carries the last balance
			{jan, "155.00", true}, //
		}
		for _, c := range cases {
			got, ok, err := l.BufferOpening(ctx, c.p)
			if err != nil || ok != c.wantOK || (ok && !got.Equal(d(c.want))) {
				t.Errorf("BufferOpening(%s) = %s, %v, %v; want %s, %v", c.p, got, ok, err, c.want, c.wantOK)
			}
		}

		// December closes the quarter above range; the reconciliation refunds
		// 20.00, so January opens at December's closing minus the refund.
		post(dec, month(dec, "155.00", "25.00")) // closes 180.00
		rec := run(dec)
		rec.Kind = RunBufferReconcile
		refund := &BufferMovement{Period: dec, Currency: "USD", Opening: d("180.00"), Adjustment: d("-20.00"), Closing: d("160.00")}
		if err := l.Post(ctx, Posting{Run: rec, Buffer: refund}); err != nil {
			t.Fatal(err)
		}
		if got, ok, err := l.BufferOpening(ctx, jan); err != nil || !ok || !got.Equal(d("160.00")) {
			t.Errorf("BufferOpening(January) after the reconciliation = %s, %v, %v; want 160.00", got, ok, err)
		}
		// The reconcile movement is not a month movement.
		mvs, err := l.BufferMovements(ctx, dec.Quarter())
		if err != nil || len(mvs) != 3 || !mvs[2].Closing.Equal(d("180.00")) {
			t.Errorf("BufferMovements(2026Q4) = %+v, %v; want October to December, December closing 180.00", mvs, err)
		}
		got, ok, err := l.BufferReconciliation(ctx, dec.Quarter())
		if err != nil || !ok || !got.Adjustment.Equal(d("-20.00")) || got.RunID != rec.ID {
			t.Errorf("BufferReconciliation(2026Q4) = %+v, %v, %v", got, ok, err)
		}
		// A restated December after the reconciliation keeps the refund
		// that was paid out: 150.00 − 20.00.
		post(dec, month(dec, "155.00", "5.00")) // closes 160.00
		if got, ok, err := l.BufferOpening(ctx, jan); err != nil || !ok || !got.Equal(d("140.00")) {
			t.Errorf("BufferOpening(January) after restating December = %s, %v, %v; want 160.00 − 20.00 = 140.00", got, ok, err)
		}
	})
}

func TestQuarterDrawsCountEarlierMonthsOnly(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := openLedger(t, dsn)
		oct, nov, dec, jan := period("2026-10"), period("2026-11"), period("2026-12"), period("2027-01")
		draw := func(team, amount, cause string) BufferDraw {
			return BufferDraw{Team: team, Amount: d(amount), Cause: cause}
		}
		posts := []*BufferMovement{
			month(oct, "1000.00", "100.00", draw("search", "300.00", "backfill")),
			// October restated: the draw shrinks; only this movement counts.
			month(oct, "1000.00", "100.00", draw("search", "250.00", "backfill")),
			month(nov, "850.00", "100.00", draw("search", "40.00", "reindex"), draw("support", "60.50", "incident replay")),
			month(dec, "849.50", "100.00", draw("support", "10.00", "holiday peak")),
			month(jan, "939.50", "100.00", draw("search", "999.00", "next quarter")),
		}
		for _, mv := range posts {
			if err := l.Post(ctx, Posting{Run: run(mv.Period), Buffer: mv}); err != nil {
				t.Fatal(err)
			}
		}
		cases := []struct {
			before cost.Period
			want   map[string]decimal.Decimal
		}{
			{oct, map[string]decimal.Decimal{}},
			{nov, map[string]decimal.Decimal{"search": d("250.00")}},
			{dec, map[string]decimal.Decimal{"search": d("290.00"), "support": d("60.50")}},
			{jan, map[string]decimal.Decimal{"search": d("290.00"), "support": d("70.50")}},
			{period("2027-06"), map[string]decimal.Decimal{"search": d("290.00"), "support": d("70.50")}},
		}
		for _, c := range cases {
			got, err := l.QuarterDraws(ctx, quarter("2026Q4"), c.before)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, got, decimalEqual); diff != "" {
				t.Errorf("QuarterDraws(2026Q4, before %s) (-want +got):\n%s", c.before, diff)
			}
		}
	})
}

// TestCompanyReturnsAfterReversal: a company whose batch was reversed (it
// had no cost in a restatement) comes back. Planned from every batch of
// the period, its new journal takes the next revision; planned from the
// live batches only, the old id would come back and Post refuses it
// without storing anything.
func TestCompanyReturnsAfterReversal(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := openLedger(t, dsn)
		oct := period("2026-10")
		both := []cost.Journal{allocation(oct, "1000", "100.00", "4.00"), allocation(oct, "2000", "20.00", "0.80")}
		only1000 := []cost.Journal{allocation(oct, "1000", "100.00", "4.00")}
		post := func(next []cost.Journal) []string {
			t.Helper()
			bs, err := l.Batches(ctx, oct)
			if err != nil {
				t.Fatal(err)
			}
			toPost, _, err := Plan(bs, next)
			if err != nil {
				t.Fatal(err)
			}
			if err := l.Post(ctx, Posting{Run: run(oct), Journals: toPost}); err != nil {
				t.Fatal(err)
			}
			return ids(toPost)
		}
		post(both)
		if got, want := post(only1000), []string{"ALLOT-2026-10-2000-USD-A1-R"}; !cmp.Equal(got, want) {
			t.Fatalf("dropping company 2000 posted %v, want %v", got, want)
		}

		live, err := l.Live(ctx, oct)
		if err != nil {
			t.Fatal(err)
		}
		fromLive, _, err := Plan(live, both)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Post(ctx, Posting{Run: run(oct), Journals: fromLive}); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("posting a plan made from Live only: err = %v, want ErrDuplicate", err)
		}

		if got, want := post(both), []string{"ALLOT-2026-10-2000-USD-A2"}; !cmp.Equal(got, want) {
			t.Fatalf("company 2000 back posted %v, want %v", got, want)
		}
		assertNetEquals(t, l, oct, both)
	})
}

// TestQuarterReconciliationThroughTheStore posts the worked example's
// three months, reconciles the quarter from the stored movements, posts the
// result, and checks January's opening and that a second reconciliation
// of the same figures posts nothing.
func TestQuarterReconciliationThroughTheStore(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := openLedger(t, dsn)
		for _, mv := range q4Movements() {
			mv := mv
			if err := l.Post(ctx, Posting{Run: run(mv.Period), Buffer: &mv}); err != nil {
				t.Fatal(err)
			}
		}
		q, dec := quarter("2026Q4"), period("2026-12")
		reconcile := func() (posted []string) {
			t.Helper()
			mvs, err := l.BufferMovements(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Reconcile(mvs, q4Input())
			if err != nil {
				t.Fatal(err)
			}
			bs, err := l.Batches(ctx, dec)
			if err != nil {
				t.Fatal(err)
			}
			js, unchanged, err := PlanReconcile(bs, r.Journals)
			if err != nil {
				t.Fatal(err)
			}
			if unchanged {
				return nil
			}
			rn := run(dec)
			rn.Kind = RunBufferReconcile
			if err := l.Post(ctx, Posting{Run: rn, Journals: js, Buffer: &r.Movement}); err != nil {
				t.Fatal(err)
			}
			return ids(js)
		}
		if got, want := reconcile(), []string{"ALLOT-2026Q4-1000-USD-B1", "ALLOT-2026Q4-2000-USD-B1"}; !cmp.Equal(got, want) {
			t.Fatalf("reconciliation posted %v, want %v", got, want)
		}
		if got := reconcile(); got != nil {
			t.Fatalf("reconciling the same figures again posted %v", got)
		}
		opening, ok, err := l.BufferOpening(ctx, period("2027-01"))
		if err != nil || !ok || !opening.Equal(d("6000.00")) {
			t.Errorf("BufferOpening(2027-01) = %s, %v, %v; want 7,200.00 − 1,200.00 = 6,000.00", opening, ok, err)
		}
		if live, err := l.Live(ctx, dec); err != nil || len(live) != 0 {
			t.Errorf("Live(December) = %v, %v; reconcile batches are not allocations", batchIDs(live), err)
		}
	})
}
