package focus_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/connectortest"
	"github.com/allot-dev/allot/connectors/focus"
	"github.com/allot-dev/allot/internal/gen"
	"github.com/allot-dev/allot/objstore/fileblob"
)

// TestGroupsParallel: on generated exports, ScanGroupsParallel yields
// ScanGroups' items, each worker a contiguous run of them in order.
func TestGroupsParallel(t *testing.T) {
	defer focus.SetMinChunk(16)()
	for _, file := range []string{gen.FileCSV, gen.FileCSVGzip, gen.FileParquet} {
		t.Run(file, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "g")
			_, err := gen.Generate(context.Background(), gen.Options{Rows: 20000, Format: gen.FormatFOCUS, File: file,
				Period: oct, Out: out, Seed: 8, Files: 2, Resources: 60, Accounts: 5, Teams: 4, RowGroup: 3000}, nil)
			if err != nil {
				t.Fatal(err)
			}
			d := focus.New(fileblob.New(filepath.Join(out, "data", "focus")), "")
			if n := connectortest.ParallelGroups(t, d, oct); n < 200 {
				t.Fatalf("%d groups: want hundreds, so that workers share them", n)
			}
		})
	}
}

// TestGroupsParallelBadValue: a bad value in a group another worker
// would yield fails ScanGroupsParallel with ScanGroups' error, and nothing
// is yielded.
func TestGroupsParallelBadValue(t *testing.T) {
	defer focus.SetMinChunk(4)()
	var b strings.Builder
	b.WriteString(hdr + ",ResourceId,Tags\n")
	for i := range 60 {
		tags := `"{""team"":""search""}"`
		if i == 30 || i == 50 { // in the shares of workers 2 and 3
			tags = "team=search"
		}
		fmt.Fprintf(&b, "2026-10-01T00:00:00Z,Usage,1,1,USD,r%02d,%s\n", i, tags)
	}
	p := writeCSV(t, "bad.csv", b.String())
	_, serialErr := scanGroups(t, p, oct)
	var re *connectors.RowError
	if !errors.As(serialErr, &re) || re.Line != 32 || re.Column != "Tags" {
		t.Fatalf("ScanGroups: %v, want the bad tags of line 32", serialErr)
	}
	per, err := connectortest.ParallelItems(t, driverFor(p), oct, 4)
	if err == nil || err.Error() != serialErr.Error() {
		t.Fatalf("4 workers: %v\nScanGroups: %v\nwant the same error", err, serialErr)
	}
	for w, items := range per {
		if len(items) > 0 {
			t.Errorf("worker %d yielded %d items before the error", w, len(items))
		}
	}
}
