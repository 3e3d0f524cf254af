package gen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"time"
	"unsafe"

	"github.com/allot-dev/allot/connectors"
	"github.com/klauspost/compress/gzip"
	"github.com/parquet-go/parquet-go"
)

// exportName is the Data Exports export the aws-cur2 output imitates.
const exportName = "allot-bench"

// colKind is how a column is typed and written.
type colKind int

const (
	ckText colKind = iota
	ckTime
	ckMoney
	ckQty
	ckTags
	ckNum // a required amount
)

// curCol is one CUR 2.0 column and how a line fills it.
type curCol struct {
	name string
	kind colKind
	text func(w *world, l *line) string
	time func(w *world, l *line) time.Time
	// money returns the amount and whether it is present (not null).
	money func(l *line) (int64, bool)
	// num returns a non-null amount.
	num func(l *line) int64
	// timeFmt is the CSV layout of a time column (default RFC 3339 UTC).
	timeFmt string
}

// cur2Cols is the column list of the export: the columns allot reads and
// a few more real exports carry.
var cur2Cols = []curCol{
	{name: "bill_billing_entity", text: func(*world, *line) string { return "AWS" }},
	{name: "bill_billing_period_start_date", kind: ckTime, time: func(w *world, _ *line) time.Time { return w.period.Start() }},
	{name: "bill_billing_period_end_date", kind: ckTime, time: func(w *world, _ *line) time.Time { return w.period.End() }},
	{name: "bill_payer_account_id", text: func(w *world, _ *line) string { return w.payer }},
	{name: "identity_time_interval", text: func(w *world, l *line) string {
		return w.interval(l.hour)
	}},
	{name: "line_item_usage_account_id", text: func(_ *world, l *line) string { return l.acct.id }},
	{name: "line_item_usage_account_name", text: func(_ *world, l *line) string { return l.acct.name }},
	{name: "line_item_line_item_type", text: func(_ *world, l *line) string { return lineTypes[l.typ].name }},
	{name: "line_item_usage_start_date", kind: ckTime, time: func(w *world, l *line) time.Time { return l.start(w.period.Start()) }},
	{name: "line_item_usage_end_date", kind: ckTime, time: func(w *world, l *line) time.Time { return l.start(w.period.Start()).Add(time.Hour) }},
	{name: "line_item_product_code", text: func(_ *world, l *line) string { return l.svc }},
	{name: "line_item_usage_type", text: func(_ *world, l *line) string { return l.usageType() }},
	{name: "line_item_operation", text: func(_ *world, l *line) string {
		if l.ut == nil {
			return ""
		}
		return "InvokeModelInference"
	}},
	{name: "line_item_resource_id", text: func(_ *world, l *line) string {
		if l.res == nil {
			return ""
		}
		return l.res.id
	}},
	{name: "line_item_usage_amount", kind: ckQty},
	{name: "line_item_currency_code", text: func(*world, *line) string { return "USD" }},
	{name: "line_item_unblended_cost", kind: ckMoney, money: func(l *line) (int64, bool) { return l.unblended, true }},
	{name: "line_item_net_unblended_cost", kind: ckMoney, money: func(l *line) (int64, bool) { return l.net, l.hasNet }},
	{name: "line_item_line_item_description", text: func(_ *world, l *line) string { return l.description() }},
	{name: "pricing_unit", text: func(_ *world, l *line) string {
		if l.ut == nil {
			return ""
		}
		return l.ut.unit
	}},
	{name: "pricing_public_on_demand_cost", kind: ckMoney, money: func(l *line) (int64, bool) { return l.pod, l.hasPod }},
	{name: "product_region_code", text: func(w *world, l *line) string {
		if l.res == nil {
			return ""
		}
		return regions[l.res.region].id
	}},
	{name: "reservation_reservation_a_r_n", text: func(w *world, l *line) string {
		if !l.riARN {
			return ""
		}
		return "arn:aws:bedrock:us-east-1:" + w.payer + ":reserved-capacity/rc-" + l.acct.id
	}},
	{name: "reservation_effective_cost", kind: ckMoney, money: func(l *line) (int64, bool) { return l.riEff, l.hasRI }},
	{name: "reservation_net_effective_cost", kind: ckMoney, money: func(l *line) (int64, bool) { return l.riNetEff, l.hasRI && l.hasNet }},
	{name: "reservation_unused_amortized_upfront_fee_for_billing_period", kind: ckMoney, money: func(l *line) (int64, bool) { return l.riUnusedUp, l.hasRIU }},
	{name: "reservation_net_unused_amortized_upfront_fee_for_billing_period", kind: ckMoney, money: func(l *line) (int64, bool) { return l.riNetUnusedUp, l.hasRIU && l.hasNet }},
	{name: "reservation_unused_recurring_fee", kind: ckMoney, money: func(l *line) (int64, bool) { return l.riUnusedRec, l.hasRIU }},
	{name: "reservation_net_unused_recurring_fee", kind: ckMoney, money: func(l *line) (int64, bool) { return l.riNetUnusedRec, l.hasRIU && l.hasNet }},
	{name: "savings_plan_savings_plan_a_r_n", text: func(w *world, l *line) string {
		if !l.spARN {
			return ""
		}
		return "arn:aws:savingsplans::" + w.payer + ":savingsplan/sp-" + l.acct.id
	}},
	{name: "savings_plan_savings_plan_effective_cost", kind: ckMoney, money: func(l *line) (int64, bool) { return l.spEff, l.hasSP }},
	{name: "savings_plan_net_savings_plan_effective_cost", kind: ckMoney, money: func(l *line) (int64, bool) { return l.spNetEff, l.hasSP && l.hasNet }},
	{name: "savings_plan_total_commitment_to_date", kind: ckMoney, money: func(l *line) (int64, bool) { return l.spTotal, l.hasSPRF }},
	{name: "savings_plan_used_commitment", kind: ckMoney, money: func(l *line) (int64, bool) { return l.spUsed, l.hasSPRF }},
	{name: "resource_tags", kind: ckTags},
}

