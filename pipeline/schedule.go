package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/rules"
)

// JobOptions tune one tick of the monthly schedule.
type JobOptions struct {
	// Now is the clock: the tick's time picks the month, and the run's
	// timestamps come from it. time.Now when nil.
	Now func() time.Time
	// Version is the program version sinks send in their User-Agent.
	Version string
	// HTTPClient is used by https sinks; http.DefaultClient when nil.
	HTTPClient *http.Client
}

// JobResult is what one tick did.
type JobResult struct {
	Period  cost.Period // the last closed month at the tick
	Ran     bool
	Skipped string   // why the month was not run (empty when it ran)
	OutDir  string   // where the run wrote its reports
	Outcome *Outcome // the run's outcome when it ran
}

// SettledAt returns when month p counts as final under settle_days: 00:00
// UTC on day settle_days of the following month (settle_days 0 and 1 both
// mean its first day). With the default schedule (cron "0 6 3 * *",
// settle_days 3) October 2026 settles on 3 November 2026 at 00:00 UTC and
// the tick at 06:00 that day runs it.
func SettledAt(p cost.Period, settleDays int) time.Time {
	return p.End().AddDate(0, 0, max(settleDays-1, 0))
}

// ScheduledJob is one tick of allot schedule, without cron: it picks the
// last closed month (the month before the tick's, in UTC) and
//   - skips it (Ran false, Skipped saying why, logged) while it has not
//     settled (SettledAt), or while any billing source has no export for
//     it yet (its Inputs returns an error wrapping connectors.ErrNotFound;
//     a source that cannot list its inputs counts as present; gateway
//     sources are not checked);
//   - otherwise runs it (Run) into schedule.out with {period} replaced.
//
// Running a month again is idempotent, so every tick after the month
// settles runs it: unchanged inputs post nothing, and a late correction
// to the bill posts its reversal and restated batch.
func ScheduledJob(ctx context.Context, cfg *rules.Config, env Env, opts JobOptions) (*JobResult, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	log := env.logger()
	tick := now().UTC()
	p := cost.PeriodOf(tick).Prev()
	res := &JobResult{Period: p, OutDir: cfg.ScheduleOutDir(p)}
	skip := func(reason string) (*JobResult, error) {
		res.Skipped = reason
		log.Info("scheduled run skipped", "period", p.String(), "reason", reason)
		return res, nil
	}
	if settled := SettledAt(p, cfg.Schedule.SettleDays); tick.Before(settled) {
		return skip(fmt.Sprintf("%s settles at %s (schedule.settle_days %d)", p, settled.Format(time.RFC3339), cfg.Schedule.SettleDays))
	}
	srcs, err := OpenSources(ctx, cfg, env)
	if err != nil {
		return nil, err
	}
	for _, src := range srcs {
		if src.IsUsage() {
			continue
		}
		if _, err := src.Inputs(ctx, p); err != nil {
			if errors.Is(err, connectors.ErrNotFound) {
				return skip(fmt.Sprintf("source %s has no export for %s yet (%v)", src.Name(), p, err))
			}
			return nil, fmt.Errorf("pipeline: schedule: checking source %s for %s: %w", src.Name(), p, err)
		}
	}
	log.Info("scheduled run", "period", p.String(), "out", res.OutDir)
	out, err := Run(ctx, cfg, env, RunOptions{Period: p, OutDir: res.OutDir, Now: now, Version: opts.Version, HTTPClient: opts.HTTPClient})
	// A run that posted but could not deliver returns its outcome with
	// the error: it ran, and the next tick delivers what is owed.
	res.Outcome, res.Ran = out, out != nil
	return res, err
}
