package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/focus"
	"github.com/allot-dev/allot/connectors/gateway"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/ledger"
	"github.com/allot-dev/allot/objstore"
	"github.com/allot-dev/allot/objstore/fileblob"
	"github.com/allot-dev/allot/rules"
	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func period(s string) cost.Period {
	p, err := cost.ParsePeriod(s)
	if err != nil {
		panic(err)
	}
	return p
}

// testEnv registers the local storage and the FOCUS and gateway sources.
func testEnv() Env {
	st := new(objstore.Mux)
	st.Register(fileblob.Scheme, fileblob.OpenURL)
	src := new(connectors.Mux)
	src.Register(connectors.KindFOCUS, focus.Open)
	src.Register(connectors.KindGateway, gateway.Open)
	return Env{Store: st, Sources: src}
}

// clock returns a fixed time.
func clock(s string) func() time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return func() time.Time { return t }
}

// fixture is a configuration folder with a FOCUS bill and gateway records
// per month, written by the test.
type fixture struct {
	t   *testing.T
	dir string
}

// fixtureConfig is the configuration the pipeline tests share; %s is the
// model and %s the buffer draws.
const fixtureConfig = `version: 1
currency: USD
model: %s
ledger: sqlite:allot.db
sources:
  - { name: cloud, kind: focus, url: file:data/focus }
  - { name: gateway, kind: gateway, url: file:data/gateway }
teams:
  - { id: search, cost_center: CC-4100, forecast: 1000 }
  - { id: support, cost_center: CC-4200, forecast: 500 }
  - { id: platform, cost_center: CC-9000, platform: true }
buffer:
  opening_balance: 100
  quarterly_cap: 1000
  draws: [%s]
outputs:
  - { format: generic-csv, url: file:journals }
`

func newFixture(t *testing.T, model, draws string) *fixture {
	t.Helper()
	f := &fixture{t: t, dir: t.TempDir()}
	f.write("allot.yaml", fmt.Sprintf(fixtureConfig, model, draws))
	return f
}

func (f *fixture) write(rel, content string) {
	f.t.Helper()
	p := filepath.Join(f.dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) config() *rules.Config {
	f.t.Helper()
	c, err := rules.LoadFile(filepath.Join(f.dir, "allot.yaml"))
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// line is one bill line: team and class tags (either may be empty), the
// cost, and the charge category (Usage when empty).
type line struct {
	team, class, cost, category string
}

const focusHeader = "BilledCost,EffectiveCost,ListCost,BillingCurrency,BillingAccountId,BillingAccountName,SubAccountId,SubAccountName," +
	"BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ChargeClass,ChargeDescription," +
	"ServiceName,ServiceCategory,SkuId,SkuMeter,ResourceId,ResourceName,RegionId,ConsumedQuantity,ConsumedUnit," +
	"ProviderName,PublisherName,InvoiceIssuerName,Tags,x_UsageType\n"

// bill writes the month's FOCUS export, one file per month (name suffix
// allows a second file, e.g. a late credit).
func (f *fixture) bill(p cost.Period, name string, lines ...line) {
	f.t.Helper()
	var b strings.Builder
	b.WriteString(focusHeader)
	start := p.Start().Format(time.RFC3339)
	end := p.Start().AddDate(0, 0, 1).Format(time.RFC3339)
	for i, l := range lines {
		var tags []string
		if l.team != "" {
			tags = append(tags, fmt.Sprintf(`""team"":""%s""`, l.team))
		}
		if l.class != "" {
			tags = append(tags, fmt.Sprintf(`""action_class"":""%s""`, l.class))
		}
		cat := l.category
		if cat == "" {
			cat = "Usage"
		}
		fmt.Fprintf(&b, "%s,%s,%s,USD,999,payer,222,acct,%s,%s,%s,%s,%s,,line %d,AmazonBedrock,AI and Machine Learning,SKU-%d,,res-%d,res-%d,us-east-1,1,1K tokens,AWS,AWS,AWS,\"{%s}\",usage-%d\n",
			l.cost, l.cost, l.cost, p.Start().Format(time.RFC3339), p.End().Format(time.RFC3339), start, end, cat, i, i, i, i, strings.Join(tags, ","), i)
	}
	f.write(filepath.Join("data", "focus", name+".csv"), b.String())
}

// usage is one pre-aggregated gateway record.
type usage struct {
	team, class string
	count       int64
}

func (f *fixture) gateway(p cost.Period, name string, us ...usage) {
	f.t.Helper()
	var b strings.Builder
	ts := p.Start().Add(12 * time.Hour).Format(time.RFC3339)
	for _, u := range us {
		fmt.Fprintf(&b, `{"timestamp":%q,"team":%q,"action_class":%q,"gen_ai.request.model":"m","gen_ai.usage.input_tokens":1,"gen_ai.usage.output_tokens":1,"count":%d}`+"\n",
			ts, u.team, u.class, u.count)
	}
	f.write(filepath.Join("data", "gateway", name+".jsonl"), b.String())
}

func (f *fixture) ledger() *ledger.Ledger {
	f.t.Helper()
	l, err := ledger.Open(context.Background(), f.config().LedgerDSN())
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { l.Close() })
	return l
}

// run allocates one month at a fixed clock and fails the test on error.
func (f *fixture) run(p cost.Period) *Outcome {
	f.t.Helper()
	out, err := Run(context.Background(), f.config(), testEnv(), RunOptions{Period: p, OutDir: filepath.Join(f.dir, "out", p.String()),
		Now: clock("2027-01-05T06:00:00Z")})
	if err != nil {
		f.t.Fatalf("run %s: %v", p, err)
	}
	return out
}
