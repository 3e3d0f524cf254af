package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/testutil"
	"github.com/allot-dev/allot/ledger"
	"github.com/shopspring/decimal"
)

// gapsJSON is the part of tagging-gaps.json the independent computation
// checks.
type gapsJSON struct {
	Period                  string            `json:"period"`
	TotalCost               string            `json:"total_cost"`
	AllocatedCost           string            `json:"allocated_cost"`
	UnallocatedCost         string            `json:"unallocated_cost"`
	CoverageCost            string            `json:"coverage_cost"`
	TotalLines              int64             `json:"total_lines"`
	AllocatedLines          int64             `json:"allocated_lines"`
	CoverageLines           string            `json:"coverage_lines"`
	UnallocatedBySubAccount map[string]string `json:"unallocated_by_sub_account"`
	Suggestions             []struct {
		Kind string `json:"kind"`
		Cost string `json:"cost"`
		YAML string `json:"yaml"`
	} `json:"suggestions"`
	Trend []struct {
		Period         string  `json:"period"`
		Run            string  `json:"run"`
		CoverageCost   string  `json:"coverage_cost"`
		CoverageChange *string `json:"coverage_change"`
	} `json:"trend"`
}

// independent resolves the demo's bill by hand, from the raw FOCUS CSV and
// the demo configuration's tagging section as written (team_keys [team,
// user:team, cost-team]; values ml-platform → platform; the teams search,
// support and platform; defaults 111111111111 → search; no rule sets a
// team). It does not use the resolver. Azure keys compare ignoring case;
// GCP lines also look at tag:KEY and project:KEY, after the line's own keys.
type independent struct {
	total, allocated decimal.Decimal
	lines, allocN    int64
	unallocBySub     map[string]decimal.Decimal
}

func computeIndependently(t *testing.T, csvPath string, p cost.Period) independent {
	t.Helper()
	rows := readCSV(t, csvPath)
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	teams := map[string]bool{"search": true, "support": true, "platform": true}
	values := map[string]string{"ml-platform": "platform"}
	defaults := map[string]string{"111111111111": "search"}
	keys := []string{"team", "user:team", "cost-team"}
	out := independent{unallocBySub: map[string]decimal.Decimal{}}
	for _, r := range rows[1:] {
		if !strings.HasPrefix(r[col["ChargePeriodStart"]], p.String()+"-") {
			continue
		}
		amount := decimal.RequireFromString(r[col["EffectiveCost"]])
		var tags map[string]string
		if s := r[col["Tags"]]; s != "" {
			if err := json.Unmarshal([]byte(s), &tags); err != nil {
				t.Fatalf("tags %q: %v", s, err)
			}
		}
		provider := r[col["ProviderName"]]
		lookup := func(key string) (string, bool) {
			if v, ok := tags[key]; ok {
				return v, true
			}
			if provider == "Microsoft" {
				for k, v := range tags {
					if strings.EqualFold(strings.TrimSpace(k), key) {
						return v, true
					}
				}
			}
			return "", false
		}
		team := ""
		try := func(key string) bool {
			v, ok := lookup(key)
			if !ok {
				return false
			}
			v = strings.TrimSpace(v)
			if m, ok := values[v]; ok {
				v = m
			}
			if teams[v] {
				team = v
				return true
			}
			return false
		}
		found := false
		for _, k := range keys {
			if try(k) {
				found = true
				break
			}
		}
		if !found && provider == "Google Cloud" {
			for _, k := range keys {
				if try("tag:"+k) || try("project:"+k) {
					found = true
					break
				}
			}
		}
		if !found {
			if d, ok := defaults[r[col["SubAccountId"]]]; ok {
				team = d
			} else if d, ok := defaults[r[col["SubAccountName"]]]; ok {
				team = d
			}
		}
		out.total = out.total.Add(amount)
		out.lines++
		if team != "" {
			out.allocated = out.allocated.Add(amount)
			out.allocN++
		} else {
			sub := r[col["SubAccountId"]]
			out.unallocBySub[sub] = out.unallocBySub[sub].Add(amount)
		}
	}
	return out
}

