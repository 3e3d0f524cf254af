package gcpbq

import (
	"fmt"
	"strings"

	"cloud.google.com/go/bigquery"

	"github.com/allot-dev/allot/cost"
)

// TableKind is the kind of billing export table.
type TableKind string

// Table kinds. KindAuto detects the kind (see the package documentation).
const (
	KindAuto     TableKind = ""
	KindStandard TableKind = "standard"
	KindDetailed TableKind = "detailed"
)

// Table name prefixes Cloud Billing uses (GCP-STD, GCP-DET).
const (
	standardPrefix = "gcp_billing_export_v1_"
	detailedPrefix = "gcp_billing_export_resource_v1_"
)

// Window is the _PARTITIONTIME range a query scans around the invoice
// month: from Before days before its first day to After days after its
// last. Off drops the partition filter (the whole table is scanned).
type Window struct {
	Before, After int
	Off           bool
}

// DefaultWindow scans a month before the invoice month (adjustments and
// the Pacific-time month boundary) and ten days after it (late rows).
var DefaultWindow = Window{Before: 31, After: 10}

// shape is what the table offers, read from its schema.
type shape struct {
	kind        TableKind
	tags        bool // Resource Manager tags column
	listCost    bool // cost_at_list column
	partitioned bool // ingestion-time partitioned: _PARTITIONTIME exists
}

// requiredColumns are the columns every billing export table has and the
// query reads.
var requiredColumns = []string{
	"billing_account_id", "service.description", "sku.id", "sku.description",
	"usage_start_time", "usage_end_time", "project.id", "project.name", "project.labels",
	"labels", "system_labels", "location.location", "location.region",
	"cost", "currency", "usage.amount_in_pricing_units", "usage.pricing_unit",
	"credits.amount", "invoice.month", "cost_type",
}

