package focuswrite

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// colKind says how a column is written.
type colKind int

const (
	ckText  colKind = iota // a string; neutralized in CSV when it starts with = + - @
	ckMoney                // an exact decimal (costs and quantities)
	ckTime                 // a UTC timestamp, null when zero
	ckInt                  // a whole number, null when zero (except x_LineCount)
	ckTags                 // a JSON object with sorted keys, null when empty
)

// col is one output column: its FOCUS (or x_) name, kind, whether FOCUS
// requires a value, and how to get it from a line item.
type col struct {
	name     string
	kind     colKind
	required bool
	text     func(*cost.LineItem) string
	money    func(*cost.LineItem) decimal.Decimal
	time     func(*cost.LineItem) time.Time
	int      func(*cost.LineItem) int64
}

// columns is the output layout: the FOCUS 1.2 columns a LineItem carries,
// then the x_ columns (FOCUS lists custom columns after its own).
var columns = []col{
	{name: "BilledCost", kind: ckMoney, required: true, money: func(li *cost.LineItem) decimal.Decimal { return li.BilledCost }},
	{name: "EffectiveCost", kind: ckMoney, required: true, money: func(li *cost.LineItem) decimal.Decimal { return li.EffectiveCost }},
	{name: "ListCost", kind: ckMoney, money: func(li *cost.LineItem) decimal.Decimal { return li.ListCost }},
	{name: "BillingCurrency", kind: ckText, required: true, text: func(li *cost.LineItem) string { return li.BillingCurrency }},
	{name: "BillingAccountId", kind: ckText, text: func(li *cost.LineItem) string { return li.BillingAccountID }},
	{name: "BillingAccountName", kind: ckText, text: func(li *cost.LineItem) string { return li.BillingAccountName }},
	{name: "SubAccountId", kind: ckText, text: func(li *cost.LineItem) string { return li.SubAccountID }},
	{name: "SubAccountName", kind: ckText, text: func(li *cost.LineItem) string { return li.SubAccountName }},
	{name: "BillingPeriodStart", kind: ckTime, time: func(li *cost.LineItem) time.Time { return li.BillingPeriodStart }},
	{name: "ChargePeriodStart", kind: ckTime, required: true, time: func(li *cost.LineItem) time.Time { return li.ChargePeriodStart }},
	{name: "ChargePeriodEnd", kind: ckTime, time: func(li *cost.LineItem) time.Time { return li.ChargePeriodEnd }},
	{name: "ChargeCategory", kind: ckText, required: true, text: func(li *cost.LineItem) string { return string(li.ChargeCategory) }},
	{name: "ChargeClass", kind: ckText, text: func(li *cost.LineItem) string { return li.ChargeClass }},
	{name: "ChargeDescription", kind: ckText, text: func(li *cost.LineItem) string { return li.ChargeDescription }},
	{name: "ServiceName", kind: ckText, text: func(li *cost.LineItem) string { return li.ServiceName }},
	{name: "ServiceCategory", kind: ckText, text: func(li *cost.LineItem) string { return li.ServiceCategory }},
	{name: "SkuId", kind: ckText, text: func(li *cost.LineItem) string { return li.SkuID }},
	{name: "SkuMeter", kind: ckText, text: func(li *cost.LineItem) string { return li.SkuMeter }},
	{name: "ResourceId", kind: ckText, text: func(li *cost.LineItem) string { return li.ResourceID }},
	{name: "ResourceName", kind: ckText, text: func(li *cost.LineItem) string { return li.ResourceName }},
	{name: "ResourceType", kind: ckText, text: func(li *cost.LineItem) string { return li.ResourceType }},
	{name: "RegionId", kind: ckText, text: func(li *cost.LineItem) string { return li.RegionID }},
	{name: "ConsumedQuantity", kind: ckMoney, money: func(li *cost.LineItem) decimal.Decimal { return li.ConsumedQuantity }},
	{name: "ConsumedUnit", kind: ckText, text: func(li *cost.LineItem) string { return li.ConsumedUnit }},
	{name: "ProviderName", kind: ckText, text: func(li *cost.LineItem) string { return li.ProviderName }},
	{name: "Tags", kind: ckTags},
	{name: "x_UsageType", kind: ckText, text: func(li *cost.LineItem) string { return li.UsageType }},
	{name: "x_ResourceGroupName", kind: ckText, text: func(li *cost.LineItem) string { return li.ResourceGroup }},
	{name: "x_LineCount", kind: ckInt, required: true, int: func(li *cost.LineItem) int64 { return li.Lines() }},
	{name: "x_SourceObject", kind: ckText, text: func(li *cost.LineItem) string { return li.Source.Object }},
	{name: "x_SourceLine", kind: ckInt, int: func(li *cost.LineItem) int64 { return li.Source.Line }},
	{name: "x_SourceRow", kind: ckInt, int: func(li *cost.LineItem) int64 { return li.Source.Row }},
	{name: "x_SourceJob", kind: ckText, text: func(li *cost.LineItem) string { return li.Source.Job }},
}

// Columns returns the output column names in order.
func Columns() []string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = c.name
	}
	return out
}

// formatMoney writes d with the scale it holds, so 0.90 stays 0.90 and a
// value parsed from 8.094e-05 is 0.00008094: no float, no rounding.
func formatMoney(d decimal.Decimal) string {
	if d.Exponent() < 0 {
		return d.StringFixed(-d.Exponent())
	}
	return d.String()
}

// formatTime writes t in UTC as 2006-01-02T15:04:05Z, with a fraction of
// a second only when t has one (nothing is truncated).
func formatTime(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02T15:04:05Z")
	}
	return t.Format("2006-01-02T15:04:05.999999999Z")
}

// formatTags writes tags as a JSON object with sorted keys and string
// values; no tags is the empty string (null).
func formatTags(t cost.Tags) string {
	if len(t) == 0 {
		return ""
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range t.Keys() {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, k)
		b.WriteByte(':')
		writeJSONString(&b, t[k])
	}
	b.WriteByte('}')
	return b.String()
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	b.Truncate(b.Len() - 1)
}

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }
