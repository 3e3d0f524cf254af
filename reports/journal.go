package reports

import (
	"fmt"
	"sort"
	"strings"

	"github.com/allot-dev/allot/allocator"
	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// Accounts are the GL accounts journal lines use.
type Accounts struct {
	ChargebackExpense string
	PlatformRecovery  string
	RegistryFund      string
	BufferFund        string
	CentralBudget     string
	Unallocated       string // suspense for held cost
	Intercompany      string // clearing between companies; needed only when they differ
}

// Booking is where one side of a journal line lands.
type Booking struct {
	Company    string
	CostCenter string
}

// JournalParams maps teams and pseudo-teams to bookings.
type JournalParams struct {
	Prefix      string // journal id prefix, e.g. ALLOT
	Description string // journal header text
	Accounts    Accounts
	Teams       map[string]Booking // consuming teams
	Platform    Booking            // the credit side: the platform's recovery
	Central     Booking            // the central budget line
}

// BuildJournals turns an allocation into balanced journals, one per company
// (all in the run's currency), with deterministic ids
// PREFIX-YYYY-MM-COMPANY-CURRENCY. Lines follow the allocation rows' order.
func BuildJournals(res *allocator.Result, p JournalParams) ([]cost.Journal, error) {
	byCompany := map[string]*cost.Journal{}
	var order []string
	journal := func(company string) *cost.Journal {
		j, ok := byCompany[company]
		if !ok {
			j = &cost.Journal{
				ID:             fmt.Sprintf("%s-%s-%s-%s", p.Prefix, res.Period, company, res.Currency),
				Kind:           "allocation",
				Company:        company,
				Currency:       res.Currency,
				Period:         res.Period,
				AccountingDate: res.Period.LastDay(),
				Description:    p.Description,
			}
			byCompany[company] = j
			order = append(order, company)
		}
		return j
	}
	post := func(b Booking, account string, amt decimal.Decimal, debit bool, desc string, r *allocator.Row) {
		j := journal(b.Company)
		l := cost.JournalLine{Line: len(j.Lines) + 1, Company: b.Company, CostCenter: b.CostCenter, Account: account,
			Debit: decimal.Zero, Credit: decimal.Zero, Description: desc, Team: r.Team, ActionClass: r.Class, Component: r.Component}
		if debit {
			l.Debit = amt
		} else {
			l.Credit = amt
		}
		j.Lines = append(j.Lines, l)
	}
	for i := range res.Rows {
		r := &res.Rows[i]
		dr, drAcct, cr, crAcct, err := sides(r, p)
		if err != nil {
			return nil, err
		}
		amt := r.Amount
		if amt.IsNegative() {
			dr, drAcct, cr, crAcct = cr, crAcct, dr, drAcct
			amt = amt.Neg()
		}
		if amt.IsZero() {
			continue
		}
		desc := lineDescription(res, r)
		if dr.Company == cr.Company {
			post(dr, drAcct, amt, true, desc, r)
			post(cr, crAcct, amt, false, desc, r)
			continue
		}
		if p.Accounts.Intercompany == "" {
			return nil, fmt.Errorf("reports: %s books to company %s but the platform is in company %s; set accounts.intercompany", r.Team, dr.Company, cr.Company)
		}
		icDesc := desc + " (intercompany " + dr.Company + "/" + cr.Company + ")"
		post(dr, drAcct, amt, true, desc, r)
		post(Booking{Company: dr.Company, CostCenter: dr.CostCenter}, p.Accounts.Intercompany, amt, false, icDesc, r)
		post(Booking{Company: cr.Company, CostCenter: cr.CostCenter}, p.Accounts.Intercompany, amt, true, icDesc, r)
		post(cr, crAcct, amt, false, desc, r)
	}
	sort.Strings(order)
	out := make([]cost.Journal, 0, len(order))
	for _, c := range order {
		j := byCompany[c]
		if !j.Balanced() {
			d, cr := j.Totals()
			return nil, fmt.Errorf("reports: journal %s does not balance: debits %s, credits %s", j.ID, d, cr)
		}
		out = append(out, *j)
	}
	return out, nil
}

// sides returns the debit and credit bookings and accounts of a row with a
// positive amount.
func sides(r *allocator.Row, p JournalParams) (dr Booking, drAcct string, cr Booking, crAcct string, err error) {
	a := p.Accounts
	switch r.Team {
	case cost.Central:
		dr, drAcct, cr, crAcct = p.Central, a.CentralBudget, p.Platform, a.PlatformRecovery
		if r.Component == cost.CompCentralRegistry {
			crAcct = a.RegistryFund
		}
		return
	case cost.Unallocated:
		return p.Central, a.Unallocated, p.Platform, a.PlatformRecovery, nil
	}
	team, ok := p.Teams[r.Team]
	if !ok {
		return dr, "", cr, "", fmt.Errorf("reports: allocation row for team %q, which has no booking", r.Team)
	}
	switch r.Component {
	case cost.CompBufferDraw:
		// A draw's amount is negative: the swap in BuildJournals turns this
		// into Dr buffer_fund, Cr the team's expense.
		return team, a.ChargebackExpense, p.Platform, a.BufferFund, nil
	case cost.CompRegistry:
		return team, a.ChargebackExpense, p.Platform, a.RegistryFund, nil
	case cost.CompBufferSurcharge:
		return team, a.ChargebackExpense, p.Platform, a.BufferFund, nil
	}
	return team, a.ChargebackExpense, p.Platform, a.PlatformRecovery, nil
}

func lineDescription(res *allocator.Result, r *allocator.Row) string {
	var b strings.Builder
	fmt.Fprintf(&b, "AI chargeback %s %s", res.Period, r.Team)
	if r.Class != "" {
		b.WriteString(" " + r.Class)
	}
	b.WriteString(" " + string(r.Component))
	if r.HasActions && r.HasUnitPrice {
		fmt.Fprintf(&b, " (%d × %s)", r.Actions, r.UnitPrice)
	}
	if r.Cause != "" {
		b.WriteString(": " + r.Cause)
	}
	return b.String()
}

// NetByCostCenter returns, for an account, the debits minus credits per
// (company, cost center) across journals.
func NetByCostCenter(js []cost.Journal, account string) map[Booking]decimal.Decimal {
	out := map[Booking]decimal.Decimal{}
	for _, j := range js {
		for _, l := range j.Lines {
			if l.Account != account {
				continue
			}
			k := Booking{Company: l.Company, CostCenter: l.CostCenter}
			out[k] = out[k].Add(l.Debit).Sub(l.Credit)
		}
	}
	return out
}
