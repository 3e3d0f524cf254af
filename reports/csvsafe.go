package reports

import (
	"encoding/csv"
	"io"
)

// Safe neutralizes a text cell a spreadsheet would run as a formula: a
// value that begins with =, +, -, @, a tab or a carriage return gets a
// leading single quote. Tags and descriptions come from bills that anyone
// who can tag a resource writes.
func Safe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// csvWriter writes CSV with LF line ends.
func csvWriter(w io.Writer) *csv.Writer {
	cw := csv.NewWriter(w)
	cw.UseCRLF = false
	return cw
}
