package sinks

// Integration tests of the S3 and Azure Blob sinks against the servers
// scripts/test.sh starts (versitygw, Azurite). Without them the tests skip;
// under ALLOT_TEST_REQUIRE_SERVICES=1 they fail instead.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/allot-dev/allot/internal/testenv"
	"github.com/allot-dev/allot/objstore"
	"github.com/allot-dev/allot/objstore/azblobstore"
	"github.com/allot-dev/allot/objstore/s3blob"
)

func uniqueName() string {
	var r [6]byte
	rand.Read(r[:])
	return "allot-sink-" + hex.EncodeToString(r[:])
}

func cloudEnv() Env {
	var m objstore.Mux
	m.Register(s3blob.Scheme, s3blob.OpenURL)
	m.Register(azblobstore.Scheme, azblobstore.OpenURL)
	return Env{Store: &m}
}

// checkObjectSink runs the delivery contract on a sink opened by URL, and
// reads objects back through read (key relative to the bucket).
func checkObjectSink(t *testing.T, rawURL, wantKeyPrefix string, read func(key string) ([]byte, error), secrets ...string) {
	t.Helper()
	s, err := Open(t.Context(), rawURL, cloudEnv())
	if err != nil {
		t.Fatalf("Open(%s): %v", redact(rawURL), err)
	}
	d := batch("AL-2026-10-1000-USD.sap.csv", "AL-2026-10-1000-USD", "RECORD_TYPE,DOCUMENT\nH,1\n")
	if err := s.Deliver(t.Context(), d); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	got, err := read(wantKeyPrefix + d.Name)
	if err != nil || !bytes.Equal(got, d.Body) {
		t.Fatalf("object %s holds %q, %v; want %q", wantKeyPrefix+d.Name, got, err, d.Body)
	}
	if err := s.Deliver(t.Context(), d); err != nil {
		t.Fatalf("re-delivery of the same batch: %v, want nil", err)
	}
	changed := batch(d.Name, d.JournalID, "RECORD_TYPE,DOCUMENT\nH,2\n")
	err = s.Deliver(t.Context(), changed)
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("delivery of different bytes: %v, want ErrConflict", err)
	}
	if got, _ := read(wantKeyPrefix + d.Name); !bytes.Equal(got, d.Body) {
		t.Errorf("the first batch was overwritten: %q", got)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.Deliver(ctx, batch("other.csv", "J9", "x")); !errors.Is(err, context.Canceled) {
		t.Errorf("Deliver with a cancelled context: %v, want context.Canceled", err)
	}
	for _, sec := range secrets {
		for where, text := range map[string]string{"String": s.String(), "error": err.Error()} {
			if sec != "" && strings.Contains(text, sec) {
				t.Errorf("%s shows a credential: %s", where, text)
			}
		}
	}
}

func TestS3Sink(t *testing.T) {
	srv := testenv.NeedS3(t)
	c := s3.New(s3.Options{Region: srv.Region, BaseEndpoint: aws.String(srv.Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(srv.AccessKey, srv.SecretKey, "")})
	name := uniqueName()
	if _, err := c.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("creating bucket %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		out, _ := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(name)})
		if out != nil {
			for _, o := range out.Contents {
				c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(name), Key: o.Key})
			}
		}
		c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(name)})
	})
	// Credentials come only from the environment (the AWS default chain).
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE": dir + "/config", "AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials",
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "", "AWS_SESSION_TOKEN": "",
		"AWS_ACCESS_KEY_ID": srv.AccessKey, "AWS_SECRET_ACCESS_KEY": srv.SecretKey,
	} {
		t.Setenv(k, v)
	}
	raw := "s3://" + name + "/exports/2026-10?region=" + srv.Region + "&path_style=true&endpoint=" + url.QueryEscape(srv.Endpoint)
	checkObjectSink(t, raw, "exports/2026-10/", func(key string) ([]byte, error) {
		out, err := c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(name), Key: aws.String(key)})
		if err != nil {
			return nil, err
		}
		defer out.Body.Close()
		return io.ReadAll(out.Body)
	}, srv.SecretKey)
}

func TestAzureBlobSink(t *testing.T) {
	srv := testenv.NeedAzurite(t)
	name := uniqueName()
	c, err := container.NewClientFromConnectionString(srv.ConnectionString, name, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Create(t.Context(), nil); err != nil {
		t.Fatalf("creating container %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c.Delete(ctx, nil)
	})
	t.Setenv(azblobstore.ConnectionStringEnv, srv.ConnectionString)
	key := ""
	for _, part := range strings.Split(srv.ConnectionString, ";") {
		if v, ok := strings.CutPrefix(part, "AccountKey="); ok {
			key = v
		}
	}
	raw := "azblob://" + srv.Account + "/" + name + "/journals?endpoint=" + url.QueryEscape(srv.Endpoint)
	checkObjectSink(t, raw, "journals/", func(k string) ([]byte, error) {
		resp, err := c.NewBlobClient(k).DownloadStream(t.Context(), nil)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		return io.ReadAll(resp.Body)
	}, key, srv.ConnectionString)
}
