package azexport

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/internal/textio"
	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// ProviderName is the FOCUS ProviderName of every Azure line item.
const ProviderName = "Microsoft"

// dateStyle is the date format a file uses; the first dated row fixes it.
type dateStyle int

const (
	styleUnset dateStyle = iota
	styleISO             // 2026-10-01, 2026-10-01T00:00:00Z, 2019-07-29 00:00:00
	styleUS              // 10/01/2026, 9/2/2023: month first
)

// rowMapper turns the rows of one file into line items.
type rowMapper struct {
	l        *layout
	h        header
	object   string // provenance and error name of the file
	dataset  Dataset
	currency string // fallback billing currency for files without the column
	style    dateStyle
	styleAt  int64 // line that fixed style
}

// fail builds the error for one cell.
func (m *rowMapper) fail(line int64, col int, format string, args ...any) error {
	return &connectors.RowError{Object: m.object, Line: line, Column: m.h.name(col), Err: fmt.Errorf(format, args...)}
}

func cell(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// text returns a text cell; in FocusCost files the literal NULL is null.
func (m *rowMapper) text(rec []string, i int) string {
	v := cell(rec, i)
	if m.l.focus && textio.IsNull(v) {
		return ""
	}
	return v
}

// mapRow fills li from one record. li must be zeroed by the caller.
func (m *rowMapper) mapRow(rec []string, line int64, li *cost.LineItem) error {
	l := m.l
	m.provider(rec, li)
	start, err := m.date(rec, line, l.date, !l.focus)
	if err != nil {
		return err
	}
	li.ChargePeriodStart = start
	li.ChargePeriodEnd = start.AddDate(0, 0, 1)
	if l.focus && l.chargePeriodEnd >= 0 && m.text(rec, l.chargePeriodEnd) != "" {
		end, err := m.date(rec, line, l.chargePeriodEnd, false)
		if err != nil {
			return err
		}
		if !end.After(start) {
			return m.fail(line, l.chargePeriodEnd, "ChargePeriodEnd %s is not after ChargePeriodStart %s", end.Format(time.RFC3339), start.Format(time.RFC3339))
		}
		li.ChargePeriodEnd = end
	}
	if err := m.billingPeriod(rec, line, li); err != nil {
		return err
	}
	if err := m.money(rec, line, li); err != nil {
		return err
	}
	if li.BillingCurrency, err = m.billingCurrency(rec, line); err != nil {
		return err
	}
	if l.quantity >= 0 {
		q, _, err := textio.ParseDecimal(cell(rec, l.quantity))
		if err != nil {
			return m.fail(line, l.quantity, "%v; want a plain decimal quantity", err)
		}
		li.ConsumedQuantity = q
	}
	return m.describe(rec, line, li)
}

// groupSums are the numbers of a group of rows (see mapGroup): its charge
// period and the sums of its cost columns and quantity. A cost-details
// file has one cost, which the charge type and pricing model split
// (effective is unused); a FocusCost file has its billed cost in cost and
// its effective cost apart.
type groupSums struct {
	start, end                      time.Time
	cost, effective, list, quantity decimal.Decimal
	// anyCost: a row of the group has a non-zero cost, whatever the sum
	anyCost bool
}

// mapGroup fills li from the cells every row of a group shares (rec, with
// the amount and date cells empty) and the group's period and sums, the
// way mapRow fills a row of the group. line names the group's first line
// in errors.
func (m *rowMapper) mapGroup(rec []string, line int64, s *groupSums, li *cost.LineItem) error {
	l := m.l
	m.provider(rec, li)
	li.ChargePeriodStart, li.ChargePeriodEnd = s.start, s.end
	if err := m.billingPeriod(rec, line, li); err != nil {
		return err
	}
	if l.focus {
		if err := m.focusCharge(rec, line, li); err != nil {
			return err
		}
		li.BilledCost, li.EffectiveCost = s.cost, s.effective
	} else {
		chargeType, err := m.charge(rec, line, li)
		if err != nil {
			return err
		}
		pm := cell(rec, l.pricingModel)
		billed, effective, err := splitCost(m.dataset, chargeType, pm, s.cost)
		if err == nil && s.anyCost {
			// the costs may sum to zero without being zero: splitCost
			// judges rows, so ask it about one that is not
			_, _, err = splitCost(m.dataset, chargeType, pm, decimal.New(1, 0))
		}
		if err != nil {
			return &connectors.RowError{Object: m.object, Line: line, Column: m.h.name(l.pricingModel), Err: err}
		}
		li.BilledCost, li.EffectiveCost = billed, effective
	}
	li.ListCost = s.list
	var err error
	if li.BillingCurrency, err = m.billingCurrency(rec, line); err != nil {
		return err
	}
	li.ConsumedQuantity = s.quantity
	return m.describe(rec, line, li)
}

// provider sets the provider name: Microsoft unless a FocusCost file
// names another.
func (m *rowMapper) provider(rec []string, li *cost.LineItem) {
	li.ProviderName = ProviderName
	if m.l.provider >= 0 {
		if v := m.text(rec, m.l.provider); v != "" {
			li.ProviderName = v
		}
	}
}

// billingPeriod sets the billing period start when the file has one.
func (m *rowMapper) billingPeriod(rec []string, line int64, li *cost.LineItem) error {
	l := m.l
	if l.billingPeriodStart >= 0 && m.text(rec, l.billingPeriodStart) != "" {
		var err error
		if li.BillingPeriodStart, err = m.date(rec, line, l.billingPeriodStart, true); err != nil {
			return err
		}
	}
	return nil
}

// describe sets the text fields that say what was bought and by whom,
// and the tags.
func (m *rowMapper) describe(rec []string, line int64, li *cost.LineItem) error {
	l := m.l
	li.ConsumedUnit = m.text(rec, l.unit)
	li.SubAccountID = m.text(rec, l.subscription)
	if l.focus {
		li.SubAccountID = stripSubscriptions(li.SubAccountID)
	}
	li.SubAccountName = m.text(rec, l.subscriptionName)
	li.BillingAccountID, li.BillingAccountName = m.billingAccount(rec)
	li.ResourceGroup = m.text(rec, l.resourceGroup)
	li.ResourceID = m.text(rec, l.resourceID)
	li.ResourceName = m.text(rec, l.resourceName)
	if li.ResourceName == "" && li.ResourceID != "" && !l.focus {
		li.ResourceName = lastSegment(li.ResourceID)
	}
	li.ResourceType = m.text(rec, l.resourceType)
	li.RegionID = regionID(m.text(rec, l.location))
	li.ServiceName = m.text(rec, l.serviceName)
	li.ServiceCategory = m.text(rec, l.serviceCat)
	li.SkuMeter = firstNonEmpty(m.text(rec, l.meterName), m.text(rec, l.meterAlt))
	li.SkuID = firstNonEmpty(m.text(rec, l.skuID), m.text(rec, l.productID), m.text(rec, l.partNumber), m.text(rec, l.meterID))
	li.ChargeDescription = m.text(rec, l.productName)

	if l.tags >= 0 {
		tags, err := parseTags(rec[l.tags])
		if err != nil {
			return m.fail(line, l.tags, "%v", err)
		}
		li.Tags = tags
	}
	return nil
}

// money sets the charge category, class and the three costs.
func (m *rowMapper) money(rec []string, line int64, li *cost.LineItem) error {
	l := m.l
	if l.focus {
		if err := m.focusCharge(rec, line, li); err != nil {
			return err
		}
		var err error
		if li.BilledCost, err = m.decimal(rec, line, l.billed, true); err != nil {
			return err
		}
		if li.EffectiveCost, err = m.decimal(rec, line, l.effective, true); err != nil {
			return err
		}
		li.ListCost, err = m.decimal(rec, line, l.list, false)
		return err
	}

	chargeType, err := m.charge(rec, line, li)
	if err != nil {
		return err
	}
	c, err := m.decimal(rec, line, l.cost, true)
	if err != nil {
		return err
	}
	pm := cell(rec, l.pricingModel)
	billed, effective, err := splitCost(m.dataset, chargeType, pm, c)
	if err != nil {
		return &connectors.RowError{Object: m.object, Line: line, Column: m.h.name(l.pricingModel), Err: err}
	}
	li.BilledCost, li.EffectiveCost = billed, effective
	li.ListCost, err = m.decimal(rec, line, l.list, false)
	return err
}

// focusCharge sets the charge category and class of a FocusCost row.
func (m *rowMapper) focusCharge(rec []string, line int64, li *cost.LineItem) error {
	l := m.l
	raw := cell(rec, l.chargeCategory)
	c, ok := cost.ParseChargeCategory(raw)
	if !ok {
		return m.fail(line, l.chargeCategory, "charge category %q is not a FOCUS ChargeCategory (Usage, Purchase, Tax, Credit, Adjustment)", raw)
	}
	li.ChargeCategory = c
	if cls := cell(rec, l.chargeClass); cls != "" && !textio.IsNull(cls) {
		if !strings.EqualFold(cls, "Correction") {
			return m.fail(line, l.chargeClass, "ChargeClass %q: want Correction or empty", cls)
		}
		li.ChargeClass = "Correction"
	}
	return nil
}

// charge sets the charge category and class of a cost-details row from
// its ChargeType, which it returns.
func (m *rowMapper) charge(rec []string, line int64, li *cost.LineItem) (string, error) {
	l := m.l
	chargeType := "Usage" // files without the column (legacy pay-as-you-go) hold usage only
	if l.chargeType >= 0 {
		chargeType = cell(rec, l.chargeType)
	}
	cat, class, ok := chargeCategory(chargeType)
	if !ok {
		return "", m.fail(line, l.chargeType, "ChargeType %q is not one of Usage, Purchase, Refund, Tax, Credit, UnusedReservation, UnusedSavingsPlan, RoundingAdjustment", chargeType)
	}
	li.ChargeCategory, li.ChargeClass = cat, class
	return chargeType, nil
}

// chargeCategory maps an Azure ChargeType to the FOCUS ChargeCategory and
// ChargeClass (FORMATS §3.5, FTK convert.md).
func chargeCategory(chargeType string) (cost.ChargeCategory, string, bool) {
	switch strings.ToLower(chargeType) {
	case "usage", "unusedreservation", "unusedsavingsplan":
		return cost.ChargeUsage, "", true
	case "purchase":
		return cost.ChargePurchase, "", true
	case "refund":
		return cost.ChargePurchase, "Correction", true
	case "tax":
		return cost.ChargeTax, "", true
	case "credit":
		return cost.ChargeCredit, "", true
	case "roundingadjustment":
		return cost.ChargeAdjustment, "", true
	}
	return "", "", false
}

// errDatasetNeeded: a row whose costs depend on the dataset in a file whose
// dataset is unknown.
var errDatasetNeeded = errors.New("usage covered by a reservation or savings plan has a non-zero cost, " +
	"and nothing says whether this is an ActualCost or AmortizedCost export: " +
	"set the source option dataset=actual or dataset=amortized")

// splitCost applies the commitment rules to a cost-details row's
// CostInBillingCurrency (FTK convert.md, FORMATS §3.3):
//
//   - Purchase or Refund of a Reservation or SavingsPlan: BilledCost = cost,
//     EffectiveCost = 0 (its cost is amortized onto the usage it covers);
//   - UnusedReservation, UnusedSavingsPlan: BilledCost = 0 (the purchase row
//     bills it), EffectiveCost = cost;
//   - Usage with PricingModel Reservation or SavingsPlan: in an
//     AmortizedCost export BilledCost = 0, EffectiveCost = cost; in an
//     ActualCost export both are the cost (Azure reports it as 0); when the
//     dataset is unknown a zero cost is accepted and any other is an error;
//   - every other row: both are the cost.
func splitCost(ds Dataset, chargeType, pricingModel string, c decimal.Decimal) (billed, effective decimal.Decimal, err error) {
	commitment := isCommitment(pricingModel)
	switch ct := strings.ToLower(chargeType); {
	case (ct == "purchase" || ct == "refund") && commitment:
		return c, decimal.Zero, nil
	case ct == "unusedreservation" || ct == "unusedsavingsplan":
		return decimal.Zero, c, nil
	case ct == "usage" && commitment:
		switch ds {
		case DatasetAmortized:
			return decimal.Zero, c, nil
		case DatasetActual:
			return c, c, nil
		}
		if !c.IsZero() {
			return decimal.Zero, decimal.Zero, errDatasetNeeded
		}
		return c, c, nil
	}
	return c, c, nil
}

func isCommitment(pricingModel string) bool {
	switch strings.ToLower(strings.ReplaceAll(pricingModel, " ", "")) {
	case "reservation", "savingsplan":
		return true
	}
	return false
}

// decimal parses a money cell. A required cell must not be empty.
func (m *rowMapper) decimal(rec []string, line int64, col int, required bool) (decimal.Decimal, error) {
	if col < 0 {
		return decimal.Zero, nil
	}
	d, ok, err := textio.ParseDecimal(cell(rec, col))
	if err != nil {
		return decimal.Zero, m.fail(line, col, "%v; want a plain decimal such as 12.3456", err)
	}
	if !ok && required {
		return decimal.Zero, m.fail(line, col, "empty cost; every row must carry its cost (write 0 for none)")
	}
	return d, nil
}

func (m *rowMapper) billingCurrency(rec []string, line int64) (string, error) {
	if m.l.currency < 0 {
		if m.currency == "" {
			return "", &connectors.RowError{Object: m.object, Line: 1, Err: errors.New(
				"no billing currency column (BillingCurrency, BillingCurrencyCode or Currency); " +
					"set the source option currency=XXX to the ISO 4217 code of this export")}
		}
		return m.currency, nil
	}
	raw := cell(rec, m.l.currency)
	c := strings.ToUpper(raw)
	if !cost.ValidCurrency(c) {
		return "", m.fail(line, m.l.currency, "billing currency %q is not an ISO 4217 code such as USD", raw)
	}
	return c, nil
}

// billingAccount returns the FOCUS billing account: the billing profile for
// MCA files (the invoice scope), the enrollment (BillingAccountId) for EA
// and pay-as-you-go files, each falling back to the other when empty.
func (m *rowMapper) billingAccount(rec []string) (id, name string) {
	l := m.l
	acct, acctName := m.text(rec, l.billingAccount), m.text(rec, l.billingAccountName)
	prof, profName := m.text(rec, l.billingProfile), m.text(rec, l.billingProfileName)
	if l.mca && prof != "" {
		return prof, profName
	}
	if acct != "" {
		return acct, acctName
	}
	return prof, profName
}

// date parses a date cell. dayOnly truncates to the start of the UTC day
// (cost-details rows are daily). The first date of a file fixes its style:
// a file never mixes ISO and month-first dates, and month-first dates are
// accepted only in the cost-details Date column.
func (m *rowMapper) date(rec []string, line int64, col int, dayOnly bool) (time.Time, error) {
	s := cell(rec, col)
	if s == "" || textio.IsNull(s) {
		return time.Time{}, m.fail(line, col, "empty date; every row must be dated")
	}
	style := styleISO
	if strings.Contains(s, "/") {
		style = styleUS
		if !m.l.monthFirst {
			return time.Time{}, m.fail(line, col, "date %q is not ISO 8601; this column holds dates such as 2026-10-01", s)
		}
	}
	switch {
	case m.style == styleUnset:
		m.style, m.styleAt = style, line
	case m.style != style:
		return time.Time{}, m.fail(line, col, "date %q is not in the format of line %d (%s); a file must use one date format",
			s, m.styleAt, map[dateStyle]string{styleISO: "ISO 2026-10-01", styleUS: "month/day/year"}[m.style])
	}
	var t time.Time
	var err error
	if style == styleUS {
		t, err = textio.ParseUSDate(s)
	} else {
		t, err = textio.ParseTime(s)
	}
	if err != nil {
		return time.Time{}, m.fail(line, col, "%v", err)
	}
	if dayOnly {
		t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	return t, nil
}

// regionID lower-cases a resource location and removes its spaces
// ("EastUS2" and "East US 2" both become "eastus2").
func regionID(loc string) string {
	return strings.ToLower(strings.ReplaceAll(loc, " ", ""))
}

// stripSubscriptions turns FocusCost's "/subscriptions/<guid>" into the GUID.
func stripSubscriptions(s string) string {
	const p = "/subscriptions/"
	if len(s) > len(p) && strings.EqualFold(s[:len(p)], p) {
		return strings.TrimSuffix(s[len(p):], "/")
	}
	return s
}

func lastSegment(id string) string {
	id = strings.TrimRight(id, "/")
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		return id[i+1:]
	}
	return id
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
