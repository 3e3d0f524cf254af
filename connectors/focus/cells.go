package focus

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/allot-dev/allot/connectors/internal/textio"
	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// cell is the per-column state of one file: the resolved column and a
// one-entry cache of the last cell parsed. Bills repeat the same
// timestamps, currencies, categories and costs on consecutive rows, and a
// decimal.Decimal or time.Time is immutable, so a repeated cell is parsed
// once.
type cell struct {
	column
	kind     kind
	required bool

	last    string
	hasLast bool
	t       time.Time
	d       decimal.Decimal
	s       string // normalized text of category, class and currency cells
	n       int64
}

func newCells(cols []column) []cell {
	out := make([]cell, len(cols))
	for i, c := range cols {
		out[i] = cell{column: c, kind: specs[c.field].kind, required: specs[c.field].required}
	}
	return out
}

// isNull reports whether a trimmed cell is null: empty or the literal NULL
// (any case), which some FOCUS exports write.
func isNull(s string) bool {
	return s == "" || (len(s) == 4 && strings.EqualFold(s, "null"))
}

// setText parses one text cell into li. The error says what is wrong with
// the value; the caller adds the object, line and column.
func (c *cell) setText(li *cost.LineItem, raw string) error {
	s := strings.TrimSpace(raw)
	if isNull(s) {
		if c.required {
			return fmt.Errorf("%w: %s is empty or NULL; FOCUS requires a value in every row", ErrNull, c.name)
		}
		if c.kind == kTags {
			li.Tags = nil
		}
		return nil
	}
	switch c.kind {
	case kText:
		setString(li, c.field, s)
	case kTime:
		if !c.hasLast || s != c.last {
			t, err := parseTime(s)
			if err != nil {
				return fmt.Errorf("%w: %w", ErrBadValue, err)
			}
			c.t, c.last, c.hasLast = t, s, true
		}
		setTime(li, c.field, c.t)
	case kDecimal:
		if !c.hasLast || s != c.last {
			d, err := parseDecimal(s)
			if err != nil {
				return fmt.Errorf("%w: %w", ErrBadValue, err)
			}
			c.d, c.last, c.hasLast = d, s, true
		}
		setDecimal(li, c.field, c.d)
	case kCategory:
		if !c.hasLast || s != c.last {
			cat, ok := cost.ParseChargeCategory(s)
			if !ok {
				return fmt.Errorf("%w: charge category %q is not one of Usage, Purchase, Tax, Credit, Adjustment", ErrBadValue, s)
			}
			c.s, c.last, c.hasLast = string(cat), s, true
		}
		li.ChargeCategory = cost.ChargeCategory(c.s)
	case kClass:
		if !strings.EqualFold(s, "Correction") {
			return fmt.Errorf("%w: charge class %q: FOCUS allows only Correction or null", ErrBadValue, s)
		}
		li.ChargeClass = "Correction"
	case kCurrency:
		if !c.hasLast || s != c.last {
			u := strings.ToUpper(s)
			if !cost.ValidCurrency(u) {
				return fmt.Errorf("%w: currency %q is not an ISO 4217 code such as USD or EUR", ErrBadValue, s)
			}
			c.s, c.last, c.hasLast = u, s, true
		}
		li.BillingCurrency = c.s
	case kTags:
		tags, err := parseTags(s)
		if err != nil {
			return err
		}
		li.Tags = tags
	case kCount:
		if !c.hasLast || s != c.last {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 1 {
				return fmt.Errorf("%w: line count %q is not a whole number of at least 1", ErrBadValue, s)
			}
			c.n, c.last, c.hasLast = n, s, true
		}
		li.Count = c.n
	}
	return nil
}

