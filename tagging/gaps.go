package tagging

import (
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// Tally is a cost and a count of bill lines.
type Tally struct {
	Cost  decimal.Decimal
	Lines int64
	// units is the part of the cost added as whole 10^-10 units while
	// lines are counted (Stats.Add), without big-number arithmetic;
	// Stats.Finish moves it into Cost.
	units int64
}

// addend is a line's cost as Stats.Add counts it: the decimal, and the
// same in 10^-10 units when it is a whole number of them that fits an
// int64 (fits).
type addend struct {
	d     decimal.Decimal
	units int64
	fits  bool
}

// unitScale is the exponent of Tally.units: 10^-10, the finest unit
// bills carry (connectors' fast paths sum at the same scale).
const unitScale = 10

var pow10 = [...]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10}

func addendOf(d decimal.Decimal) addend {
	a := addend{d: d}
	e := d.Exponent()
	if e > 0 || e < -unitScale || d.NumDigits() > 18 {
		return a
	}
	c, m := d.CoefficientInt64(), pow10[int(e)+unitScale]
	if c > math.MaxInt64/m || c < math.MinInt64/m {
		return a
	}
	a.units, a.fits = c*m, true
	return a
}

func (t *Tally) add(a addend, lines int64) {
	t.Lines += lines
	if a.fits {
		if s := t.units + a.units; (t.units^s)&(a.units^s) >= 0 { // no overflow
			t.units = s
			return
		}
	}
	t.Cost = t.Cost.Add(a.d)
}

// merge adds o into t.
func (t *Tally) merge(o *Tally) {
	t.Lines += o.Lines
	if !o.Cost.IsZero() {
		t.Cost = t.Cost.Add(o.Cost)
	}
	if s := t.units + o.units; (t.units^s)&(o.units^s) >= 0 {
		t.units = s
	} else {
		t.Cost = t.Cost.Add(decimal.New(o.units, -unitScale))
	}
}

// finish moves the units into Cost.
func (t *Tally) finish() {
	if t.units != 0 {
		t.Cost = t.Cost.Add(decimal.New(t.units, -unitScale))
		t.units = 0
	}
}

// Coverage is allocatable coverage: allocated means resolved to a
// registered team, the platform team included.
type Coverage struct {
	Total       Tally
	Allocated   Tally
	Unallocated Tally
}

// CostFraction is allocated ÷ total cost (0 when the total is 0), rounded
// half away from zero to 6 decimals.
func (c *Coverage) CostFraction() decimal.Decimal {
	if c.Total.Cost.IsZero() {
		return decimal.Zero
	}
	return c.Allocated.Cost.DivRound(c.Total.Cost, 6)
}

// LineFraction is allocated ÷ total lines, with 6 decimals.
func (c *Coverage) LineFraction() decimal.Decimal {
	if c.Total.Lines == 0 {
		return decimal.Zero
	}
	return decimal.NewFromInt(c.Allocated.Lines).DivRound(decimal.NewFromInt(c.Total.Lines), 6)
}

// ValueKey is a tag key and value as written on bills (the value trimmed).
type ValueKey struct{ Key, Value string }

// KeyVariant is a tag key as one provider's bills spell it.
type KeyVariant struct{ Provider, Key string }

// KeyUse says whether the resolver reads a team-like tag key.
type KeyUse string

// How a team-like key is used.
const (
	KeyConfigured KeyUse = "configured"  // listed in tagging.team_keys as spelled
	KeyCaseFolded KeyUse = "case_folded" // Azure: equals a listed key ignoring case
	KeyInherited  KeyUse = "inherited"   // GCP: tag:KEY or project:KEY for a listed KEY
	KeyIgnored    KeyUse = "ignored"     // not read: a candidate for team_keys
)

// Cell is where unallocated cost sits, finely enough for every kind of
// suggestion: sub-account, resource group, service and SKU (the usage
// type, else the meter, else the SKU id).
type Cell struct{ SubAccount, ResourceGroup, Service, SKU string }

// Group is a service and SKU within one sub-account.
type Group struct{ SubAccount, Service, SKU string }

