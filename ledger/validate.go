package ledger

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// normalizeRun fills the run's defaults and checks it. posted says whether
// the run comes through Post (status posted) or RecordRun.
func normalizeRun(r *Run, posted bool) error {
	fe := func(field, value string, format string, args ...any) error {
		return &FieldError{Path: "run." + field, Value: value, Err: fmt.Errorf(format, args...)}
	}
	if strings.TrimSpace(r.ID) == "" {
		return fe("id", "", "is empty: give every run an id (ledger.NewRunID)")
	}
	if r.Kind == "" {
		r.Kind = RunAllocation
	}
	if r.Kind != RunAllocation && r.Kind != RunBufferReconcile {
		return fe("kind", string(r.Kind), "want %s or %s", RunAllocation, RunBufferReconcile)
	}
	if r.Period.IsZero() {
		return fe("period", "", "is empty: set the run's billing period")
	}
	switch {
	case posted && r.Status == "":
		r.Status = StatusPosted
	case posted && r.Status != StatusPosted:
		return fe("status", string(r.Status), "Post stores posted runs; record %s runs with RecordRun", r.Status)
	case !posted && r.Status != StatusUnchanged && r.Status != StatusFailed:
		return fe("status", string(r.Status), "RecordRun stores unchanged or failed runs; post journals with Post")
	}
	if r.Status != StatusFailed {
		if _, ok := cost.ParseModel(string(r.Model)); !ok {
			return fe("model", string(r.Model), "want platform, finops or it")
		}
	}
	if r.StartedAt.IsZero() {
		return fe("started_at", "", "is zero: set when the run started")
	}
	if r.FinishedAt.IsZero() {
		return fe("finished_at", "", "is zero: set when the run finished")
	}
	if r.FinishedAt.Before(r.StartedAt) {
		return fe("finished_at", formatTime(r.FinishedAt), "is before started_at %s", formatTime(r.StartedAt))
	}
	if len(r.Summary) == 0 {
		r.Summary = json.RawMessage("{}")
	}
	if !json.Valid(r.Summary) {
		return fe("summary", "", "is not valid JSON")
	}
	for i, in := range r.Inputs {
		if in.Source == "" || in.Object == "" {
			return fe(fmt.Sprintf("inputs[%d]", i), in.Object, "needs a source name and an object")
		}
		if hasPassword(in.Object) {
			return fe(fmt.Sprintf("inputs[%d].object", i), "", "contains a password: record the redacted URL")
		}
	}
	for i, o := range r.Outputs {
		if hasPassword(o) {
			return fe(fmt.Sprintf("outputs[%d]", i), "", "contains a password: record the redacted URL")
		}
	}
	if r.User == "" || r.Host == "" {
		u, h := whoami()
		if r.User == "" {
			r.User = u
		}
		if r.Host == "" {
			r.Host = h
		}
	}
	return nil
}

// hasPassword reports whether s is a URL with a password in its user info.
func hasPassword(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return false
	}
	_, ok := u.User.Password()
	return ok
}

// ownKind is the journal kind a run kind posts (besides reversals).
func ownKind(k RunKind) string {
	if k == RunBufferReconcile {
		return KindBufferReconcile
	}
	return KindAllocation
}

// validatePosting checks everything that needs no database: the run, each
// journal on its own (kind, period, lines, balance, rounding), and the
// buffer movement's invariant.
func validatePosting(p *Posting) error {
	if err := normalizeRun(&p.Run, true); err != nil {
		return err
	}
	own := ownKind(p.Run.Kind)
	seen := map[string]int{}
	for i := range p.Journals {
		j := &p.Journals[i]
		path := fmt.Sprintf("journals[%d]", i)
		if j.ID == "" {
			return &FieldError{Path: path + ".id", Err: errors.New("is empty: plan the journals with ledger.Plan")}
		}
		if k, dup := seen[j.ID]; dup {
			return &FieldError{Path: path + ".id", Value: j.ID, Err: fmt.Errorf("%w: journals[%d] has the same id", ErrDuplicate, k)}
		}
		seen[j.ID] = i
		if err := validateJournal(j, "journal "+j.ID, own, p.Run.Period); err != nil {
			return err
		}
	}
	if p.Buffer != nil {
		return validateMovement(p.Buffer, p.Run)
	}
	return nil
}

