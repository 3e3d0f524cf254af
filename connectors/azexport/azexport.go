package azexport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/internal/textio"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/objstore"
)

// Options tune a Driver. The zero value is usable.
type Options struct {
	// Dataset says what the export holds when no manifest does. It must
	// agree with a manifest's exportConfig.type when both are set.
	Dataset Dataset
	// Currency is the billing currency of files that have no currency
	// column (some legacy and hand-made files); rows of files with the
	// column always use their own.
	Currency string
	// Logger receives one line per run selected; nil discards.
	Logger *slog.Logger
}

// Driver reads Azure Cost Management exports from a bucket. It implements
// connectors.Driver and connectors.InputLister.
type Driver struct {
	bucket objstore.Bucket
	prefix string
	opts   Options
	log    *slog.Logger
	fields cost.FieldSet // what ScanGroups fills; see WithFields
}

var (
	_ connectors.Driver      = (*Driver)(nil)
	_ connectors.InputLister = (*Driver)(nil)
)

// Option keys accepted in a source's options.
const (
	OptionDataset  = "dataset"
	OptionCurrency = "currency"
)

// Open is the connectors.Opener for kind azure-export: it opens cfg.URL
// through env.Store (file:PATH, azblob://account/container/prefix).
func Open(ctx context.Context, env connectors.Env, cfg connectors.Config) (any, error) {
	var opts Options
	keys := make([]string, 0, len(cfg.Options))
	for k := range cfg.Options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := cfg.Options[k]
		switch k {
		case OptionDataset:
			ds, err := parseDatasetOption(v)
			if err != nil {
				return nil, err
			}
			opts.Dataset = ds
		case OptionCurrency:
			opts.Currency = v
		default:
			return nil, fmt.Errorf("azexport: unknown option %q (known: %s, %s)", k, OptionDataset, OptionCurrency)
		}
	}
	if env.Store == nil {
		return nil, errors.New("azexport: no storage registry (connectors.Env.Store) to open the source URL with")
	}
	b, prefix, err := env.Store.Open(ctx, cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("azexport: %w", err)
	}
	opts.Logger = env.Logger
	d, err := New(b, prefix, &opts)
	if err != nil {
		return nil, err
	}
	return d.WithFields(cfg.Fields), nil
}

// WithFields returns a driver like d whose ScanGroups fills only the line
// item fields of fs (connectors.Config.Fields; the zero set means every
// field): its grouped scan keys groups by the columns of those fields
// alone. The charge date, the cost, the charge type, the pricing model and
// the billing currency are always read. Scan is unaffected.
func (d *Driver) WithFields(fs cost.FieldSet) *Driver {
	c := *d
	c.fields = fs
	return &c
}

// New returns a Driver over prefix in b: a single export file, or an export
// folder ({export-name}/ with date-range folders inside). opts may be nil.
func New(b objstore.Bucket, prefix string, opts *Options) (*Driver, error) {
	if b == nil {
		return nil, errors.New("azexport: nil bucket")
	}
	d := &Driver{bucket: b, prefix: strings.Trim(prefix, "/")}
	if opts != nil {
		d.opts = *opts
	}
	switch d.opts.Dataset {
	case DatasetUnknown, DatasetActual, DatasetAmortized, DatasetFocus:
	default:
		return nil, fmt.Errorf("azexport: dataset %q: want actual, amortized or focus", d.opts.Dataset)
	}
	if c := d.opts.Currency; c != "" {
		d.opts.Currency = strings.ToUpper(strings.TrimSpace(c))
		if !cost.ValidCurrency(d.opts.Currency) {
			return nil, fmt.Errorf("azexport: option currency=%q is not an ISO 4217 code such as USD", c)
		}
	}
	d.log = d.opts.Logger
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	return d, nil
}

// where names a key for errors and provenance, without credentials.
func (d *Driver) where(key string) string {
	return strings.TrimSuffix(d.bucket.String(), "/") + "/" + key
}

// plan is what a scan of one period reads.
type plan struct {
	run     *run // nil for a single file
	blobs   []blobRef
	dataset Dataset
}

type blobRef struct {
	key      string
	wantRows *int64 // the manifest's dataRowCount
}

