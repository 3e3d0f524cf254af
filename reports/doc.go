// Package reports turns an allocation into what people and ERPs read: the
// allocation rows (allocations.csv), balanced double-entry journals
// (journal.csv), the run summary with its invariants and coverage
// (summary.json) and the GL recharge rate. Its subpackages render the rest:
// reports/erp the ERP upload formats, reports/gapreport the tagging-gap
// report, reports/statements the team statements and the reconciliation.
//
// # Journal entries
//
// Each allocation row becomes a debit and a credit of the same amount:
//
//	consuming team rows        Dr chargeback_expense @ team      Cr platform_recovery @ platform
//	  (usage, overhead, eval,                                       (registry → registry_fund,
//	   seat, unallocated_share)                                      buffer_surcharge → buffer_fund)
//	buffer_draw                Dr buffer_fund @ platform          Cr chargeback_expense @ team
//	_central rows              Dr central_budget @ central        Cr platform_recovery @ platform
//	                                                                (central_registry → registry_fund)
//	_unallocated rows          Dr unallocated (suspense) @ central Cr platform_recovery @ platform
//
// A negative amount (a credit larger than the cost) swaps the sides. When
// the debit and credit cost centers belong to different companies, each
// company's journal gets its half and the accounts.intercompany clearing
// account balances it, so every journal balances per company and currency.
//
// Held (unallocated) cost is booked to a suspense account at the central
// cost center so the journals recharge the whole bill (the GL recharge
// rate is 100%); a restatement moves it once tags are fixed.
//
// CSV text cells that begin with =, +, - or @ are prefixed with a single
// quote so a spreadsheet never runs them as formulas; numbers are never
// changed.
package reports
