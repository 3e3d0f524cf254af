package connectortest

import (
	"context"
	"maps"
	"sync/atomic"
	"testing"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/cost"
	"github.com/google/go-cmp/cmp"
)

// ParallelItems runs d.ScanGroupsParallel and returns the items each
// worker yielded, in the order it yielded them; it fails the test when a
// worker index is out of range or two calls of one worker overlap.
func ParallelItems(t *testing.T, d connectors.ParallelGroupScanner, p cost.Period, workers int) ([][]cost.LineItem, error) {
	t.Helper()
	out := make([][]cost.LineItem, workers)
	busy := make([]atomic.Bool, workers)
	err := d.ScanGroupsParallel(context.Background(), p, workers, func(w int, li *cost.LineItem) error {
		if w < 0 || w >= workers {
			t.Errorf("worker %d of %d", w, workers)
			return nil
		}
		if !busy[w].CompareAndSwap(false, true) {
			t.Errorf("two calls of worker %d at once", w)
		}
		defer busy[w].Store(false)
		c := *li
		c.Tags = maps.Clone(li.Tags)
		out[w] = append(out[w], c)
		return nil
	})
	return out, err
}

// ParallelGroups checks ParallelGroupScanner's contract on a scan of
// many groups (the caller lowers the driver's smallest share so that they
// are shared out): the items of workers 0, 1, … in turn are exactly the
// items of one worker, in the same order, for several numbers of workers,
// and every worker gets a share. It returns the number of items.
func ParallelGroups(t *testing.T, d connectors.ParallelGroupScanner, p cost.Period) int {
	t.Helper()
	serial, err := ParallelItems(t, d, p, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := serial[0]
	for _, workers := range []int{2, 3, 7} {
		per, err := ParallelItems(t, d, p, workers)
		if err != nil {
			t.Fatalf("%d workers: %v", workers, err)
		}
		var got []cost.LineItem
		for w, items := range per {
			if len(items) == 0 {
				t.Errorf("%d workers: worker %d yielded nothing", workers, w)
			}
			got = append(got, items...)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%d workers: items differ from one worker's (-one +several):\n%s", workers, diff)
		}
	}
	return len(want)
}
