package gen

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/allot-dev/allot/cost"
)

// Formats of allot gen.
const (
	FormatAWSCUR2 = "aws-cur2"
	FormatFOCUS   = "focus"
	FormatAzure   = "azure-export"
)

// File formats.
const (
	FileParquet = "parquet"
	FileCSV     = "csv"
	FileCSVGzip = "csv.gz"
)

// Sentinel errors, tested with errors.Is.
var (
	// ErrBadOption: an option is out of range or names an unknown format.
	ErrBadOption = errors.New("bad option")
	// ErrNotEmpty: the output folder already holds generated data.
	ErrNotEmpty = errors.New("output folder is not empty")
)

// Options say what to generate. The zero value of every field but Rows,
// Format, Period and Out has a default (see Defaults).
type Options struct {
	Rows   int64       // bill lines in total
	Format string      // aws-cur2, focus or azure-export
	File   string      // parquet, csv or csv.gz; default per format
	Period cost.Period // the month of the charges
	Out    string      // output folder; created, must not hold data yet
	Seed   uint64      // the same seed gives the same bytes

	Files     int // data files; default one per 4 million rows (at least 1)
	Teams     int // consuming teams (a platform team is added); default 24
	Accounts  int // accounts or subscriptions; default 24
	Resources int // resources; default 4000
	RowGroup  int // Parquet rows per row group; default 122,880 (DuckDB's)
	// NoDict writes the Parquet tag map PLAIN, as when a writer's tag
	// dictionaries overflow; Plain writes every column PLAIN.
	NoDict, Plain bool
	// LongDecimals is the share of usage lines whose cost has 12
	// fractional digits (beyond the 10 of the fast path). Default 0.
	LongDecimals float64
	// GzipLevel is the compression level of .csv.gz files; default 6.
	GzipLevel int
	// Workers write files in parallel; default GOMAXPROCS.
	Workers int
}

// Defaults fills the zero fields of o with their defaults.
func (o *Options) Defaults() {
	if o.File == "" {
		o.File = FileParquet
		if o.Format == FormatAzure {
			o.File = FileCSV
		}
	}
	if o.Files == 0 {
		o.Files = int((o.Rows + 3_999_999) / 4_000_000)
		if o.Files < 1 {
			o.Files = 1
		}
	}
	if o.Teams == 0 {
		o.Teams = 24
	}
	if o.Accounts == 0 {
		o.Accounts = 24
	}
	if o.Resources == 0 {
		o.Resources = 4000
	}
	if o.RowGroup == 0 {
		o.RowGroup = 122_880
	}
	if o.GzipLevel == 0 {
		o.GzipLevel = 6
	}
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
}

func (o *Options) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("gen: %w: %s", ErrBadOption, fmt.Sprintf(format, args...))
	}
	switch {
	case o.Rows < 1:
		return bad("--rows %d: want at least 1", o.Rows)
	case o.Out == "":
		return bad("--out is required")
	case o.Period.IsZero():
		return bad("--period is required")
	case o.Files < 1 || int64(o.Files) > o.Rows:
		return bad("--files %d: want between 1 and --rows", o.Files)
	case o.Teams < 1 || o.Teams > 400:
		return bad("--teams %d: want 1 to 400", o.Teams)
	case o.Accounts < 1 || o.Accounts > 10_000:
		return bad("--accounts %d: want 1 to 10000", o.Accounts)
	case o.Resources < 1 || o.Resources > 10_000_000:
		return bad("--resources %d: want 1 to 10000000", o.Resources)
	case o.RowGroup < 1:
		return bad("--row-group %d: want at least 1", o.RowGroup)
	case o.LongDecimals < 0 || o.LongDecimals > 1:
		return bad("--long-decimals %v: want a share between 0 and 1", o.LongDecimals)
	case o.GzipLevel < 1 || o.GzipLevel > 9:
		return bad("--gzip-level %d: want 1 to 9", o.GzipLevel)
	}
	ok := map[string][]string{
		FormatAWSCUR2: {FileParquet, FileCSVGzip},
		FormatFOCUS:   {FileCSV, FileCSVGzip, FileParquet},
		FormatAzure:   {FileCSV, FileCSVGzip},
	}
	files, known := ok[o.Format]
	if !known {
		return bad("--format %q: want aws-cur2, focus or azure-export", o.Format)
	}
	for _, f := range files {
		if f == o.File {
			return nil
		}
	}
	return bad("--file %q: %s is written as %s", o.File, o.Format, strings.Join(files, ", "))
}

// Result says what Generate wrote.
type Result struct {
	Config    string   // allot.yaml, ready for allot run
	DataFiles []string // bill files, in order
	Rows      int64
	Bytes     int64
	Usage     string // the gateway usage file
	Source    string // the bill source URL in allot.yaml (relative to Out)
}

