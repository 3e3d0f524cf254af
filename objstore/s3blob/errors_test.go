package s3blob

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/allot-dev/allot/objstore"
)

// httpError is what the SDK returns for a response with status and code.
func httpError(status int, code string) error {
	var api error = &smithy.GenericAPIError{Code: code, Message: "from the test"}
	return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      api,
	}}
}

func TestWrap(t *testing.T) {
	b := New(nil, "costs")
	tests := []struct {
		name         string
		op           string
		err          error
		wantNotFound bool
		wantIs       error  // also matched with errors.Is, if set
		wantInMsg    string // also in the message
	}{
		{"HeadObject 404", "stat", httpError(404, "NotFound"), true, nil, "s3://costs/k"},
		{"GetObject NoSuchKey", "open", httpError(404, "NoSuchKey"), true, nil, "s3://costs/k"},
		{"bare 404 on open", "open", httpError(404, ""), true, nil, ""},
		{"NoSuchBucket on open", "open", httpError(404, "NoSuchBucket"), false, nil, `bucket "costs" does not exist`},
		{"NoSuchBucket on list", "list", httpError(404, "NoSuchBucket"), false, nil, "does not exist"},
		{"NoSuchUpload on put", "put", httpError(404, "NoSuchUpload"), false, nil, "NoSuchUpload"},
		{"AccessDenied", "stat", httpError(403, "AccessDenied"), false, nil, "AccessDenied"},
		{"cancelled", "stat", fmt.Errorf("operation error S3: HeadObject: %w", context.Canceled), false, context.Canceled, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := b.wrap(tt.op, "k", tt.err)
			if errors.Is(got, objstore.ErrNotFound) != tt.wantNotFound {
				t.Errorf("wrap(%s, %v) = %v; wraps ErrNotFound: %v, want %v", tt.op, tt.err, got, !tt.wantNotFound, tt.wantNotFound)
			}
			if tt.wantIs != nil && !errors.Is(got, tt.wantIs) {
				t.Errorf("wrap = %v, want it to wrap %v", got, tt.wantIs)
			}
			if !strings.Contains(got.Error(), tt.wantInMsg) {
				t.Errorf("wrap = %q, want it to mention %q", got, tt.wantInMsg)
			}
			if !tt.wantNotFound {
				var ae smithy.APIError
				if tt.wantIs == nil && !errors.As(got, &ae) {
					t.Errorf("wrap = %v: the SDK error is no longer in the chain", got)
				}
			}
		})
	}
}
