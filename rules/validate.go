package rules

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/allot-dev/allot/cost"
	"github.com/robfig/cron/v3"
	"github.com/shopspring/decimal"
)

// SourceKinds are the source kinds a configuration may name.
var SourceKinds = []string{"aws-cur", "aws-cur2", "azure-export", "gcp-bigquery", "focus", "gateway"}

// OutputFormats are the journal formats an output may name.
var OutputFormats = []string{"generic-csv", "generic-jsonl", "sap", "oracle-gl-interface", "netsuite", "workday"}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)

type validator struct {
	c    *Config
	errs Errors
}

// at reports a problem at path, positioned at the nearest written key.
func (v *validator) at(path string, err error) {
	p := path
	for {
		if pp, ok := v.c.pos[p]; ok {
			v.errs = append(v.errs, &FieldError{File: v.c.File, Line: pp.line, Column: pp.col, Path: path, Err: err})
			return
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			v.errs = append(v.errs, &FieldError{File: v.c.File, Path: path, Err: err})
			return
		}
		p = p[:i]
	}
}

func (c *Config) validate() Errors {
	v := &validator{c: c}
	if !c.IsSet("version") {
		v.at("version", fmt.Errorf("%w: write version: 1 at the top of the file", ErrRequired))
	} else if c.Version != 1 && !c.set["version#bad"] {
		v.at("version", fmt.Errorf("%w: version %d is not supported; this allot reads version 1", ErrInvalid, c.Version))
	}
	if !cost.ValidCurrency(c.Currency) {
		v.at("currency", fmt.Errorf("%w: %q is not an ISO 4217 code such as USD", ErrInvalid, c.Currency))
	}
	if _, ok := cost.ParseModel(string(c.Model)); !ok {
		v.at("model", fmt.Errorf("%w: %q; want platform, finops or it", ErrInvalid, c.Model))
	}
	if _, ok := cost.ParseBasis(string(c.CostBasis)); !ok {
		v.at("cost_basis", fmt.Errorf("%w: %q; want effective or billed", ErrInvalid, c.CostBasis))
	}
	if !strings.HasPrefix(c.Ledger, "sqlite:") && !strings.HasPrefix(c.Ledger, "postgres://") && !strings.HasPrefix(c.Ledger, "postgresql://") {
		v.at("ledger", fmt.Errorf("%w: want sqlite:PATH or postgres://user@host/db", ErrInvalid))
	}
	v.sources()
	v.teams()
	v.accounts()
	v.classes()
	v.tagging()
	v.pricing()
	v.buffer()
	if c.Seats.MonthlyFee.IsNegative() {
		v.at("seats.monthly_fee", fmt.Errorf("%w: %s", ErrNegative, c.Seats.MonthlyFee))
	}
	if _, err := cron.ParseStandard(c.Schedule.Cron); err != nil {
		v.at("schedule.cron", fmt.Errorf("%w: %q: %v; want five fields, e.g. \"0 6 3 * *\"", ErrInvalid, c.Schedule.Cron, err))
	}
	if c.Schedule.SettleDays < 0 || c.Schedule.SettleDays > 28 {
		v.at("schedule.settle_days", fmt.Errorf("%w: %d; want 0 to 28", ErrOutOfRange, c.Schedule.SettleDays))
	}
	if rest := strings.ReplaceAll(c.Schedule.Out, "{period}", ""); strings.ContainsAny(rest, "{}") {
		v.at("schedule.out", fmt.Errorf("%w: %q; the only placeholder is {period}, e.g. out/{period}", ErrInvalid, c.Schedule.Out))
	}
	if !idPattern.MatchString(strings.ToLower(c.Journal.Prefix)) {
		v.at("journal.prefix", fmt.Errorf("%w: %q; use letters, digits, '-', '_' or '.'", ErrInvalid, c.Journal.Prefix))
	}
	for i, o := range c.Outputs {
		p := fmt.Sprintf("outputs[%d]", i)
		if !contains(OutputFormats, o.Format) {
			v.at(p+".format", fmt.Errorf("%w: %q; want one of %s", ErrInvalid, o.Format, strings.Join(OutputFormats, ", ")))
		}
		if o.URL == "" {
			v.at(p+".url", fmt.Errorf("%w: where to deliver journals (file:DIR, s3://, azblob://, https://)", ErrRequired))
		}
	}
	return v.errs
}

