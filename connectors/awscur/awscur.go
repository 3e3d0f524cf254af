package awscur

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/objstore"
)

// Sentinel errors, tested with errors.Is. Errors about a row or a manifest
// entry are a [*connectors.RowError] wrapping one of these, so they also
// match [connectors.ErrBadInput].
var (
	// ErrMissingColumn: a file lacks a required column (line item type,
	// usage start date, unblended cost, currency).
	ErrMissingColumn = errors.New("required column missing")
	// ErrMissingValue: a row lacks a value its cost rule needs.
	ErrMissingValue = errors.New("required value missing")
	// ErrBadValue: a cell is not a number, a timestamp, a currency code or a
	// JSON map where one is expected.
	ErrBadValue = errors.New("bad value")
	// ErrUnknownLineItemType: a line item type this connector has no cost rule for.
	ErrUnknownLineItemType = errors.New("unknown line item type")
	// ErrBadManifest: a manifest is not valid JSON or lacks its revision id,
	// its file list, or lists a file twice.
	ErrBadManifest = errors.New("malformed manifest")
	// ErrMissingObject: a manifest lists an object that does not exist.
	ErrMissingObject = errors.New("object listed in the manifest does not exist")
	// ErrAmbiguousManifest: several reports or exports write manifests for
	// the period into the folder and no report_name option picks one.
	ErrAmbiguousManifest = errors.New("several manifests for the period")
	// ErrCorrupt: a file is truncated or corrupt (bad gzip, bad CSV quoting,
	// bad Parquet).
	ErrCorrupt = errors.New("corrupt or truncated file")
	// ErrUnsupportedFormat: a ZIP-compressed report, or a Parquet column of
	// a type no cost column can have.
	ErrUnsupportedFormat = errors.New("unsupported file format")
	// ErrUnknownOption: a source option this connector does not know.
	ErrUnknownOption = errors.New("unknown option")
)

// Layout says how a report folder is organised.
type Layout int

const (
	// LayoutCUR is the legacy Cost and Usage Report: yyyymmdd-yyyymmdd/
	// period folders, each with a <report-name>-Manifest.json.
	LayoutCUR Layout = iota
	// LayoutCUR2 is a Data Exports (CUR 2.0) export: data/BILLING_PERIOD=YYYY-MM/
	// and metadata/BILLING_PERIOD=YYYY-MM/<export-name>-Manifest.json.
	LayoutCUR2
)

func (l Layout) String() string {
	if l == LayoutCUR2 {
		return connectors.KindAWSCUR2
	}
	return connectors.KindAWSCUR
}

// Options tune a Driver. A nil *Options means the defaults.
type Options struct {
	// ReportName picks the report (aws-cur) or export (aws-cur2) whose
	// manifest is read when several write into the same folder. Empty: the
	// folder's only manifest, or the one named after the folder.
	ReportName string
	// TempDir is where a Parquet object is copied when the store cannot
	// read it at random offsets. Empty: the system temporary folder.
	TempDir string
	// Logger receives which manifest and revision a scan reads. Nil: no logs.
	Logger *slog.Logger
	// Location names the bucket in provenance and errors: an object is
	// Location + "/" + key. It must not hold credentials. Empty: the
	// bucket's String(). The openers set it from the source URL
	// (s3://bucket, file:/path/to/folder).
	Location string
	// Fields are the line item fields ScanGroups fills (connectors.Config.Fields):
	// it reads only the columns their cost rules need and groups by those
	// fields alone. The zero set means every field. Scan fills every field.
	Fields cost.FieldSet
}

// Driver reads one AWS report folder, or one file. It implements
// [connectors.Driver] and [connectors.InputLister].
type Driver struct {
	bucket objstore.Bucket
	prefix string
	layout Layout
	opts   Options
	log    *slog.Logger
}

var (
	_ connectors.Driver      = (*Driver)(nil)
	_ connectors.InputLister = (*Driver)(nil)
)

// NewCUR returns a driver for a legacy CUR report folder (or one file)
// at prefix inside b.
func NewCUR(b objstore.Bucket, prefix string, opts *Options) *Driver {
	return newDriver(b, prefix, LayoutCUR, opts)
}

// NewCUR2 returns a driver for a CUR 2.0 export folder (or one file) at
// prefix inside b.
func NewCUR2(b objstore.Bucket, prefix string, opts *Options) *Driver {
	return newDriver(b, prefix, LayoutCUR2, opts)
}

func newDriver(b objstore.Bucket, prefix string, l Layout, opts *Options) *Driver {
	d := &Driver{bucket: b, prefix: strings.TrimLeft(prefix, "/"), layout: l}
	if opts != nil {
		d.opts = *opts
	}
	d.log = d.opts.Logger
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	return d
}

