package gen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/allot-dev/allot/cost"
)

// The action classes the generated data uses, with the share of resources
// that run each.
var classes = []struct {
	name   string
	weight int
}{{"chat_call", 45}, {"retrieval_call", 25}, {"agent_step", 20}, {"eval_run", 10}}

var teamWords = []string{"search", "support", "checkout", "catalog", "ads", "fraud", "growth", "mobile",
	"payments", "pricing", "recs", "risk", "sales", "security", "seo", "shipping", "trust", "voice",
	"warehouse", "analytics", "billing", "content", "design", "docs", "finance", "hr", "identity",
	"legal", "maps", "media", "messaging", "ml-research", "onboarding", "partners", "privacy",
	"quality", "reporting", "reviews", "storage", "travel"}

var regions = []struct{ id, prefix, name string }{
	{"us-east-1", "USE1", "US East (N. Virginia)"},
	{"us-west-2", "USW2", "US West (Oregon)"},
	{"eu-west-1", "EUW1", "EU (Ireland)"},
	{"eu-central-1", "EUC1", "EU (Frankfurt)"},
	{"ap-northeast-1", "APN1", "Asia Pacific (Tokyo)"},
}

// A model is a Bedrock model with its per-1K-token rates in 10^-7 dollars.
var models = []struct {
	id, name          string
	input, output     int64
	cacheRead, cacheW int64
	embed             bool
}{
	{"Claude3.5Sonnet", "Claude 3.5 Sonnet", 30_000, 150_000, 3_000, 37_500, false},
	{"Claude3Haiku", "Claude 3 Haiku", 2_500, 12_500, 250, 3_125, false},
	{"NovaPro", "Amazon Nova Pro", 8_000, 32_000, 2_000, 0, false},
	{"NovaLite", "Amazon Nova Lite", 600, 2_400, 150, 0, false},
	{"Llama3-70B", "Llama 3 70B Instruct", 26_500, 35_000, 0, 0, false},
	{"Mistral7B", "Mistral 7B Instruct", 1_500, 2_000, 0, 0, false},
	{"TitanEmbedTextV2", "Titan Text Embeddings V2", 200, 0, 0, 0, true},
	{"CohereEmbedV3", "Cohere Embed English v3", 1_000, 0, 0, 0, true},
}

// account is one AWS account (Azure subscription, FOCUS sub-account).
type account struct {
	id, name   string
	discounted bool // has a negotiated discount: lines carry net costs
}

// usageType is one billed meter of a resource.
type usageType struct {
	name, desc, unit string
	rate             int64 // dollars × 10^7 per unit
	maxQty           int64 // usage amount × 1000, upper bound
}

// resource is one inference profile, endpoint or collection. Its tags and
// account never change.
type resource struct {
	id, name   string
	acct       int
	service    string // AWS product code
	region     int
	tags       [][2]string // sorted by key; nil when untagged
	team       string      // "" when untagged
	class      string
	usageTypes []usageType
	weight     float64
}

// world is the synthetic company the data is drawn from.
type world struct {
	period    cost.Period
	payer     string
	teams     []string // consuming teams, then "platform"
	accounts  []account
	resources []resource
	cum       []float64 // cumulative resource weights, for sampling
	long      float64   // share of usage lines with 12 fractional digits
	intervals []string  // identity_time_interval of each hour
}

func newWorld(o *Options) *world {
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	w := &world{period: o.Period, payer: digits(rng, 12), long: o.LongDecimals}
	n := o.Teams
	for i := 0; i < n; i++ {
		name := teamWords[i%len(teamWords)]
		if i >= len(teamWords) {
			name = fmt.Sprintf("%s-%d", name, i/len(teamWords)+1)
		}
		w.teams = append(w.teams, name)
	}
	w.teams = append(w.teams, "platform")
	for i := 0; i < o.Accounts; i++ {
		team := w.teams[i%len(w.teams)]
		env := []string{"prod", "staging", "dev"}[rng.IntN(3)]
		w.accounts = append(w.accounts, account{id: digits(rng, 12), name: fmt.Sprintf("acme-%s-%s", team, env), discounted: rng.IntN(4) == 0})
	}
	for i := 0; i < o.Resources; i++ {
		w.resources = append(w.resources, w.newResource(rng, i))
	}
	// Heavy users: Pareto-distributed weights give the 20x-100x spread
	// between light and heavy users that per-seat chargeback hides.
	for h := 0; h < o.Period.Days()*24; h++ {
		s := o.Period.Start().Add(time.Duration(h) * time.Hour)
		w.intervals = append(w.intervals, s.Format("2006-01-02T15:04:05Z")+"/"+s.Add(time.Hour).Format("2006-01-02T15:04:05Z"))
	}
	sum := 0.0
	for i := range w.resources {
		sum += w.resources[i].weight
		w.cum = append(w.cum, sum)
	}
	return w
}

func digits(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	b[0] = byte('1' + rng.IntN(9))
	for i := 1; i < n; i++ {
		b[i] = byte('0' + rng.IntN(10))
	}
	return string(b)
}

func pick[T any](rng *rand.Rand, weights []int, items []T) T {
	total := 0
	for _, w := range weights {
		total += w
	}
	r := rng.IntN(total)
	for i, w := range weights {
		if r < w {
			return items[i]
		}
		r -= w
	}
	return items[len(items)-1]
}