func readGaps(t *testing.T, dir string) gapsJSON {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "tagging-gaps.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g gapsJSON
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

func checkAgainstIndependent(t *testing.T, g gapsJSON, want independent) {
	t.Helper()
	money := func(d decimal.Decimal) string { return d.Round(2).StringFixed(2) }
	if g.TotalCost != money(want.total) || g.AllocatedCost != money(want.allocated) || g.UnallocatedCost != money(want.total.Sub(want.allocated)) {
		t.Errorf("costs = %s / %s / %s, independently %s / %s / %s", g.TotalCost, g.AllocatedCost, g.UnallocatedCost,
			money(want.total), money(want.allocated), money(want.total.Sub(want.allocated)))
	}
	if got, w := g.CoverageCost, want.allocated.DivRound(want.total, 6).StringFixed(6); got != w {
		t.Errorf("coverage_cost = %s, independently %s", got, w)
	}
	if g.TotalLines != want.lines || g.AllocatedLines != want.allocN {
		t.Errorf("lines = %d allocated of %d, independently %d of %d", g.AllocatedLines, g.TotalLines, want.allocN, want.lines)
	}
	if got, w := g.CoverageLines, decimal.NewFromInt(want.allocN).DivRound(decimal.NewFromInt(want.lines), 6).StringFixed(6); got != w {
		t.Errorf("coverage_lines = %s, independently %s", got, w)
	}
	if len(g.UnallocatedBySubAccount) != len(want.unallocBySub) {
		t.Errorf("unallocated_by_sub_account = %v, independently %v", g.UnallocatedBySubAccount, want.unallocBySub)
	}
	for sub, c := range want.unallocBySub {
		if g.UnallocatedBySubAccount[sub] != money(c) {
			t.Errorf("unallocated in %q = %q, independently %s", sub, g.UnallocatedBySubAccount[sub], money(c))
		}
	}
}

func TestGapsMatchIndependentComputation(t *testing.T) {
	dir := t.TempDir()
	if out, errOut, code := allot(t, "demo", "--out", dir); code != 0 {
		t.Fatalf("demo: %d\n%s%s", code, out, errOut)
	}
	bill := filepath.Join(dir, "input", "data", "focus", "acme-ai-2026-10.csv")
	cfg := filepath.Join(dir, "input", "allot.yaml")

	t.Run("demo month", func(t *testing.T) {
		out := filepath.Join(dir, "gaps")
		stdout, errOut, code := allot(t, "gaps", "--config", cfg, "--period", "2026-10", "--out", out)
		if code != 0 {
			t.Fatalf("gaps: exit %d\n%s%s", code, stdout, errOut)
		}
		for _, f := range []string{"tagging-gaps.json", "tagging-gaps.csv", "tagging-gaps.md", "tagging-gaps.html"} {
			if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
				t.Errorf("%s: %v", f, err)
			}
		}
		g := readGaps(t, out)
		checkAgainstIndependent(t, g, computeIndependently(t, bill, demoPeriod))
		// The demo's Azure lines tagged Team=Support: Azure keys ignore
		// case, the value does not, so a value-map entry is suggested first.
		if len(g.Suggestions) == 0 || g.Suggestions[0].Kind != "value_map" || !strings.Contains(g.Suggestions[0].YAML, `"Support": support`) {
			t.Errorf("first suggestion = %+v, want the value map Support → support", g.Suggestions)
		}
		if !strings.Contains(stdout, "coverage "+g.CoverageCost) {
			t.Errorf("stdout does not give the coverage:\n%s", stdout)
		}
	})

	t.Run("retagged month", func(t *testing.T) {
		// Change the tags the way real bills drift: an AWS key in the wrong
		// case on the platform account, GCP team labels moved to the
		// project, Azure keys in upper case with padded values, and a
		// mistyped value on a defaulted account.
		b, err := os.ReadFile(bill)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		n := strings.Count(s, `""user:team"":""ml-platform""`)
		s = strings.Replace(s, `""user:team"":""ml-platform""`, `""User:Team"":""ml-platform""`, n/2)
		s = strings.Replace(s, `""action_class"":""chat_call"",""team"":""search""`, `""action_class"":""chat_call"",""project:team"":""search""`, 20)
		s = strings.Replace(s, `""team"":""support""`, `""TEAM"":"" support ""`, 15)
		s = strings.Replace(s, `""user:action_class"":""agent_step"",""user:team"":""search""`, `""user:action_class"":""agent_step"",""user:team"":""Search""`, 5)
		if s == string(b) {
			t.Fatal("the retagging changed nothing: the demo bill's tags are not as this test expects")
		}
		if err := os.WriteFile(bill, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "gaps-retagged")
		if stdout, errOut, code := allot(t, "gaps", "--config", cfg, "--period", "2026-10", "--out", out); code != 0 {
			t.Fatalf("gaps: exit %d\n%s%s", code, stdout, errOut)
		}
		g := readGaps(t, out)
		want := computeIndependently(t, bill, demoPeriod)
		if want.unallocBySub["333333333333"].IsZero() {
			t.Fatal("the retagging left the platform account allocated; the test would prove nothing")
		}
		checkAgainstIndependent(t, g, want)
		var teamKey bool
		for _, sg := range g.Suggestions {
			teamKey = teamKey || sg.Kind == "team_key" && strings.Contains(sg.YAML, `"User:Team"`)
		}
		if !teamKey {
			t.Errorf("no suggestion to read the key User:Team: %+v", g.Suggestions)
		}
	})
}

