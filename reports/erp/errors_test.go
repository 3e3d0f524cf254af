package erp

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/allot-dev/allot/cost"
)

func TestEncodeErrors(t *testing.T) {
	mod := func(f func(js []cost.Journal)) []cost.Journal {
		js := fixtureJournals()
		f(js)
		return js
	}
	cases := []struct {
		name     string
		format   string
		journals []cost.Journal
		opts     Options
		want     error
		wantLine int    // 0: no line, or the journal header
		wantText string // a fragment the message must carry
	}{
		{"unbalanced", "generic-csv", mod(func(js []cost.Journal) { js[1].Lines[0].Debit = d("1200.01") }),
			Options{}, ErrUnbalanced, 0, "differ by 0.01"},
		{"both sides", "sap", mod(func(js []cost.Journal) { js[1].Lines[1].Credit = d("1.00") }),
			Options{}, ErrInvalidJournal, 2, "exactly one"},
		{"neither side", "netsuite", mod(func(js []cost.Journal) { js[0].Lines[3].Credit = d("0") }),
			Options{}, ErrInvalidJournal, 4, "exactly one"},
		{"negative", "workday", mod(func(js []cost.Journal) { js[1].Lines[0].Debit = d("-1200.00") }),
			Options{}, ErrInvalidJournal, 1, "negative"},
		{"finer than the minor unit", "generic-jsonl", mod(func(js []cost.Journal) {
			js[1].Lines[0].Debit = d("1199.995")
			js[1].Lines[1].Debit = d("180.005")
		}), Options{}, ErrInvalidJournal, 1, "more than 2 decimals"},
		{"no accounting date", "generic-csv", mod(func(js []cost.Journal) { js[0].AccountingDate = time.Time{} }),
			Options{}, ErrInvalidJournal, 0, "never guesses"},
		{"bad currency", "generic-csv", mod(func(js []cost.Journal) { js[0].Currency = "usd" }),
			Options{}, ErrInvalidJournal, 0, "ISO 4217"},
		{"line of another company", "oracle-gl-interface", mod(func(js []cost.Journal) { js[1].Lines[2].Company = "2000" }),
			fixtureOptions(), ErrInvalidJournal, 3, "one company"},
		{"invalid UTF-8", "generic-jsonl", mod(func(js []cost.Journal) { js[1].Lines[3].Description = "caf\xe9" }),
			Options{}, ErrInvalidJournal, 4, "UTF-8"},
		{"no account", "generic-csv", mod(func(js []cost.Journal) { js[1].Lines[6].Account = "" }),
			Options{}, ErrInvalidJournal, 7, "GL account"},
		{"duplicate id", "generic-csv", mod(func(js []cost.Journal) { js[0].ID = js[1].ID }),
			Options{}, ErrInvalidJournal, 0, "twice"},
		{"duplicate line number", "generic-csv", mod(func(js []cost.Journal) { js[0].Lines[1].Line = 1 }),
			Options{}, ErrInvalidJournal, 1, "twice"},
		{"oracle without ledger", "oracle-gl-interface", fixtureJournals(),
			Options{Oracle: OracleOptions{LedgerIDs: map[string]string{"1000": "1"}}}, ErrOption, 0, `Oracle.LedgerIDs["2000"]`},
		{"oracle bad group id", "oracle-gl-interface", fixtureJournals(),
			Options{Oracle: OracleOptions{LedgerID: "1", GroupID: "G1"}}, ErrOption, 0, "Oracle.GroupID"},
		{"oracle bad segment", "oracle-gl-interface", fixtureJournals(),
			Options{Oracle: OracleOptions{LedgerID: "1", Segments: []string{"company", "dept"}}}, ErrOption, 0, "Oracle.Segments[1]"},
		{"sap account too long", "sap", mod(func(js []cost.Journal) { js[1].Lines[4].Account = "65010000000" }),
			Options{}, ErrTooLong, 5, "SAP allows 10"},
		{"sap limit out of range", "sap", fixtureJournals(), Options{SAP: SAPOptions{MaxLines: 1000}}, ErrOption, 0, "2..999"},
		{"netsuite amount too large", "netsuite", mod(func(js []cost.Journal) {
			js[0].Lines[0].Debit, js[0].Lines[2].Credit = d("10000000000.00"), d("10000000000.00")
		}), Options{}, ErrTooLong, 1, "10 digits"},
		{"unknown format", "quickbooks", fixtureJournals(), Options{}, ErrUnknownFormat, 0, "generic-csv, generic-jsonl, netsuite, oracle-gl-interface, sap, workday"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Encode(&buf, tc.format, tc.journals, tc.opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Encode() error = %v, want %v", err, tc.want)
			}
			if buf.Len() != 0 {
				t.Errorf("Encode wrote %d bytes despite the error; nothing may be written", buf.Len())
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q does not say %q", err, tc.wantText)
			}
			var je *JournalError
			if errors.As(err, &je) {
				if je.Line != tc.wantLine {
					t.Errorf("error names line %d, want %d", je.Line, tc.wantLine)
				}
				if je.JournalID == "" || !strings.Contains(err.Error(), je.JournalID) {
					t.Errorf("error %q does not name the journal", err)
				}
			} else if tc.wantLine != 0 {
				t.Errorf("error %v is not a *JournalError", err)
			}
		})
	}
}

