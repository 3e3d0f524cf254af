// Package cost holds allot's domain types: the billing period and quarter,
// the normalized FOCUS-aligned line item every connector yields, the gateway
// usage record, team ids and the money helpers used at the edges.
//
// It imports nothing else from the project; every other package imports it.
//
// # Money
//
// Money is never a float. Amounts are [decimal.Decimal] values from the
// byte a connector parses to the journal a report writes. Every division
// names its precision (see [DivPlaces]); rounding to a currency's minor unit
// happens once, at the end of an allocation, in the allocator.
//
// # Periods
//
// A [Period] is a calendar month in UTC. A line item counts in a period when
// its charge period starts inside it ([Period.Contains]); end dates are
// exclusive, as in FOCUS.
package cost
