package ledger

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/internal/testutil"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// posted turns planned journals into batches the way the store would.
func posted(prior []Batch, js ...cost.Journal) []Batch {
	out := append([]Batch(nil), prior...)
	for _, j := range js {
		b := Batch{Journal: j}
		if orig, ok := ReversedID(j.ID); ok && j.Kind == KindReversal {
			b.Reverses = orig
			for i := range out {
				if out[i].ID == orig {
					out[i].ReversedBy = j.ID
				}
			}
		}
		out = append(out, b)
	}
	return out
}

func TestPlan(t *testing.T) {
	oct := period("2026-10")
	a := allocation(oct, "1000", "1000.00", "40.00")
	b := allocation(oct, "1000", "1250.00", "50.00")
	other := allocation(oct, "2000", "10.00", "0.40")

	// a, shuffled and re-described: the same bookings.
	aShuffled := allocation(oct, "1000", "1000.00", "40.00")
	aShuffled.Lines[0], aShuffled.Lines[3] = aShuffled.Lines[3], aShuffled.Lines[0]
	for i := range aShuffled.Lines {
		aShuffled.Lines[i].Line = 10 + i
		aShuffled.Lines[i].Description = "reworded"
	}
	aShuffled.Lines[1].Debit = d("40.0000") // the same value, another exponent

	withA1 := func() []Batch {
		j := a
		j.ID = "ALLOT-2026-10-1000-USD-A1"
		return posted(nil, j)
	}
	restated := func() []Batch { // A1, A1-R, A2 (= b) live
		bs := withA1()
		j := b
		j.ID = "ALLOT-2026-10-1000-USD-A2"
		return posted(bs, reversalOf(&bs[0].Journal, "restated as ALLOT-2026-10-1000-USD-A2"), j)
	}
	dropped := func() []Batch { // A1 reversed, nothing live
		bs := withA1()
		return posted(bs, reversalOf(&bs[0].Journal, "no longer allocated"))
	}

	cases := []struct {
		name          string
		posted        []Batch
		next          []cost.Journal
		wantIDs       []string
		wantUnchanged bool
	}{
		{"first run", nil, []cost.Journal{other, a}, []string{"ALLOT-2026-10-1000-USD-A1", "ALLOT-2026-10-2000-USD-A1"}, false},
		{"same figures", withA1(), []cost.Journal{a}, nil, true},
		{"same bookings in another order and wording", withA1(), []cost.Journal{aShuffled}, nil, true},
		{"restated", withA1(), []cost.Journal{b}, []string{"ALLOT-2026-10-1000-USD-A1-R", "ALLOT-2026-10-1000-USD-A2"}, false},
		{"restated and a new company", withA1(), []cost.Journal{b, other},
			[]string{"ALLOT-2026-10-1000-USD-A1-R", "ALLOT-2026-10-1000-USD-A2", "ALLOT-2026-10-2000-USD-A1"}, false},
		{"flip-flop back to the first figures", restated(), []cost.Journal{a}, []string{"ALLOT-2026-10-1000-USD-A2-R", "ALLOT-2026-10-1000-USD-A3"}, false},
		{"company no longer allocated", withA1(), []cost.Journal{other}, []string{"ALLOT-2026-10-1000-USD-A1-R", "ALLOT-2026-10-2000-USD-A1"}, false},
		{"nothing allocated any more", withA1(), nil, []string{"ALLOT-2026-10-1000-USD-A1-R"}, false},
		{"a next journal without lines reverses", withA1(), []cost.Journal{journal(oct, "1000", "USD")}, []string{"ALLOT-2026-10-1000-USD-A1-R"}, false},
		{"company comes back after a reversal", dropped(), []cost.Journal{a}, []string{"ALLOT-2026-10-1000-USD-A2"}, false},
		{"empty ledger, empty run", nil, nil, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, unchanged, err := Plan(c.posted, c.next)
			if err != nil {
				t.Fatal(err)
			}
			if unchanged != c.wantUnchanged {
				t.Errorf("unchanged = %v, want %v", unchanged, c.wantUnchanged)
			}
			if diff := cmp.Diff(c.wantIDs, ids(got), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			// Whatever the plan, the ledger ends at the next figures.
			after := journalsOf(posted(c.posted, got...))
			if diff := cmp.Diff(netBy(c.next), netBy(after), decimalEqual); diff != "" {
				t.Errorf("net after the plan differs from the next journals (-want +got):\n%s", diff)
			}
			for _, j := range got {
				if !j.Balanced() {
					t.Errorf("%s does not balance", j.ID)
				}
			}
		})
	}
}

func TestPlanReversalMirrorsTheLiveBatch(t *testing.T) {
	oct := period("2026-10")
	a := allocation(oct, "1000", "1000.00", "40.00")
	a.ID = "ALLOT-2026-10-1000-USD-A1"
	got, _, err := Plan(posted(nil, a), []cost.Journal{allocation(oct, "1000", "900.00", "36.00")})
	if err != nil {
		t.Fatal(err)
	}
	rev := got[0]
	// Written out by hand: every debit becomes a credit of the same amount.
	want := []struct{ account, debit, credit string }{
		{"650100", "0", "1000.00"},
		{"650100", "0", "40.00"},
		{"490100", "1000.00", "0"},
		{"290500", "40.00", "0"},
	}
	if rev.Kind != KindReversal || rev.ID != "ALLOT-2026-10-1000-USD-A1-R" || rev.Period != oct || !rev.AccountingDate.Equal(a.AccountingDate) {
		t.Fatalf("reversal header = %s %s %s %s", rev.ID, rev.Kind, rev.Period, rev.AccountingDate)
	}
	for i, w := range want {
		ln := rev.Lines[i]
		if ln.Account != w.account || !ln.Debit.Equal(d(w.debit)) || !ln.Credit.Equal(d(w.credit)) || ln.Team != "search" {
			t.Errorf("line %d = %s debit %s credit %s, want %s debit %s credit %s", i+1, ln.Account, ln.Debit, ln.Credit, w.account, w.debit, w.credit)
		}
	}
	if err := mirrors(rev.Lines, a.Lines); err != nil {
		t.Error(err)
	}
}

