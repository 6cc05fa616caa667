package stability

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/sgdk"
	"github.com/flatminima/flatminima/thresholds"
)

// Cell is one cell of an experiment (§4.1 and §5.1 of the paper): Runs
// independent runs of SGD-k with the constant step C = Step and batch size
// BatchSize, started uniformly in the ball B(Start, Radius) (Start nil: the
// Minimizer), projected onto Bounds, recording the distance from every
// iterate to the Minimizer and to the Others.
type Cell struct {
	// Problem is the stochastic problem.
	Problem problems.Problem

	// Minimizer is x*, the point whose neighbourhood the cell studies.
	Minimizer []float64

	// Others are further points (for example the problem's other
	// minimizers) whose distances are recorded as well.
	Others [][]float64

	// Hessian is the positive semidefinite matrix H̄ that defines the error
	// e_N = (x_N − x*)'H̄(x_N − x*) of Lemma 3.6 (at a nonconvex minimizer, the
	// ball-averaged Hessian (49), best restricted to its m nonzero
	// eigenpairs, the range on which Lemma 3.7 speaks). nil means the
	// identity, e_N = ‖x_N − x*‖².
	Hessian mat.Symmetric

	// Geometry, when not nil, gives the growth bounds ρ_lo, ρ_hi of
	// Lemma 3.7 (thresholds.GrowthBounds) reported beside the measured growth.
	Geometry *thresholds.Geometry

	// BatchSize is k ≥ 1, or sgdk.FullBatch for gradient descent.
	BatchSize int

	// Step is the constant learning rate C > 0.
	Step float64

	// Start and Radius define the ball of start points (uniform in the ball, as in Definition 3.14).
	Start  []float64
	Radius float64

	// EscapeRadius is R: a run has escaped when some iterate is farther than
	// R from the Minimizer or lies on the boundary of Bounds. Zero or +Inf
	// means only the box (or divergence) counts.
	EscapeRadius float64

	// LocalRadius, when positive, also ends the growth window before the
	// first iteration at which some run is farther than LocalRadius from
	// x*: the growth statistics then describe the local regime that a
	// geometry estimated on B(x*, ε) speaks about (set LocalRadius = ε).
	// Zero: only the box and divergence end the window.
	LocalRadius float64

	// Outside, when not nil, is a further escape test: a run has escaped
	// when Outside(x) is true at some iterate (for example "x is closer to
	// another minimizer than to x*"). It must be safe for concurrent use and
	// must not modify or retain x.
	Outside func(x []float64) bool

	// Bounds is the box the iterates are projected onto (nil: none).
	Bounds *problems.Box

	// Iterations is the number of steps of every run, Runs the number of runs.
	Iterations, Runs int

	// Seed selects the random streams (see sgdk.Ensemble).
	Seed uint64
}

// CellStats are the statistics of one cell. Fractions are over runs.
type CellStats struct {
	// Runs is the number of runs.
	Runs int

	// Escaped is the fraction of runs that at some iteration left
	// B(x*, EscapeRadius), were Outside, touched the box boundary or
	// diverged.
	Escaped float64

	// Grew is the fraction whose final distance d_N to x* is at least twice
	// the start distance d_0 and positive (a diverged run grew). The rule
	// for d_0 = 0: a run started exactly at x* grew when it left it
	// (d_N > 0 = 2·d_0) and did not grow when it stayed there (d_N = 0).
	Grew float64

	// Converged is the fraction whose final distance is below the start
	// distance (never for a run started at x*, d_0 = 0).
	Converged float64

	// Window is the number of steps N0 before any run touches the box,
	// diverges or (with a LocalRadius) leaves the local ball: the growth
	// statistics use iterations 0..Window. At most the number of
	// iterations.
	Window int

	// GrowthMS is the per-step factor of the mean over runs of e_N, the
	// quantity Lemma 3.7 bounds: exp(b) for the least-squares slope b of
	// log mean_r e_N against N = 0..Window. NaN when Window < 1.
	// GrowthMSStderr is its jackknife standard error over runs (delta
	// method on the slope); GrowthMSR2 the R² of the fit (NaN for
	// Window < 2).
	GrowthMS, GrowthMSStderr, GrowthMSR2 float64

	// GrowthStep is the mean over runs and over the steps n < Window of
	// the one-step ratio e_{n+1}/e_n, and GrowthStepStderr its standard
	// error (over the per-run averages, which are independent). At a
	// homogeneous minimizer of a quadratic each ratio has conditional
	// expectation in [ρ_lo, ρ_hi] (Lemma 3.7), so GrowthStep estimates a
	// number in that interval without bias. GrowthMS, a ratio of means of
	// a product of random factors, is heavy-tailed: with few runs and many
	// steps it typically falls below E[e_N]'s true rate, and its jackknife
	// error understates that. Both are reported; compare GrowthStep with
	// the bounds.
	GrowthStep, GrowthStepStderr float64

	// GrowthLo and GrowthHi are ρ_lo and ρ_hi of Lemma 3.7 at (C, k) for
	// the cell's Geometry (thresholds.GrowthBounds); NaN without one.
	GrowthLo, GrowthHi float64

	// GrowthRunMedian is the median over runs of the per-run per-step
	// distance factor (d_Window/d_0)^(1/Window): an almost-sure rate, which
	// by Jensen's inequality is typically below √GrowthMS. The median is the
	// lower sample median, stat.Quantile(0.5, stat.Empirical, ·) of gonum
	// (the ⌈n/2⌉-th smallest value). Runs with d_0 = 0 are left out.
	GrowthRunMedian float64
}

