package awscur

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/connectortest"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/gen"
	"github.com/allot-dev/allot/objstore/fileblob"
	"github.com/google/go-cmp/cmp"
)

// TestGroupsParallel: on generated exports with thousands of groups, the
// items of ScanGroupsParallel, worker 0's first, then worker 1's, …, are
// exactly the items of ScanGroups in the same order, for any number of
// workers; and every worker gets a share.
func TestGroupsParallel(t *testing.T) {
	defer func(n int) { minChunk = n }(minChunk)
	minChunk = 16
	for _, file := range []string{gen.FileParquet, gen.FileCSVGzip} {
		t.Run(file, func(t *testing.T) {
			o := gen.Options{File: file, Rows: 20000, Format: gen.FormatAWSCUR2, Period: oct2026, Seed: 5, Files: 2,
				Resources: 60, Accounts: 5, Teams: 4, RowGroup: 3000, Out: filepath.Join(t.TempDir(), "g")}
			if _, err := gen.Generate(context.Background(), o, nil); err != nil {
				t.Fatal(err)
			}
			d := NewCUR2(fileblob.New(filepath.Join(o.Out, "data", "aws", "allot-bench")), "", nil)
			if n := connectortest.ParallelGroups(t, d, oct2026); n < 200 {
				t.Fatalf("%d groups: want hundreds, so that workers share them", n)
			}
		})
	}
}

// TestGroupsParallelErrors: a bad value fails ScanGroupsParallel with
// ScanGroups' error and yields nothing, wherever the bad group falls; when
// fn fails in several workers, the error is the lowest worker's.
func TestGroupsParallelErrors(t *testing.T) {
	defer func(n int) { minChunk = n }(minChunk)
	minChunk = 4
	header := minimalHeader + ",lineItem/ResourceId"
	rows := []string{header}
	for i := range 60 {
		cur := "USD"
		if i == 41 || i == 50 {
			cur = "dollars" // bad groups in the later workers' share
		}
		rows = append(rows, fmt.Sprintf("Usage,2026-10-01T00:00:00Z,1.5,%s,r%02d", cur, i))
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "cur.csv"), csvText(rows...))
	d := NewCUR(fileblob.New(dir), "cur.csv", nil)
	serialErr := d.ScanGroups(context.Background(), oct2026, func(*cost.LineItem) error { return nil })
	var re *connectors.RowError
	if !errors.As(serialErr, &re) || re.Line != 43 {
		t.Fatalf("ScanGroups: %v, want the bad currency of line 43", serialErr)
	}
	per, err := connectortest.ParallelItems(t, d, oct2026, 4)
	if err == nil || err.Error() != serialErr.Error() {
		t.Fatalf("4 workers: %v\nScanGroups: %v\nwant the same error", err, serialErr)
	}
	for w, items := range per {
		if len(items) > 0 {
			t.Errorf("worker %d yielded %d items before the error", w, len(items))
		}
	}

	// fn fails on every item of workers 1 and 2: worker 1's error is reported.
	writeFile(t, filepath.Join(dir, "cur.csv"), csvText(rows[:41]...))
	err = d.ScanGroupsParallel(context.Background(), oct2026, 3, func(w int, li *cost.LineItem) error {
		if w > 0 {
			return fmt.Errorf("worker %d refused %s", w, li.ResourceID)
		}
		return nil
	})
	chunks := connectors.Chunks(40, 3, minChunk)
	want := fmt.Sprintf("worker 1 refused r%02d", chunks[1][0])
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
}

func TestChunks(t *testing.T) {
	for _, tc := range []struct {
		n, workers, min int
		want            [][2]int
	}{
		{0, 4, 10, [][2]int{{0, 0}}},
		{15, 4, 10, [][2]int{{0, 15}}},
		{20, 4, 10, [][2]int{{0, 10}, {10, 20}}},
		{100, 3, 10, [][2]int{{0, 33}, {33, 66}, {66, 100}}},
		{100, 1, 1, [][2]int{{0, 100}}},
	} {
		if got := connectors.Chunks(tc.n, tc.workers, tc.min); !cmp.Equal(got, tc.want) {
			t.Errorf("Chunks(%d, %d, %d) = %v, want %v", tc.n, tc.workers, tc.min, got, tc.want)
		}
	}
}
