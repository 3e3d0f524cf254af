package rules

import (
	"fmt"
	"strings"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// Amount is a decimal read from a YAML number or string exactly as written:
// 0.15 is 15/100, never the nearest float.
type Amount struct {
	decimal.Decimal
}

// Dec returns the value.
func (a Amount) Dec() decimal.Decimal { return a.Decimal }

// A returns an Amount from a decimal literal; it panics on a bad literal
// and exists for defaults and tests.
func A(s string) Amount { return Amount{decimal.RequireFromString(s)} }

func (a *Amount) decodeScalar(text string) error {
	t := strings.ReplaceAll(strings.TrimSpace(text), "_", "")
	if t == "" {
		return fmt.Errorf("empty amount")
	}
	for _, c := range t {
		if !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			return fmt.Errorf("%q is not a number", text)
		}
	}
	d, err := decimal.NewFromString(t)
	if err != nil {
		return fmt.Errorf("%q is not a number", text)
	}
	if !cost.AmountInRange(d) {
		return fmt.Errorf("%q is out of range: at most %d decimal places and %d integer digits", text, cost.MaxDecimals, cost.MaxIntegerDigits)
	}
	a.Decimal = d
	return nil
}

// MarshalText writes the exact decimal.
func (a Amount) MarshalText() ([]byte, error) { return []byte(a.Decimal.String()), nil }
