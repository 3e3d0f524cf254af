package ledger

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/allot-dev/allot/cost"
)

// reversalSuffix ends the id of a reversal: the reversed journal's id
// followed by "-R". A batch is reversed at most once, so the id is unique.
const reversalSuffix = "-R"

// ReversalID returns the id of the reversal of the journal id.
func ReversalID(id string) string { return id + reversalSuffix }

// ReversedID returns the id of the journal a reversal id reverses; ok is
// false when id is not a reversal id.
func ReversedID(id string) (orig string, ok bool) {
	if len(id) > len(reversalSuffix) && strings.HasSuffix(id, reversalSuffix) {
		return strings.TrimSuffix(id, reversalSuffix), true
	}
	return "", false
}

// Plan decides what a run of a period posts, given every batch already
// posted for the period and the allocation journals the run computed (one
// per company and currency, balanced; their ids are ignored).
//
// Pass Ledger.Batches, not Ledger.Live: reversed batches carry the
// revision numbers already used. Planned from the live batches only, a
// company that was reversed and comes back would get its old id again,
// and Post would refuse the posting with ErrDuplicate.
//
// Per company and currency: if the live batch has exactly the lines of the
// next journal (account, cost center, company, team, class, component,
// debit, credit; descriptions, line numbers and order do not matter),
// nothing is posted for it. Otherwise the live batch is reversed (debits
// and credits swapped, kind reversal, id ALLOT-…-An-R) and the next journal
// is posted in full under the next revision, ALLOT-2026-10-1000-USD-A2. A
// live batch whose company and currency no longer appear (or whose next
// journal has no lines) is only reversed. unchanged is true when nothing
// is to be posted. The output is sorted by company and currency, each
// reversal before the journal that replaces it.
//
// Plan never edits a posted batch and never posts a delta, so the sum of
// all posted batches of the period always equals the latest allocation.
func Plan(posted []Batch, next []cost.Journal) (toPost []cost.Journal, unchanged bool, err error) {
	return plan(KindAllocation, posted, next)
}

// PlanReconcile is Plan for a quarter's buffer-reconcile journals (posted
// on the quarter's last month): ids ALLOT-2026Q4-1000-USD-B1, B2, …
func PlanReconcile(posted []Batch, next []cost.Journal) (toPost []cost.Journal, unchanged bool, err error) {
	return plan(KindBufferReconcile, posted, next)
}

type ccKey struct{ company, currency string }

func plan(kind string, posted []Batch, next []cost.Journal) ([]cost.Journal, bool, error) {
	var period cost.Period
	nextBy := map[ccKey]*cost.Journal{}
	for i := range next {
		j := &next[i]
		where := fmt.Sprintf("next[%d] (%s %s)", i, j.Company, j.Currency)
		if j.Kind != "" && j.Kind != kind {
			return nil, false, fmt.Errorf("ledger: plan: %s: kind %q, want %q", where, j.Kind, kind)
		}
		if period.IsZero() {
			period = j.Period
		} else if j.Period != period {
			return nil, false, fmt.Errorf("ledger: plan: %s: period %s differs from %s", where, j.Period, period)
		}
		if !j.Balanced() {
			d, c := j.Totals()
			return nil, false, fmt.Errorf("ledger: plan: %s: %w: debits %s, credits %s", where, ErrUnbalanced, d, c)
		}
		k := ccKey{j.Company, j.Currency}
		if _, dup := nextBy[k]; dup {
			return nil, false, fmt.Errorf("ledger: plan: %s: two journals for company %s %s; merge them into one", where, j.Company, j.Currency)
		}
		if len(j.Lines) > 0 {
			nextBy[k] = j
		}
	}

	taken := map[string]bool{}
	reversed := map[string]bool{}
	for i := range posted {
		b := &posted[i]
		if !period.IsZero() && b.Period != period {
			return nil, false, fmt.Errorf("ledger: plan: batch %s is of %s, not %s: pass the batches of the run's period", b.ID, b.Period, period)
		}
		taken[b.ID] = true
		if b.ReversedBy != "" {
			reversed[b.ID] = true
		}
		if b.Kind == KindReversal {
			if orig, ok := ReversedID(b.ID); ok {
				reversed[orig] = true
			}
			if b.Reverses != "" {
				reversed[b.Reverses] = true
			}
		}
	}
	live := map[ccKey][]*Batch{}
	for i := range posted {
		b := &posted[i]
		if b.Kind == kind && !reversed[b.ID] {
			k := ccKey{b.Company, b.Currency}
			live[k] = append(live[k], b)
		}
	}

	keys := make([]ccKey, 0, len(nextBy)+len(live))
	for k := range nextBy {
		keys = append(keys, k)
	}
	for k := range live {
		if _, ok := nextBy[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].company != keys[j].company {
			return keys[i].company < keys[j].company
		}
		return keys[i].currency < keys[j].currency
	})

	var out []cost.Journal
	for _, k := range keys {
		nx, lv := nextBy[k], live[k]
		if nx != nil && len(lv) == 1 && sameLines(&lv[0].Journal, nx) {
			continue
		}
		var newID string
		if nx != nil {
			newID = nextID(kind, nx, taken)
			taken[newID] = true
		}
		for _, b := range lv {
			reason := "no longer allocated"
			if newID != "" {
				reason = "restated as " + newID
			}
			out = append(out, reversalOf(&b.Journal, reason))
		}
		if nx != nil {
			j := *nx
			j.ID, j.Kind = newID, kind
			j.Lines = append([]cost.JournalLine(nil), nx.Lines...)
			out = append(out, j)
		}
	}
	return out, len(out) == 0, nil
}

