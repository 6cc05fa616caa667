package main

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// logFloor is the smallest distance drawn: log10 of a distance that is
// exactly zero (an iterate on the minimizer) is drawn at log10(logFloor).
const logFloor = 1e-300

// runColor is the faint colour of one run's line (the paper draws every run).
var runColor = color.NRGBA{R: 20, G: 60, B: 180, A: 60}

// newPanel returns an empty plot with the small fonts of the multi-panel
// figures.
func newPanel(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(9)
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font.Size = vg.Points(8)
		ax.Tick.Label.Font.Size = vg.Points(7)
	}
	return p
}

// distancePanel returns a panel with one faint line per run of
// log10(distance) against the iteration, as in Figures 5–12, and a dashed
// horizontal line at log10(escape) when escape > 0.
func distancePanel(title string, runs [][]float64, escape float64) (*plot.Plot, error) {
	p := newPanel(title, "iteration", "log10 distance")
	iters := 0
	for _, d := range runs {
		if len(d) == 0 {
			continue
		}
		xy := make(plotter.XYs, len(d))
		for n, v := range d {
			xy[n].X = float64(n)
			xy[n].Y = math.Log10(math.Max(v, logFloor))
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, err
		}
		l.Color = runColor
		l.Width = vg.Points(0.6)
		p.Add(l)
		iters = max(iters, len(d)-1)
	}
	if escape > 0 && iters > 0 {
		y := math.Log10(escape)
		l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: y}, {X: float64(iters), Y: y}})
		if err != nil {
			return nil, err
		}
		l.Color = color.NRGBA{R: 200, A: 255}
		l.Dashes = []vg.Length{vg.Points(3), vg.Points(2)}
		l.Width = vg.Points(0.8)
		p.Add(l)
	}
	return p, nil
}

// saveGrid draws plots (rows × columns; nil entries are left blank) aligned on
// one canvas, each panel w × h, and writes it as a PNG to name in the output
// folder.
func saveGrid(e *Env, name string, plots [][]*plot.Plot, w, h vg.Length) error {
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
	img := vgimg.New(w*vg.Length(cols), h*vg.Length(rows))
	dc := draw.New(img)
	t := draw.Tiles{
		Rows: rows, Cols: cols,
		PadX: vg.Millimeter * 2, PadY: vg.Millimeter * 2,
		PadTop: vg.Millimeter, PadBottom: vg.Millimeter,
		PadLeft: vg.Millimeter, PadRight: vg.Millimeter * 2,
	}
	canvases := plot.Align(plots, t, dc)
	for j := range rows {
		for i := range cols {
			if plots[j][i] != nil {
				plots[j][i].Draw(canvases[j][i])
			}
		}
	}
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

// heatPanel returns a rasterized heat map of g with a colour bar range given
// in the title.
func heatPanel(title string, g gridFunc) *plot.Plot {
	p := plot.New()
	p.Title.TextStyle.Font.Size = vg.Points(9)
	cm := moreland.ExtendedBlackBody()
	h := plotter.NewHeatMap(g, cm.Palette(128))
	h.Rasterized = true
	p.Title.Text = fmt.Sprintf("%s (colour %.3g … %.3g)", title, h.Min, h.Max)
	p.Add(h)
	p.X.Label.Text = "x1"
	p.Y.Label.Text = "x2"
	p.X.Padding, p.Y.Padding = 0, 0
	return p
}
