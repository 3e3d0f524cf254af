package fastagg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/allot-dev/allot/internal/testutil"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
	"pgregory.net/rapid"
)

// TestScanParquetBadDictionaryIndex: a page whose dictionary indexes point
// beyond its dictionary (a damaged file; parquet-go does not check them)
// fails the scan with errBadIndex at its row and column, for every kind
// of cursor, instead of crashing the program.
func TestScanParquetBadDictionaryIndex(t *testing.T) {
	dictText := func(n parquet.Node) parquet.Node { return parquet.Encoded(n, &parquet.RLEDictionary) }
	s := parquet.NewSchema("x", parquet.Group{
		"s":    dictText(parquet.String()),
		"o":    parquet.Optional(dictText(parquet.String())),
		"t":    dictText(parquet.Timestamp(parquet.Millisecond)),
		"v":    dictText(parquet.Leaf(parquet.DoubleType)),
		"tags": parquet.Optional(parquet.Map(dictText(parquet.String()), parquet.Optional(dictText(parquet.String())))),
	})
	col := func(path ...string) int {
		lc, ok := s.Lookup(path...)
		if !ok {
			t.Fatalf("no column %v", path)
		}
		return lc.ColumnIndex
	}
	si, oi, ti, vi, ki, mvi := col("s"), col("o"), col("t"), col("v"), col("tags", "key_value", "key"), col("tags", "key_value", "value")
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, s, parquet.Compression(&parquet.Uncompressed), parquet.MaxRowsPerRowGroup(300))
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for i := range 600 {
		k := i % 3 // three entries in every dictionary: two bits, one index too many
		vals := make([][]parquet.Value, 6)
		vals[si] = []parquet.Value{parquet.ByteArrayValue(fmt.Append(nil, "s", k)).Level(0, 0, si)}
		vals[oi] = []parquet.Value{parquet.ByteArrayValue(fmt.Append(nil, "o", k)).Level(0, 1, oi)}
		vals[ti] = []parquet.Value{parquet.Int64Value(start.Add(time.Duration(k)*time.Hour).UnixMilli()).Level(0, 0, ti)}
		vals[vi] = []parquet.Value{parquet.DoubleValue(float64(k)+0.5).Level(0, 0, vi)}
		vals[ki] = []parquet.Value{parquet.ByteArrayValue(fmt.Append(nil, "team", k)).Level(0, 2, ki)}
		vals[mvi] = []parquet.Value{parquet.ByteArrayValue(fmt.Append(nil, "t", k)).Level(0, 3, mvi)}
		writeLeaves(t, w, vals)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	layout := &PQLayout{Texts: []int{si, oi}, Start: ti, End: -1, Amounts: []int{vi}, Count: -1, Maps: [][2]int{{ki, mvi}}}
	open := func(t *testing.T, b []byte) *parquet.File {
		f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	if _, err := ScanParquet(context.Background(), []PQFile{{File: open(t, buf.Bytes()), Layout: layout}}, 1); err != nil {
		t.Fatalf("the undamaged file: %v", err)
	}
	for _, c := range []struct {
		name string
		col  int
	}{{"text", si}, {"optional text", oi}, {"timestamp", ti}, {"amount", vi}, {"map key", ki}, {"map value", mvi}} {
		t.Run(c.name, func(t *testing.T) {
			// Row group 0 is read with packed keys (a map through
			// fillCodes); with no bits to pack, the layout fails there and
			// row group 1 is read with byte keys (a map through fill).
			for rg, bits := range []int{128, 0} {
				defer func(b int) { packedBits = b }(packedBits)
				packedBits = bits
				f := open(t, testutil.CorruptDictIndexes(t, buf.Bytes(), rg, c.col))
				_, err := ScanParquet(context.Background(), []PQFile{{File: f, Object: 2, Layout: layout}}, 1)
				var re *RowError
				if row := int64(300*rg + 1); !errors.As(err, &re) || !errors.Is(err, errBadIndex) || re.Object != 2 || re.Row != row || re.Col != c.col {
					t.Fatalf("row group %d: error = %v (%+v), want errBadIndex at object 2 row %d column %d", rg, err, re, row, c.col)
				}
			}
		})
	}
}

// TestCursorsBadIndex: the cursor paths no writer reaches with a damaged
// index in TestScanParquetBadDictionaryIndex refuse it too: a one-entry
// dictionary read as a constant, and a map's pairs read one by one (a
// leaf of dictionary pages beside a leaf of PLAIN ones) as ids or bytes.
func TestCursorsBadIndex(t *testing.T) {
	dict := func(vals ...string) parquet.Dictionary {
		var data []byte
		offs := []uint32{0}
		for _, v := range vals {
			data = append(data, v...)
			offs = append(offs, uint32(len(data)))
		}
		return parquet.ByteArrayType.NewDictionary(0, len(vals), encoding.ByteArrayValues(data, offs))
	}
	c := textCursor{trans: []uint32{7}}
	c.dict, c.idx, c.nlev = dict("only"), []int32{0, 0, 1, 0}, 4
	err := c.fill(make([]uint32, 4))
	var ce *cellError
	if !errors.As(err, &ce) || ce.err != errBadIndex || ce.row != 2 {
		t.Fatalf("one-entry dictionary, index 1 at row 2: error = %v", err)
	}
	c = textCursor{trans: []uint32{7, 8}, dvals: []byte("ab"), doffs: []uint32{0, 1, 2}}
	c.dict, c.idx, c.nlev = dict("a", "b"), []int32{1, 2}, 2
	if id, ok := c.valueID(); !ok || id != 8 {
		t.Fatalf("valueID of index 1 = %d, %v; want 8, true", id, ok)
	}
	if _, ok := c.valueID(); ok {
		t.Fatal("valueID of index 2 in a two-entry dictionary: ok")
	}
	c.vi = 0
	if b, ok := c.valueBytes(); !ok || string(b) != "b" {
		t.Fatalf("valueBytes of index 1 = %q, %v; want \"b\", true", b, ok)
	}
	if _, ok := c.valueBytes(); ok {
		t.Fatal("valueBytes of index 2 in a two-entry dictionary: ok")
	}
}

func TestAbove(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		levels := rapid.SliceOf(rapid.Byte()).Draw(t, "levels")
		max := rapid.Byte().Draw(t, "max")
		want := false
		for _, l := range levels {
			want = want || l > max
		}
		if got := above(levels, max); got != want {
			t.Fatalf("above(%v, %d) = %v, want %v", levels, max, got, want)
		}
	})
}

