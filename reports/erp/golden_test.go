package erp

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/allot-dev/allot/internal/testutil"
)

func TestGolden(t *testing.T) {
	for _, name := range Formats() {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Encode(&buf, name, fixtureJournals(), fixtureOptions()); err != nil {
				t.Fatalf("Encode(%s): %v", name, err)
			}
			f, _ := Lookup(name)
			testutil.AssertGolden(t, filepath.Join("testdata", name, "fixture.golden"+f.Ext), buf.Bytes())
		})
	}
}

// TestGoldenSAPSplit shows a split with a tiny document limit: the USD
// journal's nine lines in documents of at most four items.
func TestGoldenSAPSplit(t *testing.T) {
	var buf bytes.Buffer
	o := fixtureOptions()
	o.SAP.MaxLines = 4
	if err := Encode(&buf, "sap", fixtureJournals()[1:], o); err != nil {
		t.Fatal(err)
	}
	testutil.AssertGolden(t, filepath.Join("testdata", "sap", "split4.golden.csv"), buf.Bytes())
}

func TestDeterministic(t *testing.T) {
	for _, name := range Formats() {
		js := fixtureJournals()
		var a, b bytes.Buffer
		if err := Encode(&a, name, js, fixtureOptions()); err != nil {
			t.Fatal(err)
		}
		js[0], js[1] = js[1], js[0] // order of the input does not matter
		if err := Encode(&b, name, js, fixtureOptions()); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: output depends on the order of the journals", name)
		}
	}
}

// TestHostileTextNeutralized checks every golden output for the hostile
// descriptions of the fixture: a CSV cell never starts with a formula
// character unless it is an amount.
func TestHostileTextNeutralized(t *testing.T) {
	for _, name := range Formats() {
		if name == "generic-jsonl" {
			continue
		}
		var buf bytes.Buffer
		if err := Encode(&buf, name, fixtureJournals(), fixtureOptions()); err != nil {
			t.Fatal(err)
		}
		rows := readCSV(t, buf.Bytes())
		found := map[string]bool{}
		for r, row := range rows {
			for c, cell := range row {
				if cell == "" {
					continue
				}
				if strings.ContainsAny(cell[:1], "=+-@") && !isAmount(cell) {
					t.Errorf("%s row %d column %q: %q is not neutralized", name, r+1, rows[0][c], cell)
				}
				for _, h := range []string{`'=HYPERLINK(`, `'+1 central`, `'@SUM(`, `'-2+3`} {
					if strings.HasPrefix(cell, h) {
						found[h] = true
					}
				}
			}
		}
		for _, h := range []string{`'=HYPERLINK(`, `'+1 central`, `'@SUM(`, `'-2+3`} {
			if !found[h] {
				t.Errorf("%s: no cell starts with %s; the hostile fixture text went missing", name, h)
			}
		}
	}
}
