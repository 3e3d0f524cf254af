package gateway

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/internal/objfiles"
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
	b, prefix, err := objfiles.OpenStore(ctx, env, cfg, "gateway", ErrUnknownOption)
	if err != nil {
		return nil, err
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

// lister finds the driver's data files (connectors/internal/objfiles).
func (d *Driver) lister() *objfiles.Lister {
	return &objfiles.Lister{Bucket: d.bucket, Prefix: d.prefix, Kind: "gateway", Exts: ".jsonl, .ndjson, .json or .csv (optionally gzipped)", What: "a usage file", ErrBadFile: ErrBadFile,
		Format: func(key string) (int, bool) {
			f, ok := formatOf(key)
			return int(f), ok
		}}
}

// where describes the driver's location for messages.
func (d *Driver) where() string { return d.lister().Where() }

// files lists the objects a scan reads, sorted by key.
func (d *Driver) files(ctx context.Context) ([]file, error) {
	fs, err := d.lister().Files(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]file, len(fs))
	for i, f := range fs {
		out[i] = file{obj: f.Obj, format: fileFormat(f.Format), name: f.Name}
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
	if cerr := objfiles.HashRest(ctx, h, rc, err); cerr != nil {
		return fmt.Errorf("gateway: read %s: %w", f.name, cerr)
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
	dec := &decoder{}
	out, found, err := objfiles.Fingerprints(files, func(f file) (objstore.Object, string) { return f.obj, f.name },
		func(f file, h hash.Hash) (bool, error) {
			return objfiles.Probe(func(yield func(*cost.UsageRecord) error) error { return d.scanFile(ctx, f, dec, yield, h) },
				func(u *cost.UsageRecord) bool { return p.Contains(u.Timestamp) })
		})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("gateway: no usage record in %s in %d file(s) under %s: %w", p, len(files), d.where(), connectors.ErrNotFound)
	}
	return out, nil
}
