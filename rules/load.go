package rules

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/allot-dev/allot/cost"
)

// LoadFile reads, defaults and validates the configuration at path.
// Relative paths inside it are resolved against its folder.
func LoadFile(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("rules: cannot read configuration: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	return Parse(data, path, filepath.Dir(abs))
}

// ParseReader is Parse over a reader.
func ParseReader(r io.Reader, file, dir string) (*Config, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("rules: cannot read configuration: %w", err)
	}
	return Parse(data, file, dir)
}

// Parse decodes a configuration strictly (an unknown key is an error),
// applies the defaults of its operating model and validates it. file names
// the configuration in errors; dir is the folder relative paths are
// resolved against. The error, if any, is an Errors listing every problem
// with its file, line and key. Parse has no side effects.
func Parse(data []byte, file, dir string) (*Config, error) {
	root, err := parseYAML(file, data)
	if err != nil {
		return nil, Errors{err.(*FieldError)}
	}
	c := &Config{File: file, Dir: dir, Raw: data}
	d := newDecoder(file)
	switch root.kind {
	case kindMapping:
		d.decode(root, "", reflect.ValueOf(c).Elem())
	case kindNull:
		d.errs = append(d.errs, &FieldError{File: file, Line: 1, Err: fmt.Errorf("%w: the file is empty; start from the reference configuration in the README", ErrRequired)})
	default:
		d.errs = append(d.errs, &FieldError{File: file, Line: root.line, Column: root.col, Err: fmt.Errorf("%w: the configuration must be a mapping of keys", ErrType)})
	}
	c.pos = d.pos
	c.set = map[string]bool{}
	for p := range d.pos {
		c.set[p] = true
	}
	for _, e := range d.errs {
		c.set[e.Path+"#bad"] = true
	}
	errs := Errors(d.errs)
	applyDefaults(c)
	errs = append(errs, c.validate()...)
	if len(errs) > 0 {
		return nil, errs.sorted()
	}
	return c, nil
}

// Preset is what an operating model sets by default (SPEC §4's table).
// Every key can still be set on its own in the file.
type Preset struct {
	Mode          string // pricing.mode
	OverheadRate  string // pricing.overhead_rate
	Registry      string // pricing.registry: charged | central
	ConsumerShare string // eval.consumer_share
	Seats         bool   // seats.enabled
}

// Presets returns the defaults each operating model sets.
func Presets() map[cost.Model]Preset {
	return map[cost.Model]Preset{
		cost.ModelPlatform: {Mode: ModePriceList, OverheadRate: "0.15", Registry: RegistryCharged, ConsumerShare: "0.5", Seats: false},
		cost.ModelFinOps:   {Mode: ModeCost, OverheadRate: "0", Registry: RegistryCentral, ConsumerShare: "0.5", Seats: false},
		cost.ModelIT:       {Mode: ModePriceList, OverheadRate: "0.15", Registry: RegistryCentral, ConsumerShare: "0", Seats: true},
	}
}

// Pricing modes and registry funding.
const (
	ModePriceList   = "price_list"
	ModeCost        = "cost"
	RegistryCharged = "charged"
	RegistryCentral = "central"
)

// Unallocated policies.
const (
	PolicyHold         = "hold"
	PolicyProportional = "proportional"
	PolicyAssign       = "assign:"
)

// DefaultActionClasses are the four classes allot ships.
var DefaultActionClasses = []string{"chat_call", "retrieval_call", "agent_step", "eval_run"}

