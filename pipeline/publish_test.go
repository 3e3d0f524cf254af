package pipeline

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/allot-dev/allot/cost"
)

// lookbackFixture bills July and August 2026 with every kind of line a
// base must or must not count. The figures, by hand:
//
//	chat_call       cost 100 + 50 + 5 (no team) + 45 − 5 (credit) = 195.00
//	                actions 10,000 + 5,000 + 1,000 (unregistered team) + 9,000 = 25,000
//	                b = 195 / 25,000 = 0.0078
//	retrieval_call  5.00 / 2,000,000 = 0.0000025 → 0.000003 (half away from zero)
//	agent_step      50.00 / 3,000 = 0.01666… → 0.016667
//	eval_run        10 (platform) + 12 (search) = 22.00 / (800 + 300) = 0.02
//	unclassified    7.00 (a search line with no class): in no base
func lookbackFixture(t *testing.T) *fixture {
	f := newFixture(t, "platform", "")
	jul, aug := period("2026-07"), period("2026-08")
	f.bill(jul, "bill-2026-07",
		line{team: "search", class: "chat_call", cost: "100.00"},
		line{team: "support", class: "chat_call", cost: "50.00"},
		line{class: "chat_call", cost: "5.00"},
		line{team: "platform", class: "eval_run", cost: "10.00"},
		line{team: "search", class: "retrieval_call", cost: "2.00"},
		line{team: "support", class: "agent_step", cost: "30.00"},
		line{team: "search", cost: "7.00"},
	)
	f.bill(aug, "bill-2026-08",
		line{team: "search", class: "chat_call", cost: "45.00"},
		line{team: "search", class: "chat_call", cost: "-5.00", category: "Credit"},
		line{team: "search", class: "retrieval_call", cost: "3.00"},
		line{team: "support", class: "agent_step", cost: "20.00"},
		line{team: "search", class: "eval_run", cost: "12.00"},
	)
	f.gateway(jul, "usage-2026-07",
		usage{"search", "chat_call", 10000}, usage{"support", "chat_call", 5000}, usage{"growth", "chat_call", 1000},
		usage{"search", "retrieval_call", 2000000}, usage{"support", "agent_step", 3000}, usage{"platform", "eval_run", 800})
	f.gateway(aug, "usage-2026-08", usage{"search", "chat_call", 9000}, usage{"search", "eval_run", 300})
	return f
}