func TestFileName(t *testing.T) {
	j := cost.Journal{ID: "AL-2026-10-1000-USD"}
	cases := []struct {
		format string
		id     string
		want   string
	}{
		{"generic-csv", j.ID, "AL-2026-10-1000-USD.csv"},
		{"generic-jsonl", j.ID, "AL-2026-10-1000-USD.jsonl"},
		{"sap", j.ID, "AL-2026-10-1000-USD.sap.csv"},
		{"oracle-gl-interface", j.ID, "AL-2026-10-1000-USD.gl_interface.csv"},
		{"netsuite", j.ID, "AL-2026-10-1000-USD.netsuite.csv"},
		{"workday", j.ID, "AL-2026-10-1000-USD.workday.csv"},
		// A slash would make a folder; sha256("a/b")[:4] = c14cddc0.
		{"generic-csv", "a/b", "a_b-c14cddc0.csv"},
		{"generic-csv", "../x", "_x-d6b96a97.csv"}, // sha256("../x")[:4]
	}
	for _, tc := range cases {
		if got := FileName(tc.format, cost.Journal{ID: tc.id}); got != tc.want {
			t.Errorf("FileName(%q, %q) = %q, want %q", tc.format, tc.id, got, tc.want)
		}
	}
}

// TestAmountsMinorUnits: amounts carry the currency's minor unit, a dot,
// no separator and no exponent, whatever the size.
func TestAmountsMinorUnits(t *testing.T) {
	cases := []struct {
		currency, debit, want string
	}{
		{"USD", "1234567.5", "1234567.50"},
		{"JPY", "12345", "12345"},
		{"KWD", "0.125", "0.125"},
		{"USD", "0.000000001e9", "1.00"},
		{"EUR", "99999999999999999999.99", "99999999999999999999.99"},
	}
	for _, tc := range cases {
		j := cost.Journal{ID: "J1", Company: "1000", Currency: tc.currency, Period: oct2026,
			AccountingDate: time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC),
			Lines: []cost.JournalLine{
				{Line: 1, Account: "650100", Debit: d(tc.debit)},
				{Line: 2, Account: "490100", Credit: d(tc.debit)},
			}}
		var buf bytes.Buffer
		if err := Encode(&buf, "generic-csv", []cost.Journal{j}, Options{}); err != nil {
			t.Fatal(err)
		}
		rows := readCSV(t, buf.Bytes())
		if got := rows[1][7]; got != tc.want {
			t.Errorf("%s %s: debit cell %q, want %q", tc.currency, tc.debit, got, tc.want)
		}
	}
}

func TestLookup(t *testing.T) {
	for _, name := range Formats() {
		f, err := Lookup(name)
		if err != nil || f.Name != name || f.Ext == "" || f.ContentType == "" {
			t.Errorf("Lookup(%q) = %+v, %v", name, f, err)
		}
	}
}