func (v *validator) sources() {
	c := v.c
	if len(c.Sources) == 0 {
		v.at("sources", fmt.Errorf("%w: list at least one billing export (and a gateway source for price_list mode)", ErrRequired))
	}
	names := map[string]int{}
	for i, s := range c.Sources {
		p := fmt.Sprintf("sources[%d]", i)
		if s.Name == "" {
			v.at(p+".name", fmt.Errorf("%w: every source needs a name", ErrRequired))
		} else if j, dup := names[s.Name]; dup {
			v.at(p+".name", fmt.Errorf("%w: source name %q is also used by sources[%d]", ErrDuplicate, s.Name, j))
		} else {
			names[s.Name] = i
		}
		if !contains(SourceKinds, s.Kind) {
			v.at(p+".kind", fmt.Errorf("%w: %q; want one of %s", ErrInvalid, s.Kind, strings.Join(SourceKinds, ", ")))
		}
		if s.URL == "" {
			v.at(p+".url", fmt.Errorf("%w: where the export is (file:PATH, s3://bucket/prefix, azblob://account/container/prefix, bigquery://project/dataset.table)", ErrRequired))
		} else if !strings.Contains(s.URL, ":") {
			v.at(p+".url", fmt.Errorf("%w: %q has no scheme; write file:%s for a local folder", ErrInvalid, s.URL, s.URL))
		}
	}
	if c.Pricing.Mode == ModePriceList && len(c.Sources) > 0 && len(c.SourcesOfKind("gateway")) == 0 {
		v.at("sources", fmt.Errorf("%w: pricing.mode is price_list, whose charges come from gateway action counts, but no source has kind gateway", ErrRequired))
	}
}

func (v *validator) teams() {
	c := v.c
	if len(c.Teams) == 0 {
		v.at("teams", fmt.Errorf("%w: register at least the consuming teams and one platform team", ErrRequired))
		return
	}
	ids := map[string]int{}
	platforms := 0
	companies := map[string]bool{}
	for i, t := range c.Teams {
		p := fmt.Sprintf("teams[%d]", i)
		switch {
		case t.ID == "":
			v.at(p+".id", fmt.Errorf("%w: every team needs an id", ErrRequired))
		case !idPattern.MatchString(t.ID):
			v.at(p+".id", fmt.Errorf("%w: %q; a team id is lower case letters, digits, '-', '_' or '.', not starting with '_'", ErrInvalid, t.ID))
		case t.ID == cost.Unclassified:
			v.at(p+".id", fmt.Errorf("%w: %q is reserved", ErrInvalid, t.ID))
		default:
			if j, dup := ids[t.ID]; dup {
				v.at(p+".id", fmt.Errorf("%w: team id %q is also teams[%d]", ErrDuplicate, t.ID, j))
			}
			ids[t.ID] = i
		}
		if t.CostCenter == "" {
			v.at(p+".cost_center", fmt.Errorf("%w: the cost center the team's charges are booked to", ErrRequired))
		}
		if t.Forecast != nil && t.Forecast.IsNegative() {
			v.at(p+".forecast", fmt.Errorf("%w: %s; a forecast is the team's expected monthly charge", ErrNegative, t.Forecast))
		}
		if t.Seats < 0 {
			v.at(p+".seats", fmt.Errorf("%w: %d", ErrNegative, t.Seats))
		}
		if t.Platform {
			platforms++
		}
		companies[t.Company] = true
	}
	if platforms != 1 {
		v.at("teams", fmt.Errorf("%w: %d teams have platform: true; exactly one team is the AI platform team (its cost is the central carve-out)", ErrInvalid, platforms))
	}
	if len(companies) > 1 && c.Accounts.Intercompany == "" {
		v.at("accounts.intercompany", fmt.Errorf("%w: teams belong to %d companies; name the intercompany clearing account so each company's journal balances", ErrRequired, len(companies)))
	}
}

func (v *validator) accounts() {
	a := v.c.Accounts
	for path, val := range map[string]string{
		"accounts.chargeback_expense": a.ChargebackExpense, "accounts.platform_recovery": a.PlatformRecovery,
		"accounts.registry_fund": a.RegistryFund, "accounts.buffer_fund": a.BufferFund,
		"accounts.central_budget": a.CentralBudget, "accounts.unallocated": a.Unallocated,
	} {
		if strings.TrimSpace(val) == "" {
			v.at(path, fmt.Errorf("%w: a GL account", ErrRequired))
		}
	}
}

