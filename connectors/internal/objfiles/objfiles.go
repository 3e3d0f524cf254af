// Package objfiles finds the data files of a file-based source (FOCUS
// exports, gateway usage records): the single object a source URL names,
// or every object under the folder it names whose extension the source
// kind reads, sorted by key.
package objfiles

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/objstore"
)

// File is one data file.
type File struct {
	Obj    objstore.Object
	Format int    // what Lister.Format returned for its key
	Name   string // bucket and key, for provenance and errors
}

// Lister lists a source's data files.
type Lister struct {
	Bucket objstore.Bucket
	Prefix string
	// Kind prefixes error messages ("focus", "gateway").
	Kind string
	// Format maps a key to a file format, or false for a file the kind
	// does not read.
	Format func(key string) (int, bool)
	// Exts describes the extensions read, for messages: ".csv, .csv.gz or .parquet".
	Exts string
	// What names a data file in messages: "a FOCUS file", "a usage file".
	What string
	// ErrBadFile is the kind's sentinel for a single named object of
	// another format.
	ErrBadFile error
}

// Name returns the bucket and key of an object, for provenance.
func (l *Lister) Name(key string) string {
	return strings.TrimSuffix(l.Bucket.String(), "/") + "/" + key
}

// Where describes the source's location for messages.
func (l *Lister) Where() string {
	if l.Prefix == "" {
		return l.Bucket.String()
	}
	return l.Name(l.Prefix)
}

// Files lists the objects a scan reads, sorted by key: the object Prefix
// names if it exists (whatever its extension must be one the kind reads),
// else every object under the folder Prefix whose extension the kind
// reads. No such object is an error wrapping connectors.ErrNotFound.
func (l *Lister) Files(ctx context.Context) ([]File, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if l.Prefix != "" && !strings.HasSuffix(l.Prefix, "/") {
		obj, err := l.Bucket.Stat(ctx, l.Prefix)
		if err == nil {
			f, ok := l.Format(obj.Key)
			if !ok {
				return nil, fmt.Errorf("%s: %s: %w: %s must end in %s", l.Kind, l.Name(obj.Key), l.ErrBadFile, l.What, l.Exts)
			}
			return []File{{Obj: obj, Format: f, Name: l.Name(obj.Key)}}, nil
		}
		if !errors.Is(err, objstore.ErrNotFound) {
			return nil, fmt.Errorf("%s: %w", l.Kind, err)
		}
	}
	folder := l.Prefix
	if folder != "" && !strings.HasSuffix(folder, "/") {
		folder += "/"
	}
	objs, err := l.Bucket.List(ctx, folder)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", l.Kind, err)
	}
	var out []File
	for _, o := range objs {
		if f, ok := l.Format(o.Key); ok {
			out = append(out, File{Obj: o, Format: f, Name: l.Name(o.Key)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Obj.Key < out[j].Obj.Key })
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no %s file under %s: %w", l.Kind, l.Exts, l.Where(), connectors.ErrNotFound)
	}
	return out, nil
}

// OpenStore opens a source URL through env.Store for a kind that takes no
// options: any key in cfg.Options is an error wrapping errUnknownOption.
func OpenStore(ctx context.Context, env connectors.Env, cfg connectors.Config, kind string, errUnknownOption error) (objstore.Bucket, string, error) {
	if len(cfg.Options) > 0 {
		keys := make([]string, 0, len(cfg.Options))
		for k := range cfg.Options {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return nil, "", fmt.Errorf("%s: %w %q: the %s kind takes no options; remove it from the source", kind, errUnknownOption, keys[0], kind)
	}
	if env.Store == nil {
		return nil, "", fmt.Errorf("%s: no object store in the environment (connectors.Env.Store is nil)", kind)
	}
	b, prefix, err := env.Store.Open(ctx, cfg.URL)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", kind, err)
	}
	return b, prefix, nil
}

