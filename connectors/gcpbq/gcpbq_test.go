package gcpbq

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/connectortest"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/testutil"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"
)

const (
	project       = "finops-prod"
	dataset       = "billing"
	detailedTable = "gcp_billing_export_resource_v1_01338E_BE3FD6_363B4C"
	standardTable = "gcp_billing_export_v1_01338E_BE3FD6_363B4C"
	account       = "01338E-BE3FD6-363B4C"
)

var (
	oct2026 = cost.Period{Year: 2026, Month: time.October}
	sep2026 = cost.Period{Year: 2026, Month: time.September}
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

type rmTag struct {
	key, value string
	inherited  bool
	ns         string
}

// groupRow is one row of the grouped query's result, as BigQuery would
// return it.
type groupRow struct {
	projectID, projectName, service, skuID, skuDesc, region, globalName, resName, costType, currency, unit string
	labels, projectLabels, systemLabels                                                                    [][2]string
	tags                                                                                                   []rmTag
	billed, effective, list, quantity                                                                      string
	count                                                                                                  int64
	start, end                                                                                             time.Time
}

// resultSchema is the schema of the query's result, in SELECT order.
func resultSchema(detailed, tags bool) []field {
	fs := []field{fStr("billing_account_id"), fStr("project_id"), fStr("project_name"), fStr("service_description"),
		fRecord("sku", fStr("id"), fStr("description")), fStr("region")}
	if detailed {
		fs = append(fs, fStr("resource_global_name"), fStr("resource_name"))
	}
	fs = append(fs, fStr("cost_type"), fStr("currency"), fStr("pricing_unit"),
		fRepeated("labels", kvFields...), fRepeated("project_labels", kvFields...), fRepeated("system_labels", kvFields...))
	if tags {
		fs = append(fs, fRepeated("tags", tagFields...))
	}
	fs = append(fs, field{Name: "billed_cost", Type: "NUMERIC"}, field{Name: "effective_cost", Type: "NUMERIC"},
		field{Name: "list_cost", Type: "NUMERIC"}, field{Name: "pricing_quantity", Type: "BIGNUMERIC"},
		field{Name: "line_count", Type: "INTEGER"}, fTime("usage_start"), fTime("usage_end"))
	return fs
}

func kvCells(pairs [][2]string) any {
	elems := make([]any, len(pairs))
	for i, p := range pairs {
		elems[i] = vRecord(vStr(p[0]), vStr(p[1]))
	}
	return vRepeated(elems...)
}

func (g groupRow) cells(detailed, tags bool) []any {
	c := []any{vStr(account), vStr(g.projectID), vStr(g.projectName), vStr(g.service),
		vRecord(vStr(g.skuID), vStr(g.skuDesc)), vStr(g.region)}
	if detailed {
		c = append(c, vStr(g.globalName), vStr(g.resName))
	}
	c = append(c, vStr(g.costType), vStr(g.currency), vStr(g.unit),
		kvCells(g.labels), kvCells(g.projectLabels), kvCells(g.systemLabels))
	if tags {
		elems := make([]any, len(g.tags))
		for i, t := range g.tags {
			elems[i] = vRecord(vStr(t.key), vStr(t.value), vBool(t.inherited), vStr(t.ns))
		}
		c = append(c, vRepeated(elems...))
	}
	return append(c, vNum(g.billed), vNum(g.effective), vNum(g.list), vNum(g.quantity), vInt(g.count), vTime(g.start), vTime(g.end))
}

// octoberRows are the grouped rows of invoice month 2026-10 on the
// detailed table. Hand-computed totals:
//
//	billed    = 120.5 + 45.678901234 + 0.000001234 - 3.21 + 12.34 + 0       = 175.308902468
//	effective = 100.25 + 45.678901234 + 0.000001234 - 3.21 + 12.34 - 5      = 150.058902468
//	lines     = 744 + 744 + 3 + 1 + 1 + 10                                  = 1503
var octoberRows = []groupRow{
	{projectID: "search-prod", projectName: "Search", service: "Vertex AI", skuID: "E941-1B12-88B9",
		skuDesc: "Gemini 2.5 Pro Text Input", region: "us-central1",
		globalName: "//aiplatform.googleapis.com/projects/search-prod/locations/us-central1/endpoints/gemini",
		resName:    "gemini", costType: "regular", currency: "USD", unit: "1M tokens",
		labels: [][2]string{{"env", "prod"}, {"team", "search"}}, projectLabels: [][2]string{{"cost-center", "cc-4100"}},
		systemLabels: [][2]string{{"goog-resource-type", "aiplatform.googleapis.com/Endpoint"}},
		tags:         []rmTag{{"env", "prod", true, "123456789012"}},
		billed:       "120.500000000", effective: "100.250000000", list: "130.000000000",
		quantity: "12.05000000000000000000000000000000000000", count: 744,
		start: utc("2026-10-01T07:00:00Z"), end: utc("2026-11-01T07:00:00Z")},
	{projectID: "support-bot", projectName: "Support bot", service: "Vertex AI", skuID: "A1B2-C3D4-E5F6",
		skuDesc: "Gemini 2.5 Flash Text Output", region: "europe-west4", costType: "regular", currency: "USD", unit: "1M tokens",
		labels: [][2]string{{"team", "support"}}, billed: "45.678901234", effective: "45.678901234", list: "50.000000000",
		quantity: "3.5", count: 744, start: utc("2026-10-01T07:00:00Z"), end: utc("2026-11-01T07:00:00Z")},
	// Used only in the Pacific evening of October 31: starts after the UTC month.
	{projectID: "search-prod", projectName: "Search", service: "Cloud Storage", skuID: "5F7A-5173-CF5B",
		skuDesc: "Standard Storage US Multi-region", region: "us", costType: "regular", currency: "USD", unit: "gibibyte month",
		labels: [][2]string{{"team", "search"}}, billed: "0.000001234", effective: "0.000001234", list: "0.000001500",
		quantity: "0.00000066030770540237426757812500000000", count: 3,
		start: utc("2026-11-01T02:00:00Z"), end: utc("2026-11-01T05:00:00Z")},
	// An adjustment invoiced in October for August usage.
	{projectID: "search-prod", projectName: "Search", service: "Vertex AI", skuID: "E941-1B12-88B9",
		skuDesc: "Gemini 2.5 Pro Text Input", region: "us-central1", costType: "adjustment", currency: "USD",
		billed: "-3.210000000", effective: "-3.210000000", count: 1,
		start: utc("2026-08-15T00:00:00Z"), end: utc("2026-08-16T00:00:00Z")},
	// Tax: no project, no region, no labels, no list cost or quantity.
	{service: "Tax", skuID: "TAX-0001", skuDesc: "Sales tax", costType: "tax", currency: "USD",
		billed: "12.340000000", effective: "12.340000000", count: 1,
		start: utc("2026-10-31T07:00:00Z"), end: utc("2026-11-01T07:00:00Z")},
	// Credits only: nothing billed, a promotion credit of 5. The resource
	// label and a system label share a key; two Resource Manager tags share
	// the key "team" (direct binding wins over inherited).
	{projectID: "platform", projectName: "AI platform", service: "Vertex AI", skuID: "B0B0-0000-1111",
		skuDesc: "Vertex AI Online Prediction", region: "us-central1",
		globalName: "//aiplatform.googleapis.com/projects/platform/locations/us-central1/endpoints/gateway",
		resName:    "gateway", costType: "regular", currency: "USD", unit: "hour",
		labels:       [][2]string{{"goog-k8s-cluster-name", "gw-a"}},
		systemLabels: [][2]string{{"goog-k8s-cluster-name", "other"}, {"goog-k8s-node-pool-name", "gpu"}},
		tags:         []rmTag{{"team", "platform", false, "222222222222"}, {"team", "search", true, "111111111111"}},
		billed:       "0E-9", effective: "-5.000000000", list: "0", quantity: "1000", count: 10,
		start: utc("2026-10-03T00:00:00Z"), end: utc("2026-10-04T00:00:00Z")},
}

// septemberSQL derives the expected SQL of invoice month 2026-09 from the
// reviewed golden file of 2026-10: the month literal, the comment and the
// partition window (2026-09-01 - 31 days = 2026-08-01; 2026-10-01 + 10
// days = 2026-10-11), written out by hand.
func septemberSQL(oct string) string {
	return strings.NewReplacer(
		"invoice month 2026-10 ", "invoice month 2026-09 ",
		"'202610'", "'202609'",
		"TIMESTAMP '2026-08-31 00:00:00+00'", "TIMESTAMP '2026-08-01 00:00:00+00'",
		"TIMESTAMP '2026-11-11 00:00:00+00'", "TIMESTAMP '2026-10-11 00:00:00+00'",
	).Replace(oct)
}

func readGolden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("reading %s (go test -update writes it): %v", name, err)
	}
	return string(b)
}

