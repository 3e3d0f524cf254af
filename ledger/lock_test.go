package ledger

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/allot-dev/allot/cost"
)

func TestLockExcludesAnotherLedger(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a, b := openLedger(t, dsn), openLedger(t, dsn)
		const name = "period 2026-10"

		release, err := a.Lock(ctx, name)
		if err != nil {
			t.Fatalf("first Lock: %v", err)
		}
		for _, who := range []struct {
			what string
			l    *Ledger
		}{{"another Ledger", b}, {"the holder itself", a}} {
			_, err := who.l.Lock(ctx, name)
			if !errors.Is(err, ErrLocked) {
				t.Fatalf("Lock by %s while held: err = %v, want ErrLocked", who.what, err)
			}
			if want := fmt.Sprintf("pid %d", os.Getpid()); !strings.Contains(err.Error(), want) {
				t.Errorf("ErrLocked does not name the holder (%q): %v", want, err)
			}
		}
		other, err := b.Lock(ctx, "period 2026-11")
		if err != nil {
			t.Fatalf("a different name must not be blocked: %v", err)
		}
		if err := release(); err != nil {
			t.Fatalf("release: %v", err)
		}
		if err := release(); err != nil {
			t.Fatalf("second release: %v", err)
		}
		again, err := b.Lock(ctx, name)
		if err != nil {
			t.Fatalf("Lock after release: %v", err)
		}
		if err := errors.Join(again(), other()); err != nil {
			t.Fatal(err)
		}

		// Close releases what a Ledger still holds.
		c, err := Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Lock(ctx, name); err != nil {
			t.Fatal(err)
		}
		if err := c.Close(); err != nil {
			t.Fatalf("Close with a held lock: %v", err)
		}
		rel, err := b.Lock(ctx, name)
		if err != nil {
			t.Fatalf("Lock after the holder closed: %v", err)
		}
		rel()
	})
}

// TestLockAcrossProcesses holds the lock in a child process, checks that
// this process cannot take it, kills the child without letting it release
// anything, and checks that the lock is free again.
func TestLockAcrossProcesses(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := openLedger(t, dsn)
		const name = "period 2026-10"
		child := startHelper(t, "lock", dsn, "ALLOT_LEDGER_HELPER_LOCK="+name)
		child.waitFor(t, "locked")

		_, err := l.Lock(ctx, name)
		if !errors.Is(err, ErrLocked) {
			t.Fatalf("Lock while a child process holds it: err = %v, want ErrLocked", err)
		}
		if want := fmt.Sprintf("pid %d", child.cmd.Process.Pid); !strings.Contains(err.Error(), want) {
			t.Errorf("ErrLocked does not name the child (%q): %v", want, err)
		}

		child.kill(t) // SIGKILL: no deferred release runs
		release := eventually(t, func() (func() error, error) { return l.Lock(ctx, name) })
		if err := release(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestPostKilledMidTransaction kills a child process while it is inside
// Post, after its first journal was written, and checks that nothing of
// the posting is stored and the same posting can then go through.
func TestPostKilledMidTransaction(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := openLedger(t, dsn)
		oct := period("2026-10")
		child := startHelper(t, "post", dsn)
		child.waitFor(t, "mid-post")

		bs, err := l.Batches(ctx, oct)
		if err != nil {
			t.Fatal(err)
		}
		if len(bs) != 0 {
			t.Fatalf("another reader sees %v while the posting is open", batchIDs(bs))
		}
		child.kill(t)

		if bs, err := l.Batches(ctx, oct); err != nil || len(bs) != 0 {
			t.Fatalf("after the kill: batches %v, err %v; want none", batchIDs(bs), err)
		}
		if rs, err := l.Runs(ctx, RunFilter{}); err != nil || len(rs) != 0 {
			t.Fatalf("after the kill: runs %v, err %v; want none", runIDs(rs), err)
		}
		if mvs, err := l.BufferMovements(ctx, oct.Quarter()); err != nil || len(mvs) != 0 {
			t.Fatalf("after the kill: movements %+v, err %v; want none", mvs, err)
		}
		if err := l.Post(ctx, helperPosting()); err != nil {
			t.Fatalf("the same posting after the kill: %v", err)
		}
		bs, err = l.Batches(ctx, oct)
		if err != nil || len(bs) != 2 {
			t.Fatalf("after posting again: %v, %v", batchIDs(bs), err)
		}
	})
}

// helperPosting is the posting the "post" helper makes: two journals and a
// buffer movement, with fixed ids so a retry reuses them.
func helperPosting() Posting {
	oct := period("2026-10")
	js, _, err := Plan(nil, []cost.Journal{allocation(oct, "1000", "100.00", "4.00"), allocation(oct, "2000", "50.00", "2.00")})
	if err != nil {
		panic(err)
	}
	r := run(oct)
	r.ID = "2026-10-helper"
	return Posting{Run: r, Journals: js, Buffer: month(oct, "0", "6.00")}
}

// TestHelperProcess is not a test of its own: the tests above run the test
// binary again with ALLOT_LEDGER_HELPER set, and this function then plays
// the other process.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv("ALLOT_LEDGER_HELPER")
	if mode == "" {
		t.Skip("runs only as a child process of the lock and crash tests")
	}
	ctx := context.Background()
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(2)
	}
	l, err := Open(ctx, os.Getenv("ALLOT_LEDGER_HELPER_DSN"))
	if err != nil {
		fail(err)
	}
	block := func(msg string) {
		fmt.Println(msg)
		io.Copy(io.Discard, os.Stdin) // until the parent kills us or closes stdin
		os.Exit(0)                    // exit without releasing anything
	}
	switch mode {
	case "lock":
		if _, err := l.Lock(ctx, os.Getenv("ALLOT_LEDGER_HELPER_LOCK")); err != nil {
			fail(err)
		}
		block("locked")
	case "post":
		testHookPost = func(stage string, i int) error {
			if stage == "batch" && i == 0 {
				block("mid-post")
			}
			return nil
		}
		fail(fmt.Errorf("Post returned: %v", l.Post(ctx, helperPosting())))
	}
	fail(fmt.Errorf("unknown mode %q", mode))
}

type helper struct {
	cmd    *exec.Cmd
	lines  chan string
	stderr *bytes.Buffer
	stdin  io.WriteCloser
}

func startHelper(t *testing.T, mode, dsn string, env ...string) *helper {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), "ALLOT_LEDGER_HELPER="+mode, "ALLOT_LEDGER_HELPER_DSN="+dsn), env...)
	h := &helper{cmd: cmd, lines: make(chan string, 16), stderr: &bytes.Buffer{}}
	cmd.Stderr = h.stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	h.stdin = stdin
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			h.lines <- sc.Text()
		}
		close(h.lines)
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return h
}

// waitFor reads the child's output until it prints want. The deadline only
// guards against a hung child; nothing is measured.
func (h *helper) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case line, ok := <-h.lines:
			if !ok {
				h.cmd.Wait()
				t.Fatalf("helper exited before printing %q: %s", want, h.stderr)
			}
			if line == want {
				return
			}
		case <-deadline:
			t.Fatalf("helper did not print %q within 60 s: %s", want, h.stderr)
		}
	}
}

func (h *helper) kill(t *testing.T) {
	t.Helper()
	if err := h.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	h.cmd.Wait()
}

// eventually retries fn until it succeeds: a PostgreSQL server notices a
// dead client's closed socket asynchronously, a moment after the kill.
func eventually[T any](t *testing.T, fn func() (T, error)) T {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		v, err := fn()
		if err == nil {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("still failing after 60 s: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
