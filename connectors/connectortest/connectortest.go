// Package connectortest is the conformance suite every connector runs, in
// the spirit of go-cloud's drivertest: the only per-driver code is a Case
// that opens the source and states what its fixture holds.
package connectortest

import (
	"context"
	"errors"
	"testing"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// Case describes one connector fixture.
type Case struct {
	// Open returns a fresh Source over the fixture.
	Open func(t *testing.T) *connectors.Source
	// Period holds data; EmptyPeriod holds none (a scan must fail with ErrNotFound).
	Period, EmptyPeriod cost.Period
	// What a scan of Period must yield, computed independently from the raw fixture.
	WantLines     int64
	WantBilled    string
	WantEffective string
	// WantActions is checked for usage sources.
	WantActions int64
}

// Run runs the conformance suite.
func Run(t *testing.T, c Case) {
	t.Helper()
	t.Run("Totals", func(t *testing.T) { testTotals(t, c) })
	t.Run("Deterministic", func(t *testing.T) { testDeterministic(t, c) })
	t.Run("EmptyPeriodNotFound", func(t *testing.T) { testEmpty(t, c) })
	t.Run("Cancelled", func(t *testing.T) { testCancelled(t, c) })
	t.Run("CallbackErrorStops", func(t *testing.T) { testCallbackError(t, c) })
}

type scanResult struct {
	lines             int64
	billed, effective decimal.Decimal
	actions           int64
	fingerprints      []string
}

func scan(t *testing.T, ctx context.Context, src *connectors.Source, p cost.Period) (scanResult, error) {
	t.Helper()
	var r scanResult
	if src.IsUsage() {
		_, err := src.ScanUsage(ctx, p, func(u *cost.UsageRecord) error {
			if !p.Contains(u.Timestamp) {
				t.Errorf("record %s: timestamp %s outside %s", u.Source, u.Timestamp, p)
			}
			if u.Source.Object == "" {
				t.Errorf("record without provenance: %+v", u)
			}
			r.lines++
			r.actions += u.Actions()
			r.fingerprints = append(r.fingerprints, u.Source.String()+"|"+u.Team+"|"+u.ActionClass)
			return nil
		})
		return r, err
	}
	_, err := src.Scan(ctx, p, func(li *cost.LineItem) error {
		if !p.Contains(li.ChargePeriodStart) {
			t.Errorf("line %s: charge period %s outside %s", li.Source, li.ChargePeriodStart, p)
		}
		if li.Source.Object == "" && li.Source.Job == "" {
			t.Errorf("line without provenance: %+v", li)
		}
		if !cost.ValidCurrency(li.BillingCurrency) {
			t.Errorf("line %s: billing currency %q is not an ISO 4217 code", li.Source, li.BillingCurrency)
		}
		if li.ChargeCategory == "" {
			t.Errorf("line %s: no charge category", li.Source)
		}
		r.lines += li.Lines()
		r.billed = r.billed.Add(li.BilledCost)
		r.effective = r.effective.Add(li.EffectiveCost)
		r.fingerprints = append(r.fingerprints, li.Source.String()+"|"+li.BilledCost.String()+"|"+li.EffectiveCost.String())
		return nil
	})
	return r, err
}

func testTotals(t *testing.T, c Case) {
	src := c.Open(t)
	r, err := scan(t, context.Background(), src, c.Period)
	if err != nil {
		t.Fatalf("Scan(%s): %v", c.Period, err)
	}
	if got, want := r.lines, c.WantLines; got != want {
		t.Errorf("lines = %d, want %d", got, want)
	}
	if src.IsUsage() {
		if got, want := r.actions, c.WantActions; got != want {
			t.Errorf("actions = %d, want %d", got, want)
		}
		return
	}
	if want := decimal.RequireFromString(c.WantBilled); !r.billed.Equal(want) {
		t.Errorf("billed = %s, want %s", r.billed, want)
	}
	if want := decimal.RequireFromString(c.WantEffective); !r.effective.Equal(want) {
		t.Errorf("effective = %s, want %s", r.effective, want)
	}
}

func testDeterministic(t *testing.T, c Case) {
	a, err := scan(t, context.Background(), c.Open(t), c.Period)
	if err != nil {
		t.Fatal(err)
	}
	b, err := scan(t, context.Background(), c.Open(t), c.Period)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.fingerprints) != len(b.fingerprints) {
		t.Fatalf("two scans yielded %d and %d items", len(a.fingerprints), len(b.fingerprints))
	}
	for i := range a.fingerprints {
		if a.fingerprints[i] != b.fingerprints[i] {
			t.Fatalf("item %d differs between scans: %q vs %q", i, a.fingerprints[i], b.fingerprints[i])
		}
	}
}

func testEmpty(t *testing.T, c Case) {
	_, err := scan(t, context.Background(), c.Open(t), c.EmptyPeriod)
	if !errors.Is(err, connectors.ErrNotFound) {
		t.Fatalf("Scan(%s) error = %v, want one wrapping connectors.ErrNotFound", c.EmptyPeriod, err)
	}
}

func testCancelled(t *testing.T, c Case) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := scan(t, ctx, c.Open(t), c.Period)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Scan with a cancelled context: error = %v, want context.Canceled", err)
	}
}

var errStop = errors.New("stop here")

func testCallbackError(t *testing.T, c Case) {
	src := c.Open(t)
	calls := 0
	var err error
	if src.IsUsage() {
		_, err = src.ScanUsage(context.Background(), c.Period, func(*cost.UsageRecord) error { calls++; return errStop })
	} else {
		_, err = src.Scan(context.Background(), c.Period, func(*cost.LineItem) error { calls++; return errStop })
	}
	if !errors.Is(err, errStop) {
		t.Fatalf("error = %v, want the callback's error", err)
	}
	if calls != 1 {
		t.Fatalf("callback called %d times after returning an error, want 1", calls)
	}
}
