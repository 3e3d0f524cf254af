package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// The held-out sequence of issue 5, at the command level, on SQLite and
// PostgreSQL: run a month, run it again (nothing is posted), restate the
// bill with a late credit (the correction nets to exactly the difference),
// then run the next month (its opening fund balance and the cap left come
// from the restated first month).

// lateCredit is a Credit row of 120.00 on the demo's tagged Bedrock
// resource of search's chat calls, charged in October.
const lateCredit = `-120.00,-120.00,-120.00,USD,999999999999,acme-payer,111111111111,search-prod,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,2026-10-20T00:00:00Z,2026-10-21T00:00:00Z,Credit,,Amazon Bedrock service credit (late),AmazonBedrock,AI and Machine Learning,,,arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/search-chat,search-chat,us-east-1,,,AWS,AWS,AWS,"{""user:action_class"":""chat_call"",""user:team"":""search""}",USE1-Credit`

// novemberBill is a small November: search's chat calls burst on Bedrock
// (30,000.00) and support uses Azure OpenAI (1,000.00).
const novemberBill = `BilledCost,EffectiveCost,ListCost,BillingCurrency,BillingAccountId,BillingAccountName,SubAccountId,SubAccountName,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ChargeClass,ChargeDescription,ServiceName,ServiceCategory,SkuId,SkuMeter,ResourceId,ResourceName,RegionId,ConsumedQuantity,ConsumedUnit,ProviderName,PublisherName,InvoiceIssuerName,Tags,x_UsageType
30000.00,30000.00,30000.00,USD,999999999999,acme-payer,111111111111,search-prod,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,Usage,,Amazon Bedrock USE1-Claude3.5Sonnet-input-tokens,AmazonBedrock,AI and Machine Learning,SKU-USE1-Claude3.5Sonnet-input-tokens,,arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/search-chat,search-chat,us-east-1,1000,1K tokens,AWS,AWS,AWS,"{""user:action_class"":""chat_call"",""user:team"":""search""}",USE1-Claude3.5Sonnet-input-tokens
1000.00,1000.00,1000.00,USD,8611537,Acme EA,7c0f3f39-5b2a-4d7e-9b8f-2f7a1c9e0d11,support-prod,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,Usage,,GPT 5 inpt Glbl 1M Tokens,Azure OpenAI,AI and Machine Learning,DZH318Z0BQ4W,GPT 5 inpt Glbl 1M Tokens,/subscriptions/7c0f3f39-5b2a-4d7e-9b8f-2f7a1c9e0d11/resourceGroups/rg-support/providers/Microsoft.CognitiveServices/accounts/support-aoai,support-aoai,swedencentral,1000,1M Tokens,Microsoft,Microsoft,Microsoft,"{""action_class"":""chat_call"",""team"":""support""}",
`

// novemberUsage is November's gateway: search's burst of chat calls and
// support's.
const novemberUsage = `{"timestamp":"2026-11-01T23:59:00Z","team":"search","action_class":"chat_call","gen_ai.request.model":"claude-3.5-sonnet","gen_ai.usage.input_tokens":1,"gen_ai.usage.output_tokens":1,"count":2000000}
{"timestamp":"2026-11-01T23:59:00Z","team":"support","action_class":"chat_call","gen_ai.request.model":"gpt-5","gen_ai.usage.input_tokens":1,"gen_ai.usage.output_tokens":1,"count":70000}
`

const novemberDraw = `{ team: search, period: 2026-11, cause: "holiday traffic" }`

// summaryFile is the part of summary.json the sequence reads.
type summaryFile struct {
	Input struct {
		Cost string `json:"cost"`
	} `json:"input"`
	Buffer struct {
		Opening, Surcharges, Draws, Closing string
		SurchargeBase                       string `json:"surcharge_base"`
	} `json:"buffer"`
	Draws []struct {
		Team, Amount, Reason string
		Granted              bool
		LimitedBy            string `json:"limited_by"`
	} `json:"draws"`
}

