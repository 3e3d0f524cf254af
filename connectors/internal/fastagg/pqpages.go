package fastagg

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/bits"

	"github.com/parquet-go/bitpack"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// A pageReader reads the pages of one column chunk itself and hands its
// leaf a window of levels (and their values) at a time. parquet-go's page
// reader decodes a whole page at once: a dictionary page of 122,880 rows
// becomes 480 KB of int32 indexes and 120 KB per level array, per column,
// so a worker reading twenty columns streams megabytes through memory for
// every row group, and two workers contend for the shared cache (the
// second core then did 7% more work for the same rows). Decoding a window
// at a time from the compressed form keeps a worker's working set in its
// own core's cache.
//
// It reads what column chunks of the fast path hold: data pages v1 and v2,
// levels in the RLE / bit-packed hybrid, values PLAIN or dictionary
// indexes, any codec parquet-go has, not encrypted. Other chunks go
// through parquet-go (pageReader.reset says which).
type pageReader struct {
	typ            parquet.Type
	kind           parquet.Kind
	col            int
	codec          compress.Codec // nil: uncompressed
	maxRep, maxDef byte

	sec     *io.SectionReader
	maxPage int   // the most bytes a page may decompress to: the chunk's uncompressed size
	levels  int64 // the levels the chunk's pages may still hold: its metadata's count less those read
	rbuf    *bufio.Reader
	dec     *thrift.Decoder
	hdr     format.PageHeader
	comp    []byte // the page as stored (padded)
	page    []byte // its values decompressed (padded)

	dict    parquet.Dictionary // the chunk's dictionary
	dictLen int

	// The page being windowed.
	left     int // levels not yet handed out
	reps     hybrid
	defs     hybrid
	indexed  bool   // values are dictionary indexes (idx), else PLAIN (vals)
	idx      hybrid // the indexes
	vals     encoding.Values
	vpos     int // next value of vals
	nvals    int // values in vals
	repBuf   []byte
	defBuf   []byte
	idxBuf   []int32
	hasVals  bool // vals holds a buffer of kind to decode into
	valsKind parquet.Kind
}

// pageWindow is how many levels a window holds.
const pageWindow = 4096

// pagePadding is the room after a buffer's bytes that bitpack.Unpack may
// read.
const pagePadding = 2 * bitpack.PaddingInt64

// ownPages: ScanParquet reads leaves with a pageReader where they can
// (tests turn it off to compare with parquet-go's reader).
var ownPages = true

// reset points p at column chunk cc of row group rg of f and reports
// whether p reads it (false: the leaf uses parquet-go's pages).
func (p *pageReader) reset(f *parquet.File, rg int, cc parquet.ColumnChunk, maxDef, maxRep int) bool {
	fc, ok := cc.(*parquet.FileColumnChunk)
	if !ok || maxDef > 255 || maxRep > 255 {
		return false
	}
	md := f.Metadata()
	col := fc.Column()
	if rg >= len(md.RowGroups) || col >= len(md.RowGroups[rg].Columns) {
		return false
	}
	chunk := &md.RowGroups[rg].Columns[col]
	m := &chunk.MetaData
	if chunk.CryptoMetadata.Value != nil || len(chunk.EncryptedColumnMetadata) > 0 || chunk.FilePath != "" {
		return false
	}
	for _, e := range m.Encoding {
		switch e {
		case format.Plain, format.PlainDictionary, format.RLEDictionary, format.RLE:
		default:
			return false
		}
	}
	typ := fc.Type()
	switch typ.Kind() {
	case parquet.Int32, parquet.Int64, parquet.Int96, parquet.Float, parquet.Double, parquet.ByteArray, parquet.FixedLenByteArray:
	default:
		return false
	}
	var codec compress.Codec
	if m.Codec != format.Uncompressed {
		codec = parquet.LookupCompressionCodec(m.Codec)
		if codec.CompressionCodec() != m.Codec {
			return false // a codec parquet-go does not have: it says so
		}
	}
	start := m.DataPageOffset
	if d := m.DictionaryPageOffset; d > 0 && d < start {
		start = d
	}
	if start < 0 || m.TotalCompressedSize < 0 || start+m.TotalCompressedSize > f.Size() {
		return false // parquet-go reports it
	}
	if p.typ == nil || p.typ.Kind() != typ.Kind() {
		p.hasVals = false
	}
	p.typ, p.kind, p.col, p.codec = typ, typ.Kind(), col, codec
	p.maxRep, p.maxDef = byte(maxRep), byte(maxDef)
	p.sec = io.NewSectionReader(f, start, m.TotalCompressedSize)
	// A page holds at most its chunk's bytes: a damaged header that says
	// more is refused, not allocated. (64 MB at least, for writers whose
	// chunk totals leave something out.)
	p.maxPage = int(min(max(m.TotalUncompressedSize, m.TotalCompressedSize, 64<<20), 1<<31))
	// Nor does a page hold more levels than its chunk: a damaged count
	// would otherwise have the cursors read runs of levels for as long as
	// it says.
	p.levels = m.NumValues
	if p.rbuf == nil {
		p.rbuf = bufio.NewReaderSize(p.sec, ReadBufferSize)
		p.dec = thrift.NewDecoder((&thrift.CompactProtocol{}).NewReader(p.rbuf))
	} else {
		p.rbuf.Reset(p.sec)
		p.dec.Reset((&thrift.CompactProtocol{}).NewReader(p.rbuf))
	}
	p.dict, p.dictLen, p.left = nil, 0, 0
	return true
}

