// Package objstore is the small storage layer connectors read from and sinks
// write to: a local folder, S3 (or an S3-compatible server) and Azure Blob
// storage behind one Bucket interface, opened by URL.
//
// # URLs
//
//	file:PATH                       a folder or a single file; relative paths are
//	                                resolved by the caller against the config file
//	s3://bucket/prefix              AWS SDK v2 default credential chain; query options
//	                                ?region=, ?endpoint=, ?path_style=true
//	azblob://account/container/prefix
//	                                azidentity default credential chain, or the
//	                                AZURE_STORAGE_CONNECTION_STRING environment variable;
//	                                query option ?endpoint= for Azurite
//
// Opening a URL returns the Bucket and the key prefix the URL names inside
// it. Whether the prefix is a single object or a folder is for the caller to
// find out with Stat.
//
// # Errors
//
// Open and Stat of a missing key return an error wrapping [ErrNotFound];
// Put with IfNotExists of an existing key returns an error wrapping
// [ErrExists]. Errors never contain credentials.
package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// Sentinel errors, tested with errors.Is.
var (
	ErrNotFound = errors.New("object not found")
	ErrExists   = errors.New("object already exists")
)

// Object describes one stored object.
type Object struct {
	Key     string // full key inside the bucket, "/"-separated
	Size    int64
	ModTime time.Time
	ETag    string // provider's entity tag or a content fingerprint; may be empty
}

// PutOptions tune Put. A nil *PutOptions means the defaults.
type PutOptions struct {
	// IfNotExists makes Put fail with ErrExists instead of replacing an object.
	IfNotExists bool
	ContentType string
}

// Bucket is a flat namespace of objects with "/"-separated keys.
//
// Implementations must be safe for concurrent use.
type Bucket interface {
	// List returns every object whose key starts with prefix, sorted by key.
	// A prefix that matches nothing returns an empty list and no error.
	List(ctx context.Context, prefix string) ([]Object, error)
	// Stat describes one object. It must return an error wrapping
	// ErrNotFound if key does not exist (a folder is not an object).
	Stat(ctx context.Context, key string) (Object, error)
	// Open streams one object. It must return an error wrapping
	// ErrNotFound if key does not exist.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Put stores body under key atomically: a reader sees the old object or
	// the whole new one, never a part (temporary name then rename, or a
	// single conditional upload). With IfNotExists it must return an error
	// wrapping ErrExists when key exists, and leave it untouched.
	Put(ctx context.Context, key string, body io.Reader, opts *PutOptions) error
	// String returns a description of the bucket without credentials,
	// suitable for logs and error messages.
	String() string
}

// Opener opens the bucket a URL names and returns the key prefix inside it.
type Opener func(ctx context.Context, u *url.URL) (b Bucket, prefix string, err error)

// Mux maps URL schemes to Openers. Its zero value is ready to use.
type Mux struct {
	mu      sync.RWMutex
	openers map[string]Opener
}

// Register adds an opener for scheme. It panics if scheme is already registered.
func (m *Mux) Register(scheme string, o Opener) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.openers == nil {
		m.openers = map[string]Opener{}
	}
	if _, dup := m.openers[scheme]; dup {
		panic("objstore: scheme registered twice: " + scheme)
	}
	m.openers[scheme] = o
}

// Schemes lists the registered schemes in order.
func (m *Mux) Schemes() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var s []string
	for k := range m.openers {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// Open opens the bucket rawURL names.
func (m *Mux) Open(ctx context.Context, rawURL string) (Bucket, string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, "", fmt.Errorf("objstore: %q is not a URL: %w", Redact(rawURL), err)
	}
	m.mu.RLock()
	o, ok := m.openers[u.Scheme]
	m.mu.RUnlock()
	if !ok {
		return nil, "", fmt.Errorf("objstore: unsupported storage scheme %q in %q (supported: %s)",
			u.Scheme, Redact(rawURL), strings.Join(m.Schemes(), ", "))
	}
	return o(ctx, u)
}

// Redact returns rawURL with any user information and secret-looking query
// parameters replaced by REDACTED, safe for logs and errors.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparseable URL)"
	}
	if u.User != nil {
		u.User = url.User("REDACTED")
	}
	q := u.Query()
	changed := false
	for k := range q {
		lk := strings.ToLower(k)
		if strings.Contains(lk, "key") || strings.Contains(lk, "secret") || strings.Contains(lk, "token") ||
			strings.Contains(lk, "sig") || strings.Contains(lk, "password") || lk == "connection_string" {
			q.Set(k, "REDACTED")
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// Join joins key parts with "/", dropping empty parts and duplicate slashes.
func Join(parts ...string) string {
	var out []string
	for _, p := range parts {
		p = strings.Trim(p, "/")
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "/")
}

// ContextReader reads R until Ctx is done, then fails with Ctx.Err(): a
// long copy (an upload, a download to a temporary file, hashing an object)
// stops when its run is cancelled.
type ContextReader struct {
	Ctx context.Context
	R   io.Reader
}

func (c ContextReader) Read(p []byte) (int, error) {
	if err := c.Ctx.Err(); err != nil {
		return 0, err
	}
	return c.R.Read(p)
}
