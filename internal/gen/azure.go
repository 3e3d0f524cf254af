package gen

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"os"

	"github.com/allot-dev/allot/connectors"
)

// azureRun names the export run folder the azure-export output imitates.
const azureRun = "5f3c2a1e-0000-4000-8000-000000000001"

// azureCols is an EA AmortizedCost export of the same lines: daily rows,
// cost in CostInBillingCurrency (amortized), tags as JSON.
var azureCols = []curCol{
	{name: "BillingAccountId", text: func(*world, *line) string { return "8611537" }},
	{name: "BillingAccountName", text: func(*world, *line) string { return "Acme EA" }},
	{name: "BillingPeriodStartDate", kind: ckTime, timeFmt: "01/02/2006", time: func(w *world, _ *line) time.Time { return w.period.Start() }},
	{name: "BillingPeriodEndDate", kind: ckTime, timeFmt: "01/02/2006", time: func(w *world, _ *line) time.Time { return w.period.LastDay() }},
	{name: "SubscriptionId", text: func(_ *world, l *line) string { return subscription(l.acct) }},
	{name: "SubscriptionName", text: func(_ *world, l *line) string { return l.acct.name }},
	{name: "ResourceGroup", text: func(_ *world, l *line) string { return resourceGroup(l) }},
	{name: "ResourceId", text: func(_ *world, l *line) string {
		if l.res == nil {
			return ""
		}
		return "/subscriptions/" + subscription(l.acct) + "/resourceGroups/" + resourceGroup(l) +
			"/providers/Microsoft.CognitiveServices/accounts/" + l.res.name
	}},
	{name: "ResourceLocation", text: func(_ *world, l *line) string {
		if l.res == nil {
			return ""
		}
		return azureRegions[l.res.region]
	}},
	{name: "Date", kind: ckTime, timeFmt: "01/02/2006", time: func(w *world, l *line) time.Time {
		return w.period.Start().AddDate(0, 0, l.hour/24)
	}},
	{name: "ProductName", text: func(_ *world, l *line) string { return "Azure OpenAI - " + meterName(l) }},
	{name: "MeterCategory", text: func(_ *world, l *line) string { return "Azure OpenAI" }},
	{name: "MeterSubCategory", text: func(*world, *line) string { return "" }},
	{name: "MeterName", text: func(_ *world, l *line) string { return meterName(l) }},
	{name: "Quantity", kind: ckNum, num: func(l *line) int64 { return l.qty * pico }}, // tokens: qty is thousands of tokens × 1000
	{name: "UnitOfMeasure", text: func(_ *world, l *line) string {
		if l.ut == nil {
			return ""
		}
		return "1K"
	}},
	{name: "CostInBillingCurrency", kind: ckNum, num: (*line).effective},
	{name: "BillingCurrency", text: func(*world, *line) string { return "USD" }},
	{name: "ChargeType", text: func(_ *world, l *line) string { return azureChargeType[l.typ] }},
	{name: "PricingModel", text: func(_ *world, l *line) string { return azurePricingModel(l) }},
	{name: "Frequency", text: func(_ *world, l *line) string {
		if lineTypes[l.typ].account {
			return "Recurring"
		}
		return "UsageBased"
	}},
	{name: "PublisherType", text: func(*world, *line) string { return "Azure" }},
	{name: "Tags", kind: ckTags},
}

var azureRegions = []string{"eastus", "westus2", "northeurope", "germanywestcentral", "japaneast"}

var azureChargeType = [numLineTypes]string{
	ltUsage: "Usage", ltSPCovered: "Usage", ltSPNegation: "Usage", ltDiscounted: "Usage",
	ltTax: "Tax", ltCredit: "Credit", ltFee: "Purchase", ltRIFee: "UnusedReservation", ltSPRecurring: "UnusedSavingsPlan",
}

func azurePricingModel(l *line) string {
	switch l.typ {
	case ltSPCovered, ltSPNegation, ltSPRecurring:
		return "SavingsPlan"
	case ltDiscounted, ltRIFee:
		return "Reservation"
	case ltFee:
		if l.riARN {
			return "Reservation"
		}
	}
	return "OnDemand"
}

func subscription(a *account) string {
	id := a.id // 12 digits
	return id[:8] + "-" + id[8:12] + "-4" + id[:3] + "-8" + id[3:6] + "-" + id
}

func resourceGroup(l *line) string {
	if l.res == nil || l.res.team == "" {
		return "rg-shared"
	}
	return "rg-" + l.res.team
}

