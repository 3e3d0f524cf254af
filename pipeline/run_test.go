package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/allot-dev/allot/ledger"
)

// TestRunRefusesALockedPeriod: while another run holds the period's lock,
// Run (which reads the sources while it takes the lock) fails with the
// lock's error, writes no file and records no run; once the lock is
// released the same run goes through.
func TestRunRefusesALockedPeriod(t *testing.T) {
	f := newFixture(t, "finops", "")
	oct := period("2026-10")
	f.bill(oct, "bill", line{team: "search", class: "chat_call", cost: "100.00"})
	f.gateway(oct, "usage", usage{"search", "chat_call", 10})
	holder := f.ledger()
	release, err := holder.Lock(context.Background(), "period:"+oct.String())
	if err != nil {
		t.Fatal(err)
	}
	outDir := filepath.Join(f.dir, "out", oct.String())
	_, err = Run(context.Background(), f.config(), testEnv(), RunOptions{Period: oct, OutDir: outDir, Now: clock("2027-01-05T06:00:00Z")})
	if err == nil || !strings.Contains(err.Error(), "another run of 2026-10 holds the lock") {
		t.Fatalf("Run while locked: %v, want the lock's error", err)
	}
	if _, serr := os.Stat(outDir); !os.IsNotExist(serr) {
		t.Errorf("Run while locked created %s (%v)", outDir, serr)
	}
	if runs, err := holder.Runs(context.Background(), ledger.RunFilter{}); err != nil || len(runs) != 0 {
		t.Errorf("runs recorded while locked: %v (%v), want none", runs, err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if out := f.run(oct); len(out.Posted) != 1 {
		t.Errorf("after the lock is released: %d journals posted, want 1", len(out.Posted))
	}
}