// Fingerprints fingerprints each file for connectors.InputLister: the
// store's ETag when it has one, otherwise a SHA-256 of the object's bytes.
// read reads one file far enough to tell whether it holds anything of the
// period, writing every byte it reads to h when h is not nil, to the end
// of the object; found reports whether any file does. The inputs come out
// sorted by object.
func Fingerprints[F any](files []F, info func(F) (objstore.Object, string), read func(f F, h hash.Hash) (inPeriod bool, err error)) (inputs []connectors.Input, found bool, err error) {
	inputs = make([]connectors.Input, 0, len(files))
	for _, f := range files {
		obj, name := info(f)
		var h hash.Hash
		fp := ""
		if obj.ETag != "" {
			fp = "etag:" + obj.ETag
		} else {
			h = sha256.New()
		}
		in, err := read(f, h)
		if err != nil {
			return nil, false, err
		}
		found = found || in
		if h != nil {
			fp = "sha256:" + hex.EncodeToString(h.Sum(nil))
		}
		inputs = append(inputs, connectors.Input{Object: name, Fingerprint: fp, Size: obj.Size})
	}
	sort.Slice(inputs, func(i, j int) bool { return inputs[i].Object < inputs[j].Object })
	return inputs, found, nil
}

// ReaderAt gives random access to an open object (Parquet needs it): rc
// itself when the store returned a local file (an io.ReaderAt; its size is
// its Stat's, else size), or else a temporary file in dir ("" for the
// system's) that rc is copied to, so that memory stays bounded and the
// disk holds one object. A negative size means unknown: rc must then
// have a Stat to be read in place. When h is not nil every byte of the
// object is written to h. cleanup removes the temporary file; it does not
// close rc. Reading stops with ctx.Err() once ctx is done.
func ReaderAt(ctx context.Context, rc io.Reader, size int64, dir string, h hash.Hash) (ra io.ReaderAt, n int64, cleanup func(), err error) {
	if f, ok := rc.(io.ReaderAt); ok {
		if st, ok := rc.(interface{ Stat() (fs.FileInfo, error) }); ok {
			if info, err := st.Stat(); err == nil {
				size = info.Size()
			}
		}
		if size >= 0 {
			if h != nil {
				if _, err := io.Copy(h, objstore.ContextReader{Ctx: ctx, R: io.NewSectionReader(f, 0, size)}); err != nil {
					return nil, 0, nil, err
				}
			}
			return f, size, func() {}, nil
		}
	}
	tmp, err := os.CreateTemp(dir, "allot-*.parquet")
	if err != nil {
		return nil, 0, nil, err
	}
	cleanup = func() { tmp.Close(); os.Remove(tmp.Name()) }
	var w io.Writer = tmp
	if h != nil {
		w = io.MultiWriter(tmp, h)
	}
	if n, err = io.Copy(w, objstore.ContextReader{Ctx: ctx, R: rc}); err != nil {
		cleanup()
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, 0, nil, ctxErr
		}
		return nil, 0, nil, err
	}
	return tmp, n, cleanup, nil
}

// ErrStop ends a probe once it has seen what it needs (see Probe).
var ErrStop = errors.New("objfiles: stop")

// Probe runs scan, giving it a yield that it calls with each item, until
// in accepts one, and reports whether one did. yield then returns
// ErrStop, which scan returns.
func Probe[T any](scan func(yield func(T) error) error, in func(T) bool) (bool, error) {
	found := false
	err := scan(func(x T) error {
		if in(x) {
			found = true
			return ErrStop
		}
		return nil
	})
	if errors.Is(err, ErrStop) {
		err = nil
	}
	return found, err
}

// HashRest writes what is left of an object's reader r to h, so that h
// holds the whole object, when h is not nil and the read before stopped
// cleanly (its error err is nil or ErrStop).
func HashRest(ctx context.Context, h hash.Hash, r io.Reader, err error) error {
	if h == nil || (err != nil && !errors.Is(err, ErrStop)) {
		return nil
	}
	_, cerr := io.Copy(h, objstore.ContextReader{Ctx: ctx, R: r})
	return cerr
}