// failPages, when set (by tests), is what every window returns: the scan
// must then fall back to parquet-go's pages (ScanParquet).
var failPages error

// window hands l the next window of levels and values; newDict reports a
// dictionary l has not seen.
func (p *pageReader) window(l *leaf) (newDict bool, err error) {
	if failPages != nil {
		return false, failPages
	}
	for p.left == 0 {
		if err := p.readPage(); err != nil {
			if errors.Is(err, io.EOF) {
				return false, errShortChunk
			}
			return false, err
		}
	}
	n := min(p.left, pageWindow)
	p.left -= n
	l.reps, l.defs = nil, nil
	if p.maxRep > 0 {
		p.repBuf = grow(p.repBuf, n)
		if err := p.reps.bytes(p.repBuf, p.maxRep); err != nil {
			return false, fmt.Errorf("repetition levels: %w", err)
		}
		l.reps = p.repBuf
	}
	nv := n
	if p.maxDef > 0 {
		p.defBuf = grow(p.defBuf, n)
		if err := p.defs.bytes(p.defBuf, p.maxDef); err != nil {
			return false, fmt.Errorf("definition levels: %w", err)
		}
		l.defs = p.defBuf
		nv = bytes.Count(p.defBuf, []byte{p.maxDef})
	}
	l.nlev, l.li, l.vi, l.nulls = n, 0, 0, 0
	if l.defs != nil {
		l.nulls = n - nv
	}
	var d parquet.Dictionary
	if p.indexed {
		d = p.dict
		p.idxBuf = grow(p.idxBuf, nv)
		if err := p.idx.int32s(p.idxBuf); err != nil {
			return false, fmt.Errorf("dictionary indexes: %w", err)
		}
		l.pageVals = encoding.Int32Values(p.idxBuf)
	} else {
		if p.vpos+nv > p.nvals {
			return false, fmt.Errorf("%w: a page has fewer values than its levels say", parquet.ErrCorrupted)
		}
		l.pageVals = sliceValues(&p.vals, p.kind, p.vpos, p.vpos+nv)
		p.vpos += nv
	}
	newDict = d != nil && d != l.dict
	l.dict = d
	if newDict {
		l.gen = dictGens.Add(1)
	}
	return newDict, nil
}

