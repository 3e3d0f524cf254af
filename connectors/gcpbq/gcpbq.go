package gcpbq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/option"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/objstore"
)

// Scheme is the URL scheme of BigQuery sources.
const Scheme = "bigquery"

// Table names one BigQuery table.
type Table struct {
	Project, Dataset, Table string
}

// String returns bigquery://project/dataset.table.
func (t Table) String() string { return Scheme + "://" + t.Project + "/" + t.Dataset + "." + t.Table }

func (t Table) path() string { return t.Project + "." + t.Dataset + "." + t.Table }

// sqlName is the table as a quoted SQL identifier. ParseURL admits only
// characters that need no escaping inside backquotes.
func (t Table) sqlName() string { return "`" + t.path() + "`" }

var (
	projectRe = regexp.MustCompile(`^[a-z][a-z0-9-]{4,28}[a-z0-9]$`)
	datasetRe = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
	tableRe   = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
)

// Options tune a Driver. The zero value is usable.
type Options struct {
	// Kind is the table kind; KindAuto detects it.
	Kind TableKind
	// Location is the BigQuery location jobs run in (US, EU, europe-west1);
	// empty lets BigQuery choose from the dataset.
	Location string
	// Window is the partition window; nil means DefaultWindow.
	Window *Window
	// Logger receives one line per query; nil discards.
	Logger *slog.Logger
}

// Option keys, accepted in the URL query and in a source's options.
const (
	OptionLocation        = "location"
	OptionEndpoint        = "endpoint"
	OptionTableKind       = "table_kind"
	OptionLookbackDays    = "lookback_days"
	OptionLateDays        = "late_days"
	OptionPartitionFilter = "partition_filter"
)

var optionKeys = []string{OptionEndpoint, OptionLateDays, OptionLocation, OptionLookbackDays, OptionPartitionFilter, OptionTableKind}

// ParseURL parses bigquery://project/dataset.table and returns the table
// and the URL's query options.
func ParseURL(raw string) (Table, map[string]string, error) {
	var t Table
	u, err := url.Parse(raw)
	if err != nil {
		return t, nil, fmt.Errorf("gcpbq: %q is not a URL: %w", objstore.Redact(raw), err)
	}
	where := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
	if u.Scheme != Scheme {
		return t, nil, fmt.Errorf("gcpbq: %s: scheme is %q, want %s://PROJECT/DATASET.TABLE", where, u.Scheme, Scheme)
	}
	if u.User != nil {
		return t, nil, fmt.Errorf("gcpbq: %s: credentials in the URL are not accepted; use Application Default Credentials", where)
	}
	t.Project = u.Host
	ds, tb, ok := strings.Cut(strings.Trim(u.Path, "/"), ".")
	t.Dataset, t.Table = ds, tb
	switch {
	case !projectRe.MatchString(t.Project):
		return t, nil, fmt.Errorf("gcpbq: %s: %q is not a Google Cloud project id (6 to 30 lower-case letters, digits and hyphens); write %s://PROJECT/DATASET.TABLE", where, t.Project, Scheme)
	case !ok || len(t.Dataset) > 1024 || len(t.Table) > 1024 || !datasetRe.MatchString(t.Dataset) || !tableRe.MatchString(t.Table):
		return t, nil, fmt.Errorf("gcpbq: %s: want %s://PROJECT/DATASET.TABLE, for example %s://my-project/billing.%sXXXXXX_XXXXXX_XXXXXX",
			where, Scheme, Scheme, detailedPrefix)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return t, nil, fmt.Errorf("gcpbq: %s: bad query: %w", where, err)
	}
	opts := map[string]string{}
	for k, v := range q {
		if len(v) != 1 {
			return t, nil, fmt.Errorf("gcpbq: %s: option %q given %d times, want once", where, k, len(v))
		}
		opts[k] = v[0]
	}
	return t, opts, nil
}

// settings are the parsed options of one source.
type settings struct {
	opts     Options
	endpoint string
}

