package focus_test

import (
	"errors"
	"maps"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/connectortest"
	"github.com/allot-dev/allot/connectors/focus"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/testutil"
	"github.com/parquet-go/parquet-go"
)

func TestParquetFields(t *testing.T) {
	dir := t.TempDir()
	writeParquetFixture(t, filepath.Join(dir, "f.parquet"))
	items, err := scanAll(t, filepath.Join(dir, "f.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 5 {
		t.Fatalf("%d items, want 5", len(items))
	}
	// Expected values written by hand from pqRows.
	tests := []struct {
		i                       int
		billed, effective, list string
		qty                     string
		start, end              string
		meter, usageType        string
		tags                    cost.Tags
	}{
		{0, "0.1", "0.1", "0.1", "1250000", "2026-10-01T00:00:00Z", "2026-10-01T01:00:00Z", "", "USE1-Claude3.5Sonnet-input-tokens", cost.Tags{"user:team": "search"}},
		{1, "0.2", "0.2", "0", "250000", "2026-10-01T00:00:00Z", "2026-10-01T01:00:00Z", "", "USE1-Claude3.5Sonnet-output-tokens", cost.Tags{"user:team": "search", "user:action_class": "chat_call"}},
		{2, "0.00001", "0.00001", "0.00008094", "0.0015", "2026-10-15T00:00:00Z", "2026-10-16T00:00:00Z", "GPT 5 outpt Glbl 1M Tokens", "", nil},
		{3, "123456.789", "123.4567890123", "0", "0", "2026-10-31T23:59:59.999Z", "2026-11-01T00:00:00Z", "Gemini 2.5 Pro Text Input", "", cost.Tags{"team": "support"}},
		{4, "5", "5", "0", "0", "2026-09-30T23:00:00Z", "2026-10-01T00:00:00Z", "", "", nil},
	}
	for _, tc := range tests {
		li := items[tc.i]
		for _, c := range []struct {
			name string
			got  string
			want string
		}{
			{"BilledCost", li.BilledCost.String(), d(tc.billed).String()},
			{"EffectiveCost", li.EffectiveCost.String(), d(tc.effective).String()},
			{"ListCost", li.ListCost.String(), d(tc.list).String()},
			{"ConsumedQuantity", li.ConsumedQuantity.String(), d(tc.qty).String()},
			{"ChargePeriodStart", li.ChargePeriodStart.Format(time.RFC3339Nano), tc.start},
			{"ChargePeriodEnd", li.ChargePeriodEnd.Format(time.RFC3339Nano), tc.end},
			{"SkuMeter", li.SkuMeter, tc.meter},
			{"UsageType", li.UsageType, tc.usageType},
		} {
			if c.got != c.want {
				t.Errorf("row %d %s = %s, want %s", tc.i, c.name, c.got, c.want)
			}
		}
		if !maps.Equal(li.Tags, tc.tags) || (li.Tags == nil) != (tc.tags == nil) {
			t.Errorf("row %d tags = %v, want %v", tc.i, li.Tags, tc.tags)
		}
		if li.Source.Row != int64(tc.i+1) || li.Source.Line != 0 || !strings.HasSuffix(li.Source.Object, "/f.parquet") {
			t.Errorf("row %d provenance = %+v, want row %d of f.parquet", tc.i, li.Source, tc.i+1)
		}
	}
}

func TestParquetValidatorSample(t *testing.T) {
	// The focus_validator sample has three 0.5-era string columns
	// (InvoiceIssuer, ResourceID, ChargeType): the reader opens it, maps
	// ChargeType, and reports the four required columns it lacks.
	_, err := scanAll(t, "testdata/samples/focus_validator__sample.parquet")
	var re *connectors.RowError
	if !errors.As(err, &re) || !errors.Is(err, focus.ErrMissingColumn) || re.Column != "ChargePeriodStart" {
		t.Fatalf("error = %v, want missing ChargePeriodStart", err)
	}
	msg := err.Error()
	for _, c := range []string{"ChargePeriodStart", "BilledCost", "EffectiveCost", "BillingCurrency"} {
		if !strings.Contains(msg, c) {
			t.Errorf("error %q does not name %s", msg, c)
		}
	}
	if strings.Contains(msg, "ChargeCategory,") || strings.HasSuffix(msg, "ChargeCategory") {
		t.Errorf("error %q names ChargeCategory, which ChargeType carries", msg)
	}
}

// writeRows writes rows of any struct type to a fresh Parquet file.
func writeRows[T any](t *testing.T, rows []T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "x.parquet")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[T](f)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

type base struct {
	ChargePeriodStart string `parquet:"ChargePeriodStart"`
	ChargeCategory    string `parquet:"ChargeCategory"`
	BillingCurrency   string `parquet:"BillingCurrency"`
}

func TestParquetTypes(t *testing.T) {
	b := base{"2026-10-01 00:00:00", "Usage", "USD"}
	t.Run("FLOAT costs, string timestamps, JSON tags, DECIMAL bytes and DATE", func(t *testing.T) {
		type row struct {
			base
			BilledCost         float32  `parquet:"BilledCost"`
			EffectiveCost      [16]byte `parquet:"EffectiveCost,decimal(4:38)"`
			BillingPeriodStart int32    `parquet:"BillingPeriodStart,date"`
			Tags               string   `parquet:"Tags"`
			ConsumedQuantity   int64    `parquet:"ConsumedQuantity"`
			SubAccountID       int64    `parquet:"SubAccountId"`
		}
		// -12.3456 as DECIMAL(38,4): unscaled -123456 in 16-byte two's complement.
		var eff [16]byte
		new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(-123456)).FillBytes(eff[:])
		p := writeRows(t, []row{{b, 0.1, eff, 20727, `{"team":"search","n":1.50}`, 42, 111111111111}})
		compareGroups(t, p, oct) // a file of unusual types: grouped line by line
		items, err := scanAll(t, p)
		if err != nil {
			t.Fatal(err)
		}
		li := items[0]
		// float32 0.1 prints as 0.1 with bitSize 32 (its shortest text).
		if li.BilledCost.String() != "0.1" || li.EffectiveCost.String() != "-12.3456" || li.ConsumedQuantity.String() != "42" {
			t.Errorf("costs = %s %s %s, want 0.1 -12.3456 42", li.BilledCost, li.EffectiveCost, li.ConsumedQuantity)
		}
		// 20727 days after 1970-01-01 is 2026-10-01.
		if got := li.BillingPeriodStart.Format(time.RFC3339); got != "2026-10-01T00:00:00Z" {
			t.Errorf("BillingPeriodStart = %s", got)
		}
		if li.SubAccountID != "111111111111" || !maps.Equal(li.Tags, cost.Tags{"team": "search", "n": "1.50"}) {
			t.Errorf("sub-account %q tags %v", li.SubAccountID, li.Tags)
		}
		if !li.ChargePeriodStart.Equal(ts("2026-10-01T00:00:00Z")) {
			t.Errorf("ChargePeriodStart = %s", li.ChargePeriodStart)
		}
	})
	t.Run("null required cost", func(t *testing.T) {
		type row struct {
			base
			BilledCost    *float64 `parquet:"BilledCost,optional"`
			EffectiveCost float64  `parquet:"EffectiveCost"`
		}
		one := 1.0
		p := writeRows(t, []row{{b, &one, 1}, {b, nil, 1}})
		compareGroups(t, p, oct) // the same error
		items, err := scanAll(t, p)
		var re *connectors.RowError
		if !errors.As(err, &re) || re.Row != 2 || re.Column != "BilledCost" || !errors.Is(err, focus.ErrNull) {
			t.Fatalf("error = %v, want null BilledCost at row 2", err)
		}
		if len(items) != 1 {
			t.Errorf("%d items before the error, want 1", len(items))
		}
	})
	t.Run("boolean cost column", func(t *testing.T) {
		type row struct {
			base
			BilledCost    bool    `parquet:"BilledCost"`
			EffectiveCost float64 `parquet:"EffectiveCost"`
		}
		p := writeRows(t, []row{{b, true, 1}})
		compareGroups(t, p, oct)
		_, err := scanAll(t, p)
		var re *connectors.RowError
		if !errors.As(err, &re) || re.Column != "BilledCost" || !errors.Is(err, focus.ErrBadFile) {
			t.Fatalf("error = %v, want an unsupported BilledCost type", err)
		}
	})
	t.Run("INT64 period without TIMESTAMP annotation", func(t *testing.T) {
		type row struct {
			ChargePeriodStart int64   `parquet:"ChargePeriodStart"`
			ChargeCategory    string  `parquet:"ChargeCategory"`
			BillingCurrency   string  `parquet:"BillingCurrency"`
			BilledCost        float64 `parquet:"BilledCost"`
			EffectiveCost     float64 `parquet:"EffectiveCost"`
		}
		p := writeRows(t, []row{{1790000000000, "Usage", "USD", 1, 1}})
		compareGroups(t, p, oct)
		_, err := scanAll(t, p)
		var re *connectors.RowError
		if !errors.As(err, &re) || re.Column != "ChargePeriodStart" || !errors.Is(err, focus.ErrBadFile) {
			t.Fatalf("error = %v, want an INT64 ChargePeriodStart refused (units unknown)", err)
		}
	})
	t.Run("bad timestamp text", func(t *testing.T) {
		type row struct {
			base
			BilledCost    float64 `parquet:"BilledCost"`
			EffectiveCost float64 `parquet:"EffectiveCost"`
		}
		bad := base{"10/01/2026", "Usage", "USD"}
		p := writeRows(t, []row{{b, 1, 1}, {b, 1, 1}, {bad, 1, 1}})
		compareGroups(t, p, oct)
		_, err := scanAll(t, p)
		var re *connectors.RowError
		if !errors.As(err, &re) || re.Row != 3 || re.Column != "ChargePeriodStart" || !errors.Is(err, focus.ErrBadValue) {
			t.Fatalf("error = %v, want a bad ChargePeriodStart at row 3", err)
		}
	})
	t.Run("not a Parquet file", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "junk.parquet")
		os.WriteFile(p, []byte("ChargePeriodStart\n2026-10-01\n"), 0o644)
		_, err := scanAll(t, p)
		var re *connectors.RowError
		if !errors.As(err, &re) || !errors.Is(err, focus.ErrBadFile) || !strings.HasSuffix(re.Object, "junk.parquet") {
			t.Fatalf("error = %v, want ErrBadFile naming junk.parquet", err)
		}
	})
}

