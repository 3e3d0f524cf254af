package awscur

import "testing"

func TestClassifyTagColumn(t *testing.T) {
	tests := []struct {
		header, key string
		isMap       bool
		prefix      string
		ok          bool
	}{
		{"resourceTags/user:team", "user:team", false, "", true},
		{"resourceTags/user:Team", "user:Team", false, "", true},
		{"ResourceTags/aws:createdBy", "aws:createdBy", false, "", true},
		{"costCategory/CostCenter", "costCategory/CostCenter", false, "", true},
		{"resource_tags", "", true, "", true},
		{"RESOURCE_TAGS", "", true, "", true},
		{"cost_category", "", true, "costCategory/", true},
		{"resource_tags_user_team", "user:team", false, "", true},
		{"resource_tags_aws_created_by", "aws:created_by", false, "", true},
		{"cost_category_cost_center", "costCategory/cost_center", false, "", true},
		{"noTags/user:app", "", false, "", false},
		{"lineItem/UnblendedCost", "", false, "", false},
		{"resourceTags/", "", false, "", false},
		{"product_region_code", "", false, "", false},
	}
	for _, tc := range tests {
		key, isMap, prefix, ok := classifyTagColumn(tc.header)
		if key != tc.key || isMap != tc.isMap || prefix != tc.prefix || ok != tc.ok {
			t.Errorf("classifyTagColumn(%q) = %q, %v, %q, %v; want %q, %v, %q, %v",
				tc.header, key, isMap, prefix, ok, tc.key, tc.isMap, tc.prefix, tc.ok)
		}
	}
}

// Header variants: the three namings, any case, resolve to the same fields.
func TestResolveSchemaVariants(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		legacy  bool
	}{
		{"legacy CSV", []string{"lineItem/LineItemType", "lineItem/UsageStartDate", "lineItem/UnblendedCost", "lineItem/CurrencyCode", "product/region"}, true},
		{"legacy CSV, other case", []string{"LINEITEM/LINEITEMTYPE", "lineitem/usagestartdate", "LineItem/UnblendedCost", "lineItem/currencyCode", "Product/Region"}, true},
		{"CUR 2.0", []string{"line_item_line_item_type", "line_item_usage_start_date", "line_item_unblended_cost", "line_item_currency_code", "product_region_code"}, false},
		{"Athena", []string{"line_item_line_item_type", "line_item_usage_start_date", "line_item_unblended_cost", "line_item_currency_code", "product_region"}, false},
	}
	for _, tc := range tests {
		s := resolveSchema(tc.headers)
		if f, missing := s.missingRequired(); missing {
			t.Errorf("%s: required field %s not found", tc.name, fieldSpecs[f].names[0])
		}
		for i, f := range []field{fLineItemType, fUsageStart, fUnblended, fCurrency, fRegion} {
			if s.col[f] != i {
				t.Errorf("%s: field %s at column %d, want %d", tc.name, fieldSpecs[f].names[0], s.col[f], i)
			}
		}
		if s.legacy != tc.legacy {
			t.Errorf("%s: legacy = %v", tc.name, s.legacy)
		}
		if got, want := s.name[fNetUnblended], map[bool]string{true: "lineItem/NetUnblendedCost", false: "line_item_net_unblended_cost"}[tc.legacy]; got != want {
			t.Errorf("%s: missing column named %q, want %q", tc.name, got, want)
		}
	}
}

// product/regionCode wins over product/region, which fills in when the
// code is empty.
func TestRegionFallback(t *testing.T) {
	for _, tc := range []struct{ code, region, want string }{
		{"eu-west-1", "us-east-1", "eu-west-1"},
		{"", "us-east-1", "us-east-1"},
		{"", "", ""},
	} {
		r := ruleRow(map[string]string{"product/regionCode": tc.code, "product/region": tc.region})
		if got := r.str(fRegion); got != tc.want {
			t.Errorf("regionCode %q, region %q: RegionID = %q, want %q", tc.code, tc.region, got, tc.want)
		}
	}
}

func TestMapTagKey(t *testing.T) {
	for _, tc := range []struct{ prefix, key, want string }{
		{"", "user_team", "user:team"},
		{"", "user_cost_center", "user:cost_center"},
		{"", "aws_createdby", "aws:createdby"},
		{"", "user:team", "user:team"}, // written with its colon: as it is
		{"", "team", "team"},
		{"", "username", "username"},
		{"costCategory/", "user_team", "costCategory/user_team"}, // cost categories have no such prefixes
	} {
		if got := mapTagKey(tc.prefix, tc.key); got != tc.want {
			t.Errorf("mapTagKey(%q, %q) = %q, want %q", tc.prefix, tc.key, got, tc.want)
		}
	}
}
