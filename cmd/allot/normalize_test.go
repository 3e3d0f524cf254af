package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// TestNormalizeTotals reads the demo bill with allot normalize and checks
// the row count and the BilledCost and EffectiveCost totals against a sum
// taken straight from the raw file.
func TestNormalizeTotals(t *testing.T) {
	dir := t.TempDir()
	if _, errOut, code := allot(t, "demo", "--out", dir); code != 0 {
		t.Fatalf("demo: %s", errOut)
	}
	raw := readCSV(t, filepath.Join(dir, "input", "data", "focus", "acme-ai-2026-10.csv"))
	col := map[string]int{}
	for i, h := range raw[0] {
		col[h] = i
	}
	var billed, effective decimal.Decimal
	for _, r := range raw[1:] {
		billed = billed.Add(decimal.RequireFromString(r[col["BilledCost"]]))
		effective = effective.Add(decimal.RequireFromString(r[col["EffectiveCost"]]))
	}
	for _, ext := range []string{"csv", "csv.gz", "parquet"} {
		out := filepath.Join(dir, "oct."+ext)
		stdout, errOut, code := allot(t, "normalize", "--source", "focus", "--url", "file:"+filepath.Join(dir, "input", "data", "focus"),
			"--period", "2026-10", "--out", out)
		if code != 0 {
			t.Fatalf("normalize to %s: %s", ext, errOut)
		}
		for _, want := range []string{
			"BilledCost " + billed.String(), "EffectiveCost " + effective.String(),
			" " + itoa(len(raw)-1) + " rows",
		} {
			if !strings.Contains(stdout, want) {
				t.Errorf("%s: output lacks %q:\n%s", ext, want, stdout)
			}
		}
		if ext == "csv" {
			got := readCSV(t, out)
			if len(got) != len(raw) {
				t.Errorf("normalized rows = %d, want %d", len(got)-1, len(raw)-1)
			}
		}
	}
	// Out-of-period: November holds nothing.
	_, errOut, code := allot(t, "normalize", "--source", "focus", "--url", "file:"+filepath.Join(dir, "input", "data", "focus"),
		"--period", "2026-11", "--out", filepath.Join(dir, "nov.csv"))
	if code != 1 || !strings.Contains(errOut, "no export") {
		t.Errorf("normalize of an empty month: exit %d\n%s", code, errOut)
	}
}

func itoa(n int) string { return decimal.NewFromInt(int64(n)).String() }