// inspect reads the table's kind and optional columns from its metadata.
// want is the configured kind (KindAuto detects it).
func inspect(t Table, md *bigquery.TableMetadata, want TableKind) (shape, error) {
	var s shape
	if md.Type == bigquery.ViewTable || md.Type == bigquery.MaterializedView {
		// Views have no _PARTITIONTIME; the filter on invoice.month still applies.
		s.partitioned = false
	} else if tp := md.TimePartitioning; tp != nil && tp.Field == "" {
		s.partitioned = true
	}
	var missing []string
	for _, c := range requiredColumns {
		if !hasColumn(md.Schema, c) {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return s, fmt.Errorf("%s has no column %s; is it a Cloud Billing standard or detailed usage cost export table (%s…, %s…)?",
			t, strings.Join(missing, ", "), standardPrefix, detailedPrefix)
	}
	s.tags = hasColumn(md.Schema, "tags.key") && hasColumn(md.Schema, "tags.value") &&
		hasColumn(md.Schema, "tags.inherited") && hasColumn(md.Schema, "tags.namespace")
	s.listCost = hasColumn(md.Schema, "cost_at_list")
	hasResource := hasColumn(md.Schema, "resource.global_name") && hasColumn(md.Schema, "resource.name")
	s.kind = want
	if s.kind == KindAuto {
		switch {
		case strings.HasPrefix(t.Table, detailedPrefix):
			s.kind = KindDetailed
		case strings.HasPrefix(t.Table, standardPrefix):
			s.kind = KindStandard
		case hasResource:
			s.kind = KindDetailed
		default:
			s.kind = KindStandard
		}
	}
	if s.kind == KindDetailed && !hasResource {
		return s, fmt.Errorf("%s is read as a detailed export but has no resource.global_name and resource.name columns; "+
			"set table_kind=standard or point the URL at the %s… table", t, detailedPrefix)
	}
	return s, nil
}

// hasColumn reports whether a dotted column path exists in the schema.
func hasColumn(s bigquery.Schema, path string) bool {
	name, rest, nested := strings.Cut(path, ".")
	for _, f := range s {
		if strings.EqualFold(f.Name, name) {
			if !nested {
				return true
			}
			return hasColumn(f.Schema, rest)
		}
	}
	return false
}

// buildQuery returns the SQL that reads invoice month p of table t: one
// row per group of bill lines that agree on every field a line item
// carries (see the package documentation).
func buildQuery(t Table, s shape, w Window, p cost.Period) string {
	month := fmt.Sprintf("%04d%02d", p.Year, int(p.Month))
	var b strings.Builder
	line := func(format string, args ...any) {
		fmt.Fprintf(&b, format, args...)
		b.WriteByte('\n')
	}
	line("-- allot gcp-bigquery: invoice month %s of the %s usage cost export %s.", p, s.kind, t.path())
	line("-- Costs are cast to NUMERIC (9 decimal places) and quantities to BIGNUMERIC row by row, so")
	line("-- the sums are exact and independent of row order. Credits are summed within each row before")
	line("-- grouping: a row with several credits counts its cost once. Label arrays are grouped by their")
	line("-- sorted JSON text.")
	line("WITH billing_rows AS (")
	line("  SELECT")
	line("    billing_account_id,")
	line("    project.id AS project_id,")
	line("    project.name AS project_name,")
	line("    service.description AS service_description,")
	line("    sku.id AS sku_id,")
	line("    sku.description AS sku_description,")
	line("    IFNULL(location.region, location.location) AS region,")
	if s.kind == KindDetailed {
		line("    resource.global_name AS resource_global_name,")
		line("    resource.name AS resource_name,")
	}
	line("    cost_type,")
	line("    currency,")
	line("    usage.pricing_unit AS pricing_unit,")
	line("    ARRAY(SELECT AS STRUCT l.key, l.value FROM UNNEST(labels) AS l ORDER BY l.key, l.value) AS labels,")
	line("    ARRAY(SELECT AS STRUCT l.key, l.value FROM UNNEST(project.labels) AS l ORDER BY l.key, l.value) AS project_labels,")
	line("    ARRAY(SELECT AS STRUCT l.key, l.value FROM UNNEST(system_labels) AS l ORDER BY l.key, l.value) AS system_labels,")
	if s.tags {
		line("    ARRAY(SELECT AS STRUCT t.key, t.value, t.inherited, t.namespace FROM UNNEST(tags) AS t")
		line("          ORDER BY t.key, t.namespace, t.value, t.inherited) AS tags,")
	}
	line("    CAST(cost AS NUMERIC) AS cost,")
	line("    CAST(cost AS NUMERIC) + IFNULL((SELECT SUM(CAST(c.amount AS NUMERIC)) FROM UNNEST(credits) AS c), 0) AS net_cost,")
	if s.listCost {
		line("    CAST(cost_at_list AS NUMERIC) AS list_cost,")
	}
	line("    CAST(usage.amount_in_pricing_units AS BIGNUMERIC) AS pricing_quantity,")
	line("    usage_start_time,")
	line("    usage_end_time")
	line("  FROM %s", t.sqlName())
	line("  WHERE invoice.month = '%s'", month)
	if s.partitioned && !w.Off {
		from := p.Start().AddDate(0, 0, -w.Before).Format("2006-01-02")
		to := p.End().AddDate(0, 0, w.After).Format("2006-01-02")
		line("    -- partition pruning only; rows are selected by invoice.month")
		line("    AND _PARTITIONTIME >= TIMESTAMP '%s 00:00:00+00'", from)
		line("    AND _PARTITIONTIME < TIMESTAMP '%s 00:00:00+00'", to)
	}
	line("),")
	line("keyed AS (")
	line("  SELECT")
	line("    *,")
	line("    TO_JSON_STRING(labels) AS labels_key,")
	line("    TO_JSON_STRING(project_labels) AS project_labels_key,")
	if s.tags {
		line("    TO_JSON_STRING(system_labels) AS system_labels_key,")
		line("    TO_JSON_STRING(tags) AS tags_key")
	} else {
		line("    TO_JSON_STRING(system_labels) AS system_labels_key")
	}
	line("  FROM billing_rows")
	line(")")
	line("SELECT")
	line("  billing_account_id,")
	line("  project_id,")
	line("  project_name,")
	line("  service_description,")
	line("  STRUCT(sku_id AS id, sku_description AS description) AS sku,")
	line("  region,")
	if s.kind == KindDetailed {
		line("  resource_global_name,")
		line("  resource_name,")
	}
	line("  cost_type,")
	line("  currency,")
	line("  pricing_unit,")
	line("  ANY_VALUE(labels) AS labels,")
	line("  ANY_VALUE(project_labels) AS project_labels,")
	line("  ANY_VALUE(system_labels) AS system_labels,")
	if s.tags {
		line("  ANY_VALUE(tags) AS tags,")
	}
	line("  SUM(cost) AS billed_cost,")
	line("  SUM(net_cost) AS effective_cost,")
	if s.listCost {
		line("  SUM(list_cost) AS list_cost,")
	}
	line("  SUM(pricing_quantity) AS pricing_quantity,")
	line("  COUNT(*) AS line_count,")
	line("  MIN(usage_start_time) AS usage_start,")
	line("  MAX(usage_end_time) AS usage_end")
	line("FROM keyed")
	keys := []string{"billing_account_id", "project_id", "project_name", "service_description", "sku_id", "sku_description", "region"}
	if s.kind == KindDetailed {
		keys = append(keys, "resource_global_name", "resource_name")
	}
	keys = append(keys, "cost_type", "currency", "pricing_unit", "labels_key", "project_labels_key", "system_labels_key")
	if s.tags {
		keys = append(keys, "tags_key")
	}
	line("GROUP BY")
	line("  %s", strings.Join(keys, ",\n  "))
	line("ORDER BY")
	line("  %s", strings.Join(keys, ",\n  "))
	return b.String()
}