// TestParquetDamagedDictionary: a dictionary index beyond its dictionary
// (parquet-go does not check them) fails the scan with a row error, the
// grouped scan with the same error; neither crashes.
func TestParquetDamagedDictionary(t *testing.T) {
	b := testutil.ParquetBytes(t, pqRows()[:4], parquet.Compression(&parquet.Uncompressed)) // three services in one row group
	lc, _ := testutil.OpenParquet(t, b).Schema().Lookup("ServiceName")
	path := filepath.Join(t.TempDir(), "f.parquet")
	if err := os.WriteFile(path, testutil.CorruptDictIndexes(t, b, 0, lc.ColumnIndex), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := scanAll(t, path)
	var re *connectors.RowError
	if !errors.As(err, &re) || !errors.Is(err, connectors.ErrBadInput) || !errors.Is(err, focus.ErrBadFile) || re.Row != 1 || !strings.Contains(err.Error(), "damaged page") {
		t.Fatalf("error = %v (%+v), want a bad-input row error at row 1 naming the damaged page", err, re)
	}
	connectortest.Groups(t, driverFor(path), oct)
}

// FuzzDamagedParquet: whatever bytes of a FOCUS Parquet file's pages are
// damaged (their checksums made right), Scan and the grouped scan agree
// (items, or errors at the same place) and neither crashes.
func FuzzDamagedParquet(f *testing.F) {
	src := filepath.Join(f.TempDir(), "f.parquet")
	writeParquetFixture(f, src)
	orig, err := os.ReadFile(src)
	if err != nil {
		f.Fatal(err)
	}
	testutil.FuzzDamage(f, orig, func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "f.parquet")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		connectortest.GroupsDamaged(t, driverFor(path), oct)
	})
}

// TestGroupsParquetWriterOptions: the grouped scan reads what Scan reads
// whatever the writer chose: data pages v1 or v2, every codec, small pages
// and row groups.
func TestGroupsParquetWriterOptions(t *testing.T) {
	for _, v := range testutil.WriterVariants(2) {
		t.Run(v.Name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f.parquet")
			if err := os.WriteFile(path, testutil.ParquetBytes(t, pqRows(), v.Opts...), 0o644); err != nil {
				t.Fatal(err)
			}
			if n := connectortest.Groups(t, driverFor(path), oct); n == 0 {
				t.Fatal("no items")
			}
		})
	}
}
