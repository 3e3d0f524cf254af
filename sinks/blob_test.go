package sinks

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/allot-dev/allot/objstore"
	"github.com/allot-dev/allot/objstore/fileblob"
)

func fileEnv() Env {
	var m objstore.Mux
	m.Register(fileblob.Scheme, fileblob.OpenURL)
	return Env{Store: &m}
}

func openFile(t *testing.T) (Sink, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := Open(t.Context(), "file:"+dir, fileEnv())
	if err != nil {
		t.Fatalf("Open(file:%s): %v", dir, err)
	}
	return s, dir
}

func batch(name, id, body string) Delivery {
	return Delivery{Name: name, JournalID: id, Body: []byte(body), ContentType: "text/csv"}
}

// leftovers lists files in dir that are not want: temporary files of an
// interrupted write would show up here.
func leftovers(t *testing.T, dir string, want ...string) []string {
	t.Helper()
	var extra []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		for _, w := range want {
			if filepath.ToSlash(rel) == w {
				return nil
			}
		}
		extra = append(extra, rel)
		return nil
	})
	return extra
}

func TestFileSinkDeliver(t *testing.T) {
	s, dir := openFile(t)
	d := batch("J1.csv", "J1", "journal_id,line\nJ1,1\n")
	if err := s.Deliver(t.Context(), d); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "J1.csv"))
	if err != nil || !bytes.Equal(got, d.Body) {
		t.Fatalf("file holds %q, %v; want %q", got, err, d.Body)
	}
	if extra := leftovers(t, dir, "J1.csv"); len(extra) != 0 {
		t.Errorf("files left beside the batch: %v", extra)
	}

	// Delivering the same batch again is a success and changes nothing.
	info1, _ := os.Stat(filepath.Join(dir, "J1.csv"))
	if err := s.Deliver(t.Context(), d); err != nil {
		t.Fatalf("second Deliver of the same bytes: %v", err)
	}
	info2, _ := os.Stat(filepath.Join(dir, "J1.csv"))
	if !info2.ModTime().Equal(info1.ModTime()) || !os.SameFile(info1, info2) {
		t.Errorf("re-delivery rewrote the file")
	}

	// Different bytes under the same name: an error, and the file stays.
	other := batch("J1.csv", "J1", "journal_id,line\nJ1,2\n")
	err = s.Deliver(t.Context(), other)
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("Deliver of different bytes: %v, want ErrConflict", err)
	}
	if !strings.Contains(err.Error(), "J1.csv") || !strings.Contains(err.Error(), "never overwrites") {
		t.Errorf("error %q does not name the object and say why", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "J1.csv")); !bytes.Equal(got, d.Body) {
		t.Errorf("the earlier batch was overwritten: %q", got)
	}
	// A longer body that starts with the stored one is different too.
	longer := batch("J1.csv", "J1", string(d.Body)+"J1,2\n")
	if err := s.Deliver(t.Context(), longer); !errors.Is(err, ErrConflict) {
		t.Errorf("Deliver of a longer body: %v, want ErrConflict", err)
	}
	shorter := batch("J1.csv", "J1", string(d.Body[:5]))
	if err := s.Deliver(t.Context(), shorter); !errors.Is(err, ErrConflict) {
		t.Errorf("Deliver of a shorter body: %v, want ErrConflict", err)
	}
}

func TestFileSinkSubfolder(t *testing.T) {
	s, dir := openFile(t)
	if err := s.Deliver(t.Context(), batch("2026-10/J2.sap.csv", "J2", "x")); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "2026-10", "J2.sap.csv")); err != nil || string(got) != "x" {
		t.Fatalf("got %q, %v", got, err)
	}
}

// TestFileSinkConcurrent: racing deliveries of one batch all succeed and
// store it once; racing deliveries of different batches under one name let
// exactly one through and report the others as conflicts.
func TestFileSinkConcurrent(t *testing.T) {
	s, dir := openFile(t)
	const n = 8
	run := func(body func(i int) string, name string) []error {
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { errs[i] = s.Deliver(context.Background(), batch(name, "J", body(i))) })
		}
		wg.Wait()
		return errs
	}
	for i, err := range run(func(int) string { return "same" }, "same.csv") {
		if err != nil {
			t.Errorf("delivery %d of the same batch: %v", i, err)
		}
	}
	won := 0
	errs := run(func(i int) string { return "body " + string(rune('a'+i)) }, "diff.csv")
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, ErrConflict):
			t.Errorf("delivery %d: %v, want nil or ErrConflict", i, err)
		}
	}
	if won != 1 {
		t.Errorf("%d different batches were stored under one name, want 1", won)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "diff.csv"))
	if !strings.HasPrefix(string(got), "body ") || len(got) != len("body a") {
		t.Errorf("diff.csv holds %q, want one whole batch", got)
	}
	if extra := leftovers(t, dir, "same.csv", "diff.csv"); len(extra) != 0 {
		t.Errorf("files left behind: %v", extra)
	}
}

func TestFileSinkCancelled(t *testing.T) {
	s, dir := openFile(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := s.Deliver(ctx, batch("J3.csv", "J3", "x"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Deliver with a cancelled context: %v, want context.Canceled", err)
	}
	if extra := leftovers(t, dir); len(extra) != 0 {
		t.Errorf("a cancelled delivery left %v", extra)
	}
}

func TestBadDelivery(t *testing.T) {
	s, _ := openFile(t)
	for name, d := range map[string]Delivery{
		"no name":      {JournalID: "J", Body: []byte("x")},
		"no journal":   {Name: "a.csv", Body: []byte("x")},
		"empty body":   {Name: "a.csv", JournalID: "J"},
		"parent":       {Name: "../a.csv", JournalID: "J", Body: []byte("x")},
		"inner parent": {Name: "x/../../a.csv", JournalID: "J", Body: []byte("x")},
		"absolute":     {Name: "/etc/a.csv", JournalID: "J", Body: []byte("x")},
		"backslash":    {Name: `..\a.csv`, JournalID: "J", Body: []byte("x")},
	} {
		if err := s.Deliver(t.Context(), d); !errors.Is(err, ErrBadDelivery) {
			t.Errorf("%s: Deliver = %v, want ErrBadDelivery", name, err)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	cases := []struct {
		name, url string
		env       Env
		want      error // nil: any error
		notIn     string
	}{
		{"unknown scheme", "ftp://host/x", fileEnv(), nil, ""},
		{"no scheme", "out/dir", fileEnv(), ErrBadURL, ""},
		{"no store", "file:/tmp/x", Env{}, ErrBadURL, ""},
		{"plain http to a remote host", "http://example.com/hook", Env{}, ErrBadURL, ""},
		{"credentials in the URL", "https://user:hunter2@example.com/hook", Env{}, ErrBadURL, "hunter2"},
		{"bad tries", "https://example.com/hook?tries=0&code=abc123", Env{}, ErrBadURL, "abc123"},
		{"bad backoff", "https://example.com/hook?backoff=soon", Env{}, ErrBadURL, ""},
		{"auth variable not set", "https://example.com/hook?auth_env=ALLOT_TEST_UNSET_VAR_93", Env{}, ErrBadURL, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(t.Context(), tc.url, tc.env)
			if err == nil {
				t.Fatalf("Open(%s) = %v, want an error", tc.url, s)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("Open(%s) = %v, want %v", tc.url, err, tc.want)
			}
			if tc.notIn != "" && strings.Contains(err.Error(), tc.notIn) {
				t.Errorf("error %q shows the secret %q", err, tc.notIn)
			}
		})
	}
}
