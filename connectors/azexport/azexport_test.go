package azexport

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/connectortest"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/testutil"
	"github.com/allot-dev/allot/objstore/fileblob"
)

var (
	oct2026 = cost.Period{Year: 2026, Month: time.October}
	sep2026 = cost.Period{Year: 2026, Month: time.September}
	aug2026 = cost.Period{Year: 2026, Month: time.August}
)

// The export folder testdata/export/aiexport holds two October runs (the
// 2024-04-01 manifest of run 9b1d… is submitted later than 2f0a…) and two
// September runs with 2021-01-01 manifests (export-time folder decides).
//
// Expected October totals, by hand from run 9b1d… (8 rows, two blobs):
//
//	billed    = 12.5000 + 12.00 + 11.70 + 0 (savings-plan usage) + 0 (unused SP)
//	          + 0.21268368 + 9.87 (EUR) + 0.000011139           = 46.282694819
//	effective = billed + 3.456789 + 1.234567                    = 50.974050819
func TestConformanceExportFolder(t *testing.T) {
	connectortest.Run(t, connectortest.Case{
		Open:          func(t *testing.T) *connectors.Source { return openSource(t, fileURL(t, "export/aiexport"), nil) },
		Period:        oct2026,
		EmptyPeriod:   aug2026,
		WantLines:     8,
		WantBilled:    "46.282694819",
		WantEffective: "50.974050819",
	})
}

// A single legacy pay-as-you-go file (KOKU): 3 rows in July 2019, PreTaxCost
// 0 + 0.00010368 + 0.00000648.
func TestConformanceSingleLegacyFile(t *testing.T) {
	connectortest.Run(t, connectortest.Case{
		Open: func(t *testing.T) *connectors.Source {
			return openSource(t, fileURL(t, "samples/koku__legacy_payg_costreport.csv"), nil)
		},
		Period:        cost.Period{Year: 2019, Month: time.July},
		EmptyPeriod:   cost.Period{Year: 2019, Month: time.August},
		WantLines:     3,
		WantBilled:    "0.00011016",
		WantEffective: "0.00011016",
	})
}

// FTK's EA AmortizedCost sample as a single file with dataset=amortized:
// 28 rows; the Reservation usage (0.493152) and SavingsPlan usage
// (0.006000000468) rows are effective only. Sums of the Cost column
// computed with Python's decimal module.
func TestConformanceEAAmortizedFile(t *testing.T) {
	connectortest.Run(t, connectortest.Case{
		Open: func(t *testing.T) *connectors.Source {
			return openSource(t, fileURL(t, "samples/finops-toolkit__EA_AmortizedCost_Small.csv"),
				map[string]string{"dataset": "amortized"})
		},
		Period:        cost.Period{Year: 2023, Month: time.September},
		EmptyPeriod:   cost.Period{Year: 2023, Month: time.October},
		WantLines:     28,
		WantBilled:    "15.797780136168644627485419",
		WantEffective: "16.296932136636644627485419",
	})
}

func TestExportFolderGolden(t *testing.T) {
	base := fileURL(t, "export/aiexport") + "/"
	for _, p := range []cost.Period{oct2026, sep2026} {
		t.Run(p.String(), func(t *testing.T) {
			items, _, err := collect(t, openSource(t, fileURL(t, "export/aiexport"), nil), p)
			if err != nil {
				t.Fatal(err)
			}
			testutil.AssertGolden(t, filepath.Join("testdata", "golden", "export_"+p.String()+".golden.csv"), render(items, base))
		})
	}
}

func TestExportFolderPicksCurrentRun(t *testing.T) {
	for _, tc := range []struct {
		name    string
		p       cost.Period
		wantRun string // run folder every item must come from
		lines   int64
		billed  string
	}{
		// 2024-04-01 manifests: latest runInfo.submittedTime.
		{"submittedTime", oct2026, "9b1d2e4f-1111-4111-8111-00000000000b", 8, "46.282694819"},
		// 2021-01-01 manifests: latest export-time folder; 2.50 + 0.10 (the older run has 1.00).
		{"export-time folder", sep2026, "d4e5f6a7-3333-4333-8333-00000000000d", 2, "2.60"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items, st, err := collect(t, openSource(t, fileURL(t, "export/aiexport"), nil), tc.p)
			if err != nil {
				t.Fatal(err)
			}
			for _, li := range items {
				if !strings.Contains(li.Source.Object, "/"+tc.wantRun+"/") {
					t.Errorf("item from %s, want run %s", li.Source, tc.wantRun)
				}
			}
			if got, want := st.Lines, tc.lines; got != want {
				t.Errorf("lines = %d, want %d", got, want)
			}
			if got, want := st.Billed, d(tc.billed); !got.Equal(want) {
				t.Errorf("billed = %s, want %s", got, want)
			}
		})
	}
}

