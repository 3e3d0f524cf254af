-- allot gcp-bigquery: invoice month 2026-10 of the standard usage cost export finops-prod.billing.gcp_billing_export_v1_01338E_BE3FD6_363B4C.
-- Costs are cast to NUMERIC (9 decimal places) and quantities to BIGNUMERIC row by row, so
-- the sums are exact and independent of row order. Credits are summed within each row before
-- grouping: a row with several credits counts its cost once. Label arrays are grouped by their
-- sorted JSON text.
WITH billing_rows AS (
  SELECT
    billing_account_id,
    project.id AS project_id,
    project.name AS project_name,
    service.description AS service_description,
    sku.id AS sku_id,
    sku.description AS sku_description,
    IFNULL(location.region, location.location) AS region,
    cost_type,
    currency,
    usage.pricing_unit AS pricing_unit,
    ARRAY(SELECT AS STRUCT l.key, l.value FROM UNNEST(labels) AS l ORDER BY l.key, l.value) AS labels,
    ARRAY(SELECT AS STRUCT l.key, l.value FROM UNNEST(project.labels) AS l ORDER BY l.key, l.value) AS project_labels,
    ARRAY(SELECT AS STRUCT l.key, l.value FROM UNNEST(system_labels) AS l ORDER BY l.key, l.value) AS system_labels,
    CAST(cost AS NUMERIC) AS cost,
    CAST(cost AS NUMERIC) + IFNULL((SELECT SUM(CAST(c.amount AS NUMERIC)) FROM UNNEST(credits) AS c), 0) AS net_cost,
    CAST(cost_at_list AS NUMERIC) AS list_cost,
    CAST(usage.amount_in_pricing_units AS BIGNUMERIC) AS pricing_quantity,
    usage_start_time,
    usage_end_time
  FROM `finops-prod.billing.gcp_billing_export_v1_01338E_BE3FD6_363B4C`
  WHERE invoice.month = '202610'
    -- partition pruning only; rows are selected by invoice.month
    AND _PARTITIONTIME >= TIMESTAMP '2026-08-31 00:00:00+00'
    AND _PARTITIONTIME < TIMESTAMP '2026-11-11 00:00:00+00'
),
keyed AS (
  SELECT
    *,
    TO_JSON_STRING(labels) AS labels_key,
    TO_JSON_STRING(project_labels) AS project_labels_key,
    TO_JSON_STRING(system_labels) AS system_labels_key
  FROM billing_rows
)
SELECT
  billing_account_id,
  project_id,
  project_name,
  service_description,
  STRUCT(sku_id AS id, sku_description AS description) AS sku,
  region,
  cost_type,
  currency,
  pricing_unit,
  ANY_VALUE(labels) AS labels,
  ANY_VALUE(project_labels) AS project_labels,
  ANY_VALUE(system_labels) AS system_labels,
  SUM(cost) AS billed_cost,
  SUM(net_cost) AS effective_cost,
  SUM(list_cost) AS list_cost,
  SUM(pricing_quantity) AS pricing_quantity,
  COUNT(*) AS line_count,
  MIN(usage_start_time) AS usage_start,
  MAX(usage_end_time) AS usage_end
FROM keyed
GROUP BY
  billing_account_id,
  project_id,
  project_name,
  service_description,
  sku_id,
  sku_description,
  region,
  cost_type,
  currency,
  pricing_unit,
  labels_key,
  project_labels_key,
  system_labels_key
ORDER BY
  billing_account_id,
  project_id,
  project_name,
  service_description,
  sku_id,
  sku_description,
  region,
  cost_type,
  currency,
  pricing_unit,
  labels_key,
  project_labels_key,
  system_labels_key
