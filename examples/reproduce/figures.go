package main

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// runColor is the faint colour of one run's line (the paper draws every run).
var runColor = color.NRGBA{R: 20, G: 60, B: 180, A: 60}

// escapeColor is the colour of the dashed escape radius.
var escapeColor = color.NRGBA{R: 200, A: 255}

// newPanel returns an empty plot with the small fonts of the multi-panel
// figures.
func newPanel(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(8)
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font.Size = vg.Points(8)
		ax.Tick.Label.Font.Size = vg.Points(7)
	}
	p.Legend.TextStyle.Font.Size = vg.Points(7)
	return p
}

// setLog makes ax a logarithmic axis with decade ticks.
func setLog(ax *plot.Axis) {
	ax.Scale = plot.LogScale{}
	ax.Tick.Marker = decadeTicks{}
}

// decadeTicks are the ticks of a logarithmic axis: over at most two
// decades, labels at 1, 2 and 5 times the powers of 10; up to six, at the
// powers of 10 (minor ticks between); beyond, at every n-th power of 10 so
// that about six are labelled (the distances of a diverging or converging
// run span hundreds of decades).
type decadeTicks struct{}

// Ticks implements plot.Ticker.
func (decadeTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi > lo) {
		return nil
	}
	decades := math.Log10(hi) - math.Log10(lo)
	e0, e1 := int(math.Floor(math.Log10(lo))), int(math.Ceil(math.Log10(hi)))
	stride := max(1, int(math.Ceil(decades/6)))
	var out []plot.Tick
	for e := e0; e <= e1; e++ {
		base := math.Pow10(e)
		for i := 1; i <= 9; i++ {
			v := float64(i) * base
			if v < lo || v > hi {
				continue
			}
			label := ""
			switch {
			case decades <= 2 && (i == 1 || i == 2 || i == 5):
				label = strconv.FormatFloat(v, 'g', 3, 64)
			case decades > 2 && i == 1 && e%stride == 0:
				label = strconv.FormatFloat(v, 'g', 3, 64)
			case decades > 6 && i != 1:
				continue // no minor ticks over many decades
			}
			out = append(out, plot.Tick{Value: v, Label: label})
		}
	}
	return out
}

// distancePanel returns a panel with one faint line per run of the distance
// to the minimizer against the iteration, on a logarithmic y axis, as in
// Figures 5–12, and a dashed horizontal line at the escape radius when
// escape > 0. An exactly zero distance (an iterate on the minimizer) is
// drawn at the panel's smallest positive distance; a run's line stops
// before a non-finite distance. With legend, the panel names its lines.
func distancePanel(title string, runs [][]float64, escape float64, legend bool) (*plot.Plot, error) {
	p := newPanel(title, "iteration N", "distance to x*")
	setLog(&p.Y)
	floor := math.Inf(1)
	for _, d := range runs {
		for _, v := range d {
			if v > 0 && !math.IsInf(v, 1) {
				floor = math.Min(floor, v)
			}
		}
	}
	iters := 0
	var first *plotter.Line
	for _, d := range runs {
		var xy plotter.XYs
		for n, v := range d {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				break
			}
			xy = append(xy, plotter.XY{X: float64(n), Y: math.Max(v, floor)})
		}
		if len(xy) == 0 {
			continue
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, err
		}
		l.Color = runColor
		l.Width = vg.Points(0.6)
		p.Add(l)
		if first == nil {
			first = l
		}
		iters = max(iters, len(d)-1)
	}
	if first != nil && legend {
		p.Legend.Add(fmt.Sprintf("one run (%d runs)", len(runs)), first)
	}
	if escape > 0 && iters > 0 {
		l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: escape}, {X: float64(iters), Y: escape}})
		if err != nil {
			return nil, err
		}
		l.Color = escapeColor
		l.Dashes = []vg.Length{vg.Points(3), vg.Points(2)}
		l.Width = vg.Points(0.9)
		p.Add(l)
		if legend {
			p.Legend.Add("escape radius R = "+g4(escape), l)
		}
	}
	p.Legend.Top = true
	return p, nil
}

