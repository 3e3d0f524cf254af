package fastagg

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/parquet-go/parquet-go"
)

func BenchmarkProfilePQ(b *testing.B) {
	path := os.Getenv("ALLOT_PROFILE_FILE")
	if path == "" {
		b.Skip()
	}
	workers, _ := strconv.Atoi(os.Getenv("ALLOT_WORKERS"))
	f, _ := os.Open(path)
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size(), parquet.SkipBloomFilters(true), parquet.SkipPageIndex(true))
	if err != nil {
		b.Fatal(err)
	}
	// every leaf of the FOCUS file by name
	idx := map[string]int{}
	for i, p := range pf.Schema().Columns() {
		idx[p[0]] = i
	}
	l := &PQLayout{Start: idx["ChargePeriodStart"], End: idx["ChargePeriodEnd"], Count: -1}
	for _, n := range []string{"BillingCurrency", "BillingAccountId", "BillingAccountName", "SubAccountId", "SubAccountName",
		"ChargeCategory", "ChargeDescription", "ServiceName", "ServiceCategory", "SkuId", "ResourceId", "ResourceName", "RegionId",
		"ConsumedUnit", "ProviderName", "x_UsageType"} {
		l.Texts = append(l.Texts, idx[n])
	}
	l.TimeKeys = []int{idx["BillingPeriodStart"]}
	l.Amounts = []int{idx["ConsumedQuantity"], idx["BilledCost"], idx["EffectiveCost"], idx["ListCost"]}
	var m [2]int
	for i, p := range pf.Schema().Columns() {
		if p[0] == "Tags" && p[len(p)-1] == "key" {
			m[0] = i
		}
		if p[0] == "Tags" && p[len(p)-1] == "value" {
			m[1] = i
		}
	}
	l.Maps = [][2]int{m}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := ScanParquet(context.Background(), []PQFile{{File: pf, Layout: l}}, workers)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Table.Len()), "groups")
	}
}
