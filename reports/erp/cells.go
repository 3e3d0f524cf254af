package erp

import (
	"encoding/csv"
	"io"
	"strings"
	"time"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// text neutralizes a text cell for spreadsheets: a cell that begins with
// '=', '+', '-', '@' (or a tab or carriage return, which some spreadsheets
// skip before reading a formula) gets a leading apostrophe, so that a
// description taken from a bill anyone can tag is never run as a formula.
// Numeric cells never go through text.
func text(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// clip neutralizes s and cuts it to at most n characters (runes), the
// length of the ERP field it goes to, dropping spaces left at the cut.
func clip(s string, n int) string {
	s = text(s)
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimRight(string(r[:n]), " ")
}

// amount writes a non-negative or negative decimal with exactly places
// decimals, a dot, no thousands separator and no exponent.
func amount(d decimal.Decimal, places int32) string {
	return cost.FormatAmount(d, places)
}

// side writes d, or an empty cell when d is zero: the ERP formats take one
// of debit and credit per line and want the other blank.
func side(d decimal.Decimal, places int32) string {
	if d.Sign() == 0 {
		return ""
	}
	return amount(d, places)
}

// isoDate writes the calendar date of t as stored (no time-zone shift).
func isoDate(t time.Time) string { return t.Format("2006-01-02") }

// reference renders team/class/component, or "" for a line that has none.
func reference(l *cost.JournalLine) string {
	if l.Team == "" && l.ActionClass == "" && l.Component == "" {
		return ""
	}
	return l.Reference()
}

// description of a journal header, never empty.
func journalText(j *cost.Journal) string {
	if j.Description != "" {
		return j.Description
	}
	kind := j.Kind
	if kind == "" {
		kind = "journal"
	}
	return "allot " + kind + " " + j.Period.String() + " " + j.Company
}

// csvOut is a csv.Writer that remembers its first error.
type csvOut struct {
	w *csv.Writer
}

func newCSV(w io.Writer) *csvOut { return &csvOut{w: csv.NewWriter(w)} }

func (c *csvOut) row(cells ...string) { _ = c.w.Write(cells) }

func (c *csvOut) close() error {
	c.w.Flush()
	return c.w.Error()
}
