package azexport

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/objstore"
	"github.com/allot-dev/allot/objstore/fileblob"
	"github.com/shopspring/decimal"
)

// openSource opens a source of kind azure-export the way cmd/allot does:
// through a connectors.Mux and an objstore.Mux with file: registered.
func openSource(t *testing.T, url string, opts map[string]string) *connectors.Source {
	t.Helper()
	var store objstore.Mux
	store.Register(fileblob.Scheme, fileblob.OpenURL)
	var mux connectors.Mux
	mux.Register(connectors.KindAzureExport, Open)
	src, err := mux.Open(context.Background(), connectors.Env{Store: &store},
		connectors.Config{Name: "azure", Kind: connectors.KindAzureExport, URL: url, Options: opts})
	if err != nil {
		t.Fatalf("Open(%s): %v", url, err)
	}
	return src
}

// fileURL returns a file: URL for a path under testdata.
func fileURL(t *testing.T, rel string) string {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join("testdata", rel))
	if err != nil {
		t.Fatal(err)
	}
	return "file:" + abs
}

// collect scans p line by line (Source.ScanLines: the driver's Scan) and
// returns copies of the items. groups_test.go checks that the grouped scan
// Source.Scan runs agrees with it.
func collect(t *testing.T, src *connectors.Source, p cost.Period) ([]cost.LineItem, connectors.Stats, error) {
	t.Helper()
	return collectWith(src.ScanLines, p)
}

// collectGroups scans p as allot run does (Source.Scan: grouped) and
// returns copies of the items.
func collectGroups(t *testing.T, src *connectors.Source, p cost.Period) ([]cost.LineItem, connectors.Stats, error) {
	t.Helper()
	return collectWith(src.Scan, p)
}

func collectWith(scan func(context.Context, cost.Period, func(*cost.LineItem) error) (connectors.Stats, error), p cost.Period) ([]cost.LineItem, connectors.Stats, error) {
	var items []cost.LineItem
	st, err := scan(context.Background(), p, func(li *cost.LineItem) error {
		items = append(items, *li)
		return nil
	})
	return items, st, err
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func day(y int, m time.Month, dd int) time.Time { return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC) }

// render writes line items as CSV for golden files: one row per item, the
// fields a tagging rule or a statement reads, provenance relative to base.
func render(items []cost.LineItem, base string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"source", "provider", "billing_account", "billing_account_name", "sub_account", "sub_account_name",
		"resource_group", "billing_period_start", "charge_start", "charge_end", "category", "class", "service", "sku_id",
		"sku_meter", "resource_id", "resource_name", "resource_type", "region", "quantity", "unit", "billed", "effective",
		"list", "currency", "tags", "description"})
	for _, li := range items {
		obj := strings.TrimPrefix(li.Source.Object, base)
		w.Write([]string{
			obj + ":" + strconv.FormatInt(li.Source.Line, 10), li.ProviderName, li.BillingAccountID, li.BillingAccountName,
			li.SubAccountID, li.SubAccountName, li.ResourceGroup, ts(li.BillingPeriodStart), ts(li.ChargePeriodStart),
			ts(li.ChargePeriodEnd), string(li.ChargeCategory), li.ChargeClass, li.ServiceName, li.SkuID, li.SkuMeter,
			li.ResourceID, li.ResourceName, li.ResourceType, li.RegionID, li.ConsumedQuantity.String(), li.ConsumedUnit,
			li.BilledCost.String(), li.EffectiveCost.String(), li.ListCost.String(), li.BillingCurrency, tagString(li.Tags),
			li.ChargeDescription,
		})
	}
	w.Flush()
	return b.Bytes()
}

func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func tagString(t cost.Tags) string {
	keys := t.Keys()
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = strconv.Quote(k) + "=" + strconv.Quote(t[k])
	}
	return strings.Join(parts, " ")
}

func mustPeriod(t *testing.T, s string) cost.Period {
	t.Helper()
	p, err := cost.ParsePeriod(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func errorsIsNotFound(err error) bool { return errors.Is(err, connectors.ErrNotFound) }
