// Package focus is the connector for kind focus: FinOps FOCUS 1.0–1.2 cost
// and usage data (FOCUS 0.5 column names are read too) as CSV, gzip CSV or
// Parquet files, on the local disk or in object storage.
//
// # URLs and files
//
// The source URL is opened through connectors.Env.Store, so every storage
// scheme the program registers works (file:PATH today; s3:// and azblob://
// unchanged). A URL that names an object reads that object alone; its name
// must end in .csv, .csv.gz or .parquet. A URL that names a folder reads
// every object under it, at any depth, whose name ends in .csv, .csv.gz or
// .parquet (matched case-insensitively), in key order. Every other object
// (manifests, metadata JSON, READMEs, _SUCCESS markers) is ignored. Gzip is
// detected by content, so a .csv that is really gzip is read too.
//
// [New] takes an injected objstore.Bucket and prefix; [Open] is the
// connectors.Opener. The kind takes no options: any key in the source's
// options is an error wrapping [ErrUnknownOption].
//
// # Columns
//
// Header names are matched case-insensitively and a UTF-8 byte-order mark
// is skipped. The driver fills these cost.LineItem fields (FOCUS 1.2 name
// first, then the accepted aliases):
//
//	ProviderName        ProviderName, Provider (0.5), ServiceProviderName (1.3)
//	BillingAccountID    BillingAccountId          BillingAccountName
//	SubAccountID        SubAccountId              SubAccountName
//	ResourceGroup       x_ResourceGroupName (Azure)
//	BillingPeriodStart  BillingPeriodStart
//	ChargePeriodStart   ChargePeriodStart (required)
//	ChargePeriodEnd     ChargePeriodEnd
//	ChargeCategory      ChargeCategory, ChargeType (0.5) (required)
//	ChargeClass         ChargeClass: Correction or null
//	ChargeDescription   ChargeDescription
//	ServiceName         ServiceName               ServiceCategory
//	SkuID               SkuId
//	SkuMeter            SkuMeter, x_SkuMeterName (Azure FOCUS 1.0)
//	UsageType           x_UsageType (AWS)
//	ResourceID          ResourceId                ResourceName, ResourceType
//	RegionID            RegionId, Region (0.5)
//	ConsumedQuantity    ConsumedQuantity, UsageQuantity (0.5)
//	ConsumedUnit        ConsumedUnit, UsageUnit (0.5)
//	BilledCost          BilledCost (required)
//	EffectiveCost       EffectiveCost, AmortizedCost (0.5) (required)
//	ListCost            ListCost
//	BillingCurrency     BillingCurrency, BilledCurrency (required)
//	Tags                Tags
//	Count               x_LineCount (written by allot normalize)
//
// When a file carries two names of one field, the first in the list wins:
// the focus_validator 0.5 sample has both BillingCurrency and a
// BilledCurrency that disagree, and BillingCurrency is used. Other columns
// (PricingQuantity, CommitmentDiscountId, the x_Source* provenance columns
// of allot normalize …) are ignored.
//
// # Cells
//
// An empty cell and the literal NULL (any case) are null. A null optional
// text cell is the empty string; a null optional number is zero; a null
// optional timestamp is the zero time. Numbers are parsed exactly from
// their text, in plain or E-notation (8.094e-05), never through a float.
// Timestamps are 2026-10-01T00:00:00Z, 2026-10-01 00:00:00 (UTC) or the
// other ISO 8601 forms textio.ParseTime reads; month-first dates such as
// 5/1/25 are errors, never guessed. ChargeCategory is matched
// case-insensitively; ChargeClass must be Correction or null; the currency
// must be an ISO 4217 code.
//
// Tags is a JSON object whose values are strings, numbers, booleans or
// null (FOCUS KeyValueFormat). Values become strings as written: a number
// keeps its text, a valueless key (true) is "true", and null is the empty
// string. An empty object or null cell means no tags (a nil map).
//
// # Parquet
//
// Parquet files are read a row group at a time with
// github.com/parquet-go/parquet-go, page by page and only the mapped
// columns, so memory is bounded by one page per column. Costs may be
// DOUBLE or FLOAT (converted exactly through their shortest decimal text,
// strconv.FormatFloat(x, 'g', -1, 64), never by float arithmetic),
// DECIMAL (INT32, INT64, BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY), integers or
// strings. Timestamps may be TIMESTAMP (millis, micros, nanos), DATE,
// INT96 or strings. Tags may be a JSON string column or a MAP of string
// keys. Random access needs an io.ReaderAt: a local file is read in
// place; an object from another store is first copied to a temporary file.
//
// # Period and provenance
//
// Scan yields every row of every file, including rows whose charge period
// starts outside the period: the connectors.Source filters and counts
// them. When no row of any file starts in the period, Scan returns an
// error wrapping connectors.ErrNotFound. Each item's provenance is the
// object (bucket and key) with the 1-based line of a CSV file (the header
// is line 1) or the 1-based row of a Parquet file. The LineItem passed to
// fn is reused: it and its fields are valid only during the call.
//
// # Groups
//
// The driver is a connectors.GroupScanner: ScanGroups (what
// connectors.Source.Scan uses) yields one item per group of rows that
// agree on every field but the costs, the quantity, the charge period and
// the provenance, in the month of their charge period start, with the
// exact sums, Count the number of rows (0 for one row, as Scan) and the
// provenance of the group's first row; groups come in the order Scan
// first meets them. CSV files are split without encoding/csv and grouped
// by the raw text of their cells, several files at a time; Parquet files
// are read a page at a time, row groups in parallel, text resolved once
// per dictionary entry (see connectors/internal/fastagg). Parquet files
// with a column the fast reader does not take (a string timestamp or
// cost, a non-string tag value) are read line by line and grouped alike.
// Errors are Scan's, at the same line or row, and nothing is yielded
// after one. Source.ScanLines reads line by line, for allot explain and
// allot normalize.
//
// # Inputs
//
// Inputs lists the files with the store's ETag as fingerprint, or else a
// SHA-256 of the object's bytes ("sha256:…"). To honour the ErrNotFound
// contract it reads the ChargePeriodStart column of each file until it
// finds a row in the period.
//
// # Errors
//
// Every problem with a file's content is a *connectors.RowError naming the
// object, the line (CSV) or row (Parquet) and the column, wrapping one of
// [ErrMissingColumn] (a file without a required column; the message names
// them all), [ErrNull] (a required cell is null), [ErrBadValue],
// [ErrBadTags] or [ErrBadFile] (CSV syntax, a row with the wrong number of
// fields, an unreadable Parquet file or an unsupported column type).
// Nothing after a bad row is yielded. A cancelled context returns
// ctx.Err().
package focus
