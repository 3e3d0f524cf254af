package focus_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/focus"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/objstore/fileblob"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"
)

var decEqual = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// scanAll reads every row the driver yields (in and out of the period)
// from a folder or file, copying each item.
func scanAll(t testing.TB, path string) ([]cost.LineItem, error) {
	t.Helper()
	return scanPeriod(t, path, oct)
}

func scanPeriod(t testing.TB, path string, p cost.Period) ([]cost.LineItem, error) {
	t.Helper()
	dir, prefix := path, ""
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		dir, prefix = filepath.Dir(path), filepath.Base(path)
	}
	drv := focus.New(fileblob.New(dir), prefix)
	var out []cost.LineItem
	err := drv.Scan(context.Background(), p, func(li *cost.LineItem) error {
		c := *li
		c.Tags = maps.Clone(li.Tags)
		out = append(out, c)
		return nil
	})
	return out, err
}

// writeCSV writes content to a fresh file and returns its path.
func writeCSV(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFixtureFields(t *testing.T) {
	items, err := scanAll(t, "testdata/csv")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(items), 14; got != want {
		t.Fatalf("%d rows, want %d (12 in October, 2 outside)", got, want)
	}
	obj1 := "file:testdata/csv/2026-10-part-1.csv"
	obj2 := "file:testdata/csv/2026-10-part-2.csv"
	aws := cost.LineItem{
		ProviderName: "AWS", BillingAccountID: "999999999999", BillingAccountName: "Example Payer",
		SubAccountID: "111111111111", SubAccountName: "search-prod",
		BillingPeriodStart: ts("2026-10-01T00:00:00Z"), ChargeCategory: cost.ChargeUsage,
		ServiceName: "Amazon Bedrock", ServiceCategory: "AI and Machine Learning", RegionID: "us-east-1",
		BillingCurrency: "USD",
	}
	with := func(base cost.LineItem, f func(*cost.LineItem)) cost.LineItem { f(&base); return base }
	want := map[int]cost.LineItem{
		0: with(aws, func(li *cost.LineItem) {
			li.ChargePeriodStart, li.ChargePeriodEnd = ts("2026-10-01T00:00:00Z"), ts("2026-10-01T01:00:00Z")
			li.ChargeDescription = "Claude 3.5 Sonnet input tokens"
			li.ResourceID = "arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/search-chat"
			li.ResourceName, li.ResourceType = "search-chat", "ApplicationInferenceProfile"
			li.SkuID, li.UsageType = "AMZN-BR-C35S-IN", "USE1-Claude3.5Sonnet-input-tokens"
			li.ConsumedQuantity, li.ConsumedUnit = d("1250000"), "Tokens"
			li.ListCost, li.BilledCost, li.EffectiveCost = d("3.75"), d("3.75"), d("3.75")
			li.Tags = cost.Tags{"user:team": "search", "user:action_class": "chat_call"}
			li.Source = cost.Provenance{Object: obj1, Line: 2}
		}),
		3: with(aws, func(li *cost.LineItem) { // space-separated timestamps, E-notation, empty Tags
			li.ChargePeriodStart, li.ChargePeriodEnd = ts("2026-10-02T00:00:00Z"), ts("2026-10-02T01:00:00Z")
			li.ChargeDescription = "Nova Pro input tokens"
			li.SkuID, li.UsageType = "AMZN-BR-NOVAPRO-IN", "USE1-NovaPro-input-tokens"
			li.ConsumedQuantity, li.ConsumedUnit = d("101.175"), "Tokens"
			li.ListCost, li.BilledCost, li.EffectiveCost = d("0.00008094"), d("0.00008094"), d("0.00008094")
			li.Source = cost.Provenance{Object: obj1, Line: 5}
		}),
		5: { // Azure OpenAI meter, resource group, valueless and null tag values
			ProviderName: "Microsoft", BillingAccountID: "/providers/Microsoft.Billing/billingAccounts/12345678",
			BillingAccountName: "Contoso EA", SubAccountID: "/subscriptions/00000000-0000-0000-0000-000000000001",
			SubAccountName: "support-prod", ResourceGroup: "rg-support-ai",
			BillingPeriodStart: ts("2026-10-01T00:00:00Z"), ChargePeriodStart: ts("2026-10-03T00:00:00Z"),
			ChargePeriodEnd: ts("2026-10-04T00:00:00Z"), ChargeCategory: cost.ChargeUsage,
			ChargeDescription: "GPT 5 mini input tokens", ServiceName: "Azure AI Services",
			ServiceCategory: "AI and Machine Learning", SkuID: "DZH318Z0BQ4Q", SkuMeter: "5 mini pp Inp Gl 1M Tokens",
			ResourceID:   "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-support-ai/providers/Microsoft.CognitiveServices/accounts/support-aoai",
			ResourceName: "support-aoai", ResourceType: "microsoft.cognitiveservices/accounts", RegionID: "swedencentral",
			ConsumedQuantity: d("4000000"), ConsumedUnit: "1M Tokens",
			ListCost: d("1.00"), BilledCost: d("1.00"), EffectiveCost: d("0.90"), BillingCurrency: "USD",
			Tags:   cost.Tags{"Team": "support", "valueless": "true", "owner": ""},
			Source: cost.Provenance{Object: obj1, Line: 7},
		},
		6: { // NULL literals: quantity, unit, list cost and tags
			ProviderName: "Microsoft", BillingAccountID: "/providers/Microsoft.Billing/billingAccounts/12345678",
			BillingAccountName: "Contoso EA", SubAccountID: "/subscriptions/00000000-0000-0000-0000-000000000001",
			SubAccountName:     "support-prod",
			BillingPeriodStart: ts("2026-10-01T00:00:00Z"), ChargePeriodStart: ts("2026-10-01T00:00:00Z"),
			ChargePeriodEnd: ts("2026-11-01T00:00:00Z"), ChargeCategory: cost.ChargePurchase,
			ChargeDescription: "Provisioned throughput reservation, monthly", ServiceName: "Azure AI Services",
			ServiceCategory: "AI and Machine Learning", SkuID: "PTU-MONTHLY", RegionID: "swedencentral",
			BilledCost: d("100.00"), EffectiveCost: d("0"), BillingCurrency: "USD",
			Source: cost.Provenance{Object: obj1, Line: 8},
		},
		7: { // part 2: BOM, reversed columns, Vertex Gemini SKU, space timestamps
			ProviderName: "Google Cloud", BillingAccountID: "01ABCD-234567-89EFGH", BillingAccountName: "Example GCP Billing",
			SubAccountID: "ml-search-prod", SubAccountName: "ML Search Prod",
			BillingPeriodStart: ts("2026-10-01T00:00:00Z"), ChargePeriodStart: ts("2026-10-31T23:00:00Z"),
			ChargePeriodEnd: ts("2026-11-01T00:00:00Z"), ChargeCategory: cost.ChargeUsage,
			ChargeDescription: "Gemini 2.5 Pro Text Input", ServiceName: "Vertex AI", ServiceCategory: "AI and Machine Learning",
			SkuID: "E941-1B12-88B9", SkuMeter: "Gemini 2.5 Pro Text Input",
			ResourceID: "projects/ml-search-prod/locations/us-central1/publishers/google/models/gemini-2.5-pro",
			RegionID:   "us-central1", ConsumedQuantity: d("2000000"), ConsumedUnit: "count",
			ListCost: d("2.50"), BilledCost: d("2.50"), EffectiveCost: d("2.50"), BillingCurrency: "USD",
			Tags:   cost.Tags{"team": "search", "goog-resource-type": "aiplatform.googleapis.com/Endpoint"},
			Source: cost.Provenance{Object: obj2, Line: 2},
		},
	}
	for i, w := range want {
		if diff := cmp.Diff(w, items[i], decEqual); diff != "" {
			t.Errorf("row %d (-want +got):\n%s", i, diff)
		}
	}
	// Shapes checked one by one.
	if got := items[4].Tags; !maps.Equal(got, cost.Tags{"Team": "support", "env": "prod", "cost-center": "4200"}) {
		t.Errorf("row 4 tags = %v: a number keeps its text", got)
	}
	if items[2].ChargeCategory != cost.ChargeUsage {
		t.Errorf("row 2 category %q: lower-case usage should read as Usage", items[2].ChargeCategory)
	}
	if items[8].Tags != nil {
		t.Errorf("row 8 tags = %v, want nil for {}", items[8].Tags)
	}
	if items[9].ChargeCategory != cost.ChargeCredit || !items[9].BilledCost.Equal(d("-1.25")) {
		t.Errorf("row 9 = %s %s, want a -1.25 credit", items[9].ChargeCategory, items[9].BilledCost)
	}
	if items[11].ChargeClass != "Correction" {
		t.Errorf("row 11 charge class = %q, want Correction", items[11].ChargeClass)
	}
	if items[10].ChargeCategory != cost.ChargeTax || !items[10].EffectiveCost.Equal(d("1.8765432101")) {
		t.Errorf("row 10 = %s %s, want tax 1.8765432101", items[10].ChargeCategory, items[10].EffectiveCost)
	}
}

const hdr = "ChargePeriodStart,ChargeCategory,BilledCost,EffectiveCost,BillingCurrency"

func TestHeaderVariants(t *testing.T) {
	base := cost.LineItem{
		ChargePeriodStart: ts("2026-10-01T00:00:00Z"), ChargeCategory: cost.ChargeUsage,
		BilledCost: d("1.5"), EffectiveCost: d("1.25"), BillingCurrency: "USD",
	}
	with := func(f func(*cost.LineItem)) cost.LineItem { li := base; f(&li); return li }
	tests := []struct {
		name    string
		content string
		want    cost.LineItem
	}{
		{"FOCUS 1.2 names", hdr + "\n2026-10-01T00:00:00Z,Usage,1.5,1.25,USD\n", base},
		{"lower case", strings.ToLower(hdr) + "\n2026-10-01T00:00:00Z,Usage,1.5,1.25,USD\n", base},
		{"upper case with spaces", " CHARGEPERIODSTART , CHARGECATEGORY ,BILLEDCOST,EFFECTIVECOST,BILLINGCURRENCY\n2026-10-01T00:00:00Z,Usage,1.5,1.25,USD\n", base},
		{"BOM prefixed", "\uFEFF" + hdr + "\n2026-10-01T00:00:00Z,Usage,1.5,1.25,USD\n", base},
		{"CRLF line ends", hdr + "\r\n2026-10-01T00:00:00Z,Usage,1.5,1.25,USD\r\n", base},
		{"space timestamp", hdr + "\n2026-10-01 00:00:00,Usage,1.5,1.25,USD\n", base},
		{"fractional timestamp with offset", hdr + "\n2026-10-01T02:00:00.000+02:00,Usage,1.5,1.25,USD\n", base},
		{"FOCUS 0.5 aliases",
			"ChargePeriodStart,ChargeType,BilledCost,AmortizedCost,BillingCurrency,Provider,Region,UsageQuantity,UsageUnit\n" +
				"2026-10-01T00:00:00Z,Usage,1.5,1.25,USD,AWS,us-east-1,42,Tokens\n",
			with(func(li *cost.LineItem) {
				li.ProviderName, li.RegionID, li.ConsumedQuantity, li.ConsumedUnit = "AWS", "us-east-1", d("42"), "Tokens"
			})},
		{"BilledCurrency alone", "ChargePeriodStart,ChargeCategory,BilledCost,EffectiveCost,BilledCurrency\n2026-10-01T00:00:00Z,Usage,1.5,1.25,usd\n", base},
		{"BillingCurrency wins over BilledCurrency", hdr + ",BilledCurrency\n2026-10-01T00:00:00Z,Usage,1.5,1.25,USD,AUD\n", base},
		{"Azure FOCUS 1.0 meter name", hdr + ",x_SkuMeterName\n2026-10-01T00:00:00Z,Usage,1.5,1.25,USD,GPT 5 outpt Glbl 1M Tokens\n",
			with(func(li *cost.LineItem) { li.SkuMeter = "GPT 5 outpt Glbl 1M Tokens" })},
		{"SkuMeter wins over x_SkuMeterName", hdr + ",x_SkuMeterName,SkuMeter\n2026-10-01T00:00:00Z,Usage,1.5,1.25,USD,old,new\n",
			with(func(li *cost.LineItem) { li.SkuMeter = "new" })},
		{"null literals in optional columns", hdr + ",ListCost,ChargePeriodEnd,Tags,ResourceId,ChargeClass\n2026-10-01T00:00:00Z,Usage,1.5,1.25,USD,NULL,null,NULL,NULL,\n", base},
		{"unknown columns ignored", "x_Foo," + hdr + ",PricingQuantity\nbar,2026-10-01T00:00:00Z,Usage,1.5,1.25,USD,7\n", base},
		{"x_LineCount", hdr + ",x_LineCount\n2026-10-01T00:00:00Z,Usage,1.5,1.25,USD,3\n", with(func(li *cost.LineItem) { li.Count = 3 })},
		{"quoted cells", hdr + ",ChargeDescription\n\"2026-10-01T00:00:00Z\",\"Usage\",\"1.5\",\"1.25\",\"USD\",\"a, \"\"quoted\"\"\nmulti-line\"\n",
			with(func(li *cost.LineItem) { li.ChargeDescription = "a, \"quoted\"\nmulti-line" })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := writeCSV(t, "f.csv", tc.content)
			items, err := scanAll(t, p)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 1 {
				t.Fatalf("%d items, want 1", len(items))
			}
			if diff := cmp.Diff(tc.want, items[0], decEqual, cmpopts.IgnoreFields(cost.LineItem{}, "Source")); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if got := items[0].Source; got.Line != 2 || !strings.HasSuffix(got.Object, "/f.csv") {
				t.Errorf("provenance = %+v, want f.csv line 2", got)
			}
		})
	}
}

