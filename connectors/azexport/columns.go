package azexport

import (
	"fmt"
	"strings"

	"github.com/allot-dev/allot/connectors"
)

// Dataset is the kind of cost data an export holds.
type Dataset string

// Datasets. DatasetUnknown is a cost-details file (ActualCost or
// AmortizedCost columns) whose dataset neither a manifest nor the dataset
// option names: the two share one column set.
const (
	DatasetUnknown   Dataset = ""
	DatasetActual    Dataset = "actual"
	DatasetAmortized Dataset = "amortized"
	DatasetFocus     Dataset = "focus"
)

// parseDatasetOption parses the dataset option.
func parseDatasetOption(s string) (Dataset, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "actual", "actualcost":
		return DatasetActual, nil
	case "amortized", "amortizedcost":
		return DatasetAmortized, nil
	case "focus", "focuscost":
		return DatasetFocus, nil
	}
	return "", fmt.Errorf("azexport: option dataset=%q: want actual, amortized or focus", s)
}

// datasetOfExportType maps a manifest's exportConfig.type.
func datasetOfExportType(t string) (Dataset, error) {
	switch strings.ToLower(strings.TrimSpace(t)) {
	case "actualcost", "usage":
		return DatasetActual, nil
	case "amortizedcost":
		return DatasetAmortized, nil
	case "focuscost":
		return DatasetFocus, nil
	}
	return "", fmt.Errorf("export type %q is not a cost dataset (want ActualCost, AmortizedCost or FocusCost)", t)
}

// canonicalHeader folds a header name for lookup: a localized portal
// header such as "Abonnement-GUID (SubscriptionGuid)" becomes its
// parenthesised English name; the result is trimmed and lower case.
func canonicalHeader(h string) string {
	h = strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))
	if strings.HasSuffix(h, ")") {
		if i := strings.LastIndexByte(h, '('); i >= 0 {
			if inner := strings.TrimSpace(h[i+1 : len(h)-1]); isIdent(inner) {
				h = inner
			}
		}
	}
	return strings.ToLower(h)
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// header indexes a file's columns by canonical name; the first column of a
// name wins.
type header struct {
	names []string // as written
	index map[string]int
}

func newHeader(names []string) header {
	h := header{names: names, index: make(map[string]int, len(names))}
	for i, n := range names {
		k := canonicalHeader(n)
		if _, dup := h.index[k]; !dup {
			h.index[k] = i
		}
	}
	return h
}

// col returns the index of the first of names present, or -1.
func (h header) col(names ...string) int {
	for _, n := range names {
		if i, ok := h.index[strings.ToLower(n)]; ok {
			return i
		}
	}
	return -1
}

// has reports whether any of names is present.
func (h header) has(names ...string) bool { return h.col(names...) >= 0 }

// name returns the column's name as written in the file, for errors.
func (h header) name(i int) string {
	if i < 0 || i >= len(h.names) {
		return ""
	}
	return strings.TrimSpace(strings.TrimPrefix(h.names[i], "\uFEFF"))
}

// isFocus reports whether the columns are a FocusCost export's.
func (h header) isFocus() bool {
	return h.has("BilledCost") && h.has("EffectiveCost") && h.has("ChargePeriodStart")
}

// layout says where each field is in one file. -1 means absent.
type layout struct {
	focus bool
	mca   bool
	// monthFirst: slash dates in this file's date column are month-first
	// (the cost-details Date column); false forbids slash dates.
	monthFirst bool

	date, billingPeriodStart, chargePeriodEnd                  int
	cost, billed, effective, list                              int
	currency                                                   int
	subscription, subscriptionName                             int
	billingAccount, billingAccountName                         int
	billingProfile, billingProfileName                         int
	resourceGroup, resourceID, resourceName                    int
	resourceType, location, serviceName, serviceCat            int
	meterName, meterAlt, meterID, productID, partNumber, skuID int
	productName, quantity, unit                                int
	chargeType, chargeCategory, chargeClass                    int
	pricingModel, tags, provider                               int
}

