package ledger

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/allot-dev/allot/cost"
)

// testHookPost, when set by a test, runs inside Post's transaction after
// each stored batch (stage "batch", its index) and after the buffer
// movement (stage "buffer"). An error rolls the posting back.
var testHookPost func(stage string, i int) error

// Post stores a run with its journals and its buffer movement in one
// transaction: all of it or none of it. Before each journal is stored it
// checks that the id is new, that a reversal mirrors a batch that is not
// yet reversed, and at the end that no period, company and currency is
// left with two live batches of one kind. Run.Status must be posted (or
// empty); journals must balance and carry the run's period.
func (l *Ledger) Post(ctx context.Context, p Posting) error {
	if p.Buffer != nil {
		mv := *p.Buffer // validation fills defaults; leave the caller's value alone
		p.Buffer = &mv
	}
	if err := validatePosting(&p); err != nil {
		return l.errorf("post run %s: %w", p.Run.ID, err)
	}
	postedAt := l.now()
	err := l.writeTx(ctx, func(tx q) error {
		seq, err := insertRun(ctx, tx, &p.Run)
		if err != nil {
			return err
		}
		for i := range p.Journals {
			j := &p.Journals[i]
			if err := checkJournal(ctx, tx, j, ownKind(p.Run.Kind), fmt.Sprintf("journals[%d]", i)); err != nil {
				return err
			}
			if err := insertBatch(ctx, tx, j, p.Run.ID, seq, i, postedAt); err != nil {
				return fmt.Errorf("journal %s: %w", j.ID, err)
			}
			if testHookPost != nil {
				if err := testHookPost("batch", i); err != nil {
					return err
				}
			}
		}
		if err := checkSingleLive(ctx, tx, p.Run.Period); err != nil {
			return err
		}
		if p.Buffer != nil {
			if err := insertMovement(ctx, tx, p.Buffer, p.Run.ID, seq); err != nil {
				return fmt.Errorf("buffer movement: %w", err)
			}
			if testHookPost != nil {
				if err := testHookPost("buffer", 0); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return l.errorf("post run %s for %s: %w", p.Run.ID, p.Run.Period, err)
	}
	return nil
}

// RecordRun stores a run that posted nothing: status unchanged or failed.
func (l *Ledger) RecordRun(ctx context.Context, r Run) error {
	if err := normalizeRun(&r, false); err != nil {
		return l.errorf("record run %s: %w", r.ID, err)
	}
	err := l.writeTx(ctx, func(tx q) error {
		_, err := insertRun(ctx, tx, &r)
		return err
	})
	if err != nil {
		return l.errorf("record run %s for %s: %w", r.ID, r.Period, err)
	}
	return nil
}

// insertRun stores the run and its inputs and returns its sequence number.
// The caller holds the write transaction, so MAX(seq)+1 is race-free.
func insertRun(ctx context.Context, tx q, r *Run) (int64, error) {
	var exists int
	err := tx.row(ctx, "SELECT 1 FROM runs WHERE id = ?", r.ID).Scan(&exists)
	switch {
	case err == nil:
		return 0, &FieldError{Path: "run.id", Value: r.ID, Err: fmt.Errorf("%w: a run with this id exists", ErrDuplicate)}
	case !errors.Is(err, sql.ErrNoRows):
		return 0, err
	}
	var seq int64
	if err := tx.row(ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM runs").Scan(&seq); err != nil {
		return 0, err
	}
	outputs := r.Outputs
	if outputs == nil {
		outputs = []string{}
	}
	out, err := json.Marshal(outputs)
	if err != nil {
		return 0, err
	}
	_, err = tx.exec(ctx, `INSERT INTO runs (id, seq, kind, period, model, config_fingerprint, price_list_fingerprint,
	inputs_fingerprint, status, outputs, summary, error, started_at, finished_at, run_user, host)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, seq, string(r.Kind), r.Period.String(), string(r.Model), r.ConfigFingerprint, r.PriceListFingerprint,
		r.InputsFingerprint, string(r.Status), string(out), string(r.Summary), r.Error,
		formatTime(r.StartedAt), formatTime(r.FinishedAt), r.User, r.Host)
	if err != nil {
		return 0, err
	}
	err = insertRows(ctx, tx, "run inputs", "INSERT INTO run_inputs (run_id, pos, source, object, fingerprint) VALUES ", 5, len(r.Inputs),
		func(i int, vals []any) []any {
			in := &r.Inputs[i]
			return append(vals, r.ID, i, in.Source, in.Object, in.Fingerprint)
		})
	if err != nil {
		return 0, err
	}
	r.Seq = seq
	return seq, nil
}

// checkJournal checks a journal against what is stored (including the
// batches of the same posting stored before it).
func checkJournal(ctx context.Context, tx q, j *cost.Journal, own, path string) error {
	var exists int
	err := tx.row(ctx, "SELECT 1 FROM batches WHERE journal_id = ?", j.ID).Scan(&exists)
	switch {
	case err == nil:
		return &FieldError{Path: path + ".id", Value: j.ID, Err: fmt.Errorf("%w: a journal with this id was posted; ids are never reused (plan with ledger.Plan)", ErrDuplicate)}
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	if j.Kind != KindReversal {
		return nil
	}
	origID, _ := ReversedID(j.ID)
	orig, found, err := loadBatch(ctx, tx, origID)
	if err != nil {
		return err
	}
	fe := func(format string, args ...any) error {
		return &FieldError{Path: path, Value: j.ID, Err: fmt.Errorf(format, args...)}
	}
	switch {
	case !found:
		return fe("%w: it reverses %s, which was never posted", ErrNotFound, origID)
	case orig.Kind == KindReversal:
		return fe("it reverses %s, itself a reversal; post the corrected journal instead", origID)
	case orig.Kind != own:
		return fe("it reverses %s, a %s journal, in a run that posts %s journals", origID, orig.Kind, own)
	case orig.ReversedBy != "":
		return fe("%w: %s was already reversed by %s", ErrDuplicate, origID, orig.ReversedBy)
	case orig.Period != j.Period || orig.Company != j.Company || orig.Currency != j.Currency:
		return fe("it reverses %s of %s company %s %s, not the same period, company and currency",
			origID, orig.Period, orig.Company, orig.Currency)
	}
	if err := mirrors(j.Lines, orig.Lines); err != nil {
		return fe("it does not mirror %s: %w", origID, err)
	}
	return nil
}

// mirrors reports whether rev swaps the debits and credits of orig, line by
// line, with every other reference equal (descriptions and line numbers
// aside).
func mirrors(rev, orig []cost.JournalLine) error {
	if len(rev) != len(orig) {
		return fmt.Errorf("%d lines against %d", len(rev), len(orig))
	}
	for i := range rev {
		a, b := rev[i], orig[i]
		if a.Company != b.Company || a.CostCenter != b.CostCenter || a.Account != b.Account ||
			a.Team != b.Team || a.ActionClass != b.ActionClass || a.Component != b.Component ||
			!a.Debit.Equal(b.Credit) || !a.Credit.Equal(b.Debit) {
			return fmt.Errorf("line %d (%s %s debit %s credit %s) is not the mirror of line %d (%s %s debit %s credit %s)",
				a.Line, a.Account, a.CostCenter, a.Debit, a.Credit, b.Line, b.Account, b.CostCenter, b.Debit, b.Credit)
		}
	}
	return nil
}

func insertBatch(ctx context.Context, tx q, j *cost.Journal, runID string, runSeq int64, pos int, postedAt time.Time) error {
	var reverses any
	if j.Kind == KindReversal {
		id, _ := ReversedID(j.ID)
		reverses = id
	}
	_, err := tx.exec(ctx, `INSERT INTO batches (journal_id, run_id, run_seq, pos, kind, period, company, currency,
	accounting_date, description, reverses, posted_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		j.ID, runID, runSeq, pos, j.Kind, j.Period.String(), j.Company, j.Currency,
		formatDate(j.AccountingDate), j.Description, reverses, formatTime(postedAt))
	if err != nil {
		return err
	}
	return insertRows(ctx, tx, "journal lines", `INSERT INTO journal_lines (journal_id, pos, line_no, company, cost_center,
	account, debit, credit, description, team, action_class, component) VALUES `, 12, len(j.Lines),
		func(i int, vals []any) []any {
			ln := &j.Lines[i]
			return append(vals, j.ID, i, ln.Line, ln.Company, ln.CostCenter, ln.Account, ln.Debit.String(), ln.Credit.String(),
				ln.Description, ln.Team, ln.ActionClass, string(ln.Component))
		})
}

// insertChunk is the most rows one INSERT statement carries: 200 rows of
// 12 columns stay far below the bound parameters SQLite (32766) and
// PostgreSQL (65535) accept. One statement per chunk instead of one per row
// is what keeps posting a month's few hundred journal lines at a
// millisecond or two.
const insertChunk = 200

// insertRows runs insert (a statement up to VALUES) for n rows of ncols
// columns, insertChunk rows a statement; add appends row i's values. An
// error names what (the rows' kind) and the rows of the failing statement.
func insertRows(ctx context.Context, tx q, what, insert string, ncols, n int, add func(i int, vals []any) []any) error {
	row := "(" + strings.Repeat("?, ", ncols-1) + "?)"
	var stmt string
	stmtRows := 0
	vals := make([]any, 0, min(n, insertChunk)*ncols)
	for lo := 0; lo < n; lo += insertChunk {
		hi := min(lo+insertChunk, n)
		if hi-lo != stmtRows {
			stmtRows = hi - lo
			stmt = insert + strings.Repeat(row+", ", stmtRows-1) + row
		}
		vals = vals[:0]
		for i := lo; i < hi; i++ {
			vals = add(i, vals)
		}
		if _, err := tx.exec(ctx, stmt, vals...); err != nil {
			return fmt.Errorf("%s %d to %d: %w", what, lo+1, hi, err)
		}
	}
	return nil
}

// checkSingleLive fails when the period has two live batches of one kind
// for one company and currency.
func checkSingleLive(ctx context.Context, tx q, p cost.Period) error {
	rows, err := tx.query(ctx, `SELECT b.kind, b.company, b.currency, b.journal_id FROM batches b
WHERE b.period = ? AND b.kind <> 'reversal'
  AND NOT EXISTS (SELECT 1 FROM batches r WHERE r.reverses = b.journal_id)
ORDER BY b.kind, b.company, b.currency, b.run_seq, b.pos`, p.String())
	if err != nil {
		return err
	}
	defer rows.Close()
	var prevKey, prevID string
	for rows.Next() {
		var kind, company, currency, id string
		if err := rows.Scan(&kind, &company, &currency, &id); err != nil {
			return err
		}
		key := kind + "\x00" + company + "\x00" + currency
		if key == prevKey {
			return fmt.Errorf("%w: %s and %s are both live %s journals of %s company %s %s; reverse %s first (plan with ledger.Plan)",
				ErrDoublePosting, prevID, id, kind, p, company, currency, prevID)
		}
		prevKey, prevID = key, id
	}
	return rows.Err()
}

func insertMovement(ctx context.Context, tx q, m *BufferMovement, runID string, runSeq int64) error {
	_, err := tx.exec(ctx, `INSERT INTO buffer_movements (run_id, run_seq, period, kind, currency, opening, surcharges,
	adjustment, closing) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		runID, runSeq, m.Period.String(), string(m.Kind), m.Currency, m.Opening.String(), m.Surcharges.String(),
		m.Adjustment.String(), m.Closing.String())
	if err != nil {
		return err
	}
	for i, d := range m.Draws {
		if _, err := tx.exec(ctx, "INSERT INTO buffer_draws (run_id, pos, team, amount, cause) VALUES (?, ?, ?, ?, ?)",
			runID, i, d.Team, d.Amount.String(), d.Cause); err != nil {
			return fmt.Errorf("draw of %s: %w", d.Team, err)
		}
	}
	return nil
}
