package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// flakyERP fails the first n POSTs with a 503, then accepts, counting each
// accepted journal by its Idempotency-Key.
type flakyERP struct {
	mu       sync.Mutex
	failures int
	tries    int
	accepted map[string]int
	bodies   map[string]string
}

func (f *flakyERP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tries++
	body, _ := io.ReadAll(r.Body)
	if f.failures > 0 {
		f.failures--
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
		return
	}
	key := r.Header.Get("Idempotency-Key")
	f.accepted[key]++
	f.bodies[key] = string(body)
	w.WriteHeader(http.StatusCreated)
}

func withOutput(t *testing.T, cfgPath, output string) {
	t.Helper()
	b, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), "outputs:\n", "outputs:\n"+output+"\n", 1)
	if err := os.WriteFile(cfgPath, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestWebhookExactlyOnce: an ERP endpoint that fails twice then accepts
// receives the month's batch once, with the journal id as Idempotency-Key;
// re-running the month delivers nothing again; an endpoint that is down for
// a whole run gets the batch on the next run, once.
func TestWebhookExactlyOnce(t *testing.T) {
	erp := &flakyERP{failures: 2, accepted: map[string]int{}, bodies: map[string]string{}}
	srv := httptest.NewServer(erp)
	defer srv.Close()
	dir := t.TempDir()
	if _, errOut, code := allot(t, "demo", "--out", dir); code != 0 {
		t.Fatalf("demo: %s", errOut)
	}
	cfg := filepath.Join(dir, "input", "allot.yaml")
	withOutput(t, cfg, "  - { format: sap, url: \""+srv.URL+"/journals?tries=3&backoff=1ms\" }")
	// A fresh ledger so the month is posted by this run.
	os.Remove(filepath.Join(dir, "input", "allot.db"))
	out, errOut, code := allot(t, "run", "--config", cfg, "--period", "2026-10", "--out", dir)
	if code != 0 {
		t.Fatalf("run: %d\n%s%s", code, out, errOut)
	}
	if erp.tries != 3 || len(erp.accepted) != 1 || erp.accepted["ALLOT-2026-10-1000-USD-A1"] != 1 {
		t.Fatalf("tries %d, accepted %v; want 3 tries and A1 accepted once", erp.tries, erp.accepted)
	}
	if body := erp.bodies["ALLOT-2026-10-1000-USD-A1"]; !strings.Contains(body, "650100") || !strings.Contains(body, "CC-4100") {
		t.Errorf("the body is not the SAP file:\n%.300s", erp.bodies["ALLOT-2026-10-1000-USD-A1"])
	}
	if _, errOut, code := allot(t, "run", "--config", cfg, "--period", "2026-10", "--out", dir); code != 0 {
		t.Fatalf("re-run: %s", errOut)
	}
	if erp.tries != 3 {
		t.Errorf("a re-run of an unchanged month called the ERP again (%d tries)", erp.tries)
	}

	// The ERP is down for a whole run: the run posts, fails to deliver and
	// says so; the next run delivers the batch once.
	late := `{"timestamp":"2026-10-30T12:00:00Z","team":"support","action_class":"chat_call","count":10}` + "\n"
	os.WriteFile(filepath.Join(dir, "input", "data", "gateway", "late.jsonl"), []byte(late), 0o644)
	erp.mu.Lock()
	erp.failures = 100
	erp.mu.Unlock()
	_, errOut, code = allot(t, "run", "--config", cfg, "--period", "2026-10", "--out", dir)
	if code != 1 || !strings.Contains(errOut, "run again to retry") {
		t.Fatalf("a run whose sink is down: exit %d\n%s", code, errOut)
	}
	erp.mu.Lock()
	erp.failures = 0
	erp.mu.Unlock()
	if _, errOut, code := allot(t, "run", "--config", cfg, "--period", "2026-10", "--out", dir); code != 0 {
		t.Fatalf("run after the outage: %s", errOut)
	}
	for _, id := range []string{"ALLOT-2026-10-1000-USD-A1", "ALLOT-2026-10-1000-USD-A1-R", "ALLOT-2026-10-1000-USD-A2"} {
		if erp.accepted[id] != 1 {
			t.Errorf("%s accepted %d times, want exactly once (all: %v)", id, erp.accepted[id], erp.accepted)
		}
	}
}