// CellResult is the outcome of RunCell.
type CellResult struct {
	// Distances[w][run][iter]: w = 0 is the distance to the Minimizer,
	// w = 1.. to Others[w−1]. +Inf after a run diverged.
	Distances [][][]float64

	// Energy[run][iter] is e_iter, NaN from the first iterate on the box
	// boundary on (the error there is not the local quantity Lemma 3.7
	// bounds).
	Energy [][]float64

	// Touched[run] is the first iteration whose iterate lies on the box
	// boundary, −1 if none.
	Touched []int

	// Left[run] is the first iteration at which Cell.Outside was true, −1
	// if none (always −1 without Outside).
	Left []int

	// Stats are the cell's statistics.
	Stats CellStats
}

// validate checks c and returns an error naming the bad field.
func (c *Cell) validate() error {
	if err := sgdk.CheckBatchSize(c.BatchSize, "Cell.BatchSize"); err != nil {
		return err
	}
	switch {
	case c.Problem == nil:
		return errors.New("stability: Cell.Problem is nil")
	case len(c.Minimizer) != c.Problem.Dim():
		return fmt.Errorf("stability: len(Cell.Minimizer) = %d, problem Dim() = %d", len(c.Minimizer), c.Problem.Dim())
	case !(c.Step > 0) || math.IsInf(c.Step, 1):
		return fmt.Errorf("stability: Cell.Step = %v is not finite and positive", c.Step)
	case math.IsNaN(c.EscapeRadius) || c.EscapeRadius < 0:
		return fmt.Errorf("stability: Cell.EscapeRadius = %v is negative or NaN", c.EscapeRadius)
	case math.IsNaN(c.LocalRadius) || c.LocalRadius < 0:
		return fmt.Errorf("stability: Cell.LocalRadius = %v is negative or NaN", c.LocalRadius)
	case c.Hessian != nil && c.Hessian.SymmetricDim() != c.Problem.Dim():
		return fmt.Errorf("stability: Cell.Hessian has dimension %d, problem Dim() = %d", c.Hessian.SymmetricDim(), c.Problem.Dim())
	case c.Start != nil && len(c.Start) != c.Problem.Dim():
		return fmt.Errorf("stability: len(Cell.Start) = %d, problem Dim() = %d", len(c.Start), c.Problem.Dim())
	case c.Runs < 1:
		return fmt.Errorf("stability: Cell.Runs = %d is not positive", c.Runs)
	case c.Iterations < 0:
		return fmt.Errorf("stability: Cell.Iterations = %d is negative", c.Iterations)
	case !(c.Radius >= 0) || math.IsInf(c.Radius, 1):
		return fmt.Errorf("stability: Cell.Radius = %v is not finite and nonnegative", c.Radius)
	}
	if err := finiteVec(c.Minimizer, "Cell.Minimizer"); err != nil {
		return err
	}
	if err := finiteVec(c.Start, "Cell.Start"); err != nil {
		return err
	}
	for i, o := range c.Others {
		name := fmt.Sprintf("Cell.Others[%d]", i)
		if len(o) != c.Problem.Dim() {
			return fmt.Errorf("stability: len(%s) = %d, problem Dim() = %d", name, len(o), c.Problem.Dim())
		}
		if err := finiteVec(o, name); err != nil {
			return err
		}
	}
	if c.Bounds != nil {
		if err := c.Bounds.Validate(); err != nil {
			return fmt.Errorf("stability: Cell.Bounds: %w", err)
		}
		if c.Bounds.Dim() != c.Problem.Dim() {
			return fmt.Errorf("stability: Cell.Bounds has dimension %d, problem Dim() = %d", c.Bounds.Dim(), c.Problem.Dim())
		}
	}
	if c.Hessian != nil {
		// e_N must be nonnegative: RunCell carries its flags in the sign.
		var es mat.EigenSym
		if !es.Factorize(c.Hessian, false) {
			return errors.New("stability: Cell.Hessian: eigen-decomposition failed")
		}
		vals := es.Values(nil)
		lo, hi := vals[0], vals[len(vals)-1]
		if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) || lo < -1e-12*math.Max(math.Abs(hi), math.Abs(lo)) {
			return fmt.Errorf("stability: Cell.Hessian is not finite and positive semidefinite (eigenvalues %v … %v)", lo, hi)
		}
	}
	return nil
}

