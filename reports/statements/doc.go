// Package statements writes the reports people read after a run: one
// statement per consuming team (statements/TEAM.md and .html) and the
// run's reconciliation (reconciliation.md, .html and .json). [Files]
// renders them all from an [Input]: the allocation, the allocator's input,
// the journals, summary.json, the bill cost per resource, the gateway's
// agent runs and the previous month's summary from the ledger.
//
// Amounts are exact decimals until they are shown, and are shown with the
// currency's minor unit: a statement's figures are sums of the team's
// rounded rows in allocations.csv, so its total equals the team's rows and
// its journal lines, and a reconciliation's figures are the journal's (sums
// of rounded rows) against the bill cost rounded once, so each identity in
// it holds on its face.
//
// # Team statement
//
// Sections, in order:
//
//   - Total: the charges before any draw, the buffer fund draw, the total,
//     and the net debit the journals book to the team's chargeback expense
//     account at its cost center, with whether it matches.
//   - Charges by class: per action class the actions, the unit price and
//     each component (usage, overhead, registry, buffer surcharge, eval),
//     then seats and the unallocated share. In price-list mode the unit
//     price is what the team pays per action: the sum of its rows' unit
//     prices, b + O + R + F (without R where the registry is funded
//     centrally), and p × consumer share for evals. In cost mode it is the
//     "effective" price: the class total ÷ the team's gateway actions of
//     the class, to 6 decimals.
//   - Evals: the value of the team's evals (price-list mode: its gateway
//     eval actions × the eval class's full price; cost mode: the bill cost
//     of its eval lines), the consumer share it pays (its eval row) and
//     what went to the central eval carve-out (the value rounded once less
//     the team's eval row).
//   - Buffer fund draw: each request with its disclosed cause, granted or
//     not and why (allocator.DrawDecision); for an eligible team the
//     threshold test and relief = min(charge − forecast, quarterly cap
//     left, fund balance), with the exact amounts the allocator used.
//   - Change against last month, per class (actions and amount), per
//     class-less component (seats, draw, unallocated share) and in total,
//     against the previous period's latest posted run in the ledger (its
//     summary's team_classes and teams). When there is no such run, or it
//     cannot be compared (unreadable, another currency), the statement
//     says so; a run older than team_classes is compared in total only.
//   - Top agent runs by cost. A run is costed at what the team pays per
//     action of each class (the unit price above) times the run's actions
//     of the class, before any draw; a class the team pays nothing for
//     (evals funded centrally, or no gateway actions in cost mode) counts
//     as zero and is named.
//   - Top resources by bill cost: the bill cost of the team's lines per
//     resource id. Under price-list pricing the team pays per action, not
//     this cost; the list shows where its share of the bill comes from.
//
// Statements are written only when the run's invariants hold.
//
// # Reconciliation
//
//   - Bill against charged, central and unallocated: the bridge
//     charged + central + unallocated − buffer surcharges + buffer draws =
//     recovered, and recovered − bill cost = variance; the amounts per team
//     and the recovered amount per component. In cost mode the bill is
//     conserved: the rows that carry bill lines one for one (usage, eval,
//     central_eval, central_registry, central_platform, unallocated,
//     unallocated_share) add up to the bill, up to the rounding of each
//     row (the allocator's cost_conserved invariant proves it on exact
//     amounts), and the variance is the overhead, registry and seat rows
//     charged on top. In price-list mode the rows are priced actions, the
//     bill is what the clouds charged, and the variance is the platform's
//     over-recovery (positive) or under-recovery (negative).
//   - Recovered against actual, per class, with the rows that have no class
//     (seat fees, unallocated shares, central rows of lines without a
//     class) on a line of their own, so the columns add up to recovered and
//     to the bill.
//   - Buffer fund: opening + surcharges − draws = closing, surcharges per
//     team, and each draw request with its cause and outcome.
//   - GL recharge rate and the journals' totals per company.
//
// # Definitions
//
//   - Recovered (per class): every row of the class except buffer
//     surcharges (they belong to the buffer fund) and buffer draws (the
//     fund pays them): usage, overhead, registry, eval, central_* and
//     unallocated rows. In total: charged + central + unallocated −
//     surcharges + draws.
//   - Actual (per class): the bill cost of the lines resolved to the class;
//     lines with no class are "unclassified". The reconciliation rounds the
//     exact class costs by largest remainder so they add up to the rounded
//     bill; reconciliation.json also carries the exact figures.
//   - Variance: recovered − actual. summary.json rounds the exact totals, so
//     its recovered and variance can differ by rounding from the
//     reconciliation's, which are sums of the rounded rows.
//   - Journalled bill cost, cost mode: the exact amount of the journalled
//     rows that carry bill lines one for one (usage, eval, central_eval,
//     central_registry, central_platform, unallocated, unallocated_share).
//     Held unallocated cost counts: the journals book it to a suspense
//     account. Overhead, registry, surcharge and seat rows are charges on
//     top of the bill, and draws move money between the fund and a team.
//   - Journalled bill cost, price-list mode: the bill cost less what no
//     journal line recovers. Each class's shortfall is max(0, actual −
//     recovered); rows with no class (seat fees, unallocated shares) cover
//     shortfalls up to their amount; one class's over-recovery does not
//     cover another's shortfall (it is margin, shown as variance).
//   - GL recharge rate: journalled bill cost ÷ bill cost, on exact amounts
//     (so the rounding of rows never shows as a loss), to 6 decimals; 100%
//     when nothing is lost. It is empty when the bill is zero.
//
// # HTML
//
// Each page is one self-contained file: inline CSS, inline SVG charts, no
// script, no external resource, and a Content-Security-Policy that allows
// neither. Pages are built with html/template, so every value from a bill,
// the gateway or a person (team, agent run and resource ids, causes, cost
// centers) is escaped and shows as text. Each chart is an svg with
// role="img" labelled by its <title> and <desc>; each bar is a rect with
// class "bar" that carries its amount in data-value (the amount the tables
// show), its label and value in data-label and a <title>. A chart is left
// out when it would have no bar.
//
// # Markdown
//
// Identifiers are code spans (a pipe escaped inside tables, the fence
// longer than any backtick run inside), and free text such as a draw's
// cause is backslash-escaped, so no renderer reads a value as a tag, a link
// or emphasis.
//
// # Errors
//
// [Files] and the builders return [ErrInput] for an incomplete input or a
// statement asked for a team that is not a consuming team of the run, and
// [ErrTeamID] for a team id that cannot name a file (the configuration's
// team ids always can).
package statements
