package fastagg

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"pgregory.net/rapid"
)

type record struct {
	line   int64
	fields []string
}

// viaCSV reads text with encoding/csv as the connectors configure it.
func viaCSV(text string) ([]record, error) {
	cr := csv.NewReader(strings.NewReader(text))
	cr.ReuseRecord = true
	var out []record
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		l, _ := cr.FieldPos(0)
		out = append(out, record{int64(l), append([]string(nil), rec...)})
	}
}

func viaSplitter(r io.Reader, size int) ([]record, error) {
	s := NewSplitter(r, size)
	var out []record
	for {
		f, line, err := s.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		rec := record{line: line}
		for _, b := range f {
			rec.fields = append(rec.fields, string(b))
		}
		out = append(out, rec)
	}
}

func TestSplitterCases(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"plain", "a,b,c\n1,2,3\n"},
		{"CRLF", "a,b\r\n1,2\r\n"},
		{"no final newline", "a,b\n1,2"},
		{"blank lines", "a,b\n\n1,2\n\r\n3,4\n"},
		{"quoted comma", "a,b\n\"x,y\",2\n"},
		{"escaped quote", "a,b\n\"say \"\"hi\"\"\",2\n"},
		{"JSON tags", "a,tags\n1,\"{\"\"user:team\"\":\"\"search\"\"}\"\n"},
		{"newline in quotes", "a,b\n\"line1\nline2\",2\n3,4\n"},
		{"CRLF in quotes", "a,b\r\n\"line1\r\nline2\",2\r\n"},
		{"empty fields", "a,b,c\n,,\n\"\",,\n"},
		{"trailing CR at EOF", "a,b\n1,2\r"},
		{"bare quote", "a,b\n1,x\"y\n"},
		{"text after quote", "a,b\n\"x\"y,2\n"},
		{"unterminated quote", "a,b\n\"x,2\n"},
		{"field count", "a,b\n1,2,3\n"},
		{"lone CR inside field", "a,b\nx\ry,2\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			compare(t, tc.in)
		})
	}
}

func compare(t interface {
	Fatalf(string, ...any)
	Helper()
}, in string) {
	t.Helper()
	want, werr := viaCSV(in)
	for _, size := range []int{1, 7, 4096} {
		r := io.Reader(strings.NewReader(in))
		if size < 4096 {
			r = iotest.OneByteReader(r) // records split across reads
		}
		got, gerr := viaSplitter(r, size)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("%q: encoding/csv error %v, splitter error %v", in, werr, gerr)
		}
		if werr != nil {
			var pe *csv.ParseError
			var se *SyntaxError
			if errors.As(werr, &pe) && errors.As(gerr, &se) {
				if !errors.Is(se.Err, pe.Err) || se.StartLine != int64(pe.StartLine) {
					t.Fatalf("%q: encoding/csv %v (record line %d), splitter %v", in, pe.Err, pe.StartLine, gerr)
				}
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d records, encoding/csv has %d (%v vs %v)", in, len(got), len(want), got, want)
		}
		for i := range want {
			if got[i].line != want[i].line || strings.Join(got[i].fields, "\x00") != strings.Join(want[i].fields, "\x00") {
				t.Fatalf("%q record %d: got %d %q, want %d %q", in, i, got[i].line, got[i].fields, want[i].line, want[i].fields)
			}
		}
	}
}

// TestSplitterMatchesEncodingCSV: on random text built from the bytes
// that matter to CSV, the splitter yields the records, lines and errors
// encoding/csv does.
func TestSplitterMatchesEncodingCSV(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := rapid.StringOf(rapid.SampledFrom([]rune("ab,\"\r\n "))).Draw(t, "in")
		compare(t, in)
	})
}

// TestSplitterWellFormed: random well-formed records written by
// encoding/csv come back exactly.
func TestSplitterWellFormed(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 5).Draw(t, "fields")
		recs := rapid.SliceOfN(rapid.SliceOfN(rapid.StringOf(rapid.SampledFrom([]rune("ab,\"\r\n {}:"))), n, n), 1, 20).Draw(t, "recs")
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.UseCRLF = rapid.Bool().Draw(t, "crlf")
		w.WriteAll(recs)
		compare(t, b.String())
	})
}