func TestTagShapes(t *testing.T) {
	tests := []struct {
		name, cell string
		want       cost.Tags
	}{
		{"string values", `{"team":"search","env":"prod"}`, cost.Tags{"team": "search", "env": "prod"}},
		{"number keeps its text", `{"cost-center":4200,"ratio":1.50,"e":1e-3,"neg":-0}`, cost.Tags{"cost-center": "4200", "ratio": "1.50", "e": "1e-3", "neg": "-0"}},
		{"valueless key is true", `{"prod":true,"beta":false}`, cost.Tags{"prod": "true", "beta": "false"}},
		{"null value kept as empty", `{"owner":null}`, cost.Tags{"owner": ""}},
		{"keys keep provider spelling", `{"Team":"a","team":"b","user:team":"c"," org":"d"}`, cost.Tags{"Team": "a", "team": "b", "user:team": "c", " org": "d"}},
		{"escapes", `{"k\"q":"line\nbreak \u00e9 \/"}`, cost.Tags{`k"q`: "line\nbreak é /"}},
		{"whitespace", " { \"a\" : \"b\" , \"c\" : 1 } ", cost.Tags{"a": "b", "c": "1"}},
		{"same key twice with one value", `{"a":"x","a":"x"}`, cost.Tags{"a": "x"}},
		{"empty object", `{}`, nil},
		{"empty cell", ``, nil},
		{"NULL", `NULL`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cell := `"` + strings.ReplaceAll(tc.cell, `"`, `""`) + `"`
			p := writeCSV(t, "t.csv", hdr+",Tags\n2026-10-01T00:00:00Z,Usage,1,1,USD,"+cell+"\n")
			items, err := scanAll(t, p)
			if err != nil {
				t.Fatal(err)
			}
			if got := items[0].Tags; !maps.Equal(got, tc.want) || (got == nil) != (tc.want == nil) {
				t.Errorf("tags = %#v, want %#v", got, tc.want)
			}
		})
	}
}