func setString(li *cost.LineItem, f field, s string) {
	switch f {
	case fProviderName:
		li.ProviderName = s
	case fBillingAccountID:
		li.BillingAccountID = s
	case fBillingAccountName:
		li.BillingAccountName = s
	case fSubAccountID:
		li.SubAccountID = s
	case fSubAccountName:
		li.SubAccountName = s
	case fResourceGroup:
		li.ResourceGroup = s
	case fChargeDescription:
		li.ChargeDescription = s
	case fServiceName:
		li.ServiceName = s
	case fServiceCategory:
		li.ServiceCategory = s
	case fSkuID:
		li.SkuID = s
	case fSkuMeter:
		li.SkuMeter = s
	case fUsageType:
		li.UsageType = s
	case fResourceID:
		li.ResourceID = s
	case fResourceName:
		li.ResourceName = s
	case fResourceType:
		li.ResourceType = s
	case fRegionID:
		li.RegionID = s
	case fConsumedUnit:
		li.ConsumedUnit = s
	}
}

func setTime(li *cost.LineItem, f field, t time.Time) {
	switch f {
	case fBillingPeriodStart:
		li.BillingPeriodStart = t
	case fChargePeriodStart:
		li.ChargePeriodStart = t
	case fChargePeriodEnd:
		li.ChargePeriodEnd = t
	}
}

func setDecimal(li *cost.LineItem, f field, d decimal.Decimal) {
	switch f {
	case fConsumedQuantity:
		li.ConsumedQuantity = d
	case fBilledCost:
		li.BilledCost = d
	case fEffectiveCost:
		li.EffectiveCost = d
	case fListCost:
		li.ListCost = d
	}
}

// parseTime reads the two timestamp forms FOCUS files use,
// 2026-10-01T00:00:00Z and 2026-10-01 00:00:00 (UTC), without allocating,
// and hands anything else to textio.ParseTime. Month-first dates such as
// 5/1/25 are rejected: the day and month cannot be told apart.
func parseTime(s string) (time.Time, error) {
	if (len(s) == 20 && s[10] == 'T' && s[19] == 'Z') || (len(s) == 19 && (s[10] == ' ' || s[10] == 'T')) {
		if t, ok := fastTime(s); ok {
			return t, nil
		}
	}
	t, err := textio.ParseTime(s)
	if err != nil {
		return time.Time{}, err
	}
	return t, nil
}

func fastTime(s string) (time.Time, bool) {
	if s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	y, ok1 := digits(s[0:4])
	mo, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	h, ok4 := digits(s[11:13])
	mi, ok5 := digits(s[14:16])
	se, ok6 := digits(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, se, 0, time.UTC)
	if t.Day() != d { // 2026-02-30 would roll over; let textio reject it
		return time.Time{}, false
	}
	return t, true
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parseDecimal parses a FOCUS number exactly. Plain decimals of up to 18
// digits take an allocation-light path; E-notation and longer numbers go
// through textio.ParseDecimal. Thousands separators, currency symbols and
// words are errors.
func parseDecimal(s string) (decimal.Decimal, error) {
	if d, ok := fastDecimal(s); ok {
		return d, nil
	}
	d, ok, err := textio.ParseDecimal(s)
	if err != nil {
		return decimal.Zero, err
	}
	if !ok {
		return decimal.Zero, nil
	}
	return d, nil
}

func fastDecimal[S ~string | ~[]byte](s S) (decimal.Decimal, bool) {
	i := 0
	neg := false
	if i < len(s) && s[i] == '-' {
		neg = true
		i++
	}
	var v int64
	nd, frac := 0, -1
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			v = v*10 + int64(c-'0')
			nd++
			if frac >= 0 {
				frac++
			}
		case c == '.' && frac < 0:
			frac = 0
		default:
			return decimal.Decimal{}, false
		}
	}
	if nd == 0 || nd > 18 || frac == 0 {
		return decimal.Decimal{}, false
	}
	if neg {
		v = -v
	}
	if frac < 0 {
		frac = 0
	}
	return decimal.New(v, int32(-frac)), true
}
