package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/allot-dev/allot/internal/testutil"
)

func TestGenHelpGolden(t *testing.T) {
	out, errOut, code := allot(t, "gen", "--help")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	testutil.AssertGolden(t, filepath.Join("testdata", "help", "gen_help.golden"), []byte(out))
}

func TestGenUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"gen", "--period", "2026-10", "--out", t.TempDir()},                                  // no --rows
		{"gen", "--rows", "10", "--period", "2026-13", "--out", t.TempDir()},                  // bad period
		{"gen", "--rows", "10", "--period", "2026-10", "--out", t.TempDir(), "--format", "x"}, // unknown format
		{"gen", "--rows", "10", "--period", "2026-10", "--out", t.TempDir(), "--format", "azure-export", "--file", "parquet"},
	} {
		if _, _, code := allot(t, args...); code == 0 {
			t.Errorf("allot %s: exit 0, want an error", strings.Join(args, " "))
		}
	}
}

// TestGenDeterministic: the same flags and seed give the same bytes,
// whatever the number of files written in parallel; another seed does not.
func TestGenDeterministic(t *testing.T) {
	for _, file := range []string{"parquet", "csv.gz"} {
		var digests []string
		for _, seed := range []string{"7", "7", "8"} {
			out := filepath.Join(t.TempDir(), "g")
			if _, e, code := allot(t, "gen", "--rows", "5000", "--files", "3", "--file", file, "--seed", seed,
				"--period", "2026-10", "--out", out); code != 0 {
				t.Fatalf("gen: %s", e)
			}
			var all bytes.Buffer
			filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					b, _ := os.ReadFile(p)
					rel, _ := filepath.Rel(out, p)
					all.WriteString(rel + "\n")
					all.Write(b)
				}
				return nil
			})
			digests = append(digests, all.String())
		}
		if digests[0] != digests[1] {
			t.Errorf("%s: two runs with seed 7 wrote different files", file)
		}
		if digests[0] == digests[2] {
			t.Errorf("%s: seeds 7 and 8 wrote the same files", file)
		}
	}
}

// TestGenThenRun: every format allot gen writes is read by allot run as
// written, with the configuration it writes; the bill's line count and
// the exact total agree with the files (counted here from the CSV rows).
func TestGenThenRun(t *testing.T) {
	for _, tc := range []struct{ format, file string }{
		{"aws-cur2", "parquet"}, {"aws-cur2", "csv.gz"}, {"focus", "csv"}, {"focus", "csv.gz"},
		{"focus", "parquet"}, {"azure-export", "csv"}, {"azure-export", "csv.gz"},
	} {
		t.Run(tc.format+"-"+tc.file, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "g")
			if _, e, code := allot(t, "gen", "--rows", "3000", "--format", tc.format, "--file", tc.file,
				"--files", "2", "--period", "2026-10", "--out", dir); code != 0 {
				t.Fatalf("gen: %s", e)
			}
			out := filepath.Join(t.TempDir(), "out")
			if _, e, code := allot(t, "run", "--config", filepath.Join(dir, "allot.yaml"), "--period", "2026-10", "--out", out); code != 0 {
				t.Fatalf("run: %s", e)
			}
			b, err := os.ReadFile(filepath.Join(out, "summary.json"))
			if err != nil {
				t.Fatal(err)
			}
			var sum struct {
				OK    bool `json:"ok"`
				Input struct {
					Lines int64 `json:"lines"`
				} `json:"input"`
			}
			if err := json.Unmarshal(b, &sum); err != nil {
				t.Fatal(err)
			}
			if !sum.OK || sum.Input.Lines != 3000 {
				t.Fatalf("summary: ok %v, %d lines; want ok and the 3000 generated lines", sum.OK, sum.Input.Lines)
			}
		})
	}
}
