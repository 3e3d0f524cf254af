package ledger

import (
	"context"
	"errors"
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestMigrationsApplyOnceAndIdempotently(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		want, err := loadMigrations()
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ { // the second Open finds everything applied
			l := openLedger(t, dsn)
			var n, max int
			if err := l.read().row(ctx, "SELECT COUNT(*), MAX(version) FROM schema_migrations").Scan(&n, &max); err != nil {
				t.Fatal(err)
			}
			if n != len(want) || max != want[len(want)-1].version {
				t.Fatalf("open %d: schema_migrations has %d rows up to version %d, want %d up to %d",
					i+1, n, max, len(want), want[len(want)-1].version)
			}
			// Every table of the schema is there and empty.
			for _, table := range []string{"runs", "run_inputs", "batches", "journal_lines", "deliveries",
				"buffer_movements", "buffer_draws", "price_lists", "lock_holders"} {
				var rows int
				if err := l.read().row(ctx, "SELECT COUNT(*) FROM "+table).Scan(&rows); err != nil {
					t.Fatalf("open %d: table %s: %v", i+1, table, err)
				}
			}
			l.Close()
		}
	})
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := openLedger(t, dsn)
		if _, err := l.read().exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
			9999, "9999_future", "2030-01-01T00:00:00.000000000Z"); err != nil {
			t.Fatal(err)
		}
		l.Close()
		if _, err := Open(ctx, dsn); !errors.Is(err, ErrSchemaTooNew) {
			t.Fatalf("Open of a newer schema: err = %v, want ErrSchemaTooNew", err)
		}
	})
}

func TestPostAndReadBackExactly(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := openLedger(t, dsn)
		oct := period("2026-10")
		// Amounts beyond float64's 15-16 significant digits, and cents.
		j := journal(oct, "1000", "USD",
			line(1, "650100", "CC-4100", "search", "chat_call", cost.CompUsage, "98765432109876543.21"),
			line(2, "650100", "CC-4200", "support", "agent_step", cost.CompBufferSurcharge, "0.01"),
			line(3, "490100", "CC-9000", "search", "chat_call", cost.CompUsage, "-98765432109876543.21"),
			line(4, "290500", "CC-9000", "support", "agent_step", cost.CompBufferSurcharge, "-0.01"),
		)
		plan, unchanged, err := Plan(nil, []cost.Journal{j})
		if err != nil || unchanged {
			t.Fatalf("Plan = %v, unchanged %v", err, unchanged)
		}
		r := run(oct)
		mv := month(oct, "1000.00", "0.01", BufferDraw{Team: "search", Amount: d("250.50"), Cause: "backfill of catalogue embeddings"})
		if err := l.Post(ctx, Posting{Run: r, Journals: plan, Buffer: mv}); err != nil {
			t.Fatal(err)
		}

		bs, err := l.Batches(ctx, oct)
		if err != nil {
			t.Fatal(err)
		}
		want := plan[0]
		want.ID = "ALLOT-2026-10-1000-USD-A1"
		if len(bs) != 1 {
			t.Fatalf("Batches = %d batches, want 1", len(bs))
		}
		if diff := cmp.Diff(want, bs[0].Journal, decimalEqual); diff != "" {
			t.Errorf("batch read back differs (-want +got):\n%s", diff)
		}
		if bs[0].RunID != r.ID || bs[0].Reverses != "" || bs[0].ReversedBy != "" || bs[0].PostedAt.IsZero() {
			t.Errorf("batch = run %q reverses %q reversed by %q posted %v", bs[0].RunID, bs[0].Reverses, bs[0].ReversedBy, bs[0].PostedAt)
		}
		if got := bs[0].Lines[0].Debit.String(); got != "98765432109876543.21" {
			t.Errorf("large debit read back as %s", got)
		}

		got, ok, err := l.LatestRun(ctx, oct)
		if err != nil || !ok {
			t.Fatalf("LatestRun = %v, %v", ok, err)
		}
		r.Kind, r.Status, r.Seq = RunAllocation, StatusPosted, 1
		if diff := cmp.Diff(r, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("run read back differs (-want +got):\n%s", diff)
		}

		mvs, err := l.BufferMovements(ctx, oct.Quarter())
		if err != nil {
			t.Fatal(err)
		}
		wantMv := *mv
		wantMv.Kind, wantMv.RunID = MovementMonth, r.ID
		if diff := cmp.Diff([]BufferMovement{wantMv}, mvs, decimalEqual); diff != "" {
			t.Errorf("movement read back differs (-want +got):\n%s", diff)
		}
		if got, want := mvs[0].Closing.String(), "749.51"; got != want { // 1000.00 + 0.01 − 250.50
			t.Errorf("closing = %s, want %s", got, want)
		}
	})
}