// The run with the later submittedTime wins even when its export-time
// folder sorts first.
func TestSubmittedTimeBeatsFolderName(t *testing.T) {
	dir := t.TempDir()
	const hdr = "SubscriptionId,Date,CostInBillingCurrency,BillingCurrency\n"
	write := func(rel, content string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	manifest := func(run, submitted string) string {
		return `{"manifestVersion":"2024-04-01","blobCount":1,"exportConfig":{"type":"ActualCost"},
			"runInfo":{"submittedTime":"` + submitted + `","runId":"` + run + `"},
			"blobs":[{"blobName":"x/e/20261001-20261031/t/` + run + `/part_0_0001.csv","dataRowCount":1}]}`
	}
	// Folder 202611010000 sorts after 202610310000, but its run was submitted earlier.
	write("e/20261001-20261031/202611010000/run-old/manifest.json", manifest("run-old", "2026-10-20T00:00:00Z"))
	write("e/20261001-20261031/202611010000/run-old/part_0_0001.csv", hdr+"s,2026-10-05,1.00,USD\n")
	write("e/20261001-20261031/202610310000/run-new/manifest.json", manifest("run-new", "2026-11-01T00:00:00+00:00"))
	write("e/20261001-20261031/202610310000/run-new/part_0_0001.csv", hdr+"s,2026-10-05,2.00,USD\n")

	items, _, err := collect(t, openSource(t, "file:"+filepath.Join(dir, "e"), nil), oct2026)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || !items[0].BilledCost.Equal(d("2.00")) {
		t.Fatalf("items = %+v, want the one row of run-new (2.00)", items)
	}
}

func TestInputs(t *testing.T) {
	src := openSource(t, fileURL(t, "export/aiexport"), nil)
	in, err := src.Inputs(context.Background(), oct2026)
	if err != nil {
		t.Fatal(err)
	}
	runDir := "20261001-20261031/202611020605/9b1d2e4f-1111-4111-8111-00000000000b/"
	want := []struct{ suffix, fp string }{
		{runDir + "manifest.json", "run:9b1d2e4f-1111-4111-8111-00000000000b"},
		{runDir + "part_1_0001.csv", ""},
		{runDir + "part_1_0002.csv.gz", ""},
	}
	if len(in) != len(want) {
		t.Fatalf("Inputs = %+v, want %d objects", in, len(want))
	}
	for i, w := range want {
		if !strings.HasSuffix(in[i].Object, "/aiexport/"+w.suffix) {
			t.Errorf("input %d = %s, want …/%s", i, in[i].Object, w.suffix)
		}
		if w.fp != "" && in[i].Fingerprint != w.fp {
			t.Errorf("input %d fingerprint = %q, want %q", i, in[i].Fingerprint, w.fp)
		}
		if in[i].Fingerprint == "" || in[i].Size <= 0 {
			t.Errorf("input %d has no fingerprint or size: %+v", i, in[i])
		}
	}
	if _, err := src.Inputs(context.Background(), aug2026); !errors.Is(err, connectors.ErrNotFound) {
		t.Errorf("Inputs(%s) error = %v, want ErrNotFound", aug2026, err)
	}

	// A single file is its own input.
	single := openSource(t, fileURL(t, "samples/koku__legacy_payg_costreport.csv"), nil)
	in, err = single.Inputs(context.Background(), cost.Period{Year: 2019, Month: time.July})
	if err != nil {
		t.Fatal(err)
	}
	if len(in) != 1 || !strings.HasSuffix(in[0].Object, "/samples/koku__legacy_payg_costreport.csv") ||
		in[0].Size != 1748 || !strings.HasPrefix(in[0].Fingerprint, "size:1748,mtime:") {
		t.Errorf("Inputs of a single file = %+v", in)
	}
}

func TestOptions(t *testing.T) {
	var mux connectors.Mux
	mux.Register(connectors.KindAzureExport, Open)
	for _, tc := range []struct {
		name string
		opts map[string]string
	}{
		{"unknown key", map[string]string{"datset": "actual"}},
		{"bad dataset", map[string]string{"dataset": "usage-only"}},
		{"bad currency", map[string]string{"currency": "dollars"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(context.Background(), connectors.Env{}, connectors.Config{URL: "file:/nowhere", Options: tc.opts})
			if err == nil {
				t.Fatal("Open accepted the options")
			}
		})
	}
}

func TestDatasetOptionContradictsManifest(t *testing.T) {
	src := openSource(t, fileURL(t, "export/aiexport"), map[string]string{"dataset": "actual"})
	_, _, err := collect(t, src, oct2026)
	if !errors.Is(err, connectors.ErrBadInput) || !strings.Contains(err.Error(), "contradicts") {
		t.Fatalf("error = %v, want a contradiction with the manifest's AmortizedCost", err)
	}
}

func TestNewDirect(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("testdata", "export"))
	if err != nil {
		t.Fatal(err)
	}
	drv, err := New(fileblob.New(dir), "aiexport/", nil)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	err = drv.Scan(context.Background(), sep2026, func(li *cost.LineItem) error { n++; return nil })
	if err != nil || n != 2 {
		t.Fatalf("Scan = %d items, %v; want 2, nil", n, err)
	}
}
