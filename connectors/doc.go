// Package connectors reads billing exports and gateway usage records and
// yields normalized line items ([cost.LineItem]) and usage records
// ([cost.UsageRecord]). Connectors know nothing about teams.
//
// # Drivers and the portable Source
//
// A driver reads one export format (AWS CUR, CUR 2.0, Azure exports, the GCP
// BigQuery export, FOCUS, gateway records) through one streaming method. A
// [Source] wraps a driver and owns what every connector shares: the period
// filter (only items whose charge period starts inside the period count;
// the others are counted, never dropped silently), row and cost counts,
// structured logs, and one layer of error wrapping.
//
// # Errors
//
// A scan of a period that has no export returns an error wrapping
// [ErrNotFound]. A bad row returns a [*RowError] naming the object, line and
// column. A cancelled context returns ctx.Err(). Errors and logs never
// contain credentials: URLs are passed through [objstore.Redact].
//
// # Kinds
//
// Source kinds are registered on a [Mux] by the program (cmd/allot), not by
// init functions: aws-cur, aws-cur2, azure-export, gcp-bigquery, focus and
// gateway.
package connectors
