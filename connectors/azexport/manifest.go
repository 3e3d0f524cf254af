package azexport

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/internal/textio"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/objstore"
)

// manifestName is the file Azure writes into every run folder after the data.
const manifestName = "manifest.json"

// maxManifestBytes bounds how much of a manifest is read: real ones are a
// few kilobytes even with hundreds of blobs.
const maxManifestBytes = 16 << 20

// Manifest is an export run's manifest.json, versions 2021-01-01 and
// 2024-04-01. Fields the connector does not use are not decoded.
type Manifest struct {
	ManifestVersion string          `json:"manifestVersion"`
	DataFormat      string          `json:"dataFormat"` // 2021-01-01: "csv"
	BlobCount       *int64          `json:"blobCount"`
	DataRowCount    *int64          `json:"dataRowCount"`
	ExportConfig    *ExportConfig   `json:"exportConfig"`   // 2024-04-01
	DeliveryConfig  *DeliveryConfig `json:"deliveryConfig"` // 2024-04-01
	RunInfo         *RunInfo        `json:"runInfo"`        // 2024-04-01
	Blobs           []Blob          `json:"blobs"`
}

// ExportConfig says what the export holds.
type ExportConfig struct {
	ExportName string `json:"exportName"`
	Type       string `json:"type"` // ActualCost, AmortizedCost, FocusCost, …
}

// DeliveryConfig says how the export was written.
type DeliveryConfig struct {
	FileFormat      string `json:"fileFormat"`      // Csv, Parquet
	CompressionMode string `json:"compressionMode"` // None, Gzip, Snappy
}

// RunInfo identifies the run.
type RunInfo struct {
	SubmittedTime string `json:"submittedTime"`
	RunID         string `json:"runId"`
}

// Blob is one data file of the run.
type Blob struct {
	BlobName     string `json:"blobName"`
	ByteCount    *int64 `json:"byteCount"`
	DataRowCount *int64 `json:"dataRowCount"`
}

// run is one export run folder found under the prefix:
// {export}/{YYYYMMDD-YYYYMMDD}/{export-time}/{run}/manifest.json.
type run struct {
	key        string // manifest key in the bucket
	dir        string // run folder key
	exportDir  string // export folder key (the part before the date range)
	dateRange  string
	exportTime string
	folder     string // run folder name, a GUID
	m          *Manifest
	when       time.Time // submittedTime, or the export-time folder for 2021-01-01
}

// runID is the revision id recorded for the run: runInfo.runId, or the run
// folder's name when the manifest has none (2021-01-01).
func (r *run) runID() string {
	if r.m != nil && r.m.RunInfo != nil && r.m.RunInfo.RunID != "" {
		return r.m.RunInfo.RunID
	}
	return r.folder
}

