package fastagg

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// Benchmarks of the hot loops (go test -run '^$' -bench . -benchmem
// ./connectors/internal/fastagg/). End-to-end figures are in bench/.

func BenchmarkParseScaled(b *testing.B) {
	vals := []string{"0.0104", "8.094e-05", "123.4567890123", "-1.5", "42"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, ok := ParseScaled(vals[i%len(vals)]); !ok {
			b.Fatal("refused")
		}
		i++
	}
}

func BenchmarkFromFloat64(b *testing.B) {
	vals := []float64{0.0104, 8.094e-05, 123.4567890123, -1.5, 42}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, ok := FromFloat64(vals[i%len(vals)]); !ok {
			b.Fatal("refused")
		}
		i++
	}
}

func BenchmarkInt128Add(b *testing.B) {
	var a Int128
	b.ReportAllocs()
	i := int64(0)
	for b.Loop() {
		a.AddInt64(i)
		i++
	}
}

// BenchmarkSplitter splits CUR-like records with a quoted JSON tag column.
func BenchmarkSplitter(b *testing.B) {
	var src bytes.Buffer
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&src, "Usage,2026-10-%02dT00:00:00Z,123456789012,AmazonBedrock,USE1-Claude-input-tokens,0.%08d,USD,"+
			"\"{\"\"user:team\"\":\"\"t%d\"\",\"\"user:action_class\"\":\"\"chat_call\"\"}\"\n", i%28+1, i, i%40)
	}
	data := src.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		sp := NewSplitter(bytes.NewReader(data), 1<<20)
		for {
			if _, _, err := sp.Next(); err != nil {
				break
			}
		}
	}
}

// BenchmarkTableFind groups keys of 100 bytes over 30,000 groups.
func BenchmarkTableFind(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	keys := make([][]byte, 30000)
	for i := range keys {
		keys[i] = []byte(fmt.Sprintf("%0100d", rng.Int64()))
	}
	t := NewTable(4)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		k := keys[rng.IntN(len(keys))]
		t.Find(Hash(k), k, Pos{Line: int64(i)})
		i++
	}
}

// BenchmarkScanCSV groups CUR-like records: split, keys, times, amounts.
func BenchmarkScanCSV(b *testing.B) {
	var src strings.Builder
	src.WriteString("a,b,start,end,x,y,count\n")
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&src, "acct%d,type%d,2026-10-%02dT%02d:00:00Z,,0.%08d,8.094e-05,\n", i%24, i%5, i%28+1, i%24, i)
	}
	data := src.String()
	l := testCSVLayout()
	l.Required = nil
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		sp := NewSplitter(strings.NewReader(data), 1<<20)
		sp.Next()
		if _, err := ScanCSV(b.Context(), sp, 0, l, NewTable(2), NewCSVState()); err != nil {
			b.Fatal(err)
		}
	}
}
