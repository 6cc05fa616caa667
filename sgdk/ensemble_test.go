package sgdk_test

import (
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/sgdk"
	"github.com/flatminima/flatminima/thresholds"
)

func TestEnsembleWorkersBitIdentical(t *testing.T) {
	rnd := rand.New(rand.NewPCG(9, 9))
	p, qs, w, xs := sgdkRandQuad(t, rnd, 4, 6, false)
	h, _ := sgdkHM(qs, w)
	other := make([]float64, 4)
	base := sgdk.Ensemble{
		Problem:  p,
		Settings: sgdk.Settings{BatchSize: 2, Step: sgdk.Decay{C0: 0.5, Tau: 10, A: 0.7}, Iterations: 30},
		Runs:     57,
		Seed:     42,
		Center:   xs,
		Radius:   0.5,
		Watch:    [][]float64{xs, other},
		Measure:  func(x []float64) float64 { return sgdkErr(h, x, xs) },
	}
	var results []*sgdk.EnsembleResult
	for _, workers := range []int{1, 4, 0} {
		e := base
		e.Workers = workers
		r, err := e.Run()
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, r)
	}
	a := results[0]
	for i, b := range results[1:] {
		for run := range a.Final {
			if !floats.Same(a.Final[run], b.Final[run]) || !floats.Same(a.Starts[run], b.Starts[run]) ||
				!floats.Same(a.Measures[run], b.Measures[run]) {
				t.Fatalf("result %d, run %d differs from Workers = 1", i+1, run)
			}
			for wi := range a.Distances {
				if !floats.Same(a.Distances[wi][run], b.Distances[wi][run]) {
					t.Fatalf("result %d, watch %d, run %d: distances differ", i+1, wi, run)
				}
			}
		}
	}
	// The records agree with the trajectories: iteration 0 is the start, the
	// last is Final, and distance to the origin is the norm.
	for run := range a.Final {
		if len(a.Distances[0][run]) != 31 {
			t.Fatalf("run %d has %d distances, want Iterations+1 = 31", run, len(a.Distances[0][run]))
		}
		if got, want := a.Distances[0][run][0], floats.Distance(a.Starts[run], xs, 2); got != want {
			t.Errorf("run %d: distance at iteration 0 %v, want %v", run, got, want)
		}
		if got, want := a.Distances[1][run][30], floats.Norm(a.Final[run], 2); got != want {
			t.Errorf("run %d: last distance to 0 is %v, want ‖Final‖ = %v", run, got, want)
		}
	}
	// A different seed gives different runs.
	e := base
	e.Seed = 43
	c, err := e.Run()
	if err != nil {
		t.Fatal(err)
	}
	if floats.Same(c.Final[0], a.Final[0]) {
		t.Error("Seed 42 and 43 gave the same run 0")
	}
}

func TestEnsembleStartsUniformInBall(t *testing.T) {
	rnd := rand.New(rand.NewPCG(4, 4))
	const p = 3
	prob, _, _, xs := sgdkRandQuad(t, rnd, p, 2, true)
	const runs, radius = 6000, 0.2
	e := sgdk.Ensemble{
		Problem:  prob,
		Settings: sgdk.Settings{BatchSize: 1, Step: sgdk.Constant(0.1)},
		Runs:     runs,
		Seed:     1,
		Center:   xs,
		Radius:   radius,
		Watch:    [][]float64{xs},
	}
	r, err := e.Run()
	if err != nil {
		t.Fatal(err)
	}
	// ‖θ−c‖^p/r^p ~ U(0,1) for θ uniform in the ball: mean 1/2 with standard
	// error √(1/12/runs) ≈ 3.7e−3; allow 5.
	sum := 0.0
	for run := range runs {
		d := r.Distances[0][run][0]
		if d > radius*(1+1e-12) {
			t.Fatalf("start %v outside the ball (distance %v)", r.Starts[run], d)
		}
		sum += math.Pow(d/radius, p)
	}
	if got := sum / runs; math.Abs(got-0.5) > 5*math.Sqrt(1.0/12/runs) {
		t.Errorf("mean ‖θ−c‖^p/r^p = %.4g, want 0.5", got)
	}
}

