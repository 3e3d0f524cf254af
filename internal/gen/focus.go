package gen

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/allot-dev/allot/connectors"
)

// focusCols is a FOCUS 1.2 cost and usage export of the same lines, as
// AWS writes it (x_UsageType carries the usage type).
var focusCols = []curCol{
	{name: "BilledCost", kind: ckNum, num: (*line).billed},
	{name: "EffectiveCost", kind: ckNum, num: (*line).effective},
	{name: "ListCost", kind: ckNum, num: func(l *line) int64 {
		if l.hasPod {
			return l.pod
		}
		return l.billed()
	}},
	{name: "BillingCurrency", text: func(*world, *line) string { return "USD" }},
	{name: "BillingAccountId", text: func(w *world, _ *line) string { return w.payer }},
	{name: "BillingAccountName", text: func(*world, *line) string { return "acme-payer" }},
	{name: "SubAccountId", text: func(_ *world, l *line) string { return l.acct.id }},
	{name: "SubAccountName", text: func(_ *world, l *line) string { return l.acct.name }},
	{name: "BillingPeriodStart", kind: ckTime, time: func(w *world, _ *line) time.Time { return w.period.Start() }},
	{name: "BillingPeriodEnd", kind: ckTime, time: func(w *world, _ *line) time.Time { return w.period.End() }},
	{name: "ChargePeriodStart", kind: ckTime, time: func(w *world, l *line) time.Time { return l.start(w.period.Start()) }},
	{name: "ChargePeriodEnd", kind: ckTime, time: func(w *world, l *line) time.Time { return l.start(w.period.Start()).Add(time.Hour) }},
	{name: "ChargeCategory", text: func(_ *world, l *line) string { return string(lineTypes[l.typ].category) }},
	{name: "ChargeDescription", text: func(_ *world, l *line) string { return l.description() }},
	{name: "ServiceName", text: func(_ *world, l *line) string { return l.svc }},
	{name: "ServiceCategory", text: func(*world, *line) string { return "AI and Machine Learning" }},
	{name: "SkuId", text: func(_ *world, l *line) string {
		if l.ut == nil {
			return ""
		}
		return "SKU-" + l.ut.name
	}},
	{name: "ResourceId", text: func(_ *world, l *line) string {
		if l.res == nil {
			return ""
		}
		return l.res.id
	}},
	{name: "ResourceName", text: func(_ *world, l *line) string {
		if l.res == nil {
			return ""
		}
		return l.res.name
	}},
	{name: "RegionId", text: func(_ *world, l *line) string {
		if l.res == nil {
			return ""
		}
		return regions[l.res.region].id
	}},
	{name: "ConsumedQuantity", kind: ckQty},
	{name: "ConsumedUnit", text: func(_ *world, l *line) string {
		if l.ut == nil {
			return ""
		}
		return l.ut.unit
	}},
	{name: "ProviderName", text: func(*world, *line) string { return "AWS" }},
	{name: "PublisherName", text: func(*world, *line) string { return "AWS" }},
	{name: "InvoiceIssuerName", text: func(*world, *line) string { return "AWS" }},
	{name: "Tags", kind: ckTags},
	{name: "x_UsageType", text: func(_ *world, l *line) string { return l.usageType() }},
}

type focusWriter struct {
	o *Options
	w *world
}

func (f *focusWriter) root() string { return filepath.Join(f.o.Out, "data", "focus") }

func (f *focusWriter) path(i int) string {
	return filepath.Join(f.root(), fmt.Sprintf("focus-%s-%05d.%s", f.o.Period, i+1, f.o.File))
}

func (f *focusWriter) sourceKind() string { return connectors.KindFOCUS }
func (f *focusWriter) sourceURL() string  { return "file:data/focus" }

func (f *focusWriter) open(p string, _ int) (rowWriter, error) {
	switch f.o.File {
	case FileParquet:
		return newTableParquet(p, f.o, f.w, focusCols)
	case FileCSV:
		return newCSVGzWriter(p, 0, header(focusCols), func(b []byte, l *line) []byte { return csvRow(b, f.w, focusCols, l) })
	}
	return newCSVGzWriter(p, f.o.GzipLevel, header(focusCols), func(b []byte, l *line) []byte { return csvRow(b, f.w, focusCols, l) })
}

func (f *focusWriter) finish([]string, []fileStats) error { return nil }

func header(cols []curCol) []string {
	h := make([]string, len(cols))
	for i, c := range cols {
		h[i] = c.name
	}
	return h
}
