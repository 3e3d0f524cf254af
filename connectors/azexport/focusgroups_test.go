package azexport

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/connectortest"
	"github.com/allot-dev/allot/internal/testutil"
)

// focusHeader is a FocusCost export's header as Cost Management writes
// it (the columns allot reads, plus x_ columns it ignores).
var focusHeader = []string{"BilledCost", "EffectiveCost", "ListCost", "BillingCurrency", "ChargeCategory", "ChargeClass",
	"ChargePeriodStart", "ChargePeriodEnd", "BillingPeriodStart", "BillingAccountId", "SubAccountId", "SubAccountName",
	"ServiceName", "ServiceCategory", "SkuId", "SkuMeter", "RegionId", "ResourceId", "ResourceName", "ConsumedQuantity",
	"ConsumedUnit", "Tags", "x_ResourceGroupName", "x_SkuMeterName", "x_BillingProfileId"}

// randomFocusExport writes a random FocusCost export: a single file, or a
// run of one to three blobs with a manifest, some gzipped, some without
// the ChargePeriodEnd column, with a few bad cells when bad is set. It
// returns the path to open and the driver options.
func randomFocusExport(t *testing.T, r *rand.Rand, bad bool) (string, *Options) {
	t.Helper()
	dir := t.TempDir()
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	oops := func(n int, cell string) (string, bool) {
		if bad && r.IntN(n) == 0 {
			return cell, true
		}
		return "", false
	}
	// maybe is good, or bad one time in n when bad is set
	maybe := func(n int, good, bad string) string {
		if c, ok := oops(n, bad); ok {
			return c
		}
		return good
	}
	amount := func() string {
		if c, ok := oops(400, pick("1,234.00", "$3", "NaN", "")); ok {
			return c
		}
		return pick("0", "1.25", "-0.5", "8.094e-05", " 2.5 ", "12.3456789012345", "100", "0.000000000001", "3E2")
	}
	header := focusHeader
	noEnd := r.IntN(4) == 0
	if noEnd {
		header = append(header[:7:7], header[8:]...)
	}
	row := func(month int) []string {
		day, hour := 1+r.IntN(28), r.IntN(24)
		start := pick(fmt.Sprintf("2026-%02d-%02dT00:00:00Z", month, day), fmt.Sprintf("2026-%02d-%02dT%02d:00:00Z", month, day, hour),
			fmt.Sprintf("2026-%02d-%02d", month, day))
		end := pick(fmt.Sprintf("2026-%02d-%02dT00:00:00Z", month, day+1), fmt.Sprintf("2026-%02d-%02dT%02d:30:00Z", month, day, hour),
			"", "NULL", fmt.Sprintf("2026-%02d-%02dT23:00:00+02:00", month, day+1))
		end = maybe(300, end, pick(fmt.Sprintf("2026-%02d-%02dT00:00:00Z", month, day), "2026-01-01T00:00:00Z", "soon", "10/02/2026"))
		start = maybe(600, start, pick("", "NULL", "31/10/2026"))
		cat := maybe(500, pick("Usage", "Usage", "Usage", "Purchase", "Tax", "Credit", "Adjustment", "usage"), "Fee")
		cls := maybe(500, pick("", "", "NULL", "Correction"), "Refund")
		cur := maybe(600, pick("USD", "USD", "usd", " EUR"), "DOLLARS")
		qty := maybe(600, pick("", "NULL", "1", "1e2", "0.5"), "n/a")
		tags := maybe(600, pick("", "{}", `{"team":"search","env":"prod"}`, `{"Team":"ads"}`, `{"team":"recs","app":"bot-1"}`), `team: search`)
		bp := maybe(300, pick(fmt.Sprintf("2026-%02d-01T00:00:00Z", month), ""), pick("10/01/2026", "soon"))
		sub := fmt.Sprintf("sub-%d", r.IntN(3))
		res := fmt.Sprintf("/subscriptions/%s/resourceGroups/rg-%d/providers/Microsoft.CognitiveServices/accounts/oai-%d", sub, r.IntN(3), r.IntN(6))
		rec := []string{amount(), amount(), pick("", "NULL", amount()), cur, cat, cls, start, end, bp, "NF5V",
			pick("/subscriptions/"+sub, sub, "/subscriptions/"+sub+"/"), "ai-prod", "Azure AI Services", pick("AI and Machine Learning", "NULL"),
			pick("DZH1", "DZH2"), pick("5 mini inp 1M Tokens", "", "NULL"), pick("swedencentral", "eastus2"), res, pick("", "oai"),
			qty, "1M Tokens", tags, fmt.Sprintf("rg-%d", r.IntN(3)), pick("", "GPT meter"), "BP-1"}
		if noEnd {
			rec = append(rec[:7:7], rec[8:]...)
		}
		return rec
	}
	opts := &Options{}
	typ := ""
	if r.IntN(2) == 0 {
		opts.Dataset, typ = DatasetFocus, "FocusCost"
	}
	single := r.IntN(2) == 0
	if !single {
		opts.Dataset = DatasetUnknown // the manifest says
	}
	miscount := func() bool { _, ok := oops(20, "x"); return ok }
	return writeExport(t, dir, r, header, row, single, "focus.csv", typ, miscount), opts
}

