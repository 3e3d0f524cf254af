package azexport

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/objstore/fileblob"
)

// BenchmarkScan reads a generated EA AmortizedCost file of 100,000 rows
// (tagged, month-first dates) through the driver; b.SetBytes makes the
// result MB/s of CSV.
func BenchmarkScan(b *testing.B) {
	const rows = 100_000
	dir := b.TempDir()
	var buf bytes.Buffer
	buf.WriteString("BillingAccountId,SubscriptionId,SubscriptionName,ResourceGroup,Date,MeterCategory,MeterName,PartNumber," +
		"Quantity,Cost,BillingCurrency,ResourceLocation,ResourceId,Tags,UnitOfMeasure,ChargeType,PricingModel\n")
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&buf, "8611537,5f1c0d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f,ai-prod,rg-%d,10/%02d/2026,Azure OpenAI,GPT 5 outpt Glbl 1M Tokens,AAK-00001,"+
			"%d,%d.%06d,USD,SwedenCentral,/subscriptions/5f1c0d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f/resourceGroups/rg-%d/providers/Microsoft.CognitiveServices/accounts/oai-%d,"+
			"\"\"\"team\"\": \"\"search\"\",\"\"env\"\": \"\"prod\"\",\"\"app\"\": \"\"bot-%d\"\"\",1M,Usage,OnDemand\n",
			i%50, i%28+1, 1000+i, i%100, i%1000000, i%50, i%200, i%10)
	}
	if err := os.WriteFile(filepath.Join(dir, "big.csv"), buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	drv, err := New(fileblob.New(dir), "big.csv", nil)
	if err != nil {
		b.Fatal(err)
	}
	p := cost.Period{Year: 2026, Month: 10}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		var count int
		if err := drv.Scan(context.Background(), p, func(*cost.LineItem) error { count++; return nil }); err != nil {
			b.Fatal(err)
		}
		if count != rows {
			b.Fatalf("scanned %d rows, want %d", count, rows)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
