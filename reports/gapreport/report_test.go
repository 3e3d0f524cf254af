package gapreport

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/testutil"
	"github.com/allot-dev/allot/reports"
	"github.com/allot-dev/allot/tagging"
	"github.com/shopspring/decimal"
	"golang.org/x/net/html"
)

func strp(s string) *string { return &s }

// goldenReport is the scenario with a two-month trend from the ledger.
func goldenReport(t *testing.T) *Report {
	s := buildStats(t, scenarioConfig, scenario())
	trend := []TrendPoint{
		{Period: "2026-09", Run: "2026-09-20261003T060000Z-aaaa0001", CoverageFigures: reports.CoverageFigures{TotalCost: "390.00", AllocatedCost: "300.00",
			UnallocatedCost: "90.00", CoverageCost: strp("0.769231"), TotalLines: 17, AllocatedLines: 9, UnallocatedLines: 8, CoverageLines: strp("0.529412"), Maturity: "crawl"}},
		{Period: "2026-08", Run: "2026-08-20260903T060000Z-aaaa0000", CoverageFigures: reports.CoverageFigures{TotalCost: "350.00", AllocatedCost: "315.35",
			UnallocatedCost: "34.65", CoverageCost: strp("0.901000"), TotalLines: 15, AllocatedLines: 12, UnallocatedLines: 3, CoverageLines: strp("0.800000"), Maturity: "run"}},
	}
	return Build(s, Options{Period: cost.Period{Year: 2026, Month: 10}, Currency: "USD", Basis: cost.BasisEffective, Places: 2, Trend: trend})
}

func TestGolden(t *testing.T) {
	files, err := goldenReport(t).Files()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{FileJSON, FileCSV, FileMarkdown, FileHTML} {
		testutil.AssertGolden(t, filepath.Join("testdata", "scenario", name+".golden"), files[name])
	}
}

func TestJSONContract(t *testing.T) {
	var b bytes.Buffer
	if err := goldenReport(t).WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	// The fields the issue names, with their types: amounts and fractions
	// as decimal strings, line counts as numbers, sub-accounts as an object.
	for _, k := range []string{"total_cost", "allocated_cost", "unallocated_cost", "coverage_cost", "coverage_lines"} {
		if _, ok := m[k].(string); !ok {
			t.Errorf("%s = %#v, want a decimal string", k, m[k])
		}
	}
	for _, k := range []string{"total_lines", "allocated_lines"} {
		if _, ok := m[k].(float64); !ok {
			t.Errorf("%s = %#v, want a number", k, m[k])
		}
	}
	if _, ok := m["unallocated_by_sub_account"].(map[string]any); !ok {
		t.Errorf("unallocated_by_sub_account = %#v, want an object", m["unallocated_by_sub_account"])
	}
	// Trend: the two earlier months in order, then this one, with changes
	// 0.769231 − 0.901000 = −0.131769 and 0.796900 − 0.769231 = +0.027669.
	tr := m["trend"].([]any)
	if len(tr) != 3 {
		t.Fatalf("trend has %d points, want 3", len(tr))
	}
	var got []string
	for _, p := range tr {
		pm := p.(map[string]any)
		c, _ := pm["coverage_change"].(string)
		got = append(got, pm["period"].(string)+" "+c)
	}
	if want := "2026-08 ,2026-09 -0.131769,2026-10 +0.027669"; strings.Join(got, ",") != want {
		t.Errorf("trend = %v, want %s", got, want)
	}
}

func TestCoverageBands(t *testing.T) {
	cases := []struct {
		alloc, total string
		want         string
		frac         string
	}{
		{"90", "100", "walk", "0.900000"}, // exactly 90% is not above 90%
		{"90.0000001", "100", "run", "0.900000"},
		{"80", "100", "crawl", "0.800000"},
		{"80.01", "100", "walk", "0.800100"},
		{"1", "3", "crawl", "0.333333"},
		{"2", "3", "crawl", "0.666667"},
	}
	for _, tc := range cases {
		c := tagging.Coverage{Total: tagging.Tally{Cost: decimal.RequireFromString(tc.total), Lines: 3},
			Allocated: tagging.Tally{Cost: decimal.RequireFromString(tc.alloc), Lines: 2}}
		f := reports.Figures(&c, 2)
		if f.Maturity != tc.want || *f.CoverageCost != tc.frac {
			t.Errorf("%s of %s: %s %s, want %s %s", tc.alloc, tc.total, *f.CoverageCost, f.Maturity, tc.frac, tc.want)
		}
	}
	f := reports.Figures(&tagging.Coverage{}, 2)
	if f.CoverageCost != nil || f.CoverageLines != nil || f.TotalCost != "0.00" {
		t.Errorf("an empty month: %+v, want null fractions", f)
	}
}