// badInputCases are malformed files and where a scan must report them.
const badRow = "2026-10-01T00:00:00Z,Usage,1,1,USD"

var badInputCases = []struct {
	name     string
	content  string
	line     int64
	column   string
	sentinel error
	yielded  int // items yielded before the error
}{
	{"missing BilledCost", "ChargePeriodStart,ChargeCategory,EffectiveCost,BillingCurrency\n2026-10-01T00:00:00Z,Usage,1,USD\n", 0, "BilledCost", focus.ErrMissingColumn, 0},
	{"missing several, first named", "Tags\n{}\n", 0, "ChargePeriodStart", focus.ErrMissingColumn, 0},
	{"header named twice", hdr + ",billedcost\n" + badRow + ",2\n", 0, "BilledCost", focus.ErrBadFile, 0},
	{"empty file", "", 1, "", focus.ErrBadFile, 0},
	{"null charge period start", hdr + "\n" + badRow + "\n,Usage,1,1,USD\n", 3, "ChargePeriodStart", focus.ErrNull, 1},
	{"NULL billed cost", hdr + "\n" + badRow + "\n" + badRow + "\n2026-10-01T00:00:00Z,Usage,NULL,1,USD\n", 4, "BilledCost", focus.ErrNull, 2},
	{"null currency", hdr + "\n2026-10-01T00:00:00Z,Usage,1,1,\n", 2, "BillingCurrency", focus.ErrNull, 0},
	{"null category", hdr + "\n2026-10-01T00:00:00Z,null,1,1,USD\n", 2, "ChargeCategory", focus.ErrNull, 0},
	{"month-first date", hdr + "\n5/1/25,Usage,1,1,USD\n", 2, "ChargePeriodStart", focus.ErrBadValue, 0},
	{"impossible date", hdr + "\n2026-02-30T00:00:00Z,Usage,1,1,USD\n", 2, "ChargePeriodStart", focus.ErrBadValue, 0},
	{"money with symbol", hdr + "\n2026-10-01T00:00:00Z,Usage,\"$10,000.00 \",1,USD\n", 2, "BilledCost", focus.ErrBadValue, 0},
	{"thousands separator", hdr + "\n2026-10-01T00:00:00Z,Usage,1,\"1,000\",USD\n", 2, "EffectiveCost", focus.ErrBadValue, 0},
	{"unknown category", hdr + "\n2026-10-01T00:00:00Z,Fee,1,1,USD\n", 2, "ChargeCategory", focus.ErrBadValue, 0},
	{"charge class not Correction", hdr + ",ChargeClass\n" + badRow + ",Refund\n", 2, "ChargeClass", focus.ErrBadValue, 0},
	{"currency name", hdr + "\n2026-10-01T00:00:00Z,Usage,1,1,US Dollar\n", 2, "BillingCurrency", focus.ErrBadValue, 0},
	{"bad optional number", hdr + ",ConsumedQuantity\n" + badRow + ",lots\n", 2, "ConsumedQuantity", focus.ErrBadValue, 0},
	{"line count zero", hdr + ",x_LineCount\n" + badRow + ",0\n", 2, "x_LineCount", focus.ErrBadValue, 0},
	{"tags not JSON", hdr + ",Tags\n" + badRow + ",team=search\n", 2, "Tags", focus.ErrBadTags, 0},
	{"tags Azure EA without braces", hdr + ",Tags\n" + badRow + ",\"\"\"env\"\": \"\"prod\"\"\"\n", 2, "Tags", focus.ErrBadTags, 0},
	{"tags nested object", hdr + ",Tags\n" + badRow + ",\"{\"\"a\"\":{\"\"b\"\":1}}\"\n", 2, "Tags", focus.ErrBadTags, 0},
	{"tags array value", hdr + ",Tags\n" + badRow + ",\"{\"\"a\"\":[1]}\"\n", 2, "Tags", focus.ErrBadTags, 0},
	{"tags duplicate key", hdr + ",Tags\n" + badRow + ",\"{\"\"a\"\":\"\"x\"\",\"\"a\"\":\"\"y\"\"}\"\n", 2, "Tags", focus.ErrBadTags, 0},
	{"tags trailing text", hdr + ",Tags\n" + badRow + ",\"{}x\"\n", 2, "Tags", focus.ErrBadTags, 0},
	{"tags bad number", hdr + ",Tags\n" + badRow + ",\"{\"\"a\"\":01}\"\n", 2, "Tags", focus.ErrBadTags, 0},
	{"wrong field count", hdr + "\n" + badRow + "\n2026-10-01T00:00:00Z,Usage,1,1\n", 3, "", focus.ErrBadFile, 1},
	{"bare quote", hdr + "\n" + badRow + "\n2026-10-01T00:00:00Z,Us\"age,1,1,USD\n", 3, "", focus.ErrBadFile, 1},
	{"line after a multi-line cell", hdr + ",ChargeDescription\n" + badRow + ",\"two\nlines\"\n2026-10-01T00:00:00Z,Usage,x,1,USD,ok\n", 4, "BilledCost", focus.ErrBadValue, 1},
}

