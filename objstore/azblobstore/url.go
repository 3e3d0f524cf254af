package azblobstore

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/allot-dev/allot/objstore"
)

// ConnectionStringEnv is the environment variable OpenURL reads a
// connection string from.
const ConnectionStringEnv = "AZURE_STORAGE_CONNECTION_STRING"

var accountName = regexp.MustCompile(`^[a-z0-9]{3,24}$`)

// OpenURL opens azblob://account/container/prefix?endpoint=URL and returns
// the container and the prefix (the rest of the path). Credentials come
// from AZURE_STORAGE_CONNECTION_STRING when it is set, else from
// azidentity's default credential chain against
// https://ACCOUNT.blob.core.windows.net or the endpoint option; never from
// the URL.
func OpenURL(_ context.Context, u *url.URL) (objstore.Bucket, string, error) {
	c, err := parseURL(u)
	if err != nil {
		return nil, "", err
	}
	client, err := c.client(os.Getenv(ConnectionStringEnv))
	if err != nil {
		return nil, "", err
	}
	return New(client, c.account, c.container), c.prefix, nil
}

type urlConfig struct {
	account, container, prefix string
	endpoint                   string
}

func parseURL(u *url.URL) (urlConfig, error) {
	var c urlConfig
	// The URL without user information or query: an endpoint option could
	// hold a password or a SAS token.
	where := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
	if u.Scheme != Scheme {
		return c, fmt.Errorf("azblobstore: %s: scheme is %q, want %q", where, u.Scheme, Scheme)
	}
	if u.User != nil {
		return c, fmt.Errorf("azblobstore: %s: credentials in the URL are not accepted; set %s or use the Azure default credential chain "+
			"(environment, workload identity, managed identity, Azure CLI)", where, ConnectionStringEnv)
	}
	if u.Opaque != "" || u.Host == "" {
		return c, fmt.Errorf("azblobstore: %s: no storage account; write azblob://ACCOUNT/CONTAINER/PREFIX", where)
	}
	if !accountName.MatchString(u.Host) {
		return c, fmt.Errorf("azblobstore: %s: %q is not a storage account name (3 to 24 lowercase letters and digits)", where, u.Host)
	}
	c.account = u.Host
	c.container, c.prefix, _ = strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if c.container == "" {
		return c, fmt.Errorf("azblobstore: %s: no container; write azblob://ACCOUNT/CONTAINER/PREFIX", where)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return c, fmt.Errorf("azblobstore: %s: bad query: %w", where, err)
	}
	for k, v := range q {
		if k != "endpoint" {
			return c, fmt.Errorf("azblobstore: %s: unknown option %q (supported: endpoint)", where, k)
		}
		if len(v) != 1 {
			return c, fmt.Errorf("azblobstore: %s: option %q given %d times, want once", where, k, len(v))
		}
	}
	if ep := q.Get("endpoint"); ep != "" {
		e, err := url.Parse(ep)
		switch {
		case err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "":
			return c, fmt.Errorf("azblobstore: %s: endpoint must be an http:// or https:// URL with a host", where)
		case e.User != nil:
			return c, fmt.Errorf("azblobstore: %s: credentials in the endpoint are not accepted", where)
		case e.RawQuery != "" || e.Fragment != "":
			return c, fmt.Errorf("azblobstore: %s: endpoint must not have a query (a SAS token is a credential: put it in %s)",
				where, ConnectionStringEnv)
		}
		c.endpoint = strings.TrimSuffix(ep, "/")
	}
	return c, nil
}

// client builds the container client: from the connection string when one
// is given, else with the default Azure credential chain.
func (c urlConfig) client(connStr string) (*container.Client, error) {
	where := "azblob://" + c.account + "/" + c.container
	if connStr != "" {
		fields := connectionFields(connStr)
		if name := fields["AccountName"]; name != "" && name != c.account {
			return nil, fmt.Errorf("azblobstore: %s: %s is for account %q, not %q; unset it to use the default credential chain",
				where, ConnectionStringEnv, name, c.account)
		}
		if ep := strings.TrimSuffix(fields["BlobEndpoint"], "/"); c.endpoint != "" && ep != "" && ep != c.endpoint {
			return nil, fmt.Errorf("azblobstore: %s: the endpoint option %s differs from the BlobEndpoint %s of %s; drop one",
				where, c.endpoint, ep, ConnectionStringEnv)
		}
		client, err := container.NewClientFromConnectionString(connStr, c.container, nil)
		if err != nil {
			// The SDK's parse errors do not quote the string; keep it so.
			return nil, fmt.Errorf("azblobstore: %s: %s is not a usable connection string: %s",
				where, ConnectionStringEnv, redactURLs(err.Error()))
		}
		return client, nil
	}
	cred, err := azidentity.NewDefaultAzureCredential(nil)
	if err != nil {
		return nil, fmt.Errorf("azblobstore: %s: setting up the Azure default credential chain: %w", where, err)
	}
	service := c.endpoint
	if service == "" {
		service = "https://" + c.account + ".blob.core.windows.net"
	}
	client, err := container.NewClient(runtime.JoinPaths(service, c.container), cred, nil)
	if err != nil {
		return nil, fmt.Errorf("azblobstore: %s: %w", where, err)
	}
	return client, nil
}

// connectionFields splits a connection string into its fields, for the
// account and endpoint checks; the SDK parses it for use.
func connectionFields(s string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(s, ";") {
		if k, v, ok := strings.Cut(part, "="); ok {
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out
}
