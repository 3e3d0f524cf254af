package azexport

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/connectortest"
	"github.com/allot-dev/allot/cost"
	"github.com/google/go-cmp/cmp"
)

func TestSplitCost(t *testing.T) {
	for _, tc := range []struct {
		name              string
		ds                Dataset
		chargeType, pm    string
		cost              string
		billed, effective string
		err               error
	}{
		{"on-demand usage, actual", DatasetActual, "Usage", "OnDemand", "7.25", "7.25", "7.25", nil},
		{"on-demand usage, amortized", DatasetAmortized, "Usage", "OnDemand", "7.25", "7.25", "7.25", nil},
		{"spot usage, unknown", DatasetUnknown, "Usage", "Spot", "7.25", "7.25", "7.25", nil},
		{"reservation usage, amortized", DatasetAmortized, "Usage", "Reservation", "7.25", "0", "7.25", nil},
		{"savings plan usage, amortized", DatasetAmortized, "usage", "SavingsPlan", "7.25", "0", "7.25", nil},
		{"reservation usage, actual", DatasetActual, "Usage", "Reservation", "7.25", "7.25", "7.25", nil},
		{"reservation usage at 0, unknown", DatasetUnknown, "Usage", "Reservation", "0", "0", "0", nil},
		{"reservation usage, unknown", DatasetUnknown, "Usage", "Reservation", "7.25", "", "", errDatasetNeeded},
		{"reservation purchase, actual", DatasetActual, "Purchase", "Reservation", "7.25", "7.25", "0", nil},
		{"savings plan purchase, amortized", DatasetAmortized, "Purchase", "Savings Plan", "7.25", "7.25", "0", nil},
		{"reservation refund", DatasetActual, "Refund", "Reservation", "-7.25", "-7.25", "0", nil},
		{"marketplace purchase", DatasetActual, "Purchase", "OnDemand", "7.25", "7.25", "7.25", nil},
		{"unused reservation", DatasetAmortized, "UnusedReservation", "Reservation", "7.25", "0", "7.25", nil},
		{"unused savings plan, unknown", DatasetUnknown, "UnusedSavingsPlan", "SavingsPlan", "7.25", "0", "7.25", nil},
		{"tax", DatasetActual, "Tax", "", "7.25", "7.25", "7.25", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			billed, effective, err := splitCost(tc.ds, tc.chargeType, tc.pm, d(tc.cost))
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("error = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !billed.Equal(d(tc.billed)) || !effective.Equal(d(tc.effective)) {
				t.Errorf("billed, effective = %s, %s; want %s, %s", billed, effective, tc.billed, tc.effective)
			}
		})
	}
}

func TestChargeCategory(t *testing.T) {
	for _, tc := range []struct {
		in    string
		cat   cost.ChargeCategory
		class string
		ok    bool
	}{
		{"Usage", cost.ChargeUsage, "", true},
		{"Purchase", cost.ChargePurchase, "", true},
		{"Tax", cost.ChargeTax, "", true},
		{"Credit", cost.ChargeCredit, "", true},
		{"UnusedReservation", cost.ChargeUsage, "", true},
		{"UnusedSavingsPlan", cost.ChargeUsage, "", true},
		{"Refund", cost.ChargePurchase, "Correction", true},
		{"RoundingAdjustment", cost.ChargeAdjustment, "", true},
		{"roundingadjustment", cost.ChargeAdjustment, "", true},
		{"Fee", "", "", false},
		{"", "", "", false},
	} {
		cat, class, ok := chargeCategory(tc.in)
		if cat != tc.cat || class != tc.class || ok != tc.ok {
			t.Errorf("chargeCategory(%q) = %q, %q, %v; want %q, %q, %v", tc.in, cat, class, ok, tc.cat, tc.class, tc.ok)
		}
	}
}

func TestCanonicalHeader(t *testing.T) {
	for in, want := range map[string]string{
		"Abonnement-GUID (SubscriptionGuid)": "subscriptionguid",
		"\uFEFFSubscriptionGuid":             "subscriptionguid",
		" costInBillingCurrency ":            "costinbillingcurrency",
		"Tags (Tags)":                        "tags",
		"Maßeinheit (UnitOfMeasure)":         "unitofmeasure",
		"Cost (in USD)":                      "cost (in usd)", // not an identifier: kept
		"ServiceName":                        "servicename",
	} {
		if got := canonicalHeader(in); got != want {
			t.Errorf("canonicalHeader(%q) = %q, want %q", in, got, want)
		}
	}
}

// writeFile writes a CSV under a temp dir and returns its file: URL.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return "file:" + p
}

