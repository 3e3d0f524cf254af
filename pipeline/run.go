package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/allot-dev/allot/allocator"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/ledger"
	"github.com/allot-dev/allot/reports"
	"github.com/allot-dev/allot/reports/erp"
	"github.com/allot-dev/allot/reports/gapreport"
	"github.com/allot-dev/allot/reports/statements"
	"github.com/allot-dev/allot/rules"
	"github.com/shopspring/decimal"
)

// Sentinel errors, tested with errors.Is.
var (
	// ErrInvariants: the run's own checks failed; nothing was posted.
	ErrInvariants = errors.New("the run's invariants failed: nothing was posted")
	// ErrNoActions: a class has no gateway actions in a price list's
	// look-back window, so its base cannot be computed.
	ErrNoActions = errors.New("no gateway actions of the class in the look-back window")
	// ErrPriceListExists: publishing would replace the price list of a
	// quarter that has started (use --force).
	ErrPriceListExists = errors.New("the quarter has started and its price list exists")
	// ErrRunSummary: a month's run summary lacks what the buffer
	// reconciliation needs.
	ErrRunSummary = errors.New("no usable run summary")
)

// Output file names in the --out folder.
const (
	FileAllocations = "allocations.csv"
	FileJournal     = "journal.csv"
	FileSummary     = "summary.json"
	FileGaps        = "tagging-gaps.csv" // with .json, .md and .html beside it
)

// gapsTopN is how many entries each top-N list of the gap report holds.
const gapsTopN = 50

// RunOptions tune one run.
type RunOptions struct {
	Period cost.Period
	OutDir string           // where the reports go
	Now    func() time.Time // clock; time.Now when nil
	// Version is the program version sinks send in their User-Agent.
	Version string
	// HTTPClient is used by https sinks; http.DefaultClient when nil.
	HTTPClient *http.Client
}

// Outcome is what a run did.
type Outcome struct {
	RunID     string
	Gathered  *Gathered
	Result    *allocator.Result
	Summary   *reports.Summary
	Journals  []cost.Journal // the period's allocation journals as posted (final ids)
	Posted    []cost.Journal // what this run posted: reversals, then new journals
	Unchanged bool           // nothing needed posting
	Delivered []string       // "sink: journal id" for each delivery made
	Files     []string
}

