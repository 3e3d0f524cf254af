package ledger

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// RunKind says what a run computed.
type RunKind string

// Run kinds.
const (
	// RunAllocation is a monthly allocation (allot run): it posts allocation
	// journals, their reversals and the month's buffer movement.
	RunAllocation RunKind = "allocation"
	// RunBufferReconcile is a quarter-end reconciliation (allot buffer
	// reconcile): it posts buffer-reconcile journals, their reversals and a
	// reconcile movement on the quarter's last month.
	RunBufferReconcile RunKind = "buffer-reconcile"
)

// RunStatus is the outcome of a run.
type RunStatus string

// Run statuses.
const (
	StatusPosted    RunStatus = "posted"    // it posted journals and/or a buffer movement (Post)
	StatusUnchanged RunStatus = "unchanged" // its inputs or results matched the ledger: nothing posted (RecordRun)
	StatusFailed    RunStatus = "failed"    // it stopped with an error: nothing posted (RecordRun)
)

// Journal kinds (cost.Journal.Kind).
const (
	KindAllocation      = "allocation"
	KindReversal        = "reversal"
	KindBufferReconcile = "buffer-reconcile"
)

// InputFingerprint is one input object a run read.
type InputFingerprint struct {
	Source      string // the configured source name
	Object      string // file path or object URL, never with credentials
	Fingerprint string // ETag, manifest revision or content hash
}

// Run is one execution of allot for a period, whatever its outcome.
type Run struct {
	ID   string  // unique; see NewRunID
	Seq  int64   // assigned by the ledger when stored: the order of runs
	Kind RunKind // empty means RunAllocation

	Period cost.Period // for a buffer reconciliation, the quarter's last month
	Model  cost.Model

	ConfigFingerprint    string
	PriceListFingerprint string
	InputsFingerprint    string
	Inputs               []InputFingerprint

	Status  RunStatus
	Outputs []string        // where the run wrote (URLs without credentials)
	Summary json.RawMessage // summary.json; empty is stored as {}
	Error   string          // why a failed run failed

	StartedAt  time.Time
	FinishedAt time.Time
	User       string // empty: the current OS user
	Host       string // empty: the host name
}

// NewRunID returns a readable, practically unique run id:
// "2026-10-20261103T060000Z-" followed by 8 random hex digits.
func NewRunID(p cost.Period, started time.Time) string {
	return fmt.Sprintf("%s-%s-%s", p, started.UTC().Format("20060102T150405Z"), randomHex(4))
}

// RunFilter selects runs for Runs. The zero filter selects every run.
type RunFilter struct {
	Period cost.Period // zero: every period
	Kind   RunKind     // empty: every kind
	Status RunStatus   // empty: every status
	Limit  int         // 0: no limit; the newest runs come first
}

// Batch is one posted journal as the ledger stores it.
type Batch struct {
	cost.Journal
	RunID string
	// Reverses is the id of the batch a reversal reverses; empty otherwise.
	Reverses string
	// ReversedBy is the id of the reversal that reversed this batch; empty
	// while the batch is live.
	ReversedBy string
	PostedAt   time.Time
}

// Live reports whether the batch is an allocation or buffer-reconcile
// batch that no reversal has reversed yet.
func (b *Batch) Live() bool { return b.Kind != KindReversal && b.ReversedBy == "" }

// MovementKind tells a month's fund movement from a quarter-end adjustment.
type MovementKind string

// Movement kinds.
const (
	MovementMonth     MovementKind = "month"     // posted by an allocation run
	MovementReconcile MovementKind = "reconcile" // posted by a buffer reconciliation
)

// BufferDraw is one team's draw on the buffer fund.
type BufferDraw struct {
	Team   string
	Amount decimal.Decimal // positive: money out of the fund
	Cause  string          // the disclosed cause
}

// BufferMovement is the buffer fund's movement for one period, as one run
// computed it. For a period, the movement of the latest run that stored
// one (per kind) is the current one.
//
// Invariant: Opening + Surcharges − Σ Draws + Adjustment = Closing.
type BufferMovement struct {
	Period     cost.Period
	Kind       MovementKind // empty: taken from the run (month for allocation runs)
	RunID      string       // filled by the ledger when read
	Currency   string
	Opening    decimal.Decimal
	Surcharges decimal.Decimal
	Draws      []BufferDraw
	// Adjustment is zero for a month; for a quarter-end reconciliation it
	// is the top-up from the central budget (positive) or the refund to the
	// teams (negative).
	Adjustment decimal.Decimal
	Closing    decimal.Decimal
}

// DrawTotal returns the sum of the draws.
func (m *BufferMovement) DrawTotal() decimal.Decimal {
	var t decimal.Decimal
	for _, d := range m.Draws {
		t = t.Add(d.Amount)
	}
	return t
}

// Balanced reports whether Opening + Surcharges − Σ Draws + Adjustment = Closing.
func (m *BufferMovement) Balanced() bool {
	return m.Opening.Add(m.Surcharges).Sub(m.DrawTotal()).Add(m.Adjustment).Equal(m.Closing)
}

// PriceListRecord is one publication of a quarter's price list.
type PriceListRecord struct {
	Quarter     cost.Quarter
	Content     []byte // the YAML file as published (UTF-8)
	Fingerprint string // empty: "sha256:" and the hex SHA-256 of Content
	Lookback    cost.PeriodRange
	PublishedAt time.Time // zero: now
	PublishedBy string    // empty: user@host
}

// Posting is what one run stores at once: its record, its journals and its
// buffer movement. Post stores all of it or none of it.
type Posting struct {
	Run      Run
	Journals []cost.Journal
	Buffer   *BufferMovement // nil: the run moved no fund
}

// timeLayout writes timestamps in UTC with a fixed number of fractional
// digits, so that they sort as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

const dateLayout = "2006-01-02"

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(dateLayout)
}

func parseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(dateLayout, s)
}

// parseAmount reads a stored decimal, naming the table and column on failure.
func parseAmount(s, where string) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("stored %s %q is not a decimal: %w", where, s, err)
	}
	return d, nil
}
