package sinks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/allot-dev/allot/objstore"
)

// Sentinel errors, tested with errors.Is.
var (
	// ErrConflict: an object with the delivery's name already exists and
	// holds different bytes. allot never overwrites an emitted batch.
	ErrConflict = errors.New("a different batch already exists under this name")
	// ErrRejected: the endpoint answered with a status that retrying cannot
	// fix (a 4xx other than 429, or a redirect).
	ErrRejected = errors.New("the endpoint rejected the delivery")
	// ErrGaveUp: every try failed with a retryable status or a network error.
	ErrGaveUp = errors.New("the delivery failed on every try")
	// ErrBadURL: the sink URL or one of its options is not usable.
	ErrBadURL = errors.New("unusable sink URL")
	// ErrBadDelivery: the Delivery itself is incomplete (no name, no journal
	// id, no body) or its name would leave the sink's folder.
	ErrBadDelivery = errors.New("incomplete delivery")
)

// Env is what sinks need from the program: the storage schemes, an HTTP
// client and a logger. Zero fields get defaults: no storage schemes, a
// plain http.Client, a logger that discards, version "dev".
type Env struct {
	// Store opens file:, s3:// and azblob:// URLs (whatever is registered).
	Store *objstore.Mux
	// HTTPClient posts to webhooks. Sinks use a copy that never follows
	// redirects; its Timeout, if any, bounds each try.
	HTTPClient *http.Client
	// Logger receives one record per delivery and per retry. Records never
	// hold credentials.
	Logger *slog.Logger
	// Version is allot's version, sent as User-Agent: allot/<Version>.
	Version string
}

// Delivery is one batch to deliver.
type Delivery struct {
	// Name is the object or file name (erp.FileName), relative to the
	// sink's folder or prefix. "/" separates folders; ".." is refused.
	Name string
	// JournalID is the batch's idempotency key.
	JournalID string
	// Body is the whole batch.
	Body []byte
	// ContentType is stored with the object or sent as Content-Type.
	// Default application/octet-stream.
	ContentType string
}

// Sink delivers batches to one destination.
type Sink interface {
	// Deliver stores or posts d so that delivering the same d again is
	// harmless: it must return nil if d was already delivered, an error
	// wrapping ErrConflict if a different batch holds d.Name, and ctx.Err()
	// (wrapped) once ctx is done.
	Deliver(ctx context.Context, d Delivery) error
	// String describes the destination without credentials.
	String() string
}

// Open returns the sink rawURL names: http:// or https:// for a webhook
// (http only to a loopback host), anything else through env.Store
// (file:, s3://, azblob://).
func Open(ctx context.Context, rawURL string, env Env) (Sink, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("sinks: %q is not a URL: %w", redact(rawURL), ErrBadURL)
	}
	log := env.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return newWebhook(u, env, log)
	case "":
		return nil, fmt.Errorf("sinks: %q has no scheme; write file:DIR, s3://BUCKET/PREFIX, azblob://ACCOUNT/CONTAINER/PREFIX or https://HOST/PATH: %w",
			redact(rawURL), ErrBadURL)
	}
	if env.Store == nil {
		return nil, fmt.Errorf("sinks: %s: no storage schemes are registered: %w", redact(rawURL), ErrBadURL)
	}
	b, prefix, err := env.Store.Open(ctx, rawURL)
	if err != nil {
		return nil, fmt.Errorf("sinks: %w", err)
	}
	return &blobSink{bucket: b, prefix: prefix, log: log}, nil
}

// check validates d before any I/O.
func (d *Delivery) check(sink string) error {
	bad := func(msg string) error {
		return fmt.Errorf("sinks: %s: delivery %q (journal %q): %s: %w", sink, d.Name, d.JournalID, msg, ErrBadDelivery)
	}
	switch {
	case d.Name == "":
		return bad("no name; use erp.FileName")
	case d.JournalID == "":
		return bad("no journal id, the idempotency key")
	case len(d.Body) == 0:
		return bad("empty body; an empty batch is never delivered")
	case strings.HasPrefix(d.Name, "/") || strings.Contains(d.Name, "\\"):
		return bad("the name must be a relative, /-separated path")
	}
	for _, part := range strings.Split(d.Name, "/") {
		if part == "" || part == "." || part == ".." {
			return bad("the name has an empty, . or .. part")
		}
	}
	return nil
}

func (d *Delivery) contentType() string {
	if d.ContentType == "" {
		return "application/octet-stream"
	}
	return d.ContentType
}

// redact returns rawURL without user information and with every query
// value replaced by REDACTED: webhook URLs often carry a token in the
// query (?code=, ?sig=, ?token=), and no list of names catches them all.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparseable URL)"
	}
	return redactURL(u)
}

func redactURL(u *url.URL) string {
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		q := c.Query()
		for k := range q {
			q[k] = []string{"REDACTED"}
		}
		c.RawQuery = q.Encode()
	}
	c.Fragment, c.RawFragment = "", ""
	return c.String()
}
