package fastagg

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
)

// SyntaxError is a CSV record encoding/csv would reject: Err is
// csv.ErrQuote, csv.ErrBareQuote or csv.ErrFieldCount.
type SyntaxError struct {
	StartLine int64 // line where the record starts
	Line      int64 // line where the error is
	Err       error
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("record on line %d: line %d: %v", e.StartLine, e.Line, e.Err)
}

func (e *SyntaxError) Unwrap() error { return e.Err }

// maxRecord bounds one CSV record: a file with a longer one is refused
// rather than read into memory.
const maxRecord = 64 << 20

// Splitter splits CSV text into records of fields without allocating per
// record, reading exactly what encoding/csv reads with its defaults
// (comma-separated, RFC 4180 quotes, "" inside quotes, \r\n and \n line
// ends, \r\n inside quotes read as \n, blank lines skipped, every record
// as long as the first). The fields it returns are valid until the next
// call of Next.
type Splitter struct {
	r        io.Reader
	buf      []byte
	pos, end int
	eof      bool
	rerr     error
	line     int64 // lines consumed
	nfields  int   // fields per record, from the first record
	fields   [][]byte
	spans    []span
	esc      []byte
	recStart int64
}

type span struct {
	a, b int32
	esc  bool
}

// NewSplitter returns a splitter over r with a buffer of size bytes.
func NewSplitter(r io.Reader, size int) *Splitter {
	if size < 16 {
		size = 16
	}
	return &Splitter{r: r, buf: make([]byte, size)}
}