func TestPostIsAtomic(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := openLedger(t, dsn)
		oct, nov := period("2026-10"), period("2026-11")
		first := allocation(oct, "1000", "100.00", "4.00")
		first.ID = "ALLOT-2026-10-1000-USD-A1"
		if err := l.Post(ctx, Posting{Run: run(oct), Journals: []cost.Journal{first}, Buffer: month(oct, "0", "4.00")}); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, l, oct, nov)

		// A posting for November whose second journal reuses a posted id: the
		// run row and the first journal are stored before the duplicate is
		// found, and must be rolled back.
		good := allocation(nov, "1000", "50.00", "2.00")
		good.ID = "ALLOT-2026-11-1000-USD-A1"
		dup := allocation(nov, "2000", "10.00", "0.40")
		dup.ID = "ALLOT-2026-10-1000-USD-A1"
		bad := run(nov)
		err := l.Post(ctx, Posting{Run: bad, Journals: []cost.Journal{good, dup}, Buffer: month(nov, "4.00", "2.40")})
		if !errors.Is(err, ErrDuplicate) {
			t.Fatalf("Post with a reused journal id: err = %v, want ErrDuplicate", err)
		}
		assertNothingOf(t, l, bad.ID, before, oct, nov)

		// A failure after everything, buffer movement included, was written.
		testHookPost = func(stage string, i int) error {
			if stage == "buffer" {
				return errors.New("injected failure")
			}
			return nil
		}
		defer func() { testHookPost = nil }()
		late := run(nov)
		if err := l.Post(ctx, Posting{Run: late, Journals: []cost.Journal{good}, Buffer: month(nov, "4.00", "2.00")}); err == nil {
			t.Fatal("Post with an injected failure succeeded")
		}
		assertNothingOf(t, l, late.ID, before, oct, nov)
		testHookPost = nil

		// A cancelled context stores nothing either.
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		cancelled := run(nov)
		if err := l.Post(cctx, Posting{Run: cancelled, Journals: []cost.Journal{good}}); !errors.Is(err, context.Canceled) {
			t.Fatalf("Post with a cancelled context: err = %v, want context.Canceled", err)
		}
		assertNothingOf(t, l, cancelled.ID, before, oct, nov)

		// The same posting goes through once nothing is wrong.
		if err := l.Post(ctx, Posting{Run: run(nov), Journals: []cost.Journal{good}, Buffer: month(nov, "4.00", "2.00")}); err != nil {
			t.Fatalf("Post after the failures: %v", err)
		}
	})
}

type ledgerState struct {
	batches   map[cost.Period][]string
	runs      int
	movements map[cost.Period]int
}