// readPage reads the next page: a dictionary page becomes p.dict, a data
// page the one to window.
func (p *pageReader) readPage() error {
	p.hdr = format.PageHeader{}
	if err := p.dec.Decode(&p.hdr); err != nil {
		if errors.Is(err, io.EOF) && p.rbuf.Buffered() == 0 {
			return io.EOF
		}
		return fmt.Errorf("page header: %w", err)
	}
	h := &p.hdr
	if h.CompressedPageSize < 0 || h.UncompressedPageSize < 0 {
		return fmt.Errorf("%w: a page header has a negative size", parquet.ErrCorrupted)
	}
	size := int(h.CompressedPageSize)
	if int64(size) > p.sec.Size() {
		return fmt.Errorf("%w: a page is larger than its column chunk", parquet.ErrCorrupted)
	}
	p.comp = padded(p.comp, size)
	if _, err := io.ReadFull(p.rbuf, p.comp); err != nil {
		return fmt.Errorf("page: %w", err)
	}
	if h.CRC != 0 && crc32.ChecksumIEEE(p.comp) != uint32(h.CRC) {
		return fmt.Errorf("%w: a page's checksum does not match", parquet.ErrCorrupted)
	}
	switch h.Type {
	case format.DictionaryPage:
		if !h.DictionaryPageHeader.Valid {
			return parquet.ErrMissingPageHeader
		}
		return p.readDictionary(&h.DictionaryPageHeader.V)
	case format.DataPage:
		if !h.DataPageHeader.Valid {
			return parquet.ErrMissingPageHeader
		}
		v := &h.DataPageHeader.V
		if v.NumValues < 0 {
			return fmt.Errorf("%w: a page header has a negative count", parquet.ErrCorrupted)
		}
		data, err := p.decompress(p.comp, int(h.UncompressedPageSize))
		if err != nil {
			return err
		}
		if p.maxRep > 0 {
			if data, err = levelsV1(&p.reps, data, v.RepetitionLevelEncoding, p.maxRep); err != nil {
				return fmt.Errorf("repetition levels: %w", err)
			}
		}
		if p.maxDef > 0 {
			if data, err = levelsV1(&p.defs, data, v.DefinitionLevelEncoding, p.maxDef); err != nil {
				return fmt.Errorf("definition levels: %w", err)
			}
		}
		return p.values(data, v.Encoding, int(v.NumValues))
	case format.DataPageV2:
		if !h.DataPageHeaderV2.Valid {
			return parquet.ErrMissingPageHeader
		}
		v := &h.DataPageHeaderV2.V
		rl, dl := int(v.RepetitionLevelsByteLength), int(v.DefinitionLevelsByteLength)
		if v.NumValues < 0 || rl < 0 || dl < 0 || rl+dl > len(p.comp) {
			return fmt.Errorf("%w: a page header has a bad count or length", parquet.ErrCorrupted)
		}
		body := p.comp
		if p.maxRep > 0 {
			p.reps.init(body[:rl], uint(bits.Len8(p.maxRep)))
		}
		if p.maxDef > 0 {
			p.defs.init(body[rl:rl+dl], uint(bits.Len8(p.maxDef)))
		}
		data := body[rl+dl:]
		if !v.IsCompressed.Valid || v.IsCompressed.V {
			var err error
			if data, err = p.decompress(data, int(h.UncompressedPageSize)-rl-dl); err != nil {
				return err
			}
		}
		return p.values(data, v.Encoding, int(v.NumValues))
	}
	return nil // an index page: skipped
}

// readDictionary decodes a dictionary page's values (PLAIN) into a new
// dictionary.
func (p *pageReader) readDictionary(v *format.DictionaryPageHeader) error {
	data, err := p.decompress(p.comp, int(p.hdr.UncompressedPageSize))
	if err != nil {
		return err
	}
	enc := v.Encoding
	if enc == format.PlainDictionary {
		enc = format.Plain
	}
	if enc != format.Plain || v.NumValues < 0 {
		return fmt.Errorf("%w: a dictionary page is not PLAIN", ErrUnsupported)
	}
	n := int(v.NumValues)
	if n > len(data) { // every PLAIN value takes a byte at least
		return fmt.Errorf("%w: a dictionary page of %d bytes says it holds %d values", parquet.ErrCorrupted, len(data), n)
	}
	// Fresh buffers: the dictionary outlives the page buffers.
	pe := parquet.LookupEncoding(enc)
	vals, err := p.typ.Decode(p.typ.NewValues(make([]byte, 0, p.typ.EstimateDecodeSize(n, data, pe)), make([]uint32, 0, n+1)), data, pe)
	if err != nil {
		return fmt.Errorf("dictionary page: %w", err)
	}
	if valueCount(&vals) != n {
		return fmt.Errorf("%w: a dictionary page holds another number of values than its header says", parquet.ErrCorrupted)
	}
	p.dict, p.dictLen = p.typ.NewDictionary(p.col, n, vals), n
	return nil
}

