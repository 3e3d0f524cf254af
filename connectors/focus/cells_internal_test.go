package focus

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/allot-dev/allot/connectors/internal/textio"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// The fast decimal path must agree with decimal.NewFromString on every
// plain decimal it accepts.
func TestFastDecimalMatchesNewFromString(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		digits := rapid.StringMatching(`-?[0-9]{1,20}(\.[0-9]{0,12})?`).Draw(t, "s")
		got, err := parseDecimal(digits)
		want, werr := decimal.NewFromString(digits)
		if (err != nil) != (werr != nil) {
			t.Fatalf("parseDecimal(%q) error %v, NewFromString error %v", digits, err, werr)
		}
		if err == nil && !got.Equal(want) {
			t.Fatalf("parseDecimal(%q) = %s, want %s", digits, got, want)
		}
	})
}

// The fast timestamp path must agree with textio.ParseTime.
func TestFastTimeMatchesTextio(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := fmt.Sprintf("%04d-%02d-%02d%s%02d:%02d:%02d%s",
			rapid.IntRange(1970, 2100).Draw(t, "y"), rapid.IntRange(0, 13).Draw(t, "m"),
			rapid.IntRange(0, 32).Draw(t, "d"), rapid.SampledFrom([]string{"T", " "}).Draw(t, "sep"),
			rapid.IntRange(0, 24).Draw(t, "h"), rapid.IntRange(0, 60).Draw(t, "mi"),
			rapid.IntRange(0, 60).Draw(t, "s"), rapid.SampledFrom([]string{"Z", ""}).Draw(t, "z"))
		got, err := parseTime(s)
		want, werr := textio.ParseTime(s)
		if (err != nil) != (werr != nil) || !got.Equal(want) {
			t.Fatalf("parseTime(%q) = %v, %v; textio.ParseTime = %v, %v", s, got, err, want, werr)
		}
	})
}

// FuzzParseTags checks parseTags against encoding/json: whatever it
// accepts is a JSON object of scalars with the same keys and values.
func FuzzParseTags(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":"b"}`, `{"a":1.50,"b":true,"c":null}`, `{"k\"q":"\u00e9"}`,
		`{"a":{"b":1}}`, `{"a":[1]}`, `{"a":01}`, `{"a":"x","a":"y"}`, ` { "a" : "b" } `, `{"a":-0.5e+3}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tags, err := parseTags(s)
		if err != nil {
			if !errors.Is(err, ErrBadTags) {
				t.Fatalf("error %v does not wrap ErrBadTags", err)
			}
			return
		}
		var m map[string]json.RawMessage
		if jerr := json.Unmarshal([]byte(s), &m); jerr != nil {
			t.Fatalf("parseTags accepted %q, encoding/json says %v", s, jerr)
		}
		if len(m) != len(tags) {
			t.Fatalf("%q: %d keys, encoding/json has %d", s, len(tags), len(m))
		}
		for k, raw := range m {
			v, ok := tags[k]
			if !ok {
				t.Fatalf("%q: key %q missing", s, k)
			}
			r := strings.TrimSpace(string(raw))
			switch {
			case r == "null":
				if v != "" {
					t.Fatalf("%q: null became %q", s, v)
				}
			case strings.HasPrefix(r, `"`):
				var want string
				json.Unmarshal(raw, &want)
				if v != want {
					t.Fatalf("%q: value %q, want %q", s, v, want)
				}
			default:
				if v != r {
					t.Fatalf("%q: value %q, want the text %q", s, v, r)
				}
			}
		}
	})
}
