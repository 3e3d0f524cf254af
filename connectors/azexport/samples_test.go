package azexport

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/cost"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"
)

// want is the part of a line item a header-variant test checks; every value
// was read off the fixture by hand.
type want struct {
	SubAccountID, ResourceGroup, ResourceID, RegionID, ServiceName, SkuMeter, SkuID string
	BillingAccountID, BillingCurrency, ConsumedUnit                                 string
	ChargePeriodStart, BillingPeriodStart                                           time.Time
	ChargeCategory                                                                  cost.ChargeCategory
	Billed, Effective, List, Quantity                                               decimal.Decimal
	Tags                                                                            cost.Tags
}

func wantOf(li cost.LineItem) want {
	return want{
		SubAccountID: li.SubAccountID, ResourceGroup: li.ResourceGroup, ResourceID: li.ResourceID,
		RegionID: li.RegionID, ServiceName: li.ServiceName, SkuMeter: li.SkuMeter, SkuID: li.SkuID,
		BillingAccountID: li.BillingAccountID, BillingCurrency: li.BillingCurrency, ConsumedUnit: li.ConsumedUnit,
		ChargePeriodStart: li.ChargePeriodStart, BillingPeriodStart: li.BillingPeriodStart,
		ChargeCategory: li.ChargeCategory, Billed: li.BilledCost, Effective: li.EffectiveCost,
		List: li.ListCost, Quantity: li.ConsumedQuantity, Tags: li.Tags,
	}
}

var decimalEqual = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

