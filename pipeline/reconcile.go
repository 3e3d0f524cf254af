package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/ledger"
	"github.com/allot-dev/allot/reports"
	"github.com/allot-dev/allot/rules"
	"github.com/shopspring/decimal"
)

// ReconcileOptions tune a quarter-end buffer reconciliation.
type ReconcileOptions struct {
	Quarter cost.Quarter
	OutDir  string           // where buffer-reconcile-QUARTER.{json,md} go
	Now     func() time.Time // clock; time.Now when nil
	// Version is the program version sinks send in their User-Agent.
	Version string
	// HTTPClient is used by https sinks; http.DefaultClient when nil.
	HTTPClient *http.Client
}

// ReconcileOutcome is what a reconciliation did.
type ReconcileOutcome struct {
	RunID          string
	Reconciliation ledger.Reconciliation
	Report         *ReconcileReport
	// Journals are the quarter's live buffer-reconcile journals after this
	// run, with their final ids (none when the fund closed within range).
	Journals  []cost.Journal
	Posted    []cost.Journal // what this run posted: reversals, then new journals
	Unchanged bool           // nothing needed posting
	Delivered []string       // "sink: journal id" for each delivery made
	Files     []string
}

// ReconcileFileBase is the name of the reconciliation's reports without
// extension: buffer-reconcile-2026Q4.json and .md.
func ReconcileFileBase(q cost.Quarter) string { return "buffer-reconcile-" + q.String() }

// ReconcileBuffer reconciles the buffer fund at the end of quarter q and
// posts the result, under the lock of the quarter's last month (so it
// never overlaps that month's allocation run).
//
// It reads from the ledger the quarter's current month movements, each
// month's inference spend (summary input cost) and surcharge base
// (summary buffer.surcharge_base) from the month's latest allocation run
// that did not fail, and each team's surcharges from the months' live
// allocation batches (the buffer-surcharge lines booked to its chargeback
// expense); then ledger.Reconcile, ledger.PlanReconcile, and one
// ledger.Run of kind buffer-reconcile on the quarter's last month with
// the journals and the reconcile movement. A re-run with unchanged figures
// posts nothing. It writes buffer-reconcile-QUARTER.json and .md to
// opts.OutDir and delivers the journals to the configured outputs once.
func ReconcileBuffer(ctx context.Context, cfg *rules.Config, env Env, opts ReconcileOptions) (out *ReconcileOutcome, err error) {
	q := opts.Quarter
	last := q.Last()
	// The same lock as the quarter's last month: never beside its run.
	s, err := startSession(ctx, cfg, env, last, ledger.RunBufferReconcile, opts.Now)
	if err != nil {
		return nil, err
	}
	defer s.close(&err)
	led, run := s.led, &s.run
	fail := func(err error) (*ReconcileOutcome, error) { return nil, s.failed(ctx, err) }
	out = &ReconcileOutcome{RunID: run.ID}

	movements, err := led.BufferMovements(ctx, q)
	if err != nil {
		return fail(err)
	}
	in, months, err := reconcileInput(ctx, cfg, led, q)
	if err != nil {
		return fail(err)
	}
	rec, err := ledger.Reconcile(movements, in)
	if err != nil {
		return fail(err)
	}
	out.Reconciliation = rec
	all, err := led.Batches(ctx, last)
	if err != nil {
		return fail(err)
	}
	for i := range rec.Journals {
		j := &rec.Journals[i]
		j.ID = fmt.Sprintf("%s-%s-%s-%s", cfg.Journal.Prefix, q, j.Company, j.Currency)
	}
	toPost, unchanged, err := ledger.PlanReconcile(all, rec.Journals)
	if err != nil {
		return fail(err)
	}
	cur, hasCur, err := led.BufferReconciliation(ctx, q)
	if err != nil {
		return fail(err)
	}
	sameFund := hasCur && cur.Opening.Equal(rec.Movement.Opening) && cur.Adjustment.Equal(rec.Movement.Adjustment) &&
		cur.Closing.Equal(rec.Movement.Closing) && cur.Currency == rec.Movement.Currency
	out.Journals = finalReconcileJournals(all, toPost)

	rep := buildReconcileReport(cfg, &rec, movements, months, in.Teams, out.Journals)
	// The next quarter's first month opens at the closing after the
	// adjustment; if it was run before, it must run again.
	next := last.Next()
	nextMv, err := led.BufferMovements(ctx, next.Quarter())
	if err != nil {
		return fail(err)
	}
	if len(nextMv) > 0 && nextMv[0].Period == next && !nextMv[0].Opening.Equal(rec.ClosingAfter) {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%s opened the fund at %s, not at this closing balance %s: run allot run --period %s again so its opening includes the adjustment",
			next, nextMv[0].Opening, rec.ClosingAfter, next))
	}
	out.Report = rep
	files, err := reconcileFiles(q, rep)
	if err != nil {
		return fail(err)
	}
	run.Summary = files[ReconcileFileBase(q)+".json"]
	run.Outputs = []string{opts.OutDir}
	var fund *ledger.BufferMovement
	if !sameFund {
		mv := rec.Movement
		fund = &mv
	}
	posted, err := s.store(ctx, toPost, fund, unchanged, "the quarter's reconciliation", "quarter", q.String())
	if err != nil {
		return nil, err
	}
	if posted {
		out.Posted = toPost
	} else {
		out.Unchanged = true
	}
	if out.Files, err = WriteFiles(opts.OutDir, files); err != nil {
		return out, err
	}
	out.Delivered, err = deliverBatches(ctx, cfg, env, led, last, DeliverOptions{Version: opts.Version, HTTPClient: opts.HTTPClient})
	return out, err
}