func TestEnsembleDivergence(t *testing.T) {
	// f(x) = x² on R¹ (Q = 2) with C = 1e100 diverges at iteration 4 from
	// every start (see TestRunDivergence); Starts are given explicitly.
	p, err := problems.NewQuadratic([]mat.Symmetric{mat.NewSymDense(1, []float64{2})}, [][]float64{{0}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := sgdk.Ensemble{
		Problem:  p,
		Settings: sgdk.Settings{BatchSize: 1, Step: sgdk.Constant(1e100), Iterations: 8},
		Runs:     3,
		Starts:   [][]float64{{1}, {-2}, {0}},
		Watch:    [][]float64{{0}},
		Measure:  func(x []float64) float64 { return x[0] * x[0] },
	}
	r, err := e.Run()
	if err != nil {
		t.Fatal(err)
	}
	if r.DivergedCount() != 2 {
		t.Errorf("%d runs diverged, want 2 (the start at the minimizer stays)", r.DivergedCount())
	}
	for run := range 2 {
		if !r.Diverged[run] || r.DivergedAt[run] != 4 || r.Iterations[run] != 3 {
			t.Errorf("run %d: diverged %v at %d after %d iterations, want at 4 after 3", run, r.Diverged[run], r.DivergedAt[run], r.Iterations[run])
		}
		for n, d := range r.Distances[0][run] {
			finite := !math.IsInf(d, 0) && !math.IsNaN(d)
			if finite != (n < 4) || (!finite && d != math.Inf(1)) {
				t.Errorf("run %d: distance at iteration %d is %v", run, n, d)
			}
			if m := r.Measures[run][n]; math.IsNaN(m) || (n >= 4 && m != math.Inf(1)) {
				t.Errorf("run %d: measure at iteration %d is %v", run, n, m)
			}
		}
		if floats.HasNaN(r.Final[run]) || math.IsInf(r.Final[run][0], 0) {
			t.Errorf("run %d: Final %v is not finite", run, r.Final[run])
		}
	}
	if r.Diverged[2] || r.Distances[0][2][8] != 0 {
		t.Errorf("run from the minimizer: diverged %v, last distance %v", r.Diverged[2], r.Distances[0][2][8])
	}
}

func TestEnsembleValidation(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	p, _, _, xs := sgdkRandQuad(t, rnd, 2, 3, false)
	good := sgdk.Ensemble{
		Problem:  p,
		Settings: sgdk.Settings{BatchSize: 1, Step: sgdk.Constant(0.1), Iterations: 3},
		Runs:     2,
		Center:   xs,
		Radius:   0.1,
	}
	for _, tc := range []struct {
		name string
		f    func(*sgdk.Ensemble)
		want string
	}{
		{"nil problem", func(e *sgdk.Ensemble) { e.Problem = nil }, "Problem"},
		{"zero runs", func(e *sgdk.Ensemble) { e.Runs = 0 }, "Runs"},
		{"negative workers", func(e *sgdk.Ensemble) { e.Workers = -1 }, "Workers"},
		{"short center", func(e *sgdk.Ensemble) { e.Center = []float64{0} }, "Center"},
		{"NaN center", func(e *sgdk.Ensemble) { e.Center = []float64{0, math.NaN()} }, "Center[1]"},
		{"negative radius", func(e *sgdk.Ensemble) { e.Radius = -1 }, "Radius"},
		{"NaN radius", func(e *sgdk.Ensemble) { e.Radius = math.NaN() }, "Radius"},
		{"bad watch", func(e *sgdk.Ensemble) { e.Watch = [][]float64{xs, {1}} }, "Watch[1]"},
		{"starts count", func(e *sgdk.Ensemble) { e.Starts = [][]float64{xs} }, "Starts"},
		{"bad start", func(e *sgdk.Ensemble) { e.Starts = [][]float64{xs, {math.Inf(1), 0}} }, "Starts[1][0]"},
		{"bad settings", func(e *sgdk.Ensemble) { e.Settings.BatchSize = -3 }, "BatchSize"},
		{"forgotten batch", func(e *sgdk.Ensemble) { e.Settings.BatchSize = 0 }, "BatchSize: sgdk.FullBatch"},
		{"MaxInt iterations", func(e *sgdk.Ensemble) { e.Settings.Iterations = math.MaxInt }, "Iterations"},
		{"huge radius", func(e *sgdk.Ensemble) { e.Radius = 1e308 }, "Radius"},
		{"radius plus center", func(e *sgdk.Ensemble) { e.Radius, e.Center = 1e308, []float64{-1e308, 0} }, "Radius"},
		{"memory", func(e *sgdk.Ensemble) {
			e.Runs, e.Settings.Iterations, e.Watch = 1<<20, 1<<10, [][]float64{xs}
		}, "EnsembleMemoryBudget"},
		{"memory, nothing watched", func(e *sgdk.Ensemble) { e.Runs = 1 << 29 }, "GiB"},
		{"bad step later", func(e *sgdk.Ensemble) {
			e.Settings.Step = sgdk.StepFunc(func(n int) float64 { return 0.1 - 0.04*float64(n) })
		}, "Step(3)"},
	} {
		e := good
		tc.f(&e)
		_, err := e.Run()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one naming %q", tc.name, err, tc.want)
		}
	}
}

func TestEnsembleLargeRadiusFiniteStarts(t *testing.T) {
	// At the largest accepted radius every start is finite (r·U^{1/p}/‖z‖
	// can overflow for small ‖z‖, so the factors are applied separately),
	// and each lies in the ball up to rounding.
	rnd := rand.New(rand.NewPCG(1, 2))
	p, _, _, _ := sgdkRandQuad(t, rnd, 2, 3, false)
	r := math.MaxFloat64 / 2
	e := sgdk.Ensemble{Problem: p, Settings: sgdk.Settings{BatchSize: 1, Step: sgdk.Constant(0.1), Iterations: 2},
		Runs: 64, Seed: 3, Center: []float64{0, 0}, Radius: r}
	res, err := e.Run()
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range res.Starts {
		if math.IsInf(x[0], 0) || math.IsInf(x[1], 0) || math.Hypot(x[0]/r, x[1]/r) > 1+1e-12 {
			t.Errorf("run %d starts at %v, outside the ball of radius %v", i, x, r)
		}
	}
}

func TestEnsembleHugeBatch(t *testing.T) {
	// k = 2^40 with replacement costs O(Len) per step (multinomial counts),
	// so an ensemble of such runs finishes like gradient descent and ends
	// within 1e−4 of it (noise √(Cov/k) ≈ 1e−6 per step; see
	// TestHugeBatchIsNearGradientDescent).
	rnd := rand.New(rand.NewPCG(1, 2))
	p, _, _, xs := sgdkRandQuad(t, rnd, 2, 3, false)
	run := func(k int) *sgdk.EnsembleResult {
		e := sgdk.Ensemble{Problem: p, Settings: sgdk.Settings{BatchSize: k, Step: sgdk.Constant(0.1), Iterations: 100},
			Runs: 8, Seed: 3, Center: xs, Radius: 0.5, Watch: [][]float64{xs}}
		res, err := e.Run()
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	huge, gd := run(1<<40), run(sgdk.FullBatch)
	for i := range huge.Final {
		if d := floats.Distance(huge.Final[i], gd.Final[i], 2); d > 1e-4 {
			t.Errorf("run %d: k = 2^40 ends %.3g from gradient descent", i, d)
		}
	}
}

// sgdkGeometry returns the eigenvalues λ of H (all positive here) and
// s_Q, t_Q of (4), (5) by a dense eigen-solve of
// K = Λ^{-1/2} U'MU Λ^{-1/2}, independent of package geometry.
func sgdkGeometry(t *testing.T, h, m *mat.SymDense) (lambda []float64, s, tq float64) {
	t.Helper()
	p := h.SymmetricDim()
	var eh mat.EigenSym
	if !eh.Factorize(h, true) {
		t.Fatal("eigen-decomposition of H failed")
	}
	lambda = eh.Values(nil)
	var u mat.Dense
	eh.VectorsTo(&u)
	var umu, tmp mat.Dense
	tmp.Mul(m, &u)
	umu.Mul(u.T(), &tmp)
	k := mat.NewSymDense(p, nil)
	for i := range p {
		for j := i; j < p; j++ {
			k.SetSym(i, j, (umu.At(i, j)+umu.At(j, i))/2/math.Sqrt(lambda[i]*lambda[j]))
		}
	}
	var ek mat.EigenSym
	if !ek.Factorize(k, false) {
		t.Fatal("eigen-decomposition of K failed")
	}
	kv := ek.Values(nil)
	return lambda, kv[0], kv[p-1]
}

func TestGrowthFactorWithinLemma37Bounds(t *testing.T) {
	// Lemma 3.7 / Theorem 3.8: for a homogeneous minimizer, every x_N gives
	// ρ_lo ≤ E[e_{N+1}|x_N]/e_N ≤ ρ_hi, with
	// ρ_lo = min_l (1−Cλ_l)² + C²s/k and ρ_hi = max_l (1−Cλ_l)² + C²t/k.
	// Hence (i) the mean over runs and steps of e_{N+1}/e_N has expectation in
	// [ρ_lo, ρ_hi] (the runs are independent, so the standard error of the
	// mean of the per-run averages is a valid Monte Carlo error), and (ii)
	// ρ_lo^T ≤ E[e_T]/E[e_0] ≤ ρ_hi^T, checked on the ratio of the means
	// over runs with a delta-method standard error. Both are asserted within
	// 4 standard errors, at C = 0.8·Convergence(k) (ρ_hi < 1) and at
	// C = 1.2·Divergence(k) (ρ_lo > 1), for k = 1, 4 and FullBatch
	// (where the noise terms vanish and (i) holds run by run).
	runs := 4000
	if testing.Short() {
		runs = 1000
	}
	const p, n, iters = 3, 4, 10
	rnd := rand.New(rand.NewPCG(2026, 11))
	prob, qs, w, xs := sgdkRandQuad(t, rnd, p, n, false)
	h, m := sgdkHM(qs, w)
	lambda, s, tq := sgdkGeometry(t, h, m)
	if !(s > 0) {
		t.Fatalf("s_Q = %v: need a strictly positive s for a finite Divergence(k)", s)
	}
	l1, lm := lambda[len(lambda)-1], lambda[0]
	geom, err := thresholds.NewGeometry(lambda, s, tq)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{1, 4, sgdk.FullBatch} {
		invk := 0.0
		if k != sgdk.FullBatch {
			invk = 1 / float64(k)
		}
		conv := math.Min(2*l1/(l1*l1+tq*invk), 2*lm/(lm*lm+tq*invk)) // (18)
		div := 0.0                                                   // (19)
		for _, l := range lambda {
			div = math.Max(div, 2*l/(l*l+s*invk))
		}
		for _, c := range []float64{0.8 * conv, 1.2 * div} {
			lo, hi := math.Inf(1), 0.0
			for _, l := range lambda {
				f := (1 - c*l) * (1 - c*l)
				lo, hi = math.Min(lo, f), math.Max(hi, f)
			}
			lo += c * c * s * invk
			hi += c * c * tq * invk
			// The library's thresholds agree with the formulas written here.
			kf := math.Inf(1)
			if k != sgdk.FullBatch {
				kf = float64(k)
			}
			tlo, thi := thresholds.GrowthBounds(geom, c, kf)
			if !sgdkClose(tlo, lo) || !sgdkClose(thi, hi) || !sgdkClose(thresholds.Convergence(geom, kf), conv) ||
				!sgdkClose(thresholds.Divergence(geom, kf), div) {
				t.Errorf("k = %d, C = %v: package thresholds gives bounds [%v, %v], Convergence %v, Divergence %v; want [%v, %v], %v, %v",
					k, c, tlo, thi, thresholds.Convergence(geom, kf), thresholds.Divergence(geom, kf), lo, hi, conv, div)
			}
			if !(hi < 1 || lo > 1) {
				t.Fatalf("k = %d, C = %v: bounds [%v, %v] straddle 1", k, c, lo, hi)
			}
			e := sgdk.Ensemble{
				Problem:  prob,
				Settings: sgdk.Settings{BatchSize: k, Step: sgdk.Constant(c), Iterations: iters},
				Runs:     runs,
				Seed:     uint64(100 + k),
				Center:   xs,
				Radius:   1,
				Measure:  func(x []float64) float64 { return sgdkErr(h, x, xs) },
			}
			r, err := e.Run()
			if err != nil {
				t.Fatal(err)
			}
			if r.DivergedCount() != 0 {
				t.Fatalf("k = %d, C = %v: %d runs overflowed", k, c, r.DivergedCount())
			}
			// (i) mean of one-step ratios.
			per := make([]float64, runs)
			for run, es := range r.Measures {
				for it := range iters {
					q := es[it+1] / es[it]
					per[run] += q / iters
					if k == sgdk.FullBatch && (q < lo*(1-1e-9) || q > hi*(1+1e-9)) {
						t.Errorf("gradient descent, C = %v: e_{N+1}/e_N = %v outside [%v, %v]", c, q, lo, hi)
					}
				}
			}
			mean, se := sgdkMeanSE(per)
			if mean < lo-4*se || mean > hi+4*se {
				t.Errorf("k = %d, C = %.4g: mean one-step factor %.5g ± %.2g outside [ρ_lo, ρ_hi] = [%.5g, %.5g]", k, c, mean, se, lo, hi)
			}
			// (ii) per-step factor of the mean: R = Ē_T/Ē_0 with
			// se(R) = sd(e_T − R e_0)/(√runs Ē_0).
			ratio, seR := sgdkRatioSE(r.Measures, iters)
			loT, hiT := math.Pow(lo, iters), math.Pow(hi, iters)
			if ratio < loT-4*seR || ratio > hiT+4*seR {
				t.Errorf("k = %d, C = %.4g: E[e_T]/E[e_0] = %.5g ± %.2g outside [%.5g, %.5g] (per step %.5g, bounds [%.5g, %.5g])",
					k, c, ratio, seR, loT, hiT, math.Pow(ratio, 1.0/iters), lo, hi)
			}
			// (iii) sharper: the exact second-moment recursion behind thresholds.MeanSquare,
			// S_{N+1} = (I−CH)S(I−CH) + (C²/k)(E[QSQ] − HSH), from
			// S_0 = E[d_0d_0'] ∝ I (uniform in a ball), gives
			// E[e_n]/E[e_0] = tr(HS_n)/tr(HS_0) exactly. Checked for n ≤ 3
			// only: e_n is a product of n random factors, and for larger n its
			// heavy right tail makes the sample standard error unreliable.
			exact := sgdkSecondMoment(qs, w, h, c, invk, iters)
			for it := 1; it <= 3; it++ {
				rn, sen := sgdkRatioSE(r.Measures, it)
				if math.Abs(rn-exact[it]) > 4*sen {
					t.Errorf("k = %d, C = %.4g: E[e_%d]/E[e_0] = %.5g ± %.2g, exact second-moment recursion gives %.5g", k, c, it, rn, sen, exact[it])
				}
			}
			t.Logf("k = %d, C = %.4g: one-step %.5g ± %.2g, per-step of mean %.5g (exact %.5g), bounds [%.5g, %.5g]; E[e_T]/E[e_0] = %.5g ± %.2g, exact %.5g", k, c, mean, se, math.Pow(ratio, 1.0/iters), math.Pow(exact[iters], 1.0/iters), lo, hi, ratio, seR, exact[iters])
		}
	}
}

// sgdkRatioSE returns Ē_n/Ē_0 over the runs and its delta-method standard
// error sd(e_n − R e_0)/(√runs Ē_0).
func sgdkRatioSE(measures [][]float64, n int) (ratio, se float64) {
	var m0, mn float64
	runs := float64(len(measures))
	for _, es := range measures {
		m0 += es[0] / runs
		mn += es[n] / runs
	}
	ratio = mn / m0
	lin := make([]float64, len(measures))
	for run, es := range measures {
		lin[run] = (es[n] - ratio*es[0]) / m0
	}
	_, se = sgdkMeanSE(lin)
	return ratio, se
}

// sgdkSecondMoment returns tr(HS_n)/tr(HS_0), n = 0..iters, for S_0 = I and the map
// S ↦ (I−CH)S(I−CH) + C²·invk·(Σ w_i Q_i S Q_i − HSH) (see Exact mean-square threshold in package thresholds).
func sgdkSecondMoment(qs []*mat.SymDense, w []float64, h *mat.SymDense, c, invk float64, iters int) []float64 {
	p := h.SymmetricDim()
	a := mat.NewDense(p, p, nil)
	for i := range p {
		a.Set(i, i, 1)
	}
	var ch mat.Dense
	ch.Scale(c, h)
	a.Sub(a, &ch)
	sm := mat.NewDense(p, p, nil)
	for i := range p {
		sm.Set(i, i, 1)
	}
	tr := func(s *mat.Dense) float64 {
		var hs mat.Dense
		hs.Mul(h, s)
		return mat.Trace(&hs)
	}
	e0 := tr(sm)
	out := []float64{1}
	for range iters {
		var next, t1, noise mat.Dense
		t1.Mul(a, sm)
		next.Mul(&t1, a)
		noise.Mul(h, sm)
		noise.Mul(&noise, h)
		noise.Scale(-1, &noise)
		for i, q := range qs {
			var u mat.Dense
			u.Mul(q, sm)
			u.Mul(&u, q)
			u.Scale(w[i], &u)
			noise.Add(&noise, &u)
		}
		noise.Scale(c*c*invk, &noise)
		next.Add(&next, &noise)
		sm = &next
		out = append(out, tr(sm)/e0)
	}
	return out
}

// sgdkClose reports whether a and b agree to a relative 1e-12.
func sgdkClose(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b)) }

