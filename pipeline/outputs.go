package pipeline

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// writeFiles writes every file into dir so that a failure leaves none of
// them changed: all are written to temporary names first, then renamed into
// place.
func writeFiles(dir string, files map[string][]byte) ([]string, error) {
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
