package testutil

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// CorruptDictIndexes returns a copy of the Parquet file b whose leaf
// column col has, in row group rg, its first dictionary index set beyond
// its dictionary (all bits set), the page checksum kept right: a damaged
// file a reader must refuse without crashing. The column's first data page
// must be a v2 page (parquet-go's writer's) of dictionary indexes,
// uncompressed, its dictionary not a power of two long.
func CorruptDictIndexes(t testing.TB, b []byte, rg, col int) []byte {
	t.Helper()
	b = bytes.Clone(b)
	var p *page
	for _, q := range pagesOf(t, b) {
		if q.rg == rg && q.col == col && q.h.Type != format.DictionaryPage {
			p = &q
			break
		}
	}
	if p == nil {
		t.Fatalf("no data page in column %d of row group %d", col, rg)
	}
	if p.codec != format.Uncompressed {
		t.Fatalf("column %d is compressed (%s)", col, p.codec)
	}
	v2 := p.h.DataPageHeaderV2.V
	if !p.h.DataPageHeaderV2.Valid || (v2.Encoding != format.RLEDictionary && v2.Encoding != format.PlainDictionary) {
		t.Fatalf("column %d's first page is not a v2 page of dictionary indexes", col)
	}
	vals := b[p.body+int(v2.RepetitionLevelsByteLength+v2.DefinitionLevelsByteLength) : p.body+p.size()]
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
	// dictionary; the bits after it vary until the page's new checksum can
	// be written in place.
	for x := 0; ; x++ {
		if x == 1<<12 {
			t.Fatal("cannot rewrite this page's checksum in place")
		}
		bits := uint64(x)<<width | (1<<width - 1)
		for i := range nb {
			vals[at+i] = byte(bits >> (8 * i))
		}
		if p.fixCRC(b) {
			return b
		}
	}
}

// page is where one page of a Parquet file is: its header and contents.
type page struct {
	rg, col      int
	header, body int // offsets of the header and of the contents
	h            format.PageHeader
	codec        format.CompressionCodec
}

func (p *page) size() int { return int(p.h.CompressedPageSize) }

// fixCRC writes the checksum of p's contents in b into p's header and
// reports whether it could: the checksum is a zigzag varint, and the new
// one must be as long as the old to be written in place.
func (p *page) fixCRC(b []byte) bool {
	if p.h.CRC == 0 {
		return false
	}
	zz := func(v int32) []byte { return binary.AppendUvarint(nil, uint64(uint32(v<<1^v>>31))) }
	old, neu := zz(p.h.CRC), zz(int32(crc32.ChecksumIEEE(b[p.body:p.body+p.size()])))
	i := bytes.Index(b[p.header:p.body], old)
	if len(old) != len(neu) || i < 0 {
		return false
	}
	copy(b[p.header+i:], neu)
	return true
}

func pagesOf(t testing.TB, b []byte) []page {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out []page
	for rg, g := range f.Metadata().RowGroups {
		for col, c := range g.Columns {
			m := c.MetaData
			off := m.DataPageOffset
			if m.DictionaryPageOffset > 0 && m.DictionaryPageOffset < off {
				off = m.DictionaryPageOffset
			}
			for end := off + m.TotalCompressedSize; off < end; {
				r := bytes.NewReader(b[off:end])
				p := page{rg: rg, col: col, header: int(off), codec: m.Codec}
				if err := thrift.NewDecoder((&thrift.CompactProtocol{}).NewReader(r)).Decode(&p.h); err != nil {
					t.Fatal(err)
				}
				p.body = int(end) - r.Len()
				out = append(out, p)
				off = int64(p.body + p.size())
			}
		}
	}
	return out
}

// PageBodies lists the offsets of the pages' contents in Parquet file b
// (every byte after each page header), for tests that damage them.
func PageBodies(t testing.TB, b []byte) (at []int) {
	for _, p := range pagesOf(t, b) {
		for i := range p.size() {
			at = append(at, p.body+i)
		}
	}
	return at
}

// DamagePages returns a copy of Parquet file b with n bytes of its pages'
// contents (at, at+stride, ... among PageBodies) xored with x, and the
// damaged pages' checksums made right again, so that a reader decodes the
// damage instead of refusing the checksum; ok is false when a checksum
// cannot be rewritten in place (its encoding would change length).
func DamagePages(t testing.TB, b []byte, at int, x byte, n, stride int) (out []byte, ok bool) {
	t.Helper()
	pages := pagesOf(t, b)
	var bodies []int
	owner := map[int]int{}
	for k, p := range pages {
		for i := range p.size() {
			owner[p.body+i] = k
			bodies = append(bodies, p.body+i)
		}
	}
	out = bytes.Clone(b)
	if len(bodies) == 0 {
		return out, true
	}
	damaged := map[int]bool{}
	for k := range n {
		i := bodies[(at+k*stride)%len(bodies)]
		out[i] ^= x
		damaged[owner[i]] = true
	}
	for k := range damaged {
		if p := &pages[k]; p.h.CRC != 0 && !p.fixCRC(out) {
			return nil, false
		}
	}
	return out, true
}

// FuzzDamage fuzzes check with damaged copies of Parquet file orig
// (DamagePages: the fuzzer picks where, how and how many bytes).
func FuzzDamage(f *testing.F, orig []byte, check func(t *testing.T, b []byte)) {
	f.Add(uint32(0), byte(0xff), uint8(1), uint16(1))
	f.Add(uint32(300), byte(0x01), uint8(8), uint16(31))
	f.Fuzz(func(t *testing.T, at uint32, x byte, n uint8, stride uint16) {
		if b, ok := DamagePages(t, orig, int(at), x, int(n), int(stride)); ok {
			check(t, b)
		}
	})
}

// FuzzBytes fuzzes check with damaged copies of orig: n bytes (at,
// at+stride, ...) xored with x, then cut bytes cut off the end (a
// truncated download or a damaged compressed stream).
func FuzzBytes(f *testing.F, orig []byte, check func(t *testing.T, b []byte)) {
	f.Add(uint32(20), byte(0xff), uint8(1), uint16(1), uint16(0))
	f.Add(uint32(0), byte(0x00), uint8(0), uint16(1), uint16(40))
	f.Fuzz(func(t *testing.T, at uint32, x byte, n uint8, stride uint16, cut uint16) {
		b := bytes.Clone(orig)
		for k := range int(n) {
			b[(int(at)+k*int(stride))%len(b)] ^= x
		}
		if cut > 0 && int(cut) < len(b) {
			b = b[:len(b)-int(cut)]
		}
		check(t, b)
	})
}

// GzipCutAtLine returns src gzipped and cut off right after a flush point
// that ends its middle line: it decompresses to whole lines, then ends in
// the decompressor's io.ErrUnexpectedEOF (a truncated download), with
// nothing in the text to show it.
func GzipCutAtLine(src []byte) []byte {
	lines := bytes.SplitAfter(src, []byte("\n"))
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	cut := 0
	for i, l := range lines {
		zw.Write(l)
		if i == len(lines)/2 {
			zw.Flush()
			cut = buf.Len()
		}
	}
	zw.Close()
	return buf.Bytes()[:cut]
}

// Gzip returns b gzipped.
func Gzip(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}
