package gateway

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/internal/textio"
	"github.com/allot-dev/allot/cost"
	"github.com/go-json-experiment/json/jsontext"
)

// maxLine bounds one JSON line, so a file without newlines cannot take
// unbounded memory.
const maxLine = 16 << 20

// checkEvery is how many records pass between two checks of ctx.
const checkEvery = 1024

// decoder turns usage files into records, reusing one record: the record
// passed to fn is valid only during the call.
type decoder struct {
	b    builder
	u    cost.UsageRecord
	text bytes.Reader
	dec  *jsontext.Decoder // reused from line to line
	key  []byte            // the flattened key being read
}

func rowError(object string, line int64, err error) error {
	var fe *fieldError
	if errors.As(err, &fe) {
		return &connectors.RowError{Object: object, Line: line, Column: fe.field, Err: fe.err}
	}
	return &connectors.RowError{Object: object, Line: line, Err: err}
}

// jsonl decodes JSON lines: one object per line; blank lines are skipped.
func (d *decoder) jsonl(ctx context.Context, r io.Reader, object string, fn func(*cost.UsageRecord) error) error {
	zr, err := textio.Decompress(r)
	if err != nil {
		return &connectors.RowError{Object: object, Err: fmt.Errorf("%w: %w", ErrBadFile, err)}
	}
	defer zr.Close()
	sc := bufio.NewScanner(textio.StripBOM(zr))
	sc.Buffer(make([]byte, 64<<10), maxLine)
	var line int64
	for sc.Scan() {
		line++
		if line%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		d.b.reset()
		if err := d.object(text); err != nil {
			return rowError(object, line, err)
		}
		if err := d.b.record(&d.u); err != nil {
			return rowError(object, line, err)
		}
		d.u.Source = cost.Provenance{Object: object, Line: line}
		if err := fn(&d.u); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if errors.Is(err, bufio.ErrTooLong) {
			err = fmt.Errorf("a line is longer than %d MiB; want one JSON object per line", maxLine>>20)
		}
		return &connectors.RowError{Object: object, Line: line + 1, Err: fmt.Errorf("%w: %w", ErrBadFile, err)}
	}
	return ctx.Err()
}

// jsonOptions read JSON as encoding/json does: a repeated unknown key is
// not an error (a repeated known field is, see builder.put), and invalid
// UTF-8 in a string becomes U+FFFD.
var jsonOptions = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}

// object reads one JSON object, flattening nested objects into dotted
// keys: {"gen_ai":{"usage":{"input_tokens":3}}} is gen_ai.usage.input_tokens.
// A nested object that cannot hold a known field (metadata, say) is
// skipped without being looked at member by member.
func (d *decoder) object(text []byte) error {
	d.text.Reset(text)
	if d.dec == nil {
		d.dec = jsontext.NewDecoder(&d.text, jsonOptions...)
	} else {
		d.dec.Reset(&d.text, jsonOptions...)
	}
	tok, err := d.dec.ReadToken()
	if err != nil {
		return jsonError(err)
	}
	if tok.Kind() != '{' {
		return fmt.Errorf("%w: want one JSON object per line (JSON lines); found %s", ErrBadRecord, describe(tok.Kind()))
	}
	d.key = d.key[:0]
	if err := d.members(0); err != nil {
		return err
	}
	if _, err := d.dec.ReadToken(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: unexpected text after the JSON object; want one object per line", ErrBadRecord)
	}
	return nil
}

// members reads the members of an object whose '{' was read, and its '}';
// d.key[:prefix] is the flattened key of the object and a dot.
func (d *decoder) members(prefix int) error {
	dec := d.dec
	for {
		switch dec.PeekKind() {
		case '}':
			_, err := dec.ReadToken()
			return jsonError(err)
		case 0: // the error comes with the next read
			_, err := dec.ReadToken()
			return jsonError(err)
		}
		name, err := dec.ReadValue()
		if err != nil {
			return jsonError(err)
		}
		// The decoder has checked the name's syntax: the one error left is
		// invalid UTF-8, which becomes U+FFFD as in a string value.
		d.key, _ = jsontext.AppendUnquote(d.key[:prefix], name)
		s := slotOfBytes(d.key)
		switch dec.PeekKind() {
		case '{':
			if s >= 0 {
				return bad(slotNames[s], ErrBadValue, "%s is an object; want a string or number", slotNames[s])
			}
			if !holdsSlots(d.key) {
				if err := dec.SkipValue(); err != nil {
					return jsonError(err)
				}
				continue
			}
			if _, err := dec.ReadToken(); err != nil {
				return jsonError(err)
			}
			d.key = append(d.key, '.')
			if err := d.members(len(d.key)); err != nil {
				return err
			}
			continue
		case '[':
			if s >= 0 {
				return bad(slotNames[s], ErrBadValue, "%s is an array; want a string or number", slotNames[s])
			}
			if err := dec.SkipValue(); err != nil {
				return jsonError(err)
			}
			continue
		}
		if s < 0 {
			if err := dec.SkipValue(); err != nil {
				return jsonError(err)
			}
			continue
		}
		tok, err := dec.ReadToken()
		if err != nil {
			return jsonError(err)
		}
		var text string
		switch tok.Kind() {
		case 'n':
			if d.b.set[s] {
				return bad(slotNames[s], ErrBadRecord, "%s is given twice in one record", slotNames[s])
			}
			continue // null: the field is absent
		case 't':
			text = "true"
		case 'f':
			text = "false"
		default: // a string (unescaped) or a number (its text as written)
			text = tok.String()
		}
		if err := d.b.put(s, text); err != nil {
			return err
		}
	}
}