func (v *validator) classes() {
	c := v.c
	seen := map[string]bool{}
	for i, cl := range c.ActionClasses {
		p := fmt.Sprintf("action_classes[%d]", i)
		switch {
		case !idPattern.MatchString(cl):
			v.at(p, fmt.Errorf("%w: %q; a class is lower case letters, digits, '-', '_' or '.'", ErrInvalid, cl))
		case cl == cost.Unclassified:
			v.at(p, fmt.Errorf("%w: %q is reserved for lines no tag or rule classified", ErrInvalid, cl))
		case seen[cl]:
			v.at(p, fmt.Errorf("%w: class %q is listed twice", ErrDuplicate, cl))
		}
		seen[cl] = true
	}
	if !seen[c.EvalClass] {
		v.at("eval_class", fmt.Errorf("%w: %q is not in action_classes", ErrInvalid, c.EvalClass))
	}
}

func (v *validator) tagging() {
	c := v.c
	t := c.Tagging
	for name, keys := range map[string][]string{"team_keys": t.TeamKeys, "action_class_keys": t.ActionClassKeys,
		"eval_scope_keys": t.EvalScopeKeys, "platform_component_keys": t.PlatformComponentKeys} {
		for i, k := range keys {
			if strings.TrimSpace(k) == "" {
				v.at(fmt.Sprintf("tagging.%s[%d]", name, i), fmt.Errorf("%w: an empty tag key", ErrInvalid))
			}
		}
	}
	for val, team := range t.Values {
		if _, ok := c.Team(team); !ok {
			v.at("tagging.values."+val, fmt.Errorf("%w: value %q maps to %q, which is not a team id", ErrUnknownTeam, val, team))
		}
	}
	for acct, team := range t.Defaults {
		if _, ok := c.Team(team); !ok {
			v.at("tagging.defaults."+acct, fmt.Errorf("%w: sub-account %q defaults to %q, which is not a team id", ErrUnknownTeam, acct, team))
		}
	}
	for rg, team := range t.ResourceGroupDefaults {
		if _, ok := c.Team(team); !ok {
			v.at("tagging.resource_group_defaults."+rg, fmt.Errorf("%w: resource group %q defaults to %q, which is not a team id", ErrUnknownTeam, rg, team))
		}
	}
	for i, r := range t.Rules {
		p := fmt.Sprintf("tagging.rules[%d]", i)
		if r.Match == (Match{}) {
			v.at(p+".match", fmt.Errorf("%w: a rule needs at least one pattern (service, sku, resource_id, region, sub_account, resource_group, description, provider, charge_category, resource_name, billing_account, service_category)", ErrRequired))
		}
		for field, pat := range r.Match.fields() {
			if _, err := CompilePattern(pat); err != nil {
				v.at(p+".match."+field, fmt.Errorf("%w: %v", ErrInvalid, err))
			}
		}
		if r.Set == (Set{}) {
			v.at(p+".set", fmt.Errorf("%w: a rule must set team, action_class, eval_scope or platform_component", ErrRequired))
		}
		if r.Set.Team != "" {
			if _, ok := c.Team(r.Set.Team); !ok {
				v.at(p+".set.team", fmt.Errorf("%w: %q", ErrUnknownTeam, r.Set.Team))
			}
		}
		if r.Set.ActionClass != "" && !contains(c.ActionClasses, r.Set.ActionClass) {
			v.at(p+".set.action_class", fmt.Errorf("%w: %q is not in action_classes", ErrInvalid, r.Set.ActionClass))
		}
		if r.Set.EvalScope != "" && !cost.ValidEvalScope(r.Set.EvalScope) {
			v.at(p+".set.eval_scope", fmt.Errorf("%w: %q; want none, domain or baseline", ErrInvalid, r.Set.EvalScope))
		}
	}
	v.builtinRules()
	switch {
	case t.Unallocated == PolicyHold, t.Unallocated == PolicyProportional:
	case strings.HasPrefix(t.Unallocated, PolicyAssign):
		team := strings.TrimPrefix(t.Unallocated, PolicyAssign)
		if tm, ok := c.Team(team); !ok {
			v.at("tagging.unallocated", fmt.Errorf("%w: assign:%s names no team", ErrUnknownTeam, team))
		} else if tm.Platform {
			v.at("tagging.unallocated", fmt.Errorf("%w: assign:%s names the platform team; its cost is central already (use hold)", ErrInvalid, team))
		}
	default:
		v.at("tagging.unallocated", fmt.Errorf("%w: %q; want hold, proportional or assign:TEAM", ErrInvalid, t.Unallocated))
	}
}

