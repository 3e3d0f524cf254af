package focus_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/connectortest"
	"github.com/allot-dev/allot/connectors/focus"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/objstore"
	"github.com/allot-dev/allot/objstore/fileblob"
	"github.com/parquet-go/parquet-go"
	"github.com/shopspring/decimal"
)

var (
	oct = cost.Period{Year: 2026, Month: time.October}
	jan = cost.Period{Year: 2027, Month: time.January}
)

// openURL opens a focus source through the connectors.Opener, as cmd/allot does.
func openURL(t testing.TB, url string) *connectors.Source {
	t.Helper()
	var store objstore.Mux
	store.Register(fileblob.Scheme, fileblob.OpenURL)
	var mux connectors.Mux
	mux.Register(connectors.KindFOCUS, focus.Open)
	src, err := mux.Open(context.Background(), connectors.Env{Store: &store},
		connectors.Config{Name: "focus", Kind: connectors.KindFOCUS, URL: url})
	if err != nil {
		t.Fatalf("Open(%s): %v", url, err)
	}
	return src
}

// The fixture totals below were computed with Python's decimal module over
// the raw CSV text (rows whose ChargePeriodStart starts with 2026-10), not
// with this package: 12 rows, billed 128.2866241501, effective
// 28.1866241501. Both CSV files are in testdata/csv; testdata/csvgz holds
// the same files compressed with gzip -n.
const (
	fixtureLines     = 12
	fixtureBilled    = "128.2866241501"
	fixtureEffective = "28.1866241501"
)

func TestConformanceCSV(t *testing.T) {
	connectortest.Run(t, connectortest.Case{
		Open:          func(t *testing.T) *connectors.Source { return openURL(t, "file:testdata/csv") },
		Period:        oct,
		EmptyPeriod:   jan,
		WantLines:     fixtureLines,
		WantBilled:    fixtureBilled,
		WantEffective: fixtureEffective,
	})
}

func TestConformanceCSVGzip(t *testing.T) {
	connectortest.Run(t, connectortest.Case{
		Open:          func(t *testing.T) *connectors.Source { return openURL(t, "file:testdata/csvgz") },
		Period:        oct,
		EmptyPeriod:   jan,
		WantLines:     fixtureLines,
		WantBilled:    fixtureBilled,
		WantEffective: fixtureEffective,
	})
}

func TestConformanceParquet(t *testing.T) {
	dir := t.TempDir()
	writeParquetFixture(t, filepath.Join(dir, "focus.parquet"))
	connectortest.Run(t, connectortest.Case{
		Open:          func(t *testing.T) *connectors.Source { return openURL(t, "file:"+dir) },
		Period:        oct,
		EmptyPeriod:   jan,
		WantLines:     pqLines,
		WantBilled:    pqBilled,
		WantEffective: pqEffective,
	})
}

func TestConformanceSingleFile(t *testing.T) {
	// part 1 alone: rows 1-7, all in October. Billed 3.75+3.75+0.16+0.00008094+12.00+1.00+100.00,
	// effective the same with 0.90 for 1.00 and 0.00 for 100.00 (by hand).
	connectortest.Run(t, connectortest.Case{
		Open:          func(t *testing.T) *connectors.Source { return openURL(t, "file:testdata/csv/2026-10-part-1.csv") },
		Period:        oct,
		EmptyPeriod:   jan,
		WantLines:     7,
		WantBilled:    "120.66008094",
		WantEffective: "20.56008094",
	})
}

func TestOpenRejectsOptions(t *testing.T) {
	var store objstore.Mux
	store.Register(fileblob.Scheme, fileblob.OpenURL)
	_, err := focus.Open(context.Background(), connectors.Env{Store: &store}, connectors.Config{
		Name: "f", Kind: "focus", URL: "file:testdata/csv", Options: map[string]string{"region": "eu"},
	})
	if !errors.Is(err, focus.ErrUnknownOption) {
		t.Fatalf("error = %v, want ErrUnknownOption", err)
	}
}

