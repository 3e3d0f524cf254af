package cost

// Field names one field of a LineItem, for projection: a caller that needs
// only some fields says which, and a driver that can read fewer columns
// may leave the others empty (see connectors.GroupScanner).
type Field uint64

// The LineItem fields a caller can ask for. ChargePeriodStart,
// BillingCurrency and Count are always filled.
const (
	FieldProviderName   Field = 1 << iota
	FieldBillingAccount       // BillingAccountID and BillingAccountName
	FieldSubAccountID
	FieldSubAccountName
	FieldResourceGroup
	FieldBillingPeriodStart
	FieldChargePeriodEnd
	FieldChargeCategory // and ChargeClass
	FieldChargeDescription
	FieldServiceName
	FieldServiceCategory
	FieldSku // SkuID, SkuMeter and UsageType
	FieldResourceID
	FieldResourceName // and ResourceType
	FieldRegion
	FieldQuantity // ConsumedQuantity and ConsumedUnit
	FieldBilledCost
	FieldEffectiveCost
	FieldListCost
	FieldTags
)

// FieldSet is a set of Fields. The zero FieldSet means every field.
type FieldSet uint64

// AllFields is every field.
const AllFields FieldSet = FieldSet(FieldTags<<1 - 1)

// Has reports whether s holds f (the zero set holds every field).
func (s FieldSet) Has(f Field) bool { return s == 0 || s&FieldSet(f) != 0 }

// With returns s plus f.
func (s FieldSet) With(fs ...Field) FieldSet {
	for _, f := range fs {
		s |= FieldSet(f)
	}
	return s
}
