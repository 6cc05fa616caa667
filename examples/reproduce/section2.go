package main

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/sgdk"
	"github.com/flatminima/flatminima/sgdk/stability"
	"github.com/flatminima/flatminima/thresholds"
)

func init() { registerSection("section2", 20, section2) }

// Section 2 of the paper: gradient descent on f(x) = x² with C = 1.1 from
// x0 = −1 gives x1 = 1.2, x2 = −1.44, …: |x_N| grows by |1 − 2C| = 1.2 per
// step (Figure 3; Theorem 2.1 with λ = 2: C = 1.1 > 2/λ = 1).
const (
	sec2C  = 1.1
	sec2X0 = -1.0
)

func section2(e *Env) error {
	// f(x) = x² = ½·x'Qx with Q = 2: a one-component stochastic quadratic.
	q, err := problems.NewQuadratic([]mat.Symmetric{mat.NewSymDense(1, []float64{2})}, [][]float64{{0}}, []float64{1})
	if err != nil {
		return err
	}
	g, err := thresholds.NewGeometry([]float64{2}, 0, 0)
	if err != nil {
		return err
	}
	iters := e.Iters
	cell := stability.Cell{
		Problem: q, Minimizer: []float64{0}, Geometry: &g,
		BatchSize: sgdk.FullBatch, Step: sec2C, Start: []float64{sec2X0}, Radius: 0,
		Iterations: iters, Runs: 1, Seed: e.Seed,
	}
	res, err := stability.RunCell(cell, 1)
	if err != nil {
		return err
	}
	d := res.Distances[0][0]
	// f = x² has none of the paper's named minimizers (circular, quadratic,
	// sharpest, flattest): its record names x* = 0 "origin" (REPORT says
	// so). It has no escape test (no other minimizer, no box), so escaped
	// and escape_radius are null (not applicable), not 0.
	rec := newCellRecord("section2", 0, sgdk.FullBatch, "origin", 0, sec2C, "paper", res.Stats,
		thresholds.Convergence(g, math.Inf(1)), thresholds.Divergence(g, math.Inf(1)), math.NaN())
	rec.Escaped = Num(math.NaN())
	e.cells = append(e.cells, rec)
	if err := e.addRuns("section2", 0, sgdk.FullBatch, "origin", 0, "paper", sec2C, res.Distances[0], nil); err != nil {
		return err
	}

	// The iterates themselves (signed), for the figure and the report.
	xs := make([]float64, iters+1)
	x := sec2X0
	for n := range xs {
		xs[n] = x
		x -= sec2C * 2 * x
	}
	if err := figure3(e, xs[:min(4, len(xs))]); err != nil {
		return err
	}

	var b strings.Builder
	fmt.Fprintf(&b, "Gradient descent on f(x) = x² with C = %g from x0 = %g (the paper's §2). ", sec2C, sec2X0)
	fmt.Fprintf(&b, "Theorem 2.1 with λ = 2: convergence below 2/λ_max = %s, divergence above 2/λ_min = %s.\n\n",
		g4(thresholds.Convergence(g, math.Inf(1))), g4(thresholds.Divergence(g, math.Inf(1))))
	var rows [][]string
	for n := 0; n < min(6, len(xs)); n++ {
		rows = append(rows, []string{fmt.Sprint(n), g4(xs[n]), g4(d[n])})
	}
	b.WriteString(mdTable([]string{"N", "x_N", "abs(x_N)"}, rows))
	fmt.Fprintf(&b, "\nThe paper: x1 = 1.2, x2 = −1.44, rate |1 − 2C| = 1.2. Measured per-step distance factor %s, "+
		"per-step factor of e_N = 2x_N² %s (ρ_lo = ρ_hi = (1 − 2C)² = %s). ",
		g4(res.Stats.GrowthRunMedian), g4(res.Stats.GrowthMS), g4(res.Stats.GrowthLo))
	ok := len(xs) > 2 && math.Abs(xs[1]-1.2) < 1e-12 && math.Abs(xs[2]+1.44) < 1e-12 && math.Abs(res.Stats.GrowthRunMedian-1.2) < 1e-9
	if ok {
		b.WriteString("**Reproduced exactly.**\n\n")
	} else {
		b.WriteString("**Not reproduced** (see the numbers above).\n\n")
	}
	b.WriteString("In summary.json and runs.csv this cell's minimizer is named \"origin\" (x* = 0; f = x² has none of the " +
		"paper's circular, quadratic, sharpest or flattest minimizers), and its escaped and escape_radius are null: " +
		"with no other minimizer and no box there is no escape test (|x_N| grows without bound).\n\n")
	b.WriteString("![Figure 3](figure3.png)\n")
	e.verdicts = append(e.verdicts, verdict{Section: "section2", Scope: "f(x) = x², C = 1.1", Question: "exponential divergence of GD above 2/λ",
		Held: boolInt(ok), Cells: 1, Family: 1, Verdict: map[bool]string{
			true:  "held in the one cell (C = 1.1 > l = 1, testable): |x_N| = 1.2^N exactly",
			false: "did not hold in the one cell (C = 1.1 > l = 1, testable)"}[ok]})
	e.Report(orderSection2, "Section 2: gradient descent on f(x) = x² (Figure 3)", b.String())
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// figure3 draws f(x) = x², the iterates xs on it and, from each iterate, the
// tangent ray in the negative derivative direction to the next iterate.
func figure3(e *Env, xs []float64) error {
	p := plot.New()
	p.Title.Text = "Figure 3: gradient descent on f(x) = x², C = 1.1, x0 = −1"
	p.X.Label.Text = "x"
	p.Y.Label.Text = "f(x)"
	f := plotter.NewFunction(func(x float64) float64 { return x * x })
	f.Samples = 200
	f.Color = color.Black
	p.Add(f)
	pts := make(plotter.XYs, len(xs))
	for i, x := range xs {
		pts[i] = plotter.XY{X: x, Y: x * x}
	}
	for i := 0; i+1 < len(xs); i++ {
		x0, x1 := xs[i], xs[i+1]
		// Tangent at x0: y = x0² + 2x0(x − x0), followed to x1.
		ray := plotter.XYs{{X: x0, Y: x0 * x0}, {X: x1, Y: x0*x0 + 2*x0*(x1-x0)}}
		l, err := plotter.NewLine(ray)
		if err != nil {
			return err
		}
		l.Color = color.NRGBA{R: 200, A: 255}
		l.Width = vg.Points(1.2)
		head, err := plotter.NewScatter(ray[1:])
		if err != nil {
			return err
		}
		head.Color = l.Color
		head.Shape = draw.PyramidGlyph{}
		drop, err := plotter.NewLine(plotter.XYs{ray[1], {X: x1, Y: x1 * x1}})
		if err != nil {
			return err
		}
		drop.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
		drop.Color = color.Gray{Y: 120}
		p.Add(l, head, drop)
		if i == 0 {
			p.Legend.Add("step: tangent at x_N, followed to x_{N+1}", l, head)
			p.Legend.Add("back to f(x_{N+1})", drop)
		}
	}
	s, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	s.Color = color.NRGBA{B: 200, A: 255}
	p.Add(s)
	p.Legend.Add("f(x) = x²", f)
	p.Legend.Add("iterates x_N", s)
	p.Legend.Top, p.Legend.Left = false, true
	p.Legend.XOffs = vg.Points(60) // below the iterates' rays
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	labels, err := plotter.NewLabels(plotter.XYLabels{XYs: pts, Labels: iterLabels(len(xs))})
	if err != nil {
		return err
	}
	p.Add(labels)
	lim := 0.0
	for _, x := range xs {
		lim = math.Max(lim, math.Abs(x))
	}
	p.X.Min, p.X.Max = -1.1*lim, 1.1*lim
	return e.SavePNG("figure3.png", p, 5*vg.Inch, 4*vg.Inch)
}

func iterLabels(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(" x%d", i)
	}
	return out
}