// gridOptions are the options of saveGrid.
type gridOptions struct {
	// shareY gives every panel of a row the same y range (the union of
	// the panels' ranges), so that a row can be compared at a glance.
	shareY bool
	// bars maps a heat-map panel to its colour bar, drawn in a strip at
	// the right of the panel's tile.
	bars map[*plot.Plot]*plot.Plot
}

// padRange widens every panel's y range by 6% on each side (in decades on
// a logarithmic axis), so that no line lies on the frame, after making the
// panels of a row share their range when o.shareY.
func padRange(plots [][]*plot.Plot, o gridOptions) {
	for _, row := range plots {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, p := range row {
			if p != nil {
				lo, hi = math.Min(lo, p.Y.Min), math.Max(hi, p.Y.Max)
			}
		}
		for _, p := range row {
			if p == nil || o.bars[p] != nil {
				continue
			}
			a, b := p.Y.Min, p.Y.Max
			if o.shareY {
				a, b = lo, hi
			}
			if _, ok := p.Y.Scale.(plot.LogScale); ok && a > 0 {
				la, lb := math.Log10(a), math.Log10(b)
				pad := math.Max(0.06*(lb-la), 0.1)
				p.Y.Min, p.Y.Max = math.Pow(10, la-pad), math.Pow(10, lb+pad)
			} else {
				pad := 0.06 * (b - a)
				if pad == 0 {
					pad = 0.1 * math.Max(math.Abs(a), 1)
				}
				p.Y.Min, p.Y.Max = a-pad, b+pad
			}
		}
	}
}

// saveGrid draws plots (rows × columns; nil entries are left blank) aligned on
// one canvas, each panel w × h, and writes it as a PNG to name in the output
// folder.
func saveGrid(e *Env, name string, plots [][]*plot.Plot, w, h vg.Length, o gridOptions) error {
	rows := len(plots)
	if rows == 0 {
		return fmt.Errorf("%s: no panels", name)
	}
	cols := len(plots[0])
	for _, r := range plots {
		if len(r) != cols {
			return fmt.Errorf("%s: ragged panel grid", name)
		}
	}
	padRange(plots, o)
	img := vgimg.New(w*vg.Length(cols), h*vg.Length(rows))
	dc := draw.New(img)
	t := draw.Tiles{
		Rows: rows, Cols: cols,
		PadX: vg.Millimeter * 2, PadY: vg.Millimeter * 2,
		PadTop: vg.Millimeter, PadBottom: vg.Millimeter,
		PadLeft: vg.Millimeter, PadRight: vg.Millimeter * 2,
	}
	if len(o.bars) > 0 {
		// Colour bars break plot.Align's common axes: tile plainly.
		for j := range rows {
			for i := range cols {
				if p := plots[j][i]; p != nil {
					drawWithBar(t.At(dc, i, j), p, o.bars[p])
				}
			}
		}
	} else {
		canvases := plot.Align(plots, t, dc)
		for j := range rows {
			for i := range cols {
				if plots[j][i] != nil {
					plots[j][i].Draw(canvases[j][i])
				}
			}
		}
	}
	return writePNG(e, name, img)
}

// drawWithBar draws p on c, or, when bar is not nil, p on the left 80% of c
// and its colour bar on the rest.
func drawWithBar(c draw.Canvas, p, bar *plot.Plot) {
	if bar == nil {
		p.Draw(c)
		return
	}
	wd := c.Max.X - c.Min.X
	split := 0.8 * wd
	p.Draw(draw.Crop(c, 0, split-wd, 0, 0))
	bar.Draw(draw.Crop(c, split, 0, 0, 0))
}

// savePlotWithBar writes one plot as a PNG: p on the left 66%, then its
// colour bar, then p's legend (drawn beside the plot, not over its data).
func savePlotWithBar(e *Env, name string, p, bar *plot.Plot, w, h vg.Length) error {
	img := vgimg.New(w, h)
	c := draw.New(img)
	legend := p.Legend
	p.Legend = plot.NewLegend()
	p.Draw(draw.Crop(c, 0, -0.34*w, 0, 0))
	bar.Draw(draw.Crop(c, 0.67*w, -0.28*w, 0, 0))
	legend.Top, legend.Left = true, true
	legend.Draw(draw.Crop(c, 0.76*w, 0, 0, -vg.Points(30)))
	return writePNG(e, name, img)
}