func meterName(l *line) string {
	if l.ut == nil {
		return strings.ToLower(lineTypes[l.typ].name)
	}
	dir := "Inp"
	switch {
	case strings.Contains(l.ut.name, "output"):
		dir = "Outp"
	case strings.Contains(l.ut.name, "cache-read"):
		dir = "Cd Inp"
	case strings.Contains(l.ut.name, "cache-write"):
		dir = "Cd Wr Inp"
	}
	return l.ut.name[strings.IndexByte(l.ut.name, '-')+1:] + " " + dir + " glbl 1K Tokens"
}

type azureWriter struct {
	o *Options
	w *world
}

func (a *azureWriter) runDir() string {
	p := a.o.Period
	return filepath.Join(a.o.Out, "data", "azure", exportName,
		fmt.Sprintf("%s-%s", p.Start().Format("20060102"), p.LastDay().Format("20060102")),
		p.End().AddDate(0, 0, 1).Format("200601021504"), azureRun)
}

func (a *azureWriter) path(i int) string {
	return filepath.Join(a.runDir(), fmt.Sprintf("part_0_%04d.%s", i+1, a.o.File))
}

func (a *azureWriter) sourceKind() string { return connectors.KindAzureExport }
func (a *azureWriter) sourceURL() string  { return "file:data/azure/" + exportName }

func (a *azureWriter) open(p string, _ int) (rowWriter, error) {
	level := a.o.GzipLevel
	if a.o.File == FileCSV {
		level = 0
	}
	return newCSVGzWriter(p, level, header(azureCols), func(b []byte, l *line) []byte { return azureRow(b, a.w, l) })
}

// azureRow writes a row with the tags as Azure writes them: JSON with the
// outer braces, keys without AWS's user: prefix.
func azureRow(b []byte, w *world, l *line) []byte {
	b = csvRow(b, w, azureCols[:len(azureCols)-1], l)
	b = b[:len(b)-1] // the newline
	b = append(b, ',')
	if l.res == nil || len(l.res.tags) == 0 {
		return append(b, "{}\n"...)
	}
	b = append(b, `"{`...)
	for i, kv := range l.res.tags {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `""`...)
		b = append(b, strings.TrimPrefix(kv[0], "user:")...)
		b = append(b, `"":""`...)
		b = append(b, kv[1]...)
		b = append(b, `""`...)
	}
	return append(b, "}\"\n"...)
}

func (a *azureWriter) finish(paths []string, st []fileStats) error {
	type blob struct {
		BlobName     string `json:"blobName"`
		ByteCount    int64  `json:"byteCount"`
		DataRowCount int64  `json:"dataRowCount"`
	}
	var rows, bytes int64
	var blobs []blob
	rel := strings.TrimPrefix(filepath.ToSlash(a.runDir()), filepath.ToSlash(filepath.Join(a.o.Out, "data", "azure"))+"/")
	for i, p := range paths {
		blobs = append(blobs, blob{BlobName: "exports/" + rel + "/" + filepath.Base(p), ByteCount: st[i].bytes, DataRowCount: st[i].rows})
		rows += st[i].rows
		bytes += st[i].bytes
	}
	compression := "None"
	if a.o.File == FileCSVGzip {
		compression = "Gzip"
	}
	m := map[string]any{
		"manifestVersion": "2024-04-01",
		"byteCount":       bytes,
		"blobCount":       len(blobs),
		"dataRowCount":    rows,
		"exportConfig": map[string]any{"exportName": exportName, "type": "AmortizedCost", "timeFrame": "MonthToDate",
			"granularity": "Daily", "dataVersion": "2021-10-01"},
		"deliveryConfig": map[string]any{"partitionData": true, "dataOverwriteBehavior": "OverwritePreviousReport",
			"fileFormat": "Csv", "compressionMode": compression, "rootFolderPath": "exports"},
		"runInfo": map[string]any{"executionType": "Scheduled", "submittedTime": a.o.Period.End().AddDate(0, 0, 1).Add(6 * time.Hour).Format(time.RFC3339),
			"runId": azureRun, "startDate": a.o.Period.Start().Format("2006-01-02T15:04:05"), "endDate": a.o.Period.LastDay().Format("2006-01-02T15:04:05")},
		"blobs": blobs,
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	return os.WriteFile(filepath.Join(a.runDir(), "manifest.json"), append(b, '\n'), 0o644)
}