// newLayout resolves the columns of one file. file names the object for
// errors. It fails when a column every row needs is missing.
func newLayout(h header, file string) (*layout, error) {
	if h.isFocus() {
		return focusLayout(h, file)
	}
	l := &layout{
		date:               h.col("Date", "UsageDateTime"),
		billingPeriodStart: h.col("BillingPeriodStartDate"),
		chargePeriodEnd:    -1,
		cost:               h.col("CostInBillingCurrency", "Cost", "PreTaxCost"),
		billed:             -1,
		effective:          -1,
		list:               h.col("PaygCostInBillingCurrency"),
		currency:           h.col("BillingCurrency", "BillingCurrencyCode", "Currency"),
		subscription:       h.col("SubscriptionId", "SubscriptionGuid"),
		subscriptionName:   h.col("SubscriptionName"),
		billingAccount:     h.col("BillingAccountId"),
		billingAccountName: h.col("BillingAccountName"),
		billingProfile:     h.col("BillingProfileId"),
		billingProfileName: h.col("BillingProfileName"),
		resourceGroup:      h.col("ResourceGroup", "ResourceGroupName"),
		resourceID:         h.col("ResourceId", "InstanceId", "InstanceName"),
		resourceName:       h.col("ResourceName"),
		resourceType:       h.col("ResourceType"),
		location:           h.col("ResourceLocation", "ResourceLocationNormalized", "Location"),
		serviceName:        h.col("MeterCategory"),
		serviceCat:         -1,
		meterName:          h.col("MeterName"),
		meterAlt:           -1,
		meterID:            h.col("MeterId"),
		productID:          h.col("ProductId"),
		partNumber:         h.col("PartNumber"),
		skuID:              -1,
		productName:        h.col("ProductName", "Product"),
		quantity:           h.col("Quantity", "UsageQuantity"),
		unit:               h.col("UnitOfMeasure"),
		chargeType:         h.col("ChargeType"),
		chargeCategory:     -1,
		chargeClass:        -1,
		pricingModel:       h.col("PricingModel"),
		tags:               h.col("Tags"),
		provider:           -1,
	}
	// MCA files carry pricing-currency columns EA and pay-as-you-go files lack.
	l.mca = h.has("PaygCostInBillingCurrency", "CostInUsd", "PricingCurrency", "ExchangeRatePricingToBilling")
	// Only the cost-details Date column is documented to hold month-first
	// dates (EA and MCA files write 09/21/2023); legacy UsageDateTime is ISO.
	l.monthFirst = l.date >= 0 && l.date == h.col("Date")
	var missing []string
	if l.date < 0 {
		missing = append(missing, "Date (or UsageDateTime)")
	}
	if l.cost < 0 {
		missing = append(missing, "CostInBillingCurrency (or Cost, PreTaxCost)")
	}
	if len(missing) > 0 {
		return nil, missingColumns(file, missing, h)
	}
	return l, nil
}

func focusLayout(h header, file string) (*layout, error) {
	l := &layout{
		focus:              true,
		date:               h.col("ChargePeriodStart"),
		chargePeriodEnd:    h.col("ChargePeriodEnd"),
		billingPeriodStart: h.col("BillingPeriodStart"),
		cost:               -1,
		billed:             h.col("BilledCost"),
		effective:          h.col("EffectiveCost"),
		list:               h.col("ListCost"),
		currency:           h.col("BillingCurrency"),
		subscription:       h.col("SubAccountId", "x_SubscriptionId"),
		subscriptionName:   h.col("SubAccountName"),
		billingAccount:     h.col("BillingAccountId"),
		billingAccountName: h.col("BillingAccountName"),
		billingProfile:     -1,
		billingProfileName: -1,
		resourceGroup:      h.col("x_ResourceGroupName"),
		resourceID:         h.col("ResourceId"),
		resourceName:       h.col("ResourceName"),
		resourceType:       h.col("ResourceType"),
		location:           h.col("RegionId", "RegionName"),
		serviceName:        h.col("ServiceName"),
		serviceCat:         h.col("ServiceCategory"),
		meterName:          h.col("SkuMeter"),
		meterAlt:           h.col("x_SkuMeterName"),
		meterID:            -1,
		productID:          -1,
		partNumber:         -1,
		skuID:              h.col("SkuId"),
		productName:        h.col("ChargeDescription"),
		quantity:           h.col("ConsumedQuantity"),
		unit:               h.col("ConsumedUnit"),
		chargeType:         -1,
		chargeCategory:     h.col("ChargeCategory"),
		chargeClass:        h.col("ChargeClass"),
		pricingModel:       -1,
		tags:               h.col("Tags"),
		provider:           h.col("ProviderName"),
	}
	var missing []string
	if l.currency < 0 {
		missing = append(missing, "BillingCurrency")
	}
	if l.chargeCategory < 0 {
		missing = append(missing, "ChargeCategory")
	}
	if len(missing) > 0 {
		return nil, missingColumns(file, missing, h)
	}
	return l, nil
}

// missingColumns is a header error: line 1 of the file.
func missingColumns(file string, missing []string, h header) error {
	shown := h.names
	if len(shown) > 12 {
		shown = append(append([]string(nil), shown[:12]...), "…")
	}
	return &connectors.RowError{Object: file, Line: 1, Err: fmt.Errorf(
		"missing column %s (header: %s); is this an Azure cost details or FocusCost export?",
		strings.Join(missing, ", "), strings.Join(shown, ","))}
}
