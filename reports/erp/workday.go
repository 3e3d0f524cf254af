package erp

import (
	"fmt"
	"io"
	"strconv"

	"github.com/allot-dev/allot/cost"
)

// WorkdayColumns are the columns of the workday format: the journal
// header fields, repeated on every row (JournalKey groups the rows into one
// journal), then the line fields.
var WorkdayColumns = []string{
	"JournalKey", "CompanyReferenceID", "Currency", "LedgerType", "BookCode", "AccountingDate",
	"JournalSource", "JournalEntryMemo", "JournalExternalReferenceID",
	"L_Order", "L_LedgerAccount", "L_DebitAmount", "L_CreditAmount", "L_Memo", "L_CostCenter",
}

func encodeWorkday(w io.Writer, js []cost.Journal, o *Options) error {
	c := newCSV(w)
	c.row(WorkdayColumns...)
	for ji := range js {
		j := &js[ji]
		places := cost.MinorUnits(j.Currency)
		date := isoDate(j.AccountingDate)
		memo := text(journalText(j))
		for li := range j.Lines {
			l := &j.Lines[li]
			c.row(text(j.ID), text(j.Company), j.Currency, text(o.Workday.LedgerType), text(o.Workday.BookCode), date,
				text(o.Workday.Source), memo, text(j.ID),
				strconv.Itoa(l.Line), text(l.Account), side(l.Debit, places), side(l.Credit, places),
				text(l.Description), text(l.CostCenter))
		}
	}
	if err := c.close(); err != nil {
		return fmt.Errorf("erp: workday: %w", err)
	}
	return nil
}