func TestTrendFromRuns(t *testing.T) {
	sum := func(cov string) []byte {
		return []byte(`{"period":"x","coverage":{"total_cost":"1.00","allocated_cost":"0.50","unallocated_cost":"0.50","coverage_cost":"` + cov + `","total_lines":2,"allocated_lines":1,"unallocated_lines":1,"coverage_lines":"0.500000","maturity":"crawl","by_provider":[]}}`)
	}
	p := func(y, m int) cost.Period { return cost.Period{Year: y, Month: time.Month(m)} }
	runs := []RunSummary{ // newest first, as the ledger lists them
		{RunID: "r7", Period: p(2026, 10), Summary: sum("0.900000")}, // the report's own month: left out
		{RunID: "r6", Period: p(2026, 9), Summary: sum("0.700000")},  // newest of September wins
		{RunID: "r5", Period: p(2026, 9), Summary: sum("0.100000")},
		{RunID: "r4", Period: p(2026, 8), Summary: []byte(`{"period":"2026-08"}`)}, // before coverage was recorded
		{RunID: "r3", Period: p(2026, 7), Summary: sum("0.600000")},
		{RunID: "r2", Period: p(2026, 6), Summary: sum("0.500000")},
		{RunID: "r1", Period: p(2025, 12), Summary: nil},
	}
	got, err := TrendFromRuns(runs, p(2026, 10), 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Run != "r3" || got[1].Run != "r6" || *got[1].CoverageCost != "0.700000" {
		t.Errorf("trend = %+v, want r3 (2026-07) then r6 (2026-09)", got)
	}
	if _, err := TrendFromRuns([]RunSummary{{RunID: "bad", Period: p(2026, 1), Summary: []byte("{")}}, p(2026, 10), 0); err == nil || !strings.Contains(err.Error(), "bad") {
		t.Errorf("a broken summary: err = %v, want one naming the run", err)
	}
}

// TestHostileTags puts markup and formulas in tag keys and values, where
// anyone who can tag a resource can write them, and checks every form
// shows them as text.
func TestHostileTags(t *testing.T) {
	const (
		script  = `<script>alert(1)</script>`
		img     = `"><img src=x onerror=alert(2)>`
		formula = `=HYPERLINK("http://evil.example","click")`
	)
	s := buildStats(t, scenarioConfig, []line{
		{aws("666", "U1", cost.Tags{"team": script, "Team" + img: "search", "cost-team": formula}), "10"},
		{aws(formula, img, cost.Tags{"team": img}), "5"},
		{cost.LineItem{ProviderName: script, SubAccountID: "777", SubAccountName: script, ServiceName: img, ResourceID: formula}, "2"},
	})
	r := Build(s, Options{Period: cost.Period{Year: 2026, Month: 10}, Currency: "USD", Places: 2})
	files, err := r.Files()
	if err != nil {
		t.Fatal(err)
	}

	// HTML: parse it as a browser would; no element may come from a bill.
	doc, err := html.Parse(bytes.NewReader(files[FileHTML]))
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "img", "iframe", "object", "embed", "link":
				t.Errorf("the page holds a <%s> element", n.Data)
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(strings.ToLower(a.Key), "on") || a.Key == "src" || a.Key == "href" {
					t.Errorf("the page holds an attribute %s=%q on <%s>", a.Key, a.Val, n.Data)
				}
			}
		}
		if n.Type == html.TextNode {
			text.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, want := range []string{script, img, formula} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the page does not show %q as text", want)
		}
	}

	// CSV: no text cell starts a formula.
	recs, err := csv.NewReader(bytes.NewReader(files[FileCSV])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, rec := range recs {
		for i, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) && i < 3 {
				t.Errorf("CSV cell %q starts a formula", cell)
			}
			if cell == "'"+formula {
				found = true
			}
		}
	}
	if !found {
		t.Error("the CSV does not keep the neutralized formula text")
	}

	// Markdown: no raw angle bracket from a bill, so no HTML gets through.
	md := string(files[FileMarkdown])
	for _, bad := range []string{"<script", "<img"} {
		if i := strings.Index(md, bad); i >= 0 && !strings.Contains(md[max(0, i-200):i], "```") {
			t.Errorf("the Markdown holds %q outside a code block", bad)
		}
	}
	if !strings.Contains(md, "&lt;script&gt;alert\\(1\\)&lt;/script&gt;") && !strings.Contains(md, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("the Markdown does not show the script tag as escaped text")
	}

	// JSON: the values come back as written.
	var back Report
	if err := json.Unmarshal(files[FileJSON], &back); err != nil {
		t.Fatal(err)
	}
	if back.UnallocatedBySubAccount[formula] != "5.00" {
		t.Errorf("JSON sub-accounts = %v, want the formula id with 5.00", back.UnallocatedBySubAccount)
	}
}
