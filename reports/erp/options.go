package erp

import (
	"fmt"
	"time"
)

// Options carry what the ERPs need that a journal does not. The zero value
// is valid for every format except oracle-gl-interface, which needs a
// ledger id; every other field has a default, applied by Encode.
type Options struct {
	SAP      SAPOptions
	Oracle   OracleOptions
	NetSuite NetSuiteOptions
	Workday  WorkdayOptions

	// CreatedAt is the creation date written where a format records one
	// (Oracle DATE_CREATED). Zero, the default, writes each journal's
	// accounting date, so that the same journals always give the same bytes.
	CreatedAt time.Time
}

// SAPOptions tune the sap format.
type SAPOptions struct {
	// DocType is the document type, BAPIACHE09-DOC_TYPE (BKPF-BLART).
	// Default "SA" (G/L account document).
	DocType string
	// BusAct is the business transaction, BAPIACHE09-BUS_ACT. Default
	// "RFBU" (FI postings).
	BusAct string
	// UserName is BAPIACHE09-USERNAME, at most 12 characters. Default "ALLOT".
	UserName string
	// MaxLines is the most items one document may carry. Default 999, the
	// FI limit; values from 2 to 999 are accepted (tests use small ones).
	MaxLines int
	// OmitFiscalPeriod leaves FISC_YEAR and FIS_PERIOD empty, for company
	// codes whose fiscal year is not the calendar year: SAP then derives
	// them from PSTNG_DATE. Default false: the calendar year and month of
	// the posting date are written.
	OmitFiscalPeriod bool
}

// OracleOptions tune the oracle-gl-interface format.
type OracleOptions struct {
	// LedgerIDs maps a company code to its LEDGER_ID (Manage Primary
	// Ledgers). Default empty.
	LedgerIDs map[string]string
	// LedgerID is the LEDGER_ID of companies LedgerIDs does not list.
	// Default empty: a company with no ledger id is an error, since Oracle
	// rejects rows without one and allot does not guess.
	LedgerID string
	// LedgerNames maps a company code to its ledger's name, which then
	// starts the batch description (REFERENCE2) so an operator sees which
	// ledger a batch is for. Default empty (the description alone).
	LedgerNames map[string]string
	// Source is USER_JE_SOURCE_NAME, at most 25 characters. Default "allot"
	// (define it under Manage Journal Sources).
	Source string
	// Category is USER_JE_CATEGORY_NAME, at most 25 characters. Default
	// "Chargeback" (Manage Journal Categories).
	Category string
	// ActualFlag is ACTUAL_FLAG. Default "A" (actual).
	ActualFlag string
	// GroupID is GROUP_ID, digits only, for every journal in the file.
	// Default empty: each journal gets a 15-digit number derived from its id
	// (see the package documentation), stable across runs.
	GroupID string
	// Segments says what each SEGMENTn column carries, in order: "company",
	// "cost_center", "account", "team", "action_class", "component", or
	// "const:VALUE" for a fixed value (a product or intercompany segment).
	// Default ["company", "cost_center", "account"]. At most 30.
	Segments []string
	// PeriodLayout is the Go time layout of PERIOD_NAME. Default "Jan-06"
	// (Oct-26), the usual Oracle accounting calendar naming; "" is never
	// written, set it to match your calendar's period names.
	PeriodLayout string
}

// NetSuiteOptions tune the netsuite format.
type NetSuiteOptions struct {
	// Subsidiaries maps a company code to the Subsidiary column value
	// (OneWorld). Default: the company code itself.
	Subsidiaries map[string]string
	// PeriodLayout is the Go time layout of Posting Period. Default
	// "Jan 2006" (Oct 2026), NetSuite's standard period names.
	PeriodLayout string
	// DateLayout is the Go time layout of Date. Default "2006-01-02"; set it
	// to the importing user's date format preference, e.g. "1/2/2006".
	DateLayout string
}

// WorkdayOptions tune the workday format.
type WorkdayOptions struct {
	// LedgerType is the LedgerType reference id. Default "Actuals".
	LedgerType string
	// Source is the JournalSource reference id. Default "allot".
	Source string
	// BookCode is the BookCode reference id. Default empty (no book code).
	BookCode string
}

// DefaultSAPMaxLines is the FI limit on line items per document.
const DefaultSAPMaxLines = 999