func snapshot(t *testing.T, l *Ledger, ps ...cost.Period) ledgerState {
	t.Helper()
	ctx := context.Background()
	s := ledgerState{batches: map[cost.Period][]string{}, movements: map[cost.Period]int{}}
	for _, p := range ps {
		bs, err := l.Batches(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		s.batches[p] = batchIDs(bs)
		var n int
		if err := l.read().row(ctx, "SELECT COUNT(*) FROM buffer_movements WHERE period = ?", p.String()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		s.movements[p] = n
	}
	rs, err := l.Runs(ctx, RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	s.runs = len(rs)
	return s
}

func assertNothingOf(t *testing.T, l *Ledger, runID string, before ledgerState, ps ...cost.Period) {
	t.Helper()
	if _, ok, err := l.Run(context.Background(), runID); err != nil || ok {
		t.Errorf("run %s stored after a failed Post (ok=%v, err=%v)", runID, ok, err)
	}
	var lines int
	if err := l.read().row(context.Background(),
		"SELECT COUNT(*) FROM journal_lines WHERE journal_id NOT IN (SELECT journal_id FROM batches)").Scan(&lines); err != nil || lines != 0 {
		t.Errorf("%d orphan journal lines (err %v)", lines, err)
	}
	if diff := cmp.Diff(before, snapshot(t, l, ps...), cmp.AllowUnexported(ledgerState{})); diff != "" {
		t.Errorf("a failed Post changed the ledger (-before +after):\n%s", diff)
	}
}

func TestPostRejects(t *testing.T) {
	oct := period("2026-10")
	posted := allocation(oct, "1000", "100.00", "4.00")
	posted.ID = "ALLOT-2026-10-1000-USD-A1"

	unbalanced := allocation(oct, "1000", "100.00", "4.00")
	unbalanced.ID = "X-1"
	unbalanced.Lines[0].Debit = d("100.01")

	subCent := allocation(oct, "1000", "100.00", "4.00")
	subCent.ID = "X-2"
	subCent.Lines[0].Debit, subCent.Lines[2].Credit = d("100.001"), d("100.001")

	second := allocation(oct, "1000", "90.00", "3.60")
	second.ID = "ALLOT-2026-10-1000-USD-A2"

	badMirror := reversalOf(&posted, "test")
	badMirror.Lines[0].Credit, badMirror.Lines[2].Debit = d("99.00"), d("99.00")

	ghost := reversalOf(&posted, "test")
	ghost.ID = "ALLOT-2026-10-1000-USD-A9-R"

	otherPeriod := allocation(period("2026-11"), "1000", "1.00", "0.04")
	otherPeriod.ID = "X-3"

	cases := []struct {
		name string
		p    Posting
		want error
	}{
		{"unbalanced journal", Posting{Run: run(oct), Journals: []cost.Journal{unbalanced}}, ErrUnbalanced},
		{"amount below the minor unit", Posting{Run: run(oct), Journals: []cost.Journal{subCent}}, ErrInvalid},
		{"second live allocation", Posting{Run: run(oct), Journals: []cost.Journal{second}}, ErrDoublePosting},
		{"reversal that does not mirror", Posting{Run: run(oct), Journals: []cost.Journal{badMirror}}, ErrInvalid},
		{"reversal of a journal never posted", Posting{Run: run(oct), Journals: []cost.Journal{ghost}}, ErrNotFound},
		{"journal of another period", Posting{Run: run(oct), Journals: []cost.Journal{otherPeriod}}, ErrInvalid},
		{"movement that does not add up", Posting{Run: run(oct), Buffer: &BufferMovement{Period: oct, Currency: "USD",
			Opening: d("10.00"), Surcharges: d("5.00"), Closing: d("14.00")}}, ErrInvalid},
		{"draw without a cause", Posting{Run: run(oct), Buffer: month(oct, "10.00", "5.00",
			BufferDraw{Team: "search", Amount: d("1.00")})}, ErrInvalid},
		{"run without an id", Posting{Run: Run{Period: oct, Model: cost.ModelPlatform}}, ErrInvalid},
		{"output URL with a password", Posting{Run: func() Run {
			r := run(oct)
			r.Outputs = []string{"https://erp:s3cr3t@erp.example.com/journals"}
			return r
		}()}, ErrInvalid},
		{"unchanged run through Post", Posting{Run: func() Run { r := run(oct); r.Status = StatusUnchanged; return r }()}, ErrInvalid},
	}
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := openLedger(t, dsn)
		if err := l.Post(ctx, Posting{Run: run(oct), Journals: []cost.Journal{posted}}); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, l, oct)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := l.Post(ctx, c.p)
				if !errors.Is(err, c.want) {
					t.Fatalf("Post: err = %v, want %v", err, c.want)
				}
				assertNothingOf(t, l, c.p.Run.ID, before, oct)
			})
		}
		// A reversal is accepted once, and only once.
		rev := reversalOf(&posted, "test")
		if err := l.Post(ctx, Posting{Run: run(oct), Journals: []cost.Journal{rev}}); err != nil {
			t.Fatalf("Post of the reversal: %v", err)
		}
		again := rev
		again.ID = ReversalID(posted.ID) // the same id: a duplicate
		if err := l.Post(ctx, Posting{Run: run(oct), Journals: []cost.Journal{again}}); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("second reversal: err = %v, want ErrDuplicate", err)
		}
	})
}

