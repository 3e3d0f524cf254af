package connectors

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/objstore"
	"github.com/shopspring/decimal"
)

// Sentinel errors, tested with errors.Is.
var (
	// ErrNotFound: no export exists for the period yet.
	ErrNotFound = errors.New("no export for the period")
	// ErrBadInput: the export is malformed; the wrapping error says where and why.
	ErrBadInput = errors.New("bad input")
)

// Source kinds.
const (
	KindAWSCUR      = "aws-cur"
	KindAWSCUR2     = "aws-cur2"
	KindAzureExport = "azure-export"
	KindGCPBigQuery = "gcp-bigquery"
	KindFOCUS       = "focus"
	KindGateway     = "gateway"
)

// Driver reads one billing export format.
type Driver interface {
	// Scan calls fn for each line item of the export for period p, in a
	// deterministic order. It may also yield items whose charge period
	// starts outside p (the Source filters them); it must not skip a row
	// silently. It must return an error wrapping ErrNotFound if no export
	// exists for p, a *RowError for a malformed row, and ctx.Err() once
	// ctx is done. The item passed to fn is only valid during the call.
	Scan(ctx context.Context, p cost.Period, fn func(*cost.LineItem) error) error
}

// GroupScanner is implemented by drivers that can merge bill lines before
// yielding them: lines that agree on every field of a LineItem except the
// costs, the quantity, the charge period and the provenance are summed
// into one item whose Count is the number of lines merged. This is how
// large exports are read fast: tag resolution and grouping then run once
// per group, not once per line.
type GroupScanner interface {
	// ScanGroups has Scan's contract, with these additions: the sums must
	// be exact; every line of one item must have its charge period start
	// in the same calendar month (UTC), and the item's ChargePeriodStart
	// must be the earliest start among them and ChargePeriodEnd the
	// latest end; Source names the object and the first line merged.
	ScanGroups(ctx context.Context, p cost.Period, fn func(*cost.LineItem) error) error
}

// ParallelGroupScanner is implemented by GroupScanners that can yield
// their groups from several goroutines once the scan is done: turning
// thousands of groups into line items, and what the caller does with each,
// then use every core too.
type ParallelGroupScanner interface {
	// ScanGroupsParallel has ScanGroups' contract, except that fn is
	// called from up to workers goroutines at once, each call with the
	// index (0 ≤ worker < workers) of the goroutine making it: calls
	// with one index never overlap, and each index yields a contiguous
	// run of the items ScanGroups would yield, in order, index 0 first.
	// The error returned is the one ScanGroups would return: on a bad
	// input nothing is yielded; when fn fails, the failure of the lowest
	// index.
	ScanGroupsParallel(ctx context.Context, p cost.Period, workers int, fn func(worker int, li *cost.LineItem) error) error
}

// Chunks splits n items into at most workers contiguous runs [start, end)
// of at least min items each (one run when n < 2·min), for
// ParallelGroupScanner implementations.
func Chunks(n, workers, min int) [][2]int {
	if workers > n/max(min, 1) {
		workers = n / max(min, 1)
	}
	workers = max(workers, 1)
	out := make([][2]int, 0, workers)
	for w := range workers {
		out = append(out, [2]int{n * w / workers, n * (w + 1) / workers})
	}
	return out
}

