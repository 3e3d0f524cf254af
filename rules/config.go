package rules

import (
	"github.com/allot-dev/allot/cost"
)

// Config is a parsed, defaulted and validated allot configuration (SPEC §10).
//
// Field comments give each key's default; the operating model (model:) sets
// the defaults of the pricing, eval and seat keys (see Preset).
type Config struct {
	Version       int        `yaml:"version"`        // required; 1
	Currency      string     `yaml:"currency"`       // corporate currency; USD
	Model         cost.Model `yaml:"model"`          // platform | finops | it; platform
	CostBasis     cost.Basis `yaml:"cost_basis"`     // effective | billed; effective
	Ledger        string     `yaml:"ledger"`         // sqlite:PATH | postgres://…; sqlite:allot.db
	Sources       []Source   `yaml:"sources"`        // required
	FX            string     `yaml:"fx"`             // file:PATH of period,from,to,rate; needed for a second currency
	Teams         []Team     `yaml:"teams"`          // required
	Central       Central    `yaml:"central"`        // where central rows are booked; the platform team's
	Accounts      Accounts   `yaml:"accounts"`       // GL accounts
	Tagging       Tagging    `yaml:"tagging"`        // tag resolution
	ActionClasses []string   `yaml:"action_classes"` // chat_call, retrieval_call, agent_step, eval_run
	EvalClass     string     `yaml:"eval_class"`     // eval_run
	Pricing       Pricing    `yaml:"pricing"`
	Eval          Eval       `yaml:"eval"`
	Buffer        Buffer     `yaml:"buffer"`
	Seats         Seats      `yaml:"seats"`
	Schedule      Schedule   `yaml:"schedule"`
	Journal       Journal    `yaml:"journal"`
	Outputs       []Output   `yaml:"outputs"` // sinks for the journal; none by default

	// File is the configuration file's path and Dir its folder: relative
	// paths in the file are resolved against Dir.
	File string `yaml:"-"`
	Dir  string `yaml:"-"`
	// Raw is the file's content, for the run's configuration fingerprint.
	Raw []byte `yaml:"-"`

	pos map[string]pos
	set map[string]bool
}

// Source is one billing export or gateway usage feed.
type Source struct {
	Name    string            `yaml:"name"`
	Kind    string            `yaml:"kind"` // aws-cur | aws-cur2 | azure-export | gcp-bigquery | focus | gateway
	URL     string            `yaml:"url"`  // file:PATH · s3://bucket/prefix · azblob://account/container/prefix · bigquery://project/dataset.table
	Options map[string]string `yaml:"options"`
}

// Team is one entry of the team registry.
type Team struct {
	ID         string  `yaml:"id"`
	Name       string  `yaml:"name"`        // display name; the id
	CostCenter string  `yaml:"cost_center"` // required
	Company    string  `yaml:"company"`     // the platform team's company, else "1000"
	Forecast   *Amount `yaml:"forecast"`    // monthly forecast in the corporate currency; none
	Seats      int     `yaml:"seats"`       // 0
	Platform   bool    `yaml:"platform"`    // exactly one team is the platform team
}

// Central says where central carve-out rows are booked.
type Central struct {
	CostCenter string `yaml:"cost_center"` // the platform team's cost center
	Company    string `yaml:"company"`     // the platform team's company
}

// Accounts are the GL accounts journal lines use.
type Accounts struct {
	ChargebackExpense string `yaml:"chargeback_expense"` // 650100
	PlatformRecovery  string `yaml:"platform_recovery"`  // 490100
	RegistryFund      string `yaml:"registry_fund"`      // 490110
	BufferFund        string `yaml:"buffer_fund"`        // 290500
	CentralBudget     string `yaml:"central_budget"`     // 650190
	// Unallocated is the suspense account held (unallocated) cost is
	// debited to, at the central cost center; the central budget account.
	Unallocated string `yaml:"unallocated"`
	// Intercompany is the clearing account used when a team's company
	// differs from the platform's; required only then.
	Intercompany string `yaml:"intercompany"`
}

// Tagging configures tag resolution (SPEC §3).
type Tagging struct {
	TeamKeys              []string          `yaml:"team_keys"`               // team, user:team
	ActionClassKeys       []string          `yaml:"action_class_keys"`       // action_class, user:action_class
	EvalScopeKeys         []string          `yaml:"eval_scope_keys"`         // eval_scope, user:eval_scope
	PlatformComponentKeys []string          `yaml:"platform_component_keys"` // platform_component, user:platform_component
	Values                map[string]string `yaml:"values"`                  // tag value → team id
	Defaults              map[string]string `yaml:"defaults"`                // sub-account id or name → team id
	ResourceGroupDefaults map[string]string `yaml:"resource_group_defaults"` // Azure resource group → team id
	Rules                 []Rule            `yaml:"rules"`
	// BuiltinRules names rule sets allot ships (see BuiltinRuleSets), tried
	// after Rules in the order listed; none by default.
	BuiltinRules []string `yaml:"builtin_rules"`
	Unallocated  string   `yaml:"unallocated"` // hold | proportional | assign:TEAM; hold
}