// values sets up the values of a data page of nlev levels.
func (p *pageReader) values(data []byte, enc format.Encoding, nlev int) error {
	if int64(nlev) > p.levels {
		return fmt.Errorf("%w: a page says it holds %d levels, more than its column chunk's %d", parquet.ErrCorrupted, nlev, p.levels)
	}
	p.levels -= int64(nlev)
	p.left, p.vpos, p.nvals = nlev, 0, 0
	if p.maxRep == 0 {
		p.reps = hybrid{}
	}
	if p.maxDef == 0 {
		p.defs = hybrid{}
	}
	switch enc {
	case format.PlainDictionary, format.RLEDictionary:
		if p.dict == nil {
			return fmt.Errorf("%w: a dictionary-encoded page without a dictionary", parquet.ErrCorrupted)
		}
		if len(data) == 0 {
			if nlev > 0 && p.maxDef == 0 {
				return fmt.Errorf("%w: a dictionary-encoded page without indexes", parquet.ErrCorrupted)
			}
			p.idx.init(nil, 0)
		} else {
			if data[0] > 32 {
				return fmt.Errorf("%w: dictionary indexes of %d bits", parquet.ErrCorrupted, data[0])
			}
			p.idx.init(data[1:], uint(data[0]))
		}
		p.indexed = true
		return nil
	case format.Plain:
		if !p.hasVals {
			p.vals, p.hasVals = p.typ.NewValues(nil, nil), true
		}
		vals, err := p.typ.Decode(p.vals, data, parquet.LookupEncoding(enc))
		if err != nil {
			return fmt.Errorf("values: %w", err)
		}
		p.vals, p.nvals, p.indexed = vals, valueCount(&vals), false
		return nil
	}
	return fmt.Errorf("%w: values encoded %s", ErrUnsupported, enc)
}

// decompress returns src decompressed to n bytes (src itself when the
// chunk is not compressed), in a padded buffer.
func (p *pageReader) decompress(src []byte, n int) ([]byte, error) {
	if p.codec == nil {
		return src, nil
	}
	if n < 0 || n > p.maxPage {
		return nil, fmt.Errorf("%w: a page header says the page decompresses to %d bytes", parquet.ErrCorrupted, n)
	}
	p.page = padded(p.page, n)
	out, err := p.codec.Decode(p.page[:cap(p.page)-pagePadding], src)
	if err != nil {
		return nil, fmt.Errorf("decompressing a page: %w", err)
	}
	if cap(out)-len(out) < pagePadding { // the codec made a buffer of its own
		p.page = padded(p.page, len(out))
		copy(p.page, out)
		out = p.page
	}
	return out, nil
}

// padded returns b resized to n bytes with pagePadding bytes of room after
// them.
func padded(b []byte, n int) []byte {
	if cap(b) < n+pagePadding {
		b = make([]byte, n, n+n/4+pagePadding)
	}
	return b[:n]
}

// levelsV1 sets h to the levels at the start of a v1 page (RLE, after a
// 4-byte length) and returns the rest of the page.
func levelsV1(h *hybrid, data []byte, enc format.Encoding, max byte) ([]byte, error) {
	if enc != format.RLE {
		return nil, fmt.Errorf("%w: levels encoded %s", ErrUnsupported, enc)
	}
	if len(data) < 4 {
		return nil, errHybrid
	}
	n := int(binary.LittleEndian.Uint32(data))
	if n < 0 || n > len(data)-4 {
		return nil, errHybrid
	}
	h.init(data[4:4+n], uint(bits.Len8(max)))
	return data[4+n:], nil
}

