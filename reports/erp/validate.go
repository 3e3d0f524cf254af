package erp

import (
	"fmt"
	"unicode/utf8"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// validateJournal checks the cost.Journal contract every format relies on.
// It reports the first problem as a *JournalError.
func validateJournal(format string, j *cost.Journal) error {
	bad := func(line int, field, msg string, err error) error {
		return &JournalError{Format: format, JournalID: j.ID, Line: line, Field: field, Msg: msg, Err: err}
	}
	switch {
	case j.ID == "":
		return bad(0, "ID", "is empty; every journal needs its deterministic id (the idempotency key)", ErrInvalidJournal)
	case j.Company == "":
		return bad(0, "Company", "is empty; a journal belongs to one company", ErrInvalidJournal)
	case !cost.ValidCurrency(j.Currency):
		return bad(0, "Currency", fmt.Sprintf("%q is not an ISO 4217 code such as USD", j.Currency), ErrInvalidJournal)
	case j.Period.IsZero():
		return bad(0, "Period", "is not set; a journal books one period", ErrInvalidJournal)
	case j.AccountingDate.IsZero():
		return bad(0, "AccountingDate", "is not set; allot never guesses a posting date", ErrInvalidJournal)
	case len(j.Lines) == 0:
		return bad(0, "Lines", "the journal has no lines; drop it instead of emitting an empty file", ErrInvalidJournal)
	}
	for field, v := range map[string]string{"ID": j.ID, "Company": j.Company, "Description": j.Description} {
		if !utf8.ValidString(v) {
			return bad(0, field, "is not valid UTF-8; fix the text where it was read", ErrInvalidJournal)
		}
	}
	places := cost.MinorUnits(j.Currency)
	seen := make(map[int]bool, len(j.Lines))
	var debit, credit decimal.Decimal
	for i := range j.Lines {
		l := &j.Lines[i]
		n := l.Line
		if n <= 0 {
			return bad(0, "Line", fmt.Sprintf("line at index %d has number %d; lines are numbered from 1", i, n), ErrInvalidJournal)
		}
		if seen[n] {
			return bad(n, "Line", "the line number appears twice", ErrInvalidJournal)
		}
		seen[n] = true
		if l.Company != "" && l.Company != j.Company {
			return bad(n, "Company", fmt.Sprintf("%q differs from the journal's company %q; a journal books one company, split it", l.Company, j.Company), ErrInvalidJournal)
		}
		for _, f := range []struct{ name, v string }{
			{"Account", l.Account}, {"CostCenter", l.CostCenter}, {"Description", l.Description},
			{"Team", l.Team}, {"ActionClass", l.ActionClass}, {"Component", string(l.Component)},
		} {
			if !utf8.ValidString(f.v) {
				return bad(n, f.name, "is not valid UTF-8; fix the text where it was read", ErrInvalidJournal)
			}
		}
		if l.Account == "" {
			return bad(n, "Account", "is empty; map the line to a GL account before encoding", ErrInvalidJournal)
		}
		for _, a := range []struct {
			name string
			v    decimal.Decimal
		}{{"Debit", l.Debit}, {"Credit", l.Credit}} {
			if a.v.Sign() < 0 {
				return bad(n, a.name, fmt.Sprintf("%s is negative; book it on the other side", a.v), ErrInvalidJournal)
			}
			if !a.v.Equal(a.v.Round(places)) {
				return bad(n, a.name, fmt.Sprintf("%s has more than %d decimals for %s; round lines to the currency's minor unit first", a.v, places, j.Currency), ErrInvalidJournal)
			}
		}
		if (l.Debit.Sign() == 0) == (l.Credit.Sign() == 0) {
			return bad(n, "Debit/Credit", fmt.Sprintf("debit %s and credit %s: exactly one of them must be non-zero", l.Debit, l.Credit), ErrInvalidJournal)
		}
		debit = debit.Add(l.Debit)
		credit = credit.Add(l.Credit)
	}
	if !debit.Equal(credit) {
		return bad(0, "Lines", fmt.Sprintf("debits %s and credits %s %s differ by %s; nothing was written",
			amount(debit, places), amount(credit, places), j.Currency, amount(debit.Sub(credit), places)), ErrUnbalanced)
	}
	return nil
}

// checkBalanced verifies a rendered document (a journal or, for SAP, one of
// its split documents) before it is written.
func checkBalanced(format string, j *cost.Journal, doc string, debit, credit decimal.Decimal) error {
	if debit.Equal(credit) {
		return nil
	}
	places := cost.MinorUnits(j.Currency)
	return &JournalError{Format: format, JournalID: j.ID, Field: "document " + doc, Err: ErrUnbalanced,
		Msg: fmt.Sprintf("debits %s and credits %s %s differ; nothing was written (this is a bug in allot, please report it)",
			amount(debit, places), amount(credit, places), j.Currency)}
}