// Rule is a pattern rule: the first rule (in file order) that matches a
// line and sets an attribute decides that attribute.
type Rule struct {
	Name  string `yaml:"name"` // shown by allot explain; rules[i] when empty
	Match Match  `yaml:"match"`
	Set   Set    `yaml:"set"`
}

// Match holds patterns; every non-empty pattern must match. A pattern is a
// glob where * matches any run of characters (case-sensitive), or a Go
// regular expression after "re:".
type Match struct {
	Provider       string `yaml:"provider"`
	Service        string `yaml:"service"`
	SKU            string `yaml:"sku"` // SKU id, meter name or usage type
	ResourceID     string `yaml:"resource_id"`
	Region         string `yaml:"region"`
	SubAccount     string `yaml:"sub_account"` // id or name
	ResourceGroup  string `yaml:"resource_group"`
	Description    string `yaml:"description"` // charge description
	ChargeCategory string `yaml:"charge_category"`
	// Added beside the reference keys: the resource's name, the billing
	// account (AWS payer, GCP billing account, Azure enrollment or billing
	// profile) and the FOCUS ServiceCategory.
	ResourceName    string `yaml:"resource_name"`
	BillingAccount  string `yaml:"billing_account"` // id or name
	ServiceCategory string `yaml:"service_category"`
}

// Set holds what a rule assigns.
type Set struct {
	Team              string `yaml:"team"`
	ActionClass       string `yaml:"action_class"`
	EvalScope         string `yaml:"eval_scope"`
	PlatformComponent string `yaml:"platform_component"`
}

// Pricing configures the per-action charge.
type Pricing struct {
	Mode         string  `yaml:"mode"`          // price_list | cost; from the model
	PriceList    string  `yaml:"price_list"`    // path; {quarter} is replaced by e.g. 2026Q4; prices/{quarter}.yaml
	OverheadRate *Amount `yaml:"overhead_rate"` // o; from the model
	RegistryRate *Amount `yaml:"registry_rate"` // r; 0.03
	BufferRate   *Amount `yaml:"buffer_rate"`   // f; 0.04
	// Registry says who pays the registry part: charged (inside every
	// team's price) or central (the central budget line); from the model.
	Registry string `yaml:"registry"`
}

// Eval configures the eval-shared overhead.
type Eval struct {
	ConsumerShare *Amount `yaml:"consumer_share"` // s; from the model
}

// Buffer configures the bursting buffer fund.
type Buffer struct {
	DrawThreshold  *Amount `yaml:"draw_threshold"`  // 3
	QuarterlyCap   *Amount `yaml:"quarterly_cap"`   // per team and quarter; no cap
	OpeningBalance *Amount `yaml:"opening_balance"` // used while the ledger holds no fund history; 0
	TargetMin      *Amount `yaml:"target_min"`      // of monthly inference spend; 0.05
	TargetMax      *Amount `yaml:"target_max"`      // 0.10
	Draws          []Draw  `yaml:"draws"`
}

// Draw is a disclosed burst: a team asks the fund to relieve a month.
type Draw struct {
	Team   string      `yaml:"team"`
	Period cost.Period `yaml:"period"`
	Cause  string      `yaml:"cause"`
}

// Seats configures seat fees.
type Seats struct {
	MonthlyFee *Amount `yaml:"monthly_fee"` // 0
	Enabled    *bool   `yaml:"enabled"`     // from the model (it: true)
}

// Schedule configures allot schedule.
type Schedule struct {
	Cron       string `yaml:"cron"`        // 0 6 3 * * (UTC)
	SettleDays int    `yaml:"settle_days"` // 3
	// Out is the folder each scheduled run writes its reports to, relative
	// to the configuration; {period} becomes the month, e.g. 2026-10.
	Out string `yaml:"out"` // out/{period}
}

// Journal configures journal ids and texts.
type Journal struct {
	Prefix string `yaml:"prefix"` // ALLOT
}

// Output is one journal sink.
type Output struct {
	Format  string            `yaml:"format"` // generic-csv | generic-jsonl | sap | oracle-gl-interface | netsuite | workday
	URL     string            `yaml:"url"`    // file:PATH · s3://… · azblob://… · https://…
	Options map[string]string `yaml:"options"`
}

// Position returns the line and column of a key path (as in FieldError.Path)
// in the configuration file, or zeros when it was not written there.
func (c *Config) Position(path string) (line, col int) {
	p := c.pos[path]
	return p.line, p.col
}

// IsSet reports whether the file wrote a key path (as opposed to a default).
func (c *Config) IsSet(path string) bool { return c.set[path] }

// Team returns the registered team with id, if any.
func (c *Config) Team(id string) (*Team, bool) {
	for i := range c.Teams {
		if c.Teams[i].ID == id {
			return &c.Teams[i], true
		}
	}
	return nil, false
}

// PlatformTeam returns the platform team. Validation guarantees there is one.
func (c *Config) PlatformTeam() *Team {
	for i := range c.Teams {
		if c.Teams[i].Platform {
			return &c.Teams[i]
		}
	}
	return nil
}

// SourcesOfKind returns the sources whose kind is in kinds.
func (c *Config) SourcesOfKind(kinds ...string) []Source {
	var out []Source
	for _, s := range c.Sources {
		for _, k := range kinds {
			if s.Kind == k {
				out = append(out, s)
			}
		}
	}
	return out
}