// findRuns lists the run folders under prefix whose date range starts on
// the first day of p.
func (d *Driver) findRuns(ctx context.Context, prefix string, p cost.Period) ([]*run, error) {
	listPrefix := prefix
	if listPrefix != "" {
		listPrefix += "/"
	}
	objs, err := d.bucket.List(ctx, listPrefix)
	if err != nil {
		return nil, fmt.Errorf("azexport: list %s: %w", d.where(listPrefix), err)
	}
	want := fmt.Sprintf("%04d%02d01-", p.Year, int(p.Month))
	var runs []*run
	months := map[string]bool{}
	for _, o := range objs {
		if path.Base(o.Key) != manifestName {
			continue
		}
		segs := strings.Split(strings.TrimPrefix(o.Key, listPrefix), "/")
		n := len(segs)
		if n < 4 || !isDateRange(segs[n-4]) {
			continue
		}
		months[segs[n-4][:6]] = true
		if !strings.HasPrefix(segs[n-4], want) {
			continue
		}
		r := &run{
			key:        o.Key,
			dir:        path.Dir(o.Key),
			exportDir:  objstore.Join(prefix, strings.Join(segs[:n-4], "/")),
			dateRange:  segs[n-4],
			exportTime: segs[n-3],
			folder:     segs[n-2],
		}
		runs = append(runs, r)
	}
	if len(runs) == 0 {
		var seen []string
		for m := range months {
			seen = append(seen, m[:4]+"-"+m[4:])
		}
		sort.Strings(seen)
		hint := "no export runs at all"
		if len(seen) > 0 {
			hint = "runs exist for " + strings.Join(seen, ", ")
		}
		return nil, fmt.Errorf("azexport: no run folder %s/%s*/<export-time>/<run>/manifest.json (%s): %w",
			d.where(prefix), want, hint, connectors.ErrNotFound)
	}
	dirs := map[string]bool{}
	for _, r := range runs {
		dirs[r.exportDir] = true
	}
	if len(dirs) > 1 {
		var names []string
		for k := range dirs {
			names = append(names, k)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("azexport: %s holds runs of several exports for %s (%s); point the source URL at one export folder: %w",
			d.where(prefix), p, strings.Join(names, ", "), connectors.ErrBadInput)
	}
	return runs, nil
}

// isDateRange reports whether s looks like an Azure date-range folder,
// YYYYMMDD-YYYYMMDD.
func isDateRange(s string) bool {
	if len(s) != 17 || s[8] != '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if i != 8 && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	_, err1 := time.Parse("20060102", s[:8])
	_, err2 := time.Parse("20060102", s[9:])
	return err1 == nil && err2 == nil
}

// currentRun reads the manifests of runs and returns the current one: the
// latest runInfo.submittedTime (2024-04-01), or the latest export-time
// folder for manifests without runInfo (2021-01-01). Ties go to the larger
// export-time folder, then the larger run folder name.
func (d *Driver) currentRun(ctx context.Context, runs []*run) (*run, error) {
	for _, r := range runs {
		m, err := d.readManifest(ctx, r.key)
		if err != nil {
			return nil, err
		}
		r.m = m
		if m.RunInfo != nil && m.RunInfo.SubmittedTime != "" {
			t, err := textio.ParseTime(m.RunInfo.SubmittedTime)
			if err != nil {
				return nil, fmt.Errorf("azexport: manifest %s: runInfo.submittedTime: %v: %w", d.where(r.key), err, connectors.ErrBadInput)
			}
			r.when = t
			continue
		}
		t, err := time.Parse("200601021504", r.exportTime)
		if err != nil {
			return nil, fmt.Errorf("azexport: manifest %s has no runInfo.submittedTime and its export-time folder %q is not YYYYMMDDHHmm: %w",
				d.where(r.key), r.exportTime, connectors.ErrBadInput)
		}
		r.when = t
	}
	sort.Slice(runs, func(i, j int) bool {
		a, b := runs[i], runs[j]
		if !a.when.Equal(b.when) {
			return a.when.Before(b.when)
		}
		if a.exportTime != b.exportTime {
			return a.exportTime < b.exportTime
		}
		return a.folder < b.folder
	})
	return runs[len(runs)-1], nil
}

func (d *Driver) readManifest(ctx context.Context, key string) (*Manifest, error) {
	rc, err := d.bucket.Open(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("azexport: open manifest %s: %w", d.where(key), err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxManifestBytes+1))
	if err != nil {
		return nil, fmt.Errorf("azexport: read manifest %s: %w", d.where(key), err)
	}
	if len(b) > maxManifestBytes {
		return nil, fmt.Errorf("azexport: manifest %s is larger than %d bytes: %w", d.where(key), maxManifestBytes, connectors.ErrBadInput)
	}
	m, err := ParseManifest(b)
	if err != nil {
		return nil, fmt.Errorf("azexport: manifest %s: %v: %w", d.where(key), err, connectors.ErrBadInput)
	}
	return m, nil
}

// ParseManifest decodes and checks a manifest.json: it must list its blobs
// with names, agree with its own blobCount and dataRowCount, and describe
// CSV data.
func ParseManifest(b []byte) (*Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF"))))
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("not a manifest.json: %v", err)
	}
	if m.Blobs == nil {
		return nil, fmt.Errorf("no blobs list (manifestVersion %q)", m.ManifestVersion)
	}
	if m.BlobCount != nil && *m.BlobCount != int64(len(m.Blobs)) {
		return nil, fmt.Errorf("blobCount is %d but %d blobs are listed; the run is incomplete or the manifest is damaged", *m.BlobCount, len(m.Blobs))
	}
	var rows int64
	perBlob := true
	for i, bl := range m.Blobs {
		if strings.TrimSpace(bl.BlobName) == "" {
			return nil, fmt.Errorf("blobs[%d] has no blobName", i)
		}
		if bl.DataRowCount == nil {
			perBlob = false
		} else {
			rows += *bl.DataRowCount
		}
	}
	if m.DataRowCount != nil && perBlob && rows != *m.DataRowCount {
		return nil, fmt.Errorf("dataRowCount is %d but the blobs' dataRowCount add up to %d", *m.DataRowCount, rows)
	}
	format := strings.ToLower(m.DataFormat)
	if m.DeliveryConfig != nil && m.DeliveryConfig.FileFormat != "" {
		format = strings.ToLower(m.DeliveryConfig.FileFormat)
	}
	if format != "" && format != "csv" && format != "parquet" {
		return nil, fmt.Errorf("file format %q is not supported; configure the export to write CSV or Parquet", format)
	}
	return &m, nil
}

// blobKey maps a manifest's blobName to a key in the bucket. Blob names are
// relative to the storage container ("<root>/<export>/<range>/<time>/<run>/
// part_0_0001.csv"), while the bucket may be rooted anywhere above the run
// folder (a local copy, a URL prefix). Data files always sit in their run
// folder, so the name is resolved against the run folder: the part after
// the run folder's name ("/<run>/") is the file's path inside it. A name
// that does not pass through the run folder is an error: allot never reads
// outside the run a manifest describes.
func (r *run) blobKey(name string) (string, error) {
	name = strings.TrimPrefix(strings.TrimSpace(name), "/")
	seg := r.folder + "/"
	i := strings.LastIndex("/"+name, "/"+seg)
	if i < 0 {
		return "", fmt.Errorf("blob %q is not inside the run folder %q", name, r.folder)
	}
	rest := name[i+len(seg):]
	if rest == "" || strings.Contains("/"+rest+"/", "/../") {
		return "", fmt.Errorf("blob %q does not name a file inside the run folder %q", name, r.folder)
	}
	return objstore.Join(r.dir, rest), nil
}