func readSummary(t *testing.T, dir string) summaryFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s summaryFile
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := allot(t, args...)
	if code != 0 {
		t.Fatalf("allot %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func batchFiles(t *testing.T, dir string) []string {
	t.Helper()
	fs, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestHeldOutSequenceCostMode(t *testing.T) {
	forEngines(t, func(t *testing.T, dsn string) {
		dir := t.TempDir()
		mustRun(t, "demo", "--model", "finops", "--out", dir)
		cfg, journals := demoCopy(t, dir, "held-out", dsn, novemberDraw)
		oct := filepath.Join(dir, "oct")

		// 1. October. The demo's finops figures: surcharges 1198.68,
		// search relieved of its excess 16961.89, closing 9236.79.
		mustRun(t, "run", "--config", cfg, "--period", "2026-10", "--out", oct)
		s := readSummary(t, oct)
		if s.Buffer.Closing != "9236.79" || s.Draws[0].Amount != "16961.89" {
			t.Fatalf("October: closing %s, draw %s; want 9236.79 and 16961.89", s.Buffer.Closing, s.Draws[0].Amount)
		}
		first := batchFiles(t, journals)
		if len(first) != 1 {
			t.Fatalf("October delivered %d batches, want 1", len(first))
		}

		// 2. October again: nothing is posted or delivered.
		out := mustRun(t, "run", "--config", cfg, "--period", "2026-10", "--out", oct)
		if !strings.Contains(out, "nothing to post") {
			t.Errorf("the re-run posted:\n%s", out)
		}
		if got := batchFiles(t, journals); len(got) != 1 {
			t.Errorf("after the re-run the output holds %d batches, want 1", len(got))
		}

		// 3. A late credit of 120.00 on search's chat calls. By hand
		// (finops: overhead 0, buffer rate 0.04): search's usage falls by
		// 120.00 and its surcharge by 4.80; its draw was limited by its
		// excess (charge − forecast), so the draw falls by 124.80 and
		// search's net charge is unchanged. The platform recovers 120.00
		// less; the fund takes 4.80 less in and pays 124.80 less out.
		appendLines(t, filepath.Join(dir, "input", "data", "focus", "acme-ai-2026-10.csv"), lateCredit)
		out = mustRun(t, "run", "--config", cfg, "--period", "2026-10", "--out", oct)
		if !strings.Contains(out, "-A1-R (reversal") || !strings.Contains(out, "-A2 (allocation") {
			t.Errorf("the restatement must post A1's reversal and A2; said:\n%s", out)
		}
		all := batchFiles(t, journals)
		if len(all) != 3 {
			t.Fatalf("after the restatement the output holds %d batches, want 3", len(all))
		}
		var correction []string
		for _, f := range all {
			if f != first[0] {
				correction = append(correction, f)
			}
		}
		got := journalNet(t, byAccountAndReference, correction...)
		want := map[string]string{
			"650100 search/chat_call/usage":            "-120.00",
			"490100 search/chat_call/usage":            "120.00",
			"650100 search/chat_call/buffer_surcharge": "-4.80",
			"290500 search/chat_call/buffer_surcharge": "4.80",
			"650100 search//buffer_draw":               "124.80",
			"290500 search//buffer_draw":               "-124.80",
		}
		for k, v := range got {
			w := want[k]
			if w == "" {
				w = "0"
			}
			if !v.Equal(decimal.RequireFromString(w)) {
				t.Errorf("reversal + A2 net %s = %s, want %s", k, v, w)
			}
		}
		for k, w := range want {
			if _, ok := got[k]; !ok {
				t.Errorf("the correction does not book %s (want %s)", k, w)
			}
		}
		// The ERP's view (every batch) equals the restated journal.
		erp := journalNet(t, byAccountAndReference, all...)
		final := journalNet(t, byAccountAndReference, filepath.Join(oct, "journal.csv"))
		for k, v := range final {
			if !erp[k].Equal(v) {
				t.Errorf("%s: the batches net to %s, the restated journal says %s", k, erp[k], v)
			}
		}
		s = readSummary(t, oct)
		if s.Buffer.Surcharges != "1193.88" || s.Buffer.Draws != "16837.09" || s.Buffer.Closing != "9356.79" {
			t.Errorf("restated October fund: surcharges %s, draws %s, closing %s; want 1193.88, 16837.09, 9356.79",
				s.Buffer.Surcharges, s.Buffer.Draws, s.Buffer.Closing)
		}

		// 4. November. It opens at October's restated closing, 9356.79.
		// search's charge 30,000 + 1,200 reaches 3 × 7,000; its excess is
		// 24,200 but the quarterly cap of 20,000 has 20,000 − 16,837.09 =
		// 3,162.91 left. Closing: 9356.79 + 1,240.00 − 3,162.91 = 7,433.88.
		if err := os.WriteFile(filepath.Join(dir, "input", "data", "focus", "acme-ai-2026-11.csv"), []byte(novemberBill), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "input", "data", "gateway", "usage-2026-11.jsonl"), []byte(novemberUsage), 0o644); err != nil {
			t.Fatal(err)
		}
		nov := filepath.Join(dir, "nov")
		out = mustRun(t, "run", "--config", cfg, "--period", "2026-11", "--out", nov)
		if !strings.Contains(out, "limited by cap") {
			t.Errorf("November's draw is not limited by the cap:\n%s", out)
		}
		s = readSummary(t, nov)
		if s.Buffer.Opening != "9356.79" || s.Buffer.Surcharges != "1240.00" || s.Buffer.Draws != "3162.91" || s.Buffer.Closing != "7433.88" {
			t.Errorf("November fund: opening %s, surcharges %s, draws %s, closing %s; want 9356.79, 1240.00, 3162.91, 7433.88",
				s.Buffer.Opening, s.Buffer.Surcharges, s.Buffer.Draws, s.Buffer.Closing)
		}

		// The run log: October's three runs and batches, each delivered once.
		var l runListing
		if err := json.Unmarshal([]byte(mustRun(t, "runs", "--config", cfg, "--period", "2026-10", "--json")), &l); err != nil {
			t.Fatal(err)
		}
		var statuses []string
		for _, r := range l.Runs {
			statuses = append(statuses, r.Status)
		}
		if strings.Join(statuses, " ") != "posted unchanged posted" {
			t.Errorf("October's runs, newest first: %v", statuses)
		}
		if len(l.Batches) != 3 {
			t.Fatalf("October's batches: %d, want 3", len(l.Batches))
		}
		for _, b := range l.Batches {
			if len(b.Delivered) != 1 {
				t.Errorf("batch %s delivered to %d sinks, want 1", b.ID, len(b.Delivered))
			}
		}
		if l.Batches[0].ReversedBy != l.Batches[1].ID || l.Batches[1].Reverses != l.Batches[0].ID {
			t.Errorf("batches %s / %s do not show the reversal", l.Batches[0].ID, l.Batches[1].ID)
		}
	})
}

func TestHeldOutSequencePriceListMode(t *testing.T) {
	forEngines(t, func(t *testing.T, dsn string) {
		dir := t.TempDir()
		mustRun(t, "demo", "--out", dir)
		cfg, journals := demoCopy(t, dir, "held-out", dsn, novemberDraw)
		oct := filepath.Join(dir, "oct")
		mustRun(t, "run", "--config", cfg, "--period", "2026-10", "--out", oct)
		before := readSummary(t, oct)
		first := batchFiles(t, journals)
		if out := mustRun(t, "run", "--config", cfg, "--period", "2026-10", "--out", oct); !strings.Contains(out, "nothing to post") {
			t.Errorf("the re-run posted:\n%s", out)
		}

		// A late credit changes the bill, not the charges: in price-list
		// mode they come from the gateway's actions at the published
		// prices. Nothing is posted; the summary shows the new actual.
		appendLines(t, filepath.Join(dir, "input", "data", "focus", "acme-ai-2026-10.csv"), lateCredit)
		out := mustRun(t, "run", "--config", cfg, "--period", "2026-10", "--out", oct)
		if !strings.Contains(out, "nothing to post") {
			t.Errorf("a late credit in price-list mode posted:\n%s", out)
		}
		if got := batchFiles(t, journals); len(got) != 1 {
			t.Errorf("after the credit the output holds %d batches, want 1", len(got))
		}
		credited := readSummary(t, oct)
		if b, c := decimal.RequireFromString(before.Input.Cost), decimal.RequireFromString(credited.Input.Cost); !b.Sub(c).Equal(decimal.RequireFromString("120")) {
			t.Errorf("bill cost %s → %s, want 120.00 less", before.Input.Cost, credited.Input.Cost)
		}

		// A late gateway record does change the charges: 1,000 more search
		// chat calls at p = 0.014408 (b 0.012, O 0.0018, R 0.000054,
		// F 0.000554).
		appendLines(t, filepath.Join(dir, "input", "data", "gateway", "usage-2026-10.jsonl"),
			`{"timestamp":"2026-10-31T23:00:00Z","team":"search","action_class":"chat_call","gen_ai.request.model":"claude","gen_ai.usage.input_tokens":1,"gen_ai.usage.output_tokens":1,"count":1000}`)
		out = mustRun(t, "run", "--config", cfg, "--period", "2026-10", "--out", oct)
		if !strings.Contains(out, "-A1-R (reversal") || !strings.Contains(out, "-A2 (allocation") {
			t.Errorf("the late gateway record must post A1's reversal and A2; said:\n%s", out)
		}
		all := batchFiles(t, journals)
		if len(all) != 3 {
			t.Fatalf("the output holds %d batches, want 3", len(all))
		}
		// Each row is rounded to the cent by largest remainder, so a row
		// moves by its exact change ± 0.01: usage 12.00, overhead 1.80,
		// registry 0.054, surcharge 0.554. search's draw was limited by
		// the cap (20,000) and does not move.
		var correction []string
		for _, f := range all {
			if f != first[0] {
				correction = append(correction, f)
			}
		}
		delta := journalNet(t, byAccountAndReference, correction...)
		for k, exact := range map[string]string{
			"650100 search/chat_call/usage":            "12",
			"650100 search/chat_call/overhead":         "1.8",
			"650100 search/chat_call/registry":         "0.054",
			"650100 search/chat_call/buffer_surcharge": "0.554",
			"650100 search//buffer_draw":               "0",
		} {
			if diff := delta[k].Sub(decimal.RequireFromString(exact)).Abs(); diff.GreaterThan(decimal.RequireFromString("0.01")) {
				t.Errorf("%s moved by %s, want %s ± 0.01", k, delta[k], exact)
			}
		}
		restated := readSummary(t, oct)
		if restated.Buffer.Closing == before.Buffer.Closing {
			t.Errorf("the restated October closing %s equals the original", restated.Buffer.Closing)
		}

		// November opens at the restated closing; search's October draw
		// used its whole cap (20,000), so its November burst draws nothing.
		if err := os.WriteFile(filepath.Join(dir, "input", "data", "focus", "acme-ai-2026-11.csv"), []byte(novemberBill), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "input", "data", "gateway", "usage-2026-11.jsonl"), []byte(novemberUsage), 0o644); err != nil {
			t.Fatal(err)
		}
		nov := filepath.Join(dir, "nov")
		mustRun(t, "run", "--config", cfg, "--period", "2026-11", "--out", nov)
		s := readSummary(t, nov)
		if s.Buffer.Opening != restated.Buffer.Closing {
			t.Errorf("November opens at %s, October closed at %s", s.Buffer.Opening, restated.Buffer.Closing)
		}
		if len(s.Draws) != 1 || s.Draws[0].Granted || !strings.Contains(s.Draws[0].Reason, "cap") {
			t.Errorf("November draw: %+v, want none granted, the cap being used up", s.Draws)
		}
		if s.Buffer.Draws != "0.00" {
			t.Errorf("November draws %s, want 0.00", s.Buffer.Draws)
		}
	})
}
