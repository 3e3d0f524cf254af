package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/allot-dev/allot/internal/testutil"
)

// allotAt runs one command in-process with the clock stopped at now.
func allotAt(t *testing.T, now string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	at, err := time.Parse(time.RFC3339, now)
	if err != nil {
		t.Fatal(err)
	}
	var o, e bytes.Buffer
	a := &app{stdout: &o, stderr: &e, log: slog.New(slog.NewTextHandler(&e, &slog.HandlerOptions{Level: slog.LevelWarn})),
		now: func() time.Time { return at }, http: &http.Client{Timeout: 10 * time.Second}}
	for _, c := range commands() {
		if c.name == args[0] {
			code = a.exit(c.run(context.Background(), a, args[1:]), c.name)
			return o.String(), e.String(), code
		}
	}
	t.Fatalf("no command %s", args[0])
	return
}

func TestMyHelpGolden(t *testing.T) {
	for _, args := range [][]string{{"prices", "--help"}, {"buffer", "--help"}, {"runs", "--help"}, {"schedule", "--help"}} {
		name := strings.ReplaceAll(strings.Join(args, "_"), "-", "")
		t.Run(name, func(t *testing.T) {
			out, errOut, code := allot(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			testutil.AssertGolden(t, filepath.Join("testdata", "help", name+".golden"), []byte(out))
		})
	}
}

func TestMyUsageErrors(t *testing.T) {
	cases := map[string][]string{
		"prices without subcommand": {"prices"},
		"prices unknown subcommand": {"prices", "print"},
		"publish without quarter":   {"prices", "publish", "--config", "x.yaml"},
		"publish bad quarter":       {"prices", "publish", "--config", "x.yaml", "--quarter", "2026Q5"},
		"publish bad lookback":      {"prices", "publish", "--config", "x.yaml", "--quarter", "2026Q4", "--lookback", "2026-09..2026-07"},
		"show period and quarter":   {"prices", "show", "--config", "x.yaml", "--period", "2026-10", "--quarter", "2026Q4"},
		"show nothing":              {"prices", "show", "--config", "x.yaml"},
		"buffer without subcommand": {"buffer"},
		"reconcile without out":     {"buffer", "reconcile", "--config", "x.yaml", "--quarter", "2026Q4"},
		"runs bad period":           {"runs", "--config", "x.yaml", "--period", "October"},
		"schedule unknown flag":     {"schedule", "--every", "1h"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			_, errOut, code := allot(t, args...)
			if code != 2 || !strings.HasPrefix(errOut, "Error: ") {
				t.Errorf("exit %d, want 2 with Error:; stderr:\n%s", code, errOut)
			}
		})
	}
}

// TestPricesCommand publishes 2027Q1 from the demo's October. The bases
// follow from the demo month's variance by class (the bill's cost of each
// class and the gateway's actions, summary.json): 26,598.43 / 2,794,280 =
// 0.009519, 1,762.11 / 5,504,649 = 0.000320, 3,694.18 / 152,304 = 0.024255,
// 975.41 / 39,725 = 0.024554 (none is near a rounding boundary, so the
// cents the summary drops do not matter).
func TestPricesCommand(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, "demo", "--out", dir)
	cfg := filepath.Join(dir, "input", "allot.yaml")
	out, errOut, code := allotAt(t, "2026-12-01T00:00:00Z", "prices", "publish", "--config", cfg, "--quarter", "2027Q1", "--lookback", "2026-10..2026-10")
	if code != 0 {
		t.Fatalf("publish: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"chat_call", "0.009519", "0.000320", "0.024255", "0.024554", "Left out of every base: 310.30 USD",
		"wrote " + filepath.Join(dir, "input", "prices", "2027Q1.yaml"), "Ledger: recorded the publication of 2027Q1"} {
		if !strings.Contains(out, want) {
			t.Errorf("publish does not say %q:\n%s", want, out)
		}
	}
	file := filepath.Join(dir, "input", "prices", "2027Q1.yaml")
	b, err := os.ReadFile(file)
	if err != nil || !strings.Contains(string(b), "lookback: 2026-10..2026-10") {
		t.Fatalf("the file does not record its look-back (%v):\n%s", err, b)
	}
	out, _, code = allotAt(t, "2026-12-01T00:00:00Z", "prices", "show", "--config", cfg, "--period", "2027-02")
	if code != 0 || !strings.Contains(out, "Price list in force for 2027-02 (quarter 2027Q1)") ||
		!strings.Contains(out, "Agree:  yes") || !strings.Contains(out, "look-back 2026-10..2026-10") {
		t.Errorf("show: exit %d\n%s", code, out)
	}

	// The quarter has started and a person edited the file: publishing
	// again is refused without --force.
	edited := strings.Replace(string(b), "base: 0.009519, overhead: 0.001428, registry: 0.000043, buffer: 0.000440, price: 0.011430", "base: 0.01", 1)
	if edited == string(b) {
		t.Fatalf("the published chat_call line is not as expected:\n%s", b)
	}
	os.WriteFile(file, []byte(edited), 0o644)
	out, _, code = allotAt(t, "2027-01-10T00:00:00Z", "prices", "show", "--config", cfg, "--quarter", "2027Q1")
	if code != 0 || !strings.Contains(out, "Agree:  no, the file was edited") {
		t.Errorf("show after an edit: exit %d\n%s", code, out)
	}
	_, errOut, code = allotAt(t, "2027-01-10T00:00:00Z", "prices", "publish", "--config", cfg, "--quarter", "2027Q1", "--lookback", "2026-10..2026-10")
	if code != 1 || !strings.Contains(errOut, "--force") || !strings.Contains(errOut, "Try: allot prices show") {
		t.Errorf("publishing over a started quarter: exit %d\n%s", code, errOut)
	}
	if now, _ := os.ReadFile(file); string(now) != edited {
		t.Error("a refused publication changed the file")
	}
	out, errOut, code = allotAt(t, "2027-01-10T00:00:00Z", "prices", "publish", "--config", cfg, "--quarter", "2027Q1", "--lookback", "2026-10..2026-10", "--force")
	if code != 0 || !strings.Contains(out, "replacing a list with other prices") || !strings.Contains(out, "already recorded") {
		t.Errorf("--force: exit %d\n%s%s", code, out, errOut)
	}

	// No list at all.
	_, errOut, code = allot(t, "prices", "show", "--config", cfg, "--quarter", "2028Q1")
	if code != 1 || !strings.Contains(errOut, "no price list for 2028Q1") || !strings.Contains(errOut, "Try: allot prices publish") {
		t.Errorf("show of an unpublished quarter: exit %d\n%s", code, errOut)
	}
}