func TestPlanErrors(t *testing.T) {
	oct, nov := period("2026-10"), period("2026-11")
	unbalanced := allocation(oct, "1000", "1.00", "0.04")
	unbalanced.Lines[0].Debit = d("2.00")
	wrongKind := allocation(oct, "1000", "1.00", "0.04")
	wrongKind.Kind = KindReversal
	novBatch := allocation(nov, "1000", "1.00", "0.04")
	novBatch.ID = "ALLOT-2026-11-1000-USD-A1"
	cases := []struct {
		name   string
		posted []Batch
		next   []cost.Journal
		want   error
	}{
		{"unbalanced", nil, []cost.Journal{unbalanced}, ErrUnbalanced},
		{"two journals for one company and currency", nil, []cost.Journal{allocation(oct, "1000", "1.00", "0.04"), allocation(oct, "1000", "2.00", "0.08")}, nil},
		{"two periods", nil, []cost.Journal{allocation(oct, "1000", "1.00", "0.04"), allocation(nov, "2000", "1.00", "0.04")}, nil},
		{"wrong kind", nil, []cost.Journal{wrongKind}, nil},
		{"batches of another period", posted(nil, novBatch), []cost.Journal{allocation(oct, "1000", "1.00", "0.04")}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := Plan(c.posted, c.next)
			if err == nil {
				t.Fatal("Plan succeeded")
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func TestPlanIDsNeverCollide(t *testing.T) {
	oct := period("2026-10")
	// Two company codes that read alike once made safe for an id.
	spaced, slashed := allocation(oct, "ACME US", "1.00", "0.04"), allocation(oct, "ACME/US", "2.00", "0.08")
	got, _, err := Plan(nil, []cost.Journal{slashed, spaced})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"ALLOT-2026-10-ACME_US-USD-A1", "ALLOT-2026-10-ACME_US-USD-A2"}; !cmp.Equal(ids(got), want) {
		t.Fatalf("ids = %v, want %v", ids(got), want)
	}
	// Restating the second: its next revision skips every id taken.
	got2, _, err := Plan(posted(nil, got...), []cost.Journal{spaced, allocation(oct, "ACME/US", "3.00", "0.12")})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"ALLOT-2026-10-ACME_US-USD-A2-R", "ALLOT-2026-10-ACME_US-USD-A3"}; !cmp.Equal(ids(got2), want) {
		t.Errorf("ids = %v, want %v", ids(got2), want)
	}
}

func TestPlanGolden(t *testing.T) {
	oct := period("2026-10")
	a := allocation(oct, "1000", "1000.00", "40.00")
	a.ID = "ALLOT-2026-10-1000-USD-A1"
	got, _, err := Plan(posted(nil, a), []cost.Journal{allocation(oct, "1000", "1250.00", "50.00")})
	if err != nil {
		t.Fatal(err)
	}
	testutil.AssertGolden(t, filepath.Join("testdata", "plan_restatement.golden"), []byte(renderJournals(got)))
}

// renderJournals writes journals the way a person reviews them.
func renderJournals(js []cost.Journal) string {
	var b strings.Builder
	for _, j := range js {
		fmt.Fprintf(&b, "%s  %s  %s  company %s  %s  dated %s\n  %s\n", j.ID, j.Kind, j.Period, j.Company, j.Currency,
			j.AccountingDate.Format("2006-01-02"), j.Description)
		for _, ln := range j.Lines {
			places := cost.MinorUnits(j.Currency)
			fmt.Fprintf(&b, "  %3d  %-8s %-8s %14s %14s  %-40s %s\n", ln.Line, ln.Account, ln.CostCenter,
				cost.FormatAmount(ln.Debit, places), cost.FormatAmount(ln.Credit, places), ln.Reference(), ln.Description)
		}
		dr, cr := j.Totals()
		fmt.Fprintf(&b, "       %-17s %14s %14s\n\n", "total", cost.FormatAmount(dr, 2), cost.FormatAmount(cr, 2))
	}
	return b.String()
}

// TestPlanKeepsConfiguredPrefix: journal.prefix reaches the posted ids
// through the provisional id the journal builder gives.
func TestPlanKeepsConfiguredPrefix(t *testing.T) {
	j := allocation(cost.Period{Year: 2026, Month: 10}, "1000", "10.00", "0.40")
	j.ID = "ACME-FIN-2026-10-1000-USD"
	out, _, err := Plan(nil, []cost.Journal{j})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := out[0].ID, "ACME-FIN-2026-10-1000-USD-A1"; got != want {
		t.Errorf("id = %s, want %s", got, want)
	}
	j.ID = ""
	if out, _, _ := Plan(nil, []cost.Journal{j}); out[0].ID != "ALLOT-2026-10-1000-USD-A1" {
		t.Errorf("without a provisional id: %s, want the ALLOT default", out[0].ID)
	}
}
