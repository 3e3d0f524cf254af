package cost

import (
	"strings"

	"github.com/shopspring/decimal"
)

// DivPlaces is the number of decimal places every division in allot keeps
// before the final rounding to a currency's minor unit. Twenty places is far
// below a cent for any bill, and it is named so no division relies on
// decimal.DivisionPrecision, a mutable package global.
const DivPlaces int32 = 20

// PricePlaces is the number of decimal places a published unit price and
// each of its parts carry (SPEC §4).
const PricePlaces int32 = 6

// The range of an amount read from text (a bill's cell, a configured
// figure): far beyond any bill (prices per token run to 10 or 12 decimal
// places) and far within what exact sums handle quickly. The decimal
// library refuses exponents beyond ±10000, but within that 1e-10000 is no
// amount, and every sum it enters works on 10,000-digit numbers from then
// on (a sum's exponent is the smallest of its terms'): a month of such
// cells would take minutes.
const (
	MaxDecimals      = 40
	MaxIntegerDigits = 20
)

// AmountInRange reports whether d has at most MaxDecimals decimal places
// and MaxIntegerDigits integer digits (zero always is).
func AmountInRange(d decimal.Decimal) bool {
	return d.IsZero() || d.Exponent() >= -MaxDecimals && int64(d.NumDigits())+int64(d.Exponent()) <= MaxIntegerDigits
}

// minorUnits lists ISO 4217 currencies whose minor unit is not 2 digits.
var minorUnits = map[string]int32{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
	"PYG": 0, "RWF": 0, "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	"CLF": 4, "UYW": 4,
}

// MinorUnits returns the number of decimal places of a currency's minor
// unit (2 for USD and EUR, 0 for JPY, 3 for KWD).
func MinorUnits(currency string) int32 {
	if n, ok := minorUnits[strings.ToUpper(currency)]; ok {
		return n
	}
	return 2
}

// ValidCurrency reports whether s looks like an ISO 4217 code: three ASCII
// upper-case letters.
func ValidCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// FormatAmount writes d with exactly places decimals and a dot, the way
// journals and CSV outputs write money. d must already be rounded.
func FormatAmount(d decimal.Decimal, places int32) string {
	return d.StringFixed(places)
}