// holdsSlots reports whether an object under key can hold a known field:
// whether some field's name starts with the key and a dot.
func holdsSlots(key []byte) bool {
	k := bytes.TrimLeftFunc(key, unicode.IsSpace)
	for _, n := range slotNames {
		if len(n) > len(k) && n[len(k)] == '.' && strings.EqualFold(n[:len(k)], string(k)) {
			return true
		}
	}
	return false
}

func jsonError(err error) error {
	if err == nil {
		return nil
	}
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		return fmt.Errorf("%w: invalid JSON at byte %d: %v", ErrBadRecord, se.ByteOffset, se.Err)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: the JSON object is cut short", ErrBadRecord)
	}
	return fmt.Errorf("%w: invalid JSON: %v", ErrBadRecord, err)
}

func describe(k jsontext.Kind) string {
	switch k {
	case '[':
		return "'['"
	case '"':
		return "a string"
	case 'n':
		return "null"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	}
	return "'" + string(rune(k)) + "'"
}

// csv decodes a CSV file whose header names the same fields.
func (d *decoder) csv(ctx context.Context, r io.Reader, object string, fn func(*cost.UsageRecord) error) error {
	zr, err := textio.Decompress(r)
	if err != nil {
		return &connectors.RowError{Object: object, Err: fmt.Errorf("%w: %w", ErrBadFile, err)}
	}
	defer zr.Close()
	cr := csv.NewReader(textio.StripBOM(zr))
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return &connectors.RowError{Object: object, Line: 1, Err: fmt.Errorf("%w: empty file: no header row", ErrBadFile)}
		}
		return csvError(object, 1, err)
	}
	var cols [numSlots]int
	for i := range cols {
		cols[i] = -1
	}
	for i, h := range header {
		s := slotOf(h)
		if s < 0 {
			continue
		}
		if cols[s] >= 0 {
			return &connectors.RowError{Object: object, Line: 1, Column: slotNames[s], Err: fmt.Errorf(
				"%w: the header names %s twice", ErrBadFile, slotNames[s])}
		}
		cols[s] = i
	}
	if cols[sTimestamp] < 0 {
		return &connectors.RowError{Object: object, Line: 1, Column: keyTimestamp, Err: fmt.Errorf(
			"%w: no timestamp column; the header must name timestamp (and team, action_class, gen_ai.usage.input_tokens …)", ErrMissingField)}
	}
	var line int64 = 1
	for n := 0; ; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec, err := cr.Read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			return csvError(object, line+1, err)
		}
		l, _ := cr.FieldPos(0)
		line = int64(l)
		d.b.reset()
		for s, i := range cols {
			if i >= 0 {
				d.b.vals[s], d.b.set[s] = trimCell(rec[i]), true
			}
		}
		if err := d.b.record(&d.u); err != nil {
			return rowError(object, line, err)
		}
		d.u.Source = cost.Provenance{Object: object, Line: line}
		if err := fn(&d.u); err != nil {
			return err
		}
	}
}

// trimCell trims a CSV cell; the literal NULL is empty.
func trimCell(s string) string {
	if textio.IsNull(s) {
		return ""
	}
	return bytesTrim(s)
}

func bytesTrim(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}

func csvError(object string, line int64, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			msg += "; every row must have as many fields as the header"
		}
		return &connectors.RowError{Object: object, Line: int64(pe.StartLine), Err: fmt.Errorf(
			"%w: CSV syntax at line %d, character %d: %s", ErrBadFile, pe.Line, pe.Column, msg)}
	}
	return &connectors.RowError{Object: object, Line: line, Err: fmt.Errorf("%w: %w", ErrBadFile, err)}
}
