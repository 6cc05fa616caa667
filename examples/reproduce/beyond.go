package main

import (
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/problems/learning"
	"github.com/flatminima/flatminima/problems/paper"
	"github.com/flatminima/flatminima/sgdk/stability"
)

func init() { registerSection("beyond", 50, runBeyond) }

// The "Beyond the paper" section: for five minimizers and k ∈ {1, 4, 16,
// 64, ∞}, every threshold side by side (stability.Compare), written to
// comparison.csv and comparison.json, a REPORT.md part, and one phase
// diagram per case (measured escape fraction over (C, k) with the threshold
// curves drawn over it).
const (
	// beyondSTSeed is the seed of Styblinski–Tang Model 1, the documented
	// seed of the paper's models in this program (stSeed of the tables).
	beyondSTSeed = 1
)

// beyondSizes are the Monte Carlo sizes of the section other than -runs
// (escape runs per probed learning rate, Env.Runs). They are fixed for the
// program (beyondDefault); only tests shrink them, through beyondSize.
type beyondSizes struct {
	// iters is the iteration budget of every escape run, the section's own
	// and independent of -iters: longer than the paper's 20 so that a run
	// just above a threshold has time to leave.
	iters int
	// grid is the number of learning rates of a phase diagram, gridRuns
	// the number of runs per phase-diagram cell.
	grid, gridRuns int
	// lyapReplicates, lyapSteps and lyapBurn are the products per
	// Lyapunov probe, their averaged steps and burn-in steps.
	lyapReplicates, lyapSteps, lyapBurn int
}

// beyondDefault are the sizes of the program.
var beyondDefault = beyondSizes{iters: 100, grid: 40, gridRuns: 32, lyapReplicates: 16, lyapSteps: 2000, lyapBurn: 200}

// beyondSize is what runBeyond uses: beyondDefault except in tests.
var beyondSize = beyondDefault

var beyondBatches = []float64{1, 4, 16, 64, math.Inf(1)}

// beyondCase is one minimizer of the comparison with its escape geometry.
type beyondCase struct {
	problem   string // "quadcircle", "styblinski-tang", "gaussian", "two-point"
	model     int    // 0 when not one of the paper's models
	minimizer string
	file      string // figure name
	c         *stability.Case
	start     float64 // start radius r
	escape    float64 // escape radius R
}

// beyondCases builds the five cases.
func beyondCases() ([]beyondCase, error) {
	var out []beyondCase
	qc, err := paper.QuadCircleModel(1)
	if err != nil {
		return nil, err
	}
	c, err := stability.ProblemCase("quadcircle model 1, quadratic minimizer", qc, qc.Quadratic(), qc.Box(), nil)
	if err != nil {
		return nil, err
	}
	// R = 0.1, not half the distance to the circular minimizer: the quadratic
	// well is narrow (g_i gives way to the flat h_i ≈ 0.01 where
	// q1_i·u² > 0.01, |u| ≈ 0.2), and beyond it the iterates stall on the
	// plateau instead of travelling on; within 0.1 of x* every g_i is active
	// (paper.QuadCircleModel). r = 1e-3.
	out = append(out, beyondCase{"quadcircle", 1, "quadratic", "beyond_qc1_quadratic.png", c, 1e-3, 0.1})

	st, err := paper.StyblinskiTangModel(1, beyondSTSeed)
	if err != nil {
		return nil, err
	}
	for _, m := range []struct {
		name string
		x    []float64
	}{{"sharpest", st.Sharpest()}, {"flattest", st.Flattest()}} {
		c, err := stability.ProblemCase("styblinski-tang model 1, "+m.name+" minimizer", st, m.x, st.Box(), nil)
		if err != nil {
			return nil, err
		}
		// R: half the distance to the nearest other minimizer (they differ
		// in one coordinate by the gap between the two roots).
		other := st.Sharpest()
		if m.name == "sharpest" {
			other = st.Flattest()
		}
		gap := math.Inf(1)
		for d := range other {
			if g := math.Abs(other[d] - m.x[d]); g > 0 {
				gap = math.Min(gap, g)
			}
		}
		out = append(out, beyondCase{"styblinski-tang", 1, m.name, "beyond_st1_" + m.name + ".png", c, 1e-1, gap / 2})
	}

	g, err := beyondGaussian()
	if err != nil {
		return nil, err
	}
	c, err = stability.GaussianCase("gaussian least squares, p = 10", g)
	if err != nil {
		return nil, err
	}
	out = append(out, beyondCase{"gaussian", 0, "theta*", "beyond_gaussian.png", c, 1e-1, 10})

	tp, err := problems.NewQuadratic([]mat.Symmetric{mat.NewSymDense(1, []float64{1}), mat.NewSymDense(1, []float64{3})}, [][]float64{{0}, {0}}, nil)
	if err != nil {
		return nil, err
	}
	c, err = stability.ProblemCase("two-point scalar example", tp, []float64{0}, nil, nil)
	if err != nil {
		return nil, err
	}
	out = append(out, beyondCase{"two-point", 0, "origin", "beyond_two_point.png", c, 1e-1, 10})
	return out, nil
}

