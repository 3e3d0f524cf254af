// Package erp renders canonical journals ([cost.Journal]) in the formats
// ERPs import: a generic CSV and JSON lines, an SAP GL posting file, Oracle
// Fusion GL_INTERFACE rows, a NetSuite journal import and a Workday
// accounting journal import.
//
//	var buf bytes.Buffer
//	err := erp.Encode(&buf, "sap", journals, erp.Options{})
//	name := erp.FileName("sap", journals[0]) // "AL-2026-10-1000-USD.sap.csv"
//
// [Formats] lists the names outputs[].format accepts, [Lookup] returns a
// [Format] with its extension and content type, and an unknown name is an
// error wrapping [ErrUnknownFormat] that lists the known ones.
//
// # Contract of every format
//
//   - Validation first, writing last. Encode checks every journal against
//     the cost.Journal contract (id, company, ISO currency, period and
//     accounting date set; lines numbered from 1 and unique; one company;
//     an account on every line; exactly one of debit and credit non-zero,
//     neither negative, both already rounded to the currency's minor unit)
//     and that debits equal credits, renders the whole file in memory,
//     checks that every document of it balances, and only then writes to w.
//     A failure is a *[JournalError] naming the format, journal, line and
//     field, wrapping [ErrInvalidJournal], [ErrUnbalanced], [ErrOption] or
//     [ErrTooLong]; nothing is written.
//   - Amounts have exactly the currency's minor unit of decimals (2 for
//     USD, 0 for JPY, 3 for KWD), a dot, no thousands separator and no
//     exponent. The ERP formats leave the unused side of a line blank; the
//     generic formats write it as zero.
//   - Dates are ISO 2006-01-02 except where an ERP wants another form: SAP
//     YYYYMMDD (the BAPI's internal DATS form), Oracle YYYY/MM/DD (the FBDI
//     template's form), NetSuite the configured layout.
//   - The ERP's posting period is the month of the journal's accounting
//     date, since that is what the ERPs post by; the generic formats also
//     carry the journal's Period.
//   - Text cells that begin with '=', '+', '-' or '@' (and tab or carriage
//     return) get a leading apostrophe: tags and descriptions come from
//     bills anyone can write, and a spreadsheet must never run them. Amount,
//     date and number cells are never touched. generic-jsonl writes text
//     verbatim: JSON strings are not evaluated, and the stream is for
//     programs.
//   - Free text is clipped to the ERP field's length (SAP HEADER_TXT 25,
//     ITEM_TEXT 50; Oracle descriptions 240; NetSuite memos 999). Keys are
//     never clipped: an account, cost center, company or id that does not
//     fit is an error wrapping [ErrTooLong].
//   - Output is deterministic: journals are written in id order, lines in
//     journal order, and nothing depends on the clock (Options.CreatedAt
//     defaults to the accounting date).
//
// # generic-csv and generic-jsonl
//
// Columns ([GenericColumns]): journal_id, line, accounting_date, period,
// company, cost_center, gl_account, debit, credit, currency, description,
// reference. reference is team/class/component (empty for lines that book
// no allocation row, such as fund credits). JSON lines carry the same keys;
// amounts are strings, never JSON numbers.
//
//	journal_id,line,accounting_date,period,company,cost_center,gl_account,debit,credit,currency,description,reference
//	AL-2026-10-1000-USD,1,2026-10-31,2026-10,1000,CC-4100,650100,1200.00,0.00,USD,search chat_call usage,search/chat_call/usage
//	AL-2026-10-1000-USD,7,2026-10-31,2026-10,1000,,490100,0.00,1730.75,USD,platform recovery,
//
// # sap
//
// One CSV in the shape of BAPI_ACC_DOCUMENT_POST, for an upload program
// (or the Fiori "Upload General Journal Entries" template after a column
// mapping) to call the BAPI once per document. Columns ([SAPColumns]):
//
//	RECORD_TYPE  H (document header) or I (item)
//	DOCUMENT     document number within the file, from 1; ties items to their header
//	header:      COMP_CODE, DOC_DATE, PSTNG_DATE (YYYYMMDD), FISC_YEAR, FIS_PERIOD
//	             (calendar year and month of the posting date; empty with
//	             SAPOptions.OmitFiscalPeriod), DOC_TYPE (SA), REF_DOC_NO,
//	             HEADER_TXT, BUS_ACT (RFBU), USERNAME          → BAPIACHE09
//	item:        ITEMNO_ACC (from 1 per document), GL_ACCOUNT, COSTCENTER,
//	             ITEM_TEXT                                     → BAPIACGL09
//	             CURRENCY, AMT_DOCCUR (debit positive, credit negative) → BAPIACCR09
//
//	RECORD_TYPE,DOCUMENT,COMP_CODE,DOC_DATE,PSTNG_DATE,FISC_YEAR,FIS_PERIOD,DOC_TYPE,REF_DOC_NO,HEADER_TXT,BUS_ACT,USERNAME,ITEMNO_ACC,GL_ACCOUNT,COSTCENTER,ITEM_TEXT,CURRENCY,AMT_DOCCUR
//	H,2,2000,20261031,20261031,2026,10,SA,AL9C60FCF46BE-01,AI chargeback 2026-10,RFBU,ALLOT,,,,,,
//	I,2,,,,,,,,,,,1,650100,CC-5100,"search-eu agent_step usage, 33,333 actions",EUR,999.99
//	I,2,,,,,,,,,,,3,490100,,platform recovery,EUR,-999.99
//
// GL_ACCOUNT and COSTCENTER are written as the journal has them; the upload
// program applies SAP's ALPHA conversion (leading zeros). REF_DOC_NO
// (BKPF-XBLNR, 16 characters) is the idempotency key SAP's duplicate check
// uses: see [SAPReference].
//
// # SAP documents and the 999-line limit
//
// An FI document holds at most 999 items (SAPOptions.MaxLines). A journal
// with more lines is split into several documents that each balance, with
// references suffixed -01, -02, …. The split lays the debit lines end to
// end on one axis from 0 to the journal total and the credit lines on a
// second; a document is an interval of both axes and books the part of
// every line that overlaps it, so it balances by construction. Each
// document ends at the furthest line boundary that keeps it within the
// limit, preferring a boundary where a debit and a credit line end
// together (no line is cut: whole balanced groups stay in one document).
// Only when no such boundary fits is one debit and/or one credit line cut
// and its amount divided between this document and the next, so a
// document never cuts more than two lines. Every portion is a difference
// of sums of rounded amounts, so no rounding happens. Example: 2,498
// debits of 1.00 and two credits of 1,249.00 give documents of 999, 252,
// 999 and 252 items (998.00 + 251.00 of each credit).
//
// # oracle-gl-interface
//
// Rows of the GL_INTERFACE table for an FBDI journal import ("Import
// Journals"), with a header row naming the columns ([OracleColumns]):
//
//	STATUS (NEW), LEDGER_ID, ACCOUNTING_DATE, USER_JE_SOURCE_NAME (allot),
//	USER_JE_CATEGORY_NAME (Chargeback), CURRENCY_CODE, DATE_CREATED,
//	ACTUAL_FLAG (A), SEGMENT1..SEGMENTn, ENTERED_DR, ENTERED_CR,
//	REFERENCE1 (batch name = journal id), REFERENCE2 (batch description),
//	REFERENCE4 (journal name = journal id), REFERENCE5 (journal description),
//	REFERENCE10 (line description), GROUP_ID, PERIOD_NAME
//
// Column order, as checked: Oracle's FBDI mapping for GL_INTERFACE (Oracle
// Utilities CCS ERP data mapping guide, "FBDI Values for GL_INTERFACE
// TABLE") lists the template's columns as Status Code, Ledger ID, Effective
// Date of Transaction, Journal Source, Journal Category, Currency Code,
// Journal Entry Creation Date, Actual Flag, Segment1..Segment30, Entered
// Debit Amount, Entered Credit Amount, with dates in YYYY/MM/DD and amounts
// without thousands separators and with a period as the decimal separator.
// The GL_INTERFACE table reference (Oracle Financials tables and views)
// gives the NOT NULL columns STATUS, ACCOUNTING_DATE, CURRENCY_CODE,
// DATE_CREATED, ACTUAL_FLAG, USER_JE_SOURCE_NAME and USER_JE_CATEGORY_NAME,
// and the usage of REFERENCE1 (batch name), REFERENCE2 (batch description),
// REFERENCE4 (journal name), REFERENCE5 (journal description) and
// REFERENCE10 (line description) is Oracle's documented Journal Import
// convention. The template's order to the right of Entered Credit (the
// converted amounts, the REFERENCE columns, conversion columns, GROUP_ID
// as "Interface Group Identifier", PERIOD_NAME) could not be confirmed
// column by column from the documentation available, so this file keeps
// the verified order for the columns up to ENTERED_CR, puts the rest in
// the template's relative order as far as known, and writes only the
// columns allot fills under a header row naming them. Map or paste it by
// column name into the template's GL_INTERFACE sheet, whose "Generate CSV"
// writes the positional GlInterface.csv FBDI loads; this file is not
// itself that positional file.
//
// OracleOptions.Segments says what each segment carries (default company,
// cost center, account; "const:VALUE" for fixed segments). A line without
// a cost center leaves its segment blank: give balance-sheet lines your
// chart's default value in the journal, or map the segment to a constant.
// LEDGER_ID must be configured (per company or for all); there is no safe
// default. GROUP_ID defaults to [OracleGroupID] of the journal id.
//
// # netsuite
//
// A journal entry CSV for the Import Assistant, one row per line with the
// journal fields repeated ([NetSuiteColumns]): External ID (journal id, the
// re-import dedupe key), Subsidiary (company, or its mapping), Currency,
// Date, Posting Period ("Oct 2026"), Memo, Account, Debit, Credit, Line
// Memo, Department (cost center). Debit and Credit take at most 10 digits
// before the decimal point.
//
// # workday
//
// An accounting journal import, one row per line with the journal fields
// repeated ([WorkdayColumns]): JournalKey (journal id), CompanyReferenceID,
// Currency, LedgerType (Actuals), BookCode, AccountingDate, JournalSource
// (allot), JournalEntryMemo, JournalExternalReferenceID (journal id),
// L_Order, L_LedgerAccount, L_DebitAmount, L_CreditAmount, L_Memo,
// L_CostCenter.
//
// # File names
//
// [FileName] names the object a sink stores one journal's batch under: the
// journal id, a tag for formats that share the .csv extension, and the
// extension. Two formats of one journal never share a name.
package erp
