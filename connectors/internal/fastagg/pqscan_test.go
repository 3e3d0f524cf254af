package fastagg

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/allot-dev/allot/internal/testutil"
	"github.com/parquet-go/parquet-go"
	"github.com/shopspring/decimal"
)

// pqRow is a row of the test files: text columns of small and large
// cardinality, a timestamp key, the period, amounts of several Parquet
// types (some null) and a map of tags.
type pqRow struct {
	A     *string           `parquet:"a,optional,dict"`
	B     string            `parquet:"b,dict"`
	C     *string           `parquet:"c,optional"` // PLAIN
	BPS   time.Time         `parquet:"bps,timestamp(millisecond)"`
	Start time.Time         `parquet:"start,timestamp(microsecond)"`
	End   *time.Time        `parquet:"end,optional,timestamp(millisecond)"`
	X     *float64          `parquet:"x,optional"`
	Y     int64             `parquet:"y,decimal(12:18)"`
	Z     *float32          `parquet:"z,optional"`
	Tags  map[string]string `parquet:"tags"`
}

func writePQ(t *testing.T, path string, rows []pqRow, rowGroup int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[pqRow](f, parquet.MaxRowsPerRowGroup(int64(rowGroup)), parquet.PageBufferSize(4096))
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func genRows(rng *rand.Rand, n, cardinality int) []pqRow {
	str := func(s string) *string { return &s }
	var rows []pqRow
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		r := pqRow{B: fmt.Sprintf("b%d", rng.IntN(cardinality)), BPS: start}
		if rng.IntN(5) > 0 {
			r.A = str(fmt.Sprintf("a%d", rng.IntN(7)))
		}
		if rng.IntN(3) > 0 {
			r.C = str(fmt.Sprintf("c%d", rng.IntN(cardinality)))
		}
		r.Start = start.Add(time.Duration(rng.IntN(24*40)) * time.Hour) // some in November
		if rng.IntN(4) > 0 {
			e := r.Start.Add(time.Hour)
			r.End = &e
		}
		if rng.IntN(3) > 0 {
			x := float64(rng.IntN(2_000_000)-1_000_000) / 1e4
			if rng.IntN(50) == 0 {
				x = 0.1 + 0.2 // 0.30000000000000004: the exact slow path
			}
			r.X = &x
		}
		r.Y = rng.Int64N(1e15) - 5e14
		if rng.IntN(2) == 0 {
			z := float32(rng.IntN(1000)) / 8
			r.Z = &z
		}
		if rng.IntN(5) > 0 {
			r.Tags = map[string]string{"team": fmt.Sprintf("t%d", rng.IntN(4))}
			if rng.IntN(2) == 0 {
				r.Tags["class"] = fmt.Sprintf("k%d", rng.IntN(3))
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// refKey renders a row the way a decoded group key is rendered.
func refKey(r *pqRow) string {
	s := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	var tags []string
	for k, v := range r.Tags {
		tags = append(tags, k+"="+v)
	}
	sort.Strings(tags)
	mask := 0
	if r.X == nil {
		mask |= 1
	}
	if r.Z == nil {
		mask |= 4
	}
	return fmt.Sprintf("%s|%s|%s|%d|%04d-%02d|%d|%s", s(r.A), r.B, s(r.C), r.BPS.Unix(), r.Start.Year(), r.Start.Month(), mask, strings.Join(tags, ","))
}

// groupKey renders a decoded group of the test layout.
func groupKey(key []byte, names *Interner) string {
	u32 := func() uint32 { v := binary.LittleEndian.Uint32(key); key = key[4:]; return v }
	a, b, c := names.String(u32()), names.String(u32()), names.String(u32())
	bps := int64(binary.LittleEndian.Uint64(key))
	key = key[12:]
	month := int32(u32())
	mask := binary.LittleEndian.Uint64(key)
	key = key[8:]
	n := int(u32())
	var tags []string
	for ; n > 0; n-- {
		k, v := names.String(u32()), names.String(u32())
		tags = append(tags, k+"="+v)
	}
	sort.Strings(tags)
	return fmt.Sprintf("%s|%s|%s|%d|%04d-%02d|%d|%s", a, b, c, bps, month/12, month%12+1, mask, strings.Join(tags, ","))
}

type pqRef struct {
	count      int64
	x, y, z    decimal.Decimal
	start, end Instant
	first      Pos
}

func layoutOf(t *testing.T, f *parquet.File) *PQLayout {
	idx := map[string]int{}
	for i, p := range f.Schema().Columns() {
		idx[strings.Join(p, ".")] = i
	}
	return &PQLayout{
		Texts: []int{idx["a"], idx["b"], idx["c"]}, TimeKeys: []int{idx["bps"]},
		Start: idx["start"], End: idx["end"], Amounts: []int{idx["x"], idx["y"], idx["z"]}, Count: -1,
		Maps: [][2]int{{idx["tags.key_value.key"], idx["tags.key_value.value"]}}, NullMask: true,
	}
}

// TestScanParquet compares ScanParquet, with 1 to 3 workers, with a plain
// Go grouping of the rows parquet-go's row reader returns, on files of
// small cardinality (packed 128-bit keys) and of large cardinality (more
// than 128 bits of codes: byte keys), over several files and row groups.
func TestScanParquet(t *testing.T) {
	for _, tc := range []struct {
		name        string
		cardinality int
		bits        int
	}{
		{"packed keys", 20, 128},
		{"packed keys widened mid-scan", 1 << 20, 128},
		{"packed keys given up mid-scan", 8000, 40},
		{"byte keys", 20, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func(b int) { packedBits = b }(packedBits)
			packedBits = tc.bits
			rng := rand.New(rand.NewPCG(1, uint64(tc.cardinality)))
			dir := t.TempDir()
			ref := map[string]*pqRef{}
			var files []PQFile
			var layout *PQLayout
			for fi := 0; fi < 3; fi++ {
				card := tc.cardinality // growing from file to file: codes outgrow their bits
				for k := 0; k < 2-fi; k++ {
					card = max(card/20, 4)
				}
				rows := genRows(rng, 3000+fi*1000, card)
				p := filepath.Join(dir, fmt.Sprintf("f%d.parquet", fi))
				writePQ(t, p, rows, 1000+fi*333)
				for i := range rows {
					r := &rows[i]
					k := refKey(r)
					g, ok := ref[k]
					if !ok {
						g = &pqRef{start: maxInstant, end: minInstant, first: Pos{Object: int32(fi), Line: int64(i + 1)}}
						ref[k] = g
					}
					g.count++
					if r.X != nil {
						g.x = g.x.Add(decimal.RequireFromString(fmt.Sprint(*r.X))) // %v is the shortest text
					}
					g.y = g.y.Add(decimal.New(r.Y, -12))
					if r.Z != nil {
						g.z = g.z.Add(FloatDecimal(float64(*r.Z), 32))
					}
					st := InstantOf(r.Start)
					en := NullInstant
					if r.End != nil {
						en = InstantOf(*r.End)
					}
					if st.Before(g.start) {
						g.start = st
					}
					if g.end.Before(en) {
						g.end = en
					}
				}
				b, _ := os.ReadFile(p)
				f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
				if err != nil {
					t.Fatal(err)
				}
				if layout == nil { // one layout for the three files: their codes are shared
					layout = layoutOf(t, f)
				}
				files = append(files, PQFile{File: f, Object: int32(fi), Layout: layout})
			}
			relayouts.Store(0)
			for workers := 1; workers <= 3; workers++ {
				res, err := ScanParquet(context.Background(), files, workers)
				if err != nil {
					t.Fatal(err)
				}
				tb := res.Table
				if tb.Len() != len(ref) {
					t.Fatalf("%d workers: %d groups, want %d", workers, tb.Len(), len(ref))
				}
				for g := 0; g < tb.Len(); g++ {
					k := groupKey(tb.Key(g), res.Names)
					want := ref[k]
					if want == nil {
						t.Fatalf("group %q is not in the reference", k)
					}
					if tb.Count[g] != want.count || !tb.Sum(g, 0).Equal(want.x) || !tb.Sum(g, 1).Equal(want.y) ||
						!tb.Sum(g, 2).Equal(want.z) || tb.Start[g] != want.start || tb.End[g] != want.end || tb.First[g] != want.first {
						t.Fatalf("%d workers, group %q: count %d sums %s %s %s period %v-%v first %v; want %d %s %s %s %v-%v %v",
							workers, k, tb.Count[g], tb.Sum(g, 0), tb.Sum(g, 1), tb.Sum(g, 2), tb.Start[g], tb.End[g], tb.First[g],
							want.count, want.x, want.y, want.z, want.start, want.end, want.first)
					}
				}
			}
			if strings.Contains(tc.name, "mid-scan") && relayouts.Load() == 0 {
				t.Errorf("no layout was outgrown: the case does not test what it says")
			}
		})
	}
}

func TestScanParquetErrors(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(3, 3))
	rows := genRows(rng, 500, 10)
	nan := 0.0
	nan = nan / nan
	rows[321].X = &nan
	p := filepath.Join(dir, "nan.parquet")
	writePQ(t, p, rows, 200)
	b, _ := os.ReadFile(p)
	f, _ := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	l := layoutOf(t, f)
	_, err := ScanParquet(context.Background(), []PQFile{{File: f, Object: 4, Layout: l}}, 2)
	var re *RowError
	if !errors.As(err, &re) || re.Object != 4 || re.Row != 322 || re.Col != l.Amounts[0] {
		t.Fatalf("error = %v, want a RowError at object 4 row 322 column x", err)
	}
	l2 := *l
	l2.Required = []bool{false, false, true}
	_, err = ScanParquet(context.Background(), []PQFile{{File: f, Object: 0, Layout: &l2}}, 1)
	first := 0
	for first < len(rows) && rows[first].Z != nil {
		first++
	}
	if !errors.As(err, &re) || !errors.Is(err, ErrNullAmount) || re.Row != int64(first+1) {
		t.Fatalf("error = %v, want ErrNullAmount at row %d", err, first+1)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ScanParquet(ctx, []PQFile{{File: f, Layout: l}}, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: error = %v", err)
	}
}

// TestScanParquetLargeSums: amounts that fit 64 bits alone but not summed
// (nine hundred million dollars, ten times) are summed exactly, on the
// packed path and the byte-key path.
func TestScanParquetLargeSums(t *testing.T) {
	type row struct {
		K     string    `parquet:"k,dict"`
		Start time.Time `parquet:"start,timestamp(millisecond)"`
		V     int64     `parquet:"v,decimal(2:18)"`
		V2    int64     `parquet:"v2,decimal(2:18)"`
		V3    int64     `parquet:"v3,decimal(2:18)"`
		V4    int64     `parquet:"v4,decimal(2:18)"`
		V5    int64     `parquet:"v5,decimal(2:18)"`
		V6    int64     `parquet:"v6,decimal(2:18)"` // beyond the sums kept in the record
	}
	var rows []row
	want := map[string]decimal.Decimal{}
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 40; i++ {
		k := fmt.Sprintf("k%d", i%2)
		v := int64(90_000_000_000) - int64(i) // $899,999,999.xx
		if i%3 == 0 {
			v = -v
		}
		rows = append(rows, row{k, start, v, 1, 2, 3, 4, v})
		want[k] = want[k].Add(decimal.New(v, -2))
	}
	f := testutil.OpenParquet(t, testutil.ParquetBytes(t, rows))
	for _, bitsWide := range []int{128, 0} {
		func() {
			defer func(b int) { packedBits = b }(packedBits)
			packedBits = bitsWide
			l := &PQLayout{Texts: []int{0}, Start: 1, End: -1, Amounts: []int{2, 3, 4, 5, 6, 7}, Count: -1}
			res, err := ScanParquet(context.Background(), []PQFile{{File: f, Layout: l}}, 1)
			if err != nil {
				t.Fatal(err)
			}
			for g := 0; g < res.Table.Len(); g++ {
				k := res.Names.String(binary.LittleEndian.Uint32(res.Table.Key(g)))
				for _, c := range []int{0, 5} {
					if got := res.Table.Sum(g, c); !got.Equal(want[k]) {
						t.Errorf("%d bits: %s amount %d = %s, want %s", bitsWide, k, c, got, want[k])
					}
				}
			}
		}()
	}
}

// TestPageReaderMatchesParquetGo: our page reader (a window of levels and
// values at a time) and parquet-go's (a page at a time) give the same
// groups, sums, periods and first lines, on files written every way the
// writer variants write them (data pages v1 and v2, five codecs, pages
// and row groups small and large), dictionary, PLAIN and null values and
// tag maps included; and the variants do go through our reader.
func TestPageReaderMatchesParquetGo(t *testing.T) {
	defer func(own bool) { ownPages = own }(ownPages)
	rows := genRows(rand.New(rand.NewPCG(7, 7)), 5000, 40)
	for _, v := range testutil.WriterVariants(700) {
		t.Run(v.Name, func(t *testing.T) {
			f := testutil.OpenParquet(t, testutil.ParquetBytes(t, rows, v.Opts...))
			scan := func(own bool) (map[string]string, error) {
				ownPages = own
				res, err := ScanParquet(context.Background(), []PQFile{{File: f, Layout: layoutOf(t, f)}}, 2)
				if err != nil {
					return nil, err
				}
				tb, out := res.Table, map[string]string{}
				for g := 0; g < tb.Len(); g++ {
					out[groupKey(tb.Key(g), res.Names)] = fmt.Sprint(tb.Count[g], tb.Sum(g, 0), tb.Sum(g, 1), tb.Sum(g, 2), tb.Start[g], tb.End[g], tb.First[g])
				}
				return out, nil
			}
			theirs, terr := scan(false)
			ours, oerr := scan(true)
			if terr != nil || oerr != nil {
				// parquet-go does not read back some LZ4_RAW pages it
				// wrote; then neither reader may read the file
				if terr == nil || oerr == nil {
					t.Fatalf("parquet-go's reader: %v; ours: %v", terr, oerr)
				}
				t.Logf("neither reader reads the file (%v)", terr)
				return
			}
			var p pageReader
			owned := 0
			for _, cc := range f.RowGroups()[0].ColumnChunks() {
				if p.reset(f, 0, cc, 3, 1) {
					owned++
				}
			}
			if owned < 8 {
				t.Errorf("our reader takes %d of the columns, want most", owned)
			}
			if !maps.Equal(ours, theirs) || len(ours) == 0 {
				t.Fatalf("%d groups from our reader, %d from parquet-go's, or they differ", len(ours), len(theirs))
			}
		})
	}
}

// TestScanParquetFallsBackToParquetGo: when our page reader fails, the
// scan runs again on parquet-go's pages, and its result is theirs; a
// file both refuse fails with parquet-go's error.
func TestScanParquetFallsBackToParquetGo(t *testing.T) {
	defer func(own bool, fail error) { ownPages, failPages = own, fail }(ownPages, failPages)
	rows := genRows(rand.New(rand.NewPCG(9, 9)), 3000, 30)
	p := filepath.Join(t.TempDir(), "f.parquet")
	writePQ(t, p, rows, 700)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	scan := func() (map[string]string, error) {
		res, err := ScanParquet(context.Background(), []PQFile{{File: f, Layout: layoutOf(t, f)}}, 2)
		if err != nil {
			return nil, err
		}
		out := map[string]string{}
		for g := 0; g < res.Table.Len(); g++ {
			tb := res.Table
			out[groupKey(tb.Key(g), res.Names)] = fmt.Sprint(tb.Count[g], tb.Sum(g, 0), tb.Sum(g, 1), tb.Sum(g, 2), tb.Start[g], tb.End[g], tb.First[g])
		}
		return out, nil
	}
	ownPages = false
	want, err := scan()
	if err != nil {
		t.Fatal(err)
	}
	ownPages, failPages = true, errors.New("injected")
	before := ownRetries.Load()
	got, err := scan()
	if err != nil || !maps.Equal(got, want) || ownRetries.Load() != before+1 {
		t.Fatalf("with our reader failing: %d groups (%v), %d retries; want parquet-go's %d groups after one retry",
			len(got), err, ownRetries.Load()-before, len(want))
	}
	// damaged files parquet-go's pages refuse: the error is theirs
	seed, layout := damageSeed(t, parquet.Compression(&parquet.Uncompressed))
	refused := 0
	for at := 0; at < 2000 && refused < 5; at += 37 {
		damaged, ok := testutil.DamagePages(t, seed, at, 0xff, 3, 11)
		if !ok {
			continue
		}
		ownPages, failPages = false, nil
		theirs := scanDamaged(t, damaged, layout)
		if theirs == nil {
			continue
		}
		refused++
		ownPages, failPages = true, errors.New("injected")
		if ours := scanDamaged(t, damaged, layout); fmt.Sprint(ours) != fmt.Sprint(theirs) {
			t.Fatalf("damage at %d: error %v, want parquet-go's %v", at, ours, theirs)
		}
	}
	if refused == 0 {
		t.Fatal("no damaged file was refused: the case tests nothing")
	}
}
