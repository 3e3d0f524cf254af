package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/ledger"
	"github.com/allot-dev/allot/rules"
	"github.com/shopspring/decimal"
)

// ClassCost is one action class over a look-back window: what the bill
// says the class cost and how many actions the gateway counted.
type ClassCost struct {
	Class   string
	Cost    decimal.Decimal // exact, corporate currency, configured cost basis
	Actions int64
}

// Lookback is a look-back window's cost and actions per class.
//
// Cost counts every bill line resolved to the class, whoever it resolved
// to: consuming teams, the platform team and unallocated (no team). The
// gateway counts every action of the class whoever made it (the platform's
// own evals and unregistered teams included), so numerator and denominator
// cover the same work. Lines with no action class are in no base: their
// cost is reported as Unclassified (the platform's unclassed cost, such as
// the registry, is what the overhead and registry rates fund).
type Lookback struct {
	Range   cost.PeriodRange
	Classes []ClassCost // every configured class, in configured order
	// Unclassified is the cost of lines with no action class.
	Unclassified decimal.Decimal
	// Other is the cost of lines whose class is not configured, by class.
	Other map[string]decimal.Decimal
}

// GatherLookback reads every month of r (Gather) and totals cost and
// actions per class.
func GatherLookback(ctx context.Context, cfg *rules.Config, env Env, r cost.PeriodRange) (*Lookback, error) {
	if len(cfg.SourcesOfKind("gateway")) == 0 {
		return nil, errors.New("pipeline: prices: no source has kind gateway: a class's base is its bill cost divided by the gateway's actions of the class")
	}
	costs := map[string]decimal.Decimal{}
	actions := map[string]int64{}
	lb := &Lookback{Range: r, Other: map[string]decimal.Decimal{}}
	for _, p := range r.Periods() {
		g, err := Gather(ctx, cfg, env, p)
		if err != nil {
			return nil, fmt.Errorf("pipeline: prices: look-back month %s: %w", p, err)
		}
		for _, cg := range g.Costs {
			costs[cg.Class] = costs[cg.Class].Add(cg.Cost)
		}
		for _, ag := range g.Actions {
			actions[ag.Class] += ag.Actions
		}
	}
	known := map[string]bool{}
	for _, c := range cfg.ActionClasses {
		known[c] = true
		lb.Classes = append(lb.Classes, ClassCost{Class: c, Cost: costs[c], Actions: actions[c]})
	}
	for c, v := range costs {
		switch {
		case c == "" || c == cost.Unclassified:
			lb.Unclassified = lb.Unclassified.Add(v)
		case !known[c]:
			lb.Other[c] = lb.Other[c].Add(v)
		}
	}
	return lb, nil
}

