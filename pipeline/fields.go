package pipeline

import (
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/rules"
)

// NeededFields returns the line item fields a run of cfg reads from its
// bill sources: what Gather passes to each source as
// connectors.Config.Fields, so that a driver that groups lines
// (connectors.GroupScanner) reads only those columns and groups by those
// fields alone.
//
// They are the fields the tagging chain, the gap statistics, the
// statements and the allocator read whatever the configuration says:
//
//   - provider (tag key rules: Azure compares keys without case, Google
//     Cloud carries project labels), sub-account id and name (defaults,
//     gap report), resource group (defaults, gap report), service name and
//     SKU (gap report), resource id (gap report, statements), tags;
//   - the billed cost: the cost on the billed basis, and on either basis
//     each source's invoice total in summary.json (input.sources[].billed);
//   - on the effective basis, the effective cost, and with it each source's
//     effective total and out-of-period cost in summary.json. On the billed
//     basis these are not read (the CUR effective cost rule reads the line
//     item type and the reservation and savings plan columns, and groups
//     by them): summary.json leaves them out rather than report zeros;
//
// plus every field a configured rule or a shipped rule set matches on
// (rules.Match): the gap report tries the shipped AI token rules on
// unclassified lines even when tagging.builtin_rules does not enable
// them. The charge period start, the billing currency and the line count
// are always filled (cost.Field).
func NeededFields(cfg *rules.Config) cost.FieldSet {
	fs := cost.FieldSet(0).With(cost.FieldProviderName, cost.FieldSubAccountID, cost.FieldSubAccountName,
		cost.FieldResourceGroup, cost.FieldServiceName, cost.FieldSku, cost.FieldResourceID, cost.FieldTags,
		cost.FieldBilledCost)
	if cfg.CostBasis != cost.BasisBilled {
		fs = fs.With(cost.FieldEffectiveCost)
	}
	for _, r := range cfg.Tagging.Rules {
		fs |= matchFields(r.Match)
	}
	for _, set := range rules.BuiltinRuleSets {
		rs, _ := rules.BuiltinRules(set)
		for _, r := range rs {
			fs |= matchFields(r.Match)
		}
	}
	return fs
}

// matchFields returns the fields a rule's patterns read: those
// tagging.fieldValues gives a pattern on each match key.
func matchFields(m rules.Match) cost.FieldSet {
	var fs cost.FieldSet
	for _, k := range []struct {
		pattern string
		fields  []cost.Field
	}{
		{m.Provider, []cost.Field{cost.FieldProviderName}},
		{m.BillingAccount, []cost.Field{cost.FieldBillingAccount}},
		{m.SubAccount, []cost.Field{cost.FieldSubAccountID, cost.FieldSubAccountName}},
		{m.ResourceGroup, []cost.Field{cost.FieldResourceGroup}},
		{m.ServiceCategory, []cost.Field{cost.FieldServiceCategory}},
		{m.Service, []cost.Field{cost.FieldServiceName}},
		{m.SKU, []cost.Field{cost.FieldSku}},
		{m.ResourceID, []cost.Field{cost.FieldResourceID}},
		{m.ResourceName, []cost.Field{cost.FieldResourceName}},
		{m.Region, []cost.Field{cost.FieldRegion}},
		{m.Description, []cost.Field{cost.FieldChargeDescription}},
		{m.ChargeCategory, []cost.Field{cost.FieldChargeCategory}},
	} {
		if k.pattern != "" {
			fs = fs.With(k.fields...)
		}
	}
	return fs
}
