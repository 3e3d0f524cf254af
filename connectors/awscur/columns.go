package awscur

import (
	"strings"

	"github.com/allot-dev/allot/connectors/internal/textio"
)

// field is one column the connector reads, whatever the export calls it.
type field int

const (
	fLineItemType field = iota
	fUsageStart
	fUsageEnd
	fBillingPeriodStart
	fPayer
	fPayerName
	fUsageAccount
	fUsageAccountName
	fProductCode
	fUsageType
	fDescription
	fResourceID
	fSku
	fRegion
	fUsageAmount
	fPricingUnit
	fCurrency
	fUnblended
	fNetUnblended
	fPublicOnDemandCost
	fRIEffective
	fRINetEffective
	fRIUnusedUpfront
	fRINetUnusedUpfront
	fRIUnusedRecurring
	fRINetUnusedRecurring
	fReservationARN
	fSPEffective
	fSPNetEffective
	fSPTotalCommitment
	fSPUsedCommitment
	numFields
)

// fieldSpec names a field's column in each naming: the legacy CSV header
// (category/Name) first, then the snake_case names of CUR 2.0 and of the
// Athena/Parquet legacy CUR. The first name found is the field's column;
// for text fields a second name found is read when the first one's cell is
// empty (product/regionCode, then product/region).
type fieldSpec struct {
	names    []string
	required bool
}

var fieldSpecs = [numFields]fieldSpec{
	fLineItemType:         {names: []string{"lineItem/LineItemType", "line_item_line_item_type"}, required: true},
	fUsageStart:           {names: []string{"lineItem/UsageStartDate", "line_item_usage_start_date"}, required: true},
	fUsageEnd:             {names: []string{"lineItem/UsageEndDate", "line_item_usage_end_date"}},
	fBillingPeriodStart:   {names: []string{"bill/BillingPeriodStartDate", "bill_billing_period_start_date"}},
	fPayer:                {names: []string{"bill/PayerAccountId", "bill_payer_account_id"}},
	fPayerName:            {names: []string{"bill/PayerAccountName", "bill_payer_account_name"}},
	fUsageAccount:         {names: []string{"lineItem/UsageAccountId", "line_item_usage_account_id"}},
	fUsageAccountName:     {names: []string{"lineItem/UsageAccountName", "line_item_usage_account_name"}},
	fProductCode:          {names: []string{"lineItem/ProductCode", "line_item_product_code"}},
	fUsageType:            {names: []string{"lineItem/UsageType", "line_item_usage_type"}},
	fDescription:          {names: []string{"lineItem/LineItemDescription", "line_item_line_item_description"}},
	fResourceID:           {names: []string{"lineItem/ResourceId", "line_item_resource_id"}},
	fSku:                  {names: []string{"product/sku", "product_sku"}},
	fRegion:               {names: []string{"product/regionCode", "product/region", "product_region_code", "product_region"}},
	fUsageAmount:          {names: []string{"lineItem/UsageAmount", "line_item_usage_amount"}},
	fPricingUnit:          {names: []string{"pricing/unit", "pricing_unit"}},
	fCurrency:             {names: []string{"lineItem/CurrencyCode", "line_item_currency_code"}, required: true},
	fUnblended:            {names: []string{"lineItem/UnblendedCost", "line_item_unblended_cost"}, required: true},
	fNetUnblended:         {names: []string{"lineItem/NetUnblendedCost", "line_item_net_unblended_cost"}},
	fPublicOnDemandCost:   {names: []string{"pricing/publicOnDemandCost", "pricing_public_on_demand_cost"}},
	fRIEffective:          {names: []string{"reservation/EffectiveCost", "reservation_effective_cost"}},
	fRINetEffective:       {names: []string{"reservation/NetEffectiveCost", "reservation_net_effective_cost"}},
	fRIUnusedUpfront:      {names: []string{"reservation/UnusedAmortizedUpfrontFeeForBillingPeriod", "reservation_unused_amortized_upfront_fee_for_billing_period"}},
	fRINetUnusedUpfront:   {names: []string{"reservation/NetUnusedAmortizedUpfrontFeeForBillingPeriod", "reservation_net_unused_amortized_upfront_fee_for_billing_period"}},
	fRIUnusedRecurring:    {names: []string{"reservation/UnusedRecurringFee", "reservation_unused_recurring_fee"}},
	fRINetUnusedRecurring: {names: []string{"reservation/NetUnusedRecurringFee", "reservation_net_unused_recurring_fee"}},
	fReservationARN:       {names: []string{"reservation/ReservationARN", "reservation_reservation_a_r_n", "reservation_reservation_arn"}},
	fSPEffective:          {names: []string{"savingsPlan/SavingsPlanEffectiveCost", "savings_plan_savings_plan_effective_cost"}},
	fSPNetEffective:       {names: []string{"savingsPlan/NetSavingsPlanEffectiveCost", "savings_plan_net_savings_plan_effective_cost"}},
	fSPTotalCommitment:    {names: []string{"savingsPlan/TotalCommitmentToDate", "savings_plan_total_commitment_to_date"}},
	fSPUsedCommitment:     {names: []string{"savingsPlan/UsedCommitment", "savings_plan_used_commitment"}},
}

// Tag key prefixes of the normalized line item.
const (
	// costCategoryPrefix starts the key of a cost category in Tags, for
	// both generations: legacy costCategory/Team and CUR 2.0 cost_category['Team']
	// both become costCategory/Team.
	costCategoryPrefix = "costCategory/"
)