// levelsPage is a page with the levels a test gives it.
type levelsPage struct {
	parquet.Page
	defs, reps []byte
}

func (p levelsPage) DefinitionLevels() []byte { return p.defs }
func (p levelsPage) RepetitionLevels() []byte { return p.reps }

type onePage struct{ p parquet.Page }

func (o *onePage) ReadPage() (parquet.Page, error) { return o.p, nil }
func (o *onePage) SeekToRow(int64) error           { return nil }
func (o *onePage) Close() error                    { return nil }

// TestLeafDamagedLevels: a page whose levels say more values than it
// holds, whose levels exceed the column's maximum, or whose repetition
// levels do not match its definition levels is refused when loaded: the
// cursors index values by the levels.
func TestLeafDamagedLevels(t *testing.T) {
	two := parquet.ByteArrayType.NewPage(0, 2, encoding.ByteArrayValues([]byte("ab"), []uint32{0, 1, 2}))
	for _, c := range []struct {
		name       string
		defs, reps []byte
		want       error
	}{
		{"levels as the values", []byte{1, 0, 1}, nil, nil},
		{"repeated, levels as the values", []byte{1, 1, 0}, []byte{0, 1, 0}, nil},
		{"three present, two values", []byte{1, 1, 1}, nil, errFewValues},
		{"a level above the maximum", []byte{1, 2, 0}, nil, errBadLevels},
		{"fewer repetition levels", []byte{1, 1}, []byte{0}, errBadLevels},
	} {
		l := leaf{pages: &onePage{levelsPage{two, c.defs, c.reps}}, maxDef: 1}
		if _, err := l.next(); !errors.Is(err, c.want) && !(err == nil && c.want == nil) {
			t.Errorf("%s: error = %v, want %v", c.name, err, c.want)
		}
		if c.want == nil && l.nulls != 1 {
			t.Errorf("%s: %d nulls, want 1", c.name, l.nulls)
		}
	}
}
