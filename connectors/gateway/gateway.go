package gateway

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"sort"
	"strings"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/objstore"
)

// Sentinel errors, tested with errors.Is. Every error about a file's
// content is also a *connectors.RowError (matching connectors.ErrBadInput)
// wrapping one of these.
var (
	// ErrMissingField: a record has no timestamp, or a CSV header no timestamp column.
	ErrMissingField = errors.New("missing field")
	// ErrBadValue: a field's value cannot be read (a bad timestamp, a
	// negative or fractional token count, a count below 1, an unknown eval scope).
	ErrBadValue = errors.New("bad value")
	// ErrBadRecord: a line is not one JSON object, or a field is given twice.
	ErrBadRecord = errors.New("bad record")
	// ErrBadFile: the file cannot be read as JSON lines or CSV.
	ErrBadFile = errors.New("unreadable file")
	// ErrUnknownOption: the source configuration has an option the gateway kind does not take.
	ErrUnknownOption = errors.New("unknown option")
)

// Driver reads gateway usage records from a bucket. It implements
// connectors.UsageDriver and connectors.InputLister.
type Driver struct {
	bucket objstore.Bucket
	prefix string
}

var (
	_ connectors.UsageDriver = (*Driver)(nil)
	_ connectors.InputLister = (*Driver)(nil)
)

// New returns a driver over the usage files at prefix in bucket: the
// object named prefix if it exists, or else every usage file under the
// folder prefix.
func New(bucket objstore.Bucket, prefix string) *Driver {
	return &Driver{bucket: bucket, prefix: strings.TrimPrefix(prefix, "/")}
}

