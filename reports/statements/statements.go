package statements

import (
	"bytes"
	"errors"
	"fmt"
	"sort"

	"github.com/allot-dev/allot/allocator"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/reports"
	"github.com/shopspring/decimal"
)

// Sentinel errors.
var (
	// ErrInput: the input is incomplete (a bug in the caller, not bad data).
	ErrInput = errors.New("statements: invalid input")
	// ErrTeamID: a team id cannot name a statement file.
	ErrTeamID = errors.New("statements: team id")
)

// Output names, relative to the run's output folder.
const (
	DirStatements          = "statements"
	FileReconciliationMD   = "reconciliation.md"
	FileReconciliationHTML = "reconciliation.html"
	FileReconciliationJSON = "reconciliation.json"
)

// DefaultTopN is the length of the top agent runs and top resources lists.
const DefaultTopN = 10

// Input is what the statements and the reconciliation are built from: one
// run's allocation and everything around it. Result, Summary and Alloc are
// required.
type Input struct {
	Result *allocator.Result
	// Alloc is the allocator's input for the run: parameters, teams with
	// forecasts and seats, the price list, gateway action counts and the
	// resolved cost groups.
	Alloc allocator.Input
	// Journals are the run's allocation journals; Booking maps teams to
	// cost centers and names the GL accounts.
	Journals []cost.Journal
	Booking  reports.JournalParams
	// Summary is the run's summary.json (its TeamClasses feed the
	// month-over-month comparison).
	Summary *reports.Summary
	// Resources is the bill cost per team and resource id.
	Resources map[string]map[string]decimal.Decimal
	// AgentRuns is the gateway actions per team, agent run id and class.
	AgentRuns map[string]map[string]map[string]int64
	// Previous is the previous period's latest posted run; nil when the
	// ledger holds none.
	Previous *Previous
	// TopN is the length of the top lists; DefaultTopN when 0.
	TopN int
}

// Previous is an earlier run whose figures a statement compares against.
type Previous struct {
	RunID   string
	Period  cost.Period
	Summary []byte // the run's summary.json as the ledger stored it
}

func (in *Input) check() error {
	switch {
	case in.Result == nil:
		return fmt.Errorf("%w: no allocation result", ErrInput)
	case in.Summary == nil:
		return fmt.Errorf("%w: no summary", ErrInput)
	}
	return nil
}

func (in *Input) topN() int {
	if in.TopN > 0 {
		return in.TopN
	}
	return DefaultTopN
}

// ConsumingTeams returns the ids of the consuming (not platform) teams of
// the allocator's input, sorted.
func (in *Input) ConsumingTeams() []string {
	var ids []string
	for _, t := range in.Alloc.Teams {
		if !t.Platform {
			ids = append(ids, t.ID)
		}
	}
	sort.Strings(ids)
	return ids
}

// Files renders every report: statements/<team>.md and .html for each
// consuming team, and reconciliation.md, .html and .json. Statements are
// left out when the run's invariants failed (nothing was posted, so there
// is nothing to bill); the reconciliation is always written and says
// which invariants failed.
func Files(in Input) (map[string][]byte, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	rec, err := BuildReconciliation(in)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := rec.WriteMarkdown(&b); err != nil {
		return nil, err
	}
	files[FileReconciliationMD] = bytes.Clone(b.Bytes())
	b.Reset()
	if err := rec.WriteHTML(&b); err != nil {
		return nil, err
	}
	files[FileReconciliationHTML] = bytes.Clone(b.Bytes())
	b.Reset()
	if err := reports.WriteJSON(&b, rec); err != nil {
		return nil, err
	}
	files[FileReconciliationJSON] = bytes.Clone(b.Bytes())
	if !in.Summary.OK {
		return files, nil
	}
	for _, team := range in.ConsumingTeams() {
		md, err := fileName(team, ".md")
		if err != nil {
			return nil, err
		}
		html, _ := fileName(team, ".html")
		st, err := BuildStatement(in, team)
		if err != nil {
			return nil, err
		}
		b.Reset()
		if err := st.WriteMarkdown(&b); err != nil {
			return nil, err
		}
		files[md] = bytes.Clone(b.Bytes())
		b.Reset()
		if err := st.WriteHTML(&b); err != nil {
			return nil, err
		}
		files[html] = bytes.Clone(b.Bytes())
	}
	return files, nil
}
