package fastagg

import (
	"fmt"
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

type refGroup struct {
	sum   [2]decimal.Decimal
	count int64
	first Pos
	start Instant
	end   Instant
}

// TestTableProperty: grouping lines in one table, or in several tables
// merged in any order, gives the exact sums, counts, periods and first
// positions a plain map of decimals gives.
func TestTableProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 300).Draw(t, "lines")
		workers := rapid.IntRange(1, 4).Draw(t, "workers")
		tables := make([]*Table, workers)
		for i := range tables {
			tables[i] = NewTable(2)
		}
		ref := map[string]*refGroup{}
		for i := 0; i < n; i++ {
			key := fmt.Sprintf("k%d", rapid.IntRange(0, 40).Draw(t, "key"))
			pos := Pos{Object: int32(rapid.IntRange(0, 3).Draw(t, "obj")), Line: int64(i + 2)}
			start := Instant{Sec: rapid.Int64Range(0, 1000).Draw(t, "start")}
			end := Instant{Sec: start.Sec + 3600}
			var amounts [2]decimal.Decimal
			for c := range amounts {
				amounts[c] = decimal.RequireFromString(decimalText().Draw(t, "amount"))
			}
			r, ok := ref[key]
			if !ok {
				r = &refGroup{first: pos, start: start, end: end}
				ref[key] = r
			}
			for c := range amounts {
				r.sum[c] = r.sum[c].Add(amounts[c])
			}
			r.count++
			if pos.Less(r.first) {
				r.first = pos
			}
			if start.Before(r.start) {
				r.start = start
			}
			if r.end.Before(end) {
				r.end = end
			}
			tb := tables[rapid.IntRange(0, workers-1).Draw(t, "worker")]
			if rapid.IntRange(0, 20).Draw(t, "reserve?") == 0 { // room made ahead changes nothing
				tb.Reserve(rapid.IntRange(0, 100).Draw(t, "reserve"))
			}
			g := tb.Find(Hash([]byte(key)), []byte(key), pos)
			if pos.Less(tb.First[g]) {
				tb.First[g] = pos
			}
			for c := range amounts {
				if v, ok := ParseScaled(amounts[c].String()); ok && rapid.Bool().Draw(t, "scaled") {
					tb.AddScaled(g, c, v)
				} else {
					tb.AddDecimal(g, c, amounts[c])
				}
			}
			tb.Count[g]++
			tb.Observe(g, start, end)
		}
		all := tables[0]
		for _, o := range tables[1:] {
			all.Merge(o)
		}
		if all.Len() != len(ref) {
			t.Fatalf("%d groups, want %d", all.Len(), len(ref))
		}
		prev := Pos{Object: -1}
		for _, g := range all.Order() {
			r := ref[string(all.Key(g))]
			if r == nil {
				t.Fatalf("unknown group %q", all.Key(g))
			}
			for c := 0; c < 2; c++ {
				if got := all.Sum(g, c); !got.Equal(r.sum[c]) {
					t.Fatalf("group %q amount %d = %s, want %s", all.Key(g), c, got, r.sum[c])
				}
			}
			if all.Count[g] != r.count || all.First[g] != r.first || all.Start[g] != r.start || all.End[g] != r.end {
				t.Fatalf("group %q: count %d first %v period %v-%v, want %d %v %v-%v", all.Key(g),
					all.Count[g], all.First[g], all.Start[g], all.End[g], r.count, r.first, r.start, r.end)
			}
			if all.First[g].Less(prev) {
				t.Fatalf("Order is not sorted by first position")
			}
			prev = all.First[g]
		}
	})
}

// TestTableReserveGrowsNothing: after Reserve(n), adding n groups moves no
// array and rehashes nothing, and every group is found again.
func TestTableReserveGrowsNothing(t *testing.T) {
	tb := NewTable(3)
	tb.Find(Hash([]byte("before")), []byte("before"), Pos{Line: 1})
	const n = 5000
	tb.Reserve(n)
	slots, sums, first := len(tb.slots), cap(tb.Sums), cap(tb.First)
	for i := range n {
		key := []byte(fmt.Sprintf("group-%d", i))
		if g := tb.Find(Hash(key), key, Pos{Line: int64(i + 2)}); g != i+1 {
			t.Fatalf("group %d got index %d", i, g)
		}
	}
	if len(tb.slots) != slots || cap(tb.Sums) != sums || cap(tb.First) != first {
		t.Fatalf("slots %d→%d, Sums cap %d→%d, First cap %d→%d: Reserve did not make room",
			slots, len(tb.slots), sums, cap(tb.Sums), first, cap(tb.First))
	}
	for i := -1; i < n; i++ {
		key := []byte(fmt.Sprintf("group-%d", i))
		if i < 0 {
			key = []byte("before")
		}
		if g := tb.Find(Hash(key), key, Pos{Line: 1 << 40}); g != i+1 || tb.Len() != n+1 {
			t.Fatalf("%s found as %d (%d groups), want %d", key, g, tb.Len(), i+1)
		}
	}
}

func TestInstantNull(t *testing.T) {
	if !NullInstant.Time().IsZero() {
		t.Fatalf("NullInstant.Time() = %v, want the zero time", NullInstant.Time())
	}
}
