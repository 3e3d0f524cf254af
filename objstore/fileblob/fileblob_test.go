package fileblob_test

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/allot-dev/allot/objstore"
	"github.com/allot-dev/allot/objstore/fileblob"
	"github.com/allot-dev/allot/objstore/objstoretest"
)

func TestConformance(t *testing.T) {
	objstoretest.Run(t, func(t *testing.T) objstore.Bucket {
		return fileblob.New(t.TempDir())
	})
}

func TestConformanceMissingRoot(t *testing.T) {
	// A bucket whose folder does not exist yet behaves as an empty bucket.
	objstoretest.Run(t, func(t *testing.T) objstore.Bucket {
		return fileblob.New(filepath.Join(t.TempDir(), "not", "yet"))
	})
}

func TestOpenURL(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "export.csv")
	if err := os.WriteFile(file, []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		url        string
		wantRoot   string
		wantPrefix string
	}{
		{"folder", "file:" + dir, dir, ""},
		{"folder with slashes", "file://" + dir, dir, ""},
		{"existing file", "file:" + file, dir, "export.csv"},
		{"folder not created yet", "file:" + filepath.Join(dir, "later"), filepath.Join(dir, "later"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			b, prefix, err := fileblob.OpenURL(t.Context(), u)
			if err != nil {
				t.Fatalf("OpenURL(%s): %v", tt.url, err)
			}
			if got := b.(*fileblob.Bucket).Root(); got != tt.wantRoot {
				t.Errorf("root = %q, want %q", got, tt.wantRoot)
			}
			if prefix != tt.wantPrefix {
				t.Errorf("prefix = %q, want %q", prefix, tt.wantPrefix)
			}
		})
	}
	if _, _, err := fileblob.OpenURL(t.Context(), &url.URL{Scheme: "file"}); err == nil {
		t.Errorf("OpenURL(file:) succeeded, want an error naming the missing path")
	}
}

func TestKeyOutsideFolder(t *testing.T) {
	b := fileblob.New(t.TempDir())
	for _, key := range []string{"../escape.txt", "a/../../escape.txt", "/etc/passwd", ""} {
		if err := b.Put(t.Context(), key, strings.NewReader("x"), nil); err == nil {
			t.Errorf("Put(%q) succeeded, want an error", key)
		}
		if _, err := b.Stat(t.Context(), key); err == nil || errors.Is(err, objstore.ErrNotFound) {
			t.Errorf("Stat(%q) error = %v, want a key error, not ErrNotFound", key, err)
		}
	}
}

func TestTemporaryFilesHidden(t *testing.T) {
	dir := t.TempDir()
	// What a crash between write and rename leaves behind.
	if err := os.WriteFile(filepath.Join(dir, ".allot-tmp-123"), []byte("partial"), 0o644); err != nil {
		t.Fatal(err)
	}
	b := fileblob.New(dir)
	if err := b.Put(t.Context(), "done.csv", strings.NewReader("whole"), nil); err != nil {
		t.Fatal(err)
	}
	objs, err := b.List(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range objs {
		got = append(got, o.Key)
	}
	if want := []string{"done.csv"}; !slices.Equal(got, want) {
		t.Errorf("List = %q, want %q", got, want)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Errorf("folder holds %d entries after Put, want 2 (the old temporary file and done.csv)", len(entries))
	}
}
