package cost

import (
	"time"

	"github.com/shopspring/decimal"
)

// Journal is one balanced double-entry journal for one company and
// currency: the canonical form every ERP format is rendered from.
type Journal struct {
	// ID is deterministic: the same inputs always give the same id, and it
	// is the idempotency key sinks and ERPs deduplicate on.
	ID             string
	Kind           string // "allocation", "reversal", "buffer-reconcile"
	Company        string
	Currency       string
	Period         Period
	AccountingDate time.Time
	Description    string
	Lines          []JournalLine
}

// JournalLine is one line of a Journal. Exactly one of Debit and Credit is
// non-zero, and both are non-negative and rounded to the currency's minor unit.
type JournalLine struct {
	Line        int // 1-based, in journal order
	Company     string
	CostCenter  string
	Account     string
	Debit       decimal.Decimal
	Credit      decimal.Decimal
	Description string
	// The reference: which allocation row the line books.
	Team        string
	ActionClass string
	Component   Component
}

// Reference renders the line's reference as team/class/component.
func (l JournalLine) Reference() string {
	return l.Team + "/" + l.ActionClass + "/" + string(l.Component)
}

// Totals returns the sums of debits and credits.
func (j *Journal) Totals() (debit, credit decimal.Decimal) {
	for _, l := range j.Lines {
		debit = debit.Add(l.Debit)
		credit = credit.Add(l.Credit)
	}
	return debit, credit
}

// Balanced reports whether debits equal credits.
func (j *Journal) Balanced() bool {
	d, c := j.Totals()
	return d.Equal(c)
}
