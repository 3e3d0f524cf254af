package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/allot-dev/allot/cost"
)

const runSelect = `SELECT id, seq, kind, period, model, config_fingerprint, price_list_fingerprint, inputs_fingerprint,
	status, outputs, summary, error, started_at, finished_at, run_user, host FROM runs `

// LatestRun returns the latest posted allocation run of the period; ok is
// false when the period was never posted.
func (l *Ledger) LatestRun(ctx context.Context, p cost.Period) (Run, bool, error) {
	rs, err := l.Runs(ctx, RunFilter{Period: p, Kind: RunAllocation, Status: StatusPosted, Limit: 1})
	if err != nil || len(rs) == 0 {
		return Run{}, false, err
	}
	return rs[0], true, nil
}

// Run returns one run by id; ok is false if there is none.
func (l *Ledger) Run(ctx context.Context, id string) (Run, bool, error) {
	rs, err := l.queryRuns(ctx, "WHERE id = ?", []any{id}, 1)
	if err != nil {
		return Run{}, false, l.errorf("run %s: %w", id, err)
	}
	if len(rs) == 0 {
		return Run{}, false, nil
	}
	return rs[0], true, nil
}

// Runs lists the runs the filter selects, newest first, with their inputs.
func (l *Ledger) Runs(ctx context.Context, f RunFilter) ([]Run, error) {
	var conds []string
	var args []any
	if !f.Period.IsZero() {
		conds = append(conds, "period = ?")
		args = append(args, f.Period.String())
	}
	if f.Kind != "" {
		conds = append(conds, "kind = ?")
		args = append(args, string(f.Kind))
	}
	if f.Status != "" {
		conds = append(conds, "status = ?")
		args = append(args, string(f.Status))
	}
	where := ""
	if len(conds) > 0 {
		where = "WHERE " + strings.Join(conds, " AND ")
	}
	rs, err := l.queryRuns(ctx, where, args, f.Limit)
	if err != nil {
		return nil, l.errorf("runs: %w", err)
	}
	return rs, nil
}

func (l *Ledger) queryRuns(ctx context.Context, where string, args []any, limit int) ([]Run, error) {
	query := runSelect + where + " ORDER BY seq DESC"
	if limit > 0 {
		query += " LIMIT " + strconv.Itoa(limit)
	}
	x := l.read()
	rows, err := x.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var out []Run
	for rows.Next() {
		var (
			r                                    Run
			kind, period, model, status, outputs string
			summary, started, finished           string
		)
		if err := rows.Scan(&r.ID, &r.Seq, &kind, &period, &model, &r.ConfigFingerprint, &r.PriceListFingerprint,
			&r.InputsFingerprint, &status, &outputs, &summary, &r.Error, &started, &finished, &r.User, &r.Host); err != nil {
			rows.Close()
			return nil, err
		}
		r.Kind, r.Model, r.Status = RunKind(kind), cost.Model(model), RunStatus(status)
		r.Summary = json.RawMessage(summary)
		if r.Period, err = cost.ParsePeriod(period); err != nil {
			rows.Close()
			return nil, fmt.Errorf("run %s: stored period: %w", r.ID, err)
		}
		if err := json.Unmarshal([]byte(outputs), &r.Outputs); err != nil {
			rows.Close()
			return nil, fmt.Errorf("run %s: stored outputs: %w", r.ID, err)
		}
		if r.StartedAt, err = parseTime(started); err != nil {
			rows.Close()
			return nil, fmt.Errorf("run %s: stored started_at: %w", r.ID, err)
		}
		if r.FinishedAt, err = parseTime(finished); err != nil {
			rows.Close()
			return nil, fmt.Errorf("run %s: stored finished_at: %w", r.ID, err)
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Inputs, one query per run: a listing holds a handful of runs.
	for i := range out {
		in, err := x.query(ctx, "SELECT source, object, fingerprint FROM run_inputs WHERE run_id = ? ORDER BY pos", out[i].ID)
		if err != nil {
			return nil, err
		}
		for in.Next() {
			var f InputFingerprint
			if err := in.Scan(&f.Source, &f.Object, &f.Fingerprint); err != nil {
				in.Close()
				return nil, err
			}
			out[i].Inputs = append(out[i].Inputs, f)
		}
		in.Close()
		if err := in.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