// checkVec returns an error naming name unless x has length dim and finite
// elements.
func checkVec(x []float64, dim int, name string) error {
	if len(x) != dim {
		return fmt.Errorf("stability: len(%s) = %d, problem Dim() = %d", name, len(x), dim)
	}
	return finiteVec(x, name)
}

// finiteVec returns an error naming name[d] when x has a NaN or infinite
// element.
func finiteVec(x []float64, name string) error {
	for d, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("stability: %s[%d] = %v is not finite", name, d, v)
		}
	}
	return nil
}

// energy returns the function x ↦ e(x) = (x − x*)'H(x − x*) for the cell,
// encoded so that one sgdk.Ensemble.Measure carries the flags as well: −1 on the
// box boundary, −(2 + e) where Outside is true, e ≥ 0 elsewhere (see
// decodeEnergy). It allocates nothing per call and is safe for concurrent
// use.
func (c *Cell) energy() func(x []float64) float64 {
	e := c.quadForm()
	box, outside := c.Bounds, c.Outside
	return func(x []float64) float64 {
		if box != nil && box.OnBoundary(x) {
			return -1
		}
		if outside != nil && outside(x) {
			return -2 - e(x)
		}
		return e(x)
	}
}

// decodeEnergy inverts the encoding of energy: the error e (NaN on the
// boundary) and the flags.
func decodeEnergy(v float64) (e float64, boundary, outside bool) {
	switch {
	case v == -1:
		return math.NaN(), true, false
	case v <= -2:
		return -v - 2, false, true
	}
	return v, false, false
}

// quadForm returns x ↦ (x − x*)'H(x − x*).
func (c *Cell) quadForm() func(x []float64) float64 {
	xs := append([]float64(nil), c.Minimizer...)
	p := len(xs)
	var diag, dense []float64
	if c.Hessian != nil {
		diag = make([]float64, p)
		dense = make([]float64, p*p)
		isDiag := true
		for i := range p {
			for j := range p {
				v := c.Hessian.At(i, j)
				dense[i*p+j] = v
				if i != j && v != 0 {
					isDiag = false
				}
			}
			diag[i] = dense[i*p+i]
		}
		if isDiag {
			dense = nil
		} else {
			diag = nil
		}
	}
	return func(x []float64) float64 {
		var e float64
		switch {
		case dense != nil:
			for i := range p {
				di := x[i] - xs[i]
				row := dense[i*p : (i+1)*p]
				var s float64
				for j, h := range row {
					s += h * (x[j] - xs[j])
				}
				e += di * s
			}
		case diag != nil:
			for i, h := range diag {
				d := x[i] - xs[i]
				e += h * d * d
			}
		default:
			for i := range p {
				d := x[i] - xs[i]
				e += d * d
			}
		}
		return e
	}
}

