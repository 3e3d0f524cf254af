package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/ledger"
	"github.com/allot-dev/allot/reports"
)

const runsHelp = `
Lists the ledger's runs, newest first: id, kind, period (the quarter for a
buffer reconciliation), status (posted, unchanged or failed), when it
started, who ran it, short fingerprints of its configuration, price list and
inputs, and the journals it posted.

With --period it lists that month's runs and then its journal batches: id,
kind, the batch a reversal reverses, when it was posted, its debit total and
the outputs that acknowledged it. --batches lists the batches of every
period. --json prints the same for machines.

Examples:
  allot runs --config allot.yaml
  allot runs --config allot.yaml --period 2026-10
  allot runs --config allot.yaml --batches --json
`

func runRuns(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "runs", "--config FILE [--period YYYY-MM] [--batches] [--limit N] [--json]", runsHelp)
	config := fs.String("config", "", "configuration file (required)")
	period := fs.String("period", "", "list this month's runs and journal batches, YYYY-MM")
	batches := fs.Bool("batches", false, "also list journal batches (of --period, or of every period)")
	limit := fs.Int("limit", 50, "list at most this many runs, newest first (0: all)")
	asJSON := fs.Bool("json", false, "print JSON instead of aligned text")
	if err := parse(fs, args); err != nil {
		return err
	}
	var p cost.Period
	if *period != "" {
		var err error
		if p, err = cost.ParsePeriod(*period); err != nil {
			return &usageError{msg: err.Error()}
		}
		*batches = true
	}
	if *limit < 0 {
		return &usageError{msg: "--limit must not be negative"}
	}
	cfg, err := loadConfig(*config)
	if err != nil {
		return err
	}
	led, err := ledger.Open(ctx, cfg.LedgerDSN())
	if err != nil {
		return err
	}
	defer led.Close()
	l, err := listLedger(ctx, led, p, *batches, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		return reports.WriteJSON(a.stdout, l)
	}
	printRuns(a.stdout, l, led.String())
	return nil
}

// runListing is what allot runs prints (and its --json).
type runListing struct {
	Runs      []runRow   `json:"runs"`
	Truncated bool       `json:"truncated,omitempty"` // more runs than --limit
	Batches   []batchRow `json:"batches,omitempty"`
}

type runRow struct {
	ID                   string    `json:"id"`
	Seq                  int64     `json:"seq"`
	Kind                 string    `json:"kind"`
	Period               string    `json:"period"` // YYYY-MM, or YYYYQn for a buffer reconciliation
	Status               string    `json:"status"`
	StartedAt            time.Time `json:"started_at"`
	FinishedAt           time.Time `json:"finished_at"`
	User                 string    `json:"user"`
	Host                 string    `json:"host"`
	ConfigFingerprint    string    `json:"config_fingerprint,omitempty"`
	PriceListFingerprint string    `json:"price_list_fingerprint,omitempty"`
	InputsFingerprint    string    `json:"inputs_fingerprint,omitempty"`
	Journals             []string  `json:"journals"`
	Error                string    `json:"error,omitempty"`
}

type batchRow struct {
	ID         string     `json:"id"`
	Kind       string     `json:"kind"`
	Period     string     `json:"period"`
	Company    string     `json:"company"`
	Currency   string     `json:"currency"`
	Reverses   string     `json:"reverses,omitempty"`
	ReversedBy string     `json:"reversed_by,omitempty"`
	RunID      string     `json:"run_id"`
	PostedAt   time.Time  `json:"posted_at"`
	Lines      int        `json:"lines"`
	Debit      string     `json:"debit"`
	Delivered  []delivery `json:"delivered"`
}

type delivery struct {
	Sink    string    `json:"sink"`
	AckedAt time.Time `json:"acked_at"`
}

