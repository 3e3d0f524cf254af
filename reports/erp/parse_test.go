package erp

// Small independent parsers, one per format, used by the tests to read an
// encoded file back into documents and per-account totals. They share no
// code with the encoders beyond the column lists.

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

var amountRE = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

func isAmount(s string) bool { return amountRE.MatchString(s) }

func readCSV(t tb, data []byte) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(data))
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("output is not valid CSV: %v", err)
	}
	if len(rows) == 0 {
		t.Fatalf("output has no header row")
	}
	return rows
}

// tb is the part of testing.TB and rapid.T the parsers use.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
}

type totals struct{ debit, credit decimal.Decimal }

// key of a per-account total: company, account, cost center.
func acctKey(company, account, costCenter string) string {
	return company + "|" + account + "|" + costCenter
}

type parsedDoc struct {
	key           string
	currency      string
	debit, credit decimal.Decimal
	items         int
}

type parsed struct {
	docs     []*parsedDoc
	accounts map[string]*totals
}

func (p *parsed) doc(key, currency string) *parsedDoc {
	for _, d := range p.docs {
		if d.key == key {
			return d
		}
	}
	d := &parsedDoc{key: key, currency: currency}
	p.docs = append(p.docs, d)
	return d
}

func (p *parsed) add(t tb, d *parsedDoc, company, account, cc string, dr, cr decimal.Decimal) {
	t.Helper()
	if (dr.Sign() == 0) == (cr.Sign() == 0) || dr.Sign() < 0 || cr.Sign() < 0 {
		t.Fatalf("document %s account %s: debit %s credit %s, want exactly one positive", d.key, account, dr, cr)
	}
	d.debit, d.credit, d.items = d.debit.Add(dr), d.credit.Add(cr), d.items+1
	k := acctKey(company, account, cc)
	if p.accounts[k] == nil {
		p.accounts[k] = &totals{}
	}
	p.accounts[k].debit = p.accounts[k].debit.Add(dr)
	p.accounts[k].credit = p.accounts[k].credit.Add(cr)
}

// money parses an amount cell strictly: a dot and exactly the currency's
// minor unit of decimals, nothing else. Empty is zero when blankOK.
func money(t tb, cell, currency string, blankOK bool) decimal.Decimal {
	t.Helper()
	if cell == "" && blankOK {
		return decimal.Zero
	}
	places := cost.MinorUnits(currency)
	re := `^-?[0-9]+$`
	if places > 0 {
		re = fmt.Sprintf(`^-?[0-9]+\.[0-9]{%d}$`, places)
	}
	if !regexp.MustCompile(re).MatchString(cell) {
		t.Fatalf("amount %q is not written with %d decimals for %s", cell, places, currency)
	}
	return decimal.RequireFromString(cell)
}

func header(t tb, got, want []string) map[string]int {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("header = %q, want %q", got, want)
	}
	idx := map[string]int{}
	for i, c := range got {
		idx[c] = i
	}
	return idx
}