func applyDefaults(c *Config) {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	defA := func(a **Amount, v string) {
		if *a == nil {
			x := A(v)
			*a = &x
		}
	}
	def(&c.Currency, "USD")
	if c.Model == "" {
		c.Model = cost.ModelPlatform
	}
	if c.CostBasis == "" {
		c.CostBasis = cost.BasisEffective
	}
	def(&c.Ledger, "sqlite:allot.db")
	if len(c.ActionClasses) == 0 {
		c.ActionClasses = append([]string(nil), DefaultActionClasses...)
	}
	def(&c.EvalClass, "eval_run")

	pt := c.PlatformTeam()
	defCompany := "1000"
	if pt != nil && pt.Company != "" {
		defCompany = pt.Company
	}
	for i := range c.Teams {
		def(&c.Teams[i].Company, defCompany)
		def(&c.Teams[i].Name, c.Teams[i].ID)
	}
	if pt != nil {
		def(&c.Central.CostCenter, pt.CostCenter)
		def(&c.Central.Company, pt.Company)
	}

	a := &c.Accounts
	def(&a.ChargebackExpense, "650100")
	def(&a.PlatformRecovery, "490100")
	def(&a.RegistryFund, "490110")
	def(&a.BufferFund, "290500")
	def(&a.CentralBudget, "650190")
	def(&a.Unallocated, a.CentralBudget)

	t := &c.Tagging
	if len(t.TeamKeys) == 0 {
		t.TeamKeys = []string{"team", "user:team"}
	}
	if len(t.ActionClassKeys) == 0 {
		t.ActionClassKeys = []string{"action_class", "user:action_class"}
	}
	if len(t.EvalScopeKeys) == 0 {
		t.EvalScopeKeys = []string{"eval_scope", "user:eval_scope"}
	}
	if len(t.PlatformComponentKeys) == 0 {
		t.PlatformComponentKeys = []string{"platform_component", "user:platform_component"}
	}
	def(&t.Unallocated, PolicyHold)
	for i := range t.Rules {
		def(&t.Rules[i].Name, fmt.Sprintf("rules[%d]", i))
	}

	preset, ok := Presets()[c.Model]
	if !ok {
		preset = Presets()[cost.ModelPlatform] // validate reports the bad model
	}
	p := &c.Pricing
	def(&p.Mode, preset.Mode)
	def(&p.PriceList, "prices/{quarter}.yaml")
	def(&p.Registry, preset.Registry)
	defA(&p.OverheadRate, preset.OverheadRate)
	defA(&p.RegistryRate, "0.03")
	defA(&p.BufferRate, "0.04")
	defA(&c.Eval.ConsumerShare, preset.ConsumerShare)

	b := &c.Buffer
	defA(&b.DrawThreshold, "3")
	defA(&b.OpeningBalance, "0")
	defA(&b.TargetMin, "0.05")
	defA(&b.TargetMax, "0.10")

	defA(&c.Seats.MonthlyFee, "0")
	if c.Seats.Enabled == nil {
		v := preset.Seats
		c.Seats.Enabled = &v
	}
	def(&c.Schedule.Cron, "0 6 3 * *")
	def(&c.Schedule.Out, "out/{period}")
	if !c.IsSet("schedule.settle_days") {
		c.Schedule.SettleDays = 3
	}
	def(&c.Journal.Prefix, "ALLOT")
}

// Path resolves a path from the file against the configuration's folder.
func (c *Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// ResolveURL resolves a relative file: URL against the configuration's
// folder; other URLs are returned unchanged.
func (c *Config) ResolveURL(u string) string {
	if rest, ok := strings.CutPrefix(u, "file:"); ok {
		rest = strings.TrimPrefix(rest, "//")
		return "file:" + c.Path(rest)
	}
	return u
}

// LedgerDSN returns the ledger DSN with a relative sqlite path resolved.
func (c *Config) LedgerDSN() string {
	if rest, ok := strings.CutPrefix(c.Ledger, "sqlite:"); ok {
		if rest == ":memory:" {
			return c.Ledger
		}
		return "sqlite:" + c.Path(rest)
	}
	return c.Ledger
}

// ScheduleOutDir returns the folder a scheduled run of p writes to:
// schedule.out with {period} replaced, resolved against the configuration.
func (c *Config) ScheduleOutDir(p cost.Period) string {
	return c.Path(strings.ReplaceAll(c.Schedule.Out, "{period}", p.String()))
}

// PriceListPath returns the price list file for quarter q.
func (c *Config) PriceListPath(q cost.Quarter) string {
	return c.Path(strings.ReplaceAll(c.Pricing.PriceList, "{quarter}", q.String()))
}
