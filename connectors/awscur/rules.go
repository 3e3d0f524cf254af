package awscur

import (
	"fmt"
	"strings"
	"time"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// effRule says where a line item type's effective (amortized) cost comes
// from. See the table in doc.go.
type effRule int

const (
	effBilled   effRule = iota // the billed cost itself
	effZero                    // zero: the cost is counted on other lines
	effRI                      // reservation effective cost
	effSP                      // savings plan effective cost
	effSPUnused                // total commitment to date − used commitment
	effRIUnused                // unused amortized upfront fee + unused recurring fee
	effFee                     // zero for an RI upfront fee (a reservation ARN), else billed
)

// lineItemType is one value of lineItem/LineItemType and how it is costed.
type lineItemType struct {
	name     string
	category cost.ChargeCategory
	class    string // FOCUS ChargeClass
	eff      effRule
}

// lineItemTypes lists every line item type the connector knows, keyed by
// the lower-case name. Any other value is an error: an unknown type's
// amortization is not guessed.
var lineItemTypes = func() map[string]*lineItemType {
	list := []lineItemType{
		{"Usage", cost.ChargeUsage, "", effBilled},
		{"DiscountedUsage", cost.ChargeUsage, "", effRI},
		{"SavingsPlanCoveredUsage", cost.ChargeUsage, "", effSP},
		{"SavingsPlanNegation", cost.ChargeUsage, "", effZero},
		{"SavingsPlanUpfrontFee", cost.ChargePurchase, "", effZero},
		{"SavingsPlanRecurringFee", cost.ChargePurchase, "", effSPUnused},
		{"RIFee", cost.ChargePurchase, "", effRIUnused},
		{"Fee", cost.ChargePurchase, "", effFee},
		{"Tax", cost.ChargeTax, "", effBilled},
		{"Credit", cost.ChargeCredit, "", effBilled},
		{"Refund", cost.ChargeCredit, "Correction", effBilled},
		{"BundledDiscount", cost.ChargeUsage, "", effBilled},
		{"Discount", cost.ChargeUsage, "", effBilled},
		{"EdpDiscount", cost.ChargeUsage, "", effBilled},
		{"PrivateRateDiscount", cost.ChargeUsage, "", effBilled},
		{"SppDiscount", cost.ChargeUsage, "", effBilled},
		{"DistributorDiscount", cost.ChargeUsage, "", effBilled},
		{"RiVolumeDiscount", cost.ChargeUsage, "", effBilled},
	}
	m := make(map[string]*lineItemType, len(list))
	for i := range list {
		m[strings.ToLower(list[i].name)] = &list[i]
	}
	return m
}()

// row gives access to one row's cells by field, whatever the file format.
// A field whose column is absent reads as "" / ok=false with no error.
type row interface {
	str(f field) string
	dec(f field) (d decimal.Decimal, ok bool, err error)
	time(f field) (t time.Time, ok bool, err error)
}

// fieldError is a problem with one field of a row; the scanner adds the
// object, line or row, and the column name.
type fieldError struct {
	f   field
	err error
}

func (e *fieldError) Error() string { return e.err.Error() }

// lookupLineItemType finds the type of a row.
func lookupLineItemType(r row) (*lineItemType, *fieldError) {
	v := strings.TrimSpace(r.str(fLineItemType))
	if v == "" {
		return nil, &fieldError{fLineItemType, fmt.Errorf("%w: the line item type is empty; every CUR row has one", ErrMissingValue)}
	}
	t, ok := lineItemTypes[strings.ToLower(v)]
	if !ok {
		return nil, &fieldError{fLineItemType, fmt.Errorf("%w %q: allot knows Usage, DiscountedUsage, SavingsPlanCoveredUsage, SavingsPlanNegation, SavingsPlanUpfrontFee, SavingsPlanRecurringFee, RIFee, Fee, Tax, Credit, Refund and the *Discount types; report the new type so its cost rule can be added", ErrUnknownLineItemType, v)}
	}
	return t, nil
}

// costs computes the billed and effective cost of a row of type t; with
// withEffective false, only the billed cost (t may then be nil).
//
// Billed cost is the net unblended cost when the row has one, else the
// unblended cost. A row with a net unblended cost takes its effective cost
// from the net variants of the amortization columns too, so billed and
// effective cost stay on one basis.
func costs(t *lineItemType, r row, withEffective bool) (billed, effective decimal.Decimal, ferr *fieldError) {
	u, uok, err := r.dec(fUnblended)
	if err != nil {
		return billed, effective, &fieldError{fUnblended, err}
	}
	nu, net, err := r.dec(fNetUnblended)
	if err != nil {
		return billed, effective, &fieldError{fNetUnblended, err}
	}
	switch {
	case net:
		billed = nu
	case uok:
		billed = u
	default:
		return billed, effective, &fieldError{fUnblended, fmt.Errorf("%w: the unblended cost is empty; every CUR row has one", ErrMissingValue)}
	}
	if !withEffective {
		return billed, effective, nil
	}
	need := func(gross, netf field) (decimal.Decimal, *fieldError) {
		f := gross
		if net {
			f = netf
		}
		d, ok, err := r.dec(f)
		if err != nil {
			return d, &fieldError{f, err}
		}
		if !ok {
			hint := "include the column in the export"
			if net {
				hint = "the row has a net unblended cost, so its effective cost comes from the net column; include it in the export"
			}
			return d, &fieldError{f, fmt.Errorf("%w: a %s row takes its effective cost from this column, which is empty or absent; %s", ErrMissingValue, t.name, hint)}
		}
		return d, nil
	}
	switch t.eff {
	case effBilled:
		effective = billed
	case effZero:
		effective = decimal.Zero
	case effRI:
		effective, ferr = need(fRIEffective, fRINetEffective)
	case effSP:
		effective, ferr = need(fSPEffective, fSPNetEffective)
	case effSPUnused:
		// CUR has no net variant of the commitment columns.
		total, fe := need(fSPTotalCommitment, fSPTotalCommitment)
		if fe != nil {
			return billed, effective, fe
		}
		used, fe := need(fSPUsedCommitment, fSPUsedCommitment)
		if fe != nil {
			return billed, effective, fe
		}
		effective = total.Sub(used)
	case effRIUnused:
		upfront, fe := need(fRIUnusedUpfront, fRINetUnusedUpfront)
		if fe != nil {
			return billed, effective, fe
		}
		recurring, fe := need(fRIUnusedRecurring, fRINetUnusedRecurring)
		if fe != nil {
			return billed, effective, fe
		}
		effective = upfront.Add(recurring)
	case effFee:
		if strings.TrimSpace(r.str(fReservationARN)) != "" {
			effective = decimal.Zero
		} else {
			effective = billed
		}
	}
	return billed, effective, ferr
}

// fill sets every field of li from r except the tags and provenance.
func fill(li *cost.LineItem, r row) *fieldError { return fillFields(li, r, 0) }

// fillFields is fill for the fields of fs alone (the zero set: every
// field), reading only the columns readsFor(fs) names: a projected grouped
// scan neither reads nor checks the others. The provider name, the charge
// period start and the currency are always filled and checked.
func fillFields(li *cost.LineItem, r row, fs cost.FieldSet) *fieldError {
	var t *lineItemType
	if fs.Has(cost.FieldEffectiveCost) || fs.Has(cost.FieldChargeCategory) {
		var fe *fieldError
		if t, fe = lookupLineItemType(r); fe != nil {
			return fe
		}
	}
	start, ok, err := r.time(fUsageStart)
	if err != nil {
		return &fieldError{fUsageStart, err}
	}
	if !ok {
		return &fieldError{fUsageStart, fmt.Errorf("%w: the usage start date is empty; every CUR row has one", ErrMissingValue)}
	}
	var end, bps time.Time
	if fs.Has(cost.FieldChargePeriodEnd) {
		if end, _, err = r.time(fUsageEnd); err != nil {
			return &fieldError{fUsageEnd, err}
		}
	}
	if fs.Has(cost.FieldBillingPeriodStart) {
		if bps, _, err = r.time(fBillingPeriodStart); err != nil {
			return &fieldError{fBillingPeriodStart, err}
		}
	}
	currency := strings.TrimSpace(r.str(fCurrency))
	if !cost.ValidCurrency(currency) {
		return &fieldError{fCurrency, fmt.Errorf("%w: currency %q is not an ISO 4217 code such as USD", ErrBadValue, currency)}
	}
	var billed, effective decimal.Decimal
	if fs.Has(cost.FieldBilledCost) || fs.Has(cost.FieldEffectiveCost) {
		var fe *fieldError
		if billed, effective, fe = costs(t, r, fs.Has(cost.FieldEffectiveCost)); fe != nil {
			return fe
		}
	}
	var qty, list decimal.Decimal
	if fs.Has(cost.FieldQuantity) {
		if qty, _, err = r.dec(fUsageAmount); err != nil {
			return &fieldError{fUsageAmount, err}
		}
	}
	if fs.Has(cost.FieldListCost) {
		if list, _, err = r.dec(fPublicOnDemandCost); err != nil {
			return &fieldError{fPublicOnDemandCost, err}
		}
	}
	str := func(f cost.Field, c field) string {
		if !fs.Has(f) {
			return ""
		}
		return r.str(c)
	}
	li.ProviderName = providerName
	li.BillingAccountID = str(cost.FieldBillingAccount, fPayer)
	li.BillingAccountName = str(cost.FieldBillingAccount, fPayerName)
	li.SubAccountID = str(cost.FieldSubAccountID, fUsageAccount)
	li.SubAccountName = str(cost.FieldSubAccountName, fUsageAccountName)
	li.BillingPeriodStart = bps
	li.ChargePeriodStart = start
	li.ChargePeriodEnd = end
	if fs.Has(cost.FieldChargeCategory) {
		li.ChargeCategory = t.category
		li.ChargeClass = t.class
	}
	li.ChargeDescription = str(cost.FieldChargeDescription, fDescription)
	li.ServiceName = str(cost.FieldServiceName, fProductCode)
	li.SkuID = str(cost.FieldSku, fSku)
	li.UsageType = str(cost.FieldSku, fUsageType)
	li.ResourceID = str(cost.FieldResourceID, fResourceID)
	li.RegionID = str(cost.FieldRegion, fRegion)
	li.ConsumedQuantity = qty
	li.ConsumedUnit = str(cost.FieldQuantity, fPricingUnit)
	if fs.Has(cost.FieldBilledCost) {
		li.BilledCost = billed
	}
	li.EffectiveCost = effective
	li.ListCost = list
	li.BillingCurrency = currency
	return nil
}

// readsFor returns the columns fillFields reads for the fields of fs (the
// zero set: every field), and whether it reads the tags.
func readsFor(fs cost.FieldSet) (cols [numFields]bool, tags bool) {
	for f := range numFields {
		cols[f] = fs == 0
	}
	if fs == 0 {
		return cols, true
	}
	on := func(c ...field) {
		for _, f := range c {
			cols[f] = true
		}
	}
	on(fUsageStart, fCurrency)
	if fs.Has(cost.FieldEffectiveCost) || fs.Has(cost.FieldChargeCategory) {
		on(fLineItemType)
	}
	if fs.Has(cost.FieldChargePeriodEnd) {
		on(fUsageEnd)
	}
	if fs.Has(cost.FieldBillingPeriodStart) {
		on(fBillingPeriodStart)
	}
	if fs.Has(cost.FieldBilledCost) || fs.Has(cost.FieldEffectiveCost) {
		on(fUnblended, fNetUnblended)
	}
	if fs.Has(cost.FieldEffectiveCost) {
		on(fRIEffective, fRINetEffective, fRIUnusedUpfront, fRINetUnusedUpfront, fRIUnusedRecurring,
			fRINetUnusedRecurring, fReservationARN, fSPEffective, fSPNetEffective, fSPTotalCommitment, fSPUsedCommitment)
	}
	if fs.Has(cost.FieldQuantity) {
		on(fUsageAmount, fPricingUnit)
	}
	if fs.Has(cost.FieldListCost) {
		on(fPublicOnDemandCost)
	}
	if fs.Has(cost.FieldBillingAccount) {
		on(fPayer, fPayerName)
	}
	if fs.Has(cost.FieldSubAccountID) {
		on(fUsageAccount)
	}
	if fs.Has(cost.FieldSubAccountName) {
		on(fUsageAccountName)
	}
	if fs.Has(cost.FieldChargeDescription) {
		on(fDescription)
	}
	if fs.Has(cost.FieldServiceName) {
		on(fProductCode)
	}
	if fs.Has(cost.FieldSku) {
		on(fSku, fUsageType)
	}
	if fs.Has(cost.FieldResourceID) {
		on(fResourceID)
	}
	if fs.Has(cost.FieldRegion) {
		on(fRegion)
	}
	return cols, fs.Has(cost.FieldTags)
}

// providerName is the FOCUS ProviderName of every AWS line item.
const providerName = "AWS"