func TestHeaderVariants(t *testing.T) {
	const sub = "11111111-12ab-34dc-56ef-123456abcdef"
	lb := "/subscriptions/" + sub + "/resourceGroups/Example-Resource-Group/providers/Microsoft.Network/loadBalancers/kubernetes"
	// PayAsYouGo, German and YA carry the same load-balancer row under three header sets.
	loadBalancer := want{
		SubAccountID: sub, ResourceGroup: "Example-Resource-Group", ResourceID: lb, RegionID: "useast",
		ServiceName: "Load Balancer", SkuMeter: "Included LB Rules and Outbound Rules",
		SkuID: "27827eb0-7f60-4928-940b-f5fe15e7a4cb", BillingCurrency: "USD", ConsumedUnit: "100 Hours",
		ChargePeriodStart: day(2021, 2, 2), ChargeCategory: cost.ChargeUsage,
		Billed: d("0.075"), Effective: d("0.075"), List: d("0"), Quantity: d("3"),
	}
	for _, tc := range []struct {
		file string
		opts map[string]string
		p    cost.Period
		want want
	}{
		{"opencost__headerset_PayAsYouGo.csv", nil, cost.Period{Year: 2021, Month: 2}, loadBalancer},
		{"opencost__headerset_German.csv", nil, cost.Period{Year: 2021, Month: 2}, loadBalancer},
		// YA: camelCase and German mixed; "date" is the cost-details Date column, written month-first.
		{"opencost__headerset_YA.csv", nil, cost.Period{Year: 2021, Month: 2}, loadBalancer},
		{"opencost__headerset_Enterprise.csv", nil, cost.Period{Year: 2021, Month: 2}, want{
			SubAccountID: sub, ResourceGroup: "Example-Resource-Group",
			ResourceID: "/subscriptions/" + sub + "/resourceGroups/Example-Resource-Group/providers/Microsoft.Compute/virtualMachineScaleSets/aks-defaultpool-12345678-vmss",
			RegionID:   "canadacentral", ServiceName: "Virtual Machines", SkuMeter: "E4 v3/E4s v3", SkuID: "ABC-12345",
			BillingAccountID: "12345678", BillingCurrency: "CAD", ConsumedUnit: "10 Hours",
			ChargePeriodStart: day(2021, 2, 2), BillingPeriodStart: day(2021, 5, 1), ChargeCategory: cost.ChargeUsage,
			Billed: d("0"), Effective: d("0"), List: d("0"), Quantity: d("10"),
			Tags: cost.Tags{"createOperationID": sub, "creationSource": "vmssclient-aks-defaultpool-12345678-vmss",
				"orchestrator": "Kubernetes:1.19.9", "poolName": "defaultpool", "resourceNameSuffix": "12345678"},
		}},
		{"opencost__headerset_EnterpriseCamel.csv", nil, cost.Period{Year: 2021, Month: 2}, want{
			SubAccountID: "11111111-1111-1111-1111-123456789012", ResourceGroup: "databricks",
			ResourceID: "/subscriptions/11111111-1111-1111-1111-123456789012/resourceGroups/testspot/providers/Microsoft.Storage/storageAccounts/storename",
			RegionID:   "westus", ServiceName: "Virtual Network", SkuMeter: "Dynamic Public IP", SkuID: "DZH318Z0BNXN0032",
			BillingCurrency: "USD", ConsumedUnit: "1 Hour", ChargePeriodStart: day(2021, 2, 2), ChargeCategory: cost.ChargeUsage,
			Billed: d("0.012"), Effective: d("0.012"), List: d("0"), Quantity: d("3"),
			Tags: cost.Tags{"ClusterId": "0103-212455-stash756", "ServiceType": "DataAnalysis", "ClusterName": "SrgExtractsPartDeux",
				"databricks-instance-name": "0c1ef59764casdf0c0e094e1cc", "Creator": "email@email.com", "Vendor": "Databricks",
				"DatabricksEnvironment": "workerenv-6448504491843616"},
		}},
		// No currency column: the currency option supplies it. Tags without braces.
		{"opencost__values_MissingBrackets.csv", map[string]string{"currency": "usd"}, cost.Period{Year: 2021, Month: 2}, want{
			SubAccountID: sub, BillingAccountID: sub,
			ResourceID:  "/subscriptions/" + sub + "/resourceGroups/Example-Resource-Group/providers/Microsoft.Compute/virtualMachineScaleSets/aks-nodepool1-12345678-vmss",
			ServiceName: "Virtual Machines", BillingCurrency: "USD", ChargePeriodStart: day(2021, 2, 1), ChargeCategory: cost.ChargeUsage,
			Billed: d("4"), Effective: d("4"), List: d("5"), Quantity: d("0"),
			Tags: cost.Tags{"resourceNameSuffix": "12345678", "aksEngineVersion": "aks-release-v0.47.0-1-aks", "creationSource": "aks-aks-nodepool1-12345678-vmss"},
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			items, _, err := collect(t, openSource(t, fileURL(t, "samples/"+tc.file), tc.opts), tc.p)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 1 {
				t.Fatalf("got %d items, want 1", len(items))
			}
			if diff := cmp.Diff(tc.want, wantOf(items[0]), decimalEqual, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("item mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBOMHeader(t *testing.T) {
	// The BOM header set has one row with only a date: the BOM must not hide
	// the first column, and the empty cost must be reported, not read as 0.
	_, _, err := collect(t, openSource(t, fileURL(t, "samples/opencost__headerset_BOM.csv"), nil), cost.Period{Year: 2022, Month: 11})
	var re *connectors.RowError
	if !errors.As(err, &re) || re.Line != 2 || re.Column != "PreTaxCost" {
		t.Fatalf("error = %v, want a RowError at line 2, column PreTaxCost", err)
	}
}

func TestEAActualCost(t *testing.T) {
	// FTK EA ActualCost: 11 rows, one Reservation Purchase of 3.25 (billed,
	// not effective). Sums computed with Python's decimal module.
	items, st, err := collect(t, openSource(t, fileURL(t, "samples/finops-toolkit__EA_ActualCost_Small.csv"),
		map[string]string{"dataset": "actual"}), cost.Period{Year: 2023, Month: 9})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st.Lines, int64(11); got != want {
		t.Errorf("lines = %d, want %d", got, want)
	}
	if got, want := st.Billed, d("8.5450077867419368"); !got.Equal(want) {
		t.Errorf("billed = %s, want %s", got, want)
	}
	if got, want := st.Effective, d("5.2950077867419368"); !got.Equal(want) {
		t.Errorf("effective = %s, want %s", got, want)
	}
	first := items[0] // the reservation purchase, dated 09/21/2023
	if first.ChargeCategory != cost.ChargePurchase || !first.ChargePeriodStart.Equal(day(2023, 9, 21)) ||
		!first.BilledCost.Equal(d("3.25")) || !first.EffectiveCost.IsZero() {
		t.Errorf("purchase row = %s %s billed %s effective %s", first.ChargeCategory, first.ChargePeriodStart, first.BilledCost, first.EffectiveCost)
	}
	// Row 3 has EA tags without braces: "CostCenter": "1234","env": "prod",…
	if got := items[1].Tags["env"]; got != "prod" {
		t.Errorf("line 3 tag env = %q, want prod (tags %v)", got, items[1].Tags)
	}
}

func TestEAAmortizedNeedsDataset(t *testing.T) {
	// Without a manifest or the option, the first row (Reservation usage,
	// 0.493152) cannot be split into billed and effective cost.
	_, _, err := collect(t, openSource(t, fileURL(t, "samples/finops-toolkit__EA_AmortizedCost_Small.csv"), nil), cost.Period{Year: 2023, Month: 9})
	var re *connectors.RowError
	if !errors.As(err, &re) || re.Line != 2 || re.Column != "PricingModel" || !errors.Is(err, errDatasetNeeded) {
		t.Fatalf("error = %v, want errDatasetNeeded at line 2, column PricingModel", err)
	}
}

func TestEANoRows(t *testing.T) {
	// A header-only export is a valid empty export, not an error.
	items, st, err := collect(t, openSource(t, fileURL(t, "samples/finops-toolkit__EA_NoRows.csv"), nil), cost.Period{Year: 2023, Month: 9})
	if err != nil || len(items) != 0 || st.Lines != 0 {
		t.Fatalf("got %d items, %v; want none and no error", len(items), err)
	}
}

func TestKokuEAInvalidCurrency(t *testing.T) {
	// KOKU's EA v2 fixture writes BillingCurrencyCode "MC", not an ISO code.
	_, _, err := collect(t, openSource(t, fileURL(t, "samples/koku__ea_azure_version_2.csv"), nil), cost.Period{Year: 2020, Month: 9})
	var re *connectors.RowError
	if !errors.As(err, &re) || re.Line != 2 || re.Column != "BillingCurrencyCode" || !errors.Is(err, connectors.ErrBadInput) {
		t.Fatalf("error = %v, want a RowError at line 2, column BillingCurrencyCode", err)
	}
}

func TestKokuMCACamel(t *testing.T) {
	// MCA camelCase: billing profile as billing account, paygCost as list
	// cost, month-first dates, tags with braces on the last row.
	// costInBillingCurrency: 0.0000204972 + 0.00000160 + 0.000004 + 0.000000144 = 0.0000262412
	// paygCostInBillingCurrency: the same four values.
	items, st, err := collect(t, openSource(t, fileURL(t, "samples/koku__mca_camel_azure_version_2.csv"), nil), cost.Period{Year: 2023, Month: 8})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st.Billed, d("0.0000262412"); !got.Equal(want) {
		t.Errorf("billed = %s, want %s", got, want)
	}
	var list decimal.Decimal
	for _, li := range items {
		list = list.Add(li.ListCost)
		if li.BillingAccountID != "NF5V-BI6B-BG7-PGB" || !li.ChargePeriodStart.Equal(day(2023, 8, 1)) {
			t.Errorf("%s: account %q start %s", li.Source, li.BillingAccountID, li.ChargePeriodStart)
		}
	}
	if want := d("0.0000262412"); !list.Equal(want) {
		t.Errorf("list = %s, want %s", list, want)
	}
	if got := items[3].Tags["project"]; got != "p1" {
		t.Errorf("last row tags = %v, want project=p1", items[3].Tags)
	}
	if got := items[0].RegionID; got != "eastus" {
		t.Errorf("region = %q, want eastus (resourceLocation)", got)
	}
	if got := items[0].ResourceName; got != "filtereddatademo" {
		t.Errorf("resource name = %q, want the last segment of the MCA InstanceName", got)
	}
}

func TestErrorsNameFileLineColumn(t *testing.T) {
	// The errors a FinOps engineer sees must say where and what to do.
	_, _, err := collect(t, openSource(t, fileURL(t, "samples/koku__ea_azure_version_2.csv"), nil), cost.Period{Year: 2020, Month: 9})
	msg := err.Error()
	for _, part := range []string{"koku__ea_azure_version_2.csv:2", "BillingCurrencyCode", `"MC"`, "ISO 4217"} {
		if !strings.Contains(msg, part) {
			t.Errorf("error %q does not mention %q", msg, part)
		}
	}
}
