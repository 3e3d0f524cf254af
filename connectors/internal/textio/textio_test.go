package textio

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

func TestParseDecimal(t *testing.T) {
	for in, want := range map[string]string{
		"1.5": "1.5", "8.094e-05": "0.00008094", "-0.0000000001": "-0.0000000001", "12345678901234567890.123456789012": "12345678901234567890.123456789012",
		"1E3": "1000",
	} {
		d, ok, err := ParseDecimal(in)
		if err != nil || !ok || !d.Equal(decimal.RequireFromString(want)) {
			t.Errorf("ParseDecimal(%q) = %s, %v, %v; want %s", in, d, ok, err, want)
		}
	}
	for _, null := range []string{"", " ", "NULL", "null"} {
		if _, ok, err := ParseDecimal(null); ok || err != nil {
			t.Errorf("ParseDecimal(%q): want null", null)
		}
	}
	for _, bad := range []string{"1,000.00", "$5", "NaN", "abc", "1.2.3"} {
		if _, _, err := ParseDecimal(bad); err == nil {
			t.Errorf("ParseDecimal(%q) accepted", bad)
		}
	}
}

func TestParseTime(t *testing.T) {
	want := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for _, in := range []string{"2026-10-01T00:00:00Z", "2026-10-01 00:00:00", "2026-10-01T00:00:00.000Z", "2026-10-01T02:00:00+02:00", "2026-10-01", "20261001T000000.000Z", "2026-10-01 00:00:00 UTC"} {
		if got, err := ParseTime(in); err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %s, %v", in, got, err)
		}
	}
	for _, bad := range []string{"10/1/2026", "5/1/25", "yesterday"} {
		if _, err := ParseTime(bad); err == nil {
			t.Errorf("ParseTime(%q) accepted a date it must not guess", bad)
		}
	}
	if got, err := ParseUSDate("9/2/2023"); err != nil || got.Month() != 9 || got.Day() != 2 {
		t.Errorf("ParseUSDate = %s, %v", got, err)
	}
}

func TestDecompressAndCSV(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	io.WriteString(zw, "\ufeffBilledCost,Tags\n1.5,\"{\"\"team\"\":\"\"a\"\"}\"\n")
	zw.Close()
	for name, src := range map[string][]byte{"gzip": gz.Bytes(), "plain": []byte("\ufeffBilledCost,Tags\n1.5,\"{\"\"team\"\":\"\"a\"\"}\"\n")} {
		r, err := Decompress(bytes.NewReader(src))
		if err != nil {
			t.Fatal(err)
		}
		c, err := NewCSV(r)
		if err != nil {
			t.Fatal(err)
		}
		if c.Col("billedcost") != 0 || c.Col("TAGS") != 1 || c.Col("nope") != -1 {
			t.Errorf("%s: header lookup broken: %q", name, c.Header)
		}
		rec, line, err := c.Read()
		if err != nil || line != 2 || rec[1] != `{"team":"a"}` {
			t.Errorf("%s: Read = %q line %d %v", name, rec, line, err)
		}
		if _, _, err := c.Read(); err != io.EOF {
			t.Errorf("%s: want EOF, got %v", name, err)
		}
	}
	c, _ := NewCSV(strings.NewReader("a,b\n1,2\n3\n"))
	c.Read()
	if _, line, err := c.Read(); err == nil || line != 3 {
		t.Errorf("a short record: line %d, err %v", line, err)
	}
}

// TestParseDecimalRange: an amount with an exponent far out is refused
// (every sum 1e-10000 enters works on 10,000-digit numbers); what real
// exports write is read exactly.
func TestParseDecimalRange(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"8.094e-05", true}, {"0.0000000104", true}, {"123456789012345678.5", true},
		{"1e19", true}, {"1e-40", true}, {"0e-50", true},
		{"1e20", false}, {"1e-41", false}, {"1e-10000", false}, {"-1e9999", false}, {"1e999999999", false},
	} {
		d, _, err := ParseDecimal(c.in)
		if (err == nil) != c.ok {
			t.Errorf("ParseDecimal(%q) = %v, %v; want ok %v", c.in, d, err, c.ok)
		}
		if err == nil && d.Exponent() < -cost.MaxDecimals {
			t.Errorf("ParseDecimal(%q) kept exponent %d", c.in, d.Exponent())
		}
	}
}