type cur2Writer struct {
	o *Options
	w *world
}

func (c *cur2Writer) root() string { return filepath.Join(c.o.Out, "data", "aws", exportName) }

func (c *cur2Writer) partition() string { return "BILLING_PERIOD=" + c.o.Period.String() }

func (c *cur2Writer) path(i int) string {
	ext := ".snappy.parquet"
	if c.o.File == FileCSVGzip {
		ext = ".csv.gz"
	}
	return filepath.Join(c.root(), "data", c.partition(), fmt.Sprintf("%s-%05d%s", exportName, i+1, ext))
}

func (c *cur2Writer) sourceKind() string { return connectors.KindAWSCUR2 }
func (c *cur2Writer) sourceURL() string  { return "file:data/aws/" + exportName }

func (c *cur2Writer) open(p string, _ int) (rowWriter, error) {
	if c.o.File == FileCSVGzip {
		return newCSVGzWriter(p, c.o.GzipLevel, cur2Header(), func(b []byte, l *line) []byte { return c.csvRow(b, l) })
	}
	return newTableParquet(p, c.o, c.w, cur2Cols)
}

func cur2Header() []string {
	h := make([]string, len(cur2Cols))
	for i, col := range cur2Cols {
		h[i] = col.name
	}
	return h
}

func (c *cur2Writer) csvRow(b []byte, l *line) []byte { return csvRow(b, c.w, cur2Cols, l) }

// csvRow writes one line as a CSV record of cols.
func csvRow(b []byte, w *world, cols []curCol, l *line) []byte {
	for i := range cols {
		col := &cols[i]
		if i > 0 {
			b = append(b, ',')
		}
		switch col.kind {
		case ckText:
			b = appendCSV(b, col.text(w, l))
		case ckNum:
			b = appendMoney(b, col.num(l))
		case ckTime:
			if col.timeFmt != "" {
				b = col.time(w, l).AppendFormat(b, col.timeFmt)
			} else {
				b = col.time(w, l).AppendFormat(b, "2006-01-02T15:04:05Z")
			}
		case ckQty:
			if l.ut != nil {
				b = appendQty(b, l.qty)
			}
		case ckMoney:
			if v, ok := col.money(l); ok {
				b = appendMoney(b, v)
			}
		case ckTags:
			b = appendJSONTags(b, l)
		}
	}
	return append(b, '\n')
}

// appendJSONTags writes the resource tags as the JSON object CUR 2.0 CSV
// writes for a map column, CSV-quoted.
func appendJSONTags(b []byte, l *line) []byte {
	if l.res == nil || len(l.res.tags) == 0 {
		return append(b, "{}"...)
	}
	b = append(b, `"{`...)
	for i, kv := range l.res.tags {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `""`...)
		b = append(b, kv[0]...)
		b = append(b, `"":""`...)
		b = append(b, kv[1]...)
		b = append(b, `""`...)
	}
	return append(b, `}"`...)
}