func validateJournal(j *cost.Journal, path, own string, period cost.Period) error {
	fe := func(field, value string, format string, args ...any) error {
		return &FieldError{Path: path + field, Value: value, Err: fmt.Errorf(format, args...)}
	}
	switch j.Kind {
	case own:
	case KindReversal:
		if _, ok := ReversedID(j.ID); !ok {
			return fe(" id", j.ID, "a reversal's id is the reversed journal's id with the suffix %q (ledger.Plan writes it)", reversalSuffix)
		}
	default:
		return fe(" kind", j.Kind, "this run posts %s and reversal journals", own)
	}
	if j.Period != period {
		return fe(" period", j.Period.String(), "differs from the run's period %s", period)
	}
	if strings.TrimSpace(j.Company) == "" {
		return fe(" company", "", "is empty")
	}
	if !cost.ValidCurrency(j.Currency) {
		return fe(" currency", j.Currency, "want an ISO 4217 code such as USD")
	}
	if j.AccountingDate.IsZero() {
		return fe(" accounting_date", "", "is zero: journals of a period are dated its last day")
	}
	if len(j.Lines) == 0 {
		return fe(" lines", "", "a journal needs at least one line")
	}
	places := cost.MinorUnits(j.Currency)
	for k, ln := range j.Lines {
		lp := fmt.Sprintf(" line %d", ln.Line)
		if ln.Line <= 0 {
			lp = fmt.Sprintf(" lines[%d]", k)
		}
		if ln.Company != "" && ln.Company != j.Company {
			return fe(lp+" company", ln.Company, "differs from the journal's company %s", j.Company)
		}
		if strings.TrimSpace(ln.Account) == "" {
			return fe(lp+" account", "", "is empty")
		}
		for _, a := range []struct {
			name string
			v    decimal.Decimal
		}{{"debit", ln.Debit}, {"credit", ln.Credit}} {
			if a.v.IsNegative() {
				return fe(lp+" "+a.name, a.v.String(), "is negative: book it on the other side")
			}
			if !a.v.Equal(a.v.Round(places)) {
				return fe(lp+" "+a.name, a.v.String(), "has more decimals than %s's minor unit (%d)", j.Currency, places)
			}
		}
		if ln.Debit.IsZero() == ln.Credit.IsZero() {
			return fe(lp, fmt.Sprintf("debit %s credit %s", ln.Debit, ln.Credit), "exactly one of debit and credit must be non-zero")
		}
	}
	if d, c := j.Totals(); !d.Equal(c) {
		return fe("", j.ID, "%w: debits %s, credits %s", ErrUnbalanced, d, c)
	}
	return nil
}

func validateMovement(m *BufferMovement, r Run) error {
	fe := func(field, value string, format string, args ...any) error {
		return &FieldError{Path: "buffer" + field, Value: value, Err: fmt.Errorf(format, args...)}
	}
	want := MovementMonth
	if r.Kind == RunBufferReconcile {
		want = MovementReconcile
	}
	if m.Kind == "" {
		m.Kind = want
	}
	if m.Kind != want {
		return fe(" kind", string(m.Kind), "a %s run stores a %s movement", r.Kind, want)
	}
	if m.Period != r.Period {
		return fe(" period", m.Period.String(), "differs from the run's period %s", r.Period)
	}
	if !cost.ValidCurrency(m.Currency) {
		return fe(" currency", m.Currency, "want an ISO 4217 code such as USD")
	}
	places := cost.MinorUnits(m.Currency)
	amounts := []struct {
		name string
		v    decimal.Decimal
	}{{"opening", m.Opening}, {"surcharges", m.Surcharges}, {"adjustment", m.Adjustment}, {"closing", m.Closing}}
	for i, d := range m.Draws {
		p := fmt.Sprintf(" draws[%d]", i)
		if d.Team == "" {
			return fe(p+" team", "", "is empty")
		}
		if strings.TrimSpace(d.Cause) == "" {
			return fe(p+" cause", "", "is empty: a draw needs a disclosed cause")
		}
		if !d.Amount.IsPositive() {
			return fe(p+" amount", d.Amount.String(), "a draw is a positive amount out of the fund")
		}
		amounts = append(amounts, struct {
			name string
			v    decimal.Decimal
		}{p[1:] + " amount", d.Amount})
	}
	for _, a := range amounts {
		if !a.v.Equal(a.v.Round(places)) {
			return fe(" "+a.name, a.v.String(), "has more decimals than %s's minor unit (%d)", m.Currency, places)
		}
	}
	if m.Surcharges.IsNegative() {
		return fe(" surcharges", m.Surcharges.String(), "is negative")
	}
	if m.Kind == MovementMonth && !m.Adjustment.IsZero() {
		return fe(" adjustment", m.Adjustment.String(), "only a quarter-end reconciliation adjusts the fund")
	}
	if !m.Balanced() {
		return fe("", "", "%w: opening %s + surcharges %s − draws %s + adjustment %s ≠ closing %s",
			ErrInvalid, m.Opening, m.Surcharges, m.DrawTotal(), m.Adjustment, m.Closing)
	}
	return nil
}
