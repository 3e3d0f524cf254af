package erp

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/allot-dev/allot/cost"
)

// OracleColumns returns the header of the oracle-gl-interface format for n
// segments: the GL_INTERFACE columns allot fills, in their relative order
// in Oracle's FBDI journal import template; the package documentation says
// which part of that order was verified.
func OracleColumns(n int) []string {
	cols := []string{"STATUS", "LEDGER_ID", "ACCOUNTING_DATE", "USER_JE_SOURCE_NAME",
		"USER_JE_CATEGORY_NAME", "CURRENCY_CODE", "DATE_CREATED", "ACTUAL_FLAG"}
	for i := 1; i <= n; i++ {
		cols = append(cols, "SEGMENT"+strconv.Itoa(i))
	}
	return append(cols, "ENTERED_DR", "ENTERED_CR", "REFERENCE1", "REFERENCE2", "REFERENCE4",
		"REFERENCE5", "REFERENCE10", "GROUP_ID", "PERIOD_NAME")
}

// GL_INTERFACE column lengths the format checks or clips to.
const (
	oracleNameLen = 100 // REFERENCE1 (batch name), REFERENCE4 (journal name)
	oracleDescLen = 240 // REFERENCE2, REFERENCE5, REFERENCE10
	oracleSegLen  = 25  // SEGMENTn
)

// OracleGroupID is the GROUP_ID allot derives from a journal id when
// Options.Oracle.GroupID is empty: the first 8 bytes of the id's SHA-256 as
// an unsigned big-endian number, reduced to 15 digits (100000000000000 +
// n mod 900000000000000). It fits GROUP_ID's NUMBER(18) and is the same on
// every run.
func OracleGroupID(journalID string) string {
	sum := sha256.Sum256([]byte(journalID))
	n := binary.BigEndian.Uint64(sum[:8])
	return strconv.FormatUint(100_000_000_000_000+n%900_000_000_000_000, 10)
}

// oracleDate is the FBDI template's date form, YYYY/MM/DD.
const oracleDate = "2006/01/02"

func encodeOracle(w io.Writer, js []cost.Journal, o *Options) error {
	const format = "oracle-gl-interface"
	c := newCSV(w)
	c.row(OracleColumns(len(o.Oracle.Segments))...)
	for ji := range js {
		j := &js[ji]
		ledger := o.Oracle.LedgerIDs[j.Company]
		if ledger == "" {
			ledger = o.Oracle.LedgerID
		}
		if ledger == "" {
			return &JournalError{Format: format, JournalID: j.ID, Field: "LEDGER_ID", Err: ErrOption,
				Msg: fmt.Sprintf("no ledger id for company %q; set Oracle.LedgerIDs[%q] or Oracle.LedgerID (Manage Primary Ledgers lists them)", j.Company, j.Company)}
		}
		if n := len([]rune(j.ID)); n > oracleNameLen {
			return &JournalError{Format: format, JournalID: j.ID, Field: "REFERENCE1", Err: ErrTooLong,
				Msg: fmt.Sprintf("the journal id has %d characters, the batch and journal names allow %d", n, oracleNameLen)}
		}
		group := o.Oracle.GroupID
		if group == "" {
			group = OracleGroupID(j.ID)
		}
		created := j.AccountingDate
		if !o.CreatedAt.IsZero() {
			created = o.CreatedAt
		}
		places := cost.MinorUnits(j.Currency)
		batchDesc := journalText(j)
		if name := o.Oracle.LedgerNames[j.Company]; name != "" {
			batchDesc = name + ": " + batchDesc
		}
		for li := range j.Lines {
			l := &j.Lines[li]
			row := []string{"NEW", ledger, j.AccountingDate.Format(oracleDate), text(o.Oracle.Source),
				text(o.Oracle.Category), j.Currency, created.Format(oracleDate), text(o.Oracle.ActualFlag)}
			for si, s := range o.Oracle.Segments {
				v := segmentValue(s, j, l)
				if n := len([]rune(v)); n > oracleSegLen {
					return &JournalError{Format: format, JournalID: j.ID, Line: l.Line, Field: "SEGMENT" + strconv.Itoa(si+1), Err: ErrTooLong,
						Msg: fmt.Sprintf("%s %q has %d characters, a segment allows %d", s, v, n, oracleSegLen)}
				}
				row = append(row, text(v))
			}
			row = append(row, side(l.Debit, places), side(l.Credit, places),
				text(j.ID), clip(batchDesc, oracleDescLen), text(j.ID), clip(journalText(j), oracleDescLen),
				clip(l.Description, oracleDescLen), group, j.AccountingDate.Format(o.Oracle.PeriodLayout))
			c.row(row...)
		}
	}
	if err := c.close(); err != nil {
		return fmt.Errorf("erp: %s: %w", format, err)
	}
	return nil
}

func segmentValue(s string, j *cost.Journal, l *cost.JournalLine) string {
	switch s {
	case segCompany:
		return j.Company
	case segCostCenter:
		return l.CostCenter
	case segAccount:
		return l.Account
	case segTeam:
		return l.Team
	case segActionClass:
		return l.ActionClass
	case segComponent:
		return string(l.Component)
	}
	return strings.TrimPrefix(s, segConstPrefix)
}
