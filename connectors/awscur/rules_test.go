package awscur

import (
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/allot-dev/allot/cost"
)

// ruleRow is a legacy CUR row holding only the given cells, plus a usage
// start date and a currency.
func ruleRow(cells map[string]string) row {
	all := map[string]string{"lineItem/UsageStartDate": "2026-10-01T00:00:00Z", "lineItem/CurrencyCode": "USD"}
	for k, v := range cells {
		all[k] = v
	}
	headers := make([]string, 0, len(all))
	for k := range all {
		headers = append(headers, k)
	}
	sort.Strings(headers)
	rec := make([]string, len(headers))
	for i, h := range headers {
		rec[i] = all[h]
	}
	return &csvRow{s: resolveSchema(headers), rec: rec}
}

// Worked numbers for each line item type (FORMATS §1.5), computed by hand.
func TestCostRules(t *testing.T) {
	const (
		typ   = "lineItem/LineItemType"
		u     = "lineItem/UnblendedCost"
		nu    = "lineItem/NetUnblendedCost"
		riEff = "reservation/EffectiveCost"
		riNet = "reservation/NetEffectiveCost"
		arn   = "reservation/ReservationARN"
		spEff = "savingsPlan/SavingsPlanEffectiveCost"
		spNet = "savingsPlan/NetSavingsPlanEffectiveCost"
		total = "savingsPlan/TotalCommitmentToDate"
		used  = "savingsPlan/UsedCommitment"
	)
	tests := []struct {
		name              string
		cells             map[string]string
		category          cost.ChargeCategory
		class             string
		billed, effective string
	}{
		{"Usage", map[string]string{typ: "Usage", u: "1.25"}, cost.ChargeUsage, "", "1.25", "1.25"},
		{"Usage with net cost", map[string]string{typ: "Usage", u: "1.25", nu: "1.1875"}, cost.ChargeUsage, "", "1.1875", "1.1875"},
		{"Usage, net column present but empty", map[string]string{typ: "Usage", u: "1.25", nu: ""}, cost.ChargeUsage, "", "1.25", "1.25"},
		{"Usage, lower-case type, E-notation", map[string]string{typ: "usage", u: "1.5E-7"}, cost.ChargeUsage, "", "0.00000015", "0.00000015"},
		{"DiscountedUsage: reservation effective cost", map[string]string{typ: "DiscountedUsage", u: "0", riEff: "0.0582", arn: "arn:ri"}, cost.ChargeUsage, "", "0", "0.0582"},
		{"DiscountedUsage with net cost", map[string]string{typ: "DiscountedUsage", u: "0", nu: "0", riEff: "0.0582", riNet: "0.05529"}, cost.ChargeUsage, "", "0", "0.05529"},
		{"SavingsPlanCoveredUsage: on-demand billed, SP rate effective", map[string]string{typ: "SavingsPlanCoveredUsage", u: "1.006", spEff: "0.65"}, cost.ChargeUsage, "", "1.006", "0.65"},
		{"SavingsPlanCoveredUsage with net cost", map[string]string{typ: "SavingsPlanCoveredUsage", u: "1.006", nu: "0.9557", spEff: "0.65", spNet: "0.6175"}, cost.ChargeUsage, "", "0.9557", "0.6175"},
		{"SavingsPlanNegation cancels the on-demand cost", map[string]string{typ: "SavingsPlanNegation", u: "-1.006"}, cost.ChargeUsage, "", "-1.006", "0"},
		{"SavingsPlanUpfrontFee is amortized elsewhere", map[string]string{typ: "SavingsPlanUpfrontFee", u: "8760"}, cost.ChargePurchase, "", "8760", "0"},
		{"SavingsPlanRecurringFee: unused commitment", map[string]string{typ: "SavingsPlanRecurringFee", u: "730", total: "730", used: "612.5"}, cost.ChargePurchase, "", "730", "117.5"},
		{"SavingsPlanRecurringFee with net cost", map[string]string{typ: "SavingsPlanRecurringFee", u: "730", nu: "693.5", total: "730", used: "612.5"}, cost.ChargePurchase, "", "693.5", "117.5"},
		{"RIFee: unused upfront + unused recurring", map[string]string{typ: "RIFee", u: "36.5", arn: "arn:ri",
			"reservation/UnusedAmortizedUpfrontFeeForBillingPeriod": "3.2", "reservation/UnusedRecurringFee": "4.15"}, cost.ChargePurchase, "", "36.5", "7.35"},
		{"RIFee with net cost", map[string]string{typ: "RIFee", u: "36.5", nu: "34.675",
			"reservation/UnusedAmortizedUpfrontFeeForBillingPeriod": "3.2", "reservation/UnusedRecurringFee": "4.15",
			"reservation/NetUnusedAmortizedUpfrontFeeForBillingPeriod": "3.04", "reservation/NetUnusedRecurringFee": "3.9425"}, cost.ChargePurchase, "", "34.675", "6.9825"},
		{"Fee with a reservation: RI upfront, amortized elsewhere", map[string]string{typ: "Fee", u: "1200", arn: "arn:ri"}, cost.ChargePurchase, "", "1200", "0"},
		{"Fee without a reservation", map[string]string{typ: "Fee", u: "29", arn: ""}, cost.ChargePurchase, "", "29", "29"},
		{"Fee, no reservation column", map[string]string{typ: "Fee", u: "29"}, cost.ChargePurchase, "", "29", "29"},
		{"Tax", map[string]string{typ: "Tax", u: "2.5"}, cost.ChargeTax, "", "2.5", "2.5"},
		{"Credit", map[string]string{typ: "Credit", u: "-3"}, cost.ChargeCredit, "", "-3", "-3"},
		{"Refund corrects an earlier period", map[string]string{typ: "Refund", u: "-1.2", nu: "-1.14"}, cost.ChargeCredit, "Correction", "-1.14", "-1.14"},
		{"EdpDiscount", map[string]string{typ: "EdpDiscount", u: "-0.36"}, cost.ChargeUsage, "", "-0.36", "-0.36"},
		{"BundledDiscount", map[string]string{typ: "BundledDiscount", u: "-0.05"}, cost.ChargeUsage, "", "-0.05", "-0.05"},
		{"PrivateRateDiscount", map[string]string{typ: "PrivateRateDiscount", u: "-0.4"}, cost.ChargeUsage, "", "-0.4", "-0.4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var li cost.LineItem
			if fe := fill(&li, ruleRow(tc.cells)); fe != nil {
				t.Fatalf("fill: %v", fe)
			}
			if got, want := li.BilledCost, d(tc.billed); !got.Equal(want) {
				t.Errorf("billed = %s, want %s", got, want)
			}
			if got, want := li.EffectiveCost, d(tc.effective); !got.Equal(want) {
				t.Errorf("effective = %s, want %s", got, want)
			}
			if li.ChargeCategory != tc.category || li.ChargeClass != tc.class {
				t.Errorf("category, class = %s, %q; want %s, %q", li.ChargeCategory, li.ChargeClass, tc.category, tc.class)
			}
			if want := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC); !li.ChargePeriodStart.Equal(want) {
				t.Errorf("charge period start = %s", li.ChargePeriodStart)
			}
		})
	}
}

