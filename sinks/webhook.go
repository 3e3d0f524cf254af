package sinks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// WebhookOptions tune the https sink. Open reads them from the URL query
// (see the package documentation); the zero value means the defaults.
type WebhookOptions struct {
	// Tries is the number of attempts, the first included. Default 5.
	Tries int
	// BaseDelay is the back-off before the second try; each later try
	// doubles it, and the wait is drawn uniformly from zero to that
	// ceiling (full jitter). Default 500ms.
	BaseDelay time.Duration
	// MaxDelay caps the back-off ceiling. Default 30s. A Retry-After the
	// endpoint sends is honoured even when it is longer.
	MaxDelay time.Duration
	// Timeout bounds each try, connection to last response byte. Default 30s.
	Timeout time.Duration
	// AuthEnv names an environment variable whose value is sent as the
	// Authorization header ("Bearer " is prepended when the value has no
	// space). Default empty: no Authorization header.
	AuthEnv string
}

// URL query options the webhook sink consumes; they are not sent.
const (
	optTries    = "tries"
	optBackoff  = "backoff"
	optMaxDelay = "max_backoff"
	optTimeout  = "timeout"
	optAuthEnv  = "auth_env"
)

// maxErrorBody is how much of a failed response's body an error quotes.
const maxErrorBody = 256

type webhook struct {
	target    *url.URL // the URL posted to, without allot's options
	display   string   // redacted, for String, logs and errors
	client    *http.Client
	opts      WebhookOptions
	auth      string // Authorization header value; never printed
	userAgent string
	log       *slog.Logger

	// sleep waits d or until ctx is done; jitter returns a uniform
	// duration in [0, max]. Tests replace both.
	sleep  func(ctx context.Context, d time.Duration) error
	jitter func(max time.Duration) time.Duration
}

func newWebhook(u *url.URL, env Env, log *slog.Logger) (*webhook, error) {
	display := redactURL(u)
	bad := func(format string, a ...any) error {
		return fmt.Errorf("sinks: webhook %s: %s: %w", display, fmt.Sprintf(format, a...), ErrBadURL)
	}
	if u.User != nil {
		return nil, bad("credentials in the URL are not accepted; put the Authorization value in an environment variable and add ?%s=VAR", optAuthEnv)
	}
	if u.Host == "" {
		return nil, bad("no host")
	}
	if strings.EqualFold(u.Scheme, "http") && !loopback(u.Hostname()) {
		return nil, bad("plain http is accepted only for loopback hosts (tests); use https")
	}
	o := WebhookOptions{Tries: 5, BaseDelay: 500 * time.Millisecond, MaxDelay: 30 * time.Second, Timeout: 30 * time.Second}
	q := u.Query()
	dur := func(name string, dst *time.Duration) error {
		v := q.Get(name)
		if v == "" {
			return nil
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return bad("option %s=%q: want a positive duration such as 500ms or 30s", name, v)
		}
		*dst = d
		return nil
	}
	if v := q.Get(optTries); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return nil, bad("option %s=%q: want a number from 1 to 100", optTries, v)
		}
		o.Tries = n
	}
	for _, x := range []struct {
		name string
		dst  *time.Duration
	}{{optBackoff, &o.BaseDelay}, {optMaxDelay, &o.MaxDelay}, {optTimeout, &o.Timeout}} {
		if err := dur(x.name, x.dst); err != nil {
			return nil, err
		}
	}
	o.AuthEnv = q.Get(optAuthEnv)
	for _, k := range []string{optTries, optBackoff, optMaxDelay, optTimeout, optAuthEnv} {
		q.Del(k)
	}
	target := *u
	target.RawQuery = q.Encode()
	target.Fragment, target.RawFragment = "", ""

	w := &webhook{target: &target, display: redactURL(&target), opts: o, log: log,
		sleep: sleepCtx, jitter: func(max time.Duration) time.Duration { return time.Duration(rand.Int64N(int64(max) + 1)) }}
	if o.AuthEnv != "" {
		v := strings.TrimSpace(os.Getenv(o.AuthEnv))
		if v == "" {
			return nil, bad("option %s names the environment variable %s, which is empty or not set", optAuthEnv, o.AuthEnv)
		}
		if !strings.Contains(v, " ") {
			v = "Bearer " + v
		}
		w.auth = v
	}
	c := http.Client{}
	if env.HTTPClient != nil {
		c = *env.HTTPClient
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	w.client = &c
	version := env.Version
	if version == "" {
		version = "dev"
	}
	w.userAgent = "allot/" + version
	return w, nil
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (w *webhook) String() string { return "webhook " + w.display }

// DeliveryError is the error of a webhook delivery that did not succeed:
// the endpoint (redacted), the journal, how many tries were made, the last
// status and the first bytes of the last response, or the last network
// error. It wraps ErrRejected or ErrGaveUp, and the network error if any.
type DeliveryError struct {
	Sink      string // redacted
	JournalID string
	Tries     int
	Status    int    // last HTTP status; 0 if no response came
	Body      string // first bytes of the last response, printable characters only
	Location  string // redirect target (redacted), for a 3xx
	Kind      error  // ErrRejected or ErrGaveUp
	Cause     error  // last network error, or nil
}

func (e *DeliveryError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sinks: %s: journal %s not delivered after %d %s", e.Sink, e.JournalID, e.Tries, plural(e.Tries, "try", "tries"))
	if e.Status != 0 {
		fmt.Fprintf(&b, ": last response %d %s", e.Status, http.StatusText(e.Status))
		if e.Location != "" {
			fmt.Fprintf(&b, " redirecting to %s (configure the final URL)", e.Location)
		}
		if e.Body != "" {
			fmt.Fprintf(&b, ", body %q", e.Body)
		}
	} else if e.Cause != nil {
		fmt.Fprintf(&b, ": last error: %v", e.Cause)
	}
	fmt.Fprintf(&b, ": %v", e.Kind)
	return b.String()
}

func (e *DeliveryError) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Kind, e.Cause}
	}
	return []error{e.Kind}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// attempt is the outcome of one try.
