package gapreport

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/allot-dev/allot/reports"
	"github.com/allot-dev/allot/tagging"
)

// File names of the report's four forms.
const (
	FileJSON     = "tagging-gaps.json"
	FileCSV      = "tagging-gaps.csv"
	FileMarkdown = "tagging-gaps.md"
	FileHTML     = "tagging-gaps.html"
)

// WriteJSON writes tagging-gaps.json: indented, with a trailing newline.
func (r *Report) WriteJSON(w io.Writer) error { return reports.WriteJSON(w, r) }

// CSVHeader is the header of tagging-gaps.csv.
var CSVHeader = []string{"section", "name", "detail", "cost", "lines", "share_of_total", "coverage_cost", "coverage_lines", "maturity"}

// WriteCSV writes tagging-gaps.csv: one row per figure, its section first
// (see the package doc). Text cells a spreadsheet would run as a formula
// are neutralized (reports.Safe); numbers are written as they are.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	row := func(section, name, detail, cost string, lines int64, share string, cov, covLines *string, maturity string) {
		_ = cw.Write([]string{section, reports.Safe(name), reports.Safe(detail), cost, strconv.FormatInt(lines, 10), share,
			deref(cov), deref(covLines), maturity})
	}
	_ = cw.Write(CSVHeader)
	cf := r.CoverageFigures
	row("coverage", "total", "", cf.TotalCost, cf.TotalLines, r.share(r.exact["total"]), cf.CoverageCost, cf.CoverageLines, cf.Maturity)
	row("coverage", "allocated", "", cf.AllocatedCost, cf.AllocatedLines, r.share(r.exact["allocated"]), nil, nil, "")
	row("coverage", "unallocated", "", cf.UnallocatedCost, cf.UnallocatedLines, r.share(r.exact["unallocated"]), nil, nil, "")
	for _, p := range r.CoverageByProvider {
		row("coverage_by_provider", p.Provider, "", p.TotalCost, p.TotalLines, r.share(r.exact["provider:"+p.Provider]), p.CoverageCost, p.CoverageLines, p.Maturity)
	}
	for _, sec := range []struct {
		name  string
		items []Item
	}{
		{"unallocated_by_provider", r.Unallocated.ByProvider},
		{"unallocated_by_sub_account", r.Unallocated.BySubAccount},
		{"unallocated_by_service", r.Unallocated.ByService},
		{"unallocated_by_resource", r.Unallocated.ByResource},
	} {
		for _, it := range sec.items {
			row(sec.name, it.Name, it.Label, it.Cost, it.Lines, it.Share, nil, nil, "")
		}
	}
	for _, v := range r.TagKeyVariants {
		row("tag_key_variant", v.Key, v.Provider+": "+v.Use, v.Cost, v.Lines, v.Share, nil, nil, "")
	}
	for _, v := range r.UnknownTeamValues {
		row("unknown_team_value", v.Key, v.Value, v.Cost, v.Lines, v.Share, nil, nil, "")
	}
	for _, v := range r.UnknownClassValues {
		row("unknown_class_value", v.Key, v.Value, v.Cost, v.Lines, v.Share, nil, nil, "")
	}
	for _, it := range r.NoActionClass.ByTeam {
		row("no_action_class", it.Name, "", it.Cost, it.Lines, it.Share, nil, nil, "")
	}
	for _, s := range r.NoActionClass.BySKU {
		row("no_action_class_by_sku", s.Service, s.SKU, s.Cost, s.Lines, s.Share, nil, nil, "")
	}
	for _, s := range r.Suggestions {
		row("suggestion_"+s.Effect, fmt.Sprintf("%d. %s", s.Rank, s.Title), s.YAML, s.Cost, s.Lines, s.Share, nil, nil, "")
	}
	for _, p := range r.Trend {
		row("trend", p.Period, p.Run, p.TotalCost, p.TotalLines, "", p.CoverageCost, p.CoverageLines, p.Maturity)
	}
	cw.Flush()
	return cw.Error()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// WriteGapsCSV writes tagging-gaps.csv for a run: the report of s in the
// run's minor unit with topN entries per list (allot run calls it; allot
// gaps writes the same file with a trend).
func WriteGapsCSV(w io.Writer, s *tagging.Stats, places int32, topN int) error {
	return Build(s, Options{Places: places, TopN: topN}).WriteCSV(w)
}

// Files renders the report in its four forms, by file name.
func (r *Report) Files() (map[string][]byte, error) {
	out := map[string][]byte{}
	for name, write := range map[string]func(io.Writer) error{
		FileJSON: r.WriteJSON, FileCSV: r.WriteCSV, FileMarkdown: r.WriteMarkdown, FileHTML: r.WriteHTML,
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			return nil, fmt.Errorf("gapreport: %s: %w", name, err)
		}
		out[name] = b.Bytes()
	}
	return out, nil
}
