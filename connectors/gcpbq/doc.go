// Package gcpbq reads the Cloud Billing export in BigQuery (source kind
// gcp-bigquery): the standard and the detailed usage cost tables. It pushes
// the aggregation down: BigQuery groups the invoice month's rows by every
// field a line item carries, and only the grouped rows travel.
//
// # URLs and options
//
//	bigquery://PROJECT/DATASET.TABLE[?option=value&…]
//
// Options may be given in the URL query or in the source's options (a key
// in both must agree); any other key is an error.
//
//	location=EU|US|REGION   BigQuery location of the jobs (default: BigQuery's choice)
//	table_kind=standard|detailed
//	                        default: from the table name (gcp_billing_export_resource_v1_…
//	                        is detailed, gcp_billing_export_v1_… standard), else detailed
//	                        when the table has resource.global_name and resource.name
//	lookback_days=N         partition window before the invoice month (default 31)
//	late_days=N             partition window after the invoice month (default 10)
//	partition_filter=on|off off scans the whole table (after a backfill, for example)
//	endpoint=http://HOST:PORT
//	                        a test server: the client sends no credentials at all
//
// Without endpoint the client authenticates with Application Default
// Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud auth
// application-default login, the metadata server). Jobs run, and are
// billed, in the URL's project: the identity needs bigquery.jobs.create
// there and bigquery.tables.getData on the table. Credentials never appear
// in errors or logs.
//
// # The query
//
// A scan of period YYYY-MM first reads the table's schema (tables.get): it
// checks that the columns of a billing export are there, decides the kind,
// and includes the Resource Manager tags and cost_at_list columns only when
// the table has them. It then runs one query (see testdata/query.golden.sql
// for the exact text) that
//
//   - selects rows by invoice.month = 'YYYYMM', so that allocating a period
//     reconciles to the invoice of that month;
//   - prunes partitions with _PARTITIONTIME in [first day - lookback_days,
//     last day + 1 + late_days). GCP does not document whether a row's
//     partition is its usage day or its export day: the month before covers
//     the Pacific-time month boundary and adjustments of earlier usage, the
//     days after cover rows exported late. The window only limits the bytes
//     scanned; a row of the invoice month outside it is missed, so widen it
//     (or turn it off) when a month was backfilled. Views and tables that
//     are not ingestion-time partitioned are queried without it (a warning
//     is logged);
//   - computes each row's net cost, cost + SUM(credits.amount), in a
//     subquery over that row's own credits before any grouping: never a
//     join with UNNEST(credits), which would repeat the cost of a row with
//     several credits and drop rows without credits;
//   - groups by billing account, project id and name, service description,
//     SKU id and description, region (location.region, else
//     location.location), resource global name and name (detailed only),
//     cost_type, currency, usage.pricing_unit and the label sets. Arrays
//     cannot be grouped, so each set (labels, project.labels,
//     system_labels, tags) is sorted, turned into JSON text with
//     TO_JSON_STRING, and grouped by that text; the sorted array itself
//     comes back with ANY_VALUE (equal text means equal array);
//   - returns SUM(cost) as BilledCost, SUM(net cost) as EffectiveCost,
//     SUM(cost_at_list) as ListCost, SUM(usage.amount_in_pricing_units) as
//     the quantity, COUNT(*) as LineItem.Count and MIN(usage_start_time),
//     MAX(usage_end_time), ordered by every grouping key so two scans yield
//     the same items in the same order.
//
// # Money
//
// The export's cost columns are FLOAT64. Summing them as floats would
// depend on row order and leave binary noise, so the query casts each
// row's cost, credit and list cost to NUMERIC (rounded half away from zero
// to 9 decimal places: a nano-unit of the currency, far below any minor
// unit, and enough to recover the decimal a float64 stands for) and each
// quantity to BIGNUMERIC (38 places, exact for the binary fractions byte
// counts produce), and sums those exactly. BigQuery sends NUMERIC and
// BIGNUMERIC values as decimal strings; the client parses them into
// big.Rat, which is converted to a decimal without rounding. No float64
// arithmetic touches money. EffectiveCost is not floored at zero: a group
// whose credits exceed its cost is negative, as the invoice is.
//
// # Line items
//
// ProviderName is "Google Cloud"; BillingAccountID the billing account;
// SubAccountID and SubAccountName the project id and name (empty for
// charges without a project, such as tax); ServiceName is
// service.description; SkuID and SkuMeter are sku.id and sku.description;
// RegionID as above; ResourceID and ResourceName are resource.global_name
// and resource.name (detailed tables only); ConsumedQuantity and
// ConsumedUnit are the pricing quantity and unit
// (usage.amount_in_pricing_units, usage.pricing_unit), the unit the SKU is
// priced in; BillingCurrency is currency.
//
// cost_type maps to ChargeCategory: regular is Usage, tax is Tax,
// adjustment and rounding_error are Adjustment, credit is Credit; any other
// value is an error. Credits are not separate items: they make the
// difference between an item's BilledCost and EffectiveCost, so they are
// allocated with the usage they belong to; a group with credits and no
// cost (a promotion on free usage) is an item with BilledCost 0.
//
// # Time
//
// BillingPeriodStart is the invoice month's first day, 00:00 UTC. Invoice
// months follow US Pacific time, so an invoice month holds usage from
// 07:00 or 08:00 UTC on its first day to the same hour on the next
// month's first day, plus adjustments of earlier usage. connectors.Source
// keeps the items whose ChargePeriodStart lies in the period, so the
// charge period is placed inside the invoice month: ChargePeriodStart is
// MIN(usage_start_time) moved into [first day 00:00, last day 23:00] UTC,
// and ChargePeriodEnd is MAX(usage_end_time) capped at the month's end and
// at least an hour after the start. Every row of invoice month M therefore
// counts for period M, and no row of another invoice month does.
//
// # Tags
//
// Resource labels keep their keys as written (GCP label keys are lower
// case). System labels keep theirs too (they carry a domain such as goog-
// or compute.googleapis.com/); a resource label wins over a system label
// with the same key. Project labels become "project:<key>" and Resource
// Manager tags "tag:<key>" (the tag key's short name); of two tags with the
// same key, one bound to the resource wins over an inherited one, then the
// one with the smaller namespace.
//
// # Provenance and errors
//
// Every item's Source names the table, the 1-based result row and the
// BigQuery job id (Source.Job), so a figure can be traced to the job and
// re-queried. A month with no rows returns an error wrapping
// connectors.ErrNotFound. A missing table, a table without the billing
// export columns, a failed job (its error message is kept) and a result
// value that cannot be read (a *connectors.RowError naming the job, result
// row and column) are errors, never ErrNotFound. A cancelled context stops
// the scan between rows and returns ctx.Err(); memory is bounded by one
// result page.
package gcpbq
