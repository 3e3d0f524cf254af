package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/ledger"
	"github.com/allot-dev/allot/reports/gapreport"
)

// WriteFiles writes every file (names may hold "/"-separated folders) into
// dir so that a failure leaves none of them changed: all are written to
// temporary names beside their destinations first, then renamed into place.
// It returns the paths written.
func WriteFiles(dir string, files map[string][]byte) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("pipeline: output folder: %w", err)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	// Write and sync the temporary files in parallel: each sync waits on
	// the disk, and a run writes dozens of files.
	tmps := make([]string, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, n := range names {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			tmps[i], errs[i] = writeTemp(dir, n, files[n])
		})
	}
	wg.Wait()
	cleanup := func() {
		for _, t := range tmps {
			if t != "" {
				os.Remove(t)
			}
		}
	}
	for _, err := range errs {
		if err != nil {
			cleanup()
			return nil, err
		}
	}
	var out []string
	for i, n := range names {
		dst := filepath.Join(dir, filepath.FromSlash(n))
		if err := os.Rename(tmps[i], dst); err != nil {
			cleanup()
			return out, fmt.Errorf("pipeline: %w", err)
		}
		tmps[i] = ""
		out = append(out, dst)
	}
	return out, nil
}

// writeTemp writes one file's content to a synced temporary file beside
// its destination (a name may hold a folder: statements/search.md), so
// the rename that follows stays atomic.
func writeTemp(dir, name string, content []byte) (string, error) {
	sub := filepath.Dir(filepath.Join(dir, filepath.FromSlash(name)))
	if err := os.MkdirAll(sub, 0o755); err != nil {
		return "", fmt.Errorf("pipeline: output folder: %w", err)
	}
	f, err := os.CreateTemp(sub, ".allot-tmp-"+filepath.Base(name)+"-*")
	if err != nil {
		return "", fmt.Errorf("pipeline: %w", err)
	}
	_, err = bytes.NewReader(content).WriteTo(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("pipeline: write %s: %w", filepath.Join(dir, name), err)
	}
	return f.Name(), nil
}

// GapTrend reads the coverage of up to n months before p from the posted
// (or unchanged) allocation runs the ledger holds, for the tagging-gap
// report's trend.
func GapTrend(ctx context.Context, led *ledger.Ledger, p cost.Period, n int) ([]gapreport.TrendPoint, error) {
	if n <= 0 {
		return nil, nil
	}
	runs, err := led.Runs(ctx, ledger.RunFilter{Kind: ledger.RunAllocation})
	if err != nil {
		return nil, err
	}
	var rs []gapreport.RunSummary
	for _, r := range runs {
		if r.Status == ledger.StatusPosted || r.Status == ledger.StatusUnchanged {
			rs = append(rs, gapreport.RunSummary{RunID: r.ID, Period: r.Period, Summary: r.Summary})
		}
	}
	return gapreport.TrendFromRuns(rs, p, n)
}
