package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/allot-dev/allot/internal/testenv"
	"github.com/shopspring/decimal"
)

// forEngines runs fn against a fresh SQLite ledger and a fresh PostgreSQL
// schema (skipped without scripts/test.sh's server). dsn is what the
// configuration's ledger: line should say.
func forEngines(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, "sqlite:held-out.db") })
	t.Run("postgres", func(t *testing.T) { fn(t, testenv.PostgresSchema(t, "allot_cmd_")) })
}

var (
	ledgerLine = regexp.MustCompile(`(?m)^ledger: .*$`)
	outputsURL = regexp.MustCompile(`url: file:\.\./journals\b`)
	drawsLine  = regexp.MustCompile(`(?m)^(\s*)- \{ team: search, period: 2026-10, cause: .*\}$`)
)

// demoCopy writes a copy of the demo configuration beside it (so its
// relative paths hold) with the given ledger, the journals delivered to
// DIR/journals-NAME, and extra draws after the demo's draw. It returns the
// copy's path and the delivery folder.
func demoCopy(t *testing.T, dir, name, dsn string, draws ...string) (cfg, journals string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "input", "allot.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := ledgerLine.ReplaceAllString(string(b), "ledger: \""+dsn+"\"")
	s = outputsURL.ReplaceAllString(s, "url: file:../journals-"+name)
	if len(draws) > 0 {
		m := drawsLine.FindStringSubmatch(s)
		if m == nil {
			t.Fatal("the demo configuration has no draw line to add to")
		}
		var extra strings.Builder
		for _, d := range draws {
			extra.WriteString("\n" + m[1] + "- " + d)
		}
		s = strings.Replace(s, m[0], m[0]+extra.String(), 1)
	}
	if s == string(b) {
		t.Fatal("the demo configuration did not change")
	}
	cfg = filepath.Join(dir, "input", name+".yaml")
	if err := os.WriteFile(cfg, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg, filepath.Join(dir, "journals-"+name)
}

// appendLines appends CSV or JSON lines to a file.
func appendLines(t *testing.T, path string, lines ...string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, l := range lines {
		if _, err := f.WriteString(l + "\n"); err != nil {
			t.Fatal(err)
		}
	}
}

// journalNet sums debit − credit of journal CSV files per key(row).
func journalNet(t *testing.T, key func(col map[string]int, r []string) string, files ...string) map[string]decimal.Decimal {
	t.Helper()
	out := map[string]decimal.Decimal{}
	for _, f := range files {
		rows := readCSV(t, f)
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		for _, r := range rows[1:] {
			k := key(col, r)
			out[k] = out[k].Add(decimal.RequireFromString(r[col["debit"]])).Sub(decimal.RequireFromString(r[col["credit"]]))
		}
	}
	return out
}

// byAccountAndReference keys a journal line by GL account and reference
// (team/class/component).
func byAccountAndReference(col map[string]int, r []string) string {
	return r[col["gl_account"]] + " " + r[col["reference"]]
}