func TestMissingFolderNotFound(t *testing.T) {
	src := openURL(t, "file:"+filepath.Join(t.TempDir(), "nothing-here"))
	_, err := src.Scan(context.Background(), oct, func(*cost.LineItem) error { return nil })
	if !errors.Is(err, connectors.ErrNotFound) {
		t.Fatalf("error = %v, want ErrNotFound", err)
	}
}

func TestUnsupportedSingleFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "export.txt")
	os.WriteFile(p, []byte("ChargePeriodStart\n"), 0o644)
	src := openURL(t, "file:"+p)
	_, err := src.Scan(context.Background(), oct, func(*cost.LineItem) error { return nil })
	if !errors.Is(err, focus.ErrBadFile) {
		t.Fatalf("error = %v, want ErrBadFile", err)
	}
}

func TestInputs(t *testing.T) {
	src := openURL(t, "file:testdata/csv")
	in, err := src.Inputs(context.Background(), oct)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(in), 2; got != want {
		t.Fatalf("%d inputs, want %d (manifest.json is not an input): %+v", got, want, in)
	}
	for i, name := range []string{"2026-10-part-1.csv", "2026-10-part-2.csv"} {
		if got := filepath.Base(in[i].Object); got != name {
			t.Errorf("input %d = %s, want %s", i, got, name)
		}
		st, _ := os.Stat(filepath.Join("testdata/csv", name))
		if in[i].Size != st.Size() {
			t.Errorf("input %d size = %d, want %d", i, in[i].Size, st.Size())
		}
	}
	// sha256 of the file bytes, computed with the sha256sum tool:
	const part1 = "sha256:" + fixturePart1SHA256
	if in[0].Fingerprint != part1 {
		t.Errorf("fingerprint = %s, want %s", in[0].Fingerprint, part1)
	}
	if _, err := src.Inputs(context.Background(), jan); !errors.Is(err, connectors.ErrNotFound) {
		t.Errorf("Inputs(%s) error = %v, want ErrNotFound", jan, err)
	}
	// September has one row (in part 2): found, though part 1 has none.
	sep := cost.Period{Year: 2026, Month: time.September}
	if _, err := src.Inputs(context.Background(), sep); err != nil {
		t.Errorf("Inputs(%s): %v", sep, err)
	}
}

// streamBucket serves a folder through plain readers (not *os.File) with
// ETags, as an object store does.
type streamBucket struct{ *fileblob.Bucket }

func (b streamBucket) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	rc, err := b.Bucket.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{rc, rc}, nil
}

func (b streamBucket) List(ctx context.Context, prefix string) ([]objstore.Object, error) {
	objs, err := b.Bucket.List(ctx, prefix)
	for i := range objs {
		objs[i].ETag = "etag-" + objs[i].Key
	}
	return objs, err
}

