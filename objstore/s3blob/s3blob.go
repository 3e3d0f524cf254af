package s3blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/allot-dev/allot/objstore"
)

// Scheme is the URL scheme OpenURL serves.
const Scheme = "s3"

// Part sizes and counts S3 imposes on multipart uploads.
const (
	MinPartSize     = 5 << 20
	DefaultPartSize = 8 << 20
	MaxParts        = 10000
)

// Options tune a Bucket. The zero value means the defaults.
type Options struct {
	// PartSize is the size of each part of a multipart upload, and the
	// largest body Put sends in one PutObject. Default DefaultPartSize;
	// values below MinPartSize are raised to it. Put holds at most
	// Concurrency+1 parts in memory.
	PartSize int64
	// Concurrency is how many parts upload at once. Default 4.
	Concurrency int
	// ListPageSize is the MaxKeys of each ListObjectsV2 call. Default 0
	// lets the server choose (1,000 on AWS).
	ListPageSize int32
}

// Bucket is an S3 bucket, or a bucket on an S3-compatible server.
type Bucket struct {
	client   *s3.Client
	bucket   string
	endpoint string // for String only; empty for AWS
	opts     Options
}

var _ objstore.Bucket = (*Bucket)(nil)

// New returns the bucket named bucket, reached through client, with the
// default Options.
func New(client *s3.Client, bucket string) *Bucket {
	return NewWithOptions(client, bucket, nil)
}

// NewWithOptions returns the bucket named bucket, reached through client.
// A nil opts means the defaults.
func NewWithOptions(client *s3.Client, bucket string, opts *Options) *Bucket {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.PartSize == 0 {
		o.PartSize = DefaultPartSize
	}
	if o.PartSize < MinPartSize {
		o.PartSize = MinPartSize
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	return &Bucket{client: client, bucket: bucket, opts: o}
}

// String names the bucket, and the server when it is not AWS. It never
// contains credentials.
func (b *Bucket) String() string {
	if b.endpoint != "" {
		return "s3://" + b.bucket + " at " + b.endpoint
	}
	return "s3://" + b.bucket
}

func (b *Bucket) where(key string) string { return "s3://" + b.bucket + "/" + key }

// List returns the objects whose key starts with prefix, sorted by key.
// Keys ending in "/" (folder markers) are not objects and are left out.
func (b *Bucket) List(ctx context.Context, prefix string) ([]objstore.Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("s3blob: list %s: %w", b.where(prefix), err)
	}
	in := &s3.ListObjectsV2Input{Bucket: aws.String(b.bucket)}
	if prefix != "" {
		in.Prefix = aws.String(prefix)
	}
	if b.opts.ListPageSize > 0 {
		in.MaxKeys = aws.Int32(b.opts.ListPageSize)
	}
	var out []objstore.Object
	pages := s3.NewListObjectsV2Paginator(b.client, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, b.wrap("list", prefix, err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if strings.HasSuffix(key, "/") {
				continue
			}
			out = append(out, objstore.Object{
				Key:     key,
				Size:    aws.ToInt64(o.Size),
				ModTime: aws.ToTime(o.LastModified).UTC(),
				ETag:    aws.ToString(o.ETag),
			})
		}
	}
	// S3 returns keys in UTF-8 binary order already; S3-compatible servers
	// may not.
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Stat describes one object with HeadObject.
func (b *Bucket) Stat(ctx context.Context, key string) (objstore.Object, error) {
	if err := checkKey(key); err != nil {
		return objstore.Object{}, fmt.Errorf("s3blob: stat %s: %w", b.where(key), err)
	}
	if err := ctx.Err(); err != nil {
		return objstore.Object{}, fmt.Errorf("s3blob: stat %s: %w", b.where(key), err)
	}
	out, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)})
	if err != nil {
		return objstore.Object{}, b.wrap("stat", key, err)
	}
	return objstore.Object{
		Key:     key,
		Size:    aws.ToInt64(out.ContentLength),
		ModTime: aws.ToTime(out.LastModified).UTC(),
		ETag:    aws.ToString(out.ETag),
	}, nil
}

// Open streams one object with GetObject. The body is read from the
// network as the caller reads; reads fail with an error wrapping ctx.Err()
// once ctx is done.
func (b *Bucket) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, fmt.Errorf("s3blob: open %s: %w", b.where(key), err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("s3blob: open %s: %w", b.where(key), err)
	}
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)},
		// A multipart object has a checksum of checksums the SDK cannot
		// verify; it would log a warning on every such Open.
		func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true })
	if err != nil {
		return nil, b.wrap("open", key, err)
	}
	return &body{ctx: ctx, rc: out.Body, where: b.where(key)}, nil
}

// body names the object in read errors and reports a cancelled context as
// such, whatever error the transport surfaced.
type body struct {
	ctx   context.Context
	rc    io.ReadCloser
	where string
}

func (r *body) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	if err != nil && err != io.EOF {
		if cerr := r.ctx.Err(); cerr != nil {
			err = cerr
		}
		return n, fmt.Errorf("s3blob: read %s: %w", r.where, err)
	}
	return n, err
}

func (r *body) Close() error { return r.rc.Close() }

func checkKey(key string) error {
	if key == "" {
		return errors.New("empty key")
	}
	return nil
}

// S3 error codes the driver maps.
const (
	codeNoSuchKey          = "NoSuchKey"
	codeNotFound           = "NotFound"
	codeNoSuchBucket       = "NoSuchBucket"
	codePreconditionFailed = "PreconditionFailed"
	codeConditionConflict  = "ConditionalRequestConflict"
	codeNotImplemented     = "NotImplemented"
)

func errorCode(err error) (code string, status int) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return code, status
}

// wrap maps an SDK error of op on key to the package's errors: a missing
// key wraps objstore.ErrNotFound, a missing bucket says so, a cancelled
// context wraps ctx.Err(). SDK errors carry no credentials: requests are
// signed in headers.
func (b *Bucket) wrap(op, key string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("s3blob: %s %s: %w", op, b.where(key), err)
	}
	code, status := errorCode(err)
	switch {
	case code == codeNoSuchBucket:
		return fmt.Errorf("s3blob: %s %s: bucket %q does not exist (check the URL, region and endpoint): %w",
			op, b.where(key), b.bucket, err)
	case (op == "stat" || op == "open") && (code == codeNoSuchKey || code == codeNotFound || status == 404):
		return fmt.Errorf("s3blob: %s %s: %w", op, b.where(key), objstore.ErrNotFound)
	}
	return fmt.Errorf("s3blob: %s %s: %w", op, b.where(key), err)
}
