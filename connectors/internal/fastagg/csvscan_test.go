package fastagg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

func testCSVLayout() *CSVLayout {
	return &CSVLayout{
		Keys: []int{0, 1}, Start: 2, End: 3, Amounts: []int{4, 5}, Required: []bool{true, false}, Count: 6, NullMask: true,
		IsNull: func(b []byte) bool { return len(bytes.TrimSpace(b)) == 0 },
		ParseTime: func(s string) (Instant, error) {
			t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
			return InstantOf(t), err
		},
		ParseAmount: func(s string) (decimal.Decimal, error) { return decimal.NewFromString(strings.TrimSpace(s)) },
		ParseCount:  func(s string) (int64, error) { return strconv.ParseInt(strings.TrimSpace(s), 10, 64) },
	}
}

// TestScanCSVProperty groups random records and compares every group with
// a plain Go grouping of the same records: sums (E-notation, 12 digits,
// spaces: the slow path), counts, periods, first lines, null masks.
func TestScanCSVProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 200).Draw(t, "rows")
		var b strings.Builder
		b.WriteString("a,b,start,end,x,y,count\n")
		type ref struct {
			x, y       decimal.Decimal
			count      int64
			start, end Instant
			line       int64
		}
		want := map[string]*ref{}
		for i := 0; i < n; i++ {
			a := rapid.SampledFrom([]string{"p", "q", "\"r,s\""}).Draw(t, "a")
			bb := rapid.SampledFrom([]string{"1", "2", ""}).Draw(t, "b")
			day := rapid.IntRange(1, 40).Draw(t, "day")
			st := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, day)
			end := ""
			if rapid.Bool().Draw(t, "hasEnd") {
				end = st.Add(time.Hour).Format(time.RFC3339)
			}
			x := decimalText().Draw(t, "x")
			y := ""
			if rapid.Bool().Draw(t, "hasY") {
				y = decimalText().Draw(t, "y")
			}
			cnt := ""
			if rapid.Bool().Draw(t, "hasCount") {
				cnt = strconv.Itoa(rapid.IntRange(1, 9).Draw(t, "count"))
			}
			pad := rapid.SampledFrom([]string{"", " "}).Draw(t, "pad") // a space takes the slow path
			fmt.Fprintf(&b, "%s,%s,%s,%s,%s%s,%s,%s\n", a, bb, st.Format(time.RFC3339), end, pad, x, y, cnt)
			neg := strings.HasPrefix(x, "-") // the Mark byte
			k := fmt.Sprintf("%s|%s|%d|%v|%v", strings.Trim(a, "\""), bb, st.Month(), y == "", neg)
			r, ok := want[k]
			if !ok {
				r = &ref{start: maxInstant, end: minInstant, line: int64(i + 2)}
				want[k] = r
			}
			r.x = r.x.Add(decimal.RequireFromString(x))
			if y != "" {
				r.y = r.y.Add(decimal.RequireFromString(y))
			}
			c := int64(1)
			if cnt != "" {
				c, _ = strconv.ParseInt(cnt, 10, 64)
			}
			r.count += c
			if s := InstantOf(st); s.Before(r.start) {
				r.start = s
			}
			e := NullInstant
			if end != "" {
				e = InstantOf(st.Add(time.Hour))
			}
			if r.end.Before(e) {
				r.end = e
			}
		}
		sp := NewSplitter(strings.NewReader(b.String()), 64)
		sp.Next() // the header
		tb := NewTable(2)
		l := testCSVLayout()
		l.Mark = func(rec [][]byte) byte {
			if bytes.HasPrefix(bytes.TrimSpace(rec[4]), []byte("-")) {
				return 1
			}
			return 0
		}
		lines, err := ScanCSV(context.Background(), sp, 0, l, tb, NewCSVState())
		if err != nil {
			t.Fatal(err)
		}
		if lines != int64(n) || tb.Len() != len(want) {
			t.Fatalf("%d lines in %d groups, want %d in %d", lines, tb.Len(), n, len(want))
		}
		for g := 0; g < tb.Len(); g++ {
			f, rest := KeyFields(tb.Key(g), 2, nil)
			month := MonthOf(tb.Start[g])
			k := fmt.Sprintf("%s|%s|%d|%v|%v", f[0], f[1], month%12+1, KeyMask(rest)&2 != 0, rest[0] == 1)
			r := want[k]
			if r == nil {
				t.Fatalf("group %q not in the reference", k)
			}
			if !tb.Sum(g, 0).Equal(r.x) || !tb.Sum(g, 1).Equal(r.y) || tb.Count[g] != r.count || tb.Start[g] != r.start ||
				tb.End[g] != r.end || tb.First[g].Line != r.line {
				t.Fatalf("group %q: %s %s %d %v %v line %d, want %s %s %d %v %v line %d", k, tb.Sum(g, 0), tb.Sum(g, 1), tb.Count[g],
					tb.Start[g], tb.End[g], tb.First[g].Line, r.x, r.y, r.count, r.start, r.end, r.line)
			}
		}
	})
}