func TestDates(t *testing.T) {
	sep := cost.Period{Year: 2023, Month: 9}
	for _, tc := range []struct {
		name    string
		csv     string
		want    []string // ChargePeriodStart days, or nil for an error
		errLine int64
	}{
		{"EA month-first", "Date,Cost,BillingCurrency\n09/21/2023,1,USD\n9/2/2023,1,USD\n", []string{"2023-09-21", "2023-09-02"}, 0},
		{"month-first with time", "Date,Cost,BillingCurrency\n9/2/2023 12:00:00 AM,1,USD\n", []string{"2023-09-02"}, 0},
		{"ISO", "Date,Cost,BillingCurrency\n2023-09-22,1,USD\n2023-09-03T00:00:00Z,1,USD\n", []string{"2023-09-22", "2023-09-03"}, 0},
		{"ISO with time of day", "UsageDateTime,PreTaxCost,Currency\n2023-09-22 13:00:00,1,USD\n", []string{"2023-09-22"}, 0},
		// 09/02 could be read either way by a guesser; month-first is Azure's
		// documented format, and the file must not switch formats.
		{"mixed formats", "Date,Cost,BillingCurrency\n2023-09-22,1,USD\n09/02/2023,1,USD\n", nil, 3},
		{"slash date in legacy UsageDateTime", "UsageDateTime,PreTaxCost,Currency\n09/02/2023,1,USD\n", nil, 2},
		{"day-first is not month-first", "Date,Cost,BillingCurrency\n21/09/2023,1,USD\n", nil, 2},
		{"empty date", "Date,Cost,BillingCurrency\n,1,USD\n", nil, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := writeFile(t, "x.csv", tc.csv)
			// the grouped scan allot run uses: the same lines grouped, or the same error
			connectortest.Groups(t, driverAt(t, strings.TrimPrefix(url, "file:"), nil), sep)
			items, _, err := collect(t, openSource(t, url, nil), sep)
			if tc.want == nil {
				var re *connectors.RowError
				if !errors.As(err, &re) || re.Line != tc.errLine {
					t.Fatalf("error = %v, want a RowError at line %d", err, tc.errLine)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, li := range items {
				got = append(got, li.ChargePeriodStart.Format("2006-01-02"))
				if h := li.ChargePeriodEnd.Sub(li.ChargePeriodStart).Hours(); h != 24 {
					t.Errorf("charge period is %v hours, want 24", h)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("dates (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRowErrors(t *testing.T) {
	sep := cost.Period{Year: 2023, Month: 9}
	for _, tc := range []struct {
		name, csv, column string
		line              int64
	}{
		{"cost with thousands separator", "Date,Cost,BillingCurrency\n2023-09-01,\"1,234.00\",USD\n", "Cost", 2},
		{"empty cost", "Date,Cost,BillingCurrency\n2023-09-01,,USD\n", "Cost", 2},
		{"unknown charge type", "Date,Cost,BillingCurrency,ChargeType\n2023-09-01,1,USD,Usage\n2023-09-01,1,USD,Fee\n", "ChargeType", 3},
		{"bad tags", "Date,Cost,BillingCurrency,Tags\n2023-09-01,1,USD,\"team: search\"\n", "Tags", 2},
		{"bad quantity", "Date,Cost,BillingCurrency,Quantity\n2023-09-01,1,USD,n/a\n", "Quantity", 2},
		{"no currency column", "Date,Cost\n2023-09-01,1\n", "", 1},
		{"missing cost column", "Date,BillingCurrency\n2023-09-01,USD\n", "", 1},
		{"short row", "Date,Cost,BillingCurrency\n2023-09-01,1\n", "", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := writeFile(t, "bad.csv", tc.csv)
			connectortest.Groups(t, driverAt(t, strings.TrimPrefix(url, "file:"), nil), sep) // the same error, nothing yielded
			_, _, err := collect(t, openSource(t, url, nil), sep)
			var re *connectors.RowError
			if !errors.As(err, &re) || re.Line != tc.line || re.Column != tc.column || !errors.Is(err, connectors.ErrBadInput) {
				t.Fatalf("error = %v, want a RowError at line %d column %q", err, tc.line, tc.column)
			}
		})
	}
}

func TestFocusCost(t *testing.T) {
	// A FocusCost file: FOCUS columns plus x_ columns; SubAccountId carries
	// the /subscriptions/ prefix. Values chosen by hand.
	csv := "BilledCost,EffectiveCost,ListCost,BillingCurrency,ChargeCategory,ChargeClass,ChargePeriodStart,ChargePeriodEnd," +
		"BillingPeriodStart,BillingAccountId,SubAccountId,SubAccountName,ServiceName,ServiceCategory,SkuId,SkuMeter,RegionId," +
		"ResourceId,ResourceName,ConsumedQuantity,ConsumedUnit,Tags,x_ResourceGroupName,x_SkuMeterName\n" +
		"0,4.5,5.0,USD,Usage,,2026-10-03T00:00:00Z,2026-10-04T00:00:00Z,2026-10-01T00:00:00Z,NF5V,/subscriptions/abc-1/,ai," +
		"Azure AI Services,AI and Machine Learning,DZH1,5 mini pp Inp Gl 1M Tokens,swedencentral,/subscriptions/abc-1/x,x,1000," +
		"Tokens,\"{\"\"team\"\":\"\"search\"\",\"\" org\"\":\"\"a\"\"}\",rg-ai,ignored\n" +
		"-2.00,-2.00,NULL,USD,Purchase,Correction,2026-10-05T00:00:00Z,2026-10-06T00:00:00Z,2026-10-01T00:00:00Z,NF5V,/subscriptions/abc-1,ai," +
		"Azure AI Services,AI and Machine Learning,,,,,,NULL,NULL,{},rg-ai,Refund meter\n"
	items, st, err := collect(t, openSource(t, writeFile(t, "focus.csv", csv), nil), oct2026)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || !st.Billed.Equal(d("-2")) || !st.Effective.Equal(d("2.5")) {
		t.Fatalf("%d items, billed %s, effective %s; want 2, -2, 2.5", len(items), st.Billed, st.Effective)
	}
	a, b := items[0], items[1]
	if a.SubAccountID != "abc-1" || a.ResourceGroup != "rg-ai" || a.SkuMeter != "5 mini pp Inp Gl 1M Tokens" ||
		a.ServiceCategory != "AI and Machine Learning" || !a.ListCost.Equal(d("5")) || a.Tags["org"] != "a" || a.Tags["team"] != "search" {
		t.Errorf("first item = %+v", a)
	}
	if b.ChargeClass != "Correction" || b.ChargeCategory != cost.ChargePurchase || b.SkuMeter != "Refund meter" || !b.ListCost.IsZero() {
		t.Errorf("second item = %+v", b)
	}
}
