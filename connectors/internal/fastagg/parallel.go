package fastagg

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// ForEach calls fn(ctx, w, i) for every i in [0, n) on workers goroutines
// (GOMAXPROCS when 0); w in [0, workers) names the goroutine, so fn can
// keep per-worker state. Items are handed out in order. Once an item
// fails, items after it are skipped but those before it still run, so the
// error returned is the one of the lowest failing item: the same error a
// sequential loop would return.
func ForEach(ctx context.Context, n, workers int, fn func(ctx context.Context, w, i int) error) error {
	return ForEachThen(ctx, n, workers, fn, nil)
}

// ForEachThen is ForEach, then done(w) on worker w's goroutine once it
// finds no item left to take (done may be nil). A worker's closing work
// (flushing what it buffered) then overlaps with the items the others are
// still on, instead of waiting for the slowest. done is called for every w
// in [0, min(workers, n)), also after a failure.
func ForEachThen(ctx context.Context, n, workers int, fn func(ctx context.Context, w, i int) error, done func(w int)) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > n {
		workers = n
	}
	var next atomic.Int64
	var failed atomic.Int64
	failed.Store(int64(n))
	errs := make([]error, n)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			if done != nil {
				defer done(w)
			}
			for {
				i := next.Add(1) - 1
				if i >= int64(n) || i > failed.Load() {
					return
				}
				err := ctx.Err()
				if err == nil {
					err = fn(ctx, w, int(i))
				}
				if err != nil {
					errs[i] = err
					for {
						f := failed.Load()
						if i >= f || failed.CompareAndSwap(f, i) {
							break
						}
					}
				}
			}
		}(w)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
