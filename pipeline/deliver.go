package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"net/http"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/ledger"
	"github.com/allot-dev/allot/objstore"
	"github.com/allot-dev/allot/reports/erp"
	"github.com/allot-dev/allot/rules"
	"github.com/allot-dev/allot/sinks"
)

// DeliverOptions tune a delivery.
type DeliverOptions struct {
	// Version is the program version sinks send in their User-Agent.
	Version string
	// HTTPClient is used by https sinks; http.DefaultClient when nil.
	HTTPClient *http.Client
}

// deliverBatches sends each batch of period p that a configured output has
// not yet acknowledged, in posting order (a reversal before the correction
// that follows it), records each acknowledgement in the ledger and returns
// "sink: journal id" for each delivery made.
//
// p is a month: an allocation run delivers its month; a buffer
// reconciliation delivers the quarter's last month, where its journals are
// posted (with any of that month's allocation batches still owed).
func deliverBatches(ctx context.Context, cfg *rules.Config, env Env, led *ledger.Ledger, p cost.Period, opts DeliverOptions) ([]string, error) {
	var done []string
	for i, o := range cfg.Outputs {
		url := cfg.ResolveURL(o.URL)
		name := o.Format + " " + objstore.Redact(url)
		eopts, err := outputOptions(o)
		if err != nil {
			return done, fmt.Errorf("pipeline: outputs[%d]: %w", i, err)
		}
		sink, err := sinks.Open(ctx, url, sinks.Env{Store: env.Store, HTTPClient: opts.HTTPClient, Logger: env.logger(), Version: opts.Version})
		if err != nil {
			return done, fmt.Errorf("pipeline: outputs[%d]: %w", i, err)
		}
		pending, err := led.Undelivered(ctx, name, p)
		if err != nil {
			return done, err
		}
		for _, b := range pending {
			var body bytes.Buffer
			if err := erp.Encode(&body, o.Format, []cost.Journal{b.Journal}, eopts); err != nil {
				return done, fmt.Errorf("pipeline: outputs[%d] %s: %w", i, o.Format, err)
			}
			if err := sink.Deliver(ctx, sinks.Delivery{Name: erp.FileName(o.Format, b.Journal), JournalID: b.ID, Body: body.Bytes()}); err != nil {
				return done, fmt.Errorf("pipeline: deliver %s to %s: %w (the ledger remembers what was delivered; run again to retry)", b.ID, sink, err)
			}
			if err := led.Ack(ctx, name, b.ID, sink.String()); err != nil {
				return done, err
			}
			done = append(done, name+": "+b.ID)
		}
	}
	return done, nil
}

// outputOptions maps an output's options to the ERP format's options.
func outputOptions(o rules.Output) (erp.Options, error) {
	if len(o.Options) == 0 {
		return erp.Options{}, nil
	}
	return erp.ParseOptions(o.Format, o.Options)
}