func writePNG(e *Env, name string, img *vgimg.Canvas) error {
	f, err := e.Create(name)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", name, err)
	}
	return f.Close()
}

// colorBar returns a narrow panel showing cm from its Min to its Max with
// the axis label label.
func colorBar(cm palette.ColorMap, label string) *plot.Plot {
	p := newPanel("", "", label)
	p.Add(&plotter.ColorBar{ColorMap: cm, Vertical: true})
	p.HideX()
	p.Y.Padding = 0
	p.Title.Text = " " // keeps the bar level with the panel's frame
	return p
}

// paletteMap is a palette.ColorMap over [min, max] that returns the colours
// of pal, as plotter.HeatMap assigns them, for colour bars of heat maps
// drawn with a palette.
type paletteMap struct {
	pal      []color.Color
	min, max float64
	alpha    float64
}

func newPaletteMap(pal palette.Palette, min, max float64) *paletteMap {
	return &paletteMap{pal: pal.Colors(), min: min, max: max, alpha: 1}
}

func (m *paletteMap) At(v float64) (color.Color, error) {
	if v < m.min || v > m.max || math.IsNaN(v) {
		return nil, fmt.Errorf("value %v outside [%v, %v]", v, m.min, m.max)
	}
	i := int((v-m.min)/(m.max-m.min)*float64(len(m.pal)-1) + 0.5)
	return m.pal[i], nil
}
func (m *paletteMap) Max() float64       { return m.max }
func (m *paletteMap) SetMax(v float64)   { m.max = v }
func (m *paletteMap) Min() float64       { return m.min }
func (m *paletteMap) SetMin(v float64)   { m.min = v }
func (m *paletteMap) Alpha() float64     { return m.alpha }
func (m *paletteMap) SetAlpha(a float64) { m.alpha = a }
func (m *paletteMap) Palette(int) palette.Palette {
	return paletteOf(m.pal)
}

type paletteOf []color.Color

func (p paletteOf) Colors() []color.Color { return p }

// gridFunc is a function sampled on a regular grid, for heat maps.
type gridFunc struct {
	xs, ys []float64
	z      [][]float64 // z[row][col] at (xs[col], ys[row])
}

func (g gridFunc) Dims() (c, r int)   { return len(g.xs), len(g.ys) }
func (g gridFunc) Z(c, r int) float64 { return g.z[r][c] }
func (g gridFunc) X(c int) float64    { return g.xs[c] }
func (g gridFunc) Y(r int) float64    { return g.ys[r] }

// sampleGrid evaluates f on an n×n grid of cell centres over [x0,x1]×[y0,y1].
func sampleGrid(f func(x, y float64) float64, x0, x1, y0, y1 float64, n int) gridFunc {
	g := gridFunc{xs: make([]float64, n), ys: make([]float64, n), z: make([][]float64, n)}
	for i := range n {
		g.xs[i] = x0 + (x1-x0)*(float64(i)+0.5)/float64(n)
		g.ys[i] = y0 + (y1-y0)*(float64(i)+0.5)/float64(n)
	}
	for r := range n {
		g.z[r] = make([]float64, n)
		for c := range n {
			g.z[r][c] = f(g.xs[c], g.ys[r])
		}
	}
	return g
}

// heatPanel returns a rasterized heat map of g and its colour bar, labelled
// barLabel.
func heatPanel(title string, g gridFunc, barLabel string) (*plot.Plot, *plot.Plot) {
	p := newPanel(title, "x1", "x2")
	cm := moreland.ExtendedBlackBody()
	h := plotter.NewHeatMap(g, cm.Palette(128))
	h.Rasterized = true
	p.Add(h)
	p.X.Padding, p.Y.Padding = 0, 0
	cm.SetMin(h.Min)
	cm.SetMax(h.Max)
	return p, colorBar(cm, barLabel)
}
