package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/ledger"
	"github.com/allot-dev/allot/reports/gapreport"
)

// WriteFiles writes every file (names may hold "/"-separated folders) into
// dir so that a failure leaves none of them changed: all are written to
// temporary names beside their destinations first, then renamed into place.
// It returns the paths written.
func WriteFiles(dir string, files map[string][]byte) ([]string, error) {
	st, err := StageFiles(dir, files)
	if err != nil {
		return nil, err
	}
	return st.Commit()
}

// Staged is a set of files written and synced under temporary names,
// waiting for Commit to rename them into place or Discard to remove them.
type Staged struct {
	dir   string
	names []string
	tmps  []string
}

// StageFiles writes and syncs every file under a temporary name beside its
// destination in dir, in parallel (each sync waits on the disk, and a run
// writes dozens of files). Nothing in dir changes until Commit; on an error
// nothing is left behind.
func StageFiles(dir string, files map[string][]byte) (*Staged, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("pipeline: output folder: %w", err)
	}
	st := &Staged{dir: dir, names: make([]string, 0, len(files))}
	for n := range files {
		st.names = append(st.names, n)
	}
	sort.Strings(st.names)
	removeStaleTemps(dir, st.names, time.Now().Add(-staleTemp))
	st.tmps = make([]string, len(st.names))
	errs := make([]error, len(st.names))
	// Where the system can flush a whole filesystem at once (syncfs on
	// Linux), the files are written unsynced and flushed by one call: one
	// journal commit instead of one per file, which is most of the time a
	// run spends writing its dozens of files. Elsewhere each file is synced
	// as it is written.
	batch := canSyncFS
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, n := range st.names {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			st.tmps[i], errs[i] = writeTemp(dir, n, files[n], !batch)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			st.Discard()
			return nil, err
		}
	}
	if batch {
		if err := syncFS(dir); err != nil {
			st.Discard()
			return nil, fmt.Errorf("pipeline: flush %s: %w", dir, err)
		}
	}
	return st, nil
}

// Commit renames the staged files into place and returns their paths. On
// an error the files not yet renamed are removed.
func (st *Staged) Commit() ([]string, error) {
	var out []string
	for i, n := range st.names {
		dst := filepath.Join(st.dir, filepath.FromSlash(n))
		if err := os.Rename(st.tmps[i], dst); err != nil {
			st.Discard()
			return out, fmt.Errorf("pipeline: %w", err)
		}
		st.tmps[i] = ""
		out = append(out, dst)
	}
	return out, nil
}

// Discard removes the staged files not yet renamed.
func (st *Staged) Discard() {
	for i, t := range st.tmps {
		if t != "" {
			os.Remove(t)
			st.tmps[i] = ""
		}
	}
}

// staleTemp is how old a temporary file must be for StageFiles to remove
// it as left by a process killed between staging and renaming (runs of
// one period never overlap, so a younger one may be a live run's).
const staleTemp = time.Hour

// removeStaleTemps removes the temporary files older than before in the
// folders names are written to (dir and its subfolders among names).
func removeStaleTemps(dir string, names []string, before time.Time) {
	dirs := map[string]bool{dir: true}
	for _, n := range names {
		dirs[filepath.Dir(filepath.Join(dir, filepath.FromSlash(n)))] = true
	}
	for d := range dirs {
		matches, _ := filepath.Glob(filepath.Join(d, tempPrefix+"*"))
		for _, m := range matches {
			if fi, err := os.Lstat(m); err == nil && fi.Mode().IsRegular() && fi.ModTime().Before(before) {
				os.Remove(m)
			}
		}
	}
}

// tempPrefix starts the names of staged files.
const tempPrefix = ".allot-tmp-"

// writeTemp writes one file's content to a temporary file beside its
// destination, synced when sync is set, (a name may hold a folder: statements/search.md), so
// the rename that follows stays atomic.
func writeTemp(dir, name string, content []byte, sync bool) (string, error) {
	sub := filepath.Dir(filepath.Join(dir, filepath.FromSlash(name)))
	if err := os.MkdirAll(sub, 0o755); err != nil {
		return "", fmt.Errorf("pipeline: output folder: %w", err)
	}
	f, err := os.CreateTemp(sub, tempPrefix+filepath.Base(name)+"-*")
	if err != nil {
		return "", fmt.Errorf("pipeline: %w", err)
	}
	_, err = bytes.NewReader(content).WriteTo(f)
	if err == nil && sync {
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
