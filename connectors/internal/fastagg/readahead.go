package fastagg

import (
	"context"
	"io"
	"sync"

	"github.com/allot-dev/allot/connectors/internal/textio"
)

// AheadReader reads its source in a goroutine, a few buffers ahead of the
// consumer, so that the source's work (gzip inflate) overlaps with the
// consumer's (CSV splitting) when a second core is free.
type AheadReader struct {
	full chan chunk
	free chan []byte
	done chan struct{}
	once sync.Once
	cur  chunk
	off  int
	err  error
}

type chunk struct {
	b   []byte
	err error
}

// NewAheadReader starts reading r into nbuf buffers of size bytes each.
// Close stops the goroutine; it does not close r.
func NewAheadReader(r io.Reader, size, nbuf int) *AheadReader {
	a := &AheadReader{full: make(chan chunk, nbuf), free: make(chan []byte, nbuf), done: make(chan struct{})}
	for range nbuf {
		a.free <- make([]byte, size)
	}
	go a.fill(r)
	return a
}

func (a *AheadReader) fill(r io.Reader) {
	for {
		var b []byte
		select {
		case b = <-a.free:
		case <-a.done:
			return
		}
		n, err := fillBuf(r, b)
		select {
		case a.full <- chunk{b: b[:n], err: err}:
		case <-a.done:
			return
		}
		if err != nil {
			return
		}
	}
}

// fillBuf reads into b until it is full or r fails; at the end of r it
// returns io.EOF with what it read. Unlike io.ReadFull it passes on an
// io.ErrUnexpectedEOF of r's own (a truncated gzip stream says so) instead
// of making one of a short last buffer: a truncated object must not read
// as a complete one.
func fillBuf(r io.Reader, b []byte) (int, error) {
	n, empty := 0, 0
	for n < len(b) {
		m, err := r.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
		if m > 0 {
			empty = 0
		} else if empty++; empty == 100 { // as bufio.Reader gives up
			return n, io.ErrNoProgress
		}
	}
	return n, nil
}

// Read implements io.Reader.
func (a *AheadReader) Read(p []byte) (int, error) {
	for a.off >= len(a.cur.b) {
		if a.err != nil {
			return 0, a.err
		}
		if a.cur.b != nil {
			a.free <- a.cur.b[:cap(a.cur.b)]
			a.cur.b = nil
		}
		c, ok := <-a.full
		if !ok {
			return 0, io.EOF
		}
		a.cur, a.off = c, 0
		if c.err != nil {
			a.err = c.err
		}
	}
	n := copy(p, a.cur.b[a.off:])
	a.off += n
	return n, nil
}

// Close stops the read-ahead goroutine.
func (a *AheadReader) Close() error {
	a.once.Do(func() { close(a.done) })
	return nil
}

// CSVStream is a CSV object opened for splitting: decompressed (gzip, or
// as it is), read ahead on its own goroutine, its byte-order mark
// stripped. Header is its first record.
type CSVStream struct {
	*Splitter
	Header []string
	zr     io.Closer
	ahead  *AheadReader
}

// OpenCSV opens r for splitting. It fails when r cannot be decompressed
// or has no header record (with ctx.Err() once ctx is done): a line reader
// then says what is wrong with it.
func OpenCSV(ctx context.Context, r io.Reader) (*CSVStream, error) {
	zr, err := textio.Decompress(r)
	if err != nil {
		return nil, err
	}
	s := &CSVStream{zr: zr, ahead: NewAheadReader(zr, 1<<20, 4)}
	s.Splitter = NewSplitter(textio.StripBOM(s.ahead), 1<<20)
	hdr, _, err := s.Next()
	if err != nil {
		s.Close()
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return nil, err
	}
	s.Header = make([]string, len(hdr))
	for k, h := range hdr {
		s.Header[k] = string(h)
	}
	return s, nil
}

// Close stops the read-ahead and the decompressor; it does not close r.
func (s *CSVStream) Close() {
	s.ahead.Close()
	s.zr.Close()
}
