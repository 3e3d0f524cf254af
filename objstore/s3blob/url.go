package s3blob

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/allot-dev/allot/objstore"
)

// URL query options OpenURL accepts.
var urlOptions = []string{"endpoint", "path_style", "region"}

// OpenURL opens s3://bucket/prefix?region=R&endpoint=URL&path_style=true
// and returns the bucket and the prefix (the URL path without its leading
// "/"). Credentials come only from the AWS SDK's default chain: never from
// the URL.
func OpenURL(ctx context.Context, u *url.URL) (objstore.Bucket, string, error) {
	c, err := parseURL(u)
	if err != nil {
		return nil, "", err
	}
	var load []func(*config.LoadOptions) error
	if c.region != "" {
		load = append(load, config.WithRegion(c.region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, "", fmt.Errorf("s3blob: s3://%s: loading the AWS configuration: %w", c.bucket, err)
	}
	if cfg.Region == "" {
		return nil, "", fmt.Errorf("s3blob: s3://%s: no AWS region: add ?region= to the URL, or set AWS_REGION or a region in the AWS config file",
			c.bucket)
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if c.endpoint != "" {
			o.BaseEndpoint = aws.String(c.endpoint)
		}
		o.UsePathStyle = c.pathStyle
	})
	b := New(client, c.bucket)
	b.endpoint = c.endpoint
	return b, c.prefix, nil
}

type urlConfig struct {
	bucket, prefix   string
	region, endpoint string
	pathStyle        bool
}

func parseURL(u *url.URL) (urlConfig, error) {
	var c urlConfig
	// The URL without user information or query: an endpoint option could
	// hold a password.
	where := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
	if u.Scheme != Scheme {
		return c, fmt.Errorf("s3blob: %s: scheme is %q, want %q", where, u.Scheme, Scheme)
	}
	if u.User != nil {
		return c, fmt.Errorf("s3blob: %s: credentials in the URL are not accepted; use the AWS credential chain "+
			"(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO or an instance role)", where)
	}
	if u.Opaque != "" || u.Host == "" {
		return c, fmt.Errorf("s3blob: %s: no bucket; write s3://BUCKET/PREFIX", where)
	}
	c.bucket = u.Host
	c.prefix = strings.TrimPrefix(u.Path, "/")
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return c, fmt.Errorf("s3blob: %s: bad query: %w", where, err)
	}
	for k, v := range q {
		if !slices.Contains(urlOptions, k) {
			return c, fmt.Errorf("s3blob: %s: unknown option %q (supported: %s)", where, k, strings.Join(urlOptions, ", "))
		}
		if len(v) != 1 {
			return c, fmt.Errorf("s3blob: %s: option %q given %d times, want once", where, k, len(v))
		}
	}
	c.region = q.Get("region")
	if ps := q.Get("path_style"); ps != "" {
		if c.pathStyle, err = strconv.ParseBool(ps); err != nil {
			return c, fmt.Errorf("s3blob: %s: path_style=%q is not true or false", where, ps)
		}
	}
	if ep := q.Get("endpoint"); ep != "" {
		e, err := url.Parse(ep)
		switch {
		case err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "":
			return c, fmt.Errorf("s3blob: %s: endpoint must be an http:// or https:// URL with a host", where)
		case e.User != nil:
			return c, fmt.Errorf("s3blob: %s: credentials in the endpoint are not accepted; use the AWS credential chain", where)
		case e.RawQuery != "" || e.Fragment != "":
			return c, fmt.Errorf("s3blob: %s: endpoint must not have a query or fragment", where)
		}
		c.endpoint = strings.TrimSuffix(ep, "/")
	}
	return c, nil
}
