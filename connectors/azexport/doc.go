// Package azexport reads Azure Cost Management exports (source kind
// azure-export): the ActualCost and AmortizedCost cost details of EA, MCA
// and pay-as-you-go accounts, and the FocusCost export, as CSV (optionally
// gzip-compressed) or Parquet.
//
// # URLs and layout
//
// The source URL names a storage location through the objstore registry:
//
//	file:PATH                          a local folder or file
//	azblob://account/container/prefix  Azure Blob storage
//
// If the URL names a single object (objstore Stat finds it), that file is
// read alone, with no manifest. Otherwise the location is one export's
// folder, as Azure writes it:
//
//	{export-name}/{YYYYMMDD-YYYYMMDD}/{export-time YYYYMMDDHHmm}/{run GUID}/manifest.json
//	{export-name}/{YYYYMMDD-YYYYMMDD}/{export-time YYYYMMDDHHmm}/{run GUID}/part_0_0001.csv[.gz]
//
// The URL may point at the export folder itself or at any folder above it
// that holds only that export; runs of two exports for one month are an
// error (point the URL at one of them).
//
// # Which run is read
//
// For period YYYY-MM, the runs are the manifest.json files in date-range
// folders that start on the month's first day (YYYYMM01-…). The current run
// is the one whose manifest has the latest runInfo.submittedTime (manifest
// version 2024-04-01); manifests without runInfo (version 2021-01-01) are
// dated by their export-time folder. Ties go to the larger export-time
// folder, then the larger run folder name. Older runs are never read.
//
// Exactly the manifest's blobs[].blobName are read, in manifest order. Blob
// names are relative to the storage container and include the root folder
// path ("cost/partitioned/20230101-20230131/202301041442/<run>/000001.csv")
// while the URL may be rooted anywhere, so a name is resolved against the
// run folder: the part after "/<run folder>/" is the file's path in the run
// folder of the manifest. A blob outside that folder, a missing blob, a
// blobCount or dataRowCount that disagrees with the blobs (or with the rows
// actually read) is an error: the run is incomplete or damaged. A run
// whose files have a header but no rows is a valid empty export.
//
// Files are CSV (optionally gzip-compressed) or Parquet (by the .parquet
// name, as Cost Management names them: part_0_0001.snappy.parquet). A
// Parquet file's top-level columns are read by name like CSV headers, each
// value as the text a CSV export holds: DOUBLEs as the shortest decimal
// that reads back as them, DECIMALs exactly, timestamps in RFC 3339,
// dates as YYYY-MM-DD, and a MAP<string,string> (tags) as its JSON object;
// errors name the row instead of the line.
//
// Inputs lists the manifest (fingerprint "run:<runId>") and each data file
// (its ETag, or size and modification time).
//
// # Dataset
//
// The dataset comes from the manifest's exportConfig.type (ActualCost,
// AmortizedCost, FocusCost) when present, else from the source option
// dataset=actual|amortized|focus, else from the columns: a file with
// BilledCost, EffectiveCost and ChargePeriodStart is FocusCost. ActualCost
// and AmortizedCost files share one column set, so without a manifest type
// or the option their dataset is unknown: that is fine until a row's costs
// depend on it (usage covered by a reservation or savings plan with a
// non-zero cost), which is then an error asking for the option. An option
// that contradicts the manifest is an error.
//
// # Columns
//
// Headers are matched case-insensitively after removing a byte-order mark;
// a localized portal header such as "Abonnement-GUID (SubscriptionGuid)" is
// matched by its parenthesised English name. Legacy pay-as-you-go names
// (SubscriptionGuid, UsageDateTime, PreTaxCost, UsageQuantity, InstanceId,
// Currency), EA names (Cost, CostInBillingCurrency, BillingCurrency,
// BillingCurrencyCode, PartNumber) and MCA camelCase names
// (costInBillingCurrency, paygCostInBillingCurrency, resourceGroupName,
// ProductId, InstanceName) are all accepted; unknown columns are ignored.
// A file needs a date and a cost column (FocusCost: BillingCurrency and
// ChargeCategory too).
//
// Cost details map to line items as follows: ProviderName "Microsoft";
// BillingAccountID is the billing profile (BillingProfileId) in MCA files
// (recognised by their PaygCostInBillingCurrency, CostInUsd, PricingCurrency
// or ExchangeRatePricingToBilling column) and the BillingAccountId otherwise,
// each falling back to the other; SubAccountID and SubAccountName are the
// subscription; ResourceGroup; ResourceID (legacy InstanceId, MCA
// InstanceName), ResourceName (else the last segment of the resource id);
// RegionID is ResourceLocation lower-cased without spaces; ServiceName is
// MeterCategory, SkuMeter is MeterName; SkuID is the first non-empty of
// ProductId (MCA), PartNumber (EA) and MeterId (legacy); ChargeDescription
// is ProductName; ConsumedQuantity and ConsumedUnit are Quantity and
// UnitOfMeasure as written (for Azure OpenAI meters the quantity is the
// token count, the 1K/1M in the unit is the pricing block);
// BillingCurrency is the row's own; ListCost is PaygCostInBillingCurrency
// (MCA only, zero elsewhere); the charge period is the Date's UTC day,
// [Date, Date+1 day); BillingPeriodStart is BillingPeriodStartDate.
//
// FocusCost files map FOCUS columns one to one; SubAccountId loses its
// "/subscriptions/" prefix, ResourceGroup is x_ResourceGroupName and
// SkuMeter falls back to x_SkuMeterName.
//
// # Charge types and cost rules
//
// ChargeType maps to ChargeCategory as FORMATS §3.5 (FTK convert.md) says:
// Usage, Purchase, Tax and Credit keep their name, UnusedReservation and
// UnusedSavingsPlan are Usage, Refund is Purchase with ChargeClass
// Correction, RoundingAdjustment is Adjustment; files without ChargeType
// (legacy pay-as-you-go) are usage; any other value is an error.
//
// Costs come from CostInBillingCurrency (Cost, PreTaxCost). With PricingModel
// Reservation or SavingsPlan:
//
//   - a Purchase or Refund has BilledCost = cost and EffectiveCost = 0 in
//     either dataset (its cost is amortized onto the usage it covers);
//   - UnusedReservation and UnusedSavingsPlan rows (AmortizedCost only)
//     have BilledCost = 0 and EffectiveCost = cost: FOCUS requires a
//     commitment's billed purchase to equal its used plus unused effective
//     cost, so billing the unused part again would count it twice (FTK's
//     table tests ChargeType "Usage" only; allot applies the FOCUS rule);
//   - Usage has BilledCost = 0 and EffectiveCost = cost in AmortizedCost,
//     and both equal to the cost in ActualCost (where Azure writes 0).
//
// Every other row has BilledCost = EffectiveCost = cost. An ActualCost
// export therefore carries no amortized commitment cost and an
// AmortizedCost export no commitment purchases: allocate on effective cost
// from AmortizedCost or FocusCost exports, on billed cost from ActualCost or
// FocusCost exports.
//
// # Dates
//
// ISO dates (2020-09-22, with or without a time) are read everywhere. The
// cost-details Date column also accepts the month-first dates EA and MCA
// files write (09/21/2023, 9/2/2023); legacy UsageDateTime and FocusCost
// columns do not. Azure writes no day-first dates, so a slash date is never
// read day-first; and the first dated row of a file fixes its format: a
// later row in the other format is an error, so no file is ever read half
// one way and half the other.
//
// # Tags
//
// Tags are JSON with or without the outer braces (EA omits them). Keys are
// kept as spelled apart from surrounding whitespace, which is trimmed; keys
// that differ only by case stay separate (the tagging layer compares Azure
// keys case-insensitively and reports the variants). Of two keys equal
// after trimming, the one written without whitespace wins, then the last.
//
// # Grouped scans
//
// The driver is a connectors.GroupScanner and ParallelGroupScanner, which
// is how allot run reads it: rows that agree on every column but the date
// and the amounts (cost, PaygCostInBillingCurrency, quantity) become one
// item with exact sums, the earliest day as its start and the day after
// the latest as its end. FocusCost rows group the same way on every
// column but the charge period and the amounts (BilledCost,
// EffectiveCost, ListCost, ConsumedQuantity): the earliest
// ChargePeriodStart to the latest ChargePeriodEnd (a row without one
// lasts a day). A driver made WithFields (allot run asks for the fields
// its tagging rules and cost basis read) keys groups by the columns of
// those fields alone, plus the currency, charge type and pricing model
// (FocusCost: the currency, charge category and charge class). CSV
// files, cost details and FocusCost, plain or gzip, are split and grouped
// without building a line item per row, several files at a time; what a
// row means is worked out once per group with the rules above, a row's
// dates and costs are still read in the row (an end not after its start
// is an error), and each file's date format is still fixed by its own
// rows. Parquet files are read line by line and grouped the same way.
// When the grouped scan meets a problem, the export is read again line by
// line to report it, so the error is the one Scan returns, and nothing is
// yielded.
//
// # Errors
//
// A period without a run folder returns an error wrapping
// connectors.ErrNotFound, as does a single file with rows but none dated in
// the period. A malformed row is a *connectors.RowError naming the file,
// line and column with what to do; a damaged run (missing blob, row count
// mismatch, blob outside its run folder) wraps connectors.ErrBadInput.
// Errors name objects through the bucket's credential-free description.
//
// # Options
//
//	dataset=actual|amortized|focus  the dataset when no manifest says (see Dataset)
//	currency=XXX                    billing currency of files without a currency column
//
// Any other option key is an error.
package azexport
