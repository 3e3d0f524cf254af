package cost

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// ChargeCategory is the FOCUS ChargeCategory of a line item.
type ChargeCategory string

// The FOCUS 1.x charge categories.
const (
	ChargeUsage      ChargeCategory = "Usage"
	ChargePurchase   ChargeCategory = "Purchase"
	ChargeTax        ChargeCategory = "Tax"
	ChargeCredit     ChargeCategory = "Credit"
	ChargeAdjustment ChargeCategory = "Adjustment"
)

// ParseChargeCategory maps a FOCUS ChargeCategory (any case) to its constant.
// FOCUS 0.5's ChargeType values are the same words. ok is false for anything else.
func ParseChargeCategory(s string) (c ChargeCategory, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "usage":
		return ChargeUsage, true
	case "purchase":
		return ChargePurchase, true
	case "tax":
		return ChargeTax, true
	case "credit":
		return ChargeCredit, true
	case "adjustment":
		return ChargeAdjustment, true
	}
	return "", false
}

// Basis names the cost column an allocation uses.
type Basis string

// Cost bases: effective (amortized, the default) and billed (invoice).
const (
	BasisEffective Basis = "effective"
	BasisBilled    Basis = "billed"
)

// ParseBasis parses "effective" or "billed".
func ParseBasis(s string) (Basis, bool) {
	switch Basis(s) {
	case BasisEffective, BasisBilled:
		return Basis(s), true
	}
	return "", false
}

// Provenance says where a figure came from, so any figure in any report can
// be traced back to the bill: an object with the 1-based line of the file
// (a CSV's header is line 1, so its first data row is line 2) or the 1-based
// row of a columnar file, or a warehouse query job.
type Provenance struct {
	Object string // file path or object URL, never with credentials
	Line   int64  // 1-based line in the file (CSV header is line 1), 0 if not a text file
	Row    int64  // 1-based data row within the object, 0 if unknown
	Job    string // query job id for warehouse sources
}

// String renders "object:line" or "object row N" or "job ID".
func (p Provenance) String() string {
	switch {
	case p.Job != "":
		return "job " + p.Job
	case p.Line > 0:
		return p.Object + ":" + strconv.FormatInt(p.Line, 10)
	case p.Row > 0:
		return p.Object + " row " + strconv.FormatInt(p.Row, 10)
	}
	return p.Object
}

// LineItem is one normalized bill line, named after the FOCUS columns it carries.
//
// Connectors fill it; nothing downstream parses provider formats. A connector
// may pre-aggregate bill lines that agree on every field but the costs and
// quantity (for example a BigQuery GROUP BY); Count then says how many bill
// lines the item stands for. Count 0 means 1.
type LineItem struct {
	ProviderName       string
	BillingAccountID   string
	BillingAccountName string
	SubAccountID       string // AWS account, GCP project, Azure subscription
	SubAccountName     string
	ResourceGroup      string // Azure resource group (x_ResourceGroupName); empty elsewhere

	BillingPeriodStart time.Time // zero when the source does not say
	ChargePeriodStart  time.Time
	ChargePeriodEnd    time.Time
	ChargeCategory     ChargeCategory
	ChargeClass        string // "Correction" or empty
	ChargeDescription  string

	ServiceName     string
	ServiceCategory string
	SkuID           string // the provider's SKU id
	SkuMeter        string // the provider's meter: Azure MeterName, GCP sku.description
	UsageType       string // AWS usage type (x_UsageType), empty elsewhere

	ResourceID   string
	ResourceName string
	ResourceType string
	RegionID     string

	ConsumedQuantity decimal.Decimal
	ConsumedUnit     string

	BilledCost      decimal.Decimal
	EffectiveCost   decimal.Decimal
	ListCost        decimal.Decimal
	BillingCurrency string

	// Tags holds resource tags with keys as the provider spells them
	// (AWS "user:team", Azure "Team", GCP label keys). Provider-inherited
	// tags (GCP project labels) are included with their own prefix.
	Tags Tags

	Count  int64
	Source Provenance
}

// Lines returns how many bill lines the item stands for (Count, at least 1).
func (li *LineItem) Lines() int64 {
	if li.Count <= 0 {
		return 1
	}
	return li.Count
}

// Cost returns the item's cost on the given basis.
func (li *LineItem) Cost(b Basis) decimal.Decimal {
	if b == BasisBilled {
		return li.BilledCost
	}
	return li.EffectiveCost
}

// Tags is a set of tag key/value pairs, keys as the provider spells them.
type Tags map[string]string

// Get returns the value of key, matched exactly.
func (t Tags) Get(key string) (string, bool) {
	v, ok := t[key]
	return v, ok
}

// GetFold returns the value of key matched case-insensitively; when several
// keys differ only by case, the exact spelling wins, then the smallest key
// in byte order, so the choice is deterministic.
func (t Tags) GetFold(key string) (string, bool) {
	if v, ok := t[key]; ok {
		return v, true
	}
	var best string
	found := false
	for k := range t {
		if strings.EqualFold(k, key) && (!found || k < best) {
			best, found = k, true
		}
	}
	if !found {
		return "", false
	}
	return t[best], true
}

// Keys returns the keys in sorted order.
func (t Tags) Keys() []string {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// UsageRecord is one inference-gateway usage record, named after the
// OpenTelemetry GenAI attributes where they exist.
type UsageRecord struct {
	Timestamp    time.Time
	Team         string
	ActionClass  string
	EvalScope    string
	Model        string // gen_ai.request.model
	InputTokens  int64  // gen_ai.usage.input_tokens
	OutputTokens int64  // gen_ai.usage.output_tokens
	Count        int64  // actions in a pre-aggregated record; 0 means 1
	AgentRunID   string
	RequestID    string
	Source       Provenance
}

// Actions returns the number of actions the record stands for (Count, at least 1).
func (u *UsageRecord) Actions() int64 {
	if u.Count <= 0 {
		return 1
	}
	return u.Count
}