func parseOptions(where string, kv map[string]string) (settings, error) {
	var s settings
	w := DefaultWindow
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := strings.TrimSpace(kv[k])
		switch k {
		case OptionLocation:
			s.opts.Location = v
		case OptionEndpoint:
			e, err := url.Parse(v)
			if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" || e.User != nil || e.RawQuery != "" {
				return s, fmt.Errorf("gcpbq: %s: option endpoint must be an http:// or https:// URL with a host and no credentials or query", where)
			}
			s.endpoint = strings.TrimSuffix(v, "/") + "/"
		case OptionTableKind:
			switch TableKind(v) {
			case KindStandard, KindDetailed:
				s.opts.Kind = TableKind(v)
			default:
				return s, fmt.Errorf("gcpbq: %s: option table_kind=%q: want standard or detailed", where, v)
			}
		case OptionLookbackDays, OptionLateDays:
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 3660 {
				return s, fmt.Errorf("gcpbq: %s: option %s=%q: want a number of days from 0 to 3660", where, k, v)
			}
			if k == OptionLookbackDays {
				w.Before = n
			} else {
				w.After = n
			}
		case OptionPartitionFilter:
			switch v {
			case "on":
			case "off":
				w.Off = true
			default:
				return s, fmt.Errorf("gcpbq: %s: option partition_filter=%q: want on or off", where, v)
			}
		default:
			return s, fmt.Errorf("gcpbq: %s: unknown option %q (known: %s)", where, k, strings.Join(optionKeys, ", "))
		}
	}
	s.opts.Window = &w
	return s, nil
}

// Open is the connectors.Opener for kind gcp-bigquery. cfg.URL is
// bigquery://project/dataset.table; options come from the URL query and
// cfg.Options (a key in both must have the same value). Without the
// endpoint option the client authenticates with Application Default
// Credentials; with it (a test server) it sends no credentials at all.
// Jobs run, and are billed, in the table's project.
func Open(ctx context.Context, env connectors.Env, cfg connectors.Config) (any, error) {
	t, kv, err := ParseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	for k, v := range cfg.Options {
		if prev, dup := kv[k]; dup && prev != v {
			return nil, fmt.Errorf("gcpbq: %s: option %q is %q in the URL and %q in the options; keep one", t, k, prev, v)
		}
		kv[k] = v
	}
	s, err := parseOptions(t.String(), kv)
	if err != nil {
		return nil, err
	}
	var copts []option.ClientOption
	if s.endpoint != "" {
		copts = append(copts, option.WithEndpoint(s.endpoint), option.WithoutAuthentication())
	}
	client, err := bigquery.NewClient(ctx, t.Project, copts...)
	if err != nil {
		return nil, fmt.Errorf("gcpbq: %s: creating the BigQuery client (Application Default Credentials: "+
			"set GOOGLE_APPLICATION_CREDENTIALS or run gcloud auth application-default login): %w", t, err)
	}
	s.opts.Logger = env.Logger
	return New(client, t, &s.opts)
}

// Driver reads a Cloud Billing export table through BigQuery. It implements
// connectors.Driver.
type Driver struct {
	client *bigquery.Client
	table  Table
	opts   Options
	window Window
	log    *slog.Logger
}

var _ connectors.Driver = (*Driver)(nil)

// New returns a Driver that queries table t with client. Jobs run in the
// client's project. opts may be nil.
func New(client *bigquery.Client, t Table, opts *Options) (*Driver, error) {
	if client == nil {
		return nil, errors.New("gcpbq: nil BigQuery client")
	}
	d := &Driver{client: client, table: t, window: DefaultWindow}
	if opts != nil {
		d.opts = *opts
	}
	switch d.opts.Kind {
	case KindAuto, KindStandard, KindDetailed:
	default:
		return nil, fmt.Errorf("gcpbq: table kind %q: want standard or detailed", d.opts.Kind)
	}
	if d.opts.Window != nil {
		d.window = *d.opts.Window
		if d.window.Before < 0 || d.window.After < 0 {
			return nil, fmt.Errorf("gcpbq: partition window %+v: days must not be negative", d.window)
		}
	}
	d.log = d.opts.Logger
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	return d, nil
}
