package s3blob_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/allot-dev/allot/internal/testenv"
	"github.com/allot-dev/allot/objstore"
	"github.com/allot-dev/allot/objstore/objstoretest"
	"github.com/allot-dev/allot/objstore/s3blob"
)

// client returns a client for the test server with static credentials.
func client(t *testing.T) (*s3.Client, testenv.S3) {
	t.Helper()
	srv := testenv.NeedS3(t)
	c := s3.New(s3.Options{
		Region:       srv.Region,
		BaseEndpoint: aws.String(srv.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(srv.AccessKey, srv.SecretKey, ""),
	})
	return c, srv
}

// newBucket creates a uniquely named bucket and removes it, with whatever
// it holds, when the test ends.
func newBucket(t *testing.T, c *s3.Client) string {
	t.Helper()
	var r [6]byte
	rand.Read(r[:])
	name := "allot-test-" + hex.EncodeToString(r[:])
	if _, err := c.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("creating bucket %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		pages := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(name)})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				t.Errorf("cleanup: listing %s: %v", name, err)
				return
			}
			for _, o := range page.Contents {
				if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(name), Key: o.Key}); err != nil {
					t.Errorf("cleanup: deleting %s: %v", aws.ToString(o.Key), err)
				}
			}
		}
		ups, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(name)})
		if err == nil {
			for _, u := range ups.Uploads {
				c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(name), Key: u.Key, UploadId: u.UploadId})
			}
		}
		if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(name)}); err != nil {
			t.Errorf("cleanup: deleting bucket %s: %v", name, err)
		}
	})
	return name
}

// pendingUploads lists the multipart uploads left in bucket: a Put that
// failed must have aborted its own.
func pendingUploads(t *testing.T, c *s3.Client, bucket string) []types.MultipartUpload {
	t.Helper()
	out, err := c.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("ListMultipartUploads: %v", err)
	}
	return out.Uploads
}

func TestConformance(t *testing.T) {
	c, srv := client(t)
	objstoretest.Run(t, func(t *testing.T) objstore.Bucket {
		name := newBucket(t, c)
		t.Cleanup(func() {
			if ups := pendingUploads(t, c, name); len(ups) != 0 {
				t.Errorf("%d multipart uploads left behind, want every failed Put to abort its own", len(ups))
			}
		})
		return s3blob.New(c, name)
	}, objstoretest.Secrets(srv.SecretKey))
}

// TestConformanceURL runs the suite on buckets opened by URL, with the
// credentials in the environment as the default chain reads them.
func TestConformanceURL(t *testing.T) {
	c, srv := client(t)
	isolateAWS(t)
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	objstoretest.Run(t, func(t *testing.T) objstore.Bucket {
		name := newBucket(t, c)
		b, prefix := openURL(t, "s3://"+name+"?region="+srv.Region+"&path_style=true&endpoint="+url.QueryEscape(srv.Endpoint))
		if prefix != "" {
			t.Fatalf("prefix = %q, want none", prefix)
		}
		return b
	}, objstoretest.Secrets(srv.SecretKey))
}

// isolateAWS keeps the developer's own AWS configuration out of a test.
func isolateAWS(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE":             dir + "/config",
		"AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials",
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_PROFILE":                 "",
		"AWS_REGION":                  "",
		"AWS_DEFAULT_REGION":          "",
		"AWS_ACCESS_KEY_ID":           "",
		"AWS_SECRET_ACCESS_KEY":       "",
		"AWS_SESSION_TOKEN":           "",
		"AWS_ENDPOINT_URL":            "",
		"AWS_ENDPOINT_URL_S3":         "",
	} {
		t.Setenv(k, v)
	}
}

func openURL(t *testing.T, raw string) (objstore.Bucket, string) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	b, prefix, err := s3blob.OpenURL(t.Context(), u)
	if err != nil {
		t.Fatalf("OpenURL(%s): %v", raw, err)
	}
	return b, prefix
}

func TestMultipartETag(t *testing.T) {
	c, _ := client(t)
	name := newBucket(t, c)
	b := s3blob.New(c, name)
	// 12 MiB + 1 byte in 5 MiB parts: three parts, the last one short.
	small := s3blob.NewWithOptions(c, name, &s3blob.Options{PartSize: 1, Concurrency: 2})
	body := strings.Repeat("0123456789abcdef", (12<<20)/16) + "!"
	if err := small.Put(t.Context(), "three-parts.txt", strings.NewReader(body), nil); err != nil {
		t.Fatal(err)
	}
	st, err := b.Stat(t.Context(), "three-parts.txt")
	if err != nil {
		t.Fatal(err)
	}
	// A multipart object's ETag is the MD5 of the part MD5s and "-N".
	if !strings.HasSuffix(strings.Trim(st.ETag, `"`), "-3") {
		t.Errorf("ETag = %s, want a three-part multipart ETag ending in -3", st.ETag)
	}
	if st.Size != int64(len(body)) {
		t.Errorf("Size = %d, want %d", st.Size, len(body))
	}
	rc, err := b.Open(t.Context(), "three-parts.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != body {
		t.Errorf("three-part object reads back differently")
	}
	if err := b.Put(t.Context(), "one.txt", strings.NewReader("one"), nil); err != nil {
		t.Fatal(err)
	}
	st, err = b.Stat(t.Context(), "one.txt")
	if err != nil {
		t.Fatal(err)
	}
	// MD5("one"), computed with md5sum.
	if got, want := strings.Trim(st.ETag, `"`), "f97c5d29941bfb1b2fdab0874906ab82"; got != want {
		t.Errorf("single-part ETag = %s, want %s", got, want)
	}
}

