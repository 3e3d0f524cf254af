package ledger

import (
	"context"
	"fmt"
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/google/go-cmp/cmp"
)

// bigJournal is a balanced journal of 2n lines: n team debits and the n
// matching credits.
func bigJournal(p cost.Period, n int) cost.Journal {
	lines := make([]cost.JournalLine, 0, 2*n)
	for i := range n {
		team := fmt.Sprintf("team-%03d", i)
		amount := fmt.Sprintf("%d.%02d", 1000+i*37, i%100)
		lines = append(lines,
			line(2*i+1, "650100", fmt.Sprintf("CC-%04d", i), team, "chat_call", cost.CompUsage, amount),
			line(2*i+2, "490100", "CC-9000", team, "chat_call", cost.CompUsage, "-"+amount))
	}
	return journal(p, "1000", "USD", lines...)
}

// TestPostManyLines posts journals whose lines and inputs span several
// multi-row INSERT statements and reads every line back in order.
func TestPostManyLines(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := openLedger(t, dsn)
		oct := period("2026-10")
		for _, n := range []int{1, insertChunk / 2, insertChunk, 3*insertChunk/2 + 1} {
			t.Run(fmt.Sprint(2*n, " lines"), func(t *testing.T) {
				p := oct
				for range n {
					p = p.Next() // a period per case: each posts its first journal
				}
				plan, _, err := Plan(nil, []cost.Journal{bigJournal(p, n)})
				if err != nil {
					t.Fatal(err)
				}
				r := run(p)
				for i := range n {
					r.Inputs = append(r.Inputs, InputFingerprint{Source: "aws", Object: fmt.Sprintf("file:cur-%05d.parquet", i), Fingerprint: fmt.Sprint("etag-", i)})
				}
				if err := l.Post(ctx, Posting{Run: r, Journals: plan}); err != nil {
					t.Fatal(err)
				}
				bs, err := l.Batches(ctx, p)
				if err != nil {
					t.Fatal(err)
				}
				if len(bs) != 1 {
					t.Fatalf("%d batches, want 1", len(bs))
				}
				want := plan[0]
				want.ID = bs[0].ID
				if diff := cmp.Diff(want, bs[0].Journal, decimalEqual); diff != "" {
					t.Errorf("batch read back differs (-want +got):\n%s", diff)
				}
				got, ok, err := l.LatestRun(ctx, p)
				if err != nil || !ok {
					t.Fatalf("LatestRun = %v, %v", ok, err)
				}
				if diff := cmp.Diff(r.Inputs, got.Inputs); diff != "" {
					t.Errorf("run inputs read back differ (-want +got):\n%s", diff)
				}
			})
		}
	})
}

// BenchmarkPost posts a 400-line journal (about what a month of 100 teams
// and action classes gives) into a SQLite ledger.
func BenchmarkPost(b *testing.B) {
	ctx := context.Background()
	l, err := Open(ctx, "sqlite:"+b.TempDir()+"/allot.db")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	p := period("2026-10")
	b.ReportAllocs()
	for b.Loop() {
		p = p.Next()
		plan, _, err := Plan(nil, []cost.Journal{bigJournal(p, 200)})
		if err != nil {
			b.Fatal(err)
		}
		if err := l.Post(ctx, Posting{Run: run(p), Journals: plan}); err != nil {
			b.Fatal(err)
		}
	}
}