// beyondGaussian is homogeneous Gaussian least squares in R^10 with row
// covariance Σ = U diag(σ) U', σ log-spaced from 1 down to 0.01, U a random
// rotation (fixed seed 2026), θ* = (1, …, 1), no noise.
func beyondGaussian() (*learning.GaussianLeastSquares, error) {
	const p = 10
	rnd := rand.New(rand.NewPCG(2026, 10))
	z := mat.NewDense(p, p, nil)
	for i := 0; i < p; i++ {
		for j := 0; j < p; j++ {
			z.Set(i, j, rnd.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(z)
	var u mat.Dense
	qr.QTo(&u)
	sigma := mat.NewSymDense(p, nil)
	for a := 0; a < p; a++ {
		s := math.Pow(10, -2*float64(a)/float64(p-1))
		for i := 0; i < p; i++ {
			for j := i; j < p; j++ {
				sigma.SetSym(i, j, sigma.At(i, j)+s*u.At(i, a)*u.At(j, a))
			}
		}
	}
	theta := make([]float64, p)
	for i := range theta {
		theta[i] = 1
	}
	return learning.NewGaussianLeastSquares(sigma, theta, 0)
}

// beyondRecord is one row of comparison.csv and comparison.json (columns:
// comparisonColumns).
type beyondRecord struct {
	Problem          string
	Model            *int
	Minimizer        string
	Homogeneous      bool
	Batch            Batch
	PatelConvergence Num
	MeanSquare       Num
	PatelDivergence  Num
	WuSharpness      Num
	WuNonUniformity  Num
	AlmostSure       Num
	AlmostSureErr    Num
	Escape           Num
	EscapeLo         Num
	EscapeHi         Num
	FloorAtHalf      Num
	StartRadius      Num
	EscapeRadius     Num
	Iterations       int
	Runs             int
}

func runBeyond(e *Env) error {
	cases, err := beyondCases()
	if err != nil {
		return err
	}
	var records []beyondRecord
	var csvRows [][]string
	sz := beyondSize
	var md strings.Builder
	md.WriteString(beyondIntro)
	fmt.Fprintf(&md, "**Iteration budget.** Every escape run of this section (thresholds and phase diagrams) takes "+
		"%d iterations, this section's own budget: it does not follow -iters (%d, the budget of the paper's "+
		"experiments), so that a run just above a threshold has time to leave.\n\n", sz.iters, e.Iters)
	fmt.Fprintf(&md, "Escape runs: %d runs (-runs) per probed learning rate, %d iterations each (regardless of -iters), "+
		"starts uniform in B(x*, r), escape = leaving B(x*, R), touching the box, or overflowing; bisection on log C to 2%%; "+
		"then a logistic curve in log C fitted by maximum likelihood to every probe (each run reuses its random stream at "+
		"every probe, so the fit uses each run's interval-censored threshold) gives the escape threshold, where it crosses "+
		"0.5, and its 95%% profile-likelihood interval (stability.MeasureEscape). Almost-sure thresholds: %d products of %d steps (after %d burn-in steps) per probe, "+
		"scanned upward from C*(k) by factors 2^(1/4), then bisected to 0.1%%; ± is the Monte Carlo standard error. "+
		"Phase diagrams: %d learning rates × %d runs per cell, %d iterations per run. Seed %d.\n\n",
		e.Runs, sz.iters, sz.lyapReplicates, sz.lyapSteps, sz.lyapBurn, sz.grid, sz.gridRuns, sz.iters, e.Seed)
	for ci, bc := range cases {
		set := stability.CompareSettings{
			Lyapunov: stability.LyapunovSettings{Replicates: sz.lyapReplicates, Steps: sz.lyapSteps, Burn: sz.lyapBurn, Seed: stability.CellSeed(e.Seed^0xbe70d, ci), Workers: e.Workers},
			Escape: stability.EscapeSettings{StartRadius: bc.start, EscapeRadius: bc.escape, Iterations: sz.iters,
				Runs: e.Runs, Seed: stability.CellSeed(e.Seed^0xe5ca9e, ci), Workers: e.Workers},
		}
		rows, ok, err := cellUnit(e, beyondGroup(ci), beyondGroup(ci)+"/compare", func() ([]stability.ComparisonRow, error) { return stability.Compare(bc.c, beyondBatches, set) })
		if err != nil {
			return err
		}
		if !ok {
			continue // another shard's case
		}
		e.Progress("beyond: %s compared", bc.c.Name)
		var model *int
		if bc.model != 0 {
			m := bc.model
			model = &m
		}
		for _, r := range rows {
			rec := beyondRecord{
				Problem: bc.problem, Model: model, Minimizer: bc.minimizer, Homogeneous: r.Homogeneous, Batch: Batch(r.Batch),
				PatelConvergence: Num(r.PatelConvergence), MeanSquare: Num(r.MeanSquare), PatelDivergence: Num(r.PatelDivergence),
				WuSharpness: Num(r.WuSharpness), WuNonUniformity: Num(r.WuNonUniformity),
				AlmostSure: Num(r.AlmostSure), AlmostSureErr: Num(r.AlmostSureErr),
				Escape: Num(r.Escape), EscapeLo: Num(r.EscapeLo), EscapeHi: Num(r.EscapeHi), FloorAtHalf: Num(r.FloorAtHalf),
				StartRadius: Num(bc.start), EscapeRadius: Num(bc.escape), Iterations: sz.iters, Runs: e.Runs,
			}
			records = append(records, rec)
			csvRows = append(csvRows, comparisonColumns.csv(rec))
		}
		hom := "inhomogeneous"
		if bc.c.Homogeneous {
			hom = "homogeneous"
		}
		fmt.Fprintf(&md, "### %s (%s; r = %.3g, R = %.3g)\n\n", bc.c.Name, hom, bc.start, bc.escape)
		md.WriteString(beyondTable(rows))
		if err := beyondPhase(e, bc, rows, ci, sz); err != nil {
			return err
		}
		e.Progress("beyond: %s phase diagram", bc.c.Name)
		fmt.Fprintf(&md, "\n![phase diagram: %s](%s)\n\n", bc.c.Name, bc.file)
	}
	if err := e.WriteJSON("comparison.json", records); err != nil {
		return err
	}
	if err := e.WriteCSV("comparison.csv", comparisonColumns.header(), csvRows); err != nil {
		return err
	}
	md.WriteString(beyondOutro)
	e.Report(orderBeyond, "Beyond the paper: exact, almost-sure and measured thresholds", md.String())
	return nil
}

const beyondIntro = `For each minimizer and batch size k the table puts side by side (all are learning-rate thresholds C):
Patel's convergence bound (18) ((34) if inhomogeneous) and divergence bound (19)–(20), on the exact geometry (λ, s_Q, t_Q) of the
problem linearized at x* (component Hessians at x*); the exact mean-square threshold C*(k) of that linearization
(thresholds.MeanSquare: where the spectral radius of the second-moment map crosses 1), which always lies between them; the criteria of Wu, Ma and E (NeurIPS 2018), sharpness 2/λ_max(H) and
non-uniformity √k/√λ_max(E[Q²] − H²); the almost-sure threshold, where the top Lyapunov exponent of the linearized
SGD-k map crosses 0; and the measured escape threshold, the learning rate at which half the runs escape. The last
column is not a threshold: it is the systematic part of an inhomogeneous minimizer, the stationary mean error
E[e_∞] = E[(x − x*)'H(x − x*)] of the linearized SGD-k at C = C*(k)/2 (0 at a homogeneous minimizer).

**Mean-square versus almost-sure stability.** C*(k) is the threshold of the mean E[e_N]: below it the mean
error decays, above it the mean grows. But the mean of a product of random matrices is carried by rare runs. The
top Lyapunov exponent γ = lim (1/N) log‖d_N‖ describes a typical run, and Jensen's inequality (E log ≤ log E)
gives γ ≤ ½ log ρ(T_C): mean-square stability implies almost-sure stability, never the converse. Between C*(k)
and the almost-sure threshold a typical run converges while E[e_N] diverges. For the two-point example at k = 1,
C*(1) = 0.8 but almost every run converges up to C = 4/3, the root of ½ log|1 − C| + ½ log|1 − 3C| = 0. The
almost-sure threshold can even exceed gradient descent's 2/λ_1 (Gaussian least squares and the two-point example
at k = 16, 64): beyond 2/λ_1 the map 1 − Cq̄ is negative along the sharpest direction, where log|·| is concave, so
batch noise lowers E log|1 − Cq̄| below log|1 − Cλ_1|.

**What the measured thresholds add.** A run escapes when its own product grows by R/r within the budget, so the
measured threshold is a finite-budget version of the almost-sure one: at the homogeneous minimizers (two-point,
Gaussian, quadratic-circle) it lands within a few percent of it, the gap set by the budget (at the
quadratic-circle minimizer 100 steps must multiply the distance by R/r = 100, which needs |1 − Cλ| ≥ 1.047,
C ≥ 5.10 against 2/λ = 4.98). Nonlinear and inhomogeneous effects move it: at the
Styblinski–Tang minimizers (inhomogeneous) gradient noise alone carries runs out of B(x*, R) below C*(k) for small
k (compare the noise floor with e at the escape radius, about λ·R²), while for gradient descent the quartic
terms catch the iterates on a period-2 orbit just above 2/λ_1 (period 4 further up, a period-doubling cascade), so
escape needs a larger C. Patel's bounds
bracket C*(k) everywhere, tightly when the curvature noise is nearly isotropic (quadratic-circle, two-point: s = t),
loosely for the ill-conditioned Gaussian problem (λ_1/λ_m = 100). The Wu–Ma–E criteria follow from the one-step
condition λ_max((I − CH)² + (C²/k)(E[Q²] − H²)) ≤ 1, which is exactly mean-square stability in one dimension
(two-point example: C*(1) = 0.8 < min(1, 1)) but not in several: for the Gaussian problem at k = 4 the iterates are
mean-square stable up to C*(4) ≈ 1.23 although the non-uniformity criterion √k/σ ≈ 1.07 is violated from 1.07 on.
Elsewhere their combined limit min(2/λ_max, √k/σ) lies above C*(k), and it can sit far below the almost-sure and
measured thresholds.

`

const beyondOutro = `Files: comparison.csv and comparison.json (one row per minimizer and k; columns in DATA.md). Each
phase diagram shows the measured escape fraction over (C, k) as a heat map on a logarithmic C axis (colour bar: 0
white, no run escapes; 1 dark red, all escape), one band per batch size k, and every threshold of the table as a
marker in its k's band; the markers of one band are set at different heights so that equal thresholds (for the
two-point example Patel's bounds and C*(k) coincide) stay visible. The bar through the measured escape marker is its
95% interval; a value beyond the diagram's range is drawn at its edge with "<" or ">".`

// beyondTable renders the rows as a markdown table.
func beyondTable(rows []stability.ComparisonRow) string {
	var b strings.Builder
	b.WriteString("| k | Patel conv. | exact C* | Patel div. | Wu sharpness | Wu non-unif. | almost sure | escape [95% interval] | E[e∞] at C*/2 |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		as := beyondG(r.AlmostSure)
		if r.AlmostSureErr > 0 {
			as = fmt.Sprintf("%s ± %.2g", beyondG(r.AlmostSure), r.AlmostSureErr)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s [%s, %s] | %s |\n", Batch(r.Batch).String(),
			beyondG(r.PatelConvergence), beyondG(r.MeanSquare), beyondG(r.PatelDivergence),
			beyondG(r.WuSharpness), beyondG(r.WuNonUniformity), as,
			beyondG(r.Escape), beyondG(r.EscapeLo), beyondG(r.EscapeHi), beyondG(r.FloorAtHalf))
	}
	return b.String()
}

func beyondG(v float64) string {
	switch {
	case math.IsNaN(v):
		return "–"
	case math.IsInf(v, 1):
		return "∞"
	}
	return fmt.Sprintf("%.4g", v)
}

// phaseHeat draws the escape fraction on (C, k index) as a heat map whose
// cells are log-spaced in C: cell (i, r) spans C from 10^(logC[i] − h) to
// 10^(logC[i] + h), 2h the log10 spacing, and k index r ± ½. (plotter.HeatMap
// puts cell edges at arithmetic midpoints, which on a logarithmic axis can
// fall at C ≤ 0.)
type phaseHeat struct {
	logC []float64
	// rowLogC, if not nil, gives each row its own log-spaced grid (then
	// logC is not used).
	rowLogC [][]float64
	z       [][]float64 // z[k index][C index], fractions 0–1
	pal     []color.Color
}

// Plot implements plot.Plotter.
func (g phaseHeat) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	for r, row := range g.z {
		logC := g.logC
		if g.rowLogC != nil {
			logC = g.rowLogC[r]
		}
		h := 0.5 * (logC[len(logC)-1] - logC[0]) / float64(max(1, len(logC)-1))
		for i, v := range row {
			if math.IsNaN(v) {
				continue
			}
			x0, x1 := trX(math.Pow(10, logC[i]-h)), trX(math.Pow(10, logC[i]+h))
			y0, y1 := trY(float64(r)-0.5), trY(float64(r)+0.5)
			pts := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
			col := g.pal[int(math.Max(0, math.Min(1, v))*float64(len(g.pal)-1)+0.5)]
			c.FillPolygon(col, c.ClipPolygonXY(pts))
		}
	}
}

// beyondPalette runs from white (no run escapes) through orange to dark
// red (every run escapes).
type beyondPalette struct{}

func (beyondPalette) Colors() []color.Color {
	const n = 64
	out := make([]color.Color, n)
	for i := range out {
		t := float64(i) / (n - 1)
		var r, g, b float64
		if t < 0.5 {
			u := t / 0.5
			r, g, b = 255, 255-u*(255-170), 255-u*255
		} else {
			u := (t - 0.5) / 0.5
			r, g, b = 255-u*(255-140), 170-u*170, 0
		}
		out[i] = color.RGBA{uint8(r), uint8(g), uint8(b), 255}
	}
	return out
}

// phaseCurve is one threshold drawn over a phase diagram.
type phaseCurve struct {
	name  string
	col   color.Color
	shape draw.GlyphDrawer
	get   func(r stability.ComparisonRow) float64
}

// phaseCurves are the thresholds of a phase diagram, each with its own
// colour and marker shape.
var phaseCurves = []phaseCurve{
	{"Patel convergence (18)", color.RGBA{0, 90, 255, 255}, draw.BoxGlyph{}, func(r stability.ComparisonRow) float64 { return r.PatelConvergence }},
	{"exact C* (mean square)", color.RGBA{0, 150, 0, 255}, draw.CircleGlyph{}, func(r stability.ComparisonRow) float64 { return r.MeanSquare }},
	{"Patel divergence (19)–(20)", color.RGBA{150, 0, 200, 255}, draw.SquareGlyph{}, func(r stability.ComparisonRow) float64 { return r.PatelDivergence }},
	{"Wu–Ma–E, min of both", color.RGBA{110, 110, 110, 255}, draw.CrossGlyph{}, func(r stability.ComparisonRow) float64 {
		return math.Min(r.WuSharpness, r.WuNonUniformity)
	}},
	{"almost sure", color.RGBA{0, 170, 170, 255}, draw.TriangleGlyph{}, func(r stability.ComparisonRow) float64 { return r.AlmostSure }},
	{"measured escape (95% interval)", color.Black, draw.RingGlyph{}, func(r stability.ComparisonRow) float64 { return r.Escape }},
}

// beyondPhase draws the phase diagram of one case: the escape fraction over
// (C, k) as a heat map with a colour bar, k as categories (one row per k,
// nothing drawn between rows), and every threshold as a marker in the row
// of its k. The markers of the thresholds are set side by side within the
// row (each threshold at its own height), so that equal thresholds do not
// hide one another; the measured escape threshold carries its 95%
// interval as a horizontal bar. A marker at the left or right edge with an
// arrow stands for a value beyond the diagram (comparison.csv has it).
func beyondPhase(e *Env, bc beyondCase, rows []stability.ComparisonRow, ci int, sz beyondSizes) error {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range rows {
		for _, v := range []float64{r.PatelConvergence, r.MeanSquare, r.AlmostSure, r.Escape, r.WuSharpness} {
			if v > 0 && !math.IsInf(v, 0) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	lo, hi = math.Log10(lo/3), math.Log10(hi*3)
	g := phaseHeat{logC: make([]float64, sz.grid), z: make([][]float64, len(rows)), pal: beyondPalette{}.Colors()}
	for i := range g.logC {
		g.logC[i] = lo + (hi-lo)*(float64(i)+0.5)/float64(sz.grid)
	}
	es := stability.EscapeSettings{StartRadius: bc.start, EscapeRadius: bc.escape, Iterations: sz.iters,
		Runs: sz.gridRuns, Seed: stability.CellSeed(e.Seed^0x9a5e, ci), Workers: e.Workers}
	for ki, r := range rows {
		g.z[ki] = make([]float64, sz.grid)
		for i, lc := range g.logC {
			pr, _, err := cellUnit(e, beyondGroup(ci), fmt.Sprintf("%s/phase/%d/%d", beyondGroup(ci), ki, i), func() (stability.EscapeProbe, error) {
				return stability.EscapeCase(bc.c, math.Pow(10, lc), r.Batch, es)
			})
			if err != nil {
				return err
			}
			g.z[ki][i] = pr.Fraction
		}
	}
	title := bc.c.Name
	if bc.model != 0 {
		title = fmt.Sprintf("%s (model %d, %s minimizer)", bc.problem, bc.model, bc.minimizer)
	}
	return phasePlot(e, bc.file, fmt.Sprintf("%s: r = %.3g, R = %.3g, %d steps", title, bc.start, bc.escape, sz.iters),
		"comparison.csv", rows, g, math.Pow(10, lo), math.Pow(10, hi))
}

// phasePlot draws a phase diagram (see beyondPhase) into file: the heat map
// g over [xlo, xhi] with the thresholds of rows, one band per row; csvName
// is the file that holds values beyond the range.
func phasePlot(e *Env, file, title, csvName string, rows []stability.ComparisonRow, g phaseHeat, xlo, xhi float64) error {
	p := newPanel(title, "learning rate C", "batch size k")
	p.Title.TextStyle.Font.Size = vg.Points(10)
	setLog(&p.X)
	p.Add(g)
	ticks := make([]plot.Tick, len(rows))
	for i, r := range rows {
		ticks[i] = plot.Tick{Value: float64(i), Label: Batch(r.Batch).String()}
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	n := len(phaseCurves)
	clipped := false
	for j, cv := range phaseCurves {
		dy := 0.7 * (float64(j)/float64(n-1) - 0.5) // side by side within the row
		var in, out plotter.XYs
		for i, r := range rows {
			v := cv.get(r)
			if !(v > 0) {
				continue
			}
			y := float64(i) + dy
			switch {
			case v < xlo:
				out = append(out, plotter.XY{X: xlo, Y: y})
			case v > xhi:
				out = append(out, plotter.XY{X: xhi, Y: y})
			default:
				in = append(in, plotter.XY{X: v, Y: y})
			}
			if j == n-1 && r.EscapeLo > 0 && !math.IsNaN(r.EscapeHi) {
				a, b := math.Max(r.EscapeLo, xlo), math.Min(r.EscapeHi, xhi)
				bar, err := plotter.NewLine(plotter.XYs{{X: a, Y: y}, {X: b, Y: y}})
				if err != nil {
					return err
				}
				bar.Color, bar.Width = cv.col, vg.Points(1.5)
				p.Add(bar)
			}
		}
		var legendThumb *plotter.Scatter
		for _, pts := range []plotter.XYs{in, out} {
			if len(pts) == 0 {
				continue
			}
			sc, err := plotter.NewScatter(pts)
			if err != nil {
				return err
			}
			sc.Color, sc.Shape, sc.Radius = cv.col, cv.shape, vg.Points(3.5)
			p.Add(sc)
			if legendThumb == nil {
				legendThumb = sc
			}
		}
		if len(out) > 0 {
			clipped = true
			arrows, err := plotter.NewLabels(plotter.XYLabels{XYs: out, Labels: arrowLabels(out, xlo)})
			if err != nil {
				return err
			}
			for i := range arrows.TextStyle {
				arrows.TextStyle[i].Color = cv.col
				arrows.TextStyle[i].YAlign = -0.5
			}
			p.Add(arrows)
		}
		if legendThumb != nil {
			p.Legend.Add(cv.name, legendThumb)
		}
	}
	if clipped {
		p.Legend.Add("< or >: beyond the range (see " + csvName + ")")
	}
	p.X.Min, p.X.Max = xlo, xhi
	p.Y.Min, p.Y.Max = -0.5, float64(len(rows))-0.5
	p.X.Padding, p.Y.Padding = 0, 0
	// Horizontal rules between the k categories.
	for i := 1; i < len(rows); i++ {
		l, err := plotter.NewLine(plotter.XYs{{X: xlo, Y: float64(i) - 0.5}, {X: xhi, Y: float64(i) - 0.5}})
		if err != nil {
			return err
		}
		l.Color, l.Width = color.Gray{Y: 90}, vg.Points(0.5)
		p.Add(l)
	}
	bar := colorBar(newPaletteMap(beyondPalette{}, 0, 1), "fraction of runs escaped (0–1)")
	return savePlotWithBar(e, file, p, bar, 10*vg.Inch, 5*vg.Inch)
}

// arrowLabels marks values beyond the diagram: "<" at the left edge, ">" at
// the right.
func arrowLabels(pts plotter.XYs, xlo float64) []string {
	out := make([]string, len(pts))
	for i, pt := range pts {
		if pt.X == xlo {
			out[i] = "  <"
		} else {
			out[i] = ">  "
		}
	}
	return out
}
