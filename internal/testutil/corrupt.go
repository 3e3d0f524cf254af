package testutil

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// CorruptDictIndexes returns a copy of the Parquet file b whose leaf
// column col has, in row group rg, its first dictionary index set beyond
// its dictionary
// (all bits set), the page checksum kept right: a damaged file a reader
// must refuse without crashing. The column's first data page must be a v2
// page (parquet-go's writer's) of dictionary indexes, uncompressed, its
// dictionary not a power of two long.
func CorruptDictIndexes(t testing.TB, b []byte, rg, col int) []byte {
	t.Helper()
	b = bytes.Clone(b)
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	md := f.Metadata().RowGroups[rg].Columns[col].MetaData
	if md.Codec != format.Uncompressed {
		t.Fatalf("column %d is compressed (%s)", col, md.Codec)
	}
	off := md.DataPageOffset
	r := bytes.NewReader(b[off:])
	var h format.PageHeader
	if err := thrift.NewDecoder((&thrift.CompactProtocol{}).NewReader(r)).Decode(&h); err != nil {
		t.Fatal(err)
	}
	v2 := h.DataPageHeaderV2.V
	if !h.DataPageHeaderV2.Valid || (v2.Encoding != format.RLEDictionary && v2.Encoding != format.PlainDictionary) {
		t.Fatalf("column %d's first page is not a v2 page of dictionary indexes", col)
	}
	hl := int64(len(b[off:]) - r.Len())
	body := b[off+hl : off+hl+int64(h.CompressedPageSize)]
	vals := body[v2.RepetitionLevelsByteLength+v2.DefinitionLevelsByteLength:]
	width := int(vals[0])
	if width == 0 {
		t.Fatalf("column %d's dictionary has one entry", col)
	}
	run, n := binary.Uvarint(vals[1:])
	at, nb := 1+n, (width+7)/8 // an RLE run's value
	if run&1 == 1 {
		nb = width // a bit-packed run's first group of 8
	}
	// The first index gets every bit of its width set, beyond the
	// dictionary; the bits after it vary until the page's new checksum (a
	// zigzag varint in the header) is as long as the old, so that it can be
	// written in place.
	zz := func(v int32) []byte { return binary.AppendUvarint(nil, uint64(uint32(v<<1^v>>31))) }
	old := zz(h.CRC)
	var neu []byte
	for x := 0; ; x++ {
		if x == 1<<12 || h.CRC == 0 {
			t.Fatal("cannot rewrite this page's checksum in place")
		}
		bits := uint64(x)<<width | (1<<width - 1)
		for i := range nb {
			vals[at+i] = byte(bits >> (8 * i))
		}
		if neu = zz(int32(crc32.ChecksumIEEE(body))); len(neu) == len(old) {
			break
		}
	}
	i := bytes.Index(b[off:off+hl], old)
	if i < 0 {
		t.Fatal("no checksum in the page header")
	}
	copy(b[off+int64(i):], neu)
	return b
}
