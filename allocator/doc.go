// Package allocator applies the four-part chargeback model to one period:
// per-action charges (usage, overhead, registry and buffer surcharge), the
// shared eval bill, registry amortization and the bursting buffer, under an
// operating model's parameters. It never reads files: its Input is resolved,
// aggregated cost groups and gateway action counts, and its Result is
// allocation rows with exact and rounded amounts plus the invariants every
// run checks.
//
// # Price-list mode (SPEC §7)
//
// For a team T and class c with n gateway actions, the price parts b, O, R,
// F and p come rounded to 6 decimals from the price list, and:
//
//	usage = n·b   overhead = n·O   registry = n·R   buffer_surcharge = n·F
//
// An eval-class action of a consuming team is one eval row at n·p·s (s the
// consumer share) and n·p·(1−s) of central_eval under _central. The
// platform team's own actions are central_eval (eval class) or
// central_platform at n·p. Actions whose team is not registered are priced
// like any action and held under _unallocated. When the registry is funded
// centrally (pricing.registry: central), the registry part is a
// central_registry row under _central instead of a team row.
//
// Worked example: search makes 50,000 chat calls a day for 30 days at a
// price of 0.04 (b = 0.04, no overhead, registry or buffer): usage =
// 1,500,000 × 0.04 = 60,000.
//
// # Cost mode
//
// usage is the cost of T's lines of class c (a line with no class is class
// "unclassified"); overhead = o·usage; registry = r·overhead where the
// registry is charged; buffer_surcharge = f·(usage + overhead + registry);
// eval = s × the cost of T's eval lines, and the rest central_eval. The
// platform team's lines are central_eval (eval class), central_registry
// (platform component registry) or central_platform. Lines of no team are
// unallocated.
//
// # Seats, unallocated cost and draws
//
// Where seats are on, each consuming team has a seat row of seats × fee.
// Unallocated cost is held (hold), spread over consuming teams by their
// usage (proportional, as unallocated_share rows) or given to one team
// (assign:TEAM, one unallocated_share row). Last, the buffer: a team with a
// disclosed draw for the period whose charge (the sum of its rows so far)
// is at least draw_threshold × forecast is relieved of
// min(charge − forecast, quarterly cap left, fund balance), teams taken in
// id order, the fund balance being the opening balance plus this period's
// surcharges minus draws already granted this period.
//
// # Rounding
//
// Amounts are exact decimals until the end; then every row is rounded to
// the currency's minor unit by the largest-remainder method, first across
// teams and then across each team's rows, so that rows add up to the
// rounded exact total, each team's rows to within one minor unit of its
// exact total, and every row is within one minor unit of its exact amount.
package allocator