// tagColumn is a column that holds one tag: its value is the tag's value.
type tagColumn struct {
	idx int
	key string
}

// mapColumn is a column that holds a map of tags (CUR 2.0 resource_tags and
// cost_category): a Parquet MAP, or JSON text in CSV.
type mapColumn struct {
	idx    int
	name   string // as written in the file
	prefix string // prepended to each map key
}

// schema says where each field and tag lives in one file.
type schema struct {
	col    [numFields]int    // column index, -1 when absent
	alt    [numFields]int    // a second column read when col's cell is empty (region code, then region), -1 when none
	name   [numFields]string // header as written, or the expected name when absent
	tags   []tagColumn
	maps   []mapColumn
	legacy bool // category/Name headers
}

// resolveSchema maps a file's headers to fields and tags. Names match
// case-insensitively; unknown columns are ignored.
func resolveSchema(headers []string) *schema {
	s := &schema{}
	index := make(map[string]int, len(headers))
	for i, h := range headers {
		k := textio.NormalizeHeader(h)
		if _, dup := index[k]; !dup {
			index[k] = i
		}
		if strings.Contains(h, "/") {
			s.legacy = true
		}
	}
	for f := range numFields {
		s.col[f], s.alt[f] = -1, -1
		for _, n := range fieldSpecs[f].names {
			i, ok := index[textio.NormalizeHeader(n)]
			switch {
			case !ok:
			case s.col[f] < 0:
				s.col[f] = i
				s.name[f] = headers[i]
			case s.alt[f] < 0 && i != s.col[f]:
				s.alt[f] = i
			}
		}
		if s.col[f] < 0 {
			s.name[f] = s.expectedName(f)
		}
	}
	seen := map[string]bool{}
	for i, h := range headers {
		key, isMap, prefix, ok := classifyTagColumn(h)
		if !ok {
			continue
		}
		if isMap {
			s.maps = append(s.maps, mapColumn{idx: i, name: h, prefix: prefix})
			continue
		}
		if seen[key] {
			continue // the first column of a key wins, as in header lookup
		}
		seen[key] = true
		s.tags = append(s.tags, tagColumn{idx: i, key: key})
	}
	return s
}

// expectedName is the name a missing field's column would have in this
// file's naming, for error messages.
func (s *schema) expectedName(f field) string {
	for _, n := range fieldSpecs[f].names {
		if strings.Contains(n, "/") == s.legacy {
			return n
		}
	}
	return fieldSpecs[f].names[0]
}

// missingRequired returns the first required field the file lacks.
func (s *schema) missingRequired() (field, bool) {
	for f := range numFields {
		if fieldSpecs[f].required && s.col[f] < 0 {
			return f, true
		}
	}
	return 0, false
}

// mapTagKey is the tag key of key k of a map column whose keys get prefix.
// AWS writes the keys of CUR 2.0's resource_tags as user_<key> and
// aws_<key>, spelled as the legacy Athena columns spell them (lower case,
// punctuation as _): they read as user:<key> and aws:<key>, as those
// columns (resource_tags_user_<key>) do, so that one team key (user:team)
// serves every CUR flavour. Keys written with their colon stay as they are.
func mapTagKey(prefix, k string) string {
	if prefix == "" {
		switch {
		case strings.HasPrefix(k, "user_"):
			return "user:" + k[len("user_"):]
		case strings.HasPrefix(k, "aws_"):
			return "aws:" + k[len("aws_"):]
		}
	}
	return prefix + k
}

// classifyTagColumn says whether header h holds tags, and under which key:
//
//	resourceTags/user:team          → one tag, key user:team
//	resourceTags/aws:createdBy      → one tag, key aws:createdBy
//	costCategory/CostCenter         → one tag, key costCategory/CostCenter
//	resource_tags                   → a map (CUR 2.0), keys user_team → user:team (mapTagKey)
//	cost_category                   → a map (CUR 2.0), keys prefixed costCategory/
//	resource_tags_user_team         → one tag, key user:team (Athena naming, lossy)
//	resource_tags_aws_created_by    → one tag, key aws:created_by (lossy)
//	cost_category_cost_center       → one tag, key costCategory/cost_center (lossy)
func classifyTagColumn(h string) (key string, isMap bool, prefix string, ok bool) {
	l := strings.ToLower(strings.TrimSpace(h))
	h = strings.TrimSpace(h)
	switch {
	case strings.HasPrefix(l, "resourcetags/"):
		key = h[len("resourceTags/"):]
	case strings.HasPrefix(l, "costcategory/"):
		key = costCategoryPrefix + h[len("costCategory/"):]
	case l == "resource_tags":
		return "", true, "", true
	case l == "cost_category":
		return "", true, costCategoryPrefix, true
	case strings.HasPrefix(l, "resource_tags_user_"):
		key = "user:" + h[len("resource_tags_user_"):]
	case strings.HasPrefix(l, "resource_tags_aws_"):
		key = "aws:" + h[len("resource_tags_aws_"):]
	case strings.HasPrefix(l, "resource_tags_"):
		key = h[len("resource_tags_"):]
	case strings.HasPrefix(l, "cost_category_"):
		key = costCategoryPrefix + h[len("cost_category_"):]
	default:
		return "", false, "", false
	}
	if key == "" || key == costCategoryPrefix {
		return "", false, "", false
	}
	return key, false, "", true
}
