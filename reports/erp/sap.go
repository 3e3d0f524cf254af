package erp

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// SAPColumns are the columns of the sap format. A row whose RECORD_TYPE is
// "H" carries a document header (BAPIACHE09 fields, item columns empty); a
// row whose RECORD_TYPE is "I" carries one item (BAPIACGL09 and BAPIACCR09
// fields, header columns empty). DOCUMENT numbers the documents of the file
// from 1 and ties each item to its header.
var SAPColumns = []string{
	"RECORD_TYPE", "DOCUMENT",
	"COMP_CODE", "DOC_DATE", "PSTNG_DATE", "FISC_YEAR", "FIS_PERIOD", "DOC_TYPE",
	"REF_DOC_NO", "HEADER_TXT", "BUS_ACT", "USERNAME",
	"ITEMNO_ACC", "GL_ACCOUNT", "COSTCENTER", "ITEM_TEXT", "CURRENCY", "AMT_DOCCUR",
}

// SAP field lengths (DDIC) the format checks or clips to.
const (
	sapRefLen      = 16 // REF_DOC_NO, BKPF-XBLNR
	sapHeaderLen   = 25 // HEADER_TXT, BKPF-BKTXT
	sapItemTextLen = 50 // ITEM_TEXT, BSEG-SGTXT
	sapCompLen     = 4  // COMP_CODE
	sapAccountLen  = 10 // GL_ACCOUNT
	sapCostCtrLen  = 10 // COSTCENTER
)

// SAPReference returns REF_DOC_NO for document doc (1-based) of docs
// documents made from journal id: the id followed by "-" and the document
// number, zero-padded to at least two digits ("J42-01"). An id that does not
// fit the 16 characters of REF_DOC_NO, or holds characters other than
// letters, digits, '_', '.', '/' and '-', or starts with a formula
// character, is replaced by "AL" and the first hex digits of its SHA-256,
// upper case, so the reference stays a stable duplicate-check key.
func SAPReference(id string, doc, docs int) string {
	width := max(2, len(strconv.Itoa(docs)))
	room := sapRefLen - 1 - width
	base := id
	if len(id) > room || !sapSafe(id) {
		sum := sha256.Sum256([]byte(id))
		base = "AL" + strings.ToUpper(hex.EncodeToString(sum[:]))[:room-2]
	}
	return fmt.Sprintf("%s-%0*d", base, width, doc)
}

func sapSafe(s string) bool {
	if s == "" || text(s) != s {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '/' || r == '-') {
			return false
		}
	}
	return true
}

// sapDate is the internal DATS form, YYYYMMDD, that BAPI date fields take.
func sapDate(j *cost.Journal) string { return j.AccountingDate.Format("20060102") }

func encodeSAP(w io.Writer, js []cost.Journal, o *Options) error {
	const format = "sap"
	c := newCSV(w)
	c.row(SAPColumns...)
	docNo := 0
	for ji := range js {
		j := &js[ji]
		if err := sapCheckKeys(j); err != nil {
			return err
		}
		places := cost.MinorUnits(j.Currency)
		docs := splitDocuments(j.Lines, o.SAP.MaxLines)
		if len(docs) == 0 { // unreachable after validateJournal: a balanced journal has both sides
			return &JournalError{Format: format, JournalID: j.ID, Field: "Lines", Err: ErrUnbalanced,
				Msg: "no balanced document could be formed; nothing was written"}
		}
		fy, fp := strconv.Itoa(j.AccountingDate.Year()), fmt.Sprintf("%02d", int(j.AccountingDate.Month()))
		if o.SAP.OmitFiscalPeriod {
			fy, fp = "", ""
		}
		var total decimal.Decimal
		for d, doc := range docs {
			docNo++
			ref := SAPReference(j.ID, d+1, len(docs))
			var debit, credit decimal.Decimal
			for _, p := range doc {
				if j.Lines[p.idx].Debit.Sign() > 0 {
					debit = debit.Add(p.amount)
				} else {
					credit = credit.Add(p.amount)
				}
			}
			if len(doc) > o.SAP.MaxLines {
				return &JournalError{Format: format, JournalID: j.ID, Field: "document " + ref, Err: ErrInvalidJournal,
					Msg: fmt.Sprintf("%d items exceed the limit of %d (this is a bug in allot, please report it)", len(doc), o.SAP.MaxLines)}
			}
			if err := checkBalanced(format, j, ref, debit, credit); err != nil {
				return err
			}
			total = total.Add(debit)
			dn := strconv.Itoa(docNo)
			c.row("H", dn, text(j.Company), sapDate(j), sapDate(j), fy, fp, text(o.SAP.DocType),
				ref, clip(journalText(j), sapHeaderLen), text(o.SAP.BusAct), text(o.SAP.UserName),
				"", "", "", "", "", "")
			for i, p := range doc {
				l := &j.Lines[p.idx]
				amt := p.amount
				if l.Credit.Sign() > 0 {
					amt = amt.Neg()
				}
				c.row("I", dn, "", "", "", "", "", "", "", "", "", "",
					strconv.Itoa(i+1), text(l.Account), text(l.CostCenter), clip(l.Description, sapItemTextLen),
					j.Currency, amount(amt, places))
			}
		}
		if d, _ := j.Totals(); !total.Equal(d) {
			return checkBalanced(format, j, "totals", total, d)
		}
	}
	if err := c.close(); err != nil {
		return fmt.Errorf("erp: sap: %w", err)
	}
	return nil
}

// sapCheckKeys rejects identifiers longer than their SAP fields: they are
// keys, so clipping them would post to the wrong object.
func sapCheckKeys(j *cost.Journal) error {
	long := func(line int, field, v string, n int) error {
		if len([]rune(v)) <= n {
			return nil
		}
		return &JournalError{Format: "sap", JournalID: j.ID, Line: line, Field: field, Err: ErrTooLong,
			Msg: fmt.Sprintf("%q has %d characters, SAP allows %d; map it to the SAP code in the configuration", v, len([]rune(v)), n)}
	}
	if err := long(0, "COMP_CODE", j.Company, sapCompLen); err != nil {
		return err
	}
	for i := range j.Lines {
		l := &j.Lines[i]
		if err := long(l.Line, "GL_ACCOUNT", l.Account, sapAccountLen); err != nil {
			return err
		}
		if err := long(l.Line, "COSTCENTER", l.CostCenter, sapCostCtrLen); err != nil {
			return err
		}
	}
	return nil
}
