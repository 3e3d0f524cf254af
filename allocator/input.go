package allocator

import (
	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// Mode is how usage is charged.
type Mode string

// Pricing modes.
const (
	ModePriceList Mode = "price_list"
	ModeCost      Mode = "cost"
)

// PolicyKind is what happens to unallocated cost.
type PolicyKind string

// Unallocated policies.
const (
	Hold         PolicyKind = "hold"
	Proportional PolicyKind = "proportional"
	Assign       PolicyKind = "assign"
)

// Params are an operating model's settings for one run.
type Params struct {
	Mode            Mode
	OverheadRate    decimal.Decimal // o, cost mode
	RegistryRate    decimal.Decimal // r, cost mode
	BufferRate      decimal.Decimal // f, cost mode
	RegistryCharged bool            // registry inside the team's charge, else central
	ConsumerShare   decimal.Decimal // s
	EvalClass       string
	Seats           bool
	SeatFee         decimal.Decimal
	Unallocated     PolicyKind
	AssignTeam      string // for Assign
	DrawThreshold   decimal.Decimal
	QuarterlyCap    *decimal.Decimal // nil: no cap
	// Classes orders classes in the result (configured order); classes not
	// listed sort after them by name.
	Classes []string
}

// Team is a registered team.
type Team struct {
	ID       string
	Platform bool
	Forecast *decimal.Decimal // nil: none
	Seats    int
}

// CostGroup is resolved bill cost in the corporate currency, aggregated by
// everything the allocator distinguishes.
type CostGroup struct {
	Team      string // registered team id, or "" for no team
	Class     string // action class, or "" when none was resolved
	Scope     string
	Component string // platform component, e.g. "registry"
	Cost      decimal.Decimal
	Lines     int64
}

// ActionGroup is a count of gateway actions.
type ActionGroup struct {
	Team    string // the team value after the value map; may be unregistered or ""
	Class   string
	Scope   string
	Actions int64
}

// Price is one class's published price and its parts, each rounded to 6 decimals.
type Price struct {
	Base, Overhead, Registry, Buffer, Price decimal.Decimal
}

// DrawRequest is a disclosed draw for the period.
type DrawRequest struct {
	Team  string
	Cause string
}

// BufferState is the fund before this period.
type BufferState struct {
	Opening decimal.Decimal
	// QuarterDrawn is what each team drew in earlier months of the quarter.
	QuarterDrawn map[string]decimal.Decimal
}

// Input is one period's allocation problem.
type Input struct {
	Period   cost.Period
	Currency string
	Params   Params
	Teams    []Team
	Costs    []CostGroup
	Actions  []ActionGroup
	Prices   map[string]Price // price-list mode; per class
	Draws    []DrawRequest
	Buffer   BufferState
}