// newDetailedFake serves the detailed table: October in pages of pageSize
// rows, September empty.
func newDetailedFake(t *testing.T, pageSize int) *fakeBigQuery {
	f := newFakeBigQuery(t, project)
	f.tables[dataset+"."+detailedTable] = tableResource(project, dataset, detailedTable, exportSchema(true, true))
	golden := readGolden(t, "query.golden.sql")
	f.wantSQL["202610"] = golden
	f.wantSQL["202609"] = septemberSQL(golden)
	res := &fakeResult{schema: resultSchema(true, true), pageSize: pageSize}
	for _, g := range octoberRows {
		res.rows = append(res.rows, g.cells(true, true))
	}
	f.results["202610"] = res
	f.results["202609"] = &fakeResult{schema: resultSchema(true, true)}
	return f
}

func openSource(t *testing.T, url string, opts map[string]string) *connectors.Source {
	t.Helper()
	var mux connectors.Mux
	mux.Register(connectors.KindGCPBigQuery, Open)
	src, err := mux.Open(context.Background(), connectors.Env{},
		connectors.Config{Name: "gcp", Kind: connectors.KindGCPBigQuery, URL: url, Options: opts})
	if err != nil {
		t.Fatalf("Open(%s): %v", url, err)
	}
	return src
}