// RunChunks runs, for each chunk c of chunks (see Chunks) on its own
// goroutine, the function work(c) returns on each index of the chunk in
// order, stopping the chunk at its first error. It returns the error of
// the lowest chunk that failed, which is the first error a serial run
// over all indexes would meet; chunks after one that failed stop early.
// Cancelling ctx stops every chunk.
func RunChunks(ctx context.Context, chunks [][2]int, work func(c int) func(i int) error) error {
	errs := make([]error, len(chunks))
	var failed atomic.Int64 // the lowest chunk that failed
	failed.Store(int64(len(chunks)))
	run := func(c int) {
		do := work(c)
		for i := chunks[c][0]; i < chunks[c][1]; i++ {
			if failed.Load() < int64(c) {
				return // an earlier chunk's error is the one reported
			}
			err := ctx.Err()
			if err == nil {
				err = do(i)
			}
			if err != nil {
				errs[c] = err
				for f := failed.Load(); int64(c) < f && !failed.CompareAndSwap(f, int64(c)); f = failed.Load() {
				}
				return
			}
		}
	}
	var wg sync.WaitGroup
	for c := 1; c < len(chunks); c++ {
		wg.Go(func() { run(c) })
	}
	if len(chunks) > 0 {
		run(0)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// UsageDriver reads gateway usage records.
type UsageDriver interface {
	// ScanUsage calls fn for each usage record of period p, with the same
	// contract as Driver.Scan. It yields duplicates as they are: the Source
	// counts a request id once.
	ScanUsage(ctx context.Context, p cost.Period, fn func(*cost.UsageRecord) error) error
}

// Input is one object a scan reads, with a fingerprint that changes when
// the object's content does (an ETag, a manifest revision, a content hash).
type Input struct {
	Object      string
	Fingerprint string
	Size        int64
}

// InputLister is implemented by drivers that can say which objects a scan
// of p would read, so the ledger can record them and notice restatements.
type InputLister interface {
	// Inputs lists the objects, sorted by Object. It must return an error
	// wrapping ErrNotFound if no export exists for p.
	Inputs(ctx context.Context, p cost.Period) ([]Input, error)
}

// RowError is a malformed row: it names the object, the 1-based line (or
// row for columnar files), the column and what is wrong.
type RowError struct {
	Object string
	Line   int64 // 1-based line of a text file; 0 if not known
	Row    int64 // 1-based row of a columnar file; 0 if not known
	Column string
	Err    error
}

func (e *RowError) Error() string {
	var b strings.Builder
	b.WriteString(e.Object)
	switch {
	case e.Line > 0:
		fmt.Fprintf(&b, ":%d", e.Line)
	case e.Row > 0:
		fmt.Fprintf(&b, " row %d", e.Row)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, ": column %s", e.Column)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the cause.
func (e *RowError) Unwrap() error { return e.Err }

// Is makes every RowError match ErrBadInput.
func (e *RowError) Is(target error) bool { return target == ErrBadInput }

// Config is one configured source.
type Config struct {
	Name string
	Kind string
	// URL is the source URL with relative file: paths already resolved.
	URL string
	// Options are driver-specific settings; unknown keys must be rejected by the opener.
	Options map[string]string
	// Fields are the LineItem fields the caller needs from ScanGroups; a
	// driver may leave the others empty and skip reading their columns.
	// The zero set means every field. Scan and ScanLines always fill
	// every field the export has.
	Fields cost.FieldSet
}

// Env is what openers may use.
type Env struct {
	Store  *objstore.Mux
	Logger *slog.Logger
}

// Opener builds the driver for one configured source. It returns a Driver
// for billing kinds and a UsageDriver for usage kinds.
type Opener func(ctx context.Context, env Env, cfg Config) (any, error)

// Mux maps source kinds to openers. Its zero value is ready to use.
type Mux struct {
	mu      sync.RWMutex
	openers map[string]Opener
}

// Register adds an opener for kind. It panics if kind is already registered.
func (m *Mux) Register(kind string, o Opener) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.openers == nil {
		m.openers = map[string]Opener{}
	}
	if _, dup := m.openers[kind]; dup {
		panic("connectors: kind registered twice: " + kind)
	}
	m.openers[kind] = o
}

// Kinds lists the registered kinds, sorted.
func (m *Mux) Kinds() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []string
	for k := range m.openers {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Open builds the Source for cfg.
func (m *Mux) Open(ctx context.Context, env Env, cfg Config) (*Source, error) {
	m.mu.RLock()
	o, ok := m.openers[cfg.Kind]
	m.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("connectors: source %q: unsupported kind %q (supported: %s)",
			cfg.Name, cfg.Kind, strings.Join(m.Kinds(), ", "))
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	d, err := o(ctx, env, cfg)
	if err != nil {
		return nil, fmt.Errorf("connectors: source %q (%s): %w", cfg.Name, cfg.Kind, err)
	}
	src, err := NewSource(cfg.Name, cfg.Kind, cfg.URL, d, env.Logger)
	if src != nil {
		src.fields = cfg.Fields
	}
	return src, err
}

// Source is the portable type every driver is used through.
type Source struct {
	name, kind, url string
	billing         Driver
	usage           UsageDriver
	log             *slog.Logger
	fields          cost.FieldSet // Config.Fields: what Scan's items carry
}

// NewSource wraps a Driver or a UsageDriver.
func NewSource(name, kind, rawURL string, driver any, log *slog.Logger) (*Source, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Source{name: name, kind: kind, url: objstore.Redact(rawURL), log: log}
	switch d := driver.(type) {
	case Driver:
		s.billing = d
	case UsageDriver:
		s.usage = d
	default:
		return nil, fmt.Errorf("connectors: source %q: opener returned %T, not a Driver or UsageDriver", name, driver)
	}
	return s, nil
}

// Name returns the configured source name.
func (s *Source) Name() string { return s.name }

// Kind returns the source kind.
func (s *Source) Kind() string { return s.kind }

// URL returns the source URL without credentials.
func (s *Source) URL() string { return s.url }

// IsUsage reports whether the source yields gateway usage records.
func (s *Source) IsUsage() bool { return s.usage != nil }

// Stats counts what a scan read.
type Stats struct {
	Lines           int64 // bill lines (or usage records) inside the period
	Billed          decimal.Decimal
	Effective       decimal.Decimal
	Actions         int64 // usage sources: actions inside the period
	OutOfPeriod     int64 // lines whose charge period starts outside the period
	OutOfPeriodCost decimal.Decimal
	Duplicates      int64 // usage sources: records whose request id was already counted
}

// Scan streams the line items of period p to fn, keeping only those whose
// charge period starts inside p. Drivers that can merge lines
// (GroupScanner) yield merged items; ScanLines never merges.
func (s *Source) Scan(ctx context.Context, p cost.Period, fn func(*cost.LineItem) error) (Stats, error) {
	if gs, ok := s.billing.(GroupScanner); ok {
		return s.scan(ctx, p, s.fields, gs.ScanGroups, fn)
	}
	return s.ScanLines(ctx, p, fn)
}

// ScanParallel is Scan with fn called from up to workers goroutines when
// the driver is a ParallelGroupScanner (see there for the order and the
// worker argument); other drivers call fn from one, with worker 0.
func (s *Source) ScanParallel(ctx context.Context, p cost.Period, workers int, fn func(worker int, li *cost.LineItem) error) (Stats, error) {
	ps, ok := s.billing.(ParallelGroupScanner)
	if !ok || workers <= 1 {
		return s.Scan(ctx, p, func(li *cost.LineItem) error { return fn(0, li) })
	}
	sts := make([]Stats, workers)
	err := ps.ScanGroupsParallel(ctx, p, workers, func(w int, li *cost.LineItem) error {
		if !sts[w].keep(p, li) {
			return nil
		}
		return fn(w, li)
	})
	var st Stats
	for _, x := range sts {
		st.Lines += x.Lines
		st.Billed = st.Billed.Add(x.Billed)
		st.Effective = st.Effective.Add(x.Effective)
		st.OutOfPeriod += x.OutOfPeriod
		st.OutOfPeriodCost = st.OutOfPeriodCost.Add(x.OutOfPeriodCost)
	}
	return s.scanned(p, s.fields, st, err)
}

// ScanLines streams every bill line of period p on its own, with its own
// provenance (for allot explain and allot normalize).
func (s *Source) ScanLines(ctx context.Context, p cost.Period, fn func(*cost.LineItem) error) (Stats, error) {
	if s.billing == nil {
		return Stats{}, fmt.Errorf("connectors: source %q (%s) yields usage records, not line items", s.name, s.kind)
	}
	return s.scan(ctx, p, 0, s.billing.Scan, fn)
}

// scan runs a driver's scan, whose items carry the fields of fields.
func (s *Source) scan(ctx context.Context, p cost.Period, fields cost.FieldSet, scan func(context.Context, cost.Period, func(*cost.LineItem) error) error, fn func(*cost.LineItem) error) (Stats, error) {
	var st Stats
	if s.billing == nil {
		return st, fmt.Errorf("connectors: source %q (%s) yields usage records, not line items", s.name, s.kind)
	}
	err := scan(ctx, p, func(li *cost.LineItem) error {
		if !st.keep(p, li) {
			return nil
		}
		return fn(li)
	})
	return s.scanned(p, fields, st, err)
}

// keep counts a bill line item in st and reports whether its charge
// period starts inside p.
func (st *Stats) keep(p cost.Period, li *cost.LineItem) bool {
	if !p.Contains(li.ChargePeriodStart) {
		st.OutOfPeriod += li.Lines()
		st.OutOfPeriodCost = st.OutOfPeriodCost.Add(li.EffectiveCost)
		return false
	}
	st.Lines += li.Lines()
	st.Billed = st.Billed.Add(li.BilledCost)
	st.Effective = st.Effective.Add(li.EffectiveCost)
	return true
}

// scanned ends a bill scan: the error wrapped, or the totals logged.
func (s *Source) scanned(p cost.Period, fields cost.FieldSet, st Stats, err error) (Stats, error) {
	if err != nil {
		return st, s.wrap(p, err)
	}
	attrs := []any{"source", s.name, "kind", s.kind, "period", p.String(), "lines", st.Lines}
	// a cost outside Config.Fields is empty in grouped items: not logged as zero
	if fields.Has(cost.FieldBilledCost) {
		attrs = append(attrs, "billed", st.Billed.String())
	}
	if fields.Has(cost.FieldEffectiveCost) {
		attrs = append(attrs, "effective", st.Effective.String())
	}
	s.log.Info("source scanned", append(attrs, "out_of_period", st.OutOfPeriod)...)
	return st, nil
}

// ScanUsage streams the usage records of period p to fn, keeping only
// those whose timestamp is inside p and counting each request id once
// (records without a request id are pre-aggregated and always count).
// Memory grows with the number of distinct request ids: 16 bytes each, a
// 128-bit hash of the id.
func (s *Source) ScanUsage(ctx context.Context, p cost.Period, fn func(*cost.UsageRecord) error) (Stats, error) {
	var st Stats
	if s.usage == nil {
		return st, fmt.Errorf("connectors: source %q (%s) yields line items, not usage records", s.name, s.kind)
	}
	seen := newIDSet()
	err := s.usage.ScanUsage(ctx, p, func(u *cost.UsageRecord) error {
		if !p.Contains(u.Timestamp) {
			st.OutOfPeriod++
			return nil
		}
		if u.RequestID != "" && !seen.add(u.RequestID) {
			st.Duplicates++
			return nil
		}
		st.Lines++
		st.Actions += u.Actions()
		return fn(u)
	})
	if err != nil {
		return st, s.wrap(p, err)
	}
	s.log.Info("source scanned", "source", s.name, "kind", s.kind, "period", p.String(),
		"records", st.Lines, "actions", st.Actions, "out_of_period", st.OutOfPeriod,
		"duplicates", st.Duplicates)
	return st, nil
}

// Inputs lists the objects a scan of p reads, if the driver can say.
func (s *Source) Inputs(ctx context.Context, p cost.Period) ([]Input, error) {
	var d any = s.billing
	if d == nil {
		d = s.usage
	}
	il, ok := d.(InputLister)
	if !ok {
		return nil, nil
	}
	in, err := il.Inputs(ctx, p)
	if err != nil {
		return nil, s.wrap(p, err)
	}
	return in, nil
}

func (s *Source) wrap(p cost.Period, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("source %q (%s) %s, period %s: %w", s.name, s.kind, s.url, p, err)
}

// idSet remembers request ids by a 128-bit hash: two independent 64-bit
// seeded hashes, so a false duplicate needs a 128-bit collision.
type idSet struct {
	s1, s2 maphash.Seed
	m      map[[2]uint64]struct{}
}

func newIDSet() *idSet {
	return &idSet{s1: maphash.MakeSeed(), s2: maphash.MakeSeed(), m: map[[2]uint64]struct{}{}}
}

// add records id and reports whether it was new.
func (s *idSet) add(id string) bool {
	k := [2]uint64{maphash.String(s.s1, id), maphash.String(s.s2, id)}
	if _, dup := s.m[k]; dup {
		return false
	}
	s.m[k] = struct{}{}
	return true
}
