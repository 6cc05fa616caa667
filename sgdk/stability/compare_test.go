package stability_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/problems/learning"
	"github.com/flatminima/flatminima/problems/paper"
	"github.com/flatminima/flatminima/sgdk"
	"github.com/flatminima/flatminima/sgdk/stability"
	"github.com/flatminima/flatminima/thresholds"
)

var inf = math.Inf(1)

func TestCompareTwoPoint(t *testing.T) {
	p := scalarQuadratic(t, 1, 3)
	c, err := stability.ProblemCase("two-point", p, []float64{0}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := stability.Compare(c, []float64{1, 4, inf}, stability.CompareSettings{
		Lyapunov: stability.LyapunovSettings{Replicates: 8, Steps: 2000, Seed: 2},
		Escape:   stability.EscapeSettings{StartRadius: 0.1, EscapeRadius: 10, Iterations: 50, Runs: 32, Seed: 2},
	})
	if err != nil {
		t.Fatal(err)
	}
	// C*(1) = 0.8, C*(4) = 16/17, C*(∞) = 1, and s = t = 1, m = 1,
	// so Patel's bounds coincide with C*.
	for i, want := range []float64{0.8, 16.0 / 17, 1} {
		r := rows[i]
		if math.Abs(r.MeanSquare-want) > 1e-12 {
			t.Errorf("k = %v: C* = %v, want %v", r.Batch, r.MeanSquare, want)
		}
		if math.Abs(r.PatelConvergence-want) > 1e-12 || math.Abs(r.PatelDivergence-want) > 1e-12 {
			t.Errorf("k = %v: Patel bounds %v, %v, want both %v", r.Batch, r.PatelConvergence, r.PatelDivergence, want)
		}
		if r.WuSharpness != 1 {
			t.Errorf("k = %v: WuSharpness = %v, want 2/λ_max = 1", r.Batch, r.WuSharpness)
		}
		if want := math.Sqrt(r.Batch); r.WuNonUniformity != want {
			t.Errorf("k = %v: WuNonUniformity = %v, want √k/√Var(q) = %v", r.Batch, r.WuNonUniformity, want)
		}
		// Jensen: almost-sure ≥ mean-square.
		if !(r.AlmostSure >= r.MeanSquare*(1-1e-3)) {
			t.Errorf("k = %v: almost-sure %v below mean-square %v", r.Batch, r.AlmostSure, r.MeanSquare)
		}
		if !(r.Escape > 0) || math.IsInf(r.Escape, 0) {
			t.Errorf("k = %v: escape threshold %v", r.Batch, r.Escape)
		}
	}
	if math.Abs(rows[0].AlmostSure-4.0/3) > 0.02 {
		t.Errorf("k = 1: almost-sure threshold %v, want 4/3", rows[0].AlmostSure)
	}
}

// TestComparePatelBracketsExact: Convergence(k) ≤ C*(k) ≤ Divergence(k) on
// every case of the comparison (Theorem 3.8 for the linearization), within
// a relative 1e-10 where they coincide.
func TestComparePatelBracketsExact(t *testing.T) {
	var cases []*stability.Case
	qc, err := paper.QuadCircleModel(1)
	if err != nil {
		t.Fatal(err)
	}
	c, err := stability.ProblemCase("qc1 quadratic", qc, qc.Quadratic(), qc.Box(), nil)
	if err != nil {
		t.Fatal(err)
	}
	cases = append(cases, c)
	st, err := paper.StyblinskiTangModel(1, 1)
	if err != nil {
		t.Fatal(err)
	}
	for name, x := range map[string][]float64{"st1 sharpest": st.Sharpest(), "st1 flattest": st.Flattest()} {
		c, err := stability.ProblemCase(name, st, x, st.Box(), nil)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	rnd := rand.New(rand.NewPCG(4, 4))
	var hs []mat.Symmetric
	var r [][]float64
	for i := 0; i < 5; i++ {
		g := mat.NewDense(3, 2, nil)
		for j := 0; j < 6; j++ {
			g.Set(j/2, j%2, rnd.NormFloat64())
		}
		q := mat.NewSymDense(3, nil)
		q.SymOuterK(1, g)
		hs = append(hs, q)
		r = append(r, []float64{0, 0, 0})
	}
	quad, err := problems.NewQuadratic(hs, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err = stability.ProblemCase("random quadratic", quad, []float64{0, 0, 0}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	cases = append(cases, c)
	g, err := learning.NewGaussianLeastSquares(mat.NewSymDense(3, []float64{2, 0.3, 0, 0.3, 1, 0.1, 0, 0.1, 0.2}), []float64{1, 2, 3}, 0)
	if err != nil {
		t.Fatal(err)
	}
	c, err = stability.GaussianCase("gaussian", g)
	if err != nil {
		t.Fatal(err)
	}
	cases = append(cases, c)
	for _, c := range cases {
		rows, err := stability.Compare(c, []float64{1, 4, 16, 64, inf}, stability.CompareSettings{SkipAlmostSure: true, SkipEscape: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if !(r.PatelConvergence <= r.MeanSquare*(1+1e-10) && r.MeanSquare <= r.PatelDivergence*(1+1e-10)) {
				t.Errorf("%s, k = %v: convergence %v, exact %v, divergence %v", c.Name, r.Batch, r.PatelConvergence, r.MeanSquare, r.PatelDivergence)
			}
			// C* ≤ 2/λ_1 = WuSharpness always.
			if r.MeanSquare > r.WuSharpness*(1+1e-10) {
				t.Errorf("%s, k = %v: exact %v above 2/λ_1 = %v", c.Name, r.Batch, r.MeanSquare, r.WuSharpness)
			}
		}
	}
}

// TestGaussianMeanSquareSimulation checks the exact C*(k) of Gaussian least
// squares against simulations of online SGD-k (RunSampler). Starting from
// d_0 ~ N(0, S*), S* the top eigenmatrix of T_C at C = C* (diagonal in Σ's
// eigenbasis, S*_aa ∝ 1/(λ − (1 + 1/k)σ_a/2) with λ = 1/C*, from the
// secular equation), the mean error is exactly constant:
// E[e_N] = tr(ΣT_{C*}^N(S*)) = e_0, so the growth factor E[e_N]/e_0 is 1
// at C*; it is below 1 at 0.85·C* and above 1 at 1.15·C*. The simulated
// factor (mean of e_N over 100000 runs divided by the exact e_0) must be
// within 4 standard errors of 1 at C* after 4 steps, and more than 4
// standard errors below (0.85·C*, 4 steps) or above (1.15·C*, one step)
// 1 on either side. The distribution of e_N grows heavy tails with N (its
// fourth-moment operator has a radius well above 1 near C*): with more
// steps the sample mean underestimates E[e_N] and its standard error
// means little, hence the few steps and many runs. From S*, the one-step
// factor tr(ΣT_C(S*))/e_0 is a quadratic in C equal to 1 at C = 0 and C*,
// so it exceeds 1 above C* after one step.
func TestGaussianMeanSquareSimulation(t *testing.T) {
	sig := []float64{1, 0.5, 0.25}
	sigma := mat.NewSymDense(3, nil)
	for a, v := range sig {
		sigma.SetSym(a, a, v)
	}
	theta := []float64{0.5, -1, 2}
	g, err := learning.NewGaussianLeastSquares(sigma, theta, 0)
	if err != nil {
		t.Fatal(err)
	}
	const steps = 4
	runs, ks := 100000, []float64{1, 4}
	if testing.Short() {
		runs, ks = 30000, []float64{1}
	}
	for _, k := range ks {
		cstar, err := thresholds.MeanSquareGaussian(sig, k)
		if err != nil {
			t.Fatal(err)
		}
		lambda := 1 / cstar
		s := make([]float64, 3)
		e0 := 0.0
		for a, v := range sig {
			s[a] = 1 / (lambda - (1+1/k)*v/2)
			e0 += v * s[a]
		}
		factor := func(c float64, steps, runs int) (mean, se float64) {
			sum, sum2 := 0.0, 0.0
			x0 := make([]float64, 3)
			for i := 0; i < runs; i++ {
				rnd := rand.New(rand.NewPCG(uint64(i), 7))
				for a := range x0 {
					x0[a] = theta[a] + math.Sqrt(s[a])*rnd.NormFloat64()
				}
				r, err := sgdk.RunSampler(g, x0, sgdk.Settings{BatchSize: int(k), Step: sgdk.Constant(c), Iterations: steps}, rnd, nil)
				if err != nil {
					t.Fatal(err)
				}
				e := 0.0
				for a := range x0 {
					d := r.X[a] - theta[a]
					e += sig[a] * d * d
				}
				e /= e0
				sum += e
				sum2 += e * e
			}
			n := float64(runs)
			mean = sum / n
			return mean, math.Sqrt((sum2/n - mean*mean) / n)
		}
		m, se := factor(cstar, steps, runs)
		t.Logf("k = %v: C* = %.4g, E[e_%d]/e_0 = %.4f ± %.4f", k, cstar, steps, m, se)
		if math.Abs(m-1) > 4*se {
			t.Errorf("k = %v: at C* = %.4g, E[e_%d]/e_0 = %.4f ± %.4f, want 1", k, cstar, steps, m, se)
		}
		m, se = factor(0.85*cstar, steps, runs)
		t.Logf("k = %v: 0.85·C*: %.4f ± %.4f", k, m, se)
		if !(m+4*se < 1) {
			t.Errorf("k = %v: at 0.85·C*, E[e_N]/e_0 = %.4f ± %.4f, want < 1", k, m, se)
		}
		m, se = factor(1.15*cstar, 1, runs)
		t.Logf("k = %v: 1.15·C* (one step): %.4f ± %.4f", k, m, se)
		if !(m-4*se > 1) {
			t.Errorf("k = %v: at 1.15·C*, E[e_N]/e_0 = %.4f ± %.4f, want > 1", k, m, se)
		}
	}
}

// ExampleCompare puts the thresholds of the two-point example side by
// side: q ∈ {1, 3} with probability ½ each, minimizer 0.
func ExampleCompare() {
	q := []mat.Symmetric{mat.NewSymDense(1, []float64{1}), mat.NewSymDense(1, []float64{3})}
	p, _ := problems.NewQuadratic(q, [][]float64{{0}, {0}}, nil)
	c, _ := stability.ProblemCase("two-point", p, []float64{0}, nil, nil)
	rows, _ := stability.Compare(c, []float64{1, math.Inf(1)}, stability.CompareSettings{
		Lyapunov:   stability.LyapunovSettings{Replicates: 8, Steps: 4000, Seed: 1},
		SkipEscape: true,
	})
	for _, r := range rows {
		fmt.Printf("k=%v conv=%.4g exact=%.4g div=%.4g wu=%.4g/%.4g as=%.3g\n",
			r.Batch, r.PatelConvergence, r.MeanSquare, r.PatelDivergence, r.WuSharpness, r.WuNonUniformity, r.AlmostSure)
	}
	// Output:
	// k=1 conv=0.8 exact=0.8 div=0.8 wu=1/1 as=1.33
	// k=+Inf conv=1 exact=1 div=1 wu=1/+Inf as=1
}

// TestGaussianCaseBatchCap: the linearized step of a Gaussian population
// draws k components a step, so a huge k is refused rather than left to run
// for days.
func TestGaussianCaseBatchCap(t *testing.T) {
	g, err := learning.NewGaussianLeastSquares(mat.NewSymDense(2, []float64{2, 0, 0, 1}), []float64{0, 0}, 0)
	if err != nil {
		t.Fatal(err)
	}
	c, err := stability.GaussianCase("g", g)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Linear(1 << 40); err == nil || !strings.Contains(err.Error(), "k =") {
		t.Errorf("k = 2^40: err = %v, want one naming k", err)
	}
	if _, _, err := c.Linear(1 << 20); err != nil {
		t.Errorf("k = 2^20: %v", err)
	}
}
