package focuswrite

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/allot-dev/allot/cost"
	"github.com/klauspost/compress/gzip"
	"github.com/parquet-go/parquet-go"
)

// Format is an output file format.
type Format string

// The formats New writes.
const (
	CSV     Format = "csv"     // FOCUS CSV, RFC 4180, header row, "\n" line ends
	CSVGzip Format = "csv.gz"  // the same CSV, gzip-compressed
	Parquet Format = "parquet" // Parquet with string decimal columns (see the package doc)
)

// Sentinel errors, tested with errors.Is.
var (
	// ErrFormat: a path or Format names no supported output format.
	ErrFormat = errors.New("unsupported output format")
	// ErrClosed: Write or Close was called after Close.
	ErrClosed = errors.New("writer is closed")
	// ErrItem: a line item cannot be written (for example a Parquet
	// timestamp finer than a microsecond).
	ErrItem = errors.New("line item cannot be written")
)

// FormatFromPath picks the format from a file name's extension, matched
// case-insensitively: .csv, .csv.gz or .parquet.
func FormatFromPath(path string) (Format, error) {
	p := strings.ToLower(filepath.Base(path))
	switch {
	case strings.HasSuffix(p, ".csv.gz"):
		return CSVGzip, nil
	case strings.HasSuffix(p, ".csv"):
		return CSV, nil
	case strings.HasSuffix(p, ".parquet"):
		return Parquet, nil
	}
	return "", fmt.Errorf("focuswrite: %q: %w; name the output .csv, .csv.gz or .parquet", path, ErrFormat)
}

// Writer writes line items as FOCUS rows. It is not safe for concurrent
// use. Close must be called to complete the file; it does not close the
// underlying io.Writer.
type Writer struct {
	format Format
	closed bool
	n      int64 // items written

	// CSV
	gz     *gzip.Writer
	cw     *csv.Writer
	record []string

	// Parquet
	pw  *parquet.Writer
	pq  *pqLayout
	row []parquet.Row
}

// New returns a Writer of format to w. For CSV it writes the header row
// at once, so a file with no items still names its columns.
func New(w io.Writer, format Format) (*Writer, error) {
	fw := &Writer{format: format}
	switch format {
	case CSV, CSVGzip:
		out := w
		if format == CSVGzip {
			fw.gz = gzip.NewWriter(w)
			out = fw.gz
		}
		fw.cw = csv.NewWriter(out)
		fw.record = make([]string, len(columns))
		if err := fw.cw.Write(Columns()); err != nil {
			return nil, fmt.Errorf("focuswrite: header: %w", err)
		}
	case Parquet:
		fw.pq = newPQLayout()
		fw.pw = parquet.NewWriter(w, fw.pq.schema, parquet.Compression(&parquet.Snappy),
			parquet.MaxRowsPerRowGroup(64<<10), parquet.CreatedBy("allot normalize", "", ""))
		fw.row = []parquet.Row{make(parquet.Row, len(columns))}
	default:
		return nil, fmt.Errorf("focuswrite: format %q: %w; want csv, csv.gz or parquet", format, ErrFormat)
	}
	return fw, nil
}

// Write writes one line item. Money is written exactly as the decimal
// holds it; in CSV, text cells that start with =, +, - or @ get a leading
// apostrophe (see the package doc).
func (w *Writer) Write(li *cost.LineItem) error {
	if w.closed {
		return fmt.Errorf("focuswrite: %w", ErrClosed)
	}
	var err error
	if w.pw != nil {
		err = w.writeParquet(li)
	} else {
		w.fillCSV(li)
		err = w.cw.Write(w.record)
	}
	if err != nil {
		return fmt.Errorf("focuswrite: item %d (%s): %w", w.n+1, li.Source, err)
	}
	w.n++
	return nil
}

func (w *Writer) fillCSV(li *cost.LineItem) {
	for i := range columns {
		c := &columns[i]
		var s string
		switch c.kind {
		case ckText:
			s = Neutralize(c.text(li))
		case ckMoney:
			s = formatMoney(c.money(li))
		case ckTime:
			if t := c.time(li); !t.IsZero() {
				s = formatTime(t)
			}
		case ckInt:
			if n := c.int(li); n != 0 || c.required {
				s = formatInt(n)
			}
		case ckTags:
			s = formatTags(li.Tags)
		}
		w.record[i] = s
	}
}

// Neutralize makes a text cell safe to open in a spreadsheet: a cell that
// starts with =, +, - or @ would be read as a formula, so it gets a leading
// apostrophe (the OWASP CSV-injection advice). Numeric cells are never
// passed through it.
func Neutralize(s string) string {
	if s != "" && strings.IndexByte("=+-@", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// Close flushes the file and writes its trailer (gzip footer, Parquet
// footer). It does not close the underlying writer. A second Close
// returns ErrClosed.
func (w *Writer) Close() error {
	if w.closed {
		return fmt.Errorf("focuswrite: %w", ErrClosed)
	}
	w.closed = true
	if w.pw != nil {
		if err := w.pw.Close(); err != nil {
			return fmt.Errorf("focuswrite: parquet: %w", err)
		}
		return nil
	}
	w.cw.Flush()
	if err := w.cw.Error(); err != nil {
		return fmt.Errorf("focuswrite: %w", err)
	}
	if w.gz != nil {
		if err := w.gz.Close(); err != nil {
			return fmt.Errorf("focuswrite: gzip: %w", err)
		}
	}
	return nil
}