// DerivePriceList computes quarter q's price list from a look-back: for
// each class c, base b_c = cost_c ÷ actions_c rounded to 6 decimals half
// away from zero (one exact division, no intermediate rounding), and the
// overhead, registry and buffer parts from the configuration's pricing
// rates (rules.DerivePrice). A class without actions in the window, or
// whose cost is negative (credits above usage), is an error naming the
// class and the months: a price list prices every configured class.
func DerivePriceList(cfg *rules.Config, q cost.Quarter, lb *Lookback) (*rules.PriceList, error) {
	o, r, f := cfg.Pricing.OverheadRate.Dec(), cfg.Pricing.RegistryRate.Dec(), cfg.Pricing.BufferRate.Dec()
	pl := &rules.PriceList{Quarter: q, Currency: cfg.Currency, OverheadRate: o, RegistryRate: r, BufferRate: f,
		Lookback: lb.Range.String(), Classes: map[string]rules.ClassPrice{}}
	var errs []error
	for _, cc := range lb.Classes {
		switch {
		case cc.Actions <= 0:
			errs = append(errs, fmt.Errorf("class %s: %w %s (bill cost %s %s): check that the gateway's records carry action_class %s, widen --lookback, or remove the class from action_classes",
				cc.Class, ErrNoActions, lb.Range, cc.Cost.StringFixed(cost.MinorUnits(cfg.Currency)), cfg.Currency, cc.Class))
		case cc.Cost.IsNegative():
			errs = append(errs, fmt.Errorf("class %s: the bill's cost over %s is negative (%s %s: credits exceed usage), so no base follows from it; choose a look-back without the credit or edit the base by hand",
				cc.Class, lb.Range, cc.Cost, cfg.Currency))
		default:
			base := cc.Cost.DivRound(decimal.NewFromInt(cc.Actions), cost.PricePlaces)
			pl.Classes[cc.Class] = rules.DerivePrice(base, o, r, f)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("pipeline: prices for %s: %w", q, errors.Join(errs...))
	}
	return pl, nil
}

// PublishOptions tune a price list publication.
type PublishOptions struct {
	Quarter  cost.Quarter
	Lookback cost.PeriodRange
	// Force replaces the file of a quarter that has started.
	Force bool
	Now   func() time.Time // clock; time.Now when nil
}

// PublishOutcome is what a publication did.
type PublishOutcome struct {
	PriceList *rules.PriceList
	Lookback  *Lookback
	File      string
	Content   []byte
	Wrote     bool // the file was written (false: it already held this list)
	Replaced  bool // an existing file with other prices was replaced
	Recorded  bool // the ledger's current publication changed
}

// PublishPriceList computes quarter q's price list from the look-back
// window (GatherLookback, DerivePriceList), writes it atomically to the
// configured path (pricing.price_list) with its look-back recorded, and
// records the publication in the ledger.
//
// Replacing a different file of a quarter that has started (its first day
// is past) is refused with ErrPriceListExists unless opts.Force: months of
// the quarter may already have been charged at its prices, and a new list
// restates every month re-run afterwards. Before the quarter starts the
// file is replaced freely (a person may edit or republish it).
func PublishPriceList(ctx context.Context, cfg *rules.Config, env Env, opts PublishOptions) (*PublishOutcome, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	q, r := opts.Quarter, opts.Lookback
	if q.IsZero() || r.From.IsZero() {
		return nil, errors.New("pipeline: prices: a quarter and a look-back window are required")
	}
	if !r.To.Before(q.First()) {
		return nil, fmt.Errorf("pipeline: prices for %s: the look-back %s must end before the quarter starts (%s); use months already billed, e.g. %s",
			q, r, q.First(), cost.PeriodRange{From: q.First().Prev().Prev().Prev(), To: q.First().Prev()})
	}
	led, err := ledger.Open(ctx, cfg.LedgerDSN())
	if err != nil {
		return nil, err
	}
	defer led.Close()
	release, err := led.Lock(ctx, "prices:"+q.String())
	if err != nil {
		return nil, fmt.Errorf("pipeline: another publication of %s holds the lock: %w", q, err)
	}
	defer release()

	lb, err := GatherLookback(ctx, cfg, env, r)
	if err != nil {
		return nil, err
	}
	pl, err := DerivePriceList(cfg, q, lb)
	if err != nil {
		return nil, err
	}
	out := &PublishOutcome{Lookback: lb, File: cfg.PriceListPath(q)}
	out.Content = pl.Encode(cfg.ActionClasses)
	// The file must load as any run will load it.
	if out.PriceList, err = rules.ParsePriceList(out.Content, out.File, q, cfg.Currency, cfg.ActionClasses); err != nil {
		return nil, fmt.Errorf("pipeline: prices for %s: the list does not load back (a bug): %w", q, err)
	}

	old, err := os.ReadFile(out.File)
	switch {
	case errors.Is(err, os.ErrNotExist):
		out.Wrote = true
	case err != nil:
		return nil, fmt.Errorf("pipeline: prices: %w", err)
	case bytes.Equal(old, out.Content):
	default:
		if started := !now().Before(q.First().Start()); started && !opts.Force {
			used, err := runsUsing(ctx, led, q, ledger.Fingerprint(old))
			if err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("pipeline: prices: %s: %w: %s started on %s and %s; a new list changes the price of every month of %s run again. Publish with --force to replace it (then re-run those months to restate them), or publish a later quarter",
				out.File, ErrPriceListExists, q, q.First().Start().Format("2006-01-02"), usedText(used), q)
		}
		out.Wrote, out.Replaced = true, true
	}
	if out.Wrote {
		if _, err := WriteFiles(filepath.Dir(out.File), map[string][]byte{filepath.Base(out.File): out.Content}); err != nil {
			return nil, err
		}
	}
	before, had, err := led.PriceList(ctx, q)
	if err != nil {
		return nil, err
	}
	if err := led.PublishPriceList(ctx, ledger.PriceListRecord{Quarter: q, Content: out.Content, Lookback: r, PublishedAt: now().UTC()}); err != nil {
		return nil, err
	}
	out.Recorded = !had || before.Fingerprint != ledger.Fingerprint(out.Content)
	return out, nil
}

// runsUsing lists the quarter's months whose latest allocation run used a
// price list with the fingerprint.
func runsUsing(ctx context.Context, led *ledger.Ledger, q cost.Quarter, fp string) ([]cost.Period, error) {
	var out []cost.Period
	for _, p := range q.Months() {
		run, ok, err := latestRun(ctx, led, p)
		if err != nil {
			return nil, err
		}
		if ok && run.PriceListFingerprint == fp {
			out = append(out, p)
		}
	}
	return out, nil
}

func usedText(ps []cost.Period) string {
	if len(ps) == 0 {
		return "no run of it has used the current list yet"
	}
	s := ""
	for i, p := range ps {
		if i > 0 {
			s += ", "
		}
		s += p.String()
	}
	return "the runs of " + s + " charged at the current list"
}

// latestRun returns the period's latest allocation run that did not fail
// (posted or unchanged): the run whose figures are the current ones.
func latestRun(ctx context.Context, led *ledger.Ledger, p cost.Period) (ledger.Run, bool, error) {
	runs, err := led.Runs(ctx, ledger.RunFilter{Period: p, Kind: ledger.RunAllocation})
	if err != nil {
		return ledger.Run{}, false, err
	}
	for _, r := range runs {
		if r.Status != ledger.StatusFailed {
			return r, true, nil
		}
	}
	return ledger.Run{}, false, nil
}

// PriceListInForce is the price list a period is charged at and where it
// comes from.
type PriceListInForce struct {
	Quarter cost.Quarter
	File    string
	// List is the file's list, or the ledger's current publication when
	// the file is missing; nil when neither loads.
	List *rules.PriceList
	// FileFingerprint is empty when the file is missing.
	FileFingerprint string
	// FileErr is why the file did not load (missing, or invalid).
	FileErr error
	// Record is the ledger's current publication of the quarter; nil when
	// the quarter was never published through allot.
	Record       *ledger.PriceListRecord
	Publications int // how many times the quarter was published
	// Agree: the file and the ledger's current publication are the same bytes.
	Agree bool
	// Months are the quarter's months with their latest run's price list.
	Months []MonthPrice
}

// MonthPrice is the price list a month's latest allocation run used.
type MonthPrice struct {
	Period      cost.Period
	RunID       string // empty: never run
	Fingerprint string
}

// PriceListStatus reports the price list in force for quarter q: the file
// at the configured path, the ledger's record of its publication, whether
// they agree, and which list each month's latest run used.
func PriceListStatus(ctx context.Context, cfg *rules.Config, q cost.Quarter) (*PriceListInForce, error) {
	st := &PriceListInForce{Quarter: q, File: cfg.PriceListPath(q)}
	if raw, err := os.ReadFile(st.File); err != nil {
		st.FileErr = err
	} else {
		st.FileFingerprint = ledger.Fingerprint(raw)
		st.List, st.FileErr = rules.ParsePriceList(raw, st.File, q, cfg.Currency, cfg.ActionClasses)
	}
	led, err := ledger.Open(ctx, cfg.LedgerDSN())
	if err != nil {
		return nil, err
	}
	defer led.Close()
	all, err := led.PriceLists(ctx)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].Quarter == q {
			st.Publications++
			st.Record = &all[i] // in publication order: the last is current
		}
	}
	if st.Record != nil {
		st.Agree = st.Record.Fingerprint == st.FileFingerprint
		if st.List == nil && st.FileFingerprint == "" {
			st.List, _ = rules.ParsePriceList(st.Record.Content, "ledger:"+q.String(), q, cfg.Currency, cfg.ActionClasses)
		}
	}
	for _, p := range q.Months() {
		mp := MonthPrice{Period: p}
		run, ok, err := latestRun(ctx, led, p)
		if err != nil {
			return nil, err
		}
		if ok {
			mp.RunID, mp.Fingerprint = run.ID, run.PriceListFingerprint
		}
		st.Months = append(st.Months, mp)
	}
	return st, nil
}

// sortedClasses returns a price list's classes in configured order, then
// any others by name.
func sortedClasses(pl *rules.PriceList, configured []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range configured {
		if _, ok := pl.Classes[c]; ok {
			out = append(out, c)
			seen[c] = true
		}
	}
	var rest []string
	for c := range pl.Classes {
		if !seen[c] {
			rest = append(rest, c)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}
