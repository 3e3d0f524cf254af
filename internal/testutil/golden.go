// Package testutil holds test helpers shared by the project's packages:
// golden files with an -update flag and a readable unified diff, and a
// writer of Parquet MAP cells for fixtures.
package testutil

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files with the current output")

// Updating reports whether the test run was asked to rewrite golden files.
func Updating() bool { return *update }

// AssertGolden compares got with the golden file at path. With -update it
// writes got to path instead.
func AssertGolden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (go test -update rewrites it):\n%s", path, Diff(string(want), string(got)))
	}
}

// Diff returns a line diff of want and got: lines only in want start with
// "-", lines only in got with "+", a few lines of context around each change.
func Diff(want, got string) string {
	a := strings.SplitAfter(want, "\n")
	b := strings.SplitAfter(got, "\n")
	// Longest common subsequence table; golden files are small.
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type op struct {
		kind byte
		text string
	}
	var ops []op
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			ops = append(ops, op{' ', a[i]})
			i++
			j++
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			ops = append(ops, op{'+', b[j]})
			j++
		default:
			ops = append(ops, op{'-', a[i]})
			i++
		}
	}
	const context = 3
	var out strings.Builder
	lastPrinted := -1
	for k, o := range ops {
		if o.kind == ' ' {
			continue
		}
		start := max(k-context, lastPrinted+1)
		if start > lastPrinted+1 && lastPrinted >= 0 {
			out.WriteString("...\n")
		}
		for c := start; c < k; c++ {
			fmt.Fprintf(&out, " %s", ensureNL(ops[c].text))
		}
		fmt.Fprintf(&out, "%c%s", o.kind, ensureNL(o.text))
		lastPrinted = k
		// trailing context
		for c := k + 1; c < len(ops) && c <= k+context && ops[c].kind == ' '; c++ {
			nextChange := false
			for d := c; d <= k+context && d < len(ops); d++ {
				if ops[d].kind != ' ' {
					nextChange = true
				}
			}
			if nextChange {
				break
			}
			fmt.Fprintf(&out, " %s", ensureNL(ops[c].text))
			lastPrinted = c
		}
	}
	return out.String()
}

func ensureNL(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n\\ no newline at end\n"
}
