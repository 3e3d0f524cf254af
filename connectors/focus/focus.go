package focus

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

// Sentinel errors, tested with errors.Is. Every error about a file's content
// is also a *connectors.RowError (which matches connectors.ErrBadInput)
// wrapping one of these.
var (
	// ErrMissingColumn: a required FOCUS column is absent from the file.
	ErrMissingColumn = errors.New("missing required column")
	// ErrNull: a required column holds a null (empty or NULL) cell.
	ErrNull = errors.New("null in a required column")
	// ErrBadValue: a cell cannot be read as its column's type.
	ErrBadValue = errors.New("bad value")
	// ErrBadTags: the Tags cell is not a FOCUS key-value JSON object.
	ErrBadTags = errors.New("bad Tags")
	// ErrBadFile: the object is not a readable CSV or Parquet file.
	ErrBadFile = errors.New("unreadable file")
	// ErrUnknownOption: the source configuration has an option the focus kind does not take.
	ErrUnknownOption = errors.New("unknown option")
)

// Driver reads FOCUS files from a bucket. It implements connectors.Driver
// and connectors.InputLister.
type Driver struct {
	bucket objstore.Bucket
	prefix string
	fields cost.FieldSet // what ScanGroups fills; see WithFields
}

var (
	_ connectors.Driver      = (*Driver)(nil)
	_ connectors.InputLister = (*Driver)(nil)
)

// New returns a driver over the FOCUS files at prefix in bucket: the
// object named prefix if it exists, or else every .csv, .csv.gz and
// .parquet object under the folder prefix.
func New(bucket objstore.Bucket, prefix string) *Driver {
	return &Driver{bucket: bucket, prefix: strings.TrimPrefix(prefix, "/")}
}

// Open is the connectors.Opener for kind focus: it opens cfg.URL through
// env.Store. The focus kind takes no options; any key in cfg.Options is an
// error wrapping ErrUnknownOption.
func Open(ctx context.Context, env connectors.Env, cfg connectors.Config) (any, error) {
	b, prefix, err := objfiles.OpenStore(ctx, env, cfg, "focus", ErrUnknownOption)
	if err != nil {
		return nil, err
	}
	return New(b, prefix).WithFields(cfg.Fields), nil
}

// fileFormat is how one object is decoded.
type fileFormat int

const (
	formatCSV     fileFormat = iota // .csv or .csv.gz (gzip detected by content)
	formatParquet                   // .parquet
)

// formatOf returns the format a key's extension names, matched
// case-insensitively.
func formatOf(key string) (fileFormat, bool) {
	k := strings.ToLower(key)
	switch {
	case strings.HasSuffix(k, ".csv"), strings.HasSuffix(k, ".csv.gz"):
		return formatCSV, true
	case strings.HasSuffix(k, ".parquet"):
		return formatParquet, true
	}
	return 0, false
}

type file struct {
	obj    objstore.Object
	format fileFormat
	name   string // bucket and key, for provenance and errors
}

// lister finds the driver's data files (connectors/internal/objfiles).
func (d *Driver) lister() *objfiles.Lister {
	return &objfiles.Lister{Bucket: d.bucket, Prefix: d.prefix, Kind: "focus", Exts: ".csv, .csv.gz or .parquet", What: "a FOCUS file", ErrBadFile: ErrBadFile,
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

// Scan calls fn for every row of every file, in key order and then file
// order, including rows whose charge period starts outside p (the
// connectors.Source filters them). It returns an error wrapping
// connectors.ErrNotFound when no row's charge period starts in p.
func (d *Driver) Scan(ctx context.Context, p cost.Period, fn func(*cost.LineItem) error) error {
	files, err := d.files(ctx)
	if err != nil {
		return err
	}
	found := false
	var cbErr error
	cb := func(li *cost.LineItem) error {
		if !found && p.Contains(li.ChargePeriodStart) {
			found = true
		}
		if err := fn(li); err != nil {
			cbErr = err
			return err
		}
		return nil
	}
	dec := newDecoder(nil)
	for _, f := range files {
		if err := d.scanFile(ctx, f, dec, cb, nil); err != nil {
			if cbErr != nil && err == cbErr {
				return cbErr
			}
			return err
		}
	}
	if !found {
		return fmt.Errorf("focus: no row with a charge period starting in %s in %d file(s) under %s: %w",
			p, len(files), d.where(), connectors.ErrNotFound)
	}
	return nil
}

// scanFile decodes one object. When h is non-nil every byte of the object
// is also written to h, to the end of the object even if fn stops early
// with objfiles.ErrStop.
func (d *Driver) scanFile(ctx context.Context, f file, dec *decoder, fn func(*cost.LineItem) error, h hash.Hash) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	rc, err := d.bucket.Open(ctx, f.obj.Key)
	if err != nil {
		return fmt.Errorf("focus: %w", err)
	}
	defer rc.Close()
	var r io.Reader = rc
	if h != nil {
		r = io.TeeReader(rc, h)
	}
	switch f.format {
	case formatParquet:
		ra, size, cleanup, err := objfiles.ReaderAt(ctx, rc, -1, "", h)
		if err != nil {
			return fmt.Errorf("focus: read %s: %w", f.name, err)
		}
		defer cleanup()
		return dec.parquet(ctx, ra, size, f.name, fn)
	default:
		err := dec.csv(ctx, r, f.name, fn)
		if cerr := objfiles.HashRest(ctx, h, rc, err); cerr != nil {
			return fmt.Errorf("focus: read %s: %w", f.name, cerr)
		}
		return err
	}
}

// Inputs lists the files a scan of p reads, sorted by key, with the
// store's ETag as the fingerprint or, when the store has none, a SHA-256
// of the object's bytes. It reads each file's ChargePeriodStart column to
// find out whether any row falls in p, and returns an error wrapping
// connectors.ErrNotFound when none does.
func (d *Driver) Inputs(ctx context.Context, p cost.Period) ([]connectors.Input, error) {
	files, err := d.files(ctx)
	if err != nil {
		return nil, err
	}
	dec := newDecoder([]field{fChargePeriodStart})
	out, found, err := objfiles.Fingerprints(files, func(f file) (objstore.Object, string) { return f.obj, f.name },
		func(f file, h hash.Hash) (bool, error) {
			return objfiles.Probe(func(yield func(*cost.LineItem) error) error { return d.scanFile(ctx, f, dec, yield, h) },
				func(li *cost.LineItem) bool { return p.Contains(li.ChargePeriodStart) })
		})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("focus: no row with a charge period starting in %s in %d file(s) under %s: %w",
			p, len(files), d.where(), connectors.ErrNotFound)
	}
	return out, nil
}