func (o Options) withDefaults() Options {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&o.SAP.DocType, "SA")
	def(&o.SAP.BusAct, "RFBU")
	def(&o.SAP.UserName, "ALLOT")
	if o.SAP.MaxLines == 0 {
		o.SAP.MaxLines = DefaultSAPMaxLines
	}
	def(&o.Oracle.Source, "allot")
	def(&o.Oracle.Category, "Chargeback")
	def(&o.Oracle.ActualFlag, "A")
	def(&o.Oracle.PeriodLayout, "Jan-06")
	if len(o.Oracle.Segments) == 0 {
		o.Oracle.Segments = []string{segCompany, segCostCenter, segAccount}
	}
	def(&o.NetSuite.PeriodLayout, "Jan 2006")
	def(&o.NetSuite.DateLayout, "2006-01-02")
	def(&o.Workday.LedgerType, "Actuals")
	def(&o.Workday.Source, "allot")
	return o
}

// Segment sources of OracleOptions.Segments.
const (
	segCompany     = "company"
	segCostCenter  = "cost_center"
	segAccount     = "account"
	segTeam        = "team"
	segActionClass = "action_class"
	segComponent   = "component"
	segConstPrefix = "const:"
)

func optErr(format, field, msg string) error {
	return fmt.Errorf("erp: %s: option %s: %s: %w", format, field, msg, ErrOption)
}

// validate checks the options the named format uses.
func (o *Options) validate(format string) error {
	switch format {
	case "sap":
		if o.SAP.MaxLines < 2 || o.SAP.MaxLines > DefaultSAPMaxLines {
			return optErr(format, "SAP.MaxLines", fmt.Sprintf("%d is outside 2..999", o.SAP.MaxLines))
		}
		if n := len([]rune(o.SAP.UserName)); n > 12 {
			return optErr(format, "SAP.UserName", fmt.Sprintf("%q has %d characters, SAP allows 12", o.SAP.UserName, n))
		}
		if n := len([]rune(o.SAP.DocType)); n > 2 {
			return optErr(format, "SAP.DocType", fmt.Sprintf("%q has %d characters, SAP allows 2", o.SAP.DocType, n))
		}
		if n := len([]rune(o.SAP.BusAct)); n > 4 {
			return optErr(format, "SAP.BusAct", fmt.Sprintf("%q has %d characters, SAP allows 4", o.SAP.BusAct, n))
		}
	case "oracle-gl-interface":
		if n := len([]rune(o.Oracle.Source)); n > 25 {
			return optErr(format, "Oracle.Source", fmt.Sprintf("%q has %d characters, USER_JE_SOURCE_NAME allows 25", o.Oracle.Source, n))
		}
		if n := len([]rune(o.Oracle.Category)); n > 25 {
			return optErr(format, "Oracle.Category", fmt.Sprintf("%q has %d characters, USER_JE_CATEGORY_NAME allows 25", o.Oracle.Category, n))
		}
		if o.Oracle.GroupID != "" && !allDigits(o.Oracle.GroupID, 18) {
			return optErr(format, "Oracle.GroupID", fmt.Sprintf("%q is not a number of 1 to 18 digits", o.Oracle.GroupID))
		}
		if o.Oracle.LedgerID != "" && !allDigits(o.Oracle.LedgerID, 18) {
			return optErr(format, "Oracle.LedgerID", fmt.Sprintf("%q is not a number of 1 to 18 digits", o.Oracle.LedgerID))
		}
		for c, id := range o.Oracle.LedgerIDs {
			if !allDigits(id, 18) {
				return optErr(format, "Oracle.LedgerIDs["+c+"]", fmt.Sprintf("%q is not a number of 1 to 18 digits", id))
			}
		}
		if len(o.Oracle.Segments) > 30 {
			return optErr(format, "Oracle.Segments", fmt.Sprintf("%d segments, GL_INTERFACE has 30", len(o.Oracle.Segments)))
		}
		for i, s := range o.Oracle.Segments {
			switch s {
			case segCompany, segCostCenter, segAccount, segTeam, segActionClass, segComponent:
			default:
				if len(s) < len(segConstPrefix) || s[:len(segConstPrefix)] != segConstPrefix {
					return optErr(format, fmt.Sprintf("Oracle.Segments[%d]", i),
						fmt.Sprintf("%q is not company, cost_center, account, team, action_class, component or const:VALUE", s))
				}
			}
		}
	}
	return nil
}

func allDigits(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