// appendCSV writes a CSV field, quoted when it must be.
func appendCSV(b []byte, s string) []byte {
	need := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ',' || c == '"' || c == '\n' || c == '\r' {
			need = true
			break
		}
	}
	if !need {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// csvGzWriter writes CSV rows to a gzip file.
type csvGzWriter struct {
	f   *os.File
	bw  *bufio.Writer
	zw  *gzip.Writer
	out *bufio.Writer
	row func(b []byte, l *line) []byte
	buf []byte
	cw  *countWriter
}

type countWriter struct {
	w *os.File
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func newCSVGzWriter(p string, level int, header []string, row func([]byte, *line) []byte) (*csvGzWriter, error) {
	f, err := os.Create(p)
	if err != nil {
		return nil, err
	}
	w := &csvGzWriter{f: f, row: row, cw: &countWriter{w: f}}
	w.bw = bufio.NewWriterSize(w.cw, 1<<20)
	if level > 0 {
		w.zw, _ = gzip.NewWriterLevel(w.bw, level)
		w.out = bufio.NewWriterSize(w.zw, 1<<20)
	} else {
		w.out = w.bw
	}
	for i, h := range header {
		if i > 0 {
			w.out.WriteByte(',')
		}
		w.out.WriteString(h)
	}
	w.out.WriteByte('\n')
	return w, nil
}

func (w *csvGzWriter) write(l *line) error {
	w.buf = w.row(w.buf[:0], l)
	_, err := w.out.Write(w.buf)
	return err
}

func (w *csvGzWriter) close() (int64, error) {
	err := w.out.Flush()
	if w.zw != nil {
		if e := w.zw.Close(); err == nil {
			err = e
		}
		if e := w.bw.Flush(); err == nil {
			err = e
		}
	}
	if e := w.f.Close(); err == nil {
		err = e
	}
	return w.cw.n, err
}

// tableParquet writes a column list as Parquet: DOUBLE costs, TIMESTAMP
// dates, and tags as the standard MAP DuckDB writes:
// optional group resource_tags (MAP) { repeated group key_value {
// required binary key (STRING); optional binary value (STRING); } }.
type tableParquet struct {
	f      *os.File
	cw     *countWriter
	bw     *bufio.Writer
	pw     *parquet.Writer
	w      *world
	cols   []curCol
	leaf   []int // leaf column index of each cur2Cols entry (the tag key leaf for the map)
	valIdx int   // the map value leaf
	rows   []parquet.Row
	vals   [][]parquet.Value // per leaf, for the current row
	batch  int
}

func parquetSchema(cols []curCol, o *Options) *parquet.Schema {
	g := parquet.Group{}
	text := func() parquet.Node {
		n := parquet.String()
		if !o.Plain {
			n = parquet.Encoded(n, &parquet.RLEDictionary)
		}
		return n
	}
	for _, c := range cols {
		switch c.kind {
		case ckText:
			g[c.name] = parquet.Optional(text())
		case ckTime:
			// Writers (parquet-mr, Arrow, DuckDB) dictionary-encode
			// timestamps by default: a month has 744 hours.
			t := parquet.Timestamp(parquet.Millisecond)
			if !o.Plain {
				t = parquet.Encoded(t, &parquet.RLEDictionary)
			}
			g[c.name] = parquet.Optional(t)
		case ckMoney, ckQty:
			g[c.name] = parquet.Optional(parquet.Leaf(parquet.DoubleType))
		case ckNum:
			g[c.name] = parquet.Leaf(parquet.DoubleType)
		case ckTags:
			k, v := text(), text()
			if o.NoDict {
				k, v = parquet.String(), parquet.String()
			}
			g[c.name] = parquet.Optional(parquet.Map(k, parquet.Optional(v)))
		}
	}
	return parquet.NewSchema("schema", g)
}

func newTableParquet(p string, o *Options, w *world, cols []curCol) (*tableParquet, error) {
	f, err := os.Create(p)
	if err != nil {
		return nil, err
	}
	s := parquetSchema(cols, o)
	c := &tableParquet{f: f, cw: &countWriter{w: f}, w: w, cols: cols}
	c.bw = bufio.NewWriterSize(c.cw, 1<<20)
	c.pw = parquet.NewWriter(c.bw, s, parquet.Compression(&parquet.Snappy),
		parquet.MaxRowsPerRowGroup(int64(o.RowGroup)), parquet.PageBufferSize(1<<20))
	for _, col := range cols {
		pathOf := []string{col.name}
		if col.kind == ckTags {
			pathOf = []string{col.name, "key_value", "key"}
			lc, _ := s.Lookup(col.name, "key_value", "value")
			c.valIdx = lc.ColumnIndex
		}
		lc, ok := s.Lookup(pathOf...)
		if !ok {
			return nil, fmt.Errorf("no column %s in the schema", path.Join(pathOf...))
		}
		c.leaf = append(c.leaf, lc.ColumnIndex)
	}
	c.vals = make([][]parquet.Value, len(s.Columns()))
	return c, nil
}

const parquetBatch = 4096

func (c *tableParquet) write(l *line) error {
	for i := range c.vals {
		c.vals[i] = c.vals[i][:0]
	}
	for i := range c.cols {
		col := &c.cols[i]
		li := c.leaf[i]
		switch col.kind {
		case ckText:
			c.vals[li] = append(c.vals[li], optText(col.text(c.w, l), li))
		case ckNum:
			c.vals[li] = append(c.vals[li], parquet.DoubleValue(money(col.num(l))).Level(0, 0, li))
		case ckTime:
			c.vals[li] = append(c.vals[li], parquet.Int64Value(col.time(c.w, l).UnixMilli()).Level(0, 1, li))
		case ckQty:
			if l.ut == nil {
				c.vals[li] = append(c.vals[li], parquet.NullValue().Level(0, 0, li))
			} else {
				c.vals[li] = append(c.vals[li], parquet.DoubleValue(float64(l.qty)/1000).Level(0, 1, li))
			}
		case ckMoney:
			if v, ok := col.money(l); ok {
				c.vals[li] = append(c.vals[li], parquet.DoubleValue(money(v)).Level(0, 1, li))
			} else {
				c.vals[li] = append(c.vals[li], parquet.NullValue().Level(0, 0, li))
			}
		case ckTags:
			vi := c.valIdx
			if l.res == nil || len(l.res.tags) == 0 {
				// an empty map (present, no entries), as DuckDB writes {}
				c.vals[li] = append(c.vals[li], parquet.NullValue().Level(0, 1, li))
				c.vals[vi] = append(c.vals[vi], parquet.NullValue().Level(0, 1, vi))
				continue
			}
			for j, kv := range l.res.tags {
				rep := 1
				if j == 0 {
					rep = 0
				}
				c.vals[li] = append(c.vals[li], parquet.ByteArrayValue(bytesOf(kv[0])).Level(rep, 2, li))
				c.vals[vi] = append(c.vals[vi], parquet.ByteArrayValue(bytesOf(kv[1])).Level(rep, 3, vi))
			}
		}
	}
	var row parquet.Row
	if c.batch < len(c.rows) {
		row = c.rows[c.batch][:0]
	}
	for _, vs := range c.vals {
		row = append(row, vs...)
	}
	if c.batch < len(c.rows) {
		c.rows[c.batch] = row
	} else {
		c.rows = append(c.rows, row)
	}
	c.batch++
	if c.batch == parquetBatch {
		return c.flush()
	}
	return nil
}

func optText(s string, li int) parquet.Value {
	if s == "" {
		return parquet.NullValue().Level(0, 0, li)
	}
	return parquet.ByteArrayValue(bytesOf(s)).Level(0, 1, li)
}

func (c *tableParquet) flush() error {
	if c.batch == 0 {
		return nil
	}
	_, err := c.pw.WriteRows(c.rows[:c.batch])
	c.batch = 0
	return err
}

func (c *tableParquet) close() (int64, error) {
	err := c.flush()
	if e := c.pw.Close(); err == nil {
		err = e
	}
	if e := c.bw.Flush(); err == nil {
		err = e
	}
	if e := c.f.Close(); err == nil {
		err = e
	}
	return c.cw.n, err
}

func (c *cur2Writer) finish(paths []string, st []fileStats) error {
	type column struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	m := struct {
		ExecutionID string   `json:"executionId"`
		ExportARN   string   `json:"exportArn"`
		Columns     []column `json:"columns"`
		DataFiles   []string `json:"dataFiles"`
	}{
		ExecutionID: fmt.Sprintf("%08x-0000-4000-8000-%012x", c.o.Seed&0xffffffff, c.o.Rows),
		ExportARN:   "arn:aws:bcm-data-exports:us-east-1:" + c.w.payer + ":export/" + exportName + "-0a1b2c3d",
	}
	for _, col := range cur2Cols {
		t := map[colKind]string{ckText: "string", ckTime: "timestamp", ckMoney: "double", ckQty: "double", ckNum: "double", ckTags: "map<string,string>"}[col.kind]
		m.Columns = append(m.Columns, column{col.name, t})
	}
	for _, p := range paths {
		rel, _ := filepath.Rel(c.root(), p)
		m.DataFiles = append(m.DataFiles, "s3://allot-bench-billing/exports/"+exportName+"/"+filepath.ToSlash(rel))
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	dir := filepath.Join(c.root(), "metadata", c.partition())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	mp := filepath.Join(dir, exportName+"-Manifest.json")
	if err := os.WriteFile(mp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	return nil
}

// bytesOf views s as bytes without copying; the Parquet writer copies
// values into its pages and never modifies them.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
