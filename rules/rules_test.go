package rules

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestReferenceConfigAccepted(t *testing.T) {
	c, err := LoadFile("testdata/reference.yaml")
	if err != nil {
		t.Fatalf("the SPEC §10 reference configuration must load as written: %v", err)
	}
	if got, want := c.Model, cost.ModelPlatform; got != want {
		t.Errorf("Model = %q, want %q", got, want)
	}
	if got, want := len(c.Teams), 3; got != want {
		t.Fatalf("teams = %d, want %d", got, want)
	}
	if got, want := c.Teams[0].Forecast.Dec(), d("12000"); !got.Equal(want) {
		t.Errorf("search forecast = %s, want %s", got, want)
	}
	if got, want := c.Teams[1].Company, "1000"; got != want {
		t.Errorf("support company = %q, want %q", got, want)
	}
	if got := c.PlatformTeam(); got == nil || got.ID != "platform" {
		t.Errorf("PlatformTeam() = %v, want platform", got)
	}
	if got, want := c.Pricing.OverheadRate.Dec(), d("0.15"); !got.Equal(want) {
		t.Errorf("overhead rate = %s, want %s", got, want)
	}
	if got, want := c.Tagging.Defaults["111111111111"], "search"; got != want {
		t.Errorf("defaults = %q, want %q", got, want)
	}
	if got, want := c.Tagging.Rules[0].Match.SKU, "*Embed*"; got != want {
		t.Errorf("rule sku = %q, want %q", got, want)
	}
	if got, want := c.Buffer.Draws[0].Period, (cost.Period{Year: 2026, Month: 10}); got != want {
		t.Errorf("draw period = %v, want %v", got, want)
	}
	if got, want := c.Buffer.QuarterlyCap.Dec(), d("20000"); !got.Equal(want) {
		t.Errorf("quarterly cap = %s, want %s", got, want)
	}
	if got, want := c.Schedule.Cron, "0 6 3 * *"; got != want {
		t.Errorf("cron = %q, want %q", got, want)
	}
	if got, want := c.Outputs[0].Format, "generic-csv"; got != want {
		t.Errorf("output format = %q, want %q", got, want)
	}
	if !strings.HasSuffix(c.LedgerDSN(), "rules/testdata/allot.db") {
		t.Errorf("LedgerDSN() = %q, want the sqlite file resolved beside the config", c.LedgerDSN())
	}
	if got := c.ResolveURL("file:data/aws"); !strings.HasSuffix(got, "rules/testdata/data/aws") || !strings.HasPrefix(got, "file:/") {
		t.Errorf("ResolveURL = %q", got)
	}
	if line, _ := c.Position("teams[1].forecast"); line != 20 {
		t.Errorf("Position(teams[1].forecast) line = %d, want 20", line)
	}
}

func TestPresets(t *testing.T) {
	base := `version: 1
sources: [{ name: gw, kind: gateway, url: file:gw }, { name: bill, kind: focus, url: file:bill }]
teams:
  - { id: a, cost_center: CC1, forecast: 10 }
  - { id: p, cost_center: CC9, platform: true }
`
	cases := map[string]struct {
		model, mode, overhead, registry, share string
		seats                                  bool
	}{
		"platform": {"platform", ModePriceList, "0.15", RegistryCharged, "0.5", false},
		"finops":   {"finops", ModeCost, "0", RegistryCentral, "0.5", false},
		"it":       {"it", ModePriceList, "0.15", RegistryCentral, "0", true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := Parse([]byte(base+"model: "+tc.model+"\n"), "x.yaml", "/tmp")
			if err != nil {
				t.Fatal(err)
			}
			if c.Pricing.Mode != tc.mode || !c.Pricing.OverheadRate.Equal(d(tc.overhead)) || c.Pricing.Registry != tc.registry ||
				!c.Eval.ConsumerShare.Equal(d(tc.share)) || *c.Seats.Enabled != tc.seats {
				t.Errorf("preset %s: mode %s overhead %s registry %s share %s seats %v", tc.model, c.Pricing.Mode,
					c.Pricing.OverheadRate, c.Pricing.Registry, c.Eval.ConsumerShare, *c.Seats.Enabled)
			}
		})
	}
	// A key set in the file wins over the preset.
	c, err := Parse([]byte(base+"model: finops\npricing: { overhead_rate: 0.12 }\neval: { consumer_share: 1 }\n"), "x.yaml", "/tmp")
	if err != nil {
		t.Fatal(err)
	}
	if !c.Pricing.OverheadRate.Equal(d("0.12")) || !c.Eval.ConsumerShare.Equal(d("1")) || c.Pricing.Mode != ModeCost {
		t.Errorf("overrides: overhead %s share %s mode %s", c.Pricing.OverheadRate, c.Eval.ConsumerShare, c.Pricing.Mode)
	}
}

