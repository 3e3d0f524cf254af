package awscur

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/internal/textio"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/objstore"
)

// maxManifestBytes bounds the memory a manifest may take.
const maxManifestBytes = 64 << 20

const manifestSuffix = "-Manifest.json"

// periodFolderRe matches a legacy CUR period folder, yyyymmdd-yyyymmdd.
var periodFolderRe = regexp.MustCompile(`^[0-9]{8}-[0-9]{8}$`)

// legacyManifest is the period manifest of a legacy CUR,
// <report-prefix>/<report-name>/yyyymmdd-yyyymmdd/<report-name>-Manifest.json.
// Unknown fields are ignored.
type legacyManifest struct {
	AssemblyID    string    `json:"assemblyId"`
	ReportName    string    `json:"reportName"`
	ReportKeys    *[]string `json:"reportKeys"`
	BillingPeriod struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"billingPeriod"`
}

// exportManifest is the manifest of a Data Exports (CUR 2.0) export,
// <prefix>/<export-name>/metadata/BILLING_PERIOD=YYYY-MM/<export-name>-Manifest.json.
// Unknown fields are ignored.
type exportManifest struct {
	ExecutionID string    `json:"executionId"`
	ExportARN   string    `json:"exportArn"`
	DataFiles   *[]string `json:"dataFiles"`
}

// planCUR reads the legacy CUR period manifest for p.
func (d *Driver) planCUR(ctx context.Context, p cost.Period) (*plan, error) {
	start := p.Start().Format("20060102")
	base := d.base()
	objs, err := d.bucket.List(ctx, base+start+"-")
	if err != nil {
		return nil, fmt.Errorf("awscur: list %s: %w", d.objectName(base+start+"-"), err)
	}
	var cands []objstore.Object
	for _, o := range objs {
		folder, name, ok := strings.Cut(strings.TrimPrefix(o.Key, base), "/")
		if !ok || strings.Contains(name, "/") || !periodFolderRe.MatchString(folder) ||
			!strings.HasPrefix(folder, start+"-") || !strings.HasSuffix(name, manifestSuffix) {
			continue
		}
		cands = append(cands, o)
	}
	mo, err := d.pickManifest(cands, p, d.objectName(base+start+"-yyyymmdd/<report-name>"+manifestSuffix))
	if err != nil {
		return nil, err
	}
	periodFolder, _, _ := strings.Cut(strings.TrimPrefix(mo.Key, base), "/")
	data, err := d.readManifest(ctx, mo)
	if err != nil {
		return nil, err
	}
	mname := d.objectName(mo.Key)
	var m legacyManifest
	if err := decodeManifest(data, &m); err != nil {
		return nil, manifestErr(mname, data, err)
	}
	if strings.TrimSpace(m.AssemblyID) == "" {
		return nil, &connectors.RowError{Object: mname, Column: "assemblyId",
			Err: fmt.Errorf("%w: no assemblyId; a CUR manifest names the report revision it lists", ErrBadManifest)}
	}
	if m.ReportKeys == nil {
		return nil, &connectors.RowError{Object: mname, Column: "reportKeys",
			Err: fmt.Errorf("%w: no reportKeys; a CUR manifest lists the report's files", ErrBadManifest)}
	}
	if s := strings.TrimSpace(m.BillingPeriod.Start); s != "" {
		t, err := textio.ParseTime(s)
		if err != nil {
			return nil, &connectors.RowError{Object: mname, Column: "billingPeriod.start", Err: fmt.Errorf("%w: %w", ErrBadManifest, err)}
		}
		if !t.Equal(p.Start()) {
			return nil, &connectors.RowError{Object: mname, Column: "billingPeriod.start",
				Err: fmt.Errorf("%w: billing period starts %s, but the manifest is in the folder of %s", ErrBadManifest, t.Format("2006-01-02"), p)}
		}
	}
	reportName := m.ReportName
	if reportName == "" {
		reportName = strings.TrimSuffix(path.Base(mo.Key), manifestSuffix)
	}
	pl := &plan{manifest: mo, revKind: "assemblyId", rev: m.AssemblyID}
	err = d.statListed(ctx, pl, mname, "reportKeys", *m.ReportKeys, func(k string) (string, bool) {
		return resolveLegacyKey(d.prefix, periodFolder, reportName, k)
	})
	if err != nil {
		return nil, err
	}
	d.log.Debug("awscur: manifest", "manifest", mname, "assemblyId", m.AssemblyID, "objects", len(pl.objects))
	return pl, nil
}

// planCUR2 reads the Data Exports manifest for p.
func (d *Driver) planCUR2(ctx context.Context, p cost.Period) (*plan, error) {
	partition := "BILLING_PERIOD=" + p.String()
	folder := d.base() + "metadata/" + partition + "/"
	objs, err := d.bucket.List(ctx, folder)
	if err != nil {
		return nil, fmt.Errorf("awscur: list %s: %w", d.objectName(folder), err)
	}
	var cands []objstore.Object
	for _, o := range objs {
		name := strings.TrimPrefix(o.Key, folder)
		if strings.Contains(name, "/") || !strings.HasSuffix(name, manifestSuffix) {
			continue
		}
		cands = append(cands, o)
	}
	mo, err := d.pickManifest(cands, p, d.objectName(folder+"<export-name>"+manifestSuffix))
	if err != nil {
		return nil, err
	}
	data, err := d.readManifest(ctx, mo)
	if err != nil {
		return nil, err
	}
	mname := d.objectName(mo.Key)
	var m exportManifest
	if err := decodeManifest(data, &m); err != nil {
		return nil, manifestErr(mname, data, err)
	}
	if strings.TrimSpace(m.ExecutionID) == "" {
		return nil, &connectors.RowError{Object: mname, Column: "executionId",
			Err: fmt.Errorf("%w: no executionId; a Data Exports manifest names the execution that delivered its files", ErrBadManifest)}
	}
	if m.DataFiles == nil {
		return nil, &connectors.RowError{Object: mname, Column: "dataFiles",
			Err: fmt.Errorf("%w: no dataFiles; a Data Exports manifest lists the export's files", ErrBadManifest)}
	}
	pl := &plan{manifest: mo, revKind: "executionId", rev: m.ExecutionID}
	err = d.statListed(ctx, pl, mname, "dataFiles", *m.DataFiles, func(k string) (string, bool) {
		return resolveExportKey(d.prefix, partition, k)
	})
	if err != nil {
		return nil, err
	}
	d.log.Debug("awscur: manifest", "manifest", mname, "executionId", m.ExecutionID, "objects", len(pl.objects))
	return pl, nil
}

// base is the prefix as a folder: "" or "prefix/".
func (d *Driver) base() string {
	p := strings.Trim(d.prefix, "/")
	if p == "" {
		return ""
	}
	return p + "/"
}

// pickManifest chooses the period's manifest among cands: the one the
// ReportName option names, else the only one, else the one named after
// the report folder.
func (d *Driver) pickManifest(cands []objstore.Object, p cost.Period, where string) (objstore.Object, error) {
	want := d.opts.ReportName
	if want != "" {
		var keep []objstore.Object
		for _, o := range cands {
			if path.Base(o.Key) == want+manifestSuffix {
				keep = append(keep, o)
			}
		}
		if len(keep) == 0 && len(cands) > 0 {
			return objstore.Object{}, fmt.Errorf("awscur: no manifest of report %q for %s at %s (found %s): %w",
				want, p, where, manifestNames(cands), connectors.ErrNotFound)
		}
		cands = keep
	}
	switch len(cands) {
	case 0:
		return objstore.Object{}, fmt.Errorf("awscur: no manifest for %s at %s: %w", p, where, connectors.ErrNotFound)
	case 1:
		return cands[0], nil
	}
	if folder := path.Base(strings.Trim(d.prefix, "/")); folder != "." && folder != "" && want == "" {
		var keep []objstore.Object
		for _, o := range cands {
			if path.Base(o.Key) == folder+manifestSuffix {
				keep = append(keep, o)
			}
		}
		if len(keep) == 1 {
			return keep[0], nil
		}
	}
	return objstore.Object{}, fmt.Errorf("awscur: %w for %s: %s; set the source option %s to the one to read",
		ErrAmbiguousManifest, p, manifestNames(cands), d.layout.nameOption())
}

func manifestNames(objs []objstore.Object) string {
	names := make([]string, len(objs))
	for i, o := range objs {
		names[i] = o.Key
	}
	return strings.Join(names, ", ")
}

func (d *Driver) readManifest(ctx context.Context, mo objstore.Object) ([]byte, error) {
	mname := d.objectName(mo.Key)
	rc, err := d.bucket.Open(ctx, mo.Key)
	if err != nil {
		return nil, fmt.Errorf("awscur: open manifest %s: %w", mname, err)
	}
	defer rc.Close()
	data, err := readAllLimit(rc, maxManifestBytes)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, fmt.Errorf("awscur: read manifest %s: %w", mname, err)
	}
	return data, nil
}

// decodeManifest decodes JSON leniently: unknown fields are ignored.
func decodeManifest(data []byte, v any) error {
	return json.Unmarshal(data, v)
}

// manifestErr turns a JSON error into a RowError with the line it is on.
func manifestErr(mname string, data []byte, err error) error {
	var line int64
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		line = int64(bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))) + 1
	case errors.As(err, &te):
		line = int64(bytes.Count(data[:min(int(te.Offset), len(data))], []byte("\n"))) + 1
	}
	col := ""
	if te != nil {
		col = te.Field
	}
	return &connectors.RowError{Object: mname, Line: line, Column: col,
		Err: fmt.Errorf("%w: %w; the manifest must be the JSON AWS delivered, unchanged", ErrBadManifest, err)}
}

// statListed resolves each key a manifest lists to a key of the bucket and
// describes the object, so a missing object fails the scan before any line
// is read. list names the manifest field for error messages.
func (d *Driver) statListed(ctx context.Context, pl *plan, mname, list string, keys []string, resolve func(string) (string, bool)) error {
	seen := make(map[string]bool, len(keys))
	for i, k := range keys {
		col := fmt.Sprintf("%s[%d]", list, i)
		key, ok := resolve(k)
		if !ok {
			return &connectors.RowError{Object: mname, Column: col,
				Err: fmt.Errorf("%w: %q is not inside this report's period folder; point the source URL at the folder the report writes", ErrBadManifest, k)}
		}
		if seen[key] {
			return &connectors.RowError{Object: mname, Column: col,
				Err: fmt.Errorf("%w: %q is listed twice; reading it twice would count its cost twice", ErrBadManifest, k)}
		}
		seen[key] = true
		o, err := d.bucket.Stat(ctx, key)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			if errors.Is(err, objstore.ErrNotFound) {
				return &connectors.RowError{Object: mname, Column: col,
					Err: fmt.Errorf("%w: %s; the delivery is incomplete or the folder was copied in part: copy the whole report folder again", ErrMissingObject, d.objectName(key))}
			}
			return fmt.Errorf("awscur: stat %s: %w", d.objectName(key), err)
		}
		pl.objects = append(pl.objects, o)
	}
	return nil
}

// resolveLegacyKey maps a reportKeys entry (a key of the bucket AWS wrote
// to) to a key of the bucket the driver reads, which may be a copy of the
// report folder elsewhere: the key as it is when it lies under the prefix,
// else the part from the period folder on, else (Parquet reports, whose
// files live outside the period folder) the part after the report name.
func resolveLegacyKey(prefix, periodFolder, reportName, key string) (string, bool) {
	key = strings.TrimLeft(key, "/")
	prefix = strings.Trim(prefix, "/")
	if prefix != "" && strings.HasPrefix(key, prefix+"/") {
		return key, true
	}
	marker := periodFolder + "/"
	if strings.HasPrefix(key, marker) {
		return objstore.Join(prefix, key), true
	}
	if i := strings.Index(key, "/"+marker); i >= 0 {
		return objstore.Join(prefix, key[i+1:]), true
	}
	if reportName != "" {
		segs := strings.Split(key, "/")
		for i := 0; i < len(segs)-1; i++ {
			if segs[i] == reportName {
				return objstore.Join(prefix, strings.Join(segs[i+1:], "/")), true
			}
		}
	}
	return "", false
}

// resolveExportKey maps a dataFiles entry (s3://bucket/.../data/BILLING_PERIOD=YYYY-MM/...)
// to a key of the bucket the driver reads: the key as it is when it lies
// under the prefix, else the part from data/<partition>/ on, under the prefix.
func resolveExportKey(prefix, partition, uri string) (string, bool) {
	key := uri
	if len(key) >= 5 && strings.EqualFold(key[:5], "s3://") {
		_, key, _ = strings.Cut(key[5:], "/")
	}
	try := func(key string) (string, bool) {
		key = strings.TrimLeft(key, "/")
		p := strings.Trim(prefix, "/")
		if p != "" && strings.HasPrefix(key, p+"/") {
			return key, true
		}
		marker := "data/" + partition + "/"
		if strings.HasPrefix(key, marker) {
			return objstore.Join(p, key), true
		}
		if i := strings.Index(key, "/"+marker); i >= 0 {
			return objstore.Join(p, key[i+1:]), true
		}
		return "", false
	}
	if k, ok := try(key); ok {
		return k, true
	}
	if strings.Contains(key, "%") {
		if u, err := url.PathUnescape(key); err == nil {
			return try(u)
		}
	}
	return "", false
}
