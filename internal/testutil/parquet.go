package testutil

import (
	"encoding/json"
	"sort"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// ParquetMapValues returns the values of one row's MAP<string,string> cell
// for a writer: cell is the map as a JSON object ("" for a null map, {} for
// an empty one), keys picks the key leaf or the value leaf, leaf is that
// leaf's column index. Keys are written in sorted order; an empty value is
// a null value.
func ParquetMapValues(t testing.TB, cell string, keys bool, leaf int) []parquet.Value {
	t.Helper()
	if cell == "" {
		return []parquet.Value{parquet.Value{}.Level(0, 0, leaf)}
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(cell), &m); err != nil {
		t.Fatal(err)
	}
	if len(m) == 0 {
		return []parquet.Value{parquet.Value{}.Level(0, 1, leaf)}
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []parquet.Value
	for i, k := range names {
		rep := 0
		if i > 0 {
			rep = 1
		}
		switch {
		case keys:
			out = append(out, parquet.ByteArrayValue([]byte(k)).Level(rep, 2, leaf))
		case m[k] == "":
			out = append(out, parquet.Value{}.Level(rep, 2, leaf))
		default:
			out = append(out, parquet.ByteArrayValue([]byte(m[k])).Level(rep, 3, leaf))
		}
	}
	return out
}
