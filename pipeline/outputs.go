package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

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
	tmps := map[string]string{}
	cleanup := func() {
		for _, t := range tmps {
			os.Remove(t)
		}
	}
	for _, n := range names {
		// A name may hold a folder (statements/search.md): the temporary
		// file goes beside its destination so the rename stays atomic.
		sub := filepath.Dir(filepath.Join(dir, filepath.FromSlash(n)))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			cleanup()
			return nil, fmt.Errorf("pipeline: output folder: %w", err)
		}
		f, err := os.CreateTemp(sub, ".allot-tmp-"+filepath.Base(n)+"-*")
		if err != nil {
			cleanup()
			return nil, fmt.Errorf("pipeline: %w", err)
		}
		tmps[n] = f.Name()
		_, err = bytes.NewReader(files[n]).WriteTo(f)
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
			cleanup()
			return nil, fmt.Errorf("pipeline: write %s: %w", filepath.Join(dir, n), err)
		}
	}
	var out []string
	for _, n := range names {
		dst := filepath.Join(dir, filepath.FromSlash(n))
		if err := os.Rename(tmps[n], dst); err != nil {
			cleanup()
			return out, fmt.Errorf("pipeline: %w", err)
		}
		delete(tmps, n)
		out = append(out, dst)
	}
	return out, nil
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
