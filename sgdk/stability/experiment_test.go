package stability_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/problems/paper"
	"github.com/flatminima/flatminima/sgdk"
	"github.com/flatminima/flatminima/sgdk/stability"
	"github.com/flatminima/flatminima/thresholds"
)

// twoPoint is the scalar problem f_i = ½ q_i x² with q ∈ {1, 3}
// equally likely (H = 2, Var(q) = 1, s = t = 1, x* = 0 homogeneous).
func twoPoint(t *testing.T) (*problems.Quadratic, thresholds.Geometry) {
	t.Helper()
	q, err := problems.NewQuadratic(
		[]mat.Symmetric{mat.NewSymDense(1, []float64{1}), mat.NewSymDense(1, []float64{3})},
		[][]float64{{0}, {0}}, []float64{0.5, 0.5})
	if err != nil {
		t.Fatal(err)
	}
	g, err := thresholds.NewGeometry([]float64{2}, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	return q, g
}

// geometricTrajectories returns runs whose distance is a_r·ρ^n exactly
// (a_r = 1 + r) and whose energy is the squared distance.
func geometricTrajectories(runs, iters int, rho float64) stability.Trajectories {
	tr := stability.Trajectories{Touched: make([]int, runs)}
	for r := range runs {
		d := make([]float64, iters+1)
		e := make([]float64, iters+1)
		for n := range d {
			d[n] = float64(1+r) * math.Pow(rho, float64(n))
			e[n] = d[n] * d[n]
		}
		tr.Distance = append(tr.Distance, d)
		tr.Energy = append(tr.Energy, e)
		tr.Touched[r] = -1
	}
	return tr
}

func TestCellStatisticsGeometric(t *testing.T) {
	for _, tc := range []struct {
		rho                      float64
		escape                   float64
		escaped, grew, converged float64
	}{
		// 4 runs, 10 steps, a_r = 1..4. Growth 1.2^10 ≈ 6.19: final
		// distances 6.19·a_r; with R = 20 runs 4 (24.8) escapes.
		{rho: 1.2, escape: 20, escaped: 0.25, grew: 1, converged: 0},
		// Decay: nobody escapes, every run converges.
		{rho: 0.5, escape: 20, escaped: 0, grew: 0, converged: 1},
		// R = 0 means only the box counts.
		{rho: 1.2, escape: 0, escaped: 0, grew: 1, converged: 0},
	} {
		st, err := stability.CellStatistics(geometricTrajectories(4, 10, tc.rho), tc.escape, 0)
		if err != nil {
			t.Fatal(err)
		}
		if st.Runs != 4 || st.Window != 10 || st.Escaped != tc.escaped || st.Grew != tc.grew || st.Converged != tc.converged {
			t.Errorf("ρ = %v, R = %v: got %+v", tc.rho, tc.escape, st)
		}
		// Mean of a_r²ρ^{2n} over runs is exactly geometric with factor ρ².
		if math.Abs(st.GrowthMS-tc.rho*tc.rho) > 1e-12 || math.Abs(st.GrowthMSR2-1) > 1e-12 {
			t.Errorf("ρ = %v: GrowthMS = %v (R² %v), want %v (R² 1)", tc.rho, st.GrowthMS, st.GrowthMSR2, tc.rho*tc.rho)
		}
		// Every leave-one-out mean is geometric with the same factor.
		if st.GrowthMSStderr > 1e-12 {
			t.Errorf("ρ = %v: GrowthMSStderr = %v, want 0", tc.rho, st.GrowthMSStderr)
		}
		if math.Abs(st.GrowthStep-tc.rho*tc.rho) > 1e-12 || st.GrowthStepStderr > 1e-12 {
			t.Errorf("ρ = %v: GrowthStep = %v ± %v, want %v ± 0", tc.rho, st.GrowthStep, st.GrowthStepStderr, tc.rho*tc.rho)
		}
		if math.Abs(st.GrowthRunMedian-tc.rho) > 1e-12 {
			t.Errorf("ρ = %v: GrowthRunMedian = %v", tc.rho, st.GrowthRunMedian)
		}
		if !math.IsNaN(st.GrowthLo) || !math.IsNaN(st.GrowthHi) {
			t.Errorf("growth bounds without a geometry: %v, %v, want NaN", st.GrowthLo, st.GrowthHi)
		}
	}
}

func TestCellStatisticsWindowAndMedian(t *testing.T) {
	// Run r grows by ρ_r = 1 + r/10 (r = 0..4); run 3 touches the box at
	// iteration 6 and run 4 diverges at iteration 8 (+Inf from then on).
	const iters = 10
	tr := stability.Trajectories{Touched: []int{-1, -1, -1, 6, -1}}
	for r := range 5 {
		rho := 1 + float64(r)/10
		d := make([]float64, iters+1)
		e := make([]float64, iters+1)
		for n := range d {
			d[n] = math.Pow(rho, float64(n))
			e[n] = d[n] * d[n]
			if r == 4 && n >= 8 {
				d[n], e[n] = math.Inf(1), math.Inf(1)
			}
		}
		tr.Distance = append(tr.Distance, d)
		tr.Energy = append(tr.Energy, e)
	}
	st, err := stability.CellStatistics(tr, 1e9, 0)
	if err != nil {
		t.Fatal(err)
	}
	// The window ends before the first touch (iteration 6): 0..5.
	if st.Window != 5 {
		t.Errorf("Window = %d, want 5", st.Window)
	}
	// Escaped: the touching and the diverged run.
	if st.Escaped != 0.4 {
		t.Errorf("Escaped = %v, want 0.4", st.Escaped)
	}
	// Per-run factors over the window are 1.0, 1.1, 1.2, 1.3, 1.4: the
	// lower median of five values is the third, 1.2.
	if math.Abs(st.GrowthRunMedian-1.2) > 1e-12 {
		t.Errorf("GrowthRunMedian = %v, want 1.2", st.GrowthRunMedian)
	}
	// Run 0 neither grew (1 < 2) nor converged (1 is not < 1); runs 1..4
	// grew (1.1^10 ≈ 2.59 ≥ 2), including the diverged one.
	if st.Grew != 0.8 || st.Converged != 0 {
		t.Errorf("Grew = %v, Converged = %v, want 0.8, 0", st.Grew, st.Converged)
	}
	// GrowthMS against a direct least-squares fit of log mean e_n.
	var sx, sy, sxx, sxy float64
	for n := 0; n <= 5; n++ {
		var m float64
		for r := range 5 {
			m += tr.Energy[r][n] / 5
		}
		x, y := float64(n), math.Log(m)
		sx, sy, sxx, sxy = sx+x, sy+y, sxx+x*x, sxy+x*y
	}
	b := (6*sxy - sx*sy) / (6*sxx - sx*sx)
	if math.Abs(st.GrowthMS-math.Exp(b)) > 1e-12 {
		t.Errorf("GrowthMS = %v, want %v", st.GrowthMS, math.Exp(b))
	}
	if !(st.GrowthMSStderr > 0) {
		t.Errorf("GrowthMSStderr = %v, want > 0 for unequal runs", st.GrowthMSStderr)
	}

	// A further escape test (Left) counts as an escape but keeps the window.
	tr.Left = []int{-1, 3, -1, -1, -1}
	st, err = stability.CellStatistics(tr, 1e9, 0)
	if err != nil {
		t.Fatal(err)
	}
	if st.Escaped != 0.6 || st.Window != 5 {
		t.Errorf("with Left: Escaped %v, Window %d; want 0.6, 5", st.Escaped, st.Window)
	}
	tr.Left = nil

	// A local radius of 1.5 ends the window before run 4 (ρ = 1.4) passes
	// it at iteration 2 (1.96 > 1.5): window 0..1.
	st, err = stability.CellStatistics(tr, 1e9, 1.5)
	if err != nil {
		t.Fatal(err)
	}
	if st.Window != 1 || st.Escaped != 0.4 {
		t.Errorf("local radius: Window %d, Escaped %v; want 1, 0.4", st.Window, st.Escaped)
	}
	if _, err := stability.CellStatistics(tr, 1e9, -1); err == nil || !strings.Contains(err.Error(), "localRadius") {
		t.Errorf("negative local radius: %v", err)
	}

	// A touch at iteration 1 leaves no window: growth statistics are NaN.
	tr.Touched[3] = 1
	st, err = stability.CellStatistics(tr, 1e9, 0)
	if err != nil {
		t.Fatal(err)
	}
	if st.Window != 0 || !math.IsNaN(st.GrowthMS) || !math.IsNaN(st.GrowthRunMedian) {
		t.Errorf("touch at 1: Window %d, GrowthMS %v, median %v; want 0, NaN, NaN", st.Window, st.GrowthMS, st.GrowthRunMedian)
	}
}

func TestCellStatisticsStartAtMinimizer(t *testing.T) {
	// d_0 = 0: a run that starts and stays at x* neither grew nor
	// converged; one that starts at x* and leaves it grew (d_N > 0 = 2·d_0);
	// a diverged one grew. Runs with d_0 > 0 follow d_N ≥ 2·d_0 and
	// d_N < d_0.
	inf := math.Inf(1)
	tr := stability.Trajectories{
		Distance: [][]float64{{0, 0, 0}, {0, 1e-3, 2e-3}, {0, 1, inf}, {1, 1.5, 2}, {1, 0.5, 0}},
		Energy:   [][]float64{{0, 0, 0}, {0, 1e-6, 4e-6}, {0, 1, inf}, {1, 2.25, 4}, {1, 0.25, 0}},
		Touched:  []int{-1, -1, -1, -1, -1},
	}
	st, err := stability.CellStatistics(tr, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Grew: runs 1, 2 and 3; converged: run 4 only.
	if st.Grew != 0.6 || st.Converged != 0.2 {
		t.Errorf("Grew = %v, Converged = %v, want 0.6, 0.2", st.Grew, st.Converged)
	}
	// Only the stationary run: nothing grew or converged.
	st, err = stability.CellStatistics(stability.Trajectories{Distance: tr.Distance[:1], Energy: tr.Energy[:1], Touched: tr.Touched[:1]}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if st.Grew != 0 || st.Converged != 0 || st.Escaped != 0 {
		t.Errorf("run at x*: Grew %v, Converged %v, Escaped %v, want 0, 0, 0", st.Grew, st.Converged, st.Escaped)
	}
}

func TestCellStatisticsErrors(t *testing.T) {
	good := geometricTrajectories(2, 3, 1.1)
	bad := good
	bad.Touched = bad.Touched[:1]
	ragged := geometricTrajectories(2, 3, 1.1)
	ragged.Energy[1] = ragged.Energy[1][:2]
	for _, tc := range []struct {
		name   string
		tr     stability.Trajectories
		escape float64
		want   string
	}{
		{"empty", stability.Trajectories{}, 1, "Distance is empty"},
		{"touched", bad, 1, "touched"},
		{"ragged", ragged, 1, "run 1"},
		{"radius", good, -1, "escapeRadius"},
		{"nan radius", good, math.NaN(), "escapeRadius"},
	} {
		_, err := stability.CellStatistics(tc.tr, tc.escape, 0)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
}

func TestRunCellValidation(t *testing.T) {
	q, _ := twoPoint(t)
	base := stability.Cell{Problem: q, Minimizer: []float64{0}, BatchSize: 1, Step: 0.5, Radius: 1, Iterations: 3, Runs: 2}
	for _, tc := range []struct {
		name string
		mod  func(c *stability.Cell)
		want string
	}{
		{"nil problem", func(c *stability.Cell) { c.Problem = nil }, "Cell.Problem"},
		{"minimizer", func(c *stability.Cell) { c.Minimizer = []float64{0, 0} }, "Cell.Minimizer"},
		{"nan minimizer", func(c *stability.Cell) { c.Minimizer = []float64{math.NaN()} }, "Cell.Minimizer"},
		{"step", func(c *stability.Cell) { c.Step = 0 }, "Cell.Step"},
		{"inf step", func(c *stability.Cell) { c.Step = math.Inf(1) }, "Cell.Step"},
		{"escape", func(c *stability.Cell) { c.EscapeRadius = -1 }, "Cell.EscapeRadius"},
		{"local", func(c *stability.Cell) { c.LocalRadius = math.NaN() }, "Cell.LocalRadius"},
		{"hessian", func(c *stability.Cell) { c.Hessian = mat.NewSymDense(2, nil) }, "Cell.Hessian"},
		{"indefinite hessian", func(c *stability.Cell) { c.Hessian = mat.NewSymDense(1, []float64{-1}) }, "positive semidefinite"},
		{"nan hessian", func(c *stability.Cell) { c.Hessian = mat.NewSymDense(1, []float64{math.NaN()}) }, "Cell.Hessian"},
		{"start", func(c *stability.Cell) { c.Start = []float64{1, 2} }, "Cell.Start"},
		{"nan start", func(c *stability.Cell) { c.Start = []float64{math.Inf(-1)} }, "Cell.Start[0]"},
		{"runs", func(c *stability.Cell) { c.Runs = 0 }, "Cell.Runs = 0"},
		{"iterations", func(c *stability.Cell) { c.Iterations = -1 }, "Cell.Iterations = -1"},
		{"batch", func(c *stability.Cell) { c.BatchSize = -2 }, "Cell.BatchSize = -2"},
		{"radius", func(c *stability.Cell) { c.Radius = -1 }, "Cell.Radius = -1"},
		{"nan radius", func(c *stability.Cell) { c.Radius = math.NaN() }, "Cell.Radius"},
		{"inf radius", func(c *stability.Cell) { c.Radius = math.Inf(1) }, "Cell.Radius"},
		{"others length", func(c *stability.Cell) { c.Others = [][]float64{{1, 2}} }, "len(Cell.Others[0]) = 2"},
		{"nan others", func(c *stability.Cell) { c.Others = [][]float64{{1}, {math.NaN()}} }, "Cell.Others[1][0] = NaN"},
		{"bounds", func(c *stability.Cell) { c.Bounds = &problems.Box{Lower: []float64{1}, Upper: []float64{0}} }, "Cell.Bounds"},
		{"bounds dim", func(c *stability.Cell) {
			b, err := problems.NewBox([]float64{-1, -1}, []float64{1, 1})
			if err != nil {
				t.Fatal(err)
			}
			c.Bounds = b
		}, "Cell.Bounds has dimension 2"},
	} {
		c := base
		tc.mod(&c)
		_, err := stability.RunCell(c, 1)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one naming %q", tc.name, err, tc.want)
		}
		// The messages name the Cell's fields, never the internal
		// Ensemble's or Settings' ones.
		if err != nil && (strings.Contains(err.Error(), "Ensemble") || !strings.Contains(err.Error(), "Cell.")) {
			t.Errorf("%s: error %q does not name a Cell field", tc.name, err)
		}
	}
	if _, err := stability.RunCell(base, 1); err != nil {
		t.Errorf("valid cell: %v", err)
	}
}

// sameFloats reports whether a and b are equal element by element, NaN
// equal to NaN.
func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}

func statsSlice(s stability.CellStats) []float64 {
	return []float64{float64(s.Runs), s.Escaped, s.Grew, s.Converged, float64(s.Window), s.GrowthMS, s.GrowthMSStderr,
		s.GrowthMSR2, s.GrowthLo, s.GrowthHi, s.GrowthRunMedian}
}

func TestRunCellWorkersIdentical(t *testing.T) {
	// A 2-D problem with a box that some runs touch, a dense H̄ and a
	// second watched point: every output must be bit-identical for 1 and 4
	// workers.
	q, err := problems.NewQuadratic(
		[]mat.Symmetric{mat.NewSymDense(2, []float64{2, 0.5, 0.5, 1}), mat.NewSymDense(2, []float64{1, -0.2, -0.2, 3})},
		[][]float64{{0, 0}, {0, 0}}, []float64{0.3, 0.7})
	if err != nil {
		t.Fatal(err)
	}
	box, err := problems.NewBox([]float64{-3, -3}, []float64{3, 3})
	if err != nil {
		t.Fatal(err)
	}
	g, err := thresholds.NewGeometry([]float64{2.5, 1.2}, 0.1, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	c := stability.Cell{
		Problem: q, Minimizer: []float64{0, 0}, Others: [][]float64{{1, 1}}, Hessian: q.Hessian(), Geometry: &g,
		BatchSize: 1, Step: 0.9, Radius: 0.5, EscapeRadius: 2, Bounds: box, Iterations: 15, Runs: 37, Seed: 5,
		Outside: func(x []float64) bool { return x[0] > 0.8 },
	}
	a, err := stability.RunCell(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := stability.RunCell(c, 4)
	if err != nil {
		t.Fatal(err)
	}
	if !sameFloats(statsSlice(a.Stats), statsSlice(b.Stats)) {
		t.Errorf("stats differ: %+v vs %+v", a.Stats, b.Stats)
	}
	for r := range c.Runs {
		if a.Touched[r] != b.Touched[r] || a.Left[r] != b.Left[r] || !sameFloats(a.Energy[r], b.Energy[r]) ||
			!sameFloats(a.Distances[0][r], b.Distances[0][r]) || !sameFloats(a.Distances[1][r], b.Distances[1][r]) {
			t.Fatalf("run %d differs between 1 and 4 workers", r)
		}
	}
	// The energy is the quadratic form of H̄ before the first touch and NaN
	// from it on; a touch is an escape.
	touched := 0
	for r := range c.Runs {
		if a.Touched[r] >= 0 {
			touched++
			if !math.IsNaN(a.Energy[r][a.Touched[r]]) {
				t.Errorf("run %d: energy at the touch is %v, want NaN", r, a.Energy[r][a.Touched[r]])
			}
		}
	}
	if touched == 0 || float64(touched)/float64(c.Runs) > a.Stats.Escaped {
		t.Errorf("%d runs touched the box, Escaped = %v", touched, a.Stats.Escaped)
	}
	// Outside and the energy before the touch: recompute both from the
	// distances' definition independently (x itself is not recorded, but
	// Outside implies ‖x − x*‖ > 0.8 and Left ≤ a touch only if flagged).
	left := 0
	for r := range c.Runs {
		if n := a.Left[r]; n >= 0 {
			left++
			if a.Distances[0][r][n] <= 0.8 {
				t.Errorf("run %d flagged outside at %d with distance %v ≤ 0.8", r, n, a.Distances[0][r][n])
			}
		}
		for n := range a.Energy[r] {
			if (a.Touched[r] < 0 || n < a.Touched[r]) && !(a.Energy[r][n] >= 0) {
				t.Errorf("run %d iter %d: energy %v before the touch", r, n, a.Energy[r][n])
			}
		}
	}
	if left == 0 {
		t.Errorf("no run was outside")
	}
}

func TestRunCellGrowthWithinLemma37(t *testing.T) {
	// The two-point problem has m = 1 and s = t = 1, so ρ_lo = ρ_hi =
	// (1 − 2C)² + C²/k and, being a homogeneous quadratic, E[e_N] = ρ^N e_0
	// exactly (Lemma 3.6). GrowthMS must match ρ within 4 jackknife standard
	// errors (a normal deviate beyond 4 has probability 6e−5), on both sides
	// of the thresholds and for k = 1, 4 and gradient descent (where the
	// growth is deterministic and the error zero).
	q, g := twoPoint(t)
	runs := 4000
	if testing.Short() {
		runs = 1000
	}
	for _, k := range []int{1, 4, sgdk.FullBatch} {
		kf := math.Inf(1)
		if k != sgdk.FullBatch {
			kf = float64(k)
		}
		for _, c := range []float64{0.6 * thresholds.Convergence(g, kf), 1.3 * thresholds.Divergence(g, kf)} {
			res, err := stability.RunCell(stability.Cell{
				Problem: q, Minimizer: []float64{0}, Hessian: q.Hessian(), Geometry: &g,
				BatchSize: k, Step: c, Radius: 1, Iterations: 6, Runs: runs, Seed: 3,
			}, 0)
			if err != nil {
				t.Fatal(err)
			}
			st := res.Stats
			rho := (1-2*c)*(1-2*c) + c*c/kf
			if math.Abs(st.GrowthLo-rho) > 1e-12 || math.Abs(st.GrowthHi-rho) > 1e-12 {
				t.Fatalf("k = %d, C = %v: bounds [%v, %v], want ρ = %v", k, c, st.GrowthLo, st.GrowthHi, rho)
			}
			tol := 4*st.GrowthMSStderr + 1e-12*rho
			if math.Abs(st.GrowthMS-rho) > tol {
				t.Errorf("k = %d, C = %v: GrowthMS = %v ± %v, want ρ = %v", k, c, st.GrowthMS, st.GrowthMSStderr, rho)
			}
			// The one-step ratios are unbiased for ρ (Lemma 3.6 conditionally).
			if math.Abs(st.GrowthStep-rho) > 4*st.GrowthStepStderr+1e-12*rho {
				t.Errorf("k = %d, C = %v: GrowthStep = %v ± %v, want ρ = %v", k, c, st.GrowthStep, st.GrowthStepStderr, rho)
			}
			// Jensen: the typical run grows more slowly than the mean square.
			if st.GrowthRunMedian > math.Sqrt(st.GrowthMS)*(1+1e-12) && k != sgdk.FullBatch {
				t.Errorf("k = %d, C = %v: run median %v above √GrowthMS = %v", k, c, st.GrowthRunMedian, math.Sqrt(st.GrowthMS))
			}
		}
	}
}

func TestGridCells(t *testing.T) {
	q, g := twoPoint(t)
	grid := stability.Grid{
		Sites:   []stability.Site{{Name: "a", Problem: q, Minimizer: []float64{0}, Geometry: &g}, {Name: "b", Problem: q, Minimizer: []float64{0}}},
		Batches: []int{1, sgdk.FullBatch},
		Radii:   []float64{0.1, 1},
		Rates: func(s stability.Site, k int) ([]stability.Rate, error) {
			n := 1
			if k == sgdk.FullBatch {
				n = 3
			}
			rs := make([]stability.Rate, n)
			for i := range rs {
				rs[i] = stability.Rate{Label: s.Name, Value: 0.1 * float64(i+1)}
			}
			return rs, nil
		},
		Runs: 3, Iterations: 2, Seed: 9,
	}
	cells, err := grid.Cells()
	if err != nil {
		t.Fatal(err)
	}
	// 2 sites × (1 rate × 2 radii + 3 rates × 2 radii) = 16 cells.
	if len(cells) != 16 {
		t.Fatalf("%d cells, want 16", len(cells))
	}
	seeds := map[uint64]bool{}
	for i, gc := range cells {
		if gc.Index != i {
			t.Errorf("cell %d has Index %d", i, gc.Index)
		}
		c := grid.Cell(gc)
		if c.Seed != stability.CellSeed(9, i) || c.Step != gc.Rate.Value || c.BatchSize != gc.BatchSize || c.Runs != 3 {
			t.Errorf("cell %d: %+v", i, c)
		}
		seeds[c.Seed] = true
	}
	if len(seeds) != len(cells) {
		t.Errorf("%d distinct seeds for %d cells", len(seeds), len(cells))
	}
	if gc := cells[len(cells)-1]; gc.Site != 1 || gc.BatchSize != sgdk.FullBatch || gc.Radius != 1 || gc.Rate.Value != 0.30000000000000004 {
		t.Errorf("last cell %+v", gc)
	}
	var visited int
	if err := grid.Run(func(gc stability.GridCell, res *stability.CellResult) error {
		if gc.Index != visited || res.Stats.Runs != 3 {
			t.Errorf("visit %d: %+v", visited, gc)
		}
		visited++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if visited != 16 {
		t.Errorf("visited %d cells", visited)
	}
	grid.Rates = nil
	if _, err := grid.Cells(); err == nil || !strings.Contains(err.Error(), "Grid.Rates") {
		t.Errorf("nil Rates: %v", err)
	}
}

// BenchmarkRunCellSTModel1Runs100Iters20 runs one Section 5 cell: Styblinski–
// Tang Model 1 (p = 10, N = 200), 100 runs × 20 iterations, with a box, a
// diagonal H̄ and an Outside test, at k = 1, 200 and gradient descent.
func BenchmarkRunCellSTModel1Runs100Iters20(b *testing.B) {
	st, err := paper.StyblinskiTangModel(1, 1)
	if err != nil {
		b.Fatal(err)
	}
	x := st.Sharpest()
	h := mat.NewSymDense(len(x), nil)
	st.ExpectedHess(h, x)
	for _, k := range []int{1, 200, sgdk.FullBatch} {
		b.Run(fmt.Sprintf("K%d", k), func(b *testing.B) {
			c := stability.Cell{
				Problem: st, Minimizer: x, Hessian: h, BatchSize: k, Step: 0.01, Radius: 1e-2,
				Bounds: st.Box(), Outside: func(y []float64) bool { return math.Abs(y[0]-x[0]) > 1 },
				Iterations: 20, Runs: 100, Seed: 1,
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := stability.RunCell(c, 2); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