// Savings plan conservation over one month, by hand: covered usage 10.06
// on demand (6.50 at the SP rate), its negation, and a 8.00 recurring fee
// of which 6.50 was used. Billed and effective both total 8.00: the
// commitment, counted once.
func TestSavingsPlanCountedOnce(t *testing.T) {
	rows := []map[string]string{
		{"lineItem/LineItemType": "SavingsPlanCoveredUsage", "lineItem/UnblendedCost": "10.06", "savingsPlan/SavingsPlanEffectiveCost": "6.50"},
		{"lineItem/LineItemType": "SavingsPlanNegation", "lineItem/UnblendedCost": "-10.06"},
		{"lineItem/LineItemType": "SavingsPlanRecurringFee", "lineItem/UnblendedCost": "8.00",
			"savingsPlan/TotalCommitmentToDate": "8.00", "savingsPlan/UsedCommitment": "6.50"},
	}
	var items []cost.LineItem
	for _, r := range rows {
		var li cost.LineItem
		if fe := fill(&li, ruleRow(r)); fe != nil {
			t.Fatal(fe)
		}
		items = append(items, li)
	}
	billed, effective := sum(items)
	if !billed.Equal(d("8")) || !effective.Equal(d("8")) {
		t.Errorf("billed, effective = %s, %s; want 8, 8", billed, effective)
	}
}

