package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/testutil"
	"github.com/allot-dev/allot/ledger"
	"github.com/shopspring/decimal"
)

// runsLedger writes a configuration and a ledger holding a known history:
// October posted, re-run unchanged, restated (a reversal and A2) and a
// failed run; November posted. Runs have fixed ids, times and users;
// only the ledger's own posting and acknowledgement times vary.
func runsLedger(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "allot.yaml")
	os.WriteFile(cfg, []byte(`version: 1
sources: [{ name: cloud, kind: focus, url: file:data }]
teams: [{ id: search, cost_center: CC-4100 }, { id: platform, cost_center: CC-9000, platform: true }]
pricing: { mode: cost }
`), 0o644)
	ctx := context.Background()
	l, err := ledger.Open(ctx, "sqlite:"+filepath.Join(dir, "allot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	oct, nov := cost.Period{Year: 2026, Month: 10}, cost.Period{Year: 2026, Month: 11}
	run := func(id string, p cost.Period, day, hour int, status ledger.RunStatus) ledger.Run {
		at := p.End().AddDate(0, 0, day-1).Add(time.Duration(hour) * time.Hour) // day of the next month
		return ledger.Run{ID: id, Period: p, Model: cost.ModelFinOps, Status: status, StartedAt: at, FinishedAt: at.Add(time.Minute),
			ConfigFingerprint: "sha256:c0ffee0123456789abcdef", InputsFingerprint: "sha256:1badd00d0123456789", User: "finops", Host: "batch-1"}
	}
	journal := func(p cost.Period, id, amount string) cost.Journal {
		a := decimal.RequireFromString(amount)
		return cost.Journal{ID: id, Kind: ledger.KindAllocation, Company: "1000", Currency: "USD", Period: p, AccountingDate: p.LastDay(),
			Description: "allot", Lines: []cost.JournalLine{
				{Line: 1, Company: "1000", CostCenter: "CC-4100", Account: "650100", Debit: a, Team: "search", ActionClass: "chat_call", Component: cost.CompUsage},
				{Line: 2, Company: "1000", CostCenter: "CC-9000", Account: "490100", Credit: a, Team: "search", ActionClass: "chat_call", Component: cost.CompUsage},
			}}
	}
	a1 := journal(oct, "ALLOT-2026-10-1000-USD-A1", "1200.00")
	a2 := journal(oct, "ALLOT-2026-10-1000-USD-A2", "1080.00")
	plan, _, err := ledger.Plan([]ledger.Batch{{Journal: a1}}, []cost.Journal{a2})
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(l.Post(ctx, ledger.Posting{Run: run("2026-10-20261103T060000Z-aaaa0001", oct, 3, 6, ledger.StatusPosted), Journals: []cost.Journal{a1}}))
	must(l.RecordRun(ctx, run("2026-10-20261104T060000Z-aaaa0002", oct, 4, 6, ledger.StatusUnchanged)))
	must(l.Post(ctx, ledger.Posting{Run: run("2026-10-20261105T060000Z-aaaa0003", oct, 5, 6, ledger.StatusPosted), Journals: plan}))
	failed := run("2026-10-20261106T060000Z-aaaa0004", oct, 6, 6, ledger.StatusFailed)
	failed.Error = "source \"cloud\" (focus) file:data, period 2026-10: data/bill.csv:8: column EffectiveCost: \"34.5x\" is not a decimal\nmore"
	must(l.RecordRun(ctx, failed))
	must(l.Post(ctx, ledger.Posting{Run: run("2026-11-20261203T060000Z-aaaa0005", nov, 3, 6, ledger.StatusPosted),
		Journals: []cost.Journal{journal(nov, "ALLOT-2026-11-1000-USD-A1", "99.99")}}))
	for _, id := range []string{"ALLOT-2026-10-1000-USD-A1", "ALLOT-2026-10-1000-USD-A1-R", "ALLOT-2026-10-1000-USD-A2"} {
		must(l.Ack(ctx, "generic-csv file:/srv/allot/journals", id, "file:/srv/allot/journals"))
	}
	must(l.Ack(ctx, "sap https://erp.example.com/upload", "ALLOT-2026-10-1000-USD-A2", "webhook"))
	return cfg
}

// postedTimes are the ledger's own timestamps (posting, acknowledgement).
var (
	postedText = regexp.MustCompile(`20\d\d-\d\d-\d\d \d\d:\d\d:\d\d(\s+\d+\.\d\d USD)`)
	postedJSON = regexp.MustCompile(`"(posted_at|acked_at)": "[^"]+"`)
)

func TestRunsGolden(t *testing.T) {
	cfg := runsLedger(t)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"runs", nil},
		{"runs_period", []string{"--period", "2026-10"}},
		{"runs_batches_limit", []string{"--batches", "--limit", "2"}},
		{"runs_period_json", []string{"--period", "2026-10", "--json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := mustRun(t, append([]string{"runs", "--config", cfg}, tc.args...)...)
			out = postedText.ReplaceAllString(out, "YYYY-MM-DD hh:mm:ss$1")
			out = postedJSON.ReplaceAllString(out, `"$1": "…"`)
			testutil.AssertGolden(t, filepath.Join("testdata", "runs", tc.name+".golden"), []byte(out))
		})
	}
	// The posted batches' debits are what was posted, and the failed
	// run's error shows on one line.
	out := mustRun(t, "runs", "--config", cfg, "--period", "2026-10")
	for _, want := range []string{"1200.00 USD", "1080.00 USD", "failed: source \"cloud\"", "allocation (reversed)"} {
		if !strings.Contains(out, want) {
			t.Errorf("runs --period does not show %q:\n%s", want, out)
		}
	}
}

func TestRunsEmptyLedger(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "allot.yaml")
	os.WriteFile(cfg, []byte("version: 1\nsources: [{ name: c, kind: focus, url: file:d }]\nteams: [{ id: p, cost_center: X, platform: true }]\npricing: { mode: cost }\n"), 0o644)
	out := mustRun(t, "runs", "--config", cfg)
	if !strings.HasPrefix(out, "No runs in sqlite:") {
		t.Errorf("empty ledger: %q", out)
	}
}