// SKUKey is a service and SKU (as in Cell).
type SKUKey struct{ Service, SKU string }

// Stats gathers what the tagging-gap report shows. Memory grows with the
// number of distinct sub-accounts, resource groups, services, SKUs,
// resources, teams and tag keys and values, never with the number of
// lines. Add is not safe for concurrent use; once every line is added
// (Add, Merge), Finish completes the costs, and only then may the tallies
// be read.
type Stats struct {
	Overall    Coverage
	ByProvider map[string]*Coverage

	// Unallocated cost by where it sits.
	UnallocatedByProvider   map[string]*Tally
	UnallocatedBySubAccount map[string]*Tally // by sub-account id ("" for lines without one)
	UnallocatedByService    map[string]*Tally
	UnallocatedByResource   map[string]*Tally
	UnallocatedCells        map[Cell]*Tally
	// SubAccountNames is the first name seen for each sub-account id.
	SubAccountNames map[string]string

	// TeamKeyVariants counts every tag key that looks like a team key (it
	// equals a configured team key ignoring case and the prefixes user:,
	// tag: and project:, or contains "team"), as spelled on bills;
	// KeyVariants splits the same per provider, whose rules decide whether
	// the resolver reads the key (Stats.KeyUse).
	TeamKeyVariants map[string]*Tally
	KeyVariants     map[KeyVariant]*Tally
	// IgnoredKeyValues counts unallocated lines by the value of a team-like
	// key the resolver does not read on that provider.
	IgnoredKeyValues map[ValueKey]*Tally

	// UnknownValues counts team tag values that are not registered teams,
	// on every line; UnknownValuesUnallocated counts, per value, the lines
	// that then stayed unallocated (each line once per value).
	UnknownValues            map[ValueKey]*Tally
	UnknownValuesUnallocated map[string]*Tally
	// UnknownClasses counts action class tag values that are not classes.
	UnknownClasses map[ValueKey]*Tally
	// NoClass counts lines with a team but no action class, per team
	// (platform lines with a platform component, such as the registry, are
	// classified by their component and not counted); NoClassBySKU splits
	// the same by service and SKU; NoClassBuiltin by the shipped AI token
	// rule that would classify them when the configuration does not
	// enable that set.
	NoClass        map[string]*Tally
	NoClassBySKU   map[SKUKey]*Tally
	NoClassBuiltin map[string]*Tally

	// TeamBySubAccount is the allocated cost per (sub-account, team).
	TeamBySubAccount map[string]map[string]*Tally
	// The cost whose team a tag decided (on the line or inherited), per
	// sub-account, per resource group (lower case) and per group, by team;
	// and the cost whose class a tag decided, per service and SKU, by
	// class: the evidence suggestions are drawn from.
	TaggedTeamBySubAccount    map[string]map[string]*Tally
	TaggedTeamByResourceGroup map[string]map[string]*Tally
	TaggedTeamByGroup         map[Group]map[string]*Tally
	TaggedClassBySKU          map[SKUKey]map[string]*Tally

	r           *Resolver
	teamKeyBase map[string]bool
	likeCache   map[string]bool
	useCache    map[KeyVariant]KeyUse
}

// NewStats returns empty statistics for a resolver's configuration.
func (r *Resolver) NewStats() *Stats {
	s := &Stats{
		ByProvider:                map[string]*Coverage{},
		UnallocatedByProvider:     map[string]*Tally{},
		UnallocatedBySubAccount:   map[string]*Tally{},
		UnallocatedByService:      map[string]*Tally{},
		UnallocatedByResource:     map[string]*Tally{},
		UnallocatedCells:          map[Cell]*Tally{},
		SubAccountNames:           map[string]string{},
		TeamKeyVariants:           map[string]*Tally{},
		KeyVariants:               map[KeyVariant]*Tally{},
		IgnoredKeyValues:          map[ValueKey]*Tally{},
		UnknownValues:             map[ValueKey]*Tally{},
		UnknownValuesUnallocated:  map[string]*Tally{},
		UnknownClasses:            map[ValueKey]*Tally{},
		NoClass:                   map[string]*Tally{},
		NoClassBySKU:              map[SKUKey]*Tally{},
		NoClassBuiltin:            map[string]*Tally{},
		TeamBySubAccount:          map[string]map[string]*Tally{},
		TaggedTeamBySubAccount:    map[string]map[string]*Tally{},
		TaggedTeamByResourceGroup: map[string]map[string]*Tally{},
		TaggedTeamByGroup:         map[Group]map[string]*Tally{},
		TaggedClassBySKU:          map[SKUKey]map[string]*Tally{},
		r:                         r,
		teamKeyBase:               map[string]bool{},
		likeCache:                 map[string]bool{},
		useCache:                  map[KeyVariant]KeyUse{},
	}
	for _, k := range r.cfg.Tagging.TeamKeys {
		s.teamKeyBase[keyBase(k)] = true
	}
	return s
}

