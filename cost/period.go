package cost

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Period is one calendar month, in UTC.
type Period struct {
	Year  int
	Month time.Month
}

// ParsePeriod parses "YYYY-MM".
func ParsePeriod(s string) (Period, error) {
	s = strings.TrimSpace(s)
	if len(s) != 7 || s[4] != '-' {
		return Period{}, fmt.Errorf("period %q: want YYYY-MM, for example 2026-10", s)
	}
	y, err1 := strconv.Atoi(s[:4])
	m, err2 := strconv.Atoi(s[5:])
	if err1 != nil || err2 != nil || m < 1 || m > 12 || y < 1970 || y > 9999 {
		return Period{}, fmt.Errorf("period %q: want YYYY-MM with a month 01-12, for example 2026-10", s)
	}
	return Period{Year: y, Month: time.Month(m)}, nil
}

// PeriodOf returns the period that contains t (in UTC).
func PeriodOf(t time.Time) Period {
	t = t.UTC()
	return Period{Year: t.Year(), Month: t.Month()}
}

// String returns "YYYY-MM".
func (p Period) String() string { return fmt.Sprintf("%04d-%02d", p.Year, int(p.Month)) }

// IsZero reports whether p is the zero Period.
func (p Period) IsZero() bool { return p.Year == 0 && p.Month == 0 }

// Start is the first instant of the month, inclusive.
func (p Period) Start() time.Time { return time.Date(p.Year, p.Month, 1, 0, 0, 0, 0, time.UTC) }

// End is the first instant of the next month, exclusive.
func (p Period) End() time.Time { return p.Start().AddDate(0, 1, 0) }

// LastDay is the last calendar day of the month (the accounting date of its journals).
func (p Period) LastDay() time.Time { return p.End().AddDate(0, 0, -1) }

// Days is the number of days in the month.
func (p Period) Days() int { return p.LastDay().Day() }

// Contains reports whether t falls inside the month: Start <= t < End.
func (p Period) Contains(t time.Time) bool {
	return !t.Before(p.Start()) && t.Before(p.End())
}

// Next returns the following month.
func (p Period) Next() Period { return PeriodOf(p.End()) }

// Prev returns the previous month.
func (p Period) Prev() Period { return PeriodOf(p.Start().AddDate(0, -1, 0)) }

// Before reports whether p is earlier than q.
func (p Period) Before(q Period) bool {
	return p.Year < q.Year || (p.Year == q.Year && p.Month < q.Month)
}

// Quarter returns the calendar quarter p belongs to.
func (p Period) Quarter() Quarter { return Quarter{Year: p.Year, Q: (int(p.Month)-1)/3 + 1} }

// MarshalText implements encoding.TextMarshaler.
func (p Period) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *Period) UnmarshalText(b []byte) error {
	v, err := ParsePeriod(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// Quarter is a calendar quarter: Q is 1 to 4.
type Quarter struct {
	Year int
	Q    int
}

// ParseQuarter parses "YYYYQn", for example "2026Q4" (a lower-case q is accepted).
func ParseQuarter(s string) (Quarter, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 6 || s[4] != 'Q' {
		return Quarter{}, fmt.Errorf("quarter %q: want YYYYQn, for example 2026Q4", s)
	}
	y, err1 := strconv.Atoi(s[:4])
	q, err2 := strconv.Atoi(s[5:])
	if err1 != nil || err2 != nil || q < 1 || q > 4 || y < 1970 {
		return Quarter{}, fmt.Errorf("quarter %q: want YYYYQn with n 1-4, for example 2026Q4", s)
	}
	return Quarter{Year: y, Q: q}, nil
}

// String returns "YYYYQn".
func (q Quarter) String() string { return fmt.Sprintf("%04dQ%d", q.Year, q.Q) }

// IsZero reports whether q is the zero Quarter.
func (q Quarter) IsZero() bool { return q.Year == 0 && q.Q == 0 }

// Months returns the three periods of the quarter, in order.
func (q Quarter) Months() [3]Period {
	first := Period{Year: q.Year, Month: time.Month((q.Q-1)*3 + 1)}
	return [3]Period{first, first.Next(), first.Next().Next()}
}

// First returns the first month of the quarter.
func (q Quarter) First() Period { return q.Months()[0] }

// Last returns the last month of the quarter.
func (q Quarter) Last() Period { return q.Months()[2] }

// Contains reports whether p is one of the quarter's months.
func (q Quarter) Contains(p Period) bool { return p.Quarter() == q }

// MarshalText implements encoding.TextMarshaler.
func (q Quarter) MarshalText() ([]byte, error) { return []byte(q.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (q *Quarter) UnmarshalText(b []byte) error {
	v, err := ParseQuarter(string(b))
	if err != nil {
		return err
	}
	*q = v
	return nil
}

// PeriodRange is an inclusive range of months, written "2026-07..2026-09".
type PeriodRange struct {
	From, To Period
}

// ParsePeriodRange parses "YYYY-MM..YYYY-MM" (inclusive) or a single "YYYY-MM".
func ParsePeriodRange(s string) (PeriodRange, error) {
	from, to, ok := strings.Cut(s, "..")
	if !ok {
		to = from
	}
	f, err := ParsePeriod(from)
	if err != nil {
		return PeriodRange{}, fmt.Errorf("range %q: %w", s, err)
	}
	t, err := ParsePeriod(to)
	if err != nil {
		return PeriodRange{}, fmt.Errorf("range %q: %w", s, err)
	}
	if t.Before(f) {
		return PeriodRange{}, fmt.Errorf("range %q: ends before it starts", s)
	}
	return PeriodRange{From: f, To: t}, nil
}

// Periods lists the months of the range in order.
func (r PeriodRange) Periods() []Period {
	var out []Period
	for p := r.From; !r.To.Before(p); p = p.Next() {
		out = append(out, p)
	}
	return out
}

// String returns "YYYY-MM..YYYY-MM".
func (r PeriodRange) String() string { return r.From.String() + ".." + r.To.String() }
