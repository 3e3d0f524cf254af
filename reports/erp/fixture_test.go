package erp

import (
	"fmt"
	"testing"
	"time"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func debit(n int, cc, acct, amt, desc, team, class string, comp cost.Component) cost.JournalLine {
	return cost.JournalLine{Line: n, CostCenter: cc, Account: acct, Debit: d(amt), Description: desc,
		Team: team, ActionClass: class, Component: comp}
}

func credit(n int, cc, acct, amt, desc, team, class string, comp cost.Component) cost.JournalLine {
	return cost.JournalLine{Line: n, CostCenter: cc, Account: acct, Credit: d(amt), Description: desc,
		Team: team, ActionClass: class, Component: comp}
}

var oct2026 = cost.Period{Year: 2026, Month: time.October}

// fixtureJournals is the hand-written fixture of the golden files: two
// companies in two currencies, and descriptions that a spreadsheet would run
// as formulas. Totals, by hand:
//
//	1000 USD debits  1200.00 + 180.00 + 40.50 + 310.25 + 5.40 + 55.41 = 1791.56
//	1000 USD credits 1730.75 + 5.40 + 55.41                          = 1791.56
//	2000 EUR debits  999.99 + 40.00 = 1039.99 = credits 999.99 + 40.00
func fixtureJournals() []cost.Journal {
	return []cost.Journal{
		{
			// Listed first although its id sorts last: output is in id order.
			ID: "AL-2026-10-2000-EUR", Kind: "allocation", Company: "2000", Currency: "EUR",
			Period: oct2026, AccountingDate: time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC),
			Description: "AI chargeback 2026-10",
			Lines: []cost.JournalLine{
				debit(1, "CC-5100", "650100", "999.99", "search-eu agent_step usage, 33,333 actions", "search-eu", "agent_step", cost.CompUsage),
				debit(2, "CC-5100", "650100", "40.00", "-2+3 buffer surcharge", "search-eu", "agent_step", cost.CompBufferSurcharge),
				credit(3, "", "490100", "999.99", "platform recovery", "", "", ""),
				credit(4, "", "290500", "40.00", "@SUM(A1:A9) buffer fund", "", "", ""),
			},
		},
		{
			ID: "AL-2026-10-1000-USD", Kind: "allocation", Company: "1000", Currency: "USD",
			Period: oct2026, AccountingDate: time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC),
			Description: "=cmd|' /C calc'!A0",
			Lines: []cost.JournalLine{
				debit(1, "CC-4100", "650100", "1200.00", "search chat_call usage", "search", "chat_call", cost.CompUsage),
				debit(2, "CC-4100", "650100", "180.00", "search chat_call overhead", "search", "chat_call", cost.CompOverhead),
				debit(3, "CC-4200", "650100", "40.50", `=HYPERLINK("http://evil.example/x","click")`, "support", "retrieval_call", cost.CompUsage),
				debit(4, "CC-9000", "650190", "310.25", "+1 central platform", cost.Central, "", cost.CompCentralPlatform),
				debit(5, "CC-4100", "650100", "5.40", "registry, \"quoted\", and a comma", "search", "chat_call", cost.CompRegistry),
				debit(6, "CC-4100", "650100", "55.41", "search buffer surcharge", "search", "chat_call", cost.CompBufferSurcharge),
				credit(7, "", "490100", "1730.75", "platform recovery", "", "", ""),
				credit(8, "", "490110", "5.40", "registry fund", "", "", ""),
				credit(9, "", "290500", "55.41", "buffer fund", "", "", ""),
			},
		},
	}
}

// fixtureOptions are the options of the golden files.
func fixtureOptions() Options {
	return Options{
		Oracle:   OracleOptions{LedgerIDs: map[string]string{"1000": "300000001", "2000": "300000002"}, LedgerNames: map[string]string{"1000": "US Primary"}},
		NetSuite: NetSuiteOptions{Subsidiaries: map[string]string{"1000": "Acme Inc."}},
	}
}

// bigJournal returns a journal of nDebit debit lines of debitAmt each, spread
// over four cost centers, followed by nCredit credit lines that share the
// total equally (nDebit*debitAmt must divide by nCredit in minor units).
func bigJournal(nDebit, nCredit int, debitAmt string) cost.Journal {
	j := cost.Journal{ID: fmt.Sprintf("AL-BIG-%d-%d", nDebit, nCredit), Kind: "allocation", Company: "1000", Currency: "USD",
		Period: oct2026, AccountingDate: time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC), Description: "big"}
	for i := 1; i <= nDebit; i++ {
		j.Lines = append(j.Lines, debit(i, fmt.Sprintf("CC-%d", 4100+i%4*100), "650100", debitAmt,
			fmt.Sprintf("team %d usage", i), fmt.Sprintf("team%d", i), "chat_call", cost.CompUsage))
	}
	each := d(debitAmt).Mul(decimal.NewFromInt(int64(nDebit))).Div(decimal.NewFromInt(int64(nCredit)))
	for k := 1; k <= nCredit; k++ {
		j.Lines = append(j.Lines, credit(nDebit+k, "", fmt.Sprintf("49010%d", k), each.StringFixed(2), "recovery", "", "", ""))
	}
	return j
}

func TestFixtureBalances(t *testing.T) {
	// Guards the hand-written totals above.
	for _, j := range fixtureJournals() {
		if !j.Balanced() {
			dr, cr := j.Totals()
			t.Fatalf("fixture %s: debits %s credits %s", j.ID, dr, cr)
		}
	}
}
