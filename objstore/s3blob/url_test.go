package s3blob

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
		{"bucket only", "s3://costs", urlConfig{bucket: "costs"}},
		{"prefix", "s3://costs/cur/2026/", urlConfig{bucket: "costs", prefix: "cur/2026/"}},
		{"all options", "s3://costs/cur?region=eu-west-1&endpoint=http%3A%2F%2F127.0.0.1%3A9000%2F&path_style=true",
			urlConfig{bucket: "costs", prefix: "cur", region: "eu-west-1", endpoint: "http://127.0.0.1:9000", pathStyle: true}},
		{"path_style false", "s3://costs?path_style=false", urlConfig{bucket: "costs"}},
		{"escaped prefix", "s3://costs/with%20space", urlConfig{bucket: "costs", prefix: "with space"}},
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
		{"wrong scheme", "gs://costs", `scheme is "gs"`},
		{"no bucket", "s3:///prefix", "no bucket"},
		{"opaque", "s3:costs", "no bucket"},
		{"unknown option", "s3://costs?regoin=eu-west-1", `unknown option "regoin"`},
		{"secret option", "s3://costs?secret_key=hunter2", `unknown option "secret_key"`},
		{"option twice", "s3://costs?region=a&region=b", "given 2 times"},
		{"bad path_style", "s3://costs?path_style=yes", "path_style"},
		{"endpoint without scheme", "s3://costs?endpoint=127.0.0.1:9000", "endpoint must be"},
		{"endpoint ftp", "s3://costs?endpoint=ftp://host", "endpoint must be"},
		{"credentials in URL", "s3://AKIAEXAMPLE:hunter2@costs/x", "credentials in the URL"},
		{"credentials in endpoint", "s3://costs?endpoint=http://me:hunter2@127.0.0.1:9000", "credentials in the endpoint"},
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
				t.Errorf("error %q contains the password", err)
			}
		})
	}
}

func TestOpenURLNeedsRegion(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE": dir + "/config", "AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials",
		"AWS_PROFILE": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "", "AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}
	u, _ := url.Parse("s3://costs/cur")
	_, _, err := OpenURL(t.Context(), u)
	if err == nil || !strings.Contains(err.Error(), "?region=") {
		t.Fatalf("OpenURL without any region: error = %v, want one saying to add ?region=", err)
	}
	u, _ = url.Parse("s3://costs/cur?region=eu-west-1")
	b, prefix, err := OpenURL(t.Context(), u)
	if err != nil {
		t.Fatalf("OpenURL with a region: %v", err)
	}
	if got, want := b.String(), "s3://costs"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if prefix != "cur" {
		t.Errorf("prefix = %q, want %q", prefix, "cur")
	}
}