// Scan calls fn for each line item of the objects the period's manifest
// lists (or of the single file the driver was opened on), in manifest
// order and then file order. See the package documentation for errors.
func (d *Driver) Scan(ctx context.Context, p cost.Period, fn func(*cost.LineItem) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	pl, err := d.plan(ctx, p)
	if err != nil {
		return err
	}
	e := &emitter{fn: fn, period: p, tags: cost.Tags{}}
	for _, o := range pl.objects {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := d.scanObject(ctx, o, e); err != nil {
			return err
		}
	}
	if pl.single && e.inPeriod == 0 {
		return fmt.Errorf("awscur: %s holds no line item whose usage starts in %s: %w",
			d.objectName(pl.objects[0].Key), p, connectors.ErrNotFound)
	}
	return nil
}

// Inputs lists the manifest and the objects a scan of p reads, each with a
// fingerprint: the revision (assemblyId or executionId) and the object's
// ETag, or its size and modification time when the store has no ETag.
func (d *Driver) Inputs(ctx context.Context, p cost.Period) ([]connectors.Input, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pl, err := d.plan(ctx, p)
	if err != nil {
		return nil, err
	}
	var in []connectors.Input
	add := func(o objstore.Object) {
		in = append(in, connectors.Input{Object: d.objectName(o.Key), Fingerprint: pl.fingerprint(o), Size: o.Size})
	}
	if !pl.single {
		add(pl.manifest)
	}
	for _, o := range pl.objects {
		add(o)
	}
	sort.Slice(in, func(i, j int) bool { return in[i].Object < in[j].Object })
	return in, nil
}

// objectName is the provenance name of key: the bucket's description (no
// credentials) and the key.
func (d *Driver) objectName(key string) string {
	loc := d.opts.Location
	if loc == "" {
		loc = d.bucket.String()
	}
	return strings.TrimRight(loc, "/") + "/" + key
}

// scanObject reads one data object, choosing the reader by name and content.
func (d *Driver) scanObject(ctx context.Context, o objstore.Object, e *emitter) error {
	name := d.objectName(o.Key)
	if isParquetName(o.Key) {
		return d.scanParquetObject(ctx, o, name, e)
	}
	rc, err := d.bucket.Open(ctx, o.Key)
	if err != nil {
		return fmt.Errorf("awscur: open %s: %w", name, err)
	}
	br := newPeekReader(rc)
	if magic, _ := br.Peek(4); string(magic) == "PAR1" {
		rc.Close()
		return d.scanParquetObject(ctx, o, name, e)
	}
	defer rc.Close()
	return scanCSV(ctx, name, br, e)
}

func isParquetName(key string) bool {
	return strings.HasSuffix(strings.ToLower(key), ".parquet")
}

// emitter turns filled rows into calls of the scan's callback, reusing one
// line item and one tag map for the whole scan.
type emitter struct {
	li       cost.LineItem
	tags     cost.Tags
	fn       func(*cost.LineItem) error
	period   cost.Period
	inPeriod int64
}

// reset clears the line item and the tags before a row is filled.
func (e *emitter) reset() {
	clear(e.tags)
	e.li = cost.LineItem{}
}

// setTag records a tag; an empty value means the tag is absent.
func (e *emitter) setTag(key, value string) {
	if strings.TrimSpace(value) == "" {
		return
	}
	e.tags[key] = value
}

func (e *emitter) emit() error {
	if len(e.tags) > 0 {
		e.li.Tags = e.tags
	}
	if e.period.Contains(e.li.ChargePeriodStart) {
		e.inPeriod++
	}
	return e.fn(&e.li)
}

// plan is what a scan of one period reads.
type plan struct {
	single   bool
	manifest objstore.Object
	revKind  string // "assemblyId" or "executionId"
	rev      string
	objects  []objstore.Object
}

// fingerprint identifies the content of o at this revision.
func (pl *plan) fingerprint(o objstore.Object) string {
	var b strings.Builder
	if pl.rev != "" {
		b.WriteString(pl.revKind + "=" + pl.rev + ";")
	}
	if o.ETag != "" {
		b.WriteString("etag=" + o.ETag)
	} else {
		b.WriteString("size=" + strconv.FormatInt(o.Size, 10) + ";modtime=" + o.ModTime.UTC().Format(time.RFC3339Nano))
	}
	return b.String()
}

// plan finds what a scan of p reads: the single object the prefix names,
// or the objects the period's manifest lists.
func (d *Driver) plan(ctx context.Context, p cost.Period) (*plan, error) {
	if d.prefix != "" && !strings.HasSuffix(d.prefix, "/") {
		o, err := d.bucket.Stat(ctx, d.prefix)
		if err == nil {
			return &plan{single: true, objects: []objstore.Object{o}}, nil
		}
		if !errors.Is(err, objstore.ErrNotFound) {
			return nil, fmt.Errorf("awscur: stat %s: %w", d.objectName(d.prefix), err)
		}
	}
	if d.layout == LayoutCUR2 {
		return d.planCUR2(ctx, p)
	}
	return d.planCUR(ctx, p)
}

// readAllLimit reads at most limit bytes of r; more is an error.
func readAllLimit(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return b, nil
}