// Open is the connectors.Opener for kind gateway: it opens cfg.URL through
// env.Store. The kind takes no options; any key is an error wrapping
// ErrUnknownOption.
func Open(ctx context.Context, env connectors.Env, cfg connectors.Config) (any, error) {
	if len(cfg.Options) > 0 {
		keys := make([]string, 0, len(cfg.Options))
		for k := range cfg.Options {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return nil, fmt.Errorf("gateway: %w %q: the gateway kind takes no options; remove it from the source", ErrUnknownOption, keys[0])
	}
	if env.Store == nil {
		return nil, errors.New("gateway: no object store in the environment (connectors.Env.Store is nil)")
	}
	b, prefix, err := env.Store.Open(ctx, cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	return New(b, prefix), nil
}

type fileFormat int

const (
	formatJSONL fileFormat = iota
	formatCSV
)

// formatOf maps a key's extension (case-insensitive, an optional .gz
// after it) to a format.
func formatOf(key string) (fileFormat, bool) {
	k := strings.TrimSuffix(strings.ToLower(key), ".gz")
	switch {
	case strings.HasSuffix(k, ".jsonl"), strings.HasSuffix(k, ".ndjson"), strings.HasSuffix(k, ".json"):
		return formatJSONL, true
	case strings.HasSuffix(k, ".csv"):
		return formatCSV, true
	}
	return 0, false
}

type file struct {
	obj    objstore.Object
	format fileFormat
	name   string
}

func (d *Driver) objectName(key string) string {
	return strings.TrimSuffix(d.bucket.String(), "/") + "/" + key
}

func (d *Driver) where() string {
	if d.prefix == "" {
		return d.bucket.String()
	}
	return d.objectName(d.prefix)
}

func (d *Driver) files(ctx context.Context) ([]file, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if d.prefix != "" && !strings.HasSuffix(d.prefix, "/") {
		obj, err := d.bucket.Stat(ctx, d.prefix)
		if err == nil {
			f, ok := formatOf(obj.Key)
			if !ok {
				return nil, fmt.Errorf("gateway: %s: %w: a usage file must end in .jsonl, .ndjson, .json or .csv, optionally with .gz",
					d.objectName(obj.Key), ErrBadFile)
			}
			return []file{{obj: obj, format: f, name: d.objectName(obj.Key)}}, nil
		}
		if !errors.Is(err, objstore.ErrNotFound) {
			return nil, fmt.Errorf("gateway: %w", err)
		}
	}
	folder := d.prefix
	if folder != "" && !strings.HasSuffix(folder, "/") {
		folder += "/"
	}
	objs, err := d.bucket.List(ctx, folder)
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	var out []file
	for _, o := range objs {
		if f, ok := formatOf(o.Key); ok {
			out = append(out, file{obj: o, format: f, name: d.objectName(o.Key)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].obj.Key < out[j].obj.Key })
	if len(out) == 0 {
		return nil, fmt.Errorf("gateway: no .jsonl, .ndjson, .json or .csv file under %s: %w", d.where(), connectors.ErrNotFound)
	}
	return out, nil
}

// ScanUsage calls fn for every record of every file, in key order and
// then file order, including records outside p (the connectors.Source
// filters them, and counts a request id once). It returns an error
// wrapping connectors.ErrNotFound when no record's timestamp is in p.
func (d *Driver) ScanUsage(ctx context.Context, p cost.Period, fn func(*cost.UsageRecord) error) error {
	files, err := d.files(ctx)
	if err != nil {
		return err
	}
	found := false
	var cbErr error
	cb := func(u *cost.UsageRecord) error {
		if !found && p.Contains(u.Timestamp) {
			found = true
		}
		if err := fn(u); err != nil {
			cbErr = err
			return err
		}
		return nil
	}
	dec := &decoder{}
	for _, f := range files {
		if err := d.scanFile(ctx, f, dec, cb, nil); err != nil {
			if cbErr != nil && err == cbErr {
				return cbErr
			}
			return err
		}
	}
	if !found {
		return fmt.Errorf("gateway: no usage record in %s in %d file(s) under %s: %w", p, len(files), d.where(), connectors.ErrNotFound)
	}
	return nil
}

var errStop = errors.New("gateway: stop")

func (d *Driver) scanFile(ctx context.Context, f file, dec *decoder, fn func(*cost.UsageRecord) error, h hash.Hash) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	rc, err := d.bucket.Open(ctx, f.obj.Key)
	if err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	defer rc.Close()
	var r io.Reader = rc
	if h != nil {
		r = io.TeeReader(rc, h)
	}
	if f.format == formatCSV {
		err = dec.csv(ctx, r, f.name, fn)
	} else {
		err = dec.jsonl(ctx, r, f.name, fn)
	}
	if h != nil && (err == nil || errors.Is(err, errStop)) {
		if _, cerr := io.Copy(h, ctxReader{ctx, rc}); cerr != nil {
			return fmt.Errorf("gateway: read %s: %w", f.name, cerr)
		}
	}
	return err
}

// Inputs lists the files a scan of p reads, sorted by key, with the
// store's ETag as fingerprint or else a SHA-256 of the object's bytes. It
// reads each file until it finds a record in p, and returns an error
// wrapping connectors.ErrNotFound when none has one.
func (d *Driver) Inputs(ctx context.Context, p cost.Period) ([]connectors.Input, error) {
	files, err := d.files(ctx)
	if err != nil {
		return nil, err
	}
	found := false
	out := make([]connectors.Input, 0, len(files))
	dec := &decoder{}
	for _, f := range files {
		var h hash.Hash
		fp := ""
		if f.obj.ETag != "" {
			fp = "etag:" + f.obj.ETag
		} else {
			h = sha256.New()
		}
		err := d.scanFile(ctx, f, dec, func(u *cost.UsageRecord) error {
			if p.Contains(u.Timestamp) {
				found = true
				return errStop
			}
			return nil
		}, h)
		if err != nil && !errors.Is(err, errStop) {
			return nil, err
		}
		if h != nil {
			fp = "sha256:" + hex.EncodeToString(h.Sum(nil))
		}
		out = append(out, connectors.Input{Object: f.name, Fingerprint: fp, Size: f.obj.Size})
	}
	if !found {
		return nil, fmt.Errorf("gateway: no usage record in %s in %d file(s) under %s: %w", p, len(files), d.where(), connectors.ErrNotFound)
	}
	return out, nil
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
