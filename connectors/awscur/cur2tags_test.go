package awscur

import (
	"context"
	"maps"
	"path/filepath"
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/objstore/fileblob"
	"github.com/google/go-cmp/cmp"
)

// TestCUR2TagKeys: CUR 2.0 writes resource_tags keys as user_<key> (the
// Athena spelling); they read as user:<key>, as Athena's
// resource_tags_user_<key> columns and the legacy resourceTags/user:<key>
// columns do, on the line reader and on the grouped fast path alike.
func TestCUR2TagKeys(t *testing.T) {
	header := "line_item_line_item_type,line_item_usage_start_date,line_item_unblended_cost,line_item_currency_code,line_item_resource_id,resource_tags,cost_category"
	dir := t.TempDir()
	src := csvText(header,
		`Usage,2026-10-01T00:00:00Z,1.5,USD,r1,"{""user_team"":""search"",""aws_createdby"":""alice"",""user_cost_center"":""cc-1""}","{""user_team"":""x""}"`,
		`Usage,2026-10-01T00:00:00Z,2.5,USD,r2,"{""user:team"":""support""}",{}`)
	writeFile(t, filepath.Join(dir, "cur2.csv"), src)
	writeFile(t, filepath.Join(dir, "cur2.parquet"), writeParquet(t, src, "double"))
	want := map[string]cost.Tags{
		"r1": {"user:team": "search", "aws:createdby": "alice", "user:cost_center": "cc-1", "costCategory/user_team": "x"},
		"r2": {"user:team": "support"},
	}
	for _, file := range []string{"cur2.csv", "cur2.parquet"} {
		d := NewCUR2(fileblob.New(dir), file, nil)
		testTagKeys(t, file, d, want)
	}
}

func testTagKeys(t *testing.T, file string, d *Driver, want map[string]cost.Tags) {
	t.Helper()
	for name, scan := range map[string]func(context.Context, cost.Period, func(*cost.LineItem) error) error{
		file + " Scan": d.Scan, file + " ScanGroups": d.ScanGroups,
	} {
		got := map[string]cost.Tags{}
		if err := scan(context.Background(), oct2026, func(li *cost.LineItem) error {
			got[li.ResourceID] = maps.Clone(li.Tags)
			return nil
		}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s: tags (-want +got):\n%s", name, d)
		}
	}
}
