package fastagg

import (
	"fmt"
	"sync"
	"testing"

	"pgregory.net/rapid"
)

// textsOf lays vals out as a dictionary page would: BYTE_ARRAY (data and
// offsets) or, when size > 0, FIXED_LEN_BYTE_ARRAY (each value padded or
// cut to size).
func textsOf(vals []string, size int) (texts, []string) {
	var t texts
	t.size = size
	if size > 0 {
		out := make([]string, len(vals))
		for i, v := range vals {
			b := make([]byte, size)
			copy(b, v)
			t.data = append(t.data, b...)
			out[i] = string(b)
		}
		return t, out
	}
	t.offs = []uint32{0}
	for _, v := range vals {
		t.data = append(t.data, v...)
		t.offs = append(t.offs, uint32(len(t.data)))
	}
	return t, vals
}

// TestLocalAppendIDs: a batch through a worker's cache gets the ids one
// lookup at a time would give, whatever the cache has seen, whatever
// repeats in the batch, and across the cache's overflow.
func TestLocalAppendIDs(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		if rapid.Bool().Draw(t, "small cache") {
			defer func(n int) { localMax = n }(localMax)
			localMax = rapid.IntRange(1, 8).Draw(t, "localMax")
		}
		in := NewInterner()
		ref := map[string]uint32{"": 0} // what Interner.ID says, value by value
		locals := []*Local{NewLocal(in), NewLocal(in)}
		value := rapid.OneOf(rapid.SampledFrom([]string{"", "a", "b", "ab", "a\x00", "team-search"}), rapid.StringN(0, 12, -1))
		for range rapid.IntRange(1, 12).Draw(t, "batches") {
			vals := rapid.SliceOfN(value, 0, 40).Draw(t, "values")
			size := rapid.SampledFrom([]int{0, 0, 3}).Draw(t, "size")
			tx, want := textsOf(vals, size)
			l := locals[rapid.IntRange(0, len(locals)-1).Draw(t, "local")]
			prefix := []uint32{7, 8}
			got := l.appendIDs(append([]uint32(nil), prefix...), tx, len(vals))
			if len(got) != len(prefix)+len(vals) || got[0] != 7 || got[1] != 8 {
				t.Fatalf("appendIDs(%q) = %v: want the prefix kept and one id per value", vals, got)
			}
			for i, w := range want {
				id := got[len(prefix)+i]
				if s := in.String(id); s != w {
					t.Fatalf("value %d %q got id %d, which is %q", i, w, id, s)
				}
				if r, ok := ref[w]; ok && r != id {
					t.Fatalf("value %q got id %d, earlier %d", w, id, r)
				}
				ref[w] = id
				if one := l.ID([]byte(w)); one != id {
					t.Fatalf("value %q: appendIDs gave %d, ID gives %d", w, id, one)
				}
			}
		}
		if in.Len() != len(ref) {
			t.Fatalf("the interner holds %d strings for %d distinct values", in.Len(), len(ref))
		}
	})
}

// TestInternerBatchesConcurrent: workers translating overlapping
// dictionaries at once (the start of a parallel scan) agree on every id
// and the ids stay dense. Run with -race.
func TestInternerBatchesConcurrent(t *testing.T) {
	in := NewInterner()
	const workers, dicts, entries = 4, 30, 200
	results := make([][]uint32, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			l := NewLocal(in)
			for d := range dicts {
				vals := make([]string, entries)
				for i := range vals {
					vals[i] = fmt.Sprintf("resource-%d", (d*37+i*(w+1))%1500)
				}
				tx, _ := textsOf(vals, 0)
				results[w] = l.appendIDs(results[w], tx, len(vals))
			}
		})
	}
	wg.Wait()
	seen := map[string]uint32{}
	for w := range workers {
		for d := range dicts {
			for i := range entries {
				v := fmt.Sprintf("resource-%d", (d*37+i*(w+1))%1500)
				id := results[w][d*entries+i]
				if s := in.String(id); s != v {
					t.Fatalf("worker %d: %q got id %d, which is %q", w, v, id, s)
				}
				if prev, ok := seen[v]; ok && prev != id {
					t.Fatalf("%q has ids %d and %d", v, prev, id)
				}
				seen[v] = id
			}
		}
	}
	if in.Len() != len(seen)+1 { // and the empty string
		t.Fatalf("the interner holds %d strings for %d distinct values", in.Len(), len(seen))
	}
}

// Strings is every string by id, and stays valid after more are added.
func TestInternerStrings(t *testing.T) {
	in := NewInterner()
	a, b := in.ID([]byte("a")), in.ID([]byte("b"))
	strs := in.Strings()
	in.ID([]byte("c"))
	if len(strs) != 3 || strs[0] != "" || strs[a] != "a" || strs[b] != "b" {
		t.Fatalf("Strings() = %q, want the empty string, a and b", strs)
	}
	if got := in.Strings(); len(got) != 4 || got[3] != "c" {
		t.Fatalf("Strings() after c = %q", got)
	}
}
