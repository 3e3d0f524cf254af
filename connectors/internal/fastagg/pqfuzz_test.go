package fastagg

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/allot-dev/allot/connectors/internal/pqvalue"
	"github.com/allot-dev/allot/internal/testutil"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// damageSeed is a small file of every column kind the fast path reads,
// for FuzzScanParquetDamaged to damage.
func damageSeed(t testing.TB, codec parquet.WriterOption) ([]byte, *PQLayout) {
	dictText := func(n parquet.Node) parquet.Node { return parquet.Encoded(n, &parquet.RLEDictionary) }
	s := parquet.NewSchema("x", parquet.Group{
		"s":    dictText(parquet.String()),
		"p":    parquet.Optional(parquet.String()),
		"t":    dictText(parquet.Timestamp(parquet.Millisecond)),
		"v":    parquet.Optional(parquet.Leaf(parquet.DoubleType)),
		"tags": parquet.Optional(parquet.Map(dictText(parquet.String()), parquet.Optional(dictText(parquet.String())))),
	})
	col := func(path ...string) int {
		lc, _ := s.Lookup(path...)
		return lc.ColumnIndex
	}
	si, pi, ti, vi, ki, mvi := col("s"), col("p"), col("t"), col("v"), col("tags", "key_value", "key"), col("tags", "key_value", "value")
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, s, codec, parquet.MaxRowsPerRowGroup(40), parquet.PageBufferSize(256))
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for i := range 100 {
		vals := make([][]parquet.Value, 6)
		vals[si] = []parquet.Value{parquet.ByteArrayValue(fmt.Append(nil, "s", i%5)).Level(0, 0, si)}
		vals[pi] = []parquet.Value{parquet.ByteArrayValue(fmt.Append(nil, "p", i)).Level(0, 1, pi)}
		vals[ti] = []parquet.Value{parquet.Int64Value(start.Add(time.Duration(i%4)*time.Hour).UnixMilli()).Level(0, 0, ti)}
		vals[vi] = []parquet.Value{parquet.DoubleValue(float64(i)/8).Level(0, 1, vi)}
		if i%7 == 0 {
			vals[vi] = []parquet.Value{parquet.NullValue().Level(0, 0, vi)}
		}
		for k := range i % 3 {
			rep := min(k, 1)
			vals[ki] = append(vals[ki], parquet.ByteArrayValue(fmt.Append(nil, "k", k)).Level(rep, 2, ki))
			vals[mvi] = append(vals[mvi], parquet.ByteArrayValue(fmt.Append(nil, "v", i%4)).Level(rep, 3, mvi))
		}
		if i%3 == 0 {
			vals[ki] = []parquet.Value{parquet.NullValue().Level(0, 1, ki)}
			vals[mvi] = []parquet.Value{parquet.NullValue().Level(0, 1, mvi)}
		}
		writeLeaves(t, w, vals)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), &PQLayout{Texts: []int{si, pi}, Start: ti, End: -1, Amounts: []int{vi}, Count: -1, Maps: [][2]int{{ki, mvi}}}
}

// FuzzScanParquetDamaged: whatever bytes of a file's pages are damaged
// (their checksums made right, so that the damage reaches the decoders),
// ScanParquet returns a result or an error; it never panics (a panic in a
// worker would end the program). The damage is to the pages' contents,
// what the cursors read; damaged page headers are parquet-go's to refuse
// (TestScanParquetDamagedPageHeader), and some make its header decoding
// skip for seconds, which a fuzzing run would report as a hang.
func FuzzScanParquetDamaged(f *testing.F) {
	plain, layout := damageSeed(f, parquet.Compression(&parquet.Uncompressed))
	snappy, _ := damageSeed(f, parquet.Compression(&parquet.Snappy))
	f.Add(false, uint32(100), byte(0xff), uint8(1), uint16(1))
	f.Add(true, uint32(300), byte(0x80), uint8(4), uint16(7))
	f.Fuzz(func(t *testing.T, compressed bool, at uint32, x byte, n uint8, stride uint16) {
		b := plain
		if compressed {
			b = snappy
		}
		// The checksums made right: the damage reaches the decoders.
		b, ok := testutil.DamagePages(t, b, int(at), x, int(n), int(stride))
		if !ok {
			return
		}
		scanDamaged(t, b, layout)
	})
}

// scanDamaged scans b, which must not panic.
func scanDamaged(t *testing.T, b []byte, layout *PQLayout) error {
	pf, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return err
	}
	_, err = ScanParquet(context.Background(), []PQFile{{File: pf, Layout: layout}}, 2)
	return err
}

// TestScanParquetDamagedPageHeader: damaged page headers found by
// fuzzing. Through parquet-go's page reader, sizes that make it panic
// fail the scan with pqvalue.ErrDamaged; a page left with fewer values
// than its levels say (the cursors would index past them: errFewValues)
// fails it too (here another column's checksum fails first). Our own
// page reader refuses both, and the scan then reports what parquet-go's
// pages say (ScanParquet's fallback): the same errors.
func TestScanParquetDamagedPageHeader(t *testing.T) {
	defer func(own bool) { ownPages = own }(ownPages)
	for _, own := range []bool{false, true} {
		ownPages = own
		for _, c := range []struct {
			at, stride int
			x          byte
			want       error
		}{{186, 140, 'v', pqvalue.ErrDamaged}, {69, 227, '&', parquet.ErrCorrupted}} {
			b, layout := damageSeed(t, parquet.Compression(&parquet.Uncompressed))
			footer := int(binary.LittleEndian.Uint32(b[len(b)-8:])) + 8
			for k := range 13 {
				b[4+(c.at+k*c.stride)%(len(b)-footer-4)] ^= c.x
			}
			if err := scanDamaged(t, b, layout); !errors.Is(err, c.want) {
				t.Fatalf("own pages %v, damage at %d: error = %v, want %v", own, c.at, err, c.want)
			}
		}
	}
}

// TestPageReaderHugeSizes: a page header that says its page decompresses
// to more than its column chunk holds, or a dictionary page that says it
// holds more values than bytes, fails the scan as corrupted instead of
// allocating what it says.
func TestPageReaderHugeSizes(t *testing.T) {
	for _, compressed := range []bool{false, true} {
		codec := parquet.Compression(&parquet.Uncompressed)
		if compressed {
			codec = parquet.Compression(&parquet.Snappy)
		}
		b, layout := damageSeed(t, codec)
		pf, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		var p pageReader
		rg := pf.RowGroups()[0]
		for i, cc := range rg.ColumnChunks() {
			if !p.reset(pf, 0, cc, 3, 1) {
				continue
			}
			if _, err := p.decompress([]byte{0}, 1<<40); compressed && !errors.Is(err, parquet.ErrCorrupted) {
				t.Errorf("column %d: decompressing to 1 TB: error %v, want ErrCorrupted", i, err)
			}
			p.codec, p.comp, p.hdr.UncompressedPageSize = nil, make([]byte, 4), 4 // a 4-byte dictionary page
			if err := p.readDictionary(&format.DictionaryPageHeader{NumValues: 1 << 30, Encoding: format.Plain}); !errors.Is(err, parquet.ErrCorrupted) {
				t.Errorf("column %d: a dictionary of 2^30 values in a few bytes: error %v, want ErrCorrupted", i, err)
			}
		}
		if _, err := ScanParquet(context.Background(), []PQFile{{File: pf, Layout: layout}}, 1); err != nil {
			t.Fatalf("the undamaged file: %v", err)
		}
	}
}
