package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/ledger"
	"github.com/allot-dev/allot/rules"
)

// session is one run's hold on the ledger: the ledger open, the period's
// lock taken and the run record started. Every command that posts goes
// through one, so two runs of a period never overlap and a failure is
// always recorded.
type session struct {
	led     *ledger.Ledger
	run     ledger.Run
	now     func() time.Time
	log     *slog.Logger
	release func() error
}

// startSession opens the configuration's ledger, locks period p and starts
// a run of the given kind.
func startSession(ctx context.Context, cfg *rules.Config, env Env, p cost.Period, kind ledger.RunKind, now func() time.Time) (*session, error) {
	if now == nil {
		now = time.Now
	}
	led, err := ledger.Open(ctx, cfg.LedgerDSN())
	if err != nil {
		return nil, err
	}
	release, err := led.Lock(ctx, "period:"+p.String())
	if err != nil {
		led.Close()
		return nil, fmt.Errorf("pipeline: another run of %s holds the lock: %w", p, err)
	}
	started := now().UTC()
	return &session{led: led, now: now, log: env.logger(), release: release, run: ledger.Run{
		ID: ledger.NewRunID(p, started), Kind: kind, Period: p, Model: cfg.Model,
		ConfigFingerprint: fingerprint(cfg.Raw), StartedAt: started,
	}}, nil
}

// close releases the lock and the ledger; a release error becomes the
// run's error if it had none.
func (s *session) close(err *error) {
	if rerr := s.release(); rerr != nil && *err == nil {
		*err = rerr
	}
	s.led.Close()
}

// failed records the run as failed (nothing posted) and returns err.
func (s *session) failed(ctx context.Context, err error) error {
	s.run.Status, s.run.Error, s.run.FinishedAt = ledger.StatusFailed, err.Error(), s.now().UTC()
	if rerr := s.led.RecordRun(context.WithoutCancel(ctx), s.run); rerr != nil {
		s.log.Error("cannot record the failed run", "run", s.run.ID, "err", rerr)
	}
	return err
}

// store ends the run in the ledger: as unchanged when the plan posts no
// journal and the fund movement is the one the ledger holds (fund nil),
// else as posted, with the journals and, when it changed, the movement,
// all or nothing. what names the figures in the log ("the period's
// journals"). It reports whether anything was posted.
func (s *session) store(ctx context.Context, toPost []cost.Journal, fund *ledger.BufferMovement, unchanged bool, what string, logArgs ...any) (bool, error) {
	s.run.FinishedAt = s.now().UTC()
	args := append([]any{"run", s.run.ID}, logArgs...)
	if unchanged && fund == nil {
		s.run.Status = ledger.StatusUnchanged
		if err := s.led.RecordRun(ctx, s.run); err != nil {
			return false, err
		}
		s.log.Info("nothing to post: "+what+" and fund movement are unchanged", args...)
		return false, nil
	}
	s.run.Status = ledger.StatusPosted
	if err := s.led.Post(ctx, ledger.Posting{Run: s.run, Journals: toPost, Buffer: fund}); err != nil {
		return false, err
	}
	s.log.Info("posted "+what, append(args, "journals", len(toPost))...)
	return true, nil
}
