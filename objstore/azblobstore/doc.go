// Package azblobstore implements objstore.Bucket over one Azure Blob
// Storage container (block blobs), and Azurite for tests.
//
// # URLs
//
//	azblob://ACCOUNT/CONTAINER/PREFIX?endpoint=URL
//
// OpenURL returns the container and PREFIX (the path after the container,
// kept as written, so a trailing "/" stays). The one option, endpoint, is
// the blob service URL when it is not https://ACCOUNT.blob.core.windows.net:
// a sovereign cloud, a private endpoint, or Azurite
// (http://127.0.0.1:10000/devstoreaccount1). It must not hold credentials or
// a query; any other option is an error.
//
// [New] and [NewWithOptions] take a container client the caller built
// instead.
//
// # Credentials
//
// When AZURE_STORAGE_CONNECTION_STRING is set, its account key or SAS token
// is used, and its BlobEndpoint (or AccountName) decides the endpoint; the
// URL's account must match its AccountName, and an endpoint option must
// match its BlobEndpoint, or OpenURL fails rather than write to another
// account. Otherwise azidentity's DefaultAzureCredential applies:
// environment (AZURE_CLIENT_ID with a secret or certificate), workload
// identity, managed identity, Azure CLI, Azure Developer CLI. Token
// credentials need an https endpoint. A URL with user information is
// refused.
//
// A SAS token travels in request URLs, and the SDK's transport errors quote
// the URL; the package removes URL queries from every error message, and
// reports service errors as "HTTP STATUS CODE". String() is
// azblob://ACCOUNT/CONTAINER. No message carries a key, a SAS or a
// connection string.
//
// # Atomicity
//
// A blob changes only when a Put Blob or a Put Block List succeeds. A body
// of up to Options.BlockSize bytes (8 MiB by default) is sent in one Put
// Blob. A larger one is staged as blocks of BlockSize bytes,
// Options.Concurrency at a time, and then committed with one Put Block List;
// a reader sees the old blob or the whole new one. Every request carries the
// Content-MD5 of its body. Blocks of a Put that fails stay uncommitted:
// invisible, not listed, and discarded by the service at the blob's next
// commit or after a week; there is no call to delete them sooner. Block IDs
// are random per Put, so two Puts never commit each other's blocks; but a
// commit discards all other uncommitted blocks of the blob, so of two
// concurrent large Puts of the same key the later commit can fail with
// InvalidBlockList, which Put reports with a hint to retry. Memory is
// bounded by (Concurrency+1) × BlockSize per Put; bodies above 50,000
// blocks (390 GiB at 8 MiB) need a larger BlockSize.
//
// # IfNotExists
//
// PutOptions.IfNotExists sends If-None-Match: * on the Put Blob, or on the
// Put Block List: the service refuses the write if the blob exists, with no
// window between a check and the write. A block upload first checks with
// Get Blob Properties and stops early if the blob exists, only to avoid
// uploading in vain.
//
// # Errors
//
//   - Stat and Open of a missing blob: an error wrapping
//     objstore.ErrNotFound (BlobNotFound, HTTP 404).
//   - A missing container: an error naming the container and account, not
//     ErrNotFound, so a wrong URL is not mistaken for "no export yet".
//   - Put with IfNotExists on an existing blob: an error wrapping
//     objstore.ErrExists (409 BlobAlreadyExists, 412 ConditionNotMet).
//   - A cancelled context: an error wrapping ctx.Err(), also for reads of an
//     open blob.
//   - Anything else: "HTTP STATUS CODE" with the operation and the azblob://
//     address; the SDK's error stays in the chain for errors.As
//     (*azcore.ResponseError).
//
// # Listing
//
// List pages through List Blobs (flat) and returns names in byte order.
// Names ending in "/" are folder markers, not objects, and are left out.
package azblobstore