// RunCell runs the cell's ensemble with the given number of workers (0:
// GOMAXPROCS) and computes its statistics. The results depend on the cell
// alone, never on workers. It returns an error naming the bad field for
// invalid input; a diverging run is an outcome, not an error.
func RunCell(c Cell, workers int) (*CellResult, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	start := c.Start
	if start == nil {
		start = c.Minimizer
	}
	watch := append([][]float64{c.Minimizer}, c.Others...)
	ens := sgdk.Ensemble{
		Problem: c.Problem,
		Settings: sgdk.Settings{
			BatchSize:  c.BatchSize,
			Step:       sgdk.Constant(c.Step),
			Iterations: c.Iterations,
			Bounds:     c.Bounds,
		},
		Runs:    c.Runs,
		Seed:    c.Seed,
		Workers: workers,
		Center:  start,
		Radius:  c.Radius,
		Watch:   watch,
		Measure: c.energy(),
	}
	er, err := ens.Run()
	if err != nil {
		return nil, err
	}
	res := &CellResult{Distances: er.Distances, Energy: er.Measures, Touched: make([]int, c.Runs), Left: make([]int, c.Runs)}
	for r, m := range res.Energy {
		res.Touched[r], res.Left[r] = -1, -1
		for n, v := range m {
			e, boundary, outside := decodeEnergy(v)
			if boundary && res.Touched[r] < 0 {
				res.Touched[r] = n
			}
			if outside && res.Left[r] < 0 {
				res.Left[r] = n
			}
			if res.Touched[r] >= 0 {
				e = math.NaN()
			}
			m[n] = e
		}
	}
	st, err := CellStatistics(Trajectories{Distance: res.Distances[0], Energy: res.Energy, Touched: res.Touched, Left: res.Left}, c.EscapeRadius, c.LocalRadius)
	if err != nil {
		return nil, err
	}
	st.GrowthLo, st.GrowthHi = math.NaN(), math.NaN()
	if c.Geometry != nil {
		k := math.Inf(1)
		if c.BatchSize != sgdk.FullBatch {
			k = float64(c.BatchSize)
		}
		st.GrowthLo, st.GrowthHi = thresholds.GrowthBounds(*c.Geometry, c.Step, k)
	}
	res.Stats = st
	return res, nil
}

// Trajectories are the records of a cell's runs from which CellStatistics
// computes its statistics. Every slice has one entry per run.
type Trajectories struct {
	// Distance[run][iter] is ‖x_iter − x*‖ (+Inf after divergence).
	Distance [][]float64
	// Energy[run][iter] is e_iter = (x_iter − x*)'H̄(x_iter − x*) (+Inf
	// after divergence; its values at and after Touched are not used).
	Energy [][]float64
	// Touched[run] is the first iteration on the box boundary, −1 if none.
	Touched []int
	// Left[run] is the first iteration at which a further escape test
	// (Cell.Outside) was true, −1 if none; nil means none for every run.
	// Unlike Touched it does not end the growth window.
	Left []int
}

// CellStatistics computes the statistics of CellStats (except GrowthLo and
// GrowthHi, which need a Geometry and are set to NaN) from the runs in t,
// the escape radius R (0 or +Inf: escape only by the box, Left or
// divergence) and the local radius (0: none; see Cell.LocalRadius). It
// returns an error naming the argument when t is empty or its slices have
// inconsistent lengths, or a radius is negative or NaN.
func CellStatistics(t Trajectories, escapeRadius, localRadius float64) (CellStats, error) {
	runs := len(t.Distance)
	if runs == 0 {
		return CellStats{}, errors.New("stability: Trajectories.Distance is empty")
	}
	if len(t.Energy) != runs || len(t.Touched) != runs || (t.Left != nil && len(t.Left) != runs) {
		return CellStats{}, fmt.Errorf("stability: Trajectories has %d distance rows, %d energy rows, %d touched and %d left entries", runs, len(t.Energy), len(t.Touched), len(t.Left))
	}
	iters := len(t.Distance[0]) - 1
	if iters < 0 {
		return CellStats{}, errors.New("stability: Trajectories.Distance[0] is empty")
	}
	for r := range runs {
		if len(t.Distance[r]) != iters+1 || len(t.Energy[r]) != iters+1 {
			return CellStats{}, fmt.Errorf("stability: Trajectories run %d has %d distances and %d energies, want %d", r, len(t.Distance[r]), len(t.Energy[r]), iters+1)
		}
	}
	if math.IsNaN(escapeRadius) || escapeRadius < 0 {
		return CellStats{}, fmt.Errorf("stability: escapeRadius = %v is negative or NaN", escapeRadius)
	}
	if math.IsNaN(localRadius) || localRadius < 0 {
		return CellStats{}, fmt.Errorf("stability: localRadius = %v is negative or NaN", localRadius)
	}
	esc, loc := escapeRadius, localRadius
	if esc == 0 {
		esc = math.Inf(1)
	}
	if loc == 0 {
		loc = math.Inf(1)
	}
	st := CellStats{Runs: runs, GrowthLo: math.NaN(), GrowthHi: math.NaN()}
	window := iters
	var escaped, grew, converged int
	for r := range runs {
		d := t.Distance[r]
		limit := iters
		out := t.Touched[r] >= 0 || (t.Left != nil && t.Left[r] >= 0)
		if t.Touched[r] >= 0 {
			limit = t.Touched[r] - 1
		}
		for n, v := range d {
			if math.IsInf(v, 1) || math.IsNaN(v) { // diverged at n
				out = true
				limit = min(limit, n-1)
				break
			}
			if v > esc {
				out = true
			}
			if v > loc {
				limit = min(limit, n-1)
			}
		}
		window = min(window, limit)
		if out {
			escaped++
		}
		d0, dN := d[0], d[iters]
		// dN ≥ 2·d0 (a diverged run, dN = +Inf or NaN, included), and
		// dN > 0: a run that starts and stays at x* (d0 = dN = 0) did not
		// grow.
		if !(dN < 2*d0) && dN != 0 {
			grew++
		}
		if dN < d0 {
			converged++
		}
	}
	n := float64(runs)
	st.Escaped, st.Grew, st.Converged = float64(escaped)/n, float64(grew)/n, float64(converged)/n
	st.Window = max(window, 0)
	st.GrowthMS, st.GrowthMSStderr, st.GrowthMSR2 = growthMS(t.Energy, st.Window)
	st.GrowthRunMedian = runMedian(t.Distance, st.Window)
	st.GrowthStep, st.GrowthStepStderr = growthStep(t.Energy, st.Window)
	return st, nil
}

