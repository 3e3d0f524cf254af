package focus_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/allot-dev/allot/connectors/focus"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/objstore/fileblob"
	"github.com/klauspost/compress/gzip"
	"github.com/parquet-go/parquet-go"
)

const benchRows = 50_000

// benchCSV builds a FOCUS CSV of benchRows Bedrock token rows, half of
// them tagged, with hourly timestamps that repeat for 24 rows.
func benchCSV() []byte {
	var b bytes.Buffer
	b.WriteString("BillingAccountId,BillingCurrency,BillingPeriodStart,ChargePeriodStart,ChargePeriodEnd,ChargeCategory," +
		"ProviderName,ServiceName,SubAccountId,RegionId,ResourceId,SkuId,ConsumedQuantity,ConsumedUnit,ListCost," +
		"BilledCost,EffectiveCost,Tags,x_UsageType\n")
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < benchRows; i++ {
		h := start.Add(time.Duration(i/24) * time.Hour).Format("2006-01-02T15:04:05Z")
		e := start.Add(time.Duration(i/24+1) * time.Hour).Format("2006-01-02T15:04:05Z")
		tags := ""
		if i%2 == 0 {
			tags = fmt.Sprintf(`"{""user:team"":""team-%d"",""user:action_class"":""chat_call""}"`, i%7)
		}
		fmt.Fprintf(&b, "999999999999,USD,2026-10-01T00:00:00Z,%s,%s,Usage,AWS,Amazon Bedrock,1111111111%02d,us-east-1,"+
			"arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/p%d,SKU%d,%d,Tokens,0.%06d,0.%06d,0.%06d,%s,"+
			"USE1-Claude3.5Sonnet-input-tokens\n", h, e, i%10, i%50, i%20, 1000+i, i, i, i, tags)
	}
	return b.Bytes()
}

type benchPQ struct {
	BillingAccountID  string            `parquet:"BillingAccountId,dict"`
	BillingCurrency   string            `parquet:"BillingCurrency,dict"`
	ChargePeriodStart time.Time         `parquet:"ChargePeriodStart,timestamp(millisecond)"`
	ChargeCategory    string            `parquet:"ChargeCategory,dict"`
	ServiceName       string            `parquet:"ServiceName,dict"`
	SubAccountID      string            `parquet:"SubAccountId,dict"`
	ResourceID        string            `parquet:"ResourceId,dict"`
	UsageType         string            `parquet:"x_UsageType,dict"`
	ConsumedQuantity  float64           `parquet:"ConsumedQuantity"`
	BilledCost        float64           `parquet:"BilledCost"`
	EffectiveCost     int64             `parquet:"EffectiveCost,decimal(10:18)"`
	Tags              map[string]string `parquet:"Tags"`
}

func benchFiles(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	data := benchCSV()
	os.WriteFile(filepath.Join(dir, "f.csv"), data, 0o644)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	os.WriteFile(filepath.Join(dir, "f.csv.gz"), gz.Bytes(), 0o644)
	f, _ := os.Create(filepath.Join(dir, "f.parquet"))
	w := parquet.NewGenericWriter[benchPQ](f)
	rows := make([]benchPQ, 0, 1024)
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < benchRows; i++ {
		var tags map[string]string
		if i%2 == 0 {
			tags = map[string]string{"user:team": fmt.Sprintf("team-%d", i%7), "user:action_class": "chat_call"}
		}
		rows = append(rows, benchPQ{"999999999999", "USD", start.Add(time.Duration(i/24) * time.Hour), "Usage", "Amazon Bedrock",
			fmt.Sprintf("1111111111%02d", i%10), fmt.Sprintf("arn:p%d", i%50), "USE1-Claude3.5Sonnet-input-tokens",
			float64(1000 + i), float64(i) / 1e6, int64(i) * 10_000, tags})
		if len(rows) == cap(rows) {
			w.Write(rows)
			rows = rows[:0]
		}
	}
	w.Write(rows)
	w.Close()
	f.Close()
	return dir
}

func benchScan(b *testing.B, dir, name string) {
	st, _ := os.Stat(filepath.Join(dir, name))
	drv := focus.New(fileblob.New(dir), name)
	b.SetBytes(st.Size())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		if err := drv.Scan(context.Background(), oct, func(*cost.LineItem) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		if n != benchRows {
			b.Fatalf("%d rows, want %d", n, benchRows)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRows), "ns/row")
}

func benchGroups(b *testing.B, dir, name string) {
	st, _ := os.Stat(filepath.Join(dir, name))
	drv := focus.New(fileblob.New(dir), name)
	b.SetBytes(st.Size())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var n int64
		if err := drv.ScanGroups(context.Background(), oct, func(li *cost.LineItem) error { n += li.Lines(); return nil }); err != nil {
			b.Fatal(err)
		}
		if n != benchRows {
			b.Fatalf("%d rows, want %d", n, benchRows)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRows), "ns/row")
}

// BenchmarkDecodeGroups reads the same rows through the fast path,
// merged into groups (go test -bench DecodeGroups -benchmem ./connectors/focus/).
func BenchmarkDecodeGroups(b *testing.B) {
	dir := benchFiles(b)
	b.Run("CSV", func(b *testing.B) { benchGroups(b, dir, "f.csv") })
	b.Run("CSVGzip", func(b *testing.B) { benchGroups(b, dir, "f.csv.gz") })
	b.Run("Parquet", func(b *testing.B) { benchGroups(b, dir, "f.parquet") })
}

// BenchmarkDecode reads the same 50,000 rows as CSV, CSV.gz and Parquet
// line by line (go test -bench Decode -benchmem ./connectors/focus/).
func BenchmarkDecode(b *testing.B) {
	dir := benchFiles(b)
	b.Run("CSV", func(b *testing.B) { benchScan(b, dir, "f.csv") })
	b.Run("CSVGzip", func(b *testing.B) { benchScan(b, dir, "f.csv.gz") })
	b.Run("Parquet", func(b *testing.B) { benchScan(b, dir, "f.parquet") })
}
