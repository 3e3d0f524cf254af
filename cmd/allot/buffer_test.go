package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const decemberBill = `BilledCost,EffectiveCost,ListCost,BillingCurrency,BillingAccountId,BillingAccountName,SubAccountId,SubAccountName,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ChargeClass,ChargeDescription,ServiceName,ServiceCategory,SkuId,SkuMeter,ResourceId,ResourceName,RegionId,ConsumedQuantity,ConsumedUnit,ProviderName,PublisherName,InvoiceIssuerName,Tags,x_UsageType
1000.00,1000.00,1000.00,USD,8611537,Acme EA,7c0f3f39-5b2a-4d7e-9b8f-2f7a1c9e0d11,support-prod,2026-12-01T00:00:00Z,2027-01-01T00:00:00Z,2026-12-01T00:00:00Z,2026-12-02T00:00:00Z,Usage,,GPT 5 inpt Glbl 1M Tokens,Azure OpenAI,AI and Machine Learning,DZH318Z0BQ4W,GPT 5 inpt Glbl 1M Tokens,/subscriptions/7c0f3f39-5b2a-4d7e-9b8f-2f7a1c9e0d11/resourceGroups/rg-support/providers/Microsoft.CognitiveServices/accounts/support-aoai,support-aoai,swedencentral,1000,1M Tokens,Microsoft,Microsoft,Microsoft,"{""action_class"":""chat_call"",""team"":""support""}",
`

const decemberUsage = `{"timestamp":"2026-12-01T23:59:00Z","team":"support","action_class":"chat_call","gen_ai.request.model":"gpt-5","gen_ai.usage.input_tokens":1,"gen_ai.usage.output_tokens":1,"count":70000}
`

// TestBufferReconcileCommand reconciles 2026Q4 of the demo (finops) with a
// small November and December, on both ledgers. By hand:
//
//	fund        opening   surcharges    draws      closing
//	2026-10    25000.00     1198.68   16961.89     9236.79   (the demo's October)
//	2026-11     9236.79     1240.00    3038.11     7438.68   (cap 20,000 − 16,961.89)
//	2026-12     7438.68       40.00       0.00     7478.68
//
// Spend 33,340.43 + 31,000.00 + 1,000.00 = 65,340.43, an average of
// 21,780.14; the range 5%–10% is 1,089.01 to 2,178.01. The closing balance
// 7,478.68 is above: 5,300.67 is refunded pro rata to the surcharges paid,
// search 918.93 + 1,200.00 = 2,118.93 and support 279.75 + 40 + 40 =
// 359.75: 530,067 cents split 453,134.28 / 76,932.72, the spare cent to
// the larger remainder (support): 4,531.34 and 769.33. The fund opened
// at 25,000 and drew 20,000, so even a buffer rate of 0 would have left it
// above the range: both rates are 0.
func TestBufferReconcileCommand(t *testing.T) {
	forEngines(t, func(t *testing.T, dsn string) {
		dir := t.TempDir()
		mustRun(t, "demo", "--model", "finops", "--out", dir)
		cfg, journals := demoCopy(t, dir, "held-out", dsn, novemberDraw)
		data := filepath.Join(dir, "input", "data")
		for name, body := range map[string]string{
			"focus/acme-ai-2026-11.csv": novemberBill, "gateway/usage-2026-11.jsonl": novemberUsage,
			"focus/acme-ai-2026-12.csv": decemberBill, "gateway/usage-2026-12.jsonl": decemberUsage,
		} {
			if err := os.WriteFile(filepath.Join(data, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		// Reconciling before December is run names the month.
		for _, p := range []string{"2026-10", "2026-11"} {
			mustRun(t, "run", "--config", cfg, "--period", p, "--out", filepath.Join(dir, p))
		}
		out := filepath.Join(dir, "2026Q4")
		_, errOut, code := allot(t, "buffer", "reconcile", "--config", cfg, "--quarter", "2026Q4", "--out", out)
		if code != 1 || !strings.Contains(errOut, "2026-12") {
			t.Errorf("reconcile before December: exit %d\n%s", code, errOut)
		}
		mustRun(t, "run", "--config", cfg, "--period", "2026-12", "--out", filepath.Join(dir, "2026-12"))

		said := mustRun(t, "buffer", "reconcile", "--config", cfg, "--quarter", "2026Q4", "--out", out)
		for _, want := range []string{
			"Surcharges in: 2478.68 (search 2118.93, support 359.75)",
			"search 2026-10: 16961.89 (backfill of catalogue embeddings)",
			"search 2026-11: 3038.11 (holiday traffic)",
			"opening 25000.00 + surcharges 2478.68 − draws 20000.00 = closing 7478.68",
			"21780.14 = 1089.01 to 2178.01; the closing balance is above the range",
			"refund of 5300.67 (search 4531.34, support 769.33); the fund closes at 2178.01",
			"from 0.000000 to 0.000000",
			"Ledger: posted ALLOT-2026Q4-1000-USD-B1 (buffer-reconcile, 3 lines)",
		} {
			if !strings.Contains(said, want) {
				t.Errorf("the report does not say %q:\n%s", want, said)
			}
		}
		rows := readCSV(t, filepath.Join(journals, "ALLOT-2026Q4-1000-USD-B1.csv"))
		net := journalNet(t, func(col map[string]int, r []string) string { return r[col["gl_account"]] + " " + r[col["cost_center"]] },
			filepath.Join(journals, "ALLOT-2026Q4-1000-USD-B1.csv"))
		if len(rows) != 4 || net["290500 CC-9000"].String() != "5300.67" || net["650100 CC-4100"].String() != "-4531.34" ||
			net["650100 CC-4200"].String() != "-769.33" {
			t.Errorf("the delivered reconcile journal books %v", net)
		}
		var rep struct {
			Quarter  string `json:"quarter"`
			Position string `json:"adjustment_kind"`
		}
		b, err := os.ReadFile(filepath.Join(out, "buffer-reconcile-2026Q4.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &rep); err != nil || rep.Quarter != "2026Q4" || rep.Position != "refund" {
			t.Errorf("buffer-reconcile-2026Q4.json: %+v (%v)", rep, err)
		}
		if _, err := os.Stat(filepath.Join(out, "buffer-reconcile-2026Q4.md")); err != nil {
			t.Error(err)
		}

		// Again: nothing posted, nothing delivered twice.
		said = mustRun(t, "buffer", "reconcile", "--config", cfg, "--quarter", "2026Q4", "--out", out)
		if !strings.Contains(said, "nothing to post") || strings.Contains(said, "Delivered:") {
			t.Errorf("the re-run posted or delivered:\n%s", said)
		}
		if got, _ := filepath.Glob(filepath.Join(journals, "*2026Q4*")); len(got) != 1 {
			t.Errorf("reconcile batches delivered: %v", got)
		}
		// The run log lists the reconciliations under the quarter.
		var l runListing
		if err := json.Unmarshal([]byte(mustRun(t, "runs", "--config", cfg, "--json")), &l); err != nil {
			t.Fatal(err)
		}
		if r := l.Runs[0]; r.Kind != "buffer-reconcile" || r.Period != "2026Q4" || r.Status != "unchanged" ||
			l.Runs[1].Status != "posted" || strings.Join(l.Runs[1].Journals, " ") != "ALLOT-2026Q4-1000-USD-B1" {
			t.Errorf("newest runs: %+v, %+v", l.Runs[0], l.Runs[1])
		}
	})
}
