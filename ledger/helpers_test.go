package ledger

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/testenv"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

// forEachEngine runs the same behavioural test against SQLite (a temp
// file) and PostgreSQL (a fresh schema of the test database; skipped when
// scripts/test.sh did not start a server).
func forEachEngine(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, sqliteDSN(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, postgresDSN(t)) })
}

func sqliteDSN(t *testing.T) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "allot.db")
}

// postgresDSN is a DSN of a fresh schema of the test database.
func postgresDSN(t *testing.T) string { return testenv.PostgresSchema(t, "ledger_test_") }

func openLedger(t *testing.T, dsn string) *Ledger {
	t.Helper()
	l, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return l
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

var decimalEqual = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

func period(s string) cost.Period {
	p, err := cost.ParsePeriod(s)
	if err != nil {
		panic(err)
	}
	return p
}

func quarter(s string) cost.Quarter {
	q, err := cost.ParseQuarter(s)
	if err != nil {
		panic(err)
	}
	return q
}

// line builds a journal line: a positive amount is a debit, a negative one
// a credit of its absolute value.
func line(n int, account, cc, team, class string, comp cost.Component, amount string) cost.JournalLine {
	a := d(amount)
	ln := cost.JournalLine{Line: n, CostCenter: cc, Account: account, Team: team, ActionClass: class, Component: comp,
		Description: team + " " + class + " " + string(comp)}
	if a.IsNegative() {
		ln.Credit = a.Neg()
	} else {
		ln.Debit = a
	}
	return ln
}

func journal(p cost.Period, company, currency string, lines ...cost.JournalLine) cost.Journal {
	for i := range lines {
		lines[i].Company = company
	}
	return cost.Journal{
		ID:             "provisional",
		Kind:           KindAllocation,
		Company:        company,
		Currency:       currency,
		Period:         p,
		AccountingDate: p.LastDay(),
		Description:    "allot allocation " + p.String() + " company " + company,
		Lines:          lines,
	}
}

// octoberJournal is a small allocation for company 1000: search pays usage
// and a surcharge, the platform recovers, the fund is credited.
func allocation(p cost.Period, company, usage, surcharge string) cost.Journal {
	u, s := d(usage), d(surcharge)
	return journal(p, company, "USD",
		line(1, "650100", "CC-4100", "search", "chat_call", cost.CompUsage, u.String()),
		line(2, "650100", "CC-4100", "search", "chat_call", cost.CompBufferSurcharge, s.String()),
		line(3, "490100", "CC-9000", "search", "chat_call", cost.CompUsage, u.Neg().String()),
		line(4, "290500", "CC-9000", "search", "chat_call", cost.CompBufferSurcharge, s.Neg().String()),
	)
}

var clock = time.Date(2026, 11, 3, 6, 0, 0, 0, time.UTC)

// run returns a posted allocation run of p with a fresh id.
func run(p cost.Period) Run {
	start := clock
	clock = clock.Add(time.Minute)
	return Run{
		ID:                   NewRunID(p, start),
		Period:               p,
		Model:                cost.ModelPlatform,
		ConfigFingerprint:    "sha256:config",
		PriceListFingerprint: "sha256:prices",
		InputsFingerprint:    "sha256:inputs",
		Inputs: []InputFingerprint{
			{Source: "aws", Object: "file:data/aws/2026-10/cur-00001.csv.gz", Fingerprint: "etag-1"},
			{Source: "gateway", Object: "file:data/gateway/2026-10.jsonl", Fingerprint: "sha256:gw"},
		},
		Outputs:    []string{"file:out/journal.csv"},
		Summary:    []byte(`{"input_cost":"1234.56"}`),
		StartedAt:  start,
		FinishedAt: start.Add(30 * time.Second),
		User:       "finops",
		Host:       "runner-1",
	}
}

// month returns a month movement: opening + surcharges − draws = closing.
func month(p cost.Period, opening, surcharges string, draws ...BufferDraw) *BufferMovement {
	m := &BufferMovement{Period: p, Currency: "USD", Opening: d(opening), Surcharges: d(surcharges), Draws: draws}
	m.Closing = m.Opening.Add(m.Surcharges).Sub(m.DrawTotal())
	return m
}

// netBy sums debits minus credits per company, currency, account and cost center.
func netBy(js []cost.Journal) map[string]decimal.Decimal {
	out := map[string]decimal.Decimal{}
	for _, j := range js {
		for _, ln := range j.Lines {
			k := j.Company + "|" + j.Currency + "|" + ln.Account + "|" + ln.CostCenter
			out[k] = out[k].Add(ln.Debit).Sub(ln.Credit)
		}
	}
	for k, v := range out {
		if v.IsZero() {
			delete(out, k)
		}
	}
	return out
}

func journalsOf(bs []Batch) []cost.Journal {
	out := make([]cost.Journal, len(bs))
	for i := range bs {
		out[i] = bs[i].Journal
	}
	return out
}

func ids(js []cost.Journal) []string {
	out := make([]string, len(js))
	for i := range js {
		out[i] = js[i].ID
	}
	return out
}

func batchIDs(bs []Batch) []string { return ids(journalsOf(bs)) }