// Resolver returns the resolver the statistics were made for.
func (s *Stats) Resolver() *Resolver { return s.r }

// keyBase lower-cases a key and drops the prefixes providers put before a
// user's key.
func keyBase(k string) string {
	k = strings.ToLower(strings.TrimSpace(k))
	for _, p := range []string{"user:", PrefixGCPTag, PrefixGCPProject} {
		k = strings.TrimPrefix(k, p)
	}
	return k
}

// teamLike reports whether a tag key looks like it names a team.
func (s *Stats) teamLike(k string) bool {
	if like, ok := s.likeCache[k]; ok {
		return like
	}
	b := keyBase(k)
	like := s.teamKeyBase[b] || strings.Contains(b, "team")
	s.likeCache[k] = like
	return like
}

// KeyUse says whether the resolver reads a key on a provider's lines.
func (s *Stats) KeyUse(v KeyVariant) KeyUse {
	if u, ok := s.useCache[v]; ok {
		return u
	}
	u := KeyIgnored
	for _, tk := range s.r.cfg.Tagging.TeamKeys {
		switch {
		case v.Key == tk:
			u = KeyConfigured
		case u == KeyIgnored && caseInsensitiveKeys(v.Provider) && strings.EqualFold(strings.TrimSpace(v.Key), tk):
			u = KeyCaseFolded
		case u == KeyIgnored && containsString(inheritedKeys(v.Provider, tk), v.Key):
			u = KeyInherited
		}
	}
	s.useCache[v] = u
	return u
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func tally(m map[string]*Tally, key string) *Tally {
	t, ok := m[key]
	if !ok {
		t = &Tally{}
		m[key] = t
	}
	return t
}

func tallyOf[K comparable](m map[K]*Tally, key K) *Tally {
	t, ok := m[key]
	if !ok {
		t = &Tally{}
		m[key] = t
	}
	return t
}

func nested[K comparable](m map[K]map[string]*Tally, key K, inner string) *Tally {
	mm, ok := m[key]
	if !ok {
		mm = map[string]*Tally{}
		m[key] = mm
	}
	return tally(mm, inner)
}

// Merge adds o's counts into s, as if s had been given o's lines after
// its own (a sub-account's name is the first s or, failing that, o saw).
// Both must come from the same resolver's NewStats; o is left as it was.
func (s *Stats) Merge(o *Stats) {
	s.Overall.merge(&o.Overall)
	for k, c := range o.ByProvider {
		pc, ok := s.ByProvider[k]
		if !ok {
			pc = &Coverage{}
			s.ByProvider[k] = pc
		}
		pc.merge(c)
	}
	for id, name := range o.SubAccountNames {
		if _, ok := s.SubAccountNames[id]; !ok {
			s.SubAccountNames[id] = name
		}
	}
	for _, m := range [][2]map[string]*Tally{
		{s.UnallocatedByProvider, o.UnallocatedByProvider},
		{s.UnallocatedBySubAccount, o.UnallocatedBySubAccount},
		{s.UnallocatedByService, o.UnallocatedByService},
		{s.UnallocatedByResource, o.UnallocatedByResource},
		{s.TeamKeyVariants, o.TeamKeyVariants},
		{s.UnknownValuesUnallocated, o.UnknownValuesUnallocated},
		{s.NoClass, o.NoClass},
		{s.NoClassBuiltin, o.NoClassBuiltin},
	} {
		mergeTallies(m[0], m[1])
	}
	mergeTallies(s.UnallocatedCells, o.UnallocatedCells)
	mergeTallies(s.KeyVariants, o.KeyVariants)
	mergeTallies(s.IgnoredKeyValues, o.IgnoredKeyValues)
	mergeTallies(s.UnknownValues, o.UnknownValues)
	mergeTallies(s.UnknownClasses, o.UnknownClasses)
	mergeTallies(s.NoClassBySKU, o.NoClassBySKU)
	// The nested maps are about half of the work and touch nothing the
	// rest does: they merge beside it (a parallel scan's last serial step).
	var wg sync.WaitGroup
	wg.Go(func() {
		mergeNested(s.TeamBySubAccount, o.TeamBySubAccount)
		mergeNested(s.TaggedTeamBySubAccount, o.TaggedTeamBySubAccount)
	})
	mergeNested(s.TaggedTeamByResourceGroup, o.TaggedTeamByResourceGroup)
	mergeNested(s.TaggedTeamByGroup, o.TaggedTeamByGroup)
	mergeNested(s.TaggedClassBySKU, o.TaggedClassBySKU)
	wg.Wait()
}

func (c *Coverage) merge(o *Coverage) {
	c.Total.merge(&o.Total)
	c.Allocated.merge(&o.Allocated)
	c.Unallocated.merge(&o.Unallocated)
}

func (c *Coverage) finish() {
	c.Total.finish()
	c.Allocated.finish()
	c.Unallocated.finish()
}

func mergeTallies[K comparable](dst, src map[K]*Tally) {
	for k, t := range src {
		tallyOf(dst, k).merge(t)
	}
}

func mergeNested[K comparable](dst, src map[K]map[string]*Tally) {
	for k, inner := range src {
		for in, t := range inner {
			nested(dst, k, in).merge(t)
		}
	}
}

func finishTallies[K comparable](m map[K]*Tally) {
	for _, t := range m {
		t.finish()
	}
}

func finishNested[K comparable](m map[K]map[string]*Tally) {
	for _, inner := range m {
		finishTallies(inner)
	}
}

// Finish completes the tallies' costs once every line is added (Add,
// Merge): until then a tally's Cost holds only part of its sum. Finish is
// idempotent; lines added after it need another Finish.
func (s *Stats) Finish() {
	s.Overall.finish()
	for _, c := range s.ByProvider {
		c.finish()
	}
	for _, m := range []map[string]*Tally{s.UnallocatedByProvider, s.UnallocatedBySubAccount, s.UnallocatedByService,
		s.UnallocatedByResource, s.TeamKeyVariants, s.UnknownValuesUnallocated, s.NoClass, s.NoClassBuiltin} {
		finishTallies(m)
	}
	finishTallies(s.UnallocatedCells)
	finishTallies(s.KeyVariants)
	finishTallies(s.IgnoredKeyValues)
	finishTallies(s.UnknownValues)
	finishTallies(s.UnknownClasses)
	finishTallies(s.NoClassBySKU)
	finishNested(s.TeamBySubAccount)
	finishNested(s.TaggedTeamBySubAccount)
	finishNested(s.TaggedTeamByResourceGroup)
	finishNested(s.TaggedTeamByGroup)
	finishNested(s.TaggedClassBySKU)
}

// SKUOf is the SKU the report groups a line by: the AWS usage type, else
// the meter (Azure MeterName, GCP SKU description), else the SKU id.
func SKUOf(li *cost.LineItem) string {
	switch {
	case li.UsageType != "":
		return li.UsageType
	case li.SkuMeter != "":
		return li.SkuMeter
	}
	return li.SkuID
}

func decidedByTag(d Decision) bool { return d.Step == StepTag || d.Step == StepInherited }

// Add counts one resolved line whose cost, in the corporate currency and on
// the configured basis, is amount. The tallies' costs are complete once
// Finish is called.
func (s *Stats) Add(li *cost.LineItem, amount decimal.Decimal, res Resolution) {
	a := addendOf(amount) // once for the ten or so tallies a line adds to
	lines := li.Lines()
	prov := li.ProviderName
	pc, ok := s.ByProvider[prov]
	if !ok {
		pc = &Coverage{}
		s.ByProvider[prov] = pc
	}
	allocated := res.Team.Value != ""
	for _, c := range []*Coverage{&s.Overall, pc} {
		c.Total.add(a, lines)
		if allocated {
			c.Allocated.add(a, lines)
		} else {
			c.Unallocated.add(a, lines)
		}
	}
	if li.SubAccountName != "" {
		if _, ok := s.SubAccountNames[li.SubAccountID]; !ok {
			s.SubAccountNames[li.SubAccountID] = li.SubAccountName
		}
	}
	sku := SKUOf(li)
	if decidedByTag(res.Class) {
		nested(s.TaggedClassBySKU, SKUKey{li.ServiceName, sku}, res.Class.Value).add(a, lines)
	}
	if !allocated {
		tally(s.UnallocatedByProvider, prov).add(a, lines)
		tally(s.UnallocatedBySubAccount, li.SubAccountID).add(a, lines)
		tally(s.UnallocatedByService, li.ServiceName).add(a, lines)
		tally(s.UnallocatedByResource, li.ResourceID).add(a, lines)
		tallyOf(s.UnallocatedCells, Cell{li.SubAccountID, li.ResourceGroup, li.ServiceName, sku}).add(a, lines)
	} else {
		if res.Class.Value == "" && res.Component.Value == "" {
			tally(s.NoClass, res.Team.Value).add(a, lines)
			tallyOf(s.NoClassBySKU, SKUKey{li.ServiceName, sku}).add(a, lines)
			for i := range s.r.suggest {
				if cr := &s.r.suggest[i]; cr.matches(li) {
					tally(s.NoClassBuiltin, cr.name).add(a, lines)
					break
				}
			}
		}
		nested(s.TeamBySubAccount, li.SubAccountID, res.Team.Value).add(a, lines)
		if decidedByTag(res.Team) {
			nested(s.TaggedTeamBySubAccount, li.SubAccountID, res.Team.Value).add(a, lines)
			nested(s.TaggedTeamByGroup, Group{li.SubAccountID, li.ServiceName, sku}, res.Team.Value).add(a, lines)
			if li.ResourceGroup != "" {
				nested(s.TaggedTeamByResourceGroup, strings.ToLower(li.ResourceGroup), res.Team.Value).add(a, lines)
			}
		}
	}
	for k, v := range li.Tags {
		if !s.teamLike(k) {
			continue
		}
		tally(s.TeamKeyVariants, k).add(a, lines)
		kv := KeyVariant{prov, k}
		tallyOf(s.KeyVariants, kv).add(a, lines)
		if !allocated && s.KeyUse(kv) == KeyIgnored {
			if v = strings.TrimSpace(v); v != "" {
				tallyOf(s.IgnoredKeyValues, ValueKey{k, v}).add(a, lines)
			}
		}
	}
	var seen []string
	for _, g := range res.Gaps {
		vk := ValueKey{Key: g.Key, Value: g.Value}
		switch g.Kind {
		case GapUnknownTeam:
			tallyOf(s.UnknownValues, vk).add(a, lines)
			if !allocated && !containsString(seen, g.Value) {
				seen = append(seen, g.Value)
				tally(s.UnknownValuesUnallocated, g.Value).add(a, lines)
			}
		case GapUnknownClass:
			tallyOf(s.UnknownClasses, vk).add(a, lines)
		}
	}
}

// Ranked is a named tally, for top-N lists.
type Ranked struct {
	Name string
	Tally
}

// Top returns the n largest tallies by absolute cost (all when n <= 0),
// ties broken by name.
func Top(m map[string]*Tally, n int) []Ranked {
	out := make([]Ranked, 0, len(m))
	for k, t := range m {
		out = append(out, Ranked{Name: k, Tally: *t})
	}
	sort.Slice(out, func(i, j int) bool {
		c := out[i].Cost.Abs().Cmp(out[j].Cost.Abs())
		if c != 0 {
			return c > 0
		}
		return out[i].Name < out[j].Name
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}