func fieldErrors(t *testing.T, err error) Errors {
	t.Helper()
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("error %v (%T) is not rules.Errors", err, err)
	}
	return es
}

func TestEveryProblemReportedWithLine(t *testing.T) {
	src := `version: 1
currency: usd
sources:
  - { name: bill, kind: cur, url: file:x }
teams:
  - { id: search, cost_center: CC1, forecast: -5, colour: blue }
  - { id: search, cost_center: CC2 }
  - { id: p, cost_center: CC9, platform: true }
tagging:
  values: { ml-platform: platfrom }
  unallocated: spread
pricing:
  overhead_rate: 1.5
buffer:
  draws:
    - { team: nobody, period: 2026-10, cause: "" }
`
	_, err := Parse([]byte(src), "allot.yaml", "/tmp")
	if err == nil {
		t.Fatal("Parse accepted a configuration with ten problems")
	}
	es := fieldErrors(t, err)
	want := []struct {
		line int
		path string
		err  error
	}{
		{2, "currency", ErrInvalid},
		{4, "sources[0].kind", ErrInvalid},
		{6, "teams[0].colour", ErrUnknownKey},
		{6, "teams[0].forecast", ErrNegative},
		{7, "teams[1].id", ErrDuplicate},
		{10, "tagging.values.ml-platform", ErrUnknownTeam},
		{11, "tagging.unallocated", ErrInvalid},
		{13, "pricing.overhead_rate", ErrOutOfRange},
		{16, "buffer.draws[0].team", ErrUnknownTeam},
		{16, "buffer.draws[0].cause", ErrRequired},
	}
	found := map[string]*FieldError{}
	for _, e := range es {
		found[e.Path] = e
	}
	for _, w := range want {
		e, ok := found[w.path]
		if !ok {
			t.Errorf("no error for %s; got:\n%v", w.path, err)
			continue
		}
		if e.Line != w.line || !errors.Is(e, w.err) || e.File != "allot.yaml" {
			t.Errorf("%s: got %v (line %d), want line %d and %v", w.path, e, e.Line, w.line, w.err)
		}
	}
	// A price_list model without a gateway source is a problem too.
	if _, ok := found["sources"]; !ok {
		t.Errorf("missing the price_list-needs-a-gateway error:\n%v", err)
	}
}

func TestSyntaxAndShapeErrors(t *testing.T) {
	cases := map[string]struct {
		name string
		src  string
		line int
		err  error
	}{
		"syntax":        {"", "version: 1\nteams: [\n", 0, ErrSyntax},
		"duplicate key": {"", "version: 1\nversion: 2\n", 2, ErrSyntax},
		"list for map":  {"", "version: 1\ntagging: [a, b]\n", 2, ErrType},
		"word for int":  {"word for int", "version: one\n", 1, ErrType},
		"empty":         {"", "", 1, ErrRequired},
		"no version":    {"", "currency: USD\n", 0, ErrRequired},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(tc.src), "c.yaml", "/tmp")
			if !errors.Is(err, tc.err) {
				t.Fatalf("error = %v, want %v", err, tc.err)
			}
			if tc.line > 0 {
				found := false
				for _, fe := range fieldErrors(t, err) {
					if errors.Is(fe, tc.err) && fe.Line == tc.line {
						found = true
					}
				}
				if !found {
					t.Fatalf("error %v: want a %v at line %d", err, tc.err, tc.line)
				}
			}
			if tc.name == "word for int" && strings.Contains(err.Error(), "not supported") {
				t.Errorf("a version that does not parse is reported twice: %v", err)
			}
		})
	}
}

