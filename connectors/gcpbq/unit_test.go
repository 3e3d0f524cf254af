package gcpbq

import (
	"context"
	"math/big"
	"path/filepath"
	"strings"
	"testing"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/cost"
	"github.com/google/go-cmp/cmp"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url     string
		want    Table
		opts    map[string]string
		wantErr string
	}{
		{"bigquery://finops-prod/billing.gcp_billing_export_v1_0A_0B_0C", Table{"finops-prod", "billing", "gcp_billing_export_v1_0A_0B_0C"}, map[string]string{}, ""},
		{"bigquery://finops-prod/billing.t?location=EU&table_kind=detailed", Table{"finops-prod", "billing", "t"},
			map[string]string{"location": "EU", "table_kind": "detailed"}, ""},
		{"bq://finops-prod/billing.t", Table{}, nil, "scheme"},
		{"bigquery://finops-prod/billing", Table{}, nil, "PROJECT/DATASET.TABLE"},
		{"bigquery://Finops/billing.t", Table{}, nil, "not a Google Cloud project id"},
		{"bigquery://finops-prod/bill-ing.t", Table{}, nil, "PROJECT/DATASET.TABLE"},
		{"bigquery://finops-prod/billing.t`; DROP", Table{}, nil, "PROJECT/DATASET.TABLE"},
		{"bigquery://user:secret@finops-prod/billing.t", Table{}, nil, "credentials in the URL"},
		{"bigquery://finops-prod/billing.t?location=EU&location=US", Table{}, nil, "given 2 times"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			got, opts, err := ParseURL(tc.url)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one mentioning %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error leaks the password: %v", err)
				}
				return
			}
			if err != nil || got != tc.want || !cmp.Equal(opts, tc.opts) {
				t.Fatalf("ParseURL = %+v, %v, %v; want %+v, %v", got, opts, err, tc.want, tc.opts)
			}
		})
	}
}

func TestOptions(t *testing.T) {
	for _, tc := range []struct {
		opts    map[string]string
		want    Window
		kind    TableKind
		wantErr string
	}{
		{map[string]string{}, Window{Before: 31, After: 10}, KindAuto, ""},
		{map[string]string{"lookback_days": "0", "late_days": "45", "table_kind": "standard"}, Window{Before: 0, After: 45}, KindStandard, ""},
		{map[string]string{"partition_filter": "off"}, Window{Before: 31, After: 10, Off: true}, KindAuto, ""},
		{map[string]string{"late_days": "-1"}, Window{}, "", "from 0 to 3660"},
		{map[string]string{"table_kind": "resource"}, Window{}, "", "standard or detailed"},
		{map[string]string{"partition_filter": "no"}, Window{}, "", "on or off"},
		{map[string]string{"dataset": "x"}, Window{}, "", "unknown option"},
		{map[string]string{"endpoint": "ftp://x"}, Window{}, "", "endpoint"},
		{map[string]string{"endpoint": "http://user:pw@127.0.0.1:1"}, Window{}, "", "no credentials"},
	} {
		s, err := parseOptions("bigquery://p/d.t", tc.opts)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "pw@") {
				t.Errorf("parseOptions(%v) error = %v, want one mentioning %q", tc.opts, err, tc.wantErr)
			}
			continue
		}
		if err != nil || *s.opts.Window != tc.want || s.opts.Kind != tc.kind {
			t.Errorf("parseOptions(%v) = %+v %+v, %v; want %+v %q", tc.opts, s.opts.Window, s.opts.Kind, err, tc.want, tc.kind)
		}
	}
}

func TestOpenOptionConflict(t *testing.T) {
	_, err := Open(context.Background(), connectors.Env{}, connectors.Config{
		URL: "bigquery://finops-prod/billing.t?location=EU&endpoint=http://127.0.0.1:9", Options: map[string]string{"location": "US"}})
	if err == nil || !strings.Contains(err.Error(), `"EU" in the URL and "US"`) {
		t.Fatalf("error = %v, want the conflict named", err)
	}
}

