package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// BufferOpening returns the fund's opening balance for period: the
// closing balance of the current month movement of the latest period
// before it that has one, plus the adjustment of that period's current
// quarter-end reconciliation, if any (the money a reconciliation moved
// stays moved even if the month is restated later). A gap of months
// carries the last balance. ok is false when no earlier period has a
// movement: the caller then uses the configured opening balance.
func (l *Ledger) BufferOpening(ctx context.Context, p cost.Period) (decimal.Decimal, bool, error) {
	x := l.read()
	var prev sql.NullString
	if err := x.row(ctx, "SELECT MAX(period) FROM buffer_movements WHERE period < ?", p.String()).Scan(&prev); err != nil {
		return decimal.Decimal{}, false, l.errorf("buffer opening of %s: %w", p, err)
	}
	if !prev.Valid {
		return decimal.Decimal{}, false, nil
	}
	pp, err := cost.ParsePeriod(prev.String)
	if err != nil {
		return decimal.Decimal{}, false, l.errorf("buffer opening of %s: stored period: %w", p, err)
	}
	month, hasMonth, err := currentMovement(ctx, x, pp, MovementMonth)
	if err != nil {
		return decimal.Decimal{}, false, l.errorf("buffer opening of %s: %w", p, err)
	}
	rec, hasRec, err := currentMovement(ctx, x, pp, MovementReconcile)
	if err != nil {
		return decimal.Decimal{}, false, l.errorf("buffer opening of %s: %w", p, err)
	}
	switch {
	case hasMonth && hasRec:
		return month.Closing.Add(rec.Adjustment), true, nil
	case hasMonth:
		return month.Closing, true, nil
	default:
		return rec.Closing, true, nil
	}
}

// QuarterDraws returns, per team, the draws of the current month movements
// of q's months before the period before (all three months when before
// is after the quarter). Teams without draws are absent.
func (l *Ledger) QuarterDraws(ctx context.Context, qt cost.Quarter, before cost.Period) (map[string]decimal.Decimal, error) {
	out := map[string]decimal.Decimal{}
	for _, m := range qt.Months() {
		if !m.Before(before) {
			break
		}
		mv, ok, err := currentMovement(ctx, l.read(), m, MovementMonth)
		if err != nil {
			return nil, l.errorf("draws of %s before %s: %w", qt, before, err)
		}
		if !ok {
			continue
		}
		for _, d := range mv.Draws {
			out[d.Team] = out[d.Team].Add(d.Amount)
		}
	}
	return out, nil
}

// BufferMovements returns the current month movement of each month of q
// that has one, in month order.
func (l *Ledger) BufferMovements(ctx context.Context, qt cost.Quarter) ([]BufferMovement, error) {
	var out []BufferMovement
	for _, m := range qt.Months() {
		mv, ok, err := currentMovement(ctx, l.read(), m, MovementMonth)
		if err != nil {
			return nil, l.errorf("buffer movements of %s: %w", qt, err)
		}
		if ok {
			out = append(out, mv)
		}
	}
	return out, nil
}

// BufferReconciliation returns the current reconcile movement of q (stored
// on its last month); ok is false when q was never reconciled.
func (l *Ledger) BufferReconciliation(ctx context.Context, qt cost.Quarter) (BufferMovement, bool, error) {
	mv, ok, err := currentMovement(ctx, l.read(), qt.Last(), MovementReconcile)
	if err != nil {
		return BufferMovement{}, false, l.errorf("buffer reconciliation of %s: %w", qt, err)
	}
	return mv, ok, nil
}

// currentMovement reads the movement of the given kind stored by the
// latest run of the period.
func currentMovement(ctx context.Context, x q, p cost.Period, kind MovementKind) (BufferMovement, bool, error) {
	m := BufferMovement{Period: p, Kind: kind}
	var opening, surcharges, adjustment, closing string
	err := x.row(ctx, `SELECT run_id, currency, opening, surcharges, adjustment, closing FROM buffer_movements
WHERE period = ? AND kind = ? ORDER BY run_seq DESC LIMIT 1`, p.String(), string(kind)).
		Scan(&m.RunID, &m.Currency, &opening, &surcharges, &adjustment, &closing)
	if errors.Is(err, sql.ErrNoRows) {
		return BufferMovement{}, false, nil
	}
	if err != nil {
		return BufferMovement{}, false, err
	}
	where := "buffer movement of " + p.String() + " (run " + m.RunID + ")"
	for _, f := range []struct {
		s   string
		dst *decimal.Decimal
	}{{opening, &m.Opening}, {surcharges, &m.Surcharges}, {adjustment, &m.Adjustment}, {closing, &m.Closing}} {
		if *f.dst, err = parseAmount(f.s, where); err != nil {
			return BufferMovement{}, false, err
		}
	}
	rows, err := x.query(ctx, "SELECT team, amount, cause FROM buffer_draws WHERE run_id = ? ORDER BY pos", m.RunID)
	if err != nil {
		return BufferMovement{}, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var d BufferDraw
		var amount string
		if err := rows.Scan(&d.Team, &amount, &d.Cause); err != nil {
			return BufferMovement{}, false, err
		}
		if d.Amount, err = parseAmount(amount, fmt.Sprintf("draw of %s in %s", d.Team, where)); err != nil {
			return BufferMovement{}, false, err
		}
		m.Draws = append(m.Draws, d)
	}
	return m, true, rows.Err()
}
