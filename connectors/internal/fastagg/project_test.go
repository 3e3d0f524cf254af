package fastagg

import (
	"reflect"
	"testing"
	"time"

	"github.com/allot-dev/allot/connectors/connectortest"
	"github.com/allot-dev/allot/cost"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

// fullItem is a line item with every field set (by reflection, so that a
// field added to cost.LineItem is set too).
func fullItem(t *testing.T) cost.LineItem {
	t.Helper()
	var li cost.LineItem
	v := reflect.ValueOf(&li).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch x := f.Addr().Interface().(type) {
		case *string:
			*x = v.Type().Field(i).Name
		case *cost.ChargeCategory:
			*x = cost.ChargeUsage
		case *time.Time:
			*x = time.Date(2026, 10, 1+i, 0, 0, 0, 0, time.UTC)
		case *decimal.Decimal:
			*x = decimal.New(int64(i+1), -2)
		case *cost.Tags:
			*x = cost.Tags{"team": "search"}
		case *int64:
			*x = int64(i)
		case *cost.Provenance:
			*x = cost.Provenance{Object: "o", Line: 2}
		default:
			t.Fatalf("cost.LineItem.%s: type %s this test does not set", v.Type().Field(i).Name, f.Type())
		}
	}
	return li
}

// TestProject: Project keeps exactly what connectortest.Project (written
// independently, from the cost.Field documentation) keeps, for every
// single field and a few sets; every field of a line item belongs to a
// Field or is always kept.
func TestProject(t *testing.T) {
	li := fullItem(t)
	if d := cmp.Diff(li, connectortest.Project(li, cost.AllFields)); d != "" {
		t.Fatalf("connectortest.Project(AllFields) drops a field (-want +got):\n%s", d)
	}
	sets := []cost.FieldSet{0, cost.AllFields, cost.FieldSet(0).With(cost.FieldBilledCost, cost.FieldTags)}
	for f := cost.FieldProviderName; f <= cost.FieldTags; f <<= 1 {
		sets = append(sets, cost.FieldSet(0).With(f), cost.AllFields&^cost.FieldSet(f))
	}
	for _, fs := range sets {
		got := li
		got.Tags = cost.Tags{"team": "search"}
		Project(&got, fs)
		if d := cmp.Diff(connectortest.Project(li, fs), got); d != "" {
			t.Errorf("Project(%b) (-connectortest +fastagg):\n%s", fs, d)
		}
	}
	kept := connectortest.Project(li, cost.FieldSet(0).With(cost.FieldBilledCost))
	want := cost.LineItem{ChargePeriodStart: li.ChargePeriodStart, BillingCurrency: li.BillingCurrency, Count: li.Count,
		Source: li.Source, BilledCost: li.BilledCost}
	if d := cmp.Diff(want, kept); d != "" {
		t.Errorf("projection to the billed cost (-want +got):\n%s", d)
	}
}
