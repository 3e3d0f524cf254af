// Package gapreport builds the tagging-gap report the FinOps team acts on,
// from the gap statistics of one period (tagging.Stats, filled by
// pipeline.Gather), in four forms: tagging-gaps.json for tools,
// tagging-gaps.csv for spreadsheets, tagging-gaps.md for a wiki or a pull
// request and tagging-gaps.html, one self-contained page. allot gaps
// writes all four; allot run writes the CSV (WriteGapsCSV).
//
// # Definitions
//
// Cost is each line's cost on the configured basis (effective or billed),
// converted to the corporate currency, exactly as the allocator sees it;
// every line whose charge period starts in the month counts, credits and
// taxes included. A line is allocated when the tagging chain resolved it
// to a registered team, the platform team included; otherwise it is
// unallocated (whatever tagging.unallocated later does with its cost).
// Lines are bill lines: a connector's merged item counts for the lines it
// stands for.
//
// Amounts are decimal strings rounded half away from zero to the
// currency's minor unit, each on its own from the exact sum (so allocated
// + unallocated may differ from total by a unit in the last place).
// Fractions are decimal strings with 6 decimals, rounded half away from
// zero from the exact sums; coverage fractions are null when their total
// is zero. Line counts are numbers.
//
// # tagging-gaps.json
//
//	period                      "2026-10"
//	currency, cost_basis        the corporate currency; effective | billed
//	total_cost                  the month's cost
//	allocated_cost              the cost of allocated lines
//	unallocated_cost            the cost of unallocated lines
//	coverage_cost               allocated_cost ÷ total_cost (exact sums)
//	total_lines                 bill lines
//	allocated_lines             allocated bill lines
//	unallocated_lines           unallocated bill lines
//	coverage_lines              allocated_lines ÷ total_lines
//	maturity                    crawl | walk | run: the FinOps allocation maturity band
//	                            of the cost coverage, walk above 0.80, run above 0.90
//	                            (strictly above, on the exact fraction)
//	maturity_bands              {walk_above: "0.80", run_above: "0.90"}
//	coverage_by_provider[]      per ProviderName (sorted): provider and the figures
//	                            above, total_cost to maturity
//	unallocated_by_sub_account  object: sub-account id → unallocated cost, every
//	                            sub-account with unallocated lines ("" for lines
//	                            without a sub-account, such as some taxes)
//	top_n                       the length limit of the lists below (-1: no limit)
//	unallocated.by_provider[]   the top N by absolute cost: name, cost, lines,
//	unallocated.by_sub_account[]  share_of_total (cost ÷ total_cost); sub-accounts
//	unallocated.by_service[]      carry their name as label; name is "" for lines
//	unallocated.by_resource[]     without one (untagged lines often have no resource id)
//	tag_key_variants[]          every tag key that looks like a team key (it equals a
//	                            team_keys entry ignoring case and the prefixes user:,
//	                            tag:, project:, or contains "team"), per provider:
//	                            provider, key as spelled, use, cost, lines,
//	                            share_of_total. use is configured (listed in
//	                            team_keys), case_folded (Azure, listed ignoring case),
//	                            inherited (GCP tag:/project: of a listed key) or
//	                            ignored (not read: `Team` on AWS when team_keys has team)
//	unknown_team_values[]       team tag values that are not registered teams: key,
//	                            value (trimmed), cost and lines of every line carrying
//	                            it, share_of_total, suggested_team (the team it names
//	                            ignoring case and - _ . and spaces, if exactly one)
//	unknown_class_values[]      the same for action class tags (no suggested_team)
//	no_action_class             lines with a team but no action class (charged as
//	                            unclassified): cost, lines, by_team[] (name, cost,
//	                            lines, share_of_total), by_sku[] (service, sku, cost,
//	                            lines, share_of_total; top N). Platform lines with a
//	                            platform component are classified by it and not counted.
//	suggestions[]               fixes, ranked (see below): rank, kind, title, effect
//	                            (allocates | classifies), cost and lines it would fix
//	                            on its own, share_of_total, evidence, yaml (the lines
//	                            to add under tagging:)
//	trend[]                     earlier periods' coverage from the ledger, oldest
//	                            first, then this period: period, run (the ledger run
//	                            whose summary.json coverage section it is; empty for
//	                            this period), the coverage figures total_cost to
//	                            maturity, coverage_change (coverage_cost minus the
//	                            previous point's, signed, 6 decimals; null first).
//	                            Empty until the ledger holds an earlier period.
//
// A SKU is the line's usage type (AWS), else its meter (Azure MeterName,
// GCP SKU description), else its SKU id.
//
// # Suggestions
//
// Each suggestion is deterministic and is drawn only from the month's own
// tagged evidence, at Dominance (90%) or more of the evidence's cost:
//
//	value_map               an unknown team value on unallocated lines names
//	                        exactly one team once case and separators are
//	                        ignored ("Support" → support): a tagging.values entry.
//	team_key                a team-like key the resolver does not read carries
//	                        values that resolve to teams on unallocated lines: the
//	                        team_keys list with the key added (plus value entries
//	                        its values need).
//	default                 a sub-account with unallocated lines whose
//	                        tag-decided cost is at least 90% one team: a
//	                        tagging.defaults entry for the rest.
//	resource_group_default  the same for an Azure resource group (compared
//	                        ignoring case), on unallocated lines no default
//	                        suggestion covers.
//	team_rule               the same for one service and SKU within a
//	                        sub-account that neither covers: a rule.
//	class_rule              a service and SKU whose lines with a team but no
//	                        class are, where a tag decided the class, at least
//	                        90% one class: a rule setting it.
//	builtin_rules           the shipped ai-tokens rules (not enabled) would
//	                        classify lines with a team but no class.
//
// The cost of a suggestion is what it would allocate (or classify) applied
// on its own to this month: the tests apply each one's YAML and resolve the
// month again. Suggestions can overlap. Those that allocate come first,
// then those that classify; within each, larger cost first, then the kind
// in the order above, then the key. Values from bills are written as YAML
// double-quoted scalars with every special character escaped, and as rule
// patterns that match exactly them (an anchored, quoted re: when the value
// holds a * or starts with re:).
//
// # tagging-gaps.csv
//
// Header section,name,detail,cost,lines,share_of_total,coverage_cost,
// coverage_lines,maturity. Sections, in order: coverage (total, allocated,
// unallocated), coverage_by_provider, unallocated_by_provider,
// unallocated_by_sub_account (detail: the name), unallocated_by_service,
// unallocated_by_resource, tag_key_variant (detail "PROVIDER: use"),
// unknown_team_value and unknown_class_value (name: key, detail: value),
// no_action_class (per team), no_action_class_by_sku (name: service,
// detail: SKU), suggestion_allocates and suggestion_classifies (name:
// "rank. title", detail: the YAML), trend (detail: the run). Text cells
// that a spreadsheet would run as a formula (=, +, -, @, tab, CR first)
// get a leading quote (reports.Safe).
//
// # tagging-gaps.md and tagging-gaps.html
//
// The same content for people. The HTML page is one file with inline CSS,
// no scripts and no external resources; it is rendered with html/template,
// so every value taken from a bill is escaped and shows as text. The
// Markdown escapes Markdown punctuation and writes <, > and & as entities;
// suggestion YAML sits in code fences longer than any backtick run in it.
package gapreport
