package gcpbq

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// ProviderName is the FOCUS ProviderName of every GCP line item.
const ProviderName = "Google Cloud"

// Tag key prefixes for labels that do not sit on the resource itself.
const (
	ProjectLabelPrefix = "project:"
	ResourceTagPrefix  = "tag:"
)

// Scan runs the grouped query for invoice month p and streams one line
// item per result row, in the query's ORDER BY order. Memory is bounded by
// one result page.
func (d *Driver) Scan(ctx context.Context, p cost.Period, fn func(*cost.LineItem) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	md, err := d.client.DatasetInProject(d.table.Project, d.table.Dataset).Table(d.table.Table).Metadata(ctx)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		var ge *googleapi.Error
		if errors.As(err, &ge) && ge.Code == http.StatusNotFound {
			return fmt.Errorf("gcpbq: table %s not found; check the source URL (the export tables are %s<ACCOUNT> and %s<ACCOUNT>): %w",
				d.table, standardPrefix, detailedPrefix, err)
		}
		return fmt.Errorf("gcpbq: reading the schema of %s: %w", d.table, err)
	}
	s, err := inspect(d.table, md, d.opts.Kind)
	if err != nil {
		return fmt.Errorf("gcpbq: %w: %w", err, connectors.ErrBadInput)
	}
	if !s.partitioned && !d.window.Off {
		d.log.Warn("BigQuery table is not ingestion-time partitioned: the query scans the whole table", "table", d.table.String())
	}
	sql := buildQuery(d.table, s, d.window, p)
	q := d.client.Query(sql)
	q.Location = d.opts.Location
	it, err := q.Read(ctx)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return fmt.Errorf("gcpbq: query of %s for invoice month %s: %w", d.table, p, err)
	}
	job := jobName(it)
	dec := &decoder{table: d.table, job: job, p: p, kind: s.kind}
	var vals []bigquery.Value
	var li cost.LineItem
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := it.Next(&vals)
		if err == iterator.Done {
			break
		}
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			return fmt.Errorf("gcpbq: query of %s for invoice month %s (job %s): %w", d.table, p, job, err)
		}
		n++
		if n == 1 {
			if err := dec.bind(it.Schema); err != nil {
				return err
			}
		}
		li = cost.LineItem{}
		if err := dec.row(vals, n, &li); err != nil {
			return err
		}
		if err := fn(&li); err != nil {
			return err
		}
	}
	d.log.Info("BigQuery billing query done", "table", d.table.String(), "invoice_month", p.String(),
		"job", job, "rows", n, "kind", string(s.kind))
	if n == 0 {
		return fmt.Errorf("gcpbq: %s has no rows with invoice.month %04d%02d (job %s): %w",
			d.table, p.Year, int(p.Month), job, connectors.ErrNotFound)
	}
	return nil
}

// jobName is the BigQuery job id behind the results, or the query id of a
// job-less (jobs.query) run.
func jobName(it *bigquery.RowIterator) string {
	if j := it.SourceJob(); j != nil && j.ID() != "" {
		return j.ID()
	}
	if id := it.QueryID(); id != "" {
		return "query:" + id
	}
	return "unknown"
}

// decoder turns result rows into line items.
type decoder struct {
	table Table
	job   string
	p     cost.Period
	kind  TableKind
	idx   map[string]int
}

// resultColumns must be in every result; optional ones may be absent.
var resultColumns = []string{"billing_account_id", "project_id", "project_name", "service_description", "sku", "region",
	"cost_type", "currency", "pricing_unit", "labels", "project_labels", "system_labels", "billed_cost",
	"effective_cost", "pricing_quantity", "line_count", "usage_start", "usage_end"}

func (d *decoder) bind(s bigquery.Schema) error {
	d.idx = make(map[string]int, len(s))
	for i, f := range s {
		d.idx[f.Name] = i
	}
	for _, c := range resultColumns {
		if _, ok := d.idx[c]; !ok {
			return fmt.Errorf("gcpbq: job %s: the result has no column %s", d.job, c)
		}
	}
	return nil
}

func (d *decoder) fail(row int64, col string, format string, args ...any) error {
	return &connectors.RowError{Object: d.table.String() + " (job " + d.job + ")", Row: row, Column: col, Err: fmt.Errorf(format, args...)}
}

func (d *decoder) get(vals []bigquery.Value, col string) bigquery.Value {
	i, ok := d.idx[col]
	if !ok || i >= len(vals) {
		return nil
	}
	return vals[i]
}

func (d *decoder) str(vals []bigquery.Value, col string) string {
	s, _ := d.get(vals, col).(string)
	return s
}

