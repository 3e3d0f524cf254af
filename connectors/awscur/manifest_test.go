package awscur

import "testing"

func TestResolveLegacyKey(t *testing.T) {
	const folder = "20261001-20261101"
	tests := []struct {
		name, prefix, key, want string
		ok                      bool
	}{
		{"same bucket and prefix", "cur/hourly", "cur/hourly/20261001-20261101/a1/hourly-1.csv.gz", "cur/hourly/20261001-20261101/a1/hourly-1.csv.gz", true},
		{"copy under another prefix", "backup/hourly", "cur/hourly/20261001-20261101/a1/hourly-1.csv.gz", "backup/hourly/20261001-20261101/a1/hourly-1.csv.gz", true},
		{"copy on local disk (no prefix)", "", "cur/hourly/20261001-20261101/a1/hourly-1.csv.gz", "20261001-20261101/a1/hourly-1.csv.gz", true},
		{"report at the bucket root", "", "hourly/20261001-20261101/a1/hourly-1.csv.gz", "20261001-20261101/a1/hourly-1.csv.gz", true},
		{"Parquet report outside the period folder", "", "cur/hourly/hourly/year=2026/month=10/hourly-00001.snappy.parquet", "hourly/year=2026/month=10/hourly-00001.snappy.parquet", true},
		{"Parquet report, S3 copy", "copy/hourly", "cur/hourly/hourly/year=2026/month=10/hourly-00001.snappy.parquet", "copy/hourly/hourly/year=2026/month=10/hourly-00001.snappy.parquet", true},
		{"leading slash", "", "/cur/hourly/20261001-20261101/a1/hourly-1.csv.gz", "20261001-20261101/a1/hourly-1.csv.gz", true},
		{"elsewhere", "", "other/data.csv.gz", "", false},
	}
	for _, tc := range tests {
		got, ok := resolveLegacyKey(tc.prefix, folder, "hourly", tc.key)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: resolveLegacyKey(%q, %q) = %q, %v; want %q, %v", tc.name, tc.prefix, tc.key, got, ok, tc.want, tc.ok)
		}
	}
}

func TestResolveExportKey(t *testing.T) {
	const part = "BILLING_PERIOD=2026-10"
	tests := []struct {
		name, prefix, uri, want string
		ok                      bool
	}{
		{"same bucket and prefix", "exports/cur2", "s3://b/exports/cur2/data/BILLING_PERIOD=2026-10/cur2-00001.csv.gz", "exports/cur2/data/BILLING_PERIOD=2026-10/cur2-00001.csv.gz", true},
		{"execution folder", "exports/cur2", "s3://b/exports/cur2/data/BILLING_PERIOD=2026-10/e1/cur2-00001.snappy.parquet", "exports/cur2/data/BILLING_PERIOD=2026-10/e1/cur2-00001.snappy.parquet", true},
		{"copy on local disk", "", "s3://b/exports/cur2/data/BILLING_PERIOD=2026-10/cur2-00001.csv.gz", "data/BILLING_PERIOD=2026-10/cur2-00001.csv.gz", true},
		{"copy under another prefix", "mirror/cur2", "S3://b/exports/cur2/data/BILLING_PERIOD=2026-10/cur2-00001.csv.gz", "mirror/cur2/data/BILLING_PERIOD=2026-10/cur2-00001.csv.gz", true},
		{"percent-encoded", "", "s3://b/exports/cur2/data/BILLING_PERIOD%3D2026-10/cur2-00001.csv.gz", "data/BILLING_PERIOD=2026-10/cur2-00001.csv.gz", true},
		{"a key, not a URI", "", "exports/cur2/data/BILLING_PERIOD=2026-10/cur2-00001.csv.gz", "data/BILLING_PERIOD=2026-10/cur2-00001.csv.gz", true},
		{"another period's partition", "", "s3://b/exports/cur2/data/BILLING_PERIOD=2026-09/cur2-00001.csv.gz", "", false},
	}
	for _, tc := range tests {
		got, ok := resolveExportKey(tc.prefix, part, tc.uri)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: resolveExportKey(%q, %q) = %q, %v; want %q, %v", tc.name, tc.prefix, tc.uri, got, ok, tc.want, tc.ok)
		}
	}
}