func (w *world) newResource(rng *rand.Rand, i int) resource {
	var cw []int
	var cn []string
	for _, c := range classes {
		cw, cn = append(cw, c.weight), append(cn, c.name)
	}
	r := resource{acct: rng.IntN(len(w.accounts)), region: rng.IntN(len(regions))}
	r.team = w.teams[rng.IntN(len(w.teams))]
	r.class = pick(rng, cw, cn)
	r.weight = 1 / math.Pow(1-rng.Float64(), 1/1.2) // Pareto, alpha 1.2
	if r.weight > 200 {
		r.weight = 200
	}
	reg := regions[r.region]
	acct := w.accounts[r.acct]
	switch s := rng.IntN(20); {
	case s < 17 || r.class == "retrieval_call" && s < 19:
		m := models[rng.IntN(len(models))]
		if r.class == "retrieval_call" {
			m = models[6+rng.IntN(2)]
		}
		r.service = "AmazonBedrock"
		r.name = fmt.Sprintf("%s-%s-%d", r.team, strings.ToLower(m.id), i)
		r.id = fmt.Sprintf("arn:aws:bedrock:%s:%s:application-inference-profile/%s", reg.id, acct.id, r.name)
		tok := func(kind string, rate int64) {
			if rate == 0 {
				return
			}
			r.usageTypes = append(r.usageTypes, usageType{
				name: fmt.Sprintf("%s-%s-%s", reg.prefix, m.id, kind),
				desc: fmt.Sprintf("$%s per 1K %s for %s in %s", rateText(rate), strings.ReplaceAll(kind, "-", " "), m.name, reg.name),
				unit: "1K tokens", rate: rate, maxQty: 4_000_000,
			})
		}
		tok("input-tokens", m.input)
		tok("output-tokens", m.output)
		if rng.IntN(3) == 0 {
			tok("cache-read-input-token-count", m.cacheRead)
			tok("cache-write-input-token-count", m.cacheW)
		}
	case s < 19:
		r.service = "AmazonSageMaker"
		inst := []string{"ml.g5.2xlarge", "ml.g5.12xlarge", "ml.p4d.24xlarge"}[rng.IntN(3)]
		r.name = fmt.Sprintf("%s-endpoint-%d", r.team, i)
		r.id = fmt.Sprintf("arn:aws:sagemaker:%s:%s:endpoint/%s", reg.id, acct.id, r.name)
		rate := []int64{15_150_000, 70_900_000, 377_000_000}[rng.IntN(3)]
		r.usageTypes = []usageType{{name: fmt.Sprintf("%s-Host:%s", reg.prefix, inst),
			desc: fmt.Sprintf("$%s per Hosting %s hour in %s", rateText(rate), inst, reg.name), unit: "Hrs", rate: rate, maxQty: 1000}}
	default:
		r.service = "AmazonOpenSearchService"
		r.name = fmt.Sprintf("%s-vectors-%d", r.team, i)
		r.id = fmt.Sprintf("arn:aws:aoss:%s:%s:collection/%s", reg.id, acct.id, r.name)
		r.usageTypes = []usageType{{name: reg.prefix + "-IndexingOCU", desc: "$0.24 per OCU-hour for indexing in " + reg.name,
			unit: "OCU-hours", rate: 2_400_000, maxQty: 2000}}
	}
	if rng.IntN(5) > 0 { // 80% of resources are tagged, with 3 to 6 tags
		r.tags = [][2]string{{"user:team", r.team}, {"user:action_class", r.class}}
		extra := [][2]string{
			{"user:env", []string{"prod", "staging", "dev"}[rng.IntN(3)]},
			{"user:cost_center", fmt.Sprintf("CC-%d", 4000+rng.IntN(60)*10)},
			{"user:owner", []string{"alice", "bob", "carol", "dan", "erin", "frank", "grace", "heidi"}[rng.IntN(8)]},
			{"user:project", fmt.Sprintf("proj-%d", rng.IntN(50))},
		}
		rng.Shuffle(len(extra), func(i, j int) { extra[i], extra[j] = extra[j], extra[i] })
		r.tags = append(r.tags, extra[:1+rng.IntN(4)]...)
		sort.Slice(r.tags, func(i, j int) bool { return r.tags[i][0] < r.tags[j][0] })
	} else {
		r.team, r.class = "", ""
	}
	return r
}

// rateText writes a rate in 10^-7 dollars as a decimal.
func rateText(rate int64) string {
	s := fmt.Sprintf("%d.%07d", rate/10_000_000, rate%10_000_000)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// The AWS line item types (FORMATS §1.5) with their share of lines.
const (
	ltUsage = iota
	ltSPCovered
	ltSPNegation
	ltDiscounted
	ltTax
	ltCredit
	ltFee
	ltRIFee
	ltSPRecurring
	numLineTypes
)

var lineTypes = [numLineTypes]struct {
	name     string
	weight   int // per 1000 lines
	category cost.ChargeCategory
	account  bool // an account-level line: no resource, no tags
}{
	ltUsage:       {"Usage", 780, cost.ChargeUsage, false},
	ltSPCovered:   {"SavingsPlanCoveredUsage", 70, cost.ChargeUsage, false},
	ltSPNegation:  {"SavingsPlanNegation", 20, cost.ChargeUsage, false},
	ltDiscounted:  {"DiscountedUsage", 50, cost.ChargeUsage, false},
	ltTax:         {"Tax", 30, cost.ChargeTax, true},
	ltCredit:      {"Credit", 20, cost.ChargeCredit, true},
	ltFee:         {"Fee", 10, cost.ChargePurchase, true},
	ltRIFee:       {"RIFee", 10, cost.ChargePurchase, true},
	ltSPRecurring: {"SavingsPlanRecurringFee", 10, cost.ChargePurchase, true},
}

var lineTypeTable = func() (t [1000]uint8) {
	i := 0
	for lt := range lineTypes {
		for range lineTypes[lt].weight {
			t[i] = uint8(lt)
			i++
		}
	}
	return t
}()

func (w *world) interval(hour int) string { return w.intervals[hour] }
