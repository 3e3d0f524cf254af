// Package focuswrite writes normalized line items as a FOCUS 1.2 file:
// the library behind `allot normalize --source KIND --url URL --period
// YYYY-MM --out FILE`, so FinOps teams can check a bill in a spreadsheet
// or feed it to other FOCUS tools.
//
// # Formats
//
// [FormatFromPath] picks the format from the output name: .csv (CSV),
// .csv.gz (gzip CSV) or .parquet (Parquet); anything else is an error
// wrapping [ErrFormat]. [New] starts a [Writer]; [Writer.Write] writes one
// cost.LineItem; [Writer.Close] completes the file.
//
// # Columns
//
// In order ([Columns]): BilledCost, EffectiveCost, ListCost,
// BillingCurrency, BillingAccountId, BillingAccountName, SubAccountId,
// SubAccountName, BillingPeriodStart, ChargePeriodStart, ChargePeriodEnd,
// ChargeCategory, ChargeClass, ChargeDescription, ServiceName,
// ServiceCategory, SkuId, SkuMeter, ResourceId, ResourceName, ResourceType,
// RegionId, ConsumedQuantity, ConsumedUnit, ProviderName, Tags, then the
// allot columns x_UsageType, x_ResourceGroupName, x_LineCount (bill lines
// the item stands for, at least 1), x_SourceObject, x_SourceLine,
// x_SourceRow and x_SourceJob (the provenance: where the figure came from).
//
// # Values
//
// Money and quantities are written exactly as the decimal holds them,
// keeping its scale (0.90 stays 0.90; 8.094e-05 was read as 0.00008094),
// never through a float and never rounded. Timestamps are UTC,
// 2006-01-02T15:04:05Z, with a fraction only when the time has one; a zero
// time is null. Tags is a JSON object with sorted keys and string values;
// no tags is null. Null is an empty CSV cell (the focus connector reads it
// back as null) and a Parquet null.
//
// # Spreadsheet injection
//
// A CSV text cell that starts with =, +, - or @ would run as a formula
// when the file is opened in a spreadsheet. Text cells (names, ids,
// descriptions, units, provenance) that start with one of them are
// written with a leading apostrophe, '-foo for -foo; numeric and timestamp
// cells never are, so a negative cost stays -1.25. This changes those text
// values for a program that reads the CSV; Parquet output is not
// neutralized and keeps every value as it is.
//
// # Parquet
//
// Parquet output is written with github.com/parquet-go/parquet-go,
// Snappy-compressed, in row groups of at most 65,536 rows (memory is
// bounded by one row group). Cost and quantity columns are STRING columns
// holding the decimal text: DECIMAL needs one scale for the whole file and
// would have to round values with more fractional digits (Azure writes
// 2.60416666666667E-05), while text is exact for every value; cast in SQL
// (CAST(BilledCost AS DECIMAL(38,18))) where a number is needed. The focus
// connector reads these columns back exactly. Timestamps are
// TIMESTAMP(MICROS, UTC); an item with a finer timestamp is an error
// wrapping [ErrItem] rather than a silent truncation. x_LineCount,
// x_SourceLine and x_SourceRow are INT64; Tags is a JSON string column.
package focuswrite