func TestInjectedBucketParquetSpool(t *testing.T) {
	dir := t.TempDir()
	writeParquetFixture(t, filepath.Join(dir, "data", "focus.parquet"))
	d := focus.New(streamBucket{fileblob.New(dir)}, "data")
	src, err := connectors.NewSource("f", "focus", "test://data", d, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := src.Scan(context.Background(), oct, func(*cost.LineItem) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if want := decimal.RequireFromString(pqBilled); st.Lines != pqLines || !st.Billed.Equal(want) {
		t.Errorf("lines %d billed %s, want %d and %s", st.Lines, st.Billed, pqLines, want)
	}
	in, err := src.Inputs(context.Background(), oct)
	if err != nil {
		t.Fatal(err)
	}
	if len(in) != 1 || in[0].Fingerprint != "etag:etag-data/focus.parquet" {
		t.Errorf("inputs = %+v, want one with the ETag fingerprint", in)
	}
}

// Parquet fixture: DOUBLE billed cost, DECIMAL(18,10) effective cost, a
// string list cost, TIMESTAMP(millis) charge period start, MAP tags, and
// two rows per row group so that reads cross row groups.
type pqRow struct {
	BillingAccountID  string            `parquet:"BillingAccountId"`
	BillingCurrency   string            `parquet:"BillingCurrency"`
	ChargePeriodStart time.Time         `parquet:"ChargePeriodStart,timestamp(millisecond)"`
	ChargePeriodEnd   time.Time         `parquet:"ChargePeriodEnd,timestamp(microsecond)"`
	ChargeCategory    string            `parquet:"ChargeCategory,dict"`
	ProviderName      string            `parquet:"ProviderName,dict"`
	ServiceName       string            `parquet:"ServiceName,dict"`
	SkuMeter          *string           `parquet:"SkuMeter,optional"`
	UsageType         *string           `parquet:"x_UsageType,optional"`
	ConsumedQuantity  *float64          `parquet:"ConsumedQuantity,optional"`
	BilledCost        float64           `parquet:"BilledCost"`
	EffectiveCost     int64             `parquet:"EffectiveCost,decimal(10:18)"`
	ListCost          *string           `parquet:"ListCost,optional"`
	Tags              map[string]string `parquet:"Tags"`
}

// In October: rows 1-4. Billed 0.1 + 0.2 + 1e-05 + 123456.789 = 123457.08901;
// effective 0.1 + 0.2 + 0.00001 + 123.4567890123 = 123.7567990123 (by hand;
// a float64 sum of the billed doubles would give 123457.08901000001).
const (
	pqLines     = 4
	pqBilled    = "123457.08901"
	pqEffective = "123.7567990123"
)

func ptr[T any](v T) *T { return &v }

func pqRows() []pqRow {
	ts := func(s string) time.Time { t, _ := time.Parse(time.RFC3339Nano, s); return t }
	return []pqRow{
		{"999999999999", "USD", ts("2026-10-01T00:00:00Z"), ts("2026-10-01T01:00:00Z"), "Usage", "AWS", "Amazon Bedrock",
			nil, ptr("USE1-Claude3.5Sonnet-input-tokens"), ptr(1250000.0), 0.1, 1_000_000_000, ptr("0.1"),
			map[string]string{"user:team": "search"}},
		{"999999999999", "USD", ts("2026-10-01T00:00:00Z"), ts("2026-10-01T01:00:00Z"), "Usage", "AWS", "Amazon Bedrock",
			nil, ptr("USE1-Claude3.5Sonnet-output-tokens"), ptr(250000.0), 0.2, 2_000_000_000, nil,
			map[string]string{"user:team": "search", "user:action_class": "chat_call"}},
		{"contoso", "USD", ts("2026-10-15T00:00:00Z"), ts("2026-10-16T00:00:00Z"), "Usage", "Microsoft", "Azure AI Services",
			ptr("GPT 5 outpt Glbl 1M Tokens"), nil, ptr(1.5e-3), 1e-05, 100_000, ptr("8.094e-05"), nil},
		{"01ABCD-234567-89EFGH", "USD", ts("2026-10-31T23:59:59.999Z"), ts("2026-11-01T00:00:00Z"), "Usage", "Google Cloud", "Vertex AI",
			ptr("Gemini 2.5 Pro Text Input"), nil, nil, 123456.789, 1_234_567_890_123, nil, map[string]string{"team": "support"}},
		{"999999999999", "USD", ts("2026-09-30T23:00:00Z"), ts("2026-10-01T00:00:00Z"), "Usage", "AWS", "Amazon Bedrock",
			nil, nil, nil, 5, 50_000_000_000, nil, nil},
	}
}

func writeParquetFixture(t testing.TB, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[pqRow](f, parquet.MaxRowsPerRowGroup(2))
	if _, err := w.Write(pqRows()); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// fixturePart1SHA256 is sha256sum testdata/csv/2026-10-part-1.csv.
const fixturePart1SHA256 = "cdce8d93142ea377fda685c702c36355b09a2fecf902adde8985884c9a91656d"
