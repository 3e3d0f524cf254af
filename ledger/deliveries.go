package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/allot-dev/allot/cost"
)

// Ack records that sink acknowledged the journal (the sink wrote it, or the
// webhook answered 2xx). Acknowledging twice is not an error: the first
// acknowledgement, its time and detail are kept. The journal must have been
// posted (an error wrapping ErrNotFound otherwise).
func (l *Ledger) Ack(ctx context.Context, sink, journalID, detail string) error {
	if sink == "" {
		return l.errorf("ack %s: %w", journalID, &FieldError{Path: "sink", Err: errors.New("is empty")})
	}
	at := l.now()
	err := l.writeTx(ctx, func(tx q) error {
		var exists int
		err := tx.row(ctx, "SELECT 1 FROM batches WHERE journal_id = ?", journalID).Scan(&exists)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: journal %s was never posted", ErrNotFound, journalID)
		}
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO deliveries (sink, journal_id, acked_at, detail) VALUES (?, ?, ?, ?)
ON CONFLICT (sink, journal_id) DO NOTHING`, sink, journalID, formatTime(at), detail)
		return err
	})
	if err != nil {
		return l.errorf("ack %s for sink %s: %w", journalID, sink, err)
	}
	return nil
}

// Acked reports whether sink acknowledged the journal.
func (l *Ledger) Acked(ctx context.Context, sink, journalID string) (bool, error) {
	var n int
	err := l.read().row(ctx, "SELECT COUNT(*) FROM deliveries WHERE sink = ? AND journal_id = ?", sink, journalID).Scan(&n)
	if err != nil {
		return false, l.errorf("acked %s for sink %s: %w", journalID, sink, err)
	}
	return n > 0, nil
}

// Delivery is one acknowledgement.
type Delivery struct {
	Sink      string
	JournalID string
	AckedAt   time.Time
	Detail    string
}

// Deliveries lists the acknowledgements of a journal, by sink name.
func (l *Ledger) Deliveries(ctx context.Context, journalID string) ([]Delivery, error) {
	rows, err := l.read().query(ctx,
		"SELECT sink, journal_id, acked_at, detail FROM deliveries WHERE journal_id = ? ORDER BY sink", journalID)
	if err != nil {
		return nil, l.errorf("deliveries of %s: %w", journalID, err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var d Delivery
		var at string
		if err := rows.Scan(&d.Sink, &d.JournalID, &at, &d.Detail); err != nil {
			return nil, l.errorf("deliveries of %s: %w", journalID, err)
		}
		if d.AckedAt, err = parseTime(at); err != nil {
			return nil, l.errorf("deliveries of %s: stored acked_at: %w", journalID, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, l.errorf("deliveries of %s: %w", journalID, err)
	}
	return out, nil
}

// Undelivered returns the period's batches (every kind, reversals
// included) that sink has not acknowledged, in posting order: what a sink
// must still deliver, reversals before the corrections that follow them.
func (l *Ledger) Undelivered(ctx context.Context, sink string, p cost.Period) ([]Batch, error) {
	bs, err := queryBatches(ctx, l.read(),
		"WHERE b.period = ? AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.sink = ? AND d.journal_id = b.journal_id)",
		p.String(), sink)
	if err != nil {
		return nil, l.errorf("undelivered batches of %s for sink %s: %w", p, sink, err)
	}
	return bs, nil
}
