// Package pipeline wires allot's packages into the monthly job: it opens
// the configured sources, streams their line items through currency
// conversion and tag resolution into cost groups, counts gateway actions,
// runs the allocator under the configured operating model, builds the
// journals and reports, posts them to the ledger (idempotently: a re-run
// with the same figures posts nothing; changed figures post a reversal and
// a new batch) and delivers each batch once to each configured sink.
//
// It is the composition root: connectors, tagging, allocator, reports and
// ledger never import each other beyond the data flow of SPEC §1.
//
// # Memory
//
// Line items are never held: each is converted, resolved and added to a
// group as it streams by, so memory grows with the number of groups
// (teams × classes × scopes × components, plus sub-accounts, services and
// resources for the gap report), not with the number of lines.
package pipeline