// sgdkMeanSE returns the mean of x and its standard error sd/√n.
func sgdkMeanSE(x []float64) (mean, se float64) {
	n := float64(len(x))
	for _, v := range x {
		mean += v / n
	}
	ss := 0.0
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(ss / (n - 1) / n)
}

func BenchmarkEnsemble1000x20P10K8(b *testing.B) {
	rnd := rand.New(rand.NewPCG(10, 8))
	p, _, _, xs := sgdkRandQuad(b, rnd, 10, 20, false)
	for _, workers := range []int{1, 2} {
		if workers > runtime.GOMAXPROCS(0) {
			continue
		}
		b.Run(map[int]string{1: "Workers1", 2: "Workers2"}[workers], func(b *testing.B) {
			e := sgdk.Ensemble{
				Problem:  p,
				Settings: sgdk.Settings{BatchSize: 8, Step: sgdk.Constant(0.05), Iterations: 20},
				Runs:     1000,
				Seed:     1,
				Workers:  workers,
				Center:   xs,
				Radius:   0.1,
				Watch:    [][]float64{xs},
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.Run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// uniformLine is F(x) = (1/3)Σ_i ½(x − a_i)² on R, three components with
// uniform weights: the smallest problem on which sampling without
// replacement has a state (the permutation) to carry between runs.
func uniformLine(t testing.TB) *problems.Quadratic {
	t.Helper()
	one := mat.NewSymDense(1, []float64{1})
	p, err := problems.NewQuadratic([]mat.Symmetric{one, one, one}, [][]float64{{-1}, {0.5}, {2}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// sameEnsemble reports the first difference between two ensemble results, or
// "" when they are bit-identical.
func sameEnsemble(a, b *sgdk.EnsembleResult) string {
	for run := range a.Final {
		switch {
		case !floats.Same(a.Starts[run], b.Starts[run]):
			return "Starts"
		case !floats.Same(a.Final[run], b.Final[run]):
			return "Final"
		case a.Iterations[run] != b.Iterations[run] || a.Diverged[run] != b.Diverged[run] || a.DivergedAt[run] != b.DivergedAt[run]:
			return "Iterations or Diverged"
		case (a.Measures == nil) != (b.Measures == nil) || a.Measures != nil && !floats.Same(a.Measures[run], b.Measures[run]):
			return "Measures"
		}
		for w := range a.Distances {
			if !floats.Same(a.Distances[w][run], b.Distances[w][run]) {
				return "Distances"
			}
		}
	}
	return ""
}

func TestEnsembleWithoutReplacementWorkersIndependent(t *testing.T) {
	// Sampling without replacement keeps a permutation per worker; every run
	// must start it afresh, or run i's batches depend on the runs its worker
	// served before, that is on scheduling. Workers = 1, 2 and 4 must agree
	// bit for bit, over many seeds, and with a replay of each run by Run on
	// its documented stream problems.Stream(Seed, i).
	p := uniformLine(t)
	s := sgdk.Settings{BatchSize: 1, Step: sgdk.Constant(0.3), Iterations: 6, WithoutReplacement: true}
	for seed := range uint64(100) {
		var first *sgdk.EnsembleResult
		for _, workers := range []int{1, 2, 4} {
			e := sgdk.Ensemble{Problem: p, Settings: s, Runs: 8, Seed: seed, Workers: workers,
				Center: []float64{0.3}, Radius: 0.5, Watch: [][]float64{{0.5}}}
			r, err := e.Run()
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = r
				continue
			}
			if d := sameEnsemble(first, r); d != "" {
				t.Fatalf("seed %d: Workers = %d and Workers = 1 differ in %s", seed, workers, d)
			}
		}
		for i := range 8 {
			// The stream draws the start (one normal, one uniform in 1-D)
			// before the batches.
			rnd := problems.Stream(seed, uint64(i))
			rnd.NormFloat64()
			rnd.Float64()
			res, err := sgdk.Run(p, first.Starts[i], s, rnd, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !floats.Same(res.X, first.Final[i]) {
				t.Fatalf("seed %d, run %d: Ensemble ends at %v, its replay by Run at %v", seed, i, first.Final[i], res.X)
			}
		}
	}
}