func TestGapsTrendFromLedger(t *testing.T) {
	dir := t.TempDir()
	if _, errOut, code := allot(t, "demo", "--out", dir); code != 0 {
		t.Fatalf("demo: %s", errOut)
	}
	cfg := filepath.Join(dir, "input", "allot.yaml")
	// A September run as the ledger would hold it, with its coverage.
	ctx := context.Background()
	led, err := ledger.Open(ctx, "sqlite:"+filepath.Join(dir, "input", "allot.db"))
	if err != nil {
		t.Fatal(err)
	}
	sept := cost.Period{Year: 2026, Month: 9}
	started := time.Date(2026, 10, 3, 6, 0, 0, 0, time.UTC)
	summary := `{"period":"2026-09","coverage":{"total_cost":"30000.00","allocated_cost":"24000.00","unallocated_cost":"6000.00","coverage_cost":"0.800000","total_lines":400,"allocated_lines":300,"unallocated_lines":100,"coverage_lines":"0.750000","maturity":"crawl","by_provider":[]}}`
	err = led.RecordRun(ctx, ledger.Run{ID: "2026-09-test", Kind: ledger.RunAllocation, Period: sept, Model: cost.ModelPlatform,
		Status: ledger.StatusUnchanged, Summary: json.RawMessage(summary), StartedAt: started, FinishedAt: started.Add(time.Minute)})
	led.Close()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "gaps")
	if stdout, errOut, code := allot(t, "gaps", "--config", cfg, "--period", "2026-10", "--out", out); code != 0 {
		t.Fatalf("gaps: exit %d\n%s%s", code, stdout, errOut)
	}
	g := readGaps(t, out)
	if len(g.Trend) != 2 || g.Trend[0].Period != "2026-09" || g.Trend[0].Run != "2026-09-test" || g.Trend[1].Period != "2026-10" {
		t.Fatalf("trend = %+v, want September from the ledger, then October", g.Trend)
	}
	// The change is October's coverage minus September's 0.800000.
	oct := decimal.RequireFromString(g.CoverageCost)
	want := oct.Sub(decimal.RequireFromString("0.8")).StringFixed(6)
	if !oct.LessThan(decimal.RequireFromString("0.8")) {
		want = "+" + want
	}
	if g.Trend[1].CoverageChange == nil || *g.Trend[1].CoverageChange != want {
		t.Errorf("coverage_change = %v, want %s", g.Trend[1].CoverageChange, want)
	}
	// --trend 0 leaves the ledger alone.
	if _, errOut, code := allot(t, "gaps", "--config", cfg, "--period", "2026-10", "--out", out, "--trend", "0"); code != 0 {
		t.Fatal(errOut)
	}
	if g := readGaps(t, out); len(g.Trend) != 0 {
		t.Errorf("--trend 0 still shows %d points", len(g.Trend))
	}
}

func TestGapsWithoutLedgerCreatesNone(t *testing.T) {
	dir := t.TempDir()
	if _, errOut, code := allot(t, "demo", "--out", dir); code != 0 {
		t.Fatalf("demo: %s", errOut)
	}
	db := filepath.Join(dir, "input", "allot.db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(db + suffix)
	}
	stdout, errOut, code := allot(t, "gaps", "--config", filepath.Join(dir, "input", "allot.yaml"), "--period", "2026-10", "--out", filepath.Join(dir, "g"))
	if code != 0 {
		t.Fatalf("gaps: exit %d\n%s", code, errOut)
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("allot gaps created a ledger")
	}
	if !strings.Contains(stdout, "no ledger yet") {
		t.Errorf("stdout does not say why there is no trend:\n%s", stdout)
	}
}

func TestGapsAndExplainUsage(t *testing.T) {
	cases := map[string][]string{
		"gaps without period":    {"gaps", "--config", "x.yaml", "--out", "o"},
		"gaps without out":       {"gaps", "--config", "x.yaml", "--period", "2026-10"},
		"gaps bad period":        {"gaps", "--config", "x.yaml", "--period", "2026-13", "--out", "o"},
		"explain without target": {"explain", "--config", "x.yaml", "--period", "2026-10"},
		"explain two resources":  {"explain", "--config", "x.yaml", "--period", "2026-10", "a", "b"},
		"explain bad format":     {"explain", "--config", "x.yaml", "--period", "2026-10", "--format", "xml", "a"},
		"explain without period": {"explain", "--config", "x.yaml", "a"},
		"explain unknown flag":   {"explain", "--colour", "a"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			_, errOut, code := allot(t, args...)
			if code != 2 || !strings.HasPrefix(errOut, "Error: ") {
				t.Errorf("exit %d, want 2 with an Error: line; stderr:\n%s", code, errOut)
			}
		})
	}
}

func TestGapsExplainHelpGolden(t *testing.T) {
	for _, cmd := range []string{"gaps", "explain"} {
		out, errOut, code := allot(t, cmd, "--help")
		if code != 0 {
			t.Fatalf("%s --help: exit %d: %s", cmd, code, errOut)
		}
		testutil.AssertGolden(t, filepath.Join("testdata", "help", cmd+"_help.golden"), []byte(out))
	}
}
