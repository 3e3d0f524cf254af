// Package gateway is the connector for kind gateway: the inference
// gateway's usage records, one per action or per pre-aggregated group of
// actions, as JSON lines or CSV, on the local disk or in object storage.
//
// # URLs and files
//
// The source URL is opened through connectors.Env.Store (file:PATH today;
// s3:// and azblob:// unchanged). A URL naming an object reads it alone; a
// folder reads every object under it whose name ends in .jsonl, .ndjson or
// .json (JSON lines) or .csv, each optionally followed by .gz, matched
// case-insensitively, in key order; other objects are ignored. Gzip is
// detected by content. A .json file must hold JSON lines, not one array.
// [New] takes an injected objstore.Bucket and prefix; [Open] is the
// connectors.Opener. The kind takes no options.
//
// # Fields
//
// Field names follow the OpenTelemetry GenAI conventions (SPEC §10) and
// are matched case-insensitively:
//
//	timestamp                   RFC 3339 with a zone (Z or ±hh:mm; a space may
//	                            stand for the T); required
//	team, action_class          copied as written (trimmed); not interpreted here
//	gen_ai.request.model        copied
//	gen_ai.usage.input_tokens   whole number ≥ 0; empty or absent is 0
//	gen_ai.usage.output_tokens  whole number ≥ 0; empty or absent is 0
//	count                       actions the record stands for, a whole number ≥ 1;
//	                            absent means 1
//	eval_scope                  none, domain or baseline, or empty
//	agent_run_id, request_id    copied
//
// In JSON lines, a field may be written as a flat dotted key
// ("gen_ai.usage.input_tokens": 3) or nested
// ({"gen_ai": {"usage": {"input_tokens": 3}}}); numbers may be JSON
// numbers or strings; null means absent; unknown fields are ignored; blank
// lines are skipped. A CSV file has a header with the same names; extra
// columns are ignored and NULL is empty.
//
// # Period, duplicates and provenance
//
// ScanUsage yields every record of every file, including records outside
// the period and repeated request ids: the connectors.Source keeps those
// whose timestamp is in the period and counts each request id once. When
// no record falls in the period, ScanUsage returns an error wrapping
// connectors.ErrNotFound. Each record's provenance is the object with its
// 1-based line (a CSV header is line 1). The record passed to fn is reused
// and valid only during the call.
//
// # Inputs
//
// Inputs lists the files with the store's ETag, or else a SHA-256 of the
// object's bytes, as fingerprint; it reads the files until one holds a
// record of the period and returns ErrNotFound when none does.
//
// # Errors
//
// A malformed record is a *connectors.RowError naming the object, the line
// and the field, wrapping [ErrMissingField] (no timestamp), [ErrBadValue]
// (an unparseable or zone-less timestamp, a negative or fractional token
// count, a count of zero or a fraction, an unknown eval scope, an object
// or array where a value belongs), [ErrBadRecord] (a line that is not one
// JSON object, a field given twice) or [ErrBadFile] (CSV syntax, a line
// longer than 16 MiB). Nothing after it is yielded. A cancelled context
// returns ctx.Err().
package gateway
