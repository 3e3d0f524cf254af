// Package awscur reads AWS billing exports: the legacy Cost and Usage
// Report (source kind aws-cur) and CUR 2.0 delivered by AWS Data Exports
// (kind aws-cur2). Both yield the normalized [cost.LineItem] of package
// cost, with provenance (the object and its line, or its row for Parquet).
//
// [OpenCUR] and [OpenCUR2] are the connectors.Opener of each kind; [NewCUR]
// and [NewCUR2] take an objstore.Bucket and a prefix directly (tests, or a
// program that builds its own client).
//
// # URLs and layouts
//
// The source URL is opened through the object store (file:PATH,
// s3://bucket/prefix?region=…&endpoint=…&path_style=true). When the prefix
// names one object, that file alone is read, with no manifest: a scan of a
// period yields every row of the file and the Source keeps those whose
// usage starts in the period; a file with no such row is ErrNotFound.
// Otherwise the prefix is the folder AWS writes:
//
//	aws-cur:  <report-prefix>/<report-name>/            ← the URL names this folder
//	              yyyymmdd-yyyymmdd/<report-name>-Manifest.json
//	              yyyymmdd-yyyymmdd/<assemblyId>/<report-name>-<n>.csv.gz
//	              (Parquet reports: <report-name>/year=YYYY/month=M/…parquet)
//	aws-cur2: <prefix>/<export-name>/                   ← the URL names this folder
//	              metadata/BILLING_PERIOD=YYYY-MM/<export-name>-Manifest.json
//	              data/BILLING_PERIOD=YYYY-MM/[<execution>/]<export-name>-<n>.csv.gz|.snappy.parquet
//
// Source options: report_name (aws-cur) or export_name (aws-cur2) picks
// the manifest when several reports or exports write into one folder (by
// default the folder's only manifest, or the one named after the folder);
// temp_dir is where a Parquet object read from S3 is copied for random
// access (default: the system temporary folder). Any other option is an
// error wrapping [ErrUnknownOption].
//
// # Which files are read
//
// The period's manifest alone decides; a period folder is never listed for
// data files, so older assemblies (create-new-report mode) and stale
// executions are never read.
//
//   - aws-cur: the manifest directly inside the period folder whose name
//     starts with the period's first day (yyyymmdd-…; both end conventions
//     occur) is read; its assemblyId is the revision and reportKeys the
//     files, read in that order. Manifests inside assembly folders are
//     ignored. A billingPeriod.start other than the period is an error.
//   - aws-cur2: metadata/BILLING_PERIOD=YYYY-MM/<name>-Manifest.json is read;
//     its executionId is the revision and dataFiles (s3:// URIs) the files.
//
// Manifest entries are keys of the bucket AWS wrote to. They are resolved
// against the folder the URL names, so a copy of the folder elsewhere
// (another bucket or prefix, a local disk) reads the same: an entry under
// the URL's prefix is used as it is; otherwise the part from the period
// folder (aws-cur) or from data/BILLING_PERIOD=YYYY-MM/ (aws-cur2) on, or
// for Parquet reports the part after the report name, is joined to the
// prefix. Every listed object is looked up before any line is read, so a
// missing object fails the scan before anything is yielded. A period with
// no manifest is ErrNotFound; a manifest that lists no file is a period
// with no line items, not an error.
//
// Inputs lists the manifest and the data objects, sorted, each with a
// fingerprint "assemblyId=…;etag=…" (or executionId=…), or size and
// modification time where the store has no ETag: a restatement changes
// every fingerprint.
//
// # Formats and columns
//
// CSV, gzip-compressed CSV (detected by content) and Parquet (by the
// .parquet suffix or the PAR1 magic). ZIP-compressed reports are refused.
// Columns are found by name, case-insensitively, in any of the three
// namings (legacy lineItem/UnblendedCost, CUR 2.0 and Athena
// line_item_unblended_cost); unknown columns are ignored, missing optional
// ones read as empty. The required columns are the line item type, the
// usage start date, the unblended cost and the currency.
//
// Numbers are parsed exactly (E-notation included). A Parquet DOUBLE is
// converted through its shortest decimal representation (0.1 stays 0.1),
// DECIMAL columns through their unscaled integer. Timestamps: CSV text in
// the forms 2026-10-01T00:00:00Z, 2026-10-01T00:00:00.000Z and
// 2026-10-01 00:00:00[.000]; Parquet TIMESTAMP (any unit, read as UTC),
// INT96, DATE or text. An integer column is never taken for a date.
//
// # Field mapping
//
//	ProviderName        "AWS"
//	BillingAccountID    bill/PayerAccountId (BillingAccountName: bill_payer_account_name)
//	SubAccountID        lineItem/UsageAccountId (SubAccountName: line_item_usage_account_name)
//	BillingPeriodStart  bill/BillingPeriodStartDate
//	ChargePeriodStart   lineItem/UsageStartDate; ChargePeriodEnd lineItem/UsageEndDate
//	ChargeCategory      from the line item type (table below)
//	ChargeDescription   lineItem/LineItemDescription
//	ServiceName         lineItem/ProductCode (AmazonBedrock, AmazonEC2)
//	UsageType           lineItem/UsageType; SkuID product/sku
//	ResourceID          lineItem/ResourceId
//	RegionID            product/regionCode, else product/region (product_region_code, product_region)
//	ConsumedQuantity    lineItem/UsageAmount, in ConsumedUnit pricing/unit
//	ListCost            pricing/publicOnDemandCost (zero when empty)
//	BillingCurrency     lineItem/CurrencyCode, per row
//
// # Cost rules
//
// BilledCost is lineItem/NetUnblendedCost when the row has one, else
// lineItem/UnblendedCost. EffectiveCost (amortized) follows the line item
// type, so that covered usage, negations and commitment fees count each
// dollar once (FORMATS §1.5, after the FOCUS converters). A row with a net
// unblended cost takes its effective cost from the net variant of the
// column (reservation/NetEffectiveCost, savingsPlan/NetSavingsPlanEffectiveCost,
// reservation/NetUnused…), so both costs stay on one basis.
//
//	type                     ChargeCategory      EffectiveCost
//	Usage                    Usage               billed
//	DiscountedUsage          Usage               reservation/EffectiveCost
//	SavingsPlanCoveredUsage  Usage               savingsPlan/SavingsPlanEffectiveCost
//	SavingsPlanNegation      Usage               0 (cancels the covered on-demand cost)
//	SavingsPlanUpfrontFee    Purchase            0 (amortized into covered usage)
//	SavingsPlanRecurringFee  Purchase            savingsPlan/TotalCommitmentToDate − savingsPlan/UsedCommitment
//	RIFee                    Purchase            reservation/UnusedAmortizedUpfrontFeeForBillingPeriod + reservation/UnusedRecurringFee
//	Fee                      Purchase            0 with a reservation/ReservationARN (RI upfront), else billed
//	Tax                      Tax                 billed
//	Credit                   Credit              billed
//	Refund                   Credit, Correction  billed
//	BundledDiscount, Discount, EdpDiscount, PrivateRateDiscount,
//	SppDiscount, DistributorDiscount, RiVolumeDiscount
//	                         Usage               billed
//
// Decisions where the sources are silent: Credit and Refund follow FOCUS 1.x
// (ChargeCategory Credit) rather than the FOCUS converters' Adjustment; a
// Refund also gets ChargeClass Correction, since it corrects charges of an
// earlier invoice, while a Credit (promotional, service) does not. Discount
// types are Usage as in the FOCUS converters. CUR has no net variant of the
// savings plan commitment columns, so a SavingsPlanRecurringFee's unused
// commitment is valued before discounts in both bases. A line item type not
// in the table is an error ([ErrUnknownLineItemType]), not a guess; so is a
// row whose rule needs a column the export lacks ([ErrMissingValue]).
//
// # Tags
//
// Tag keys keep the provider's spelling. Legacy resourceTags/user:team
// becomes user:team and resourceTags/aws:createdBy aws:createdBy. CUR 2.0
// resource_tags map keys as AWS writes them, user_team and aws_createdby
// (the Athena spelling), become user:team and aws:createdby; keys written
// with their colon (user:team) are used as they are. Cost categories
// become costCategory/<Name> in both generations (costCategory/CostCenter,
// cost_category['CostCenter']). Athena/Parquet legacy columns are
// rewritten: resource_tags_user_team → user:team, resource_tags_aws_created_by
// → aws:created_by, cost_category_cost_center → costCategory/cost_center.
// That rewrite is lossy (AWS replaced :, ., /, - and upper case when it
// named the column), so keys from such files may not match the CSV form.
// CUR 2.0 CSV writes map columns as JSON text. An empty value is an absent
// tag. Columns that merely end in a tag key (koku's noTags/user:app) are
// not tags.
//
// # Errors
//
// A bad row or manifest entry is a [*connectors.RowError] (it matches
// connectors.ErrBadInput) naming the object, the line (CSV, header = 1) or
// row (Parquet, first = 1), the column or manifest field, and what to do;
// it wraps one of [ErrMissingColumn], [ErrMissingValue], [ErrBadValue],
// [ErrUnknownLineItemType], [ErrBadManifest], [ErrMissingObject],
// [ErrCorrupt] or [ErrUnsupportedFormat]. Nothing is yielded after an
// error. Several manifests for a period without an option to choose is
// [ErrAmbiguousManifest]. A period without an export wraps
// connectors.ErrNotFound; a cancelled context returns ctx.Err(). Object
// names come from the URL without credentials or query.
//
// # Memory and cancellation
//
// A CSV scan holds one row; a Parquet scan holds, per column it reads, one
// page of the current row group. The line item passed to the callback,
// and its Tags map, are reused for the next row. The context is checked
// between objects and every 1024 rows. Parquet objects from stores that
// cannot read at an offset are copied to a temporary file first, removed
// when the object has been read.
package awscur