// idPrefix is the id of a journal without its revision number:
// ALLOT-2026-10-1000-USD-A for allocations, ALLOT-2026Q4-1000-USD-B for
// buffer reconciliations (ALLOT, or the prefix the provisional id carries).
func idPrefix(kind string, j *cost.Journal) string {
	when, letter := j.Period.String(), "A"
	if kind == KindBufferReconcile {
		when, letter = j.Period.Quarter().String(), "B"
	}
	return namePrefix(j, when) + "-" + when + "-" + idPart(j.Company) + "-" + idPart(j.Currency) + "-" + letter
}

// namePrefix is the configured journal prefix (journal.prefix), read from
// the journal's provisional id PREFIX-WHEN-…; ALLOT when the id carries none.
func namePrefix(j *cost.Journal, when string) string {
	if i := strings.Index(j.ID, "-"+when+"-"); i > 0 {
		return j.ID[:i]
	}
	return "ALLOT"
}

// idPart keeps [A-Za-z0-9._] and turns anything else into "_", so an id
// stays one token in every ERP upload format.
func idPart(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_':
			return r
		}
		return '_'
	}, s)
}

// nextID returns prefix + (highest revision posted under the prefix + 1),
// skipping any id already taken.
func nextID(kind string, j *cost.Journal, taken map[string]bool) string {
	prefix := idPrefix(kind, j)
	n := 0
	for id := range taken {
		rest, ok := strings.CutPrefix(id, prefix)
		if !ok || rest == "" || strings.Trim(rest, "0123456789") != "" {
			continue
		}
		if v, err := strconv.Atoi(rest); err == nil && v > n {
			n = v
		}
	}
	for {
		n++
		id := prefix + strconv.Itoa(n)
		if !taken[id] {
			return id
		}
	}
}

// reversalOf mirrors a journal: same period, date and references, debits
// and credits swapped.
func reversalOf(j *cost.Journal, reason string) cost.Journal {
	r := cost.Journal{
		ID:             ReversalID(j.ID),
		Kind:           KindReversal,
		Company:        j.Company,
		Currency:       j.Currency,
		Period:         j.Period,
		AccountingDate: j.AccountingDate,
		Description:    fmt.Sprintf("Reversal of %s (%s)", j.ID, reason),
		Lines:          make([]cost.JournalLine, len(j.Lines)),
	}
	for i, ln := range j.Lines {
		ln.Debit, ln.Credit = ln.Credit, ln.Debit
		ln.Description = "Reversal: " + ln.Description
		r.Lines[i] = ln
	}
	return r
}

// sameLines compares two journals' lines as multisets of what is booked.
func sameLines(a, b *cost.Journal) bool {
	if len(a.Lines) != len(b.Lines) {
		return false
	}
	ka, kb := lineKeys(a), lineKeys(b)
	for i := range ka {
		if ka[i] != kb[i] {
			return false
		}
	}
	return true
}

func lineKeys(j *cost.Journal) []string {
	keys := make([]string, len(j.Lines))
	for i, ln := range j.Lines {
		company := ln.Company
		if company == "" {
			company = j.Company
		}
		// decimal.String is canonical: equal values print alike.
		keys[i] = strings.Join([]string{company, ln.CostCenter, ln.Account, ln.Team, ln.ActionClass,
			string(ln.Component), ln.Debit.String(), ln.Credit.String()}, "\x00")
	}
	sort.Strings(keys)
	return keys
}
