package azblobstore

import (
	"net/url"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		name string
		url  string
		want urlConfig
	}{
		{"container only", "azblob://acct/costs", urlConfig{account: "acct", container: "costs"}},
		{"container slash", "azblob://acct/costs/", urlConfig{account: "acct", container: "costs"}},
		{"prefix", "azblob://acct/costs/exports/2026/", urlConfig{account: "acct", container: "costs", prefix: "exports/2026/"}},
		{"endpoint", "azblob://devstoreaccount1/c/p?endpoint=http%3A%2F%2F127.0.0.1%3A10000%2Fdevstoreaccount1%2F",
			urlConfig{account: "devstoreaccount1", container: "c", prefix: "p", endpoint: "http://127.0.0.1:10000/devstoreaccount1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			got, err := parseURL(u)
			if err != nil {
				t.Fatalf("parseURL(%s): %v", tt.url, err)
			}
			if got != tt.want {
				t.Errorf("parseURL(%s) = %+v, want %+v", tt.url, got, tt.want)
			}
		})
	}
}

func TestParseURLErrors(t *testing.T) {
	tests := []struct {
		name, url string
		wantInErr string
	}{
		{"wrong scheme", "s3://acct/costs", `scheme is "s3"`},
		{"no account", "azblob:///costs", "no storage account"},
		{"bad account", "azblob://My_Account/costs", "not a storage account name"},
		{"no container", "azblob://acct", "no container"},
		{"no container slash", "azblob://acct/", "no container"},
		{"unknown option", "azblob://acct/c?sas=sig%3Dhunter2", `unknown option "sas"`},
		{"option twice", "azblob://acct/c?endpoint=http://a&endpoint=http://b", "given 2 times"},
		{"endpoint without scheme", "azblob://acct/c?endpoint=127.0.0.1:10000", "endpoint must be"},
		{"SAS in endpoint", "azblob://acct/c?endpoint=" + url.QueryEscape("https://acct.blob.core.windows.net/?sv=1&sig=hunter2"), "SAS token"},
		{"credentials in URL", "azblob://acct:hunter2@acct/c", "credentials in the URL"},
		{"credentials in endpoint", "azblob://acct/c?endpoint=" + url.QueryEscape("http://me:hunter2@127.0.0.1:1"), "credentials in the endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			_, err = parseURL(u)
			if err == nil {
				t.Fatalf("parseURL(%s) succeeded, want an error", tt.url)
			}
			if !strings.Contains(err.Error(), tt.wantInErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantInErr)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q contains the secret", err)
			}
		})
	}
}

const testKey = "a2V5LWtleS1rZXkta2V5LWtleQ=="

func TestClientFromConnectionString(t *testing.T) {
	c := urlConfig{account: "devstoreaccount1", container: "costs"}
	tests := []struct {
		name      string
		cfg       urlConfig
		connStr   string
		wantInErr string // empty: success
	}{
		{"matching account", c, "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + testKey + ";BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;", ""},
		{"other account", c, "AccountName=someoneelse;AccountKey=" + testKey, `for account "someoneelse"`},
		{"endpoint agrees", urlConfig{account: "devstoreaccount1", container: "costs", endpoint: "http://127.0.0.1:10000/devstoreaccount1"},
			"AccountName=devstoreaccount1;AccountKey=" + testKey + ";BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1/", ""},
		{"endpoint differs", urlConfig{account: "devstoreaccount1", container: "costs", endpoint: "http://127.0.0.1:9999/devstoreaccount1"},
			"AccountName=devstoreaccount1;AccountKey=" + testKey + ";BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1", "differs from the BlobEndpoint"},
		{"not a connection string", c, "just-a-key-" + testKey, "not a usable connection string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, err := tt.cfg.client(tt.connStr)
			if tt.wantInErr == "" {
				if err != nil {
					t.Fatalf("client: %v", err)
				}
				if got, want := client.URL(), "/costs"; !strings.HasSuffix(strings.TrimSuffix(got, "/"), want) {
					t.Errorf("container URL = %s, want one ending in %s", got, want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantInErr) {
				t.Fatalf("client: error = %v, want one containing %q", err, tt.wantInErr)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("error %q contains the account key", err)
			}
		})
	}
}

func TestClientDefaultCredential(t *testing.T) {
	// Building the client fetches no token; the URL follows the account.
	client, err := urlConfig{account: "acct", container: "costs"}.client("")
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	if got, want := client.URL(), "https://acct.blob.core.windows.net/costs"; got != want {
		t.Errorf("URL = %s, want %s", got, want)
	}
	client, err = urlConfig{account: "acct", container: "costs", endpoint: "https://acct.blob.core.usgovcloudapi.net"}.client("")
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	if got, want := client.URL(), "https://acct.blob.core.usgovcloudapi.net/costs"; got != want {
		t.Errorf("URL = %s, want %s", got, want)
	}
}