// Run allocates one period end to end: gather, allocate, journal, check,
// post to the ledger (idempotently), write the reports and deliver each
// posted batch once to each configured output.
func Run(ctx context.Context, cfg *rules.Config, env Env, opts RunOptions) (out *Outcome, err error) {
	p := opts.Period
	// The ledger is opened and the period locked while the sources are
	// read (reading needs neither); a run that cannot take the lock stops
	// reading and fails with the lock's error.
	gctx, stopGather := context.WithCancel(ctx)
	defer stopGather()
	// What the run reads from the ledger is read then too, under the lock.
	type started struct {
		s       *session
		err     error
		view    *ledgerView
		viewErr error
	}
	sc := make(chan started, 1)
	go func() {
		s, err := startSession(ctx, cfg, env, p, ledger.RunAllocation, opts.Now)
		if err != nil {
			stopGather()
			sc <- started{err: err}
			return
		}
		view, verr := readLedger(ctx, s.led, cfg, p)
		sc <- started{s: s, view: view, viewErr: verr}
	}()
	g, gerr := Gather(gctx, cfg, env, p)
	st := <-sc
	if st.err != nil {
		return nil, st.err
	}
	s, view := st.s, st.view
	defer s.close(&err)
	led, run := s.led, &s.run
	fail := func(err error) (*Outcome, error) { return nil, s.failed(ctx, err) }
	out = &Outcome{RunID: run.ID}
	if gerr != nil {
		return fail(gerr)
	}
	out.Gathered = g
	run.Inputs, run.InputsFingerprint = inputFingerprints(g.Inputs)

	var pl *rules.PriceList
	if cfg.Pricing.Mode == rules.ModePriceList {
		q := p.Quarter()
		if pl, err = cfg.LoadPriceList(cfg.PriceListPath(q), q); err != nil {
			return fail(err)
		}
		run.PriceListFingerprint = fingerprint(pl.Raw)
	}
	if st.viewErr != nil {
		return fail(st.viewErr)
	}
	// The tagging-gap report reads only the gathered statistics and the
	// ledger's trend: it renders while the allocation, the journals and the
	// summary are built (one core's work otherwise), and the rest of the
	// reports join it.
	gaps := gapreport.Options{Period: p, Currency: cfg.Currency, Basis: cfg.CostBasis,
		Places: cost.MinorUnits(cfg.Currency), TopN: gapsTopN, Trend: view.trend}
	gapFiles := make(chan rendered, 1)
	go func() {
		files, err := gapreport.Build(g.Stats, gaps).Files()
		gapFiles <- rendered{files, err}
	}()
	ain := AllocatorInput(cfg, g, pl, view.buf)
	res, err := allocator.Allocate(ain)
	if err != nil {
		return fail(err)
	}
	out.Result = res
	js, err := reports.BuildJournals(res, JournalParams(cfg))
	if err != nil {
		return fail(err)
	}
	si := reports.SummaryInput{Model: cfg.Model, CostBasis: cfg.CostBasis, Sources: g.Sources, Accounts: JournalParams(cfg).Accounts, Actions: g.Actions, Stats: g.Stats}
	if pl != nil {
		si.PriceList = pl.File
	}
	sum := reports.BuildSummary(res, js, si)
	sum.Buffer.SurchargeBase = SurchargeBase(ain).Round(res.MinorUnits).StringFixed(res.MinorUnits)
	out.Summary = sum
	files, err := reportFiles(res, gapFiles, sum, statements.Input{Result: res, Alloc: ain, Journals: js, Booking: JournalParams(cfg),
		Summary: sum, Resources: g.Resources, AgentRuns: g.AgentRuns, Previous: view.prev})
	if err != nil {
		return fail(err)
	}
	if !sum.OK {
		// Show what failed, but post nothing and write no journal.
		if out.Files, err = WriteFiles(opts.OutDir, files); err != nil {
			return fail(err)
		}
		return fail(fmt.Errorf("%w (see %s)", ErrInvariants, FileSummary))
	}

	all := view.batches
	var live []ledger.Batch
	for _, b := range all {
		if b.Live() {
			live = append(live, b)
		}
	}
	// Plan numbers revisions from every batch of the period, reversed ones included.
	toPost, unchanged, err := ledger.Plan(all, js)
	if err != nil {
		return fail(err)
	}
	movement := &ledger.BufferMovement{Period: p, Kind: ledger.MovementMonth, Currency: cfg.Currency,
		Opening: res.Buffer.Opening, Surcharges: res.Buffer.Surcharges, Closing: res.Buffer.Closing}
	for _, d := range res.Draws {
		if d.Amount.IsPositive() {
			movement.Draws = append(movement.Draws, ledger.BufferDraw{Team: d.Team, Amount: drawAmount(res, d.Team), Cause: d.Cause})
		}
	}
	sameFund, err := sameMovement(ctx, led, movement)
	if err != nil {
		return fail(err)
	}
	out.Journals = finalJournals(js, live, toPost)
	sum.Journals = nil
	for _, j := range out.Journals {
		d, c := j.Totals()
		sum.Journals = append(sum.Journals, reports.JournalStats{ID: j.ID, Company: j.Company, Currency: j.Currency,
			Lines: len(j.Lines), Debit: d.StringFixed(res.MinorUnits), Credit: c.StringFixed(res.MinorUnits)})
	}
	if files[FileSummary], err = summaryJSON(sum); err != nil {
		return fail(err)
	}
	var jbuf bytes.Buffer
	if err := erp.Encode(&jbuf, "generic-csv", out.Journals, erp.Options{}); err != nil {
		return fail(err)
	}
	files[FileJournal] = jbuf.Bytes()
	run.Summary = files[FileSummary]
	run.Outputs = []string{opts.OutDir}
	fund := movement
	if sameFund {
		fund = nil
	}
	// The files are written and synced under temporary names while the
	// ledger commits, and renamed into place only once it has.
	type staging struct {
		st  *Staged
		err error
	}
	staged := make(chan staging, 1)
	go func() {
		st, err := StageFiles(opts.OutDir, files)
		staged <- staging{st, err}
	}()
	posted, err := s.store(ctx, toPost, fund, unchanged, "the period's journals", "period", p.String())
	sf := <-staged
	if err != nil {
		if sf.st != nil {
			sf.st.Discard()
		}
		return nil, err
	}
	if posted {
		out.Posted = toPost
	} else {
		out.Unchanged = true
	}
	if sf.err != nil {
		return out, sf.err
	}
	if out.Files, err = sf.st.Commit(); err != nil {
		return out, err
	}
	if err := deliver(ctx, cfg, env, opts, led, p, out); err != nil {
		return out, err
	}
	return out, nil
}