func TestAmountsAreExact(t *testing.T) {
	var a Amount
	for in, want := range map[string]string{"0.15": "0.15", "1e-3": "0.001", "12000": "12000", "1_000.50": "1000.5"} {
		if err := a.decodeScalar(in); err != nil || !a.Equal(d(want)) {
			t.Errorf("decodeScalar(%q) = %s, %v; want %s", in, a, err, want)
		}
	}
	for _, bad := range []string{"12,000", "$5", "abc", "", "1e-10000", "1e-41", "1e25"} { // the last three: out of range
		if err := a.decodeScalar(bad); err == nil {
			t.Errorf("decodeScalar(%q) accepted", bad)
		}
	}
}

func TestPriceListWorkedExample(t *testing.T) {
	c, err := LoadFile("testdata/reference.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pl, err := c.LoadPriceList("testdata/2026Q4.yaml", cost.Quarter{Year: 2026, Q: 4})
	if err != nil {
		t.Fatal(err)
	}
	// Worked by hand (o=0.15, r=0.03, f=0.04):
	// chat_call b=0.012: O=0.0018, R=0.000054, F=0.04*0.013854=0.00055416→0.000554, p=0.014408
	// retrieval_call b=0.0008: O=0.00012, R=0.0000036→0.000004, F=0.04*0.000924=0.00003696→0.000037, p=0.000961
	// agent_step b=0.03: O=0.0045, R=0.000135, F=0.04*0.034635=0.0013854→0.001385, p=0.03602
	// eval_run b=0.02: O=0.003, R=0.00009, F=0.04*0.02309=0.0009236→0.000924, p=0.024014
	want := map[string][5]string{
		"chat_call":      {"0.012", "0.0018", "0.000054", "0.000554", "0.014408"},
		"retrieval_call": {"0.0008", "0.00012", "0.000004", "0.000037", "0.000961"},
		"agent_step":     {"0.03", "0.0045", "0.000135", "0.001385", "0.03602"},
		"eval_run":       {"0.02", "0.003", "0.00009", "0.000924", "0.024014"},
	}
	for class, w := range want {
		cp := pl.Classes[class]
		got := [5]decimal.Decimal{cp.Base, cp.Overhead, cp.Registry, cp.Buffer, cp.Price}
		for i := range w {
			if !got[i].Equal(d(w[i])) {
				t.Errorf("%s part %d = %s, want %s", class, i, got[i], w[i])
			}
		}
	}
	// Encode then parse back: same prices, derived parts accepted.
	back, err := ParsePriceList(pl.Encode(c.ActionClasses), "re.yaml", pl.Quarter, "USD", c.ActionClasses)
	if err != nil {
		t.Fatalf("re-parse of the encoded list: %v\n%s", err, pl.Encode(c.ActionClasses))
	}
	for class := range want {
		if !back.Classes[class].Price.Equal(pl.Classes[class].Price) {
			t.Errorf("%s: round trip price %s != %s", class, back.Classes[class].Price, pl.Classes[class].Price)
		}
	}
}

func TestPriceListChecks(t *testing.T) {
	classes := []string{"chat_call"}
	q4 := cost.Quarter{Year: 2026, Q: 4}
	cases := map[string]struct {
		src string
		err error
	}{
		"other quarter":   {"quarter: 2026Q3\ncurrency: USD\noverhead_rate: 0.1\nregistry_rate: 0\nbuffer_rate: 0\nclasses: { chat_call: { base: 1 } }\n", ErrQuarter},
		"stale derived":   {"quarter: 2026Q4\ncurrency: USD\noverhead_rate: 0.1\nregistry_rate: 0\nbuffer_rate: 0\nclasses: { chat_call: { base: 1, price: 1.2 } }\n", ErrInvalid},
		"missing class":   {"quarter: 2026Q4\ncurrency: USD\noverhead_rate: 0.1\nregistry_rate: 0\nbuffer_rate: 0\nclasses: {}\n", ErrRequired},
		"too precise":     {"quarter: 2026Q4\ncurrency: USD\noverhead_rate: 0.1\nregistry_rate: 0\nbuffer_rate: 0\nclasses: { chat_call: { base: 0.0000001 } }\n", ErrInvalid},
		"other currency":  {"quarter: 2026Q4\ncurrency: EUR\noverhead_rate: 0.1\nregistry_rate: 0\nbuffer_rate: 0\nclasses: { chat_call: { base: 1 } }\n", ErrInvalid},
		"unknown key":     {"quarter: 2026Q4\ncurrency: USD\noverhead_rate: 0.1\nregistry_rate: 0\nbuffer_rate: 0\nmarkup: 2\nclasses: { chat_call: { base: 1 } }\n", ErrUnknownKey},
		"no rate written": {"quarter: 2026Q4\ncurrency: USD\nclasses: { chat_call: { base: 1 } }\n", ErrRequired},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParsePriceList([]byte(tc.src), "p.yaml", q4, "USD", classes)
			if !errors.Is(err, tc.err) {
				t.Fatalf("error = %v, want %v", err, tc.err)
			}
		})
	}
}