func TestBadInput(t *testing.T) {
	for _, tc := range badInputCases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeCSV(t, "bad.csv", tc.content)
			items, err := scanAll(t, p)
			var re *connectors.RowError
			if !errors.As(err, &re) {
				t.Fatalf("error = %v, want a *connectors.RowError", err)
			}
			if !errors.Is(err, tc.sentinel) || !errors.Is(err, connectors.ErrBadInput) {
				t.Errorf("error = %v, want one matching %v and connectors.ErrBadInput", err, tc.sentinel)
			}
			if re.Line != tc.line || re.Column != tc.column || !strings.HasSuffix(re.Object, "/bad.csv") {
				t.Errorf("RowError at %s line %d column %q, want bad.csv line %d column %q (%v)",
					re.Object, re.Line, re.Column, tc.line, tc.column, err)
			}
			if len(items) != tc.yielded {
				t.Errorf("%d items yielded before the error, want %d", len(items), tc.yielded)
			}
		})
	}
}

func TestMissingColumnsListed(t *testing.T) {
	_, err := scanAll(t, writeCSV(t, "x.csv", "ChargeType,Tags\nUsage,{}\n"))
	for _, name := range []string{"ChargePeriodStart", "BilledCost", "EffectiveCost", "BillingCurrency"} {
		if !strings.Contains(fmt.Sprint(err), name) {
			t.Errorf("error %q does not name %s", err, name)
		}
	}
	if strings.Contains(fmt.Sprint(err), "ChargeCategory,") {
		t.Errorf("error %q lists ChargeCategory, which the 0.5 alias ChargeType carries", err)
	}
}

