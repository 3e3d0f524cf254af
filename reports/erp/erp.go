package erp

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/allot-dev/allot/cost"
)

// Sentinel errors, tested with errors.Is. Errors about a journal are
// *JournalError values that wrap one of them.
var (
	// ErrUnknownFormat: the format name is not registered.
	ErrUnknownFormat = errors.New("unknown journal format")
	// ErrInvalidJournal: a journal or line breaks the cost.Journal contract
	// (missing id, company, currency or date; a line with both or neither of
	// debit and credit; an amount finer than the currency's minor unit).
	ErrInvalidJournal = errors.New("invalid journal")
	// ErrUnbalanced: debits do not equal credits in a journal or document.
	ErrUnbalanced = errors.New("journal does not balance")
	// ErrOption: an Options value is out of range or missing where a format
	// needs it.
	ErrOption = errors.New("invalid format option")
	// ErrTooLong: an identifier does not fit the ERP field it goes to.
	ErrTooLong = errors.New("value too long for the ERP field")
)

// JournalError locates a problem in a journal: the format being written,
// the journal, the line (0 for the journal header) and the field.
type JournalError struct {
	Format    string
	JournalID string
	Line      int
	Field     string
	Msg       string // what is wrong and what to do
	Err       error  // one of the sentinels above
}

func (e *JournalError) Error() string {
	var b strings.Builder
	b.WriteString("erp: ")
	if e.Format != "" {
		b.WriteString(e.Format + ": ")
	}
	fmt.Fprintf(&b, "journal %q", e.JournalID)
	if e.Line > 0 {
		fmt.Fprintf(&b, " line %d", e.Line)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, " field %s", e.Field)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

func (e *JournalError) Unwrap() error { return e.Err }

// Format describes one journal output format.
type Format struct {
	// Name is the value of outputs[].format, for example "sap".
	Name string
	// Ext is the file name extension, with its dot: ".csv", ".jsonl".
	Ext string
	// ContentType is the MIME type a sink stores or posts the file with.
	ContentType string
	// Summary is a one-line description for help texts.
	Summary string

	// tag is inserted between the journal id and Ext in FileName, so two
	// formats of the same journal never share an object name.
	tag    string
	encode func(w io.Writer, js []cost.Journal, o *Options) error
}

const csvType = "text/csv; charset=utf-8"

var registry = map[string]Format{
	"generic-csv": {Name: "generic-csv", Ext: ".csv", ContentType: csvType,
		Summary: "canonical journal lines, one CSV row each", encode: encodeGenericCSV},
	"generic-jsonl": {Name: "generic-jsonl", Ext: ".jsonl", ContentType: "application/jsonl",
		Summary: "canonical journal lines, one JSON object a line", encode: encodeGenericJSONL},
	"sap": {Name: "sap", Ext: ".csv", ContentType: csvType, tag: ".sap",
		Summary: "SAP GL posting (BAPI_ACC_DOCUMENT_POST header H and item I records)", encode: encodeSAP},
	"oracle-gl-interface": {Name: "oracle-gl-interface", Ext: ".csv", ContentType: csvType, tag: ".gl_interface",
		Summary: "Oracle Fusion GL_INTERFACE rows for FBDI journal import", encode: encodeOracle},
	"netsuite": {Name: "netsuite", Ext: ".csv", ContentType: csvType, tag: ".netsuite",
		Summary: "NetSuite journal entry CSV import", encode: encodeNetSuite},
	"workday": {Name: "workday", Ext: ".csv", ContentType: csvType, tag: ".workday",
		Summary: "Workday accounting journal import", encode: encodeWorkday},
}

// Formats lists the registered format names, sorted.
func Formats() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Lookup returns the format called name. An unknown name is an error
// wrapping ErrUnknownFormat that lists the known ones.
func Lookup(name string) (Format, error) {
	f, ok := registry[name]
	if !ok {
		return Format{}, fmt.Errorf("erp: %w %q (known formats: %s)", ErrUnknownFormat, name, strings.Join(Formats(), ", "))
	}
	return f, nil
}

// Encode writes journals in the named format to w.
//
// Every journal is validated and rendered into memory first; nothing is
// written to w unless all of them are valid and every document balances.
// Journals are written in id order, so the same journals always give the
// same bytes whatever order they come in. Two journals with the same id are
// an error.
func Encode(w io.Writer, format string, journals []cost.Journal, opts Options) error {
	f, err := Lookup(format)
	if err != nil {
		return err
	}
	o := opts.withDefaults()
	if err := o.validate(format); err != nil {
		return err
	}
	js := make([]cost.Journal, len(journals))
	copy(js, journals)
	sort.SliceStable(js, func(a, b int) bool { return js[a].ID < js[b].ID })
	for i := range js {
		if i > 0 && js[i].ID == js[i-1].ID {
			return &JournalError{Format: format, JournalID: js[i].ID, Err: ErrInvalidJournal,
				Msg: "appears twice in one file; journal ids are idempotency keys and must be unique"}
		}
		if err := validateJournal(format, &js[i]); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	if err := f.encode(&buf, js, &o); err != nil {
		return err
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("erp: %s: write: %w", format, err)
	}
	return nil
}

// FileName returns the object name a sink stores one journal's batch
// under: the journal id, a format tag where two formats share an
// extension, and the format's extension, for example "J-2026-10-1000.sap.csv".
// Characters other than letters, digits, '.', '_' and '-' are replaced by
// '_' and, when that happens, a short hash of the original id is appended
// so that two ids never map to one name. An unknown format gives the
// extension ".dat".
func FileName(format string, j cost.Journal) string {
	ext, tag := ".dat", "."+safeName(format)
	if f, ok := registry[format]; ok {
		ext, tag = f.Ext, f.tag
	}
	return safeID(j.ID) + tag + ext
}

func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

func safeID(id string) string {
	s := safeName(id)
	if s == id && s != "" && !strings.HasPrefix(s, ".") {
		return s
	}
	sum := sha256.Sum256([]byte(id))
	return strings.TrimLeft(s, ".") + "-" + hex.EncodeToString(sum[:4])
}