func (v *validator) pricing() {
	c := v.c
	p := c.Pricing
	if p.Mode != ModePriceList && p.Mode != ModeCost {
		v.at("pricing.mode", fmt.Errorf("%w: %q; want price_list or cost", ErrInvalid, p.Mode))
	}
	if p.Registry != RegistryCharged && p.Registry != RegistryCentral {
		v.at("pricing.registry", fmt.Errorf("%w: %q; want charged or central", ErrInvalid, p.Registry))
	}
	rate := func(path string, a *Amount) {
		if a.IsNegative() || a.GreaterThan(decimal.NewFromInt(1)) {
			v.at(path, fmt.Errorf("%w: %s; a rate is a fraction from 0 to 1 (0.15 is 15%%)", ErrOutOfRange, a))
		}
	}
	rate("pricing.overhead_rate", p.OverheadRate)
	rate("pricing.registry_rate", p.RegistryRate)
	rate("pricing.buffer_rate", p.BufferRate)
	rate("eval.consumer_share", c.Eval.ConsumerShare)
}

func (v *validator) buffer() {
	c := v.c
	b := c.Buffer
	if b.DrawThreshold.IsNegative() {
		v.at("buffer.draw_threshold", fmt.Errorf("%w: %s", ErrNegative, b.DrawThreshold))
	}
	if b.QuarterlyCap != nil && b.QuarterlyCap.IsNegative() {
		v.at("buffer.quarterly_cap", fmt.Errorf("%w: %s", ErrNegative, b.QuarterlyCap))
	}
	if b.OpeningBalance.IsNegative() {
		v.at("buffer.opening_balance", fmt.Errorf("%w: %s", ErrNegative, b.OpeningBalance))
	}
	if b.TargetMin.IsNegative() || b.TargetMax.LessThan(b.TargetMin.Decimal) {
		v.at("buffer.target_max", fmt.Errorf("%w: target_min %s and target_max %s must satisfy 0 <= min <= max", ErrOutOfRange, b.TargetMin, b.TargetMax))
	}
	seen := map[string]int{}
	for i, d := range b.Draws {
		p := fmt.Sprintf("buffer.draws[%d]", i)
		tm, ok := c.Team(d.Team)
		switch {
		case d.Team == "":
			v.at(p+".team", fmt.Errorf("%w: the team the draw relieves", ErrRequired))
		case !ok:
			v.at(p+".team", fmt.Errorf("%w: %q", ErrUnknownTeam, d.Team))
		case tm.Platform:
			v.at(p+".team", fmt.Errorf("%w: the platform team's cost is central; only consuming teams draw", ErrInvalid))
		case tm.Forecast == nil:
			v.at(p+".team", fmt.Errorf("%w: team %q has no forecast; a draw is measured against it (teams[].forecast)", ErrRequired, d.Team))
		}
		if d.Period.IsZero() {
			v.at(p+".period", fmt.Errorf("%w: the month the draw is for, YYYY-MM", ErrRequired))
		}
		if strings.TrimSpace(d.Cause) == "" {
			v.at(p+".cause", fmt.Errorf("%w: a draw needs a disclosed cause", ErrRequired))
		}
		key := d.Team + " " + d.Period.String()
		if j, dup := seen[key]; dup {
			v.at(p, fmt.Errorf("%w: team %s already has a draw for %s (buffer.draws[%d])", ErrDuplicate, d.Team, d.Period, j))
		}
		seen[key] = i
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (m Match) fields() map[string]string {
	out := map[string]string{}
	for k, v := range map[string]string{"provider": m.Provider, "service": m.Service, "sku": m.SKU,
		"resource_id": m.ResourceID, "region": m.Region, "sub_account": m.SubAccount,
		"resource_group": m.ResourceGroup, "description": m.Description, "charge_category": m.ChargeCategory,
		"resource_name": m.ResourceName, "billing_account": m.BillingAccount, "service_category": m.ServiceCategory} {
		if v != "" {
			out[k] = v
		}
	}
	return out
}