func TestPatterns(t *testing.T) {
	cases := []struct {
		pat, s string
		want   bool
	}{
		{"*Embed*", "USE1-TitanEmbedTextV2-input-tokens", true},
		{"*Embed*", "USE1-Claude3-input-tokens", false},
		{"AmazonBedrock", "AmazonBedrock", true},
		{"AmazonBedrock", "amazonbedrock", false},
		{"*-input-tokens", "USE1-X-input-tokens", true},
		{"USE1-*", "EU-X", false},
		{"a*b*c", "abc", true},
		{"a*b*c", "ac", false},
		{"*", "", true},
		{"re:^(USE1|EUW2)-.*-output-tokens$", "EUW2-NovaPro-output-tokens", true},
		{"re:(?i)gpt", "GPT 5 outpt Glbl 1M Tokens", true},
	}
	for _, tc := range cases {
		if got := MustCompilePattern(tc.pat).Match(tc.s); got != tc.want {
			t.Errorf("%q.Match(%q) = %v, want %v", tc.pat, tc.s, got, tc.want)
		}
	}
	if _, err := CompilePattern("re:(unclosed"); err == nil {
		t.Error("a bad regular expression compiled")
	}
}

func TestFX(t *testing.T) {
	fx, err := ParseFX(strings.NewReader("period,from,to,rate\n2026-10,EUR,USD,1.0812\n"), "fx.csv")
	if err != nil {
		t.Fatal(err)
	}
	oct := cost.Period{Year: 2026, Month: 10}
	if r, err := fx.Rate(oct, "EUR", "USD"); err != nil || !r.Equal(d("1.0812")) {
		t.Errorf("Rate = %s, %v", r, err)
	}
	if _, err := fx.Rate(oct.Next(), "EUR", "USD"); !errors.Is(err, ErrNoRate) {
		t.Errorf("missing rate error = %v, want ErrNoRate", err)
	}
	var none *FX
	if _, err := none.Rate(oct, "GBP", "USD"); !errors.Is(err, ErrNoRate) {
		t.Errorf("no table error = %v, want ErrNoRate", err)
	}
	_, err = ParseFX(strings.NewReader("period,from,to,rate\n2026-10,EUR,USD,-1\n2026-13,EUR,USD,1\n"), "fx.csv")
	var es Errors
	if !errors.As(err, &es) || len(es) != 2 || es[0].Line != 2 || es[1].Line != 3 {
		t.Errorf("bad rows: %v", err)
	}
	// A malformed first field (a bare quote, found by FuzzParseFX: it
	// used to panic asking csv for the position of a field it had not
	// read).
	_, err = ParseFX(strings.NewReader("period,from,to,rate\n2026\"-11,EUR,USD,1\n"), "fx.csv")
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Line != 2 || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "fx.csv") {
		t.Errorf("malformed record: %v, want an invalid-file error at line 2 of fx.csv", err)
	}
}

func TestLoadFileMissing(t *testing.T) {
	if _, err := LoadFile("testdata/nope.yaml"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error = %v, want not-exist", err)
	}
}
