package focus

import (
	"fmt"
	"slices"
	"strings"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/internal/textio"
)

// field is one LineItem field the driver fills from a FOCUS column.
type field int

const (
	fProviderName field = iota
	fBillingAccountID
	fBillingAccountName
	fSubAccountID
	fSubAccountName
	fResourceGroup
	fBillingPeriodStart
	fChargePeriodStart
	fChargePeriodEnd
	fChargeCategory
	fChargeClass
	fChargeDescription
	fServiceName
	fServiceCategory
	fSkuID
	fSkuMeter
	fUsageType
	fResourceID
	fResourceName
	fResourceType
	fRegionID
	fConsumedQuantity
	fConsumedUnit
	fBilledCost
	fEffectiveCost
	fListCost
	fBillingCurrency
	fTags
	fLineCount
	numFields
)

// kind says how a column's cells are parsed.
type kind int

const (
	kText     kind = iota // trimmed string, NULL is empty
	kTime                 // timestamp, NULL is the zero time
	kDecimal              // exact decimal, NULL is zero
	kCategory             // FOCUS ChargeCategory
	kClass                // FOCUS ChargeClass: Correction or null
	kCurrency             // ISO 4217 code
	kTags                 // JSON object (KeyValueFormat) or a Parquet MAP
	kCount                // positive whole number (x_LineCount)
)

// spec describes one field: the column names that carry it, the FOCUS 1.2
// name first, then older or provider aliases in order of preference.
type spec struct {
	names    []string
	kind     kind
	required bool
}

// specs maps every field to its columns. The order of names is the order
// of preference when a file carries more than one of them.
var specs = [numFields]spec{
	fProviderName:       {names: []string{"ProviderName", "Provider", "ServiceProviderName"}},
	fBillingAccountID:   {names: []string{"BillingAccountId"}},
	fBillingAccountName: {names: []string{"BillingAccountName"}},
	fSubAccountID:       {names: []string{"SubAccountId"}},
	fSubAccountName:     {names: []string{"SubAccountName"}},
	fResourceGroup:      {names: []string{"x_ResourceGroupName"}},
	fBillingPeriodStart: {names: []string{"BillingPeriodStart"}, kind: kTime},
	fChargePeriodStart:  {names: []string{"ChargePeriodStart"}, kind: kTime, required: true},
	fChargePeriodEnd:    {names: []string{"ChargePeriodEnd"}, kind: kTime},
	fChargeCategory:     {names: []string{"ChargeCategory", "ChargeType"}, kind: kCategory, required: true},
	fChargeClass:        {names: []string{"ChargeClass"}, kind: kClass},
	fChargeDescription:  {names: []string{"ChargeDescription"}},
	fServiceName:        {names: []string{"ServiceName"}},
	fServiceCategory:    {names: []string{"ServiceCategory"}},
	fSkuID:              {names: []string{"SkuId"}},
	fSkuMeter:           {names: []string{"SkuMeter", "x_SkuMeterName"}},
	fUsageType:          {names: []string{"x_UsageType"}},
	fResourceID:         {names: []string{"ResourceId"}},
	fResourceName:       {names: []string{"ResourceName"}},
	fResourceType:       {names: []string{"ResourceType"}},
	fRegionID:           {names: []string{"RegionId", "Region"}},
	fConsumedQuantity:   {names: []string{"ConsumedQuantity", "UsageQuantity"}, kind: kDecimal},
	fConsumedUnit:       {names: []string{"ConsumedUnit", "UsageUnit"}},
	fBilledCost:         {names: []string{"BilledCost"}, kind: kDecimal, required: true},
	fEffectiveCost:      {names: []string{"EffectiveCost", "AmortizedCost"}, kind: kDecimal, required: true},
	fListCost:           {names: []string{"ListCost"}, kind: kDecimal},
	fBillingCurrency:    {names: []string{"BillingCurrency", "BilledCurrency"}, kind: kCurrency, required: true},
	fTags:               {names: []string{"Tags"}, kind: kTags},
	fLineCount:          {names: []string{"x_LineCount"}, kind: kCount},
}

// column is a resolved field: where its cells are and what the file calls it.
type column struct {
	field field
	index int    // position in the CSV record or leaf index in the Parquet file
	name  string // the header as written in the file
}

// resolve maps a file's header names to fields. lookup returns the
// position of a normalized name and the name as written, -1 if absent or
// -2 if the file carries the name twice. With only set, just those fields
// are resolved. It returns the columns in field order, or a
// *connectors.RowError naming the object and the first missing (or
// ambiguous) column; the message lists every missing required column.
func resolve(object string, lookup func(norm string) (int, string), only []field) ([]column, error) {
	var cols []column
	var missing []string
	for f := field(0); f < numFields; f++ {
		if only != nil && !slices.Contains(only, f) {
			continue
		}
		s := specs[f]
		found := false
		for _, n := range s.names {
			i, written := lookup(textio.NormalizeHeader(n))
			if i == -2 {
				return nil, &connectors.RowError{Object: object, Column: n, Err: fmt.Errorf(
					"%w: the header names column %s twice (names are matched case-insensitively); remove or rename one", ErrBadFile, n)}
			}
			if i >= 0 {
				cols = append(cols, column{field: f, index: i, name: written})
				found = true
				break
			}
		}
		if !found && s.required {
			missing = append(missing, s.names[0])
		}
	}
	if len(missing) > 0 {
		return nil, &connectors.RowError{Object: object, Column: missing[0], Err: fmt.Errorf(
			"%w: missing required FOCUS column(s) %s; a FOCUS file must carry ChargePeriodStart, BilledCost, "+
				"EffectiveCost, BillingCurrency and ChargeCategory (the FOCUS 0.5 names AmortizedCost and ChargeType "+
				"are accepted)", ErrMissingColumn, strings.Join(missing, ", "))}
	}
	return cols, nil
}

// headerIndex builds a case-insensitive lookup over header names. A name
// that appears twice maps to -2 so that resolve can report the ambiguity.
type headerIndex struct {
	pos     map[string]int
	written map[string]string
}

func newHeaderIndex(names []string) *headerIndex {
	h := &headerIndex{pos: make(map[string]int, len(names)), written: make(map[string]string, len(names))}
	for i, n := range names {
		k := textio.NormalizeHeader(n)
		if _, dup := h.pos[k]; dup {
			h.pos[k] = -2
			continue
		}
		h.pos[k] = i
		h.written[k] = strings.TrimSpace(n)
	}
	return h
}

// lookup returns the position and written name, -1 if absent, -2 if the
// name appears more than once.
func (h *headerIndex) lookup(norm string) (int, string) {
	i, ok := h.pos[norm]
	if !ok {
		return -1, ""
	}
	if i == -2 {
		return -2, norm
	}
	return i, h.written[norm]
}
