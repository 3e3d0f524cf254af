package azblobstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/allot-dev/allot/objstore"
)

func TestWrap(t *testing.T) {
	b := New(nil, "acct", "costs")
	respErr := func(status int, code string) error { return &azcore.ResponseError{StatusCode: status, ErrorCode: code} }
	tests := []struct {
		name         string
		op           string
		err          error
		wantNotFound bool
		wantInMsg    string
	}{
		{"BlobNotFound on stat", "stat", respErr(404, "BlobNotFound"), true, "azblob://acct/costs/k"},
		{"BlobNotFound on open", "open", respErr(404, "BlobNotFound"), true, ""},
		{"bare 404 on stat", "stat", respErr(404, ""), true, ""},
		{"ContainerNotFound on stat", "stat", respErr(404, "ContainerNotFound"), false, `container "costs" does not exist in account "acct"`},
		{"ContainerNotFound on list", "list", respErr(404, "ContainerNotFound"), false, "does not exist"},
		{"404 on put", "put", respErr(404, "BlobNotFound"), false, "HTTP 404 BlobNotFound"},
		{"auth", "stat", respErr(403, "AuthenticationFailed"), false, "HTTP 403 AuthenticationFailed"},
		{"transport with SAS", "list", fmt.Errorf(`Get "https://acct.blob.core.windows.net/costs?comp=list&sig=SECRET": EOF`), false,
			"https://acct.blob.core.windows.net/costs?REDACTED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := b.wrap(t.Context(), tt.op, "k", tt.err)
			if errors.Is(got, objstore.ErrNotFound) != tt.wantNotFound {
				t.Errorf("wrap(%s, %v) = %v; want wrapping ErrNotFound: %v", tt.op, tt.err, got, tt.wantNotFound)
			}
			if !strings.Contains(got.Error(), tt.wantInMsg) {
				t.Errorf("wrap = %q, want it to mention %q", got, tt.wantInMsg)
			}
			if strings.Contains(got.Error(), "SECRET") {
				t.Errorf("wrap = %q keeps the SAS signature", got)
			}
			if !tt.wantNotFound && !errors.Is(got, tt.err) {
				t.Errorf("wrap = %v: the SDK error is no longer in the chain", got)
			}
		})
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if got := b.wrap(ctx, "stat", "k", respErr(500, "InternalError")); !errors.Is(got, context.Canceled) {
		t.Errorf("wrap with a cancelled context = %v, want it to wrap context.Canceled", got)
	}
}
