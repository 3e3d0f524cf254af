package cost

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestPeriod(t *testing.T) {
	p, err := ParsePeriod("2026-10")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.String(), "2026-10"; got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
	if got, want := p.LastDay(), time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("LastDay() = %s, want %s", got, want)
	}
	if got, want := p.Next().String(), "2026-11"; got != want {
		t.Errorf("Next() = %s", got)
	}
	if got, want := (Period{2027, 1}).Prev().String(), "2026-12"; got != want {
		t.Errorf("Prev() = %s", got)
	}
	if got, want := p.Quarter().String(), "2026Q4"; got != want {
		t.Errorf("Quarter() = %s", got)
	}
	if !p.Contains(time.Date(2026, 10, 31, 23, 59, 59, 0, time.UTC)) || p.Contains(p.End()) || p.Contains(p.Start().Add(-time.Nanosecond)) {
		t.Error("Contains: start inclusive, end exclusive")
	}
	for _, bad := range []string{"2026-13", "2026-1", "26-10", "2026/10", "", "2026-00"} {
		if _, err := ParsePeriod(bad); err == nil {
			t.Errorf("ParsePeriod(%q) accepted", bad)
		}
	}
}

func TestQuarterAndRange(t *testing.T) {
	q, err := ParseQuarter("2026q4")
	if err != nil {
		t.Fatal(err)
	}
	m := q.Months()
	if m[0].String() != "2026-10" || m[2].String() != "2026-12" || !q.Contains(Period{2026, 11}) || q.Contains(Period{2027, 1}) {
		t.Errorf("quarter months = %v", m)
	}
	for _, bad := range []string{"2026Q5", "2026-Q4", "Q4"} {
		if _, err := ParseQuarter(bad); err == nil {
			t.Errorf("ParseQuarter(%q) accepted", bad)
		}
	}
	r, err := ParsePeriodRange("2026-07..2026-09")
	if err != nil {
		t.Fatal(err)
	}
	if ps := r.Periods(); len(ps) != 3 || ps[2].String() != "2026-09" {
		t.Errorf("Periods() = %v", ps)
	}
	if _, err := ParsePeriodRange("2026-09..2026-07"); err == nil {
		t.Error("a backwards range was accepted")
	}
}

func TestTagsAndMoney(t *testing.T) {
	tags := Tags{"Team": "a", "team": "b", "TEAM": "c"}
	if v, _ := tags.GetFold("team"); v != "b" {
		t.Errorf("GetFold exact spelling first: got %q", v)
	}
	if v, _ := (Tags{"Team": "a", "TEAM": "c"}).GetFold("team"); v != "c" {
		t.Errorf("GetFold picks the smallest key in byte order: got %q", v)
	}
	if MinorUnits("JPY") != 0 || MinorUnits("usd") != 2 || MinorUnits("KWD") != 3 {
		t.Error("MinorUnits")
	}
	if !ValidCurrency("EUR") || ValidCurrency("eur") || ValidCurrency("EURO") {
		t.Error("ValidCurrency")
	}
	li := LineItem{BilledCost: decimal.NewFromInt(2), EffectiveCost: decimal.NewFromInt(1)}
	if !li.Cost(BasisBilled).Equal(decimal.NewFromInt(2)) || !li.Cost(BasisEffective).Equal(decimal.NewFromInt(1)) || li.Lines() != 1 {
		t.Error("LineItem cost basis / lines")
	}
	if got := (Provenance{Object: "f.csv", Line: 12}).String(); got != "f.csv:12" {
		t.Errorf("Provenance = %q", got)
	}
}

// FuzzParsePeriods: the period, quarter and range parsers never panic, and
// what they accept prints back as what they read.
func FuzzParsePeriods(f *testing.F) {
	for _, s := range []string{"2026-10", "2026Q4", "2026-01..2026-03", "2026-13", "0000-00", "9999-12..0001-01", "2026-1", " 2026-10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p, err := ParsePeriod(s); err == nil {
			if q, err := ParsePeriod(p.String()); err != nil || q != p {
				t.Fatalf("ParsePeriod(%q) = %v, which reads back as %v, %v", s, p, q, err)
			}
		}
		if q, err := ParseQuarter(s); err == nil {
			if r, err := ParseQuarter(q.String()); err != nil || r != q {
				t.Fatalf("ParseQuarter(%q) = %v, which reads back as %v, %v", s, q, r, err)
			}
		}
		ParsePeriodRange(s)
	})
}

func TestAmountInRange(t *testing.T) {
	for s, want := range map[string]bool{
		"0": true, "0.0000000104": true, "8.094e-05": true, "99999999999999999999.5": true,
		"1e-40": true, "1e-41": false, "1e20": false, "123456789012345678901": false, "1e-10000": false,
	} {
		if got := AmountInRange(decimal.RequireFromString(s)); got != want {
			t.Errorf("AmountInRange(%s) = %v, want %v", s, got, want)
		}
	}
}
