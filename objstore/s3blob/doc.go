// Package s3blob implements objstore.Bucket over Amazon S3 and
// S3-compatible servers (versitygw, MinIO, Ceph RGW, R2) with the AWS SDK
// for Go v2.
//
// # URLs
//
//	s3://BUCKET/PREFIX?region=R&endpoint=URL&path_style=true
//
// OpenURL returns the bucket and PREFIX (the URL path without its leading
// "/", kept as written, so a trailing "/" stays). The options are all
// optional; any other option is an error:
//
//   - region: the bucket's region. Without it the SDK's region chain
//     applies (AWS_REGION, AWS_DEFAULT_REGION, the profile's region); if
//     that finds none, OpenURL fails and says so.
//   - endpoint: the base URL of an S3-compatible server, such as
//     http://127.0.0.1:7070. It must not hold credentials or a query.
//   - path_style: true to address the bucket as ENDPOINT/BUCKET rather than
//     BUCKET.ENDPOINT, as most S3-compatible servers need.
//
// [New] and [NewWithOptions] take a client the caller built instead.
//
// # Credentials
//
// Only the AWS SDK v2 default chain, through config.LoadDefaultConfig:
// environment variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN), the shared config and credentials files with
// AWS_PROFILE, SSO, web identity, and the ECS or EC2 instance role. A URL
// with user information is refused. Requests are signed in headers, so no
// secret is ever part of a URL, an error or String().
//
// # Atomicity
//
// S3 makes an object visible only when its upload completes. A body of up
// to Options.PartSize bytes (8 MiB by default) is sent in one PutObject. A
// larger one is sent as a multipart upload: parts of PartSize bytes,
// Options.Concurrency at a time, each with a CRC32 checksum, then one
// CompleteMultipartUpload. Any error, including a failing body or a
// cancelled context, aborts the upload (with a fresh 30-second context,
// so the abort runs even after cancellation); a reader sees the old object
// or the whole new one. If the abort itself fails, the error says so: the
// stored parts are billed until a lifecycle rule for incomplete multipart
// uploads removes them, which every bucket should have. Memory is bounded
// by (Concurrency+1) × PartSize per Put; bodies above 10,000 parts
// (78 GiB at 8 MiB) need a larger PartSize.
//
// # IfNotExists
//
// PutOptions.IfNotExists sends If-None-Match: * on the PutObject, or on the
// CompleteMultipartUpload: S3 itself refuses the write if the key exists,
// with no window between a check and the write. A multipart Put first
// checks with HeadObject and stops early if the key exists, only to avoid
// uploading in vain; the conditional completion is the guarantee. A 409
// ConditionalRequestConflict (a concurrent write to the same key) is
// retried for a single PutObject, as AWS advises. A server without
// conditional writes answers 501 NotImplemented, which Put reports as such
// rather than falling back to a racy check. versitygw v1.8.0, the test
// server, supports both forms (see TestServerConditionalComplete).
//
// # Errors
//
//   - Stat and Open of a missing key: an error wrapping objstore.ErrNotFound
//     (S3 codes NoSuchKey and NotFound, or HTTP 404). Stat uses HeadObject,
//     whose 404 has no body, so a missing bucket also reads as ErrNotFound
//     there; List and Open name a missing bucket (NoSuchBucket) instead.
//   - Put with IfNotExists on an existing key: an error wrapping
//     objstore.ErrExists (PreconditionFailed, HTTP 412).
//   - A cancelled context: an error wrapping ctx.Err(), also for reads of an
//     open object.
//   - Anything else: the SDK's error, wrapped with the operation and the
//     s3:// address of the key, so errors.As finds smithy.APIError.
//
// # Listing
//
// List pages through ListObjectsV2 and returns keys in byte order. Keys
// ending in "/" are folder markers, not objects, and are left out.
package s3blob