// listLedger reads the runs (of p when set) and, when batches is set, the
// batches of p or of every period that has runs.
func listLedger(ctx context.Context, led *ledger.Ledger, p cost.Period, batches bool, limit int) (*runListing, error) {
	f := ledger.RunFilter{Period: p}
	if limit > 0 {
		f.Limit = limit + 1
	}
	runs, err := led.Runs(ctx, f)
	if err != nil {
		return nil, err
	}
	l := &runListing{Runs: []runRow{}}
	if limit > 0 && len(runs) > limit {
		runs, l.Truncated = runs[:limit], true
	}
	// The journals each run posted, from the batches of its period.
	periods := map[cost.Period]bool{}
	for _, r := range runs {
		periods[r.Period] = true
	}
	if batches && p.IsZero() {
		all, err := led.Runs(ctx, ledger.RunFilter{})
		if err != nil {
			return nil, err
		}
		for _, r := range all {
			periods[r.Period] = true
		}
	}
	if !p.IsZero() {
		periods[p] = true
	}
	var ps []cost.Period
	for x := range periods {
		ps = append(ps, x)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[j].Before(ps[i]) }) // newest period first
	byRun := map[string][]string{}
	for _, x := range ps {
		bs, err := led.Batches(ctx, x)
		if err != nil {
			return nil, err
		}
		for _, b := range bs {
			byRun[b.RunID] = append(byRun[b.RunID], b.ID)
			if !batches {
				continue
			}
			row := batchRow{ID: b.ID, Kind: b.Kind, Period: b.Period.String(), Company: b.Company, Currency: b.Currency,
				Reverses: b.Reverses, ReversedBy: b.ReversedBy, RunID: b.RunID, PostedAt: b.PostedAt, Lines: len(b.Lines),
				Delivered: []delivery{}}
			d, _ := b.Totals()
			row.Debit = d.StringFixed(cost.MinorUnits(b.Currency))
			ds, err := led.Deliveries(ctx, b.ID)
			if err != nil {
				return nil, err
			}
			for _, x := range ds {
				row.Delivered = append(row.Delivered, delivery{Sink: x.Sink, AckedAt: x.AckedAt})
			}
			l.Batches = append(l.Batches, row)
		}
	}
	for _, r := range runs {
		row := runRow{ID: r.ID, Seq: r.Seq, Kind: string(r.Kind), Period: r.Period.String(), Status: string(r.Status),
			StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, User: r.User, Host: r.Host,
			ConfigFingerprint: r.ConfigFingerprint, PriceListFingerprint: r.PriceListFingerprint, InputsFingerprint: r.InputsFingerprint,
			Journals: byRun[r.ID], Error: r.Error}
		if r.Kind == ledger.RunBufferReconcile {
			row.Period = r.Period.Quarter().String()
		}
		if row.Journals == nil {
			row.Journals = []string{}
		}
		l.Runs = append(l.Runs, row)
	}
	return l, nil
}

func printRuns(w io.Writer, l *runListing, where string) {
	if len(l.Runs) == 0 {
		fmt.Fprintf(w, "No runs in %s yet.\n", where)
	} else {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "RUN\tKIND\tPERIOD\tSTATUS\tSTARTED (UTC)\tBY\tCONFIG\tPRICES\tINPUTS\tJOURNALS")
		for _, r := range l.Runs {
			journals := strings.Join(r.Journals, " ")
			if r.Status == string(ledger.StatusFailed) {
				journals = "failed: " + firstLine(r.Error)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s@%s\t%s\t%s\t%s\t%s\n", r.ID, r.Kind, r.Period, r.Status,
				r.StartedAt.UTC().Format("2006-01-02 15:04:05"), r.User, r.Host,
				orDash(short(r.ConfigFingerprint)), orDash(short(r.PriceListFingerprint)), orDash(short(r.InputsFingerprint)), orDash(journals))
		}
		tw.Flush()
		if l.Truncated {
			fmt.Fprintf(w, "(the %d newest runs; --limit 0 lists all)\n", len(l.Runs))
		}
	}
	if l.Batches == nil {
		return
	}
	fmt.Fprintln(w)
	if len(l.Batches) == 0 {
		fmt.Fprintln(w, "No journal batches.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "JOURNAL\tKIND\tREVERSES\tPOSTED (UTC)\tDEBIT\tDELIVERED TO")
	for _, b := range l.Batches {
		var sinks []string
		for _, d := range b.Delivered {
			sinks = append(sinks, d.Sink)
		}
		kind := b.Kind
		if b.ReversedBy != "" {
			kind += " (reversed)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s %s\t%s\n", b.ID, kind, orDash(b.Reverses), b.PostedAt.UTC().Format("2006-01-02 15:04:05"),
			b.Debit, b.Currency, orDash(strings.Join(sinks, ", ")))
	}
	tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}
