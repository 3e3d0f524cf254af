package testutil

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
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

// WriterVariant is one way a writer may lay out a Parquet file.
type WriterVariant struct {
	Name string
	Opts []parquet.WriterOption
}

// WriterVariants are the layouts a reader must read alike: data pages v1
// and v2, each codec parquet-go has, and each of those again with tiny
// pages and row groups of rowGroup rows.
func WriterVariants(rowGroup int) []WriterVariant {
	codecs := []struct {
		name  string
		codec compress.Codec
	}{{"none", &parquet.Uncompressed}, {"snappy", &parquet.Snappy}, {"gzip", &parquet.Gzip}, {"zstd", &parquet.Zstd}, {"lz4", &parquet.Lz4Raw}}
	var out []WriterVariant
	for _, version := range []int{1, 2} {
		for _, c := range codecs {
			opts := []parquet.WriterOption{parquet.DataPageVersion(version), parquet.Compression(c.codec)}
			out = append(out, WriterVariant{fmt.Sprintf("v%d/%s", version, c.name), opts},
				WriterVariant{fmt.Sprintf("v%d/%s/small", version, c.name),
					append(opts[:len(opts):len(opts)], parquet.PageBufferSize(64), parquet.MaxRowsPerRowGroup(int64(rowGroup)))})
		}
	}
	return out
}

// ParquetBytes writes rows as a Parquet file with a generic writer and
// opts, and returns its bytes.
func ParquetBytes[T any](t testing.TB, rows []T, opts ...parquet.WriterOption) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[T](&buf, opts...)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// OpenParquet opens the Parquet file b.
func OpenParquet(t testing.TB, b []byte) *parquet.File {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	return f
}
