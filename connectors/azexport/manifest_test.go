package azexport

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/cost"
)

const kokuRun = "73746dc5-5dcc-4b83-b340-bb1bd2b1ca30"

func TestParseManifestKoku(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "samples", "koku__export_manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseManifest(b)
	if err != nil {
		t.Fatal(err)
	}
	if m.ManifestVersion != "2021-01-01" || len(m.Blobs) != 1 || *m.Blobs[0].DataRowCount != 490 || m.RunInfo != nil {
		t.Fatalf("manifest = %+v", m)
	}
	// KOKU's blob name starts with the container's root folder; the bucket
	// here is rooted two levels above the run folder.
	r := &run{dir: "partitioned/20230101-20230131/202301041442/" + kokuRun, folder: kokuRun}
	key, err := r.blobKey(m.Blobs[0].BlobName)
	if err != nil {
		t.Fatal(err)
	}
	if want := "partitioned/20230101-20230131/202301041442/" + kokuRun + "/000001.csv"; key != want {
		t.Errorf("blobKey = %q, want %q", key, want)
	}
}

func TestBlobKey(t *testing.T) {
	r := &run{dir: "e/20261001-20261031/202611020605/run-1", folder: "run-1"}
	for _, tc := range []struct{ name, want string }{
		{"exports/e/20261001-20261031/202611020605/run-1/part_0_0001.csv", "e/20261001-20261031/202611020605/run-1/part_0_0001.csv"},
		{"/e/20261001-20261031/202611020605/run-1/sub/part.csv.gz", "e/20261001-20261031/202611020605/run-1/sub/part.csv.gz"},
		{"run-1/part.csv", "e/20261001-20261031/202611020605/run-1/part.csv"}, // MS-EXP's short example form
		{"exports/e/20261001-20261031/202611020605/run-2/part.csv", ""},       // another run
		{"exports/e/run-1x/part.csv", ""}, // not the folder, a prefix of a name
		{"exports/run-1/../secret.csv", ""},
		{"exports/run-1/", ""},
	} {
		got, err := r.blobKey(tc.name)
		if tc.want == "" {
			if err == nil {
				t.Errorf("blobKey(%q) = %q, want an error", tc.name, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("blobKey(%q) = %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}

func TestParseManifestRejects(t *testing.T) {
	for _, tc := range []struct{ name, json, want string }{
		{"not JSON", `{"blobs": [`, "not a manifest"},
		{"no blobs", `{"manifestVersion":"2024-04-01"}`, "no blobs"},
		{"blob count", `{"blobCount":2,"blobs":[{"blobName":"r/a.csv"}]}`, "blobCount is 2"},
		{"row count", `{"dataRowCount":5,"blobs":[{"blobName":"r/a.csv","dataRowCount":2},{"blobName":"r/b.csv","dataRowCount":2}]}`, "add up to 4"},
		{"no blob name", `{"blobs":[{"byteCount":3}]}`, "no blobName"},
		{"avro", `{"deliveryConfig":{"fileFormat":"Avro"},"blobs":[{"blobName":"r/a.avro"}]}`, "configure the export to write CSV or Parquet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseManifest([]byte(tc.json))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

// writeTree writes files (slash paths) under a temp dir and returns it.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for rel, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestDamagedRuns(t *testing.T) {
	koku, err := os.ReadFile(filepath.Join("testdata", "samples", "koku__export_manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	jan := cost.Period{Year: 2023, Month: 1}
	const kokuDir = "partitioned/20230101-20230131/202301041442/" + kokuRun + "/"
	const rows = "Date,CostInBillingCurrency,BillingCurrency\n01/05/2023,1.00,USD\n01/06/2023,2.00,USD\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		url   string // relative to the temp dir
		want  string
	}{
		// KOKU's manifest says 490 rows; the file holds 2.
		{"row count mismatch", map[string]string{kokuDir + "manifest.json": string(koku), kokuDir + "000001.csv": rows},
			"partitioned", "has 2 data rows but manifest"},
		{"missing blob", map[string]string{kokuDir + "manifest.json": string(koku)}, "partitioned", "000001.csv is missing"},
		{"blob outside the run folder", map[string]string{
			"e/20230101-20230131/202301041442/run-1/manifest.json": `{"blobs":[{"blobName":"x/e/20230101-20230131/202301041442/run-0/a.csv"}]}`},
			"e", "not inside the run folder"},
		{"two exports under the prefix", map[string]string{
			"actual/20230101-20230131/202301041442/run-1/manifest.json":    `{"blobs":[]}`,
			"amortized/20230101-20230131/202301041442/run-2/manifest.json": `{"blobs":[]}`},
			"", "several exports"},
		{"manifest type not a cost dataset", map[string]string{
			"e/20230101-20230131/202301041442/run-1/manifest.json": `{"exportConfig":{"type":"PriceSheet"},"blobs":[]}`},
			"e", "not a cost dataset"},
		{"FocusCost manifest, cost-details file", map[string]string{
			"e/20230101-20230131/202301041442/run-1/manifest.json": `{"exportConfig":{"type":"FocusCost"},"blobs":[{"blobName":"run-1/a.csv","dataRowCount":2}]}`,
			"e/20230101-20230131/202301041442/run-1/a.csv":         rows},
			"e", "FocusCost export"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, tc.files)
			_, _, err := collect(t, openSource(t, "file:"+filepath.Join(dir, tc.url), nil), jan)
			if !errors.Is(err, connectors.ErrBadInput) || errors.Is(err, connectors.ErrNotFound) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want ErrBadInput (not ErrNotFound) mentioning %q", err, tc.want)
			}
			// the grouped scan allot run uses reports the same
			items, _, gerr := collectGroups(t, openSource(t, "file:"+filepath.Join(dir, tc.url), nil), jan)
			if gerr == nil || gerr.Error() != err.Error() || len(items) > 0 {
				t.Fatalf("grouped scan: %d items, error %v; want none and %v", len(items), gerr, err)
			}
		})
	}
}

func TestEmptyRunIsNotAnError(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"e/20230101-20230131/202302021200/run-1/manifest.json": `{"manifestVersion":"2024-04-01","dataRowCount":0,` +
			`"exportConfig":{"type":"AmortizedCost"},"runInfo":{"submittedTime":"2023-02-02T12:00:00Z","runId":"run-1"},` +
			`"blobs":[{"blobName":"r/e/20230101-20230131/202302021200/run-1/part_0_0001.csv","dataRowCount":0}]}`,
		"e/20230101-20230131/202302021200/run-1/part_0_0001.csv": "\uFEFFDate,CostInBillingCurrency,BillingCurrency\r\n",
	})
	items, _, err := collect(t, openSource(t, "file:"+filepath.Join(dir, "e"), nil), cost.Period{Year: 2023, Month: 1})
	if err != nil || len(items) != 0 {
		t.Fatalf("got %d items, %v; want an empty export", len(items), err)
	}
}

func TestNotFoundNamesWhatExists(t *testing.T) {
	_, _, err := collect(t, openSource(t, fileURL(t, "export/aiexport"), nil), aug2026)
	if !errors.Is(err, connectors.ErrNotFound) || !strings.Contains(err.Error(), "runs exist for 2026-09, 2026-10") {
		t.Fatalf("error = %v, want ErrNotFound listing the months that exist", err)
	}
}
