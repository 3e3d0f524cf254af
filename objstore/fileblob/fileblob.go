// Package fileblob implements objstore.Bucket over a local folder.
//
// Keys are "/"-separated paths relative to the folder. Put writes to a
// temporary file in the destination folder and renames it into place, so a
// reader never sees a partial file; the rename is atomic only within one
// file system. With IfNotExists, Put links the temporary file to its final
// name, which fails if the name exists.
package fileblob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/allot-dev/allot/objstore"
)

// Scheme is the URL scheme this package registers.
const Scheme = "file"

// Bucket is a folder on the local disk.
type Bucket struct {
	root string
}

var _ objstore.Bucket = (*Bucket)(nil)

// New returns a bucket rooted at dir. The folder need not exist yet.
func New(dir string) *Bucket { return &Bucket{root: filepath.Clean(dir)} }

// Root returns the folder the bucket reads and writes.
func (b *Bucket) Root() string { return b.root }

// OpenURL opens a file: URL. A URL naming an existing file opens its folder
// with the file's name as the prefix; any other URL opens the named folder
// with an empty prefix.
func OpenURL(_ context.Context, u *url.URL) (objstore.Bucket, string, error) {
	p := u.Opaque
	if p == "" {
		p = u.Path
		if u.Host != "" && u.Host != "localhost" {
			p = u.Host + "/" + strings.TrimPrefix(p, "/")
		}
	}
	if p == "" {
		return nil, "", fmt.Errorf("fileblob: URL %q names no path; write file:PATH", u.String())
	}
	// Absolute paths make provenance (the object a figure came from)
	// meaningful wherever a report is read.
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	if st, err := os.Stat(p); err == nil && !st.IsDir() {
		return New(filepath.Dir(p)), filepath.Base(p), nil
	}
	return New(p), "", nil
}

func (b *Bucket) path(key string) (string, error) {
	clean := filepath.Clean(filepath.FromSlash(key))
	if clean == "." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) || clean == ".." || filepath.IsAbs(clean) {
		return "", fmt.Errorf("fileblob: key %q leaves the folder %s", key, b.root)
	}
	return filepath.Join(b.root, clean), nil
}

// String returns the folder path.
func (b *Bucket) String() string { return "file:" + b.root }

// List walks the folder and returns files whose key starts with prefix.
func (b *Bucket) List(ctx context.Context, prefix string) ([]objstore.Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fileblob: list %s/%s: %w", b.root, prefix, err)
	}
	var out []objstore.Object
	err := filepath.WalkDir(b.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == b.root {
				return fs.SkipAll
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".allot-tmp-") {
			return nil
		}
		rel, err := filepath.Rel(b.root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out = append(out, objstore.Object{Key: key, Size: info.Size(), ModTime: info.ModTime().UTC()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("fileblob: list %s/%s: %w", b.root, prefix, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Stat describes one file.
func (b *Bucket) Stat(ctx context.Context, key string) (objstore.Object, error) {
	p, err := b.path(key)
	if err != nil {
		return objstore.Object{}, err
	}
	if err := ctx.Err(); err != nil {
		return objstore.Object{}, fmt.Errorf("fileblob: stat %s: %w", p, err)
	}
	info, err := os.Stat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return objstore.Object{}, fmt.Errorf("fileblob: %s: %w", p, objstore.ErrNotFound)
		}
		return objstore.Object{}, fmt.Errorf("fileblob: %w", err)
	}
	if info.IsDir() {
		return objstore.Object{}, fmt.Errorf("fileblob: %s is a folder: %w", p, objstore.ErrNotFound)
	}
	return objstore.Object{Key: key, Size: info.Size(), ModTime: info.ModTime().UTC()}, nil
}

// Open opens one file for reading. Reads fail with ctx.Err() once ctx is
// done.
func (b *Bucket) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	p, err := b.path(key)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fileblob: open %s: %w", p, err)
	}
	f, err := os.Open(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("fileblob: %s: %w", p, objstore.ErrNotFound)
		}
		return nil, fmt.Errorf("fileblob: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("fileblob: %w", err)
	}
	if info.IsDir() {
		f.Close()
		return nil, fmt.Errorf("fileblob: %s is a folder: %w", p, objstore.ErrNotFound)
	}
	return ctxFile{objstore.ContextReader{Ctx: ctx, R: f}, f}, nil
}

// ctxFile is an open file whose reads stop once its context is done.
type ctxFile struct {
	objstore.ContextReader
	f *os.File
}

func (c ctxFile) Close() error { return c.f.Close() }

// ReadAt reads the file in place, so that readers needing random access
// (Parquet) do not copy it; it fails with ctx.Err() once ctx is done.
func (c ctxFile) ReadAt(p []byte, off int64) (int, error) {
	if err := c.Ctx.Err(); err != nil {
		return 0, err
	}
	return c.f.ReadAt(p, off)
}

// Stat describes the open file.
func (c ctxFile) Stat() (fs.FileInfo, error) { return c.f.Stat() }

// Put writes body to a temporary file beside key, syncs it and renames it
// into place (or links it, with IfNotExists).
func (b *Bucket) Put(ctx context.Context, key string, body io.Reader, opts *objstore.PutOptions) (err error) {
	p, err := b.path(key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("fileblob: put %s: %w", p, err)
	}
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("fileblob: %w", err)
	}
	if opts != nil && opts.IfNotExists {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("fileblob: %s: %w", p, objstore.ErrExists)
		}
	}
	tmp, err := os.CreateTemp(dir, ".allot-tmp-*")
	if err != nil {
		return fmt.Errorf("fileblob: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = io.Copy(tmp, objstore.ContextReader{Ctx: ctx, R: body}); err != nil {
		return fmt.Errorf("fileblob: write %s: %w", p, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("fileblob: sync %s: %w", p, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("fileblob: close %s: %w", p, err)
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("fileblob: %w", err)
	}
	if opts != nil && opts.IfNotExists {
		if err = os.Link(tmp.Name(), p); err != nil {
			if errors.Is(err, fs.ErrExist) {
				err = fmt.Errorf("fileblob: %s: %w", p, objstore.ErrExists)
				return err
			}
			return fmt.Errorf("fileblob: %w", err)
		}
		os.Remove(tmp.Name())
		return syncDir(dir)
	}
	if err = os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("fileblob: %w", err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer d.Close()
	_ = d.Sync() // best effort: not every file system supports it
	return nil
}
