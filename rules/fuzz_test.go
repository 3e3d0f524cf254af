package rules

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/allot-dev/allot/cost"
)

// FuzzParse: whatever bytes a configuration file holds, Parse returns a
// configuration or an error naming the file; it never panics.
func FuzzParse(f *testing.F) {
	ref, err := os.ReadFile("testdata/reference.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ref)
	f.Add([]byte("version: 1\ncurrency: USD\n"))
	f.Add([]byte("version: 1\nteams: [{id: a}]\nsources: [{name: x, kind: focus, url: 'file:x'}]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := Parse(b, "allot.yaml", t.TempDir())
		if err != nil {
			if !strings.Contains(err.Error(), "allot.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if cfg == nil {
			t.Fatal("no configuration and no error")
		}
	})
}

// FuzzParsePriceList: whatever bytes a price list holds, ParsePriceList
// returns a price list or an error; it never panics.
func FuzzParsePriceList(f *testing.F) {
	pl, err := os.ReadFile("testdata/2026Q4.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(pl)
	q := cost.Quarter{Year: 2026, Q: 4}
	f.Fuzz(func(t *testing.T, b []byte) {
		ParsePriceList(b, "2026Q4.yaml", q, "USD", []string{"chat_call", "agent_run", "batch_job", "eval_run"})
	})
}

// FuzzParseFX: whatever an FX table holds, ParseFX returns a table or an
// error naming the file; it never panics.
func FuzzParseFX(f *testing.F) {
	f.Add([]byte("period,from,to,rate\n2026-10,EUR,USD,1.0812\n"))
	f.Add([]byte("period,from,to,rate\n2026-10,EUR,USD,-1\n2026-13,EUR,USD,1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := ParseFX(bytes.NewReader(b), "fx.csv"); err != nil && !strings.Contains(err.Error(), "fx.csv") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}