func TestScanCSVErrors(t *testing.T) {
	for _, tc := range []struct {
		name, row string
		col       int
		sentinel  error
	}{
		{"null start", "p,1,,,1,1,1", 2, ErrNullStart},
		{"null required amount", "p,1,2026-10-01T00:00:00Z,,,1,1", 4, ErrNullAmount},
		{"bad amount", "p,1,2026-10-01T00:00:00Z,,one,1,1", 4, nil},
		{"bad time", "p,1,10/01/2026,,1,1,1", 2, nil},
		{"bad count", "p,1,2026-10-01T00:00:00Z,,1,1,x", 6, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := "a,b,start,end,x,y,count\np,1,2026-10-01T00:00:00Z,,1,1,1\n" + tc.row + "\n"
			sp := NewSplitter(strings.NewReader(text), 64)
			sp.Next()
			_, err := ScanCSV(context.Background(), sp, 3, testCSVLayout(), NewTable(2), NewCSVState())
			var re *RowError
			if !errors.As(err, &re) || re.Object != 3 || re.Row != 3 || re.Col != tc.col {
				t.Fatalf("error = %v, want a RowError at object 3 line 3 column %d", err, tc.col)
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Fatalf("error = %v, want %v", err, tc.sentinel)
			}
		})
	}
	sp := NewSplitter(strings.NewReader("a,b\n1,2,3\n"), 64)
	sp.Next()
	_, err := ScanCSV(context.Background(), sp, 0, &CSVLayout{Keys: []int{0}, Start: 1, End: -1, Count: -1,
		IsNull: func([]byte) bool { return false }}, NewTable(0), NewCSVState())
	var se *SyntaxError
	if !errors.As(err, &se) || se.StartLine != 2 {
		t.Fatalf("error = %v, want a field-count SyntaxError on line 2", err)
	}
}

func TestAheadReader(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		data := rapid.SliceOf(rapid.Byte()).Draw(t, "data")
		size := rapid.IntRange(1, 64).Draw(t, "size")
		a := NewAheadReader(iotest.HalfReader(bytes.NewReader(data)), size, rapid.IntRange(1, 4).Draw(t, "nbuf"))
		got, err := io.ReadAll(iotest.OneByteReader(a))
		a.Close()
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read %d bytes (%v), want %d", len(got), err, len(data))
		}
	})
	boom := errors.New("boom")
	a := NewAheadReader(io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom)), 2, 2)
	defer a.Close()
	got, err := io.ReadAll(a)
	if string(got) != "abc" || !errors.Is(err, boom) {
		t.Fatalf("read %q, %v; want abc and the source's error", got, err)
	}
	// A truncated gzip stream ends with io.ErrUnexpectedEOF: it must reach
	// the reader as that, not as the end of a complete object (io.ReadFull
	// makes the same error of a short last buffer).
	for _, size := range []int{2, 3, 64} {
		a := NewAheadReader(io.MultiReader(strings.NewReader("abcde"), iotest.ErrReader(io.ErrUnexpectedEOF)), size, 2)
		got, err := io.ReadAll(a)
		a.Close()
		if string(got) != "abcde" || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("buffers of %d: read %q, %v; want abcde and io.ErrUnexpectedEOF", size, got, err)
		}
	}
}