// growthMS fits log mean_r e_n = a + b n over n = 0..w and returns exp(b),
// its jackknife standard error and the R² of the fit.
func growthMS(energy [][]float64, w int) (g, se, r2 float64) {
	nan := math.NaN()
	if w < 1 {
		return nan, nan, nan
	}
	runs := len(energy)
	sum := make([]float64, w+1)
	for _, e := range energy {
		for n := 0; n <= w; n++ {
			sum[n] += e[n]
		}
	}
	xs := make([]float64, w+1)
	ys := make([]float64, w+1)
	for n := range xs {
		xs[n] = float64(n)
	}
	fit := func(skip int) (float64, float64) {
		for n := range ys {
			m := sum[n] / float64(runs)
			if skip >= 0 {
				m = (sum[n] - energy[skip][n]) / float64(runs-1)
			}
			if !(m > 0) || math.IsInf(m, 1) {
				return nan, nan
			}
			ys[n] = math.Log(m)
		}
		a, b := stat.LinearRegression(xs, ys, nil, false)
		r2 := nan
		if w >= 2 && skip < 0 {
			r2 = stat.RSquared(xs, ys, nil, a, b)
		}
		return b, r2
	}
	b, r2 := fit(-1)
	g = math.Exp(b)
	if math.IsNaN(b) || runs < 2 {
		return g, nan, r2
	}
	// Jackknife over runs: leave-one-out slopes b_i,
	// se(b)² = (R−1)/R Σ (b_i − b̄)², then se(exp b) ≈ exp(b)·se(b).
	bs := make([]float64, runs)
	for i := range runs {
		bs[i], _ = fit(i)
		if math.IsNaN(bs[i]) {
			return g, nan, r2
		}
	}
	mean := stat.Mean(bs, nil)
	var ss float64
	for _, v := range bs {
		ss += (v - mean) * (v - mean)
	}
	se = g * math.Sqrt(float64(runs-1)/float64(runs)*ss)
	return g, se, r2
}

// runMedian returns the lower median over runs of (d_w/d_0)^(1/w).
func runMedian(dist [][]float64, w int) float64 {
	if w < 1 {
		return math.NaN()
	}
	var f []float64
	for _, d := range dist {
		if d[0] > 0 {
			f = append(f, math.Pow(d[w]/d[0], 1/float64(w)))
		}
	}
	if len(f) == 0 {
		return math.NaN()
	}
	sort.Float64s(f)
	return stat.Quantile(0.5, stat.Empirical, f, nil)
}

// Site is a problem and one of its minimizers, with what a Grid needs to
// build cells there.
type Site struct {
	// Name labels the site (for example "model 1, circular").
	Name string
	// Problem, Minimizer, Others, Hessian, Geometry, EscapeRadius,
	// LocalRadius, Outside and Bounds are copied into every cell at this
	// site (see Cell).
	Problem      problems.Problem
	Minimizer    []float64
	Others       [][]float64
	Hessian      mat.Symmetric
	Geometry     *thresholds.Geometry
	EscapeRadius float64
	LocalRadius  float64
	Outside      func(x []float64) bool
	Bounds       *problems.Box
}

