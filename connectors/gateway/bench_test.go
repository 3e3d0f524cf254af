package gateway_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/allot-dev/allot/connectors/gateway"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/objstore/fileblob"
)

// BenchmarkScanJSONL reads per-request gateway records, as a LiteLLM-style
// proxy logs them: one line a request, OpenTelemetry GenAI names, nested
// attributes and metadata the driver skips.
func BenchmarkScanJSONL(b *testing.B) {
	const n = 20000
	var sb strings.Builder
	for i := range n {
		fmt.Fprintf(&sb, `{"timestamp":"2026-10-%02dT%02d:%02d:%02d.%03dZ","team":"team-%d","action_class":"chat_call",`+
			`"request_id":"req-%08d","agent_run_id":"run-%d","gen_ai":{"system":"openai","request":{"model":"gpt-5-mini","temperature":0.2},`+
			`"usage":{"input_tokens":%d,"output_tokens":%d},"response":{"id":"chatcmpl-%d","finish_reasons":["stop"]}},`+
			`"metadata":{"user_api_key_alias":"svc-%d","tags":["prod","eu"],"latency_ms":%d.25}}`+"\n",
			1+i%31, i%24, i%60, (i*7)%60, i%1000, i%40, i, i%500, 200+i%3000, 20+i%400, i, i%40, 100+i%900)
	}
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "usage-2026-10.jsonl"), []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	d := gateway.New(fileblob.New(dir), "")
	b.SetBytes(int64(sb.Len()))
	b.ReportAllocs()
	for b.Loop() {
		recs := 0
		err := d.ScanUsage(context.Background(), oct, func(u *cost.UsageRecord) error {
			recs++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if recs != n {
			b.Fatalf("%d records, want %d", recs, n)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
}
