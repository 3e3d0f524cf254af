package azblobstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/allot-dev/allot/objstore"
)

// Scheme is the URL scheme OpenURL serves.
const Scheme = "azblob"

// Block sizes and counts Azure imposes on block blobs.
const (
	DefaultBlockSize = 8 << 20
	MaxBlockSize     = 4000 << 20
	MaxBlocks        = 50000
)

// Options tune a Bucket. The zero value means the defaults.
type Options struct {
	// BlockSize is the size of each staged block, and the largest body Put
	// sends in one Put Blob. Default DefaultBlockSize; values above
	// MaxBlockSize are lowered to it. Put holds at most Concurrency+1
	// blocks in memory.
	BlockSize int64
	// Concurrency is how many blocks are staged at once. Default 4.
	Concurrency int
	// ListPageSize is the MaxResults of each List Blobs call. Default 0
	// lets the service choose (5,000).
	ListPageSize int32
}

// Bucket is one Azure Blob Storage container.
type Bucket struct {
	client             *container.Client
	account, container string
	opts               Options
}

var _ objstore.Bucket = (*Bucket)(nil)

// New returns the container named containerName of account, reached
// through client, with the default Options. account is used in String and
// errors only.
func New(client *container.Client, account, containerName string) *Bucket {
	return NewWithOptions(client, account, containerName, nil)
}

// NewWithOptions is New with Options. A nil opts means the defaults.
func NewWithOptions(client *container.Client, account, containerName string, opts *Options) *Bucket {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.BlockSize <= 0 {
		o.BlockSize = DefaultBlockSize
	}
	if o.BlockSize > MaxBlockSize {
		o.BlockSize = MaxBlockSize
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	return &Bucket{client: client, account: account, container: containerName, opts: o}
}

// String names the account and container. It never contains credentials.
func (b *Bucket) String() string { return "azblob://" + b.account + "/" + b.container }

func (b *Bucket) where(key string) string { return b.String() + "/" + key }

// List returns the blobs whose name starts with prefix, sorted by name.
// Names ending in "/" (folder markers) are not objects and are left out.
func (b *Bucket) List(ctx context.Context, prefix string) ([]objstore.Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("azblobstore: list %s: %w", b.where(prefix), err)
	}
	in := &container.ListBlobsFlatOptions{}
	if prefix != "" {
		in.Prefix = to.Ptr(prefix)
	}
	if b.opts.ListPageSize > 0 {
		in.MaxResults = to.Ptr(b.opts.ListPageSize)
	}
	var out []objstore.Object
	pages := b.client.NewListBlobsFlatPager(in)
	for pages.More() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, b.wrap(ctx, "list", prefix, err)
		}
		for _, item := range page.Segment.BlobItems {
			name := deref(item.Name)
			if strings.HasSuffix(name, "/") || item.Properties == nil {
				continue
			}
			o := objstore.Object{Key: name, Size: deref(item.Properties.ContentLength)}
			if item.Properties.LastModified != nil {
				o.ModTime = item.Properties.LastModified.UTC()
			}
			if item.Properties.ETag != nil {
				o.ETag = string(*item.Properties.ETag)
			}
			out = append(out, o)
		}
	}
	// The service lists in name order already; the sort keeps the
	// contract whatever the server.
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Stat describes one blob with Get Blob Properties.
func (b *Bucket) Stat(ctx context.Context, key string) (objstore.Object, error) {
	if err := checkKey(key); err != nil {
		return objstore.Object{}, fmt.Errorf("azblobstore: stat %s: %w", b.where(key), err)
	}
	if err := ctx.Err(); err != nil {
		return objstore.Object{}, fmt.Errorf("azblobstore: stat %s: %w", b.where(key), err)
	}
	p, err := b.client.NewBlobClient(key).GetProperties(ctx, nil)
	if err != nil {
		return objstore.Object{}, b.wrap(ctx, "stat", key, err)
	}
	o := objstore.Object{Key: key, Size: deref(p.ContentLength)}
	if p.LastModified != nil {
		o.ModTime = p.LastModified.UTC()
	}
	if p.ETag != nil {
		o.ETag = string(*p.ETag)
	}
	return o, nil
}

// Open streams one blob with Get Blob. The body is read from the network
// as the caller reads; reads fail with an error wrapping ctx.Err() once ctx
// is done.
func (b *Bucket) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, fmt.Errorf("azblobstore: open %s: %w", b.where(key), err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("azblobstore: open %s: %w", b.where(key), err)
	}
	resp, err := b.client.NewBlobClient(key).DownloadStream(ctx, nil)
	if err != nil {
		return nil, b.wrap(ctx, "open", key, err)
	}
	return &body{ctx: ctx, rc: resp.Body, where: b.where(key)}, nil
}

// body names the blob in read errors, reports a cancelled context as such,
// and keeps URLs out of the message.
type body struct {
	ctx   context.Context
	rc    io.ReadCloser
	where string
}

func (r *body) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	if err != nil && err != io.EOF {
		if cerr := r.ctx.Err(); cerr != nil {
			return n, fmt.Errorf("azblobstore: read %s: %w", r.where, cerr)
		}
		return n, &sdkError{msg: "azblobstore: read " + r.where + ": " + redactURLs(err.Error()), err: err}
	}
	return n, err
}

func (r *body) Close() error { return r.rc.Close() }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func checkKey(key string) error {
	if key == "" {
		return errors.New("empty key")
	}
	return nil
}

// sdkError carries an SDK error for errors.Is and errors.As with a message
// of its own: a short status and code for service errors, and no URL query
// (which may hold a SAS signature) for transport errors.
type sdkError struct {
	msg string
	err error
}

func (e *sdkError) Error() string { return e.msg }
func (e *sdkError) Unwrap() error { return e.err }

var urlQuery = regexp.MustCompile(`(https?://[^\s"?]*)\?[^\s"]*`)

// redactURLs drops the query of every URL in s.
func redactURLs(s string) string { return urlQuery.ReplaceAllString(s, "$1?REDACTED") }

// describe says what went wrong without credentials.
func describe(err error) string {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		if re.ErrorCode != "" {
			return fmt.Sprintf("HTTP %d %s", re.StatusCode, re.ErrorCode)
		}
		return fmt.Sprintf("HTTP %d", re.StatusCode)
	}
	return redactURLs(err.Error())
}

func statusOf(err error) (code string, status int) {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return re.ErrorCode, re.StatusCode
	}
	return "", 0
}

// wrap maps an SDK error of op on key: a missing blob wraps
// objstore.ErrNotFound, a missing container says so, a cancelled context
// wraps ctx.Err().
func (b *Bucket) wrap(ctx context.Context, op, key string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("azblobstore: %s %s: %w", op, b.where(key), cerr)
	}
	code, status := statusOf(err)
	switch {
	case bloberror.HasCode(err, bloberror.ContainerNotFound):
		return &sdkError{msg: fmt.Sprintf("azblobstore: %s %s: container %q does not exist in account %q (check the URL and endpoint)",
			op, b.where(key), b.container, b.account), err: err}
	case (op == "stat" || op == "open") && (bloberror.HasCode(err, bloberror.BlobNotFound) || (status == 404 && code == "")):
		return fmt.Errorf("azblobstore: %s %s: %w", op, b.where(key), objstore.ErrNotFound)
	}
	return &sdkError{msg: fmt.Sprintf("azblobstore: %s %s: %s", op, b.where(key), describe(err)), err: err}
}