func TestPublicSamples(t *testing.T) {
	t.Run("FOCUS 0.5 validator sample", func(t *testing.T) {
		items, err := scanPeriod(t, "testdata/samples/focus_validator__all_pass_0.5.csv", cost.Period{Year: 2023, Month: time.June})
		if err != nil {
			t.Fatal(err)
		}
		// From the file by eye: two rows on 2023-06-01, BillingCurrency USD
		// (BilledCurrency says AUD on row 1), AmortizedCost 0.01 and 1.
		if len(items) != 2 {
			t.Fatalf("%d items, want 2", len(items))
		}
		got := []string{items[0].BillingCurrency, string(items[0].ChargeCategory), items[0].EffectiveCost.String(),
			items[0].ProviderName, items[0].RegionID, items[0].SubAccountID, items[1].BillingAccountName,
			string(items[1].ChargeCategory), items[1].BilledCost.String()}
		want := []string{"USD", "Purchase", "0.01", "A", "A", "a09876543212", "", "Adjustment", "1"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("FOCUS spec SaaS example with $ amounts and m/d/yy dates", func(t *testing.T) {
		_, err := scanAll(t, "testdata/samples/saas_examples__simple_agreements__simple_saas_agreements_a1.csv")
		var re *connectors.RowError
		if !errors.As(err, &re) || re.Line != 2 || re.Column != "BillingPeriodStart" || !errors.Is(err, focus.ErrBadValue) {
			t.Fatalf("error = %v, want a bad BillingPeriodStart on line 2", err)
		}
	})
	t.Run("FOCUS spec commitment example without BillingCurrency", func(t *testing.T) {
		_, err := scanAll(t, "testdata/samples/commitment_discount_scenarios__commitment_discount_usage_scenario_4.csv")
		var re *connectors.RowError
		if !errors.As(err, &re) || re.Column != "BillingCurrency" || !errors.Is(err, focus.ErrMissingColumn) {
			t.Fatalf("error = %v, want missing BillingCurrency", err)
		}
	})
}

func TestCancelMidScan(t *testing.T) {
	var b strings.Builder
	b.WriteString(hdr + "\n")
	for i := 0; i < 5000; i++ {
		b.WriteString("2026-10-01T00:00:00Z,Usage,1,1,USD\n")
	}
	p := writeCSV(t, "big.csv", b.String())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	err := focus.New(fileblob.New(filepath.Dir(p)), "big.csv").Scan(ctx, oct, func(*cost.LineItem) error {
		calls++
		if calls == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if calls >= 2048 {
		t.Errorf("%d rows after cancel, want fewer than 2048", calls)
	}
}
