package awscur

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/objstore"
	"github.com/allot-dev/allot/objstore/fileblob"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

// Expected contents of the fixtures, computed by hand from testdata/src
// (and cross-checked with Python's decimal module; see testdata/README.md),
// never by the code under test.
const (
	cur2Lines     = 16
	cur2Billed    = "157.00008094"
	cur2Effective = "57.00008094"

	legacyLines     = 13
	legacyBilled    = "117.300"
	legacyEffective = "22.375"

	athenaLines     = 3
	athenaBilled    = "0.3703703673"
	athenaEffective = "0.4216049351"

	kokuCostCategory = "testdata/samples/koku__legacy_cur_2023-06-01_costcategory_tags.csv"
)

var oct2026 = cost.Period{Year: 2026, Month: 10}

var decimalEqual = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func newSource(t testing.TB, kind string, drv *Driver) *connectors.Source {
	t.Helper()
	src, err := connectors.NewSource("test-"+kind, kind, "file:test", drv, nil)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// folderSource opens a report folder on disk the way a file: URL naming a
// folder does: the folder is the bucket, the prefix is empty.
func folderSource(t testing.TB, kind, dir string, opts *Options) *connectors.Source {
	t.Helper()
	b := fileblob.New(dir)
	if kind == connectors.KindAWSCUR2 {
		return newSource(t, kind, NewCUR2(b, "", opts))
	}
	return newSource(t, kind, NewCUR(b, "", opts))
}

// fileSource opens one file the way a file: URL naming a file does.
func fileSource(t testing.TB, kind, path string) *connectors.Source {
	t.Helper()
	b := fileblob.New(filepath.Dir(path))
	if kind == connectors.KindAWSCUR2 {
		return newSource(t, kind, NewCUR2(b, filepath.Base(path), nil))
	}
	return newSource(t, kind, NewCUR(b, filepath.Base(path), nil))
}

// openerSource opens a source through the connectors and objstore muxes,
// as cmd/allot does.
func openerSource(t testing.TB, kind, rawURL string, options map[string]string) (*connectors.Source, error) {
	t.Helper()
	var store objstore.Mux
	store.Register(fileblob.Scheme, fileblob.OpenURL)
	var m connectors.Mux
	m.Register(connectors.KindAWSCUR, OpenCUR)
	m.Register(connectors.KindAWSCUR2, OpenCUR2)
	return m.Open(context.Background(), connectors.Env{Store: &store},
		connectors.Config{Name: "aws", Kind: kind, URL: rawURL, Options: options})
}

// scanAll collects copies of every line item a scan yields.
func scanAll(t testing.TB, src *connectors.Source, p cost.Period) ([]cost.LineItem, connectors.Stats, error) {
	t.Helper()
	var items []cost.LineItem
	st, err := src.Scan(context.Background(), p, func(li *cost.LineItem) error {
		c := *li
		c.Tags = maps.Clone(li.Tags)
		items = append(items, c)
		return nil
	})
	return items, st, err
}

func mustScan(t testing.TB, src *connectors.Source, p cost.Period) ([]cost.LineItem, connectors.Stats) {
	t.Helper()
	items, st, err := scanAll(t, src, p)
	if err != nil {
		t.Fatalf("Scan(%s): %v", p, err)
	}
	return items, st
}

// copyTree copies a fixture folder into a fresh temporary folder.
func copyTree(t testing.TB, from string) string {
	t.Helper()
	to := t.TempDir()
	err := filepath.Walk(from, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if info.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return to
}

func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// render writes line items as text for golden files: one line per item.
func render(items []cost.LineItem) []byte {
	var b strings.Builder
	for _, li := range items {
		fmt.Fprintf(&b, "%s | %s", li.Source, li.ChargeCategory)
		if li.ChargeClass != "" {
			fmt.Fprintf(&b, "/%s", li.ChargeClass)
		}
		fmt.Fprintf(&b, " | payer=%s account=%s", li.BillingAccountID, li.SubAccountID)
		if li.SubAccountName != "" {
			fmt.Fprintf(&b, " (%s)", li.SubAccountName)
		}
		fmt.Fprintf(&b, " | %s %s sku=%s region=%s | %s..%s bp=%s | qty=%s %s | billed=%s effective=%s list=%s %s | resource=%s | desc=%q",
			li.ServiceName, li.UsageType, li.SkuID, li.RegionID,
			li.ChargePeriodStart.Format("2006-01-02T15:04Z"), li.ChargePeriodEnd.Format("2006-01-02T15:04Z"),
			li.BillingPeriodStart.Format("2006-01-02"),
			li.ConsumedQuantity, li.ConsumedUnit, li.BilledCost, li.EffectiveCost, li.ListCost, li.BillingCurrency,
			li.ResourceID, li.ChargeDescription)
		for _, k := range li.Tags.Keys() {
			fmt.Fprintf(&b, " | %s=%s", k, li.Tags[k])
		}
		b.WriteString("\n")
	}
	return []byte(b.String())
}

func sum(items []cost.LineItem) (billed, effective decimal.Decimal) {
	for _, li := range items {
		billed = billed.Add(li.BilledCost)
		effective = effective.Add(li.EffectiveCost)
	}
	return billed, effective
}

func fileblobBucket(dir string) objstore.Bucket { return fileblob.New(dir) }

// streamOnly hides the io.ReaderAt of the objects a bucket opens, as S3
// and Azure readers do.
type streamOnly struct{ objstore.Bucket }

func (s streamOnly) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	rc, err := s.Bucket.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	return struct{ io.ReadCloser }{rc}, nil
}
