package stability_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/problems/learning"
	"github.com/flatminima/flatminima/sgdk"
	"github.com/flatminima/flatminima/sgdk/stability"
)

// diagGaussian is Gaussian least squares with Σ = diag(sigma), θ* = 1.
func diagGaussian(t *testing.T, noise float64, sigma ...float64) *learning.GaussianLeastSquares {
	t.Helper()
	s := mat.NewSymDense(len(sigma), nil)
	theta := make([]float64, len(sigma))
	for i, v := range sigma {
		s.SetSym(i, i, v)
		theta[i] = 1
	}
	g, err := learning.NewGaussianLeastSquares(s, theta, noise)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// lossBand checks that the escape threshold measured with the loss
// criterion lies where |γ(C)| ≤ log(level/start)/n: a run whose excess loss
// starts near `start` must grow by level/start within n steps, which needs
// a growth rate of order log(level/start)/n (the excess loss grows as
// e^{2γN}, so the band is twice the rate the median run needs: room for
// the Monte Carlo error of the measured threshold). The band describes the
// median run only when the per-step log-growth fluctuates little,
// 2σ√n ≲ log(level/start): otherwise excursions of the random walk log e_N
// cross the level first, below the almost-sure threshold (the two-point
// example at k = 1 escapes at C ≈ 1.25 < 4/3 with n = 100, γ ≈ −0.18). The
// test therefore takes the two-point example at k = 16.
func lossBand(t *testing.T, c *stability.Case, k float64, s stability.EscapeSettings) {
	t.Helper()
	start, _, err := c.StartExcess(s)
	if err != nil {
		t.Fatal(err)
	}
	s.LossLevel = stability.DefaultLossLevel(start, 0)
	if s.LossLevel != 100*start {
		t.Fatalf("DefaultLossLevel(%v, 0) = %v, want 100·start", start, s.LossLevel)
	}
	ms, err := c.MeanSquare(k)
	if err != nil {
		t.Fatal(err)
	}
	s.From = ms
	var et *stability.EscapeThreshold
	if c.Problem != nil {
		s.BatchSize = int(k)
		et, err = stability.MeasureEscape(c.Problem, c.Minimizer, s)
	} else {
		s.BatchSize = int(k)
		et, err = stability.MeasureEscapeSampler(c.Sampler, c.Minimizer, s)
	}
	if err != nil {
		t.Fatal(err)
	}
	dim, step, err := c.Linear(k)
	if err != nil {
		t.Fatal(err)
	}
	ly, err := stability.LyapunovExponent(dim, step, et.C, stability.LyapunovSettings{Replicates: 16, Steps: 4000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	band := math.Log(s.LossLevel/start) / float64(s.Iterations)
	// 3 standard errors of the Lyapunov estimate on top of the band.
	if math.Abs(ly.Exponent) > band+3*ly.StdErr {
		t.Errorf("%s, k = %v: escape threshold %v [%v, %v] has γ = %v ± %v, outside the band |γ| ≤ %v",
			c.Name, k, et.C, et.Lo, et.Hi, ly.Exponent, ly.StdErr, band)
	}
	t.Logf("%s, k = %v: C* = %.4g, escape %.4g [%.4g, %.4g], γ = %.4f ± %.4f, band %.4f", c.Name, k, ms, et.C, et.Lo, et.Hi, ly.Exponent, ly.StdErr, band)
}

func TestLossEscapeInLyapunovBand(t *testing.T) {
	tp, err := stability.ProblemCase("two-point", scalarQuadratic(t, 1, 3), []float64{0}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := stability.EscapeSettings{StartRadius: 0.1, Iterations: 50, Runs: 256, Seed: 7, LossStride: 1}
	lossBand(t, tp, 16, s)
	gc, err := stability.GaussianCase("gaussian", diagGaussian(t, 0, 1, 0.5, 0.25))
	if err != nil {
		t.Fatal(err)
	}
	lossBand(t, gc, 4, s)
}

func TestLossLevelInsensitive(t *testing.T) {
	// Doubling or halving the level moves the threshold by less than the
	// width of its 95% interval.
	gc, err := stability.GaussianCase("gaussian", diagGaussian(t, 0, 1, 0.5, 0.25))
	if err != nil {
		t.Fatal(err)
	}
	s := stability.EscapeSettings{StartRadius: 0.1, Iterations: 100, Runs: 256, Seed: 11, BatchSize: 4}
	start, _, err := gc.StartExcess(s)
	if err != nil {
		t.Fatal(err)
	}
	level := stability.DefaultLossLevel(start, 0)
	ms, _ := gc.MeanSquare(4)
	s.From = ms
	var got [3]*stability.EscapeThreshold
	for i, f := range []float64{1, 2, 0.5} {
		s.LossLevel = f * level
		if got[i], err = stability.MeasureEscapeSampler(gc.Sampler, gc.Minimizer, s); err != nil {
			t.Fatal(err)
		}
	}
	w := got[0].Hi - got[0].Lo
	for i, name := range []string{"", "×2", "×½"} {
		if i > 0 && !(math.Abs(got[i].C-got[0].C) < w) {
			t.Errorf("level %s moves the threshold from %v to %v, more than its interval width %v", name, got[0].C, got[i].C, w)
		}
	}
	// A radius of the same run must be the same criterion to first order:
	// the loss criterion on a problem with neither F nor ExpectedFunc is an
	// error naming the level.
	if _, err := stability.MeasureEscapeSampler(noFuncSampler{gc.Sampler}, gc.Minimizer, s); err == nil {
		t.Error("a sampler without ExpectedFunc accepted LossLevel")
	}
}

type noFuncSampler struct{ problems.Sampler }

// TestExcessFloorMatchesSimulation: the stationary excess loss of SGD-k,
// ½·tr(H S_∞) (Compare's ExcessAtHalf, NoiseFloor/2), against the time
// average of F(x_N) − F(x*) over long runs of SGD-k on Gaussian least
// squares with label noise, at C*/4 and C*/2. The runs are independent, so
// their time averages are i.i.d.; the tolerance is 4 standard errors of
// their mean (a false failure has probability 6e-5).
func TestExcessFloorMatchesSimulation(t *testing.T) {
	g := diagGaussian(t, 0.5, 1, 0.5, 0.25)
	gc, err := stability.GaussianCase("gaussian", g)
	if err != nil {
		t.Fatal(err)
	}
	runs, burn, steps := 64, 500, 4000
	if testing.Short() {
		runs, steps = 32, 2000
	}
	for _, k := range []float64{1, 4} {
		rows, err := stability.Compare(gc, []float64{k}, stability.CompareSettings{SkipAlmostSure: true, SkipEscape: true})
		if err != nil {
			t.Fatal(err)
		}
		ms := rows[0].MeanSquare
		for _, frac := range []float64{0.25, 0.5} {
			c := frac * ms
			floor, err := gc.NoiseFloor(c, k)
			if err != nil {
				t.Fatal(err)
			}
			want := floor / 2
			if frac == 0.5 && math.Abs(rows[0].ExcessAtHalf-want) > 1e-12*want {
				t.Errorf("ExcessAtHalf %v, want NoiseFloor/2 = %v", rows[0].ExcessAtHalf, want)
			}
			fstar := g.ExpectedFunc(g.Minimizer())
			avg := make([]float64, runs)
			for i := range avg {
				sum := 0.0
				rec := func(iter int, x []float64) bool {
					if iter > burn {
						sum += g.ExpectedFunc(x) - fstar
					}
					return true
				}
				set := sgdk.Settings{BatchSize: int(k), Step: sgdk.Constant(c), Iterations: burn + steps}
				if _, err := sgdk.RunSampler(g, g.Minimizer(), set, problems.Stream(21, uint64(i)), rec); err != nil {
					t.Fatal(err)
				}
				avg[i] = sum / float64(steps)
			}
			m, sd := stat.MeanStdDev(avg, nil)
			se := sd / math.Sqrt(float64(runs))
			if math.Abs(m-want) > 4*se {
				t.Errorf("k = %v, C = %.3g·C*: simulated excess loss %v ± %v, predicted ½tr(HS∞) = %v", k, frac, m, se, want)
			}
			t.Logf("k = %v, C = %.3g·C*: simulated %.5g ± %.2g, predicted %.5g", k, frac, m, se, want)
		}
	}
}

func TestLinearizedExcessLossMatchesSimulation(t *testing.T) {
	// The same for the linearization of a finite least-squares problem with
	// residuals (inhomogeneous), through geometry.Linearize: Case.NoiseFloor
	// is Linearized.NoiseFloor, and the excess loss is exactly quadratic.
	a := mat.NewDense(6, 2, []float64{1, 0.2, 0.3, 1, -0.5, 0.7, 0.9, -0.4, 0.1, 0.1, -1, 0.3})
	y := []float64{1, -0.5, 0.3, 0.8, -0.2, 0.4}
	p, err := learning.NewLeastSquares(a, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	xs, err := p.Minimizer()
	if err != nil {
		t.Fatal(err)
	}
	c, err := stability.ProblemCase("ls", p, xs, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := c.MeanSquare(1)
	f := problems.Objective(p).Func
	fstar := f(xs)
	runs, burn, steps := 64, 500, 4000
	if testing.Short() {
		runs, steps = 32, 2000
	}
	for _, frac := range []float64{0.25, 0.5} {
		cc := frac * ms
		floor, err := c.NoiseFloor(cc, 1)
		if err != nil {
			t.Fatal(err)
		}
		want := floor / 2
		avg := make([]float64, runs)
		for i := range avg {
			sum := 0.0
			rec := func(iter int, x []float64) bool {
				if iter > burn {
					sum += f(x) - fstar
				}
				return true
			}
			set := sgdk.Settings{BatchSize: 1, Step: sgdk.Constant(cc), Iterations: burn + steps}
			if _, err := sgdk.Run(p, xs, set, problems.Stream(5, uint64(i)), rec); err != nil {
				t.Fatal(err)
			}
			avg[i] = sum / float64(steps)
		}
		m, sd := stat.MeanStdDev(avg, nil)
		se := sd / math.Sqrt(float64(runs))
		if math.Abs(m-want) > 4*se {
			t.Errorf("C = %.3g·C*: simulated excess loss %v ± %v, predicted %v", frac, m, se, want)
		}
		t.Logf("C = %.3g·C*: simulated %.5g ± %.2g, predicted %.5g", frac, m, se, want)
	}
}

func TestDefaultLossLevel(t *testing.T) {
	if got := stability.DefaultLossLevel(1e-4, 3e-4); got != 100*3e-4 {
		t.Errorf("DefaultLossLevel = %v, want 0.03", got)
	}
	for _, bad := range [][2]float64{{0, 0}, {-1, 1}, {math.NaN(), 1}, {1, math.Inf(1)}} {
		if got := stability.DefaultLossLevel(bad[0], bad[1]); !math.IsNaN(got) {
			t.Errorf("DefaultLossLevel(%v, %v) = %v, want NaN", bad[0], bad[1], got)
		}
	}
	if _, err := stability.EscapeFraction(scalarQuadratic(t, 1), []float64{0}, 0.5,
		stability.EscapeSettings{BatchSize: 1, StartRadius: 0.1, Iterations: 10, LossLevel: -1}); err == nil {
		t.Error("negative LossLevel accepted")
	}
}

func TestCompareCost(t *testing.T) {
	p := scalarQuadratic(t, 1, 3)
	c, err := stability.ProblemCase("two-point", p, []float64{0}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := stability.CompareSettings{Escape: stability.EscapeSettings{StartRadius: 0.1, Iterations: 50, Runs: 10, LossStride: 5}, LossKappa: 100}
	cost, err := s.Cost(c, []float64{1, 4, inf})
	if err != nil {
		t.Fatal(err)
	}
	// Per probe: runs × iterations × k (k = N = 2 for ∞) + runs × 10 checks × N.
	for i, k := range []float64{1, 4, 2} {
		if want := 10*50*k + 10*10*2; cost.ProbeGradients[i] != want {
			t.Errorf("probe cost %d = %v, want %v", i, cost.ProbeGradients[i], want)
		}
	}
	// RelTol 0.02: ⌈log₂(ln 2/ln 1.02)⌉ = 6 bisections + 3.
	if cost.Probes != 9 {
		t.Errorf("Probes = %d, want 9", cost.Probes)
	}
}