type attempt struct {
	status     int
	body       string
	location   string
	retryAfter time.Duration
	err        error // network error or per-try timeout
}

// Deliver posts d.Body, retrying 5xx, 429 and network errors with
// exponential back-off and full jitter; every try carries the same
// Idempotency-Key, d.JournalID.
func (w *webhook) Deliver(ctx context.Context, d Delivery) error {
	if err := d.check(w.String()); err != nil {
		return err
	}
	var last attempt
	for try := 1; ; try++ {
		last = w.post(ctx, &d)
		if last.err == nil && last.status >= 200 && last.status < 300 {
			w.log.InfoContext(ctx, "sinks: delivered", "sink", w.String(), "journal", d.JournalID,
				"name", d.Name, "bytes", len(d.Body), "status", last.status, "tries", try)
			return nil
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("sinks: %s: journal %s: stopped after %d %s: %w", w, d.JournalID, try, plural(try, "try", "tries"), err)
		}
		de := &DeliveryError{Sink: w.String(), JournalID: d.JournalID, Tries: try, Status: last.status,
			Body: last.body, Location: last.location, Cause: last.err, Kind: ErrGaveUp}
		if last.err == nil && last.status != http.StatusTooManyRequests && last.status < 500 {
			de.Kind = ErrRejected
			return de
		}
		if try >= w.opts.Tries {
			return de
		}
		delay := w.backoff(try)
		if last.retryAfter > delay {
			delay = last.retryAfter
		}
		attrs := []any{"sink", w.String(), "journal", d.JournalID, "try", try, "wait", delay.String()}
		if last.err != nil {
			attrs = append(attrs, "error", last.err.Error())
		} else {
			attrs = append(attrs, "status", last.status)
		}
		w.log.WarnContext(ctx, "sinks: retrying delivery", attrs...)
		if err := w.sleep(ctx, delay); err != nil {
			return fmt.Errorf("sinks: %s: journal %s: stopped after %d %s: %w", w, d.JournalID, try, plural(try, "try", "tries"), err)
		}
	}
}

// backoff returns the wait after try (1-based): uniform in
// [0, min(MaxDelay, BaseDelay·2^(try-1))].
func (w *webhook) backoff(try int) time.Duration {
	ceiling := w.opts.MaxDelay
	if try-1 < 62 {
		if c := w.opts.BaseDelay << (try - 1); c > 0 && c < ceiling {
			ceiling = c
		}
	}
	return w.jitter(ceiling)
}

func (w *webhook) post(ctx context.Context, d *Delivery) attempt {
	tctx, cancel := context.WithTimeout(ctx, w.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(tctx, http.MethodPost, w.target.String(), bytes.NewReader(d.Body))
	if err != nil {
		return attempt{err: errors.New("cannot build the request")}
	}
	req.Header.Set("Content-Type", d.contentType())
	req.Header.Set("Idempotency-Key", d.JournalID)
	req.Header.Set("User-Agent", w.userAgent)
	req.Header.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.Name}))
	if w.auth != "" {
		req.Header.Set("Authorization", w.auth)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return attempt{err: w.netError(tctx, err)}
	}
	defer resp.Body.Close()
	// The status decides the outcome; the body is only quoted in errors,
	// so a failure to read it does not change what happened.
	head, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16)) // let the connection be reused
	a := attempt{status: resp.StatusCode, body: printable(head)}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		if loc := resp.Header.Get("Location"); loc != "" {
			a.location = redact(loc)
		}
	}
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		a.retryAfter = retryAfter(ra, time.Now())
	}
	return a
}

// netError describes a failed round trip without the URL, which
// *url.Error would print with its query (and any token in it).
func (w *webhook) netError(tctx context.Context, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(tctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %s: %w", w.opts.Timeout, err)
	}
	return err
}

// retryAfter parses a Retry-After value: delay-seconds or an HTTP date.
// Anything else, or a time in the past, is zero.
func retryAfter(v string, now time.Time) time.Duration {
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func printable(b []byte) string {
	s := strings.ToValidUTF8(string(b), "?")
	return strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		if unicode.IsSpace(r) {
			return ' '
		}
		return -1
	}, strings.TrimSpace(s))
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