// monthFigures are the figures of one month's current run.
type monthFigures struct {
	Period        cost.Period
	RunID         string
	Spend         decimal.Decimal
	SurchargeBase decimal.Decimal
}

// reconcileInput gathers what ledger.Reconcile needs besides the movements.
func reconcileInput(ctx context.Context, cfg *rules.Config, led *ledger.Ledger, q cost.Quarter) (ledger.ReconcileInput, []monthFigures, error) {
	pt := cfg.PlatformTeam()
	in := ledger.ReconcileInput{
		Quarter: q, Currency: cfg.Currency,
		InferenceSpend: map[cost.Period]decimal.Decimal{}, SurchargeBase: map[cost.Period]decimal.Decimal{},
		TargetMin: cfg.Buffer.TargetMin.Dec(), TargetMax: cfg.Buffer.TargetMax.Dec(),
		Company: pt.Company, FundCostCenter: pt.CostCenter, CentralCostCenter: cfg.Central.CostCenter,
		Accounts: ledger.ReconcileAccounts{BufferFund: cfg.Accounts.BufferFund, CentralBudget: cfg.Accounts.CentralBudget,
			ChargebackExpense: cfg.Accounts.ChargebackExpense},
	}
	if cfg.Central.Company != pt.Company {
		return in, nil, fmt.Errorf("pipeline: buffer reconcile: central.company %s differs from the platform team's company %s, where the fund is booked; the reconciliation books the fund and the central budget in one company", cfg.Central.Company, pt.Company)
	}
	var months []monthFigures
	for _, p := range q.Months() {
		run, ok, err := latestRun(ctx, led, p)
		if err != nil {
			return in, nil, err
		}
		if !ok {
			return in, nil, fmt.Errorf("pipeline: buffer reconcile %s: %w: %s was never run; run allot run --period %s first", q, ErrRunSummary, p, p)
		}
		var s reports.Summary
		if err := json.Unmarshal(run.Summary, &s); err != nil {
			return in, nil, fmt.Errorf("pipeline: buffer reconcile %s: %w: run %s of %s: %v", q, ErrRunSummary, run.ID, p, err)
		}
		mf := monthFigures{Period: p, RunID: run.ID}
		for _, f := range []struct {
			key, text string
			dst       *decimal.Decimal
		}{{"input.cost", s.Input.Cost, &mf.Spend}, {"buffer.surcharge_base", s.Buffer.SurchargeBase, &mf.SurchargeBase}} {
			v, err := decimal.NewFromString(f.text)
			if err != nil {
				return in, nil, fmt.Errorf("pipeline: buffer reconcile %s: %w: the summary of run %s (%s) has no valid %s (%q); it was made by an older allot: run allot run --period %s again to record it",
					q, ErrRunSummary, run.ID, p, f.key, f.text, p)
			}
			*f.dst = v
		}
		in.InferenceSpend[p], in.SurchargeBase[p] = mf.Spend, mf.SurchargeBase
		months = append(months, mf)
	}
	teams, err := teamSurcharges(ctx, cfg, led, q)
	if err != nil {
		return in, nil, err
	}
	in.Teams = teams
	return in, months, nil
}

// teamSurcharges sums, per team, the buffer surcharges booked to its
// chargeback expense in the live allocation batches of the quarter's
// months (debits minus credits), with the company and cost center of its
// latest such line. A team whose net is negative (credits above usage)
// counts as zero.
func teamSurcharges(ctx context.Context, cfg *rules.Config, led *ledger.Ledger, q cost.Quarter) ([]ledger.ReconcileTeam, error) {
	by := map[string]*ledger.ReconcileTeam{}
	for _, p := range q.Months() {
		live, err := led.Live(ctx, p)
		if err != nil {
			return nil, err
		}
		for _, b := range live {
			for _, l := range b.Lines {
				if l.Component != cost.CompBufferSurcharge || l.Account != cfg.Accounts.ChargebackExpense ||
					l.Team == "" || l.Team == cost.Central || l.Team == cost.Unallocated {
					continue
				}
				t := by[l.Team]
				if t == nil {
					t = &ledger.ReconcileTeam{ID: l.Team}
					by[l.Team] = t
				}
				t.Company, t.CostCenter = l.Company, l.CostCenter
				if t.Company == "" {
					t.Company = b.Company
				}
				t.Surcharges = t.Surcharges.Add(l.Debit).Sub(l.Credit)
			}
		}
	}
	out := make([]ledger.ReconcileTeam, 0, len(by))
	for _, t := range by {
		if t.Surcharges.IsNegative() {
			t.Surcharges = decimal.Zero
		}
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// finalReconcileJournals returns the quarter's live buffer-reconcile
// journals after posting toPost.
func finalReconcileJournals(posted []ledger.Batch, toPost []cost.Journal) []cost.Journal {
	byKey := map[string]cost.Journal{}
	var keys []string
	put := func(j cost.Journal) {
		k := j.Company + "/" + j.Currency
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
		byKey[k] = j
	}
	for _, b := range posted {
		if b.Kind == ledger.KindBufferReconcile && b.ReversedBy == "" {
			put(b.Journal)
		}
	}
	for _, j := range toPost {
		switch j.Kind {
		case ledger.KindReversal:
			if orig, ok := ledger.ReversedID(j.ID); ok {
				for k, v := range byKey {
					if v.ID == orig {
						delete(byKey, k)
					}
				}
			}
		case ledger.KindBufferReconcile:
			put(j)
		}
	}
	sort.Strings(keys)
	var out []cost.Journal
	for _, k := range keys {
		if j, ok := byKey[k]; ok {
			out = append(out, j)
		}
	}
	return out
}
