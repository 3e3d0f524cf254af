package focus_test

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/connectortest"
	"github.com/allot-dev/allot/connectors/focus"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/gen"
	"github.com/allot-dev/allot/internal/testutil"
	"github.com/allot-dev/allot/objstore/fileblob"
)

func driverFor(path string) *focus.Driver {
	dir, prefix := path, ""
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		dir, prefix = filepath.Dir(path), filepath.Base(path)
	}
	return focus.New(fileblob.New(dir), prefix)
}

// scanGroups reads every group ScanGroups yields, copying each item.
func scanGroups(t testing.TB, path string, p cost.Period) ([]cost.LineItem, error) {
	t.Helper()
	var out []cost.LineItem
	err := driverFor(path).ScanGroups(context.Background(), p, func(li *cost.LineItem) error {
		c := *li
		c.Tags = maps.Clone(li.Tags)
		out = append(out, c)
		return nil
	})
	return out, err
}

// compareGroups checks ScanGroups on path against Scan (see
// connectortest.Groups).
func compareGroups(t *testing.T, path string, p cost.Period) int {
	t.Helper()
	return connectortest.Groups(t, driverFor(path), p)
}

func TestGroupsMatchLines(t *testing.T) {
	dir := t.TempDir()
	writeParquetFixture(t, filepath.Join(dir, "pq", "focus.parquet"))
	for _, path := range []string{"testdata/csv", "testdata/csvgz", "testdata/csv/2026-10-part-1.csv",
		filepath.Join(dir, "pq"), "testdata/samples/focus_validator__sample.parquet"} {
		t.Run(path, func(t *testing.T) {
			p := oct
			if strings.Contains(path, "validator") {
				p = cost.Period{Year: 2024, Month: time.January}
			}
			compareGroups(t, path, p)
		})
	}
}

// TestGroupsGenerated compares the fast paths with the line reader on
// generated exports: many lines per group, untagged lines, E-notation,
// amounts with 12 fractional digits (the exact slow path), several files.
func TestGroupsGenerated(t *testing.T) {
	for _, file := range []string{gen.FileCSV, gen.FileCSVGzip, gen.FileParquet} {
		t.Run(file, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "g")
			_, err := gen.Generate(context.Background(), gen.Options{Rows: 20000, Format: gen.FormatFOCUS, File: file,
				Period: oct, Out: out, Seed: 7, Files: 3, Resources: 60, Accounts: 5, Teams: 4, LongDecimals: 0.05, RowGroup: 3000}, nil)
			if err != nil {
				t.Fatal(err)
			}
			n := compareGroups(t, filepath.Join(out, "data", "focus"), oct)
			if n < 50 || n > 20000/5 {
				t.Errorf("%d groups for 20000 lines: the data should merge into fewer, larger groups", n)
			}
		})
	}
}

func TestGroupsBadInput(t *testing.T) {
	for _, tc := range badInputCases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeCSV(t, "bad.csv", tc.content)
			compareGroups(t, p, oct) // the same error as Scan
			items, err := scanGroups(t, p, oct)
			var re *connectors.RowError
			if !errors.As(err, &re) {
				t.Fatalf("error = %v, want a *connectors.RowError", err)
			}
			if !errors.Is(err, tc.sentinel) || !errors.Is(err, connectors.ErrBadInput) {
				t.Errorf("error = %v, want one matching %v and connectors.ErrBadInput", err, tc.sentinel)
			}
			if re.Line != tc.line || re.Column != tc.column || !strings.HasSuffix(re.Object, "/bad.csv") {
				t.Errorf("RowError at %s line %d column %q, want bad.csv line %d column %q (%v)",
					re.Object, re.Line, re.Column, tc.line, tc.column, err)
			}
			if len(items) != 0 {
				t.Errorf("%d groups yielded before the error, want none", len(items))
			}
		})
	}
}