// Random FocusCost exports, good and bad: the grouped scan agrees with
// Scan on every one, in items or in the error, on one worker and on
// several.
func TestGroupsRandomFocus(t *testing.T) { checkRandomExports(t, 11, randomFocusExport) }

// FocusCost rows the grouped scan has rules of its own for: periods that
// end a day after a row without an end, at the latest end, or not after
// their start (an error); categories, classes and costs checked per group
// or per row. Each yields Scan's lines grouped, or Scan's error and
// nothing.
func TestGroupsFocusRowCases(t *testing.T) {
	const head = "BilledCost,EffectiveCost,BillingCurrency,ChargeCategory,ChargeClass,ChargePeriodStart,ChargePeriodEnd,ResourceId\n"
	const noEnd = "BilledCost,EffectiveCost,BillingCurrency,ChargeCategory,ChargePeriodStart,ResourceId\n"
	for i, content := range []string{
		head + "1,1,USD,Usage,,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,a\n2,2,USD,Usage,,2026-10-05T00:00:00Z,2026-10-05T01:00:00Z,a\n",
		head + "1,1,USD,Usage,,2026-10-03T00:00:00Z,,a\n2,2,USD,Usage,,2026-10-01T00:00:00Z,2026-10-03T12:00:00Z,a\n",
		head + "1,1,USD,Usage,,2026-10-03T00:00:00Z,NULL,a\n2,2,USD,Usage,,2026-10-03T00:00:00Z,2026-10-03T06:00:00Z,a\n",
		head + "1,1,USD,Usage,,2026-10-03T00:00:00Z,2026-10-03T00:00:00Z,a\n",                     // ends at its start
		head + "1,1,USD,Usage,,2026-10-03T00:00:00Z,2026-10-02T00:00:00Z,a\n",                     // ends before it
		head + "1,1,USD,Usage,,2026-10-03T00:00:00+02:00,2026-10-02T23:00:00Z,a\n",                // after it, in UTC
		head + "1,1,USD,Usage,,2026-10-03T00:00:00Z,2026-10-03T00:00:00-00:30,a\n",                // after it, by the offset
		head + "1,1,USD,Usage,,2026-10-03,2026-10-04,a\n2,2,USD,Usage,,2026-10-03,2026-10-03,a\n", // the second row ends at its start
		head + "1,1,USD,Usage,,,2026-10-04T00:00:00Z,a\n",                                         // no start
		head + "1,1,USD,Usage,,10/03/2026,2026-10-04T00:00:00Z,a\n",                               // month-first: not in FocusCost
		head + ",1,USD,Usage,,2026-10-03T00:00:00Z,2026-10-04T00:00:00Z,a\n",                      // no billed cost
		head + "1,NULL,USD,Usage,,2026-10-03T00:00:00Z,2026-10-04T00:00:00Z,a\n",                  // no effective cost
		head + "1,1,USD,Fee,,2026-10-03T00:00:00Z,2026-10-04T00:00:00Z,a\n",                       // not a category
		head + "1,1,USD,Usage,Refund,2026-10-03T00:00:00Z,2026-10-04T00:00:00Z,a\n",               // not a class
		head + "1,1,USD,usage,correction,2026-10-03T00:00:00Z,2026-10-04T00:00:00Z,a\n",           // both, in lower case
		noEnd + "1,1,USD,Usage,2026-10-03T00:00:00Z,a\n2,2,USD,Usage,2026-10-05T06:00:00Z,a\n",
		noEnd + "1,1,USD,Usage,2026-10-31T12:00:00Z,a\n1,1,USD,Usage,2026-11-01T00:00:00Z,a\n",
	} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "focus.csv"), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, opts := range []*Options{nil, {Dataset: DatasetFocus}, {Dataset: DatasetActual}} {
				connectortest.Groups(t, driverAt(t, filepath.Join(dir, "focus.csv"), opts), oct2026)
			}
		})
	}
}

// A FocusCost CSV.gz cut off at a line boundary: both scans refuse it.
func TestFocusTruncatedGzip(t *testing.T) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(focusHeader)
	r := rand.New(rand.NewPCG(1, 11))
	for range 3000 {
		w.Write([]string{"1.5", "1.25", "", "USD", "Usage", "", "2026-10-03T00:00:00Z", "2026-10-04T00:00:00Z", "2026-10-01T00:00:00Z",
			"NF5V", "/subscriptions/s", "ai", "Azure AI Services", "AI and Machine Learning", "DZH1", "m", "swedencentral",
			fmt.Sprintf("/subscriptions/s/r-%d", r.IntN(40)), "", "3", "1M Tokens", `{"team":"search"}`, "rg", "", "BP"})
	}
	w.Flush()
	p := writeTemp(t, t.TempDir(), "part_1.csv.gz", testutil.GzipCutAtLine(b.Bytes()))
	connectortest.Groups(t, driverAt(t, p, nil), oct2026)
	_, _, err := collect(t, openSource(t, "file:"+p, nil), oct2026)
	if !errors.Is(err, connectors.ErrBadInput) || !strings.Contains(err.Error(), "again") {
		t.Fatalf("error = %v, want bad input saying what to do", err)
	}
}