func (d *decoder) row(vals []bigquery.Value, row int64, li *cost.LineItem) error {
	li.ProviderName = ProviderName
	li.BillingAccountID = d.str(vals, "billing_account_id")
	li.SubAccountID = d.str(vals, "project_id")
	li.SubAccountName = d.str(vals, "project_name")
	li.ServiceName = d.str(vals, "service_description")
	if sku, ok := d.get(vals, "sku").([]bigquery.Value); ok && len(sku) == 2 {
		li.SkuID, _ = sku[0].(string)
		li.SkuMeter, _ = sku[1].(string)
	}
	li.RegionID = d.str(vals, "region")
	li.ResourceID = d.str(vals, "resource_global_name")
	li.ResourceName = d.str(vals, "resource_name")

	ct := d.str(vals, "cost_type")
	cat, ok := chargeCategory(ct)
	if !ok {
		return d.fail(row, "cost_type", "cost_type %q is not one of regular, tax, adjustment, rounding_error, credit", ct)
	}
	li.ChargeCategory = cat
	li.BillingCurrency = strings.ToUpper(d.str(vals, "currency"))
	if !cost.ValidCurrency(li.BillingCurrency) {
		return d.fail(row, "currency", "currency %q is not an ISO 4217 code", d.str(vals, "currency"))
	}
	li.ConsumedUnit = d.str(vals, "pricing_unit")

	var err error
	for _, m := range []struct {
		col      string
		dst      *decimal.Decimal
		required bool
	}{
		{"billed_cost", &li.BilledCost, true},
		{"effective_cost", &li.EffectiveCost, true},
		{"list_cost", &li.ListCost, false},
		{"pricing_quantity", &li.ConsumedQuantity, false},
	} {
		if *m.dst, err = d.decimal(vals, row, m.col, m.required); err != nil {
			return err
		}
	}
	count, ok := d.get(vals, "line_count").(int64)
	if !ok || count < 1 {
		return d.fail(row, "line_count", "line count %v is not a positive integer", d.get(vals, "line_count"))
	}
	li.Count = count

	start, ok1 := d.get(vals, "usage_start").(time.Time)
	end, ok2 := d.get(vals, "usage_end").(time.Time)
	if !ok1 || !ok2 {
		return d.fail(row, "usage_start", "no usage start or end time")
	}
	li.BillingPeriodStart = d.p.Start()
	li.ChargePeriodStart, li.ChargePeriodEnd = chargePeriod(d.p, start.UTC(), end.UTC())

	tags, err := d.tags(vals, row)
	if err != nil {
		return err
	}
	li.Tags = tags
	li.Source = cost.Provenance{Object: d.table.String(), Row: row, Job: d.job}
	return nil
}

// chargeCategory maps cost_type to a FOCUS ChargeCategory (FC gcp.csv;
// FORMATS §2.2), with "credit" as Credit.
func chargeCategory(costType string) (cost.ChargeCategory, bool) {
	switch costType {
	case "regular":
		return cost.ChargeUsage, true
	case "tax":
		return cost.ChargeTax, true
	case "adjustment", "rounding_error":
		return cost.ChargeAdjustment, true
	case "credit":
		return cost.ChargeCredit, true
	}
	return "", false
}

// chargePeriod places a group's usage window inside the invoice month, so
// that the period filter of connectors.Source keeps exactly the invoice
// month's rows: the start is MIN(usage_start_time) moved into
// [month start, month end - 1h], the end MAX(usage_end_time) capped at the
// month end and at least an hour after the start.
func chargePeriod(p cost.Period, start, end time.Time) (time.Time, time.Time) {
	ms, me := p.Start(), p.End()
	if start.Before(ms) {
		start = ms
	}
	if last := me.Add(-time.Hour); start.After(last) {
		start = last
	}
	if end.After(me) {
		end = me
	}
	if !end.After(start) {
		end = start.Add(time.Hour)
	}
	return start, end
}

// decimal converts a NUMERIC or BIGNUMERIC result exactly. BigQuery sends
// these as decimal strings; the client parses them into a big.Rat whose
// denominator divides a power of ten.
func (d *decoder) decimal(vals []bigquery.Value, row int64, col string, required bool) (decimal.Decimal, error) {
	v := d.get(vals, col)
	if v == nil {
		if required {
			return decimal.Zero, d.fail(row, col, "no value")
		}
		return decimal.Zero, nil
	}
	r, ok := v.(*big.Rat)
	if !ok {
		return decimal.Zero, d.fail(row, col, "value %v (%T) is not NUMERIC", v, v)
	}
	dec, err := ratToDecimal(r)
	if err != nil {
		return decimal.Zero, d.fail(row, col, "%v", err)
	}
	return dec, nil
}

var (
	big2  = big.NewInt(2)
	big5  = big.NewInt(5)
	big10 = big.NewInt(10)
)

// ratToDecimal converts r exactly; it fails when r has no finite decimal
// expansion (a denominator with a prime factor other than 2 and 5).
func ratToDecimal(r *big.Rat) (decimal.Decimal, error) {
	num := new(big.Int).Set(r.Num())
	den := new(big.Int).Set(r.Denom())
	var exp int32
	rem := new(big.Int)
	for den.Cmp(big.NewInt(1)) != 0 {
		if exp < -1000 {
			return decimal.Zero, fmt.Errorf("%s has no exact decimal form", r.RatString())
		}
		switch {
		case new(big.Int).Mod(den, big10).Sign() == 0:
			den.Quo(den, big10)
		case rem.Mod(den, big2).Sign() == 0:
			den.Quo(den, big2)
			num.Mul(num, big5)
		case rem.Mod(den, big5).Sign() == 0:
			den.Quo(den, big5)
			num.Mul(num, big2)
		default:
			return decimal.Zero, fmt.Errorf("%s has no exact decimal form", r.RatString())
		}
		exp--
	}
	return decimal.NewFromBigInt(num, exp), nil
}
