// Package fastagg is the fast path the file connectors share to merge bill
// lines into groups (connectors.GroupScanner) without building a
// cost.LineItem per line: exact scaled-integer money, a byte-level CSV
// splitter, a Parquet page reader that resolves text once per dictionary
// entry, and hash tables keyed by the group key. Drivers keep their own
// rules for what a cell means; fastagg only splits, converts and sums.
//
// # Money
//
// Amounts are integers of 10^-Scale (10^-10) units summed in an Int128,
// which cannot overflow before 2^63 additions. ParseScaled reads decimal
// text (E-notation included) straight into that integer and refuses,
// rather than rounds, anything with more than ten fractional digits or out
// of range; FromFloat64 converts a Parquet DOUBLE exactly as the decimal
// its shortest round-trip text (strconv.FormatFloat(x, 'g', -1, 64))
// denotes, the conversion every reader of the project uses, and refuses
// the rest. A refused amount takes the exact slow path: a shopspring
// decimal added to its group on the side (Table.AddDecimal). No amount is
// ever rounded; property tests compare every conversion and sum with
// shopspring/decimal.
//
// # Groups
//
// A Table maps a group key (bytes) to the group's sums, line count,
// earliest charge period start, latest end and first line (object and
// line or row). Its memory grows with the number of groups, never with
// the number of lines. Workers fill tables of their own; Merge combines
// them, and the result does not depend on the number of workers or the
// order of merging. Order sorts groups by their first line: the order a
// line-by-line scan first meets them, so output is deterministic.
//
// # CSV
//
// Splitter reads exactly what encoding/csv reads with its defaults
// (property-tested against it), without allocating per record. ScanCSV
// groups records by the raw text of the key fields plus the month of the
// charge period start (and optionally which amounts are null), parsing
// times once per distinct text. AheadReader overlaps gzip inflate with
// splitting when a second core is free; several files are read at once
// with ForEach.
//
// # Parquet
//
// ScanParquet reads only the leaf columns a PQLayout names, row groups in
// parallel: a driver asked for fewer line item fields
// (connectors.Config.Fields) names fewer leaves, and nothing else of the
// file is decoded. Its own page reader (pageReader) decodes the levels
// and dictionary indexes of a page 4,096 at a time, straight from the
// decompressed page, so that a worker's working set stays in its core's
// cache; parquet-go decodes a whole page at once (a CUR page can hold a
// whole row group: megabytes per column), and reads the chunks the page
// reader does not (other encodings, encryption). The page reader is an
// optimisation only: a scan it fails is run again on parquet-go's pages,
// whose result or error stands. Text is resolved once per dictionary entry (PLAIN pages
// through a per-worker cache); each worker numbers the values of every
// key column, packs the codes of a row into a 128-bit key and groups rows
// in a compact table (one 64-byte record per group holds what a row
// updates), flushed into a Table at the end. A row's tag map, when its
// key and value leaves are dictionary encoded, is packed the same way
// (key and value codes, 128 bits) and numbered through a cache, without
// hashing or comparing its strings; PLAIN maps are found by their bytes
// in place. Layouts that do not fit 128 bits fall back to byte keys.
// Memory is bounded by a window of rows per column per worker and the
// number of groups.
//
// Project empties the fields of a line item a projection leaves out, for
// the lines drivers read line by line and group with the rest.
//
// # Errors
//
// A bad value is a *RowError naming the object, the 1-based line or row
// and the column; with several workers the error returned is the first in
// object and row order, the one a sequential scan meets. A cancelled
// context returns ctx.Err(). A Parquet column of a type the fast path does
// not read is ErrUnsupported: the driver reads that file line by line.
package fastagg
