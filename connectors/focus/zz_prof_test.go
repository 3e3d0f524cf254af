package focus_test

import (
	"context"
	"os"
	"testing"

	"github.com/allot-dev/allot/cost"
)

func BenchmarkProfileFile(b *testing.B) {
	path := os.Getenv("ALLOT_PROFILE_PATH")
	if path == "" {
		b.Skip()
	}
	for i := 0; i < b.N; i++ {
		n := int64(0)
		err := driverFor(path).ScanGroups(context.Background(), oct, func(li *cost.LineItem) error { n += li.Lines(); return nil })
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "lines")
	}
}

func TestProfileCount(t *testing.T) {
	path := os.Getenv("ALLOT_PROFILE_PATH")
	if path == "" {
		t.Skip()
	}
	n, lines := 0, int64(0)
	err := driverFor(path).ScanGroups(context.Background(), oct, func(li *cost.LineItem) error { n++; lines += li.Lines(); return nil })
	t.Logf("%d groups, %d lines, err %v", n, lines, err)
}
