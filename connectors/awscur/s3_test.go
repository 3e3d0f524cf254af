package awscur

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/testenv"
	"github.com/allot-dev/allot/objstore"
	"github.com/allot-dev/allot/objstore/fileblob"
	"github.com/allot-dev/allot/objstore/s3blob"
)

// TestS3 uploads the fixture report folders to a fresh bucket of the S3
// test server (versitygw) and scans them through s3:// URLs, with the
// credentials in the environment as the SDK's default chain reads them.
func TestS3(t *testing.T) {
	srv := testenv.NeedS3(t)
	admin := s3.New(s3.Options{
		Region:       srv.Region,
		BaseEndpoint: aws.String(srv.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(srv.AccessKey, srv.SecretKey, ""),
	})
	bucket := newTestBucket(t, admin)
	// The legacy report sits under another prefix than the one its manifest
	// names (a copy); the CUR 2.0 export where its manifest says.
	upload(t, admin, bucket, legacyDir, "billing/copy/hourly")
	upload(t, admin, bucket, cur2ParquetDir, "exports/bedrock-export")

	isolateAWSEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	query := "?region=" + url.QueryEscape(srv.Region) + "&endpoint=" + url.QueryEscape(srv.Endpoint) + "&path_style=true"

	open := func(t *testing.T, kind, rawURL string) *connectors.Source {
		t.Helper()
		var store objstore.Mux
		store.Register(fileblob.Scheme, fileblob.OpenURL)
		store.Register("s3", s3blob.OpenURL)
		var m connectors.Mux
		m.Register(connectors.KindAWSCUR, OpenCUR)
		m.Register(connectors.KindAWSCUR2, OpenCUR2)
		src, err := m.Open(context.Background(), connectors.Env{Store: &store},
			connectors.Config{Name: "aws", Kind: kind, URL: rawURL, Options: map[string]string{OptionTempDir: t.TempDir()}})
		if err != nil {
			t.Fatalf("Open(%s): %v", rawURL, err)
		}
		return src
	}
	noSecret := func(t *testing.T, where, s string) {
		t.Helper()
		if strings.Contains(s, srv.SecretKey) {
			t.Errorf("%s contains the secret key", where)
		}
	}

	tests := []struct {
		name, kind, url   string
		lines             int
		billed, effective string
		objectPrefix      string
	}{
		{"legacy CUR folder", connectors.KindAWSCUR, "s3://" + bucket + "/billing/copy/hourly" + query,
			legacyLines, legacyBilled, legacyEffective, "s3://" + bucket + "/billing/copy/hourly/20261001-20261101/" + assemblyNew + "/"},
		{"CUR 2.0 export folder", connectors.KindAWSCUR2, "s3://" + bucket + "/exports/bedrock-export" + query,
			cur2Lines, cur2Billed, cur2Effective, "s3://" + bucket + "/exports/bedrock-export/data/BILLING_PERIOD=2026-10/" + execNew + "/"},
		// cur2-part2.csv by hand: billed 8+0+5+100+29+2.5-3, effective 1.5+4.2+0.8+0+29+2.5-3.
		{"single Parquet object", connectors.KindAWSCUR2,
			"s3://" + bucket + "/exports/bedrock-export/data/BILLING_PERIOD=2026-10/" + execNew + "/bedrock-export-00002.snappy.parquet" + query,
			7, "141.5", "35", "s3://" + bucket + "/exports/bedrock-export/data/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := open(t, tc.kind, tc.url)
			noSecret(t, "Source.URL()", src.URL())
			items, st := mustScan(t, src, oct2026)
			if st.Lines != int64(tc.lines) || !st.Billed.Equal(d(tc.billed)) || !st.Effective.Equal(d(tc.effective)) {
				t.Errorf("stats = %d lines, billed %s, effective %s; want %d, %s, %s",
					st.Lines, st.Billed, st.Effective, tc.lines, tc.billed, tc.effective)
			}
			for _, li := range items {
				if !strings.HasPrefix(li.Source.Object, tc.objectPrefix) {
					t.Errorf("provenance %s, want an object under %s", li.Source, tc.objectPrefix)
				}
				noSecret(t, "provenance", li.Source.String())
			}
			in, err := src.Inputs(context.Background(), oct2026)
			if err != nil {
				t.Fatal(err)
			}
			for _, i := range in {
				if !strings.Contains(i.Fingerprint, "etag=") {
					t.Errorf("%s: fingerprint %q, want the object's ETag", i.Object, i.Fingerprint)
				}
				noSecret(t, "Inputs", i.Object+i.Fingerprint)
			}
		})
	}

	t.Run("empty period", func(t *testing.T) {
		_, _, err := scanAll(t, open(t, connectors.KindAWSCUR2, "s3://"+bucket+"/exports/bedrock-export"+query), cost.Period{Year: 2026, Month: 9})
		if !errors.Is(err, connectors.ErrNotFound) {
			t.Errorf("error = %v, want ErrNotFound", err)
		}
	})
	t.Run("manifest lists a missing object", func(t *testing.T) {
		key := "billing/copy/hourly/20261001-20261101/" + assemblyNew + "/hourly-2.csv.gz"
		if _, err := admin.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
			t.Fatal(err)
		}
		_, _, err := scanAll(t, open(t, connectors.KindAWSCUR, "s3://"+bucket+"/billing/copy/hourly"+query), oct2026)
		var re *connectors.RowError
		if !errors.As(err, &re) || !errors.Is(err, ErrMissingObject) || re.Column != "reportKeys[1]" {
			t.Fatalf("error = %v, want a RowError on reportKeys[1] wrapping ErrMissingObject", err)
		}
		noSecret(t, "error", err.Error())
	})
}

func newTestBucket(t *testing.T, c *s3.Client) string {
	t.Helper()
	var r [6]byte
	rand.Read(r[:])
	name := "allot-awscur-" + hex.EncodeToString(r[:])
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
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
				c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(name), Key: o.Key})
			}
		}
		if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(name)}); err != nil {
			t.Errorf("cleanup: deleting bucket %s: %v", name, err)
		}
	})
	return name
}

// upload copies the files under dir to bucket under prefix.
func upload(t *testing.T, c *s3.Client, bucket, dir, prefix string) {
	t.Helper()
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = c.PutObject(context.Background(), &s3.PutObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(prefix + "/" + filepath.ToSlash(rel)), Body: bytes.NewReader(b),
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// isolateAWSEnv keeps the developer's own AWS configuration out of the test.
func isolateAWSEnv(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE":             dir + "/config",
		"AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials",
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_PROFILE":                 "",
		"AWS_REGION":                  "",
		"AWS_DEFAULT_REGION":          "",
		"AWS_SESSION_TOKEN":           "",
		"AWS_ENDPOINT_URL":            "",
		"AWS_ENDPOINT_URL_S3":         "",
	} {
		t.Setenv(k, v)
	}
}
