package gateway

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/internal/textio"
	"github.com/allot-dev/allot/cost"
)

// maxLine bounds one JSON line, so a file without newlines cannot take
// unbounded memory.
const maxLine = 16 << 20

// checkEvery is how many records pass between two checks of ctx.
const checkEvery = 1024

// decoder turns usage files into records, reusing one record: the record
// passed to fn is valid only during the call.
type decoder struct {
	b builder
	u cost.UsageRecord
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

// object reads one JSON object, flattening nested objects into dotted
// keys: {"gen_ai":{"usage":{"input_tokens":3}}} is gen_ai.usage.input_tokens.
func (d *decoder) object(text []byte) error {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return jsonError(err)
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		return fmt.Errorf("%w: want one JSON object per line (JSON lines); found %s", ErrBadRecord, describe(tok))
	}
	if err := d.members(dec, ""); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: unexpected text after the JSON object; want one object per line", ErrBadRecord)
	}
	return nil
}

// members reads the members of an object whose '{' was consumed.
func (d *decoder) members(dec *json.Decoder, prefix string) error {
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return jsonError(err)
		}
		key := prefix + tok.(string)
		tok, err = dec.Token()
		if err != nil {
			return jsonError(err)
		}
		s := slotOf(key)
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' {
				if s >= 0 {
					return bad(slotNames[s], ErrBadValue, "%s is an object; want a string or number", slotNames[s])
				}
				if err := d.members(dec, key+"."); err != nil {
					return err
				}
				continue
			}
			if s >= 0 {
				return bad(slotNames[s], ErrBadValue, "%s is an array; want a string or number", slotNames[s])
			}
			if err := skipArray(dec); err != nil {
				return err
			}
			continue
		case nil:
			if s >= 0 && d.b.set[s] {
				return bad(slotNames[s], ErrBadRecord, "%s is given twice in one record", slotNames[s])
			}
			continue // null: the field is absent
		}
		if s < 0 {
			continue
		}
		var text string
		switch v := tok.(type) {
		case string:
			text = v
		case json.Number:
			text = v.String()
		case bool:
			text = fmt.Sprint(v)
		}
		if err := d.b.put(s, text); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return jsonError(err)
	}
	return nil
}

func skipArray(dec *json.Decoder) error {
	depth := 1
	for depth > 0 {
		tok, err := dec.Token()
		if err != nil {
			return jsonError(err)
		}
		if delim, ok := tok.(json.Delim); ok {
			switch delim {
			case '[', '{':
				depth++
			default:
				depth--
			}
		}
	}
	return nil
}

func jsonError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%w: invalid JSON at byte %d: %v", ErrBadRecord, se.Offset, se)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: the JSON object is cut short", ErrBadRecord)
	}
	return fmt.Errorf("%w: invalid JSON: %v", ErrBadRecord, err)
}

func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		return "'" + v.String() + "'"
	case string:
		return "a string"
	case nil:
		return "null"
	}
	return "a " + fmt.Sprintf("%T", tok)
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
