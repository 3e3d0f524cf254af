// Package sinks delivers emitted batches (one journal in one format, named
// by erp.FileName) to where outputs[].url points: a local folder, S3, Azure
// Blob storage or an HTTPS endpoint.
//
//	s, err := sinks.Open(ctx, "s3://finance-drop/allot/journals?region=eu-west-1", sinks.Env{Store: mux, Logger: log})
//	err = s.Deliver(ctx, sinks.Delivery{Name: erp.FileName("sap", j), JournalID: j.ID, Body: body, ContentType: f.ContentType})
//
// # URLs
//
//	file:DIR                              a local folder (objstore/fileblob)
//	s3://BUCKET/PREFIX?region=R           S3 or an S3-compatible server (objstore/s3blob;
//	                                      &endpoint=URL&path_style=true for others)
//	azblob://ACCOUNT/CONTAINER/PREFIX     Azure Blob storage (objstore/azblobstore)
//	https://HOST/PATH?OPTIONS             a webhook; http:// only to a loopback host (tests)
//
// Storage URLs go through Env.Store, an objstore.Mux the program fills
// with the schemes it supports; their credentials come from the providers'
// default chains, never from the URL. Webhook options, read from the query
// and not sent:
//
//	tries=5          attempts in all, 1 to 100
//	backoff=500ms    back-off ceiling before the second try, doubled each try
//	max_backoff=30s  cap of the back-off ceiling
//	timeout=30s      bound on each try, connection to last response byte
//	auth_env=VAR     send the value of the environment variable VAR as the
//	                 Authorization header ("Bearer " is prepended to a value
//	                 without a space); a missing or empty VAR is an error
//
// Any other query parameter is the endpoint's own and is sent as is (some
// endpoints take a token there). User information in a webhook URL is
// refused: use auth_env.
//
// # Delivery semantics
//
// Delivering the same batch twice is harmless, so a caller that does not
// know whether an earlier attempt landed simply delivers again. Exactly
// once per sink then follows from the caller recording each acknowledged
// delivery in the ledger and redelivering only unacknowledged ones.
//
// Object stores: each batch is its own object, prefix/Name, written
// atomically with objstore.PutOptions{IfNotExists: true}, so an earlier
// batch is never overwritten. If the object exists, Deliver reads it back:
// identical bytes mean the batch was delivered before (nil, logged as
// "already delivered"); different bytes are an error wrapping
// [ErrConflict] that names the object and says what to do. A reader sees
// either no object or the whole batch.
//
// Webhooks: one POST of the body with Idempotency-Key: <journal id>,
// Content-Type, Content-Disposition: attachment; filename="<Name>" and
// User-Agent: allot/<version>; the endpoint deduplicates on the key. Any
// 2xx is success. Redirects are not followed (an error naming the target).
//
// # Retries
//
// A webhook try that ends in a network error, a per-try timeout, 429 or any
// 5xx is retried, with the same Idempotency-Key, after a wait drawn
// uniformly from zero to min(max_backoff, backoff·2^(try-1)) ("full
// jitter"), or after the Retry-After the endpoint sent (seconds or an HTTP
// date) when that is longer. Other 4xx answers are not retried. When no
// try succeeds, the error is a *[DeliveryError]: the URL with every query
// value and user information redacted, the journal id, the number of
// tries, the last status and the first 256 printable bytes of the last
// response (or the last network error), wrapping [ErrRejected] or
// [ErrGaveUp]. Cancelling ctx stops at once, during a try or a wait, with
// an error wrapping ctx.Err().
//
// # Errors and secrets
//
// Sentinels: [ErrConflict], [ErrRejected], [ErrGaveUp], [ErrBadURL],
// [ErrBadDelivery]; storage errors wrap objstore's. No error, log record
// or String contains credentials: query values and user information are
// redacted, the Authorization value is never printed, and storage drivers
// describe buckets without keys.
package sinks
