package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// every is a cron schedule that fires every d (cron's own specs fire at
// most once a second; this keeps the shell's tests fast).
type every time.Duration

func (e every) Next(t time.Time) time.Time { return t.Add(time.Duration(e)) }

// syncBuffer is a log sink safe for the scheduler's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor fails the test if ch is not closed within a generous bound (the
// bound only catches a hang; nothing is measured).
func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(20 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func startLoop(t *testing.T, job func(context.Context)) (logs *syncBuffer, stop func()) {
	t.Helper()
	logs = &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		if err := scheduleLoop(ctx, log, every(5*time.Millisecond), job); err != nil {
			t.Errorf("scheduleLoop: %v", err)
		}
		close(done)
	}()
	return logs, func() {
		cancel()
		waitFor(t, done, "the schedule to stop")
	}
}

func TestScheduleRecoversFromAPanic(t *testing.T) {
	var calls atomic.Int32
	second := make(chan struct{})
	logs, stop := startLoop(t, func(ctx context.Context) {
		switch calls.Add(1) {
		case 1:
			panic("boom")
		case 2:
			close(second)
		}
	})
	waitFor(t, second, "a tick after the panic")
	stop()
	if !strings.Contains(logs.String(), "boom") || !strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("the panic was not logged as an error:\n%s", logs)
	}
	if !strings.Contains(logs.String(), "schedule stopped") {
		t.Errorf("no stop record:\n%s", logs)
	}
}

func TestScheduleSkipsWhileRunningAndWaitsOnStop(t *testing.T) {
	var calls, running atomic.Int32
	var finished atomic.Bool
	started := make(chan struct{})
	logs, stop := startLoop(t, func(ctx context.Context) {
		if running.Add(1) > 1 {
			t.Error("two runs at once")
		}
		defer running.Add(-1)
		if calls.Add(1) == 1 {
			close(started)
		}
		<-ctx.Done() // a long run, cancelled by the stop
		finished.Store(true)
	})
	waitFor(t, started, "the first run")
	skipped := make(chan struct{})
	go func() {
		for !strings.Contains(logs.String(), "tick skipped") {
			time.Sleep(time.Millisecond)
		}
		close(skipped)
	}()
	waitFor(t, skipped, "a skipped tick")
	stop()
	if !finished.Load() {
		t.Error("the schedule stopped before the running job returned")
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("the job ran %d times while the first run was going, want 1", n)
	}
}

func TestScheduleOnce(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, "demo", "--model", "finops", "--out", dir)
	cfg, _ := demoCopy(t, dir, "scheduled", "sqlite:scheduled.db")

	// 2 November: October settles on the 3rd (settle_days 3).
	out, errOut, code := allotAt(t, "2026-11-02T06:00:00Z", "schedule", "--config", cfg, "--once")
	if code != 0 || !strings.Contains(out, "2026-10 skipped: 2026-10 settles at 2026-11-03T00:00:00Z") {
		t.Errorf("before the settle day: exit %d\n%s%s", code, out, errOut)
	}
	// 3 November at the default cron time: October runs into schedule.out.
	out, errOut, code = allotAt(t, "2026-11-03T06:00:00Z", "schedule", "--config", cfg, "--once")
	if code != 0 || !strings.Contains(out, "Ledger: posted ALLOT-2026-10-1000-USD-A1") {
		t.Fatalf("on the settle day: exit %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "input", "out", "2026-10", "journal.csv")); err != nil {
		t.Errorf("schedule.out: %v", err)
	}
	// The next tick posts nothing.
	out, _, code = allotAt(t, "2026-11-04T06:00:00Z", "schedule", "--config", cfg, "--once")
	if code != 0 || !strings.Contains(out, "nothing to post") {
		t.Errorf("second tick: exit %d\n%s", code, out)
	}
	// December: November's export is missing.
	out, _, code = allotAt(t, "2026-12-03T06:00:00Z", "schedule", "--config", cfg, "--once")
	if code != 0 || !strings.Contains(out, "2026-11 skipped: source cloud has no export for 2026-11") {
		t.Errorf("December: exit %d\n%s", code, out)
	}
}

func TestScheduleRefusesATimeZone(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, "demo", "--out", dir)
	cfg := filepath.Join(dir, "input", "allot.yaml")
	b, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, bytes.Replace(b, []byte(`cron: "0 6 3 * *"`), []byte(`cron: "CRON_TZ=Europe/Paris 0 6 3 * *"`), 1), 0o644)
	_, errOut, code := allot(t, "schedule", "--config", cfg)
	if code != 2 || !strings.Contains(errOut, "UTC") {
		t.Errorf("a cron with a time zone: exit %d\n%s", code, errOut)
	}
}