func TestCostRuleErrors(t *testing.T) {
	tests := []struct {
		name  string
		cells map[string]string
		field field
		err   error
	}{
		{"unknown type", map[string]string{"lineItem/LineItemType": "MysteryCharge", "lineItem/UnblendedCost": "1"}, fLineItemType, ErrUnknownLineItemType},
		{"empty type", map[string]string{"lineItem/LineItemType": "", "lineItem/UnblendedCost": "1"}, fLineItemType, ErrMissingValue},
		{"empty cost", map[string]string{"lineItem/LineItemType": "Usage", "lineItem/UnblendedCost": ""}, fUnblended, ErrMissingValue},
		{"cost with a thousands separator", map[string]string{"lineItem/LineItemType": "Usage", "lineItem/UnblendedCost": "1,250.00"}, fUnblended, ErrBadValue},
		{"net cost not a number", map[string]string{"lineItem/LineItemType": "Usage", "lineItem/UnblendedCost": "1", "lineItem/NetUnblendedCost": "n/a"}, fNetUnblended, ErrBadValue},
		{"DiscountedUsage without reservation effective cost", map[string]string{"lineItem/LineItemType": "DiscountedUsage", "lineItem/UnblendedCost": "0"}, fRIEffective, ErrMissingValue},
		{"DiscountedUsage net without the net column", map[string]string{"lineItem/LineItemType": "DiscountedUsage", "lineItem/UnblendedCost": "0",
			"lineItem/NetUnblendedCost": "0", "reservation/EffectiveCost": "0.0582"}, fRINetEffective, ErrMissingValue},
		{"SavingsPlanCoveredUsage with an empty effective cost", map[string]string{"lineItem/LineItemType": "SavingsPlanCoveredUsage", "lineItem/UnblendedCost": "1",
			"savingsPlan/SavingsPlanEffectiveCost": ""}, fSPEffective, ErrMissingValue},
		{"SavingsPlanRecurringFee without used commitment", map[string]string{"lineItem/LineItemType": "SavingsPlanRecurringFee", "lineItem/UnblendedCost": "730",
			"savingsPlan/TotalCommitmentToDate": "730"}, fSPUsedCommitment, ErrMissingValue},
		{"RIFee without unused recurring fee", map[string]string{"lineItem/LineItemType": "RIFee", "lineItem/UnblendedCost": "36.5",
			"reservation/UnusedAmortizedUpfrontFeeForBillingPeriod": "3.2"}, fRIUnusedRecurring, ErrMissingValue},
		{"currency not ISO 4217", map[string]string{"lineItem/LineItemType": "Usage", "lineItem/UnblendedCost": "1", "lineItem/CurrencyCode": "US$"}, fCurrency, ErrBadValue},
		{"usage start not a timestamp", map[string]string{"lineItem/LineItemType": "Usage", "lineItem/UnblendedCost": "1", "lineItem/UsageStartDate": "03/10/2026"}, fUsageStart, ErrBadValue},
		{"usage start empty", map[string]string{"lineItem/LineItemType": "Usage", "lineItem/UnblendedCost": "1", "lineItem/UsageStartDate": ""}, fUsageStart, ErrMissingValue},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var li cost.LineItem
			fe := fill(&li, ruleRow(tc.cells))
			if fe == nil {
				t.Fatalf("fill succeeded: %+v", li)
			}
			if fe.f != tc.field {
				t.Errorf("error on field %d (%s), want %d (%s)", fe.f, fieldSpecs[fe.f].names[0], tc.field, fieldSpecs[tc.field].names[0])
			}
			if !errors.Is(fe.err, tc.err) {
				t.Errorf("error = %v, want %v", fe.err, tc.err)
			}
		})
	}
}