func collect(t *testing.T, src *connectors.Source, p cost.Period) ([]cost.LineItem, connectors.Stats, error) {
	t.Helper()
	var items []cost.LineItem
	st, err := src.Scan(context.Background(), p, func(li *cost.LineItem) error {
		items = append(items, *li)
		return nil
	})
	return items, st, err
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestQueryGolden(t *testing.T) {
	detailed := Table{Project: project, Dataset: dataset, Table: detailedTable}
	standard := Table{Project: project, Dataset: dataset, Table: standardTable}
	testutil.AssertGolden(t, filepath.Join("testdata", "query.golden.sql"),
		[]byte(buildQuery(detailed, shape{kind: KindDetailed, tags: true, listCost: true, partitioned: true}, DefaultWindow, oct2026)))
	testutil.AssertGolden(t, filepath.Join("testdata", "query_standard.golden.sql"),
		[]byte(buildQuery(standard, shape{kind: KindStandard, listCost: true, partitioned: true}, DefaultWindow, oct2026)))
}

func TestQueryShape(t *testing.T) {
	tb := Table{Project: project, Dataset: dataset, Table: standardTable}
	for _, tc := range []struct {
		name      string
		s         shape
		w         Window
		want, not []string
	}{
		{"no partition filter when off", shape{kind: KindStandard, partitioned: true}, Window{Off: true},
			[]string{"WHERE invoice.month = '202610'\n),"}, []string{"_PARTITIONTIME"}},
		{"no partition filter on a view", shape{kind: KindStandard}, DefaultWindow, nil, []string{"_PARTITIONTIME"}},
		{"custom window", shape{kind: KindStandard, partitioned: true}, Window{Before: 0, After: 45},
			[]string{"_PARTITIONTIME >= TIMESTAMP '2026-10-01 00:00:00+00'", "_PARTITIONTIME < TIMESTAMP '2026-12-16 00:00:00+00'"}, nil},
		{"no cost_at_list column", shape{kind: KindStandard}, DefaultWindow, nil, []string{"cost_at_list", "list_cost"}},
		{"no tags column", shape{kind: KindStandard}, DefaultWindow, nil, []string{"tags"}},
		{"standard has no resource", shape{kind: KindStandard}, DefaultWindow, nil, []string{"resource"}},
		// Net cost per row before grouping; never a join with credits.
		{"credits per row", shape{kind: KindStandard}, DefaultWindow,
			[]string{"IFNULL((SELECT SUM(CAST(c.amount AS NUMERIC)) FROM UNNEST(credits) AS c), 0) AS net_cost"},
			[]string{", UNNEST(credits)", "JOIN"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sql := buildQuery(tb, tc.s, tc.w, oct2026)
			for _, w := range tc.want {
				if !strings.Contains(sql, w) {
					t.Errorf("SQL lacks %q:\n%s", w, sql)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(sql, n) {
					t.Errorf("SQL contains %q:\n%s", n, sql)
				}
			}
		})
	}
}

func TestConformance(t *testing.T) {
	connectortest.Run(t, connectortest.Case{
		Open: func(t *testing.T) *connectors.Source {
			return openSource(t, newDetailedFake(t, 2).URL(dataset, detailedTable), nil)
		},
		Period:        oct2026,
		EmptyPeriod:   sep2026,
		WantLines:     1503,
		WantBilled:    "175.308902468",
		WantEffective: "150.058902468",
	})
}

// wantItem is what a line item must carry, written by hand from octoberRows.
type wantItem struct {
	Sub, Service, SkuID, SkuMeter, Region, ResourceID, ResourceName string
	Category                                                        cost.ChargeCategory
	Billed, Effective, List, Quantity                               string
	Unit                                                            string
	Count                                                           int64
	Start, End                                                      time.Time
	Tags                                                            cost.Tags
}

func TestScanRows(t *testing.T) {
	f := newDetailedFake(t, 2)
	items, _, err := collect(t, openSource(t, f.URL(dataset, detailedTable, "location=US"), nil), oct2026)
	if err != nil {
		t.Fatal(err)
	}
	gemini := "//aiplatform.googleapis.com/projects/search-prod/locations/us-central1/endpoints/gemini"
	want := []wantItem{
		{"search-prod", "Vertex AI", "E941-1B12-88B9", "Gemini 2.5 Pro Text Input", "us-central1", gemini, "gemini",
			cost.ChargeUsage, "120.5", "100.25", "130", "12.05", "1M tokens", 744,
			utc("2026-10-01T07:00:00Z"), utc("2026-11-01T00:00:00Z"),
			cost.Tags{"env": "prod", "team": "search", "project:cost-center": "cc-4100",
				"goog-resource-type": "aiplatform.googleapis.com/Endpoint", "tag:env": "prod"}},
		{"support-bot", "Vertex AI", "A1B2-C3D4-E5F6", "Gemini 2.5 Flash Text Output", "europe-west4", "", "",
			cost.ChargeUsage, "45.678901234", "45.678901234", "50", "3.5", "1M tokens", 744,
			utc("2026-10-01T07:00:00Z"), utc("2026-11-01T00:00:00Z"), cost.Tags{"team": "support"}},
		// 709 bytes in gibibytes: 709 / 2^30 exactly.
		{"search-prod", "Cloud Storage", "5F7A-5173-CF5B", "Standard Storage US Multi-region", "us", "", "",
			cost.ChargeUsage, "0.000001234", "0.000001234", "0.0000015", "0.000000660307705402374267578125", "gibibyte month", 3,
			utc("2026-10-31T23:00:00Z"), utc("2026-11-01T00:00:00Z"), cost.Tags{"team": "search"}},
		{"search-prod", "Vertex AI", "E941-1B12-88B9", "Gemini 2.5 Pro Text Input", "us-central1", "", "",
			cost.ChargeAdjustment, "-3.21", "-3.21", "0", "0", "", 1,
			utc("2026-10-01T00:00:00Z"), utc("2026-10-01T01:00:00Z"), nil},
		{"", "Tax", "TAX-0001", "Sales tax", "", "", "",
			cost.ChargeTax, "12.34", "12.34", "0", "0", "", 1,
			utc("2026-10-31T07:00:00Z"), utc("2026-11-01T00:00:00Z"), nil},
		{"platform", "Vertex AI", "B0B0-0000-1111", "Vertex AI Online Prediction", "us-central1",
			"//aiplatform.googleapis.com/projects/platform/locations/us-central1/endpoints/gateway", "gateway",
			cost.ChargeUsage, "0", "-5", "0", "1000", "hour", 10,
			utc("2026-10-03T00:00:00Z"), utc("2026-10-04T00:00:00Z"),
			cost.Tags{"goog-k8s-cluster-name": "gw-a", "goog-k8s-node-pool-name": "gpu", "tag:team": "platform"}},
	}
	var got []wantItem
	for _, li := range items {
		got = append(got, wantItem{li.SubAccountID, li.ServiceName, li.SkuID, li.SkuMeter, li.RegionID, li.ResourceID,
			li.ResourceName, li.ChargeCategory, li.BilledCost.String(), li.EffectiveCost.String(), li.ListCost.String(),
			li.ConsumedQuantity.String(), li.ConsumedUnit, li.Count, li.ChargePeriodStart, li.ChargePeriodEnd, li.Tags})
		if li.BillingAccountID != account || li.ProviderName != "Google Cloud" || li.BillingCurrency != "USD" ||
			!li.BillingPeriodStart.Equal(oct2026.Start()) {
			t.Errorf("%s: account %q provider %q currency %q billing period %s", li.Source, li.BillingAccountID,
				li.ProviderName, li.BillingCurrency, li.BillingPeriodStart)
		}
		if !strings.HasPrefix(li.Source.Job, "job_allot_202610_") || li.Source.Row == 0 {
			t.Errorf("provenance %+v: want the BigQuery job id and the result row", li.Source)
		}
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	// Six rows in pages of two: the first page rides on jobs.query, then two pages.
	wantCalls := []string{
		"tables.get " + dataset + "." + detailedTable,
		"jobs.query 202610 location=US",
		"jobs.getQueryResults maxResults= pageToken=page-1",
		"jobs.getQueryResults maxResults= pageToken=page-2",
	}
	if diff := cmp.Diff(wantCalls, f.Calls()); diff != "" {
		t.Errorf("API calls (-want +got):\n%s", diff)
	}
}

func TestIncompleteJobIsPolled(t *testing.T) {
	f := newDetailedFake(t, 4)
	f.results["202610"].incomplete = true
	_, st, err := collect(t, openSource(t, f.URL(dataset, detailedTable), nil), oct2026)
	if err != nil {
		t.Fatal(err)
	}
	if st.Lines != 1503 || !st.Effective.Equal(d("150.058902468")) {
		t.Errorf("stats = %+v", st)
	}
	wantCalls := []string{
		"tables.get " + dataset + "." + detailedTable,
		"jobs.query 202610 location=",
		"jobs.getQueryResults maxResults=0 pageToken=",
		"jobs.getQueryResults maxResults= pageToken=",
		"jobs.getQueryResults maxResults= pageToken=page-1",
	}
	if diff := cmp.Diff(wantCalls, f.Calls()); diff != "" {
		t.Errorf("API calls (-want +got):\n%s", diff)
	}
}

func TestJobErrorSurfaces(t *testing.T) {
	f := newDetailedFake(t, 2)
	f.results["202610"].incomplete = true
	f.results["202610"].jobError = "Access Denied: Table finops-prod:billing." + detailedTable + ": User does not have permission to query table"
	_, _, err := collect(t, openSource(t, f.URL(dataset, detailedTable), nil), oct2026)
	if err == nil || errors.Is(err, connectors.ErrNotFound) {
		t.Fatalf("error = %v, want the job's error", err)
	}
	for _, part := range []string{"User does not have permission", "invoice month 2026-10", detailedTable} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not mention %q", err, part)
		}
	}
}

func TestTableErrors(t *testing.T) {
	f := newDetailedFake(t, 2)
	f.tables[dataset+".not_billing"] = tableResource(project, dataset, "not_billing",
		[]field{fStr("billing_account_id"), fFloat("cost")})
	f.tables[dataset+".gcp_billing_export_resource_v1_X"] = tableResource(project, dataset, "gcp_billing_export_resource_v1_X",
		exportSchema(false, false))
	for _, tc := range []struct {
		table, want string
		badInput    bool
	}{
		{"missing_table", "not found; check the source URL", false},
		{"not_billing", "has no column service.description", true},
		{"gcp_billing_export_resource_v1_X", "set table_kind=standard", true},
	} {
		t.Run(tc.table, func(t *testing.T) {
			_, _, err := collect(t, openSource(t, f.URL(dataset, tc.table), nil), oct2026)
			if err == nil || !strings.Contains(err.Error(), tc.want) || errors.Is(err, connectors.ErrBadInput) != tc.badInput {
				t.Fatalf("error = %v, want one mentioning %q (bad input: %v)", err, tc.want, tc.badInput)
			}
		})
	}
}

func TestStandardTable(t *testing.T) {
	// A standard table without a tags column, read with its own SQL.
	f := newFakeBigQuery(t, project)
	f.tables[dataset+"."+standardTable] = tableResource(project, dataset, standardTable, exportSchema(false, false))
	f.wantSQL["202610"] = readGolden(t, "query_standard.golden.sql")
	res := &fakeResult{schema: resultSchema(false, false)}
	for _, g := range octoberRows[:2] {
		res.rows = append(res.rows, g.cells(false, false))
	}
	f.results["202610"] = res
	items, st, err := collect(t, openSource(t, f.URL(dataset, standardTable), nil), oct2026)
	if err != nil {
		t.Fatal(err)
	}
	// 120.5 + 45.678901234
	if len(items) != 2 || !st.Billed.Equal(d("166.178901234")) || items[0].ResourceID != "" || items[0].Tags["tag:env"] != "" {
		t.Fatalf("items = %+v, billed %s", items, st.Billed)
	}
}

func TestCancelMidScan(t *testing.T) {
	f := newDetailedFake(t, 1)
	src := openSource(t, f.URL(dataset, detailedTable), nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	_, err := src.Scan(ctx, oct2026, func(*cost.LineItem) error {
		n++
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) || n != 1 {
		t.Fatalf("Scan after cancel: %d items, error %v; want 1 and context.Canceled", n, err)
	}
	for _, c := range f.Calls() {
		if strings.Contains(c, "page-2") {
			t.Errorf("pages were fetched after the cancellation: %v", f.Calls())
		}
	}
}

func TestBadRows(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*groupRow)
		column string
	}{
		{"unknown cost_type", func(g *groupRow) { g.costType = "fee" }, "cost_type"},
		{"bad currency", func(g *groupRow) { g.currency = "US$" }, "currency"},
		{"no billed cost", func(g *groupRow) { g.billed = "" }, "billed_cost"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newDetailedFake(t, 0)
			g := octoberRows[1]
			tc.mutate(&g)
			f.results["202610"].rows[1] = g.cells(true, true)
			_, _, err := collect(t, openSource(t, f.URL(dataset, detailedTable), nil), oct2026)
			var re *connectors.RowError
			if !errors.As(err, &re) || re.Row != 2 || re.Column != tc.column || !strings.Contains(re.Object, "job_allot_") {
				t.Fatalf("error = %v, want a RowError at result row 2, column %s, naming the job", err, tc.column)
			}
		})
	}
}
