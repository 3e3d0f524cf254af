package fastagg

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/shopspring/decimal"
)

// tagSet is one row's map: pairs in order; a null value is nil; nil
// pairs with null set is a null map.
type tagSet struct {
	pairs [][2]*string
	null  bool
}

// render is the reference text of a row's map as a group key holds it:
// the pairs in order, a null value as <null>; a null map and an empty one
// alike (no pairs).
func (s tagSet) render() string {
	var b strings.Builder
	for _, p := range s.pairs {
		v := "<null>"
		if p[1] != nil {
			v = *p[1]
		}
		fmt.Fprintf(&b, "%q=%q;", *p[0], v)
	}
	return b.String()
}

// writeTagFile writes rows of a start time, an amount and a MAP of
// strings, dictionary encoded or PLAIN, with small pages so that rows
// span pages, and returns the file.
func writeTagFile(t *testing.T, sets []tagSet, dict bool, pageSize, rowGroup int) *parquet.File {
	t.Helper()
	text := func() parquet.Node {
		if dict {
			return parquet.Encoded(parquet.String(), &parquet.RLEDictionary)
		}
		return parquet.String()
	}
	s := parquet.NewSchema("x", parquet.Group{
		"start": parquet.Timestamp(parquet.Millisecond),
		"amt":   parquet.Leaf(parquet.DoubleType),
		"tags":  parquet.Optional(parquet.Map(text(), parquet.Optional(text()))),
	})
	col := func(path ...string) int {
		lc, ok := s.Lookup(path...)
		if !ok {
			t.Fatalf("no column %v", path)
		}
		return lc.ColumnIndex
	}
	ai, si, ki, vi := col("amt"), col("start"), col("tags", "key_value", "key"), col("tags", "key_value", "value")
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, s, parquet.PageBufferSize(pageSize), parquet.MaxRowsPerRowGroup(int64(rowGroup)))
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	for _, ts := range sets {
		vals := make([][]parquet.Value, 4)
		vals[ai] = []parquet.Value{parquet.DoubleValue(1).Level(0, 0, ai)}
		vals[si] = []parquet.Value{parquet.Int64Value(start).Level(0, 0, si)}
		switch {
		case ts.null:
			vals[ki] = []parquet.Value{parquet.NullValue().Level(0, 0, ki)}
			vals[vi] = []parquet.Value{parquet.NullValue().Level(0, 0, vi)}
		case len(ts.pairs) == 0:
			vals[ki] = []parquet.Value{parquet.NullValue().Level(0, 1, ki)}
			vals[vi] = []parquet.Value{parquet.NullValue().Level(0, 1, vi)}
		}
		for j, p := range ts.pairs {
			rep := min(j, 1)
			vals[ki] = append(vals[ki], parquet.ByteArrayValue([]byte(*p[0])).Level(rep, 2, ki))
			if p[1] == nil {
				vals[vi] = append(vals[vi], parquet.NullValue().Level(rep, 2, vi))
			} else {
				vals[vi] = append(vals[vi], parquet.ByteArrayValue([]byte(*p[1])).Level(rep, 3, vi))
			}
		}
		writeLeaves(t, w, vals)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestScanParquetTagMaps groups rows by their maps alone and compares the
// groups with a plain Go count of the rows written: maps of 0 to 24
// pairs, null values, null and empty maps, small and large dictionaries
// (so that rows hold more pairs than 128 bits of dictionary indexes
// pack), PLAIN maps, rows across pages, several row groups (each with its
// own dictionaries) and one or two workers.
func TestScanParquetTagMaps(t *testing.T) {
	for _, tc := range []struct {
		name           string
		keys, values   int
		maxPairs       int
		dict           bool
		page, rowGroup int
	}{
		{"small dictionaries", 8, 12, 24, true, 1 << 20, 2000},
		{"small dictionaries, small pages", 8, 12, 24, true, 256, 1500},
		{"large dictionaries", 3000, 5000, 12, true, 4096, 2500},
		{"one key, one value", 1, 1, 3, true, 512, 700},
		{"PLAIN", 30, 40, 10, false, 1024, 2000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(tc.keys), uint64(tc.values)))
			str := func(s string) *string { return &s }
			var sets []tagSet
			want := map[string]int64{}
			for range 6000 {
				var ts tagSet
				switch rng.IntN(10) {
				case 0:
					ts.null = true
				case 1: // empty
				default:
					if rng.IntN(3) == 0 && len(sets) > 0 { // a set seen before: groups of many rows
						ts = sets[rng.IntN(len(sets))]
						break
					}
					for range 1 + rng.IntN(tc.maxPairs) {
						p := [2]*string{str(fmt.Sprintf("k%d", rng.IntN(tc.keys))), nil}
						if rng.IntN(8) > 0 {
							p[1] = str(fmt.Sprintf("v%d", rng.IntN(tc.values)))
						}
						ts.pairs = append(ts.pairs, p)
					}
				}
				sets = append(sets, ts)
				want[ts.render()]++
			}
			f := writeTagFile(t, sets, tc.dict, tc.page, tc.rowGroup)
			idx := map[string]int{}
			for i, p := range f.Schema().Columns() {
				idx[strings.Join(p, ".")] = i
			}
			l := &PQLayout{Start: idx["start"], End: -1, Amounts: []int{idx["amt"]}, Count: -1,
				Maps: [][2]int{{idx["tags.key_value.key"], idx["tags.key_value.value"]}}}
			for workers := 1; workers <= 2; workers++ {
				res, err := ScanParquet(context.Background(), []PQFile{{File: f, Layout: l}}, workers)
				if err != nil {
					t.Fatal(err)
				}
				tb := res.Table
				if tb.Len() != len(want) {
					t.Fatalf("%d workers: %d groups, want %d", workers, tb.Len(), len(want))
				}
				for g := range tb.Len() {
					key := tb.Key(g)[4:] // after the month
					n := int(binary.LittleEndian.Uint32(key))
					key = key[4:]
					var b strings.Builder
					for ; n > 0; n, key = n-1, key[8:] {
						v := "<null>"
						if id := binary.LittleEndian.Uint32(key[4:]); id != NullID {
							v = res.Names.String(id)
						}
						fmt.Fprintf(&b, "%q=%q;", res.Names.String(binary.LittleEndian.Uint32(key)), v)
					}
					k := b.String()
					if tb.Count[g] != want[k] || !tb.Sum(g, 0).Equal(decimalOf(want[k])) {
						t.Fatalf("%d workers: group %s: %d lines, sum %s; want %d", workers, k, tb.Count[g], tb.Sum(g, 0), want[k])
					}
				}
			}
		})
	}
}

func decimalOf(n int64) decimal.Decimal { return decimal.NewFromInt(n) }

// writeLeaves writes one row given as the values of each leaf column.
func writeLeaves(t testing.TB, w *parquet.Writer, leaves [][]parquet.Value) {
	t.Helper()
	var row parquet.Row
	for _, v := range leaves {
		row = append(row, v...)
	}
	if _, err := w.WriteRows([]parquet.Row{row}); err != nil {
		t.Fatal(err)
	}
}