// sliceValues is values i to j of v (j <= valueCount(v)).
func sliceValues(v *encoding.Values, kind parquet.Kind, i, j int) encoding.Values {
	switch kind {
	case parquet.Int32:
		return encoding.Int32Values(v.Int32()[i:j])
	case parquet.Int64:
		return encoding.Int64Values(v.Int64()[i:j])
	case parquet.Int96:
		return encoding.Int96Values(v.Int96()[i:j])
	case parquet.Float:
		return encoding.FloatValues(v.Float()[i:j])
	case parquet.Double:
		return encoding.DoubleValues(v.Double()[i:j])
	case parquet.ByteArray:
		data, offs := v.ByteArray()
		return encoding.ByteArrayValues(data, offs[i:j+1])
	default: // parquet.FixedLenByteArray
		data, size := v.FixedLenByteArray()
		return encoding.FixedLenByteArrayValues(data[i*size:j*size], size)
	}
}

// errHybrid: RLE / bit-packed data that ends before its values do.
var errHybrid = fmt.Errorf("%w: RLE/bit-packed data ends early", parquet.ErrCorrupted)

// hybrid decodes Parquet's RLE / bit-packed hybrid encoding (levels and
// dictionary indexes) a run at a time, into the caller's buffers.
type hybrid struct {
	src    []byte // the runs; padded for bitpack.Unpack
	pos    int    // next run header
	width  uint
	rle    int      // values left in the current RLE run
	val    int32    // its value
	bp     int      // values left in the current bit-packed run (whole groups of 8)
	bpAt   int      // where its next group starts
	stage  [8]int32 // a group unpacked for a partial read (int32s)
	bstage [8]byte  // the same for bytes
	sn     int      // values of the stage not yet handed out (its last sn)
}

func (h *hybrid) init(src []byte, width uint) {
	*h = hybrid{src: src, width: width}
}

// next reads the next run header.
func (h *hybrid) next() error {
	if h.pos >= len(h.src) {
		return errHybrid
	}
	hdr, n := binary.Uvarint(h.src[h.pos:])
	if n <= 0 {
		return errHybrid
	}
	h.pos += n
	if hdr&1 == 1 {
		groups := hdr >> 1
		if groups > uint64(len(h.src))+1 || groups > 1<<28 {
			return errHybrid
		}
		h.bp, h.bpAt = int(groups)*8, h.pos
		h.pos += int(groups) * int(h.width)
		return nil
	}
	if hdr>>1 > 1<<31 {
		return errHybrid
	}
	nb := (int(h.width) + 7) / 8
	if h.pos+nb > len(h.src) {
		return errHybrid
	}
	var v uint32
	for i := range nb {
		v |= uint32(h.src[h.pos+i]) << (8 * i)
	}
	h.pos += nb
	h.rle, h.val = int(hdr>>1), int32(v)
	return nil
}

// int32s fills dst with the next len(dst) values. (Dictionary indexes
// are checked against their dictionary where the cursors translate them.)
func (h *hybrid) int32s(dst []int32) error {
	for len(dst) > 0 {
		switch {
		case h.sn > 0:
			k := copy(dst, h.stage[8-h.sn:])
			h.sn -= k
			dst = dst[k:]
		case h.rle > 0:
			k := min(h.rle, len(dst))
			v := h.val
			fillRun(dst[:k], v)
			h.rle -= k
			dst = dst[k:]
		case h.bp > 0:
			if h.width == 0 {
				k := min(h.bp, len(dst))
				clear(dst[:k])
				h.bp -= k
				dst = dst[k:]
				continue
			}
			w := int(h.width)
			if g := min(h.bp, len(dst)) / 8; g > 0 {
				if h.bpAt+g*w > len(h.src) {
					return errHybrid
				}
				bitpack.Unpack(dst[:g*8], h.src[h.bpAt:], h.width)
				h.bpAt += g * w
				h.bp -= g * 8
				dst = dst[g*8:]
				continue
			}
			if err := h.stageGroup(func(src []byte) { bitpack.Unpack(h.stage[:], src, h.width) }); err != nil {
				return err
			}
		default:
			if err := h.next(); err != nil {
				return err
			}
		}
	}
	return nil
}

