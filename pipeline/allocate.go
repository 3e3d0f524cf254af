package pipeline

import (
	"strings"

	"github.com/allot-dev/allot/allocator"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/reports"
	"github.com/allot-dev/allot/rules"
	"github.com/shopspring/decimal"
)

// AllocatorInput builds the allocator's input from the configuration, the
// gathered period and (in price-list mode) the price list.
func AllocatorInput(cfg *rules.Config, g *Gathered, pl *rules.PriceList, buf allocator.BufferState) allocator.Input {
	p := allocator.Params{
		Mode:            allocator.Mode(cfg.Pricing.Mode),
		OverheadRate:    cfg.Pricing.OverheadRate.Dec(),
		RegistryRate:    cfg.Pricing.RegistryRate.Dec(),
		BufferRate:      cfg.Pricing.BufferRate.Dec(),
		RegistryCharged: cfg.Pricing.Registry == rules.RegistryCharged,
		ConsumerShare:   cfg.Eval.ConsumerShare.Dec(),
		EvalClass:       cfg.EvalClass,
		Seats:           *cfg.Seats.Enabled,
		SeatFee:         cfg.Seats.MonthlyFee.Dec(),
		DrawThreshold:   cfg.Buffer.DrawThreshold.Dec(),
		Classes:         cfg.ActionClasses,
	}
	switch u := cfg.Tagging.Unallocated; {
	case u == rules.PolicyProportional:
		p.Unallocated = allocator.Proportional
	case strings.HasPrefix(u, rules.PolicyAssign):
		p.Unallocated, p.AssignTeam = allocator.Assign, strings.TrimPrefix(u, rules.PolicyAssign)
	default:
		p.Unallocated = allocator.Hold
	}
	if cfg.Buffer.QuarterlyCap != nil {
		c := cfg.Buffer.QuarterlyCap.Dec()
		p.QuarterlyCap = &c
	}
	in := allocator.Input{Period: g.Period, Currency: cfg.Currency, Params: p, Costs: g.Costs, Actions: g.Actions, Buffer: buf}
	for _, t := range cfg.Teams {
		at := allocator.Team{ID: t.ID, Platform: t.Platform, Seats: t.Seats}
		if t.Forecast != nil {
			f := t.Forecast.Dec()
			at.Forecast = &f
		}
		in.Teams = append(in.Teams, at)
	}
	if pl != nil {
		in.Prices = map[string]allocator.Price{}
		for c, cp := range pl.Classes {
			in.Prices[c] = allocator.Price{Base: cp.Base, Overhead: cp.Overhead, Registry: cp.Registry, Buffer: cp.Buffer, Price: cp.Price}
		}
	}
	for _, d := range cfg.Buffer.Draws {
		if d.Period == g.Period {
			in.Draws = append(in.Draws, allocator.DrawRequest{Team: d.Team, Cause: d.Cause})
		}
	}
	return in
}

// JournalParams maps the configuration's teams and accounts to bookings.
func JournalParams(cfg *rules.Config) reports.JournalParams {
	a := cfg.Accounts
	jp := reports.JournalParams{
		Prefix:      cfg.Journal.Prefix,
		Description: "allot AI chargeback (" + string(cfg.Model) + " model)",
		Accounts: reports.Accounts{ChargebackExpense: a.ChargebackExpense, PlatformRecovery: a.PlatformRecovery,
			RegistryFund: a.RegistryFund, BufferFund: a.BufferFund, CentralBudget: a.CentralBudget,
			Unallocated: a.Unallocated, Intercompany: a.Intercompany},
		Teams:   map[string]reports.Booking{},
		Central: reports.Booking{Company: cfg.Central.Company, CostCenter: cfg.Central.CostCenter},
	}
	for _, t := range cfg.Teams {
		b := reports.Booking{Company: t.Company, CostCenter: t.CostCenter}
		if t.Platform {
			jp.Platform = b
			continue
		}
		jp.Teams[t.ID] = b
	}
	return jp
}

// roundOpening rounds a configured opening balance to the currency's minor unit.
func roundOpening(d decimal.Decimal, currency string) decimal.Decimal {
	return d.Round(cost.MinorUnits(currency))
}
