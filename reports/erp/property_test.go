package erp

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

var hostile = []string{
	`=HYPERLINK("http://evil.example","x")`, "+1", "-1", "@SUM(A1:A2)", "\t=1", "\r=1",
	"plain text", "comma, and \"quotes\"", "", "multi\nline",
}

// genJournal draws a random balanced journal: debit lines of random
// amounts, credit lines that share the debit total, in random order.
func genJournal(t *rapid.T, id, company string) cost.Journal {
	currency := rapid.SampledFrom([]string{"USD", "EUR", "JPY", "KWD"}).Draw(t, "currency")
	places := cost.MinorUnits(currency)
	nDebit := rapid.IntRange(1, 40).Draw(t, "debits")
	var lines []cost.JournalLine
	var total int64
	line := func(units int64, isDebit bool) cost.JournalLine {
		l := cost.JournalLine{
			Account:     rapid.SampledFrom([]string{"650100", "650190", "490100", "490110", "290500"}).Draw(t, "account"),
			CostCenter:  rapid.SampledFrom([]string{"", "CC-4100", "CC-4200", "CC-9000"}).Draw(t, "cc"),
			Description: rapid.OneOf(rapid.SampledFrom(hostile), rapid.String()).Draw(t, "description"),
			Team:        rapid.SampledFrom([]string{"", "search", "=evil", cost.Central}).Draw(t, "team"),
		}
		amt := decimal.New(units, -places)
		if isDebit {
			l.Debit = amt
		} else {
			l.Credit = amt
		}
		return l
	}
	for i := 0; i < nDebit; i++ {
		u := rapid.Int64Range(1, 1_000_000_000).Draw(t, "debit")
		total += u
		lines = append(lines, line(u, true))
	}
	nCredit := int64(rapid.IntRange(1, 8).Draw(t, "credits"))
	nCredit = min(nCredit, total)
	left := total
	for k := int64(0); k < nCredit; k++ {
		u := left
		if k < nCredit-1 {
			u = rapid.Int64Range(1, left-(nCredit-1-k)).Draw(t, "credit")
		}
		left -= u
		lines = append(lines, line(u, false))
	}
	lines = rapid.Permutation(lines).Draw(t, "order")
	for i := range lines {
		lines[i].Line = i + 1
	}
	return cost.Journal{ID: id, Kind: "allocation", Company: company, Currency: currency,
		Period: oct2026, AccountingDate: time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC),
		Description: rapid.SampledFrom(hostile).Draw(t, "header"), Lines: lines}
}

// TestPropertyRoundTrip: random balanced journals → every format parses
// back to documents that balance and whose per-account totals equal the
// journals'; SAP documents stay within their limit; no text cell starts
// with a formula character.
func TestPropertyRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 3).Draw(t, "journals")
		var js []cost.Journal
		for i := 0; i < n; i++ {
			company := rapid.SampledFrom([]string{"1000", "2000", "3000"}).Draw(t, "company")
			js = append(js, genJournal(t, fmt.Sprintf("J-%d-%s", i, company), company))
		}
		o := Options{Oracle: OracleOptions{LedgerID: "1"}}
		o.SAP.MaxLines = rapid.SampledFrom([]int{2, 3, 5, 17, 999}).Draw(t, "maxLines")
		for _, format := range Formats() {
			var buf bytes.Buffer
			if err := Encode(&buf, format, js, o); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			p := parseOutput(t, format, buf.Bytes(), nil)
			checkParsed(t, format, p, js)
			if format == "sap" {
				for _, d := range p.docs {
					if d.items > o.SAP.MaxLines {
						t.Fatalf("sap: document %s has %d items, limit %d", d.key, d.items, o.SAP.MaxLines)
					}
				}
			}
			if format == "generic-jsonl" {
				continue
			}
			for _, row := range readCSV(t, buf.Bytes())[1:] {
				for _, cell := range row {
					if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && !isAmount(cell) {
						t.Fatalf("%s: cell %q is not neutralized", format, cell)
					}
				}
			}
		}
	})
}
