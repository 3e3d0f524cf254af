package fastagg

import "time"

// monthCache maps instants to a month number, remembering the bounds of
// the last month seen: lines of one export nearly all fall in one month.
type monthCache struct {
	lo, hi int64 // [lo, hi) in Unix seconds
	id     uint32
	ok     bool
}

// of returns the month of a Unix time in seconds, as year*12 + month-1.
func (m *monthCache) of(sec int64) uint32 {
	if m.ok && sec >= m.lo && sec < m.hi {
		return m.id
	}
	t := time.Unix(sec, 0).UTC()
	y, mo := t.Year(), t.Month()
	start := time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC)
	m.lo, m.hi = start.Unix(), start.AddDate(0, 1, 0).Unix()
	m.id = uint32(int32(y*12 + int(mo) - 1))
	m.ok = true
	return m.id
}

// MonthOf returns the month number of an instant, as keys hold it.
func MonthOf(t Instant) uint32 {
	var m monthCache
	return m.of(t.Sec)
}