// ledgerView is what a run reads from the ledger before it posts.
type ledgerView struct {
	buf     allocator.BufferState
	prev    *statements.Previous // the previous month's latest posted run, for statements
	trend   []gapreport.TrendPoint
	batches []ledger.Batch // every batch of the period
}

// readLedger reads a run's ledgerView of period p.
func readLedger(ctx context.Context, led *ledger.Ledger, cfg *rules.Config, p cost.Period) (*ledgerView, error) {
	v := &ledgerView{}
	var err error
	if v.buf, err = bufferState(ctx, led, cfg, p); err != nil {
		return nil, err
	}
	if pr, ok, err := led.LatestRun(ctx, p.Prev()); err != nil {
		return nil, err
	} else if ok {
		v.prev = &statements.Previous{RunID: pr.ID, Period: pr.Period, Summary: pr.Summary}
	}
	if v.trend, err = GapTrend(ctx, led, p, 12); err != nil {
		return nil, err
	}
	if v.batches, err = led.Batches(ctx, p); err != nil {
		return nil, err
	}
	return v, nil
}

// drawAmount is the rounded draw booked for a team (positive).
func drawAmount(res *allocator.Result, team string) decimal.Decimal {
	for _, r := range res.Rows {
		if r.Team == team && r.Component == cost.CompBufferDraw {
			return r.Amount.Neg()
		}
	}
	return decimal.Zero
}

func bufferState(ctx context.Context, led *ledger.Ledger, cfg *rules.Config, p cost.Period) (allocator.BufferState, error) {
	opening, ok, err := led.BufferOpening(ctx, p)
	if err != nil {
		return allocator.BufferState{}, err
	}
	if !ok {
		opening = roundOpening(cfg.Buffer.OpeningBalance.Dec(), cfg.Currency)
	}
	drawn, err := led.QuarterDraws(ctx, p.Quarter(), p)
	if err != nil {
		return allocator.BufferState{}, err
	}
	return allocator.BufferState{Opening: opening, QuarterDrawn: drawn}, nil
}

// sameMovement reports whether the period's current fund movement equals m.
func sameMovement(ctx context.Context, led *ledger.Ledger, m *ledger.BufferMovement) (bool, error) {
	cur, err := led.BufferMovements(ctx, m.Period.Quarter())
	if err != nil {
		return false, err
	}
	for _, c := range cur {
		if c.Period != m.Period || c.Kind != ledger.MovementMonth {
			continue
		}
		if !c.Opening.Equal(m.Opening) || !c.Surcharges.Equal(m.Surcharges) || !c.Closing.Equal(m.Closing) || len(c.Draws) != len(m.Draws) {
			return false, nil
		}
		for i := range c.Draws {
			if c.Draws[i].Team != m.Draws[i].Team || !c.Draws[i].Amount.Equal(m.Draws[i].Amount) || c.Draws[i].Cause != m.Draws[i].Cause {
				return false, nil
			}
		}
		return true, nil
	}
	return false, nil
}

