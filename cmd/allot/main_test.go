package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/allot-dev/allot/internal/testutil"
	"github.com/shopspring/decimal"
)

// allot runs the command line in-process.
func allot(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = Main(context.Background(), append([]string{"--log-level", "warn"}, args...), &o, &e)
	return o.String(), e.String(), code
}

func TestHelpGolden(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"demo", "--help"}, {"run", "--help"}, {"validate", "--help"}} {
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

func TestUsageErrors(t *testing.T) {
	cases := map[string][]string{
		"unknown command": {"frobnicate"},
		"missing period":  {"run", "--config", "x.yaml", "--out", "o"},
		"bad period":      {"run", "--config", "x.yaml", "--period", "2026-13", "--out", "o"},
		"unknown flag":    {"run", "--colour"},
		"bad model":       {"demo", "--model", "saas"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			_, errOut, code := allot(t, args...)
			if code != 2 {
				t.Errorf("exit %d, want 2 (usage error); stderr:\n%s", code, errOut)
			}
			if !strings.HasPrefix(errOut, "Error: ") {
				t.Errorf("stderr does not start with Error: %q", errOut)
			}
		})
	}
}

// demoFiles are the reports the demo's golden tests pin.
var demoFiles = []string{"allocations.csv", "journal.csv", "summary.json", "tagging-gaps.csv", "tagging-gaps.json", "tagging-gaps.md", "tagging-gaps.html",
	"reconciliation.md", "reconciliation.html", "reconciliation.json",
	"statements/search.md", "statements/search.html", "statements/support.md", "statements/support.html"}

// normalize replaces the run's temporary folder in a report.
func normalize(b []byte, dir string) []byte {
	return bytes.ReplaceAll(b, []byte(dir), []byte("$DIR"))
}

func TestDemoGolden(t *testing.T) {
	for _, model := range []string{"platform", "finops", "it"} {
		t.Run(model, func(t *testing.T) {
			dir := t.TempDir()
			out, errOut, code := allot(t, "demo", "--out", dir, "--model", model)
			if code != 0 {
				t.Fatalf("allot demo --model %s: exit %d\n%s\n%s", model, code, out, errOut)
			}
			for _, f := range demoFiles {
				b, err := os.ReadFile(filepath.Join(dir, f))
				if err != nil {
					t.Fatal(err)
				}
				testutil.AssertGolden(t, filepath.Join("testdata", "demo", model, f+".golden"), normalize(b, dir))
			}
			checkDemo(t, dir, model)
		})
	}
}

