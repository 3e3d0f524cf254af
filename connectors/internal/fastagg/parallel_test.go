package fastagg

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
)

// TestForEachThen checks that done(w) runs once per worker, after the last
// item the worker took, also when an item fails.
func TestForEachThen(t *testing.T) {
	for _, fail := range []int{-1, 5, 63} {
		t.Run(fmt.Sprintf("fail=%d", fail), func(t *testing.T) {
			const n, workers = 64, 3
			var items [workers]int64 // items run by each worker, only touched on its goroutine
			var closed [workers]atomic.Bool
			var doneCalls [workers]atomic.Int64
			var late atomic.Int64
			err := ForEachThen(context.Background(), n, workers, func(_ context.Context, w, i int) error {
				if closed[w].Load() {
					late.Add(1)
				}
				items[w]++
				if i == fail {
					return fmt.Errorf("item %d", i)
				}
				return nil
			}, func(w int) {
				closed[w].Store(true)
				doneCalls[w].Add(1)
			})
			if fail >= 0 {
				if err == nil || err.Error() != fmt.Sprintf("item %d", fail) {
					t.Fatalf("error = %v, want item %d", err, fail)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			var total int64
			for w := range workers {
				if c := doneCalls[w].Load(); c != 1 {
					t.Errorf("done(%d) called %d times, want once", w, c)
				}
				total += items[w]
			}
			if late.Load() != 0 {
				t.Errorf("%d items ran on a worker after its done", late.Load())
			}
			if fail < 0 && total != n {
				t.Errorf("%d items ran, want %d", total, n)
			}
			if fail >= 0 && total < int64(fail)+1 {
				t.Errorf("%d items ran, want at least every item up to the failing one", total)
			}
		})
	}
}