func TestRatToDecimal(t *testing.T) {
	for in, want := range map[string]string{
		"12.345678901":                           "12.345678901",
		"-3.21":                                  "-3.21",
		"0":                                      "0",
		"1/8":                                    "0.125",
		"709/1073741824":                         "0.000000660307705402374267578125",
		"5000000000000000000000000000.000000001": "5000000000000000000000000000.000000001",
		"12.05000000000000000000000000000000000000": "12.05",
	} {
		r, ok := new(big.Rat).SetString(in)
		if !ok {
			t.Fatalf("bad test input %q", in)
		}
		got, err := ratToDecimal(r)
		if err != nil || !got.Equal(d(want)) || got.String() != want {
			t.Errorf("ratToDecimal(%s) = %s, %v; want %s", in, got, err, want)
		}
	}
	if _, err := ratToDecimal(big.NewRat(1, 3)); err == nil {
		t.Error("ratToDecimal(1/3) succeeded; it has no exact decimal form")
	}
}

func TestChargePeriod(t *testing.T) {
	p := cost.Period{Year: 2026, Month: 10}
	for _, tc := range []struct{ start, end, wantStart, wantEnd string }{
		// Inside the month: unchanged.
		{"2026-10-03T00:00:00Z", "2026-10-04T00:00:00Z", "2026-10-03T00:00:00Z", "2026-10-04T00:00:00Z"},
		// Pacific month: starts 07:00 UTC on the 1st, ends 07:00 UTC on the next 1st.
		{"2026-10-01T07:00:00Z", "2026-11-01T07:00:00Z", "2026-10-01T07:00:00Z", "2026-11-01T00:00:00Z"},
		// Only the UTC hours of the next month that still belong to this invoice.
		{"2026-11-01T02:00:00Z", "2026-11-01T05:00:00Z", "2026-10-31T23:00:00Z", "2026-11-01T00:00:00Z"},
		// An adjustment for old usage.
		{"2026-08-15T00:00:00Z", "2026-08-16T00:00:00Z", "2026-10-01T00:00:00Z", "2026-10-01T01:00:00Z"},
	} {
		s, e := chargePeriod(p, utc(tc.start), utc(tc.end))
		if !s.Equal(utc(tc.wantStart)) || !e.Equal(utc(tc.wantEnd)) || !p.Contains(s) {
			t.Errorf("chargePeriod(%s, %s) = %s, %s; want %s, %s", tc.start, tc.end, s, e, tc.wantStart, tc.wantEnd)
		}
	}
}

func TestChargeCategory(t *testing.T) {
	for in, want := range map[string]cost.ChargeCategory{
		"regular": cost.ChargeUsage, "tax": cost.ChargeTax, "adjustment": cost.ChargeAdjustment,
		"rounding_error": cost.ChargeAdjustment, "credit": cost.ChargeCredit,
	} {
		if got, ok := chargeCategory(in); !ok || got != want {
			t.Errorf("chargeCategory(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "Regular", "fee"} {
		if _, ok := chargeCategory(in); ok {
			t.Errorf("chargeCategory(%q) accepted", in)
		}
	}
}

func TestOpenWithoutCredentials(t *testing.T) {
	// Without the endpoint option the client uses Application Default
	// Credentials; a missing key file is a clear error at Open.
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(t.TempDir(), "missing-key.json"))
	_, err := Open(context.Background(), connectors.Env{}, connectors.Config{URL: "bigquery://finops-prod/billing." + standardTable})
	if err == nil || !strings.Contains(err.Error(), "Application Default Credentials") {
		t.Fatalf("error = %v, want one pointing at Application Default Credentials", err)
	}
}

// FuzzParseURL: a source URL of any text is a table or an error, never a
// panic; a table's URL reads back as itself.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"bigquery://p/d.t", "bigquery://p/d.t?kind=detailed&location=EU", "bigquery://p/d", "bigquery:///.", "bigquery://p/d.t?x=%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		tb, _, err := ParseURL(raw)
		if err != nil {
			return
		}
		if again, _, err := ParseURL(tb.String()); err != nil || again != tb {
			t.Fatalf("ParseURL(%q) = %v, whose URL %q reads back as %v, %v", raw, tb, tb.String(), again, err)
		}
	})
}
