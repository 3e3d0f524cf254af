package statements

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Chart is a horizontal bar chart drawn as inline SVG: one row per label,
// one bar per series in each row. Geometry is computed with decimals (to
// a tenth of a pixel) so no float ever touches an amount, and every bar
// carries its amount in data-value.
type Chart struct {
	ID     string
	Title  string
	Desc   string
	Width  int
	Height int
	ZeroX  string
	Top    int
	Legend []LegendItem
	Rows   []ChartRow
}

// LegendItem names one series.
type LegendItem struct {
	Name  string
	Class string
	X     int
}

// ChartRow is one label and its bars.
type ChartRow struct {
	Label  string // full text, in the row's title
	Short  string // what the axis shows
	LabelY int
	Bars   []ChartBar
}

// ChartBar is one bar.
type ChartBar struct {
	Series string
	Class  string
	Value  string // the amount, as the tables show it
	Title  string // "label, series: value"
	X, W   string
	Y, H   int
	TextX  string
	TextY  int
}

// Chart geometry, in pixels.
const (
	chartLabelW = 230
	chartPlotW  = 400
	chartValueW = 110
	chartBarH   = 14
	chartGap    = 10
	chartLegend = 24
)

type chartRowIn struct {
	label  string
	values []Money
}

// newChart lays out a chart. series names the bars of each row (one name
// per value); a single series has no legend.
func newChart(id, title, desc string, series []string, rows []chartRowIn) Chart {
	c := Chart{ID: id, Title: title, Desc: desc, Width: chartLabelW + chartPlotW + chartValueW}
	maxPos, maxNeg := decimal.Zero, decimal.Zero
	for _, r := range rows {
		for _, v := range r.values {
			if v.Dec.GreaterThan(maxPos) {
				maxPos = v.Dec
			}
			if v.Dec.Neg().GreaterThan(maxNeg) {
				maxNeg = v.Dec.Neg()
			}
		}
	}
	span := maxPos.Add(maxNeg)
	if span.IsZero() {
		span = decimal.NewFromInt(1)
	}
	plotW := decimal.NewFromInt(chartPlotW)
	px := func(d decimal.Decimal) decimal.Decimal { return d.Mul(plotW).DivRound(span, 1) }
	zero := decimal.NewFromInt(chartLabelW).Add(px(maxNeg))
	c.ZeroX = zero.String()
	if len(series) > 1 {
		c.Top = chartLegend
		for i, s := range series {
			c.Legend = append(c.Legend, LegendItem{Name: s, Class: fmt.Sprintf("s%d", i), X: chartLabelW + i*160})
		}
	}
	y := c.Top + chartGap/2
	for _, r := range rows {
		row := ChartRow{Label: r.label, Short: truncate(r.label, 32), LabelY: y + len(r.values)*(chartBarH+2)/2 + 4}
		for i, v := range r.values {
			w := px(v.Dec.Abs())
			x := zero
			if v.IsNegative() {
				x = zero.Sub(w)
			}
			name := ""
			if i < len(series) {
				name = series[i]
			}
			class := fmt.Sprintf("s%d", i)
			if v.IsNegative() {
				class += " neg"
			}
			title := r.label + ": " + v.String()
			if name != "" && len(series) > 1 {
				title = r.label + ", " + name + ": " + v.String()
			}
			textX := zero.Add(decimal.NewFromInt(4))
			if !v.IsNegative() {
				textX = textX.Add(w)
			}
			row.Bars = append(row.Bars, ChartBar{Series: name, Class: class, Value: v.String(), Title: title,
				X: x.String(), W: w.String(), Y: y, H: chartBarH, TextX: textX.String(), TextY: y + chartBarH - 3})
			y += chartBarH + 2
		}
		c.Rows = append(c.Rows, row)
		y += chartGap
	}
	c.Height = y + chartGap/2
	return c
}
