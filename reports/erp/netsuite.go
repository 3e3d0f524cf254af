package erp

import (
	"fmt"
	"io"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// NetSuiteColumns are the columns of the netsuite format: the journal
// fields first (repeated on every row, as the CSV Import Assistant groups
// lines into one entry by External ID), then the line fields.
var NetSuiteColumns = []string{
	"External ID", "Subsidiary", "Currency", "Date", "Posting Period", "Memo",
	"Account", "Debit", "Credit", "Line Memo", "Department",
}

const netsuiteMemoLen = 999

// netsuiteMax is the first amount NetSuite cannot take: Debit and Credit
// allow 10 digits before the decimal point.
var netsuiteMax = decimal.New(1, 10)

func encodeNetSuite(w io.Writer, js []cost.Journal, o *Options) error {
	const format = "netsuite"
	c := newCSV(w)
	c.row(NetSuiteColumns...)
	for ji := range js {
		j := &js[ji]
		sub := o.NetSuite.Subsidiaries[j.Company]
		if sub == "" {
			sub = j.Company
		}
		places := cost.MinorUnits(j.Currency)
		date := j.AccountingDate.Format(o.NetSuite.DateLayout)
		period := j.AccountingDate.Format(o.NetSuite.PeriodLayout)
		memo := clip(journalText(j), netsuiteMemoLen)
		for li := range j.Lines {
			l := &j.Lines[li]
			if !l.Debit.Add(l.Credit).LessThan(netsuiteMax) {
				return &JournalError{Format: format, JournalID: j.ID, Line: l.Line, Field: "Debit/Credit", Err: ErrTooLong,
					Msg: fmt.Sprintf("%s has more than the 10 digits before the decimal point NetSuite accepts", l.Debit.Add(l.Credit))}
			}
			c.row(text(j.ID), text(sub), j.Currency, date, text(period), memo,
				text(l.Account), side(l.Debit, places), side(l.Credit, places),
				clip(l.Description, netsuiteMemoLen), text(l.CostCenter))
		}
	}
	if err := c.close(); err != nil {
		return fmt.Errorf("erp: %s: %w", format, err)
	}
	return nil
}