// Rate is a learning rate of a grid with a label (for example "1.5l").
type Rate struct {
	Label string
	Value float64
}

// Grid is an experiment grid: every cell of Sites × Batches × Radii ×
// Rates(site, batch) is an ensemble of Runs runs of Iterations steps.
// Cell i (in that nesting order, rates innermost) uses the seed
// CellSeed(Seed, i), so its results depend only on the grid's fields.
type Grid struct {
	Sites   []Site
	Batches []int     // batch sizes k ≥ 1, or sgdk.FullBatch
	Radii   []float64 // start radii
	// Rates returns the learning rates of a site and batch size; learning
	// rates may depend on both (Section 5 of the paper scales them with the
	// k-specific thresholds).
	Rates func(s Site, batch int) ([]Rate, error)

	Runs, Iterations int
	Seed             uint64
	// Workers is the number of goroutines per ensemble (0: GOMAXPROCS);
	// results do not depend on it.
	Workers int
}

// GridCell identifies a cell of a Grid.
type GridCell struct {
	Index     int // position in the grid's order
	Site      int // index into Grid.Sites
	BatchSize int
	Radius    float64
	Rate      Rate
}

// CellSeed returns the seed of cell index i of a grid with the given seed.
func CellSeed(seed uint64, i int) uint64 {
	return problems.SplitMix64(seed ^ problems.SplitMix64(uint64(i)+1))
}

// Cells lists the cells of g in order.
func (g *Grid) Cells() ([]GridCell, error) {
	if g.Rates == nil {
		return nil, errors.New("stability: Grid.Rates is nil")
	}
	var out []GridCell
	for si, s := range g.Sites {
		for _, k := range g.Batches {
			if err := sgdk.CheckBatchSize(k, "Grid.Batches"); err != nil {
				return nil, err
			}
			rates, err := g.Rates(s, k)
			if err != nil {
				return nil, err
			}
			for _, r := range g.Radii {
				if !(r >= 0) || math.IsInf(r, 1) {
					return nil, fmt.Errorf("stability: Grid.Radii contains %v", r)
				}
				for _, rate := range rates {
					out = append(out, GridCell{Index: len(out), Site: si, BatchSize: k, Radius: r, Rate: rate})
				}
			}
		}
	}
	return out, nil
}

// Cell returns the Cell of gc.
func (g *Grid) Cell(gc GridCell) Cell {
	s := g.Sites[gc.Site]
	return Cell{
		Problem: s.Problem, Minimizer: s.Minimizer, Others: s.Others,
		Hessian: s.Hessian, Geometry: s.Geometry, EscapeRadius: s.EscapeRadius, LocalRadius: s.LocalRadius,
		Outside: s.Outside, Bounds: s.Bounds,
		BatchSize: gc.BatchSize, Step: gc.Rate.Value, Radius: gc.Radius,
		Iterations: g.Iterations, Runs: g.Runs, Seed: CellSeed(g.Seed, gc.Index),
	}
}

// Run runs every cell of g in order and passes each result to visit (which
// may keep it). It stops at the first error of a cell or of visit.
func (g *Grid) Run(visit func(GridCell, *CellResult) error) error {
	cells, err := g.Cells()
	if err != nil {
		return err
	}
	for _, gc := range cells {
		res, err := RunCell(g.Cell(gc), g.Workers)
		if err != nil {
			return fmt.Errorf("stability: grid cell %d (%s, k = %d, radius %v, rate %s = %v): %w",
				gc.Index, g.Sites[gc.Site].Name, gc.BatchSize, gc.Radius, gc.Rate.Label, gc.Rate.Value, err)
		}
		if err := visit(gc, res); err != nil {
			return err
		}
	}
	return nil
}

// growthStep returns the mean over runs of each run's mean one-step ratio
// e_{n+1}/e_n, n < w (steps from e_n = 0 are left out), and its standard
// error over runs.
func growthStep(energy [][]float64, w int) (mean, se float64) {
	if w < 1 {
		return math.NaN(), math.NaN()
	}
	var per []float64
	for _, e := range energy {
		var s float64
		var n int
		for i := 0; i < w; i++ {
			if e[i] > 0 {
				s += e[i+1] / e[i]
				n++
			}
		}
		if n > 0 {
			per = append(per, s/float64(n))
		}
	}
	switch len(per) {
	case 0:
		return math.NaN(), math.NaN()
	case 1:
		return per[0], math.NaN()
	}
	mean, sd := stat.MeanStdDev(per, nil)
	return mean, sd / math.Sqrt(float64(len(per)))
}
