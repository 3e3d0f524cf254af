package sinks

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// hook is a test endpoint that answers from a script, one entry per
// request (the last entry repeats), and records what it received.
type hook struct {
	t      *testing.T
	mu     sync.Mutex
	script []func(w http.ResponseWriter, r *http.Request)
	got    []*recorded
}

type recorded struct {
	header http.Header
	query  string
	body   []byte
}

func status(code int, body string, header ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

// hang never answers; the client's per-try timeout must end the request.
func hang(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	n := len(h.got)
	h.got = append(h.got, &recorded{header: r.Header.Clone(), query: r.URL.RawQuery, body: body})
	step := h.script[min(n, len(h.script)-1)]
	h.mu.Unlock()
	step(w, r)
}

func (h *hook) requests() []*recorded {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*recorded(nil), h.got...)
}

// waits records the back-off a webhook would sleep, without sleeping.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	return ctx.Err()
}

// openHook starts a scripted endpoint and opens a webhook sink to it with
// query (allot options and the endpoint's own parameters). The sink's
// jitter is the identity (the full ceiling), so back-off is predictable.
func openHook(t *testing.T, query string, logs io.Writer, script ...func(http.ResponseWriter, *http.Request)) (*webhook, *hook, *waits) {
	t.Helper()
	h := &hook{t: t, script: script}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	env := Env{HTTPClient: srv.Client(), Version: "test"}
	if logs != nil {
		env.Logger = slog.New(slog.NewTextHandler(logs, nil))
	}
	s, err := Open(t.Context(), srv.URL+"/hook"+query, env)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	w := s.(*webhook)
	ws := &waits{}
	w.sleep = ws.sleep
	w.jitter = func(max time.Duration) time.Duration { return max }
	return w, h, ws
}

var journal = Delivery{Name: "AL-2026-10-1000-USD.csv", JournalID: "AL-2026-10-1000-USD",
	Body: []byte("journal_id,line\nAL-2026-10-1000-USD,1\n"), ContentType: "text/csv; charset=utf-8"}

