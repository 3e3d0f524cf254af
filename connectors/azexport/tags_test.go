package azexport

import (
	"strings"
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"
)

func TestParseTags(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want cost.Tags
		err  bool
	}{
		{"empty", "", nil, false},
		{"empty object", "{}", nil, false},
		{"null", "null", nil, false},
		{"MCA with braces", `{"project":"p1"}`, cost.Tags{"project": "p1"}, false},
		{"EA without braces", `"env": "prod","org": "trey"`, cost.Tags{"env": "prod", "org": "trey"}, false},
		{"OpenCost MissingBrackets", `"resourceNameSuffix":"12345678","creationSource":"aks"`,
			cost.Tags{"resourceNameSuffix": "12345678", "creationSource": "aks"}, false},
		{"empty value kept", `"org": ""`, cost.Tags{"org": ""}, false},
		{"case variants stay separate", `"Team": "search","team": "support"`, cost.Tags{"Team": "search", "team": "support"}, false},
		{"padded key loses to unpadded, padded first", `" team": "a","team": "b"`, cost.Tags{"team": "b"}, false},
		{"padded key loses to unpadded, padded last", `"team": "b"," team ": "a"`, cost.Tags{"team": "b"}, false},
		{"exact duplicate: last wins", `"team": "a","team": "b"`, cost.Tags{"team": "b"}, false},
		{"two padded: last wins", `" team": "a","team ": "b"`, cost.Tags{"team": "b"}, false},
		{"non-string values", `{"n": 3, "ok": true, "x": null, "o": {"a": 1}}`,
			cost.Tags{"n": "3", "ok": "true", "x": "", "o": `{"a":1}`}, false},
		{"unicode and escapes", `{"Kostenstelle":"Müller \"A\""}`, cost.Tags{"Kostenstelle": `Müller "A"`}, false},
		{"not JSON", `team: search`, nil, true},
		{"unquoted key", `{team: "search"}`, nil, true},
		{"trailing text", `{"a":"b"} x`, nil, true},
		{"empty key", `{" ": "b"}`, nil, true},
		{"array", `["a"]`, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseTags(tc.in)
			if tc.err {
				if err == nil {
					t.Fatalf("parseTags(%q) = %v, want an error", tc.in, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("parseTags(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

// The fast path must agree with the JSON decoder on every cell it accepts.
func TestParseTagsFastPathAgrees(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ws := rapid.SampledFrom([]string{"", " ", "  ", "\t"})
		word := rapid.SampledFrom([]string{"team", "Team", " team", "team ", "env", "org", "Kostenstelle", "ü", "a:b", "x/y", ""})
		n := rapid.IntRange(0, 5).Draw(t, "n")
		var b strings.Builder
		braces := rapid.Bool().Draw(t, "braces")
		if braces {
			b.WriteString("{")
		}
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(ws.Draw(t, "ws0") + ",")
			}
			b.WriteString(ws.Draw(t, "ws1") + `"` + word.Draw(t, "k") + `"` + ws.Draw(t, "ws2") + ":" + ws.Draw(t, "ws3") + `"` + word.Draw(t, "v") + `"`)
		}
		if braces {
			b.WriteString("}")
		}
		in := strings.TrimSpace(b.String())
		if in == "" || in == "{}" {
			return
		}
		fast, ok := parseSimpleTags(in)
		slow, err := parseTagsJSON(in)
		if !ok {
			if err == nil {
				t.Fatalf("fast path declined %q, which the decoder reads as %v", in, slow)
			}
			return
		}
		if err != nil {
			t.Fatalf("fast path read %q as %v, the decoder rejects it: %v", in, fast, err)
		}
		if !cmp.Equal(fast, slow, cmpopts.EquateEmpty()) {
			t.Fatalf("%q: fast %v, decoder %v", in, fast, slow)
		}
	})
}