func TestForEachFirstError(t *testing.T) {
	var ran atomic.Int64
	err := ForEach(context.Background(), 100, 4, func(_ context.Context, w, i int) error {
		ran.Add(1)
		if i == 37 || i == 60 {
			return fmt.Errorf("item %d", i)
		}
		return nil
	})
	if err == nil || err.Error() != "item 37" {
		t.Fatalf("error = %v, want item 37 (the first failing item)", err)
	}
	if ran.Load() < 38 {
		t.Fatalf("%d items ran, want at least every item up to the failing one", ran.Load())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := ForEach(ctx, 3, 2, func(context.Context, int, int) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

// TestScanCSVEnds: a null end takes NullEnd of the row's start, the group
// keeps the latest end, and with EndAfterStart an end at or before its
// start fails at the end column.
func TestScanCSVEnds(t *testing.T) {
	day := func(s string) Instant {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return InstantOf(tm)
	}
	scan := func(rows string, l *CSVLayout) (*Table, error) {
		sp := NewSplitter(strings.NewReader("a,b,start,end,x,y,count\n"+rows), 64)
		sp.Next()
		tb := NewTable(2)
		_, err := ScanCSV(context.Background(), sp, 0, l, tb, NewCSVState())
		return tb, err
	}
	l := testCSVLayout()
	l.NullEnd = func(s Instant) Instant { return InstantOf(s.Time().AddDate(0, 0, 1)) }
	l.EndAfterStart = true
	tb, err := scan("p,1,2026-10-03T00:00:00Z,,1,1,1\np,1,2026-10-01T00:00:00Z,2026-10-02T06:00:00Z,1,1,1\n", l)
	if err != nil {
		t.Fatal(err)
	}
	if tb.Len() != 1 || tb.Start[0] != day("2026-10-01T00:00:00Z") || tb.End[0] != day("2026-10-04T00:00:00Z") {
		t.Fatalf("%d groups, period %v–%v; want one, Oct 1 to Oct 4 (the null end's day after)", tb.Len(), tb.Start[0].Time(), tb.End[0].Time())
	}
	tb, err = scan("p,1,2026-10-03T00:00:00Z,,1,1,1\np,1,2026-10-01T00:00:00Z,2026-10-05T00:00:00Z,1,1,1\n", l)
	if err != nil || tb.End[0] != day("2026-10-05T00:00:00Z") {
		t.Fatalf("end %v (%v), want the latest, Oct 5", tb.End[0].Time(), err)
	}
	for _, end := range []string{"2026-10-03T00:00:00Z", "2026-10-02T23:59:59Z"} {
		_, err := scan("p,1,2026-10-03T00:00:00Z,,1,1,1\np,1,2026-10-03T00:00:00Z,"+end+",1,1,1\n", l)
		var re *RowError
		if !errors.As(err, &re) || re.Row != 3 || re.Col != 3 || !errors.Is(err, ErrEndNotAfterStart) {
			t.Fatalf("end %s: error = %v, want ErrEndNotAfterStart at line 3 column 3", end, err)
		}
	}
	// without the options: a null end stays null, any end is taken
	tb, err = scan("p,1,2026-10-03T00:00:00Z,,1,1,1\np,1,2026-10-03T00:00:00Z,2026-10-02T00:00:00Z,1,1,1\n", testCSVLayout())
	if err != nil || tb.End[0] != day("2026-10-02T00:00:00Z") {
		t.Fatalf("end %v (%v), want Oct 2", tb.End[0].Time(), err)
	}
}