func TestWebhookRetriesThenSucceeds(t *testing.T) {
	w, h, ws := openHook(t, "?backoff=10ms&max_backoff=1s", nil,
		status(500, "oops"), status(502, "bad gateway"), status(200, "ok"))
	if err := w.Deliver(t.Context(), journal); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	reqs := h.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3 (two failures, one success)", len(reqs))
	}
	for i, r := range reqs {
		if got := r.header.Get("Idempotency-Key"); got != journal.JournalID {
			t.Errorf("try %d: Idempotency-Key %q, want %q", i+1, got, journal.JournalID)
		}
		if !bytes.Equal(r.body, journal.Body) {
			t.Errorf("try %d: body %q, want %q", i+1, r.body, journal.Body)
		}
		if got := r.header.Get("Content-Type"); got != journal.ContentType {
			t.Errorf("try %d: Content-Type %q", i+1, got)
		}
		if got := r.header.Get("User-Agent"); got != "allot/test" {
			t.Errorf("try %d: User-Agent %q, want allot/test", i+1, got)
		}
		if r.query != "" {
			t.Errorf("try %d: allot's options were sent in the query: %q", i+1, r.query)
		}
	}
	// Back-off ceilings 10ms then 20ms (the jitter returns the ceiling).
	if want := []time.Duration{10 * time.Millisecond, 20 * time.Millisecond}; !equalDurations(ws.d, want) {
		t.Errorf("waits %v, want %v", ws.d, want)
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestWebhookNoRetryOn4xx(t *testing.T) {
	w, h, ws := openHook(t, "?code=s3cret-code", nil, status(400, "missing field journal_id\x00\x01 in body"), status(200, ""))
	err := w.Deliver(t.Context(), journal)
	if !errors.Is(err, ErrRejected) {
		t.Fatalf("Deliver: %v, want ErrRejected", err)
	}
	var de *DeliveryError
	if !errors.As(err, &de) || de.Status != 400 || de.Tries != 1 {
		t.Fatalf("error %#v, want a DeliveryError with status 400 after 1 try", err)
	}
	if n := len(h.requests()); n != 1 {
		t.Errorf("%d requests, want 1: a 400 is not retried", n)
	}
	if len(ws.d) != 0 {
		t.Errorf("waited %v before giving up on a 400", ws.d)
	}
	msg := err.Error()
	for _, want := range []string{"400", "missing field journal_id", journal.JournalID, "/hook?code=REDACTED"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if strings.Contains(msg, "s3cret-code") || strings.ContainsAny(msg, "\x00\x01") {
		t.Errorf("error %q shows the URL's secret or control characters", msg)
	}
	if got := h.requests()[0].query; got != "code=s3cret-code" {
		t.Errorf("the endpoint's own query was not sent: %q", got)
	}
}

func TestWebhookTimeoutIsRetried(t *testing.T) {
	w, h, ws := openHook(t, "?timeout=100ms&backoff=1ms", nil, hang, status(201, "created"))
	if err := w.Deliver(t.Context(), journal); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	if n := len(h.requests()); n != 2 {
		t.Errorf("%d requests, want 2 (one timed out)", n)
	}
	if len(ws.d) != 1 {
		t.Errorf("waits %v, want one back-off", ws.d)
	}
}

func TestWebhookGivesUp(t *testing.T) {
	var logs bytes.Buffer
	w, h, ws := openHook(t, "?tries=3&backoff=100ms&max_backoff=150ms", &logs, status(503, "maintenance until 06:00"))
	err := w.Deliver(t.Context(), journal)
	if !errors.Is(err, ErrGaveUp) {
		t.Fatalf("Deliver: %v, want ErrGaveUp", err)
	}
	if n := len(h.requests()); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
	// Ceilings 100ms, then min(200ms, 150ms).
	if want := []time.Duration{100 * time.Millisecond, 150 * time.Millisecond}; !equalDurations(ws.d, want) {
		t.Errorf("waits %v, want %v", ws.d, want)
	}
	for _, want := range []string{"after 3 tries", "503", "maintenance until 06:00", journal.JournalID} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if c := strings.Count(logs.String(), "retrying delivery"); c != 2 {
		t.Errorf("%d retry log records, want 2:\n%s", c, logs.String())
	}
}

func TestWebhookRetryAfter(t *testing.T) {
	w, h, ws := openHook(t, "?backoff=1ms", nil, status(429, "slow down", "Retry-After", "7"), status(200, ""))
	if err := w.Deliver(t.Context(), journal); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	if n := len(h.requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	if want := []time.Duration{7 * time.Second}; !equalDurations(ws.d, want) {
		t.Errorf("waits %v, want %v (Retry-After)", ws.d, want)
	}
}

func TestWebhookNetworkError(t *testing.T) {
	w, _, ws := openHook(t, "?tries=2&backoff=1ms", nil, status(200, ""))
	// Point the sink at a port nobody listens on.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	w.target.Host = strings.TrimPrefix(dead.URL, "http://")
	err := w.Deliver(t.Context(), journal)
	var de *DeliveryError
	if !errors.Is(err, ErrGaveUp) || !errors.As(err, &de) || de.Cause == nil || de.Status != 0 {
		t.Fatalf("Deliver: %#v, want ErrGaveUp with a network cause", err)
	}
	if len(ws.d) != 1 {
		t.Errorf("waits %v, want one back-off between two tries", ws.d)
	}
}

func TestWebhookRedirectIsNotFollowed(t *testing.T) {
	w, h, _ := openHook(t, "", nil, status(302, "", "Location", "https://elsewhere.example/x?sig=abc"))
	err := w.Deliver(t.Context(), journal)
	if !errors.Is(err, ErrRejected) {
		t.Fatalf("Deliver: %v, want ErrRejected", err)
	}
	if n := len(h.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
	if !strings.Contains(err.Error(), "elsewhere.example/x?sig=REDACTED") || strings.Contains(err.Error(), "abc") {
		t.Errorf("error %q should name the redirect target, redacted", err)
	}
}

func TestWebhookCancelledDuringBackoff(t *testing.T) {
	w, h, _ := openHook(t, "?backoff=1ms", nil, status(500, ""))
	ctx, cancel := context.WithCancel(t.Context())
	w.sleep = func(ctx context.Context, d time.Duration) error {
		cancel()
		<-ctx.Done()
		return ctx.Err()
	}
	err := w.Deliver(ctx, journal)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Deliver: %v, want context.Canceled", err)
	}
	if n := len(h.requests()); n != 1 {
		t.Errorf("%d requests after cancellation, want 1", n)
	}
}

func TestWebhookAuthFromEnv(t *testing.T) {
	t.Setenv("ALLOT_TEST_HOOK_TOKEN", "tok-5f1a9c")
	var logs bytes.Buffer
	w, h, _ := openHook(t, "?auth_env=ALLOT_TEST_HOOK_TOKEN&token=q-secret-77", &logs,
		status(500, "no"), status(403, "forbidden"))
	err := w.Deliver(t.Context(), journal)
	if !errors.Is(err, ErrRejected) {
		t.Fatalf("Deliver: %v, want ErrRejected", err)
	}
	for _, r := range h.requests() {
		if got := r.header.Get("Authorization"); got != "Bearer tok-5f1a9c" {
			t.Errorf("Authorization %q, want the variable's value as a bearer token", got)
		}
		if r.query != "token=q-secret-77" {
			t.Errorf("query %q: auth_env must not be sent, the endpoint's token must", r.query)
		}
	}
	for where, text := range map[string]string{"error": err.Error(), "String": w.String(), "logs": logs.String()} {
		for _, secret := range []string{"tok-5f1a9c", "q-secret-77"} {
			if strings.Contains(text, secret) {
				t.Errorf("%s shows the secret %q: %s", where, secret, text)
			}
		}
	}
}

func TestBackoffCeilings(t *testing.T) {
	w := &webhook{opts: WebhookOptions{BaseDelay: 500 * time.Millisecond, MaxDelay: 30 * time.Second},
		jitter: func(max time.Duration) time.Duration { return max }}
	// 0.5s · 2^(try-1), capped at 30s: 0.5, 1, 2, 4, 8, 16, 30, 30.
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second,
		8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second}
	for i, d := range want {
		if got := w.backoff(i + 1); got != d {
			t.Errorf("backoff(%d) = %v, want %v", i+1, got, d)
		}
	}
	if got := w.backoff(200); got != 30*time.Second {
		t.Errorf("backoff(200) = %v, want the cap", got)
	}
	// The real jitter stays within [0, ceiling].
	real, err := Open(t.Context(), "https://example.com/x?backoff=8ms&max_backoff=8ms", Env{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 1000; i++ {
		if d := real.(*webhook).backoff(3); d < 0 || d > 8*time.Millisecond {
			t.Fatalf("jittered backoff %v outside [0, 8ms]", d)
		}
	}
}

func TestRetryAfterParse(t *testing.T) {
	now := time.Date(2026, 11, 3, 6, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"120":                           2 * time.Minute,
		" 3 ":                           3 * time.Second,
		"-5":                            0,
		"soon":                          0,
		"Tue, 03 Nov 2026 06:00:45 GMT": 45 * time.Second,
		"Tue, 03 Nov 2026 05:59:00 GMT": 0,
	}
	for v, want := range cases {
		if got := retryAfter(v, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}