func TestRecordRunAndRuns(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := openLedger(t, dsn)
		oct, nov := period("2026-10"), period("2026-11")
		j := allocation(oct, "1000", "10.00", "0.40")
		j.ID = "ALLOT-2026-10-1000-USD-A1"
		posted := run(oct)
		if err := l.Post(ctx, Posting{Run: posted, Journals: []cost.Journal{j}}); err != nil {
			t.Fatal(err)
		}
		same := run(oct)
		same.Status = StatusUnchanged
		failed := run(nov)
		failed.Status, failed.Error, failed.Model = StatusFailed, "aws: data/aws/2026-11/cur.csv:12: column line_item_unblended_cost: not a decimal", ""
		for _, r := range []Run{same, failed} {
			if err := l.RecordRun(ctx, r); err != nil {
				t.Fatalf("RecordRun %s: %v", r.Status, err)
			}
		}
		if err := l.RecordRun(ctx, run(oct)); !errors.Is(err, ErrInvalid) {
			t.Errorf("RecordRun of a posted run: err = %v, want ErrInvalid", err)
		}
		if err := l.RecordRun(ctx, same); !errors.Is(err, ErrDuplicate) {
			t.Errorf("RecordRun twice: err = %v, want ErrDuplicate", err)
		}

		all, err := l.Runs(ctx, RunFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := runIDs(all), []string{failed.ID, same.ID, posted.ID}; !cmp.Equal(got, want) {
			t.Errorf("Runs() = %v, want newest first %v", got, want)
		}
		octRuns, err := l.Runs(ctx, RunFilter{Period: oct})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := runIDs(octRuns), []string{same.ID, posted.ID}; !cmp.Equal(got, want) {
			t.Errorf("Runs(October) = %v, want %v", got, want)
		}
		failures, err := l.Runs(ctx, RunFilter{Status: StatusFailed})
		if err != nil {
			t.Fatal(err)
		}
		if len(failures) != 1 || failures[0].Error != failed.Error {
			t.Errorf("Runs(failed) = %+v, want the failed run with its error", failures)
		}
		latest, ok, err := l.LatestRun(ctx, oct)
		if err != nil || !ok || latest.ID != posted.ID {
			t.Errorf("LatestRun(October) = %s, %v, %v; want the posted run %s, not the later unchanged one", latest.ID, ok, err, posted.ID)
		}
		if _, ok, err := l.LatestRun(ctx, nov); err != nil || ok {
			t.Errorf("LatestRun(November) = ok %v, err %v; want no posted run", ok, err)
		}
	})
}

func runIDs(rs []Run) []string {
	out := make([]string, len(rs))
	for i := range rs {
		out[i] = rs[i].ID
	}
	return out
}