// plan finds the objects a scan of p reads.
func (d *Driver) plan(ctx context.Context, p cost.Period) (*plan, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if d.prefix != "" {
		_, err := d.bucket.Stat(ctx, d.prefix)
		if err == nil {
			return &plan{blobs: []blobRef{{key: d.prefix}}, dataset: d.opts.Dataset}, nil
		}
		if !errors.Is(err, objstore.ErrNotFound) {
			return nil, fmt.Errorf("azexport: stat %s: %w", d.where(d.prefix), err)
		}
	}
	runs, err := d.findRuns(ctx, d.prefix, p)
	if err != nil {
		return nil, err
	}
	r, err := d.currentRun(ctx, runs)
	if err != nil {
		return nil, err
	}
	ds := d.opts.Dataset
	if r.m.ExportConfig != nil && r.m.ExportConfig.Type != "" {
		mds, err := datasetOfExportType(r.m.ExportConfig.Type)
		if err != nil {
			return nil, fmt.Errorf("azexport: manifest %s: %v: %w", d.where(r.key), err, connectors.ErrBadInput)
		}
		if ds != DatasetUnknown && ds != mds {
			return nil, fmt.Errorf("azexport: option dataset=%s contradicts manifest %s (exportConfig.type %s); remove the option: %w",
				ds, d.where(r.key), r.m.ExportConfig.Type, connectors.ErrBadInput)
		}
		ds = mds
	}
	pl := &plan{run: r, dataset: ds}
	for _, bl := range r.m.Blobs {
		key, err := r.blobKey(bl.BlobName)
		if err != nil {
			return nil, fmt.Errorf("azexport: manifest %s: %v: %w", d.where(r.key), err, connectors.ErrBadInput)
		}
		pl.blobs = append(pl.blobs, blobRef{key: key, wantRows: bl.DataRowCount})
	}
	d.log.Info("azure export run selected", "period", p.String(), "manifest", d.where(r.key),
		"run", r.runID(), "submitted", r.when.Format(time.RFC3339), "runs_seen", len(runs),
		"blobs", len(pl.blobs), "dataset", string(ds))
	return pl, nil
}

// Scan streams the line items of the export run for p (or of the single
// file) to fn, in manifest order and file order.
func (d *Driver) Scan(ctx context.Context, p cost.Period, fn func(*cost.LineItem) error) error {
	pl, err := d.plan(ctx, p)
	if err != nil {
		return err
	}
	var yielded, rows int64
	for _, b := range pl.blobs {
		n, y, err := d.scanBlob(ctx, b, pl.dataset, p, pl.run == nil, fn)
		if err != nil {
			return err
		}
		rows += n
		yielded += y
		if b.wantRows != nil && *b.wantRows != n {
			return fmt.Errorf("azexport: %s has %d data rows but manifest %s says %d; the run is incomplete or damaged, wait for the next run or re-run the export: %w",
				d.where(b.key), n, d.where(pl.run.key), *b.wantRows, connectors.ErrBadInput)
		}
	}
	if pl.run == nil && rows > 0 && yielded == 0 {
		return d.noRowsIn(p)
	}
	return nil
}

// noRowsIn is the error of a single file with rows but none dated in p.
func (d *Driver) noRowsIn(p cost.Period) error {
	return fmt.Errorf("azexport: %s has no rows dated in %s: %w", d.where(d.prefix), p, connectors.ErrNotFound)
}

