package awscur

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/allot-dev/allot/connectors"
)

// Source options (connectors.Config.Options). Any other key is an error.
const (
	// OptionReportName (aws-cur) names the report whose manifest is read
	// when several reports write into the folder the URL names.
	OptionReportName = "report_name"
	// OptionExportName (aws-cur2) names the export whose manifest is read
	// when several exports write into the folder the URL names.
	OptionExportName = "export_name"
	// OptionTempDir is where Parquet objects from S3 or Azure are copied to
	// be read at random offsets (default: the system temporary folder).
	OptionTempDir = "temp_dir"
)

// OpenCUR is the connectors.Opener of kind aws-cur (legacy Cost and Usage
// Reports). cfg.URL names the report folder (the one holding the
// yyyymmdd-yyyymmdd/ folders) or a single report file.
func OpenCUR(ctx context.Context, env connectors.Env, cfg connectors.Config) (any, error) {
	return open(ctx, env, cfg, LayoutCUR)
}

// OpenCUR2 is the connectors.Opener of kind aws-cur2 (CUR 2.0 through
// Data Exports). cfg.URL names the export folder (the one holding data/
// and metadata/) or a single export file.
func OpenCUR2(ctx context.Context, env connectors.Env, cfg connectors.Config) (any, error) {
	return open(ctx, env, cfg, LayoutCUR2)
}

func open(ctx context.Context, env connectors.Env, cfg connectors.Config, l Layout) (any, error) {
	opts, err := parseOptions(cfg.Options, l)
	if err != nil {
		return nil, err
	}
	opts.Logger = env.Logger
	opts.Fields = cfg.Fields
	if env.Store == nil {
		return nil, errors.New("awscur: no object store to open the source URL with")
	}
	b, prefix, err := env.Store.Open(ctx, cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("awscur: %w", err)
	}
	opts.Location = location(cfg.URL, prefix)
	return newDriver(b, prefix, l, opts), nil
}

// location is the source URL without credentials, query and prefix: the
// name of the bucket in provenance (s3://bucket, file:/data/aws). It is
// empty, so the bucket's own description is used, when the URL does not
// end with the prefix.
func location(rawURL, prefix string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment = nil, "", false, ""
	s := strings.TrimSuffix(u.String(), "/")
	p := strings.Trim(prefix, "/")
	if p == "" {
		return s
	}
	if !strings.HasSuffix(s, "/"+p) {
		return ""
	}
	return strings.TrimSuffix(s, "/"+p)
}

// parseOptions reads the source options of a layout, rejecting unknown keys.
func parseOptions(in map[string]string, l Layout) (*Options, error) {
	nameKey := l.nameOption()
	opts := &Options{}
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch k {
		case nameKey:
			opts.ReportName = in[k]
		case OptionTempDir:
			opts.TempDir = in[k]
		default:
			return nil, fmt.Errorf("awscur: %w %q for kind %s; the options are %s and %s",
				ErrUnknownOption, k, l, nameKey, OptionTempDir)
		}
	}
	return opts, nil
}

// nameOption is the option that picks a report (aws-cur) or export (aws-cur2).
func (l Layout) nameOption() string {
	if l == LayoutCUR2 {
		return OptionExportName
	}
	return OptionReportName
}
