package azexport

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/objstore/fileblob"
)

// benchFile writes a generated EA AmortizedCost file of rows rows
// (tagged, month-first dates) and returns its folder, name and size.
func benchFile(b *testing.B, rows int) (dir, name string, size int64) {
	dir = b.TempDir()
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
	return dir, "big.csv", int64(buf.Len())
}

// benchFocusFile writes a generated FocusCost file of rows rows (tagged,
// hourly periods) and returns its folder, name and size.
func benchFocusFile(b *testing.B, rows int) (dir, name string, size int64) {
	dir = b.TempDir()
	var buf bytes.Buffer
	buf.WriteString(strings.Join(focusHeader, ",") + "\n")
	for i := 0; i < rows; i++ {
		day, hour := i%28+1, i%24
		fmt.Fprintf(&buf, "%d.%06d,%d.%06d,NULL,USD,Usage,,2026-10-%02dT%02d:00:00Z,2026-10-%02dT%02d:59:59Z,2026-10-01T00:00:00Z,NF5V,"+
			"/subscriptions/5f1c0d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f,ai-prod,Azure AI Services,AI and Machine Learning,DZH1,GPT 5 outpt Glbl 1M Tokens,"+
			"swedencentral,/subscriptions/5f1c0d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f/resourceGroups/rg-%d/providers/Microsoft.CognitiveServices/accounts/oai-%d,"+
			"oai-%[8]d,%d,1M Tokens,\"{\"\"team\"\": \"\"search\"\",\"\"app\"\": \"\"bot-%d\"\"}\",rg-%[7]d,,BP-1\n",
			i%100, i%1000000, i%100, i%1000000, day, hour, day, hour, i%50, i%200, 1000+i, i%10)
	}
	if err := os.WriteFile(filepath.Join(dir, "focus.csv"), buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	return dir, "focus.csv", int64(buf.Len())
}

// BenchmarkScan reads a generated file of 100,000 rows line by line
// through the driver; b.SetBytes makes the result MB/s of CSV.
func BenchmarkScan(b *testing.B) {
	benchRows(b, func(drv *Driver, p cost.Period, fn func(*cost.LineItem) error) error {
		return drv.Scan(context.Background(), p, fn)
	})
}

// BenchmarkScanGroups reads the same file with the grouped scan allot run
// uses (the fast path): rows/s counts the rows grouped.
func BenchmarkScanGroups(b *testing.B) {
	benchRows(b, func(drv *Driver, p cost.Period, fn func(*cost.LineItem) error) error {
		return drv.ScanGroups(context.Background(), p, fn)
	})
}

// BenchmarkScanFocus and BenchmarkScanGroupsFocus are BenchmarkScan and
// BenchmarkScanGroups on a FocusCost file.
func BenchmarkScanFocus(b *testing.B) {
	benchRowsOf(b, benchFocusFile, func(drv *Driver, p cost.Period, fn func(*cost.LineItem) error) error {
		return drv.Scan(context.Background(), p, fn)
	})
}

func BenchmarkScanGroupsFocus(b *testing.B) {
	benchRowsOf(b, benchFocusFile, func(drv *Driver, p cost.Period, fn func(*cost.LineItem) error) error {
		return drv.ScanGroups(context.Background(), p, fn)
	})
}

// benchRows times scan over a generated file of 100,000 rows and checks
// that the items it yields hold every row.
func benchRows(b *testing.B, scan func(*Driver, cost.Period, func(*cost.LineItem) error) error) {
	benchRowsOf(b, benchFile, scan)
}

func benchRowsOf(b *testing.B, file func(*testing.B, int) (string, string, int64), scan func(*Driver, cost.Period, func(*cost.LineItem) error) error) {
	const rows = 100_000
	dir, name, size := file(b, rows)
	drv, err := New(fileblob.New(dir), name, nil)
	if err != nil {
		b.Fatal(err)
	}
	p := cost.Period{Year: 2026, Month: 10}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		var lines int64
		if err := scan(drv, p, func(li *cost.LineItem) error { lines += li.Lines(); return nil }); err != nil {
			b.Fatal(err)
		}
		if lines != rows {
			b.Fatalf("read %d rows, want %d", lines, rows)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