// scanBlob reads one CSV or Parquet file. It returns the number of data rows and of
// items yielded. With onlyPeriod (a single file holding any months) it
// yields only the rows dated in p, so that a file without them can be
// reported as ErrNotFound.
func (d *Driver) scanBlob(ctx context.Context, b blobRef, ds Dataset, p cost.Period, onlyPeriod bool, fn func(*cost.LineItem) error) (rows, yielded int64, err error) {
	name := d.where(b.key)
	rc, err := d.bucket.Open(ctx, b.key)
	if err != nil {
		if errors.Is(err, objstore.ErrNotFound) {
			return 0, 0, fmt.Errorf("azexport: %s is missing: %w: %w", name, err, connectors.ErrBadInput)
		}
		return 0, 0, fmt.Errorf("azexport: open %s: %w", name, err)
	}
	defer rc.Close()
	pq := isParquetName(b.key)
	// at turns a position into the RowError field: a CSV line, a Parquet row.
	at := func(re *connectors.RowError, pos int64) *connectors.RowError {
		if pq {
			re.Row = pos
		} else {
			re.Line = pos
		}
		return re
	}
	var c records
	if pq {
		pr, err := openParquet(ctx, rc)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return 0, 0, ctxErr
			}
			return 0, 0, &connectors.RowError{Object: name, Err: fmt.Errorf("%w: %w", connectors.ErrBadInput, err)}
		}
		c = pr
	} else {
		zr, err := textio.Decompress(rc)
		if err != nil {
			return 0, 0, &connectors.RowError{Object: name, Err: err}
		}
		defer zr.Close()
		cr, err := textio.NewCSV(zr)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return 0, 0, ctxErr
			}
			return 0, 0, &connectors.RowError{Object: name, Line: 1, Err: err}
		}
		c = csvRecords{cr}
	}
	defer c.close()
	h := newHeader(c.header())
	// headerErr places an error about the columns: the CSV header line; a
	// Parquet schema has no line.
	headerErr := func(err error) error {
		var re *connectors.RowError
		if pq && errors.As(err, &re) {
			re.Line = 0
		}
		return err
	}
	l, err := newLayout(h, name)
	if err != nil {
		return 0, 0, headerErr(err)
	}
	if ds == DatasetFocus && !l.focus {
		return 0, 0, headerErr(&connectors.RowError{Object: name, Line: 1, Err: errors.New(
			"the export is a FocusCost export but the file has no BilledCost, EffectiveCost and ChargePeriodStart columns")})
	}
	if l.focus && ds != DatasetUnknown && ds != DatasetFocus {
		return 0, 0, headerErr(&connectors.RowError{Object: name, Line: 1, Err: fmt.Errorf(
			"the file has FocusCost columns but the export is %s; fix the dataset option", ds)})
	}
	m := &rowMapper{l: l, h: h, object: name, dataset: ds, currency: d.opts.Currency}
	var li cost.LineItem
	for {
		if rows&0xff == 0 {
			if err := ctx.Err(); err != nil {
				return rows, yielded, err
			}
		}
		rec, pos, err := c.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return rows, yielded, ctxErr
			}
			if !pq && textio.Damaged(err) {
				err = fmt.Errorf("reading after row %d: %w; the file is truncated or damaged: export or download it again", rows, err)
			}
			return rows, yielded, at(&connectors.RowError{Object: name, Err: err}, pos)
		}
		rows++
		li = cost.LineItem{}
		if err := m.mapRow(rec, pos, &li); err != nil {
			var re *connectors.RowError
			if pq && errors.As(err, &re) {
				re.Row, re.Line = re.Line, 0
			}
			return rows, yielded, err
		}
		li.Source = cost.Provenance{Object: name, Row: rows}
		if !pq {
			li.Source.Line = pos
		}
		if onlyPeriod && !p.Contains(li.ChargePeriodStart) {
			continue
		}
		yielded++
		if err := fn(&li); err != nil {
			return rows, yielded, err
		}
	}
	return rows, yielded, nil
}

// Inputs lists the objects a scan of p reads: the run's manifest, with the
// run id as its fingerprint, and each data file with its ETag (or its size
// and modification time when the store has no ETag).
func (d *Driver) Inputs(ctx context.Context, p cost.Period) ([]connectors.Input, error) {
	pl, err := d.plan(ctx, p)
	if err != nil {
		return nil, err
	}
	var in []connectors.Input
	if pl.run != nil {
		o, err := d.bucket.Stat(ctx, pl.run.key)
		if err != nil {
			return nil, fmt.Errorf("azexport: stat %s: %w", d.where(pl.run.key), err)
		}
		in = append(in, connectors.Input{Object: d.where(pl.run.key), Fingerprint: "run:" + pl.run.runID(), Size: o.Size})
	}
	for _, b := range pl.blobs {
		o, err := d.bucket.Stat(ctx, b.key)
		if err != nil {
			if errors.Is(err, objstore.ErrNotFound) {
				return nil, fmt.Errorf("azexport: %s is missing: %w: %w", d.where(b.key), err, connectors.ErrBadInput)
			}
			return nil, fmt.Errorf("azexport: stat %s: %w", d.where(b.key), err)
		}
		in = append(in, connectors.Input{Object: d.where(b.key), Fingerprint: fingerprint(o), Size: o.Size})
	}
	sort.Slice(in, func(i, j int) bool { return in[i].Object < in[j].Object })
	return in, nil
}

func fingerprint(o objstore.Object) string {
	if o.ETag != "" {
		return "etag:" + o.ETag
	}
	return fmt.Sprintf("size:%d,mtime:%s", o.Size, o.ModTime.UTC().Format(time.RFC3339Nano))
}