func TestDeliveries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := openLedger(t, dsn)
		oct := period("2026-10")
		a1 := allocation(oct, "1000", "100.00", "4.00")
		b1 := allocation(oct, "2000", "7.00", "0.28")
		toPost, _, err := Plan(nil, []cost.Journal{a1, b1})
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Post(ctx, Posting{Run: run(oct), Journals: toPost}); err != nil {
			t.Fatal(err)
		}
		id1, id2 := "ALLOT-2026-10-1000-USD-A1", "ALLOT-2026-10-2000-USD-A1"

		if err := l.Ack(ctx, "erp-s3", id1, "s3://erp/in/"+id1+".csv etag abc"); err != nil {
			t.Fatal(err)
		}
		if err := l.Ack(ctx, "erp-s3", id1, "second ack"); err != nil {
			t.Fatalf("acknowledging twice: %v", err)
		}
		if err := l.Ack(ctx, "erp-s3", "ALLOT-2026-10-9999-USD-A1", ""); !errors.Is(err, ErrNotFound) {
			t.Errorf("Ack of an unknown journal: err = %v, want ErrNotFound", err)
		}
		for _, c := range []struct {
			sink, id string
			want     bool
		}{{"erp-s3", id1, true}, {"erp-s3", id2, false}, {"webhook", id1, false}} {
			got, err := l.Acked(ctx, c.sink, c.id)
			if err != nil || got != c.want {
				t.Errorf("Acked(%s, %s) = %v, %v; want %v", c.sink, c.id, got, err, c.want)
			}
		}
		ds, err := l.Deliveries(ctx, id1)
		if err != nil || len(ds) != 1 || ds[0].Detail != "s3://erp/in/"+id1+".csv etag abc" {
			t.Errorf("Deliveries = %+v, %v; want the first acknowledgement kept", ds, err)
		}
		for _, c := range []struct {
			sink string
			want []string
		}{{"erp-s3", []string{id2}}, {"webhook", []string{id1, id2}}} {
			bs, err := l.Undelivered(ctx, c.sink, oct)
			if err != nil {
				t.Fatal(err)
			}
			if got := batchIDs(bs); !cmp.Equal(got, c.want) {
				t.Errorf("Undelivered(%s) = %v, want %v", c.sink, got, c.want)
			}
		}
	})
}

func TestPriceLists(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := openLedger(t, dsn)
		q4, q1 := quarter("2026Q4"), quarter("2027Q1")
		lookback, _ := cost.ParsePeriodRange("2026-07..2026-09")
		v1 := []byte("quarter: 2026Q4\ncurrency: USD\nclasses:\n  chat_call: { base: 0.012 }  # ünïcode\n")
		v2 := []byte("quarter: 2026Q4\ncurrency: USD\nclasses:\n  chat_call: { base: 0.013 }\n")

		if _, ok, err := l.PriceList(ctx, q4); err != nil || ok {
			t.Fatalf("PriceList before publishing = %v, %v", ok, err)
		}
		for _, c := range [][]byte{v1, v1, v2} { // the repeated v1 stores nothing
			if err := l.PublishPriceList(ctx, PriceListRecord{Quarter: q4, Content: c, Lookback: lookback}); err != nil {
				t.Fatal(err)
			}
		}
		lb1, _ := cost.ParsePeriodRange("2026-10..2026-12")
		if err := l.PublishPriceList(ctx, PriceListRecord{Quarter: q1, Content: v1, Fingerprint: "custom", Lookback: lb1}); err != nil {
			t.Fatal(err)
		}
		cur, ok, err := l.PriceList(ctx, q4)
		if err != nil || !ok {
			t.Fatalf("PriceList = %v, %v", ok, err)
		}
		if string(cur.Content) != string(v2) || cur.Fingerprint != Fingerprint(v2) || cur.Lookback != lookback || cur.PublishedBy == "" {
			t.Errorf("PriceList(2026Q4) = %+v, want the edited publication", cur)
		}
		all, err := l.PriceLists(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range all {
			got = append(got, r.Quarter.String()+" "+r.Fingerprint)
		}
		want := []string{"2026Q4 " + Fingerprint(v1), "2026Q4 " + Fingerprint(v2), "2027Q1 custom"}
		if !cmp.Equal(got, want) {
			t.Errorf("PriceLists = %v, want %v", got, want)
		}
		if string(all[0].Content) != string(v1) {
			t.Errorf("first publication's content changed: %q", all[0].Content)
		}
		if err := l.PublishPriceList(ctx, PriceListRecord{Quarter: q4, Content: []byte{0xff, 0xfe}, Lookback: lookback}); !errors.Is(err, ErrInvalid) {
			t.Errorf("publishing non-UTF-8 content: err = %v, want ErrInvalid", err)
		}
	})
}
