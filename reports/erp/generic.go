package erp

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/allot-dev/allot/cost"
)

// GenericColumns are the canonical journal columns of generic-csv, and the
// keys of every generic-jsonl object, in order.
var GenericColumns = []string{
	"journal_id", "line", "accounting_date", "period", "company", "cost_center",
	"gl_account", "debit", "credit", "currency", "description", "reference",
}

func encodeGenericCSV(w io.Writer, js []cost.Journal, _ *Options) error {
	c := newCSV(w)
	c.row(GenericColumns...)
	for ji := range js {
		j := &js[ji]
		places := cost.MinorUnits(j.Currency)
		date := isoDate(j.AccountingDate)
		for li := range j.Lines {
			l := &j.Lines[li]
			c.row(text(j.ID), strconv.Itoa(l.Line), date, j.Period.String(), text(j.Company),
				text(l.CostCenter), text(l.Account), amount(l.Debit, places), amount(l.Credit, places),
				j.Currency, text(l.Description), text(reference(l)))
		}
	}
	if err := c.close(); err != nil {
		return fmt.Errorf("erp: generic-csv: %w", err)
	}
	return nil
}

// jsonLine is one generic-jsonl object. Amounts are strings with the
// currency's minor unit, never JSON numbers.
type jsonLine struct {
	JournalID      string `json:"journal_id"`
	Line           int    `json:"line"`
	AccountingDate string `json:"accounting_date"`
	Period         string `json:"period"`
	Company        string `json:"company"`
	CostCenter     string `json:"cost_center"`
	GLAccount      string `json:"gl_account"`
	Debit          string `json:"debit"`
	Credit         string `json:"credit"`
	Currency       string `json:"currency"`
	Description    string `json:"description"`
	Reference      string `json:"reference"`
}

func encodeGenericJSONL(w io.Writer, js []cost.Journal, _ *Options) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for ji := range js {
		j := &js[ji]
		places := cost.MinorUnits(j.Currency)
		date := isoDate(j.AccountingDate)
		for li := range j.Lines {
			l := &j.Lines[li]
			// JSON values are typed strings that no consumer evaluates, so
			// text is written verbatim (no formula neutralization).
			err := enc.Encode(jsonLine{
				JournalID: j.ID, Line: l.Line, AccountingDate: date, Period: j.Period.String(),
				Company: j.Company, CostCenter: l.CostCenter, GLAccount: l.Account,
				Debit: amount(l.Debit, places), Credit: amount(l.Credit, places), Currency: j.Currency,
				Description: l.Description, Reference: reference(l),
			})
			if err != nil {
				return fmt.Errorf("erp: generic-jsonl: %w", err)
			}
		}
	}
	return nil
}