// Generate writes o.Rows synthetic bill lines in o.Format, the gateway
// usage records of the same teams and classes, a price list and an
// allot.yaml that reads them. Memory is bounded by one row group per
// worker; progress, when set, is called with the number of lines written
// since its last call, from any goroutine.
func Generate(ctx context.Context, o Options, progress func(n int64)) (*Result, error) {
	o.Defaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	if ents, err := os.ReadDir(o.Out); err == nil && len(ents) > 0 {
		return nil, fmt.Errorf("gen: %w: %s already holds %d entries; choose an empty or new folder", ErrNotEmpty, o.Out, len(ents))
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	if progress == nil {
		progress = func(int64) {}
	}
	w := newWorld(&o)
	var fw formatWriter
	switch o.Format {
	case FormatAWSCUR2:
		fw = &cur2Writer{o: &o, w: w}
	case FormatFOCUS:
		fw = &focusWriter{o: &o, w: w}
	case FormatAzure:
		fw = &azureWriter{o: &o, w: w}
	}
	res := &Result{Rows: o.Rows}
	paths := make([]string, o.Files)
	for i := range paths {
		paths[i] = fw.path(i)
		if err := os.MkdirAll(filepath.Dir(paths[i]), 0o755); err != nil {
			return nil, fmt.Errorf("gen: %w", err)
		}
	}
	rowsOf := func(i int) int64 {
		n := o.Rows / int64(o.Files)
		if int64(i) < o.Rows%int64(o.Files) {
			n++
		}
		return n
	}
	counts := make([]fileStats, o.Files)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, o.Workers)
	for k := 0; k < o.Workers; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= o.Files || ctx.Err() != nil {
					return
				}
				rng := rand.New(rand.NewPCG(o.Seed, uint64(i)+1))
				st, err := writeFile(ctx, fw, paths[i], i, rowsOf(i), rng, progress)
				if err != nil {
					errs[k] = err
					return
				}
				counts[i] = st
			}
		}(k)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for i, p := range paths {
		res.DataFiles = append(res.DataFiles, p)
		res.Bytes += counts[i].bytes
	}
	if err := fw.finish(paths, counts); err != nil {
		return nil, err
	}
	var err error
	if res.Usage, err = writeUsage(w, &o, counts); err != nil {
		return nil, err
	}
	res.Source = fw.sourceURL()
	if res.Config, err = writeConfig(w, &o, fw.sourceKind(), res.Source); err != nil {
		return nil, err
	}
	return res, nil
}

// fileStats is what one data file holds, for manifests and the gateway
// usage records.
type fileStats struct {
	rows, bytes int64
	// actions per team and class, from the tagged usage lines
	usage map[[2]string]int64
}

// formatWriter writes one format.
type formatWriter interface {
	path(i int) string
	// open starts data file i at path.
	open(path string, i int) (rowWriter, error)
	finish(paths []string, st []fileStats) error
	sourceKind() string
	sourceURL() string
}

// rowWriter writes the lines of one file.
type rowWriter interface {
	write(l *line) error
	close() (bytes int64, err error)
}

func writeFile(ctx context.Context, fw formatWriter, path string, i int, rows int64, rng *rand.Rand, progress func(int64)) (fileStats, error) {
	st := fileStats{rows: rows, usage: map[[2]string]int64{}}
	rw, err := fw.open(path, i)
	if err != nil {
		return st, fmt.Errorf("gen: create %s: %w", path, err)
	}
	var l line
	w := worldOf(fw)
	const step = 16384
	for n := int64(0); n < rows; n++ {
		if n%step == 0 && n > 0 {
			if err := ctx.Err(); err != nil {
				rw.close()
				return st, err
			}
			progress(step)
		}
		w.draw(rng, &l)
		if l.res != nil && l.res.team != "" && l.typ == ltUsage {
			st.usage[[2]string{l.res.team, l.res.class}] += l.qty/1000 + 1
		}
		if err := rw.write(&l); err != nil {
			rw.close()
			return st, fmt.Errorf("gen: write %s: %w", path, err)
		}
	}
	progress(rows % step)
	if st.bytes, err = rw.close(); err != nil {
		return st, fmt.Errorf("gen: write %s: %w", path, err)
	}
	return st, nil
}

func worldOf(fw formatWriter) *world {
	switch f := fw.(type) {
	case *cur2Writer:
		return f.w
	case *focusWriter:
		return f.w
	case *azureWriter:
		return f.w
	}
	panic("gen: unknown writer")
}

// sortedTeams returns the (team, class) keys of m in order.
func sortedKeys(m map[[2]string]int64) [][2]string {
	keys := make([][2]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i][0] < keys[j][0] || keys[i][0] == keys[j][0] && keys[i][1] < keys[j][1]
	})
	return keys
}