func TestListPages(t *testing.T) {
	c, _ := client(t)
	name := newBucket(t, c)
	b := s3blob.NewWithOptions(c, name, &s3blob.Options{ListPageSize: 2})
	want := []string{"p/1", "p/2", "p/3", "p/4", "p/5"}
	for _, k := range []string{"p/4", "p/1", "q/1", "p/5", "p/3", "p/2"} {
		if err := b.Put(t.Context(), k, strings.NewReader(k), nil); err != nil {
			t.Fatal(err)
		}
	}
	objs, err := b.List(t.Context(), "p/")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range objs {
		got = append(got, o.Key)
		if o.ETag == "" {
			t.Errorf("%s: no ETag in the listing", o.Key)
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("List over pages of 2 = %q, want %q", got, want)
	}
}

func TestMissingBucket(t *testing.T) {
	c, _ := client(t)
	b := s3blob.New(c, "allot-test-no-such-bucket")
	_, err := b.List(t.Context(), "")
	if err == nil || errors.Is(err, objstore.ErrNotFound) {
		t.Fatalf("List of a missing bucket: error = %v, want one that is not ErrNotFound", err)
	}
	if !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("error %q does not say the bucket does not exist", err)
	}
}

func TestOpenURLPrefix(t *testing.T) {
	c, srv := client(t)
	isolateAWS(t)
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	t.Setenv("AWS_REGION", srv.Region) // the region from the environment, not the URL
	name := newBucket(t, c)
	b, prefix := openURL(t, "s3://"+name+"/exports/2026/?path_style=true&endpoint="+url.QueryEscape(srv.Endpoint))
	if got, want := prefix, "exports/2026/"; got != want {
		t.Errorf("prefix = %q, want %q", got, want)
	}
	if got, want := b.String(), "s3://"+name+" at "+srv.Endpoint; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if err := b.Put(t.Context(), prefix+"a.csv", strings.NewReader("a"), nil); err != nil {
		t.Fatal(err)
	}
	// Written through the URL's bucket, read through a separately built client.
	if _, err := s3blob.New(c, name).Stat(t.Context(), "exports/2026/a.csv"); err != nil {
		t.Errorf("object written through OpenURL not found: %v", err)
	}
}

func TestOpenURLWrongCredentials(t *testing.T) {
	c, srv := client(t)
	isolateAWS(t)
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret-"+srv.SecretKey)
	name := newBucket(t, c)
	b, _ := openURL(t, "s3://"+name+"?region="+srv.Region+"&path_style=true&endpoint="+url.QueryEscape(srv.Endpoint))
	err := b.Put(t.Context(), "x", strings.NewReader("x"), nil)
	if err == nil {
		t.Fatal("Put with a wrong secret succeeded")
	}
	if strings.Contains(err.Error(), srv.SecretKey) {
		t.Errorf("error %q contains the secret", err)
	}
}

// TestServerConditionalComplete checks that the server itself refuses a
// CompleteMultipartUpload with If-None-Match: * once the key exists: the
// driver's early Stat is only an optimisation, this is the guarantee.
func TestServerConditionalComplete(t *testing.T) {
	c, _ := client(t)
	name := newBucket(t, c)
	key := aws.String("late.txt")
	mu, err := c.CreateMultipartUpload(t.Context(), &s3.CreateMultipartUploadInput{Bucket: aws.String(name), Key: key})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(t.Context(), &s3.UploadPartInput{
		Bucket: aws.String(name), Key: key, UploadId: mu.UploadId, PartNumber: aws.Int32(1),
		Body: strings.NewReader("from the multipart upload"),
	})
	if err != nil {
		t.Fatal(err)
	}
	// Another writer creates the key after the upload started.
	if err := s3blob.New(c, name).Put(t.Context(), *key, strings.NewReader("first"), nil); err != nil {
		t.Fatal(err)
	}
	_, err = c.CompleteMultipartUpload(t.Context(), &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(name), Key: key, UploadId: mu.UploadId, IfNoneMatch: aws.String("*"),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}},
	})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "PreconditionFailed" {
		t.Fatalf("conditional CompleteMultipartUpload over an existing key: error = %v, want PreconditionFailed", err)
	}
	c.AbortMultipartUpload(t.Context(), &s3.AbortMultipartUploadInput{Bucket: aws.String(name), Key: key, UploadId: mu.UploadId})
	_, err = c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(name), Key: key, Body: strings.NewReader("second"), IfNoneMatch: aws.String("*")})
	if !errors.As(err, &ae) || ae.ErrorCode() != "PreconditionFailed" {
		t.Fatalf("conditional PutObject over an existing key: error = %v, want PreconditionFailed", err)
	}
}