// stageGroup unpacks the next bit-packed group of 8 values, with unpack
// (given the rest of the runs), for a read that wants fewer than 8.
func (h *hybrid) stageGroup(unpack func(src []byte)) error {
	w := int(h.width)
	if h.bpAt+w > len(h.src) {
		return errHybrid
	}
	unpack(h.src[h.bpAt:])
	h.bpAt += w
	h.bp -= 8
	h.sn = 8
	return nil
}

// bytes fills dst with the next len(dst) levels; a level above max is
// errBadLevels.
func (h *hybrid) bytes(dst []byte, max byte) error {
	wide := h.width < 8 && byte(1<<h.width-1) > max // a bit-packed level can exceed max
	for len(dst) > 0 {
		switch {
		case h.sn > 0:
			k := copy(dst, h.bstage[8-h.sn:])
			if wide && above(dst[:k], max) {
				return errBadLevels
			}
			h.sn -= k
			dst = dst[k:]
		case h.rle > 0:
			k := min(h.rle, len(dst))
			v := byte(h.val)
			if v > max || h.val>>8 != 0 {
				return errBadLevels
			}
			fillRun(dst[:k], v)
			h.rle -= k
			dst = dst[k:]
		case h.bp > 0:
			if h.width > 8 {
				return errBadLevels
			}
			w := int(h.width)
			if g := min(h.bp, len(dst)) / 8; g > 0 {
				if h.bpAt+g*w > len(h.src) {
					return errHybrid
				}
				unpackBytes(dst[:g*8], h.src[h.bpAt:h.bpAt+g*w], h.width, &h.stage)
				if wide && above(dst[:g*8], max) {
					return errBadLevels
				}
				h.bpAt += g * w
				h.bp -= g * 8
				dst = dst[g*8:]
				continue
			}
			if err := h.stageGroup(func(src []byte) { unpackBytes(h.bstage[:], src[:w], h.width, &h.stage) }); err != nil {
				return err
			}
		default:
			if err := h.next(); err != nil {
				return err
			}
		}
	}
	return nil
}

// levelLUT1 and levelLUT2 unpack a byte of 1-bit and 2-bit values (the
// first value in the low bits) into 8 and 4 bytes, little-endian.
var levelLUT1, levelLUT2 = func() (a [256]uint64, b [256]uint32) {
	for x := range 256 {
		for k := range 8 {
			a[x] |= uint64(x>>k&1) << (8 * k)
		}
		for k := range 4 {
			b[x] |= uint32(x>>(2*k)&3) << (8 * k)
		}
	}
	return
}()

// unpackBytes unpacks len(dst) (a multiple of 8) values of width bits
// from src.
func unpackBytes(dst, src []byte, width uint, stage *[8]int32) {
	switch width {
	case 0:
		clear(dst)
	case 1:
		for i, b := range src[:len(dst)/8] {
			binary.LittleEndian.PutUint64(dst[8*i:], levelLUT1[b])
		}
	case 2:
		for i, b := range src[:len(dst)/4] {
			binary.LittleEndian.PutUint32(dst[4*i:], levelLUT2[b])
		}
	default:
		w := int(width)
		for g := 0; g < len(dst)/8; g++ {
			bitpack.Unpack(stage[:], src[g*w:], width)
			for k, v := range stage {
				dst[8*g+k] = byte(v)
			}
		}
	}
}

// fillRun sets every value of b to v (an RLE run).
func fillRun[T int32 | byte](b []T, v T) {
	if v == 0 || len(b) == 0 {
		clear(b)
		return
	}
	b[0] = v
	for n := 1; n < len(b); n *= 2 {
		copy(b[n:], b[:n])
	}
}
