package gen

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// writeUsage writes the gateway's usage records: one pre-aggregated
// record per team, action class and day, with as many actions as the
// team's tagged usage lines of that class suggest.
func writeUsage(w *world, o *Options, st []fileStats) (string, error) {
	total := map[[2]string]int64{}
	for _, s := range st {
		for k, n := range s.usage {
			total[k] += n
		}
	}
	dir := filepath.Join(o.Out, "data", "gateway")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("gen: %w", err)
	}
	p := filepath.Join(dir, "usage-"+o.Period.String()+".jsonl")
	f, err := os.Create(p)
	if err != nil {
		return "", fmt.Errorf("gen: %w", err)
	}
	bw := bufio.NewWriter(f)
	days := o.Period.Days()
	for _, k := range sortedKeys(total) {
		n := total[k]
		for d := 0; d < days; d++ {
			c := n / int64(days)
			if int64(d) < n%int64(days) {
				c++
			}
			if c == 0 {
				continue
			}
			ts := o.Period.Start().AddDate(0, 0, d).Add(23*3600e9 + 59*60e9)
			model := "claude-3.5-sonnet"
			if k[1] == "retrieval_call" {
				model = "titan-embed-text-v2"
			}
			fmt.Fprintf(bw, `{"timestamp":%q,"team":%q,"action_class":%q,"gen_ai.request.model":%q,"gen_ai.usage.input_tokens":%d,"gen_ai.usage.output_tokens":%d,"count":%d}`+"\n",
				ts.Format("2006-01-02T15:04:05Z"), k[0], k[1], model, c*1200, c*300, c)
		}
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return "", fmt.Errorf("gen: %w", err)
	}
	return p, f.Close()
}

// writeConfig writes allot.yaml and the quarter's price list. The run is
// in cost mode (the finops model) on billed cost for AWS and FOCUS data,
// so its usage rows are what `SELECT team tag, class tag, sum(cost)
// GROUP BY` computes; on effective (amortized) cost for the Azure
// AmortizedCost export, whose cost column is already amortized.
func writeConfig(w *world, o *Options, kind, url string) (string, error) {
	teamKey, classKey := "user:team", "user:action_class"
	basis := "billed"
	if o.Format == FormatAzure {
		teamKey, classKey, basis = "team", "action_class", "effective"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `# Written by allot gen: %d synthetic %s lines (%s) for %s, seed %d.
# Run it from this folder: allot run --config allot.yaml --period %s --out OUT
#
# Cost mode (the finops model): each team's usage rows are the cost of
# its lines per action class, as a GROUP BY over the team and action
# class tags computes it; cost basis %s.
version: 1
currency: USD
model: finops
cost_basis: %s
ledger: sqlite:allot.db

sources:
  - name: bill
    kind: %s
    url: %s
  - name: gateway
    kind: gateway
    url: file:data/gateway

teams:
`, o.Rows, o.Format, o.File, o.Period, o.Seed, o.Period, basis, basis, kind, url)
	for i, t := range w.teams {
		if t == "platform" {
			fmt.Fprintf(&b, "  - { id: platform, cost_center: CC-9000, company: \"1000\", platform: true }\n")
			continue
		}
		fmt.Fprintf(&b, "  - { id: %s, cost_center: CC-%d, company: \"1000\", forecast: 1000000, seats: %d }\n", t, 4100+10*i, 10+i%30)
	}
	fmt.Fprintf(&b, `
accounts:
  chargeback_expense: "650100"
  platform_recovery: "490100"
  registry_fund: "490110"
  buffer_fund: "290500"
  central_budget: "650190"

tagging:
  team_keys: [%s]
  action_class_keys: [%s]
  eval_scope_keys: [user:eval_scope, eval_scope]
  platform_component_keys: [user:platform_component, platform_component]
  unallocated: hold

action_classes: [chat_call, retrieval_call, agent_step, eval_run]
eval_class: eval_run

pricing:
  price_list: prices/{quarter}.yaml

buffer:
  draw_threshold: 3
  quarterly_cap: 20000
  opening_balance: 0
`, teamKey, classKey)
	cfg := filepath.Join(o.Out, "allot.yaml")
	if err := os.WriteFile(cfg, []byte(b.String()), 0o644); err != nil {
		return "", fmt.Errorf("gen: %w", err)
	}
	q := o.Period.Quarter()
	if err := os.MkdirAll(filepath.Join(o.Out, "prices"), 0o755); err != nil {
		return "", fmt.Errorf("gen: %w", err)
	}
	pl := fmt.Sprintf(`quarter: %s
currency: USD
overhead_rate: 0.15
registry_rate: 0.03
buffer_rate: 0.04
classes:
  chat_call:      { base: 0.012 }
  retrieval_call: { base: 0.0008 }
  agent_step:     { base: 0.03 }
  eval_run:       { base: 0.02 }
`, q)
	if err := os.WriteFile(filepath.Join(o.Out, "prices", q.String()+".yaml"), []byte(pl), 0o644); err != nil {
		return "", fmt.Errorf("gen: %w", err)
	}
	return cfg, nil
}
