// Package tagging resolves, for every bill line, who ran it and what kind
// of AI work it was: the team (a consuming team, the platform team or
// nobody), the action class, the eval scope and the platform component.
//
// # The chain
//
// Each attribute is decided by the first step that succeeds, and the
// Resolution records the step, what decided (the tag key, default or rule
// name) and the configuration key behind it (Decision.Path, which
// rules.Config.Position turns into file:line). Explain also returns every
// step tried, with why it failed (allot explain prints them):
//
//  1. explicit tags, through the configured key aliases in order (team_keys,
//     action_class_keys, …). Keys match exactly as the provider spells them
//     (AWS user:team and CUR 2.0 resource_tags keys, GCP labels, FOCUS Tags
//     keys), except Azure (provider Microsoft), whose tag keys are
//     case-insensitive: of several spellings the exact one, then the
//     smallest, is read. Values are trimmed and mapped through
//     tagging.values (ml-platform → platform); a team value must then equal
//     a registered team id exactly. A value that is not a team (or class,
//     or scope) is a gap, never a new team: it is recorded and the chain
//     goes on.
//  2. inherited tags: the tags a provider puts on the line from the project
//     above it, for each configured key in the same order. On Google Cloud
//     these are the Resource Manager tag tag:KEY (bound to the resource or
//     inherited down the hierarchy), then the project label project:KEY
//     (the prefixes connectors/gcpbq gives them), so a key alias team finds
//     a project label team. Resource labels come first: a label on the
//     resource is more specific than one on its project. AWS and Azure put
//     nothing of the kind on a line (Azure's tag inheritance copies
//     subscription and resource-group tags into the usage's own tags, read
//     in step 1).
//  3. inherited defaults (team only): tagging.defaults by sub-account id
//     (AWS account, GCP project, Azure subscription), then by sub-account
//     name, then tagging.resource_group_defaults by Azure resource group
//     (ignoring case).
//  4. pattern rules, in file order, then the built-in sets listed in
//     tagging.builtin_rules: the first rule that matches the line and sets
//     the attribute decides it. A pattern is a glob (* only) or a regular
//     expression after re:, and matches a field if it matches any of the
//     field's values (sku: SKU id, meter or usage type; sub_account: id or
//     name; billing_account: id or name); only "*" matches an empty field.
//  5. otherwise: the team is unallocated; the class is empty (a team's cost
//     line without a class is charged as "unclassified" and counted as a
//     gap); the eval scope follows the class (an eval-class line of the
//     platform team is a baseline eval, of another team a domain eval,
//     anything else none), and an eval scope of domain or baseline makes an
//     unclassified line an eval-class line.
//
// # Gap statistics
//
// Stats counts what the tagging-gap report shows (coverage, unallocated
// cost by provider, sub-account, service, resource and finer cells, tag-key
// variants with whether the resolver reads them, values that are not teams,
// lines without a class) and the evidence its suggestions are drawn from:
// the cost whose team or class a tag decided, per sub-account, resource
// group and service/SKU. Memory grows with the number of those groups,
// never with the number of lines.
//
// # Lint
//
// Lint reports rules that can never match or never take effect (shadowed
// by an earlier rule or a default); allot validate prints them as
// warnings with file:line.
package tagging