// finalJournals returns the period's allocation journals as the ledger
// holds them after this run: the new ones where something changed, the
// live ones where nothing did.
func finalJournals(next []cost.Journal, live []ledger.Batch, toPost []cost.Journal) []cost.Journal {
	byKey := map[string]cost.Journal{}
	for _, b := range live {
		if b.Kind == ledger.KindAllocation {
			byKey[b.Company+"/"+b.Currency] = b.Journal
		}
	}
	for _, j := range toPost {
		if j.Kind == ledger.KindAllocation {
			byKey[j.Company+"/"+j.Currency] = j
		}
	}
	var out []cost.Journal
	for _, j := range next {
		if f, ok := byKey[j.Company+"/"+j.Currency]; ok {
			out = append(out, f)
		}
	}
	return out
}

// rendered is a set of output files, or why they could not be rendered.
type rendered struct {
	files map[string][]byte
	err   error
}

func reportFiles(res *allocator.Result, gapFiles <-chan rendered, sum *reports.Summary, st statements.Input) (map[string][]byte, error) {
	// The allocation rows and summary and the team statements and the
	// reconciliation (reports/statements) render side by side, and join
	// the tagging-gap report in its four forms (reports/gapreport), which
	// started rendering before them.
	renders := []func() (map[string][]byte, error){
		func() (map[string][]byte, error) {
			var b bytes.Buffer
			if err := reports.WriteAllocations(&b, res); err != nil {
				return nil, err
			}
			s, err := summaryJSON(sum)
			if err != nil {
				return nil, err
			}
			return map[string][]byte{FileAllocations: b.Bytes(), FileSummary: s}, nil
		},
		func() (map[string][]byte, error) { r := <-gapFiles; return r.files, r.err },
		func() (map[string][]byte, error) { return statements.Files(st) },
	}
	parts := make([]map[string][]byte, len(renders))
	errs := make([]error, len(renders))
	var wg sync.WaitGroup
	for i, render := range renders {
		wg.Go(func() { parts[i], errs[i] = render() })
	}
	wg.Wait()
	files := map[string][]byte{}
	for i := range renders {
		if errs[i] != nil {
			return nil, errs[i]
		}
		for name, b := range parts[i] {
			files[name] = b
		}
	}
	return files, nil
}

func summaryJSON(s *reports.Summary) ([]byte, error) {
	var b bytes.Buffer
	if err := reports.WriteJSON(&b, s); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func fingerprint(b []byte) string {
	if b == nil {
		return ""
	}
	h := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(h[:])
}

func inputFingerprints(ins []SourceInput) ([]ledger.InputFingerprint, string) {
	var out []ledger.InputFingerprint
	for _, si := range ins {
		for _, in := range si.Inputs {
			out = append(out, ledger.InputFingerprint{Source: si.Source, Object: in.Object, Fingerprint: in.Fingerprint})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Source != out[j].Source {
			return out[i].Source < out[j].Source
		}
		return out[i].Object < out[j].Object
	})
	if len(out) == 0 {
		return nil, ""
	}
	b, _ := json.Marshal(out)
	return out, fingerprint(b)
}

// deliver sends each of the period's batches that a sink has not yet
// acknowledged, in posting order, and records each acknowledgement (see
// deliverBatches in deliver.go).
func deliver(ctx context.Context, cfg *rules.Config, env Env, opts RunOptions, led *ledger.Ledger, p cost.Period, out *Outcome) error {
	done, err := deliverBatches(ctx, cfg, env, led, p, DeliverOptions{Version: opts.Version, HTTPClient: opts.HTTPClient})
	out.Delivered = append(out.Delivered, done...)
	return err
}