// checkDemo recomputes what a controller would check from the files alone:
// the journal balances, each team's net chargeback expense equals its
// allocation rows, the summary's invariants hold, the draw happened and
// the journal was delivered to the configured output.
func checkDemo(t *testing.T, dir, model string) {
	t.Helper()
	rows := readCSV(t, filepath.Join(dir, "allocations.csv"))
	teamRows := map[string]decimal.Decimal{}
	classes := map[string]bool{}
	draw := false
	for _, r := range rows[1:] {
		amt := decimal.RequireFromString(r[6])
		teamRows[r[1]] = teamRows[r[1]].Add(amt)
		classes[r[2]] = true
		if r[3] == "buffer_draw" {
			draw = true
		}
	}
	for _, c := range []string{"chat_call", "retrieval_call", "agent_step", "eval_run"} {
		if !classes[c] {
			t.Errorf("no allocation row for class %s", c)
		}
	}
	if !draw {
		t.Error("the demo month has no buffer draw")
	}
	jrows := readCSV(t, filepath.Join(dir, "journal.csv"))
	col := map[string]int{}
	for i, h := range jrows[0] {
		col[h] = i
	}
	var debit, credit decimal.Decimal
	net := map[string]decimal.Decimal{}
	for _, r := range jrows[1:] {
		d := decimal.RequireFromString(r[col["debit"]])
		c := decimal.RequireFromString(r[col["credit"]])
		debit, credit = debit.Add(d), credit.Add(c)
		team := strings.Split(r[col["reference"]], "/")[0]
		acct := r[col["gl_account"]]
		if (team == "_central" || team == "_unallocated") && acct == "650190" || acct == "650100" {
			net[team] = net[team].Add(d).Sub(c)
		}
	}
	if !debit.Equal(credit) {
		t.Errorf("journal debits %s ≠ credits %s", debit, credit)
	}
	for team, sum := range teamRows {
		if !net[team].Equal(sum) {
			t.Errorf("%s: journal net expense %s ≠ allocation rows %s", team, net[team], sum)
		}
	}
	var sum struct {
		OK         bool `json:"ok"`
		Invariants []struct {
			Name string `json:"name"`
			OK   bool   `json:"ok"`
		} `json:"invariants"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if !sum.OK || len(sum.Invariants) < 5 {
		t.Errorf("summary ok=%v with %d invariants", sum.OK, len(sum.Invariants))
	}
	batches, _ := filepath.Glob(filepath.Join(dir, "journals", "*.csv"))
	if len(batches) != 1 {
		t.Errorf("the file output holds %d batches, want 1", len(batches))
	}
	// Each team's statement total is its allocation rows; the
	// reconciliation's recovered is every row but surcharges and draws.
	for _, team := range []string{"search", "support"} {
		b, err := os.ReadFile(filepath.Join(dir, "statements", team+".md"))
		if err != nil {
			t.Fatal(err)
		}
		if want := "| **total charged** | **" + teamRows[team].StringFixed(2) + "** |"; !strings.Contains(string(b), want) {
			t.Errorf("statements/%s.md has no %q", team, want)
		}
	}
	var recovered decimal.Decimal
	for _, r := range rows[1:] {
		if r[3] != "buffer_surcharge" && r[3] != "buffer_draw" {
			recovered = recovered.Add(decimal.RequireFromString(r[6]))
		}
	}
	var rec struct {
		Recovered string `json:"recovered"`
	}
	b, _ = os.ReadFile(filepath.Join(dir, "reconciliation.json"))
	if err := json.Unmarshal(b, &rec); err != nil || rec.Recovered != recovered.StringFixed(2) {
		t.Errorf("reconciliation.json recovered = %q (%v), want %s", rec.Recovered, err, recovered.StringFixed(2))
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return recs
}

// TestRunIdempotentAndRestated runs the demo month, runs it again (nothing
// is posted), then restates the bill (a late credit) and checks that the
// correction is a reversal plus a new batch, and that all batches in the
// output folder net to the corrected figures.
func TestRunIdempotentAndRestated(t *testing.T) {
	dir := t.TempDir()
	if out, errOut, code := allot(t, "demo", "--out", dir); code != 0 {
		t.Fatalf("demo: %d\n%s%s", code, out, errOut)
	}
	cfg := filepath.Join(dir, "input", "allot.yaml")
	before := searchChatActions(t, dir)
	out, errOut, code := allot(t, "run", "--config", cfg, "--period", "2026-10", "--out", dir)
	if code != 0 {
		t.Fatalf("second run: %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "nothing to post") {
		t.Errorf("a re-run with unchanged inputs must post nothing; said:\n%s", out)
	}
	if got, _ := filepath.Glob(filepath.Join(dir, "journals", "*.csv")); len(got) != 1 {
		t.Errorf("after the re-run the output holds %d batches, want 1", len(got))
	}
	// Restate: in price-list mode the charges come from the gateway, so
	// restate it: 1,000 search chat calls arrive late.
	late := `{"timestamp":"2026-10-31T23:00:00Z","team":"search","action_class":"chat_call","gen_ai.request.model":"claude","gen_ai.usage.input_tokens":1,"gen_ai.usage.output_tokens":1,"count":1000}` + "\n"
	if err := os.WriteFile(filepath.Join(dir, "input", "data", "gateway", "late.jsonl"), []byte(late), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = allot(t, "run", "--config", cfg, "--period", "2026-10", "--out", dir)
	if code != 0 {
		t.Fatalf("restated run: %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "-A1-R (reversal") || !strings.Contains(out, "-A2 (allocation") {
		t.Errorf("a restatement posts a reversal of A1 and a new A2; said:\n%s", out)
	}
	batches, _ := filepath.Glob(filepath.Join(dir, "journals", "*.csv"))
	if len(batches) != 3 {
		t.Fatalf("batches delivered = %d (%v), want 3: A1, its reversal, A2", len(batches), batches)
	}
	// The ERP's view is the sum of every batch: it must equal the new journal.
	sumAll := map[string]decimal.Decimal{}
	for _, b := range batches {
		for _, r := range readCSV(t, b)[1:] {
			key := r[5] + " " + r[6]
			sumAll[key] = sumAll[key].Add(decimal.RequireFromString(r[7])).Sub(decimal.RequireFromString(r[8]))
		}
	}
	want := map[string]decimal.Decimal{}
	for _, r := range readCSV(t, filepath.Join(dir, "journal.csv"))[1:] {
		key := r[5] + " " + r[6]
		want[key] = want[key].Add(decimal.RequireFromString(r[7])).Sub(decimal.RequireFromString(r[8]))
	}
	for k, v := range want {
		if !sumAll[k].Equal(v) {
			t.Errorf("%s: batches net to %s, the corrected journal says %s", k, sumAll[k], v)
		}
	}
	if after := searchChatActions(t, dir); after != before+1000 {
		t.Errorf("search chat_call actions = %d, want %d + 1000", after, before)
	}
}

func searchChatActions(t *testing.T, dir string) int64 {
	t.Helper()
	for _, r := range readCSV(t, filepath.Join(dir, "allocations.csv")) {
		if r[1] == "search" && r[2] == "chat_call" && r[3] == "usage" {
			n, err := strconv.ParseInt(r[4], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no search chat_call usage row")
	return 0
}

func TestBadInputPostsNothing(t *testing.T) {
	dir := t.TempDir()
	if _, errOut, code := allot(t, "demo", "--out", dir); code != 0 {
		t.Fatalf("demo: %s", errOut)
	}
	// Break one number in the bill.
	bill := filepath.Join(dir, "input", "data", "focus", "acme-ai-2026-10.csv")
	b, _ := os.ReadFile(bill)
	lines := strings.Split(string(b), "\n")
	cells := strings.SplitN(lines[7], ",", 2)
	lines[7] = "12,34.5x," + cells[1][strings.Index(cells[1], ",")+1:]
	if err := os.WriteFile(bill, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "rerun")
	_, errOut, code := allot(t, "run", "--config", filepath.Join(dir, "input", "allot.yaml"), "--period", "2026-10", "--out", out)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, errOut)
	}
	for _, want := range []string{"acme-ai-2026-10.csv:8", "EffectiveCost", "34.5x"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("the error does not name %q:\n%s", want, errOut)
		}
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed run wrote its output folder (%v)", err)
	}
	if got, _ := filepath.Glob(filepath.Join(dir, "journals", "*.csv")); len(got) != 1 {
		t.Errorf("a failed run delivered a batch: %v", got)
	}
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	if _, errOut, code := allot(t, "demo", "--out", dir); code != 0 {
		t.Fatalf("demo: %s", errOut)
	}
	out, errOut, code := allot(t, "validate", "--config", filepath.Join(dir, "input", "allot.yaml"), "--period", "2026-10")
	if code != 0 || !strings.Contains(out, "configuration OK") || !strings.Contains(out, "price list for 2026Q4 OK") {
		t.Fatalf("validate: %d\n%s%s", code, out, errOut)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("version: 1\ncurrency: USD\nteams:\n  - { id: a, cost_center: X, colour: red }\n"), 0o644)
	_, errOut, code = allot(t, "validate", "--config", bad)
	if code != 1 || !strings.Contains(errOut, "bad.yaml:4") || !strings.Contains(errOut, "colour") || !strings.Contains(errOut, "sources") {
		t.Errorf("validate of a bad file: exit %d\n%s", code, errOut)
	}
}
