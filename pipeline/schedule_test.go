package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSettledAt(t *testing.T) {
	oct := period("2026-10")
	cases := []struct {
		days int
		want string
	}{
		{0, "2026-11-01T00:00:00Z"},
		{1, "2026-11-01T00:00:00Z"},
		{3, "2026-11-03T00:00:00Z"},
		{28, "2026-11-28T00:00:00Z"},
	}
	for _, c := range cases {
		if got := SettledAt(oct, c.days).Format(time.RFC3339); got != c.want {
			t.Errorf("SettledAt(2026-10, %d) = %s, want %s", c.days, got, c.want)
		}
	}
	if got, want := SettledAt(period("2026-12"), 3).Format(time.RFC3339), "2027-01-03T00:00:00Z"; got != want {
		t.Errorf("SettledAt(2026-12, 3) = %s, want %s", got, want)
	}
}

// TestScheduledJob walks one month through the schedule's ticks, with the
// default settle_days (3) and no cron.
func TestScheduledJob(t *testing.T) {
	f := newFixture(t, "finops", "")
	oct := period("2026-10")
	f.bill(oct, "bill-2026-10", line{team: "search", class: "chat_call", cost: "100.00"})
	f.gateway(oct, "usage-2026-10", usage{"search", "chat_call", 10})
	ctx := context.Background()
	tick := func(now string) *JobResult {
		t.Helper()
		res, err := ScheduledJob(ctx, f.config(), testEnv(), JobOptions{Now: clock(now)})
		if err != nil {
			t.Fatalf("tick %s: %v", now, err)
		}
		if res.Period != oct && !strings.HasPrefix(now, "2026-12") {
			t.Errorf("tick %s picked %s, want 2026-10", now, res.Period)
		}
		return res
	}

	// 2 November: October has not settled.
	res := tick("2026-11-02T06:00:00Z")
	if res.Ran || !strings.Contains(res.Skipped, "settles at 2026-11-03T00:00:00Z") {
		t.Errorf("before the settle day: ran=%v skipped=%q", res.Ran, res.Skipped)
	}
	// 3 November, but the bill has no October rows yet (only September's).
	if err := os.Rename(filepath.Join(f.dir, "data", "focus", "bill-2026-10.csv"), filepath.Join(f.dir, "bill.csv")); err != nil {
		t.Fatal(err)
	}
	f.bill(period("2026-09"), "bill-2026-09", line{team: "search", class: "chat_call", cost: "1.00"})
	res = tick("2026-11-03T06:00:00Z")
	if res.Ran || !strings.Contains(res.Skipped, "source cloud has no export for 2026-10") {
		t.Errorf("without October's export: ran=%v skipped=%q", res.Ran, res.Skipped)
	}
	if _, err := os.Stat(filepath.Join(f.dir, "allot.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a skipped tick opened the ledger (%v)", err)
	}
	// The export arrives: the next tick runs October into schedule.out.
	if err := os.Rename(filepath.Join(f.dir, "bill.csv"), filepath.Join(f.dir, "data", "focus", "bill-2026-10.csv")); err != nil {
		t.Fatal(err)
	}
	res = tick("2026-11-04T06:00:00Z")
	if !res.Ran || res.Outcome == nil || len(res.Outcome.Posted) != 1 {
		t.Fatalf("ready: ran=%v skipped=%q", res.Ran, res.Skipped)
	}
	if want := filepath.Join(f.dir, "out", "2026-10"); res.OutDir != want {
		t.Errorf("out = %s, want %s", res.OutDir, want)
	}
	if _, err := os.Stat(filepath.Join(res.OutDir, FileJournal)); err != nil {
		t.Errorf("the scheduled run wrote no journal: %v", err)
	}
	// A second tick runs it again and posts nothing.
	res = tick("2026-11-05T06:00:00Z")
	if !res.Ran || !res.Outcome.Unchanged || len(res.Outcome.Posted) != 0 || len(res.Outcome.Delivered) != 0 {
		t.Errorf("second tick: ran=%v unchanged=%v posted=%d delivered=%v", res.Ran, res.Outcome.Unchanged, len(res.Outcome.Posted), res.Outcome.Delivered)
	}
	// December: the last closed month is November, which has no export.
	res = tick("2026-12-03T06:00:00Z")
	if res.Period != period("2026-11") || res.Ran || !strings.Contains(res.Skipped, "no export for 2026-11") {
		t.Errorf("December tick: period=%s ran=%v skipped=%q", res.Period, res.Ran, res.Skipped)
	}
}