// TestGroupsFirstErrorAcrossFiles: with several bad files read in
// parallel, the error reported is the first in file order, as Scan's.
func TestGroupsFirstErrorAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString(hdr + "\n")
	for i := 0; i < 3000; i++ {
		b.WriteString(badRow + "\n")
	}
	good := b.String()
	os.WriteFile(filepath.Join(dir, "a.csv"), []byte(good), 0o644)
	os.WriteFile(filepath.Join(dir, "b.csv"), []byte(good+"2026-10-01T00:00:00Z,Usage,x,1,USD\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "c.csv"), []byte(hdr+"\n2026-10-01T00:00:00Z,Fee,1,1,USD\n"), 0o644)
	_, lerr := scanPeriod(t, dir, oct)
	_, gerr := scanGroups(t, dir, oct)
	var lre, gre *connectors.RowError
	if !errors.As(lerr, &lre) || !errors.As(gerr, &gre) {
		t.Fatalf("errors %v and %v, want RowErrors", lerr, gerr)
	}
	if lre.Object != gre.Object || lre.Line != gre.Line || lre.Column != gre.Column || !strings.HasSuffix(gre.Object, "/b.csv") {
		t.Fatalf("ScanGroups error %v, Scan error %v: want the same, in b.csv", gerr, lerr)
	}
}

func TestGroupsCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := driverFor("testdata/csv").ScanGroups(ctx, oct, func(*cost.LineItem) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
}

// TestGroupsMixedFormats: a folder of CSV and Parquet files is grouped
// as Scan reads it, and of two bad files the first in key order is
// reported, whichever format is read first.
func TestGroupsMixedFormats(t *testing.T) {
	type row struct {
		ChargePeriodStart time.Time `parquet:"ChargePeriodStart,timestamp(millisecond)"`
		ChargeCategory    string    `parquet:"ChargeCategory"`
		BillingCurrency   string    `parquet:"BillingCurrency"`
		BilledCost        *float64  `parquet:"BilledCost,optional"`
		EffectiveCost     float64   `parquet:"EffectiveCost"`
	}
	one := 1.25
	start := time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC)
	good := writeRows(t, []row{{start, "Usage", "USD", &one, 1}, {start, "Usage", "USD", &one, 2}})
	bad := writeRows(t, []row{{start, "Usage", "USD", &one, 1}, {start, "Usage", "USD", nil, 1}})
	csvGood := hdr + "\n" + badRow + "\n" + badRow + "\n"
	csvBad := hdr + "\n" + badRow + "\n2026-10-01T00:00:00Z,Usage,x,1,USD\n"
	copyTo := func(dir, name, from string) {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	t.Run("good", func(t *testing.T) {
		dir := t.TempDir()
		copyTo(dir, "a.parquet", good)
		os.WriteFile(filepath.Join(dir, "b.csv"), []byte(csvGood), 0o644)
		copyTo(dir, "c.parquet", good)
		compareGroups(t, dir, oct)
	})
	for _, tc := range []struct{ name, first, second string }{{"Parquet first", "a.parquet", "b.csv"}, {"CSV first", "a.csv", "b.parquet"}} {
		t.Run("bad, "+tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if strings.HasSuffix(tc.first, ".parquet") {
				copyTo(dir, tc.first, bad)
				os.WriteFile(filepath.Join(dir, tc.second), []byte(csvBad), 0o644)
			} else {
				os.WriteFile(filepath.Join(dir, tc.first), []byte(csvBad), 0o644)
				copyTo(dir, tc.second, bad)
			}
			compareGroups(t, dir, oct) // the same error as Scan
			_, err := scanGroups(t, dir, oct)
			var re *connectors.RowError
			if !errors.As(err, &re) || !strings.HasSuffix(re.Object, tc.first) {
				t.Fatalf("error = %v, want one in %s", err, tc.first)
			}
		})
	}
}

// FuzzDamagedCSV: whatever bytes of a FOCUS CSV file are changed, Scan
// and the grouped scan agree: the same items, or the same error at the
// same place, word for word.
func FuzzDamagedCSV(f *testing.F) {
	src, err := os.ReadFile("testdata/csv/2026-10-part-1.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint32(0), byte('"'), uint8(1), uint16(1))
	f.Add(uint32(200), byte(','), uint8(3), uint16(57))
	f.Add(uint32(90), byte('\n'), uint8(2), uint16(13))
	f.Fuzz(func(t *testing.T, at uint32, c byte, n uint8, stride uint16) {
		b := bytes.Clone(src)
		for k := range int(n) {
			b[(int(at)+k*int(stride))%len(b)] = c
		}
		path := filepath.Join(t.TempDir(), "f.csv")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		connectortest.Groups(t, driverFor(path), oct)
	})
}

// TestTruncatedGzipAtLineBoundary: a CSV.gz file cut off where its
// compressed stream ends a line decompresses to whole lines and then
// io.ErrUnexpectedEOF; both scans refuse it (the grouped scan once read
// the lines before the cut as the whole file).
func TestTruncatedGzipAtLineBoundary(t *testing.T) {
	src, err := os.ReadFile("testdata/csv/2026-10-part-1.csv")
	if err != nil {
		t.Fatal(err)
	}
	cutGz := testutil.GzipCutAtLine(src)
	path := filepath.Join(t.TempDir(), "f.csv.gz")
	if err := os.WriteFile(path, cutGz, 0o644); err != nil {
		t.Fatal(err)
	}
	connectortest.Groups(t, driverFor(path), oct)
	if _, err := scanAll(t, path); !errors.Is(err, connectors.ErrBadInput) {
		t.Fatalf("error = %v, want bad input", err)
	}
}

// FuzzDamagedGzip: whatever bytes of a FOCUS CSV.gz file's gzip stream are
// damaged or cut off, Scan and the grouped scan agree: the same items or
// the same error.
func FuzzDamagedGzip(f *testing.F) {
	src, err := os.ReadFile("testdata/csv/2026-10-part-1.csv")
	if err != nil {
		f.Fatal(err)
	}
	testutil.FuzzBytes(f, testutil.Gzip(src), func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "f.csv.gz")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		connectortest.Groups(t, driverFor(path), oct)
	})
}
