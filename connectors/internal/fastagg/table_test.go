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

func TestInstantNull(t *testing.T) {
	if !NullInstant.Time().IsZero() {
		t.Fatalf("NullInstant.Time() = %v, want the zero time", NullInstant.Time())
	}
}
