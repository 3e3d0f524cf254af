package ledger

import (
	"context"
	"fmt"

	"github.com/allot-dev/allot/cost"
)

// batchSelect reads batches with their lines, one row per line, in posting
// order; a WHERE clause on b (the batch) follows it.
const batchSelect = `SELECT b.journal_id, b.run_id, b.kind, b.period, b.company, b.currency, b.accounting_date,
	b.description, COALESCE(b.reverses, ''), COALESCE(r.journal_id, ''), b.posted_at,
	l.line_no, l.company, l.cost_center, l.account, l.debit, l.credit, l.description, l.team, l.action_class, l.component
FROM batches b
LEFT JOIN batches r ON r.reverses = b.journal_id
JOIN journal_lines l ON l.journal_id = b.journal_id
`

const batchOrder = " ORDER BY b.run_seq, b.pos, l.pos"

// Batches returns every batch posted for the period (allocations,
// reversals and buffer reconciliations), in posting order, with their lines.
func (l *Ledger) Batches(ctx context.Context, p cost.Period) ([]Batch, error) {
	bs, err := queryBatches(ctx, l.read(), "WHERE b.period = ?", p.String())
	if err != nil {
		return nil, l.errorf("batches of %s: %w", p, err)
	}
	return bs, nil
}

// Live returns the period's allocation batches that no reversal has
// reversed, in posting order: what the ERP holds for the period now. To
// plan a run, give Plan every batch (Batches), not these.
func (l *Ledger) Live(ctx context.Context, p cost.Period) ([]Batch, error) {
	bs, err := queryBatches(ctx, l.read(),
		"WHERE b.period = ? AND b.kind = 'allocation' AND NOT EXISTS (SELECT 1 FROM batches x WHERE x.reverses = b.journal_id)",
		p.String())
	if err != nil {
		return nil, l.errorf("live batches of %s: %w", p, err)
	}
	return bs, nil
}

// Batch returns one batch by journal id; ok is false if it was never posted.
func (l *Ledger) Batch(ctx context.Context, journalID string) (Batch, bool, error) {
	b, ok, err := loadBatch(ctx, l.read(), journalID)
	if err != nil {
		return Batch{}, false, l.errorf("batch %s: %w", journalID, err)
	}
	return b, ok, nil
}

func loadBatch(ctx context.Context, x q, id string) (Batch, bool, error) {
	bs, err := queryBatches(ctx, x, "WHERE b.journal_id = ?", id)
	if err != nil || len(bs) == 0 {
		return Batch{}, false, err
	}
	return bs[0], true, nil
}

func queryBatches(ctx context.Context, x q, where string, args ...any) ([]Batch, error) {
	rows, err := x.query(ctx, batchSelect+where+batchOrder, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Batch
	for rows.Next() {
		var (
			b                         Batch
			period, accDate, postedAt string
			ln                        cost.JournalLine
			debit, credit, component  string
		)
		if err := rows.Scan(&b.ID, &b.RunID, &b.Kind, &period, &b.Company, &b.Currency, &accDate,
			&b.Description, &b.Reverses, &b.ReversedBy, &postedAt,
			&ln.Line, &ln.Company, &ln.CostCenter, &ln.Account, &debit, &credit, &ln.Description,
			&ln.Team, &ln.ActionClass, &component); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].ID != b.ID {
			if b.Period, err = cost.ParsePeriod(period); err != nil {
				return nil, fmt.Errorf("batch %s: stored period: %w", b.ID, err)
			}
			if b.AccountingDate, err = parseDate(accDate); err != nil {
				return nil, fmt.Errorf("batch %s: stored accounting date: %w", b.ID, err)
			}
			if b.PostedAt, err = parseTime(postedAt); err != nil {
				return nil, fmt.Errorf("batch %s: stored posted_at: %w", b.ID, err)
			}
			out = append(out, b)
		}
		cur := &out[len(out)-1]
		if ln.Debit, err = parseAmount(debit, "debit of "+cur.ID); err != nil {
			return nil, err
		}
		if ln.Credit, err = parseAmount(credit, "credit of "+cur.ID); err != nil {
			return nil, err
		}
		ln.Component = cost.Component(component)
		cur.Lines = append(cur.Lines, ln)
	}
	return out, rows.Err()
}
