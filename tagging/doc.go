// Package tagging resolves, for every bill line, who ran it and what kind
// of AI work it was: the team (a consuming team, the platform team or
// nobody), the action class, the eval scope and the platform component.
//
// # The chain
//
// Each attribute is decided by the first step that succeeds, and the
// Resolution records the step and the rule, key or default that decided it
// (allot explain prints the whole chain):
//
//  1. explicit tags, through the configured key aliases in order (team_keys,
//     action_class_keys, …). Keys match exactly as the provider spells them,
//     except Azure (provider Microsoft), whose tag keys are case-insensitive.
//     Values are trimmed and then mapped through tagging.values
//     (ml-platform → platform). A team value that is not a registered team
//     is a gap, never a new team: it is recorded and the chain goes on.
//  2. inherited defaults (team only): the sub-account (AWS account, GCP
//     project, Azure subscription) by id, then by name, then the Azure
//     resource group.
//  3. pattern rules, in file order: the first rule that matches the line and
//     sets the attribute decides it.
//  4. otherwise: the team is unallocated; the class is empty (a team's cost
//     line without a class is charged as "unclassified" and counted as a
//     gap); the eval scope follows the class (an eval-class line of the
//     platform team is a baseline eval, of another team a domain eval,
//     anything else none), and an eval scope of domain or baseline makes an
//     unclassified line an eval-class line.
package tagging
