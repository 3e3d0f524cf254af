// Package testenv gives tests the real servers the test script starts:
// an S3-compatible server (versitygw), Azure Blob (Azurite), PostgreSQL and
// Chromium. scripts/test.sh installs and starts them and exports the
// variables below; a test asks for a server with one call.
//
// Without the variables the test is skipped, so `go test ./...` works on a
// bare machine. With ALLOT_TEST_REQUIRE_SERVICES=1 (set by scripts/test.sh
// and CI) a missing server fails the test instead: CI never passes by
// skipping.
package testenv

import (
	"os"
	"testing"
)

// S3 describes the S3-compatible test server.
type S3 struct {
	Endpoint  string // http://127.0.0.1:PORT
	Region    string
	AccessKey string
	SecretKey string
}

// Azurite describes the Azurite blob endpoint.
type Azurite struct {
	// ConnectionString is Azurite's well-known development connection string.
	ConnectionString string
	// Endpoint is the blob service URL, http://127.0.0.1:PORT/devstoreaccount1.
	Endpoint string
	Account  string
}

func need(t testing.TB, what string, vars ...string) []string {
	t.Helper()
	vals := make([]string, len(vars))
	for i, v := range vars {
		vals[i] = os.Getenv(v)
		if vals[i] == "" {
			if os.Getenv("ALLOT_TEST_REQUIRE_SERVICES") == "1" {
				t.Fatalf("%s: %s is not set; scripts/test.sh starts the server and sets it", what, v)
			}
			t.Skipf("%s: %s not set; run scripts/test.sh to start the test servers", what, v)
		}
	}
	return vals
}

// NeedS3 returns the S3 test server or skips (fails under ALLOT_TEST_REQUIRE_SERVICES=1).
func NeedS3(t testing.TB) S3 {
	t.Helper()
	v := need(t, "S3 (versitygw)", "ALLOT_TEST_S3_ENDPOINT", "ALLOT_TEST_S3_ACCESS_KEY", "ALLOT_TEST_S3_SECRET_KEY")
	region := os.Getenv("ALLOT_TEST_S3_REGION")
	if region == "" {
		region = "us-east-1"
	}
	return S3{Endpoint: v[0], AccessKey: v[1], SecretKey: v[2], Region: region}
}

// NeedAzurite returns the Azurite blob endpoint or skips.
func NeedAzurite(t testing.TB) Azurite {
	t.Helper()
	v := need(t, "Azure Blob (Azurite)", "ALLOT_TEST_AZURITE_CONNECTION_STRING", "ALLOT_TEST_AZURITE_BLOB_ENDPOINT")
	return Azurite{ConnectionString: v[0], Endpoint: v[1], Account: "devstoreaccount1"}
}

// NeedPostgres returns a PostgreSQL URL of a database the test may use, or skips.
func NeedPostgres(t testing.TB) string {
	t.Helper()
	return need(t, "PostgreSQL", "ALLOT_TEST_POSTGRES_URL")[0]
}

// NeedChromium returns the path of a headless-capable Chromium, or skips.
func NeedChromium(t testing.TB) string {
	t.Helper()
	return need(t, "Chromium", "ALLOT_TEST_CHROMIUM")[0]
}