// parseOutput reads one encoded file. subsidiaryToCompany maps NetSuite's
// Subsidiary back to the company (nil: the same value).
func parseOutput(t tb, format string, data []byte, subsidiaryToCompany map[string]string) *parsed {
	t.Helper()
	p := &parsed{accounts: map[string]*totals{}}
	switch format {
	case "generic-jsonl":
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var raw map[string]json.RawMessage
			if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
				t.Fatalf("line %q: %v", sc.Text(), err)
			}
			str := func(k string) string {
				var s string
				if err := json.Unmarshal(raw[k], &s); err != nil {
					t.Fatalf("key %s = %s: want a JSON string: %v", k, raw[k], err)
				}
				return s
			}
			if len(raw) != len(GenericColumns) {
				t.Fatalf("object has %d keys, want %d", len(raw), len(GenericColumns))
			}
			cur := str("currency")
			doc := p.doc(str("journal_id"), cur)
			p.add(t, doc, str("company"), str("gl_account"), str("cost_center"),
				money(t, str("debit"), cur, false), money(t, str("credit"), cur, false))
		}
	case "generic-csv":
		rows := readCSV(t, data)
		c := header(t, rows[0], GenericColumns)
		for _, r := range rows[1:] {
			cur := r[c["currency"]]
			doc := p.doc(r[c["journal_id"]], cur)
			p.add(t, doc, r[c["company"]], r[c["gl_account"]], r[c["cost_center"]],
				money(t, r[c["debit"]], cur, false), money(t, r[c["credit"]], cur, false))
		}
	case "sap":
		rows := readCSV(t, data)
		c := header(t, rows[0], SAPColumns)
		company := map[string]string{}
		for _, r := range rows[1:] {
			switch r[c["RECORD_TYPE"]] {
			case "H":
				if _, dup := company[r[c["DOCUMENT"]]]; dup {
					t.Fatalf("document %s has two headers", r[c["DOCUMENT"]])
				}
				company[r[c["DOCUMENT"]]] = r[c["COMP_CODE"]]
				p.doc(r[c["DOCUMENT"]], "")
			case "I":
				dn := r[c["DOCUMENT"]]
				comp, ok := company[dn]
				if !ok {
					t.Fatalf("item of document %s comes before its header", dn)
				}
				cur := r[c["CURRENCY"]]
				doc := p.doc(dn, cur)
				if doc.currency == "" {
					doc.currency = cur
				} else if doc.currency != cur {
					t.Fatalf("document %s mixes %s and %s", dn, doc.currency, cur)
				}
				if r[c["ITEMNO_ACC"]] != fmt.Sprint(doc.items+1) {
					t.Fatalf("document %s: item number %s, want %d", dn, r[c["ITEMNO_ACC"]], doc.items+1)
				}
				amt := money(t, r[c["AMT_DOCCUR"]], cur, false)
				dr, cr := amt, decimal.Zero
				if amt.Sign() < 0 {
					dr, cr = decimal.Zero, amt.Neg()
				}
				p.add(t, doc, comp, r[c["GL_ACCOUNT"]], r[c["COSTCENTER"]], dr, cr)
			default:
				t.Fatalf("record type %q, want H or I", r[c["RECORD_TYPE"]])
			}
		}
	case "oracle-gl-interface":
		rows := readCSV(t, data)
		c := header(t, rows[0], OracleColumns(3))
		for _, r := range rows[1:] {
			if r[c["STATUS"]] != "NEW" || r[c["ACTUAL_FLAG"]] != "A" || r[c["LEDGER_ID"]] == "" {
				t.Fatalf("row %q: want STATUS NEW, ACTUAL_FLAG A and a LEDGER_ID", r)
			}
			cur := r[c["CURRENCY_CODE"]]
			doc := p.doc(r[c["GROUP_ID"]]+"|"+r[c["REFERENCE4"]], cur)
			p.add(t, doc, r[c["SEGMENT1"]], r[c["SEGMENT3"]], r[c["SEGMENT2"]],
				money(t, r[c["ENTERED_DR"]], cur, true), money(t, r[c["ENTERED_CR"]], cur, true))
		}
	case "netsuite":
		rows := readCSV(t, data)
		c := header(t, rows[0], NetSuiteColumns)
		for _, r := range rows[1:] {
			cur := r[c["Currency"]]
			comp := r[c["Subsidiary"]]
			if v, ok := subsidiaryToCompany[comp]; ok {
				comp = v
			}
			doc := p.doc(r[c["External ID"]], cur)
			p.add(t, doc, comp, r[c["Account"]], r[c["Department"]],
				money(t, r[c["Debit"]], cur, true), money(t, r[c["Credit"]], cur, true))
		}
	case "workday":
		rows := readCSV(t, data)
		c := header(t, rows[0], WorkdayColumns)
		for _, r := range rows[1:] {
			cur := r[c["Currency"]]
			doc := p.doc(r[c["JournalKey"]], cur)
			p.add(t, doc, r[c["CompanyReferenceID"]], r[c["L_LedgerAccount"]], r[c["L_CostCenter"]],
				money(t, r[c["L_DebitAmount"]], cur, true), money(t, r[c["L_CreditAmount"]], cur, true))
		}
	default:
		t.Fatalf("no test parser for format %q", format)
	}
	return p
}

// journalAccounts computes the per-account totals straight from journals.
func journalAccounts(js []cost.Journal) map[string]*totals {
	m := map[string]*totals{}
	for _, j := range js {
		for _, l := range j.Lines {
			k := acctKey(j.Company, l.Account, l.CostCenter)
			if m[k] == nil {
				m[k] = &totals{}
			}
			m[k].debit = m[k].debit.Add(l.Debit)
			m[k].credit = m[k].credit.Add(l.Credit)
		}
	}
	return m
}

// checkParsed asserts that every document balances and that the
// per-account totals equal the journals'.
func checkParsed(t tb, format string, p *parsed, js []cost.Journal) {
	t.Helper()
	for _, d := range p.docs {
		if !d.debit.Equal(d.credit) {
			t.Fatalf("%s: document %s: debits %s != credits %s", format, d.key, d.debit, d.credit)
		}
	}
	want := journalAccounts(js)
	if len(want) != len(p.accounts) {
		t.Fatalf("%s: %d accounts in the output, want %d", format, len(p.accounts), len(want))
	}
	for k, w := range want {
		g := p.accounts[k]
		if g == nil || !g.debit.Equal(w.debit) || !g.credit.Equal(w.credit) {
			t.Fatalf("%s: account %s: got %+v, want debit %s credit %s", format, k, g, w.debit, w.credit)
		}
	}
}
