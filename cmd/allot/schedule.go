package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/allot-dev/allot/pipeline"
	"github.com/robfig/cron/v3"
)

const scheduleHelp = `
Runs the monthly allocation on the configured cron expression
(schedule.cron, five fields, always UTC; default "0 6 3 * *": 06:00 UTC on
the 3rd). Each tick allocates the last closed month once it has settled and
the providers' exports for it exist:

  - the month settles at 00:00 UTC on day schedule.settle_days of the next
    month (default 3; 0 and 1 mean its first day);
  - every billing source must hold the month (the CUR manifest, the Azure
    export, rows of the month in a FOCUS export); gateway sources are not
    checked;
  - the reports go to schedule.out with {period} replaced (default
    out/{period}, relative to the configuration).

A skipped tick logs why. Running a month again posts nothing when its inputs
are unchanged and a reversal plus a restated batch when the bill changed, so
a daily cron also picks up late corrections. The configuration is read again
at every tick. A tick that comes while the previous run is still going is
skipped; a panic in a run is logged and the schedule goes on. SIGTERM or
SIGINT stops the schedule: a run in progress is cancelled (a run posts all
or nothing) and waited for, then allot exits 0.

--once runs one tick now and exits: for systemd timers, Kubernetes CronJobs
and tests.

Examples:
  allot schedule --config allot.yaml
  allot schedule --config allot.yaml --once
`

func runSchedule(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "schedule", "--config FILE [--once]", scheduleHelp)
	config := fs.String("config", "", "configuration file (required)")
	once := fs.Bool("once", false, "run one tick now and exit")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*config)
	if err != nil {
		return err
	}
	tick := func(ctx context.Context) (*pipeline.JobResult, error) {
		cfg, err := loadConfig(*config) // edits (a new draw, a new source) apply at the next tick
		if err != nil {
			return nil, err
		}
		return pipeline.ScheduledJob(ctx, cfg, a.env(), pipeline.JobOptions{Now: a.now, Version: versionString(), HTTPClient: a.http})
	}
	if *once {
		res, err := tick(ctx)
		if res != nil {
			switch {
			case res.Outcome != nil:
				printOutcome(a.stdout, cfg, res.Outcome)
			case res.Skipped != "":
				fmt.Fprintf(a.stdout, "allot schedule: %s skipped: %s\n", res.Period, res.Skipped)
			}
		}
		return err
	}
	spec := cfg.Schedule.Cron
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		return &usageError{msg: fmt.Sprintf("schedule.cron %q names a time zone; allot's schedule is UTC: write the time in UTC", spec)}
	}
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return fmt.Errorf("schedule.cron %q: %w", spec, err)
	}
	job := func(ctx context.Context) {
		res, err := tick(ctx)
		switch {
		case err != nil:
			a.log.Error("scheduled run failed", "err", err)
		case res.Ran:
			o := res.Outcome
			a.log.Info("scheduled run done", "period", res.Period.String(), "run", o.RunID, "unchanged", o.Unchanged,
				"posted", len(o.Posted), "delivered", len(o.Delivered), "out", res.OutDir)
		}
	}
	a.log.Info("schedule started", "cron", spec, "location", "UTC", "config", cfg.File)
	return scheduleLoop(ctx, a.log, sched, job)
}

// scheduleLoop runs job on sched (in UTC) until ctx is done, then stops
// the scheduler and waits for a running job to return. A tick that comes
// while the job still runs is skipped; a panic in the job is logged and
// the schedule goes on.
func scheduleLoop(ctx context.Context, log *slog.Logger, sched cron.Schedule, job func(context.Context)) error {
	cl := cronLogger{log}
	// Recover must sit inside SkipIfStillRunning: cron v3.0.1's skip
	// wrapper gives its slot back only when the job returns, so a panic
	// passing through it would skip every later tick (robfig/cron#366).
	c := cron.New(cron.WithLocation(time.UTC), cron.WithLogger(cl),
		cron.WithChain(cron.SkipIfStillRunning(cl), cron.Recover(cl)))
	c.Schedule(sched, cron.FuncJob(func() { job(ctx) }))
	c.Start()
	if es := c.Entries(); len(es) > 0 {
		log.Info("next scheduled run", "at", es[0].Next.UTC().Format(time.RFC3339))
	}
	<-ctx.Done()
	log.Info("stopping the schedule; waiting for a run in progress")
	<-c.Stop().Done()
	log.Info("schedule stopped")
	return nil
}

// cronLogger adapts slog to cron's logger: its routine messages are debug
// records, a skipped tick a warning, errors (panics included) errors.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) {
	if msg == "skip" {
		l.log.Warn("schedule: tick skipped, the previous run is still going")
		return
	}
	l.log.Debug("cron: "+msg, kv...)
}

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append([]any{"err", err}, kv...)...)
}
