/*
Copyright The example-apiserver Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package main

import (
	"bytes"
	"fmt"
	"image/color"
	"image/png"
	"math"
	"sort"
	"strconv"
	"time"

	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"example.com/example-apiserver/test/monitoring"
)

// The colours of Grafana's dark theme and its classic palette, so that the picture reads as the
// dashboard it is.
var (
	background   = rgb(0x111217)
	panelFill    = rgb(0x181b1f)
	panelBorder  = rgb(0x2c2f35)
	gridLine     = rgb(0x2a2d33)
	textColor    = rgb(0xccccdc)
	dimText      = rgb(0x8e8ea0)
	seriesColors = []color.Color{
		rgb(0x7eb26d), rgb(0xeab839), rgb(0x6ed0e0), rgb(0xef843c), rgb(0xe24d42), rgb(0x1f78c1),
		rgb(0xba43a9), rgb(0x705da0), rgb(0x508642), rgb(0xcca300), rgb(0x447ebc), rgb(0xc15c17),
	}
	// heatColors run from few to many observations, as Grafana's Oranges.
	heatColors = gradient(32, rgb(0x4a1f06), rgb(0xe8590c), rgb(0xffd8a8))

	sans     = font.Font{Typeface: "Liberation", Variant: "Sans"}
	sansBold = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold}
)

// The dashboard's grid, in pixels (the image is drawn at 72 dpi: a vg point is a pixel).
const (
	gridColumns  = 24
	gridRow      = 30 // one row of the grid, the gap between panels included
	panelGap     = 8
	margin       = 12
	headerHeight = 40
	legendLine   = 15
	// maxLegendLines keeps a legend from crowding out its plot; more entries are counted.
	maxLegendLines = 3
)

func rgb(hex uint32) color.Color {
	return color.RGBA{R: uint8(hex >> 16), G: uint8(hex >> 8), B: uint8(hex), A: 0xff}
}

func style(f font.Font, size vg.Length, c color.Color, x text.XAlignment, y text.YAlignment) text.Style {
	return text.Style{Color: c, Font: font.From(f, size), XAlign: x, YAlign: y, Handler: plot.DefaultTextHandler}
}

// layout places the panels of a dashboard on an image width pixels wide.
type layout struct {
	width, height, column vg.Length
}

func newLayout(d *monitoring.Dashboard, width int) layout {
	rows := 0
	for _, p := range d.Panels {
		rows = max(rows, p.GridPos.Y+p.GridPos.H)
	}
	w := vg.Length(width)
	return layout{
		width:  w,
		height: headerHeight + vg.Length(rows)*gridRow + margin,
		column: (w - 2*margin + panelGap) / gridColumns,
	}
}

// rect is where panel p goes; y grows upwards in vg, downwards on Grafana's grid.
func (l layout) rect(p monitoring.Panel) vg.Rectangle {
	top := l.height - headerHeight - vg.Length(p.GridPos.Y)*gridRow
	return vg.Rectangle{
		Min: vg.Point{X: margin + vg.Length(p.GridPos.X)*l.column, Y: top - vg.Length(p.GridPos.H)*gridRow + panelGap},
		Max: vg.Point{X: margin + vg.Length(p.GridPos.X+p.GridPos.W)*l.column - panelGap, Y: top},
	}
}

// drawDashboard draws the panels where the dashboard's grid puts them, each with its title,
// its series over r (values in the panel's unit, times in UTC) and their legend, and returns
// the PNG.
func drawDashboard(d *monitoring.Dashboard, panels []panelData, r promv1.Range, rateInterval string, width int) ([]byte, error) {
	l := newLayout(d, width)
	img := vgimg.NewWith(vgimg.UseWH(l.width, l.height), vgimg.UseDPI(72), vgimg.UseBackgroundColor(background))
	c := draw.New(img)
	c.FillText(style(sansBold, 17, textColor, draw.XLeft, draw.YCenter), vg.Point{X: margin, Y: l.height - headerHeight/2}, d.Title)
	span := r.End.Sub(r.Start).Round(time.Minute)
	c.FillText(style(sans, 12, dimText, draw.XRight, draw.YCenter), vg.Point{X: l.width - margin, Y: l.height - headerHeight/2},
		fmt.Sprintf("%s – %s UTC (%d min)   namespace: All   $__rate_interval: %s",
			r.Start.UTC().Format("2006-01-02 15:04"), r.End.UTC().Format("15:04"), int(span.Minutes()), rateInterval))
	for _, data := range panels {
		pc := draw.Canvas{Canvas: img, Rectangle: l.rect(data.panel)}
		var err error
		switch data.panel.Type {
		case "row":
			pc.FillText(style(sansBold, 14, textColor, draw.XLeft, draw.YCenter), vg.Point{X: pc.Min.X, Y: pc.Center().Y}, data.panel.Title)
		case "heatmap":
			err = drawHeatmap(frame(pc, data.panel.Title), data, r)
		default:
			err = drawTimeseries(frame(pc, data.panel.Title), data, r)
		}
		if err != nil {
			return nil, fmt.Errorf("panel %q: %w", data.panel.Title, err)
		}
	}
	var out bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, img.Image()); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// frame draws a panel's box and title and returns the canvas inside it, under the title.
func frame(c draw.Canvas, title string) draw.Canvas {
	c.SetColor(panelFill)
	c.Fill(c.Rectangle.Path())
	c.SetLineStyle(draw.LineStyle{Color: panelBorder, Width: 1})
	c.Stroke(c.Rectangle.Path())
	c.FillText(style(sansBold, 13, textColor, draw.XLeft, draw.YTop), vg.Point{X: c.Min.X + 8, Y: c.Max.Y - 7}, title)
	return draw.Crop(c, 4, -8, 6, -26)
}

func noData(c draw.Canvas) {
	c.FillText(style(sans, 14, dimText, draw.XCenter, draw.YCenter), c.Center(), "No data")
}

// newPlot is a plot in the dashboard's look: no axis lines, grey tick labels, grid lines at the
// ticks, times of day along x, values in unit along y.
func newPlot(c draw.Canvas, r promv1.Range, unit string) *plot.Plot {
	p := plot.New()
	p.BackgroundColor = nil
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.LineStyle = draw.LineStyle{Color: color.Transparent}
		a.Tick.LineStyle = draw.LineStyle{Color: color.Transparent}
		a.Tick.Length = 0
		a.Padding = 2
		a.Tick.Label.Color = dimText
		a.Tick.Label.Font = font.From(sans, 10)
	}
	p.X.Min, p.X.Max = float64(r.Start.Unix()), float64(r.End.Unix())
	p.X.Tick.Marker = timeTicks{labels: max(2, int((c.Max.X-c.Min.X)/100))}
	p.Y.Tick.Marker = unitTicks{unit: unit}
	grid := plotter.NewGrid()
	grid.Vertical = draw.LineStyle{Color: gridLine, Width: 1}
	grid.Horizontal = draw.LineStyle{Color: gridLine, Width: 1}
	p.Add(grid)
	return p
}

// legendEntry is a series' name and colour.
type legendEntry struct {
	name  string
	color color.Color
}

// legendLines lays entries out as Grafana's list legend below a plot: left to right,
// wrapping at c's width, at most maxLegendLines lines. It returns the lines and how many
// entries did not fit.
func legendLines(c draw.Canvas, entries []legendEntry) ([][]legendEntry, int) {
	sty := style(sans, 11, textColor, draw.XLeft, draw.YCenter)
	var lines [][]legendEntry
	x := c.Max.X
	for i, e := range entries {
		w := 18 + sty.Width(e.name) + 14
		if x+w > c.Max.X {
			if len(lines) == maxLegendLines {
				return lines, len(entries) - i
			}
			lines = append(lines, nil)
			x = c.Min.X
		}
		lines[len(lines)-1] = append(lines[len(lines)-1], e)
		x += w
	}
	return lines, 0
}

// drawLegend draws lines (legendLines) from the top of c.
func drawLegend(c draw.Canvas, lines [][]legendEntry, more int) {
	sty := style(sans, 11, textColor, draw.XLeft, draw.YCenter)
	y := c.Max.Y - legendLine/2
	var x vg.Length
	for _, line := range lines {
		x = c.Min.X
		for _, e := range line {
			c.StrokeLine2(draw.LineStyle{Color: e.color, Width: 3}, x, y, x+14, y)
			c.FillText(sty, vg.Point{X: x + 18, Y: y}, e.name)
			x += 18 + sty.Width(e.name) + 14
		}
		y -= legendLine
	}
	if more > 0 {
		c.FillText(style(sans, 11, dimText, draw.XLeft, draw.YCenter), vg.Point{X: x, Y: y + legendLine}, fmt.Sprintf("+%d more", more))
	}
}

// drawTimeseries draws each series as a line, broken where it has no points, above the legend.
func drawTimeseries(c draw.Canvas, data panelData, r promv1.Range) error {
	if len(data.series) == 0 {
		noData(c)
		return nil
	}
	var entries []legendEntry
	for i, s := range data.series {
		entries = append(entries, legendEntry{name: s.legend, color: seriesColors[i%len(seriesColors)]})
	}
	lines, more := legendLines(c, entries)
	legendHeight := vg.Length(len(lines))*legendLine + 4
	p := newPlot(c, r, data.panel.FieldConfig.Defaults.Unit)
	low, high := 0.0, math.Inf(-1)
	for i, s := range data.series {
		for _, segment := range segments(s.points, r.Step) {
			line, err := plotter.NewLine(segment)
			if err != nil {
				return fmt.Errorf("series %s: %w", s.legend, err)
			}
			line.LineStyle = draw.LineStyle{Color: entries[i].color, Width: 1.5}
			p.Add(line)
			for _, xy := range segment {
				low, high = math.Min(low, xy.Y), math.Max(high, xy.Y)
			}
		}
	}
	// From zero unless values are negative, a little room above the highest, and a range of
	// one for a flat line.
	p.Y.Min, p.Y.Max = low, high
	if p.Y.Max <= p.Y.Min {
		p.Y.Max = p.Y.Min + 1
	}
	p.Y.Max += (p.Y.Max - p.Y.Min) * 0.05
	p.X.Min, p.X.Max = float64(r.Start.Unix()), float64(r.End.Unix())
	p.Draw(draw.Crop(c, 0, 0, legendHeight, 0))
	drawLegend(draw.Crop(c, 6, 0, 0, -(c.Max.Y-c.Min.Y-legendHeight)), lines, more)
	return nil
}

// segments splits points where a step or more has no point, as Grafana breaks a line there.
func segments(points []model.SamplePair, step time.Duration) []plotter.XYs {
	var out []plotter.XYs
	var last model.Time
	for _, pt := range points {
		v := float64(pt.Value)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		if len(out) == 0 || pt.Timestamp.Sub(last) > 2*step {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], plotter.XY{X: float64(pt.Timestamp.Unix()), Y: v})
		last = pt.Timestamp
	}
	return out
}

// drawHeatmap draws a histogram's buckets over time: a column per step, a row per bucket (its
// upper bound, le), the observations in it as the colour; zero leaves the cell empty.
func drawHeatmap(c draw.Canvas, data panelData, r promv1.Range) error {
	grid := newHeatGrid(data.series)
	if grid.max <= 0 {
		noData(c)
		return nil
	}
	legendHeight := vg.Length(legendLine + 4)
	p := newPlot(c, r, data.panel.FieldConfig.Defaults.Unit)
	h := plotter.NewHeatMap(grid, heatColors)
	h.Min, h.Max = 0, grid.max
	h.NaN = color.Transparent
	p.Add(h)
	p.X.Min, p.X.Max = float64(r.Start.Unix()), float64(r.End.Unix())
	p.Y.Tick.Marker = bucketTicks{bounds: grid.bounds, unit: data.panel.FieldConfig.Defaults.Unit}
	p.Draw(draw.Crop(c, 0, 0, legendHeight, 0))

	// The scale: few to many observations in a cell.
	y := c.Min.Y + legendHeight - legendLine/2
	x := c.Min.X + 6
	sty := style(sans, 11, textColor, draw.XLeft, draw.YCenter)
	c.FillText(sty, vg.Point{X: x, Y: y}, "0")
	x += sty.Width("0") + 6
	colors := heatColors.Colors()
	for _, col := range colors {
		c.StrokeLine2(draw.LineStyle{Color: col, Width: 10}, x, y, x+4, y)
		x += 4
	}
	c.FillText(sty, vg.Point{X: x + 6, Y: y}, short(grid.max)+" observations in a cell")
	return nil
}

// heatGrid is a histogram's cumulative buckets as a plotter.GridXYZ: a column per timestamp, a
// row per bucket, each cell the observations of that bucket alone (NaN when none).
type heatGrid struct {
	times  []model.Time
	bounds []float64
	counts [][]float64 // [column][row]
	max    float64
}

func newHeatGrid(buckets []series) heatGrid {
	type bucket struct {
		le     float64
		points map[model.Time]float64
	}
	var sorted []bucket
	seen := map[model.Time]bool{}
	for _, s := range buckets {
		le, err := strconv.ParseFloat(string(s.labels["le"]), 64)
		if err != nil {
			continue // not a bucket
		}
		b := bucket{le: le, points: map[model.Time]float64{}}
		for _, pt := range s.points {
			b.points[pt.Timestamp] = float64(pt.Value)
			seen[pt.Timestamp] = true
		}
		sorted = append(sorted, b)
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].le < sorted[j].le })
	g := heatGrid{}
	for t := range seen {
		g.times = append(g.times, t)
	}
	sort.Slice(g.times, func(i, j int) bool { return g.times[i] < g.times[j] })
	for _, b := range sorted {
		g.bounds = append(g.bounds, b.le)
	}
	for _, t := range g.times {
		column := make([]float64, len(sorted))
		below := 0.0
		for i, b := range sorted {
			column[i] = math.NaN()
			if cumulative, ok := b.points[t]; ok {
				if n := cumulative - below; n > 0 {
					column[i] = n
					g.max = math.Max(g.max, n)
				}
				below = cumulative
			}
		}
		g.counts = append(g.counts, column)
	}
	return g
}

func (g heatGrid) Dims() (int, int)   { return len(g.times), len(g.bounds) }
func (g heatGrid) Z(c, r int) float64 { return g.counts[c][r] }
func (g heatGrid) X(c int) float64    { return float64(g.times[c].Unix()) }
func (g heatGrid) Y(r int) float64    { return float64(r) }

// colors is a palette.Palette.
type colors []color.Color

func (c colors) Colors() []color.Color { return c }

// gradient is n colours from stops[0] through the others to the last, evenly.
func gradient(n int, stops ...color.Color) colors {
	out := make(colors, n)
	for i := range out {
		f := float64(i) / float64(n-1) * float64(len(stops)-1)
		k := min(int(f), len(stops)-2)
		a, b := stops[k].(color.RGBA), stops[k+1].(color.RGBA)
		t := f - float64(k)
		mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + (float64(y)-float64(x))*t)) }
		out[i] = color.RGBA{R: mix(a.R, b.R), G: mix(a.G, b.G), B: mix(a.B, b.B), A: 0xff}
	}
	return out
}

// unitTicks labels the major ticks of plot.DefaultTicks in a Grafana unit.
type unitTicks struct{ unit string }

func (u unitTicks) Ticks(low, high float64) []plot.Tick {
	var ticks []plot.Tick
	for _, t := range (plot.DefaultTicks{}).Ticks(low, high) {
		if !t.IsMinor() {
			t.Label = formatValue(t.Value, u.unit)
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// timeTicks marks whole minutes (or rounder times) of the day, at most labels of them.
type timeTicks struct{ labels int }

func (t timeTicks) Ticks(low, high float64) []plot.Tick {
	step := 6 * time.Hour
	for _, s := range []time.Duration{time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute,
		15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour} {
		if (high-low)/s.Seconds() <= float64(t.labels) {
			step = s
			break
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(low/step.Seconds()) * step.Seconds(); v <= high; v += step.Seconds() {
		ticks = append(ticks, plot.Tick{Value: v, Label: time.Unix(int64(v), 0).UTC().Format("15:04")})
	}
	return ticks
}

// bucketTicks labels a heatmap's rows with their buckets' upper bounds, every other one when
// there are many.
type bucketTicks struct {
	bounds []float64
	unit   string
}

func (b bucketTicks) Ticks(low, high float64) []plot.Tick {
	every := 1 + len(b.bounds)/8
	var ticks []plot.Tick
	for i, le := range b.bounds {
		if i%every != 0 {
			continue
		}
		label := "+Inf"
		if !math.IsInf(le, 1) {
			label = formatValue(le, b.unit)
		}
		ticks = append(ticks, plot.Tick{Value: float64(i), Label: label})
	}
	return ticks
}