func TestPublishPriceList(t *testing.T) {
	f := lookbackFixture(t)
	cfg := f.config()
	q := cost.Quarter{Year: 2026, Q: 4}
	lb, _ := cost.ParsePeriodRange("2026-07..2026-08")
	out, err := PublishPriceList(context.Background(), cfg, testEnv(), PublishOptions{Quarter: q, Lookback: lb, Now: clock("2026-09-15T00:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	// Derived by hand from SPEC §4 with o = 0.15, r = 0.03, f = 0.04, each
	// part rounded to 6 decimals from the rounded parts before it.
	want := map[string][5]string{ // base, overhead, registry, buffer, price
		"chat_call":      {"0.0078", "0.00117", "0.000035", "0.00036", "0.009365"},
		"retrieval_call": {"0.000003", "0", "0", "0", "0.000003"},
		"agent_step":     {"0.016667", "0.0025", "0.000075", "0.00077", "0.020012"},
		"eval_run":       {"0.02", "0.003", "0.00009", "0.000924", "0.024014"},
	}
	for class, w := range want {
		got, ok := out.PriceList.Classes[class]
		if !ok {
			t.Errorf("%s: no price", class)
			continue
		}
		for i, g := range []struct {
			name string
			v    string
		}{{"base", got.Base.String()}, {"overhead", got.Overhead.String()}, {"registry", got.Registry.String()}, {"buffer", got.Buffer.String()}, {"price", got.Price.String()}} {
			if !d(g.v).Equal(d(w[i])) {
				t.Errorf("%s %s = %s, want %s", class, g.name, g.v, w[i])
			}
		}
	}
	if got, want := out.Lookback.Unclassified, d("7.00"); !got.Equal(want) {
		t.Errorf("unclassified cost = %s, want %s", got, want)
	}
	// The file is written where runs look for it, records its look-back
	// and loads as a run loads it.
	pl, err := cfg.LoadPriceList(cfg.PriceListPath(q), q)
	if err != nil {
		t.Fatalf("the published file does not load: %v", err)
	}
	if got, want := pl.Lookback, "2026-07..2026-08"; got != want {
		t.Errorf("file lookback = %q, want %q", got, want)
	}
	if !pl.Classes["agent_step"].Price.Equal(d("0.020012")) {
		t.Errorf("file agent_step price = %s", pl.Classes["agent_step"].Price)
	}
	rec, ok, err := f.ledger().PriceList(context.Background(), q)
	if err != nil || !ok {
		t.Fatalf("ledger record: ok=%v err=%v", ok, err)
	}
	if string(rec.Content) != string(pl.Raw) || rec.Lookback != lb {
		t.Errorf("ledger record (lookback %s) differs from the file", rec.Lookback)
	}
	if !out.Wrote || out.Replaced || !out.Recorded {
		t.Errorf("first publication: wrote=%v replaced=%v recorded=%v", out.Wrote, out.Replaced, out.Recorded)
	}

	// The same inputs again: nothing to write, nothing new to record.
	again, err := PublishPriceList(context.Background(), cfg, testEnv(), PublishOptions{Quarter: q, Lookback: lb, Now: clock("2026-10-02T00:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	if again.Wrote || again.Recorded {
		t.Errorf("an identical republication wrote=%v recorded=%v", again.Wrote, again.Recorded)
	}
}

func TestPublishRefusesAStartedQuarter(t *testing.T) {
	f := lookbackFixture(t)
	cfg := f.config()
	q := cost.Quarter{Year: 2026, Q: 4}
	path := cfg.PriceListPath(q)
	hand := "quarter: 2026Q4\ncurrency: USD\noverhead_rate: 0.15\nregistry_rate: 0.03\nbuffer_rate: 0.04\nclasses:\n" +
		"  chat_call: { base: 0.01 }\n  retrieval_call: { base: 0.001 }\n  agent_step: { base: 0.02 }\n  eval_run: { base: 0.02 }\n"
	f.write("prices/2026Q4.yaml", hand)
	lb, _ := cost.ParsePeriodRange("2026-07..2026-08")
	publish := func(now string, force bool) (*PublishOutcome, error) {
		return PublishPriceList(context.Background(), cfg, testEnv(), PublishOptions{Quarter: q, Lookback: lb, Force: force, Now: clock(now)})
	}

	_, err := publish("2026-10-01T00:00:00Z", false)
	if !errors.Is(err, ErrPriceListExists) {
		t.Fatalf("publishing over a started quarter's list: err = %v, want ErrPriceListExists", err)
	}
	for _, want := range []string{path, "--force", "2026-10-01"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal does not say %q: %v", want, err)
		}
	}
	if b, _ := os.ReadFile(path); string(b) != hand {
		t.Error("a refused publication changed the file")
	}
	out, err := publish("2026-10-01T00:00:00Z", true)
	if err != nil {
		t.Fatalf("--force: %v", err)
	}
	if !out.Replaced {
		t.Error("--force did not report the replacement")
	}

	// Before the quarter starts a list is replaced without --force.
	f.write("prices/2026Q4.yaml", hand)
	if out, err := publish("2026-09-30T23:59:59Z", false); err != nil || !out.Replaced {
		t.Errorf("before the quarter: replaced=%v err=%v", out != nil && out.Replaced, err)
	}
}

func TestPublishErrors(t *testing.T) {
	q := cost.Quarter{Year: 2026, Q: 4}
	t.Run("class without actions", func(t *testing.T) {
		f := lookbackFixture(t)
		f.gateway(period("2026-07"), "usage-2026-07", usage{"search", "chat_call", 10000}, usage{"search", "retrieval_call", 5},
			usage{"platform", "eval_run", 800})
		lb, _ := cost.ParsePeriodRange("2026-07..2026-08")
		_, err := PublishPriceList(context.Background(), f.config(), testEnv(), PublishOptions{Quarter: q, Lookback: lb, Now: clock("2026-09-01T00:00:00Z")})
		if !errors.Is(err, ErrNoActions) {
			t.Fatalf("err = %v, want ErrNoActions", err)
		}
		for _, want := range []string{"agent_step", "2026-07..2026-08", "50.00"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("the error does not name %q: %v", want, err)
			}
		}
		if _, err := os.Stat(f.config().PriceListPath(q)); !errors.Is(err, os.ErrNotExist) {
			t.Error("a failed publication wrote the file")
		}
	})
	t.Run("look-back inside the quarter", func(t *testing.T) {
		f := lookbackFixture(t)
		lb, _ := cost.ParsePeriodRange("2026-08..2026-10")
		_, err := PublishPriceList(context.Background(), f.config(), testEnv(), PublishOptions{Quarter: q, Lookback: lb})
		if err == nil || !strings.Contains(err.Error(), "must end before the quarter starts") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("month without an export", func(t *testing.T) {
		f := lookbackFixture(t)
		lb, _ := cost.ParsePeriodRange("2026-06..2026-08")
		_, err := PublishPriceList(context.Background(), f.config(), testEnv(), PublishOptions{Quarter: q, Lookback: lb})
		if err == nil || !strings.Contains(err.Error(), "2026-06") {
			t.Errorf("err = %v, want one naming 2026-06", err)
		}
	})
}

func TestDerivePriceListNegativeCost(t *testing.T) {
	f := newFixture(t, "platform", "")
	cfg := f.config()
	lb := &Lookback{Range: cost.PeriodRange{From: period("2026-07"), To: period("2026-09")}}
	for _, c := range cfg.ActionClasses {
		lb.Classes = append(lb.Classes, ClassCost{Class: c, Cost: d("1"), Actions: 10})
	}
	lb.Classes[1].Cost = d("-3.50")
	_, err := DerivePriceList(cfg, cost.Quarter{Year: 2026, Q: 4}, lb)
	if err == nil || !strings.Contains(err.Error(), "retrieval_call") || !strings.Contains(err.Error(), "negative") {
		t.Errorf("err = %v, want a negative-cost error naming retrieval_call", err)
	}
}

func TestPriceListStatus(t *testing.T) {
	f := lookbackFixture(t)
	cfg := f.config()
	q := cost.Quarter{Year: 2026, Q: 4}
	ctx := context.Background()
	st, err := PriceListStatus(ctx, cfg, q)
	if err != nil {
		t.Fatal(err)
	}
	if st.List != nil || st.Record != nil || st.FileErr == nil {
		t.Errorf("nothing published: list=%v record=%v fileErr=%v", st.List != nil, st.Record != nil, st.FileErr)
	}
	lb, _ := cost.ParsePeriodRange("2026-07..2026-08")
	if _, err := PublishPriceList(ctx, cfg, testEnv(), PublishOptions{Quarter: q, Lookback: lb, Now: clock("2026-09-15T00:00:00Z")}); err != nil {
		t.Fatal(err)
	}
	if st, err = PriceListStatus(ctx, cfg, q); err != nil {
		t.Fatal(err)
	}
	if !st.Agree || st.Publications != 1 || st.List == nil {
		t.Errorf("after publishing: agree=%v publications=%d list=%v", st.Agree, st.Publications, st.List != nil)
	}
	// A hand edit of the base (derived parts deleted) loads, but no longer
	// agrees with the ledger's record.
	b, _ := os.ReadFile(st.File)
	edited := strings.Replace(string(b), "chat_call:      { base: 0.007800, overhead: 0.001170, registry: 0.000035, buffer: 0.000360, price: 0.009365 }", "chat_call: { base: 0.008 }", 1)
	if edited == string(b) {
		t.Fatalf("the published file does not have the expected chat_call line:\n%s", b)
	}
	f.write("prices/2026Q4.yaml", edited)
	if st, err = PriceListStatus(ctx, cfg, q); err != nil {
		t.Fatal(err)
	}
	if st.Agree || st.List == nil || !st.List.Classes["chat_call"].Base.Equal(d("0.008")) {
		t.Errorf("after a hand edit: agree=%v list=%v", st.Agree, st.List != nil)
	}
}
