// Package gen writes synthetic but realistic billing data for benchmarks
// and load tests (allot gen): a month of an AI-heavy company's cloud bill
// in the AWS CUR 2.0 (Parquet or CSV.gz, with the Data Exports manifest),
// FOCUS 1.2 (CSV, CSV.gz, Parquet) or Azure cost export (CSV, CSV.gz, with
// manifest.json) layout, the inference gateway's usage records for the
// same teams and action classes, a quarterly price list and an allot.yaml
// that reads it all.
//
// # The data
//
// Tens of accounts; thousands of resources (Bedrock application inference
// profiles, SageMaker endpoints, vector collections), each in one account
// and region, with its token usage types and rates; 80% of resources carry
// 3 to 6 tags (user:team and user:action_class, then some of env, cost
// center, owner, project), 20% none. Resource usage follows a Pareto law,
// so heavy and light users differ 20x to 100x. Lines follow the AWS line
// item types of FORMATS §1.5 in fixed proportions: usage, savings plan
// covered usage and its negation, reservation-covered usage, tax, credits,
// fees, reservation and savings plan recurring fees, with their
// amortization columns; a quarter of the accounts have negotiated
// discounts (net costs). Amounts are exact decimals of at most 10
// fractional digits (12 for --long-decimals), written as text in CSV
// (E-notation below 10^-4) and as the double whose shortest text is that
// decimal in Parquet.
//
// # Determinism and memory
//
// Everything derives from Options.Seed: file i draws from its own
// generator, so files can be written in parallel and the same options give
// the same bytes. Rows stream to the writers; memory is bounded by one
// Parquet row group per worker, whatever the number of rows.
//
// # The configuration
//
// allot.yaml runs the finops model (cost mode): each team's usage rows are
// the cost of its lines per action class, which is what a GROUP BY over
// the team and action class tags computes, so a run compares directly with
// a SQL engine. AWS and FOCUS data are allocated on billed cost (CUR's net
// unblended cost, else unblended); the Azure AmortizedCost export on
// effective cost, its cost column.
package gen