// fill makes room and reads more; it reports whether anything was added.
func (s *Splitter) fill() bool {
	if s.eof {
		return false
	}
	if s.pos > 0 {
		s.end = copy(s.buf, s.buf[s.pos:s.end])
		s.pos = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= maxRecord {
			s.rerr = fmt.Errorf("a CSV record is longer than %d MiB", maxRecord>>20)
			s.eof = true
			return false
		}
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.eof = true
			if !errors.Is(err, io.EOF) {
				s.rerr = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

// Next returns the next record and the line it starts on (1-based). It
// returns io.EOF after the last record, a *SyntaxError for a malformed
// record and the reader's error if reading fails.
func (s *Splitter) Next() ([][]byte, int64, error) {
	for {
		if s.pos >= s.end && !s.fill() {
			if s.rerr != nil {
				return nil, s.line + 1, s.rerr
			}
			return nil, 0, io.EOF
		}
		nl := bytes.IndexByte(s.buf[s.pos:s.end], '\n')
		if nl < 0 && !s.eof {
			s.fill()
			continue
		}
		var ln []byte
		if nl < 0 {
			ln = s.buf[s.pos:s.end]
		} else {
			ln = s.buf[s.pos : s.pos+nl]
		}
		content := ln
		if len(content) > 0 && content[len(content)-1] == '\r' {
			content = content[:len(content)-1]
		}
		if len(content) == 0 { // a blank line: encoding/csv skips it
			s.line++
			s.pos += len(ln)
			if nl >= 0 {
				s.pos++
			}
			continue
		}
		q := bytes.IndexByte(content, '"')
		if q < 0 {
			s.fields = s.fields[:0]
			for {
				c := bytes.IndexByte(content, ',')
				if c < 0 {
					s.fields = append(s.fields, content)
					break
				}
				s.fields = append(s.fields, content[:c])
				content = content[c+1:]
			}
			s.line++
			start := s.line
			s.pos += len(ln)
			if nl >= 0 {
				s.pos++
			}
			return s.fields, start, s.checkCount(start)
		}
		le := -1 // the line end, when the buffer holds it
		if nl >= 0 {
			le = s.pos + nl
		}
		done, err := s.quoted(le, s.pos+q)
		if err != nil {
			return nil, s.line + 1, err
		}
		if !done { // the record continues past the buffered data
			s.fill()
			continue
		}
		return s.fields, s.recStart, s.checkCount(s.recStart)
	}
}

func (s *Splitter) checkCount(line int64) error {
	if s.nfields == 0 {
		s.nfields = len(s.fields)
		return nil
	}
	if len(s.fields) != s.nfields {
		return &SyntaxError{StartLine: line, Line: line, Err: csv.ErrFieldCount}
	}
	return nil
}

// quoted parses one record that holds a quote, from s.pos. It returns
// done=false when the buffered data ends inside the record and more may
// come; s is then unchanged.
func (s *Splitter) quoted(le, q0 int) (done bool, err error) {
	b := s.buf[:s.end]
	i := s.pos
	startLine := s.line + 1
	lines := int64(0) // newlines inside quoted fields
	s.spans = s.spans[:0]
	s.esc = s.esc[:0]
	// le is where the current physical line ends (-1: not known), and no
	// byte before q0 is a quote.
	for {
		if i < len(b) && b[i] == '"' {
			i++
			a := len(s.esc)
			for {
				q := bytes.IndexByte(b[i:], '"')
				if q < 0 {
					if !s.eof {
						return false, nil
					}
					return false, &SyntaxError{StartLine: startLine, Line: startLine + lines, Err: csv.ErrQuote}
				}
				chunk := b[i : i+q]
				for {
					n := bytes.IndexByte(chunk, '\n')
					if n < 0 {
						s.esc = append(s.esc, chunk...)
						break
					}
					lines++
					if n > 0 && chunk[n-1] == '\r' {
						s.esc = append(s.esc, chunk[:n-1]...)
					} else {
						s.esc = append(s.esc, chunk[:n]...)
					}
					s.esc = append(s.esc, '\n')
					chunk = chunk[n+1:]
				}
				i += q + 1
				if i >= len(b) {
					if !s.eof {
						return false, nil
					}
					s.spans = append(s.spans, span{int32(a), int32(len(s.esc)), true})
					return s.finish(i, startLine, lines), nil
				}
				switch c := b[i]; {
				case c == '"':
					s.esc = append(s.esc, '"')
					i++
					continue
				case c == ',':
					s.spans = append(s.spans, span{int32(a), int32(len(s.esc)), true})
					i++
				case c == '\n':
					s.spans = append(s.spans, span{int32(a), int32(len(s.esc)), true})
					return s.finish(i+1, startLine, lines), nil
				case c == '\r' && i+1 < len(b) && b[i+1] == '\n':
					s.spans = append(s.spans, span{int32(a), int32(len(s.esc)), true})
					return s.finish(i+2, startLine, lines), nil
				case c == '\r' && i+1 == len(b):
					if !s.eof {
						return false, nil
					}
					s.spans = append(s.spans, span{int32(a), int32(len(s.esc)), true})
					return s.finish(i+1, startLine, lines), nil
				default:
					return false, &SyntaxError{StartLine: startLine, Line: startLine + lines, Err: csv.ErrQuote}
				}
				break
			}
			continue
		}
		// An unquoted field runs to the next comma or line end and must
		// not hold a quote.
		if le < i { // the end of the physical line the field is on
			le = bytes.IndexByte(b[i:], '\n')
			if le < 0 {
				if !s.eof {
					return false, nil
				}
				le = len(b)
			} else {
				le += i
			}
		}
		j := le
		if c := bytes.IndexByte(b[i:le], ','); c >= 0 {
			j = i + c
		}
		if j > q0 && bytes.IndexByte(b[i:j], '"') >= 0 {
			return false, &SyntaxError{StartLine: startLine, Line: startLine + lines, Err: csv.ErrBareQuote}
		}
		if j < le {
			s.spans = append(s.spans, span{int32(i - s.pos), int32(j - s.pos), false})
			i = j + 1
			continue
		}
		e := j
		if e > i && b[e-1] == '\r' {
			e--
		}
		s.spans = append(s.spans, span{int32(i - s.pos), int32(e - s.pos), false})
		if le == len(b) {
			return s.finish(le, startLine, lines), nil
		}
		return s.finish(le+1, startLine, lines), nil
	}
}

// finish builds the fields of a quoted record ending before next.
func (s *Splitter) finish(next int, startLine, lines int64) bool {
	base := s.buf[s.pos:]
	s.fields = s.fields[:0]
	for _, sp := range s.spans {
		if sp.esc {
			s.fields = append(s.fields, s.esc[sp.a:sp.b])
		} else {
			s.fields = append(s.fields, base[sp.a:sp.b])
		}
	}
	s.pos = next
	s.line = startLine + lines
	s.recStart = startLine
	return true
}
