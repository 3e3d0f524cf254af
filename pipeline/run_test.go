package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// TestStageFilesRemovesStaleTemps: temporary files a killed run left in
// the output folders (older than staleTemp) are removed by the next write;
// younger ones, which may be a live run's, and other files stay.
func TestStageFilesRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-2 * staleTemp)
	mk := func(rel string, mtime time.Time) string {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stale := []string{mk(".allot-tmp-summary.json-123", old), mk("statements/.allot-tmp-search.md-456", old)}
	kept := []string{mk(".allot-tmp-journal.csv-789", time.Now()), mk("notes.txt", old), mk("other/.allot-tmp-x-1", old)}
	written, err := WriteFiles(dir, map[string][]byte{"summary.json": []byte("{}"), "statements/search.md": []byte("# search")})
	if err != nil || len(written) != 2 {
		t.Fatalf("WriteFiles: %v, %v", written, err)
	}
	for _, p := range stale {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s: %v, want it removed", p, err)
		}
	}
	for _, p := range kept {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s: %v, want it kept", p, err)
		}
	}
}
